"""Accord's schema compatibility engine (see docs/schemadiff.md).

    >>> from accord.schemadiff import compare
    >>> r = compare(old_schema, new_schema, mode="backward")
    >>> r.is_breaking, r.bump, [c.type for c in r.changes]

Pure Python; importing it is cheap (jsonschema_rs is only imported by validate_schema).
"""
from .api import compare, normalize_mode
from .errors import SchemaError
from .guarantees import GuaranteeDiff, compare_guarantees
from .limits import (MAX_BRANCHES, MAX_DEPTH, MAX_ENUM, MAX_REFS, MAX_SCHEMA_BYTES,
                     MAX_SCHEMA_NODES)
from .meta import validate_schema
from .result import MODES, Change, CompareResult

__all__ = ["compare", "validate_schema", "compare_guarantees", "SchemaError", "Change",
           "CompareResult", "GuaranteeDiff", "MODES", "normalize_mode", "MAX_SCHEMA_BYTES",
           "MAX_SCHEMA_NODES", "MAX_DEPTH", "MAX_REFS", "MAX_ENUM", "MAX_BRANCHES"]
