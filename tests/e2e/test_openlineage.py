"""OpenLineage through the local runtime (DESIGN §10.2, §10.3), with the real `openlineage-python`
client and its sync HTTP transport (api-key token provider: `Authorization: Bearer`), gzip on and off,
and through the reports queue."""
import gzip
import json
import time
import uuid
from urllib.parse import quote

import pytest
import requests
from openlineage.client import OpenLineageClient
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpCompression, HttpConfig, HttpTransport

from tests.e2e.conftest import Api, new_key, new_tenant
from tests.support import openlineage as ol


def uniq(prefix="t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


class Tenant:
    def __init__(self, runtime, admin):
        t = new_tenant(admin)
        self.slug = t["id"]
        self.admin = Api(runtime.url, t["admin_key"]["key"])
        self.team = self.admin("POST", "/api/v1/teams", json={"name": uniq("team-")}).json()["id"]
        self.key = new_key(self.admin, scopes=["read", "write"], team_id=self.team)
        self.api = Api(runtime.url, self.key)
        self.url = runtime.url

    def client(self, compress: bool = False) -> OpenLineageClient:
        config = HttpConfig(url=self.url, auth=ApiKeyTokenProvider({"apiKey": self.key}), timeout=30,
                            compression=HttpCompression.GZIP if compress else None)
        return OpenLineageClient(transport=HttpTransport(config))

    def asset(self, fqn: str, **extra) -> str:
        r = self.api("POST", "/api/v1/assets", json={"fqn": fqn, "owner_team_id": self.team, **extra})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def publish(self, asset_id: str, schema: dict, **extra) -> dict:
        r = self.api("POST", f"/api/v1/assets/{asset_id}/contracts", json={"schema": schema, **extra})
        assert r.status_code in (200, 201), r.text
        return r.json()

    def get(self, path: str, **params):
        r = self.api("GET", path, params=params)
        assert r.status_code == 200, (path, r.status_code, r.text)
        return r.json()

    def deps(self, asset_id: str) -> dict:
        return {d["target_asset_id"]: d for d in self.get(f"/api/v1/assets/{asset_id}/dependencies")}

    def runs(self, job: str, ns: str = "dbt") -> list:
        return self.get(f"/api/v1/lineage/jobs/{quote(ns, safe='')}/{quote(job, safe='')}/runs")["results"]

    def audit(self, asset_id: str, **params) -> list:
        return self.get(f"/api/v1/assets/{asset_id}/audit-history", **params)["runs"]

    def events(self, asset_id: str) -> list:
        return self.get(f"/api/v1/assets/{asset_id}/events")["results"]

    def post_raw(self, body, headers=None):
        return requests.post(self.url + "/api/v1/lineage", data=body, timeout=30,
                             headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json",
                                      **(headers or {})})


@pytest.fixture(scope="module")
def acme(runtime, admin):
    return Tenant(runtime, admin)


def names(prefix: str, *parts) -> list[str]:
    return [f"{prefix}.{p}" for p in parts]


# ------------------------------------------------------------------ COMPLETE runs
@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_complete_run_materializes_links_and_records_the_run(acme, compress):
    p = uniq("wh")
    a_in, b_in, x_out, y_out = names(p, "raw.a", "raw.b", "mart.x", "mart.y")
    ids = {f: acme.asset(f) for f in (a_in, b_in, x_out, y_out)}
    acme.publish(ids[x_out], {"type": "object", "properties": {"id": {"type": "integer"}}},
                 guarantees={"freshness": {"max_staleness_minutes": 60}})
    client, run, job = acme.client(compress), str(uuid.uuid4()), uniq("job-")
    client.emit(ol.run_event("START", inputs=[a_in, b_in], outputs=[x_out, y_out], run_id=run, job=job))
    outputs = [{"name": x_out, "extra": {"outputStatistics": ol.stats(1200)}}, y_out]
    client.emit(ol.run_event("COMPLETE", inputs=[a_in, b_in], outputs=outputs, run_id=run, job=job))

    (materialization,) = acme.events(ids[x_out])
    assert materialization["type"] == "materialization"
    meta = materialization["metadata"]
    assert meta["openlineage/run_id"] == run and meta["openlineage/job_name"] == job
    assert meta["outputStatistics"] == {"rowCount": 1200}
    status = acme.get(f"/api/v1/assets/{ids[x_out]}/status")
    assert status["freshness"]["status"] == "fresh"          # freshness from OpenLineage alone
    for out in (x_out, y_out):
        deps = acme.deps(ids[out])
        assert set(deps) == {ids[a_in], ids[b_in]}
        assert all(d["source"] == "openlineage" and d["call_count"] == 1 and d["last_observed_at"]
                   for d in deps.values())
    (summary,) = acme.runs(job)
    assert summary["run_id"] == run and summary["state"] == "COMPLETED"
    assert set(summary["events"]) == {"START", "COMPLETE"} and summary["event_count"] == 2
    assert len(summary["outcome"]["dependencies_added"]) == 4

    # a second run refreshes the same edges: call_count counts runs
    client.emit(ol.run_event("COMPLETE", inputs=[a_in, b_in], outputs=[x_out, y_out], job=job))
    assert {d["call_count"] for d in acme.deps(ids[x_out]).values()} == {2}
    assert len(acme.events(ids[x_out])) == 2
    lineage = acme.get(f"/api/v1/assets/{ids[a_in]}/lineage")
    assert {n["fqn"] for n in lineage["downstream"]} == {x_out, y_out}


