"""Lineage: dependencies (no self-edges, no cycles — also under concurrency) and the lineage walk."""
import uuid
from dataclasses import replace

import pytest
from accord.registry import lineage
from tessera_sdk import models as sdk

from tests.integration.test_assets import (  # noqa: F401
    A1,
    _parallel,
    assets_app,
    call,
    dynamo_calls,
    error_of,
    new_asset,
    new_team,
    owner,
    team_key,
)
from tests.support.events import body

DEPS = "/api/v1/assets/{asset_id}/dependencies"
DEP1 = "/api/v1/assets/{asset_id}/dependencies/{dependency_id}"
LINEAGE = "/api/v1/assets/{asset_id}/lineage"


def depend(app, principal, source, target, status=201, **extra):
    r = call(app, "POST", DEPS, {"asset_id": source}, principal=principal,
             body={"target_asset_id": target, "dependency_type": "consumes", **extra})
    assert r["statusCode"] == status, r
    return body(r)


def graph(app, principal, asset, depth=None):
    r = call(app, "GET", LINEAGE, {"asset_id": asset}, principal=principal,
             query={"depth": str(depth)} if depth else None)
    assert r["statusCode"] == 200, r
    return body(r)


@pytest.fixture
def chain(assets_app, owner):
    """raw <- staged <- mart <- report (each depends on the one before)."""
    team, key = owner
    names = ["lake.raw", "lake.staged", "wh.mart", "bi.report"]
    ids = {n: new_asset(assets_app, key, team["id"], n)["id"] for n in names}
    for up, down in zip(names, names[1:]):
        depend(assets_app, key, ids[down], ids[up])
    return ids


def test_add_list_remove(assets_app, owner):
    team, key = owner
    orders = new_asset(assets_app, key, team["id"], "wh.orders")
    raw = new_asset(assets_app, key, team["id"], "lake.orders_raw")
    dim = new_asset(assets_app, key, team["id"], "wh.dim_customer")
    d1 = depend(assets_app, key, orders["id"], raw["id"], dependency_type="transforms", metadata={"job": "dbt"})
    sdk.Dependency.model_validate(d1)
    assert d1["source_asset_id"] == orders["id"] and d1["target_asset_id"] == raw["id"]
    assert d1["dependency_type"] == "transforms" and d1["metadata"] == {"job": "dbt"}
    # Tessera's own spelling of the body, and the default type
    r = call(assets_app, "POST", DEPS, {"asset_id": orders["id"]}, principal=key,
             body={"depends_on_asset_id": dim["id"]})
    assert r["statusCode"] == 201 and body(r)["dependency_type"] == "consumes"
    d2 = body(r)

    r = call(assets_app, "GET", DEPS, {"asset_id": orders["id"]}, principal=key)
    assert r["statusCode"] == 200 and r["headers"]["X-Total-Count"] == "2"
    listed = body(r)
    assert [d["id"] for d in listed] == [d1["id"], d2["id"]]
    [sdk.Dependency.model_validate(d) for d in listed]
    assert body(call(assets_app, "GET", DEPS, {"asset_id": raw["id"]}, principal=key)) == []

    ident = {"asset_id": orders["id"], "dependency_id": d1["id"]}
    assert call(assets_app, "DELETE", DEP1, ident, principal=key)["statusCode"] == 204
    r = call(assets_app, "DELETE", DEP1, ident, principal=key)
    assert r["statusCode"] == 404 and error_of(r)["error"]["code"] == "DEPENDENCY_NOT_FOUND"
    assert [d["id"] for d in body(call(assets_app, "GET", DEPS, {"asset_id": orders["id"]}, principal=key))] == [d2["id"]]
    # the same edge may be declared again once removed
    depend(assets_app, key, orders["id"], raw["id"])
    # a dependency id is only found under its own dependent asset
    r = call(assets_app, "DELETE", DEP1, {"asset_id": raw["id"], "dependency_id": d2["id"]}, principal=key)
    assert r["statusCode"] == 404


