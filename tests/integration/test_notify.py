"""Notifications in process (handlers + moto): the outbox rides in the writes' own transactions, the
dispatcher is exactly once per target under redelivery, a delivery message handled twice POSTs
once, and the time-driven events (proposal expiry, freshness) come from their sweeps."""
import json

import boto3
import pytest
from accord import clock
from accord.notify import aws as notify_aws
from accord.store import db, keys as k

from tests.integration.conftest import load_app
from tests.integration.test_assets import team_key
from tests.support.aws import DynamoCalls
from tests.support.events import api_event, body, sqs_event
from tests.support.outbox import assert_outbox_consistent, stream_records
from tests.support.receiver import Receiver

BASE = {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"}}}
COMPATIBLE = {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"},
                                               "phone": {"type": "string"}}}
BREAKING = {"type": "object", "properties": {"id": {"type": "integer"}}, "additionalProperties": False}
APPS = ("teams", "assets", "contracts", "proposals", "webhooks", "dispatcher", "deliveries", "expiry", "freshness",
        "reports")


@pytest.fixture
def env(aws, admin, monkeypatch):
    """The apps, a bus and the delivery queue, loopback webhooks allowed (as in the local runtime),
    and a tenant: producer owns a.orders; consumer registered on it; bystander unrelated."""
    monkeypatch.setenv("AWS_SAM_LOCAL", "true")
    monkeypatch.setenv("ACCORD_EVENT_BUS", "accord-events")
    monkeypatch.setenv("ACCORD_DELIVERY_QUEUE_URL", aws["WebhookDeliveryQueue"])
    notify_aws.reset_clients()
    boto3.client("events", region_name="us-east-1").create_event_bus(Name="accord-events")
    apps = {n: load_app(n) for n in APPS}
    teams = {n: body(call(apps["teams"], "POST", "/api/v1/teams", body={"name": n}, principal=admin))["id"]
             for n in ("producer", "consumer", "bystander")}
    keys = {n: team_key(admin, t) for n, t in teams.items()}
    asset = body(call(apps["assets"], "POST", "/api/v1/assets", body={"fqn": "a.orders", "owner_team_id": teams["producer"]},
                      principal=keys["producer"]))["id"]
    yield {"apps": apps, "teams": teams, "keys": keys, "asset": asset, "admin": admin, "queue": aws["WebhookDeliveryQueue"]}
    notify_aws.reset_clients()


def call(app, *args, **kwargs):
    return app.lambda_handler(api_event(*args, **kwargs), None)


def ok(app, *args, status=(200, 201, 202, 204), **kwargs):
    r = call(app, *args, **kwargs)
    assert r["statusCode"] in ((status,) if isinstance(status, int) else status), (args, r["statusCode"], r.get("body"))
    return body(r)


def dispatch(env, records=None) -> dict:
    records = stream_records() if records is None else records
    return env["apps"]["dispatcher"].lambda_handler({"Records": records}, None)


def queued(env) -> list[dict]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    out = []
    while True:
        got = sqs.receive_message(QueueUrl=env["queue"], MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages") or []
        if not got:
            return out
        out.extend(got)
        sqs.delete_message_batch(QueueUrl=env["queue"], Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                                  for i, m in enumerate(got)])


def workflow(env) -> str:
    """v1, the consumer registers, a breaking change: a proposal the consumer approves."""
    apps, keys, teams, asset = env["apps"], env["keys"], env["teams"], env["asset"]
    v1 = ok(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset},
            body={"schema": BASE}, principal=keys["producer"])["contract"]["id"]
    ok(apps["contracts"], "POST", "/api/v1/registrations", body={"contract_id": v1, "consumer_team_id": teams["consumer"]},
       principal=keys["consumer"])
    proposal = ok(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset},
                  body={"schema": BREAKING}, principal=keys["producer"])["proposal"]["id"]
    ok(apps["proposals"], "POST", "/api/v1/proposals/{proposal_id}/acknowledge", {"proposal_id": proposal},
       body={"consumer_team_id": teams["consumer"], "response": "approved"}, principal=keys["consumer"])
    return proposal


