"""The installed `accord` command against the shared local runtime, in a tenant of its own: a
producer team (owns `warehouse.sales.orders`, contract 1.0.0) and a consumer team registered on it."""
import pytest

from tests.e2e.conftest import Api, new_key, new_tenant
from tests.support.cli import Cli, install

V1_SCHEMA = {"type": "object", "required": ["order_id"],
             "properties": {"order_id": {"type": "integer"}, "customer_id": {"type": "string"},
                            "amount": {"type": "number"}}}


@pytest.fixture(scope="session")
def cli(tmp_path_factory):
    target = install(tmp_path_factory.mktemp("accord-cli"))
    return Cli(target, tmp_path_factory.mktemp("home"))


class World:
    def __init__(self, runtime, admin):
        tenant = new_tenant(admin)
        self.url = runtime.url
        self.admin_key = tenant["admin_key"]["key"]
        self.admin = Api(runtime.url, self.admin_key)
        self.producer = self.team("Data Platform")
        self.consumer = self.team("Analytics")
        self.producer_key = new_key(self.admin, scopes=["read", "write"], team_id=self.producer)
        self.consumer_key = new_key(self.admin, scopes=["read", "write"], team_id=self.consumer)
        self.read_key = new_key(self.admin, scopes=["read"])

    def team(self, name: str) -> str:
        r = self.admin("POST", "/api/v1/teams", json={"name": name})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def asset(self, fqn: str, schema: dict | None = None, owner: str | None = None, **extra) -> dict:
        r = self.admin("POST", "/api/v1/assets", json={"fqn": fqn, "owner_team_id": owner or self.producer, **extra})
        assert r.status_code == 201, r.text
        asset = r.json()
        if schema is not None:
            r = self.admin("POST", f"/api/v1/assets/{asset['id']}/contracts", json={"schema": schema})
            assert r.status_code == 201 and r.json()["action"] == "published", r.text
            asset = self.admin("GET", f"/api/v1/assets/{asset['id']}").json()
        return asset

    def register(self, asset: dict, team: str | None = None) -> None:
        r = self.admin("POST", "/api/v1/registrations",
                       json={"contract_id": asset["active_contract_id"], "consumer_team_id": team or self.consumer})
        assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def world(runtime, admin):
    w = World(runtime, admin)
    w.orders = w.asset("warehouse.sales.orders", V1_SCHEMA)
    w.register(w.orders)
    return w
