"""No answer passes Lambda's 6 MB (issue 18; the rule: accord/http/budget.py, docs/registry.md).

An asset with 22 versions of the 5,020-property bench schema (~290 KB each, ~6.3 MB together)
lists in pages that stay within the budget, the pages together hold every version; `include=none`
leaves the schema documents out (tessera-sdk's Contract requires `schema`, so lists carry it by
default). The other large-capable routes are driven with a shrunk budget (`small_budget`) so a
few big items (the same schema, 40 KB metadata) page the way 6 MB would, in every family's
shape; the router answers 413 for whatever a route failed to bound, never Lambda's 502.
"""
import json

import pytest
from accord.http import budget
from accord.http.envelopes import CONFIGURATION, REGISTRY
from accord.http.router import Router

from bench import schemas
from tests.integration.test_assets import assets_app, call, new_asset, new_team, owner, team_key  # noqa: F401
from tests.integration.test_configuration import CONNS, Client, cfg_app, key  # noqa: F401
from tests.integration.test_contracts import (C, COMPARE, PUB, consumer, contracts_app, proposals_app,  # noqa: F401
                                              publish, register)
from tests.integration.test_reports import BATCH, events_app, reports_app  # noqa: F401
from tests.support.events import api_event, body

LAMBDA_LIMIT = 6 * 1024 * 1024
VERSIONS = 22


def carried(r: dict) -> int:
    """What Lambda carries: the whole proxy result as JSON (the body escaped once more)."""
    return len(json.dumps(r))


def _get(app, principal, resource, params=None, query=None, limit=LAMBDA_LIMIT):
    r = call(app, "GET", resource, params, principal=principal, query=query)
    assert r["statusCode"] == 200, r["body"][:300]
    assert carried(r) < limit
    return body(r), {k.lower(): v for k, v in r["headers"].items()}


@pytest.fixture
def small_budget(monkeypatch):
    """A 400 KB budget: pages of a few big items behave as pages of many would at 5 MB."""
    monkeypatch.setattr(budget, "RESPONSE_BUDGET", 400_000)
    return 400_000 + 20_000   # a page's items, and the envelope around them


def test_lists_of_big_schemas_page_within_the_response_limit(contracts_app, assets_app, owner):
    team, key = owner
    asset = new_asset(assets_app, key, team["id"], "warehouse.big.wide")
    old, new = schemas.large_pair()
    for i in range(VERSIONS):
        publish(contracts_app, key, asset["id"], (old, new)[i % 2], compatibility_mode="none")
    assert len(json.dumps([old] * VERSIONS)) > LAMBDA_LIMIT     # all at once would not fit

    seen, offset, pages = [], 0, 0
    while offset is not None:
        page, headers = _get(contracts_app, key, PUB, {"asset_id": asset["id"]},
                             query={"offset": str(offset)} if offset else None)
        assert headers["x-total-count"] == str(VERSIONS) and page
        assert all("schema" in c for c in page)              # tessera-sdk's Contract requires it here
        seen += [c["version"] for c in page]
        offset = int(headers["x-next-offset"]) if "x-next-offset" in headers else None
        pages += 1
    assert pages >= 2 and len(seen) == len(set(seen)) == VERSIONS

    listed, headers = _get(contracts_app, key, C, query={"asset_id": asset["id"], "include": "none"})
    assert len(listed) == VERSIONS and "x-next-offset" not in headers and all("schema" not in c for c in listed)

    everything, headers = _get(contracts_app, key, C, query={"limit": "1000", "include": "none"})
    assert all("schema" not in c for c in everything) and len(everything) >= VERSIONS
    with_schema, headers = _get(contracts_app, key, C, query={"limit": "1000"})
    assert 0 < len(with_schema) < len(everything) and "x-next-offset" in headers
    assert all("schema" in c for c in with_schema)
    rest, _ = _get(contracts_app, key, C, query={"limit": "1000", "offset": headers["x-next-offset"]})
    assert {c["id"] for c in with_schema + rest} >= {c["id"] for c in everything}   # nothing skipped

    r = call(contracts_app, "GET", C, principal=key, query={"include": "everything"})
    assert r["statusCode"] == 422 and "include" in r["body"]


