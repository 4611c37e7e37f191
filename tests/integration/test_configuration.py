"""Configuration family through its handler on moto: storage, one-asset-two-views transactions,
atomic moves (also under concurrency) and bounded reads."""
import threading
import uuid
from contextlib import contextmanager
from dataclasses import replace

import pytest
from accord.auth.principal import Principal
from accord.store import db
from accord.store import keys as k

from tests.integration.conftest import load_app
from tests.support.events import api_event, body

B = "/api/backend/{tenant}/configuration"
PROJECTS, PROJECT = B + "/projects", B + "/projects/{projectId}"
CONNS, CONN, GLOBAL = PROJECT + "/connections", PROJECT + "/connections/{connectionId}", B + "/connections"
ASSETS, ASSET, MOVE, ALL = PROJECT + "/assets", PROJECT + "/assets/{assetId}", PROJECT + "/assets/move", B + "/assets"
DELTA = {"catalog": "main_catalog", "schema": "sales_data", "table": "orders"}


@pytest.fixture(scope="session")
def cfg_app():
    return load_app("configuration")


@pytest.fixture(scope="session")
def reg_app():
    return load_app("assets")


@pytest.fixture
def key(aws):
    return Principal(tenant="acme", key_id=str(uuid.uuid4()), name="admin", email="admin@acme.test",
                     scopes=frozenset({"read", "write", "admin"}))


class Client:
    def __init__(self, app, principal, tenant="acme"):
        self.app, self.principal, self.tenant = app, principal, tenant

    def __call__(self, method, resource, params=None, **kwargs):
        event = api_event(method, resource, {"tenant": self.tenant, **(params or {})},
                          principal=self.principal, **kwargs)
        r = self.app.lambda_handler(event, None)
        r["json"] = body(r)
        return r


@pytest.fixture
def api(cfg_app, key):
    return Client(cfg_app, key)


def connection(api, project=0, type_="DELTALAKE", **extra) -> dict:
    r = api("POST", CONNS, {"projectId": project}, body={"name": f"c-{uuid.uuid4().hex[:6]}", "type": type_, **extra})
    assert r["statusCode"] == 201, r
    return r["json"]


def asset(api, conn, project=0, payload=None, **extra) -> dict:
    payload = payload or {"catalog": "cat", "schema": "s", "table": f"t_{uuid.uuid4().hex[:8]}"}
    r = api("POST", ASSETS, {"projectId": project},
            body={"name": "a", "type": conn["type"], "payload": payload, "connection_id": conn["id"], **extra})
    assert r["statusCode"] == 201, r
    return r["json"]


def project(api, name="P") -> int:
    r = api("POST", PROJECTS, body={"name": name})
    assert r["statusCode"] == 201, r
    return r["json"]["id"]


def raw(pk, sk):
    return db.get(pk, sk)


# ------------------------------------------------------------------ projects
def test_projects_lifecycle_and_project_zero(api):
    listed = api("GET", PROJECTS)["json"]
    assert [p["id"] for p in listed] == [0] and listed[0]["name"] == "Default"
    p1 = project(api, "Marketing")
    assert api("GET", PROJECT, {"projectId": p1})["json"]["name"] == "Marketing"
    r = api("PATCH", PROJECT, {"projectId": 0}, body={"name": "Main", "description": "the default one"})
    assert r["statusCode"] == 200 and r["json"]["name"] == "Main" and r["json"]["id"] == 0
    assert [p["name"] for p in api("GET", PROJECTS)["json"]] == ["Main", "Marketing"]
    r = api("DELETE", PROJECT, {"projectId": 0})
    assert r["statusCode"] == 409 and r["json"]["error"] == "PROJECT_NOT_DELETABLE"
    c = connection(api, p1)
    r = api("DELETE", PROJECT, {"projectId": p1})
    assert r["statusCode"] == 409 and r["json"]["error"] == "PROJECT_NOT_EMPTY" and "1 connection" in r["json"]["message"]
    assert api("DELETE", CONN, {"projectId": p1, "connectionId": c["id"]})["statusCode"] == 204
    assert api("DELETE", PROJECT, {"projectId": p1})["statusCode"] == 204
    r = api("GET", PROJECT, {"projectId": p1})
    assert r["statusCode"] == 404 and r["json"] == {"message": f"Project {p1} not found.", "error": "PROJECT_NOT_FOUND"}
    assert project(api) == p1 + 1  # ids are never reused
    assert api("GET", PROJECT, {"projectId": "abc"})["statusCode"] == 404


