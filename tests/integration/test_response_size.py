"""No answer passes Lambda's 6 MB (issue 18): an asset with 22 versions of the 5,020-property bench
schema (~290 KB each, ~6.3 MB together) lists in pages that stay within the budget, the pages
together hold every version; `include=none` leaves the schema documents out (tessera-sdk's
Contract requires `schema`, so lists carry it by default)."""
import json

from bench import schemas
from tests.integration.test_assets import assets_app, call, new_asset, new_team, owner, team_key  # noqa: F401
from tests.integration.test_contracts import C, PUB, contracts_app, publish  # noqa: F401
from tests.support.events import body

LAMBDA_LIMIT = 6 * 1024 * 1024
VERSIONS = 22


def _get(app, principal, resource, params=None, query=None):
    r = call(app, "GET", resource, params, principal=principal, query=query)
    assert r["statusCode"] == 200, r["body"][:300]
    assert len(r["body"].encode()) < LAMBDA_LIMIT
    return body(r), {k.lower(): v for k, v in r["headers"].items()}


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

    r = call(contracts_app, "GET", C, principal=key, query={"include": "everything"})
    assert r["statusCode"] == 422 and "include" in r["body"]
