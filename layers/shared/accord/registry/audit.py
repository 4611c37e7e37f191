"""Audit runs: data-quality results in an asset's history (DESIGN §2, Tessera's audit-results).

`build_run` is the one way to make a run and `record_run` the one way to write a single one — the
registry's POST /audit-results, the reports family's check evaluations (batched: `build_run` +
the store's ops) and every importer go through them, so all get the same validation:

* counts are derived from `guarantee_results` when absent (or all zero, as Tessera's own client
  sends them); counts that contradict the results are refused (422);
* without results, `passed + failed` may not exceed `checked` (`checked` defaults to their sum);
* the status must agree with the counts whenever there are counts: `passed` ⇒ nothing failed,
  `failed` ⇒ something failed, `partial` (Tessera: "some guarantees skipped or errored") ⇒
  neither all passed nor all failed.
"""
import json
import uuid
from datetime import datetime, timedelta, timezone

from accord import clock, errors
from accord.registry import assets
from accord.store import audit as store
from accord.store.db import ConditionFailed

STATUSES = ("passed", "failed", "partial")
MAX_RUN_BYTES = 256 * 1024   # the stored run (results + details); DynamoDB items stop at 400 KB
MAX_DETAILS_BYTES = 100 * 1024
MAX_FUTURE = timedelta(days=1)
MAX_LIMIT = 500


def _invalid(message: str, field: str = "body") -> errors.Unprocessable:
    return errors.Unprocessable(message, detail=[{"loc": ["body", field], "msg": message, "type": "value_error"}])


def counts(status: str, checked: int | None, passed: int | None, failed: int | None,
           results: list[dict]) -> tuple[int, int, int]:
    """(checked, passed, failed), validated against the results and the status."""
    if status not in STATUSES:
        raise _invalid(f"status must be one of {', '.join(STATUSES)}.", "status")
    given = (checked, passed, failed)
    if results:
        derived = (len(results), sum(1 for r in results if r.get("passed")),
                   sum(1 for r in results if not r.get("passed")))
        if any(given):
            for name, value, expected in zip(("guarantees_checked", "guarantees_passed", "guarantees_failed"),
                                             given, derived):
                if value is not None and value != expected:
                    raise _invalid(f"{name} is {value} but guarantee_results say {expected}.", name)
        checked, passed, failed = derived
    else:
        passed, failed = passed or 0, failed or 0
        checked = checked if checked else passed + failed
        if passed + failed > checked:
            raise _invalid(f"guarantees_passed ({passed}) + guarantees_failed ({failed}) exceed "
                           f"guarantees_checked ({checked}).", "guarantees_checked")
    if checked:
        if status == "passed" and failed:
            raise _invalid(f"status is 'passed' but {failed} guarantee(s) failed.", "status")
        if status == "failed" and not failed:
            raise _invalid("status is 'failed' but no guarantee failed.", "status")
        if status == "partial" and (passed == checked or failed == checked):
            raise _invalid(f"status is 'partial' but all {checked} guarantee(s) {'passed' if passed == checked else 'failed'}.",
                           "status")
    return checked, passed, failed


def _size(value) -> int:
    return len(json.dumps(value, separators=(",", ":"), default=str).encode("utf-8"))


