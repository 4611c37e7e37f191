"""Notifications end to end through the local runtime (DESIGN §11): the outbox read from the table's
stream, the EventBridge bus, signed webhooks (verified with the `standardwebhooks` library) with
retries, timeouts, replay, secret rotation and auto-disable, the activity log, freshness turning
stale with no request at all, and a restart that neither loses nor repeats an event.

The runtime here runs with ACCORD_WEBHOOK_RETRY_SCALE (backoffs of milliseconds, a 3-day failure
window of ~26 s) and ACCORD_SCHEDULE_SCALE (the 1-minute sweeps every 3 s)."""
import json
import time
import uuid

import pytest
import requests
from standardwebhooks import Webhook

from local.runtime import LocalRuntime
from tests.conftest import ROOT
from tests.support import emf
from tests.support.receiver import Receiver

RETRY_SCALE = 0.0001          # 5 s -> 0.5 ms ... 10 h -> 3.6 s; 3 days -> 26 s
SCHEDULE_SCALE = 0.05         # rate(1 minute) -> every 3 s
BASE = {"type": "object", "required": ["order_id"], "properties": {
    "order_id": {"type": "integer"}, "customer_id": {"type": "string"}}}
BREAKING = {"type": "object", "required": ["order_id"], "properties": {
    "order_id": {"type": "integer"}, "customer_id": {"type": "integer"}}}


def start_runtime(state_dir, admin_key) -> LocalRuntime:
    return LocalRuntime(repo_root=str(ROOT), port=0, state_dir=str(state_dir), admin_key=admin_key,
                        parameter_overrides={"AuthCacheSeconds": "0"}, quiet=True, schedule_scale=SCHEDULE_SCALE,
                        env={"ACCORD_WEBHOOK_RETRY_SCALE": str(RETRY_SCALE)}).start()


@pytest.fixture(scope="module")
def rt(tmp_path_factory):
    runtime = start_runtime(tmp_path_factory.mktemp("notify-state"), "acc_notify_" + uuid.uuid4().hex)
    yield runtime
    runtime.stop()


class Client:
    def __init__(self, url, key):
        self.url, self.key = url, key

    def __call__(self, method, path, status=(200, 201, 202, 204), **kw):
        r = requests.request(method, self.url + path, headers={"Authorization": f"Bearer {self.key}"}, timeout=30, **kw)
        if status is not None:
            assert r.status_code in ((status,) if isinstance(status, int) else status), (method, path, r.status_code,
                                                                                          r.text[:500])
        return r.json() if r.content else None


@pytest.fixture
def world(rt):
    """A fresh tenant: Data Platform (producer) owns warehouse.orders, Analytics consumes it,
    Finance is unrelated; a key per team."""
    root = Client(rt.url, rt.admin_key)
    tenant = root("POST", "/api/v1/tenants", json={"name": f"n-{uuid.uuid4().hex[:8]}"})
    admin = Client(rt.url, tenant["admin_key"]["key"])
    teams = {n: admin("POST", "/api/v1/teams", json={"name": n})["id"] for n in ("Data Platform", "Analytics",
                                                                                 "Finance")}
    keys = {n: Client(rt.url, admin("POST", "/api/v1/api-keys", json={"name": n, "scopes": ["read", "write"],
                                                                        "team_id": t})["key"])
            for n, t in teams.items()}
    asset = keys["Data Platform"]("POST", "/api/v1/assets", json={"fqn": "warehouse.orders",
                                                                  "owner_team_id": teams["Data Platform"]})["id"]
    return {"admin": admin, "teams": teams, "keys": keys, "asset": asset, "slug": tenant["id"]}


def verified(receiver_request, secret) -> dict:
    """The request's body, verified as Standard Webhooks receivers verify it."""
    return Webhook(secret).verify(receiver_request["body"], receiver_request["headers"])


def types_of(reqs) -> list[str]:
    return [json.loads(r["body"])["type"] for r in reqs]


def deliveries(client, hook_id) -> list[dict]:
    return client("GET", f"/api/v1/webhooks/{hook_id}/deliveries")["results"]


def wait_until(fn, timeout=30.0, every=0.2):
    deadline = time.time() + timeout
    while True:
        out = fn()
        if out:
            return out
        if time.time() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(every)