def test_fail_and_abort_are_on_the_run_history(acme):
    client, job = acme.client(), uniq("job-")
    p = uniq("wh")
    failed, aborted = str(uuid.uuid4()), str(uuid.uuid4())
    client.emit(ol.run_event("START", outputs=[f"{p}.t"], run_id=failed, job=job))
    client.emit(ol.run_event("FAIL", outputs=[f"{p}.t"], run_id=failed, job=job, error="division by zero"))
    client.emit(ol.run_event("RUNNING", run_id=aborted, job=job))
    client.emit(ol.run_event("ABORT", run_id=aborted, job=job))
    runs = {r["run_id"]: r for r in acme.runs(job)}
    assert runs[failed]["state"] == "FAILED" and runs[failed]["error_message"] == "division by zero"
    assert runs[aborted]["state"] == "ABORTED" and set(runs[aborted]["events"]) == {"RUNNING", "ABORT"}
    # nothing was materialized: only COMPLETE runs write materializations
    assert acme.get("/api/v1/events", asset_key=json.dumps([p, "t"]))["results"] == []


def test_a_late_event_does_not_undo_the_end_of_a_run(acme):
    """Events arrive out of order: a RUNNING delivered after the COMPLETE (earlier event time) adds
    its transition, but the run stays COMPLETED with the outcome the COMPLETE recorded."""
    client, job, p = acme.client(), uniq("job-"), uniq("wh")
    out = f"{p}.t"
    acme.asset(out)
    run = str(uuid.uuid4())
    client.emit(ol.run_event("COMPLETE", outputs=[out], run_id=run, job=job, at="2024-05-01T10:00:05.000Z"))
    client.emit(ol.run_event("RUNNING", outputs=[out], run_id=run, job=job, at="2024-05-01T10:00:01.000Z"))
    (view,) = acme.runs(job)
    assert view["state"] == "COMPLETED" and view["ended_at"] == "2024-05-01T10:00:05.000Z"
    assert view["events"] == {"RUNNING": "2024-05-01T10:00:01.000Z", "COMPLETE": "2024-05-01T10:00:05.000Z"}
    assert view["first_event_at"] == "2024-05-01T10:00:01.000Z" and view["event_count"] == 2
    assert view["outcome"]["materialized"] == [out]


def test_unknown_job_is_404(acme):
    r = acme.api("GET", "/api/v1/lineage/jobs/nope/never/runs")
    assert r.status_code == 404 and r.json()["error"]["code"] == "JOB_NOT_FOUND"


