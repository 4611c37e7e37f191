"""Metrics: CloudWatch Embedded Metric Format (EMF) lines on stdout, written by Powertools Metrics.

No extra request, no agent: CloudWatch Logs turns each EMF line into metric data points. Why
Powertools and not a hand-written writer (docs/OPERATIONS.md, `make bench`): its import costs
nothing here — every function loads `aws_lambda_powertools` for the Logger, and the package's
`__init__` imports `metrics` already — and one flush costs well under a millisecond.

Adding a metric is one line wherever the thing happens; the handler flushes once per invocation:

    metrics.count("ReportEvents", source="sqs", outcome="recorded")
    metrics.duration("ImportJobDuration", ms, outcome="succeeded")

    @metrics.timed("PublishDuration", outcome=lambda result: result[1]["action"])
    def publish(...): ...

    @metrics.flushed                     # a Lambda handler that is not a Router (the router flushes itself)
    def lambda_handler(event, context): ...

Every metric is declared in CATALOG with its unit and its dimensions (bounded: family, route
template, outcome, source — never ids or tenants; those go to the line as metadata, see
`annotate`). A name or dimension set not in the catalog raises ValueError: a programming error
that the first test hitting the line reports. A dimension value that is not a short token
becomes "other", and past MAX_SERIES distinct value sets per metric in one execution environment
every further set is "other" too, so no input can multiply the metrics CloudWatch bills.
"""
import functools
import json
import os
import re
import threading
import time

# Already imported by the package's __init__ (the Logger imports it): no cold-start cost.
from aws_lambda_powertools.metrics import EphemeralMetrics

from accord.log import logger

COUNT, MILLISECONDS = "Count", "Milliseconds"

# name -> (unit, dimension names). Alarms and the dashboard in template.yaml name these
# (tests/unit/test_operations_template.py checks both sides); docs/OPERATIONS.md lists them.
CATALOG: dict[str, tuple[str, tuple[str, ...]]] = {
    # every API function, per request (the router); with DetailedMetrics also per route template
    "Requests": (COUNT, ("family", "outcome")),                 # outcome: 2xx 3xx 4xx 5xx
    "Latency": (MILLISECONDS, ("family", "outcome")),
    # the authorizer
    "AuthorizerCache": (COUNT, ("outcome",)),                   # hit miss denied
    # reports (HTTP routes, batch route, queue)
    "ReportEvents": (COUNT, ("source", "outcome")),             # source: http batch sqs; recorded duplicate rejected failed
    "ReportMessages": (COUNT, ("outcome",)),                    # queue messages: ok failed (retried, then the DLQ)
    # registry
    "ProposalsCreated": (COUNT, ()),
    "ProposalsResolved": (COUNT, ("outcome",)),                 # approved rejected withdrawn expired published
    "PublishDuration": (MILLISECONDS, ("outcome",)),            # the publish result's action, or error
    "DiffDuration": (MILLISECONDS, ()),                         # one schema comparison
    # webhook deliveries (the delivery worker) and dbt import jobs (the import worker)
    "WebhookDeliveries": (COUNT, ("outcome",)),                 # succeeded retried failed
    "WebhookEndpointsDisabled": (COUNT, ()),
    "ImportJobDuration": (MILLISECONDS, ("outcome",)),          # succeeded failed
}
# Per route template, next to the family totals, when the stack's DetailedMetrics is true.
ROUTE_DIMENSION = "route"
ROUTE_METRICS = os.environ.get("ACCORD_ROUTE_METRICS", "false").lower() == "true"
MAX_SERIES = 50
OTHER = "other"
_TOKEN = re.compile(r"^[A-Za-z0-9_.:/{}+\-]{1,200}$")

NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Accord"
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or "accord"


def _disabled() -> bool:
    return os.environ.get("POWERTOOLS_METRICS_DISABLED", "false").lower() in ("1", "true", "yes")


DISABLED = _disabled()

# (dimension items, extra dimension sets) -> {metric name: [values]}; flushed once per invocation
_pending: dict[tuple, dict[str, list[float]]] = {}
_metadata: dict[str, object] = {}
_series: dict[str, set] = {}
_flushing = threading.Lock()
_writer = None


