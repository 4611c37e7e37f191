"""Pure logic of the notifications: Standard Webhooks signatures (checked with the `standardwebhooks`
library), the SSRF guard, the retry schedule, event ids and summaries, subscription matching, the
local runtime's event patterns and schedules."""
import json
import socket
import time

import pytest
from accord.notify import events, formats, retries, signing, urls, webhooks
from hypothesis import given, settings, strategies as st
from standardwebhooks import Webhook, WebhookVerificationError

from local.cfn.build import rate_seconds
from local.patterns import matches, matches_any


# ------------------------------------------------------------------ signing
@settings(max_examples=50, deadline=None)
@given(payload=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                            lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=4), max_leaves=20),
       msg_id=st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True))
def test_our_signatures_verify_with_the_standard_webhooks_library(payload, msg_id):
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")  # the library parses what it verified
    secret = signing.new_secret()
    ts = int(time.time())
    headers = signing.headers([secret], msg_id, ts, body)
    Webhook(secret).verify(body, headers)  # raises if wrong
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b"x", headers)


def test_two_secrets_two_signatures_either_verifies():
    old, new = signing.new_secret(), signing.new_secret()
    body, ts = b'{"a": 1}', int(time.time())
    headers = signing.headers([new, old], "msg_1", ts, body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(body, headers) == {"a": 1} and Webhook(new).verify(body, headers) == {"a": 1}


def test_secrets_are_whsec_and_base64_of_32_bytes():
    import base64
    secret = signing.new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32


# ------------------------------------------------------------------ SSRF
def _resolving(monkeypatch, *addresses):
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, **kw: [
        (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses])


@pytest.mark.parametrize("address", ["10.0.0.5", "172.16.3.4", "192.168.1.1", "127.0.0.1", "169.254.169.254",
                                     "0.0.0.0", "::1", "fe80::1", "fd00::1", "::ffff:10.0.0.1", "224.0.0.1",
                                     "100.64.0.1", "198.18.0.1"])
def test_names_resolving_to_non_public_addresses_are_refused(monkeypatch, address):
    monkeypatch.delenv("AWS_SAM_LOCAL", raising=False)
    _resolving(monkeypatch, address)
    with pytest.raises(urls.UnsafeUrl, match="public addresses only"):
        urls.resolve("https://hooks.example.com/x")


def test_one_bad_address_among_good_ones_is_enough_to_refuse(monkeypatch):
    monkeypatch.delenv("AWS_SAM_LOCAL", raising=False)
    _resolving(monkeypatch, "93.184.216.34", "10.0.0.1")
    with pytest.raises(urls.UnsafeUrl):
        urls.resolve("https://hooks.example.com/x")


def test_a_public_https_url_is_resolved_to_the_address_to_connect_to(monkeypatch):
    monkeypatch.delenv("AWS_SAM_LOCAL", raising=False)
    _resolving(monkeypatch, "93.184.216.34")
    assert urls.resolve("https://Hooks.Example.com:8443/a?b=1") == ("https", "hooks.example.com", 8443, "/a?b=1",
                                                                     "93.184.216.34")


@pytest.mark.parametrize("url,reason", [("http://93.184.216.34/x", "https"), ("ftp://a.example/x", "https://"),
                                        ("https://u:p@a.example/", "credentials"), ("https:///x", "https://"),
                                        ("https://a.example:99999/", "not a URL")])
def test_urls_of_the_wrong_shape_are_refused(monkeypatch, url, reason):
    monkeypatch.delenv("AWS_SAM_LOCAL", raising=False)
    with pytest.raises(urls.UnsafeUrl, match=reason):
        urls.resolve(url)


def test_the_local_runtime_allows_loopback_http_and_nothing_else_private(monkeypatch):
    monkeypatch.setenv("AWS_SAM_LOCAL", "true")
    assert urls.resolve("http://127.0.0.1:8080/hook")[4] == "127.0.0.1"
    with pytest.raises(urls.UnsafeUrl):
        urls.resolve("http://10.0.0.1/hook")
    _resolving(monkeypatch, "93.184.216.34")
    with pytest.raises(urls.UnsafeUrl):
        urls.resolve("http://hooks.example.com/")  # plain http only to loopback


# ------------------------------------------------------------------ retries
def test_the_schedule_covers_a_day_and_disable_waits_three(monkeypatch):
    monkeypatch.delenv("ACCORD_WEBHOOK_RETRY_SCALE", raising=False)
    delays = [retries.delay_before(n) for n in range(2, retries.MAX_ATTEMPTS + 1)]
    assert delays == [5, 300, 1800, 7200, 18000, 36000, 36000] and sum(delays) >= 24 * 3600
    assert retries.delay_before(retries.MAX_ATTEMPTS + 1) is None and retries.delay_before(1) is None
    assert retries.disable_after() == 3 * 86400
    monkeypatch.setenv("ACCORD_WEBHOOK_RETRY_SCALE", "0.001")
    assert retries.delay_before(3) == pytest.approx(0.3) and retries.disable_after() == pytest.approx(259.2)


# ------------------------------------------------------------------ events
def test_event_ids_are_time_ordered_even_within_a_millisecond():
    ids = [events.new_id() for _ in range(5000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(i[14] == "7" for i in ids)  # version 7


def test_summaries_read_as_sentences():
    p = {"id": "p1", "asset_id": "a1", "asset_fqn": "warehouse.orders", "status": "pending", "proposed_by": "t0",
         "affected_teams": [{"team_id": "t1", "team_name": "Analytics"}],
         "breaking_changes": [{"type": "property_removed", "column": "a"}, {"type": "property_removed", "column": "b"},
                              {"type": "type_narrowed", "column": "c"}]}
    e = events.proposal_created("acme", p)
    assert e["data"]["summary"] == ("Analytics must answer a breaking change to warehouse.orders: "
                                    "2 properties removed, 1 type narrowed.")
    assert e["source"] == "accord/acme" and e["subject"] == "proposals/p1" and e["data"]["teams"] == ["t0", "t1"]
    two = {**p, "affected_teams": [{"team_id": "t1", "team_name": "Analytics"}, {"team_id": "t2", "team_name": "Finance"}],
           "breaking_changes": [{"type": "type_changed", "column": "customer_id"}]}
    assert events.proposal_created("acme", two)["data"]["summary"] == (
        "Analytics and Finance must answer a breaking change to warehouse.orders: customer_id type changed.")


def test_drift_and_sync_events_for_the_ingestion_paths_read_as_sentences():
    asset = {"id": "a1", "fqn": "warehouse.orders", "owner_team_id": "t0"}
    run = {"id": "r1", "recorded_at": "2026-01-01T00:00:00Z"}
    e = events.drift_detected("acme", asset, {"id": "c1", "version": "1.2.0"}, run,
                              [{"type": "property_removed", "column": "email"}], observed_by="openlineage")
    assert e["type"] == events.DRIFT_DETECTED and e["subject"] == "assets/a1/audit-runs/r1"
    assert e["data"]["summary"] == ("warehouse.orders no longer matches its contract 1.2.0 (seen by openlineage): "
                                    "email property removed.")
    assert e["data"]["teams"] == ["t0"] and e["data"]["audit_run_id"] == "r1"
    s = events.sync_completed("acme", {"id": "j1", "status": "succeeded"},
                              {"assets created": 3, "assets updated": 0, "contracts published": 2}, errors=1)
    assert s["type"] == events.SYNC_COMPLETED and s["data"]["links"]["api"] == "/api/v1/sync/jobs/j1"
    assert s["data"]["summary"] == "The dbt sync finished: 3 assets created, 2 contracts published; 1 node(s) failed."
    assert events.sync_completed("acme", {"id": "j2"}, {})["data"]["summary"] == "The dbt sync finished: nothing changed."


def test_links_are_absolute_when_the_public_url_is_known(monkeypatch):
    monkeypatch.setenv("ACCORD_PUBLIC_URL", "https://accord.example.com/")
    assert events.links("/api/v1/x", "/ui/#/x") == {"api": "https://accord.example.com/api/v1/x",
                                                   "ui": "https://accord.example.com/ui/#/x"}
    monkeypatch.delenv("ACCORD_PUBLIC_URL")
    assert events.links("/api/v1/x") == {"api": "/api/v1/x"}


def test_a_slack_message_has_the_summary_and_buttons_for_absolute_links():
    e = events.make("acme", events.PING, subject="s", summary="Hello.", data={},
                    links_={"api": "https://a.example/api/v1/x", "ui": "/ui/relative"})
    msg = json.loads(formats.body(e, formats.SLACK))
    assert msg["text"] == "Hello." and [b["url"] for b in msg["blocks"][-1]["elements"]] == ["https://a.example/api/v1/x"]
    assert json.loads(formats.body(e, formats.STANDARD)) == e


# ------------------------------------------------------------------ subscriptions
HOOK = {"id": "h1", "enabled": True, "event_types": None, "team_id": None}


@pytest.mark.parametrize("hook,kind,teams,want", [
    ({}, events.PROPOSAL_CREATED, set(), True),
    ({"enabled": False}, events.PROPOSAL_CREATED, set(), False),
    ({"event_types": ["accord.proposal.*"]}, events.PROPOSAL_CREATED, set(), True),
    ({"event_types": ["accord.proposal.*"]}, events.CONTRACT_PUBLISHED, set(), False),
    ({"event_types": [events.CONTRACT_PUBLISHED]}, events.CONTRACT_PUBLISHED, set(), True),
    ({"team_id": "t1"}, events.CONTRACT_PUBLISHED, {"t1", "t2"}, True),
    ({"team_id": "t1"}, events.CONTRACT_PUBLISHED, {"t2"}, False),
])
def test_which_subscriptions_want_which_events(hook, kind, teams, want):
    event = {"type": kind, "data": {}}
    assert webhooks.wants({**HOOK, **hook}, event, teams) is want


def test_a_ping_goes_to_its_webhook_only_even_when_disabled_and_a_disable_notice_not_to_itself():
    ping = {"type": events.PING, "data": {"webhook_id": "h1"}}
    assert webhooks.wants({**HOOK, "enabled": False}, ping, set()) and not webhooks.wants({**HOOK, "id": "h2"}, ping, set())
    notice = {"type": events.WEBHOOK_DISABLED, "data": {"webhook_id": "h1"}}
    assert not webhooks.wants(HOOK, notice, set()) and webhooks.wants({**HOOK, "id": "h2"}, notice, set())


def test_delivery_ids_are_stable_per_event_and_webhook():
    assert webhooks.delivery_id("e", "h") == webhooks.delivery_id("e", "h") != webhooks.delivery_id("e", "h2")


def test_unknown_event_types_are_refused_families_accepted():
    assert webhooks.check_types(["accord.proposal.*", events.PING, events.PING]) == ["accord.proposal.*", events.PING]
    with pytest.raises(Exception, match="unknown event type"):
        webhooks.check_types(["accord.nothing.*"])


# ------------------------------------------------------------------ the local runtime's patterns and schedules
LAMBDA_FILTER = {"eventName": ["INSERT"], "dynamodb": {"Keys": {"SK": {"S": [{"prefix": "EV#"}]}},
                                                       "NewImage": {"type": {"S": ["materialization"]}}}}


def test_filter_patterns_as_lambda_reads_them():
    rec = {"eventName": "INSERT", "dynamodb": {"Keys": {"SK": {"S": "EV#2024#x"}},
                                               "NewImage": {"type": {"S": "materialization"}}}}
    assert matches(LAMBDA_FILTER, rec)
    assert not matches(LAMBDA_FILTER, {**rec, "eventName": "MODIFY"})
    assert not matches(LAMBDA_FILTER, {**rec, "dynamodb": {**rec["dynamodb"], "Keys": {"SK": {"S": "KEY"}}}})
    assert not matches(LAMBDA_FILTER, {"eventName": "INSERT", "dynamodb": {"Keys": {"SK": {"S": "EV#1"}}}})
    assert matches({"a": [{"exists": False}]}, {}) and not matches({"a": [{"exists": True}]}, {})
    assert matches({"n": [{"numeric": [">", 1, "<=", 5]}]}, {"n": 5}) and not matches({"n": [{"numeric": [">", 1]}]}, {"n": 1})
    assert matches({"s": [{"anything-but": ["x"]}]}, {"s": "y"}) and not matches({"s": [{"anything-but": "x"}]}, {"s": "x"})
    assert matches_any([], rec) and matches_any([{"eventName": ["REMOVE"]}, LAMBDA_FILTER], rec)


def test_rate_expressions():
    assert rate_seconds("rate(1 minute)") == 60 and rate_seconds("rate(15 minutes)") == 900
    assert rate_seconds("rate(2 hours)") == 7200 and rate_seconds("cron(0 * * * ? *)") is None
    assert rate_seconds("rate(x minutes)") is None
