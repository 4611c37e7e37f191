"""Tenant isolation matrix (DESIGN §2): for every route of the template with a path parameter, a
key of tenant B using tenant A's ids — and A's slug in configuration paths — gets exactly the
answer an unknown id gets: same status, same error code, same message once the ids it quotes
are blanked. Generated from the route table: a route whose path parameter the World cannot fill
fails here until it is taught (tests/e2e/routebook.py).

Both calls carry the same minimal valid body and query, so they get past validation and reach the
lookup. Afterwards tenant A's object is checked to be untouched. A second test does the same for
ids carried in query strings and bodies (filters, references to other objects).
"""
import json
import uuid

import pytest

from tests.e2e.routebook import (PARAMS, PROJECT, Http, as_json, envelope_ok, error_code, error_message, fill,
                                 leaves, normalised, request_for, routes, shared_world, uniq, unknown_ids)

ROUTES = [r for r in routes() if r.params and r.family != "ui"]  # the UI's files belong to no tenant
MOVE = ("POST", PROJECT + "/assets/move")


@pytest.fixture(scope="module")
def a(runtime):
    return shared_world(runtime)


@pytest.fixture(scope="module")
def b(runtime, a):
    """Tenant B: its admin key, one team and one asset of its own — and nothing in the
    configuration view, so A's (per-tenant) configuration numbers name nothing in B."""
    http = Http(runtime.url)
    tenant = http.ok("POST", "/api/v1/tenants", runtime.admin_key, json={"name": uniq("b-")})
    key = tenant["admin_key"]["key"]
    team = http.ok("POST", "/api/v1/teams", key, json={"name": "b-team"})["id"]
    asset = http.ok("POST", "/api/v1/assets", key, json={"fqn": f"b.{uniq()}", "owner_team_id": team})["id"]
    return {"http": http, "slug": tenant["id"], "key": key, "team": team, "asset": asset}


def test_every_path_parameter_can_be_filled():
    unknown = unknown_ids()
    for route in ROUTES:
        for name in route.params:
            assert name in PARAMS and name in unknown, (
                f"{route}: path parameter {{{name}}} is new — teach tests/e2e/routebook.py to create one "
                "(World.ids) and to name an unknown one (unknown_ids)")
    print(f"\nisolation matrix: {len(ROUTES)} routes with path parameters")


def _answer(route, r, values):
    family = route.family
    body = as_json(r)
    if r.status_code >= 400:
        assert envelope_ok(family, body), (str(route), r.status_code, r.text[:300])
    return (r.status_code, normalised(error_code(family, body), values) if r.status_code >= 400 else None,
            normalised(error_message(family, body), values) if r.status_code >= 400 else None)


def _witness(route, a):
    """A's view of the object a writing route names (a GET route on the longest prefix of its path)."""
    if route.method == "GET":
        return None
    gets = {r.path for r in routes() if r.method == "GET" and not r.path.startswith("/report_asset")}
    path = route.path
    while path and path not in gets:
        path = path.rsplit("/", 1)[0]
    if route.key == MOVE:
        return f"{a.base}/projects/{a.project}/assets/{a.cfg_asset}"
    return fill(path, a.ids) if path else None


def _a_events(a) -> int:
    r = a.http("GET", "/api/v1/events", a.admin, params={"asset_key": json.dumps(a.fqn.split(".")), "limit": 200})
    assert r.status_code == 200, r.text
    return len(r.json()["results"])


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_foreign_ids_answer_exactly_like_unknown_ids(a, b, route):
    _, body, query = request_for(route, a)
    kwargs = {"params": query, **({"json": body} if body is not None else {})}
    foreign = dict(a.ids)
    if route.key == MOVE:
        foreign["projectId"] = a.project2
    unknown = unknown_ids()
    variants = [(foreign, unknown)]
    if route.family == "configuration" and route.params != ["tenant"]:
        # B's own slug with A's numbers: per-tenant numbers must resolve inside B only
        variants.append(({**foreign, "tenant": b["slug"]}, {**unknown, "tenant": b["slug"]}))
    events_before = _a_events(a) if "asset_key+" in route.params else None
    witness = _witness(route, a)
    before = a.http("GET", witness, a.admin).json() if witness else None

    for theirs, nobody in variants:
        r_theirs = b["http"](route.method, fill(route.path, theirs), b["key"], **kwargs)
        r_unknown = b["http"](route.method, fill(route.path, nobody), b["key"], **kwargs)
        got = _answer(route, r_theirs, [theirs[p] for p in route.params])
        want = _answer(route, r_unknown, [nobody[p] for p in route.params])
        assert got == want, (str(route), got, want, r_theirs.text[:300], r_unknown.text[:300])
        if route.family in ("registry", "configuration"):
            assert got[0] == 404, (str(route), got)  # an unknown id is a 404, in the family's envelope
        else:
            assert got[0] in (200, 405), (str(route), got)  # reports: a key is a name, not a lookup

    if events_before is not None:
        assert _a_events(a) == events_before, f"{route}: tenant B's report landed in tenant A"
    if witness:
        after = a.http("GET", witness, a.admin)
        assert after.status_code == 200, (str(route), witness, after.text[:300])
        for field in ("status", "name", "metadata", "updated_at", "project_id", "description"):
            if isinstance(before, dict) and field in before:
                assert after.json()[field] == before[field], (str(route), field, before[field], after.json()[field])


