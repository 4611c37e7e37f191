"""Assets (registry view) through the assets function's handler, on moto."""
import json
import threading
import uuid
from contextlib import contextmanager
from dataclasses import replace

import pytest
from tessera_sdk import models as sdk

from accord.store import db
from tests.integration.conftest import load_app
from tests.support.events import api_event, body

A = "/api/v1/assets"
A1 = "/api/v1/assets/{asset_id}"
SEARCH = "/api/v1/assets/search"
T = "/api/v1/teams"


# ------------------------------------------------------------------ helpers (imported by sibling tests)
def call(app, *args, **kwargs):
    return app.lambda_handler(api_event(*args, **kwargs), None)


@pytest.fixture(scope="session")
def assets_app():
    return load_app("assets")


def new_team(teams_app, admin, name=None) -> dict:
    r = call(teams_app, "POST", T, body={"name": name or f"team-{uuid.uuid4().hex[:8]}"}, principal=admin)
    assert r["statusCode"] == 201, r
    return body(r)


def team_key(admin, team_id, scopes=("read", "write")):
    return replace(admin, key_id=str(uuid.uuid4()), name=f"key of {team_id}", team_id=team_id,
                   scopes=frozenset(scopes))


def new_asset(app, principal, team_id, fqn=None, **fields) -> dict:
    payload = {"fqn": fqn or f"warehouse.s.t_{uuid.uuid4().hex[:8]}", "owner_team_id": team_id, **fields}
    r = call(app, "POST", A, body=payload, principal=principal)
    assert r["statusCode"] == 201, r
    return body(r)


def error_of(r) -> dict:
    err = body(r)
    assert set(err) == {"detail", "error"}, err
    assert set(err["error"]) == {"code", "message", "request_id"}, err
    return err


@contextmanager
def dynamo_calls():
    """Every DynamoDB API call made inside the block: [(operation, params, parsed response)]."""
    calls = []
    pending = {}

    def before(model, params, **kw):
        pending[id(params)] = (model.name, params)

    def after(model, parsed, **kw):
        calls.append((model.name, parsed))

    events = db.client().meta.events
    events.register("before-call.dynamodb.*", before)
    events.register("after-call.dynamodb.*", after)
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb.*", before)
        events.unregister("after-call.dynamodb.*", after)


@pytest.fixture
def owner(aws, teams_app, admin):
    team = new_team(teams_app, admin, "Data Platform")
    return team, team_key(admin, team["id"])


# ------------------------------------------------------------------ CRUD
def test_create_get_update_delete(assets_app, owner, admin):
    team, key = owner
    r = call(assets_app, "POST", A, principal=key, body={
        "fqn": "warehouse.analytics.users", "owner_team_id": team["id"], "environment": "production",
        "metadata": {"description": "Core users table", "tags": ["pii"]}})
    assert r["statusCode"] == 201, r
    created = body(r)
    assert {"id", "fqn", "owner_team_id", "environment", "created_at", "metadata"} <= set(created)
    assert created["owner_team_name"] == "Data Platform"
    sdk.Asset.model_validate(created)

    got = body(call(assets_app, "GET", A1, {"asset_id": created["id"]}, principal=key))
    assert got["fqn"] == "warehouse.analytics.users" and got["environment"] == "production"
    assert got["owner_team_name"] == "Data Platform" and got["owner_user_id"] is None
    assert got["active_contract_id"] is None and got["active_contract_version"] is None
    assert got["metadata"] == {"description": "Core users table", "tags": ["pii"]}
    assert got["updated_at"] == got["created_at"]

    user = str(uuid.uuid4())
    r = call(assets_app, "PATCH", A1, {"asset_id": created["id"]}, principal=key, body={
        "owner_user_id": user, "owner_user_name": "John Doe",
        "metadata": {"description": "Updated description", "tags": None, "resource_type": "model"}})
    assert r["statusCode"] == 200, r
    updated = body(r)
    assert updated["owner_user_id"] == user and updated["owner_user_name"] == "John Doe"
    assert updated["metadata"] == {"description": "Updated description", "resource_type": "model"}
    assert updated["updated_at"] >= updated["created_at"]
    assert body(call(assets_app, "GET", A1, {"asset_id": created["id"]}, principal=key)) == updated

    r = call(assets_app, "PATCH", A1, {"asset_id": created["id"]}, principal=key, body={"owner_user_id": None})
    assert body(r)["owner_user_id"] is None and body(r)["owner_user_name"] == "John Doe"

    assert call(assets_app, "DELETE", A1, {"asset_id": created["id"]}, principal=key)["statusCode"] == 204
    r = call(assets_app, "GET", A1, {"asset_id": created["id"]}, principal=key)
    assert r["statusCode"] == 404 and error_of(r)["error"]["code"] == "ASSET_NOT_FOUND"
    assert call(assets_app, "DELETE", A1, {"asset_id": created["id"]}, principal=key)["statusCode"] == 404
    assert call(assets_app, "PATCH", A1, {"asset_id": created["id"]}, principal=key,
                body={"metadata": {}})["statusCode"] == 404


