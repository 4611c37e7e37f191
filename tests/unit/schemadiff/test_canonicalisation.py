"""Canonicalisation (§3): refs, dialects, type sets, const/enum, nullable spellings, numeric
intervals, boolean schemas, order-insensitivity, unreachable definitions, recursion."""
import copy

import pytest

from accord.schemadiff import SchemaError, compare

D7 = "http://json-schema.org/draft-07/schema#"
D2020 = "https://json-schema.org/draft/2020-12/schema"
STR = {"type": "string"}
INT = {"type": "integer"}


def same(a, b, **kw):
    r = compare(a, b, mode="full", **kw)
    assert not r.is_breaking, [c.to_dict() for c in r.changes]
    assert {c.effect for c in r.changes} <= {"neutral"}
    return r


def types(r):
    return [c.type for c in r.changes]


@pytest.mark.parametrize("a,b", [
    ({"type": ["string", "null"]}, {"anyOf": [STR, {"type": "null"}]}),
    ({"type": ["string", "null"]}, {"oneOf": [{"type": "null"}, STR]}),
    ({"type": ["string", "null"]}, {"type": "string", "nullable": True}),
    ({"anyOf": [STR, INT]}, {"type": ["integer", "string"]}),
    ({"const": 3}, {"enum": [3.0]}),
    ({"enum": [{"a": [1, 2]}]}, {"enum": [{"a": [1.0, 2]}]}),
    ({"type": "integer", "minimum": 1}, {"type": "integer", "exclusiveMinimum": 0}),
    ({"type": "integer", "maximum": 9.5}, {"type": "integer", "exclusiveMaximum": 10}),
    (True, {}),
    (False, {"not": {}}),
    ({"anyOf": [{"type": "string", "maxLength": 3}]}, {"type": "string", "maxLength": 3}),
    ({"allOf": [STR, {"maxLength": 3}]}, {"type": "string", "maxLength": 3}),
    ({"type": "boolean"}, {"enum": [True, False]}),
    ({"type": "integer", "minimum": 1, "maximum": 3}, {"enum": [1, 2, 3]}),
    ({"type": "string", "enum": ["a", 1]}, {"enum": ["a"]}),
])
def test_equal_value_sets_are_not_changes(a, b):
    same(a, b)
    same(b, a)


def test_true_is_not_one_and_false_is_not_zero():
    r = compare({"enum": [True]}, {"enum": [1]}, mode="full")
    assert r.is_breaking and set(types(r)) == {"enum_values_added", "enum_values_removed"}
    r = compare({"properties": {"a": {"const": False}}}, {"properties": {"a": {"const": 0}}},
                mode="full")
    assert r.is_breaking
    r = compare({"type": "object", "properties": {"a": {"default": False}}},
                {"type": "object", "properties": {"a": {"default": 0}}}, mode="full")
    assert types(r) == ["default_changed"] and r.bump == "patch"


def test_int_and_float_are_json_equal_in_enums():
    r = compare({"enum": [1, 2.5]}, {"enum": [1.0, 2.5]}, mode="full")
    assert r.changes == [] or types(r) == ["schema_refactored"]


def test_type_array_is_a_set_and_integer_is_in_number():
    same({"type": ["integer", "number"]}, {"type": "number"})
    r = compare({"type": "integer"}, {"type": "number"}, mode="full")
    assert types(r) == ["type_widened"] and r.forward_breaking and not r.backward_breaking


def test_ref_and_inline_are_a_refactor():
    inline = {"type": "object", "properties": {"a": {"type": "string", "maxLength": 3}}}
    via_ref = {"type": "object", "properties": {"a": {"$ref": "#/$defs/S"}},
               "$defs": {"S": {"type": "string", "maxLength": 3}}}
    r = same(inline, via_ref)
    assert types(r) == ["schema_refactored"] and r.bump == "patch"
    r = same(via_ref, inline)
    assert r.bump == "patch"


def test_definitions_pointer_and_anchor_refs():
    a = {"properties": {"x": {"$ref": "#/definitions/X"}}, "definitions": {"X": INT}}
    b = {"properties": {"x": {"$ref": "#xx"}}, "$defs": {"X": {"$anchor": "xx", **INT}}}
    r = compare(a, b, mode="full")
    assert not r.is_breaking
    c = {"properties": {"x": {"$ref": "#/properties/y"}, "y": INT}}
    same(a, {"properties": {"x": INT}})
    same(c, {"properties": {"x": INT, "y": INT}})


def test_percent_and_tilde_escaped_pointers():
    a = {"properties": {"x": {"$ref": "#/$defs/a~1b"}}, "$defs": {"a/b": INT}}
    b = {"properties": {"x": {"$ref": "#/$defs/a%20c"}}, "$defs": {"a c": INT}}
    same(a, b)


def test_ref_relative_to_root_id_is_internal():
    a = {"$id": "https://example.com/s.json", "properties": {"x": {"$ref":
         "https://example.com/s.json#/$defs/X"}}, "$defs": {"X": INT}}
    r = compare(a, {"$id": "https://example.com/s.json", "properties": {"x": INT}}, mode="full")
    assert not r.is_breaking


