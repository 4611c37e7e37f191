"""DynamoDB requests behind one configuration list page with every `with_*` flag (issue 6).

A project holds N assets (every one with lineage: pairs of assets where the second depends on
the first; every other pair with a published contract, so attributes are read too). We list
the first page of 20 with with_attributes, with_schedules and with_lineage, counting every
DynamoDB call the handler makes (a botocore `before-call.dynamodb.*` hook on the store's client),
for N = 30 and 100. The count must not grow with N: one Query for the page, one GetItem for
the project (existence + exact total), one BatchGetItem each for connections, registry assets,
active contracts and lineage neighbours, and one Query per asset on the page for its edges
(edges hang off each asset's own partition) — 20 + 6 for a page of 20, whatever the project size.

Runs in-process on moto, with local/moto_patches (transactions roll back only the items they
touch, so seeding a few hundred assets stays quick). The measured list makes no transaction.
"""
import importlib.util
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT / "layers" / "shared", ROOT, ROOT / "tools"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

SIZES = (30, 100)
PAGE = 20
B = "/api/backend/{tenant}/configuration"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}_app", ROOT / "functions" / name / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _call(app, principal, method, resource, params=None, **kwargs):
    from tests.support.events import api_event, body
    r = app.lambda_handler(api_event(method, resource, params, principal=principal, **kwargs), None)
    assert r["statusCode"] < 300, r
    return body(r), r["headers"]


def _seed(apps, principal, tenant: str, project: int, conn: int, n: int) -> None:
    cfg, reg, contracts = apps
    made = []
    for _ in range(n):
        a, _h = _call(cfg, principal, "POST", B + "/projects/{projectId}/assets", {"tenant": tenant, "projectId": project},
                      body={"name": "a", "type": "DELTALAKE", "connection_id": conn,
                            "payload": {"catalog": "bench", "schema": "s", "table": uuid.uuid4().hex[:12]},
                            "scheduled_upload": {"schedule": "0 * * * *"}})
        made.append(a)
    schema = {"type": "object", "properties": {f"col_{i}": {"type": "string"} for i in range(12)}}
    for i, (up, down) in enumerate(zip(made[::2], made[1::2])):
        _call(reg, principal, "POST", "/api/v1/assets/{asset_id}/dependencies", {"asset_id": down["registry_asset_id"]},
              body={"target_asset_id": up["registry_asset_id"]})
        if i % 2 == 0:
            _call(contracts, principal, "POST", "/api/v1/assets/{asset_id}/contracts",
                  {"asset_id": up["registry_asset_id"]}, body={"schema": schema})


def _measure(app, principal, tenant: str, project: int) -> dict:
    from accord.store import db
    calls: list[str] = []

    def before(model, **kw):
        calls.append(model.name)
    events = db.client().meta.events
    events.register("before-call.dynamodb.*", before)
    times = []
    try:
        for _ in range(5):
            calls.clear()
            started = time.perf_counter()
            items, headers = _call(app, principal, "GET", B + "/projects/{projectId}/assets",
                                   {"tenant": tenant, "projectId": project},
                                   query={"with_attributes": "true", "with_schedules": "true",
                                          "with_lineage": "true", "limit": str(PAGE)})
            times.append(time.perf_counter() - started)
    finally:
        events.unregister("before-call.dynamodb.*", before)
    assert len(items) == PAGE and all("attributes" in i and "parents" in i for i in items)
    return {"requests": len(calls), "by_operation": {op: calls.count(op) for op in sorted(set(calls))},
            "total": int(headers["X-Total-Count"]), "ms": round(statistics.median(times) * 1000, 1),
            "with_attributes": sum(1 for i in items if i["attributes"]),
            "with_lineage": sum(1 for i in items if i["parents"] or i["children"])}


def main() -> dict:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    from accord.auth.principal import Principal
    from accord.store import db
    from tests.support.aws import create_template_resources, use_tables

    result = {"page_size": PAGE, "projects": {}}
    from local import moto_patches
    moto_patches.apply()
    with mock_aws():
        db.reset_client()
        use_tables(create_template_resources())
        apps = (_load("configuration"), _load("assets"), _load("contracts"))
        tenant = "bench"
        admin = Principal(tenant=tenant, key_id="bench", name="bench", email="bench@example.com",
                          scopes=frozenset({"read", "write", "admin"}))
        conn, _h = _call(apps[0], admin, "POST", B + "/connections", {"tenant": tenant},
                         body={"name": "lake", "type": "DELTALAKE"})
        print(f"list page of {PAGE} with with_attributes, with_schedules and with_lineage (moto, in-process)")
        seeded, project = 0, 0
        for size in SIZES:
            _seed(apps, admin, tenant, project, conn["id"], size - seeded)
            seeded = size
            figures = _measure(apps[0], admin, tenant, project)
            assert figures["total"] == size, figures
            result["projects"][size] = figures
            ops = ", ".join(f"{op} {n}" for op, n in figures["by_operation"].items())
            print(f"  project of {size:>3} assets: {figures['requests']:>3} DynamoDB requests ({ops}); "
                  f"{figures['with_attributes']} with attributes, {figures['with_lineage']} with lineage; "
                  f"{figures['ms']:.0f} ms on moto, whose Query scans in memory")
        db.reset_client()
    counts = {f["requests"] for f in result["projects"].values()}
    result["bounded"] = len(counts) == 1
    result["bound"] = PAGE + 6
    ok = result["bounded"] and max(counts) <= result["bound"]
    print(f"  requests independent of project size: {'PASS' if ok else 'FAIL'} "
          f"(bound: {PAGE} lineage Queries + 6 = {result['bound']})")
    result["pass"] = ok
    return result


if __name__ == "__main__":
    main()
