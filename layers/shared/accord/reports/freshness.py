"""Freshness as a state with transitions (DESIGN §5, §11): fresh → stale → fresh, each an event.

`status.freshness()` answers "is it fresh now?" on every read. This module keeps, per registered
asset with an allowance (`max_staleness_minutes` on the asset, set by each publish), the state the
last transition left — and finds transitions nobody asked about:

* an update (a materialization, or an observation's `dagster/last_updated_timestamp`) moves
  `last_updated_at` forward and sets the next deadline; a stale asset becoming fresh emits
  `accord.asset.freshness_changed` in the same transaction as the state change. Updates are read
  from the table's stream by the dispatcher (`on_stored_events`), whichever way the report came in
  (HTTP, batch, queue): the report paths pay nothing for it;
* each deadline is also a marker in a global due-time work list (keys.py "freshness due"); the
  scheduled sweep (`sweep`, every minute) reads the markers whose time has come — no Scan — and
  turns a still-fresh asset stale, with its event, in one transaction.

A marker left by an older deadline is ignored (the state's `due_at` moved on); markers are deleted
once judged, and expire after 7 days whatever happens.
"""
import json
import random
import time
from datetime import timedelta

from accord import clock
from accord.log import logger
from accord.notify import events, outbox
from accord.store import assets as asset_store, db, events as event_store, outbox as store

FRESH, STALE = "fresh", "stale"
ATTEMPTS = 5
LOOKBACK_HOURS = 24


def allowance(tenant: str, asset: dict):
    """The asset's allowance in minutes: set on the asset by every publish since notifications
    exist; an older asset's active contract is read once (then cached with the asset)."""
    if "max_staleness_minutes" in asset:
        return asset["max_staleness_minutes"]
    from accord.registry.contracts import freshness_allowance
    from accord.store import contracts
    contract = contracts.get(tenant, asset["active_contract_id"]) if asset.get("active_contract_id") else None
    asset["max_staleness_minutes"] = freshness_allowance((contract or {}).get("guarantees"))
    return asset["max_staleness_minutes"]


def update_time(item: dict) -> str | None:
    """When a stored report says its asset's data was last updated: a materialization's event time,
    an observation's `dagster/last_updated_timestamp`; None for anything else."""
    if item.get("type") == "materialization":
        return event_store.event_timestamp(item)
    if item.get("type") == "observation" and item.get("metadata_json"):
        from accord.reports.record import last_updated_timestamp
        try:
            return last_updated_timestamp(json.loads(item["metadata_json"]))
        except ValueError:
            return None
    return None


def on_stored_events(items: list[dict]) -> int:
    """Stored report events (stream images, plain values): the newest update of each registered
    asset with an allowance advances its freshness state. Returns the number of assets advanced."""
    newest: dict[tuple[str, str], str] = {}
    for item in items:
        at = update_time(item)
        fqn = event_store.fqn_of(event_store.event_key(item)) if at else None
        if fqn:
            slot = (item["PK"][2:].split("#EVK#", 1)[0], fqn)  # T#{tenant}#EVK#{key}
            newest[slot] = max(at, newest.get(slot, at))
    done = 0
    by_tenant: dict[str, list[str]] = {}
    for tenant, fqn in newest:
        by_tenant.setdefault(tenant, []).append(fqn)
    for tenant, fqns in by_tenant.items():
        found = event_store.live_assets_of_many(tenant, fqns)   # a few keys a Query, in parallel
        for fqn in fqns:
            for asset in found[fqn]:
                minutes = allowance(tenant, asset)
                if minutes:
                    advance(tenant, asset, newest[(tenant, fqn)], minutes)
                    done += 1
    return done


def advance(tenant: str, asset: dict, updated_at: str, minutes) -> None:
    for attempt in range(ATTEMPTS):
        state = store.freshness_get(tenant, asset["id"])
        if state and state.get("last_updated_at") and state["last_updated_at"] >= updated_at:
            return  # older news: the state already knows a later update
        due = clock.iso(clock.parse(updated_at) + timedelta(minutes=minutes))
        now = clock.iso()
        status = FRESH if now <= due else STALE
        old = (state or {}).get("status")
        new_state = {"status": status, "last_updated_at": updated_at, "due_at": due, "max_staleness_minutes": minutes,
                     "changed_at": now if status != old else (state or {}).get("changed_at", now)}
        ops = [store.freshness_put_op(tenant, asset["id"], new_state, expect_rev=state and state["rev"])]
        if status == FRESH:
            ops.append(store.due_put_op(tenant, asset["id"], due))
        if old in (FRESH, STALE) and status != old:
            ops.append(outbox.op(tenant, events.freshness_changed(
                tenant, asset, old, status, last_updated_at=updated_at, stale_since=None if status == FRESH else due,
                max_staleness_minutes=minutes, at=now)))
        try:
            asset_store.transact(ops)
            return
        except db.ConditionFailed:
            time.sleep(random.uniform(0.002, 0.02) * (attempt + 1))
    logger.warning("freshness state kept changing", extra={"tenant": tenant, "asset_id": asset["id"]})


def sweep(now=None) -> int:
    """The scheduled function: every asset whose deadline passed with no update becomes stale."""
    now = now or clock.now()
    now_iso = clock.iso(now)
    turned = 0
    for back in range(LOOKBACK_HOURS, -1, -1):
        hour = clock.iso(now - timedelta(hours=back))[:13]
        while True:
            due = store.due_markers(hour, now_iso)
            for marker in due:
                turned += _judge(marker, now_iso)
                store.delete_marker(marker)
            if len(due) < 100:
                break
    return turned


def _judge(marker: dict, now_iso: str) -> int:
    tenant, asset_id = marker["tenant"], marker["asset_id"]
    for attempt in range(ATTEMPTS):
        state = store.freshness_get(tenant, asset_id)
        if not state or state.get("status") != FRESH or state.get("due_at") != marker["due_at"] \
                or state["due_at"] > now_iso:
            return 0  # updated since (a later deadline), already stale, or not due
        asset = asset_store.get(tenant, asset_id)
        if not asset or asset.get("deleted_at") or not allowance(tenant, asset):
            return 0
        new_state = {**{k: v for k, v in state.items() if k not in ("PK", "SK", "rev")},
                     "status": STALE, "changed_at": now_iso}
        event = events.freshness_changed(tenant, asset, FRESH, STALE, last_updated_at=state.get("last_updated_at"),
                                         stale_since=state["due_at"],
                                         max_staleness_minutes=state.get("max_staleness_minutes"), at=now_iso)
        try:
            asset_store.transact([store.freshness_put_op(tenant, asset_id, new_state, expect_rev=state["rev"]),
                                  outbox.op(tenant, event)])
            return 1
        except db.ConditionFailed:
            time.sleep(random.uniform(0.002, 0.02) * (attempt + 1))
    return 0