# ------------------------------------------------------------------ the proposal workflow
def test_the_proposal_workflow_reaches_signed_webhooks_the_bus_and_the_activity_log(rt, world):
    admin, keys, teams, asset = world["admin"], world["keys"], world["teams"], world["asset"]
    everything, for_analytics, for_finance = Receiver(), Receiver(), Receiver()
    try:
        hook = admin("POST", "/api/v1/webhooks", json={"url": everything.url, "description": "all"})
        assert hook["secret"].startswith("whsec_") and hook["team_id"] is None and hook["format"] == "standard"
        team_hook = keys["Analytics"]("POST", "/api/v1/webhooks", json={"url": for_analytics.url})
        assert team_hook["team_id"] == teams["Analytics"]  # a team key's webhook is its team's
        keys["Finance"]("POST", "/api/v1/webhooks", json={"url": for_finance.url})
        assert "secret" not in admin("GET", f"/api/v1/webhooks/{hook['id']}")

        producer, consumer = keys["Data Platform"], keys["Analytics"]
        v1 = producer("POST", f"/api/v1/assets/{asset}/contracts", json={"schema": BASE})["contract"]
        consumer("POST", "/api/v1/registrations", json={"contract_id": v1["id"], "consumer_team_id": teams["Analytics"]})
        proposal = producer("POST", f"/api/v1/assets/{asset}/contracts", json={"schema": BREAKING})["proposal"]
        consumer("POST", f"/api/v1/proposals/{proposal['id']}/acknowledge",
                 json={"consumer_team_id": teams["Analytics"], "response": "approved"})
        producer("POST", f"/api/v1/proposals/{proposal['id']}/publish")

        expected = ["accord.contract.published", "accord.proposal.created", "accord.proposal.acknowledged",
                    "accord.proposal.approved", "accord.contract.published", "accord.proposal.published"]
        got = everything.wait_for(lambda reqs: len(reqs) >= len(expected))
        time.sleep(1.0)  # nothing more arrives
        assert sorted(types_of(everything.requests)) == sorted(expected)
        events = [verified(r, hook["secret"]) for r in got]
        assert len({r["headers"]["webhook-id"] for r in got}) == len(expected)  # one delivery each
        by_type = {}
        for e in events:
            by_type.setdefault(e["type"], []).append(e)
            assert e["specversion"] == "1.0" and e["source"] == f"accord/{world['slug']}" and e["data"]["summary"]
            assert e["data"]["links"]["api"].endswith(e["data"]["links"]["api"].split("/api/v1/", 1)[1])
        created = by_type["accord.proposal.created"][0]
        assert created["data"]["summary"] == ("Analytics must answer a breaking change to warehouse.orders: "
                                              "customer_id type changed."), created["data"]["summary"]
        assert created["data"]["links"]["api"].endswith(f"/api/v1/proposals/{proposal['id']}")
        assert created["subject"] == f"proposals/{proposal['id']}"
        assert sorted(e["data"]["version"] for e in by_type["accord.contract.published"]) == ["1.0.0", "2.0.0"]

        # team filter: Analytics consumes the asset, so every one of these concerns it; Finance, none
        analytics = for_analytics.wait_for(lambda reqs: len(reqs) >= 5)
        time.sleep(0.5)
        assert set(types_of(for_analytics.requests)) >= {"accord.proposal.created", "accord.proposal.published"}
        for r in analytics:
            verified(r, team_hook["secret"])
        assert for_finance.requests == []

        # the activity log: newest first, filtered by asset, type and team
        log = admin("GET", "/api/v1/activity", params={"asset_id": asset})["results"]
        assert [e["type"] for e in log] == list(reversed(expected)) or sorted(e["type"] for e in log) == sorted(expected)
        assert [e["time"] for e in log] == sorted((e["time"] for e in log), reverse=True)
        only = admin("GET", "/api/v1/activity", params={"type": "accord.proposal.created"})["results"]
        assert [e["id"] for e in only] == [created["id"]]
        mine = wait_until(lambda: consumer("GET", "/api/v1/activity", params={"team_id": teams["Analytics"]})["results"]
                          if len(consumer("GET", "/api/v1/activity",
                                          params={"team_id": teams["Analytics"]})["results"]) >= 5 else None)
        assert created["id"] in {e["id"] for e in mine}
        assert admin("GET", "/api/v1/activity", params={"team_id": teams["Finance"]})["results"] == []

        # the bus saw every event (Source accord, DetailType = the type, Detail = the CloudEvent)
        on_bus = wait_until(lambda: [e for e in list(rt.bus.events) if e["detail"].get("source") ==
                                     f"accord/{world['slug']}"] if len([e for e in list(rt.bus.events) if
                                     e["detail"].get("source") == f"accord/{world['slug']}"]) >= len(expected) else None)
        assert sorted(e["detail-type"] for e in on_bus) == sorted(expected)
        assert all(e["source"] == "accord" and e["detail"]["type"] == e["detail-type"] for e in on_bus)
    finally:
        for r in (everything, for_analytics, for_finance):
            r.close()