def test_environment_defaults_to_production(assets_app, owner):
    team, key = owner
    assert new_asset(assets_app, key, team["id"], "a.b")["environment"] == "production"


def test_duplicate_fqn_environment_is_409_and_delete_frees_it(assets_app, owner):
    team, key = owner
    first = new_asset(assets_app, key, team["id"], "warehouse.orders")
    r = call(assets_app, "POST", A, principal=key, body={"fqn": "warehouse.orders", "owner_team_id": team["id"]})
    assert r["statusCode"] == 409
    err = error_of(r)
    assert err["error"]["code"] == "DUPLICATE_ASSET" and first["id"] in err["detail"]
    # same fqn, another environment: a different asset
    staging = new_asset(assets_app, key, team["id"], "warehouse.orders", environment="staging")
    assert staging["id"] != first["id"]
    call(assets_app, "DELETE", A1, {"asset_id": first["id"]}, principal=key)
    again = new_asset(assets_app, key, team["id"], "warehouse.orders")
    assert again["id"] != first["id"]


def test_unknown_or_deleted_owner_team_is_404(assets_app, owner, teams_app, admin):
    team, key = owner
    r = call(assets_app, "POST", A, principal=admin, body={"fqn": "a.b", "owner_team_id": str(uuid.uuid4())})
    assert r["statusCode"] == 404 and error_of(r)["error"]["code"] == "TEAM_NOT_FOUND"
    gone = new_team(teams_app, admin, "gone")
    call(teams_app, "DELETE", "/api/v1/teams/{team_id}", {"team_id": gone["id"]}, principal=admin)
    r = call(assets_app, "POST", A, principal=admin, body={"fqn": "a.b", "owner_team_id": gone["id"]})
    assert r["statusCode"] == 404
    asset = new_asset(assets_app, key, team["id"], "a.b")
    r = call(assets_app, "PATCH", A1, {"asset_id": asset["id"]}, principal=key,
             body={"owner_team_id": gone["id"]})
    assert r["statusCode"] == 404 and error_of(r)["error"]["code"] == "TEAM_NOT_FOUND"
    assert body(call(assets_app, "GET", A1, {"asset_id": asset["id"]}, principal=key))["owner_team_id"] == team["id"]


def test_patch_fqn_environment_and_owner_are_rechecked(assets_app, owner, teams_app, admin):
    team, key = owner
    a = new_asset(assets_app, key, team["id"], "w.a")
    new_asset(assets_app, key, team["id"], "w.b")
    r = call(assets_app, "PATCH", A1, {"asset_id": a["id"]}, principal=key, body={"fqn": "w.b"})
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "DUPLICATE_ASSET"
    assert body(call(assets_app, "GET", A1, {"asset_id": a["id"]}, principal=key))["fqn"] == "w.a"
    # moving to another environment frees the (fqn, environment) pair
    r = call(assets_app, "PATCH", A1, {"asset_id": a["id"]}, principal=key, body={"fqn": "w.b", "environment": "dev"})
    assert r["statusCode"] == 200 and body(r)["fqn"] == "w.b" and body(r)["environment"] == "dev"
    new_asset(assets_app, key, team["id"], "w.a")  # the old name is free again
    # hand the asset to another team: its key may now write it, ours may not
    other = new_team(teams_app, admin, "Other")
    r = call(assets_app, "PATCH", A1, {"asset_id": a["id"]}, principal=key, body={"owner_team_id": other["id"]})
    assert r["statusCode"] == 200 and body(r)["owner_team_name"] == "Other"
    assert call(assets_app, "PATCH", A1, {"asset_id": a["id"]}, principal=key,
                body={"metadata": {"x": 1}})["statusCode"] == 403
    assert call(assets_app, "PATCH", A1, {"asset_id": a["id"]}, principal=team_key(admin, other["id"]),
                body={"metadata": {"x": 1}})["statusCode"] == 200
    for field in ("fqn", "environment", "owner_team_id", "metadata"):
        r = call(assets_app, "PATCH", A1, {"asset_id": a["id"]}, principal=admin, body={field: None})
        assert r["statusCode"] == 422, field