# ------------------------------------------------------------------ the outbox
def test_publish_and_acknowledge_write_their_events_in_the_requests_they_already_make(env):
    apps, keys, teams, asset = env["apps"], env["keys"], env["teams"], env["asset"]
    ok(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset}, body={"schema": BASE},
       principal=keys["producer"])
    with DynamoCalls() as publish:
        ok(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset},
           body={"schema": COMPATIBLE}, principal=keys["producer"])
    assert publish.ops == ["GetItem", "Query", "TransactWriteItems"]  # asset, active contract + its document, the publish
    workflow_events = assert_outbox_consistent(env["admin"].tenant)
    assert [e["data"]["version"] for e in workflow_events] == ["1.0.0", "1.1.0"]
    v = ok(apps["contracts"], "GET", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset}, principal=keys["producer"])
    ok(apps["contracts"], "POST", "/api/v1/registrations", body={"contract_id": v[0]["id"],
                                                                 "consumer_team_id": teams["consumer"]},
       principal=keys["consumer"])
    proposal = ok(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset},
                  body={"schema": BREAKING}, principal=keys["producer"])["proposal"]["id"]
    with DynamoCalls() as ack:
        ok(apps["proposals"], "POST", "/api/v1/proposals/{proposal_id}/acknowledge", {"proposal_id": proposal},
           body={"consumer_team_id": teams["consumer"], "response": "approved"}, principal=keys["consumer"])
    assert ack.ops == ["Query", "TransactWriteItems"]  # the proposal's partition, then ack + events in one transaction
    types = [e["type"] for e in assert_outbox_consistent(env["admin"].tenant)]
    assert types[-3:] == ["accord.proposal.created", "accord.proposal.acknowledged", "accord.proposal.approved"]


def test_a_rejected_write_emits_nothing_and_an_identical_republish_emits_nothing(env):
    apps, keys, asset = env["apps"], env["keys"], env["asset"]
    ok(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset}, body={"schema": BASE},
       principal=keys["producer"])
    before = assert_outbox_consistent(env["admin"].tenant)
    ok(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset}, body={"schema": BASE},
       principal=keys["producer"], status=200)  # unchanged
    ok(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset},
       body={"schema": {"type": "nope"}}, principal=keys["producer"], status=(400, 422))
    ok(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset}, body={"schema": COMPATIBLE},
       principal=keys["bystander"], status=403)
    ok(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset},
       body={"schema": COMPATIBLE, "version": "0.0.1"}, principal=keys["producer"], status=409)
    assert assert_outbox_consistent(env["admin"].tenant) == before


# ------------------------------------------------------------------ dispatch, exactly once per target
def test_dispatch_is_exactly_once_per_target_and_the_team_filter_is_computed_by_accord(env):
    apps, keys, teams, admin = env["apps"], env["keys"], env["teams"], env["admin"]
    receiver = Receiver()
    try:
        everything = ok(apps["webhooks"], "POST", "/api/v1/webhooks", body={"url": receiver.url + "/all"}, principal=admin)
        consumer = ok(apps["webhooks"], "POST", "/api/v1/webhooks", body={"url": receiver.url + "/consumer"},
                      principal=keys["consumer"])
        ok(apps["webhooks"], "POST", "/api/v1/webhooks", body={"url": receiver.url + "/bystander"},
           principal=keys["bystander"])
        proposals_only = ok(apps["webhooks"], "POST", "/api/v1/webhooks",
                            body={"url": receiver.url + "/proposals", "event_types": ["accord.proposal.*"]},
                            principal=admin)
        workflow(env)
        events = assert_outbox_consistent(admin.tenant)
        assert [e["type"] for e in events] == ["accord.contract.published", "accord.proposal.created",
                                               "accord.proposal.acknowledged", "accord.proposal.approved"]
        records = stream_records()
        first = dispatch(env, records)
        # all: 4; the consumer (registered, so concerned by all of them): 4; bystander: 0; proposals: 3
        assert first["deliveries"] == 4 + 4 + 3 and first["events"] == 4
        messages = queued(env)
        assert len(messages) == 11
        again = dispatch(env, records)  # the stream delivers the same batch again
        assert again["events"] == 4
        messages += queued(env)  # never attempted yet: queued again; the worker tells them apart
        stored = {h: ok(apps["webhooks"], "GET", "/api/v1/webhooks/{webhook_id}/deliveries", {"webhook_id": h},
                        principal=admin)["results"] for h in (everything["id"], consumer["id"], proposals_only["id"])}
        assert [len(v) for v in stored.values()] == [4, 4, 3]

        # every message handled (duplicates included, twice over): each delivery POSTed once
        for _ in range(2):
            out = apps["deliveries"].lambda_handler(sqs_event([json.loads(m["Body"]) for m in messages]), None)
            assert out == {"batchItemFailures": []}
        assert len(receiver.requests) == 11
        assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 11
        by_path = {}
        for r in receiver.requests:
            by_path.setdefault(r["path"], []).append(json.loads(r["body"])["type"])
        assert sorted(by_path) == ["/hook/all", "/hook/consumer", "/hook/proposals"]
        assert sorted(by_path["/hook/proposals"]) == ["accord.proposal.acknowledged", "accord.proposal.approved",
                                                      "accord.proposal.created"]
        # the team activity log: the consumer's copies
        mine = ok(apps["webhooks"], "GET", "/api/v1/activity", query={"team_id": teams["consumer"]},
                  principal=keys["consumer"])["results"]
        assert len(mine) == 4 and [e["time"] for e in mine] == sorted((e["time"] for e in mine), reverse=True)
        assert ok(apps["webhooks"], "GET", "/api/v1/activity", query={"team_id": teams["bystander"]},
                  principal=admin)["results"] == []
    finally:
        receiver.close()


