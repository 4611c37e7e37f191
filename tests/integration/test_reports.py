"""Reports, in process (moto): recording over HTTP, idempotency, latest pointers, checks → audit runs,
freshness with an injected clock, the registry reads."""
import json
import uuid
from dataclasses import replace

import pytest

from accord import clock
from accord.reports import record as recorder
from tests.integration.conftest import load_app
from tests.integration.test_assets import assets_app, new_asset, new_team, owner, team_key  # noqa: F401
from tests.support.aws import DynamoCalls
from tests.support.events import api_event, body

MAT = "/report_asset_materialization"
MAT_PATH = "/report_asset_materialization/{asset_key+}"
CHECK = "/report_asset_check"
OBS = "/report_asset_observation"
BATCH = "/report_asset_events"


@pytest.fixture(scope="session")
def reports_app():
    return load_app("reports")


@pytest.fixture(scope="session")
def events_app():
    return load_app("events")


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch):
    monkeypatch.setattr(recorder, "_asset_cache", {})
    monkeypatch.setattr(recorder, "_written", {})
    monkeypatch.setattr(clock, "_offset_seconds", 0.0)


def post(app, principal, resource=MAT, path_params=None, *, expect=200, headers=None, **kw):
    r = app.lambda_handler(api_event("POST", resource, path_params, principal=principal, headers=headers, **kw), None)
    assert r["statusCode"] == expect, r
    return body(r)


def get(app, principal, resource, path_params=None, expect=200, **query):
    r = app.lambda_handler(api_event("GET", resource, path_params, principal=principal,
                                     query={k: str(v) for k, v in query.items()} or None), None)
    assert r["statusCode"] == expect, r
    return body(r)


def key_events(events_app, principal, key, **query):
    return get(events_app, principal, "/api/v1/events", asset_key=json.dumps(key), **query)["results"]


# ------------------------------------------------------------------ recording
def test_materialization_is_stored_with_every_field(reports_app, events_app, aws, admin):
    assert post(reports_app, admin, MAT_PATH, {"asset_key": "warehouse/orders"},
                body={"metadata": {"rows": 10, "ratio": 0.5, "ok": True, "tags": ["a"], "nested": {"x": None}},
                      "partition": "2024-01-01", "description": "nightly", "data_version": "v7"}) == {}
    [ev] = key_events(events_app, admin, ["warehouse", "orders"])
    assert ev["type"] == "materialization" and ev["asset_key"] == ["warehouse", "orders"]
    assert ev["metadata"] == {"rows": 10, "ratio": 0.5, "ok": True, "tags": ["a"], "nested": {"x": None}}
    assert (ev["partition"], ev["description"], ev["data_version"]) == ("2024-01-01", "nightly", "v7")
    assert ev["source"] == "http" and ev["timestamp"].endswith("Z")


def test_one_http_report_is_one_request_and_a_check_at_most_two(reports_app, aws, admin, assets_app, owner):
    team, key = owner
    new_asset(assets_app, key, team["id"], "wh.checked")
    post(reports_app, admin, body={"asset_key": ["wh", "warm"]})   # the tenant's settings: read once a minute
    with DynamoCalls(skip=b"#RATE#") as calls:
        post(reports_app, admin, body={"asset_key": ["wh", "plain"]})
    assert calls.ops == ["TransactWriteItems"]
    with DynamoCalls(skip=b"#RATE#") as calls:
        post(reports_app, admin, CHECK, body={"asset_key": ["wh", "checked"], "check_name": "c", "passed": True})
    assert calls.ops == ["Query", "TransactWriteItems"]
    with DynamoCalls(skip=b"#RATE#") as calls:  # the key's assets are remembered briefly by the warm function
        post(reports_app, admin, CHECK, body={"asset_key": ["wh", "checked"], "check_name": "c", "passed": False})
    assert calls.ops == ["TransactWriteItems"]


def test_writes_need_the_write_scope(reports_app, aws, admin):
    reader = replace(admin, key_id=str(uuid.uuid4()), scopes=frozenset({"read"}))
    err = post(reports_app, reader, body={"asset_key": "a"}, expect=403)
    assert set(err) == {"error"} and "write" in err["error"]


