"""Meta-schema validation of submitted schemas (draft-07 / 2020-12, per $schema).

Uses jsonschema_rs (compiled; imported lazily): the dialect's meta-schema, then a small
recursive schema that asserts every `pattern` / `patternProperties` key is a valid regex
(the meta-schemas do not), then resolution of every `$ref`.
"""
from .canon import Document, dialect_of, jp
from .errors import SchemaError

_SUB = {"$ref": "#/$defs/s"}
_MAP = {"additionalProperties": _SUB}
_LIST = {"items": _SUB}
_REGEX_META = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {"s": {"properties": {
        "pattern": {"format": "regex"},
        "patternProperties": {"propertyNames": {"format": "regex"},
                              "additionalProperties": _SUB},
        "properties": _MAP, "$defs": _MAP, "definitions": _MAP, "dependentSchemas": _MAP,
        "dependencies": {"additionalProperties": {"anyOf": [{"type": "array"}, _SUB]}},
        "items": {"anyOf": [{"type": "array", "items": _SUB}, _SUB]},
        "prefixItems": _LIST, "allOf": _LIST, "anyOf": _LIST, "oneOf": _LIST,
        **{k: _SUB for k in ("additionalProperties", "additionalItems", "not", "if", "then",
                             "else", "contains", "propertyNames", "unevaluatedProperties",
                             "unevaluatedItems")},
    }}},
    "$ref": "#/$defs/s",
}
_regex_validator = None


def _rs():
    import jsonschema_rs
    return jsonschema_rs


def validate_schema(schema):
    """Raise SchemaError naming the problem and its location if `schema` is not valid."""
    global _regex_validator
    if type(schema) is bool:
        return
    if type(schema) is not dict:
        raise SchemaError(f"a schema must be a JSON object or a boolean, got "
                          f"{type(schema).__name__}", "$")
    dialect_of(schema)
    rs = _rs()
    try:
        rs.meta.validate(schema)
    except rs.ValidationError as e:
        raise SchemaError(f"invalid schema: {e.message}", jp(list(e.instance_path))) from None
    except Exception as e:  # referencing problems in the meta-schema step, unknown dialects
        raise SchemaError(f"invalid schema: {e}", "$") from None
    if _regex_validator is None:
        _regex_validator = rs.validator_for(_REGEX_META, validate_formats=True)
    err = next(iter(_regex_validator.iter_errors(schema)), None)
    if err is not None:
        raise SchemaError(f"invalid regular expression {err.instance!r}",
                          jp(list(err.instance_path)))
    from .api import _has_refs
    try:
        if _has_refs(schema):
            Document(schema, None).validate_refs()
    except RecursionError:
        raise SchemaError("schema nested too deeply", "$") from None
