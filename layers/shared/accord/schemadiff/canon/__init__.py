"""Canonicalisation (§3), split by concern: `nodes` (the canonical node), `dialects`, `document`
(a schema: `$ref`s, the memo), `keywords` (schema object -> node), `merge` (allOf/anyOf/enum
folding), `membership` (values against nodes)."""
from .dialects import D04, D06, D07, D2019, D2020, Dialect, dialect_of
from .document import Document
from .membership import check_format
from .merge import _part, merge, union_merge
from .nodes import ANNOTATIONS, ANN_TYPES, ANY, ArrC, CNode, Conj, NEVER, ObjC, STRUCTURAL_IGNORED, int_bounds, is_any, is_never, iter_subschemas, jp, jseg

__all__ = ["ANNOTATIONS", "ANN_TYPES", "ANY", "ArrC", "CNode", "Conj", "D04", "D06", "D07", "D2019", "D2020", "Dialect", "Document", "NEVER", "ObjC", "STRUCTURAL_IGNORED", "_part", "check_format", "dialect_of", "int_bounds", "is_any", "is_never", "iter_subschemas", "jp", "jseg", "merge", "union_merge"]