def test_idempotency_key_dedupes_and_refuses_reuse_for_another_report(reports_app, events_app, aws, admin):
    hdr = {"Idempotency-Key": "run-42"}
    for _ in range(3):
        assert post(reports_app, admin, headers=hdr, body={"asset_key": "k", "metadata": {"n": 1}}) == {}
    assert len(key_events(events_app, admin, ["k"])) == 1
    err = post(reports_app, admin, headers=hdr, body={"asset_key": "k", "metadata": {"n": 2}}, expect=422)
    assert err == {"error": "Idempotency-Key 'run-42' was already used for a different report."}
    assert len(key_events(events_app, admin, ["k"])) == 1
    assert post(reports_app, admin, headers={"Idempotency-Key": " "}, body={"asset_key": "k"}, expect=400)


def test_tenants_do_not_see_each_others_events(reports_app, events_app, aws, admin):
    post(reports_app, admin, body={"asset_key": "shared"})
    other = replace(admin, tenant="globex", key_id=str(uuid.uuid4()))
    assert key_events(events_app, other, ["shared"]) == []
    assert get(events_app, other, "/api/v1/events/unregistered")["results"] == []


# ------------------------------------------------------------------ latest pointers
def test_pointers_only_move_forward_in_event_time(reports_app, aws, admin, assets_app, owner, events_app):
    team, key = owner
    asset = new_asset(assets_app, key, team["id"], "lake.sales")
    events = [{"type": "materialization", "asset_key": ["lake", "sales"], "timestamp": t, "metadata": {"t": t},
               "partition": p} for t, p in (("2024-05-02T00:00:00Z", "b"), ("2024-05-01T00:00:00Z", "a"),
                                            ("2024-05-03T00:00:00Z", "a"))]
    out = post(reports_app, admin, BATCH, body=events)
    assert out["recorded"] == 3
    late = [{"type": "materialization", "asset_key": ["lake", "sales"], "timestamp": "2024-04-01T00:00:00Z",
             "partition": "b"},
            {"type": "check", "asset_key": ["lake", "sales"], "check_name": "rows", "passed": False,
             "timestamp": "2024-05-04T00:00:00Z"},
            {"type": "check", "asset_key": ["lake", "sales"], "check_name": "rows", "passed": True,
             "timestamp": "2024-05-03T12:00:00Z"}]
    post(reports_app, admin, BATCH, body=late)
    status = get(events_app, key, "/api/v1/assets/{asset_id}/status", {"asset_id": asset["id"]})
    assert status["last_materialization"]["timestamp"] == "2024-05-03T00:00:00.000Z"
    assert status["last_materialization"]["metadata"] == {"t": "2024-05-03T00:00:00Z"}
    assert status["checks"]["rows"]["timestamp"] == "2024-05-04T00:00:00.000Z"
    assert status["checks"]["rows"]["passed"] is False and status["checks"]["rows"]["status"] == "failed"
    # per partition: the newest-first partition index
    latest_b = get(events_app, key, "/api/v1/assets/{asset_id}/events", {"asset_id": asset["id"]},
                   partition="b", limit=1)["results"]
    assert [e["timestamp"] for e in latest_b] == ["2024-05-02T00:00:00.000Z"]
    # an HTTP report now (event time = receipt) moves the pointer again
    post(reports_app, admin, MAT_PATH, {"asset_key": "lake/sales"})
    status = get(events_app, key, "/api/v1/assets/{asset_id}/status", {"asset_id": asset["id"]})
    assert status["last_materialization"]["timestamp"] > "2025"


