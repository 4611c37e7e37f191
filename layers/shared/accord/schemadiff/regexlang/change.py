"""The §5 change for a `pattern` difference, from the inclusion decision (docs/schemadiff.md,
"Patterns"): equal languages → ``schema_refactored``; one inclusion → ``pattern_changed`` /
``_added`` / ``_removed`` with effect widen or narrow; none → a change both ways. Undecided
(outside the regular subset, past a bound) → the conservative answer, the reason in the text.
"""
from ..result import CHANGE, NARROW, NEUTRAL, WIDEN
from . import decide, show


def pattern_change(pa, pb, where, budget=None):
    """``(type, effect bits, old_value, new_value, description)`` for the pattern sets ``pa``
    (old) and ``pb`` (new) of one string node, ``where`` naming it for the description."""
    added, removed = sorted(pb - pa), sorted(pa - pb)
    ov = removed[0] if len(removed) == 1 else (removed or None)
    nv = added[0] if len(added) == 1 else (added or None)
    if added and removed:
        what = f"Pattern of {where} changed from {ov!r} to {nv!r}"
    elif added:
        what = f"Pattern {nv!r} added to {where}"
    else:
        what = f"Pattern {ov!r} removed from {where}"
    d = decide(pa, pb, budget)
    if not d.decided:
        note = f" (inclusion not decided: {d.reason}; treated as "
        if added and removed:
            return "pattern_changed", CHANGE, ov, nv, f"{what}{note}a change in both directions)"
        if added:
            return "pattern_added", NARROW, None, nv, f"{what}{note}a narrowing)"
        return "pattern_removed", WIDEN, ov, None, f"{what}{note}a widening)"
    gone = f"{show(d.only_old)} no longer matches" if d.only_old is not None else ""
    now = f"{show(d.only_new)} now matches" if d.only_new is not None else ""
    if d.old_in_new and d.new_in_old:
        if added and removed:
            what = f"Pattern of {where} rewritten from {ov!r} to {nv!r}"
        return "schema_refactored", NEUTRAL, ov, nv, f"{what}: the same strings match"
    if d.old_in_new:                      # only removed, or a wider replacement
        if not added:
            return "pattern_removed", WIDEN, ov, None, f"{what} (e.g. {now})"
        return ("pattern_changed", WIDEN, ov, nv,
                f"Pattern of {where} widened from {ov!r} to {nv!r}: every string that matched "
                f"still matches, and e.g. {now}")
    if d.new_in_old:                      # only added, or a narrower replacement
        if not removed:
            return "pattern_added", NARROW, None, nv, f"{what} (e.g. {gone})"
        return ("pattern_changed", NARROW, ov, nv,
                f"Pattern of {where} narrowed from {ov!r} to {nv!r}: every string that matches "
                f"matched before, but e.g. {gone}")
    return "pattern_changed", CHANGE, ov, nv, f"{what}: e.g. {gone} and {now}"
