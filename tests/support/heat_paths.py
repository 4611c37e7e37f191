"""Every write path of Accord, driven through its real entry point, with its target rate.

The heat model (tests/support/heat.py) runs each path here on moto, records every item its
requests write, and checks that at the path's target rate no item takes more than 1,000 write
units per second or is held by more than ~50 transactions per second. `make test` runs every path
at small scale (tests/integration/test_heat.py); `make bench` at a larger one, before and after.

HOW A NEW WRITE PATH JOINS (an importer's bulk path, a new route, a new worker):
1. Write a `WritePath` below: `rate` = the operations per second one tenant must be able to do,
   `spread` = over how many entities that rate spreads (1 = all on one asset / one team / one
   tenant-wide thing; 1,000 = events over 1,000 assets), `setup(ctx, entities)` makes what the
   operations need (not recorded) and returns state, `run(ctx, state, i)` performs operation i on
   entity `i % entities` through the real entry point (the function's handler, the worker's
   handler, or for a bulk helper the domain function an importer calls). A bulk path that writes
   `batch` operations per call sets `batch`: `run` is then called once per batch with the first
   index, and the model counts `batch` operations.
2. Name the routes it covers in `routes` (METHOD path, as in template.yaml). Every write route of
   the template must be covered by a path or listed in LOW_RATE with why its rate stays low:
   test_heat fails on a write route nobody claimed.
3. Run `.venv/bin/python -m pytest -q tests/integration/test_heat.py` — it fails if the new path's
   hottest item exceeds the budget — and `make bench` for its figures.
A path whose operations are not on the HTTP API (an importer job) needs no route: add it to PATHS.
"""
import json
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Callable