def test_lineage_walks_both_ways_within_depth(assets_app, owner, chain):
    _, key = owner
    g = graph(assets_app, key, chain["wh.mart"])
    sdk.LineageResponse.model_validate(g)
    assert g["asset_id"] == chain["wh.mart"] and g["asset_fqn"] == "wh.mart" and g["truncated"] is False
    assert [(n["fqn"], n["depth"]) for n in g["upstream"]] == [("lake.staged", 1), ("lake.raw", 2)]
    assert [(n["fqn"], n["depth"]) for n in g["downstream"]] == [("bi.report", 1)]
    node = g["upstream"][1]
    assert node["via"] == chain["lake.staged"] and node["dependency_type"] == "consumes"
    assert node["owner_team_name"] == "Data Platform" and node["asset_id"] == chain["lake.raw"]
    g = graph(assets_app, key, chain["bi.report"], depth=1)
    assert [n["fqn"] for n in g["upstream"]] == ["wh.mart"] and g["downstream"] == []
    g = graph(assets_app, key, chain["lake.raw"], depth=10)
    assert [n["fqn"] for n in g["downstream"]] == ["lake.staged", "wh.mart", "bi.report"]
    # a deleted asset drops out of the walk (and is not walked through)
    call(assets_app, "DELETE", A1, {"asset_id": chain["lake.staged"]}, principal=key)
    g = graph(assets_app, key, chain["wh.mart"])
    assert g["upstream"] == []


def test_diamond_lists_each_asset_once(assets_app, owner):
    team, key = owner
    ids = {n: new_asset(assets_app, key, team["id"], n)["id"] for n in ("s.src", "s.left", "s.right", "s.sink")}
    depend(assets_app, key, ids["s.left"], ids["s.src"])
    depend(assets_app, key, ids["s.right"], ids["s.src"])
    depend(assets_app, key, ids["s.sink"], ids["s.left"])
    depend(assets_app, key, ids["s.sink"], ids["s.right"])
    g = graph(assets_app, key, ids["s.src"])
    assert sorted((n["fqn"], n["depth"]) for n in g["downstream"]) == [("s.left", 1), ("s.right", 1), ("s.sink", 2)]
    g = graph(assets_app, key, ids["s.sink"])
    assert sorted((n["fqn"], n["depth"]) for n in g["upstream"]) == [("s.left", 1), ("s.right", 1), ("s.src", 2)]


def test_truncation_is_flagged(assets_app, owner, monkeypatch):
    team, key = owner
    hub = new_asset(assets_app, key, team["id"], "hub.center")["id"]
    for i in range(5):
        depend(assets_app, key, new_asset(assets_app, key, team["id"], f"hub.leaf{i}")["id"], hub)
    monkeypatch.setattr(lineage, "MAX_LINEAGE_NODES", 3)
    g = graph(assets_app, key, hub)
    assert len(g["downstream"]) == 3 and g["truncated"] is True and g["truncated_downstream"] is True
    assert g["truncated_upstream"] is False


def test_self_edges_cycles_and_duplicates_are_refused(assets_app, owner, chain):
    _, key = owner
    r = call(assets_app, "POST", DEPS, {"asset_id": chain["lake.raw"]}, principal=key,
             body={"target_asset_id": chain["lake.raw"]})
    assert r["statusCode"] == 422 and error_of(r)["error"]["code"] == "SELF_DEPENDENCY"
    # raw <- staged <- mart <- report: raw depending on report closes a cycle
    r = call(assets_app, "POST", DEPS, {"asset_id": chain["lake.raw"]}, principal=key,
             body={"target_asset_id": chain["bi.report"]})
    assert r["statusCode"] == 409
    err = error_of(r)
    assert err["error"]["code"] == "LINEAGE_CYCLE"
    assert "lake.raw -> bi.report -> wh.mart -> lake.staged -> lake.raw" in err["detail"]
    r = call(assets_app, "POST", DEPS, {"asset_id": chain["lake.raw"]}, principal=key,
             body={"target_asset_id": chain["lake.staged"]})
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "LINEAGE_CYCLE"
    r = call(assets_app, "POST", DEPS, {"asset_id": chain["lake.staged"]}, principal=key,
             body={"target_asset_id": chain["lake.raw"]})
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "DUPLICATE_DEPENDENCY"
    # a shortcut along the existing direction is fine
    depend(assets_app, key, chain["bi.report"], chain["lake.raw"])


def test_walk_limit_refuses_unprovable_edges(assets_app, owner, chain, monkeypatch):
    _, key = owner
    monkeypatch.setattr(lineage, "MAX_WALK_NODES", 2)
    team, _ = owner
    new = new_asset(assets_app, key, team["id"], "x.new")
    r = call(assets_app, "POST", DEPS, {"asset_id": new["id"]}, principal=key,
             body={"target_asset_id": chain["bi.report"]})
    assert r["statusCode"] == 422 and error_of(r)["error"]["code"] == "LINEAGE_TOO_LARGE"


