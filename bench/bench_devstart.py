"""How long `make dev` takes to be ready (/health 200) on this machine (issue: ≤ 10 s)."""
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET = 10.0


def main() -> dict:
    from local.runtime import LocalRuntime
    times = []
    for i in range(3):
        with tempfile.TemporaryDirectory() as state:
            with LocalRuntime(repo_root=str(ROOT), port=0, state_dir=state, admin_key="acc_bench") as rt:
                times.append(rt.startup_seconds)
    med = statistics.median(times)
    print(f"local runtime ready (/health 200) in {med:.2f} s median of {len(times)} "
          f"(runs: {', '.join(f'{t:.2f}' for t in times)})  {'PASS' if med <= TARGET else 'FAIL'} (≤ {TARGET} s)")
    return {"ready_s": round(med, 2), "pass": med <= TARGET}


if __name__ == "__main__":
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    main()
