"""One focused test per §5 change type: type, path, effect, values and description."""
import json

import pytest

from accord.schemadiff import compare

STR = {"type": "string"}
INT = {"type": "integer"}


def obj(props=None, required=(), **kw):
    s = {"type": "object", "properties": props or {}}
    if required:
        s["required"] = list(required)
    s.update(kw)
    return s


def the(r, type_):
    found = [c for c in r.changes if c.type == type_]
    assert found, f"no {type_} in {[c.to_dict() for c in r.changes]}"
    return found[0]


# two unions of object branches: they cannot be folded into one node, so a second one stays
# an allOf conjunct
_U1 = {"anyOf": [obj({"k": {"const": 1}}, ["k"]), obj({"k": {"const": 2}}, ["k"])]}
_U2 = {"anyOf": [obj({"m": {"const": 1}}, ["m"]), obj({"m": {"const": 2}}, ["m"])]}

# (old, new, type, effect, path)
CASES = [
    (obj({"a": STR}), obj({"a": STR, "email": STR}), "property_added", "neutral",
     "$.properties.email"),
    (obj({"name": STR, "email": STR}, additionalProperties=False),
     obj({"name": STR}, additionalProperties=False), "property_removed", "narrow",
     "$.properties.email"),
    (obj({"a": STR}), obj({"a": STR}, ["a"]), "required_added", "narrow", "$.properties.a"),
    (obj({"a": STR}, ["a"]), obj({"a": STR}), "required_removed", "widen", "$.properties.a"),
    (obj({"a": STR}, additionalProperties=True), obj({"a": STR}, additionalProperties=False),
     "additional_properties_narrowed", "narrow", "$.additionalProperties"),
    (obj({"a": STR}, additionalProperties=False), obj({"a": STR}, additionalProperties=True),
     "additional_properties_widened", "widen", "$.additionalProperties"),
    (obj(additionalProperties=STR, maxProperties=5), obj(additionalProperties=STR, maxProperties=2),
     "property_count_tightened", "narrow", "$"),
    (obj(additionalProperties=STR, minProperties=2), obj(additionalProperties=STR),
     "property_count_loosened", "widen", "$"),
    (obj({"a": STR, "b": STR}), obj({"a": STR, "b": STR}, dependentRequired={"a": ["b"]}),
     "dependent_required_added", "narrow", "$.dependentRequired.a"),
    (obj({"a": STR, "b": STR}, dependentRequired={"a": ["b"]}), obj({"a": STR, "b": STR}),
     "dependent_required_removed", "widen", "$.dependentRequired.a"),
    (obj({"n": INT}), obj({"n": {"type": "number"}}), "type_widened", "widen", "$.properties.n"),
    (obj({"n": {"type": "number"}}), obj({"n": INT}), "type_narrowed", "narrow", "$.properties.n"),
    (obj({"n": INT}), obj({"n": STR}), "type_changed", "change", "$.properties.n"),
    (obj({"n": STR}), obj({"n": {"type": ["string", "null"]}}), "nullable_added", "widen",
     "$.properties.n"),
    (obj({"n": {"anyOf": [STR, {"type": "null"}]}}), obj({"n": STR}), "nullable_removed",
     "narrow", "$.properties.n"),
    ({"enum": ["a"]}, {"enum": ["a", "b"]}, "enum_values_added", "widen", "$"),
    ({"enum": ["a", "b"]}, {"enum": ["a"]}, "enum_values_removed", "narrow", "$"),
    (STR, {"type": "string", "enum": ["a"]}, "enum_added", "narrow", "$"),
    ({"type": "string", "enum": ["a"]}, STR, "enum_removed", "widen", "$"),
    (obj({"tags": {"type": "array", "items": {"type": "string", "maxLength": 9}}}),
     obj({"tags": {"type": "array", "items": {"type": "string", "maxLength": 3}}}),
     "string_length_tightened", "narrow", "$.properties.tags.items"),
    ({"type": "string", "minLength": 3}, STR, "string_length_loosened", "widen", "$"),
    (STR, {"type": "string", "pattern": "^a"}, "pattern_added", "narrow", "$"),
    ({"type": "string", "pattern": "^a"}, STR, "pattern_removed", "widen", "$"),
    ({"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^b"}, "pattern_changed",
     "change", "$"),
    (STR, {"type": "string", "format": "email"}, "format_added", "narrow", "$"),
    ({"type": "string", "format": "email"}, STR, "format_removed", "widen", "$"),
    ({"type": "string", "format": "date"}, {"type": "string", "format": "date-time"},
     "format_changed", "change", "$"),
    ({"type": "string", "format": "email"}, {"type": "string", "format": "idn-email"},
     "format_widened", "widen", "$"),
    ({"type": "string", "format": "iri"}, {"type": "string", "format": "uri"}, "format_narrowed",
     "narrow", "$"),
    ({"type": "integer", "maximum": 9}, {"type": "integer", "maximum": 5},
     "numeric_range_tightened", "narrow", "$"),
    ({"type": "number", "minimum": 1}, {"type": "number", "minimum": 0},
     "numeric_range_loosened", "widen", "$"),
    ({"type": "integer", "multipleOf": 2}, {"type": "integer", "multipleOf": 4},
     "multiple_of_tightened", "narrow", "$"),
    ({"type": "number", "multipleOf": 0.5}, {"type": "number", "multipleOf": 0.25},
     "multiple_of_loosened", "widen", "$"),
    ({"type": "integer", "multipleOf": 2}, {"type": "integer", "multipleOf": 3},
     "multiple_of_changed", "change", "$"),
    ({"type": "array", "maxItems": 5}, {"type": "array", "maxItems": 2}, "array_length_tightened",
     "narrow", "$"),
    ({"type": "array", "minItems": 2}, {"type": "array"}, "array_length_loosened", "widen", "$"),
    ({"type": "array", "contains": STR}, {"type": "array", "contains": STR, "minContains": 2},
     "contains_count_tightened", "narrow", "$"),
    ({"type": "array", "contains": STR, "maxContains": 2}, {"type": "array", "contains": STR},
     "contains_count_loosened", "widen", "$"),
    ({"type": "array"}, {"type": "array", "uniqueItems": True}, "unique_items_added", "narrow",
     "$"),
    ({"type": "array", "uniqueItems": True}, {"type": "array"}, "unique_items_removed", "widen",
     "$"),
    ({"type": "array", "prefixItems": [STR], "items": False},
     {"type": "array", "prefixItems": [STR, INT], "items": False}, "tuple_item_added", "widen",
     "$.prefixItems[1]"),
    ({"type": "array", "prefixItems": [STR, INT], "items": False},
     {"type": "array", "prefixItems": [STR], "items": False}, "tuple_item_removed", "narrow",
     "$.prefixItems[1]"),
    ({"type": "array", "prefixItems": [STR], "items": True},
     {"type": "array", "prefixItems": [STR], "items": False}, "additional_items_narrowed",
     "narrow", "$.items"),
    ({"type": "array", "prefixItems": [STR], "items": False},
     {"type": "array", "prefixItems": [STR], "items": True}, "additional_items_widened", "widen",
     "$.items"),
    ({"type": "array"}, {"type": "array", "items": STR}, "subschema_added", "narrow", "$.items"),
    ({"type": "array", "items": STR}, {"type": "array"}, "subschema_removed", "widen", "$.items"),
    ({"anyOf": [obj({"x": STR}, ["x"]), {"type": "array"}]},
     {"anyOf": [obj({"x": STR}, ["x"]), {"type": "array"}, obj({"y": INT}, ["y"])]},
     "union_branch_added", "widen", "$.anyOf[2]"),
    ({"anyOf": [obj({"x": STR}, ["x"]), {"type": "array"}, obj({"y": INT}, ["y"])]},
     {"anyOf": [obj({"x": STR}, ["x"]), {"type": "array"}]},
     "union_branch_removed", "narrow", "$.anyOf[2]"),
    ({"oneOf": [{"type": "integer", "minimum": 10}, STR]},
     {"oneOf": [{"type": "integer", "minimum": 10}, STR, {"type": "integer", "minimum": 0}]},
     "oneof_overlap_introduced", "change", "$.oneOf"),
    ({"allOf": [_U1]}, {"allOf": [_U1, _U2]}, "allof_conjunct_added", "narrow", None),
    ({"allOf": [_U1, _U2]}, {"allOf": [_U1]}, "allof_conjunct_removed", "widen", None),
    ({"allOf": [{"type": "string", "minLength": 1}, {"type": "string", "maxLength": 5}]},
     {"anyOf": [{"type": "string", "minLength": 1}, {"type": "string", "maxLength": 5}]},
     "combinator_widened", "widen", "$"),
    ({"anyOf": [{"type": "string", "minLength": 1}, {"type": "string", "maxLength": 5}]},
     {"allOf": [{"type": "string", "minLength": 1}, {"type": "string", "maxLength": 5}]},
     "combinator_narrowed", "narrow", "$"),
    ({"type": "string", "not": {"enum": ["a", "b"]}}, {"type": "string", "not": {"enum": ["a"]}},
     "not_widened", "widen", "$.not"),
    ({"type": "string", "not": {"enum": ["a"]}}, {"type": "string", "not": {"enum": ["a", "b"]}},
     "not_narrowed", "narrow", "$.not"),
    (obj({"c": STR}, **{"if": {"properties": {"c": {"const": "US"}}},
                        "then": {"required": ["z"]}}),
     obj({"c": STR}, **{"if": {"properties": {"c": {"const": "CA"}}},
                        "then": {"required": ["z"]}}), "conditional_changed", "change", "$"),
    (STR, {"type": "string", "description": "d"}, "description_changed", "neutral", "$"),
    (STR, {"type": "string", "title": "t"}, "title_changed", "neutral", "$"),
    (STR, {"type": "string", "default": "x"}, "default_changed", "neutral", "$"),
    (STR, {"type": "string", "examples": ["x"]}, "examples_changed", "neutral", "$"),
    (STR, {"type": "string", "deprecated": True}, "deprecated_changed", "neutral", "$"),
    (STR, {"type": "string", "x-owner": "me"}, "annotation_changed", "neutral", "$"),
    ({"type": ["string", "null"]}, {"anyOf": [STR, {"type": "null"}]}, "schema_refactored",
     "neutral", "$"),
]


