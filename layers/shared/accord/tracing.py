"""X-Ray tracing that costs nothing when it is off (the stack's Tracing parameter: Disabled).

With `Tracing=Active` Lambda and API Gateway trace every request themselves (segments for the
gateway, the authorizer, each function's init and invocation; SQS passes the trace on to the
worker). This module adds what only the code knows, as X-Ray subsegments sent to the Lambda X-Ray
daemon over UDP (the documented segment-document protocol): one per request, annotated with
family, route, status and tenant (filter expressions find them), and one per AWS call of the
store (DynamoDB: operation, table, request id, retries, throttle/error/fault).

Why not the X-Ray SDK (Powertools Tracer): it is in maintenance mode since February 2026 (end of
support February 2027) and importing it and patching botocore costs tens of milliseconds of cold
start (`make bench`); OpenTelemetry's Lambda layer costs more. This is ~100 lines of the standard
library, imported always, doing nothing unless ACCORD_TRACING is "Active" and the invocation is
sampled (`_X_AMZN_TRACE_ID` ...;Sampled=1).
"""
import contextvars
import json
import os
import secrets
import socket
import time

ENABLED = os.environ.get("ACCORD_TRACING", "Disabled") == "Active"
_HEADER = b'{"format": "json", "version": 1}\n'
_parent: contextvars.ContextVar = contextvars.ContextVar("accord_xray_parent", default=None)
_sock = None
_address = None


def _trace() -> tuple[str, str] | None:
    """(trace id, parent segment id) of the current invocation, if it is sampled."""
    header = os.environ.get("_X_AMZN_TRACE_ID", "")
    if "Sampled=1" not in header:
        return None
    parts = dict(p.split("=", 1) for p in header.split(";") if "=" in p)
    if "Root" not in parts or "Parent" not in parts:
        return None
    current = _parent.get()
    if current and current[0] == parts["Root"]:
        return parts["Root"], current[1]
    return parts["Root"], parts["Parent"]


def _daemon() -> tuple[str, int]:
    # "host:port", or the SDK's "tcp:host:port udp:host:port" form
    raw = os.environ.get("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:2000")
    for part in raw.split():
        if part.startswith("udp:") or ":" in part and not part.startswith("tcp:"):
            host, _, port = part.removeprefix("udp:").rpartition(":")
            return host, int(port)
    return "127.0.0.1", 2000


def send(doc: dict) -> None:
    """One segment document to the daemon; tracing never fails the work it traces."""
    global _sock, _address
    try:
        if _sock is None:
            _sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            _address = _daemon()
        _sock.sendto(_HEADER + json.dumps(doc, separators=(",", ":"), default=str).encode(), _address)
    except (OSError, ValueError):
        pass


def _annotations(values: dict) -> dict:
    return {k: v for k, v in values.items() if isinstance(v, (str, int, float, bool)) and v != ""}


def begin(name: str, **annotations):
    """Open a subsegment under the current one (or the function's segment); None when off."""
    if not ENABLED:
        return None
    trace = _trace()
    if trace is None:
        return None
    doc = {"type": "subsegment", "id": secrets.token_hex(8), "trace_id": trace[0], "parent_id": trace[1],
           "name": name[:200], "start_time": time.time(), "annotations": _annotations(annotations)}
    return doc, _parent.set((trace[0], doc["id"]))


def end(span, *, status: int | None = None, **annotations) -> None:
    """Close a subsegment from `begin` and send it: 4xx marks it error, 5xx fault."""
    if span is None:
        return
    doc, token = span
    _parent.reset(token)
    doc["end_time"] = time.time()
    doc["annotations"].update(_annotations(annotations))
    if status is not None:
        doc["http"] = {"response": {"status": status}}
        doc["error"], doc["fault"], doc["throttle"] = 400 <= status < 500, status >= 500, status == 429
    send(doc)


# ------------------------------------------------------------------ AWS calls (botocore events)
def instrument(client) -> None:
    """Trace every call of a botocore client (the store's DynamoDB client)."""
    if not ENABLED:
        return
    events = client.meta.events
    events.register("before-parameter-build", _params)
    events.register("before-call", _before)
    events.register("after-call", _after)
    events.register("after-call-error", _failed)


def _params(params, context, **_):
    if isinstance(params, dict) and isinstance(params.get("TableName"), str):
        context["accord_table"] = params["TableName"]


def _before(model, context, **_):
    span = begin(str(model.service_model.service_id))  # "DynamoDB", as the X-Ray SDK names it
    if span is not None:
        span[0]["namespace"] = "aws"
        span[0]["aws"] = {"operation": model.name, "table_name": context.get("accord_table")}
        context["accord_span"] = span
    # None: botocore goes on and makes the call


def _after(http_response, parsed, context, **_):
    span = context.pop("accord_span", None)
    if span is None:
        return
    meta = (parsed or {}).get("ResponseMetadata") or {}
    span[0]["aws"].update(request_id=meta.get("RequestId"), retries=meta.get("RetryAttempts", 0))
    end(span, status=http_response.status_code)


def _failed(exception, context, **_):
    span = context.pop("accord_span", None)
    if span is not None:
        span[0]["cause"] = {"exceptions": [{"id": secrets.token_hex(8), "type": type(exception).__name__,
                                            "message": str(exception)[:500]}]}
        end(span, status=599)
