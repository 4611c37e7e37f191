"""JSON values: JSON equality keys, JSON types as bits, regexes and the format lattice."""
import re

from .errors import SchemaError
from .limits import MAX_REGEX_PATTERN, MAX_REGEX_SUBJECT

# JSON types as bits. NUM = numbers that are not integers; "number" = NUM | INT.
T_NULL, T_BOOL, T_OBJ, T_ARR, T_NUM, T_INT, T_STR = 1, 2, 4, 8, 16, 32, 64
T_NUMBER = T_NUM | T_INT
T_ALL = 127
TYPE_BITS = {"null": T_NULL, "boolean": T_BOOL, "object": T_OBJ, "array": T_ARR,
             "number": T_NUMBER, "integer": T_INT, "string": T_STR}
_NAMES = (("null", T_NULL), ("boolean", T_BOOL), ("object", T_OBJ), ("array", T_ARR),
          ("number", T_NUMBER), ("integer", T_INT), ("string", T_STR))


def refs_in(marshalled):
    """Could these marshal bytes hold a $ref, $dynamicRef or $recursiveRef (as key or text)?
    Every such keyword contains "$": one memchr-speed test settles the common case."""
    return b"$" in marshalled and (b"$ref" in marshalled or b"Ref" in marshalled)


def type_names(bits):
    """Bits -> sorted JSON type names ("number" absorbs "integer"); a new list each call."""
    return list(_TYPE_NAMES[bits & T_ALL])


def _type_names(bits):
    out = []
    for name, b in _NAMES:
        if name == "integer" and bits & T_NUMBER == T_NUMBER:
            continue
        if name == "number":
            if bits & T_NUMBER == T_NUMBER:
                out.append("number")
            continue
        if bits & b:
            out.append(name)
    return sorted(out)


_TYPE_NAMES = tuple(tuple(_type_names(b)) for b in range(T_ALL + 1))  # every combination of the 7 bits


def jtype(v):
    """The type bit of a JSON value."""
    t = type(v)
    if t is str:
        return T_STR
    if t is bool:
        return T_BOOL
    if t is int:
        return T_INT
    if t is float:
        return T_INT if v.is_integer() else T_NUM
    if v is None:
        return T_NULL
    if t is dict:
        return T_OBJ
    if t is list or t is tuple:
        return T_ARR
    if t is _decimal_type():
        return T_INT if v == v.to_integral_value() else T_NUM
    raise SchemaError(f"not a JSON value: {type(v).__name__}")


def vkey(v, _depth=0):
    """Hashable key with JSON equality: 1 == 1.0, true != 1, object key order irrelevant."""
    t = type(v)
    if t is str:
        return ("s", v)
    if t is bool:
        return ("b", v)
    if t is int:
        return ("n", v)
    if t is float:
        if v != v or v in (float("inf"), float("-inf")):
            raise SchemaError("NaN and Infinity are not JSON numbers")
        return ("n", int(v)) if v.is_integer() else ("n", v)
    if v is None:
        return ("z",)
    if _depth > 64:
        raise SchemaError("JSON value nested too deeply")
    if t is list or t is tuple:
        return ("a", tuple(vkey(e, _depth + 1) for e in v))
    if t is dict:
        return ("o", tuple(sorted((k, vkey(x, _depth + 1)) for k, x in v.items())))
    if t is _decimal_type():
        return ("n", int(v)) if v == v.to_integral_value() else ("n", float(v))
    raise SchemaError(f"not a JSON value: {type(v).__name__}")


def plain(v):
    """A JSON-serialisable copy (Decimal -> number, tuple -> list)."""
    t = type(v)
    if t is dict:
        return {k: plain(x) for k, x in v.items()}
    if t is list or t is tuple:
        return [plain(x) for x in v]
    if t is _decimal_type():
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def num(v, kw, path):
    """A numeric keyword value (bool is not a number)."""
    t = type(v)
    if t is int or t is float:
        if t is float and (v != v or v in (float("inf"), float("-inf"))):
            raise SchemaError(f"'{kw}' must be a finite number", path)
        return v
    if t is _decimal_type():
        return int(v) if v == v.to_integral_value() else float(v)
    raise SchemaError(f"'{kw}' must be a number, got {_tname(v)}", path)