def test_project_listing_pages_with_a_cursor(api):
    ids = [project(api, f"p{i}") for i in range(5)]
    first = api("GET", PROJECTS, query={"limit": "3"})
    assert [p["id"] for p in first["json"]] == [0, *ids[:2]]
    cursor = first["headers"]["X-Next-Cursor"]
    second = api("GET", PROJECTS, query={"limit": "3", "cursor": cursor})
    assert [p["id"] for p in second["json"]] == ids[2:] and "X-Next-Cursor" not in second["headers"]
    assert api("GET", PROJECTS, query={"cursor": "garbage"})["statusCode"] == 400


# ------------------------------------------------------------------ connections
def test_credentials_are_write_only_and_stored_apart(api):
    secret = {"token": "dapi-" + uuid.uuid4().hex}
    c = connection(api, 0, credential={"type": "PAT", "payload": secret}, payload={"host": "dbc.cloud"}, db_type="SPARK")
    assert "credential" not in c and c["has_credential"] is True and c["db_type"] == "SPARK"
    item = raw(k.cfg_connection_pk("acme", c["id"]), k.CFG_CONNECTION_SK)
    assert secret["token"] not in repr(item)
    stored = raw(k.cfg_secret_pk("acme", item["credential_ref"]), k.CFG_SECRET_SK)
    assert stored["credential"] == {"type": "PAT", "payload": secret}
    for r in (api("GET", CONN, {"projectId": 0, "connectionId": c["id"]}), api("GET", CONNS, {"projectId": 0})):
        assert r["statusCode"] == 200 and secret["token"] not in r["body"] and '"credential"' not in r["body"]
    # a new credential replaces the old one in the same transaction
    r = api("PUT", CONN, {"projectId": 0, "connectionId": c["id"]},
            body={"credential": {"type": "PAT", "payload": {"token": "new"}}, "name": "renamed"})
    assert r["statusCode"] == 200 and r["json"]["name"] == "renamed" and "new" not in r["body"]
    new_item = raw(k.cfg_connection_pk("acme", c["id"]), k.CFG_CONNECTION_SK)
    assert new_item["credential_ref"] != item["credential_ref"]
    assert raw(k.cfg_secret_pk("acme", item["credential_ref"]), k.CFG_SECRET_SK) is None
    assert api("DELETE", CONN, {"projectId": 0, "connectionId": c["id"]})["statusCode"] == 204
    assert raw(k.cfg_secret_pk("acme", new_item["credential_ref"]), k.CFG_SECRET_SK) is None


def test_global_connections(api, cfg_app, key):
    r = api("POST", GLOBAL, body={"name": "shared", "type": "SNOWFLAKE", "scope": "GLOBAL"})
    assert r["statusCode"] == 201 and r["json"]["scope"] == "GLOBAL" and r["json"]["project_id"] is None
    g = r["json"]
    assert [c["id"] for c in api("GET", GLOBAL)["json"]] == [g["id"]]
    p1 = project(api)
    assert api("GET", CONN, {"projectId": p1, "connectionId": g["id"]})["json"]["id"] == g["id"]
    assert api("GET", CONNS, {"projectId": p1})["json"] == []
    r = api("POST", CONNS, {"projectId": p1}, body={"name": "x", "type": "S3", "scope": "GLOBAL"})
    assert r["statusCode"] == 400 and "POST /connections" in r["json"]["message"]
    editor = Client(cfg_app, replace(key, scopes=frozenset({"read", "write"}), project_roles={str(p1): "PROJECT_EDITOR"}))
    r = editor("POST", GLOBAL, body={"name": "mine", "type": "S3"})
    assert r["statusCode"] == 403 and r["json"]["error"] == "FORBIDDEN"
    r = editor("PUT", CONN, {"projectId": p1, "connectionId": g["id"]}, body={"name": "hijack"})
    assert r["statusCode"] == 403
    assert editor("GET", GLOBAL)["statusCode"] == 200


