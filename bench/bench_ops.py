"""Operations (issue 19): what metrics and tracing cost, as ratios to the same code without them.

1. Cold import (fresh interpreters, median): each function "today" — its code with accord.metrics
   and accord.tracing replaced by empty stubs, i.e. without the EMF writer and the tracer — and,
   in the same process, what importing the real modules adds, what turning tracing on adds (the
   store's client instrumented), and what the X-Ray SDK patching botocore would add instead
   (Powertools Tracer's way; rejected: see docs/OPERATIONS.md). Target: metrics ≤ 1.05×.
2. What Powertools Metrics adds to the import when the Logger is already imported (every function
   imports it): the number the choice between Powertools and a hand-written EMF writer rests on.
3. Per request, in process against moto: a registry read, a report (a transaction) and /health
   (no I/O) with metrics and tracing off, and what metrics (the router's metric pair and flush, the
   correlation id, the report's own metric) and tracing (a sampled invocation: the request's
   subsegment and the hooks of each DynamoDB call it makes, sent over UDP to a local socket) add,
   timed as those exact calls in a loop. Target: metrics ≤ 1.05× on the requests that touch DynamoDB.
4. One request's EMF line: Powertools' EphemeralMetrics vs a minimal json writer (µs).
"""
import contextlib
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import time

from inproc import prepare

ROOT = prepare()
LAYER = ROOT / "layers" / "shared"

TARGET = 1.05
N = int(os.environ.get("BENCH_OPS_SAMPLES", "5"))
ROUNDS = int(os.environ.get("BENCH_OPS_ROUNDS", "7"))
PER_ROUND = 30
FUNCTIONS = ("AuthorizerFunction", "TeamsFunction", "ReportsFunction", "WorkerFunction")

_STUBS = """
import types
def _stub(name):
    m = types.ModuleType(name)
    m.timed = lambda *a, **k: (lambda f: f)
    m.flushed = lambda f: f
    for fn in ("count", "duration", "request", "annotate", "flush", "instrument", "begin", "end"):
        setattr(m, fn, lambda *a, **k: None)
    sys.modules[name] = m
_stub("accord.metrics"); _stub("accord.tracing")
"""
# One fresh interpreter per sample: the function's import as it was before this work ("today":
# accord.metrics and accord.tracing are empty stubs), then, in the same process, what the real
# modules add, what turning tracing on adds (instrumenting the store's client) and what the
# X-Ray SDK would add instead (import + patching botocore). Differences measured inside one
# process do not carry the noise of comparing two processes.
_PROBE = """
import json, os, sys, time
sys.path[:0] = [{code!r}, {layer!r}]
""" + _STUBS + """
t = time.perf_counter()
import app
from accord.store import db
client = db.client()
today = time.perf_counter() - t
import accord
for name in ("metrics", "tracing"):
    del sys.modules["accord." + name]
    if hasattr(accord, name):
        delattr(accord, name)
t = time.perf_counter()
import accord.metrics, accord.tracing
ours = time.perf_counter() - t
accord.tracing.ENABLED = True
t = time.perf_counter()
accord.tracing.instrument(client)
traced = time.perf_counter() - t
xray = None
if {xray}:
    t = time.perf_counter()
    from aws_xray_sdk.core import patch
    patch(["botocore"])
    xray = time.perf_counter() - t
print(json.dumps([today, ours, traced, xray]))
"""


def _sample(code: str, xray: bool) -> list:
    env = {**os.environ, "TABLE_NAME": "AccordTable",
           "POWERTOOLS_SERVICE_NAME": "accord", "AWS_LAMBDA_FUNCTION_NAME": "bench"}
    src = _PROBE.format(code=code, layer=str(LAYER), xray=xray)
    out = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _xray_installed() -> bool:
    try:
        import aws_xray_sdk  # noqa: F401
        return True
    except ImportError:
        return False


