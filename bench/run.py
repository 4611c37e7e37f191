"""`make bench`: every benchmark of the project, one after the other; figures to stdout."""
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "layers" / "shared"))

BENCHES = ["bench_heat", "bench_coldstart", "bench_ops", "bench_devstart", "bench_durability", "bench_schemadiff", "bench_configuration", "bench_registry", "bench_reports", "bench_notify", "bench_openlineage", "bench_load", "bench_cli", "bench_dbt", "bench_ui"]



class _NoEmf:
    """stdout without the EMF lines that handlers called in process print (metrics stay on, so
    the benches measure them; their lines are not figures)."""

    def __init__(self, stream):
        self.stream, self.pending = stream, ""

    def write(self, s):
        self.pending += s
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            if not line.startswith('{"_aws"'):
                self.stream.write(line + "\n")
        return len(s)

    def flush(self):
        self.stream.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)


if __name__ == "__main__":
    sys.stdout = _NoEmf(sys.stdout)
    only = sys.argv[1:]
    for name in BENCHES:
        if only and name not in only:
            continue
        if not (HERE / f"{name}.py").exists():
            continue
        print(f"\n== {name}")
        importlib.import_module(name).main()