def nonneg_int(v, kw, path):
    v = num(v, kw, path)
    if v < 0 or (isinstance(v, float) and not v.is_integer()):
        raise SchemaError(f"'{kw}' must be a non-negative integer, got {v!r}", path)
    return int(v)


def frac(v):
    """Exact decimal value of a JSON number (0.1 -> 1/10)."""
    from fractions import Fraction   # lazy: keeps `import accord.schemadiff` cheap
    if type(v) is int:
        return Fraction(v)
    return Fraction(repr(v))


class _DecimalType:
    """Stands in for decimal.Decimal in type checks without importing `decimal`."""


def _decimal_type():
    mod = __import__("sys").modules.get("decimal")
    return mod.Decimal if mod is not None else _DecimalType


def _tname(v):
    return {dict: "object", list: "array", str: "string", bool: "boolean",
            type(None): "null", int: "number", float: "number"}.get(type(v), type(v).__name__)


tname = _tname

# ---------------------------------------------------------------------------------------------
# regexes (ECMA-262 in JSON Schema; Python's `re` is used where it agrees)
# ---------------------------------------------------------------------------------------------

_PY_RE = {}
_VALID = {}
# nested quantifiers are the classic catastrophic-backtracking shape: never evaluated
_UNSAFE = re.compile(r"[+*}]\)*[+*{]|\)[+*{]")


def check_pattern(p, path):
    """Raise SchemaError if `p` is not a valid regex (ECMA-262 via jsonschema_rs if needed)."""
    if type(p) is not str:
        raise SchemaError(f"'pattern' must be a string, got {_tname(p)}", path)
    ok = _VALID.get(p)
    if ok is None:
        try:
            re.compile(p)
            ok = True
        except (re.error, RecursionError, OverflowError, ValueError):
            ok = _ecma_valid(p)
        if len(_VALID) < 50_000:
            _VALID[p] = ok
    if not ok:
        raise SchemaError(f"invalid regular expression {p!r}", path)


def _ecma_valid(p):
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - jsonschema_rs is a runtime dependency
        return False
    try:
        jsonschema_rs.validator_for({"pattern": p})
        return True
    except Exception:
        return False


def regex_search(p, s):
    """True / False if the regex `p` decides `s` safely with Python's `re`, else None."""
    if len(s) > MAX_REGEX_SUBJECT or len(p) > MAX_REGEX_PATTERN:
        return None
    rx = _PY_RE.get(p, 0)
    if rx == 0:
        rx = None
        if not _UNSAFE.search(p) and not re.search(r"\\[pP]", p):
            try:
                rx = re.compile(p, re.ASCII)
            except (re.error, RecursionError, OverflowError, ValueError):
                rx = None
        if len(_PY_RE) < 50_000:
            _PY_RE[p] = rx
    if rx is None:
        return None
    try:
        return rx.search(s) is not None
    except RecursionError:  # pragma: no cover
        return None


# ---------------------------------------------------------------------------------------------
# format lattice (§4)
# ---------------------------------------------------------------------------------------------

_SUBSET_EDGES = [("email", "idn-email"), ("hostname", "idn-hostname"), ("uri", "iri"),
                 ("uri", "uri-reference"), ("iri", "iri-reference"),
                 ("uri-reference", "iri-reference"), ("int32", "int64"), ("float", "double")]
_UP = {}
for _a, _b in _SUBSET_EDGES:
    _UP.setdefault(_a, set()).add(_b)


def _ancestors(f):
    seen, todo = set(), [f]
    while todo:
        x = todo.pop()
        for y in _UP.get(x, ()):
            if y not in seen:
                seen.add(y)
                todo.append(y)
    return seen


def format_subset(a, b):
    """True if every value of format `a` is a value of format `b`."""
    return a == b or b in _ancestors(a)


#: formats that constrain numbers rather than strings
NUMERIC_FORMATS = frozenset({"int32", "int64", "float", "double"})