def test_bad_input(assets_app, owner, chain):
    _, key = owner
    a, b = chain["lake.raw"], chain["lake.staged"]
    for payload, status in [
        ({}, 422),
        ({"target_asset_id": "nope"}, 422),
        ({"target_asset_id": b, "dependency_type": "owns"}, 422),
        ({"target_asset_id": b, "depends_on_asset_id": chain["wh.mart"]}, 422),
        ({"target_asset_id": b, "metadata": "x"}, 422),
        ({"target_asset_id": b, "metadata": {"x": "y" * 20_000}}, 413),
        ({"target_asset_id": str(uuid.uuid4())}, 404),
    ]:
        r = call(assets_app, "POST", DEPS, {"asset_id": a}, principal=key, body=payload)
        assert r["statusCode"] == status, (payload, r)
        error_of(r)
    r = call(assets_app, "POST", DEPS, {"asset_id": a}, principal=key, raw_body="{")
    assert r["statusCode"] == 400
    for ident in ("junk", str(uuid.uuid4())):
        assert call(assets_app, "POST", DEPS, {"asset_id": ident}, principal=key,
                    body={"target_asset_id": b})["statusCode"] == 404
        assert call(assets_app, "GET", DEPS, {"asset_id": ident}, principal=key)["statusCode"] == 404
        assert call(assets_app, "GET", LINEAGE, {"asset_id": ident}, principal=key)["statusCode"] == 404
        assert call(assets_app, "DELETE", DEP1, {"asset_id": a, "dependency_id": ident}, principal=key)["statusCode"] == 404
    for depth in ("0", "11", "x"):
        r = call(assets_app, "GET", LINEAGE, {"asset_id": a}, principal=key, query={"depth": depth})
        assert r["statusCode"] == 422, depth
    # a deleted target is not found
    call(assets_app, "DELETE", A1, {"asset_id": chain["bi.report"]}, principal=key)
    r = call(assets_app, "POST", DEPS, {"asset_id": a}, principal=key, body={"target_asset_id": chain["bi.report"]})
    assert r["statusCode"] == 404


def test_authorization_and_tenants(assets_app, owner, chain, teams_app, admin):
    team, key = owner
    other = new_team(teams_app, admin, "Other")
    okey = team_key(admin, other["id"])
    theirs = new_asset(assets_app, okey, other["id"], "their.table")
    reader = team_key(admin, team["id"], scopes=("read",))
    mine = chain["bi.report"]
    # they may not change my asset's lineage; I may depend on their asset
    r = call(assets_app, "POST", DEPS, {"asset_id": mine}, principal=okey, body={"target_asset_id": theirs["id"]})
    assert r["statusCode"] == 403 and error_of(r)["error"]["code"] == "UNAUTHORIZED_TEAM"
    assert call(assets_app, "POST", DEPS, {"asset_id": mine}, principal=reader,
                body={"target_asset_id": theirs["id"]})["statusCode"] == 403
    dep = depend(assets_app, key, mine, theirs["id"])
    ident = {"asset_id": mine, "dependency_id": dep["id"]}
    assert call(assets_app, "DELETE", DEP1, ident, principal=okey)["statusCode"] == 403
    assert call(assets_app, "DELETE", DEP1, ident, principal=reader)["statusCode"] == 403
    assert call(assets_app, "GET", DEPS, {"asset_id": mine}, principal=reader)["statusCode"] == 200
    assert [n["fqn"] for n in graph(assets_app, okey, theirs["id"])["downstream"]] == ["bi.report"]
    # another tenant: every id is unknown
    globex = replace(admin, tenant="globex")
    assert call(assets_app, "GET", DEPS, {"asset_id": mine}, principal=globex)["statusCode"] == 404
    assert call(assets_app, "GET", LINEAGE, {"asset_id": mine}, principal=globex)["statusCode"] == 404
    assert call(assets_app, "DELETE", DEP1, ident, principal=globex)["statusCode"] == 404
    assert call(assets_app, "POST", DEPS, {"asset_id": mine}, principal=globex,
                body={"target_asset_id": chain["lake.raw"]})["statusCode"] == 404
    globex_team = new_team(teams_app, globex, "G")
    g_asset = new_asset(assets_app, globex, globex_team["id"], "g.table")
    r = call(assets_app, "POST", DEPS, {"asset_id": g_asset["id"]}, principal=globex,
             body={"target_asset_id": mine})
    assert r["statusCode"] == 404
    assert call(assets_app, "DELETE", DEP1, ident, principal=admin)["statusCode"] == 204


