"""Audit results: Tessera's body, derived and checked counts, history newest first with filters."""
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from accord.registry import assets as asset_domain
from accord.registry import audit

from tests.integration.test_assets import (  # noqa: F401
    A1,
    assets_app,
    call,
    dynamo_calls,
    error_of,
    new_asset,
    new_team,
    owner,
    team_key,
)
from tests.support.events import body

RESULTS = "/api/v1/assets/{asset_id}/audit-results"
HISTORY = "/api/v1/assets/{asset_id}/audit-history"


def report(app, principal, asset_id, expect=200, **payload):
    payload.setdefault("triggered_by", "dbt_test")
    r = call(app, "POST", RESULTS, {"asset_id": asset_id}, principal=principal, body=payload)
    assert r["statusCode"] == expect, r
    return body(r)


def history(app, principal, asset_id, **query):
    r = call(app, "GET", HISTORY, {"asset_id": asset_id}, principal=principal,
             query={k: str(v) for k, v in query.items()} or None)
    assert r["statusCode"] == 200, r
    return body(r)


def results(*flags):
    return [{"guarantee_id": f"g{i}", "passed": ok} for i, ok in enumerate(flags)]


@pytest.fixture
def asset(assets_app, owner):
    team, key = owner
    return new_asset(assets_app, key, team["id"], "warehouse.orders")


def test_report_and_read_back(assets_app, owner, asset):
    _, key = owner
    run = report(assets_app, key, asset["id"], status="partial", run_id="inv-1",
                 run_at="2025-01-15T10:00:00Z",
                 guarantee_results=[{"guarantee_id": "not_null_id", "passed": True, "rows_checked": 10},
                                    {"guarantee_id": "unique_email", "passed": False, "rows_failed": 2,
                                     "error_message": "2 duplicates"}],
                 details={"invocation": "abc"})
    assert run["guarantees_checked"] == 2 and run["guarantees_passed"] == 1 and run["guarantees_failed"] == 1
    assert run["status"] == "partial" and run["triggered_by"] == "dbt_test" and run["run_id"] == "inv-1"
    assert run["run_at"] == "2025-01-15T10:00:00.000Z" and run["asset_fqn"] == "warehouse.orders"
    assert run["asset_id"] == asset["id"] and run["contract_version"] is None and run["contract_id"] is None
    assert run["failed_guarantees"] == ["unique_email"]
    assert run["guarantee_results"][1]["rows_failed"] == 2
    uuid.UUID(run["id"])

    h = history(assets_app, key, asset["id"])
    assert h["asset_id"] == asset["id"] and h["asset_fqn"] == "warehouse.orders" and h["total_runs"] == 1
    [item] = h["runs"]
    assert {"id", "status", "triggered_by", "run_id", "run_at", "guarantees_checked", "guarantees_passed",
            "guarantees_failed", "contract_version", "failed_guarantees"} <= set(item)
    assert item["id"] == run["id"] and item["failed_guarantees"] == ["unique_email"]


def test_counts_are_derived_or_taken_as_given(assets_app, owner, asset):
    _, key = owner
    a = asset["id"]
    # Tessera's client sends zero counts next to the results: derived
    run = report(assets_app, key, a, status="passed", guarantees_checked=0, guarantees_passed=0,
                 guarantees_failed=0, guarantee_results=results(True, True, True))
    assert (run["guarantees_checked"], run["guarantees_passed"], run["guarantees_failed"]) == (3, 3, 0)
    # matching counts are fine
    run = report(assets_app, key, a, status="failed", guarantees_checked=2, guarantees_failed=2,
                 guarantee_results=results(False, False))
    assert run["guarantees_failed"] == 2
    # counts alone; checked defaults to passed + failed; more checked than decided is fine (skipped)
    run = report(assets_app, key, a, status="failed", guarantees_passed=4, guarantees_failed=1)
    assert (run["guarantees_checked"], run["guarantees_passed"], run["guarantees_failed"]) == (5, 4, 1)
    run = report(assets_app, key, a, status="passed", guarantees_checked=7, guarantees_passed=5)
    assert run["guarantees_checked"] == 7
    # partial, Tessera's way: some guarantees skipped or errored
    run = report(assets_app, key, a, status="partial", guarantees_checked=3, guarantees_passed=2)
    assert (run["guarantees_checked"], run["guarantees_passed"], run["guarantees_failed"]) == (3, 2, 0)
    # no counts at all: the status stands on its own (e.g. a run that crashed)
    run = report(assets_app, key, a, status="failed")
    assert (run["guarantees_checked"], run["guarantees_passed"], run["guarantees_failed"]) == (0, 0, 0)