# ------------------------------------------------------------------ the queue
def test_queue_takes_openlineage_events_and_triple_delivery_records_once(runtime, acme, aws_clients):
    sqs, _ = aws_clients
    p = uniq("wh")
    src, dst = names(p, "raw.q", "mart.q")
    ids = {f: acme.asset(f) for f in (src, dst)}
    job, run = uniq("job-"), str(uuid.uuid4())
    body = json.dumps(ol.as_dict(ol.run_event("COMPLETE", inputs=[src], outputs=[dst], run_id=run, job=job)))
    for _ in range(3):   # the same event three times (a producer's retries, an at-least-once queue)
        sqs.send_message(QueueUrl=runtime.queue_urls["ReportsQueue"], MessageBody=body,
                         MessageAttributes={"tenant": {"DataType": "String", "StringValue": acme.slug}})
    deadline = time.time() + 30
    while time.time() < deadline:
        r = acme.api("GET", f"/api/v1/lineage/jobs/dbt/{job}/runs")
        if r.status_code == 200 and r.json()["results"]:
            break
        time.sleep(0.3)
    time.sleep(2.0)   # let the other two deliveries be processed too
    (summary,) = acme.runs(job)
    assert summary["event_count"] == 1
    assert acme.deps(ids[dst])[ids[src]]["call_count"] == 1
    assert len(acme.events(ids[dst])) == 1
    attrs = sqs.get_queue_attributes(QueueUrl=runtime.queue_urls["ReportsQueue"],
                                     AttributeNames=["ApproximateNumberOfMessages"])
    assert attrs["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_an_invalid_event_on_the_queue_is_rejected_with_its_reason(runtime, acme, aws_clients):
    sqs, _ = aws_clients
    event = ol.as_dict(ol.run_event("COMPLETE", job=uniq("job-")))
    event["run"]["runId"] = "not-a-uuid"
    sqs.send_message(QueueUrl=runtime.queue_urls["ReportsQueue"], MessageBody=json.dumps(event),
                     MessageAttributes={"tenant": {"DataType": "String", "StringValue": acme.slug}})
    deadline = time.time() + 30
    while time.time() < deadline:
        rejected = acme.get("/api/v1/events/rejected")["results"]
        if any("run.runId" in r["reason"] for r in rejected):
            return
        time.sleep(0.3)
    raise AssertionError(f"not rejected: {rejected}")


# ------------------------------------------------------------------ cycles
def test_an_edge_that_would_close_a_cycle_is_skipped_and_recorded(acme):
    client, p = acme.client(), uniq("wh")
    a, b = names(p, "a", "b")
    ids = {f: acme.asset(f) for f in (a, b)}
    client.emit(ol.run_event("COMPLETE", inputs=[a], outputs=[b], job=uniq("job-")))    # b depends on a
    job = uniq("job-")
    client.emit(ol.run_event("COMPLETE", inputs=[b], outputs=[a], job=job))             # would close a → b → a
    assert acme.deps(ids[a]) == {}
    assert set(acme.deps(ids[b])) == {ids[a]}
    (summary,) = acme.runs(job)
    (skipped,) = summary["outcome"]["dependencies_skipped"]
    assert skipped["reason"] == "cycle" and skipped["cycle"] == [a, b, a]
    # and within one event: inputs [c, d], outputs [d, c] would make c ↔ d
    c, d = names(p, "c", "d")
    ids.update({f: acme.asset(f) for f in (c, d)})
    job2 = uniq("job-")
    client.emit(ol.run_event("COMPLETE", inputs=[c, d], outputs=[d, c], job=job2))
    (summary,) = acme.runs(job2)
    assert len(summary["outcome"]["dependencies_added"]) == 1
    assert len(summary["outcome"]["dependencies_skipped"]) == 1


# ------------------------------------------------------------------ discovered datasets
def test_a_dataset_discovered_first_is_picked_up_when_registered(acme):
    client, p = acme.client(), uniq("wh")
    src, new = names(p, "raw.src", "mart.new")
    src_id = acme.asset(src)
    job = uniq("job-")
    client.emit(ol.run_event("COMPLETE", inputs=[src], outputs=[new], job=job))
    found = {d["name"]: d for d in acme.get("/api/v1/lineage/discovered", limit=500)["results"]}
    assert new in found and src not in found
    entry = found[new]
    assert entry["fqn"] == new and entry["registered_asset_id"] is None and entry["first_seen_at"]
    assert entry["jobs"] == [{"namespace": "dbt", "name": job, "role": "output", "last_seen_at": entry["last_seen_at"]}]

    new_id = acme.asset(new)          # registered after it was discovered
    found = {d["name"]: d for d in acme.get("/api/v1/lineage/discovered", limit=500)["results"]}
    assert found[new]["registered_asset_id"] == new_id
    assert len(acme.events(new_id)) == 1     # the materialization seen while it was discovered is its own

    client.emit(ol.run_event("COMPLETE", inputs=[src], outputs=[new], job=job))
    found = {d["name"] for d in acme.get("/api/v1/lineage/discovered", limit=500)["results"]}
    assert new not in found                     # picked up: the asset took over
    assert set(acme.deps(new_id)) == {src_id}
    assert len(acme.events(new_id)) == 2


def test_namespaces_map_to_environments(acme, runtime):
    p = uniq("wh")
    fqn = f"{p}.orders"
    prod, staging = acme.asset(fqn), acme.asset(fqn, environment="staging")
    src_prod, src_staging = acme.asset(f"{p}.src"), acme.asset(f"{p}.src", environment="staging")
    r = acme.api("PUT", "/api/v1/lineage/settings", json={"namespaces": {"postgres://staging-*": "staging"}})
    assert r.status_code == 403                 # a tenant admin decides
    admin = Api(runtime.url, new_key(acme.admin, scopes=["read", "write", "admin"]))
    r = admin("PUT", "/api/v1/lineage/settings", json={"namespaces": {"postgres://staging-*": "staging"}})
    assert r.status_code == 200, r.text
    assert acme.get("/api/v1/lineage/settings")["namespaces"] == {"postgres://staging-*": "staging"}
    time.sleep(0.1)
    bad = admin("PUT", "/api/v1/lineage/settings", json={"namespaces": {"x": "not an env!"}})
    assert bad.status_code == 422
    client = acme.client()
    for attempt in range(30):   # the settings are cached for a minute per warm function: poll
        client.emit(ol.run_event("COMPLETE", inputs=[f"{p}.src"], outputs=[fqn], job=uniq("job-"),
                                 ns="postgres://staging-db:5432"))
        if acme.deps(staging):
            break
        time.sleep(3)
    assert set(acme.deps(staging)) == {src_staging}
    assert acme.deps(prod) == {} and src_prod


# ------------------------------------------------------------------ column lineage, field-level impact
def test_column_lineage_and_field_level_impact(acme):
    client, p = acme.client(), uniq("wh")
    src, mid, out, other = names(p, "raw.users", "stg.users", "mart.users", "mart.emails")
    ids = {f: acme.asset(f) for f in (src, mid, out, other)}
    acme.publish(ids[src], {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"}},
                            "required": ["id"]})
    client.emit(ol.run_event("COMPLETE", inputs=[src], job=uniq("job-"), outputs=[{"name": mid, "facets": {
        "columnLineage": ol.column_lineage({"user_id": [(src, "id")], "mail": [(src, "email")]})}}]))
    client.emit(ol.run_event("COMPLETE", inputs=[mid], job=uniq("job-"), outputs=[{"name": out, "facets": {
        "columnLineage": ol.column_lineage({"uid": [(mid, "user_id")]})}}]))
    client.emit(ol.run_event("COMPLETE", inputs=[src], job=uniq("job-"), outputs=[{"name": other, "facets": {
        "columnLineage": ol.column_lineage({"address": [(src, "email")]})}}]))

    view = acme.get(f"/api/v1/assets/{ids[mid]}/lineage", columns="true")
    cols = {c["name"]: c for c in view["columns"]}
    assert [(u["fqn"], u["column"]) for u in cols["user_id"]["upstream"]] == [(src, "id")]
    assert [(d["fqn"], d["column"]) for d in cols["user_id"]["downstream"]] == [(out, "uid")]
    src_view = {c["name"]: c for c in acme.get(f"/api/v1/assets/{ids[src]}/lineage", columns="true")["columns"]}
    assert {(d["fqn"], d["column"]) for d in src_view["email"]["downstream"]} == {(mid, "mail"), (other, "address")}
    assert "columns" not in acme.get(f"/api/v1/assets/{ids[src]}/lineage")

    # a breaking change to `id`: derived into stg.users.user_id (depth 1) and mart.users.uid (depth 2);
    # mart.emails reads only `email`: untouched, still listed
    breaking = {"type": "object", "properties": {"id": {"type": "string"}, "email": {"type": "string"}},
                "required": ["id"]}
    r = acme.api("POST", f"/api/v1/assets/{ids[src]}/impact", json={"proposed_schema": breaking})
    assert r.status_code == 200, r.text
    impact = r.json()
    (change,) = impact["breaking_changes"]
    assert change["column"] == "id"
    derived = {(d["fqn"], c["column"], d["depth"]) for d in change["downstream"] for c in d["columns"]}
    assert derived == {(mid, "user_id", 1), (out, "uid", 2)}
    marks = {n["fqn"]: n["field_impact"] for n in impact["affected_assets"]}
    assert marks == {mid: "touched", out: "touched", other: "untouched"}

    # the publish path's proposal says the same (a registered consumer makes it a proposal)
    consumer = acme.admin("POST", "/api/v1/teams", json={"name": uniq("consumer-")}).json()["id"]
    contract = acme.get(f"/api/v1/assets/{ids[src]}")["active_contract_id"]
    assert acme.admin("POST", "/api/v1/registrations",
                      json={"contract_id": contract, "consumer_team_id": consumer}).status_code == 201
    result = acme.publish(ids[src], breaking)
    assert result["action"] == "proposal_created"
    proposal = acme.get(f"/api/v1/proposals/{result['proposal']['id']}")
    (change,) = proposal["breaking_changes"]
    assert {d["fqn"] for d in change["downstream"]} == {mid, out}
    assert {a["fqn"]: a["field_impact"] for a in proposal["affected_assets"]}[other] == "untouched"


# ------------------------------------------------------------------ drift
TABLE = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                          "created": {"type": "string", "format": "date-time"}},
         "required": ["id"]}


