"""What the reports say about an asset: its latest materialization, the latest result of each check,
and freshness against the active contract's `guarantees.freshness.max_staleness_minutes`.

`freshness()` is pure; `asset_status()` reads the key's latest pointers (one Query) and the active
contract (one GetItem, when the asset has one).
"""
import json
from datetime import datetime, timedelta

from accord import clock
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


def max_staleness(guarantees) -> float | int | None:
    """`guarantees.freshness.max_staleness_minutes` (or `max_staleness_hours` × 60), if positive."""
    fresh = (guarantees or {}).get("freshness") if isinstance(guarantees, dict) else None
    if not isinstance(fresh, dict):
        return None
    for name, factor in (("max_staleness_minutes", 1), ("max_staleness_hours", 60)):
        value = fresh.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return value * factor
    return None


def active_guarantees(tenant: str, asset: dict):
    """The guarantees of the asset's active contract (registry store), or None."""
    contract_id = asset.get("active_contract_id")
    if not contract_id:
        return None
    from accord.store import contracts
    contract = contracts.get(tenant, contract_id)
    return (contract or {}).get("guarantees")


def _event_view(p: dict | None) -> dict | None:
    if not p:
        return None
    out = {"id": p.get("id"), "event_id": p.get("event_id"), "timestamp": p.get("timestamp"),
           "recorded_at": p.get("recorded_at"), "partition": p.get("partition"),
           "description": p.get("description")}
    if p.get("type") != "check":
        out["data_version"] = p.get("data_version")
    else:
        out.update(passed=p.get("passed"), status="passed" if p.get("passed") else "failed",
                   severity=p.get("severity"))
    if "metadata_json" in p:
        out["metadata"] = json.loads(p["metadata_json"])
    elif p.get("metadata_truncated"):
        out["metadata_truncated"] = True
    if p.get("last_updated_at"):
        out["last_updated_at"] = p["last_updated_at"]
    return out


def status_of_key(tenant: str, parts: list, max_staleness_minutes=None, now: datetime | None = None) -> dict:
    latest = {p["SK"]: p for p in store.pointers(tenant, store.key_str(parts))}
    mat, obs = latest.get(store.pointer_sk("materialization", None)), latest.get(store.pointer_sk("observation", None))
    checks = {p["check_name"]: _event_view(p) for sk, p in sorted(latest.items()) if p.get("type") == "check"}
    candidates = [clock.parse(mat["timestamp"])] if mat else []
    if obs and obs.get("last_updated_at"):
        candidates.append(clock.parse(obs["last_updated_at"]))
    last = max(candidates) if candidates else None
    return {"asset_key": parts, "last_materialization": _event_view(mat), "last_observation": _event_view(obs),
            "checks": checks, "freshness": freshness(max_staleness_minutes, last, now or clock.now())}


def asset_status(tenant: str, asset: dict, guarantees=_UNSET, now: datetime | None = None) -> dict:
    """For the asset detail: {"last_materialization", "last_observation", "checks": {name: latest},
    "freshness": {status, last_updated_at, stale_since, max_staleness_minutes}}. `guarantees` defaults
    to the active contract's."""
    if guarantees is _UNSET:
        guarantees = active_guarantees(tenant, asset)
    return status_of_key(tenant, asset["fqn"].split("."), max_staleness(guarantees), now)
