"""Schema-engine figures (issue 3), as ratios to copy.deepcopy of the same pair.

    python bench/bench_schemadiff.py        (from the repository root)

Prints medians, ratios and PASS/FAIL per target; ``main()`` returns the figures as a dict.
"""
import copy
import gc
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for p in (os.path.join(ROOT, "layers", "shared"),
          os.path.join(os.path.dirname(ROOT), "shared", "bench")):
    if p not in sys.path:
        sys.path.insert(0, p)

import schemas  # noqa: E402  (../shared/bench/schemas.py)
from accord.schemadiff import compare, validate_schema  # noqa: E402

TARGET_COMPARE = 0.25      # compare(old, new) <= 0.25 x deepcopy(pair)
TARGET_PUBLISH = 0.5       # validate_schema(new) + compare + bump <= 0.5 x deepcopy(pair)
TARGET_FANOUT_MS = 20.0    # ref_fanout(14) vs itself and vs a one-leaf change
TARGET_SCALING = 12.0      # 10x the properties costs <= 12x the time


def _median(fn, repeat):
    times = []
    for _ in range(repeat):
        gc.disable()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        gc.enable()
    return statistics.median(times)


def _interleaved(fns, repeat):
    """Medians of several functions measured round-robin (shares the machine's noise)."""
    times = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            gc.disable()
            t = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - t)
            gc.enable()
    return [statistics.median(t) for t in times]


def _scaled_pair(factor):
    saved = schemas.N_TOP
    schemas.N_TOP = saved * factor
    try:
        return schemas.large_pair()
    finally:
        schemas.N_TOP = saved


def _one_leaf_change(depth):
    s = schemas.ref_fanout(depth)
    s["$defs"][f"D{depth}"] = {"type": "integer"}
    return s


def main(repeat=31, verbose=True):
    old, new = schemas.large_pair()
    n_props = sum(1 for _ in _props(old))

    def deep():
        copy.deepcopy(old)
        copy.deepcopy(new)

    def cmp():
        compare(old, new)

    def publish():
        validate_schema(new)
        r = compare(old, new, mode="backward")
        return r.bump

    cmp()
    publish()
    # each figure against deepcopy measured round-robin in its own loop: interleaving publish's
    # Rust validation with compare would let one's cache misses land on the other's figure
    t_deep, t_cmp = _interleaved([deep, cmp], repeat)
    t_deep_pub, t_pub = _interleaved([deep, publish], repeat)
    res = compare(old, new)

    f14 = schemas.ref_fanout(14)
    f14b = schemas.ref_fanout(14)
    f14c = _one_leaf_change(14)
    t_f_same = _median(lambda: compare(f14, f14b), repeat)
    t_f_leaf = _median(lambda: compare(f14, f14c), repeat)
    leaf = compare(f14, f14c, mode="full")

    # scaling, two ways: (a) 10x the properties (schemas.py with 10x the top-level objects,
    # still 200 edits); (b) "dense": ten independent copies of the pair side by side, i.e. 10x
    # the properties AND 10x the edits.
    big_old, big_new = _scaled_pair(10)
    dense_old = {"type": "object", "properties": {f"part_{i}": copy.deepcopy(old)
                                                  for i in range(10)}}
    dense_new = {"type": "object", "properties": {f"part_{i}": copy.deepcopy(new)
                                                  for i in range(10)}}
    cmp()
    t_small, t_big, t_dense = _interleaved(
        [cmp, lambda: compare(big_old, big_new), lambda: compare(dense_old, dense_new)],
        max(7, repeat // 3))
    scaling = t_big / t_small
    scaling_dense = t_dense / t_small

    figures = {
        "properties": n_props,
        "changes": len(res.changes),
        "deepcopy_ms": t_deep * 1e3,
        "compare_ms": t_cmp * 1e3,
        "compare_ratio": t_cmp / t_deep,
        "publish_ms": t_pub * 1e3,
        "publish_ratio": t_pub / t_deep_pub,
        "ref_fanout_14_same_ms": t_f_same * 1e3,
        "ref_fanout_14_leaf_ms": t_f_leaf * 1e3,
        "ref_fanout_14_leaf_breaking": leaf.is_breaking,
        "scaling_10x_ratio": scaling,
        "compare_10x_ms": t_big * 1e3,
        "scaling_10x_dense_ratio": scaling_dense,
        "compare_10x_dense_ms": t_dense * 1e3,
    }
    checks = [
        ("compare(old, new) <= 0.25x deepcopy", figures["compare_ratio"] <= TARGET_COMPARE,
         f"{figures['compare_ms']:.2f} ms = {figures['compare_ratio']:.3f}x deepcopy "
         f"({figures['deepcopy_ms']:.2f} ms)"),
        ("validate + compare + bump <= 0.5x deepcopy", figures["publish_ratio"] <= TARGET_PUBLISH,
         f"{figures['publish_ms']:.2f} ms = {figures['publish_ratio']:.3f}x deepcopy"),
        ("ref_fanout(14) vs itself <= 20 ms", figures["ref_fanout_14_same_ms"] <= TARGET_FANOUT_MS,
         f"{figures['ref_fanout_14_same_ms']:.3f} ms"),
        ("ref_fanout(14) vs one-leaf change <= 20 ms",
         figures["ref_fanout_14_leaf_ms"] <= TARGET_FANOUT_MS and leaf.is_breaking,
         f"{figures['ref_fanout_14_leaf_ms']:.3f} ms, breaking={leaf.is_breaking}"),
        ("10x properties <= 12x time", scaling <= TARGET_SCALING,
         f"{scaling:.2f}x ({figures['compare_10x_ms']:.2f} ms for "
         f"{sum(1 for _ in _props(big_old))} properties)"),
    ]
    figures["pass"] = all(ok for _, ok, _ in checks)
    info = [("10x properties and 10x edits (not a target: 10x the work, bigger than the cache)",
             f"{scaling_dense:.2f}x ({figures['compare_10x_dense_ms']:.2f} ms)")]
    if verbose:
        print(f"large pair: {n_props} properties, {len(res.changes)} changes reported, "
              f"{len(res.breaking_changes)} breaking (backward)")
        for name, ok, detail in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
        for name, detail in info:
            print(f"INFO  {name}: {detail}")
    return figures


def _props(schema):
    stack = [schema]
    while stack:
        s = stack.pop()
        if isinstance(s, dict):
            for k, v in (s.get("properties") or {}).items():
                yield k
                stack.append(v)
            if isinstance(s.get("items"), dict):
                stack.append(s["items"])


if __name__ == "__main__":
    figs = main()
    sys.exit(0 if figs["pass"] else 1)