def test_connection_in_use_cannot_change_type_or_go_away(api):
    c = connection(api)
    a = asset(api, c)
    r = api("PUT", CONN, {"projectId": 0, "connectionId": c["id"]}, body={"type": "S3"})
    assert r["statusCode"] == 409 and r["json"]["error"] == "CONNECTION_IN_USE"
    r = api("DELETE", CONN, {"projectId": 0, "connectionId": c["id"]})
    assert r["statusCode"] == 409 and "1 asset" in r["json"]["message"]
    api("DELETE", ASSET, {"projectId": 0, "assetId": a["id"]})
    assert api("PUT", CONN, {"projectId": 0, "connectionId": c["id"]}, body={"type": "S3"})["json"]["type"] == "S3"


# ------------------------------------------------------------------ one asset, two views
def test_create_writes_the_registry_asset_in_the_same_transaction(api, reg_app, key):
    c = connection(api)
    a = asset(api, c, payload=DELTA, description="orders")
    reg = Client(reg_app, key)("GET", "/api/v1/assets/{asset_id}", {"asset_id": a["registry_asset_id"]})
    assert reg["statusCode"] == 200, reg
    assert reg["json"]["fqn"] == "main_catalog.sales_data.orders"
    # a key without a team: the tenant's "unassigned" team owns it (registry clients need an owner)
    assert reg["json"]["owner_team_name"] == "unassigned"
    unassigned = Client(load_app("teams"), key)("GET", "/api/v1/teams/{team_id}", {"team_id": reg["json"]["owner_team_id"]})
    assert unassigned["statusCode"] == 200 and unassigned["json"]["name"] == "unassigned"
    assert reg["json"]["environment"] == "production"
    item = raw(k.asset_pk("acme", a["registry_asset_id"]), k.ASSET_SK)
    assert item["config_number"] == a["id"] and item["GSI2PK"] == k.team_assets_gsi("acme", unassigned["json"]["id"])
    # the next one reuses that team
    b = asset(api, c)
    again = Client(reg_app, key)("GET", "/api/v1/assets/{asset_id}", {"asset_id": b["registry_asset_id"]})["json"]
    assert again["owner_team_id"] == unassigned["json"]["id"]
    listed = Client(reg_app, key)("GET", "/api/v1/assets", query={"fqn": "main_catalog.sales_data"})["json"]
    assert [x["id"] for x in listed["results"]] == [a["registry_asset_id"]] and listed["total"] == 1
    # the same fqn twice: 409, and nothing was written
    r = api("POST", ASSETS, {"projectId": 0}, body={"name": "b", "type": "DELTALAKE", "payload": DELTA,
                                                    "connection_id": c["id"]})
    assert r["statusCode"] == 409 and r["json"]["error"] == "ASSET_ALREADY_CONFIGURED" and str(a["id"]) in r["json"]["message"]
    assert len(api("GET", ASSETS, {"projectId": 0})["json"]) == 2


