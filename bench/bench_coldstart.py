"""Cold import time of every function vs. a process that imports only boto3 (issue: ≤ 1.6×).

Each sample is a fresh interpreter importing the function's app module with its CodeUri and the
layer on sys.path, exactly as Lambda's init phase does. Samples of all functions and of the
baseline are interleaved so machine noise hits them alike; the median of N is reported.
"""
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import routes  # noqa: E402

TARGET = 1.6
N = int(os.environ.get("BENCH_COLD_SAMPLES", "5"))

# Body models load on a route's first request (router.Route.model); this is the worst case: a
# cold start whose first request needs every model of the function.
_ALL_MODELS = "import app\nfor r in getattr(getattr(app, 'router', None), 'routes', {}).values():\n    r.body and r.model()"

_PROBE = """
import sys, time
sys.path[:0] = [{code!r}, {layer!r}]
t = time.perf_counter()
{stmt}
print(time.perf_counter() - t)
"""


def _sample(stmt: str, code: str = "") -> float:
    env = {**os.environ, "TABLE_NAME": "AccordTable",
           "AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_SERVICE_NAME": "accord"}
    out = subprocess.run([sys.executable, "-c", _PROBE.format(code=code, layer=str(routes.LAYER), stmt=stmt)],
                         capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> dict:
    functions = {name: str(routes.ROOT / code) for name, (code, _) in routes.template_routes().items()}
    samples = {name: [] for name in functions}
    full = {name: [] for name in functions}
    baseline = []
    _sample("import boto3")  # warm the OS file cache and .pyc files once
    for code in functions.values():
        _sample("import app", code)
    for _ in range(N):
        baseline.append(_sample("import boto3"))
        for name, code in functions.items():
            samples[name].append(_sample("import app", code))
            full[name].append(_sample(_ALL_MODELS, code))
    base = statistics.median(baseline)
    print(f"cold import, median of {N} fresh processes (baseline: import boto3 = {base * 1000:.0f} ms)")
    result = {"boto3_ms": round(base * 1000, 1), "functions": {}}
    ok = True
    for name, values in samples.items():
        med = statistics.median(values)
        ratio = med / base
        worst = statistics.median(full[name])
        ok &= ratio <= TARGET
        result["functions"][name] = {"ms": round(med * 1000, 1), "ratio": round(ratio, 2),
                                     "all_models_ms": round(worst * 1000, 1)}
        print(f"  {name:<22} {med * 1000:7.0f} ms  {ratio:5.2f}x  {'PASS' if ratio <= TARGET else 'FAIL'} (≤ {TARGET}x)"
              f"   | with every body model built: {worst * 1000:4.0f} ms {worst / base:4.2f}x")
    result["pass"] = ok
    return result


if __name__ == "__main__":
    main()
