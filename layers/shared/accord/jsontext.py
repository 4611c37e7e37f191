"""Strict JSON text, shared by every family's request parsing: no NaN/Infinity (not JSON; DynamoDB
and clients choke on them), no lone UTF-16 surrogates (`"\\ud800"` decodes to text no UTF-8 can
hold), bounded depth. Each failure is a ValueError subclass, so callers word it for their envelope."""
import json
import re

MAX_JSON_DEPTH = 64


class TooDeep(ValueError):
    pass


class LoneSurrogate(ValueError):
    pass


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def loads(raw: str, max_depth: int = MAX_JSON_DEPTH):
    """json.loads with the rules above; plain ValueError (json's own message) for malformed text."""
    if not raw.isascii():  # a surrogate in the text itself (an event JSON can carry one)
        try:
            raw.encode("utf-8")
        except UnicodeEncodeError:
            raise LoneSurrogate("the text holds a lone surrogate, which is not Unicode text") from None
    try:
        value = json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:
        raise TooDeep(f"nested deeper than {max_depth} levels") from None
    # the tree walk only when the text could be that deep / could hold a surrogate escape
    if raw.count("[") + raw.count("{") > max_depth and not _depth_ok(value, max_depth):
        raise TooDeep(f"nested deeper than {max_depth} levels")
    if "\\u" in raw and _SURROGATE_ESCAPE.search(raw):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise LoneSurrogate("a \\u escape is a lone surrogate, which is not Unicode text") from None
    return value


def _depth_ok(value, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True
