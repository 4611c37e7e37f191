"""Per-tenant limits and retention (issue 18), in process on moto: the report rate limiter (its
window items, one tenant never throttling another), the tenant settings routes, the 429 in the
reports envelope, and items leaving every read at their ttl (clock injected)."""
import json
from datetime import timedelta

import pytest

from accord import clock
from accord.reports import api as reports_api, record as recorder
from accord.store import ratelimit, retention, settings
from tests.integration.test_assets import assets_app, new_asset, new_team, owner, team_key  # noqa: F401
from tests.integration.test_reports import CHECK, MAT, events_app, get, key_events, post, reports_app  # noqa: F401
from tests.support.events import api_event, body

SETTINGS = "/api/v1/tenants/{tenant_id}/settings"


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.setattr(recorder, "_asset_cache", {})
    monkeypatch.setattr(recorder, "_written", {})
    monkeypatch.setattr(reports_api, "_limiter", None)
    monkeypatch.setattr(clock, "_offset_seconds", 0.0)


def call(app, principal, method, params, expect=200, payload=None):
    r = app.lambda_handler(api_event(method, SETTINGS, params, principal=principal, body=payload), None)
    assert r["statusCode"] == expect, r
    return body(r)


# ------------------------------------------------------------------ the limiter
def test_a_tenant_gets_its_limit_per_second_and_no_more(aws):
    lim = ratelimit.Limiter()
    t0 = 1_800_000_000.0
    admitted = sum(lim.admit("acme", 7, now=t0 + i / 100) == 0 for i in range(30))
    assert admitted == 7
    wait = lim.admit("acme", 7, now=t0 + 0.5)
    assert 0 < wait <= 0.5 + 1e-6            # until the next window
    assert lim.admit("acme", 7, now=t0 + 1.01) == 0   # a new second, a new window
    assert lim.admit("globex", 7, now=t0 + 0.6) == 0  # another tenant is not throttled by acme


def test_many_warm_environments_share_one_limit(aws):
    envs = [ratelimit.Limiter() for _ in range(4)]
    t0 = 1_800_000_100.0
    admitted = sum(env.admit("acme", 10, now=t0 + i / 1000) == 0 for i in range(25) for env in envs)
    assert admitted == 10


def test_a_high_limit_is_split_over_window_items_no_one_of_which_is_hot(aws):
    assert ratelimit.shards_for(100) == 1 and ratelimit.shards_for(10_000) == 10
    lim = ratelimit.Limiter()
    t0 = 1_800_000_200.0
    for window in range(2):                  # the lease doubles during a burst, then starts large
        for i in range(200):
            assert lim.admit("acme", 10_000, now=t0 + window + i / 1000) == 0
    from accord.store import db, keys as k
    used = [db.get(k.rate_pk("acme", 10, s), str(int(t0) + 1)) for s in range(10)]
    assert sum(int(u["used"]) for u in used if u) >= 200
    assert sum(1 for u in used if u) <= 5    # a busy environment leases ≤ 50 at a time: ≤ 4 writes for 200


# ------------------------------------------------------------------ settings
def test_tenant_settings_defaults_changes_and_who_may_change_what(aws, teams_app, admin, platform_admin):
    me = {"tenant_id": "acme"}
    got = call(teams_app, admin, "GET", me)
    assert got == {"tenant_id": "acme", "retention_days": 90, "report_rate_per_second": 100,
                   "defaults": {"retention_days": 90, "report_rate_per_second": 100}}
    assert call(teams_app, admin, "PATCH", me, payload={"retention_days": 30})["retention_days"] == 30
    err = call(teams_app, admin, "PATCH", me, 403, {"report_rate_per_second": 5000})
    assert "platform admin" in err["error"]["message"]
    call(teams_app, admin, "PATCH", me, 422, {})
    call(teams_app, admin, "PATCH", me, 422, {"retention_days": 0})
    call(teams_app, admin, "GET", {"tenant_id": "globex"}, 404)           # another tenant: invisible
    call(teams_app, admin, "PATCH", {"tenant_id": "globex"}, 404, {"retention_days": 5})
    call(teams_app, platform_admin, "GET", {"tenant_id": "nope"}, 404)
    out = call(teams_app, platform_admin, "PATCH", {"tenant_id": "default"}, payload={"report_rate_per_second": 5000})
    assert out["report_rate_per_second"] == 5000
    back = call(teams_app, admin, "PATCH", me, payload={"retention_days": None})
    assert back["retention_days"] == 90


