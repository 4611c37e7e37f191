# Copied from ../shared/bench/schemas.py (the team's deterministic benchmark inputs) so that the
# tests and `make bench` need nothing outside this repository.
"""Deterministic benchmark inputs for the schema diff engine.

large_pair(): a ~5,000-property JSON Schema (3 levels, arrays of objects, enums) and a copy
that differs from it in exactly 200 places (removals, additions, type changes, enum edits,
new required fields, tightened and widened constraints).
ref_fanout(depth): a small schema whose definitions each reference the next one twice; a
diff that expands $ref into a tree does 2**depth work on it.

Usage: python3 schemas.py OUTDIR   (writes old.json, new.json, ref_fanout_14.json)
"""
import copy
import json
import random
import sys

N_TOP, N_MID, N_LEAF = 20, 10, 24  # 20 + 20*10 + 20*10*24 = 5020 properties


def _leaf(i):
    return [
        {"type": "string", "maxLength": 64},
        {"type": "integer", "minimum": 0},
        {"type": "string", "enum": ["a", "b", "c", "d"]},
        {"type": "number"},
        {"type": "boolean", "default": False},
        {"type": "array", "items": {"type": "string"}, "maxItems": 10},
    ][i % 6]


def _mid(t, m):
    leaves = {f"f_{t}_{m}_{l}": _leaf(l) for l in range(N_LEAF)}
    body = {"type": "object", "properties": leaves,
            "required": [k for j, k in enumerate(leaves) if j % 3 == 0]}
    return {"type": "array", "items": body} if m % 3 == 2 else body


def large_pair():
    rng = random.Random(42)
    old = {"type": "object", "properties": {}, "required": []}
    for t in range(N_TOP):
        old["properties"][f"top_{t}"] = {
            "type": "object",
            "properties": {f"mid_{t}_{m}": _mid(t, m) for m in range(N_MID)},
        }
    old["required"] = [f"top_{t}" for t in range(0, N_TOP, 2)]
    new = copy.deepcopy(old)
    containers = []
    for t in range(N_TOP):
        for m in range(N_MID):
            node = new["properties"][f"top_{t}"]["properties"][f"mid_{t}_{m}"]
            containers.append(node["items"] if node["type"] == "array" else node)
    slots = [(c, name) for c in containers for name in list(c["properties"])]
    rng.shuffle(slots)
    plan = (["remove"] * 40 + ["add"] * 40 + ["type"] * 30 + ["enum_rm"] * 20
            + ["enum_add"] * 20 + ["required"] * 20 + ["tighten"] * 15 + ["widen"] * 15)
    used, it = set(), iter(slots)
    for op in plan:
        while True:
            c, name = next(it)
            if (id(c), name) in used or name not in c["properties"]:
                continue
            p = c["properties"][name]
            ok = {"remove": True, "add": True,
                  "type": p.get("type") == "boolean",
                  "enum_rm": "enum" in p, "enum_add": "enum" in p,
                  "required": name not in c.get("required", []) and p.get("type") != "array",
                  "tighten": "maxLength" in p, "widen": p.get("type") == "integer"}[op]
            if ok:
                break
        used.add((id(c), name))
        if op == "remove":
            del c["properties"][name]
            if name in c.get("required", []):
                c["required"].remove(name)
        elif op == "add":
            c["properties"][name + "_new"] = {"type": "string"}
        elif op == "type":
            p["type"] = "string"
            p.pop("default", None)
            p["default"] = "false"
        elif op == "enum_rm":
            p["enum"] = p["enum"][:-1]
        elif op == "enum_add":
            p["enum"] = p["enum"] + ["z"]
        elif op == "required":
            c["required"].append(name)
        elif op == "tighten":
            p["maxLength"] = 32
        elif op == "widen":
            p["type"] = "number"
    return old, new


def ref_fanout(depth=14):
    defs = {f"D{i}": {"type": "object", "properties": {
        "a": {"$ref": f"#/$defs/D{i + 1}"}, "b": {"$ref": f"#/$defs/D{i + 1}"}}}
        for i in range(depth)}
    defs[f"D{depth}"] = {"type": "string"}
    return {"type": "object", "$defs": defs, "properties": {"root": {"$ref": "#/$defs/D0"}}}


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    old, new = large_pair()
    for name, doc in (("old.json", old), ("new.json", new), ("ref_fanout_14.json", ref_fanout(14))):
        with open(f"{out}/{name}", "w") as f:
            json.dump(doc, f)
