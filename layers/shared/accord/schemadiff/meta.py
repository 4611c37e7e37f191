"""Meta-schema validation of submitted schemas (draft-07 / 2020-12, per $schema).

Uses jsonschema_rs (compiled; imported lazily): the dialect's meta-schema, then a small
recursive schema that asserts every `pattern` / `patternProperties` key is a valid regex
(the meta-schemas do not), then resolution of every `$ref`.
"""
from .canon import Document, dialect_of, jp
from .errors import SchemaError
from .values import check_pattern

_SUB = {"$ref": "#/$defs/s"}
_MAP = {"additionalProperties": _SUB}
_LIST = {"items": _SUB}
_REGEX_META = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {"s": {"properties": {
        # every $ref is reported (as an error of `false`) so that one pass finds them all
        "$ref": False, "$dynamicRef": False, "$recursiveRef": False,
        "pattern": {"format": "regex"},
        "patternProperties": {"propertyNames": {"format": "regex"},
                              "additionalProperties": _SUB},
        "properties": _MAP, "$defs": _MAP, "definitions": _MAP, "dependentSchemas": _MAP,
        # no anyOf here: its failure would hide which $ref was found
        "dependencies": _MAP,
        "items": {"$ref": "#/$defs/s", "items": _SUB},
        "prefixItems": _LIST, "allOf": _LIST, "anyOf": _LIST, "oneOf": _LIST,
        **{k: _SUB for k in ("additionalProperties", "additionalItems", "not", "if", "then",
                             "else", "contains", "propertyNames", "unevaluatedProperties",
                             "unevaluatedItems")},
    }}},
    "$ref": "#/$defs/s",
}
_regex_validator = None


def _valid_regex(p):
    try:
        check_pattern(p, None)
        return True
    except SchemaError:
        return False


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
    doc = None
    try:
        for err in _regex_validator.iter_errors(schema):
            where = list(err.instance_path)
            if where and where[-1] in ("$ref", "$dynamicRef", "$recursiveRef"):
                if doc is None:
                    doc = Document(schema, None)
                doc.resolve(err.instance, jp(where[:-1]))
                continue
            if where and where[-1] == "patternProperties" and isinstance(err.instance, dict):
                bad = [k for k in err.instance if not _valid_regex(k)]
                raise SchemaError(f"invalid regular expression {bad[0] if bad else '?'!r} "
                                  "among the patternProperties keys", jp(where))
            raise SchemaError(f"invalid regular expression {err.instance!r}", jp(where))
    except RecursionError:
        raise SchemaError("schema nested too deeply", "$") from None