def test_a_slack_webhook_gets_a_slack_message(rt, world):
    receiver = Receiver()
    try:
        hook = world["admin"]("POST", "/api/v1/webhooks", json={"url": receiver.url, "format": "slack"})
        world["admin"]("POST", f"/api/v1/webhooks/{hook['id']}/test")
        [req] = receiver.wait_for(lambda reqs: len(reqs) >= 1)
        msg = verified(req, hook["secret"])
        assert set(msg) == {"text", "blocks"} and "deliveries work" in msg["text"]
        assert msg["blocks"][0]["text"]["text"] == msg["text"]
    finally:
        receiver.close()


# ------------------------------------------------------------------ retries, timeout, replay, rotation, disable
def test_a_failing_then_recovering_receiver_gets_the_event_with_one_webhook_id(rt, world):
    receiver = Receiver(lambda n: (500 if n < 2 else 200, 0))
    try:
        admin = world["admin"]
        hook = admin("POST", "/api/v1/webhooks", json={"url": receiver.url})
        sent = admin("POST", f"/api/v1/webhooks/{hook['id']}/test")
        reqs = receiver.wait_for(lambda r: len(r) >= 3)
        assert {r["headers"]["webhook-id"] for r in reqs} == {sent["delivery_id"]}
        for r in reqs:
            assert verified(r, hook["secret"])["type"] == "accord.ping"
        [d] = wait_until(lambda: [d for d in deliveries(admin, hook["id"]) if d["status"] == "delivered"] or None)
        assert d["id"] == sent["delivery_id"] and d["attempts"] == 3
        assert [a["status_code"] for a in d["log"]] == [500, 500, 200]
        assert admin("GET", f"/api/v1/webhooks/{hook['id']}")["failing_since"] is None  # the success cleared it
    finally:
        receiver.close()


def test_a_retried_delivery_is_counted_and_carries_the_requests_correlation_id(rt, world):
    """API request -> outbox item -> stream -> dispatcher -> delivery queue -> each attempt: one
    correlation id on every hop's lines, and WebhookDeliveries counted per outcome (EMF)."""
    receiver = Receiver(lambda n: (500 if n < 1 else 200, 0))
    try:
        admin = world["admin"]
        hook = admin("POST", "/api/v1/webhooks", json={"url": receiver.url})
        cid = f"nt-{uuid.uuid4().hex}"
        r = requests.post(f"{rt.url}/api/v1/webhooks/{hook['id']}/test", timeout=30,
                          headers={"Authorization": f"Bearer {admin.key}", "X-Request-ID": cid})
        assert r.status_code == 202, r.text
        receiver.wait_for(lambda reqs: len(reqs) >= 2)
        expected = {("WebhookDeliveries", (("outcome", "retried"),)): 1,
                    ("WebhookDeliveries", (("outcome", "succeeded"),)): 1}
        got = emf.wait(lambda: emf.points(rt, "DeliveryFunction", cid) == expected and expected, "delivery metrics")
        assert got == expected
        attempts = emf.wait(lambda: [line for line in emf.log_lines(rt, "DeliveryFunction", cid)
                                     if line["message"] == "delivery"], "the attempts' log lines")
        assert sorted(line["outcome"] for line in attempts) == ["delivered", "retrying"]
        assert all(line["correlation_id"] == cid for line in attempts)
        dispatched = emf.wait(lambda: [line for line in emf.log_lines(rt, "DispatcherFunction", cid)
                                       if line["message"] == "dispatched"], "the dispatcher's line")
        assert dispatched[0]["deliveries"] >= 1
    finally:
        receiver.close()


def test_a_hanging_receiver_times_out_after_10_seconds_and_is_retried(rt, world):
    receiver = Receiver(lambda n: (200, 13 if n == 0 else 0))
    try:
        admin = world["admin"]
        hook = admin("POST", "/api/v1/webhooks", json={"url": receiver.url})
        admin("POST", f"/api/v1/webhooks/{hook['id']}/test")
        [d] = wait_until(lambda: [d for d in deliveries(admin, hook["id"]) if d["status"] == "delivered"] or None,
                         timeout=45)
        first, second = d["log"]
        assert first["status_code"] is None and "within 10 s" in first["error"] and 9_500 <= first["duration_ms"] < 12_500
        assert second["status_code"] == 200
    finally:
        receiver.close()


