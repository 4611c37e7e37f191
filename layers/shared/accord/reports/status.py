"""What the reports say about an asset: its latest materialization, the latest result of each check,
and freshness against the active contract's `guarantees.freshness.max_staleness_minutes`.

`freshness()` is pure; `asset_status()` reads the newest event of each index (materializations,
observations, each check) and the active contract (one GetItem, when the asset has one).
"""
import json
from datetime import datetime, timedelta

from accord import clock
from accord.registry.contracts import freshness_allowance as max_staleness  # noqa: F401 (the one definition)
from accord.reports.record import last_updated_timestamp
from accord.store import events as store

FRESH, STALE, UNKNOWN = "fresh", "stale", "unknown"
_UNSET = object()


def freshness(max_staleness_minutes, last_updated_at: datetime | None, now: datetime) -> dict:
    """fresh: updated within the allowed staleness; stale: not (since last update + allowance);
    unknown: no freshness guarantee, or nothing reported yet."""
    out = {"status": UNKNOWN, "last_updated_at": clock.iso(last_updated_at) if last_updated_at else None,
           "stale_since": None, "max_staleness_minutes": max_staleness_minutes}
    if max_staleness_minutes is None or last_updated_at is None:
        return out
    deadline = last_updated_at + timedelta(minutes=max_staleness_minutes)
    if now <= deadline:
        out["status"] = FRESH
    else:
        out["status"], out["stale_since"] = STALE, clock.iso(deadline)
    return out


def active_guarantees(tenant: str, asset: dict):
    """The guarantees of the asset's active contract (registry store), or None."""
    contract_id = asset.get("active_contract_id")
    if not contract_id:
        return None
    from accord.store import contracts
    contract = contracts.get(tenant, contract_id)
    return (contract or {}).get("guarantees")


def _event_view(item: dict | None) -> dict | None:
    if not item:
        return None
    out = {"id": store.event_uid(item), "event_id": item.get("event_id"), "timestamp": store.event_timestamp(item),
           "recorded_at": item.get("recorded_at"), "partition": item.get("partition"),
           "description": item.get("description"), "metadata": json.loads(item.get("metadata_json") or "{}")}
    if item.get("type") == "check":
        out.update(passed=item.get("passed"), status="passed" if item.get("passed") else "failed",
                   severity=item.get("severity"))
    else:
        out["data_version"] = item.get("data_version")
    return out


def status_of_key(tenant: str, parts: list, max_staleness_minutes=None, now: datetime | None = None) -> dict:
    """Latest materialization, observation and evaluation of each check (newest-first index reads:
    2 + one per check name) and freshness from the materialization or the observation's
    `dagster/last_updated_timestamp`, whichever is later."""
    key = store.key_str(parts)
    mat, obs = store.latest(tenant, key, "materialization"), store.latest(tenant, key, "observation")
    checks = {}
    for name in sorted(store.check_names(tenant, key)):
        checks[name] = _event_view(store.latest(tenant, key, "check", name))
    candidates = [clock.parse(store.event_timestamp(mat))] if mat else []
    last_obs = _event_view(obs)
    if last_obs:
        updated = last_updated_timestamp(last_obs["metadata"])
        if updated:
            last_obs["last_updated_at"] = updated
            candidates.append(clock.parse(updated))
    last = max(candidates) if candidates else None
    return {"asset_key": parts, "last_materialization": _event_view(mat), "last_observation": last_obs,
            "checks": checks, "freshness": freshness(max_staleness_minutes, last, now or clock.now())}


def asset_status(tenant: str, asset: dict, guarantees=_UNSET, now: datetime | None = None) -> dict:
    """For the asset detail: {"last_materialization", "last_observation", "checks": {name: latest},
    "freshness": {status, last_updated_at, stale_since, max_staleness_minutes}}. `guarantees` defaults
    to the active contract's."""
    if guarantees is _UNSET:
        guarantees = active_guarantees(tenant, asset)
    return status_of_key(tenant, asset["fqn"].split("."), max_staleness(guarantees), now)