# ------------------------------------------------------------------ list
def _list(app, principal, **query):
    r = call(app, "GET", A, principal=principal, query={k: str(v) for k, v in query.items()})
    assert r["statusCode"] == 200, r
    return body(r)


def test_list_filters_totals_and_order(assets_app, owner, teams_app, admin):
    team, key = owner
    other = new_team(teams_app, admin, "Analytics")
    okey = team_key(admin, other["id"])
    made = {}
    for fqn, env, who in [
        ("warehouse.analytics.users", "production", (team, key)),
        ("warehouse.analytics.users", "staging", (team, key)),
        ("warehouse.analytics", "production", (team, key)),
        ("warehouse.analytics_v2.users", "production", (other, okey)),
        ("warehouse.analytics.orders", "production", (other, okey)),
        ("lake.raw.events", "staging", (other, okey)),
    ]:
        made[(fqn, env)] = new_asset(assets_app, who[1], who[0]["id"], fqn, environment=env)

    def fqns(page):
        return [(a["fqn"], a["environment"]) for a in page["results"]]

    page = _list(assets_app, key)
    assert page["total"] == 6 and page["page"] == 1 and page["page_size"] == 20
    assert fqns(page) == [("lake.raw.events", "staging"), ("warehouse.analytics", "production"),
                          ("warehouse.analytics.orders", "production"), ("warehouse.analytics.users", "production"),
                          ("warehouse.analytics.users", "staging"), ("warehouse.analytics_v2.users", "production")]
    result = page["results"][1]
    assert {"id", "fqn", "owner_team_id", "owner_team_name", "environment", "created_at",
            "active_contract_id", "active_contract_version", "metadata"} <= set(result)

    # fqn: exact or a dotted prefix (never a sibling that merely shares characters)
    page = _list(assets_app, key, fqn="warehouse.analytics")
    assert page["total"] == 4
    assert fqns(page) == [("warehouse.analytics", "production"), ("warehouse.analytics.orders", "production"),
                          ("warehouse.analytics.users", "production"), ("warehouse.analytics.users", "staging")]
    assert _list(assets_app, key, fqn="warehouse.analytics.users")["total"] == 2
    assert _list(assets_app, key, fqn="warehouse.analytics.")["total"] == 4
    assert _list(assets_app, key, fqn="nothing.here") == {**_list(assets_app, key, fqn="nothing.here"),
                                                            "results": [], "total": 0}

    page = _list(assets_app, key, owner_team_id=other["id"])
    assert page["total"] == 3 and {a["owner_team_name"] for a in page["results"]} == {"Analytics"}
    page = _list(assets_app, key, environment="staging")
    assert page["total"] == 2 and fqns(page) == [("lake.raw.events", "staging"), ("warehouse.analytics.users", "staging")]
    page = _list(assets_app, key, environment="production", fqn="warehouse.analytics")
    assert page["total"] == 3
    page = _list(assets_app, key, owner_team_id=team["id"], fqn="warehouse")
    assert page["total"] == 3
    page = _list(assets_app, key, owner_team_id=team["id"], environment="production")
    assert page["total"] == 2
    page = _list(assets_app, key, owner_team_id=team["id"], environment="production", fqn="warehouse.analytics")
    assert page["total"] == 2 and fqns(page) == [("warehouse.analytics", "production"),
                                                 ("warehouse.analytics.users", "production")]

    # the counters follow renames, moves and deletes
    asset = made[("warehouse.analytics.users", "staging")]
    call(assets_app, "PATCH", A1, {"asset_id": asset["id"]}, principal=key,
         body={"fqn": "lake.curated.users", "environment": "production", "owner_team_id": other["id"]})
    assert _list(assets_app, key, environment="staging")["total"] == 1
    assert _list(assets_app, key, fqn="lake")["total"] == 2
    assert _list(assets_app, key, fqn="warehouse.analytics")["total"] == 3
    assert _list(assets_app, key, owner_team_id=other["id"], environment="production")["total"] == 3
    assert _list(assets_app, key, owner_team_id=team["id"])["total"] == 2
    call(assets_app, "DELETE", A1, {"asset_id": made[("lake.raw.events", "staging")]["id"]}, principal=okey)
    assert _list(assets_app, key)["total"] == 5
    assert _list(assets_app, key, environment="staging")["total"] == 0
    assert _list(assets_app, key, environment="staging")["results"] == []
    assert _list(assets_app, key, fqn="lake") ["total"] == 1


