"""The reports queue (DESIGN §5): a message body is one typed event or a list of them.

Powertools' BatchProcessor drives the batch (partial failures → `batchItemFailures`); we extend it
so the whole batch is staged first and written together (BatchWriteItem, a few conditional writes
and transactions), instead of one write round per message.

What happens to each message:
* its valid events are recorded idempotently (`event_id`, else `sqs:{messageId}:{index}` with the
  message's SentTimestamp as event time), so a redelivery never duplicates anything;
* an invalid event (or a message that is JSON but no event, list or `{"events": [...]}`: `null`, a
  number, a string) is **rejected**: stored with its reason under the tenant
  (`GET /api/v1/events/rejected`) and not retried (it can never succeed);
* a body that is not JSON, or a tenant that does not exist, is recorded as rejected when it can be
  and **fails**: SQS redelivers it and, after the queue's maxReceiveCount, moves it to the DLQ with
  its body and attributes untouched (the reason is in the rejected list and in the logs);
* storage trouble fails the message: it is retried, and recording again is a no-op for what is stored.
"""
import hashlib
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType

from accord import clock, errors, log, metrics
from accord.log import logger
from accord.reports import parse, record as recorder
from accord.store import events as store

DEFAULT_TENANT = "default"
_TENANT = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
MAX_REJECTED_RAW = 16_384
TENANT_CACHE_SECONDS = 300.0
_tenants: dict[str, float] = {}


class Unprocessable(Exception):
    """A message that must go round again (and to the DLQ after maxReceiveCount)."""


@dataclass
class Staged:
    message_id: str
    tenant: str
    sent_at: str | None
    reports: list = field(default_factory=list)
    rejections: list = field(default_factory=list)   # (index | None, reason, raw text)
    fail: str | None = None                           # why the message must fail (retry → DLQ)
    error: BaseException | None = None
    correlation_id: str | None = None                 # the message's `correlation_id` attribute, else its id


def _attribute(raw: dict, name: str) -> str | None:
    attr = (raw.get("messageAttributes") or {}).get(name) or {}
    return attr.get("stringValue") or attr.get("StringValue")


def _sent_at(raw: dict) -> str | None:
    value = (raw.get("attributes") or {}).get("SentTimestamp")
    try:
        millis = int(value)
    except (TypeError, ValueError):
        return None
    if millis <= 0:
        return None
    return clock.iso_millis(millis)


def _raw_text(value) -> str:
    text = value if isinstance(value, str) else parse.dumps(value)
    return text if len(text) <= MAX_REJECTED_RAW else text[:MAX_REJECTED_RAW] + "…"


def stage(record) -> Staged:
    """Powertools' record handler: parse one SQS record into reports and rejections (no I/O)."""
    raw = record.raw_event
    message_id = raw["messageId"]
    attr_tenant = _attribute(raw, "tenant")
    body_text = raw.get("body") or ""
    correlation = log.from_sqs(raw) or message_id
    try:
        payload = parse.loads(body_text)
    except ValueError as exc:
        s = Staged(message_id, attr_tenant or DEFAULT_TENANT, _sent_at(raw), correlation_id=correlation)
        s.fail = f"Message body is not JSON: {exc}."
        s.rejections.append((None, s.fail, _raw_text(body_text)))
        return s
    body_tenant = payload.get("tenant") if isinstance(payload, dict) else None
    s = Staged(message_id, attr_tenant or (body_tenant if isinstance(body_tenant, str) else None) or DEFAULT_TENANT,
               _sent_at(raw), correlation_id=correlation)
    try:
        items = parse.parse_batch(payload, single=True)
    except errors.AccordError as exc:
        s.rejections.append((None, exc.message, _raw_text(body_text)))
        return s
    for i, obj in enumerate(items):
        try:
            ev = parse.parse_typed(obj)
        except errors.AccordError as exc:
            s.rejections.append((i, exc.message, _raw_text(obj)))
            continue
        s.reports.append(recorder.prepare(ev, source="sqs", event_id=f"sqs:{message_id}:{i}",
                                        default_ts=s.sent_at, message_id=message_id, index=i))
    return s


def tenant_exists(tenant: str) -> bool:
    if not _TENANT.match(tenant):
        return False
    if tenant == DEFAULT_TENANT or _tenants.get(tenant, 0) > time.monotonic():
        return True
    from accord.store import identity
    if identity.get_tenant(tenant) is None:
        return False
    _tenants[tenant] = time.monotonic() + TENANT_CACHE_SECONDS
    return True


def _rejected_items(tenant: str, s: Staged, now: str) -> list[dict]:
    items = []
    for index, reason, raw_text in s.rejections:
        rid = hashlib.sha256(f"{s.message_id}:{index}".encode()).hexdigest()[:20]
        attrs = {"reason": reason, "source": "sqs", "message_id": s.message_id, "index": index,
                 "received_at": now, "retried": bool(s.fail), "raw": raw_text}
        items.append(store.rejected_item(tenant, rid, s.sent_at or now, attrs))
    return items