def test_a_replayed_old_event_does_not_regress_the_pointer(aws, admin):
    from accord.reports import parse, status
    newer = recorder.prepare(parse.parse_typed({"type": "observation", "asset_key": "p", "event_id": "new",
                                                "timestamp": "2024-01-02T00:00:00Z"}), source="test")
    older = recorder.prepare(parse.parse_typed({"type": "observation", "asset_key": "p", "event_id": "old",
                                                "timestamp": "2024-01-01T00:00:00Z"}), source="test")
    recorder.record_one("acme", newer)
    recorder.record_one("acme", older)
    recorder.record_many("acme", [recorder.prepare(parse.parse_typed(
        {"type": "observation", "asset_key": "p", "event_id": "old2", "timestamp": "2023-01-01T00:00:00Z"}),
        source="test")])
    assert status.status_of_key("acme", ["p"])["last_observation"]["event_id"] == "new"


# ------------------------------------------------------------------ checks → audit runs
def test_check_evaluations_become_audit_runs(reports_app, events_app, aws, admin, assets_app, owner):
    team, key = owner
    asset = new_asset(assets_app, key, team["id"], "wh.orders")
    post(reports_app, admin, CHECK, body={"asset_key": ["wh", "orders"], "check_name": "not_null", "passed": True})
    post(reports_app, admin, CHECK, query={"asset_key": "wh/orders", "check_name": "fresh", "passed": "false",
                                           "severity": "WARN"})
    post(reports_app, admin, CHECK, headers={"Idempotency-Key": "x1"},
         body={"asset_key": ["wh", "orders"], "check_name": "dbt", "passed": False, "description": "2 rows",
               "metadata": {"triggered_by": "dbt_test", "rows_failed": 2}})
    post(reports_app, admin, CHECK, headers={"Idempotency-Key": "x1"},  # a retry: no second run
         body={"asset_key": ["wh", "orders"], "check_name": "dbt", "passed": False, "description": "2 rows",
               "metadata": {"triggered_by": "dbt_test", "rows_failed": 2}})
    h = get(assets_app, key, "/api/v1/assets/{asset_id}/audit-history", {"asset_id": asset["id"]})
    assert h["total_runs"] == 3
    runs = {r["failed_guarantees"][0] if r["failed_guarantees"] else "not_null": r for r in h["runs"]}
    assert runs["not_null"]["status"] == "passed" and runs["not_null"]["triggered_by"] == "dagster"
    assert runs["fresh"]["status"] == "failed" and runs["fresh"]["triggered_by"] == "dagster"
    assert runs["dbt"]["triggered_by"] == "dbt_test" and runs["dbt"]["run_id"] == "x1"
    failed = get(assets_app, key, "/api/v1/assets/{asset_id}/audit-history", {"asset_id": asset["id"]},
                 status="failed")
    assert failed["total_runs"] == 2
    by_dagster = get(assets_app, key, "/api/v1/assets/{asset_id}/audit-history", {"asset_id": asset["id"]},
                     triggered_by="dagster")
    assert by_dagster["total_runs"] == 2
    # severity is kept (in the run's results and details)
    from accord.store import audit as audit_store
    [warn] = [r for r in audit_store.history("acme", asset["id"], status=None, triggered_by=None, limit=10)
              if r["details"]["check_name"] == "fresh"]
    assert warn["details"]["severity"] == "WARN" and warn["guarantee_results"][0]["metadata"]["severity"] == "WARN"
    assert warn["details"]["asset_key"] == ["wh", "orders"]


