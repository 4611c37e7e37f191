"""Known weaknesses of other engines: each must stay fixed here."""
import copy

from accord.schemadiff import compare

STR = {"type": "string"}
INT = {"type": "integer"}


def test_combinators_are_not_ignored():
    old = {"anyOf": [STR, INT]}
    assert compare(old, {"anyOf": [STR]}, mode="backward").is_breaking
    assert compare({"oneOf": [STR]}, {"oneOf": [STR, INT]}, mode="forward").is_breaking
    assert compare({"allOf": [STR]}, {"allOf": [STR, {"maxLength": 2}]}).is_breaking
    assert compare(STR, {"type": "string", "not": {"const": ""}}).is_breaking
    r = compare({"type": "object", "properties": {"a": {"anyOf": [STR, {"type": "object",
                "properties": {"x": INT}, "required": ["x"]}]}}},
                {"type": "object", "properties": {"a": {"anyOf": [STR, {"type": "object",
                 "properties": {"x": STR}, "required": ["x"]}]}}}, mode="full")
    assert r.backward_breaking and r.forward_breaking


def test_enum_introduced_and_removed_are_classified_the_right_way():
    r = compare(STR, {"type": "string", "enum": ["a"]}, mode="full")
    assert [c.type for c in r.changes] == ["enum_added"]
    assert (r.backward_breaking, r.forward_breaking) == (True, False)
    r = compare({"type": "string", "enum": ["a"]}, STR, mode="full")
    assert [c.type for c in r.changes] == ["enum_removed"]
    assert (r.backward_breaking, r.forward_breaking) == (False, True)


def test_nullable_spelled_two_ways_is_not_a_change():
    spellings = [{"type": ["string", "null"]}, {"anyOf": [STR, {"type": "null"}]},
                 {"oneOf": [{"type": "null"}, STR]}, {"type": "string", "nullable": True}]
    for a in spellings:
        for b in spellings:
            r = compare(a, b, mode="full")
            assert not r.is_breaking
            assert not {c.type for c in r.changes} & {"nullable_added", "nullable_removed"}


def test_tuple_items_and_boolean_subschemas_do_not_crash():
    d7 = "http://json-schema.org/draft-07/schema#"
    compare({"$schema": d7, "type": "array", "items": [STR, INT]},
            {"$schema": d7, "type": "array", "items": [STR, True, False]}, mode="full")
    compare({"type": "array", "prefixItems": [True, False], "items": False},
            {"type": "array", "prefixItems": [False], "items": True}, mode="full")
    for x in (True, False):
        for y in (True, False, {}, STR):
            compare({"type": "object", "properties": {"a": x}, "additionalProperties": x,
                     "items": x, "not": x, "contains": x, "propertyNames": x},
                    {"type": "object", "properties": {"a": y}, "additionalProperties": y,
                     "items": y, "not": y, "contains": y, "propertyNames": y}, mode="full")
    assert compare(True, False, mode="full").backward_breaking
    assert compare({"items": False}, {"items": True}, mode="full").forward_breaking


def test_no_exponential_ref_expansion():
    def fanout(depth, leaf):
        d = {f"D{i}": {"type": "object", "properties": {
            "a": {"$ref": f"#/$defs/D{i + 1}"}, "b": {"$ref": f"#/$defs/D{i + 1}"}}}
            for i in range(depth)}
        d[f"D{depth}"] = leaf
        return {"type": "object", "$defs": d, "properties": {"root": {"$ref": "#/$defs/D0"}}}
    a = fanout(40, STR)
    assert compare(a, fanout(40, STR)).changes == []
    r = compare(a, fanout(40, INT), mode="full")
    assert len(r.changes) == 1 and r.changes[0].path == "$.$defs.D40"


def test_removing_optional_field_of_closed_object_is_backward_breaking():
    old = {"type": "object", "properties": {"a": STR, "b": STR}, "additionalProperties": False}
    new = copy.deepcopy(old)
    del new["properties"]["b"]
    r = compare(old, new, mode="full")
    assert (r.backward_breaking, r.forward_breaking) == (True, False)


def test_adding_property_to_open_true_object_is_backward_breaking():
    old = {"type": "object", "properties": {"a": STR}, "additionalProperties": True}
    new = copy.deepcopy(old)
    new["properties"]["b"] = STR
    assert compare(old, new, mode="backward").is_breaking


def test_required_for_undeclared_name():
    r = compare({"type": "object"}, {"type": "object", "required": ["id"]}, mode="full")
    assert r.backward_breaking and not r.forward_breaking


def test_integer_number_subtyping():
    assert not compare(INT, {"type": "number"}, mode="backward").is_breaking
    assert compare({"type": "number"}, INT, mode="backward").is_breaking
