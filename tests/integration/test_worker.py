"""The reports worker in process (moto): idempotent recording of SQS messages, partial batch failures,
rejections, out-of-order deliveries, checks → audit runs exactly once."""
import json
import uuid

import pytest

from accord.reports import record as recorder, sqs, status
from accord.store import audit as audit_store, db, events as store, keys
from tests.integration.conftest import load_app
from tests.integration.test_assets import assets_app, new_asset, new_team, owner, team_key  # noqa: F401
from tests.support.aws import DynamoCalls as Calls
from tests.support.events import sqs_event


@pytest.fixture(scope="session")
def worker():
    return load_app("worker")


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch):
    monkeypatch.setattr(recorder, "_asset_cache", {})
    monkeypatch.setattr(recorder, "_written", {})
    monkeypatch.setattr(sqs, "_tenants", {})


def messages(*bodies, tenant=None, sent_ms=1_700_000_000_000):
    event = sqs_event(list(bodies))
    for i, rec in enumerate(event["Records"]):
        rec["attributes"]["SentTimestamp"] = str(sent_ms + i)
        if tenant:
            rec["messageAttributes"] = {"tenant": {"stringValue": tenant, "dataType": "String"}}
    return event


def events_of(tenant, key, **filters):
    items, _ = store.list_events(tenant, store.key_str(key), kind=filters.get("kind"), partition=None,
                                 check_name=None, limit=100, cursor=None)
    return items


def failures(result):
    return [f["itemIdentifier"] for f in result["batchItemFailures"]]


def test_the_same_message_delivered_three_times_is_one_event(worker, aws):
    event = messages({"type": "materialization", "asset_key": ["wh", "orders"], "metadata": {"rows": 5}})
    for _ in range(3):
        assert worker.lambda_handler(event, None) == {"batchItemFailures": []}
    [ev] = events_of("default", ["wh", "orders"])
    assert json.loads(ev["metadata_json"]) == {"rows": 5} and "source" not in ev  # absent = the queue
    assert store.event_timestamp(ev) == "2023-11-14T22:13:20.000Z"  # the message's SentTimestamp
    assert store.event_key(ev) == ["wh", "orders"]


def test_a_list_body_and_the_tenant_attribute(worker, aws):
    event = messages([{"type": "observation", "asset_key": "a"}, {"type": "materialization", "asset_key": "a"}],
                     {"type": "materialization", "asset_key": "b", "tenant": "default"}, tenant=None)
    event["Records"][0]["messageAttributes"] = {"tenant": {"stringValue": "default", "dataType": "String"}}
    assert failures(worker.lambda_handler(event, None)) == []
    assert len(events_of("default", ["a"])) == 2 and len(events_of("default", ["b"])) == 1


def test_a_poison_message_does_not_sink_the_batch(worker, aws):
    good = {"type": "materialization", "asset_key": ["ok"]}
    event = messages(good, "{not json", [{"type": "check", "asset_key": "ok", "check_name": "c"}, good], good)
    result = worker.lambda_handler(event, None)
    ids = [r["messageId"] for r in event["Records"]]
    assert failures(result) == [ids[1]]               # unreadable: retried, then the DLQ
    assert len(events_of("default", ["ok"])) == 3      # messages 0, 2 (its valid half) and 3
    rejected, _ = store.list_rejected("default", 10, None)
    reasons = {(r["message_id"], r.get("index")): r for r in rejected}
    assert reasons[(ids[1], None)]["reason"].startswith("Message body is not JSON")
    assert reasons[(ids[1], None)]["retried"] is True and reasons[(ids[1], None)]["raw"] == "{not json"
    assert reasons[(ids[2], 0)]["reason"] == "Missing required parameter 'passed'."
    assert reasons[(ids[2], 0)]["retried"] is False
    # a redelivery of the same batch: nothing new, no second rejection record
    worker.lambda_handler(event, None)
    assert len(events_of("default", ["ok"])) == 3
    assert len(store.list_rejected("default", 10, None)[0]) == 2


