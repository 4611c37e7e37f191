"""A tenant for the web UI's browser tests and `make bench`, made through the API as its users
would: a producer team (Data Platform) and a consumer team (Analytics) with keys; lineage
raw -> orders -> revenue; orders with versions 1.0.0, 1.1.0 (compatible) and 2.0.0 (breaking,
published before anyone consumed it), then Analytics registered and a pending breaking proposal;
two more proposals to block and to migrate; reports (a materialization, a passed and a failed
check); a configuration project with one asset configuration."""
import copy
import uuid
from dataclasses import dataclass, field

import requests

V1 = {"type": "object", "required": ["order_id"], "properties": {
    "order_id": {"type": "integer", "description": "Unique order number"},
    "customer_id": {"type": "string"}, "amount": {"type": "number"},
    "shipping": {"type": "object", "properties": {"city": {"type": "string"}, "zip": {"type": "string"}}}}}
FRESH = {"freshness": {"max_staleness_minutes": 60}}


def _with(schema: dict, **props) -> dict:
    out = copy.deepcopy(schema)
    for name, prop in props.items():
        if prop is None:
            out["properties"].pop(name)
        else:
            out["properties"][name] = prop
    return out


V11 = _with(V1, note={"type": "string"})
V2 = _with(V11, amount={"type": "string"})            # breaking: published directly (no consumer yet)
PROPOSED = _with(V2, customer_id={"type": "integer"})  # breaking: a proposal once Analytics consumes it
SMALL = {"type": "object", "properties": {"id": {"type": "integer"}, "reason": {"type": "string"}}}
SMALL_BREAKING = {"type": "object", "properties": {"id": {"type": "string"}}}


@dataclass
class UiWorld:
    url: str
    tenant: str
    admin: str
    producer: str
    consumer: str
    consumer_reader: str
    teams: dict
    assets: dict = field(default_factory=dict)
    proposals: dict = field(default_factory=dict)
    project: int | None = None

    def call(self, method: str, path: str, key: str | None = None, expect=(200, 201, 204), **kw):
        r = requests.request(method, self.url + path, timeout=30,
                             headers={"Authorization": f"Bearer {key or self.admin}"}, **kw)
        assert r.status_code in expect, (method, path, r.status_code, r.text[:400])
        return r.json() if r.content else None


def seed(url: str, bootstrap_key: str, name: str | None = None) -> UiWorld:
    boot = {"Authorization": f"Bearer {bootstrap_key}"}
    r = requests.post(url + "/api/v1/tenants", json={"name": name or f"ui-{uuid.uuid4().hex[:8]}"}, headers=boot,
                      timeout=30)
    assert r.status_code == 201, r.text
    tenant = r.json()
    w = UiWorld(url, tenant["id"], tenant["admin_key"]["key"], "", "", "", {})
    w.teams = {n: w.call("POST", "/api/v1/teams", json={"name": n})["id"] for n in ("Data Platform", "Analytics")}
    key = lambda name, scopes, team: w.call("POST", "/api/v1/api-keys", json={  # noqa: E731
        "name": name, "scopes": scopes, "team_id": w.teams[team]})["key"]
    w.producer = key("dbt CI", ["read", "write"], "Data Platform")
    w.consumer = key("Analytics CI", ["read", "write"], "Analytics")
    w.consumer_reader = key("Analytics dashboards", ["read"], "Analytics")

    def asset(fqn, team="Data Platform", key=None, **extra):
        w.assets[fqn] = w.call("POST", "/api/v1/assets", key or w.producer,
                               json={"fqn": fqn, "owner_team_id": w.teams[team], **extra})["id"]
        return w.assets[fqn]

    def publish(fqn, schema):
        return w.call("POST", f"/api/v1/assets/{w.assets[fqn]}/contracts", w.producer,
                      json={"schema": schema, "guarantees": FRESH})

    def consume(fqn):
        contract = w.call("GET", f"/api/v1/assets/{w.assets[fqn]}", w.consumer)["active_contract_id"]
        w.call("POST", "/api/v1/registrations", w.consumer,
               json={"contract_id": contract, "consumer_team_id": w.teams["Analytics"]})

    raw = asset("shop.raw.orders")
    orders = asset("shop.sales.orders", metadata={"description": "One row per order, loaded hourly from the shop."})
    revenue = asset("shop.mart.revenue", team="Analytics", key=w.consumer)
    asset("shop.sales.order_line_items_with_discounts_and_taxes_by_region_and_channel_daily_snapshot")
    w.call("POST", f"/api/v1/assets/{orders}/dependencies", w.producer, json={"target_asset_id": raw})
    w.call("POST", f"/api/v1/assets/{revenue}/dependencies", w.consumer, json={"target_asset_id": orders})
    for schema in (V1, V11, V2):
        publish("shop.sales.orders", schema)
    consume("shop.sales.orders")
    w.proposals["orders"] = publish("shop.sales.orders", PROPOSED)["proposal"]["id"]
    for name in ("refunds", "customers"):
        fqn = f"shop.sales.{name}"
        asset(fqn)
        publish(fqn, SMALL)
        consume(fqn)
        w.proposals[name] = publish(fqn, SMALL_BREAKING)["proposal"]["id"]
    path = "/shop/sales/orders"
    w.call("POST", "/report_asset_materialization" + path, w.producer, json={"metadata": {"rows": 1200}})
    w.call("POST", "/report_asset_check" + path, w.producer, json={"check_name": "order_id_not_null", "passed": True})
    w.call("POST", "/report_asset_check" + path, w.producer,
           json={"check_name": "amount_positive", "passed": False, "metadata": {"failing_rows": 3}})
    base = f"/api/backend/{w.tenant}/configuration"
    w.project = w.call("POST", base + "/projects", json={"name": "Sales", "description": "Shop data"})["id"]
    connection = w.call("POST", f"{base}/projects/{w.project}/connections",
                        json={"name": "lakehouse", "type": "DELTALAKE"})["id"]
    w.call("POST", f"{base}/projects/{w.project}/assets", json={
        "name": "orders", "type": "DELTALAKE", "connection_id": connection,
        "payload": {"catalog": "shop", "schema": "sales", "table": "orders"}})
    return w