def test_concurrent_adds_never_close_a_cycle(assets_app, owner):
    team, key = owner
    # pairs: a->b and b->a at the same time; at most one of each pair may succeed
    for round_ in range(3):
        a = new_asset(assets_app, key, team["id"], f"pair{round_}.a")["id"]
        b = new_asset(assets_app, key, team["id"], f"pair{round_}.b")["id"]
        edges = [(a, b), (b, a)] * 3
        statuses = _parallel(lambda i: call(assets_app, "POST", DEPS, {"asset_id": edges[i][0]}, principal=key,
                                            body={"target_asset_id": edges[i][1]})["statusCode"], len(edges))
        assert statuses.count(201) == 1, statuses
        assert set(statuses) <= {201, 409}
    # a ring: every edge of n0 <- n1 <- ... <- n5 <- n0 at once; at most five of the six
    ring = [new_asset(assets_app, key, team["id"], f"ring.n{i}")["id"] for i in range(6)]
    statuses = _parallel(lambda i: call(assets_app, "POST", DEPS, {"asset_id": ring[(i + 1) % 6]}, principal=key,
                                        body={"target_asset_id": ring[i]})["statusCode"], 6)
    assert set(statuses) <= {201, 409} and 1 <= statuses.count(201) <= 5, statuses
    for node in ring:  # and the graph is acyclic: nobody reaches itself
        g = graph(assets_app, key, node, depth=10)
        assert node not in {n["asset_id"] for n in g["upstream"]}


def test_requests_per_lineage_read(assets_app, owner, chain):
    _, key = owner
    with dynamo_calls() as calls:
        graph(assets_app, key, chain["lake.staged"], depth=3)
    ops = [op for op, _ in calls]
    # asset, then per direction and level: one Query per frontier asset + one BatchGetItem
    assert ops.count("GetItem") == 1 and ops.count("BatchGetItem") == 3
    assert ops.count("Query") == 5  # up: staged, raw; down: staged, mart, report
    with dynamo_calls() as calls:
        call(assets_app, "GET", DEPS, {"asset_id": chain["wh.mart"]}, principal=key)
    assert [op for op, _ in calls] == ["GetItem", "Query"]


# ------------------------------------------------------------------ pending edges and the bulk path (issue 18)
def test_no_item_serialises_the_tenants_edge_adds(assets_app, owner):
    """Edge adds touch only their own three items: nothing tenant-wide (the old lineage version)."""
    team, key = owner
    a, b = (new_asset(assets_app, key, team["id"], f"solo.{n}")["id"] for n in "ab")
    from accord.store import db
    from tests.support.heat import Recorder
    with Recorder(db.client(), key.tenant) as rec, rec.op("add"):
        depend(assets_app, key, a, b)
    written = {pk for pk, _ in rec.ops["add"].items}
    assert written and all(pk.endswith((f"ASSET#{a}", f"ASSET#{b}")) or "#DEPENDENCY#" in pk for pk in written), written


def test_an_abandoned_pending_edge_is_invisible_and_taken_over(assets_app, owner, monkeypatch):
    """A writer that died between its pending write and its confirm leaves an edge nobody sees; once
    stale, it neither blocks a cycle check nor the same edge added again."""
    from accord.store import lineage as store
    team, key = owner
    a, b = (new_asset(assets_app, key, team["id"], f"dead.{n}")["id"] for n in "ab")
    import time as _time
    edge = {"id": str(uuid.uuid4()), "source_asset_id": a, "target_asset_id": b, "dependency_type": "consumes",
            "metadata": {}, "created_at": "2024-01-01T00:00:00.000Z", "created_by": "dead writer",
            "pending": int(_time.time() * 1000) - store.STALE_MS - 1}
    assert store.put_pending(owner[1].tenant, [edge], edge["pending"]) == [None]
    assert graph(assets_app, key, a)["upstream"] == [] and body(call(assets_app, "GET", DEPS, {"asset_id": a},
                                                                      principal=key)) == []
    # the opposite edge is no cycle (the abandoned one does not count) ...
    depend(assets_app, key, b, a)
    # ... and the abandoned edge itself, added again, is a cycle now — and not a duplicate
    r = call(assets_app, "POST", DEPS, {"asset_id": a}, principal=key, body={"target_asset_id": b})
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "LINEAGE_CYCLE", r