def test_a_team_key_owns_what_it_configures_and_a_claimed_asset_outlives_its_configuration(api, reg_app, key):
    teams = Client(load_app("teams"), key)
    data = teams("POST", "/api/v1/teams", body={"name": "Data"})["json"]
    other = teams("POST", "/api/v1/teams", body={"name": "Other"})["json"]
    team_key = Principal(tenant="acme", key_id=str(uuid.uuid4()), name="data", scopes=frozenset({"read", "write"}),
                         team_id=data["id"], project_roles={"0": "PROJECT_EDITOR"})
    mine = Client(load_app("configuration"), team_key)
    c = connection(api)
    a, b = asset(mine, c), asset(mine, c)
    reg = Client(reg_app, key)
    for x in (a, b):
        got = reg("GET", "/api/v1/assets/{asset_id}", {"asset_id": x["registry_asset_id"]})["json"]
        assert (got["owner_team_id"], got["owner_team_name"]) == (data["id"], "Data")
    # another team claims b in the registry: deleting b's configuration keeps the registry asset
    r = reg("PATCH", "/api/v1/assets/{asset_id}", {"asset_id": b["registry_asset_id"]}, body={"owner_team_id": other["id"]})
    assert r["statusCode"] == 200, r
    for x in (a, b):
        assert mine("DELETE", ASSET, {"projectId": 0, "assetId": x["id"]})["statusCode"] == 200
    assert reg("GET", "/api/v1/assets/{asset_id}", {"asset_id": a["registry_asset_id"]})["statusCode"] == 404
    assert reg("GET", "/api/v1/assets/{asset_id}", {"asset_id": b["registry_asset_id"]})["json"]["owner_team_id"] == other["id"]


def test_the_unassigned_team_is_made_once_under_concurrent_creates(api):
    from concurrent.futures import ThreadPoolExecutor
    c = connection(api)
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda _: asset(api, c), range(4)))
    owners = {raw(k.asset_pk("acme", m["registry_asset_id"]), k.ASSET_SK)["owner_team_id"] for m in made}
    assert len(owners) == 1
    assert raw(k.team_name_pk("acme", "unassigned"), k.UNIQUE_SK)["team_id"] in owners


def test_create_attaches_to_an_unconfigured_registry_asset(api, reg_app, key, cfg_app):
    team = Client(load_app("teams"), key)("POST", "/api/v1/teams", body={"name": "Data"})["json"]
    reg = Client(reg_app, key)("POST", "/api/v1/assets", body={"fqn": "db1.s.t1", "owner_team_id": team["id"]})["json"]
    c = connection(api, type_="SNOWFLAKE")
    a = asset(api, c, payload={"database": "db1", "schema": "s", "table": "t1"})
    assert a["registry_asset_id"] == reg["id"]
    assert raw(k.asset_pk("acme", reg["id"]), k.ASSET_SK)["config_number"] == a["id"]
    # deleting the configuration leaves the registry's own asset in place, unconfigured
    assert api("DELETE", ASSET, {"projectId": 0, "assetId": a["id"]})["json"] == {"message": "Asset deleted successfully"}
    item = raw(k.asset_pk("acme", reg["id"]), k.ASSET_SK)
    assert "config_number" not in item and "deleted_at" not in item
    # ... and it can be configured again
    assert asset(api, c, payload={"database": "db1", "schema": "s", "table": "t1"})["registry_asset_id"] == reg["id"]


def test_update_merges_options_and_renames_the_registry_asset(api, reg_app, key):
    c = connection(api)
    a = asset(api, c, payload=DELTA, options={"sample_fraction": 10, "delta_only": "false", "limit": 500})
    r = api("PUT", ASSET, {"projectId": 0, "assetId": a["id"]},
            body={"options": {"sample_fraction": 20, "limit": None},
                  "payload": {"catalog": "analytics_catalog", "schema": "marketing_data", "table": "campaigns"}})
    assert r["statusCode"] == 200, r
    assert r["json"]["options"] == {"sample_fraction": 20, "delta_only": "false"}
    assert r["json"]["fqn"] == "analytics_catalog.marketing_data.campaigns"
    reg = Client(reg_app, key)
    assert reg("GET", "/api/v1/assets/{asset_id}", {"asset_id": a["registry_asset_id"]})["json"]["fqn"] == r["json"]["fqn"]
    assert reg("GET", "/api/v1/assets", query={"fqn": "main_catalog"})["json"]["total"] == 0
    # renaming onto a name another asset holds: 409, nothing changes
    b = asset(api, c, payload={"catalog": "x", "schema": "y", "table": "z"})
    r = api("PUT", ASSET, {"projectId": 0, "assetId": a["id"]}, body={"payload": b["payload"]})
    assert r["statusCode"] == 409 and r["json"]["error"] == "DUPLICATE_ASSET"
    got = api("GET", ASSET, {"projectId": 0, "assetId": a["id"]})["json"]
    assert got["fqn"] == "analytics_catalog.marketing_data.campaigns"
    assert raw(k.asset_pk("acme", a["registry_asset_id"]), k.ASSET_SK)["fqn"] == got["fqn"]