def test_replay_and_secret_rotation_with_a_grace_period(rt, world):
    receiver = Receiver()
    try:
        admin = world["admin"]
        hook = admin("POST", "/api/v1/webhooks", json={"url": receiver.url})
        sent = admin("POST", f"/api/v1/webhooks/{hook['id']}/test")
        receiver.wait_for(lambda r: len(r) >= 1)
        wait_until(lambda: deliveries(admin, hook["id"])[0]["status"] == "delivered")
        rotated = admin("POST", f"/api/v1/webhooks/{hook['id']}/rotate-secret", json={"grace_seconds": 3600})
        assert rotated["secret"] != hook["secret"] and rotated["previous_secret_expires_at"]
        replay = admin("POST", f"/api/v1/webhooks/{hook['id']}/deliveries/{sent['delivery_id']}/retry")
        assert replay["status"] == "pending"
        again = receiver.wait_for(lambda r: len(r) >= 2)[1]
        assert again["headers"]["webhook-id"] == sent["delivery_id"]  # a replay is the same message
        assert len(again["headers"]["webhook-signature"].split()) == 2
        assert verified(again, rotated["secret"])["type"] == "accord.ping"
        assert verified(again, hook["secret"])["type"] == "accord.ping"  # receivers still on the old secret
        d = wait_until(lambda: (lambda d: d if d["status"] == "delivered" and d["attempts"] == 2 else None)(
            deliveries(admin, hook["id"])[0]))
        assert [a["status_code"] for a in d["log"]] == [200, 200]
        # without a grace period the old secret stops at once
        fresh = admin("POST", f"/api/v1/webhooks/{hook['id']}/rotate-secret")
        admin("POST", f"/api/v1/webhooks/{hook['id']}/test")
        last = receiver.wait_for(lambda r: len(r) >= 3)[2]
        assert len(last["headers"]["webhook-signature"].split()) == 1
        verified(last, fresh["secret"])
        with pytest.raises(Exception):
            verified(last, rotated["secret"])
    finally:
        receiver.close()


def test_an_endpoint_failing_past_the_window_is_disabled_with_an_event(rt, world):
    receiver = Receiver(lambda n: (503, 0))
    watcher = Receiver()
    try:
        admin = world["admin"]
        hook = admin("POST", "/api/v1/webhooks", json={"url": receiver.url, "description": "flaky"})
        admin("POST", "/api/v1/webhooks", json={"url": watcher.url, "event_types": ["accord.webhook.*"]})
        deadline = time.time() + 90
        while admin("GET", f"/api/v1/webhooks/{hook['id']}")["enabled"]:
            assert time.time() < deadline, "never disabled"
            admin("POST", f"/api/v1/webhooks/{hook['id']}/test")
            time.sleep(3)
        got = admin("GET", f"/api/v1/webhooks/{hook['id']}")
        assert got["disabled_reason"].startswith("every delivery failed since") and got["failing_since"]
        [note] = watcher.wait_for(lambda r: len(r) >= 1)
        event = json.loads(note["body"])
        assert event["type"] == "accord.webhook.disabled" and event["data"]["webhook_id"] == hook["id"]
        log = admin("GET", "/api/v1/activity", params={"type": "accord.webhook.disabled"})["results"]
        assert [e["data"]["webhook_id"] for e in log] == [hook["id"]]
        # the endpoint is fixed and re-enabled: the streak is cleared (retries still in flight may
        # fail once more and restart it, then succeed and clear it) and a new event is delivered
        receiver.script = lambda n: (200, 0)
        assert admin("PATCH", f"/api/v1/webhooks/{hook['id']}", json={"enabled": True})["enabled"]
        wait_until(lambda: admin("GET", f"/api/v1/webhooks/{hook['id']}")["failing_since"] is None)
        ping = admin("POST", f"/api/v1/webhooks/{hook['id']}/test")
        wait_until(lambda: any(d["event_id"] == ping["event_id"] and d["status"] == "delivered"
                               for d in deliveries(admin, hook["id"])))
    finally:
        receiver.close()
        watcher.close()


# ------------------------------------------------------------------ validation and access
@pytest.mark.parametrize("url", ["http://10.1.2.3/hook", "https://169.254.169.254/latest/meta-data",
                                 "https://192.168.0.10/x", "ftp://example.com/x", "https://user:pw@example.com/",
                                 "not a url", "https://[::ffff:10.0.0.1]/x"])