def _pages(fetch, nxt_of):
    """Every page of a list: fetch(None) first, then fetch(next) while nxt_of(page) says more."""
    pages, nxt = [], None
    while True:
        page = fetch(nxt)
        pages.append(page)
        nxt = nxt_of(page)
        if nxt is None:
            return pages


def test_the_router_refuses_what_does_not_fit_instead_of_a_502():
    for family in (REGISTRY, CONFIGURATION):
        router = Router(family)
        router.route("GET", "/big", scope=None)(lambda req: [{"q": '"' * 1000}] * 3500)   # 3.5 MB, 7 MB carried
        router.route("GET", "/fits", scope=None)(lambda req: [{"q": "x" * 1000}] * 3500)
        r = router.resolve(api_event("GET", "/big"), None)
        assert r["statusCode"] == 413 and carried(r) < 10_000
        assert "RESPONSE_TOO_LARGE" in r["body"] and "6 MB" in r["body"] and "limit" in r["body"]
        assert router.resolve(api_event("GET", "/fits"), None)["statusCode"] == 200


def test_proposals_and_change_lists_keep_within_the_budget(contracts_app, proposals_app, assets_app, teams_app,
                                                           owner, admin, small_budget):
    """Three proposals of the 5,020-property schema page one per page; compare and impact of the
    same pair keep the head of each change list and count the rest."""
    team, key = owner
    old, new = schemas.large_pair()
    asset = new_asset(assets_app, key, team["id"], "warehouse.big.proposed")
    v1 = publish(contracts_app, key, asset["id"], old)["contract"]
    analytics, akey = consumer(teams_app, admin, "Analytics")
    register(contracts_app, akey, v1["id"], analytics["id"])
    proposed = []
    for _ in range(3):
        r = publish(contracts_app, key, asset["id"], new)
        assert r["action"] == "proposal_created"
        proposed.append(r["proposal"]["id"])
        w = call(proposals_app, "POST", "/api/v1/proposals/{proposal_id}/withdraw", {"proposal_id": r["proposal"]["id"]},
                 principal=key)
        assert w["statusCode"] == 200, w["body"][:300]

    pages = _pages(lambda offset: _get(proposals_app, key, "/api/v1/proposals", query={
        "asset_id": asset["id"], **({"offset": offset} if offset else {})}, limit=small_budget),
        lambda page: page[1].get("x-next-offset"))
    listed = [p["id"] for page, _ in pages for p in page]
    assert len(pages) >= 2 and sorted(listed) == sorted(proposed)
    assert all(p["proposed_schema"] == new for page, _ in pages for p in page)

    budget.RESPONSE_BUDGET = 20_000     # the pair differs in 200 places: ~60 KB of changes
    r = call(contracts_app, "POST", COMPARE, principal=key,
             body={"old_schema": old, "new_schema": new, "compatibility_mode": "backward"})
    cut = body(r)
    assert r["statusCode"] == 200 and carried(r) < 40_000 and cut["truncated"]
    budget.RESPONSE_BUDGET = 5_000_000
    whole = body(call(contracts_app, "POST", COMPARE, principal=key,
                      body={"old_schema": old, "new_schema": new, "compatibility_mode": "backward"}))
    assert not whole["truncated"] and "omitted" not in whole
    for field in ("breaking_changes", "all_changes"):
        assert cut[field] == whole[field][:len(cut[field])]
        assert len(cut[field]) + cut["omitted"].get(field, 0) == len(whole[field])

    budget.RESPONSE_BUDGET = 20_000
    r = call(contracts_app, "POST", "/api/v1/assets/{asset_id}/impact", {"asset_id": asset["id"]}, principal=key,
             body={"proposed_schema": new})
    impact = body(r)
    assert r["statusCode"] == 200 and carried(r) < 40_000 and impact["truncated"] and impact["omitted"]
    assert impact["affected_consumers"] and impact["affected_consumers"][0]["team_id"] == analytics["id"]