@pytest.mark.parametrize("bad", [
    {"$ref": "other.json#/x"},
    {"$ref": "https://example.com/x.json"},
    {"$ref": "#/$defs/missing"},
    {"$ref": "#nope"},
    {"$ref": 5},
    {"properties": {"a": {"$ref": "#/properties/b/items"}}, "$defs": {}},
])
def test_unresolvable_refs_are_errors_not_compatible(bad):
    with pytest.raises(SchemaError):
        compare(STR, bad)
    with pytest.raises(SchemaError):
        compare(bad, STR)


def test_dangling_ref_in_an_unreached_part_is_still_an_error():
    old = {"type": "object", "properties": {"a": STR, "b": {"items": {"$ref": "#/$defs/Z"}}}}
    with pytest.raises(SchemaError, match="does not resolve"):
        compare(old, {"type": "string"})
    with pytest.raises(SchemaError, match="does not resolve"):
        compare({"type": "object", "properties": {"a": STR}},
                {"type": "object", "properties": {"a": INT, "c": {"$ref": "#/$defs/Q"}}})


def test_unreachable_definitions_are_ignored():
    a = {"type": "object", "properties": {"a": STR}, "$defs": {"U": STR}}
    b = {"type": "object", "properties": {"a": STR}, "$defs": {"U": INT, "V": False}}
    r = compare(a, b, mode="full")
    assert r.changes == [] and r.bump == "none"


def test_draft07_lowering():
    d7 = {"$schema": D7, "type": "array", "items": [STR, INT], "additionalItems": False}
    d20 = {"$schema": D2020, "type": "array", "prefixItems": [STR, INT], "items": False}
    r = same(d7, d20)
    assert r.bump in ("patch", "none")
    deps7 = {"$schema": D7, "type": "object", "dependencies": {"a": ["b"], "c": {"required": ["d"]}}}
    deps20 = {"type": "object", "dependentRequired": {"a": ["b"]},
              "dependentSchemas": {"c": {"required": ["d"]}}}
    same(deps7, deps20)


def test_draft07_ref_siblings_ignored_2020_applied():
    base7 = {"$schema": D7, "definitions": {"S": STR}, "$ref": "#/definitions/S"}
    r = compare(base7, {**base7, "maxLength": 2}, mode="full")
    assert not r.is_breaking
    base20 = {"$defs": {"S": STR}, "$ref": "#/$defs/S"}
    r = compare(base20, {**base20, "maxLength": 2}, mode="full")
    assert r.backward_breaking and "string_length_tightened" in types(r)


def test_unknown_dialect_is_an_error():
    with pytest.raises(SchemaError, match="unsupported"):
        compare({"$schema": "https://example.com/my-meta"}, STR)


def test_recursive_schemas_compare_coinductively():
    tree = {"type": "object", "properties": {"v": INT, "kids": {"type": "array",
                                                                  "items": {"$ref": "#"}}}}
    unrolled = copy.deepcopy(tree)
    unrolled["properties"]["kids"]["items"] = copy.deepcopy(tree)
    same(tree, unrolled)
    wider = copy.deepcopy(tree)
    wider["properties"]["v"] = {"type": "number"}
    r = compare(tree, wider, mode="full")
    assert r.forward_breaking and not r.backward_breaking


def test_self_reference_root():
    assert compare({"$ref": "#"}, {"$ref": "#"}).changes == []
    r = compare({"$ref": "#"}, STR, mode="full")   # a pure self-reference accepts anything
    assert r.backward_breaking
    loop = {"$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"}},
            "properties": {"x": {"$ref": "#/$defs/A"}}}
    compare(loop, {"properties": {"x": STR}}, mode="full")


def test_integer_aware_bounds():
    same({"type": "integer", "minimum": 0.5}, {"type": "integer", "minimum": 1})
    r = compare({"type": "number", "minimum": 1}, {"type": "number", "exclusiveMinimum": 0},
                mode="full")
    assert r.forward_breaking and not r.backward_breaking
    same({"type": "integer", "multipleOf": 1}, INT)


def test_draft04_boolean_exclusive_bounds():
    d4 = "http://json-schema.org/draft-04/schema#"
    same({"$schema": d4, "type": "integer", "minimum": 0, "exclusiveMinimum": True},
         {"type": "integer", "minimum": 1})


def test_format_as_annotation_option():
    r = compare({"type": "string", "format": "email"}, {"type": "string", "format": "date"},
                mode="full", format_assertion=False)
    assert not r.is_breaking and r.bump == "patch"
    r = compare({"type": "string", "format": "email"}, {"type": "string", "format": "date"},
                mode="full")
    assert r.is_breaking and types(r) == ["format_changed"]


def test_order_only_edits_bump_none():
    a = {"type": "object", "required": ["a", "b"], "properties": {"a": STR, "b": {"enum": [1, 2, 3]}},
         "anyOf": [{"required": ["a"]}, {"required": ["b"]}]}
    b = {"anyOf": [{"required": ["b"]}, {"required": ["a"]}],
         "properties": {"b": {"enum": [3, 2, 1]}, "a": STR}, "required": ["b", "a"],
         "type": "object"}
    r = compare(a, b, mode="full")
    assert r.changes == [] and r.bump == "none"
