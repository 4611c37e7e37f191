"""Schema-engine figures (issue 3), as ratios to copy.deepcopy of the same pair.

    python bench/bench_schemadiff.py        (from the repository root)

Prints medians, ratios and PASS/FAIL per target; ``main()`` returns the figures as a dict.
"""
import copy
import gc
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for p in (os.path.join(ROOT, "layers", "shared"), os.path.join(ROOT, "bench")):
    if p not in sys.path:
        sys.path.insert(0, p)

import schemas  # noqa: E402  (bench/schemas.py)
from accord.schemadiff import compare, validate_schema  # noqa: E402

TARGET_COMPARE = 0.25      # compare(old, new) <= 0.25 x deepcopy(pair)
TARGET_PUBLISH = 0.5       # validate_schema(new) + compare + bump <= 0.5 x deepcopy(pair)
TARGET_FANOUT_MS = 20.0    # ref_fanout(14) vs itself and vs a one-leaf change
TARGET_SCALING = 12.0      # 10x the properties costs <= 12x the time
TARGET_PATTERN_MS = 5.0    # a typical `pattern` change decided from cold (parse + automata)
# worst case within the bounds: a decision that explores close to MAX_REGEX_STATES stays under
# the per-decision time bound; one past the bounds gives up within it (plus setup)
TARGET_PATTERN_WORST_MS = 250.0