def test_webhooks_refuse_private_addresses_and_other_schemes(rt, world, url):
    r = requests.post(rt.url + "/api/v1/webhooks", json={"url": url},
                      headers={"Authorization": f"Bearer {world['admin'].key}"}, timeout=30)
    assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR", r.text
    assert r.json()["detail"][0]["loc"] == ["body", "url"]


def test_team_keys_manage_only_their_teams_webhooks(rt, world):
    keys, teams = world["keys"], world["teams"]
    mine = keys["Analytics"]("POST", "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x"})
    other = keys["Finance"]
    r = other("GET", f"/api/v1/webhooks/{mine['id']}", status=403)
    assert r["error"]["code"] == "UNAUTHORIZED_TEAM"
    other("PATCH", f"/api/v1/webhooks/{mine['id']}", status=403, json={"enabled": False})
    other("POST", "/api/v1/webhooks", status=403, json={"url": "http://127.0.0.1:9/x", "team_id": teams["Analytics"]})
    assert [h["id"] for h in other("GET", "/api/v1/webhooks")] == []
    assert mine["id"] in {h["id"] for h in world["admin"]("GET", "/api/v1/webhooks")}
    bad = world["admin"]("POST", "/api/v1/webhooks", status=422, json={"url": "http://127.0.0.1:9/x",
                                                                       "event_types": ["accord.nope"]})
    assert "unknown event type" in bad["error"]["message"]


# ------------------------------------------------------------------ time-driven: freshness
def test_an_asset_turns_stale_with_no_request_and_fresh_again_with_a_materialization(rt, world):
    receiver = Receiver()
    try:
        admin, producer, asset = world["admin"], world["keys"]["Data Platform"], world["asset"]
        admin("POST", "/api/v1/webhooks", json={"url": receiver.url, "event_types": ["accord.asset.freshness_changed"]})
        producer("POST", f"/api/v1/assets/{asset}/contracts",
                 json={"schema": BASE, "guarantees": {"freshness": {"max_staleness_minutes": 0.1}}})  # 6 s
        requests.post(f"{rt.url}/report_asset_materialization/warehouse/orders", json={"metadata": {"rows": 1}},
                      headers={"Dagster-Cloud-Api-Token": producer.key}, timeout=30).raise_for_status()
        [stale] = receiver.wait_for(lambda r: len(r) >= 1, timeout=40)
        event = json.loads(stale["body"])
        assert event["data"]["status"] == "stale" and event["data"]["previous_status"] == "fresh"
        assert event["data"]["summary"].startswith("warehouse.orders is stale")
        requests.post(f"{rt.url}/report_asset_materialization/warehouse/orders", json={"metadata": {"rows": 2}},
                      headers={"Dagster-Cloud-Api-Token": producer.key}, timeout=30).raise_for_status()
        fresh = json.loads(receiver.wait_for(lambda r: len(r) >= 2, timeout=20)[1]["body"])
        assert (fresh["data"]["previous_status"], fresh["data"]["status"]) == ("stale", "fresh")
    finally:
        receiver.close()


# ------------------------------------------------------------------ restart: nothing lost, nothing repeated
def test_a_restart_replays_the_journal_without_re_sending_and_delivers_what_was_pending(tmp_path):
    key = "acc_restart_" + uuid.uuid4().hex
    receiver = Receiver()
    try:
        first = start_runtime(tmp_path / "state", key)
        admin = Client(first.url, key)
        hook = admin("POST", "/api/v1/webhooks", json={"url": receiver.url})
        admin("POST", f"/api/v1/webhooks/{hook['id']}/test")
        receiver.wait_for(lambda r: len(r) >= 1)
        for poller in first.stream_pollers:  # the dispatcher stops reading: committed, not yet fanned out
            poller.stop()
            poller.join()
        time.sleep(0.5)
        pending = admin("POST", f"/api/v1/webhooks/{hook['id']}/test")
        time.sleep(1.0)
        assert len(receiver.requests) == 1
        first.stop()

        second = start_runtime(tmp_path / "state", key)
        try:
            reqs = receiver.wait_for(lambda r: len(r) >= 2)
            time.sleep(2.0)  # and nothing else: the journal replay re-sent no old event
            assert len(receiver.requests) == 2
            assert reqs[1]["headers"]["webhook-id"] == pending["delivery_id"]
            assert reqs[0]["headers"]["webhook-id"] != pending["delivery_id"]
        finally:
            second.stop()
        third = start_runtime(tmp_path / "state", key)  # a third start: still nothing repeated
        try:
            time.sleep(2.0)
            assert len(receiver.requests) == 2
        finally:
            third.stop()
    finally:
        receiver.close()