def test_type_change_needs_a_fitting_payload_and_connection(api):
    snow, red = connection(api, type_="SNOWFLAKE"), connection(api, type_="REDSHIFT")
    a = asset(api, snow, payload={"database": "d", "schema": "s", "table": "t"})
    r = api("PUT", ASSET, {"projectId": 0, "assetId": a["id"]}, body={"type": "REDSHIFT"})
    assert r["statusCode"] == 400 and r["json"]["error"] == "CONNECTION_TYPE_MISMATCH"
    r = api("PUT", ASSET, {"projectId": 0, "assetId": a["id"]}, body={"type": "REDSHIFT", "connection_id": red["id"]})
    assert r["statusCode"] == 200 and r["json"]["type"] == "REDSHIFT" and r["json"]["connection_id"] == red["id"]
    assert raw(k.cfg_connection_pk("acme", snow["id"]), k.CFG_CONNECTION_SK)["asset_count"] == 0
    assert raw(k.cfg_connection_pk("acme", red["id"]), k.CFG_CONNECTION_SK)["asset_count"] == 1
    bq = connection(api, type_="BIGQUERY")
    r = api("PUT", ASSET, {"projectId": 0, "assetId": a["id"]}, body={"type": "BIGQUERY", "connection_id": bq["id"]})
    assert r["statusCode"] == 400 and "payload.dataset" in r["json"]["message"] and "stored payload" in r["json"]["message"]


def test_delete_soft_deletes_only_an_asset_nobody_else_needs(api, reg_app, key):
    c = connection(api)
    lone, linked, other = asset(api, c), asset(api, c), asset(api, c)
    reg = Client(reg_app, key)
    r = reg("POST", "/api/v1/assets/{asset_id}/dependencies", {"asset_id": linked["registry_asset_id"]},
            body={"target_asset_id": other["registry_asset_id"]})
    assert r["statusCode"] == 201, r
    for a in (lone, linked):
        assert api("DELETE", ASSET, {"projectId": 0, "assetId": a["id"]})["statusCode"] == 200
        assert api("GET", ASSET, {"projectId": 0, "assetId": a["id"]})["statusCode"] == 404
    assert reg("GET", "/api/v1/assets/{asset_id}", {"asset_id": lone["registry_asset_id"]})["statusCode"] == 404
    kept = reg("GET", "/api/v1/assets/{asset_id}", {"asset_id": linked["registry_asset_id"]})
    assert kept["statusCode"] == 200  # it has lineage: the registry still needs it
    assert raw(k.cfg_project_pk("acme", 0), k.CFG_PROJECT_SK)["asset_count"] == 1
    assert raw(k.cfg_connection_pk("acme", c["id"]), k.CFG_CONNECTION_SK)["asset_count"] == 1


