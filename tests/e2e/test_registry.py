"""The registry family over HTTP through the local runtime, driven by tessera-sdk 0.1.5 itself."""
import uuid

from tessera_sdk import TesseraClient

from tests.e2e.conftest import Api, new_key, new_tenant
from tests.support import tessera_workflow


class World:
    """Real keys in a fresh tenant, so fqns of one test never meet another's."""

    def __init__(self, runtime, admin):
        self.url = runtime.url
        tenant = new_tenant(admin)
        self.admin_key = tenant["admin_key"]["key"]
        self.admin_api = Api(runtime.url, self.admin_key)
        self.foreign_key = new_tenant(admin)["admin_key"]["key"]

    def _client(self, key):
        return TesseraClient(base_url=self.url, headers={"Authorization": f"Bearer {key}"})

    def admin(self):
        return self._client(self.admin_key)

    def team(self, team_id):
        return self._client(new_key(self.admin_api, scopes=["read", "write"], team_id=str(team_id)))

    def foreign(self):
        return self._client(self.foreign_key)


def test_tessera_workflow_through_the_runtime(runtime, admin):
    tessera_workflow.tessera_workflow(World(runtime, admin))


def test_blocked_force_withdraw_and_direct_breaking_through_the_runtime(runtime, admin):
    tessera_workflow.blocked_force_withdraw_and_direct_breaking(World(runtime, admin))


def test_seed_list_envelope_and_sdk_array(runtime, admin):
    w = World(runtime, admin)
    team = w.admin().teams.create(name="owners")
    api = w.admin_api
    for name in ("warehouse.analytics.users", "warehouse.analytics.orders", "warehouse.raw.events"):
        assert api("POST", "/api/v1/assets", json={"fqn": name, "owner_team_id": str(team.id)}).status_code == 201
    seed = api("GET", "/api/v1/assets", params={"fqn": "warehouse.analytics", "page": 1, "page_size": 20}).json()
    assert set(seed) >= {"results", "total", "page", "page_size"} and seed["total"] == 2
    assert {r["fqn"] for r in seed["results"]} == {"warehouse.analytics.users", "warehouse.analytics.orders"}
    first = seed["results"][0]
    assert set(first) >= {"id", "fqn", "owner_team_id", "owner_team_name", "environment", "created_at",
                          "active_contract_id", "active_contract_version"}
    assert first["owner_team_name"] == "owners"
    listed = w.admin().assets.list(owner_team_id=team.id)  # the SDK: limit/offset, a bare array
    assert len(listed) == 3
    r = api("GET", "/api/v1/assets", params={"limit": 2, "offset": 0})
    assert isinstance(r.json(), list) and r.headers["X-Total-Count"] == "3"
    r = api("GET", f"/api/v1/assets/{uuid.uuid4()}")
    assert r.status_code == 404 and r.json()["error"]["code"]