def _drift_runs(acme, asset_id):
    return acme.audit(asset_id, triggered_by="schema_drift")


@pytest.mark.parametrize("mode,removal_drifts", [("backward", True), ("forward", True), ("full", True),
                                                  ("none", False)])
def test_openlineage_schema_facet_drift_across_modes(acme, mode, removal_drifts):
    client, p = acme.client(), uniq("wh")
    fqn = f"{p}.orders"
    asset = acme.asset(fqn)
    acme.publish(asset, TABLE, compatibility_mode=mode)
    same = ol.schema(("id", "BIGINT"), ("name", "VARCHAR(200)"), ("created", "TIMESTAMP"), ("extra", "TEXT"))
    client.emit(ol.run_event("COMPLETE", outputs=[{"name": fqn, "facets": {"schema": same}}], job=uniq("job-")))
    assert _drift_runs(acme, asset) == []      # compatible (an added column never breaks a table): nothing new
    removed = ol.schema(("id", "BIGINT"), ("created", "TIMESTAMP"))
    run = str(uuid.uuid4())
    client.emit(ol.run_event("COMPLETE", outputs=[{"name": fqn, "facets": {"schema": removed}}], run_id=run,
                             job=uniq("job-")))
    runs = _drift_runs(acme, asset)
    if not removal_drifts:
        assert runs == []
        return
    (found,) = runs
    assert found["status"] == "failed" and found["run_id"] == run
    full = acme.get(f"/api/v1/assets/{asset}/audit-history", triggered_by="schema_drift", limit=1)
    assert full["total_runs"] == 1
    # the same drift in the next run is one more failed run, from the remembered verdict
    client.emit(ol.run_event("COMPLETE", outputs=[{"name": fqn, "facets": {"schema": removed}}], job=uniq("job-")))
    assert len(_drift_runs(acme, asset)) == 2
    # one accord.contract.drift_detected event (for the schema, not per run), naming the first run
    (event,) = acme.get("/api/v1/activity", type="accord.contract.drift_detected", asset_id=asset)["results"]
    assert event["data"]["audit_run_id"] == found["id"] and event["data"]["observed_by"] == "openlineage"
    assert event["data"]["version"] == "1.0.0" and event["data"]["changes"] >= 1
    # nothing was published by drift
    assert len(acme.get(f"/api/v1/assets/{asset}/contracts")) == 1