def test_pages_limit_offset_and_cursor(assets_app, owner):
    team, key = owner
    fqns = sorted(f"db.s.t{i:02d}" for i in range(23))
    for f in fqns:
        new_asset(assets_app, key, team["id"], f)
    p1 = _list(assets_app, key, page=1, page_size=10)
    p3 = _list(assets_app, key, page=3, page_size=10)
    assert [a["fqn"] for a in p1["results"]] == fqns[:10] and p1["next"]
    assert [a["fqn"] for a in p3["results"]] == fqns[20:] and p3["next"] is None
    assert p3["total"] == 23 and p3["page"] == 3 and p3["page_size"] == 10
    assert _list(assets_app, key, page=4, page_size=10)["results"] == []
    # limit/offset (tessera-sdk's paging) answers a bare array with the total in a header
    r = call(assets_app, "GET", A, principal=key, query={"limit": "5", "offset": "7"})
    assert [a["fqn"] for a in json.loads(r["body"])] == fqns[7:12]
    assert r["headers"]["X-Total-Count"] == "23" and r["headers"]["X-Next-Cursor"]
    page = _list(assets_app, key, page_size=5, offset=7)  # page_size present: the seed's envelope
    assert [a["fqn"] for a in page["results"]] == fqns[7:12] and page["page_size"] == 5 and page["offset"] == 7
    # following the cursor walks everything exactly once
    seen, cursor = [], None
    while True:
        page = _list(assets_app, key, page_size=7, **({"cursor": cursor} if cursor else {}))
        seen += [a["fqn"] for a in page["results"]]
        cursor = page["next"]
        if not cursor:
            break
    assert seen == fqns
    # a cursor is only valid for the list it came from
    r = call(assets_app, "GET", A, principal=key, query={"cursor": p1["next"], "environment": "dev"})
    assert r["statusCode"] == 422 and "cursor" in error_of(r)["detail"]
    for bad in ("garbage", "eyJ4IjoxfQ", "!!!"):
        assert call(assets_app, "GET", A, principal=key, query={"cursor": bad})["statusCode"] == 422


def test_list_bad_query_is_422(assets_app, owner):
    _, key = owner
    for query in ({"page_size": "101"}, {"page_size": "0"}, {"page": "0"}, {"page": "x"}, {"limit": "101"},
                  {"offset": "-1"}, {"page": "1000", "page_size": "100"}, {"owner_team_id": "nope"},
                  {"environment": "bad env"}, {"fqn": "a..b"}, {"fqn": "x" * 1001}):
        r = call(assets_app, "GET", A, principal=key, query=query)
        assert r["statusCode"] == 422, (query, r)
        error_of(r)