# realistic pattern edits (old, new): widen, narrow, equal, incomparable
PATTERN_PAIRS = [
    ("^[a-z]+$", "^[a-z0-9]+$"),
    ("^[0-9]{5}$", "^[0-9]{5}(-[0-9]{4})?$"),
    ("^[A-Z]{2}-\\d{4}$", "^[A-Z]{2,3}-\\d{4,6}$"),
    ("^\\d{4}-\\d{2}-\\d{2}$", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
    ("^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$",
     "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,6}$"),
    ("^\\+?[0-9 ()-]{7,20}$", "^\\+[1-9][0-9]{6,14}$"),
    ("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
     "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"),
    ("^(GET|POST|PUT)$", "^(GET|POST|PUT|DELETE|PATCH)$"),
]
# 2^12 = 4 096 DFA states per side, equal languages (nothing cuts the search short): the most
# work a decision does and still decides, with MAX_REGEX_STATES = 5 000
PATTERN_WORST = ("(a|b)*a(a|b){11}", "(?:a|b)*a[ab]{11}")
# 2^15 states: past the state bound -> conservative fallback
PATTERN_PAST_BOUND = ("(a|b)*a(a|b){14}", "(?:a|b)*a[ab]{14}")


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
    pat = _pattern_figures(old, new, cmp, repeat)
    figures.update(pat)
    checks += [
        (f"typical pattern change decided from cold <= {TARGET_PATTERN_MS:g} ms",
         pat["pattern_typical_max_ms"] <= TARGET_PATTERN_MS,
         f"median {pat['pattern_typical_ms']:.2f} ms, slowest {pat['pattern_typical_max_ms']:.2f} ms "
         f"over {len(PATTERN_PAIRS)} pairs"),
        (f"worst pattern decision within the bounds <= {TARGET_PATTERN_WORST_MS:g} ms",
         pat["pattern_worst_ms"] <= TARGET_PATTERN_WORST_MS and pat["pattern_worst_decided"],
         f"{pat['pattern_worst_ms']:.1f} ms ({PATTERN_WORST[0]!r} vs {PATTERN_WORST[1]!r}, "
         + ("decided: equal)" if pat["pattern_worst_decided"]
            else f"NOT decided: {pat['pattern_worst_description']})")),
        (f"pattern decision past the bounds gives up <= {TARGET_PATTERN_WORST_MS:g} ms",
         pat["pattern_fallback_ms"] <= TARGET_PATTERN_WORST_MS and not pat["pattern_fallback_decided"],
         f"{pat['pattern_fallback_ms']:.1f} ms ({pat['pattern_fallback_reason']})"),
    ]
    figures["pass"] = all(ok for _, ok, _ in checks)
    info = [("10x properties and 10x edits (not a target: 10x the work, bigger than the cache)",
             f"{scaling_dense:.2f}x ({figures['compare_10x_dense_ms']:.2f} ms)"),
            ("large pair + 20 changed patterns, decided from cold, vs the large pair",
             f"{pat['compare_with_patterns_ratio']:.2f}x "
             f"({pat['compare_with_patterns_ms']:.2f} ms vs {pat['compare_plain_ms']:.2f} ms)"),
            ("first pattern decision in a process imports regexlang (subprocess, median of 5)",
             f"{pat['pattern_import_ms']:.1f} ms")]
    if verbose:
        print(f"large pair: {n_props} properties, {len(res.changes)} changes reported, "
              f"{len(res.breaking_changes)} breaking (backward)")
        for name, ok, detail in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
        for name, detail in info:
            print(f"INFO  {name}: {detail}")
    return figures


def _string_slots(schema, n):
    """The first n string properties (their schema dicts) of the large pair, in a fixed order."""
    out, stack = [], [schema]
    while stack and len(out) < n:
        s = stack.pop(0)
        if isinstance(s, dict):
            for _, v in sorted((s.get("properties") or {}).items()):
                if isinstance(v, dict) and v.get("type") == "string" and "enum" not in v:
                    out.append(v)
                else:
                    stack.append(v)
            if isinstance(s.get("items"), dict):
                stack.append(s["items"])
    return out[:n]


def _pattern_figures(old, new, cmp, repeat):
    """Cost of deciding `pattern` changes (regexlang), every decision from cold caches."""
    from accord.schemadiff import regexlang

    def decide_cold(a, b):
        regexlang.clear_caches()
        return compare({"type": "string", "pattern": a}, {"type": "string", "pattern": b},
                       mode="full")

    decide_cold(*PATTERN_PAIRS[0])                      # import outside the timings
    per_pair = [_median(lambda p=p: decide_cold(*p), repeat) for p in PATTERN_PAIRS]
    worst = decide_cold(*PATTERN_WORST)
    t_worst = _median(lambda: decide_cold(*PATTERN_WORST), max(5, repeat // 4))
    t_past = _median(lambda: decide_cold(*PATTERN_PAST_BOUND), max(5, repeat // 4))
    past = decide_cold(*PATTERN_PAST_BOUND).changes[0].description

    # the large pair with 20 string properties given a pattern that then changes
    old_p, new_p = copy.deepcopy(old), copy.deepcopy(new)
    for i, (a, b) in enumerate(zip(_string_slots(old_p, 20), _string_slots(new_p, 20))):
        pa, pb = PATTERN_PAIRS[i % len(PATTERN_PAIRS)]
        a["pattern"], b["pattern"] = f"{pa[:-1]}{i}$", f"{pb[:-1]}{i}$"

    def cmp_patterns():
        regexlang.clear_caches()
        compare(old_p, new_p)

    cmp_patterns()
    t_plain, t_pat = _interleaved([cmp, cmp_patterns], max(7, repeat // 3))

    code = ("import time, accord.schemadiff; t = time.perf_counter(); "
            "import accord.schemadiff.regexlang; print(time.perf_counter() - t)")
    # as under `make` (bytecode written, so the first run compiles and the rest load .pyc)
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "layers", "shared"),
               PYTHONDONTWRITEBYTECODE="")
    imports = [float(subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                    capture_output=True, text=True).stdout) for _ in range(6)][1:]
    return {
        "pattern_typical_ms": statistics.median(per_pair) * 1e3,
        "pattern_typical_max_ms": max(per_pair) * 1e3,
        "pattern_worst_ms": t_worst * 1e3,
        "pattern_worst_decided": worst.changes[0].type == "schema_refactored",
        "pattern_worst_description": worst.changes[0].description,
        "pattern_fallback_ms": t_past * 1e3,
        "pattern_fallback_decided": "not decided" not in past,
        "pattern_fallback_reason": past[past.find("(inclusion"):],
        "compare_plain_ms": t_plain * 1e3,
        "compare_with_patterns_ms": t_pat * 1e3,
        "compare_with_patterns_ratio": t_pat / t_plain,
        "pattern_import_ms": statistics.median(imports) * 1e3,
    }


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