def test_subscriptions_are_read_once_per_batch(env):
    apps, admin = env["apps"], env["admin"]
    for i in range(50):
        ok(apps["webhooks"], "POST", "/api/v1/webhooks", body={"url": f"http://127.0.0.1:9/h{i}"}, principal=admin)
    workflow(env)
    records = stream_records()
    with DynamoCalls() as r:
        out = dispatch(env, records)
    assert out["deliveries"] == 4 * 50
    assert r.ops.count("Query") <= 1 + 3  # the subscriptions once; the asset's consumers and lineage once
    assert r.ops.count("TransactWriteItems") == 2  # 200 conditional delivery puts, 100 per transaction


# ------------------------------------------------------------------ time-driven events
def test_the_expiry_sweep_emits_proposal_expired_once(env, monkeypatch):
    apps, keys, teams, asset = env["apps"], env["keys"], env["teams"], env["asset"]
    v1 = ok(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset},
            body={"schema": BASE}, principal=keys["producer"])["contract"]["id"]
    ok(apps["contracts"], "POST", "/api/v1/registrations", body={"contract_id": v1, "consumer_team_id": teams["consumer"]},
       principal=keys["consumer"])
    ok(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset},
       body={"schema": BREAKING, "proposal_expires_in_days": 1}, principal=keys["producer"])
    monkeypatch.setattr(clock, "_offset_seconds", 2 * 86400)
    assert apps["expiry"].lambda_handler({}, None) == {"expired": 1, "jobs_resent": 0}
    assert apps["expiry"].lambda_handler({}, None) == {"expired": 0, "jobs_resent": 0}
    expired = [e for e in assert_outbox_consistent(env["admin"].tenant) if e["type"] == "accord.proposal.expired"]
    assert len(expired) == 1 and "expired before every consumer answered" in expired[0]["data"]["summary"]


def test_freshness_turns_stale_from_the_sweep_and_fresh_from_a_materialization(env, monkeypatch):
    apps, keys, asset, tenant = env["apps"], env["keys"], env["asset"], env["admin"].tenant
    ok(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset},
       body={"schema": BASE, "guarantees": {"freshness": {"max_staleness_minutes": 30}}}, principal=keys["producer"])

    def materialize():
        r = call(apps["reports"], "POST", "/report_asset_materialization/{asset_key+}", {"asset_key": "a/orders"},
                 body={"metadata": {"rows": 1}}, principal=keys["producer"])
        assert r["statusCode"] == 200, r
        dispatch(env)  # the stream carries the stored report to the dispatcher

    def changes():
        return [(e["data"]["previous_status"], e["data"]["status"]) for e in assert_outbox_consistent(tenant)
                if e["type"] == "accord.asset.freshness_changed"]

    materialize()
    state = db.get(k.asset_pk(tenant, asset), k.FRESHNESS_SK)
    assert state["status"] == "fresh" and changes() == []
    assert apps["freshness"].lambda_handler({}, None) == {"turned_stale": 0}  # not due yet
    monkeypatch.setattr(clock, "_offset_seconds", 31 * 60)
    assert apps["freshness"].lambda_handler({}, None) == {"turned_stale": 1}
    assert apps["freshness"].lambda_handler({}, None) == {"turned_stale": 0}  # once
    assert changes() == [("fresh", "stale")]
    materialize()
    assert changes() == [("fresh", "stale"), ("stale", "fresh")]
    dispatch(env)  # a redelivered batch changes nothing
    assert changes() == [("fresh", "stale"), ("stale", "fresh")]


