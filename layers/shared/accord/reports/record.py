"""Recording reports: ids and event time, the items store/events.py writes, checks → audit runs.

Shared by the HTTP reports function (`record_one`: one report, one transaction, synchronous) and
the SQS worker and batch endpoint (`record_many`: batched writes). Both are idempotent on the
report's id, so a retried request or a redelivered message never records an event twice:

* an id given by the producer (`event_id`, the `Idempotency-Key` header) is claimed by a guard item
  (conditional put) — a second report with the same id is a duplicate, or, if its content differs,
  a conflict;
* an SQS message's own reports use `sqs:{messageId}:{index}` and the message's SentTimestamp, so
  every item they write has a deterministic key and a redelivery rewrites the same items.
"""
import hashlib
import math
import os
import secrets
import time
import uuid
from dataclasses import dataclass, field
from functools import cached_property

from accord import clock, errors
from accord.notify import events as notify_events, outbox
from accord.reports.parse import CHECK, Event, dumps
from accord.registry import audit
from accord.store import audit as audit_store, db, events as store, keys as k

BOOKKEEPING_SECONDS = float(os.environ.get("ACCORD_KEY_REFRESH_SECONDS", "60"))
MAX_TX_OPS = 100
MAX_TX_BYTES = 3_000_000             # TransactWriteItems stops at 4 MB
ASSET_CACHE_SECONDS = float(os.environ.get("ACCORD_ASSET_CACHE_SECONDS", "60"))
MAX_ASSETS_PER_KEY = 15              # environments a check's audit run is copied to (one transaction: ≤ 100 ops)
_RUN_NS = uuid.UUID("6f1c9b0e-2f43-4c59-9a57-5d0f3c1f7a10")

RECORDED, DUPLICATE, REJECTED, FAILED = "recorded", "duplicate", "rejected", "failed"


@dataclass
class Report:
    ev: Event
    event_id: str | None          # the id that dedupes (None: nothing to dedupe on)
    guarded: bool                 # claim event_id with a guard item (else the keys are deterministic)
    uid: str
    ts: str
    source: str
    recorded_by: str | None = None
    message_id: str | None = None
    index: int | None = None
    status: str | None = None
    error: str | None = None
    assets: list = field(default_factory=list)
    exc: BaseException | None = None

    @property
    def seq(self) -> str:
        return f"{self.ts}#{self.uid}"

    @cached_property
    def key(self) -> str:
        return store.key_str(self.ev.asset_key)

    def result(self) -> dict:
        out = {"index": self.index, "status": self.status}
        if self.event_id:
            out["event_id"] = self.event_id
        if self.error:
            out["error"] = self.error
        return out


def prepare(ev: Event, *, source: str, recorded_by: str | None = None, event_id: str | None = None,
            default_ts: str | None = None, message_id: str | None = None, index: int | None = None) -> Report:
    """`event_id`: the id to dedupe on when the report has none of its own (SQS message id + index);
    `default_ts`: the event time when the report has none (the message's SentTimestamp)."""
    own = ev.event_id
    ident = own or event_id
    uid = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:20] if ident else secrets.token_hex(10)
    ts = ev.timestamp or default_ts or clock.iso()
    # an SQS message's own id with its SentTimestamp needs no guard: a redelivery is the same message,
    # so every key it writes is the same; any other id is claimed (it may come back with other content)
    guarded = bool(own) or bool(ident and not default_ts)
    return Report(ev=ev, event_id=ident, guarded=guarded, uid=uid, ts=ts, source=source,
                  recorded_by=recorded_by, message_id=message_id, index=index)


def producer_id(r: Report) -> str | None:
    """The id the producer gave the report (`event_id`, the Idempotency-Key, `{key}#{index}` in a
    batch); None for the queue's own `sqs:{messageId}:{index}`, which no client knows."""
    return r.event_id if r.guarded else None