# ------------------------------------------------------------------ move
def test_move_is_all_or_none(api):
    p1 = project(api)
    g = api("POST", GLOBAL, body={"name": "g", "type": "DELTALAKE"})["json"]
    local = connection(api)
    on_global = [asset(api, g) for _ in range(3)]
    on_local = asset(api, local)
    ids = [a["id"] for a in on_global]
    # one asset on a project connection and no target connection: nothing moves
    r = api("POST", MOVE, {"projectId": p1}, body={"source_project_id": 0, "source_asset_ids": [*ids, on_local["id"]]})
    assert r["statusCode"] == 409 and r["json"]["error"] == "CONNECTION_NOT_IN_TARGET" and str(on_local["id"]) in r["json"]["message"]
    assert {a["project_id"] for a in api("GET", ASSETS, {"projectId": 0})["json"]} == {0}
    # an unknown id among known ones: 404 naming it, nothing moves
    r = api("POST", MOVE, {"projectId": p1}, body={"source_project_id": 0, "source_asset_ids": [ids[0], "T9sACQAATBg", 99999]})
    assert r["statusCode"] == 404 and "T9sACQAATBg" in r["json"]["message"] and "99999" in r["json"]["message"]
    assert api("GET", ASSETS, {"projectId": p1})["json"] == []
    # global connections are kept
    r = api("POST", MOVE, {"projectId": p1}, body={"source_project_id": 0, "source_asset_ids": [str(i) for i in ids]})
    assert r["statusCode"] == 200 and r["json"] == {"message": "Assets moved successfully"}
    moved = api("GET", ASSETS, {"projectId": p1})
    assert [a["id"] for a in moved["json"]] == ids and moved["headers"]["X-Total-Count"] == "3"
    assert {a["connection_id"] for a in moved["json"]} == {g["id"]}
    assert raw(k.cfg_project_pk("acme", 0), k.CFG_PROJECT_SK)["asset_count"] == 1
    assert raw(k.cfg_project_pk("acme", p1), k.CFG_PROJECT_SK)["asset_count"] == 3
    # with a target connection the assets are re-pointed and the use counts follow
    target = connection(api, p1)
    r = api("POST", MOVE, {"projectId": p1}, body={"source_project_id": 0, "source_asset_ids": [on_local["id"]],
                                                   "target_connection_id": target["id"]})
    assert r["statusCode"] == 200
    assert raw(k.cfg_connection_pk("acme", local["id"]), k.CFG_CONNECTION_SK)["asset_count"] == 0
    assert raw(k.cfg_connection_pk("acme", target["id"]), k.CFG_CONNECTION_SK)["asset_count"] == 1


