"""What every rule of the comparison shares: the direction bits, the profile flags, object-slot
kinds, and how values and paths are written in a change's description."""
from marshal import dumps as _dumps

from ..canon import CNode
from ..values import refs_in

BW, FW = 1, 2


F_TABLE, F_STRICT = 1, 2


OPEN, TRUE, FALSE, SCHEMA = "open", "true", "false", "schema"


_MISSING = object()


_RANK = {FALSE: 0, SCHEMA: 1, OPEN: 2, TRUE: 3}


_COMB_RANK = {"allOf": 0, "oneOf": 1, "anyOf": 2}


_LIST_SET_KW = ("type", "required", "enum")


def _safe_equal(a, b):
    """Raw equality that is JSON equality, and only for subtrees without $ref."""
    try:
        ma = _dumps(a)
        if refs_in(ma):
            return False
        return ma == _dumps(b)
    except (ValueError, RecursionError):
        return False


def _fmt_val(v):
    if type(v) is list:
        return ", ".join(map(_fmt_val, v))
    if type(v) is str:
        return repr(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    return str(v)


_SUFFIX_LABELS = {".items": "items of ", ".additionalProperties": "additional properties of ",
                  ".additionalItems": "additional items of ", ".contains": "'contains' of ",
                  ".propertyNames": "property names of ", ".not": "'not' of "}


def _label(path):
    """Human name of a schema location for descriptions."""
    if path == "$":
        return "the schema"
    i = path.rfind(".")
    last = path[i:]
    what = _SUFFIX_LABELS.get(last)  # the last segment, when it is one of these
    if what is not None:
        return what + _label(path[:i])
    if i >= 11 and path[i - 11:i] == ".properties" and "[" not in last:  # the common case: ...properties.name
        return f"property '{last[1:]}'"
    i = path.rfind(".properties")
    if i >= 0:
        tail = path[i + len(".properties"):]
        if tail.startswith(".") and "." not in tail[1:] and "[" not in tail:
            return f"property '{tail[1:]}'"
        if tail.startswith("['") and tail.endswith("']") and "'][" not in tail:
            return f"property '{tail[2:-2]}'"
    return f"'{path}'"


def _chg(kw, old, new, where):
    if old is None:
        return f"{kw} of {where} set to {new}"
    if new is None:
        return f"{kw} of {where} removed (was {old})"
    return f"{kw} of {where} changed from {old} to {new}"


def _cap(s):
    return s[:1].upper() + s[1:]


def _raw_of(x):
    return x.raw if type(x) is CNode and x.raw is not None else x


def _raw_out(x):
    x = _raw_of(x)
    if type(x) is CNode:
        return None
    return x


def _kind_val(slot):
    k, x = slot
    if k == OPEN:
        return None
    if k == TRUE:
        return True
    if k == FALSE:
        return False
    return _raw_out(x)


def _kind_txt(slot):
    return {OPEN: "implicitly open", TRUE: "anything", FALSE: "nothing",
            SCHEMA: "a schema"}[slot[0]]
