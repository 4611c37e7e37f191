"""What a local runtime's functions printed, read as CloudWatch reads it: EMF metric lines (namespace,
dimension sets, values, checked against the catalog) and JSON log lines, by correlation id."""
import json
import time

from accord import metrics as catalog
from local.metrics import data_points

SERVICE = "accord-local"  # the local stack's name: the `service` dimension (POWERTOOLS_SERVICE_NAME)


def wait(find, what: str, timeout: float = 15.0):
    """Function output reaches the runtime through reader threads (and the queue through a poller)."""
    deadline = time.monotonic() + timeout
    while True:
        found = find()
        if found or time.monotonic() > deadline:
            assert found, f"no {what} after {timeout} s"
            return found
        time.sleep(0.1)


def points(runtime, function: str, correlation: str) -> dict:
    """{(metric, dims without service): sum} of the function's EMF lines tagged with `correlation`,
    after checking each line is EMF as CloudWatch requires it."""
    out = {}
    for doc in runtime.metrics.documents(function):
        if correlation not in (doc.get("correlation_id"), *(doc.get("correlation_ids") or [])):
            continue
        (directive,) = doc["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "Accord" and isinstance(doc["_aws"]["Timestamp"], int)
        for dim_set in directive["Dimensions"]:
            assert "service" in dim_set and all(isinstance(doc[d], str) for d in dim_set)
        for ns, name, dims, values, unit in data_points(doc):
            assert name in catalog.CATALOG and unit == catalog.CATALOG[name][0]
            assert dims.pop("service") == SERVICE
            assert sorted(dims) == sorted(catalog.CATALOG[name][1])  # bounded: never an id or a tenant
            key = (name, tuple(sorted(dims.items())))
            out[key] = out.get(key, 0) + (len(values) if unit == "Milliseconds" else sum(values))
    return out


def log_lines(runtime, function: str, correlation: str) -> list[dict]:
    lines = []
    for raw in runtime.function_logs(function, 500).splitlines():
        if raw.startswith("{") and '"_aws"' not in raw:
            doc = json.loads(raw)
            if correlation in (doc.get("correlation_id"), *(doc.get("correlation_ids") or [])):
                lines.append(doc)
    return lines