# ------------------------------------------------------------------ stored shapes
def event_attrs(r: Report, now: str) -> dict:
    """The stored event. Its key is its sort key's and partition key's business: EV#{timestamp}#{uid}
    under T#{t}#EVK#{asset key}; store/events.event_timestamp, event_uid and event_key read them back."""
    ev = r.ev
    return {"seq": r.seq, "type": ev.type, "recorded_at": now,
            "metadata_json": ev.metadata_json or None, "partition": ev.partition,
            "description": ev.description, "data_version": ev.data_version, "check_name": ev.check_name,
            "passed": ev.passed, "severity": ev.severity, "environment": ev.environment,
            "event_id": producer_id(r), "source": None if r.source == "sqs" else r.source,  # absent: the queue
            "recorded_by": r.recorded_by}


def last_updated_timestamp(metadata: dict) -> str | None:
    """Observation metadata `dagster/last_updated_timestamp` (epoch seconds, as Dagster writes it; an
    ISO-8601 string or `{"raw_value"|"value": ...}` also accepted) as ISO-8601, else None."""
    value = metadata.get("dagster/last_updated_timestamp")
    if isinstance(value, dict):
        value = value.get("raw_value", value.get("value"))
    try:
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, (int, float)):
            from datetime import datetime, timezone
            if not math.isfinite(value):
                return None
            return clock.iso(datetime.fromtimestamp(float(value), tz=timezone.utc))
        if isinstance(value, str):
            try:
                return last_updated_timestamp({"dagster/last_updated_timestamp": float(value)})
            except ValueError:
                return clock.iso(clock.parse(value))
    except (ValueError, OverflowError, OSError):
        return None
    return None


def _triggered_by(metadata: dict) -> str:
    for name in ("accord/triggered_by", "triggered_by"):
        value = metadata.get(name)
        if isinstance(value, str) and value.strip() and len(value.strip()) <= 50 \
                and not any(ord(c) < 32 for c in value):
            return value.strip()
    return "dagster"


def _dynamo_safe(value, depth: int = 0) -> bool:
    """Can DynamoDB store this as a native value (≤ 32 levels, numbers within its range, no empty
    map keys)? Otherwise an audit run keeps the metadata as a JSON string."""
    if depth > 30:
        return False
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    if isinstance(value, int):
        return len(str(abs(value))) <= 38
    if isinstance(value, float):
        return math.isfinite(value) and (value == 0 or 1e-130 < abs(value) < 9.9e125)
    if isinstance(value, dict):  # map keys must be non-empty
        return all(key != "" and _dynamo_safe(v, depth + 1) for key, v in value.items())
    if isinstance(value, list):
        return all(_dynamo_safe(v, depth + 1) for v in value)
    return False


MAX_RUN_ID = 255                     # the registry's audit run_id (models/assets.py)


def run_id(r: Report) -> str:
    """An audit run's `run_id`: the check's Dagster run (metadata `dagster/run_id`), else the report's
    id — the producer's `event_id` (or Idempotency-Key), else the event's own `id` (as the events
    list shows it; deterministic for a queue message, so a redelivery writes the same run)."""
    ref = r.ev.metadata.get("dagster/run_id")
    if isinstance(ref, str) and ref.strip() and len(ref) <= MAX_RUN_ID:
        return ref
    own = producer_id(r)
    return own if own and len(own) <= MAX_RUN_ID else r.uid


def audit_run(r: Report, asset: dict, now: str) -> dict:
    """The check evaluation as an audit run, made by the registry's one builder."""
    ev = r.ev
    details = {"source": "reports", "check_name": ev.check_name, "severity": ev.severity,
               "asset_key": ev.asset_key, "partition": ev.partition, "description": ev.description,
               "event_id": r.event_id, "event_uid": r.uid}
    if ev.metadata:
        if _dynamo_safe(ev.metadata):
            details["metadata"] = ev.metadata
        else:
            details["metadata_json"] = dumps(ev.metadata)
    result = {"guarantee_id": ev.check_name, "passed": bool(ev.passed),
              "error_message": (ev.description or "")[:2000] or None if not ev.passed else None,
              "rows_checked": None, "rows_failed": None,
              "metadata": {"severity": ev.severity, "partition": ev.partition}}
    return audit.build_run(asset, status="passed" if ev.passed else "failed",
                           triggered_by=_triggered_by(ev.metadata), run_id=run_id(r), run_at=r.ts,
                           guarantee_results=[result], details=details, recorded_by=r.recorded_by,
                           run_uuid=str(uuid.uuid5(_RUN_NS, f"{r.uid}:{asset['id']}")), now=now)