def test_an_audit_run_without_a_dagster_run_id_carries_the_reports_id(reports_app, events_app, aws, admin,
                                                                      assets_app, owner):
    team, key = owner
    asset = new_asset(assets_app, key, team["id"], "wh.runs")
    check = {"asset_key": ["wh", "runs"], "passed": True}
    post(reports_app, admin, CHECK, body={**check, "check_name": "plain"})
    post(reports_app, admin, CHECK, body={**check, "check_name": "keyed"}, headers={"Idempotency-Key": "k-7"})
    post(reports_app, admin, CHECK, body={**check, "check_name": "dagster", "metadata": {"dagster/run_id": "r-1"}})
    post(reports_app, admin, BATCH, headers={"Idempotency-Key": "b-9"},
         body=[{"type": "check", **check, "check_name": "batched"},
               {"type": "check", **check, "check_name": "own", "event_id": "e-3"}])
    h = get(assets_app, key, "/api/v1/assets/{asset_id}/audit-history", {"asset_id": asset["id"]})
    from accord.store import audit as audit_store
    runs = {r["details"]["check_name"]: r["run_id"]
            for r in audit_store.history("acme", asset["id"], status=None, triggered_by=None, limit=10)}
    listed = {e["check_name"]: e for e in key_events(events_app, admin, ["wh", "runs"])}
    # no id given: the event's own id, as the events list shows it
    assert runs["plain"] == listed["plain"]["id"] and listed["plain"]["event_id"] is None
    assert runs["keyed"] == listed["keyed"]["event_id"] == "k-7"
    assert runs["dagster"] == "r-1"
    assert runs["batched"] == listed["batched"]["event_id"] == "b-9#0"
    assert runs["own"] == listed["own"]["event_id"] == "e-3"
    assert {r["run_id"] for r in h["runs"]} == set(runs.values()) and None not in runs.values()


def test_a_check_on_an_unregistered_key_is_kept_without_an_audit_run(reports_app, events_app, aws, admin):
    post(reports_app, admin, CHECK, body={"asset_key": "nobody", "check_name": "c", "passed": True})
    [ev] = key_events(events_app, admin, ["nobody"])
    assert ev["check_name"] == "c" and ev["passed"] is True and ev["severity"] == "ERROR"


def test_a_deleted_asset_remembered_gets_runs_until_the_cache_is_refreshed(reports_app, aws, admin, assets_app,
                                                                          owner, monkeypatch):
    """No check holds the asset item (200 checks/s on one asset would queue on it), so a warm
    function that still remembers a deleted asset (ASSET_CACHE_SECONDS) records its runs there,
    where nothing reads them; once it looks the key up again, the new asset gets them."""
    team, key = owner
    asset = new_asset(assets_app, key, team["id"], "wh.gone")
    post(reports_app, admin, CHECK, body={"asset_key": ["wh", "gone"], "check_name": "c", "passed": True})
    r = assets_app.lambda_handler(api_event("DELETE", "/api/v1/assets/{asset_id}", {"asset_id": asset["id"]},
                                            principal=key), None)
    assert r["statusCode"] == 204
    again = new_asset(assets_app, key, team["id"], "wh.gone")  # same fqn, new asset; the cache still says the old
    post(reports_app, admin, CHECK, body={"asset_key": ["wh", "gone"], "check_name": "c", "passed": False})
    from accord.store import audit as audit_store
    assert audit_store.total("acme", again["id"], status=None, triggered_by=None) == 0
    monkeypatch.setattr(recorder, "_asset_cache", {})   # the cache entry's time is up
    post(reports_app, admin, CHECK, body={"asset_key": ["wh", "gone"], "check_name": "c", "passed": False})
    assert audit_store.total("acme", again["id"], status=None, triggered_by=None) == 1


def test_environment_narrows_the_audit_run(reports_app, aws, admin, assets_app, owner):
    team, key = owner
    prod = new_asset(assets_app, key, team["id"], "wh.env")
    dev = new_asset(assets_app, key, team["id"], "wh.env", environment="dev")
    post(reports_app, admin, CHECK, body={"asset_key": ["wh", "env"], "check_name": "c", "passed": True})
    post(reports_app, admin, CHECK, body={"asset_key": ["wh", "env"], "check_name": "c", "passed": True,
                                          "environment": "dev"})
    from accord.store import audit as audit_store
    assert audit_store.total("acme", prod["id"], status=None, triggered_by=None) == 1
    assert audit_store.total("acme", dev["id"], status=None, triggered_by=None) == 2