# ------------------------------------------------------------------ search
def test_search_by_word_prefix(assets_app, owner):
    team, key = owner
    users = new_asset(assets_app, key, team["id"], "warehouse.analytics.user_events")
    new_asset(assets_app, key, team["id"], "warehouse.sales.Orders")
    gone = new_asset(assets_app, key, team["id"], "warehouse.sales.users_old")

    def q(text, **extra):
        r = call(assets_app, "GET", SEARCH, principal=key, query={"q": text, **extra})
        assert r["statusCode"] == 200, r
        return [a["fqn"] for a in body(r)]

    assert q("user") == ["warehouse.analytics.user_events", "warehouse.sales.users_old"]
    assert q("EVENTS") == ["warehouse.analytics.user_events"]
    assert q("orders") == ["warehouse.sales.Orders"]
    assert q("analytics.us") == ["warehouse.analytics.user_events"]
    assert sorted(q("warehouse")) == sorted(["warehouse.analytics.user_events", "warehouse.sales.Orders",
                                             "warehouse.sales.users_old"])
    assert len(q("warehouse", limit="2")) == 2
    assert q("zzz") == []
    call(assets_app, "DELETE", A1, {"asset_id": gone["id"]}, principal=key)
    assert q("user") == ["warehouse.analytics.user_events"]
    call(assets_app, "PATCH", A1, {"asset_id": users["id"]}, principal=key, body={"fqn": "lake.clicks"})
    assert q("user") == [] and q("click") == ["lake.clicks"]
    r = call(assets_app, "GET", SEARCH, principal=key, query={"q": "click"})
    [sdk.Asset.model_validate(a) for a in body(r)]
    assert call(assets_app, "GET", SEARCH, principal=key)["statusCode"] == 422
    assert call(assets_app, "GET", SEARCH, principal=key, query={"q": "  "})["statusCode"] == 422
    assert call(assets_app, "GET", SEARCH, principal=key, query={"q": "a", "limit": "0"})["statusCode"] == 422


# ------------------------------------------------------------------ authorization and tenants
def test_writes_need_the_owning_team_or_admin(assets_app, owner, teams_app, admin):
    team, key = owner
    other = new_team(teams_app, admin, "Other")
    okey = team_key(admin, other["id"])
    reader = team_key(admin, team["id"], scopes=("read",))
    teamless_writer = replace(admin, scopes=frozenset({"read", "write"}))
    asset = new_asset(assets_app, key, team["id"], "a.b")
    ident = {"asset_id": asset["id"]}

    r = call(assets_app, "POST", A, principal=reader, body={"fqn": "x.y", "owner_team_id": team["id"]})
    assert r["statusCode"] == 403 and "write" in error_of(r)["detail"]
    for principal in (okey, teamless_writer):
        r = call(assets_app, "POST", A, principal=principal, body={"fqn": "x.y", "owner_team_id": team["id"]})
        assert r["statusCode"] == 403 and error_of(r)["error"]["code"] == "UNAUTHORIZED_TEAM"
        r = call(assets_app, "PATCH", A1, ident, principal=principal, body={"metadata": {"a": 1}})
        assert r["statusCode"] == 403 and "Data Platform" in error_of(r)["detail"]
        assert call(assets_app, "DELETE", A1, ident, principal=principal)["statusCode"] == 403
    assert call(assets_app, "PATCH", A1, ident, principal=reader, body={"metadata": {}})["statusCode"] == 403
    assert call(assets_app, "DELETE", A1, ident, principal=reader)["statusCode"] == 403
    # reads are open to every key of the tenant
    for principal in (reader, okey):
        assert call(assets_app, "GET", A1, ident, principal=principal)["statusCode"] == 200
        assert _list(assets_app, principal)["total"] == 1
    assert call(assets_app, "GET", A1, ident, principal=None)["statusCode"] == 401
    # admin may do anything, for any team
    assert call(assets_app, "POST", A, principal=admin, body={"fqn": "x.y", "owner_team_id": team["id"]})["statusCode"] == 201
    assert call(assets_app, "PATCH", A1, ident, principal=admin, body={"metadata": {"a": 1}})["statusCode"] == 200
    assert call(assets_app, "DELETE", A1, ident, principal=admin)["statusCode"] == 204


def test_other_tenant_sees_404(assets_app, owner, admin):
    team, key = owner
    asset = new_asset(assets_app, key, team["id"], "a.b")
    globex = replace(admin, tenant="globex")
    ident = {"asset_id": asset["id"]}
    assert call(assets_app, "GET", A1, ident, principal=globex)["statusCode"] == 404
    assert call(assets_app, "PATCH", A1, ident, principal=globex, body={"metadata": {}})["statusCode"] == 404
    assert call(assets_app, "DELETE", A1, ident, principal=globex)["statusCode"] == 404
    assert _list(assets_app, globex) ["total"] == 0
    assert body(call(assets_app, "GET", SEARCH, principal=globex, query={"q": "a"})) == []
    r = call(assets_app, "POST", A, principal=globex, body={"fqn": "a.b", "owner_team_id": team["id"]})
    assert r["statusCode"] == 404 and error_of(r)["error"]["code"] == "TEAM_NOT_FOUND"
    # and the same fqn is free in the other tenant's namespace (with its own team)
    assert body(call(assets_app, "GET", A1, ident, principal=key))["id"] == asset["id"]