# ------------------------------------------------------------------ crashes
def test_a_dispatcher_that_dies_before_queueing_loses_nothing_when_the_batch_comes_back(env, monkeypatch):
    apps, admin = env["apps"], env["admin"]
    receiver = Receiver()
    try:
        hook = ok(apps["webhooks"], "POST", "/api/v1/webhooks", body={"url": receiver.url}, principal=admin)
        ok(apps["webhooks"], "POST", "/api/v1/webhooks/{webhook_id}/test", {"webhook_id": hook["id"]}, principal=admin)
        records = stream_records()

        def die(messages):
            raise RuntimeError("the function died here")
        enqueue = notify_aws.enqueue
        monkeypatch.setattr(notify_aws, "enqueue", die)
        with pytest.raises(RuntimeError):
            dispatch(env, records)  # the deliveries exist; nothing was queued
        monkeypatch.setattr(notify_aws, "enqueue", enqueue)
        assert dispatch(env, records)["deliveries"] == 1  # the stream retries the batch: queued now
        messages = queued(env)
        apps["deliveries"].lambda_handler(sqs_event([json.loads(m["Body"]) for m in messages]), None)
        assert len(receiver.requests) == 1
    finally:
        receiver.close()


def test_a_worker_that_dies_mid_attempt_is_replaced_once_its_lease_is_over(env, monkeypatch):
    from accord.notify import delivery
    from accord.store import webhooks as hook_store
    apps, admin = env["apps"], env["admin"]
    receiver = Receiver()
    try:
        hook = ok(apps["webhooks"], "POST", "/api/v1/webhooks", body={"url": receiver.url}, principal=admin)
        sent = ok(apps["webhooks"], "POST", "/api/v1/webhooks/{webhook_id}/test", {"webhook_id": hook["id"]},
                  principal=admin)
        dispatch(env)
        [message] = [json.loads(m["Body"]) for m in queued(env)]
        d = hook_store.get_delivery(admin.tenant, hook["id"], sent["delivery_id"])
        now = clock.now()
        # a first worker claimed attempt 1 and died before it finished
        assert hook_store.claim_attempt(admin.tenant, d, 1, clock.iso(now + delivery_lease()), clock.iso(now))
        assert delivery.handle(message) == "held"  # its lease still runs: comes back later
        waiting = boto3.client("sqs", region_name="us-east-1").get_queue_attributes(
            QueueUrl=env["queue"], AttributeNames=["ApproximateNumberOfMessagesDelayed"])["Attributes"]
        assert int(waiting["ApproximateNumberOfMessagesDelayed"]) == 1 and receiver.requests == []
        monkeypatch.setattr(clock, "_offset_seconds", 60)
        assert delivery.handle(message) == "delivered"  # the lease is over: this worker makes attempt 1
        assert delivery.handle(message) == "done"  # a late copy of the message changes nothing
        assert len(receiver.requests) == 1 and receiver.requests[0]["headers"]["webhook-id"] == sent["delivery_id"]
        [stored] = ok(apps["webhooks"], "GET", "/api/v1/webhooks/{webhook_id}/deliveries", {"webhook_id": hook["id"]},
                      principal=admin)["results"]
        assert stored["status"] == "delivered" and stored["attempts"] == 1 and len(stored["log"]) == 1
    finally:
        receiver.close()


def delivery_lease():
    from datetime import timedelta

    from accord.notify.delivery import LEASE_SECONDS
    return timedelta(seconds=LEASE_SECONDS)