def check_failed_op(tenant: str, r: Report, asset: dict, run: dict) -> dict:
    """The outbox part of a failed check's audit run (same transaction as the run)."""
    return outbox.op(tenant, notify_events.check_failed(tenant, asset, run, r.ev.check_name, r.ev.severity,
                                                        r.ev.description))


# ------------------------------------------------------------------ assets of a key (checks)
_asset_cache: dict = {}


def resolve_assets(tenant: str, reports: list[Report], *, refresh: bool = False) -> None:
    """Attach to each check report the live registry assets its key names (its `environment`, if it
    gave one, else every environment). Found assets are cached briefly in the warm environment (a
    deleted one is caught by the audit write's condition, which then looks again). Keys not cached:
    one Query each (a few keys; in parallel), so a key no asset has costs half a read unit."""
    now = time.monotonic()
    found: dict[str, list] = {}
    wanted = [r for r in reports if r.ev.type == CHECK and r.status is None and store.fqn_of(r.ev.asset_key)]
    todo = []
    for r in wanted:
        fqn = store.fqn_of(r.ev.asset_key)
        cached = None if refresh else _asset_cache.get((tenant, fqn))
        if cached and cached[0] > now:
            found[fqn] = cached[1]
        elif fqn not in todo:
            todo.append(fqn)
    looked_up = store.live_assets_of_many(tenant, todo)
    for fqn in todo:
        found[fqn] = looked_up[fqn][:MAX_ASSETS_PER_KEY]
        if found[fqn]:
            _asset_cache[(tenant, fqn)] = (now + ASSET_CACHE_SECONDS, found[fqn])
        else:
            _asset_cache.pop((tenant, fqn), None)
    for r in wanted:
        env = r.ev.environment
        r.assets = [a for a in found[store.fqn_of(r.ev.asset_key)] if env is None or a.get("environment") == env]


# ------------------------------------------------------------------ key and check items
_written: dict = {}


def bookkeeping(tenant: str, reports: list[Report], now: str) -> list[tuple]:
    """The key items (the unregistered list) and reported-check items (the status' check names) the
    reports need, except those this warm environment wrote within BOOKKEEPING_SECONDS: they only say
    "this key / check was reported" and when (last_seen_at is that coarse)."""
    items, seen = {}, time.monotonic()
    for r in reports:
        key_slot = (tenant, r.key, "KEY")
        if _written.get(key_slot, 0) <= seen:
            items[key_slot] = store.key_item(tenant, r.key, r.ev.asset_key, now, r.ev.type)
        if r.ev.type == CHECK:
            check_slot = (tenant, r.key, "CHK", r.ev.check_name)
            if _written.get(check_slot, 0) <= seen:
                items[check_slot] = store.check_item(tenant, r.key, r.ev.check_name, now)
    return list(items.items())


def written(slots) -> None:
    until = time.monotonic() + BOOKKEEPING_SECONDS
    for slot in slots:
        _written[slot] = until
    if len(_written) > 100_000:
        _written.clear()


# ------------------------------------------------------------------ duplicates
def _guard(tenant: str, r: Report) -> dict:
    return store.guard_item(tenant, r.event_id, r.key, r.seq, r.ev.fingerprint(), int(time.time()))


# a claim is new, or the same report claiming it again (a retry after a crash between claim and write)
GUARD_CONDITION = "attribute_not_exists(PK) OR (event_sk = :sk AND fingerprint = :fp)"


def _guard_op(tenant: str, r: Report) -> dict:
    return db.put_op(_guard(tenant, r), GUARD_CONDITION, values={":sk": f"EV#{r.seq}", ":fp": r.ev.fingerprint()})


