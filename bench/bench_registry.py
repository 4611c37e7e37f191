"""Registry figures (issue 4): DynamoDB requests per operation (botocore event hook), items read
vs returned for list pages at 10,000 assets, and the 5,020-property publish end to end in-process
(handler + moto) split into compute and storage."""
import json
import os
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT / "layers" / "shared", ROOT, ROOT / "tools", ROOT.parent / "shared" / "bench"):
    sys.path.insert(0, str(p))
N_ASSETS = int(os.environ.get("BENCH_ASSETS", "10000"))
TARGETS = {"get asset": 1, "list page": 2, "non-breaking publish": 3, "acknowledge": 2}


def _env():
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                      AWS_REGION="us-east-1", POWERTOOLS_LOG_LEVEL="ERROR")
    os.environ.pop("AWS_ENDPOINT_URL", None)


@contextmanager
def calls():
    from accord.store import db
    out = []

    def after(model, parsed, **kw):
        out.append((model.name, parsed))
    events = db.client().meta.events
    events.register("after-call.dynamodb.*", after)
    try:
        yield out
    finally:
        events.unregister("after-call.dynamodb.*", after)


def items_read(cs) -> int:
    n = 0
    for op, parsed in cs:
        if op == "Query":
            n += parsed.get("ScannedCount", 0)
        elif op == "GetItem":
            n += 1 if parsed.get("Item") else 0
        elif op == "BatchGetItem":
            n += sum(len(v) for v in parsed.get("Responses", {}).values())
    return n


def call(app, *args, **kwargs):
    from tests.support.events import api_event
    r = app.lambda_handler(api_event(*args, **kwargs), None)
    return r["statusCode"], (json.loads(r["body"]) if r["body"] else None)


def _fresh():
    from accord.store import db

    from tests.support.aws import create_template_resources, use_tables
    db.reset_client()
    use_tables(create_template_resources())


def operations() -> dict:
    """Request counts and the large publish, on a small table."""
    import schemas
    from accord.auth.principal import Principal
    from accord.store import db

    from tests.integration.conftest import load_app
    from tests.integration.test_assets import team_key
    admin = Principal(tenant="acme", key_id="k", name="admin", scopes=frozenset({"read", "write", "admin"}))
    teams_app, assets_app, contracts_app, proposals_app = (load_app(n) for n in ("teams", "assets", "contracts", "proposals"))
    producer_team = call(teams_app, "POST", "/api/v1/teams", body={"name": "producer"}, principal=admin)[1]
    consumer_team = call(teams_app, "POST", "/api/v1/teams", body={"name": "consumer"}, principal=admin)[1]
    owner = team_key(admin, producer_team["id"])
    consumer = team_key(admin, consumer_team["id"])
    _, asset = call(assets_app, "POST", "/api/v1/assets", principal=owner,
                    body={"fqn": "bench.large", "owner_team_id": producer_team["id"]})
    counts, figures = {}, {}
    with calls() as cs:
        call(assets_app, "GET", "/api/v1/assets/{asset_id}", {"asset_id": asset["id"]}, principal=admin)
    counts["get asset"] = len(cs)
    with calls() as cs:
        call(assets_app, "GET", "/api/v1/assets", principal=admin, query={"page": "1", "page_size": "20"})
    counts["list page"] = len(cs)

    old, new = schemas.large_pair()
    for label, schema in (("first publish", old), ("publish with 200 edits", new)):
        spans = []
        events = db.client().meta.events
        before = lambda **kw: spans.append(-time.perf_counter())  # noqa: E731
        after = lambda **kw: spans.append(time.perf_counter())  # noqa: E731
        events.register("before-call.dynamodb.*", before)
        events.register("after-call.dynamodb.*", after)
        t0 = time.perf_counter()
        status, out = call(contracts_app, "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset["id"]},
                           principal=owner, body={"schema": schema, "compatibility_mode": "none"})
        total = time.perf_counter() - t0
        events.unregister("before-call.dynamodb.*", before)
        events.unregister("after-call.dynamodb.*", after)
        storage = sum(spans)
        figures[label] = {"status": status, "action": out.get("action"), "total_ms": round(total * 1000, 1),
                          "storage_ms": round(storage * 1000, 1), "compute_ms": round((total - storage) * 1000, 1)}
    extra = {**new, "properties": {**new["properties"], "bench_extra": {"type": "string"}}}
    with calls() as cs:
        status, out = call(contracts_app, "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset["id"]},
                           principal=owner, body={"schema": extra})
    assert out["action"] == "published", out
    counts["non-breaking publish"] = len(cs)

    # acknowledge: consumer registers, a breaking change becomes a proposal, the consumer acknowledges
    base = {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"}}}
    _, small = call(assets_app, "POST", "/api/v1/assets", principal=owner,
                    body={"fqn": "bench.small", "owner_team_id": producer_team["id"]})
    _, v1 = call(contracts_app, "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": small["id"]},
                 principal=owner, body={"schema": base})
    call(contracts_app, "POST", "/api/v1/registrations", principal=consumer,
         query={"contract_id": v1["contract"]["id"]}, body={"consumer_team_id": consumer_team["id"]})
    _, out = call(contracts_app, "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": small["id"]},
                  principal=owner, body={"schema": {"type": "object", "properties": {"id": {"type": "integer"}},
                                                    "additionalProperties": False}})
    with calls() as cs:
        status, ack = call(proposals_app, "POST", "/api/v1/proposals/{proposal_id}/acknowledge",
                           {"proposal_id": out["proposal"]["id"]}, principal=consumer,
                           body={"consumer_team_id": consumer_team["id"], "response": "approved"})
    assert status in (200, 201), ack
    counts["acknowledge"] = len(cs)
    return {"requests": counts, "publish": figures}


