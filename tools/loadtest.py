"""A bounded load test of the whole product: it starts its own local runtime (loopback only, a
throw-away state directory), runs N concurrent clients for T seconds on a mixed workload, prints
what happened and stops — runtime included — by itself.

    .venv/bin/python tools/loadtest.py                 # 8 clients, 20 s
    .venv/bin/python tools/loadtest.py -c 4 -s 10

Workload (each client has its own tenant-scoped team, key and assets, so it never races another
client's writes and every 4xx would be a defect): reads (team, asset, asset list, search, contract
versions, asset status, events of a key), writes (team, asset, compatible contract publish), and
reports (materializations, observations, check evaluations). Every answer must be the status the
operation expects: any other one, 5xx or transport failure counts as an error. Exit status 1 if
there was any error.
"""
import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# operation → weight (of 100)
MIX = {
    "read team": 8, "read asset": 10, "list assets": 8, "search assets": 6, "list contracts": 6,
    "asset status": 6, "read events": 10,
    "create team": 4, "create asset": 6, "publish contract": 6,
    "report materialization": 14, "report observation": 6, "report check": 10,
}
READS = {"read team", "read asset", "list assets", "search assets", "list contracts", "asset status", "read events"}
REPORTS = {"report materialization", "report observation", "report check"}


@dataclass
class Stats:
    latencies: dict = field(default_factory=dict)   # op -> [seconds]
    errors: list = field(default_factory=list)      # (op, status, text)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, op: str, seconds: float, error=None):
        with self.lock:
            self.latencies.setdefault(op, []).append(seconds)
            if error is not None:
                self.errors.append((op, *error))


class Client(threading.Thread):
    """One simulated user: its own HTTP session, team key and assets."""

    def __init__(self, index: int, url: str, admin_key: str, deadline: float, stats: Stats, seed: int):
        super().__init__(name=f"client-{index}", daemon=True)
        self.i, self.url, self.deadline, self.stats = index, url, deadline, stats
        self.admin_key = admin_key
        self.rng = random.Random(seed)
        self.s = requests.Session()
        self.assets: list[dict] = []  # {"id", "fqn", "version": minor}
        self.teams: list[str] = []

    # -- HTTP --------------------------------------------------------------------------------
    def req(self, op: str, method: str, path: str, expect=(200,), record=True, **kwargs):
        headers = {"Authorization": f"Bearer {self.key}", **kwargs.pop("headers", {})}
        started = time.perf_counter()
        try:
            r = self.s.request(method, self.url + path, headers=headers, timeout=60, **kwargs)
        except requests.RequestException as exc:
            self.stats.add(op, time.perf_counter() - started, ("transport", repr(exc)[:200]))
            return None
        elapsed = time.perf_counter() - started
        bad = r.status_code not in expect
        if record:
            self.stats.add(op, elapsed, (r.status_code, r.text[:200]) if bad else None)
        elif bad:
            raise RuntimeError(f"setup {method} {path}: {r.status_code} {r.text[:300]}")
        return None if bad else (r.json() if r.content else {})

    # -- setup (not measured) ---------------------------------------------------------------
    def setup(self):
        self.key = self.admin_key
        team = self.req("setup", "POST", "/api/v1/teams", (201,), record=False,
                        json={"name": f"load-{self.i}-{uuid.uuid4().hex[:6]}"})
        self.team = team["id"]
        self.key = self.req("setup", "POST", "/api/v1/api-keys", (201,), record=False,
                            json={"name": f"client {self.i}", "scopes": ["read", "write"], "team_id": self.team})["key"]
        self.teams.append(self.team)
        for _ in range(2):
            self.new_asset(record=False)

    def new_asset(self, record=True):
        fqn = f"load.c{self.i}.t{uuid.uuid4().hex[:10]}"
        a = self.req("create asset", "POST", "/api/v1/assets", (201,), record=record,
                     json={"fqn": fqn, "owner_team_id": self.team, "metadata": {"tags": ["load"]}})
        if a:
            self.assets.append({"id": a["id"], "fqn": fqn, "minor": -1})

    # -- the operations ------------------------------------------------------------------------
    def schema(self, minor: int) -> dict:
        props = {"id": {"type": "integer"}}
        props.update({f"c{n}": {"type": "string"} for n in range(minor + 1)})
        return {"type": "object", "properties": props, "required": ["id"]}

    def run_op(self, op: str):
        a = self.rng.choice(self.assets)
        key_path = a["fqn"].replace(".", "/")
        if op == "read team":
            self.req(op, "GET", f"/api/v1/teams/{self.rng.choice(self.teams)}")
        elif op == "read asset":
            self.req(op, "GET", f"/api/v1/assets/{a['id']}")
        elif op == "list assets":
            self.req(op, "GET", "/api/v1/assets", params={"owner_team_id": self.team, "page": 1, "page_size": 20})
        elif op == "search assets":
            self.req(op, "GET", "/api/v1/assets/search", params={"q": f"c{self.i}"})
        elif op == "list contracts":
            self.req(op, "GET", f"/api/v1/assets/{a['id']}/contracts")
        elif op == "asset status":
            self.req(op, "GET", f"/api/v1/assets/{a['id']}/status")
        elif op == "read events":
            self.req(op, "GET", "/api/v1/events", params={"asset_key": json.dumps(a["fqn"].split(".")), "limit": 20})
        elif op == "create team":
            t = self.req(op, "POST", "/api/v1/teams", (201,), json={"name": f"t-{uuid.uuid4().hex[:12]}"})
            if t:
                self.teams.append(t["id"])
        elif op == "create asset":
            self.new_asset()
        elif op == "publish contract":
            a["minor"] += 1  # compatible: one more optional property each time
            self.req(op, "POST", f"/api/v1/assets/{a['id']}/contracts", (201,), json={"schema": self.schema(a["minor"])})
        elif op == "report materialization":
            self.req(op, "POST", f"/report_asset_materialization/{key_path}",
                     json={"metadata": {"rows": self.rng.randint(0, 10_000)}, "partition": "2024-06-01"})
        elif op == "report observation":
            self.req(op, "POST", f"/report_asset_observation/{key_path}",
                     json={"data_version": uuid.uuid4().hex[:8], "metadata": {"dagster/last_updated_timestamp": time.time()}})
        elif op == "report check":
            self.req(op, "POST", f"/report_asset_check/{key_path}",
                     json={"check_name": self.rng.choice(["not_null", "unique"]), "passed": self.rng.random() > 0.1})
        else:
            raise ValueError(op)

    def run(self):
        ops, weights = zip(*MIX.items())
        while time.monotonic() < self.deadline:
            self.run_op(self.rng.choices(ops, weights)[0])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(stats: Stats, seconds: float) -> dict:
    every = [x for v in stats.latencies.values() for x in v]
    out = {"requests": len(every), "errors": len(stats.errors), "seconds": round(seconds, 1),
           "throughput_rps": round(len(every) / seconds, 1) if seconds else 0.0,
           "p50_ms": round(percentile(every, 50) * 1000, 1), "p95_ms": round(percentile(every, 95) * 1000, 1),
           "p99_ms": round(percentile(every, 99) * 1000, 1), "max_ms": round(max(every, default=0) * 1000, 1)}
    groups = {"reads": READS, "writes": set(MIX) - READS - REPORTS, "reports": REPORTS}
    out["by_kind"] = {}
    for name, ops in groups.items():
        lat = [x for op in ops for x in stats.latencies.get(op, [])]
        out["by_kind"][name] = {"requests": len(lat), "p50_ms": round(percentile(lat, 50) * 1000, 1),
                                "p95_ms": round(percentile(lat, 95) * 1000, 1),
                                "p99_ms": round(percentile(lat, 99) * 1000, 1)}
    return out


