"""The dispatcher: every committed event, from the table's stream, to each of its targets once.

Targets (DESIGN §11): the EventBridge bus (every event), the tenant's webhook subscriptions that
want it, and the activity log — the outbox item already is the tenant's and the asset's timeline;
the dispatcher adds a copy under each team the event concerns (the team filter).

The teams an event concerns are computed here, when it is dispatched, by the registry
(`concerned`: the event's own `data.teams` — owners, a proposal's affected teams — plus the subject
asset's registered consumers and the owners of its downstream assets), never by a subscriber.

Exactly once per target under redelivery: a delivery's id is derived from (event, webhook), and it
is created by a conditional put — a redelivered stream batch finds it, and only re-enqueues one that
never left (pending, no attempt yet). Team copies have deterministic keys (rewritten identically).
EventBridge is at least once: a retried batch may put an event again (consumers dedupe on its id).
Subscriptions are read once per tenant per batch, not per event.
"""
from accord import clock
from accord.notify import aws, webhooks
from accord.store import db, events as event_store, outbox as store, webhooks as hook_store

MAX_TX = 100


def inserted(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """(outbox items, stored report events): the new images of a stream batch's INSERT records
    (the event source mapping's filter passes only these two kinds)."""
    from accord.store.codec import decode
    outbox_items, reports = [], []
    for rec in records:
        ddb = rec.get("dynamodb") or {}
        sk = ((ddb.get("Keys") or {}).get("SK") or {}).get("S", "")
        if rec.get("eventName") != "INSERT" or not ddb.get("NewImage") or not (sk == "OUTBOX" or sk.startswith("EV#")):
            continue
        (outbox_items if sk == "OUTBOX" else reports).append(decode(ddb["NewImage"]))
    return outbox_items, reports


def fan_out(items: list[dict], concerned) -> dict:
    """`items`: outbox items (plain values, from stream images); `concerned(tenant, event)` → the
    set of team ids the event concerns. Returns counts (for logs and benchmarks)."""
    by_tenant: dict[str, list[dict]] = {}
    correlation: dict[str, str] = {}  # event id -> the correlation id of the change that made it
    for item in items:
        event = store.event_of(item)
        by_tenant.setdefault(item["tenant"], []).append(event)
        if item.get("correlation_id"):
            correlation[event["id"]] = item["correlation_id"]
    stats = {"events": 0, "deliveries": 0, "bus_calls": 0, "queue_calls": 0}
    all_events = [e for evs in by_tenant.values() for e in evs]
    # webhooks first (a person waits for those), then the team activity copies, then the bus
    for tenant, evs in by_tenant.items():
        hooks = hook_store.list_all(tenant)
        copies, deliveries = [], []
        for event in evs:
            teams = set(concerned(tenant, event))
            copies.extend(store.team_copy(tenant, team, event) for team in sorted(teams))
            for hook in hooks:
                if webhooks.wants(hook, event, teams):
                    deliveries.append(_delivery(event, hook, correlation.get(event["id"])))
        queued = _create(tenant, deliveries)
        stats["queue_calls"] += aws.enqueue([({"tenant": tenant, "webhook_id": d["webhook_id"], "delivery_id": d["id"],
                                               "attempt": 1}, 0, d.get("correlation_id")) for d in queued])
        if copies:
            event_store.batch_put(copies)
        stats["events"] += len(evs)
        stats["deliveries"] += len(queued)
    stats["bus_calls"] = aws.put_events(all_events)
    return stats


def _delivery(event: dict, hook: dict, correlation_id: str | None) -> dict:
    d = {"id": webhooks.delivery_id(event["id"], hook["id"]), "webhook_id": hook["id"], "event_id": event["id"],
         "event_type": event["type"], "event": event, "created_at": clock.iso(), "status": "pending",
         "attempts": 0, "log": []}
    if correlation_id:
        d["correlation_id"] = correlation_id
    return d


def _create(tenant: str, deliveries: list[dict]) -> list[dict]:
    """Put the new deliveries (conditional, ≤ 100 per transaction); those that exist already are
    queued again only if no attempt was ever made (the batch that created them died before queueing)."""
    queue, existing = [], []
    for i in range(0, len(deliveries), MAX_TX):
        todo = deliveries[i:i + MAX_TX]
        while todo:
            try:
                db.transact([hook_store.delivery_put_op(tenant, d) for d in todo])
                queue.extend(todo)
                break
            except db.ConditionFailed as exc:
                there = {j for j, code in enumerate(exc.reasons) if code == "ConditionalCheckFailed"}
                if not there:
                    raise
                existing.extend(todo[j] for j in there)
                todo = [d for j, d in enumerate(todo) if j not in there]
    if existing:
        stored = hook_store.get_deliveries(tenant, [(d["webhook_id"], d["id"]) for d in existing])
        queue.extend(d for d in stored if d.get("status") == "pending" and not d.get("attempts"))
    return queue
