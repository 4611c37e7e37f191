"""What `make dev`'s durable state costs: per write (journal, by fsync policy) and per restart.

- cost per write: 1,000 sequential PutItem calls (1 KB items) through boto3 against the emulator
  with no state dir, with the journal fsync'ed every second (the default) and after every write;
- restart with 10,000 items: the runtime's ready time on an empty state dir and on one holding
  10,000 items, restored from the snapshot (after a graceful stop) and replayed from the journal
  alone (after a crash: the emulator SIGKILLed before any compaction).
"""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WRITES = 1000
ITEMS = 10_000


def _item(i: int) -> dict:
    return {"PK": {"S": f"default#BENCH#{i // 100}"}, "SK": {"S": f"ITEM#{i:06d}"},
            "GSI1PK": {"S": f"default#KIND#{i % 7}"}, "GSI1SK": {"S": f"{i:06d}"},
            "blob": {"B": os.urandom(200)}, "text": {"S": "x" * 700}, "n": {"N": str(i)}}


def _emulator(model, state_dir):
    from local.emulator import MotoEmulator

    emu = MotoEmulator(state_dir=state_dir)
    emu.start()
    emu.wait_ready()
    emu.create_resources(model)
    if state_dir:
        emu.restore()
    return emu


def per_write(model, table: str) -> dict:
    out = {}
    for label, state, fsync in (("no state dir", None, None), ("journal, fsync every second", True, "everysec"),
                                ("journal, fsync every write", True, "always")):
        with tempfile.TemporaryDirectory() as d:
            if fsync:
                os.environ["ACCORD_LOCAL_FSYNC"] = fsync
            emu = _emulator(model, d if state else None)
            try:
                ddb = emu.client("dynamodb")
                for i in range(50):  # warm the connection pool and moto's code paths
                    ddb.put_item(TableName=table, Item=_item(i))
                t0 = time.perf_counter()
                for i in range(WRITES):
                    ddb.put_item(TableName=table, Item=_item(i))
                out[label] = (time.perf_counter() - t0) / WRITES * 1e6
            finally:
                emu.stop()
                os.environ.pop("ACCORD_LOCAL_FSYNC", None)
    base = out["no state dir"]
    for label, us in out.items():
        print(f"  PutItem, {label:<28} {us:7.0f} µs/write  ({us / base:.2f}x)")
    return out


def _fill(rt, table: str) -> None:
    ddb = rt._moto.client("dynamodb")
    for i in range(0, ITEMS, 25):
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": _item(j)}} for j in range(i, i + 25)]})


def restarts(table: str) -> dict:
    from local.runtime import LocalRuntime

    def runtime(d):
        return LocalRuntime(repo_root=str(ROOT), port=0, state_dir=d, admin_key="acc_bench", concurrency=1)

    figures = {}
    with tempfile.TemporaryDirectory() as d:
        rt = runtime(d).start()
        figures["empty"] = rt.startup_seconds
        _fill(rt, table)
        outcome = rt.stop()
        figures["final snapshot"] = outcome["seconds"]
        size = os.path.getsize(os.path.join(d, "state.json"))
        rt = runtime(d).start()
        figures["snapshot"], restore_snapshot = rt.startup_seconds, rt.restored["seconds"]
        assert rt.restored["items"] >= ITEMS, rt.restored
        rt.stop()
    with tempfile.TemporaryDirectory() as d:
        rt = runtime(d).start()
        _fill(rt, table)
        rt._moto.proc.kill()  # a crash: nothing but the journal
        rt._moto.proc.wait()
        rt.stop()
        rt = runtime(d).start()
        figures["journal"], restore_journal = rt.startup_seconds, rt.restored["seconds"]
        assert rt.restored["items"] >= ITEMS and rt.restored["replayed"] >= ITEMS // 25, rt.restored
        rt.stop()
    print(f"  ready, empty state dir:                {figures['empty']:.2f} s")
    print(f"  ready, {ITEMS:,} items from the snapshot:  {figures['snapshot']:.2f} s "
          f"({figures['snapshot'] / figures['empty']:.2f}x; restore {restore_snapshot:.2f} s; "
          f"state.json {size / 1e6:.1f} MB, written in {figures['final snapshot']:.2f} s at the stop)")
    print(f"  ready, {ITEMS:,} items from the journal:   {figures['journal']:.2f} s "
          f"({figures['journal'] / figures['empty']:.2f}x; replay + compaction {restore_journal:.2f} s)")
    return figures


def main() -> dict:
    from local.cfn import load_model

    model = load_model(str(ROOT / "template.yaml"), {}, moto_url="http://127.0.0.1:1")
    table = next(t.name for t in model.tables.values() if t.logical_id == "AccordTable")
    print(f"cost per write ({WRITES:,} sequential PutItem of ~1 KB; ratios within this run):")
    writes = per_write(model, table)
    print(f"restart with {ITEMS:,} items:")
    return {"per_write_us": writes, "restart_s": restarts(table)}


if __name__ == "__main__":
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    main()
