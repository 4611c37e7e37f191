"""Event patterns, as Lambda event filtering and EventBridge rules read them (the subset templates
use): a pattern is a tree of objects whose leaves are lists of matchers — an exact value, or
{"prefix": s}, {"suffix": s}, {"anything-but": [...]}, {"exists": bool}, {"numeric": [op, n, ...]}.
A record matches when every field the pattern names matches one matcher of its list."""

from __future__ import annotations

from typing import Any

_MISSING = object()


def matches(pattern: dict, record: Any) -> bool:
    if not isinstance(pattern, dict):
        return False
    for key, expected in pattern.items():
        value = record.get(key, _MISSING) if isinstance(record, dict) else _MISSING
        if isinstance(expected, dict):
            if value is _MISSING or not matches(expected, value):
                return False
        elif isinstance(expected, list):
            if not any(_leaf(m, value) for m in expected):
                return False
        else:
            return False
    return True


def _leaf(matcher: Any, value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    if isinstance(matcher, dict):
        if "exists" in matcher:
            return (value is not _MISSING) == bool(matcher["exists"])
        if value is _MISSING:
            return False
        if "prefix" in matcher:
            return any(isinstance(v, str) and v.startswith(matcher["prefix"]) for v in values)
        if "suffix" in matcher:
            return any(isinstance(v, str) and v.endswith(matcher["suffix"]) for v in values)
        if "anything-but" in matcher:
            banned = matcher["anything-but"]
            banned = banned if isinstance(banned, list) else [banned]
            return all(v not in banned for v in values)
        if "numeric" in matcher:
            return any(_numeric(matcher["numeric"], v) for v in values)
        return False
    if value is _MISSING:
        return False
    return any(v == matcher for v in values)


def _numeric(spec: list, value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    ops = {"=": lambda a, b: a == b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
           ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
    return all(ops[spec[i]](value, spec[i + 1]) for i in range(0, len(spec) - 1, 2))


def matches_any(patterns: list[dict], record: Any) -> bool:
    """Lambda's FilterCriteria: no filters = everything; else any one of them."""
    return not patterns or any(matches(p, record) for p in patterns)