# ------------------------------------------------------------------ bad input
def test_bad_input_is_4xx_in_registry_envelope(assets_app, owner):
    team, key = owner
    tid = team["id"]
    cases = [
        ({"raw_body": "{not json"}, 400),
        ({"raw_body": "[" * 5000 + "]" * 5000}, 400),
        ({"raw_body": ""}, 422),
        ({"body": {}}, 422),
        ({"body": ["x"]}, 422),
        ({"body": {"fqn": "a.b"}}, 422),
        ({"body": {"fqn": "a.b", "owner_team_id": "not-a-uuid"}}, 422),
        ({"body": {"fqn": 5, "owner_team_id": tid}}, 422),
        ({"body": {"fqn": "", "owner_team_id": tid}}, 422),
        ({"body": {"fqn": "   ", "owner_team_id": tid}}, 422),
        ({"body": {"fqn": "a..b", "owner_team_id": tid}}, 422),
        ({"body": {"fqn": ".a", "owner_team_id": tid}}, 422),
        ({"body": {"fqn": "a.b.", "owner_team_id": tid}}, 422),
        ({"body": {"fqn": "a\u001fb", "owner_team_id": tid}}, 422),
        ({"body": {"fqn": "a\nb", "owner_team_id": tid}}, 422),
        ({"body": {"fqn": "x" * 1001, "owner_team_id": tid}}, 422),
        ({"body": {"fqn": "é" * 401, "owner_team_id": tid}}, 422),
        ({"body": {"fqn": "a.b", "owner_team_id": tid, "environment": ""}}, 422),
        ({"body": {"fqn": "a.b", "owner_team_id": tid, "environment": "prod#1"}}, 422),
        ({"body": {"fqn": "a.b", "owner_team_id": tid, "environment": "x" * 65}}, 422),
        ({"body": {"fqn": "a.b", "owner_team_id": tid, "metadata": "x"}}, 422),
        ({"body": {"fqn": "a.b", "owner_team_id": tid, "metadata": [1]}}, 422),
        ({"body": {"fqn": "a.b", "owner_team_id": tid, "owner_user_id": "bob"}}, 422),
        ({"body": {"fqn": "a.b", "owner_team_id": tid, "metadata": {"blob": "x" * 70_000}}}, 413),
        ({"raw_body": '{"fqn": "' + "x" * 1_100_000 + '"}'}, 413),
        ({"body": {"fqn": "a.b", "owner_team_id": tid}, "headers": {"Content-Type": "text/plain"}}, 415),
    ]
    for kw, status in cases:
        r = call(assets_app, "POST", A, principal=key, **kw)
        assert r["statusCode"] == status, (kw.get("body"), r["statusCode"], r["body"][:300])
        assert error_of(r)["error"]["message"]
    asset = new_asset(assets_app, key, tid, "a.b")
    for patch, status in [({"fqn": "a..b"}, 422), ({"metadata": 3}, 422), ({"owner_team_id": "x"}, 422),
                          ({"environment": "a b"}, 422), ({"metadata": {"blob": "x" * 70_000}}, 413)]:
        r = call(assets_app, "PATCH", A1, {"asset_id": asset["id"]}, principal=key, body=patch)
        assert r["statusCode"] == status, (patch, r)
        error_of(r)
    for ident in ("not-a-uuid", str(uuid.uuid4()), "", "../teams"):
        r = call(assets_app, "GET", A1, {"asset_id": ident}, principal=key)
        assert r["statusCode"] == 404, ident
        assert error_of(r)["error"]["code"] == "ASSET_NOT_FOUND"
    r = call(assets_app, "PUT", A1, {"asset_id": asset["id"]}, principal=key, body={})
    assert r["statusCode"] == 405


