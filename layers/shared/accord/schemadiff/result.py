"""Change records, verdicts and the result object."""
from .values import plain

NEUTRAL, NARROW, WIDEN, CHANGE = 0, 1, 2, 3   # bit 1 = breaks backward, bit 2 = breaks forward
EFFECT_NAMES = ("neutral", "narrow", "widen", "change")
EFFECT_BITS = {name: i for i, name in enumerate(EFFECT_NAMES)}

#: change types that are annotations / refactors (bump patch, §6)
PATCH_TYPES = frozenset({"description_changed", "title_changed", "default_changed",
                         "examples_changed", "deprecated_changed", "annotation_changed",
                         "schema_refactored"})

MODES = ("backward", "forward", "full", "none", "backward_transitive", "forward_transitive",
         "full_transitive")


class Change:
    """One reported difference. ``reason`` is the clause saying why it does or does not break
    under the compared mode (set by compare / compare_guarantees); ``rule`` is "table" when the
    table profile's column rules judged it (internal, not serialised)."""
    __slots__ = ("type", "path", "effect", "old_value", "new_value", "description", "against",
                 "rule", "reason")

    def __init__(self, type, path, effect, old_value=None, new_value=None, description="",
                 against=None, rule=None):
        self.type = type
        self.path = path
        self.effect = effect
        self.old_value = old_value
        self.new_value = new_value
        self.description = description
        self.against = against
        self.rule = rule
        self.reason = ""

    @property
    def bits(self):
        return EFFECT_BITS[self.effect]

    def breaks(self, backward, forward):
        b = self.bits
        return bool((backward and b & 1) or (forward and b & 2))

    def to_dict(self):
        d = {"type": self.type, "path": self.path, "effect": self.effect,
             "old_value": plain(self.old_value), "new_value": plain(self.new_value),
             "description": self.description, "reason": self.reason}
        if self.against is not None:
            d["against"] = self.against
        return d

    def __repr__(self):
        return f"Change({self.type!r}, {self.path!r}, {self.effect!r})"

    def __eq__(self, other):
        return isinstance(other, Change) and self.to_dict() == other.to_dict()

    __hash__ = None


class CompareResult:
    """Outcome of :func:`accord.schemadiff.compare`.

    ``backward_breaking`` / ``forward_breaking`` are the two ground-truth directions (§1) for
    the latest version (and, for transitive modes, any earlier one).
    """

    def __init__(self, mode, is_breaking, bump, changes, breaking_changes, backward_breaking,
                 forward_breaking, profile="event"):
        self.mode = mode
        self.is_breaking = is_breaking
        self.bump = bump
        self.changes = changes
        self.breaking_changes = breaking_changes
        self.backward_breaking = backward_breaking
        self.forward_breaking = forward_breaking
        self.profile = profile

    @property
    def change_type(self):
        return self.bump

    def to_dict(self):
        return {"is_breaking": self.is_breaking, "bump": self.bump, "mode": self.mode,
                "changes": [c.to_dict() for c in self.changes],
                "breaking_changes": [c.to_dict() for c in self.breaking_changes]}

    def __repr__(self):
        return (f"CompareResult(mode={self.mode!r}, is_breaking={self.is_breaking}, "
                f"bump={self.bump!r}, changes={len(self.changes)})")