def flush(staged: list[Staged], deadline: float | None = None) -> None:
    """Record every staged report, tenant by tenant; set `fail`/`error` on messages that must fail.
    Contention and throttling are retried in place until `deadline` (time.monotonic())."""
    now = clock.iso()
    by_tenant: dict[str, list[Staged]] = {}
    for s in staged:
        by_tenant.setdefault(s.tenant, []).append(s)
    for tenant, group in by_tenant.items():
        try:
            known = tenant_exists(tenant)
        except Exception as exc:  # noqa: BLE001 - transient: retry the messages
            for s in group:
                s.error = exc
            continue
        if not known:
            for s in group:
                s.fail = f"Unknown tenant {tenant!r} (message attribute 'tenant' or body field 'tenant')."
                s.rejections.clear()
            continue
        owner = {s.message_id: s for s in group}
        reports = [r for s in group for r in s.reports]
        recorder.record_many(tenant, reports, deadline)
        for r in reports:
            s = owner[r.message_id]
            if r.status == recorder.FAILED:
                s.error = s.error or r.exc
            elif r.status == recorder.REJECTED:
                s.rejections.append((r.index, r.error, _raw_text(asdict(r.ev))))
        items = [item for s in group for item in _rejected_items(tenant, s, now)]
        if items:
            try:
                store.batch_put(items, deadline=deadline)
            except Exception as exc:  # noqa: BLE001 - retried with the message
                for s in group:
                    if s.rejections:
                        s.error = s.error or exc
        for s in group:
            log.bind(s.correlation_id)
            for index, reason, _ in s.rejections:
                logger.warning("report rejected", extra={"tenant": tenant, "message_id": s.message_id,
                                                         "index": index, "reason": reason})


SAFETY_SECONDS = 8.0       # kept back from the Lambda's remaining time for the reply
DEFAULT_PATIENCE = 20.0    # in-place retries without a Lambda context (tests, tools)


class ReportsBatchProcessor(BatchProcessor):
    """BatchProcessor that stages every record with the record handler, writes the whole batch at
    once (`flush`), then reports each record's success or failure as BatchProcessor does."""

    def _deadline(self) -> float:
        """Until when contention and throttling are retried in place: the invocation's remaining
        time, less a margin (the template sizes the worker's timeout and the queue's visibility)."""
        context = getattr(self, "lambda_context", None)
        remaining = context.get_remaining_time_in_millis() / 1000 if context is not None else None
        patience = DEFAULT_PATIENCE if remaining is None else max(remaining - SAFETY_SECONDS, 1.0)
        return time.monotonic() + patience

    def process(self) -> list[tuple]:
        staged = []
        results = []
        for raw in self.records:
            data = self._to_batch_type(record=raw, event_type=self.event_type, model=self.model)
            try:
                staged.append((raw, data, self.handler(record=data)))
            except Exception:  # noqa: BLE001 - a bug in staging one record must not sink the batch
                metrics.count("ReportMessages", outcome="failed")
                results.append(self.failure_handler(record=data, exception=sys.exc_info()))
        self.flush_batch([s for _, _, s in staged], self._deadline())
        _count([s for _, _, s in staged])
        for raw, data, s in staged:
            if s.error is None and s.fail is None:
                results.append(self.success_handler(record=raw, result=len(s.reports)))
                continue
            exc = s.error or Unprocessable(s.fail)
            log.bind(s.correlation_id)
            if s.fail:
                logger.warning("report message failed", extra={"message_id": s.message_id, "reason": s.fail})
            results.append(self.failure_handler(record=data, exception=(type(exc), exc, exc.__traceback__)))
        log.bind(None)
        failed = len(self.records) - sum(1 for _, _, s in staged if s.error is None and s.fail is None)
        correlation_ids = [s.correlation_id for _, _, s in staged]
        logger.info("report batch", extra={"messages": len(self.records), "failed": failed,
                                           "correlation_ids": correlation_ids})
        metrics.annotate(correlation_ids=correlation_ids)
        return results

    def flush_batch(self, staged: list[Staged], deadline: float | None = None) -> None:
        """Write what the batch staged (subclasses that stage more kinds of message extend it);
        contention and throttling are retried in place until `deadline`."""
        flush(staged, deadline)


def _count(staged: list[Staged]) -> None:
    """Metrics of a batch: its events by outcome, its messages by whether they failed — one value
    per outcome and batch (the dashboards sum them), not one per event."""
    events, messages = Counter(), Counter()
    for s in staged:
        for r in s.reports:
            if r.status != recorder.REJECTED:  # rejected ones are among s.rejections
                events[r.status or recorder.FAILED] += 1
        events[recorder.REJECTED] += len(s.rejections)
        messages["failed" if s.error is not None or s.fail is not None else "ok"] += 1
    for outcome, n in events.items():
        metrics.count("ReportEvents", n, source="sqs", outcome=outcome)
    for outcome, n in messages.items():
        metrics.count("ReportMessages", n, outcome=outcome)


def processor() -> ReportsBatchProcessor:
    return ReportsBatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
