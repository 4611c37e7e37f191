"""Operations (issue 19): what metrics and tracing cost, as ratios to the same code without them.

1. Cold import (fresh interpreters, samples interleaved, median): each function as deployed, and
   "today" — the same code with accord.metrics and accord.tracing replaced by empty stubs, i.e.
   without the EMF writer and the tracer — with tracing on (ACCORD_TRACING=Active, the store's
   client instrumented), and, for comparison, with the X-Ray SDK patching botocore instead
   (Powertools Tracer's way; rejected: see docs/OPERATIONS.md). Target: metrics ≤ 1.05×.
2. What Powertools Metrics adds to the import when the Logger is already imported (every function
   imports it): the number the choice between Powertools and a hand-written EMF writer rests on.
3. Per request, in process against moto: a registry read, a report (a transaction) and /health
   (no I/O), with metrics off (POWERTOOLS_METRICS_DISABLED), on, and on with tracing (a sampled
   invocation, subsegments sent over UDP to a local socket). Rounds of the three modes alternate;
   the median per request is reported. Target: metrics ≤ 1.05× on the requests that touch DynamoDB.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layers" / "shared"
for p in (LAYER, ROOT):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))
for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                    ("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_REGION", "us-east-1"),
                    ("POWERTOOLS_LOG_LEVEL", "ERROR")):
    os.environ.setdefault(name, value)
os.environ.pop("AWS_ENDPOINT_URL", None)

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
_PROBE = """
import sys, time
sys.path[:0] = [{code!r}, {layer!r}]
{stubs}
t = time.perf_counter()
import app
{after}
print(time.perf_counter() - t)
"""
_CLIENT = "from accord.store import db\ndb.client()"
_XRAY = _CLIENT + "\nfrom aws_xray_sdk.core import patch\npatch(['botocore'])"


def _sample(code: str, *, stubs: bool = False, after: str = _CLIENT, env: dict | None = None) -> float:
    base = {**os.environ, "TABLE_NAME": "AccordTable", "IDEMPOTENCY_TABLE": "IdempotencyTable",
            "POWERTOOLS_SERVICE_NAME": "accord", "AWS_LAMBDA_FUNCTION_NAME": "bench", **(env or {})}
    src = _PROBE.format(code=code, layer=str(LAYER), stubs=_STUBS if stubs else "", after=after)
    out = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, env=base, check=True)
    return float(out.stdout.strip().splitlines()[-1])


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
    variants = {"today": {"stubs": True}, "metrics": {}, "tracing": {"env": {"ACCORD_TRACING": "Active"}}}
    if xray:
        variants["xray_sdk"] = {"after": _XRAY, "env": {"ACCORD_TRACING": "Disabled"}}
    samples = {(f, v): [] for f in FUNCTIONS for v in variants}
    for f in FUNCTIONS:  # warm the OS cache and the .pyc files
        _sample(codes[f])
    for _ in range(N):
        for f in FUNCTIONS:
            for v, kw in variants.items():
                samples[(f, v)].append(_sample(codes[f], **kw))
    print(f"cold import + the store's client, median of {N} fresh processes "
          "(today = the same code with accord.metrics and accord.tracing stubbed out)")
    out, ok = {}, True
    for f in FUNCTIONS:
        med = {v: statistics.median(samples[(f, v)]) * 1000 for v in variants}
        ratio = med["metrics"] / med["today"]
        ok &= ratio <= TARGET
        line = (f"  {f:<20} today {med['today']:6.0f} ms | metrics {med['metrics']:6.0f} ms {ratio:4.2f}x "
                f"{'PASS' if ratio <= TARGET else 'FAIL'} (≤ {TARGET}x) | + tracing on {med['tracing']:6.0f} ms "
                f"{med['tracing'] / med['today']:4.2f}x")
        if xray:
            line += f" | X-Ray SDK instead {med['xray_sdk']:6.0f} ms {med['xray_sdk'] / med['today']:4.2f}x"
        print(line)
        out[f] = {k: round(v, 1) for k, v in med.items()} | {"ratio": round(ratio, 3)}
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


def per_request() -> dict:
    from moto import mock_aws

    from accord import metrics, tracing
    from accord.auth.principal import Principal
    from accord.store import db
    from tests.integration.conftest import load_app
    from tests.support.aws import create_template_resources, use_tables
    from tests.support.events import api_event

    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
    os.environ["AWS_XRAY_DAEMON_ADDRESS"] = f"127.0.0.1:{daemon.getsockname()[1]}"
    out = {}
    with mock_aws():
        db.reset_client()
        use_tables(create_template_resources())
        admin = Principal(tenant="default", key_id="bench", name="bench", scopes=frozenset({"read", "write", "admin"}))
        teams, reports, platform = load_app("teams"), load_app("reports"), load_app("platform")
        for n in range(20):
            teams.lambda_handler(api_event("POST", "/api/v1/teams", body={"name": f"bench-{n}"}, principal=admin), None)
        plain = db.client()
        tracing.ENABLED = True
        db.reset_client()
        traced = db.client()  # the same client, instrumented
        tracing.ENABLED = False
        counter = iter(range(10 ** 9))
        cases = {
            "GET /api/v1/teams (a Query)": lambda: teams.lambda_handler(
                api_event("GET", "/api/v1/teams", principal=admin), None),
            "POST /report_asset_materialization (a transaction)": lambda: reports.lambda_handler(
                api_event("POST", "/report_asset_materialization/{asset_key+}", {"asset_key": f"bench/t{next(counter) % 50}"},
                          body={"metadata": {"rows": 1}}, principal=admin), None),
            "GET /health (no I/O)": lambda: platform.lambda_handler(api_event("GET", "/health"), None),
        }

        def mode(name):
            metrics.DISABLED = name == "off"
            tracing.ENABLED = name == "tracing"
            db._client = traced if name == "tracing" else plain
            if name == "tracing":
                os.environ["_X_AMZN_TRACE_ID"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
            else:
                os.environ.pop("_X_AMZN_TRACE_ID", None)

        modes = ("off", "metrics", "tracing")
        print(f"per request, in process against moto, median of {ROUNDS} rounds × {PER_ROUND} requests per mode")
        ok = True
        with contextlib.redirect_stdout(_Null()):  # the EMF lines: written, as to Lambda's log pipe
            timings = {(c, m): [] for c in cases for m in modes}
            for call in cases.values():
                for m in modes:
                    mode(m)
                    call()
            for _ in range(ROUNDS):
                for case, call in cases.items():
                    for m in modes:
                        mode(m)
                        t = time.perf_counter()
                        for _ in range(PER_ROUND):
                            call()
                        timings[(case, m)].append((time.perf_counter() - t) / PER_ROUND)
                        while True:  # drain the subsegments so the socket never drops
                            daemon.setblocking(False)
                            try:
                                daemon.recv(65536)
                            except BlockingIOError:
                                break
        metrics.DISABLED, tracing.ENABLED = False, False
        os.environ.pop("_X_AMZN_TRACE_ID", None)
        for case in cases:
            med = {m: statistics.median(timings[(case, m)]) * 1000 for m in modes}
            ratio, tratio = med["metrics"] / med["off"], med["tracing"] / med["off"]
            io_bound = "no I/O" not in case
            if io_bound:
                ok &= ratio <= TARGET
            verdict = f"{'PASS' if ratio <= TARGET else 'FAIL'} (≤ {TARGET}x)" if io_bound else "(no target: no I/O)"
            print(f"  {case:<52} off {med['off']:6.3f} ms | metrics {med['metrics']:6.3f} ms {ratio:4.2f}x {verdict} "
                  f"(+{(med['metrics'] - med['off']) * 1000:4.0f} µs) | metrics + tracing {med['tracing']:6.3f} ms "
                  f"{tratio:4.2f}x (+{(med['tracing'] - med['off']) * 1000:4.0f} µs)")
            out[case] = {k: round(v, 4) for k, v in med.items()} | {"ratio": round(ratio, 3), "tracing_ratio": round(tratio, 3)}
        db.reset_client()
    daemon.close()
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
    return {"cold": cold_imports(), "powertools_metrics_import": powertools_metrics_import(),
            "per_request": per_request(), "emf_line": emf_writers()}


if __name__ == "__main__":
    main()
