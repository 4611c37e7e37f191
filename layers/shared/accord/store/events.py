"""Event reports in DynamoDB (key patterns: keys.py, "Reports family").

Events are append-only items under their canonical asset key, keyed by `seq` ({timestamp}#{uid}),
with two indexes: per type (GSI1) and per check name or partition (GSI2), all in event-time order.
So "the latest materialization / observation / evaluation of this check / event of this partition"
is the first item of one newest-first Query: a latest pointer that only moves forward in event time
by construction — a late, out-of-order or replayed delivery is simply not the newest — and costs no
write at all (conditional pointer items would cost a request per pointer per batch).

Two write paths, both idempotent:
* one report (HTTP): one TransactWriteItems — event id guard (if any), event, key item, and for
  checks the audit runs with their counters;
* many reports (SQS, the batch endpoint): event and key items by BatchWriteItem (deterministic keys:
  a redelivery overwrites an item with itself), producer-id guards by a conditional transaction
  first, audit runs by a transaction whose run puts are conditional (never counted twice).
"""
import base64
import json
import time

from accord import errors
from accord.store import assets as asset_store, db, keys as k, retention
from accord.store.codec import encode

GUARD_TTL_SECONDS = 30 * 86400
INDEX_KEYS = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")
HIDDEN = INDEX_KEYS + ("ttl",)
BATCH_WRITE_MAX = 25
MAX_FILTER_PAGES = 10
LOOKUP_WORKERS = 8

def key_str(parts: list) -> str:
    """The canonical asset key: a compact JSON list (unambiguous whatever the parts contain)."""
    return json.dumps(parts, separators=(",", ":"), ensure_ascii=False)


def fqn_of(parts: list) -> str | None:
    """The registry fqn these parts name (`fqn.split(".")` == parts), or None if none can."""
    if any("." in p or not p for p in parts):
        return None
    return ".".join(parts)


def public(item: dict | None) -> dict | None:
    if item is None:
        return None
    return {key: v for key, v in item.items() if key not in HIDDEN}


# ------------------------------------------------------------------ items
def event_item(tenant: str, key: str, attrs: dict) -> dict:
    """`attrs`: the event's stored fields; must hold seq, type and (checks) check_name, partition.
    It expires with the tenant's retention, counted from when it was recorded (a backfill of old
    events is kept as long as a fresh one)."""
    seq, kind = attrs["seq"], attrs["type"]
    item = {"PK": k.event_key_pk(tenant, key), "SK": k.event_sk(seq),
            "GSI1PK": k.event_type_gsi(tenant, key, kind), "GSI1SK": seq,
            "ttl": retention.expires(tenant, attrs.get("recorded_at"))}
    if kind == "check":
        item.update(GSI2PK=k.event_check_gsi(tenant, key, attrs["check_name"]), GSI2SK=seq)
    elif attrs.get("partition") is not None:
        item.update(GSI2PK=k.event_partition_gsi(tenant, key, attrs["partition"]), GSI2SK=seq)
    item.update({n: v for n, v in attrs.items() if v is not None and n != "seq"})
    return item


def event_seq(item: dict) -> str:
    return item["SK"][len(k.EVENT_PREFIX):]


def event_uid(item: dict) -> str:
    return event_seq(item).split("#", 1)[1]


def event_timestamp(item: dict) -> str:
    return event_seq(item).split("#", 1)[0]


def event_key(item: dict) -> list:
    """The asset key parts, from the partition key (T#{t}#EVK#{key as JSON})."""
    return json.loads(item["PK"].split("#EVK#", 1)[1])


def key_item(tenant: str, key: str, parts: list, last_seen_at: str, last_type: str) -> dict:
    item = {"PK": k.event_key_pk(tenant, key), "SK": k.EVENT_KEY_SK,
            "GSI1PK": k.event_keys_gsi(tenant), "GSI1SK": k.US.join(parts),
            "asset_key": parts, "last_seen_at": last_seen_at, "last_type": last_type,
            "ttl": retention.expires(tenant)}
    fqn = fqn_of(parts)
    if fqn:
        item["fqn"] = fqn
    return item


def check_item(tenant: str, key: str, check_name: str, last_seen_at: str) -> dict:
    return {"PK": k.event_key_pk(tenant, key), "SK": k.reported_check_sk(check_name), "check_name": check_name,
            "last_seen_at": last_seen_at, "ttl": retention.expires(tenant)}


