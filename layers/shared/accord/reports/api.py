"""The reports routes' logic (functions/reports/app.py only maps requests onto these)."""
from accord import errors, metrics
from accord.reports import parse, record

IDEMPOTENCY_HEADER = "idempotency-key"
_limiter = None


def admit(principal) -> None:
    """The tenant's report rate limit (a tenant setting, store/ratelimit.py): one tenant's burst
    never throttles another; over the limit → 429 with Retry-After, pointing at the batch route
    and the queue, which are what a high-volume producer should use."""
    global _limiter
    from accord.store import ratelimit, settings
    if _limiter is None:
        _limiter = ratelimit.Limiter()
    rate = settings.report_rate(principal.tenant)
    wait = _limiter.admit(principal.tenant, rate)
    if wait:
        raise errors.TooManyRequests(
            f"Too many report requests for this tenant: the limit is {rate} a second. Send events in batches "
            f"(POST /report_asset_events, up to {parse.MAX_BATCH} a request) or to the reports queue, which "
            "has no such limit.", headers={"Retry-After": str(max(1, round(wait + 0.4)))})


def idempotency_key(headers: dict) -> str | None:
    value = headers.get(IDEMPOTENCY_HEADER)
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise errors.BadRequest("The Idempotency-Key header is empty.")
    return parse.check_event_id(value, "Idempotency-Key")


def observed_schemas(reports: list) -> list:
    """The recorded materializations that carry an observed table schema (`dagster/column_schema`):
    what the caller's `observe` (drift, accord.ingest) is given."""
    return [r for r in reports if r.status == record.RECORDED and r.ev.type == parse.MATERIALIZATION
            and COLUMN_SCHEMA in r.ev.metadata]


COLUMN_SCHEMA = "dagster/column_schema"


def report_one(principal, kind: str, *, raw_body: str, headers: dict, query: dict, path_key: str | None,
               observe=None) -> dict:
    """One Dagster report: parsed with Dagster's semantics, stored before the 200 (a read right after
    sees it). A repeated Idempotency-Key is a no-op (200 {}); the same key with a different report 422.
    `observe(tenant, reports)` is called with the recorded reports that carry a column schema."""
    admit(principal)
    body = parse.read_body(raw_body, headers.get("content-type"))
    ev = parse.parse_request(kind, body=body, query=query, path_key=path_key)
    ev.event_id = idempotency_key(headers)
    r = record.prepare(ev, source="http", recorded_by=principal.display)
    record.record_one(principal.tenant, r)
    metrics.count("ReportEvents", source="http", outcome=r.status)
    if r.status == record.REJECTED:
        raise errors.Unprocessable(f"Idempotency-Key {ev.event_id!r} was already used for a different report.",
                                   code="IDEMPOTENCY_KEY_REUSED")
    if observe is not None and observed_schemas([r]):
        observe(principal.tenant, [r])
    return {}


def report_batch(principal, *, raw_body: str, headers: dict, observe=None) -> dict:
    """Many typed events in one request: each is validated and recorded on its own (partial success);
    the answer lists every event's outcome in request order."""
    admit(principal)
    content_type = headers.get("content-type")
    if content_type is not None and content_type.split(";", 1)[0].strip().lower() != "application/json":
        raise errors.BadRequest(f"Unhandled content type {content_type}, expect application/json")
    if not raw_body or not raw_body.strip():
        raise errors.BadRequest(f"Send {parse.BATCH_SHAPE}.")
    if len(raw_body) > parse.MAX_BODY_BYTES // 4 and len(raw_body.encode("utf-8")) > parse.MAX_BODY_BYTES:
        raise errors.PayloadTooLarge(f"Request body is larger than {parse.MAX_BODY_BYTES} bytes.")
    try:
        payload = parse.loads(raw_body)
    except ValueError as exc:
        raise errors.BadRequest(f"Malformed JSON body: {exc}.") from None
    items = parse.parse_batch(payload)
    key = idempotency_key(headers)
    outcomes: list = [None] * len(items)
    reports = []
    for i, obj in enumerate(items):
        try:
            ev = parse.parse_typed(obj)
        except errors.AccordError as exc:
            outcomes[i] = {"index": i, "status": record.REJECTED, "error": exc.message}
            continue
        r = record.prepare(ev, source="batch", recorded_by=principal.display,
                           event_id=f"{key}#{i}" if key else None, index=i)
        reports.append(r)
    record.record_many(principal.tenant, reports)
    if observe is not None and observed_schemas(reports):
        observe(principal.tenant, observed_schemas(reports))
    for r in reports:
        outcomes[r.index] = r.result()
    counts = {s: sum(1 for o in outcomes if o["status"] == s)
              for s in (record.RECORDED, record.DUPLICATE, record.REJECTED, record.FAILED)}
    for status, n in counts.items():
        metrics.count("ReportEvents", n, source="batch", outcome=status)
    return {"results": outcomes, "recorded": counts[record.RECORDED], "duplicates": counts[record.DUPLICATE],
            "rejected": counts[record.REJECTED], "failed": counts[record.FAILED]}