def build_run(asset: dict, *, status: str, triggered_by: str, run_id: str | None = None,
              run_at: datetime | str | None = None, guarantees_checked: int | None = None,
              guarantees_passed: int | None = None, guarantees_failed: int | None = None,
              guarantee_results: list[dict] | None = None, details: dict | None = None,
              recorded_by: str | None = None, run_uuid: str | None = None, now: str | None = None) -> dict:
    """A validated run against `asset`, as stored. `run_uuid` makes it deterministic (a redelivered
    report rebuilds the same run, and its conditional put writes nothing).
    Raises Unprocessable (inconsistent) or PayloadTooLarge."""
    results = [dict(r) for r in guarantee_results or []]
    checked, passed, failed = counts(status, guarantees_checked, guarantees_passed, guarantees_failed, results)
    if details and _size(details) > MAX_DETAILS_BYTES:
        raise errors.PayloadTooLarge(f"details are larger than {MAX_DETAILS_BYTES} bytes.")
    when = clock.now() if run_at is None else (clock.parse(run_at) if isinstance(run_at, str) else run_at)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    if when > clock.now() + MAX_FUTURE:
        raise _invalid("run_at is more than a day in the future.", "run_at")
    run = {"id": run_uuid or str(uuid.uuid4()), "asset_id": asset["id"], "status": status,
           "triggered_by": triggered_by, "run_id": run_id, "run_at": clock.iso(when), "recorded_at": now or clock.iso(),
           "guarantees_checked": checked, "guarantees_passed": passed, "guarantees_failed": failed,
           "guarantee_results": results, "details": details or {},
           "failed_guarantees": [str(r.get("guarantee_id", "unknown")) for r in results if not r.get("passed")],
           "contract_id": asset.get("active_contract_id"), "contract_version": asset.get("active_contract_version"),
           "recorded_by": recorded_by}
    if _size(run) > MAX_RUN_BYTES:
        raise errors.PayloadTooLarge(f"The audit run is larger than {MAX_RUN_BYTES} bytes; send fewer or "
                                     "smaller guarantee_results/details.")
    return run


def record_run(tenant: str, asset: dict, **fields) -> dict:
    """Validate and store one run against `asset` (a live asset item); returns the stored run.
    Raises Unprocessable (inconsistent), PayloadTooLarge, NotFound (asset deleted meanwhile).
    Writers that batch many runs in one transaction (the reports family) build each with
    `build_run` and write it with the store's `run_op` and counters: the same item, the same rules."""
    run = build_run(asset, **fields)
    try:
        store.record(tenant, asset["id"], run)
    except ConditionFailed:
        raise assets.not_found(asset["id"]) from None
    return run


def view(run: dict, asset: dict | None = None) -> dict:
    """Tessera's AuditResultResponse (POST) — a superset of its AuditRunListItem (history)."""
    out = {key: run.get(key) for key in (
        "id", "asset_id", "status", "guarantees_checked", "guarantees_passed", "guarantees_failed",
        "triggered_by", "run_id", "run_at", "contract_id", "contract_version", "failed_guarantees",
        "guarantee_results", "details", "recorded_at")}
    if asset is not None:
        out["asset_fqn"] = asset["fqn"]
    return out


def record(principal, asset_id: str, body) -> dict:
    asset = assets.get(principal.tenant, asset_id)
    assets.authorize_write(principal, asset, "report audit results for")
    run = record_run(principal.tenant, asset, status=body.status, triggered_by=body.triggered_by,
                     run_id=body.run_id, run_at=body.run_at, guarantees_checked=body.guarantees_checked,
                     guarantees_passed=body.guarantees_passed, guarantees_failed=body.guarantees_failed,
                     guarantee_results=[r.model_dump() for r in body.guarantee_results],
                     details=body.details, recorded_by=principal.display)
    return view(run, asset)


def history(tenant: str, asset_id: str, *, status: str | None, triggered_by: str | None, limit: int) -> dict:
    """Tessera's AuditHistoryResponse: {asset_id, asset_fqn, total_runs, runs[]} newest first."""
    if status is not None and status not in STATUSES:
        raise errors.Unprocessable(f"Query parameter 'status' must be one of {', '.join(STATUSES)}.",
                                   detail=[{"loc": ["query", "status"], "msg": "invalid status", "type": "enum"}])
    asset = assets.get(tenant, asset_id, consistent=False)
    runs = store.history(tenant, asset["id"], status=status, triggered_by=triggered_by, limit=limit)
    total = store.total(tenant, asset["id"], status=status, triggered_by=triggered_by)
    keep = ("id", "status", "triggered_by", "run_id", "run_at", "guarantees_checked", "guarantees_passed",
            "guarantees_failed", "contract_id", "contract_version", "failed_guarantees", "recorded_at")
    return {"asset_id": asset["id"], "asset_fqn": asset["fqn"], "total_runs": total,
            "runs": [{key: r.get(key) for key in keep} for r in runs]}