def guard_item(tenant: str, event_id: str, key: str, seq: str, fingerprint: str, now_epoch: int) -> dict:
    return {"PK": k.event_id_pk(tenant, event_id), "SK": k.EVENT_ID_SK, "event_key": key,
            "event_sk": k.event_sk(seq), "seq": seq, "fingerprint": fingerprint,
            "ttl": now_epoch + GUARD_TTL_SECONDS}


def rejected_item(tenant: str, rid: str, at: str, attrs: dict) -> dict:
    return {"PK": k.rejected_pk(tenant), "SK": f"{at}#{rid}", "id": rid, "at": at,
            **{n: v for n, v in attrs.items() if v is not None}, "ttl": retention.expires(tenant)}


# ------------------------------------------------------------------ writes
def transact(ops: list[dict], deadline: float | None = None) -> None:
    """One TransactWriteItems (retried on a concurrent transaction's conflict — until `deadline`, and
    throttling too, when given; raises ConditionFailed with one reason per op)."""
    asset_store.transact(ops, deadline=deadline)


def batch_put(items: list[dict], deadline: float | None = None) -> None:
    """Unconditional puts, 25 per BatchWriteItem; unprocessed items (throttling) retried with backoff —
    8 times, or until `deadline` (time.monotonic()) when given.
    (store/db has no batch write yet: this goes through its error translation, db._call.)"""
    import random
    table = db.table_name()
    for i in range(0, len(items), BATCH_WRITE_MAX):
        request = {table: [{"PutRequest": {"Item": encode(item)}} for item in items[i:i + BATCH_WRITE_MAX]]}
        attempt = 0
        while True:
            try:
                out = db._call("batch_write_item", RequestItems=request)
                request = out.get("UnprocessedItems") or {}
            except errors.TooManyRequests:
                if deadline is None:
                    raise
            if not request:
                break
            attempt += 1
            pause = random.uniform(0, min(0.05 * 2 ** attempt, 1.0))
            if (deadline is None and attempt >= 8) or (deadline is not None and time.monotonic() + pause > deadline):
                raise errors.TooManyRequests("The table is busy; retry with backoff.", headers={"Retry-After": "1"})
            time.sleep(pause)


# ------------------------------------------------------------------ reads
def get_many(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    return {(i["PK"], i["SK"]): i for i in db.batch_get(pairs, consistent=True)} if pairs else {}


def guard_key(tenant: str, event_id: str) -> tuple[str, str]:
    return k.event_id_pk(tenant, event_id), k.EVENT_ID_SK


def live_assets(tenant: str, fqn: str) -> list[dict]:
    """The live registry assets named `fqn` (one per environment): one Query of the registry's list
    index (keys.py "asset": GSI1 T#{t}#ASSETS, sort key {fqnkey}{env}␟{id}; deleted assets leave it)."""
    out, start = [], None
    while True:
        page, start = db.query(k.assets_gsi(tenant), index="GSI1", sk_prefix=k.fqn_key(fqn), start=start)
        out.extend(i for i in page if not i.get("deleted_at"))
        if not start:
            return out


def live_assets_of_many(tenant: str, fqns: list[str]) -> dict[str, list[dict]]:
    """{fqn: live assets named so} — one Query per fqn (a few keys each), run in parallel."""
    if len(fqns) <= 1:
        return {f: live_assets(tenant, f) for f in fqns}
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=min(LOOKUP_WORKERS, len(fqns))) as pool:
        return dict(zip(fqns, pool.map(lambda f: live_assets(tenant, f), fqns)))


def latest(tenant: str, key: str, kind: str, check_name: str | None = None) -> dict | None:
    """The newest live event of a type (GSI1) or of a check (GSI2), by event time. One item read;
    only if that one has expired (events expire by when they were recorded, so an older event
    may outlive it) are more read, with the live filter."""
    if check_name is not None:
        partition, index = k.event_check_gsi(tenant, key, check_name), "GSI2"
    else:
        partition, index = k.event_type_gsi(tenant, key, kind), "GSI1"
    page, _ = db.query(partition, index=index, forward=False, limit=1)
    if not page or retention.is_live(page[0]):
        return page[0] if page else None
    live, names, values = retention.live_filter()
    start = None
    for _ in range(MAX_FILTER_PAGES):
        page, start = db.query(partition, index=index, forward=False, limit=100, start=start,
                               filter=live, names=names, values=values)
        if page or not start:
            return page[0] if page else None
    return None