def resolve_duplicates(tenant: str, reports: list[Report]) -> list[Report]:
    """Reports whose id was already claimed: a duplicate (same content, event stored), a conflict
    (different content: rejected), or an orphan (a crash between the claim and the write): the
    report adopts the claimed event time and uid and is returned, to be written again."""
    guards = store.get_many([store.guard_key(tenant, r.event_id) for r in reports])
    events = store.get_many([(k.event_key_pk(tenant, g["event_key"]), g["event_sk"]) for g in guards.values()])
    retry = []
    for r in reports:
        g = guards.get(store.guard_key(tenant, r.event_id))
        if g is None:  # expired meanwhile: claim again
            retry.append(r)
        elif g.get("fingerprint") != r.ev.fingerprint():
            r.status, r.error = REJECTED, (f"event_id {r.event_id!r} was already used for a different report; "
                                           "ids must be unique per report.")
        elif (k.event_key_pk(tenant, g["event_key"]), g["event_sk"]) in events:
            r.status = DUPLICATE
        else:
            r.ts, r.uid = g["seq"].split("#", 1)
            retry.append(r)
    return retry


# ------------------------------------------------------------------ one report, one transaction
def record_one(tenant: str, r: Report) -> Report:
    """HTTP: event, key item, the id guard and (checks) the audit runs with their counters — and a
    failed check's outbox event — in one TransactWriteItems; a read right after sees all of it."""
    now = clock.iso()
    resolve_assets(tenant, [r])
    done: set = set()   # (uid, asset id) whose run exists already
    for _ in range(6):
        ops, labels = [], []
        if r.event_id and r.guarded:
            ops.append(_guard_op(tenant, r))
            labels.append("guard")
        ops.append(db.put_op(store.event_item(tenant, r.key, event_attrs(r, now)), "attribute_not_exists(PK)"))
        labels.append("event")
        extra = bookkeeping(tenant, [r], now)
        for _, item in extra:
            ops.append(db.put_op(item))
            labels.append("key")
        counts = audit_store.Counts()
        for asset in r.assets:
            if (r.uid, asset["id"]) in done:
                continue
            run = audit_run(r, asset, now)
            ops.append(audit_store.run_op(tenant, asset["id"], run))
            labels.append("run:" + asset["id"])
            if run["status"] == "failed":
                ops.append(check_failed_op(tenant, r, asset, run))
                labels.append("outbox")
            counts.add(tenant, asset["id"], run)
        for op in counts.ops(tenant):
            ops.append(op)
            labels.append("count")
        try:
            store.transact(ops)
            written(slot for slot, _ in extra)
            r.status = RECORDED
            return r
        except db.ConditionFailed as exc:
            failed = {labels[i] for i, code in enumerate(exc.reasons)
                      if code == "ConditionalCheckFailed" and i < len(labels)}
            if not failed:
                raise errors.ServiceUnavailable("The report could not be stored; retry.") from None
            if failed & {"guard", "event"}:
                if not r.guarded:
                    r.status = DUPLICATE
                    return r
                if not resolve_duplicates(tenant, [r]):
                    return r
                continue  # an orphaned claim adopted: write again
            done |= {(r.uid, label.split(":", 1)[1]) for label in failed if label.startswith("run:")}
    raise errors.Conflict("The report kept conflicting with concurrent writes; retry.", code="TRANSACTION_CONFLICT")


# ------------------------------------------------------------------ many reports, batched writes
def record_many(tenant: str, reports: list[Report], deadline: float | None = None) -> list[Report]:
    """SQS and the batch endpoint. Sets each report's status: recorded, duplicate, rejected (an id
    reused for different content) or failed (storage trouble: `exc` is set; retrying is safe).
    `deadline` (time.monotonic()): until when contention and throttling are retried in place."""
    now = clock.iso()
    live = [r for r in reports if r.status is None]
    try:
        _claim(tenant, [r for r in live if r.event_id and r.guarded], deadline)
    except Exception as exc:  # noqa: BLE001 - transient: the caller retries these reports
        _fail([r for r in live if r.status is None], exc)
        return reports
    live = [r for r in live if r.status is None]
    if not live:
        return reports
    try:
        resolve_assets(tenant, live)
        extra = bookkeeping(tenant, live, now)
        store.batch_put([store.event_item(tenant, r.key, event_attrs(r, now)) for r in live]
                        + [item for _, item in extra], deadline=deadline)
        written(slot for slot, _ in extra)
    except Exception as exc:  # noqa: BLE001
        _fail(live, exc)
        return reports
    _audit(tenant, [r for r in live if r.status is None and r.assets], now, deadline)
    for r in live:
        if r.status is None:
            r.status = RECORDED
    return reports


