"""compare(): verdicts for every mode (§1, §6) on top of the pairwise comparison."""
from marshal import dumps as _dumps

from .canon import Document
from .diff import Comparer, Options
from .errors import SchemaError
from .reasons import schema_reason
from .result import EFFECT_BITS, MODES, PATCH_TYPES, CompareResult
from .values import refs_in

_OPTIONS = ("content_model", "defaults_materialize", "format_assertion")


def normalize_mode(mode):
    if not isinstance(mode, str):
        raise SchemaError(f"mode must be a string, got {type(mode).__name__}")
    m = mode.strip().lower().replace("-", "_")
    if m not in MODES:
        raise SchemaError(f"unknown compatibility mode {mode!r}: use one of {', '.join(MODES)} "
                          "(case-insensitive)")
    return m


def normalize_profile(profile):
    p = (profile or "event").strip().lower() if isinstance(profile, str) else profile
    if p not in ("event", "table"):
        raise SchemaError(f"unknown profile {profile!r}: use 'event' or 'table'")
    return p


def _options(options):
    for k in options:
        if k not in _OPTIONS:
            raise SchemaError(f"unknown option {k!r}: supported options are {', '.join(_OPTIONS)}")
    cm = options.get("content_model", "default")
    if cm is None:
        cm = "default"
    if not isinstance(cm, str) or cm.lower() not in ("default", "strict"):
        raise SchemaError(f"unknown content_model {cm!r}: use 'default' or 'strict'")
    return Options(cm.lower(), options.get("defaults_materialize", False),
                   options.get("format_assertion", True))


def _has_refs(root):
    if type(root) is not dict:
        return False
    try:
        m = _dumps(root)
        return refs_in(m)
    except ValueError:  # unmarshallable (e.g. Decimal) or too deep: walk it
        return True


def _marshal_equal(a, b):
    try:
        return _dumps(a) == _dumps(b)
    except ValueError:
        return False


def diff(old, new, opts, profile="event", sides=("old", "new")):
    """(changes, bits): bit 1 = backward breaks, bit 2 = forward breaks."""
    try:
        da = Document(old, sides[0], opts.format_assertion)
        db = Document(new, sides[1], opts.format_assertion)
        if old is new or (type(old) is dict and type(new) is dict and old == new
                          and _marshal_equal(old, new)):
            for d in (da, db) if old is not new else (da,):
                if _has_refs(d.root):
                    d.validate_refs()
            return [], 0
        c = Comparer(da, db, opts, profile)
        bits = c.run()
        da.check_unvisited(c.skipped_a, c.props_a, c.loose_a)
        db.check_unvisited(c.skipped_b, c.props_b, c.loose_b)
        return c.sink, bits
    except RecursionError:
        raise SchemaError("schema nested too deeply") from None


def _breaking(changes, backward, forward):
    """[c for c in changes if c.breaks(backward, forward)], without a method call per change."""
    mask = (1 if backward else 0) | (2 if forward else 0)
    return [c for c in changes if EFFECT_BITS[c.effect] & mask] if mask else []


def _directions(base):
    return {"backward": (True, False), "forward": (False, True), "full": (True, True),
            "none": (False, False)}[base]


def _explain(changes, breaking, base):
    """Every change gets its reason clause (reasons.py) under the compared mode."""
    broken = {id(c) for c in breaking}
    for c in changes:
        c.reason = schema_reason(c, id(c) in broken, base)
    for c in breaking:
        if not c.reason:  # from a transitive check against an earlier version
            c.reason = schema_reason(c, True, base)


def compare(old, new, mode="backward", history=None, profile="event", **options):
    """Compare two JSON Schemas under a compatibility mode.

    ``history`` lists the versions before ``old`` (oldest first); transitive modes check the
    candidate against all of them as well.  Options: ``content_model`` ("default" |
    "strict"), ``defaults_materialize`` (bool), ``format_assertion`` (bool, default True).
    """
    m = normalize_mode(mode)
    prof = normalize_profile(profile)
    opts = _options(options)
    if history is not None and not isinstance(history, (list, tuple)):
        raise SchemaError("history must be a list of earlier schema versions, oldest first")
    changes, bits = diff(old, new, opts, prof)
    base = m[:-len("_transitive")] if m.endswith("_transitive") else m
    want_bw, want_fw = _directions(base)
    bw, fw = bool(bits & 1), bool(bits & 2)
    breaking = _breaking(changes, want_bw and bw, want_fw and fw)
    if m.endswith("_transitive") and history:
        for i, h in enumerate(history):
            hc, hb = diff(h, new, opts, prof, (f"history[{i}]", "new"))
            hbw, hfw = bool(hb & 1), bool(hb & 2)
            for c in hc:
                if c.breaks(want_bw and hbw, want_fw and hfw):
                    c.against = f"history[{i}]"
                    c.description = f"{c.description} (against history[{i}])"
                    breaking.append(c)
            bw, fw = bw or hbw, fw or hfw
    is_breaking = (want_bw and bw) or (want_fw and fw)
    _explain(changes, breaking, base)
    if base == "none":
        judged = bool(bits)
    else:
        judged = is_breaking
    if judged:
        bump = "major"
    elif any(c.type not in PATCH_TYPES for c in changes):
        bump = "minor"
    elif changes:
        bump = "patch"
    else:
        bump = "none"
    return CompareResult(m, bool(is_breaking), bump, changes, breaking, bw, fw, prof)