# ------------------------------------------------------------------ freshness
def test_freshness_flips_from_fresh_to_stale_as_time_passes(reports_app, events_app, aws, admin, assets_app,
                                                            owner, monkeypatch):
    team, key = owner
    asset = new_asset(assets_app, key, team["id"], "wh.fresh")
    status_path = "/api/v1/assets/{asset_id}/status"
    st = get(events_app, key, status_path, {"asset_id": asset["id"]})
    assert st["freshness"] == {"status": "unknown", "last_updated_at": None, "stale_since": None,
                               "max_staleness_minutes": None}
    contracts = load_app("contracts")
    r = contracts.lambda_handler(api_event("POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset["id"]},
                                           principal=key, body={"schema": {"type": "object"},
                                                                "guarantees": {"freshness": {"max_staleness_minutes": 60}}}),
                                 None)
    assert r["statusCode"] == 201, r
    st = get(events_app, key, status_path, {"asset_id": asset["id"]})
    assert st["freshness"]["status"] == "unknown" and st["freshness"]["max_staleness_minutes"] == 60
    post(reports_app, admin, MAT_PATH, {"asset_key": "wh/fresh"})
    st = get(events_app, key, status_path, {"asset_id": asset["id"]})
    assert st["freshness"]["status"] == "fresh" and st["freshness"]["stale_since"] is None
    updated = clock.parse(st["freshness"]["last_updated_at"])
    monkeypatch.setattr(clock, "_offset_seconds", 61 * 60)
    st = get(events_app, key, status_path, {"asset_id": asset["id"]})
    assert st["freshness"]["status"] == "stale"
    assert clock.parse(st["freshness"]["stale_since"]) == updated + __import__("datetime").timedelta(minutes=60)
    # an observation carrying dagster/last_updated_timestamp counts as an update
    post(reports_app, admin, OBS, body={"asset_key": ["wh", "fresh"],
                                        "metadata": {"dagster/last_updated_timestamp": clock.now().timestamp() - 5}})
    assert get(events_app, key, status_path, {"asset_id": asset["id"]})["freshness"]["status"] == "fresh"


# ------------------------------------------------------------------ reads
def test_unregistered_keys_are_listed_until_registered(reports_app, events_app, aws, admin, assets_app, owner):
    team, key = owner
    for k in (["raw", "events"], ["raw", "users"], ["odd.part"]):
        post(reports_app, admin, body={"asset_key": k})
    listed = get(events_app, admin, "/api/v1/events/unregistered")["results"]
    assert [i["asset_key"] for i in listed] == [["odd.part"], ["raw", "events"], ["raw", "users"]]
    assert listed[0]["fqn"] is None and listed[1]["fqn"] == "raw.events"
    new_asset(assets_app, key, team["id"], "raw.events")
    listed = get(events_app, admin, "/api/v1/events/unregistered")["results"]
    assert [i["asset_key"] for i in listed] == [["odd.part"], ["raw", "users"]]


def test_asset_events_filters_and_cursor(reports_app, events_app, aws, admin, assets_app, owner):
    team, key = owner
    asset = new_asset(assets_app, key, team["id"], "f.t")
    evs = [{"type": "materialization", "asset_key": ["f", "t"], "timestamp": f"2024-01-{d:02d}T00:00:00Z",
            "partition": "p1" if d % 2 else "p2"} for d in range(1, 8)]
    evs += [{"type": "check", "asset_key": ["f", "t"], "check_name": "c1", "passed": True,
             "timestamp": "2024-01-10T00:00:00Z", "partition": "p1"},
            {"type": "observation", "asset_key": ["f", "t"], "timestamp": "2024-01-11T00:00:00Z", "partition": "p1"}]
    post(reports_app, admin, BATCH, body={"events": evs})
    path, pp = "/api/v1/assets/{asset_id}/events", {"asset_id": asset["id"]}
    page = get(events_app, key, path, pp, limit=4)
    assert [e["timestamp"][:10] for e in page["results"]] == ["2024-01-11", "2024-01-10", "2024-01-07", "2024-01-06"]
    assert page["asset_id"] == asset["id"] and page["next"]
    rest = get(events_app, key, path, pp, limit=10, cursor=page["next"])
    assert [e["timestamp"][:10] for e in rest["results"]] == [f"2024-01-0{d}" for d in (5, 4, 3, 2, 1)]
    assert rest["next"] is None
    assert len(get(events_app, key, path, pp, type="materialization")["results"]) == 7
    assert [e["type"] for e in get(events_app, key, path, pp, check_name="c1")["results"]] == ["check"]
    p1 = get(events_app, key, path, pp, partition="p1", type="materialization")["results"]
    assert [e["timestamp"][:10] for e in p1] == ["2024-01-07", "2024-01-05", "2024-01-03", "2024-01-01"]
    assert get(events_app, key, path, pp, check_name="c1", partition="p2")["results"] == []
    err = get(events_app, key, path, pp, expect=422, type="nope")
    assert err["error"]["code"] == "VALIDATION_ERROR"
    assert get(events_app, key, path, pp, expect=422, cursor="garbage")["error"]["code"] == "VALIDATION_ERROR"
    assert get(events_app, key, path, {"asset_id": str(uuid.uuid4())}, expect=404)["error"]["code"] == "ASSET_NOT_FOUND"


