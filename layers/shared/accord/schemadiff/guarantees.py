"""Guarantees diff (§8): freshness, volume, nullability, uniqueness, accepted_values, custom.

Tightening a guarantee is safe for consumers; relaxing one is a warning, and breaking when
the asset line uses ``guarantee_mode="strict"``.  Each change has ``type``
(guarantee_tightened | guarantee_relaxed | guarantee_added | guarantee_removed |
guarantee_changed), a JSONPath ``path`` (``$.freshness.max_staleness_minutes``), ``effect``
(``narrow`` = tightened, ``widen`` = relaxed, ``change`` = direction unknown, treated as a
relaxation), old/new values and a description.
"""
from .canon import jseg
from .errors import SchemaError
from .reasons import guarantee_reason
from .result import Change
from .values import plain, vkey

# numeric guarantee fields: +1 = a larger value is tighter, -1 = a smaller value is tighter
_NUMERIC = {
    ("freshness", "max_staleness_minutes"): -1,
    ("freshness", "max_staleness_hours"): -1,
    ("freshness", "warn_after"): -1,
    ("freshness", "error_after"): -1,
    ("volume", "min_rows"): 1,
    ("volume", "max_rows"): -1,
    ("volume", "max_row_delta_pct"): -1,
    ("volume", "max_delta_pct"): -1,
}
_PERIOD_MINUTES = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440,
                   "days": 1440, "week": 10080, "weeks": 10080}
_STRICT_NULL = {"never", "not_null", "non_null", "required", "no", "false", False}


class GuaranteeDiff:
    def __init__(self, changes, guarantee_mode):
        self.changes = changes
        self.guarantee_mode = guarantee_mode
        relaxed = [c for c in changes if c.effect in ("widen", "change")]
        self.warnings = relaxed
        self.breaking_changes = relaxed if guarantee_mode == "strict" else []
        self.is_breaking = bool(self.breaking_changes)
        for c in changes:
            c.reason = guarantee_reason(c, guarantee_mode == "strict" and c.effect in ("widen", "change"))

    def to_dict(self):
        return {"is_breaking": self.is_breaking, "guarantee_mode": self.guarantee_mode,
                "changes": [c.to_dict() for c in self.changes],
                "warnings": [c.to_dict() for c in self.warnings],
                "breaking_changes": [c.to_dict() for c in self.breaking_changes]}


def _minutes(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, dict) and isinstance(v.get("count"), (int, float)):
        mult = _PERIOD_MINUTES.get(str(v.get("period", "minute")).lower())
        return None if mult is None else v["count"] * mult
    return None