TENANT = "default"   # the worker's queue messages default to this tenant (no tenant lookup)
SMALL = {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"}}}


@dataclass
class WritePath:
    name: str
    rate: float                 # operations per second per tenant, the target
    spread: int                 # entities the rate spreads over
    setup: Callable             # (ctx, entities) -> state
    run: Callable               # (ctx, state, i) -> None
    routes: tuple = ()          # write routes it covers ("POST /api/v1/assets")
    batch: int = 1              # operations per run() call (bulk paths)
    requests: dict = field(default_factory=lambda: {"api": 1, "lambda": 1})  # billable requests per operation
    requires: str | None = None  # a module the path needs (absent in older code: the path is skipped)
    once: bool = False          # each operation uses up its entity (a delete, a first publish)
    note: str = ""


class Ctx:
    """The functions of one code tree, called as API Gateway calls them."""

    def __init__(self, root):
        from accord.auth.principal import Principal
        self.root = root
        self.apps = {}
        self.admin = Principal(tenant=TENANT, key_id=str(uuid.uuid4()), name="admin",
                               scopes=frozenset({"read", "write", "admin"}))
        self._teams = {}
        self._seq = 0

    def app(self, name: str):
        if name not in self.apps:
            import importlib
            import sys
            path = str(self.root / "functions" / name)
            sys.modules.pop("app", None)
            sys.path.insert(0, path)
            try:
                self.apps[name] = importlib.import_module("app")
            finally:
                sys.path.remove(path)
                sys.modules.pop("app", None)
        return self.apps[name]

    def call(self, fn: str, method: str, resource: str, params: dict | None = None, *, principal=None,
             body=None, query=None, headers=None, expect=(200, 201, 204)):
        from tests.support.events import api_event
        event = api_event(method, resource, params, body=body, query=query, headers=headers,
                          principal=principal or self.admin)
        out = self.app(fn).lambda_handler(event, None)
        assert out["statusCode"] in expect, (method, resource, out["statusCode"], out.get("body", "")[:500])
        return json.loads(out["body"]) if out.get("body") else None

    def uid(self) -> str:
        self._seq += 1
        return f"{self._seq:05d}{uuid.uuid4().hex[:6]}"

    def team(self, name: str) -> dict:
        if name not in self._teams:
            self._teams[name] = self.call("teams", "POST", "/api/v1/teams", body={"name": f"{name}-{self.uid()}"})
        return self._teams[name]

    def key(self, team: dict):
        return replace(self.admin, key_id=str(uuid.uuid4()), name=f"key of {team['name']}", team_id=team["id"],
                       scopes=frozenset({"read", "write"}))

    def asset(self, fqn: str | None = None, team: dict | None = None) -> dict:
        team = team or self.team("producer")
        return self.call("assets", "POST", "/api/v1/assets", principal=self.key(team),
                         body={"fqn": fqn or f"warehouse.sales.t_{self.uid()}", "owner_team_id": team["id"]})

    def publish(self, asset: dict, schema: dict, **body) -> dict:
        return self.call("contracts", "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset["id"]},
                         principal=self.key(self.team("producer")), body={"schema": schema, **body})

    def sqs(self, bodies: list) -> dict:
        """The worker's event for these message bodies, as SQS delivers it (SentTimestamp set)."""
        now = str(int(time.time() * 1000))
        return {"Records": [{
            "messageId": str(uuid.uuid4()), "receiptHandle": f"rh-{i}", "body": json.dumps(b),
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": now},
            "messageAttributes": {"tenant": {"stringValue": TENANT, "dataType": "String"}},
            "md5OfBody": "", "eventSource": "aws:sqs", "awsRegion": "us-east-1",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:ReportsQueue"} for i, b in enumerate(bodies)]}


# ------------------------------------------------------------------ OpenLineage
def _ol_event(job: dict, state: str = "COMPLETE") -> dict:
    from datetime import datetime, timezone
    ds = lambda fqn: {"namespace": "postgres://prod:5432", "name": fqn}  # noqa: E731
    return {"eventType": state, "eventTime": datetime.now(timezone.utc).isoformat(),
            "producer": "https://github.com/OpenLineage/OpenLineage/tree/1.23.0/client/python",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "run": {"runId": str(uuid.uuid4())}, "job": {"namespace": "airflow", "name": job["name"]},
            "inputs": [ds(f) for f in job["inputs"]], "outputs": [ds(f) for f in job["outputs"]]}


def _ol_jobs(ctx, entities):
    """Pipelines of 2 inputs and 2 outputs, each run once already: the operations are the steady
    state (a scheduled job's every run), where the first run's new edges are behind them."""
    jobs = []
    for _ in range(entities):
        fqns = [ctx.asset(f"warehouse.lake.t_{ctx.uid()}")["fqn"] for _ in range(4)]
        job = {"name": f"dag_{ctx.uid()}.task", "inputs": fqns[:2], "outputs": fqns[2:]}
        ctx.call("lineage", "POST", "/api/v1/lineage", body=_ol_event(job))
        jobs.append(job)
    return jobs


def _ol_run(ctx, state, i):
    ctx.call("lineage", "POST", "/api/v1/lineage", body=_ol_event(state[i % len(state)]))


# ------------------------------------------------------------------ assets
def _assets(ctx, entities):
    return [ctx.asset() for _ in range(entities)]


def _create(ctx, state, i):
    # one team, one schema: a dbt project importing its models — the concentrated case
    ctx.asset(f"analytics.marts.model_{ctx.uid()}")


def _update(ctx, state, i):
    a = state[i % len(state)]
    ctx.call("assets", "PATCH", "/api/v1/assets/{asset_id}", {"asset_id": a["id"]},
             body={"metadata": {"description": f"revision {i}"}})


def _delete(ctx, state, i):
    ctx.call("assets", "DELETE", "/api/v1/assets/{asset_id}", {"asset_id": state[i]["id"]})


def _bulk_setup(ctx, entities):
    return {"team": ctx.team("producer")}


def _bulk_create(ctx, state, i):
    from accord.registry import bulk
    out = bulk.create_assets(ctx.admin, [{"fqn": f"analytics.staging.stg_{ctx.uid()}",
                                          "owner_team_id": state["team"]["id"]} for _ in range(BULK)])
    assert not [r for r in out if isinstance(r, Exception)], out


# ------------------------------------------------------------------ contracts
def _published(ctx, entities):
    out = []
    for _ in range(entities):
        a = ctx.asset()
        ctx.publish(a, SMALL)
        out.append(a)
    return out


def _publish(ctx, state, i):
    a = state[i % len(state)]
    schema = {**SMALL, "properties": {**SMALL["properties"], f"col_{i}": {"type": "string"}}}
    assert ctx.publish(a, schema)["action"] == "published"


def _first_publish(ctx, state, i):
    assert ctx.publish(state[i], SMALL)["action"] == "published"


def _large_setup(ctx, entities):
    from bench import schemas
    old, new = schemas.large_pair()
    out = []
    for _ in range(entities):
        a = ctx.asset()
        ctx.publish(a, old, compatibility_mode="none")
        out.append((a, (new, old)))
    return out


def _large_publish(ctx, state, i):
    a, schemas = state[i % len(state)]
    assert ctx.publish(a, schemas[i % 2])["action"] == "published"  # 200 edits each way


def _registration_setup(ctx, entities):
    return [(a, ctx.call("contracts", "GET", "/api/v1/assets/{asset_id}/contracts", {"asset_id": a["id"]})[0])
            for a in _published(ctx, entities)]


def _register(ctx, state, i):
    a, contract = state[i % len(state)]
    team = ctx.team(f"consumer{i // len(state)}")
    ctx.call("contracts", "POST", "/api/v1/registrations", principal=ctx.key(team),
             query={"contract_id": contract["id"]}, body={"consumer_team_id": team["id"]})


CONSUMERS = 5
# a table of 40 described columns (a proposal carries its whole proposed schema); dropping one breaks it
WIDE = {"type": "object", "properties": {
    f"col_{c:02d}": {"type": "string", "description": f"column {c} of the orders mart, as the warehouse model documents it"}
    for c in range(40)}}
BREAKING = {**WIDE, "properties": dict(list(WIDE["properties"].items())[1:]), "additionalProperties": False}
NOTES = "Checked our dashboards and the finance export against the new schema; we migrate before the cut-over."


def _proposal_ready(ctx, entities):
    """Assets with an active contract and CONSUMERS registered teams: a breaking publish proposes."""
    teams = [ctx.team(f"consumer{c}") for c in range(CONSUMERS)]
    out = []
    for a in _assets(ctx, entities):
        ctx.publish(a, WIDE)
        contract = ctx.call("contracts", "GET", "/api/v1/assets/{asset_id}/contracts", {"asset_id": a["id"]})[0]
        for team in teams:
            ctx.call("contracts", "POST", "/api/v1/registrations", principal=ctx.key(team),
                     query={"contract_id": contract["id"]}, body={"consumer_team_id": team["id"]})
        out.append(a)
    return out


def _propose(ctx, state, i):
    assert ctx.publish(state[i], BREAKING)["action"] == "proposal_created"


def _proposals(ctx, entities):
    teams = [ctx.team(f"consumer{c}") for c in range(CONSUMERS)]
    return [(a, ctx.publish(a, BREAKING)["proposal"], teams) for a in _proposal_ready(ctx, entities)]


def _acknowledge(ctx, state, i):
    a, proposal, teams = state[i % len(state)]
    team = teams[(i // len(state)) % len(teams)]
    ctx.call("proposals", "POST", "/api/v1/proposals/{proposal_id}/acknowledge", {"proposal_id": proposal["id"]},
             principal=ctx.key(team), body={"consumer_team_id": team["id"], "response": "approved", "notes": NOTES})


def _approved(ctx, entities):
    out = []
    for a, proposal, teams in _proposals(ctx, entities):
        ctx.call("proposals", "POST", "/api/v1/proposals/{proposal_id}/force", {"proposal_id": proposal["id"]},
                 body={"reason": "bench"})
        out.append(proposal)
    return out


def _publish_proposal(ctx, state, i):
    ctx.call("proposals", "POST", "/api/v1/proposals/{proposal_id}/publish", {"proposal_id": state[i]["id"]})


# ------------------------------------------------------------------ lineage
def _edges_setup(ctx, entities):
    upstream = [ctx.asset(f"raw.src.table_{ctx.uid()}") for _ in range(4)]
    return {"sources": [ctx.asset() for _ in range(entities)], "upstream": upstream}


def _add_dependency(ctx, state, i):
    sources = state["sources"]
    src = sources[i % len(sources)]
    dst = state["upstream"][(i // len(sources)) % len(state["upstream"])]
    ctx.call("assets", "POST", "/api/v1/assets/{asset_id}/dependencies", {"asset_id": src["id"]},
             body={"target_asset_id": dst["id"], "dependency_type": "consumes"})


def _bulk_edges_setup(ctx, entities):
    return {"upstream": [ctx.asset(f"raw.src.table_{ctx.uid()}") for _ in range(4)],
            "downstream": [ctx.asset() for _ in range(BULK)]}


def _bulk_add_dependencies(ctx, state, i):
    from accord.registry import lineage
    pairs = [(state["downstream"][j]["id"], state["upstream"][(i // BULK) % 4]["id"]) for j in range(BULK)]
    out = lineage.add_many(ctx.admin, [{"source_asset_id": s, "target_asset_id": t, "dependency_type": "consumes"}
                                       for s, t in pairs])
    assert all(r["status"] == "created" for r in out), out


def _edges_to_remove(ctx, entities):
    out = []
    for _ in range(entities):
        src, dst = ctx.asset(), ctx.asset()
        dep = ctx.call("assets", "POST", "/api/v1/assets/{asset_id}/dependencies", {"asset_id": src["id"]},
                       body={"target_asset_id": dst["id"], "dependency_type": "consumes"})
        out.append((src, dep))
    return out


def _remove_dependency(ctx, state, i):
    src, dep = state[i]
    ctx.call("assets", "DELETE", "/api/v1/assets/{asset_id}/dependencies/{dependency_id}",
             {"asset_id": src["id"], "dependency_id": dep["id"]})


# ------------------------------------------------------------------ reports and checks
KINDS = ("materialization", "observation", "check")


def _report_body(kind: str, i: int) -> dict:
    body = {"metadata": {"rows": i, "dagster/run_id": f"run-{i}"}, "data_version": f"v{i}"}
    if kind == "check":
        body = {"check_name": f"check_{i % 3}", "passed": i % 5 != 0, "metadata": {"failed_rows": i % 7}}
    return body


def _report_http(ctx, state, i):
    a = state[i % len(state)]
    kind = KINDS[i % 3]
    ctx.call("reports", "POST", f"/report_asset_{kind}/{{asset_key+}}", {"asset_key": a["fqn"].replace(".", "/")},
             body=_report_body(kind, i))


def _report_batch(ctx, state, i):
    events = []
    for j in range(i, i + BATCH):
        a = state[j % len(state)]
        kind = KINDS[j % 3]
        events.append({"type": kind, "asset_key": a["fqn"].split("."), **_report_body(kind, j)})
    ctx.call("reports", "POST", "/report_asset_events", body={"events": events})


def _report_queue(ctx, state, i):
    bodies = []
    for j in range(i, i + BATCH):
        a = state[j % len(state)]
        kind = KINDS[j % 3]
        bodies.append({"type": kind, "asset_key": a["fqn"].split("."), **_report_body(kind, j)})
    out = ctx.app("worker").lambda_handler(ctx.sqs(bodies), None)
    assert out == {"batchItemFailures": []}, out


def _one_asset(ctx, entities):
    a = ctx.asset()
    ctx.publish(a, SMALL)
    return [a]


def _check_http(ctx, state, i):
    a = state[0]
    ctx.call("reports", "POST", "/report_asset_check/{asset_key+}", {"asset_key": a["fqn"].replace(".", "/")},
             body={"check_name": f"check_{i % 4}", "passed": i % 3 != 0})


def _check_queue(ctx, state, i):
    a = state[0]
    bodies = [{"type": "check", "asset_key": a["fqn"].split("."), "check_name": f"check_{j % 4}", "passed": j % 3 != 0}
              for j in range(i, i + BATCH)]
    out = ctx.app("worker").lambda_handler(ctx.sqs(bodies), None)
    assert out == {"batchItemFailures": []}, out


def _audit_result(ctx, state, i):
    a = state[0]
    ctx.call("assets", "POST", "/api/v1/assets/{asset_id}/audit-results", {"asset_id": a["id"]},
             body={"status": "passed" if i % 4 else "failed", "triggered_by": "dbt_test",
                   "guarantees_checked": 2, "guarantees_passed": 2 if i % 4 else 1,
                   "guarantees_failed": 0 if i % 4 else 1})


# ------------------------------------------------------------------ configuration (Telmai view)
CFG = "/api/backend/{tenant}/configuration/projects/{projectId}/assets"


def _cfg_payload(ctx, i: str) -> dict:
    if "connection" not in ctx.__dict__:
        ctx.connection = ctx.call("configuration", "POST", "/api/backend/{tenant}/configuration/projects/{projectId}/connections",
                                  {"tenant": TENANT, "projectId": "0"}, body={"name": f"sf-{ctx.uid()}", "type": "SNOWFLAKE"})
    return {"name": f"orders_{i}", "type": "SNOWFLAKE", "connection_id": ctx.connection["id"],
            "payload": {"database": "db1", "schema": "sales", "table": f"orders_{i}"}}


def _cfg_setup(ctx, entities):
    return [ctx.call("configuration", "POST", CFG, {"tenant": TENANT, "projectId": "0"}, body=_cfg_payload(ctx, ctx.uid()))
            for _ in range(entities)]


def _cfg_create(ctx, state, i):
    ctx.call("configuration", "POST", CFG, {"tenant": TENANT, "projectId": "0"}, body=_cfg_payload(ctx, ctx.uid()))


def _cfg_update(ctx, state, i):
    a = state[i % len(state)]
    ctx.call("configuration", "PUT", CFG + "/{assetId}", {"tenant": TENANT, "projectId": "0", "assetId": str(a["id"])},
             body={"description": f"rev {i}"})


def _cfg_delete(ctx, state, i):
    a = state[i]
    ctx.call("configuration", "DELETE", CFG + "/{assetId}", {"tenant": TENANT, "projectId": "0", "assetId": str(a["id"])})


def _none(ctx, entities):
    return None


def _cfg_none(ctx, entities):
    _cfg_payload(ctx, "")   # the connection, made before the recording


def _dbt_setup(ctx, entities):
    return {"team": ctx.team("producer")}


DBT_BATCH = 96   # nodes per import: a real one writes 250-node chunks; each transaction holds ~25-90 nodes


def _dbt_import(ctx, state, i):
    """A dbt manifest of DBT_BATCH nodes (models in 3 schemas + their source), lineage and first
    contracts; each call another project's relations."""
    from accord.ingest import dbt_import
    from accord.ingest.models import DbtUploadOptions
    from tests.support import dbt_large
    manifest = dbt_large.manifest(models=DBT_BATCH - 1, tests=DBT_BATCH, target_bytes=0, sources=1,
                                  schema_prefix=f"p{ctx.uid()}", schemas=3)
    opts = DbtUploadOptions.model_validate({"owner_team_id": state["team"]["id"], "auto_publish_contracts": True})
    status, body = dbt_import.run(ctx.admin, opts, manifest)
    assert status == 200 and body["assets"]["created"] == DBT_BATCH, body


BULK = 25     # operations per call of a bulk path
BATCH = 10    # events per queue delivery / batch request
QUEUE = {"sqs": 1.2, "lambda": 0.1}   # per event: send + (receive + delete) per 10-message delivery; 1 invocation per 10
REPORTS = ("POST /report_asset_materialization", "POST /report_asset_materialization/{asset_key+}",
           "POST /report_asset_observation", "POST /report_asset_observation/{asset_key+}",
           "POST /report_asset_check", "POST /report_asset_check/{asset_key+}")

PATHS = [
    WritePath("asset create", 1000, 1, _none, _create, ("POST /api/v1/assets",),
              note="one team, one schema (a dbt import): the concentrated case"),
    WritePath("asset create, bulk (importers)", 1000, 1, _bulk_setup, _bulk_create, batch=BULK,
              requests={"api": 1 / BULK, "lambda": 1 / BULK}, requires="accord.registry.bulk"),
    WritePath("dbt import (nodes)", 1000, 1, _dbt_setup, _dbt_import, ("POST /api/v1/sync/dbt/upload",),
              batch=DBT_BATCH, requests={"api": 1 / DBT_BATCH, "lambda": 1 / DBT_BATCH}, requires="accord.ingest.dbt_import",
              note="a manifest's nodes: asset, first contract, lineage; the worker's jobs run the same import"),
    WritePath("asset update", 100, 100, _assets, _update, ("PATCH /api/v1/assets/{asset_id}",)),
    WritePath("asset delete", 100, 10_000, _assets, _delete, ("DELETE /api/v1/assets/{asset_id}",), once=True),
    WritePath("first publish", 1000, 10_000, _assets, _first_publish,
              ("POST /api/v1/assets/{asset_id}/contracts", "POST /api/v1/assets/{asset_id}/publish"), once=True),
    WritePath("publish", 1000, 1000, _published, _publish, note="a compatible version; the previous one deprecated"),
    WritePath("publish 5,020 properties", 1, 1, _large_setup, _large_publish, note="200 edits on the bench schema"),
    WritePath("registration", 100, 100, _registration_setup, _register, ("POST /api/v1/registrations",)),
    WritePath("proposal create", 100, 10_000, _proposal_ready, _propose, ("POST /api/v1/assets/{asset_id}/contracts",),
              once=True, note=f"a breaking publish with {CONSUMERS} registered consumers"),
    WritePath("acknowledge", 500, 50, _proposals, _acknowledge, ("POST /api/v1/proposals/{proposal_id}/acknowledge",),
              note=f"50 open proposals, {CONSUMERS} consumers each"),
    WritePath("publish a proposal", 10, 10_000, _approved, _publish_proposal,
              ("POST /api/v1/proposals/{proposal_id}/publish",), once=True),
    WritePath("dependency add", 1000, 1000, _edges_setup, _add_dependency,
              ("POST /api/v1/assets/{asset_id}/dependencies",), note="1,000 assets each adding upstream edges"),
    WritePath("dependency add, bulk (importers)", 1000, 1, _bulk_edges_setup, _bulk_add_dependencies, batch=BULK,
              requests={"api": 1 / BULK, "lambda": 1 / BULK}, requires="accord.registry.lineage:add_many"),
    WritePath("dependency remove", 100, 10_000, _edges_to_remove, _remove_dependency,
              ("DELETE /api/v1/assets/{asset_id}/dependencies/{dependency_id}",), once=True),
    WritePath("report (HTTP)", 10_000, 1000, _assets, _report_http, REPORTS,
              note="materializations, observations and checks over 1,000 assets"),
    WritePath("report batch (HTTP)", 10_000, 1000, _assets, _report_batch, ("POST /report_asset_events",),
              batch=BATCH, requests={"api": 1 / BATCH, "lambda": 1 / BATCH}),
    WritePath("report (queue)", 10_000, 1000, _assets, _report_queue, batch=BATCH, requests=QUEUE),
    WritePath("check on one asset (HTTP)", 200, 1, _one_asset, _check_http, REPORTS[4:]),
    WritePath("check on one asset (queue)", 200, 1, _one_asset, _check_queue, batch=BATCH, requests=QUEUE),
    WritePath("audit result on one asset", 200, 1, _one_asset, _audit_result,
              ("POST /api/v1/assets/{asset_id}/audit-results",)),
    WritePath("OpenLineage COMPLETE run", 1000, 1000, _ol_jobs, _ol_run, ("POST /api/v1/lineage",),
              requires="accord.ingest.openlineage",
              note="a scheduled job's run: 2 inputs, 2 outputs (materializations, edges seen again, run history)"),
    # The configuration view is configured by people and scripts (tens a second); its project and
    # connection usage counts are exact on their items. Importers use the registry's bulk path.
    WritePath("configured asset create", 20, 1, _cfg_none, _cfg_create, (f"POST {CFG}",)),
    WritePath("configured asset update", 100, 100, _cfg_setup, _cfg_update, (f"PUT {CFG}/{{assetId}}",)),
    WritePath("configured asset delete", 20, 10_000, _cfg_setup, _cfg_delete, (f"DELETE {CFG}/{{assetId}}",), once=True),
]

# Write routes no path drives, and why their rate stays far below any budget (people, not
# pipelines, call them). A route here that becomes a pipeline's route needs a path instead.
CFGB = "/api/backend/{tenant}/configuration"
LOW_RATE = {
    "POST /api/v1/tenants": "platform admin: tenants are made by hand",
    "PATCH /api/v1/tenants/{tenant_id}/settings": "admin, by hand",
    "POST /api/v1/api-keys": "tenant admin", "DELETE /api/v1/api-keys/{key_id}": "tenant admin",
    "POST /api/v1/teams": "teams are made by people", "DELETE /api/v1/teams/{team_id}": "rare",
    "PATCH /api/v1/teams/{team_id}": "rare; a rename's fan-out over the team's assets runs as a queued job",
    "PATCH /api/v1/registrations/{registration_id}": "a consumer changes its pin by hand",
    "DELETE /api/v1/registrations/{registration_id}": "by hand",
    "POST /api/v1/proposals/{proposal_id}/withdraw": "by hand, once per proposal",
    "PUT /api/v1/lineage/settings": "tenant admin, by hand",
    "POST /api/v1/webhooks": "by hand", "PATCH /api/v1/webhooks/{webhook_id}": "by hand",
    "DELETE /api/v1/webhooks/{webhook_id}": "by hand", "POST /api/v1/webhooks/{webhook_id}/test": "by hand",
    "POST /api/v1/webhooks/{webhook_id}/rotate-secret": "by hand, rare",
    "POST /api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry": "by hand, one delivery",
    "POST /api/v1/sync/uploads": "once per large import (its nodes are the 'dbt import' path)",
    "POST /api/v1/sync/dbt/jobs": "once per large import: one job item (its nodes are the 'dbt import' path)",
    "POST /api/v1/proposals/{proposal_id}/force": "admin, once per proposal",
    "POST /api/v1/proposals/{proposal_id}/object": "by hand, once per team and proposal",
    f"POST {CFGB}/projects": "admin", f"PATCH {CFGB}/projects/{{projectId}}": "admin",
    f"DELETE {CFGB}/projects/{{projectId}}": "admin",
    f"POST {CFGB}/connections": "admin", f"POST {CFGB}/projects/{{projectId}}/connections": "editor, by hand",
    f"PUT {CFGB}/projects/{{projectId}}/connections/{{connectionId}}": "editor, by hand",
    f"DELETE {CFGB}/projects/{{projectId}}/connections/{{connectionId}}": "editor, by hand",
    f"POST {CFGB}/projects/{{projectId}}/assets/move": "editor, by hand (≤ 98 assets a move)",
}
# POST routes that write nothing
READ_ONLY = {"POST /api/v1/assets/{asset_id}/impact", "POST /api/v1/contracts/compare",
             "POST /api/v1/sync/dbt/impact", "POST /api/v1/sync/dbt/diff"}


def _allow(rate: float) -> None:
    """A tenant that reports at `rate` has its report rate limit raised to it (a platform admin's
    setting): the model then sees the limiter's window items at that rate. (Older trees: no limit.)"""
    try:
        from accord.store import settings
    except ImportError:
        return
    settings.update(TENANT, {"report_rate_per_second": max(int(rate), settings.REPORT_RATE)})


def available(path: WritePath) -> bool:
    """Can this code tree run the path? (Older trees lack the bulk helpers.)"""
    if not path.requires:
        return True
    import importlib
    module, _, attr = path.requires.partition(":")
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return False
    return not attr or hasattr(mod, attr)


def run(ctx: Ctx, recorder, path: WritePath, n: int):
    """Set the path up and record at least n operations (whole batches).

    Entities: one if the path's rate is on one entity; else every operation of a batch path (and
    of a path whose operations use their entity up) on an entity of its own; else each entity
    twice, so that the model tells an entity's own items (touched again) from the fresh items
    every operation makes (touched once)."""
    calls = max(-(-n // path.batch), 2 if path.batch > 1 else 1)   # two batches at least: a batch's own items show
    if path.spread == 1:
        entities = 1
    elif path.batch > 1 or path.once:
        entities = min(path.spread, calls * path.batch)
    else:
        entities = min(path.spread, max(1, -(-n // 2)))
    ctx.team("producer")
    _allow(path.rate)
    state = path.setup(ctx, entities)
    for c in range(calls):
        i = c * path.batch
        with recorder.op(path.name, entity=c if path.batch > 1 and entities > 1 else i % entities, count=path.batch):
            path.run(ctx, state, i)