def test_a_writer_too_slow_to_confirm_gives_its_edge_up(assets_app, owner, monkeypatch):
    from accord.store import lineage as store
    team, key = owner
    a, b = (new_asset(assets_app, key, team["id"], f"slow.{n}")["id"] for n in "ab")
    real = lineage._now_ms
    calls = {"n": 0}

    def later():  # every clock read after the pending write is past the confirm window
        calls["n"] += 1
        return real() + (store.CONFIRM_MS + 1 if calls["n"] > 1 else 0)
    monkeypatch.setattr(lineage, "_now_ms", later)
    r = call(assets_app, "POST", DEPS, {"asset_id": a}, principal=key, body={"target_asset_id": b})
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "CONCURRENT_UPDATE", r
    monkeypatch.setattr(lineage, "_now_ms", real)
    assert body(call(assets_app, "GET", DEPS, {"asset_id": a}, principal=key)) == []
    depend(assets_app, key, a, b)  # nothing left behind: the edge can be added


def test_bulk_add_many(assets_app, owner, admin):
    team, key = owner
    ids = {n: new_asset(assets_app, key, team["id"], f"bulk.{n}")["id"] for n in ("raw", "stg", "mart", "bi", "x")}
    depend(assets_app, key, ids["stg"], ids["raw"])                       # already there
    items = [{"source_asset_id": ids["mart"], "target_asset_id": ids["stg"]},
             {"source_asset_id": ids["bi"], "target_asset_id": ids["mart"], "dependency_type": "TRANSFORMS"},
             {"source_asset_id": ids["stg"], "target_asset_id": ids["raw"]},            # duplicate of a stored one
             {"source_asset_id": ids["raw"], "target_asset_id": ids["bi"]},             # closes raw<-stg<-mart<-bi<-raw
             {"source_asset_id": ids["x"], "target_asset_id": ids["x"]},                # self
             {"source_asset_id": ids["x"], "target_asset_id": str(uuid.uuid4())},       # unknown target
             {"source_asset_id": ids["mart"], "target_asset_id": ids["stg"]},           # twice in one call
             {"source_asset_id": ids["x"], "target_asset_id": ids["raw"], "dependency_type": "owns"}]
    out = lineage.add_many(key, items)
    assert [r["status"] for r in out] == ["created", "created", "duplicate", "cycle", "error", "error", "duplicate",
                                          "error"], out
    assert "bulk.raw -> bulk.bi -> bulk.mart -> bulk.stg -> bulk.raw" in out[3]["error"]
    assert out[1]["dependency"]["dependency_type"] == "transforms"
    g = graph(assets_app, key, ids["bi"], depth=5)
    assert [n["fqn"] for n in g["upstream"]] == ["bulk.mart", "bulk.stg", "bulk.raw"]
    stranger = replace(key, team_id=str(uuid.uuid4()), key_id=str(uuid.uuid4()))
    denied = lineage.add_many(stranger, [{"source_asset_id": ids["x"], "target_asset_id": ids["raw"]}])
    assert denied[0]["status"] == "error" and "owning team" in denied[0]["error"]


def test_bulk_batches_never_close_a_cycle_together(assets_app, owner):
    """Two importers at once, each adding half of a ring: at least one edge is refused, the graph
    stays acyclic."""
    team, key = owner
    ring = [new_asset(assets_app, key, team["id"], f"bring.n{i}")["id"] for i in range(8)]
    halves = [[{"source_asset_id": ring[(i + 1) % 8], "target_asset_id": ring[i]} for i in range(h, h + 4)]
              for h in (0, 4)]
    results = _parallel(lambda i: lineage.add_many(key, halves[i]), 2)
    statuses = [r["status"] for half in results for r in half]
    assert set(statuses) <= {"created", "cycle"} and statuses.count("cycle") >= 1, statuses
    for node in ring:
        g = graph(assets_app, key, node, depth=10)
        assert node not in {n["asset_id"] for n in g["upstream"]}