def run(clients: int = 8, seconds: float = 20.0, seed: int = 7, quiet: bool = False,
        concurrency: int | None = None) -> dict:
    """Start a runtime, load it, stop it; returns the summary (also printed unless quiet).
    `concurrency`: worker processes per function (the runtime's default: ACCORD_LOCAL_CONCURRENCY or 4)."""
    from local.runtime import LocalRuntime
    admin = "acc_load_" + uuid.uuid4().hex
    with tempfile.TemporaryDirectory(prefix="accord-load-") as state:
        rt = LocalRuntime(repo_root=str(ROOT), port=0, host="127.0.0.1", state_dir=state, admin_key=admin,
                          quiet=True, persist=False, concurrency=concurrency)
        rt.start()
        try:
            tenant = requests.post(rt.url + "/api/v1/tenants", json={"name": f"load-{uuid.uuid4().hex[:6]}"},
                                   headers={"Authorization": f"Bearer {admin}"}, timeout=60)
            tenant.raise_for_status()
            tenant_admin = tenant.json()["admin_key"]["key"]
            stats = Stats()
            workers = [Client(i, rt.url, tenant_admin, 0.0, stats, seed + i) for i in range(clients)]
            for w in workers:
                w.setup()
            started = time.monotonic()
            for w in workers:
                w.deadline = started + seconds
                w.start()
            for w in workers:
                w.join(timeout=seconds + 120)
            elapsed = time.monotonic() - started
            hung = [w.name for w in workers if w.is_alive()]
        finally:
            rt.stop(snapshot=False)
    out = summary(stats, elapsed)
    out["clients"] = clients
    if hung:
        out["errors"] += len(hung)
        stats.errors.extend(("hung", w, "") for w in hung)
    out["first_errors"] = [list(map(str, e)) for e in stats.errors[:5]]
    if not quiet:
        print(f"load test: {clients} clients x {seconds:g} s against a local runtime (loopback)")
        print(f"  requests {out['requests']}  errors {out['errors']}  throughput {out['throughput_rps']} req/s")
        print(f"  latency p50 {out['p50_ms']} ms  p95 {out['p95_ms']} ms  p99 {out['p99_ms']} ms  "
              f"max {out['max_ms']} ms")
        for name, g in out["by_kind"].items():
            print(f"  {name:8s} {g['requests']:6d} requests  p50 {g['p50_ms']} ms  p95 {g['p95_ms']} ms  "
                  f"p99 {g['p99_ms']} ms")
        for e in out["first_errors"]:
            print("  error:", " | ".join(e))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--clients", type=int, default=int(os.environ.get("LOAD_CLIENTS", "8")))
    parser.add_argument("-s", "--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", "20")))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=None,
                        help="worker processes per function (default: ACCORD_LOCAL_CONCURRENCY or 4)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON too")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0:
        parser.error("clients must be ≥ 1 and seconds > 0")
    out = run(args.clients, args.seconds, args.seed, concurrency=args.concurrency)
    if args.json:
        print(json.dumps(out, indent=2))
    return 1 if out["errors"] else 0


if __name__ == "__main__":
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    sys.exit(main())