def _fail(reports: list[Report], exc: BaseException) -> None:
    for r in reports:
        r.status, r.exc = FAILED, exc
        r.error = exc.message if isinstance(exc, errors.AccordError) else "Storage error; retried."


def _claim(tenant: str, reports: list[Report], deadline: float | None = None) -> None:
    """Guard items for reports with an id of their own, ≤ 100 per transaction; ids already claimed
    are resolved (duplicate / conflict / orphan adopted and claimed again)."""
    pending = list(reports)
    for _ in range(6):
        if not pending:
            return
        retry = []
        for i in range(0, len(pending), MAX_TX_OPS):
            chunk = pending[i:i + MAX_TX_OPS]
            seen, todo = set(), []
            for r in chunk:  # the same id twice in one batch: the second is a duplicate of the first
                if r.event_id in seen:
                    r.status = DUPLICATE
                else:
                    seen.add(r.event_id)
                    todo.append(r)
            while todo:
                try:
                    store.transact([_guard_op(tenant, r) for r in todo], deadline=deadline)
                    break
                except db.ConditionFailed as exc:
                    bad = [todo[j] for j, code in enumerate(exc.reasons)
                           if code == "ConditionalCheckFailed" and j < len(todo)]
                    if not bad:
                        raise errors.ServiceUnavailable("Event ids could not be claimed; retry.") from None
                    todo = [r for r in todo if r not in bad]
                    retry.extend(resolve_duplicates(tenant, bad))
        pending = retry
    _fail(pending, errors.Conflict("Event ids kept conflicting; retry.", code="TRANSACTION_CONFLICT"))


def _audit(tenant: str, reports: list[Report], now: str, deadline: float | None = None) -> None:
    """Audit runs of check reports: conditional run puts and their counts (one update per asset and
    expiry week) in as few transactions as fit (≤ 100 ops, ≤ 3 MB each). A transaction that loses
    to a concurrent one (or is throttled) is retried in place, with jittered backoff, until
    `deadline`: contention never fails a message (nor sends a valid event to the DLQ)."""
    chunks, chunk, ops_n, size = [], [], 0, 0
    for r in reports:
        cost = 3 * len(r.assets)  # run, its count, a failure's event
        weight = len(dumps(r.ev.metadata)) * len(r.assets) + 2_000
        if chunk and (ops_n + cost > MAX_TX_OPS or size + weight > MAX_TX_BYTES):
            chunks.append(chunk)
            chunk, ops_n, size = [], 0, 0
        chunk.append(r)
        ops_n, size = ops_n + cost, size + weight
    if chunk:
        chunks.append(chunk)
    for chunk in chunks:
        done: set = set()  # (uid, asset id) whose run exists already
        for _ in range(6):
            ops, labels, counts = [], [], audit_store.Counts()
            for r in chunk:
                for asset in r.assets:
                    a = asset["id"]
                    if (r.uid, a) in done:
                        continue
                    run = audit_run(r, asset, now)
                    ops.append(audit_store.run_op(tenant, a, run))
                    labels.append((r.uid, a))
                    if run["status"] == "failed":
                        ops.append(check_failed_op(tenant, r, asset, run))
                        labels.append(("outbox", r.uid, a))
                    counts.add(tenant, a, run)
            if not ops:
                break
            ops.extend(counts.ops(tenant))
            try:
                store.transact(ops, deadline=deadline)
                break
            except db.ConditionFailed as exc:
                failed = [labels[i] for i, code in enumerate(exc.reasons)
                          if code == "ConditionalCheckFailed" and i < len(labels)]
                if not failed:
                    _fail(chunk, errors.ServiceUnavailable("Audit runs could not be stored; retry."))
                    break
                done.update(failed)  # recorded by an earlier delivery
            except Exception as exc:  # noqa: BLE001 - transient beyond the deadline: retried with the message
                _fail(chunk, exc)
                break
