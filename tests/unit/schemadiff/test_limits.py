"""Adversarial input: everything ends in bounded time with a result or a SchemaError."""
import copy
import sys
import time

import pytest

from accord.schemadiff import MAX_DEPTH, MAX_ENUM, SchemaError, compare, validate_schema
from accord.schemadiff import limits

STR = {"type": "string"}


def nested(depth, leaf=STR):
    s = leaf
    for _ in range(depth):
        s = {"type": "object", "properties": {"x": s}}
    return s


def test_deep_nesting_is_a_clear_error_not_a_recursion_error():
    deep = nested(5000)
    for old, new in [(deep, nested(5000, {"type": "integer"})), (STR, deep), (deep, STR),
                     (deep, nested(5000))]:
        try:
            compare(old, new)
        except SchemaError as e:
            assert "deep" in str(e) or "nested" in str(e)
    with pytest.raises(SchemaError):
        compare(nested(MAX_DEPTH + 10), nested(MAX_DEPTH + 10, {"type": "integer"}))


def test_moderate_nesting_works():
    r = compare(nested(40), nested(40, {"type": "integer"}), mode="full")
    assert r.is_breaking and r.changes[0].path.count(".properties.x") == 40


def test_deeply_nested_arrays_and_values():
    deep_list = []
    cur = deep_list
    for _ in range(3000):
        nxt = []
        cur.append(nxt)
        cur = nxt
    for bad in ({"const": deep_list}, {"enum": [deep_list]}, {"default": deep_list}):
        try:
            compare(STR, bad)
        except SchemaError:
            pass


def test_long_ref_chain_is_bounded():
    n = 2000
    defs = {f"D{i}": {"$ref": f"#/$defs/D{i + 1}"} for i in range(n)}
    defs[f"D{n}"] = STR
    chain = {"$defs": defs, "$ref": "#/$defs/D0"}
    r = compare(chain, {"type": "integer"}, mode="full")  # pure ref chain: followed iteratively
    assert r.is_breaking
    defs2 = {f"D{i}": {"type": "object", "properties": {"n": {"$ref": f"#/$defs/D{i + 1}"}}}
             for i in range(n)}
    defs2[f"D{n}"] = STR
    chain2 = {"$defs": defs2, "$ref": "#/$defs/D0"}
    other = copy.deepcopy(chain2)
    other["$defs"][f"D{n}"] = {"type": "integer"}
    with pytest.raises(SchemaError, match="deeper"):
        compare(chain2, other)


def test_exponential_ref_fanout_is_linear():
    def fanout(depth, leaf):
        d = {f"D{i}": {"type": "object", "properties": {
            "l": {"$ref": f"#/$defs/D{i + 1}"}, "r": {"$ref": f"#/$defs/D{i + 1}"}}}
            for i in range(depth)}
        d[f"D{depth}"] = leaf
        return {"$ref": "#/$defs/D0", "$defs": d}
    r = compare(fanout(60, STR), fanout(60, {"type": "integer"}), mode="full")  # 2**60 paths
    assert r.is_breaking and [c.type for c in r.changes] == ["type_changed"]


def test_self_referencing_refs():
    assert compare({"$ref": "#"}, {"$ref": "#"}).changes == []
    compare({"$ref": "#"}, {"type": "object", "properties": {"a": {"$ref": "#"}}})
    compare({"anyOf": [{"$ref": "#"}, STR]}, {"allOf": [{"$ref": "#"}]}, mode="full")
    compare({"type": "object", "properties": {"a": {"$ref": "#"}}, "$ref": "#"},
            {"type": "object", "properties": {"a": {"type": "integer"}}}, mode="full")


def test_huge_enum_is_rejected_and_large_enum_is_linear():
    with pytest.raises(SchemaError, match="enum"):
        compare(STR, {"enum": list(range(MAX_ENUM + 1))})
    big = list(range(MAX_ENUM))
    r = compare({"enum": big}, {"enum": big[:-1] + ["x"]}, mode="full")
    assert {c.type for c in r.changes} == {"enum_values_added", "enum_values_removed"}


def test_many_branches():
    many = {"anyOf": [{"type": "object", "properties": {"k": {"const": i}}, "required": ["k"]}
                      for i in range(300)]}
    other = copy.deepcopy(many)
    other["anyOf"].append({"type": "object", "properties": {"k": {"const": "new"}},
                           "required": ["k"]})
    r = compare(many, other, mode="full")
    assert r.forward_breaking and not r.backward_breaking
    with pytest.raises(SchemaError):
        compare(STR, {"anyOf": [STR] * (limits.MAX_BRANCHES + 1)})