def cold_imports() -> dict:
    from local.cfn import load_model
    codes = {lid: fn.code_dir for lid, fn in load_model(str(ROOT / "template.yaml")).functions.items()}
    xray = _xray_installed()
    samples = {f: [] for f in FUNCTIONS}
    for f in FUNCTIONS:  # warm the OS cache and the .pyc files
        _sample(codes[f], xray)
    for _ in range(N):
        for f in FUNCTIONS:
            samples[f].append(_sample(codes[f], xray))
    print(f"cold import + the store's client, median of {N} fresh processes: today = the same code with "
          "accord.metrics and accord.tracing stubbed out; what each adds, measured inside the same process")
    out, ok = {}, True
    for f in FUNCTIONS:
        today, ours, traced = (statistics.median(s[i] for s in samples[f]) * 1000 for i in range(3))
        ratio = (today + ours) / today
        ok &= ratio <= TARGET
        line = (f"  {f:<20} today {today:6.0f} ms | + metrics and tracing modules {ours:5.2f} ms {ratio:5.3f}x "
                f"{'PASS' if ratio <= TARGET else 'FAIL'} (≤ {TARGET}x) | + tracing on {traced:5.3f} ms "
                f"{(today + ours + traced) / today:5.3f}x")
        row = {"today_ms": round(today, 1), "modules_ms": round(ours, 3), "tracing_on_ms": round(traced, 3),
               "ratio": round(ratio, 4)}
        if xray:
            sdk = statistics.median(s[3] for s in samples[f]) * 1000
            line += f" | X-Ray SDK instead {sdk:5.1f} ms {(today + sdk) / today:5.3f}x"
            row["xray_sdk_ms"] = round(sdk, 1)
        print(line)
        out[f] = row
    if not xray:
        print("  (aws-xray-sdk is not installed: the X-Ray SDK comparison is skipped)")
    out["pass"] = ok
    return out


_MARGINAL = """
import time
from aws_lambda_powertools import Logger
t = time.perf_counter()
from aws_lambda_powertools.metrics import EphemeralMetrics
print(time.perf_counter() - t)
"""


def powertools_metrics_import() -> dict:
    marginal = statistics.median(
        float(subprocess.run([sys.executable, "-c", _MARGINAL], capture_output=True, text=True,
                             check=True).stdout) for _ in range(N)) * 1000
    tree = subprocess.run([sys.executable, "-X", "importtime", "-c", "import aws_lambda_powertools"],
                          capture_output=True, text=True, check=True).stderr
    share = next((int(line.split("|")[1]) for line in tree.splitlines()
                  if line.rstrip().endswith("| aws_lambda_powertools.metrics") or
                  line.split("|")[-1].strip() == "aws_lambda_powertools.metrics"), 0) / 1000
    print(f"Powertools Metrics' import once the Logger is imported: {marginal:.2f} ms (the package's __init__ "
          f"already imported it: {share:.1f} ms of `import aws_lambda_powertools`, paid by every function today)")
    return {"marginal_ms": round(marginal, 3), "share_of_package_ms": round(share, 1)}


class _Null(io.TextIOBase):
    def write(self, s):
        return len(s)


def _loop_us(fn, n: int = 3000) -> float:
    """Median µs of one call of `fn`, over 5 runs of n calls."""
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - t) / n * 1e6)
    return statistics.median(runs)