def test_lists_of_big_items_page_in_every_family_shape(assets_app, teams_app, events_app, reports_app, cfg_app,
                                                       owner, admin, key, small_budget):
    """Offset (teams, Tessera's assets array), cursor (assets envelope, events) and Telmai's
    X-Next-Cursor (connections) lists of 40 KB items: each page within the budget, together all."""
    team, tkey = owner
    meta = {"notes": ["\"quoted\"" * 10] * 400}            # ~40 KB, ~60 KB carried
    for i in range(12):
        new_asset(assets_app, tkey, team["id"], f"warehouse.meta.t{i:02d}", metadata=meta)
        new_team(teams_app, admin, f"wide-{i:02d}")

    pages = _pages(lambda cursor: _get(assets_app, tkey, "/api/v1/assets", query={
        "fqn": "warehouse.meta", "page_size": "12", **({"cursor": cursor} if cursor else {})}, limit=small_budget)[0],
        lambda page: page["next"])
    assert len(pages) >= 2 and sorted(a["fqn"] for p in pages for a in p["results"]) == \
        [f"warehouse.meta.t{i:02d}" for i in range(12)]
    pages = _pages(lambda offset: _get(assets_app, tkey, "/api/v1/assets", query={
        "fqn": "warehouse.meta", "limit": "12", "offset": offset or "0"}, limit=small_budget),
        lambda page: page[1].get("x-next-offset"))
    assert len(pages) >= 2 and len({a["id"] for page, _ in pages for a in page}) == 12

    for t in _get(teams_app, admin, "/api/v1/teams")[0]:
        if t["name"].startswith("wide-"):
            r = call(teams_app, "PATCH", "/api/v1/teams/{team_id}", {"team_id": t["id"]}, principal=admin,
                     body={"metadata": meta})
            assert r["statusCode"] == 200
    pages = _pages(lambda offset: _get(teams_app, admin, "/api/v1/teams", query={"offset": offset} if offset else None,
                                       limit=small_budget), lambda page: page[1].get("x-next-offset"))
    names = [t["name"] for page, _ in pages for t in page]
    assert len(pages) >= 2 and len(names) == len(set(names)) == int(pages[0][1]["x-total-count"])

    events = [{"type": "materialization", "asset_key": ["warehouse", "meta", "t00"], "metadata": meta,
               "timestamp": f"2024-01-{d:02d}T00:00:00Z"} for d in range(1, 13)]
    for half in (events[:6], events[6:]):     # a batch request stops at 1 MB
        r = reports_app.lambda_handler(api_event("POST", BATCH, principal=admin, body={"events": half}), None)
        assert r["statusCode"] == 200, r["body"][:300]
    asset = _get(assets_app, tkey, "/api/v1/assets", query={"fqn": "warehouse.meta.t00"})[0]["results"][0]
    pages = _pages(lambda cursor: _get(events_app, tkey, "/api/v1/assets/{asset_id}/events", {"asset_id": asset["id"]},
                                       query={"limit": "12", **({"cursor": cursor} if cursor else {})},
                                       limit=small_budget)[0], lambda page: page["next"])
    assert len(pages) >= 2 and [e["timestamp"][:10] for p in pages for e in p["results"]] == \
        [f"2024-01-{d:02d}" for d in range(12, 0, -1)]

    api = Client(cfg_app, key)
    payload = {"catalog": "c", "schema": "s", "table": "t" * 200, "notes": "\"" * 25_000}
    made = []
    for i in range(8):
        r = api("POST", CONNS, {"projectId": 0}, body={"name": f"c-{i}", "type": "DELTALAKE", "payload": payload})
        assert r["statusCode"] == 201, r["json"]
        made.append(r["json"]["id"])
    pages = _pages(lambda cursor: api("GET", CONNS, {"projectId": 0}, query={"limit": "8", **(
        {"cursor": cursor} if cursor else {})}), lambda r: r["headers"].get("X-Next-Cursor"))
    assert len(pages) >= 2 and all(r["statusCode"] == 200 and carried({**r, "json": None}) < small_budget
                                  for r in pages)
    assert [c["id"] for r in pages for c in r["json"]] == made