def test_openlineage_type_change_is_drift_and_names_the_change(acme):
    client, p = acme.client(), uniq("wh")
    fqn = f"{p}.orders"
    asset = acme.asset(fqn)
    acme.publish(asset, TABLE)
    changed = ol.schema(("id", "VARCHAR"), ("name", "VARCHAR"), ("created", "TIMESTAMP"))
    client.emit(ol.run_event("COMPLETE", outputs=[{"name": fqn, "facets": {"schema": changed}}], job=uniq("job-")))
    (found,) = _drift_runs(acme, asset)
    r = acme.api("GET", f"/api/v1/assets/{asset}/audit-history", params={"triggered_by": "schema_drift"})
    assert r.json()["runs"][0]["failed_guarantees"] == ["schema"]
    assert found["contract_version"] == "1.0.0"


def test_drift_is_judged_against_the_contract_published_just_before(acme):
    """A warm function remembers assets for a minute; a contract published meanwhile still decides:
    the table that drops `name` under 1.0.0 is exactly 2.0.0, so no drift is recorded."""
    client, p = acme.client(), uniq("wh")
    fqn = f"{p}.orders"
    asset = acme.asset(fqn)
    acme.publish(asset, TABLE)
    full = ol.schema(("id", "BIGINT"), ("name", "VARCHAR"), ("created", "TIMESTAMP"))
    for _ in range(2):   # remembered by whichever warm process serves the route
        client.emit(ol.run_event("COMPLETE", outputs=[{"name": fqn, "facets": {"schema": full}}], job=uniq("job-")))
    smaller = {**TABLE, "properties": {n: v for n, v in TABLE["properties"].items() if n != "name"}}
    assert acme.publish(asset, smaller)["version"].startswith("2.")
    narrow = ol.schema(("id", "BIGINT"), ("created", "TIMESTAMP"))
    client.emit(ol.run_event("COMPLETE", outputs=[{"name": fqn, "facets": {"schema": narrow}}], job=uniq("job-")))
    assert _drift_runs(acme, asset) == []
    # and a real drift against 2.0.0 is still found
    client.emit(ol.run_event("COMPLETE", outputs=[{"name": fqn, "facets": {"schema": ol.schema(("id", "BIGINT"))}}],
                             job=uniq("job-")))
    (found,) = _drift_runs(acme, asset)
    assert found["contract_version"].startswith("2.")


