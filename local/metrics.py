"""The functions' EMF metric lines, read as CloudWatch reads them, shown compactly.

Deployed, CloudWatch Logs turns every log line holding an `_aws.CloudWatchMetrics` directive into
metric data points. Locally, the runtime hands every line its workers print to `EmfSink.feed`:
an EMF line is kept (`records`, for tests), added to the current minute's totals and not echoed
raw; `make dev` prints the totals once a minute (`summary`), so a developer sees the metrics
without AWS:

    metrics 14:03 (EMF, last minute)
      Requests       family=registry outcome=2xx       12
      Latency        family=registry outcome=2xx       n=12 avg 8.1 ms max 40.2 ms
      ReportEvents   outcome=recorded source=sqs       10
"""

from __future__ import annotations

import collections
import json
import threading
import time


def parse_emf(line: str) -> dict | None:
    """The document if `line` is an EMF line (a JSON object with an `_aws.CloudWatchMetrics`
    directive), else None."""
    if not line.startswith("{") or '"_aws"' not in line:
        return None
    try:
        doc = json.loads(line)
    except ValueError:
        return None
    aws = doc.get("_aws") if isinstance(doc, dict) else None
    if not isinstance(aws, dict) or not isinstance(aws.get("CloudWatchMetrics"), list):
        return None
    return doc


def data_points(doc: dict) -> list[tuple[str, str, dict[str, str], list[float], str]]:
    """(namespace, metric, dimensions, values, unit) for every metric and dimension set of a document,
    as CloudWatch would publish them."""
    out = []
    for directive in doc["_aws"]["CloudWatchMetrics"]:
        for dim_set in directive.get("Dimensions") or [[]]:
            dims = {name: str(doc.get(name)) for name in dim_set}
            for metric in directive.get("Metrics") or []:
                value = doc.get(metric["Name"])
                values = value if isinstance(value, list) else [value]
                out.append((directive.get("Namespace", ""), metric["Name"], dict(dims),
                            [float(v) for v in values if isinstance(v, (int, float))], metric.get("Unit", "None")))
    return out


class EmfSink:
    def __init__(self, keep: int = 20_000):
        self.records: collections.deque[tuple[str, dict]] = collections.deque(maxlen=keep)
        self._lock = threading.Lock()
        self._window: dict[tuple, list] = {}  # (metric, dims) -> [n, sum, max, unit]
        self._since = time.time()

    def feed(self, function_id: str, line: str) -> bool:
        """Take `line` if it is an EMF line (True: the caller need not echo it)."""
        doc = parse_emf(line)
        if doc is None:
            return False
        with self._lock:
            self.records.append((function_id, doc))
            for _, metric, dims, values, unit in data_points(doc):
                shown = tuple(sorted((k, v) for k, v in dims.items() if k != "service"))
                slot = self._window.setdefault((metric, shown), [0, 0.0, float("-inf"), unit])
                slot[0] += len(values)
                slot[1] += sum(values)
                slot[2] = max([slot[2], *values])
        return True

    def documents(self, function_id: str | None = None) -> list[dict]:
        with self._lock:
            return [doc for fid, doc in self.records if function_id in (None, fid)]

    def summary(self) -> str | None:
        """The totals since the last summary, one line per metric and dimension set (None: none)."""
        with self._lock:
            window, self._window = self._window, {}
            since, self._since = self._since, time.time()
        if not window:
            return None
        rows = []
        for (metric, dims), (n, total, peak, unit) in sorted(window.items()):
            label = " ".join(f"{k}={v}" for k, v in dims)
            if unit == "Count":
                figure = f"{total:g}"
            else:
                suffix = " ms" if unit == "Milliseconds" else ""
                figure = f"n={n} avg {total / max(n, 1):.1f}{suffix} max {peak:.1f}{suffix}"
            rows.append((metric, label, figure))
        w1 = max(len(r[0]) for r in rows)
        w2 = max(len(r[1]) for r in rows)
        head = f"metrics {time.strftime('%H:%M', time.localtime(since))} (EMF, last minute)"
        return "\n".join([head, *(f"  {m:<{w1}}  {d:<{w2}}  {f}" for m, d, f in rows)])


def totals(docs: list[dict]) -> dict[tuple[str, tuple], float]:
    """Sum of every metric by its dimension set (tests): {(metric, ((dim, value), ...)): total}."""
    out: dict[tuple[str, tuple], float] = collections.defaultdict(float)
    for doc in docs:
        for _, metric, dims, values, _ in data_points(doc):
            out[(metric, tuple(sorted(dims.items())))] += sum(values)
    return dict(out)


__all__ = ["EmfSink", "data_points", "parse_emf", "totals"]