def test_fqn_may_hold_unicode_spaces_and_hashes(assets_app, owner):
    team, key = owner
    for fqn in ("Sales DB.Öffentlich.Kunden", "s3://bucket/path#v1.csv", "a|b.c"):
        a = new_asset(assets_app, key, team["id"], fqn)
        assert body(call(assets_app, "GET", A1, {"asset_id": a["id"]}, principal=key))["fqn"] == fqn
        assert _list(assets_app, key, fqn=fqn)["total"] == 1


# ------------------------------------------------------------------ concurrency
def _parallel(fn, n):
    results = [None] * n
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_creates_of_one_fqn_make_one_asset(assets_app, owner):
    team, key = owner
    statuses = _parallel(lambda i: call(assets_app, "POST", A, principal=key, body={
        "fqn": "race.table", "owner_team_id": team["id"]})["statusCode"], 10)
    assert sorted(statuses) == [201] + [409] * 9
    page = _list(assets_app, key, fqn="race.table")
    assert page["total"] == 1 and len(page["results"]) == 1


def test_concurrent_patches_lose_no_update(assets_app, owner):
    team, key = owner
    asset = new_asset(assets_app, key, team["id"], "busy.table")
    responses = _parallel(lambda i: call(assets_app, "PATCH", A1, {"asset_id": asset["id"]}, principal=key,
                                         body={"metadata": {f"k{i}": i}}), 8)
    ok = [i for i, r in enumerate(responses) if r["statusCode"] == 200]
    assert ok and all(r["statusCode"] in (200, 409) for r in responses)
    final = body(call(assets_app, "GET", A1, {"asset_id": asset["id"]}, principal=key))["metadata"]
    assert {f"k{i}" for i in ok} <= set(final)


def test_concurrent_renames_onto_one_fqn_leave_one_winner(assets_app, owner):
    team, key = owner
    ids = [new_asset(assets_app, key, team["id"], f"r.n{i}")["id"] for i in range(6)]
    statuses = _parallel(lambda i: call(assets_app, "PATCH", A1, {"asset_id": ids[i]}, principal=key,
                                        body={"fqn": "r.target"})["statusCode"], 6)
    assert sorted(statuses) == [200] + [409] * 5
    assert _list(assets_app, key, fqn="r")["total"] == 6
    assert _list(assets_app, key, fqn="r.target")["total"] == 1


# ------------------------------------------------------------------ cost
def test_dynamodb_requests_per_operation(assets_app, owner, teams_app, admin):
    team, key = owner
    other = new_team(teams_app, admin, "Other")
    for i in range(30):
        new_asset(assets_app, key if i % 2 else admin, team["id"] if i % 2 else other["id"],
                  f"wh.{'a' if i % 3 else 'b'}.t{i:02d}", environment="production" if i % 5 else "dev")
    asset = _list(assets_app, key, page_size=1)["results"][0]

    with dynamo_calls() as calls:
        assert call(assets_app, "GET", A1, {"asset_id": asset["id"]}, principal=key)["statusCode"] == 200
    assert [op for op, _ in calls] == ["GetItem"]

    filters = [{}, {"fqn": "wh.a"}, {"owner_team_id": team["id"]}, {"environment": "production"},
               {"environment": "dev", "fqn": "wh"}, {"owner_team_id": team["id"], "fqn": "wh.a"},
               {"owner_team_id": team["id"], "environment": "production"}]
    for query in filters:
        with dynamo_calls() as calls:
            page = _list(assets_app, key, page_size=5, **query)
        assert len(calls) <= 2, (query, calls)
        assert len(page["results"]) == min(5, page["total"])
        queried = [parsed for op, parsed in calls if op == "Query"]
        assert len(queried) == 1 and queried[0]["ScannedCount"] <= 6, query  # page + 1 look-ahead

    # page 4 costs a bounded skip: keys of the 15 items before it, then the page
    with dynamo_calls() as calls:
        page = _list(assets_app, key, page=4, page_size=5)
    assert len(page["results"]) == 5
    assert sum(p.get("ScannedCount", 0) for op, p in calls if op == "Query") <= 15 + 6
    assert len(calls) <= 3

    with dynamo_calls() as calls:
        r = call(assets_app, "GET", SEARCH, principal=key, query={"q": "t0"})
    assert r["statusCode"] == 200 and len(body(r)) == 10
    assert [op for op, _ in calls] == ["Query", "BatchGetItem"]