@pytest.mark.parametrize("wrapped", [False, True], ids=["plain", "pipes"])
def test_dagster_column_schema_drift(acme, runtime, wrapped):
    p = uniq("wh")
    fqn = f"{p}.orders"
    asset = acme.asset(fqn)
    acme.publish(asset, TABLE, compatibility_mode="full")   # a column turning nullable breaks readers (forward)
    dagster = Api(runtime.url, acme.key, header="Dagster-Cloud-Api-Token")

    def report(columns):
        value = {"columns": columns, "constraints": {"other": []}}
        if wrapped:
            value = {"type": "table_schema", "raw_value": value}
        r = dagster("POST", "/report_asset_materialization/" + fqn.replace(".", "/"),
                    json={"metadata": {"dagster/column_schema": value}})
        assert r.status_code == 200, r.text

    col = lambda n, t, nullable=None: {"name": n, "type": t, "description": None, "tags": {},  # noqa: E731
                                       "constraints": {"other": [], **({} if nullable is None else
                                                                       {"nullable": nullable})}}
    report([col("id", "int", False), col("name", "string"), col("created", "timestamp")])
    assert _drift_runs(acme, asset) == []
    report([col("id", "int", True), col("name", "string"), col("created", "timestamp")])   # id becomes nullable
    (found,) = _drift_runs(acme, asset)
    assert found["status"] == "failed"
    report([col("id", "int", False), col("created", "timestamp")])                          # name removed
    assert len(_drift_runs(acme, asset)) == 2


def test_data_quality_assertions_become_one_audit_run_per_dataset_per_run(acme):
    client, p = acme.client(), uniq("wh")
    fqn = f"{p}.orders"
    asset = acme.asset(fqn)
    checks = ol.assertions(("not_null", True, "id"), ("unique", False, "id"))
    ds = {"name": fqn, "extra": {"dataQualityAssertions": checks}}
    run = str(uuid.uuid4())
    client.emit(ol.run_event("START", inputs=[ds], run_id=run, job=uniq("job-")))
    client.emit(ol.run_event("COMPLETE", inputs=[ds], run_id=run, job=uniq("job-")))
    (found,) = acme.audit(asset)
    assert found["triggered_by"] == "dbt" and found["run_id"] == run and found["status"] == "failed"
    assert (found["guarantees_checked"], found["guarantees_failed"]) == (2, 1)


# ------------------------------------------------------------------ bad input: 4xx, never 5xx
REQUIRED = [["eventTime"], ["producer"], ["schemaURL"], ["run", "runId"], ["job", "namespace"], ["job", "name"],
            ["inputs", 0, "namespace"], ["inputs", 0, "name"], ["outputs", 0, "name"]]