def _num(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def compare_guarantees(old, new, guarantee_mode="normal"):
    """Diff two guarantees objects. Returns a :class:`GuaranteeDiff`."""
    if guarantee_mode not in ("normal", "strict"):
        raise SchemaError(f"unknown guarantee_mode {guarantee_mode!r}: use 'normal' or 'strict'")
    old = {} if old is None else old
    new = {} if new is None else new
    if not isinstance(old, dict) or not isinstance(new, dict):
        raise SchemaError("guarantees must be JSON objects")
    out = []

    def emit(t, path, eff, o, n, desc):
        out.append(Change(t, path, eff, plain(o), plain(n), desc))

    for sec in list(old) + [k for k in new if k not in old]:
        o, n = old.get(sec), new.get(sec)
        sp = "$" + jseg(sec)
        if o is None and n is None:
            continue
        if o is None:
            emit("guarantee_added", sp, "narrow", None, n, f"Guarantee '{sec}' added")
            continue
        if n is None:
            emit("guarantee_removed", sp, "widen", o, None, f"Guarantee '{sec}' removed")
            continue
        if _same(o, n):
            continue
        if sec in ("freshness", "volume") and isinstance(o, dict) and isinstance(n, dict):
            for k in list(o) + [k for k in n if k not in o]:
                x, y = o.get(k), n.get(k)
                if _same(x, y):
                    continue
                p = sp + jseg(k)
                d = _NUMERIC.get((sec, k))
                if d is None:
                    if k in ("measured_by", "description", "timezone"):
                        emit("guarantee_changed", p, "neutral", x, y, f"{sec}.{k} changed")
                    else:
                        _unknown(emit, p, x, y, f"{sec}.{k}")
                    continue
                conv = _minutes if sec == "freshness" else _num
                cx, cy = conv(x), conv(y)
                if x is None:
                    emit("guarantee_added", p, "narrow", None, y, f"{sec}.{k} set to {y}")
                elif y is None:
                    emit("guarantee_removed", p, "widen", x, None, f"{sec}.{k} removed")
                elif cx is None or cy is None:
                    emit("guarantee_changed", p, "change", x, y, f"{sec}.{k} changed")
                elif (cy - cx) * d > 0:
                    emit("guarantee_tightened", p, "narrow", x, y,
                         f"{sec}.{k} tightened from {x} to {y}")
                elif cy != cx:
                    emit("guarantee_relaxed", p, "widen", x, y,
                         f"{sec}.{k} relaxed from {x} to {y}")
        elif sec == "nullability" and isinstance(o, dict) and isinstance(n, dict):
            for col in list(o) + [c for c in n if c not in o]:
                x, y = o.get(col), n.get(col)
                if _same(x, y):
                    continue
                p = sp + jseg(col)
                sx = x is not None and _is_strict_null(x)
                sy = y is not None and _is_strict_null(y)
                if sx == sy:
                    emit("guarantee_changed", p, "neutral", x, y, f"nullability of '{col}' "
                         "respelled")
                elif sy:
                    emit("guarantee_tightened" if x is not None else "guarantee_added", p,
                         "narrow", x, y, f"Column '{col}' is now guaranteed non-null")
                else:
                    emit("guarantee_relaxed" if y is not None else "guarantee_removed", p,
                         "widen", x, y, f"Column '{col}' is no longer guaranteed non-null")
        elif sec == "accepted_values" and isinstance(o, dict) and isinstance(n, dict):
            for col in list(o) + [c for c in n if c not in o]:
                x, y = o.get(col), n.get(col)
                p = sp + jseg(col)
                if x is None:
                    emit("guarantee_added", p, "narrow", None, y,
                         f"Accepted values for '{col}' added")
                    continue
                if y is None:
                    emit("guarantee_removed", p, "widen", x, None,
                         f"Accepted values for '{col}' removed")
                    continue
                if not isinstance(x, list) or not isinstance(y, list):
                    if not _same(x, y):
                        _unknown(emit, p, x, y, f"accepted_values.{col}")
                    continue
                kx, ky = {vkey(v): v for v in x}, {vkey(v): v for v in y}
                added = [v for k, v in ky.items() if k not in kx]
                removed = [v for k, v in kx.items() if k not in ky]
                if removed:
                    emit("guarantee_tightened", p, "narrow", removed, None,
                         f"Accepted values for '{col}' no longer include {removed}")
                if added:
                    emit("guarantee_relaxed", p, "widen", None, added,
                         f"Accepted values for '{col}' now also include {added}")
        elif sec == "uniqueness" and isinstance(o, (list, dict)) and isinstance(n, (list, dict)):
            so, sn = _uniq_set(o), _uniq_set(n)
            for col in sorted(sn - so, key=repr):
                emit("guarantee_added", sp + _colpath(col), "narrow", None, True,
                     f"Uniqueness of {_coltxt(col)} guaranteed")
            for col in sorted(so - sn, key=repr):
                emit("guarantee_removed", sp + _colpath(col), "widen", True, None,
                     f"Uniqueness of {_coltxt(col)} no longer guaranteed")
        elif sec == "custom" and isinstance(o, (list, dict)) and isinstance(n, (list, dict)):
            io, in_ = _items(o), _items(n)
            for k in list(io) + [k for k in in_ if k not in io]:
                x, y = io.get(k), in_.get(k)
                p = sp + jseg(k) if isinstance(k, str) else f"{sp}[{k}]"
                if x is None:
                    emit("guarantee_added", p, "narrow", None, y, f"Custom guarantee {k!r} added")
                elif y is None:
                    emit("guarantee_removed", p, "widen", x, None,
                         f"Custom guarantee {k!r} removed")
                elif not _same(x, y):
                    _unknown(emit, p, x, y, f"custom guarantee {k!r}")
        else:
            _unknown(emit, sp, o, n, f"guarantee '{sec}'")
    return GuaranteeDiff(out, guarantee_mode)


def _unknown(emit, p, x, y, what):
    emit("guarantee_changed", p, "change", x, y,
         f"{what} changed from {x!r} to {y!r} (direction unknown: treated as a relaxation)")


def _same(x, y):
    try:
        return vkey(x) == vkey(y)
    except SchemaError:
        return x == y


def _is_strict_null(v):
    if isinstance(v, str):
        return v.strip().lower() in _STRICT_NULL
    if isinstance(v, dict):
        return v.get("nullable") is False or _is_strict_null(v.get("mode", ""))
    return v is False


def _uniq_set(v):
    """Column names (or tuples of names) guaranteed unique."""
    if isinstance(v, dict):
        return {k for k, x in v.items() if x}
    out = set()
    for x in v:
        if isinstance(x, str):
            out.add(x)
        elif isinstance(x, list):
            out.add(tuple(str(e) if not isinstance(e, str) else e for e in x))
        elif isinstance(x, dict) and isinstance(x.get("columns"), list):
            out.add(tuple(str(e) for e in x["columns"]))
        else:
            out.add(repr(x))
    return out


def _colpath(col):
    return jseg(col) if isinstance(col, str) else jseg("+".join(map(str, col)))


def _coltxt(col):
    return repr(col) if isinstance(col, str) else "(" + ", ".join(map(str, col)) + ")"


def _items(v):
    if isinstance(v, dict):
        return dict(v)
    out = {}
    for i, x in enumerate(v):
        name = x.get("name") if isinstance(x, dict) else None
        out[name if isinstance(name, str) else i] = x
    return out
