"""validate_schema: meta-schema (draft-07 / 2020-12), regexes, $refs."""
import pytest

from accord.schemadiff import SchemaError, validate_schema

D7 = "http://json-schema.org/draft-07/schema#"


@pytest.mark.parametrize("schema", [
    True, False, {},
    {"type": "object", "properties": {"a": {"type": "string", "pattern": "^[a-z]+$"}},
     "required": ["a"], "additionalProperties": False},
    {"$schema": D7, "type": "array", "items": [{"type": "string"}], "additionalItems": False,
     "definitions": {"X": {"type": "integer"}}, "properties": {"x": {"$ref": "#/definitions/X"}}},
    {"$defs": {"T": {"type": "object", "properties": {"kids": {"items": {"$ref": "#/$defs/T"}}}}},
     "$ref": "#/$defs/T"},
    {"type": "string", "pattern": "^\\p{Lu}"},
    {"enum": [{"$ref": "this is data, not a reference"}]},
])
def test_valid(schema):
    validate_schema(schema)


@pytest.mark.parametrize("schema,where", [
    ({"type": "strin"}, "$.type"),
    ({"properties": {"a": {"maxLength": -1}}}, "$.properties.a.maxLength"),
    ({"properties": {"a": {"pattern": "(unclosed"}}}, "$.properties.a.pattern"),
    ({"patternProperties": {"(": {}}}, "$.patternProperties"),
    ({"properties": {"a": {"$ref": "#/$defs/missing"}}}, "$.properties.a"),
    ({"items": {"$ref": "https://example.com/other.json"}}, "$.items"),
    ({"type": "array", "items": [{"type": "string"}]}, "$.items"),   # tuple items need draft-07
    ({"$schema": "https://example.com/custom"}, "$"),
])
def test_invalid_names_problem_and_location(schema, where):
    with pytest.raises(SchemaError) as e:
        validate_schema(schema)
    assert e.value.path == where, str(e.value)
    assert where in str(e.value)


def test_not_a_schema():
    for bad in ([], "x", 3, None):
        with pytest.raises(SchemaError):
            validate_schema(bad)