def _valid() -> dict:
    return ol.as_dict(ol.run_event("COMPLETE", inputs=["a.b"], outputs=["c.d"], job="bad-input"))


@pytest.mark.parametrize("path", REQUIRED, ids=lambda p: ".".join(map(str, p)))
def test_every_required_field_missing_in_turn_is_422_naming_it(acme, path):
    event = _valid()
    node = event
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    r = acme.post_raw(json.dumps(event))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"]["code"] == "INVALID_LINEAGE_EVENT"
    where = ".".join(map(str, path[:-1])) or "the event"
    assert where in body["error"]["message"] and repr(path[-1]).replace("'", '"') in body["error"]["message"]


@pytest.mark.parametrize("mutate,where", [
    (lambda e: e.update(eventType="FINISHED"), "eventType"),
    (lambda e: e["run"].update(runId="run-42"), "run.runId"),
    (lambda e: e.update(eventTime="yesterday"), "eventTime"),
    (lambda e: e.update(inputs="a.b"), "inputs"),
    (lambda e: e["outputs"][0].update(facets={"schema": {"fields": [{"type": "int"}]}}), "outputs.0.facets.schema"),
    (lambda e: e["outputs"][0].update(facets={"schema": {"_producer": "https://x", "_schemaURL": "https://y",
                                                         "fields": [{"type": "int"}]}}), "outputs.0.facets.schema"),
], ids=["enum", "run-id", "time", "inputs-type", "facet-base", "facet-field"])
def test_wrong_values_are_422_naming_the_path(acme, mutate, where):
    event = _valid()
    mutate(event)
    r = acme.post_raw(json.dumps(event))
    assert r.status_code == 422, r.text
    assert where in r.json()["error"]["message"]


def test_unreadable_bodies_are_400_413_415(acme):
    assert acme.post_raw(b"{not json").status_code == 400
    assert acme.post_raw(b"[1, 2]").status_code == 422
    assert acme.post_raw(b"").status_code == 400
    assert acme.post_raw(b"\x1f\x8b not gzip", {"Content-Encoding": "gzip"}).status_code == 400
    assert acme.post_raw(json.dumps(_valid()), {"Content-Type": "text/plain"}).status_code == 415
    deep = "[" * 200 + "]" * 200
    assert acme.post_raw(deep).status_code == 400
    huge = _valid()
    huge["outputs"][0]["facets"] = {"big": {"_producer": "https://x", "_schemaURL": "https://y", "blob": "x" * 300_000}}
    r = acme.post_raw(gzip.compress(json.dumps(huge).encode()), {"Content-Encoding": "gzip"})
    assert r.status_code == 413 and "limit" in r.json()["error"]["message"]
    bomb = gzip.compress(b'{"a": "' + b"x" * 6_000_000 + b'"}')
    assert acme.post_raw(bomb, {"Content-Encoding": "gzip"}).status_code == 413
    many = _valid()
    many["inputs"] = [{"namespace": "n", "name": f"t{i}"} for i in range(101)]
    assert acme.post_raw(json.dumps(many)).status_code == 413


def test_keys_and_scopes(acme, runtime):
    assert requests.post(runtime.url + "/api/v1/lineage", json=_valid(), timeout=30).status_code == 401
    reader = new_key(acme.admin, scopes=["read"])
    r = requests.post(runtime.url + "/api/v1/lineage", json=_valid(), timeout=30,
                      headers={"Authorization": f"Bearer {reader}"})
    assert r.status_code == 403


def test_another_tenants_events_never_touch_this_tenants_assets(runtime, admin, acme):
    p = uniq("wh")
    src, dst = names(p, "raw.iso", "mart.iso")
    ids = {f: acme.asset(f) for f in (src, dst)}
    other = Tenant(runtime, admin)
    other.client().emit(ol.run_event("COMPLETE", inputs=[src], outputs=[dst], job=uniq("job-")))
    assert acme.deps(ids[dst]) == {} and acme.events(ids[dst]) == []
    mine = {d["name"] for d in other.get("/api/v1/lineage/discovered", limit=500)["results"]}
    assert {src, dst} <= mine          # in the other tenant they are discovered datasets
    theirs = {d["name"] for d in acme.get("/api/v1/lineage/discovered", limit=500)["results"]}
    assert not {src, dst} & theirs