def lists() -> dict:
    """Items read per list page at N_ASSETS assets, for each filter; page 1 and page 50."""
    from accord.auth.principal import Principal
    from accord.registry.assets import search_tokens
    from accord.store import assets as astore
    from accord.store import db
    from accord.store import keys as k
    from accord.store.codec import encode

    from tests.integration.conftest import load_app
    admin = Principal(tenant="acme", key_id="k", name="admin", scopes=frozenset({"read", "write", "admin"}))
    teams_app, assets_app = load_app("teams"), load_app("assets")
    teams = [call(teams_app, "POST", "/api/v1/teams", body={"name": f"team{i}"}, principal=admin)[1] for i in range(10)]
    # Seeded with batch writes of exactly the items (and counters) the create transaction writes:
    # moto copies the whole table on every transaction, which makes 10,000 API creates take hours.
    t0 = time.perf_counter()
    counters, batch = {}, []
    client = db.client()

    def flush():
        while batch:
            chunk = [batch.pop() for _ in range(min(25, len(batch)))]
            client.batch_write_item(RequestItems={db.table_name(): [{"PutRequest": {"Item": encode(i)}} for i in chunk]})
    for i in range(N_ASSETS):
        team = teams[i % 10]
        now = f"2025-01-01T00:00:00.{i % 1000:03d}Z"
        a = {"id": str(uuid.uuid4()), "fqn": f"wh{i % 4}.schema{i % 37}.table_{i:05d}",
             "environment": ["production", "staging", "dev"][i % 3], "owner_team_id": team["id"],
             "owner_team_name": team["name"], "owner_user_id": None, "owner_user_name": None,
             "metadata": {"description": "x" * 200, "tags": ["a", "b"]}, "created_at": now, "updated_at": now,
             "active_contract_id": None, "active_contract_version": None, "rev": 1}
        a["counter_shard"] = i % k.COUNTER_SHARDS
        canon, view = astore._items("acme", a)
        batch.extend([canon, view, {"PK": k.asset_fqn_pk("acme", a["environment"], a["fqn"]), "SK": k.UNIQUE_SK,
                                    "asset_id": a["id"]}])
        batch.extend({"PK": k.asset_search_pk("acme"), "SK": k.asset_search_sk(t, a["id"]), "asset_id": a["id"]}
                     for t in search_tokens(a["fqn"]))
        for name, parts in astore.counted(a).items():
            slot = counters.setdefault((a["counter_shard"], name), {})
            for part, v in parts.items():
                slot[part] = slot.get(part, 0) + v
        if len(batch) >= 500:
            flush()
    batch.extend({"PK": k.counter_shard_pk("acme", shard), "SK": name, **parts}
                 for (shard, name), parts in counters.items())
    flush()
    print(f"  (seeded {N_ASSETS} assets in {time.perf_counter() - t0:.0f} s)")
    out = {}
    team = teams[3]["id"]
    for label, q in [("none", {}), ("fqn prefix", {"fqn": "wh1.schema5"}), ("owner team", {"owner_team_id": team}),
                     ("environment", {"environment": "staging"})]:
        for page in (1, 50):
            with calls() as cs:
                status, body = call(assets_app, "GET", "/api/v1/assets", principal=admin,
                                    query={**q, "page": str(page), "page_size": "20"})
            assert status == 200, body
            n = sum(parsed.get("ScannedCount", 0) for op, parsed in cs if op == "Query")  # the counter GetItem aside
            out[f"{label} page {page}"] = {"requests": len(cs), "items_read": n, "returned": len(body["results"]),
                                           "ratio": round(n / max(1, len(body["results"])), 2), "total": body["total"]}
    return out


def main() -> dict:
    _env()
    from moto import mock_aws
    with mock_aws():
        _fresh()
        ops = operations()
    print("DynamoDB requests per operation (botocore event hook):")
    for name, n in ops["requests"].items():
        target = TARGETS[name]
        print(f"  {name:<22} {n}   {'PASS' if n <= target else 'FAIL'} (≤ {target})")
    print("5,020-property schema, publish end to end in-process (handler + moto):")
    for label, f in ops["publish"].items():
        print(f"  {label:<24} {f['status']} {f['action']:<10} {f['total_ms']:7.1f} ms = "
              f"{f['compute_ms']:.1f} ms compute + {f['storage_ms']:.1f} ms storage")
    with mock_aws():
        _fresh()
        pages = lists()
    print(f"list pages at {N_ASSETS} assets (page_size 20): requests, items the Query read / returned "
          "(+1 GetItem of the total's counter)")
    for label, f in pages.items():
        ok = f["items_read"] <= 1.2 * f["returned"] + 1 if label.endswith("page 1") else True
        print(f"  {label:<22} {f['requests']} req  {f['items_read']:>5} read / {f['returned']} returned "
              f"= {f['ratio']:.2f}x  total={f['total']}  {'PASS' if ok else 'FAIL'}"
              + (" (≤ 1.2x)" if label.endswith("page 1") else " (bounded skip)"))
    return {**ops, "lists": pages}


if __name__ == "__main__":
    main()
