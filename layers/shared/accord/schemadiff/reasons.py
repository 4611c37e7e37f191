"""Why a change does or does not break, in one short clause (schema-compatibility §7):
"breaks: consumers select this column", "compatible: readers ignore an added optional column".

The verdict is the engine's (a change breaks when it is in ``breaking_changes``); this module
only words it, from the change's type, its effect, the rules it was judged by (``rule="table"``:
the table profile's column rules) and the directions the mode checks.
"""
from .result import EFFECT_BITS, PATCH_TYPES

BW, FW = 1, 2

# why a change breaks, by (type, rule) and the direction it breaks (BW: data already written /
# new readers; FW: readers of the old schema / new data). Anything else: the generic clause.
_BREAKS = {
    ("property_removed", "table", BW): "consumers select this column",
    ("property_removed", "table", FW): "consumers select this column",
    ("property_added", "table", BW): "rows written before have no value for this NOT NULL column",
    ("required_added", "table", BW): "existing rows may hold NULL in this column",
    ("nullable_removed", "table", BW): "existing rows may hold NULL in this column",
    ("required_removed", "table", FW): "consumers may now read NULL from this column",
    ("nullable_added", "table", FW): "consumers may now read NULL from this column",
    ("property_removed", None, BW): "data carrying this property is now rejected",
    ("property_added", None, BW): "data written before lacks this required property",
    ("property_added", None, FW): "readers of the old, closed object reject this property",
    ("required_added", None, BW): "data written before may lack this property",
    ("required_removed", None, FW): "readers of the old schema expect this property, which may now be missing",
    ("enum_values_removed", None, BW): "data written before may hold a removed value",
    ("enum_values_added", None, FW): "readers of the old schema reject the new values",
    ("type_narrowed", None, BW): "data written before may hold a value of the dropped type",
    ("type_widened", None, FW): "readers of the old schema reject values of the added type",
}
_GENERIC_BREAKS = {BW: "data valid under the old schema may now be rejected",
                   FW: "the new schema admits data that readers of the old one reject"}

# why a change that breaks only in a direction the mode does not check is compatible
_SPARED = {
    ("property_added", "table", BW): "readers of the old schema ignore the added column",
    ("required_added", "table", BW): "readers of the old schema accept non-null values",
    ("nullable_removed", "table", BW): "readers of the old schema accept non-null values",
    ("required_removed", "table", FW): "every existing row still fits a nullable column",
    ("nullable_added", "table", FW): "every existing row still fits a nullable column",
}
_GENERIC_SPARED = {BW: "it only narrows what is accepted, which {mode} mode allows",
                   FW: "it only widens what is accepted, which {mode} mode allows"}

# why a neutral change never breaks
_NEUTRAL = {
    ("property_added", "table"): "readers ignore an added optional column",
    ("additional_properties_narrowed", "table"): "readers tolerate extra columns",
    ("additional_properties_widened", "table"): "readers tolerate extra columns",
    ("property_added", None): "declaring the property alone rejects no data",
    ("property_removed", None): "the object stays open, so the property is still accepted",
    ("schema_refactored", None): "the same data validates",
    ("default_changed", None): "a default does not constrain data",
}


def schema_reason(change, breaks: bool, base_mode: str) -> str:
    """The clause for a schema change judged under `base_mode` (a mode without _transitive)."""
    bits = EFFECT_BITS[change.effect]
    rule = change.rule
    if breaks:
        for d in (BW, FW):
            if bits & d and _checks(base_mode, d):
                return "breaks: " + (_BREAKS.get((change.type, rule, d)) or _GENERIC_BREAKS[d])
        return "breaks: " + _GENERIC_BREAKS[BW if bits & BW else FW]
    if not bits:
        why = _NEUTRAL.get((change.type, rule)) or _NEUTRAL.get((change.type, None))
        if why is None:
            why = ("annotations do not constrain data" if change.type in PATCH_TYPES
                   else "the same data validates before and after")
        return "compatible: " + why
    if base_mode == "none":
        return "compatible: mode none checks nothing"
    if any(bits & d and _checks(base_mode, d) for d in (BW, FW)):  # offset elsewhere in the schema
        return "compatible: the schema as a whole still accepts the same data"
    d = BW if bits & BW else FW
    return "compatible: " + (_SPARED.get((change.type, rule, d))
                             or _GENERIC_SPARED[d].format(mode=base_mode))


def guarantee_reason(change, breaks: bool) -> str:
    if breaks:
        return "breaks: the line's strict guarantee mode forbids relaxing a guarantee"
    if change.effect in ("widen", "change"):
        return "compatible: relaxing a guarantee is a warning unless the guarantee mode is strict"
    if change.effect == "narrow":
        return "compatible: a tighter guarantee only promises consumers more"
    return "compatible: the guarantee promises the same"


def _checks(base_mode: str, direction: int) -> bool:
    if direction == BW:
        return base_mode in ("backward", "full")
    return base_mode in ("forward", "full")