def test_an_unknown_tenant_fails_the_message(worker, aws):
    event = messages({"type": "materialization", "asset_key": "x"}, tenant="nope")
    assert failures(worker.lambda_handler(event, None)) == [event["Records"][0]["messageId"]]
    assert events_of("nope", ["x"]) == []


def test_out_of_order_deliveries_leave_the_pointers_right(worker, aws):
    def mat(ts, n):
        return {"type": "materialization", "asset_key": ["ooo"], "timestamp": ts, "metadata": {"n": n}}
    worker.lambda_handler(messages(mat("2024-03-03T00:00:00Z", 3)), None)
    worker.lambda_handler(messages(mat("2024-03-01T00:00:00Z", 1), mat("2024-03-02T00:00:00Z", 2)), None)
    st = status.status_of_key("default", ["ooo"])
    assert st["last_materialization"]["metadata"] == {"n": 3}
    worker.lambda_handler(messages(mat("2024-03-04T00:00:00Z", 4), mat("2024-03-01T12:00:00Z", 0)), None)
    assert status.status_of_key("default", ["ooo"])["last_materialization"]["metadata"] == {"n": 4}
    assert len(events_of("default", ["ooo"])) == 5


def test_a_transient_failure_is_retried_and_then_recorded_once(worker, aws, monkeypatch):
    event = messages({"type": "materialization", "asset_key": "t"}, {"type": "observation", "asset_key": "u"})
    real = store.batch_put
    calls = {"n": 0}

    def flaky(items, **kw):
        calls["n"] += 1
        if calls["n"] == 1:
            from accord import errors
            raise errors.ServiceUnavailable("Storage error (InternalServerError); retry later.")
        return real(items)

    monkeypatch.setattr(store, "batch_put", flaky)
    ids = [r["messageId"] for r in event["Records"]]
    assert sorted(failures(worker.lambda_handler(event, None))) == sorted(ids)
    assert failures(worker.lambda_handler(event, None)) == []
    assert len(events_of("default", ["t"])) == 1 and len(events_of("default", ["u"])) == 1


def test_producer_event_ids_dedupe_across_messages(worker, aws):
    ev = {"type": "observation", "asset_key": "dup", "event_id": "obs-1", "metadata": {"v": 1}}
    assert failures(worker.lambda_handler(messages(ev, ev), None)) == []
    assert failures(worker.lambda_handler(messages(ev, sent_ms=1_800_000_000_000), None)) == []
    assert len(events_of("default", ["dup"])) == 1
    changed = {**ev, "metadata": {"v": 2}}
    event = messages(changed)
    assert failures(worker.lambda_handler(event, None)) == []
    assert len(events_of("default", ["dup"])) == 1
    [rej] = store.list_rejected("default", 10, None)[0]
    assert "was already used for a different report" in rej["reason"]


def test_an_orphaned_claim_is_completed_by_the_redelivery(worker, aws, monkeypatch):
    ev = {"type": "observation", "asset_key": "orphan", "event_id": "o-1"}
    event = messages(ev)
    real = store.batch_put

    def crash(items):
        raise RuntimeError("the function died after claiming the id")

    monkeypatch.setattr(store, "batch_put", crash)
    assert len(failures(worker.lambda_handler(event, None))) == 1
    monkeypatch.setattr(store, "batch_put", real)
    assert failures(worker.lambda_handler(event, None)) == []
    assert len(events_of("default", ["orphan"])) == 1


def test_checks_from_the_queue_become_audit_runs_exactly_once(worker, aws, assets_app, owner, admin):
    team, key = owner
    asset = new_asset(assets_app, key, team["id"], "q.checked")
    checks = [{"type": "check", "asset_key": ["q", "checked"], "check_name": f"c{i}", "passed": i % 2 == 0,
               "severity": "WARN"} for i in range(4)]
    event = messages(*checks, tenant="acme")
    db.put({"PK": keys.tenant_pk("acme"), "SK": keys.TENANT_SK, "slug": "acme"})  # a tenant of its own
    for _ in range(2):
        assert failures(worker.lambda_handler(event, None)) == []
    assert audit_store.total("acme", asset["id"], status=None, triggered_by=None) == 4
    assert audit_store.total("acme", asset["id"], status="failed", triggered_by="dagster") == 2
    assert len(audit_store.history("acme", asset["id"], status=None, triggered_by=None, limit=10)) == 4