@pytest.mark.parametrize("old,new,type_,effect,path", CASES,
                         ids=[f"{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_change_type(old, new, type_, effect, path):
    r = compare(old, new, mode="full")
    c = the(r, type_)
    assert c.effect == effect, c.to_dict()
    if path is not None:
        assert c.path == path, c.to_dict()
    assert c.description and isinstance(c.description, str)
    json.dumps(c.to_dict())
    bits = {"neutral": (False, False), "narrow": (True, False), "widen": (False, True),
            "change": (True, True)}[effect]
    if bits[0]:
        assert r.backward_breaking
    if bits[1]:
        assert r.forward_breaking


def test_descriptions_name_the_field():
    r = compare(obj({"name": STR, "email": STR}, additionalProperties=False),
                obj({"name": STR}, additionalProperties=False))
    assert r.changes[0].description == "Property 'email' was removed"
    r = compare(obj({"age": INT}), obj({"age": STR}))
    assert "age" in r.changes[0].description and "integer" in r.changes[0].description
    r = compare(obj({"odd key": INT}), obj({"odd key": STR}))
    assert r.changes[0].path == "$.properties['odd key']"


def test_old_and_new_values():
    r = compare({"enum": ["a", "b"]}, {"enum": ["a", "c"]})
    added, removed = the(r, "enum_values_added"), the(r, "enum_values_removed")
    assert added.new_value == ["c"] and removed.old_value == ["b"]
    r = compare({"type": "string", "maxLength": 9}, {"type": "string", "maxLength": 3})
    c = the(r, "string_length_tightened")
    assert (c.old_value, c.new_value) == (9, 3)
    r = compare(INT, STR)
    c = the(r, "type_changed")
    assert (c.old_value, c.new_value) == (["integer"], ["string"])
