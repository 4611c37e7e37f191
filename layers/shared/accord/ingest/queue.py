"""The reports queue, with OpenLineage (DESIGN §5, §10.2): a message holds Dagster reports (accord.
reports.sqs) or OpenLineage events — one event, or a list of them — told apart by shape.

OpenLineage events are validated like `POST /api/v1/lineage` (an invalid one is rejected with its
reason, `GET /api/v1/events/rejected`, and not retried) and recorded idempotently: a redelivered
message (or the same event sent twice) is recognised by run id + event time + event type and writes
nothing. The batch's events share their reads (accord.ingest.openlineage.record). Materializations
that carry `dagster/column_schema` are judged for drift once recorded.
"""
from dataclasses import dataclass, field

from accord import errors
from accord.ingest.openlineage import parse
from accord.reports import api as report_api, sqs

TENANT_ATTRIBUTE = "tenant"


@dataclass
class LineageStaged(sqs.Staged):
    events: list = field(default_factory=list)


def _lineage_items(payload) -> list | None:
    if parse.looks_like_lineage(payload):
        return [payload]
    if isinstance(payload, list) and payload and all(parse.looks_like_lineage(p) for p in payload):
        return payload
    return None


def stage(record):
    """Powertools' record handler: an OpenLineage message is staged here, anything else by reports."""
    raw = record.raw_event
    body = raw.get("body") or ""
    if '"eventTime"' not in body:
        return sqs.stage(record)
    try:
        payload = parse.loads(body)
    except errors.AccordError:
        return sqs.stage(record)
    items = _lineage_items(payload)
    if items is None:
        return sqs.stage(record)
    from accord.ingest.openlineage import validate
    s = LineageStaged(raw["messageId"], sqs._attribute(raw, TENANT_ATTRIBUTE) or sqs.DEFAULT_TENANT, sqs._sent_at(raw))
    if len(items) > report_api.parse.MAX_BATCH:
        s.rejections.append((None, f"A message holds at most {report_api.parse.MAX_BATCH} events.", sqs._raw_text(body)))
        return s
    for i, obj in enumerate(items):
        try:
            s.events.append(parse.parse(obj, validate.validate(obj)))
        except errors.AccordError as exc:
            s.rejections.append((i, exc.message, sqs._raw_text(obj)))
    return s


class Processor(sqs.ReportsBatchProcessor):
    def flush_batch(self, staged: list, deadline: float | None = None) -> None:
        lineage = [s for s in staged if isinstance(s, LineageStaged) and s.events]
        if lineage:
            _record_lineage(lineage)
        super().flush_batch(staged, deadline)
        for s in staged:
            found = report_api.observed_schemas(s.reports)
            if found and s.error is None and s.fail is None:
                from accord.ingest import drift
                try:
                    drift.observe_reports(s.tenant, found)
                except Exception as exc:  # noqa: BLE001 - transient: the message is retried (recording is idempotent)
                    s.error = exc


def _record_lineage(staged: list) -> None:
    from accord.ingest.openlineage import record
    by_tenant: dict = {}
    for s in staged:
        by_tenant.setdefault(s.tenant, []).append(s)
    for tenant, group in by_tenant.items():
        try:
            if not sqs.tenant_exists(tenant):
                continue  # the reports flush fails these messages (unknown tenant → DLQ)
        except Exception as exc:  # noqa: BLE001 - transient
            for s in group:
                s.error = exc
            continue
        events = [(s, ev) for s in group for ev in s.events]
        outcomes = record.record(tenant, [ev for _, ev in events])
        for (s, _), outcome in zip(events, outcomes):
            if outcome.status == record.FAILED:
                s.error = s.error or outcome.error


def processor() -> Processor:
    return Processor(event_type=sqs.EventType.SQS, raise_on_entire_batch_failure=False)