def check_names(tenant: str, key: str, limit: int = 100) -> list[str]:
    page, _ = db.query(k.event_key_pk(tenant, key), sk_prefix=k.REPORTED_CHECK_PREFIX, limit=limit,
                       projection=["check_name", "ttl"])
    return [i["check_name"] for i in page if retention.is_live(i)]


def encode_cursor(key: dict) -> str:
    raw = json.dumps(key, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, names: tuple, partition_name: str, partition: str) -> dict:
    bad = errors.Unprocessable("Query parameter 'cursor' is not a cursor this list returned (filters must "
                               "stay the same while paging).",
                               detail=[{"loc": ["query", "cursor"], "msg": "invalid cursor", "type": "value_error"}])
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise bad from None
    if (not isinstance(raw, dict) or set(raw) != set(names) or not all(isinstance(v, str) for v in raw.values())
            or raw.get(partition_name) != partition):
        raise bad
    return {n: {"S": v} for n, v in raw.items()}


def _page(partition: str, *, index: str | None, sk_prefix: str | None, limit: int, cursor: str | None,
          forward: bool, filter: str | None = None, names=None, values=None) -> tuple[list[dict], str | None]:
    """One page of at most `limit` live items and the cursor of the next (None at the end)."""
    key_names = ("PK", "SK") if index is None else ("PK", "SK", f"{index}PK", f"{index}SK")
    pname = "PK" if index is None else f"{index}PK"
    start = decode_cursor(cursor, key_names, pname, partition) if cursor else None
    items: list[dict] = []
    sparse = filter is not None
    live, live_names, live_values = retention.live_filter()
    filter = f"{live} AND {filter}" if filter else live
    names, values = {**live_names, **(names or {})}, {**live_values, **(values or {})}
    for _ in range(MAX_FILTER_PAGES):
        want = limit + 1 - len(items)
        page, start = db.query(partition, index=index, sk_prefix=sk_prefix, forward=forward, start=start,
                               limit=max(want, 50) if sparse else want, filter=filter, names=names,
                               values=values, consistent=index is None)
        items.extend(page)
        if len(items) > limit or not start:
            break
    if len(items) > limit:
        items = items[:limit]
        return items, encode_cursor({n: items[-1][n] for n in key_names})
    if start:  # filtered pages ran out of budget before the end
        return items, encode_cursor({n: v["S"] for n, v in start.items()})
    return items, None


def list_events(tenant: str, key: str, *, kind: str | None, partition: str | None, check_name: str | None,
                limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    """Newest first (event time). Each filter is served by a key; a second filter is a FilterExpression
    over the first's key range."""
    flt, names, values = [], {}, {}
    if check_name is not None:
        if kind not in (None, "check"):
            return [], None
        index, partition_key = "GSI2", k.event_check_gsi(tenant, key, check_name)
        if partition is not None:
            flt.append("#fp = :fp")
            names["#fp"], values[":fp"] = "partition", partition
    elif partition is not None:
        index, partition_key = "GSI2", k.event_partition_gsi(tenant, key, partition)
        if kind is not None:
            flt.append("#ft = :ft")
            names["#ft"], values[":ft"] = "type", kind
    elif kind is not None:
        index, partition_key = "GSI1", k.event_type_gsi(tenant, key, kind)
    else:
        index, partition_key = None, k.event_key_pk(tenant, key)
    return _page(partition_key, index=index, sk_prefix=k.EVENT_PREFIX if index is None else None,
                 limit=limit, cursor=cursor, forward=False, filter=" AND ".join(flt) or None,
                 names=names or None, values=values or None)


def list_keys(tenant: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    """Reported keys in key order (parts joined by ␟: a key sorts before the keys below it)."""
    return _page(k.event_keys_gsi(tenant), index="GSI1", sk_prefix=None, limit=limit, cursor=cursor, forward=True)


def list_rejected(tenant: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    return _page(k.rejected_pk(tenant), index=None, sk_prefix=None, limit=limit, cursor=cursor, forward=False)