def _content(body):
    """What a list answered (its items), whatever else it echoes back."""
    return body.get("results") if isinstance(body, dict) and "results" in body else body


def test_ids_in_queries_and_bodies_answer_like_unknown_ids(a, b):
    """References to A's objects carried in filters and bodies, from B's admin key."""
    cfg = f"/api/backend/{b['slug']}/configuration"
    private = ["a_only", uniq()]  # a key only tenant A reports (B may report A's asset names: its own events)
    a.http.ok("POST", "/report_asset_observation/" + "/".join(private), a.admin)
    A_KEY, NO_KEY = json.dumps(private), json.dumps(["never", uniq()])
    cases = [  # (method, path, A's version of the request, unknown version)
        ("GET", "/api/v1/assets", {"params": {"owner_team_id": a.teams["owner"]}},
         {"params": {"owner_team_id": str(uuid.uuid4())}}),
        ("GET", "/api/v1/assets", {"params": {"fqn": a.fqn}}, {"params": {"fqn": "never.seen"}}),
        ("GET", "/api/v1/assets/search", {"params": {"q": a.fqn}}, {"params": {"q": "neverseen"}}),
        ("GET", "/api/v1/contracts", {"params": {"asset_id": a.x}}, {"params": {"asset_id": str(uuid.uuid4())}}),
        ("GET", "/api/v1/proposals", {"params": {"asset_id": a.x}}, {"params": {"asset_id": str(uuid.uuid4())}}),
        ("GET", "/api/v1/events", {"params": {"asset_key": A_KEY}}, {"params": {"asset_key": NO_KEY}}),
        ("POST", "/api/v1/registrations", {"json": {"contract_id": a.contract_id, "consumer_team_id": b["team"]}},
         {"json": {"contract_id": str(uuid.uuid4()), "consumer_team_id": b["team"]}}),
        ("POST", "/api/v1/registrations", {"params": {"contract_id": a.contract_id},
                                           "json": {"consumer_team_id": b["team"]}},
         {"params": {"contract_id": str(uuid.uuid4())}, "json": {"consumer_team_id": b["team"]}}),
        ("POST", "/api/v1/assets", {"json": {"fqn": "b.stolen", "owner_team_id": a.teams["owner"]}},
         {"json": {"fqn": "b.stolen", "owner_team_id": str(uuid.uuid4())}}),
        ("POST", "/api/v1/api-keys", {"json": {"name": "k", "team_id": a.teams["owner"]}},
         {"json": {"name": "k", "team_id": str(uuid.uuid4())}}),
        ("POST", f"/api/v1/assets/{b['asset']}/dependencies", {"json": {"target_asset_id": a.x}},
         {"json": {"target_asset_id": str(uuid.uuid4())}}),
        ("POST", f"/api/v1/proposals/{uuid.uuid4()}/object", {"params": {"objector_team_id": a.teams["downstream"]},
                                                              "json": {"reason": "x"}},
         {"params": {"objector_team_id": str(uuid.uuid4())}, "json": {"reason": "x"}}),
        ("POST", f"{cfg}/projects/0/assets", {"json": {"name": "a", "type": "DELTALAKE", "connection_id": a.connection,
                                                       "payload": {"catalog": "c", "schema": "s", "table": "t"}}},
         {"json": {"name": "a", "type": "DELTALAKE", "connection_id": 987654321,
                   "payload": {"catalog": "c", "schema": "s", "table": "t"}}}),
        ("POST", f"{cfg}/projects/0/assets/move", {"json": {"source_project_id": a.project,
                                                            "source_asset_ids": [a.cfg_asset]}},
         {"json": {"source_project_id": 987654321, "source_asset_ids": [987654322]}}),
        ("POST", f"{cfg}/projects/0/assets/move", {"json": {"source_project_id": 0,
                                                            "source_asset_ids": [a.cfg_asset]}},
         {"json": {"source_project_id": 0, "source_asset_ids": [987654322]}}),
    ]
    http = b["http"]
    for method, path, theirs, nobody in cases:
        family = "configuration" if path.startswith("/api/backend/") else "registry"
        r1, r2 = http(method, path, b["key"], **theirs), http(method, path, b["key"], **nobody)
        pairs = [(x, y) for x, y in zip(leaves(theirs), leaves(nobody)) if x != y]
        ids1, ids2 = [x for x, _ in pairs], [y for _, y in pairs]
        assert r1.status_code == r2.status_code, (method, path, theirs, r1.status_code, r2.status_code, r1.text[:300])
        if r1.status_code >= 400:
            assert envelope_ok(family, r1.json()), r1.text[:300]
            assert error_code(family, r1.json()) == error_code(family, r2.json()), (method, path, r1.text, r2.text)
            assert normalised(error_message(family, r1.json()), ids1) == \
                normalised(error_message(family, r2.json()), ids2), (method, path, r1.text, r2.text)
        else:
            assert _content(r1.json()) == _content(r2.json()), (method, path, r1.text[:300], r2.text[:300])
    # and nothing of A's moved or was stolen
    assert a.http("GET", f"{a.base}/projects/{a.project}/assets/{a.cfg_asset}", a.admin).status_code == 200
    assert a.http("GET", f"/api/v1/assets/{a.x}", a.admin).json()["owner_team_id"] == a.teams["owner"]
