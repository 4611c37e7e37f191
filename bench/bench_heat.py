"""The heat model (issue 18), before and after: per write path, the hottest item's write units per
second at the path's target rate (budget 1,000) and the most transactions per second holding one
item (budget ~50); write units per operation; cost per million operations and a mid-size month.

"Before" is the code as it was when issue 18 started (BASELINE, extracted from git into a temporary
directory); "after" is this tree. Both run through bench/heat_run.py with the same model and the
same workload, one after the other, in this one `make bench` run. HEAT_N sets operations per path.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT)]
BASELINE = "8ecc51f"   # main when issue 18 started: the "before" of every figure
N = int(os.environ.get("HEAT_N", "40"))
WRU_OF = ("asset create", "first publish", "publish", "publish 5,020 properties", "check on one asset (HTTP)",
          "check on one asset (queue)", "report (HTTP)", "report (queue)", "dependency add", "proposal create",
          "acknowledge", "publish a proposal")


def _measure(root: Path) -> dict:
    out = subprocess.run([sys.executable, str(HERE / "heat_run.py"), "--root", str(root), "--n", str(N)],
                         capture_output=True, text=True, cwd=str(ROOT), timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout)


def _baseline() -> dict | None:
    try:
        subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", BASELINE + "^{commit}"], check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", BASELINE, "layers", "functions", "template.yaml"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        return _measure(Path(tmp))


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 else f"{v:,.1f}"


def main() -> dict:
    from tests.support import heat, heat_cost
    before, after = _baseline(), _measure(ROOT)
    logs = {"before": (before or {}).pop("_meta", {}).get("log_retention_days"),
            "after": after.pop("_meta", {}).get("log_retention_days")}
    names = list(after)
    print(f"heat model: {N} operations per path on moto; hottest item WCU/s and max transactions/s holding one item "
          f"at the target rate (budgets {heat.ITEM_WCU_BUDGET:,} WCU/s, {heat.HOLD_BUDGET} tx/s)")
    print(f"  {'path':<34} {'rate/s':>7} {'spread':>6} | {'before WCU/s':>12} {'tx/s':>5} | {'after WCU/s':>11} "
          f"{'tx/s':>5}  hottest item after")
    for name in names:
        a, b = after[name], (before or {}).get(name)
        if a is None:
            continue
        prev = f"{_fmt(b['hottest_wcu_s']):>12} {_fmt(b['holds_s']):>5}" if b else f"{'n/a':>12} {'':>5}"
        print(f"  {name:<34} {a['rate']:>7,.0f} {a['spread']:>6,} | {prev} | {_fmt(a['hottest_wcu_s']):>11} "
              f"{_fmt(a['holds_s']):>5}  {'PASS' if a['ok'] else 'FAIL'} {a['hottest']}")
    print("write units per operation (table + indexes), before → after:")
    for name in WRU_OF:
        a, b = after.get(name), (before or {}).get(name)
        if a is None:
            continue
        prev = f"{b['wru']:6.1f} ({b['wru_table']:.1f} + {b['wru_index']:.1f})" if b else "   n/a"
        print(f"  {name:<34} {prev:>22} → {a['wru']:6.1f} ({a['wru_table']:.1f} + {a['wru_index']:.1f})"
              + (f"   {a['wru'] / b['wru']:.2f}x" if b else ""))
    requests = {n: after[n]["requests"] for n in names if after[n]}
    print("cost per million operations (DynamoDB + API Gateway + Lambda + SQS + log ingestion), before → after:")
    for name in names:
        a, b = after[name], (before or {}).get(name)
        if a is None:
            continue
        ca = heat_cost.per_million(a, requests[name])["total"]
        cb = heat_cost.per_million(b, requests[name])["total"] if b else None
        print(f"  {name:<34} {('$' + format(cb, ',.2f')) if cb is not None else 'n/a':>10} → ${ca:,.2f}")
    print("mid-size tenant month (2,000 assets, 200k reports/day):")
    bills = {}
    for label, rows in (("before", before), ("after", after)):
        if rows is None:
            continue
        for m in (1, 12):
            bill = heat_cost.month({k: v for k, v in rows.items() if v}, requests, m, logs[label])
            bills[(label, m)] = bill
            share = bill["storage"] / bill["total"] if bill["total"] else 0
            print(f"  {label:<6} month {m:>2}: ${bill['total']:8,.2f} = requests ${bill['requests']:,.2f} + storage "
                  f"${bill['storage']:,.2f} ({bill['stored_gb']:.1f} GB, {share:.0%} of the bill) + PITR "
                  f"${bill['pitr']:,.2f} + log storage ${bill['logs']:,.2f}")
    if ("before", 12) in bills:
        print(f"  month 12 after/before: {bills[('after', 12)]['total'] / bills[('before', 12)]['total']:.2f}x")
    return {"before": before, "after": after}


if __name__ == "__main__":
    main()