@pytest.fixture
def atomic_moto(monkeypatch):
    """moto's in-process DynamoDB is not thread-safe; DynamoDB executes each request atomically,
    so does this (one request at a time), while threads interleave freely between requests."""
    from moto.core.botocore_stubber import BotocoreStubber
    lock = threading.RLock()
    original = BotocoreStubber.process_request

    def serialized(self, request):
        with lock:
            return original(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", serialized)


def test_concurrent_overlapping_moves_never_half_apply(api, atomic_moto):
    g = api("POST", GLOBAL, body={"name": "g", "type": "DELTALAKE"})["json"]
    p1, p2 = project(api, "one"), project(api, "two")
    for round_ in range(4):
        ids = [asset(api, g)["id"] for _ in range(5)]
        first, second = ids[:3], ids[2:]  # asset ids[2] is in both
        results = {}
        barrier = threading.Barrier(2)

        def run(target, chosen):
            barrier.wait()
            results[target] = api("POST", MOVE, {"projectId": target},
                                  body={"source_project_id": 0, "source_asset_ids": chosen})["statusCode"]
        threads = [threading.Thread(target=run, args=(p1, first)), threading.Thread(target=run, args=(p2, second))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        where = {n: raw(k.cfg_asset_pk("acme", n), k.CFG_ASSET_SK)["project_id"] for n in ids}
        assert sorted(results.values()) == [200, 404], (round_, results)
        winner, loser_ids = (p1, second) if results[p1] == 200 else (p2, first)
        winner_ids = first if winner == p1 else second
        assert all(where[n] == winner for n in winner_ids), where
        assert all(where[n] == 0 for n in loser_ids if n not in winner_ids), where
    for p in (0, p1, p2):
        listed = api("GET", ASSETS, {"projectId": p}, query={"limit": "500"})["json"]
        assert raw(k.cfg_project_pk("acme", p), k.CFG_PROJECT_SK).get("asset_count", 0) == len(listed)


# ------------------------------------------------------------------ reads
@contextmanager
def dynamo_calls():
    calls = []

    def before(model, params, **kw):
        calls.append(model.name)
    events = db.client().meta.events
    events.register("before-call.dynamodb.*", before)
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb.*", before)


def _grow(api, reg, conn, n):
    """n assets in pairs: the second of each pair depends on the first (every asset has lineage)."""
    made = [asset(api, conn) for _ in range(n)]
    for upstream, downstream in zip(made[::2], made[1::2]):
        r = reg("POST", "/api/v1/assets/{asset_id}/dependencies", {"asset_id": downstream["registry_asset_id"]},
                body={"target_asset_id": upstream["registry_asset_id"]})
        assert r["statusCode"] == 201, r
    return made


def test_list_with_every_flag_reads_a_constant_number_of_times(api, reg_app, key):
    reg = Client(reg_app, key)
    c = connection(api)
    made = _grow(api, reg, c, 22)
    query = {"with_attributes": "true", "with_schedules": "true", "with_lineage": "true", "limit": "20"}
    with dynamo_calls() as small:
        page = api("GET", ASSETS, {"projectId": 0}, query=query)
    _grow(api, reg, c, 18)
    with dynamo_calls() as large:
        page2 = api("GET", ASSETS, {"projectId": 0}, query=query)
    assert page["json"] == page2["json"] and len(page["json"]) == 20
    assert page2["headers"]["X-Total-Count"] == "40"
    assert len(small) == len(large) <= 20 + 6, (small, large)
    assert large.count("Query") == 21  # the page itself + one lineage Query per asset on it
    body_ = page["json"]
    assert body_[0]["children"] == [str(made[1]["id"])] and body_[0]["parents"] == []
    assert body_[1]["parents"] == [str(made[0]["id"])] and body_[1]["children"] == []
    # the cursor walks the rest of the project
    seen, cursor = [a["id"] for a in body_], page["headers"]["X-Next-Cursor"]
    while cursor:
        r = api("GET", ASSETS, {"projectId": 0}, query={"limit": "20", "cursor": cursor})
        seen += [a["id"] for a in r["json"]]
        cursor = r["headers"].get("X-Next-Cursor")
    assert len(seen) == len(set(seen)) == 40


def test_tenant_wide_list_shows_only_readable_projects(api, cfg_app, key):
    g = api("POST", GLOBAL, body={"name": "g", "type": "DELTALAKE"})["json"]
    p1, p2 = project(api), project(api)
    mine = [asset(api, g, p1)["id"], asset(api, g, 0)["id"]]
    asset(api, g, p2)
    viewer = Client(cfg_app, replace(key, scopes=frozenset({"read"}), project_roles={str(p1): "PROJECT_VIEWER",
                                                                                     "0": "PROJECT_OPERATOR"}))
    r = viewer("GET", ALL)
    assert sorted(a["id"] for a in r["json"]) == sorted(mine) and r["headers"]["X-Total-Count"] == "2"
    assert len(api("GET", ALL)["json"]) == 3 and api("GET", ALL)["headers"]["X-Total-Count"] == "3"
    page = viewer("GET", ALL, query={"limit": "1"})
    assert len(page["json"]) == 1
    rest = viewer("GET", ALL, query={"limit": "1", "cursor": page["headers"]["X-Next-Cursor"]})
    assert [a["id"] for a in page["json"] + rest["json"]] == sorted(mine)


def test_another_tenant_is_not_found_exactly_like_an_unknown_one(api, cfg_app, key):
    c = connection(api)
    a = asset(api, c)
    stranger = Client(cfg_app, replace(key, tenant="globex"), tenant="acme")
    unknown = Client(cfg_app, replace(key, tenant="globex"), tenant="nobody-" + uuid.uuid4().hex[:6])
    for resource, params in [(ASSET, {"projectId": 0, "assetId": a["id"]}), (ASSETS, {"projectId": 0}),
                             (PROJECTS, {}), (ALL, {}), (CONN, {"projectId": 0, "connectionId": c["id"]})]:
        theirs, nobody = stranger("GET", resource, params), unknown("GET", resource, params)
        assert theirs["statusCode"] == nobody["statusCode"] == 404
        assert theirs["json"]["error"] == nobody["json"]["error"] == "TENANT_NOT_FOUND"
    r = stranger("DELETE", ASSET, {"projectId": 0, "assetId": a["id"]})
    assert r["statusCode"] == 404 and api("GET", ASSET, {"projectId": 0, "assetId": a["id"]})["statusCode"] == 200
    # the other tenant's own namespace does not see it either
    own = Client(cfg_app, replace(key, tenant="globex"), tenant="globex")
    assert own("GET", ASSET, {"projectId": 0, "assetId": a["id"]})["statusCode"] == 404
    assert own("GET", ALL)["json"] == []


# ------------------------------------------------------------------ retried writes
def _lands_then_fails(monkeypatch, name):
    """The store's `name` commits, then reports a lost condition once — what a client sees when
    a retried request finds its own earlier write."""
    from accord.store import configuration as store
    original = getattr(store, name)
    state = {"failed": False}

    def flaky(*args, **kwargs):
        original(*args, **kwargs)
        if not state["failed"]:
            state["failed"] = True
            exc = db.ConditionFailed(["ConditionalCheckFailed"])
            exc.failed = {"config"}
            raise exc
    monkeypatch.setattr(store, name, flaky)
    return state


def test_a_write_that_landed_is_not_reported_as_a_conflict(api, monkeypatch):
    g = api("POST", GLOBAL, body={"name": "g", "type": "DELTALAKE"})["json"]
    p1 = project(api)
    state = _lands_then_fails(monkeypatch, "create_config")
    made = asset(api, g)
    assert state["failed"] and len(api("GET", ASSETS, {"projectId": 0})["json"]) == 1
    state = _lands_then_fails(monkeypatch, "move_configs")
    r = api("POST", MOVE, {"projectId": p1}, body={"source_project_id": 0, "source_asset_ids": [made["id"]]})
    assert state["failed"] and r["statusCode"] == 200 and r["json"] == {"message": "Assets moved successfully"}
    state = _lands_then_fails(monkeypatch, "delete_config")
    r = api("DELETE", ASSET, {"projectId": p1, "assetId": made["id"]})
    assert state["failed"] and r["statusCode"] == 200 and r["json"] == {"message": "Asset deleted successfully"}
    assert api("GET", ASSET, {"projectId": p1, "assetId": made["id"]})["statusCode"] == 404


def test_an_owner_team_deleted_meanwhile_is_replaced_by_the_unassigned_team(api, reg_app, key, monkeypatch):
    from accord.identity import teams
    gone = Client(load_app("teams"), key)("POST", "/api/v1/teams", body={"name": "Gone"})["json"]
    assert Client(load_app("teams"), key)("DELETE", "/api/v1/teams/{team_id}", {"team_id": gone["id"]})["statusCode"] == 204
    real, stale = teams.default_owner, [{"id": gone["id"], "name": "Gone"}]
    # the first pick read the team just before it was deleted: the transaction's team check fails
    monkeypatch.setattr(teams, "default_owner", lambda tenant, team_id: stale.pop() if stale else real(tenant, team_id))
    made = asset(api, connection(api))
    got = Client(reg_app, key)("GET", "/api/v1/assets/{asset_id}", {"asset_id": made["registry_asset_id"]})["json"]
    assert got["owner_team_name"] == "unassigned" and not stale
