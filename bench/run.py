"""`make bench`: every benchmark of the project, one after the other; figures to stdout."""
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "layers" / "shared"))

BENCHES = ["bench_coldstart", "bench_devstart", "bench_durability", "bench_schemadiff", "bench_configuration", "bench_registry", "bench_reports", "bench_notify", "bench_load", "bench_ui"]

if __name__ == "__main__":
    only = sys.argv[1:]
    for name in BENCHES:
        if only and name not in only:
            continue
        if not (HERE / f"{name}.py").exists():
            continue
        print(f"\n== {name}")
        importlib.import_module(name).main()