# ------------------------------------------------------------------ limits
def test_sizes_are_4xx_never_500(reports_app, aws, admin, assets_app, owner):
    team, key = owner
    asset = new_asset(assets_app, key, team["id"], "big.checked")
    big = {"asset_key": "a", "metadata": {"x": "y" * 70_000}}
    assert "metadata is" in post(reports_app, admin, body=big, expect=413)["error"]
    assert post(reports_app, admin, BATCH, body=[{"type": "materialization", "asset_key": "a"}] * 101,
                expect=413)["error"] == "101 events in one request; the limit is 100."
    # many events of maximal metadata in one batch: split into writes DynamoDB accepts
    fat = [{"type": "check", "asset_key": ["big", "checked"], "check_name": f"c{i}", "passed": True,
            "metadata": {"x": "y" * 60_000}} for i in range(15)]
    assert post(reports_app, admin, BATCH, body=fat)["recorded"] == 15
    from accord.store import audit as audit_store
    assert audit_store.total("acme", asset["id"], status=None, triggered_by=None) == 15
    post(reports_app, admin, CHECK, body={**fat[0], "metadata": {"x": "y" * 65_000}})
    assert audit_store.total("acme", asset["id"], status=None, triggered_by=None) == 16
    # metadata DynamoDB cannot hold as a map (empty keys, huge numbers): the run keeps it as JSON text
    odd = {"": 1, "n": 10 ** 40, "deep": json.loads("[" * 40 + "]" * 40)}
    post(reports_app, admin, CHECK, body={**fat[0], "check_name": "odd", "metadata": odd})
    [run] = [r for r in audit_store.history("acme", asset["id"], status=None, triggered_by=None, limit=50)
             if r["details"]["check_name"] == "odd"]
    assert json.loads(run["details"]["metadata_json"]) == odd
    deep = {"asset_key": "a", "metadata": json.loads("[" * 40 + "]" * 40)}
    assert post(reports_app, admin, body={"asset_key": "a", "metadata": {"d": deep}})  == {}
    huge = {"asset_key": "a", "metadata": {"n": 10 ** 40, "f": 1e300}}
    assert post(reports_app, admin, body=huge) == {}


def test_batch_partial_success(reports_app, events_app, aws, admin):
    out = post(reports_app, admin, BATCH, headers={"Idempotency-Key": "b-1"}, body=[
        {"type": "materialization", "asset_key": "a"},
        {"type": "observation"},
        {"type": "check", "asset_key": "a", "check_name": "c", "passed": True, "event_id": "own"},
    ])
    assert [(r["index"], r["status"]) for r in out["results"]] == [(0, "recorded"), (1, "rejected"), (2, "recorded")]
    assert "Empty asset key" in out["results"][1]["error"]
    assert (out["recorded"], out["rejected"], out["duplicates"]) == (2, 1, 0)
    again = post(reports_app, admin, BATCH, headers={"Idempotency-Key": "b-1"}, body=[
        {"type": "materialization", "asset_key": "a"},
        {"type": "check", "asset_key": "a", "check_name": "c", "passed": True, "event_id": "own"},
    ])
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate"]
    assert len(key_events(events_app, admin, ["a"])) == 2