def test_inconsistent_or_invalid_runs_are_422(assets_app, owner, asset):
    _, key = owner
    future = (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()
    cases = [
        {"status": "passed", "guarantee_results": results(True, False)},
        {"status": "failed", "guarantee_results": results(True, True)},
        {"status": "partial", "guarantee_results": results(False, False)},
        {"status": "partial", "guarantee_results": results(True)},
        {"status": "partial", "guarantees_checked": 2, "guarantees_failed": 2},
        {"status": "passed", "guarantees_passed": 1, "guarantees_failed": 1},
        {"status": "failed", "guarantees_checked": 3, "guarantees_passed": 3},
        {"status": "passed", "guarantees_checked": 1, "guarantees_passed": 2},
        {"status": "passed", "guarantees_checked": 5, "guarantee_results": results(True, True)},
        {"status": "partial", "guarantees_failed": 3, "guarantee_results": results(True, False)},
        {"status": "ok"},
        {"status": "passed", "triggered_by": ""},
        {"status": "passed", "triggered_by": "x" * 51},
        {"status": "passed", "triggered_by": None},
        {"status": "passed", "guarantees_checked": -1},
        {"status": "passed", "guarantees_checked": "many"},
        {"status": "passed", "run_at": "yesterday"},
        {"status": "passed", "run_at": future},
        {"status": "passed", "guarantee_results": [{"guarantee_id": "g"}]},
        {"status": "passed", "guarantee_results": [{"passed": True}]},
        {"status": "passed", "guarantee_results": "all good"},
        {"status": "passed", "details": ["x"]},
    ]
    for payload in cases:
        payload = {"triggered_by": "dbt_test", **payload}
        if payload["triggered_by"] is None:
            del payload["triggered_by"]
        r = call(assets_app, "POST", RESULTS, {"asset_id": asset["id"]}, principal=key, body=payload)
        assert r["statusCode"] == 422, (payload, r["body"][:300])
        assert error_of(r)["error"]["message"]
    assert call(assets_app, "POST", RESULTS, {"asset_id": asset["id"]}, principal=key, body={})["statusCode"] == 422
    assert call(assets_app, "POST", RESULTS, {"asset_id": asset["id"]}, principal=key, raw_body="[")["statusCode"] == 400
    too_big = [{"guarantee_id": f"g{i}", "passed": True, "error_message": "x" * 2000} for i in range(200)]
    for payload in ({"status": "passed", "details": {"blob": "x" * 110_000}},
                    {"status": "passed", "guarantee_results": too_big}):
        r = call(assets_app, "POST", RESULTS, {"asset_id": asset["id"]}, principal=key,
                 body={"triggered_by": "dbt_test", **payload})
        assert r["statusCode"] == 413, r["body"][:200]
    assert history(assets_app, key, asset["id"])["total_runs"] == 0


def test_history_newest_first_with_filters(assets_app, owner, asset):
    _, key = owner
    a = asset["id"]
    plan = [("2025-01-03T00:00:00Z", "passed", "dbt_test"), ("2025-01-01T00:00:00Z", "failed", "dbt_test"),
            ("2025-01-05T00:00:00Z", "failed", "great_expectations"), ("2025-01-02T00:00:00Z", "passed", "soda"),
            ("2025-01-04T00:00:00Z", "failed", "dbt_test")]
    for at, status, source in plan:
        report(assets_app, key, a, status=status, triggered_by=source, run_at=at)

    def days(h):
        return [r["run_at"][8:10] for r in h["runs"]]

    h = history(assets_app, key, a)
    assert days(h) == ["05", "04", "03", "02", "01"] and h["total_runs"] == 5
    h = history(assets_app, key, a, status="failed")
    assert days(h) == ["05", "04", "01"] and h["total_runs"] == 3
    h = history(assets_app, key, a, triggered_by="dbt_test")
    assert days(h) == ["04", "03", "01"] and h["total_runs"] == 3
    h = history(assets_app, key, a, triggered_by="dbt_test", status="failed")
    assert days(h) == ["04", "01"] and h["total_runs"] == 2
    h = history(assets_app, key, a, triggered_by="dbt_test", status="failed", limit=1)
    assert days(h) == ["04"] and h["total_runs"] == 2
    h = history(assets_app, key, a, limit=2)
    assert days(h) == ["05", "04"] and h["total_runs"] == 5
    assert history(assets_app, key, a, triggered_by="nobody") == {**h, "runs": [], "total_runs": 0}
    for query in ({"status": "ok"}, {"limit": "0"}, {"limit": "501"}, {"limit": "x"}):
        r = call(assets_app, "GET", HISTORY, {"asset_id": a}, principal=key, query=query)
        assert r["statusCode"] == 422, query


def test_runs_record_the_active_contract(assets_app, owner, asset):
    """The run carries the contract version active when it was recorded (set here through the
    store, as publishing does)."""
    from accord.store import assets as store
    from accord.store import db
    _, key = owner
    contract = str(uuid.uuid4())
    db.transact(store.set_fields_ops(key.tenant, asset["id"], {"active_contract_id": contract,
                                                               "active_contract_version": "1.2.0"},
                                     "attribute_exists(PK)", {}))
    run = report(assets_app, key, asset["id"], status="passed")
    assert run["contract_version"] == "1.2.0" and run["contract_id"] == contract
    assert history(assets_app, key, asset["id"])["runs"][0]["contract_version"] == "1.2.0"


def test_record_run_is_usable_by_other_families(aws, assets_app, owner, asset):
    team, key = owner
    stored = asset_domain.get(key.tenant, asset["id"])
    run = audit.record_run(key.tenant, stored, status="failed", triggered_by="dagster",
                           guarantee_results=[{"guarantee_id": "row_count", "passed": False}])
    assert run["guarantees_failed"] == 1 and run["failed_guarantees"] == ["row_count"]
    h = history(assets_app, key, asset["id"], triggered_by="dagster")
    assert h["total_runs"] == 1 and h["runs"][0]["id"] == run["id"]


def test_authorization_tenants_and_deleted_assets(assets_app, owner, asset, teams_app, admin):
    team, key = owner
    other = new_team(teams_app, admin, "Other")
    a = {"asset_id": asset["id"]}
    payload = {"status": "passed", "triggered_by": "dbt_test"}
    for principal in (team_key(admin, other["id"]), team_key(admin, team["id"], scopes=("read",))):
        r = call(assets_app, "POST", RESULTS, a, principal=principal, body=payload)
        assert r["statusCode"] == 403, r
        assert call(assets_app, "GET", HISTORY, a, principal=principal)["statusCode"] == 200
    assert call(assets_app, "POST", RESULTS, a, principal=admin, body=payload)["statusCode"] == 200
    globex = replace(admin, tenant="globex")
    assert call(assets_app, "POST", RESULTS, a, principal=globex, body=payload)["statusCode"] == 404
    assert call(assets_app, "GET", HISTORY, a, principal=globex)["statusCode"] == 404
    for ident in ("nope", str(uuid.uuid4())):
        assert call(assets_app, "POST", RESULTS, {"asset_id": ident}, principal=key, body=payload)["statusCode"] == 404
        assert call(assets_app, "GET", HISTORY, {"asset_id": ident}, principal=key)["statusCode"] == 404
    call(assets_app, "DELETE", A1, a, principal=key)
    assert call(assets_app, "POST", RESULTS, a, principal=key, body=payload)["statusCode"] == 404
    assert call(assets_app, "GET", HISTORY, a, principal=key)["statusCode"] == 404


def test_requests_per_audit_operation(assets_app, owner, asset):
    _, key = owner
    report(assets_app, key, asset["id"], status="passed")   # the tenant's settings: read once a minute
    with dynamo_calls() as calls:
        report(assets_app, key, asset["id"], status="passed")
    assert [op for op, _ in calls] == ["GetItem", "TransactWriteItems"]
    with dynamo_calls() as calls:
        history(assets_app, key, asset["id"], status="passed")
    assert sorted(op for op, _ in calls) == ["GetItem", "Query", "Query"]   # the asset, the runs, the live counts
