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


def test_seed_impact_example_literally(runtime, admin):
    """The seed's Assets API page, request by request: its asset, its publish request, its
    non-breaking publish (`email` added), then its impact example — an ordinary (open) object
    with `email` removed and a registered consumer, under the default mode (backward): breaking,
    the consumer affected; publishing it makes a proposal (the seed's "Response (Breaking)")."""
    w = World(runtime, admin)
    api = w.admin_api
    platform = api("POST", "/api/v1/teams", json={"name": "Data Platform"}).json()
    analytics = api("POST", "/api/v1/teams", json={"name": "Analytics"}).json()
    producer = Api(w.url, new_key(api, scopes=["read", "write"], team_id=platform["id"]))
    consumer = Api(w.url, new_key(api, scopes=["read", "write"], team_id=analytics["id"]))

    r = producer("POST", "/api/v1/assets", json={
        "fqn": "warehouse.analytics.users", "owner_team_id": platform["id"], "environment": "production",
        "metadata": {"description": "Core users table", "tags": ["pii"]}})
    assert r.status_code == 201, r.text
    asset = r.json()
    contracts = f"/api/v1/assets/{asset['id']}/contracts"
    v1_schema = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                 "required": ["id"]}
    r = producer("POST", contracts, json={"schema": v1_schema, "compatibility_mode": "backward",
                                          "guarantees": {"freshness": {"max_staleness_minutes": 60}}})
    assert r.status_code == 201, r.text
    assert r.json()["action"] == "published" and r.json()["contract"]["version"] == "1.0.0"

    # Response (Non-breaking): email added → 1.1.0, changes [{type: property_added, path: $.properties.email}]
    with_email = {**v1_schema, "properties": {**v1_schema["properties"], "email": {"type": "string"}}}
    r = producer("POST", contracts, json={"schema": with_email})
    out = r.json()
    assert r.status_code == 201 and out["action"] == "published", r.text
    assert {k: out["contract"][k] for k in ("version", "status")} == {"version": "1.1.0", "status": "active"}
    assert [{k: c[k] for k in ("type", "path")} for c in out["changes"]] == [
        {"type": "property_added", "path": "$.properties.email"}]
    assert out["changes"][0]["reason"] == "compatible: readers ignore an added optional column"

    r = consumer("POST", "/api/v1/registrations", params={"contract_id": out["contract"]["id"]},
                 json={"consumer_team_id": analytics["id"]})
    assert r.status_code == 201, r.text

    # Impact Analysis: {"proposed_schema": {"type": "object", "properties": {...}}} without email
    r = consumer("POST", f"/api/v1/assets/{asset['id']}/impact", json={"proposed_schema": v1_schema})
    assert r.status_code == 200, r.text
    impact = r.json()
    assert impact["is_breaking"] is True
    assert [{k: c[k] for k in ("type", "path", "description")} for c in impact["breaking_changes"]] == [
        {"type": "property_removed", "path": "$.properties.email", "description": "Property 'email' was removed"}]
    assert [{k: t[k] for k in ("team_id", "team_name")} for t in impact["affected_consumers"]] == [
        {"team_id": analytics["id"], "team_name": "Analytics"}]
    # the same verdict through tessera-sdk (ImpactAnalysis reads impacted_consumers)
    sdk_impact = w.team(analytics["id"]).assets.check_impact(asset["id"], proposed_schema=v1_schema)
    assert sdk_impact.safe_to_publish is False and [b.column for b in sdk_impact.breaking_changes] == ["email"]
    assert [c["team_id"] for c in sdk_impact.impacted_consumers] == [analytics["id"]]

    # Response (Breaking): publishing it asks the consumer first
    r = producer("POST", contracts, json={"schema": v1_schema})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["action"] == "proposal_created" and out["proposal"]["status"] == "pending"
    assert [(c["type"], c["path"]) for c in out["proposal"]["breaking_changes"]] == [
        ("property_removed", "$.properties.email")]
    assert [t["team_id"] for t in out["proposal"]["affected_teams"]] == [analytics["id"]]
    assert api("GET", f"/api/v1/assets/{asset['id']}").json()["active_contract_version"] == "1.1.0"