@pytest.mark.parametrize("pattern", ["(unclosed", "[a-", "*x", "(?P<n>a)(?P<n>b)"])
def test_invalid_regex_is_a_schema_error(pattern):
    with pytest.raises(SchemaError, match="regular expression"):
        compare(STR, {"type": "string", "pattern": pattern})
    with pytest.raises(SchemaError):
        compare(STR, {"type": "object", "patternProperties": {pattern: STR}})


def test_ecma_only_regex_is_accepted_and_catastrophic_regex_is_never_run():
    compare(STR, {"type": "string", "pattern": "^\\p{L}+$"})
    evil = "^(a+)+$"
    old = {"type": "object", "patternProperties": {evil: STR}, "additionalProperties": False,
           "properties": {"a" * 40 + "!": STR}}
    new = {"type": "object", "patternProperties": {evil: STR}, "additionalProperties": False}
    compare(old, new, mode="full")


@pytest.mark.parametrize("bad", [
    {"type": 5}, {"type": []}, {"type": ["string", "nope"]}, {"maxLength": -1},
    {"maxLength": 1.5}, {"minimum": "0"}, {"minimum": True}, {"multipleOf": 0},
    {"properties": []}, {"required": "a"}, {"required": [1]}, {"items": 3},
    {"anyOf": []}, {"anyOf": {}}, {"allOf": [3]}, {"enum": "a"},
    {"additionalProperties": "no"}, {"minimum": float("nan")}, [], "string", 3, None,
])
def test_bad_schemas_raise_schema_error_only(bad):
    with pytest.raises(SchemaError):
        compare(STR, bad if not isinstance(bad, dict) else {"type": "string", **bad}
                if "type" not in bad else bad)


def test_nan_in_enum_and_non_json_values():
    with pytest.raises(SchemaError):
        compare({"enum": [float("nan")]}, STR)
    with pytest.raises(SchemaError):
        compare({"const": object()}, STR)


def test_input_is_not_mutated():
    old = {"type": "object", "properties": {"a": {"anyOf": [STR, {"type": "null"}]}},
           "$defs": {"X": STR}}
    new = {"type": "object", "properties": {"a": {"$ref": "#/$defs/X"}}, "$defs": {"X": STR}}
    o, n = copy.deepcopy(old), copy.deepcopy(new)
    compare(old, new, mode="full", profile="table")
    validate_schema(new)
    assert (old, new) == (o, n)


def test_limits_are_module_constants():
    for name in ("MAX_SCHEMA_BYTES", "MAX_SCHEMA_NODES", "MAX_DEPTH", "MAX_REFS", "MAX_ENUM",
                 "MAX_BRANCHES", "MAX_PAIRWISE"):
        assert isinstance(getattr(limits, name), int)


def test_node_limit(monkeypatch):
    monkeypatch.setattr("accord.schemadiff.canon.document.MAX_SCHEMA_NODES", 50)
    wide = {"type": "object", "properties": {f"p{i}": {"type": "string", "maxLength": i}
                                             for i in range(200)}}
    other = {"type": "object", "properties": {f"p{i}": {"type": "string", "maxLength": i + 1}
                                              for i in range(200)}}
    with pytest.raises(SchemaError, match="too large"):
        compare(wide, other)


def test_ref_limit(monkeypatch):
    monkeypatch.setattr("accord.schemadiff.canon.document.MAX_REFS", 5)
    s = {"type": "object", "properties": {f"p{i}": {"$ref": f"#/$defs/D{i}"} for i in range(10)},
         "$defs": {f"D{i}": STR for i in range(10)}}
    with pytest.raises(SchemaError, match="too many"):
        compare(s, STR)


@pytest.mark.parametrize("kw", ["oneOf", "anyOf"])
def test_large_unions_stay_linear(kw):
    def br(i, extra=None):
        p = {"k": {"const": f"v{i}"}, "x": STR, **(extra or {})}
        return {"type": "object", "properties": p, "required": ["k"]}
    old = {kw: [br(i) for i in range(900)]}
    new = {kw: [br(i, {"y": {"type": "integer"}} if i % 100 == 0 else None) for i in range(899)]
           + [br(5000)]}
    r = compare(old, new, mode="full")
    assert r.backward_breaking and r.forward_breaking     # v899 removed, v5000 added
    types = {c.type for c in r.changes}
    assert {"union_branch_added", "union_branch_removed", "property_added"} <= types
    r = compare({kw: [{"type": "string", "pattern": f"^p{i}"} for i in range(900)]},
                {kw: [{"type": "string", "pattern": f"^q{i}"} for i in range(900)]}, mode="full")
    assert r.is_breaking
