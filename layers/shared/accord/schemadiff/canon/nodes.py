"""The canonical node (§3) and the schema-walking basics every part of the engine shares.

A :class:`CNode` denotes a set of JSON values as the conjunction of
  * a type set (bits, see :mod:`values`) and per-type constraints (``num``, ``strc``, ``fmt``,
    ``arr``, ``obj``), each of which only constrains values of its own JSON type;
  * or a finite value set ``enum`` (a dict JSON-equality key -> value);
  * residual combinators that could not be folded in (``anyof``, ``oneof``, ``allof``,
    ``not_``, ``cond``).
Children (``properties`` values, ``items`` ...) are kept as references to the raw schema
objects (or to synthetic nodes) and are canonicalised only when the comparison reaches them,
so unchanged subtrees are never canonicalised, and a `$ref` graph is never expanded."""
import math

from ..values import T_ALL

ANN_TYPES = {"description": "description_changed", "title": "title_changed",
             "default": "default_changed", "examples": "examples_changed",
             "deprecated": "deprecated_changed"}


ANNOTATIONS = frozenset({"title", "description", "default", "examples", "deprecated", "readOnly",
                         "writeOnly", "$comment", "contentEncoding", "contentMediaType",
                         "contentSchema", "$id", "id", "$anchor", "$dynamicAnchor",
                         "$recursiveAnchor", "example", "discriminator", "xml", "externalDocs",
                         "$vocabulary"})


STRUCTURAL_IGNORED = frozenset({"$schema", "$defs", "definitions"})


_FAST_ANN = frozenset({"description", "title", "default", "examples", "deprecated", "readOnly",
                       "writeOnly", "$comment", "example"})


class CNode:
    types = T_ALL
    enum = None      # dict: vkey -> value
    num = None       # (lo, lo_excl, hi, hi_excl, mults: tuple of Fraction)
    strc = None      # (minLength, maxLength|None, patterns: frozenset)
    fmt = None
    arr = None       # ArrC
    obj = None       # ObjC
    anyof = None     # tuple of children
    oneof = None
    allof = None     # residual conjuncts
    not_ = None
    cond = None      # (if, then|None, else|None)
    ann = None       # dict keyword -> value
    ref = None       # (target, target JSONPath, ref string) for a pure $ref node
    raw = None

    def constrained(self):
        return (self.types != T_ALL or self.enum is not None or self.num is not None
                or self.strc is not None or self.fmt is not None or self.arr is not None
                or self.obj is not None or self.anyof is not None or self.oneof is not None
                or self.allof is not None or self.not_ is not None or self.cond is not None
                or self.ref is not None)

    def has_combinators(self):
        return (self.anyof is not None or self.oneof is not None or self.allof is not None
                or self.not_ is not None or self.cond is not None)

    def copy(self):
        n = CNode()
        n.__dict__.update(self.__dict__)
        return n


ANY = CNode()


NEVER = CNode()
NEVER.types = 0


def is_any(n):
    return n.types == T_ALL and not n.constrained()


def is_never(n):
    return n.types == 0 and n.ref is None


class ArrC:
    prefix = None    # tuple of children (tuple positions) or None
    items = None     # child (the additional items after prefix) or None = absent
    contains = None
    minc = 1
    maxc = None
    mini = 0
    maxi = None
    unique = False
    uneval = None

    def copy(self):
        a = ArrC()
        a.__dict__.update(self.__dict__)
        return a


class ObjC:
    # class-level defaults (never mutated in place: attributes are only ever re-assigned)
    props = {}
    req = frozenset()
    addl = None      # child or None (absent)
    pats = None      # dict pattern -> child
    pn = None        # propertyNames child
    minp = 0
    maxp = None
    depreq = None    # dict name -> frozenset
    depsch = None    # dict name -> child
    uneval = None

    def copy(self):
        o = ObjC()
        o.__dict__.update(self.__dict__)
        return o

    def implicitly_open(self):
        return self.addl is None and not self.pats and self.uneval is None


class Conj:
    """A lazy conjunction of children of one document (built by merges)."""
    __slots__ = ("parts",)

    def __init__(self, parts):
        self.parts = parts


class _InProgress(Exception):
    pass


_SCHEMA_KW = ("additionalProperties", "items", "additionalItems", "contains", "propertyNames",
              "not", "if", "then", "else", "unevaluatedProperties", "unevaluatedItems",
              "contentSchema")


_SCHEMA_LIST_KW = ("allOf", "anyOf", "oneOf", "prefixItems", "items")


_SCHEMA_MAP_KW = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas",
                  "dependencies")


_SCHEMA_MAP_SET = frozenset(_SCHEMA_MAP_KW)


_SCHEMA_LIST_SET = frozenset(_SCHEMA_LIST_KW)


_SUB_ANY = frozenset(_SCHEMA_KW) | _SCHEMA_MAP_SET | _SCHEMA_LIST_SET


def iter_subschemas(d):
    """(keyword-path, child) for every direct subschema of the schema object `d`."""
    for k in _SCHEMA_KW:
        v = d.get(k)
        if type(v) is dict or type(v) is bool:
            yield (k,), v
    for k in _SCHEMA_LIST_KW:
        v = d.get(k)
        if type(v) is list:
            for i, x in enumerate(v):
                if type(x) is dict or type(x) is bool:
                    yield (k, i), x
    for k in _SCHEMA_MAP_KW:
        v = d.get(k)
        if type(v) is dict:
            for name, x in v.items():
                if type(x) is dict or type(x) is bool:
                    yield (k, name), x


def jp(segments):
    out = "$"
    for s in segments:
        out += jseg(s)
    return out


def jseg(s):
    """One JSONPath segment: .name, ['odd name'] or [index]."""
    if type(s) is int:
        return f"[{s}]"
    # [A-Za-z_$][A-Za-z0-9_$]*, without a regex call (this runs once per compared property)
    if s.isascii() and s.replace("$", "_").isidentifier():
        return "." + s
    return "['" + s.replace("\\", "\\\\").replace("'", "\\'") + "']"


def int_bounds(numc):
    """Closed integer bounds of a numeric constraint (None = unbounded)."""
    if numc is None:
        return None, None
    lo, lo_ex, hi, hi_ex, _ = numc
    ilo = ihi = None
    if lo is not None:
        ilo = math.floor(lo) + 1 if lo_ex else math.ceil(lo)
    if hi is not None:
        ihi = math.ceil(hi) - 1 if hi_ex else math.floor(hi)
    return ilo, ihi