def test_over_the_limit_a_report_answers_429_with_retry_after_in_the_reports_envelope(aws, reports_app, admin):
    settings.update("acme", {"report_rate_per_second": 2})
    statuses = []
    for i in range(6):
        r = reports_app.lambda_handler(api_event("POST", MAT, principal=admin,
                                                 body={"asset_key": ["lim", str(i)]}), None)
        statuses.append(r["statusCode"])
        if r["statusCode"] == 429:
            limited = r
    assert statuses.count(200) >= 2 and 429 in statuses, statuses
    headers = {k.lower(): v for k, v in limited["headers"].items()}
    assert 1 <= int(headers["retry-after"]) <= 2
    err = json.loads(limited["body"])
    assert set(err) == {"error"} and "/report_asset_events" in err["error"] and "queue" in err["error"]
    # another tenant reports on
    from accord.auth.principal import Principal
    other = Principal(tenant="globex", key_id="k", name="w", scopes=frozenset({"read", "write"}))
    post(reports_app, other, MAT, body={"asset_key": ["lim", "x"]})


# ------------------------------------------------------------------ retention
def test_reported_items_carry_a_ttl_and_leave_every_read_at_it(aws, reports_app, events_app, admin, assets_app,
                                                               owner, monkeypatch):
    team, key = owner
    settings.update("acme", {"report_rate_per_second": 1000, "retention_days": 10})
    asset = new_asset(assets_app, key, team["id"], "ret.orders")
    post(reports_app, admin, MAT, body={"asset_key": ["ret", "orders"]})
    post(reports_app, admin, CHECK, body={"asset_key": ["ret", "orders"], "check_name": "nn", "passed": True})
    from accord.store import db, keys as k
    items, _ = db.query(k.asset_pk("acme", asset["id"]))
    runs = [i for i in items if i["SK"].startswith(k.AUDIT_PREFIX) or i["SK"].startswith(k.AUDIT_COUNT_PREFIX)]
    assert runs and all(int(i["ttl"]) > retention.now_epoch() + 10 * 86400 - 60 for i in runs)
    assert all(int(i["ttl"]) <= retention.now_epoch() + 17 * 86400 for i in runs)   # ≤ retention + a week
    assert len(key_events(events_app, admin, ["ret", "orders"])) == 2
    hist = get(assets_app, key, "/api/v1/assets/{asset_id}/audit-history", {"asset_id": asset["id"]})
    assert hist["total_runs"] == 1 and len(hist["runs"]) == 1

    monkeypatch.setattr(clock, "_offset_seconds", timedelta(days=18).total_seconds())
    assert key_events(events_app, admin, ["ret", "orders"]) == []
    hist = get(assets_app, key, "/api/v1/assets/{asset_id}/audit-history", {"asset_id": asset["id"]})
    assert hist["total_runs"] == 0 and hist["runs"] == []
    from accord.store import events as ev_store
    event_key = ev_store.key_str(["ret", "orders"])
    assert ev_store.latest("acme", event_key, "materialization") is None
    evs, _ = db.query(k.event_key_pk("acme", event_key), sk_prefix="EV#")
    assert len(evs) == 2 and all(int(e["ttl"]) < retention.now_epoch() for e in evs)   # still stored, invisible (TTL deletes later)