def test_sqs_requests_per_event_stay_under_two(worker, aws):
    bodies = [{"type": "materialization", "asset_key": ["k", str(i % 3)], "partition": f"p{i}"} for i in range(10)]
    assert failures(worker.lambda_handler(messages({"type": "observation", "asset_key": "warm"}), None)) == []
    with Calls() as calls:   # (the tenant's settings were read by the first batch: once a minute)
        assert failures(worker.lambda_handler(messages(*bodies), None)) == []
    assert calls.ops == ["BatchWriteItem"]  # 10 events + 3 key items
    with Calls() as calls:
        assert failures(worker.lambda_handler(messages(*bodies), None)) == []
    assert calls.ops == ["BatchWriteItem"]  # 10 events (the key items were written moments ago)


def test_the_sample_event_shape(worker, aws):
    sample = json.loads(open(__import__("tests.conftest", fromlist=["ROOT"]).ROOT / "events" / "worker-sqs.json").read())
    assert failures(worker.lambda_handler(sample, None)) == []
    recorded = events_of("default", ["warehouse", "orders"])
    assert sorted(e["type"] for e in recorded) == ["check", "materialization", "observation"]


def test_unique_ids_for_unrelated_messages(worker, aws):
    a = messages({"type": "materialization", "asset_key": "same"})
    b = messages({"type": "materialization", "asset_key": "same"})
    assert a["Records"][0]["messageId"] != b["Records"][0]["messageId"]
    worker.lambda_handler(a, None)
    worker.lambda_handler(b, None)
    assert len(events_of("default", ["same"])) == 2
    assert uuid.UUID(a["Records"][0]["messageId"])


def test_audit_runs_from_the_queue_carry_the_reports_id_and_redelivery_adds_none(worker, aws, assets_app, owner):
    team, key = owner
    asset = new_asset(assets_app, key, team["id"], "q.runs")
    db.put({"PK": keys.tenant_pk("acme"), "SK": keys.TENANT_SK, "slug": "acme"})
    check = {"type": "check", "asset_key": ["q", "runs"], "passed": False}
    event = messages({**check, "check_name": "plain"}, {**check, "check_name": "own", "event_id": "ev-1"},
                     {**check, "check_name": "dagster", "metadata": {"dagster/run_id": "run-9"}}, tenant="acme")
    for _ in range(3):  # delivered, then redelivered twice
        assert failures(worker.lambda_handler(event, None)) == []
    runs = audit_store.history("acme", asset["id"], status=None, triggered_by=None, limit=10)
    assert len(runs) == 3 and audit_store.total("acme", asset["id"], status=None, triggered_by=None) == 3
    by_check = {r["details"]["check_name"]: r["run_id"] for r in runs}
    listed = {e["check_name"]: e for e in events_of("acme", ["q", "runs"])}
    # no id given: the event's own id (the events list's `id`), the same on every delivery
    assert by_check["plain"] == store.event_uid(listed["plain"]) and "event_id" not in listed["plain"]
    assert by_check["own"] == listed["own"]["event_id"] == "ev-1"
    assert by_check["dagster"] == "run-9"


@pytest.mark.parametrize("raw, name", [("null", "null"), ("42", "number"), ('"text"', "string"), ("true", "boolean")])
def test_a_message_that_is_json_but_no_event_is_rejected_with_its_reason(worker, aws, raw, name):
    event = messages(raw)
    # rejected, not retried: it can never succeed
    assert failures(worker.lambda_handler(event, None)) == []
    [rej] = store.list_rejected("default", 10, None)[0]
    assert rej["reason"] == ('Expected one event object, a JSON list of event objects or {"events": [...]}; '
                             f"got {name}.")
    assert rej["message_id"] == event["Records"][0]["messageId"] and rej.get("index") is None
    assert rej["raw"] == raw and rej["retried"] is False
