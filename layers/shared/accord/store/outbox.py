"""The event outbox and activity log (keys.py "Notifications").

An event is one item (`T#{t}#EVENT#{id}` / OUTBOX) put in the *same* transaction as the change it
describes, by the writer that makes the change: `put_op` is the transaction part. So a rolled-back
change leaves no event, and a committed one always has its event. DynamoDB Streams carry the
item's INSERT to the dispatcher (the event source mapping filters on SK = OUTBOX); the item itself
is the tenant's activity log (GSI1: the tenant's timeline, GSI2: the subject asset's), kept 90 days.

The event is stored as its CloudEvent JSON (`ce`), exactly what every target receives, plus the
attributes its indexes and filters need (`type`, `asset_id`, `time`).

Also here: an asset's freshness state and the global due-time work list of the freshness sweep.
"""
import json
import time

from accord.store import db, keys as k

RETENTION_SECONDS = 90 * 86400
FRESH_DUE_TTL_SECONDS = 7 * 86400
INDEX_KEYS = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "ttl")
MAX_FILTER_PAGES = 10


def _sort(event: dict) -> str:
    return f"{event['time']}#{event['id']}"


def event_item(tenant: str, event: dict, correlation_id: str | None = None) -> dict:
    data = event.get("data") or {}
    item = {"PK": k.event_pk(tenant, event["id"]), "SK": k.OUTBOX_SK,
            "GSI1PK": k.activity_gsi(tenant), "GSI1SK": _sort(event),
            "tenant": tenant, "event_id": event["id"], "type": event["type"], "time": event["time"],
            "ce": json.dumps(event, separators=(",", ":"), ensure_ascii=False),
            "ttl": int(time.time()) + RETENTION_SECONDS}
    if data.get("asset_id"):
        item.update(GSI2PK=k.asset_activity_gsi(tenant, data["asset_id"]), GSI2SK=_sort(event),
                    asset_id=data["asset_id"])
    if correlation_id:
        item["correlation_id"] = correlation_id
    return item


def put_op(tenant: str, event: dict, correlation_id: str | None = None) -> dict:
    """The outbox part of a transaction: the event, once (its id is new)."""
    return db.put_op(event_item(tenant, event, correlation_id), "attribute_not_exists(PK)")


def event_of(item: dict) -> dict:
    """The CloudEvent an outbox item (or a stream image decoded to plain values) holds."""
    return json.loads(item["ce"])


def get(tenant: str, event_id: str) -> dict | None:
    item = db.get(k.event_pk(tenant, event_id), k.OUTBOX_SK, consistent=False)
    return event_of(item) if item else None


# ------------------------------------------------------------------ activity (reads)
def team_copy(tenant: str, team_id: str, event: dict) -> dict:
    return {"PK": k.team_activity_pk(tenant, team_id), "SK": _sort(event), "type": event["type"],
            "asset_id": (event.get("data") or {}).get("asset_id"),
            "ce": json.dumps(event, separators=(",", ":"), ensure_ascii=False),
            "ttl": int(time.time()) + RETENTION_SECONDS}


def activity_page(tenant: str, *, kind: str | None, asset_id: str | None, team_id: str | None, limit: int,
                  cursor: str | None) -> tuple[list[dict], str | None]:
    """Newest first. One filter is a key (a team's copies, the asset's timeline, the tenant's); the
    others are a FilterExpression over it (at most MAX_FILTER_PAGES pages, then a cursor)."""
    from accord.store.events import _page  # the one cursor-paged newest-first reader of the store
    if team_id:
        partition, index = k.team_activity_pk(tenant, team_id), None
    elif asset_id:
        partition, index = k.asset_activity_gsi(tenant, asset_id), "GSI2"
    else:
        partition, index = k.activity_gsi(tenant), "GSI1"
    flt, names, values = [], {}, {}
    if kind:
        flt.append("#ty = :ty")
        names["#ty"], values[":ty"] = "type", kind
    if asset_id and team_id:
        flt.append("#as = :as")
        names["#as"], values[":as"] = "asset_id", asset_id
    items, nxt = _page(partition, index=index, sk_prefix=None, limit=limit, cursor=cursor, forward=False,
                       filter=" AND ".join(flt) or None, names=names or None, values=values or None)
    return [event_of(i) for i in items], nxt


# ------------------------------------------------------------------ freshness state
def freshness_get(tenant: str, asset_id: str) -> dict | None:
    return db.get(k.asset_pk(tenant, asset_id), k.FRESHNESS_SK)


def freshness_put_op(tenant: str, asset_id: str, state: dict, *, expect_rev: int | None) -> dict:
    """Write the freshness state if nobody changed it since it was read (rev; None = not there yet)."""
    item = {"PK": k.asset_pk(tenant, asset_id), "SK": k.FRESHNESS_SK, **state,
            "rev": (expect_rev or 0) + 1}
    if expect_rev is None:
        return db.put_op(item, "attribute_not_exists(PK)")
    return db.put_op(item, "rev = :rev", values={":rev": expect_rev})


def due_item(tenant: str, asset_id: str, due_at: str) -> dict:
    return {"PK": k.fresh_due_pk(due_at[:13]), "SK": k.fresh_due_sk(due_at, tenant, asset_id),
            "tenant": tenant, "asset_id": asset_id, "due_at": due_at,
            "ttl": int(time.time()) + FRESH_DUE_TTL_SECONDS}


def due_put_op(tenant: str, asset_id: str, due_at: str) -> dict:
    return db.put_op(due_item(tenant, asset_id, due_at))


def due_markers(hour: str, now_iso: str, limit: int = 100) -> list[dict]:
    """Markers of `hour` whose time has come (sorted by due time: the first `limit`)."""
    items, _ = db.query(k.fresh_due_pk(hour), limit=limit)
    return [i for i in items if i["due_at"] <= now_iso]


def delete_marker(item: dict) -> None:
    db.delete(item["PK"], item["SK"])