def _key(name: str, dims: dict, extra: tuple = ()) -> tuple:
    spec = CATALOG.get(name)
    if spec is None:
        raise ValueError(f"metric {name!r} is not in accord.metrics.CATALOG")
    if tuple(sorted(dims)) != tuple(sorted(spec[1])):
        raise ValueError(f"metric {name!r} takes dimensions {spec[1]}, got {tuple(dims)}")
    values = tuple((k, v if isinstance(v, str) and _TOKEN.match(v) else OTHER) for k, v in sorted(dims.items()))
    seen = _series.setdefault(name, set())
    if (values, extra) not in seen:
        if len(seen) >= MAX_SERIES:
            values, extra = tuple((k, OTHER) for k, _ in values), tuple(
                tuple((k, OTHER) for k, _ in s) for s in extra)
        seen.add((values, extra))
    return values, extra


def _add(name: str, value: float, dims: dict, extra: tuple = (), key: tuple | None = None) -> None:
    if DISABLED:
        return
    group = _pending.setdefault(key or _key(name, dims, extra), {})
    values = group.setdefault(name, [])
    values.append(float(value))
    if len(values) >= 100:  # EMF takes at most 100 values per metric and line
        flush()


def count(name: str, value: float = 1, **dims: str) -> None:
    """Add `value` to a Count metric."""
    if value:
        _add(name, value, dims)


def duration(name: str, ms: float, **dims: str) -> None:
    """One sample of a Milliseconds metric (CloudWatch derives count, percentiles, max)."""
    _add(name, round(ms, 3), dims)


def request(family: str, route: str, status: int, ms: float) -> None:
    """The router's two metrics of one request: Requests and Latency by family and outcome
    class, and by route template too when DetailedMetrics is on."""
    if DISABLED:
        return
    dims = {"family": family, "outcome": f"{status // 100}xx"}
    extra = ()
    if ROUTE_METRICS:
        route = route if _TOKEN.match(route or "") else OTHER
        extra = (tuple(sorted({**dims, ROUTE_DIMENSION: route}.items())),)
    key = _key("Requests", dims, extra)  # Latency shares the dimensions (and the line)
    _add("Requests", 1, dims, extra, key)
    _add("Latency", round(ms, 3), dims, extra, key)


def timed(name: str, outcome=None, **dims: str):
    """Decorator: the call's duration as `name`; `outcome(result)` names the outcome dimension
    (an exception: "error")."""
    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            started = time.perf_counter()
            label = "error"
            try:
                result = fn(*args, **kwargs)
                if outcome is not None:
                    label = outcome(result)
                return result
            finally:
                extra = {"outcome": label} if outcome is not None else {}
                duration(name, (time.perf_counter() - started) * 1000, **dims, **extra)
        return inner
    return wrap


def annotate(**fields) -> None:
    """Fields for this invocation's metric lines that are not dimensions (searchable in Logs
    Insights, never a metric of their own): tenant, correlation_id."""
    _metadata.update({k: v for k, v in fields.items() if v not in (None, "")})


def flush() -> None:
    """Write every pending metric: one EMF line per dimension set. Never raises. Serialised: the
    writer is one object, and a process running handlers on threads (the in-process tests, a
    batch's parallel attempts) must not interleave two lines' dimensions."""
    with _flushing:
        _flush()


def _flush() -> None:
    global _writer
    if not _pending:
        _metadata.clear()
        return
    pending = dict(_pending)
    _pending.clear()
    try:
        if _writer is None:
            _writer = EphemeralMetrics(namespace=NAMESPACE, service=SERVICE)
        w = _writer
        for (dims, extra), group in pending.items():
            for k, v in dims:
                w.add_dimension(name=k, value=v)
            for dim_set in extra:
                w.add_dimensions(service=SERVICE, **dict(dim_set))
            for k, v in _metadata.items():
                w.add_metadata(key=k, value=v)
            for metric, values in group.items():
                unit = CATALOG[metric][0]
                for v in values:  # Powertools writes the line itself at the 100th value
                    w.add_metric(name=metric, unit=unit, value=v)
            if w.metric_set:  # Powertools' own flush_metrics() re-reads its environment switches each time
                print(json.dumps(w.serialize_metric_set(), separators=(",", ":")))
            w.clear_metrics()
    except Exception:  # noqa: BLE001 - a metric must never fail the work it measures
        logger.exception("metrics flush failed")
        _writer = None
    finally:
        _metadata.clear()


def flushed(handler):
    """Decorator for a Lambda handler: flush this invocation's metrics when it ends, also when it
    raises (the authorizer's 401 is an exception)."""
    @functools.wraps(handler)
    def inner(event, context):
        try:
            return handler(event, context)
        finally:
            flush()
    return inner