def per_request() -> dict:
    """A request's time with metrics and tracing off (the median of ROUNDS runs of PER_ROUND
    requests, in process against moto), and what metrics and tracing add to it, measured as the
    exact calls they make per request in a tight loop (stable where timing whole requests twice
    would compare two noisy numbers): the router's metric pair and flush, the correlation id, the
    report's own metric line; with tracing, the request's subsegment and the hooks of each
    DynamoDB call the request makes (counted), each sent over UDP."""
    from moto import mock_aws

    from accord import log, metrics, tracing
    from accord.auth.principal import Principal
    from accord.store import db
    from tests.integration.conftest import load_app
    from tests.support.aws import create_template_resources, use_tables
    from tests.support.events import api_event

    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.setblocking(False)
    os.environ["AWS_XRAY_DAEMON_ADDRESS"] = f"127.0.0.1:{daemon.getsockname()[1]}"
    out = {}
    with mock_aws(), contextlib.redirect_stdout(_Null()):
        db.reset_client()
        use_tables(create_template_resources())
        admin = Principal(tenant="default", key_id="bench", name="bench", scopes=frozenset({"read", "write", "admin"}))
        teams, reports, platform = load_app("teams"), load_app("reports"), load_app("platform")
        for n in range(20):
            teams.lambda_handler(api_event("POST", "/api/v1/teams", body={"name": f"bench-{n}"}, principal=admin), None)
        counter = iter(range(10 ** 9))
        cases = {  # name: (call, family, route, the request's own metric calls)
            "GET /api/v1/teams (a Query)": (lambda: teams.lambda_handler(
                api_event("GET", "/api/v1/teams", principal=admin), None), "registry", "/api/v1/teams", ()),
            "POST /report_asset_materialization (a transaction)": (lambda: reports.lambda_handler(
                api_event("POST", "/report_asset_materialization/{asset_key+}", {"asset_key": f"bench/t{next(counter) % 50}"},
                          body={"metadata": {"rows": 1}}, principal=admin), None),
                "reports", "/report_asset_materialization/{asset_key+}",
                (lambda: metrics.count("ReportEvents", source="http", outcome="recorded"),)),
            "GET /health (no I/O)": (lambda: platform.lambda_handler(api_event("GET", "/health"), None),
                                     "platform", "/health", ()),
        }
        client = db.client()
        calls = {"n": 0}

        def hit(**_):
            calls["n"] += 1
        client.meta.events.register("before-call.dynamodb.*", hit)
        metrics.DISABLED, tracing.ENABLED = True, False
        timings, per_call = {c: [] for c in cases}, {}
        for case, (call, *_) in cases.items():
            call()
            calls["n"] = 0
            call()
            per_call[case] = calls["n"]
        for _ in range(ROUNDS):
            for case, (call, *_) in cases.items():
                t = time.perf_counter()
                for _ in range(PER_ROUND):
                    call()
                timings[case].append((time.perf_counter() - t) / PER_ROUND * 1000)
        client.meta.events.unregister("before-call.dynamodb.*", hit)
        metrics.DISABLED = False

        # tracing: a sampled invocation; the hooks as botocore calls them, on a real operation model
        os.environ["_X_AMZN_TRACE_ID"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        tracing.ENABLED = True
        model = client.meta.service_model.operation_model("Query")

        class _Http:
            status_code = 200
        parsed = {"ResponseMetadata": {"RequestId": "R", "RetryAttempts": 0}}

        def one_call():
            context = {}
            tracing._params(params={"TableName": "AccordTable"}, context=context)
            tracing._before(model=model, context=context)
            tracing._after(http_response=_Http, parsed=parsed, context=context)

        def drain():
            while True:
                try:
                    daemon.recv(65536)
                except BlockingIOError:
                    return

        def request_span():
            tracing.end(tracing.begin("GET /x", family="registry", route="/x"), status=200, tenant="default")
        span_us = _loop_us(lambda: (request_span(), drain()), 1000)
        call_us = _loop_us(lambda: (one_call(), drain()), 1000)
        tracing.ENABLED = False
        os.environ.pop("_X_AMZN_TRACE_ID", None)
        off_us = _loop_us(request_span)  # what tracing costs when it is off: begin/end return at once

        print_lines = []
        for case, (call, family, route, own) in cases.items():
            def path():
                log.bind("bench-correlation-id")
                for extra in own:
                    extra()
                metrics.request(family, route, 200, 3.2)
                metrics.annotate(tenant="default", correlation_id="bench-correlation-id")
                metrics.flush()
            m_us = _loop_us(path)
            t_us = span_us + per_call[case] * call_us
            base = statistics.median(timings[case])
            ratio, tratio = (base + m_us / 1000) / base, (base + (m_us + t_us) / 1000) / base
            out[case] = {"request_ms": round(base, 3), "dynamodb_calls": per_call[case], "metrics_us": round(m_us, 1),
                         "tracing_us": round(t_us, 1), "ratio": round(ratio, 4), "tracing_ratio": round(tratio, 4)}
            print_lines.append((case, base, per_call[case], m_us, ratio, t_us, tratio))
        db.reset_client()
    daemon.close()
    print(f"per request: the request with metrics and tracing off (median of {ROUNDS} × {PER_ROUND}, in process "
          "against moto), and what each adds (its calls, timed in a loop)")
    ok = True
    for case, base, n, m_us, ratio, t_us, tratio in print_lines:
        io_bound = n > 0
        if io_bound:
            ok &= ratio <= TARGET
        verdict = f"{'PASS' if ratio <= TARGET else 'FAIL'} (≤ {TARGET}x)" if io_bound else "(no I/O: no target)"
        print(f"  {case:<52} {base:7.2f} ms, {n} DynamoDB call(s) | metrics +{m_us:4.0f} µs {ratio:5.3f}x {verdict} "
              f"| + tracing on +{t_us:4.0f} µs {tratio:5.3f}x")
    print(f"  tracing off costs {off_us:.2f} µs per request; on: {span_us:.0f} µs per request subsegment, "
          f"{call_us:.0f} µs per DynamoDB call")
    out["tracing_off_us"] = round(off_us, 2)
    out["pass"] = ok
    return out


def emf_writers() -> dict:
    from aws_lambda_powertools.metrics import EphemeralMetrics
    writer = EphemeralMetrics(namespace="Accord", service="accord")

    def powertools():
        writer.add_dimension(name="family", value="registry")
        writer.add_dimension(name="outcome", value="2xx")
        writer.add_metadata(key="tenant", value="default")
        writer.add_metric(name="Requests", unit="Count", value=1)
        writer.add_metric(name="Latency", unit="Milliseconds", value=12.3)
        writer.flush_metrics()

    def minimal():
        print(json.dumps({"_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
            "Namespace": "Accord", "Dimensions": [["family", "outcome", "service"]],
            "Metrics": [{"Name": "Requests", "Unit": "Count"}, {"Name": "Latency", "Unit": "Milliseconds"}]}]},
            "family": "registry", "outcome": "2xx", "service": "accord", "tenant": "default",
            "Requests": [1.0], "Latency": [12.3]}, separators=(",", ":")))

    res = {}
    with contextlib.redirect_stdout(_Null()):
        for fn in (powertools, minimal):
            fn()
        for fn in (powertools, minimal, powertools, minimal):
            t = time.perf_counter()
            for _ in range(5000):
                fn()
            res.setdefault(fn.__name__, []).append((time.perf_counter() - t) / 5000 * 1e6)
    pt, mini = min(res["powertools"]), min(res["minimal"])
    print(f"one request's EMF line: Powertools EphemeralMetrics {pt:.0f} µs, a minimal json writer {mini:.0f} µs "
          f"({pt / mini:.1f}x; both far below a request's DynamoDB round trip)")
    return {"powertools_us": round(pt, 1), "minimal_us": round(mini, 1)}


def main() -> dict:
    print("load average %.1f %.1f %.1f on %d cores (figures scale with it; ratios compare like with like)"
          % (*os.getloadavg(), os.cpu_count() or 0))
    return {"cold": cold_imports(), "powertools_metrics_import": powertools_metrics_import(),
            "per_request": per_request(), "emf_line": emf_writers()}


if __name__ == "__main__":
    main()
