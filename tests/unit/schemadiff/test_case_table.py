"""Verdict case table for the schema compatibility engine.

Written from ``shared/docs/schema-compatibility.md`` alone (referred to below as "the spec",
sections §1-§7).  Every case states

* the expected verdict as ``(backward_breaking, forward_breaking)``; ``full`` breaks iff either
  does, ``none`` never breaks;
* the non-breaking bump ``kind`` (§6): ``"none"`` (canonically identical), ``"patch"``
  (annotations / refactors only), ``"minor"`` (any other change) or ``REFAC`` (= patch or none:
  the value sets are equal but the spec does not pin whether the canonical forms are identical).
  The expected bump for a mode is ``major`` when the change breaks under that mode (for ``none``
  judged as ``full``), else ``kind``;
* change types that must be *among* the reported changes (membership, never list equality),
  with the effect where the spec fixes it, and sometimes the JSONPath.

Ground truth (§1): backward breaks iff ``V(W(O)) ⊄ V(R(N))``; forward breaks iff
``V(W(N)) ⊄ V(R(O))``.  ``W`` closes every *implicitly open* object / tuple position (none of
additionalProperties / patternProperties / unevaluatedProperties present; for tuples no
``items`` / ``additionalItems``): a writer never emits an undeclared name, while a reader of an
implicitly open object accepts anything there (§2).

Cases are grouped by the §5 change vocabulary; subtle verdicts carry a comment.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from accord.schemadiff import SchemaError, compare

# ---------------------------------------------------------------------------------------------
# vocabulary (§5)
# ---------------------------------------------------------------------------------------------

VOCABULARY = {
    "property_added", "property_removed",
    "required_added", "required_removed",
    "additional_properties_narrowed", "additional_properties_widened",
    "property_count_tightened", "property_count_loosened",
    "dependent_required_added", "dependent_required_removed",
    "type_widened", "type_narrowed", "type_changed",
    "nullable_added", "nullable_removed",
    "enum_values_added", "enum_values_removed",
    "enum_added", "enum_removed",
    "string_length_tightened", "string_length_loosened",
    "pattern_added", "pattern_removed", "pattern_changed",
    "format_added", "format_removed", "format_changed", "format_widened", "format_narrowed",
    "numeric_range_tightened", "numeric_range_loosened",
    "multiple_of_tightened", "multiple_of_loosened", "multiple_of_changed",
    "array_length_tightened", "array_length_loosened",
    "contains_count_tightened", "contains_count_loosened",
    "unique_items_added", "unique_items_removed",
    "tuple_item_added", "tuple_item_removed",
    "additional_items_narrowed", "additional_items_widened",
    "subschema_added", "subschema_removed",
    "union_branch_added", "union_branch_removed",
    "oneof_overlap_introduced",
    "allof_conjunct_added", "allof_conjunct_removed",
    "combinator_widened", "combinator_narrowed",
    "not_widened", "not_narrowed",
    "conditional_changed",
    "description_changed", "title_changed", "default_changed", "examples_changed",
    "deprecated_changed", "annotation_changed",
    "schema_refactored",
}
EFFECTS = {"widen", "narrow", "change", "neutral"}

# verdicts: (backward_breaking, forward_breaking)
OK = (False, False)
BB = (True, False)   # breaks backward only (a narrowing)
BF = (False, True)   # breaks forward only (a widening)
BOTH = (True, True)  # breaks both

REFAC = frozenset({"patch", "none"})

MODES = ("backward", "forward", "full", "none")
TRANSITIVE_MODES = MODES + ("backward_transitive", "forward_transitive", "full_transitive")

D7 = "http://json-schema.org/draft-07/schema#"
D2020 = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class Ch:
    """A change that must be reported: type, and where the spec fixes them, effect / path."""
    type: str
    effect: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class AnyOf:
    """At least one of these change types must be reported (the spec allows either reading)."""
    types: tuple


@dataclass
class Case:
    id: str
    old: Any
    new: Any
    verdict: tuple
    kind: Any
    changes: tuple = ()
    absent: tuple = ()
    options: dict = field(default_factory=dict)
    profile: str = "event"


CASES: list[Case] = []


def case(id, old, new, verdict, kind, changes=(), absent=(), profile="event", **options):
    assert verdict in (OK, BB, BF, BOTH) or None in verdict, id
    assert id not in {c.id for c in CASES}, f"duplicate case id {id}"
    norm = []
    for c in changes:
        if isinstance(c, str):
            norm.append(Ch(c))
        elif isinstance(c, tuple):
            norm.append(Ch(*c))
        else:
            norm.append(c)
    CASES.append(Case(id, old, new, verdict, kind, tuple(norm), tuple(absent), options, profile))


# ---------------------------------------------------------------------------------------------
# schema builders
# ---------------------------------------------------------------------------------------------

STR = {"type": "string"}
INT = {"type": "integer"}
NUM = {"type": "number"}
BOOL = {"type": "boolean"}
NULL = {"type": "null"}


def obj(props=None, required=(), **kw):
    s = {"type": "object"}
    if props is not None:
        s["properties"] = props
    if required:
        s["required"] = list(required)
    s.update(kw)
    return s


def string(**kw):
    return {"type": "string", **kw}


def integer(**kw):
    return {"type": "integer", **kw}


def number(**kw):
    return {"type": "number", **kw}


def array(items=None, **kw):
    s = {"type": "array"}
    if items is not None:
        s["items"] = items
    s.update(kw)
    return s


def d7(schema):
    return {"$schema": D7, **schema}


def defs(schema, **definitions):
    return {**schema, "$defs": definitions}


def fanout(depth, leaf):
    """ref_fanout: each definition references the next one twice (2**depth paths)."""
    d = {f"D{i}": obj({"l": {"$ref": f"#/$defs/D{i + 1}"}, "r": {"$ref": f"#/$defs/D{i + 1}"}})
         for i in range(depth)}
    d[f"D{depth}"] = leaf
    return {"$ref": "#/$defs/D0", "$defs": d}


def tree(value_schema, **extra_props):
    """A recursive tree node: {value, children: [node, ...]}."""
    return obj({"value": value_schema, "children": array({"$ref": "#"}), **extra_props})


# =============================================================================================
# 1. identical and order-only edits -> bump none, no breaking in any mode (§3.6, §3.8, §6)
# =============================================================================================

_big = obj(
    {
        "id": string(format="uuid"),
        "name": string(minLength=1, maxLength=100),
        "age": integer(minimum=0, maximum=150),
        "tags": array(string(), maxItems=10, uniqueItems=True),
        "status": {"enum": ["active", "inactive"]},
        "address": obj({"street": STR, "zip": string(pattern="^[0-9]{5}$")}, ["street"]),
        "score": {"type": ["number", "null"], "multipleOf": 0.5},
    },
    ["id", "name"],
    additionalProperties=False,
)

case("identical-string", STR, STR, OK, "none")
case("identical-big-object", _big, _big, OK, "none")
case("identical-true", True, True, OK, "none")
case("identical-false", False, False, OK, "none")
case("identical-empty-schema", {}, {}, OK, "none")
case("identical-recursive-tree", tree(INT), tree(INT), OK, "none")
case("identical-defs-and-refs",
     defs(obj({"a": {"$ref": "#/$defs/A"}, "b": {"$ref": "#/$defs/A"}}), A=string(maxLength=3)),
     defs(obj({"a": {"$ref": "#/$defs/A"}, "b": {"$ref": "#/$defs/A"}}), A=string(maxLength=3)),
     OK, "none")
case("identical-draft07",
     d7({"type": "object", "properties": {"t": {"type": "array", "items": [STR, INT]}},
         "dependencies": {"a": ["b"]}, "definitions": {"X": STR}}),
     d7({"type": "object", "properties": {"t": {"type": "array", "items": [STR, INT]}},
         "dependencies": {"a": ["b"]}, "definitions": {"X": STR}}),
     OK, "none")
case("identical-fanout-16", fanout(16, STR), fanout(16, STR), OK, "none")
case("reorder-object-keys",
     {"type": "string", "maxLength": 5, "minLength": 1, "pattern": "^a"},
     {"pattern": "^a", "minLength": 1, "maxLength": 5, "type": "string"},
     OK, "none")
case("reorder-properties",
     obj({"a": STR, "b": INT, "c": BOOL}),
     obj({"c": BOOL, "a": STR, "b": INT}),
     OK, "none")
case("reorder-required",
     obj({"a": STR, "b": INT}, ["a", "b"]),
     obj({"a": STR, "b": INT}, ["b", "a"]),
     OK, "none")
case("reorder-enum", {"enum": ["x", "y", "z"]}, {"enum": ["z", "x", "y"]}, OK, "none")
case("reorder-type-array", {"type": ["string", "null"]}, {"type": ["null", "string"]}, OK, "none")
case("reorder-anyof-branches", {"anyOf": [STR, INT, BOOL]}, {"anyOf": [BOOL, STR, INT]}, OK, "none")
case("reorder-allof-conjuncts",
     {"allOf": [STR, {"minLength": 1}, {"maxLength": 9}]},
     {"allOf": [{"maxLength": 9}, STR, {"minLength": 1}]},
     OK, "none")
case("reorder-defs",
     {"$ref": "#/$defs/A", "$defs": {"A": obj({"b": {"$ref": "#/$defs/B"}}), "B": STR}},
     {"$ref": "#/$defs/A", "$defs": {"B": STR, "A": obj({"b": {"$ref": "#/$defs/B"}})}},
     OK, "none")
case("reorder-pattern-properties",
     obj(patternProperties={"^x_": INT, "^y_": STR}, additionalProperties=False),
     obj(patternProperties={"^y_": STR, "^x_": INT}, additionalProperties=False),
     OK, "none")
case("reorder-dependent-required-list",
     obj({"a": STR, "b": STR, "c": STR}, dependentRequired={"a": ["b", "c"]}),
     obj({"a": STR, "b": STR, "c": STR}, dependentRequired={"a": ["c", "b"]}),
     OK, REFAC)
# prefixItems order DOES matter (§3.6)
case("reorder-prefix-items-is-a-change",
     array(prefixItems=[STR, INT]), array(prefixItems=[INT, STR]),
     BOTH, "minor", [Ch("type_changed", "change")])

# =============================================================================================
# 2. properties under the four content models (§2)
# =============================================================================================

# -- added, optional --------------------------------------------------------------------------
# implicitly open: old writers never emitted "b"; old readers accept anything under "b".
case("prop-added-optional-implicitly-open",
     obj({"a": STR}), obj({"a": STR, "b": STR}),
     OK, "minor", [Ch("property_added", "neutral", "$.properties.b")])
# additionalProperties: true written out: old writers may have emitted anything under "b".
case("prop-added-optional-ap-true",
     obj({"a": STR}, additionalProperties=True), obj({"a": STR, "b": STR}, additionalProperties=True),
     BB, "minor", [Ch("property_added", "narrow")])
case("prop-added-optional-ap-empty-schema",  # {} is an explicit schema equal to true
     obj({"a": STR}, additionalProperties={}), obj({"a": STR, "b": STR}, additionalProperties={}),
     BB, "minor", [Ch("property_added", "narrow")])
case("prop-added-optional-ap-false",
     obj({"a": STR}, additionalProperties=False), obj({"a": STR, "b": STR}, additionalProperties=False),
     BF, "minor", [Ch("property_added", "widen")])
case("prop-added-optional-ap-schema-equal",
     obj({"a": STR}, additionalProperties=STR), obj({"a": STR, "b": STR}, additionalProperties=STR),
     OK, "minor", [Ch("property_added", "neutral")])
case("prop-added-optional-ap-schema-conflict",
     obj({"a": STR}, additionalProperties=STR), obj({"a": STR, "b": INT}, additionalProperties=STR),
     BOTH, "minor", [Ch("property_added", "change")])
case("prop-added-optional-ap-schema-narrower",
     obj({"a": STR}, additionalProperties=STR),
     obj({"a": STR, "b": string(maxLength=5)}, additionalProperties=STR),
     BB, "minor", [Ch("property_added", "narrow")])
case("prop-added-optional-ap-schema-wider",
     obj({"a": STR}, additionalProperties=string(maxLength=5)),
     obj({"a": STR, "b": STR}, additionalProperties=string(maxLength=5)),
     BF, "minor", [Ch("property_added", "widen")])
case("prop-added-nested-implicitly-open",
     obj({"addr": obj({"street": STR})}), obj({"addr": obj({"street": STR, "zip": STR})}),
     OK, "minor", [Ch("property_added", "neutral", "$.properties.addr.properties.zip")])
case("prop-added-nested-closed",
     obj({"addr": obj({"street": STR}, additionalProperties=False)}),
     obj({"addr": obj({"street": STR, "zip": STR}, additionalProperties=False)}),
     BF, "minor", [Ch("property_added", "widen", "$.properties.addr.properties.zip")])
case("prop-added-in-array-items-open",
     array(obj({"a": STR})), array(obj({"a": STR, "b": INT})),
     OK, "minor", [Ch("property_added", "neutral", "$.items.properties.b")])
case("prop-added-in-array-items-closed",
     array(obj({"a": STR}, additionalProperties=False)),
     array(obj({"a": STR, "b": INT}, additionalProperties=False)),
     BF, "minor", [Ch("property_added", "widen")])
case("prop-added-to-object-without-properties",  # {type: object} is implicitly open
     obj(), obj({"a": STR}), OK, "minor", [Ch("property_added", "neutral")])

# -- removed, optional ------------------------------------------------------------------------
case("prop-removed-optional-implicitly-open",  # new readers accept anything under "b"
     obj({"a": STR, "b": STR}), obj({"a": STR}),
     OK, "minor", [Ch("property_removed", "neutral", "$.properties.b")])
case("prop-removed-optional-ap-true",  # new writers may now emit anything under "b"
     obj({"a": STR, "b": STR}, additionalProperties=True), obj({"a": STR}, additionalProperties=True),
     BF, "minor", [Ch("property_removed", "widen")])
case("prop-removed-optional-ap-false",
     obj({"name": STR, "email": STR}, additionalProperties=False),
     obj({"name": STR}, additionalProperties=False),
     BB, "minor", [Ch("property_removed", "narrow", "$.properties.email")])
case("prop-removed-optional-ap-schema-conflict",
     obj({"a": STR, "b": STR}, additionalProperties=INT), obj({"a": STR}, additionalProperties=INT),
     BOTH, "minor", [Ch("property_removed", "change")])
case("prop-removed-optional-ap-schema-equal",
     obj({"a": STR, "b": STR}, additionalProperties=STR), obj({"a": STR}, additionalProperties=STR),
     OK, "minor", [Ch("property_removed", "neutral")])
case("prop-removed-optional-ap-schema-wider",
     obj({"a": STR, "b": string(maxLength=5)}, additionalProperties=STR),
     obj({"a": STR}, additionalProperties=STR),
     BF, "minor", [Ch("property_removed", "widen")])
case("prop-removed-nested-closed",
     obj({"addr": obj({"street": STR, "zip": STR}, additionalProperties=False)}),
     obj({"addr": obj({"street": STR}, additionalProperties=False)}),
     BB, "minor", [Ch("property_removed", "narrow", "$.properties.addr.properties.zip")])

# -- required properties added / removed -----------------------------------------------------
case("prop-added-required-open",
     obj({"a": STR}), obj({"a": STR, "b": STR}, ["b"]),
     BB, "minor", [Ch("property_added"), Ch("required_added", "narrow")])
case("prop-added-required-ap-true",
     obj({"a": STR}, additionalProperties=True),
     obj({"a": STR, "b": STR}, ["b"], additionalProperties=True),
     BB, "minor", [Ch("property_added", "narrow"), Ch("required_added", "narrow")])
case("prop-added-required-ap-false",  # old data lacks b; new data has b old readers reject
     obj({"a": STR}, additionalProperties=False),
     obj({"a": STR, "b": STR}, ["b"], additionalProperties=False),
     BOTH, "minor", [Ch("property_added", "widen"), Ch("required_added", "narrow")])
case("prop-removed-required-open",
     obj({"a": STR, "b": STR}, ["b"]), obj({"a": STR}),
     BF, "minor", [Ch("property_removed", "neutral"), Ch("required_removed", "widen")])
case("prop-removed-required-ap-false",
     obj({"a": STR, "b": STR}, ["b"], additionalProperties=False),
     obj({"a": STR}, additionalProperties=False),
     BOTH, "minor", [Ch("property_removed", "narrow"), Ch("required_removed", "widen")])

# -- type changes of a property / renames -----------------------------------------------------
case("prop-type-changed",
     obj({"a": STR}), obj({"a": INT}),
     BOTH, "minor", [Ch("type_changed", "change", "$.properties.a")])
# renaming an OPTIONAL property of an implicitly open object: old writers never emit "b",
# new writers never emit "a", and both readers accept anything undeclared -> compatible in full.
case("prop-renamed-optional-implicitly-open",
     obj({"a": STR}), obj({"b": STR}),
     OK, "minor", [Ch("property_removed", "neutral"), Ch("property_added", "neutral")])
case("prop-renamed-optional-closed",
     obj({"a": STR}, additionalProperties=False), obj({"b": STR}, additionalProperties=False),
     BOTH, "minor", [Ch("property_removed", "narrow"), Ch("property_added", "widen")])
case("prop-renamed-required-open",
     obj({"a": STR}, ["a"]), obj({"b": STR}, ["b"]),
     BOTH, "minor", ["required_added", "required_removed"])

# =============================================================================================
# 3. required (§5: narrow / widen, also for undeclared names; §4: defaults)
# =============================================================================================

case("required-added-existing-prop",
     obj({"a": STR, "b": STR}), obj({"a": STR, "b": STR}, ["b"]),
     BB, "minor", [Ch("required_added", "narrow")])
case("required-removed-existing-prop",
     obj({"a": STR, "b": STR}, ["b"]), obj({"a": STR, "b": STR}),
     BF, "minor", [Ch("required_removed", "widen")])
case("required-added-undeclared-name",  # old writers never emitted "c" at all
     obj({"a": STR}), obj({"a": STR}, ["c"]),
     BB, "minor", [Ch("required_added", "narrow")])
case("required-removed-undeclared-name",
     obj({"a": STR}, ["c"]), obj({"a": STR}),
     BF, "minor", [Ch("required_removed", "widen")])
case("required-added-undeclared-name-ap-true",
     obj({"a": STR}, additionalProperties=True), obj({"a": STR}, ["c"], additionalProperties=True),
     BB, "minor", [Ch("required_added", "narrow")])
case("required-swapped",
     obj({"a": STR, "b": STR}, ["a"]), obj({"a": STR, "b": STR}, ["b"]),
     BOTH, "minor", [Ch("required_added", "narrow"), Ch("required_removed", "widen")])
case("required-added-nested",
     obj({"addr": obj({"street": STR, "zip": STR})}),
     obj({"addr": obj({"street": STR, "zip": STR}, ["zip"])}),
     BB, "minor", [Ch("required_added", "narrow")])
case("required-added-in-array-items",
     array(obj({"a": STR})), array(obj({"a": STR}, ["a"])),
     BB, "minor", [Ch("required_added", "narrow")])
# §4: a required property WITH a default is still backward-breaking unless defaults_materialize.
case("required-added-with-default",
     obj({"a": STR, "b": string(default="x")}),
     obj({"a": STR, "b": string(default="x")}, ["b"]),
     BB, "minor", [Ch("required_added", "narrow")])
case("required-added-with-default-materialize-false",
     obj({"a": STR, "b": string(default="x")}),
     obj({"a": STR, "b": string(default="x")}, ["b"]),
     BB, "minor", [Ch("required_added", "narrow")], defaults_materialize=False)
case("required-added-with-default-materialize-true",
     obj({"a": STR, "b": string(default="x")}),
     obj({"a": STR, "b": string(default="x")}, ["b"]),
     OK, "minor", [Ch("required_added", "neutral")], defaults_materialize=True)
case("new-required-prop-with-default",
     obj({"a": STR}), obj({"a": STR, "b": string(default="x")}, ["b"]),
     BB, "minor", [Ch("property_added"), Ch("required_added", "narrow")])
case("new-required-prop-with-default-materialize-true",
     obj({"a": STR}), obj({"a": STR, "b": string(default="x")}, ["b"]),
     OK, "minor", [Ch("property_added"), Ch("required_added", "neutral")], defaults_materialize=True)
# defaults_materialize only rescues a required property that HAS a default
case("new-required-prop-without-default-materialize-true",
     obj({"a": STR}), obj({"a": STR, "b": STR}, ["b"]),
     BB, "minor", [Ch("required_added", "narrow")], defaults_materialize=True)
case("required-removed-with-default-materialize-true",
     obj({"a": STR, "b": string(default="x")}, ["b"]),
     obj({"a": STR, "b": string(default="x")}),
     BF, "minor", [Ch("required_removed", "widen")], defaults_materialize=True)

# =============================================================================================
# 4. additionalProperties transitions (§2 table)
# =============================================================================================

_A = {"a": STR}
case("ap-absent-to-false",  # implicitly open -> closed: neutral
     obj(_A), obj(_A, additionalProperties=False),
     OK, "minor", [Ch("additional_properties_narrowed", "neutral")])
case("ap-false-to-absent",
     obj(_A, additionalProperties=False), obj(_A),
     OK, "minor", [Ch("additional_properties_widened", "neutral")])
case("ap-absent-to-false-no-properties",  # W({type: object}) = {} only
     obj(), obj(additionalProperties=False),
     OK, "minor", [Ch("additional_properties_narrowed", "neutral")])
case("ap-true-to-false",
     obj(_A, additionalProperties=True), obj(_A, additionalProperties=False),
     BB, "minor", [Ch("additional_properties_narrowed", "narrow")])
case("ap-false-to-true",
     obj(_A, additionalProperties=False), obj(_A, additionalProperties=True),
     BF, "minor", [Ch("additional_properties_widened", "widen")])
# absent vs true: readers identical (anything), writers differ (nothing vs anything). The old
# reader of an implicitly open object accepts whatever the new writer emits -> neutral.
case("ap-absent-to-true",
     obj(_A), obj(_A, additionalProperties=True),
     OK, "minor", [Ch("additional_properties_widened", "neutral")])
case("ap-true-to-absent",
     obj(_A, additionalProperties=True), obj(_A),
     OK, "minor", [Ch("additional_properties_narrowed", "neutral")])
case("ap-absent-to-schema",
     obj(_A), obj(_A, additionalProperties=INT),
     OK, "minor", [Ch("additional_properties_narrowed", "neutral")])
case("ap-schema-to-absent",
     obj(_A, additionalProperties=INT), obj(_A),
     OK, "minor", [Ch("additional_properties_widened", "neutral")])
case("ap-true-to-schema",
     obj(_A, additionalProperties=True), obj(_A, additionalProperties=INT),
     BB, "minor", [Ch("additional_properties_narrowed", "narrow")])
case("ap-schema-to-true",
     obj(_A, additionalProperties=INT), obj(_A, additionalProperties=True),
     BF, "minor", [Ch("additional_properties_widened", "widen")])
case("ap-false-to-schema",
     obj(_A, additionalProperties=False), obj(_A, additionalProperties=INT),
     BF, "minor", [Ch("additional_properties_widened", "widen")])
case("ap-schema-to-false",
     obj(_A, additionalProperties=INT), obj(_A, additionalProperties=False),
     BB, "minor", [Ch("additional_properties_narrowed", "narrow")])
case("ap-schema-type-changed",  # schema -> schema reports nested changes
     obj(_A, additionalProperties=INT), obj(_A, additionalProperties=STR),
     BOTH, "minor", [Ch("type_changed", "change", "$.additionalProperties")])
case("ap-schema-tightened",
     obj(_A, additionalProperties=STR), obj(_A, additionalProperties=string(maxLength=5)),
     BB, "minor", [Ch("string_length_tightened", "narrow")])
case("ap-schema-loosened",
     obj(_A, additionalProperties=string(maxLength=5)), obj(_A, additionalProperties=STR),
     BF, "minor", [Ch("string_length_loosened", "widen")])
case("ap-true-equals-empty-schema",  # true = {} (§3.4)
     obj(_A, additionalProperties=True), obj(_A, additionalProperties={}),
     OK, REFAC)
case("ap-map-value-widened-nested",
     obj({"m": obj(additionalProperties=INT)}), obj({"m": obj(additionalProperties=NUM)}),
     BF, "minor", [Ch("type_widened", "widen", "$.properties.m.additionalProperties")])
case("ap-map-value-nullable-added",
     obj({"m": obj(additionalProperties=STR)}),
     obj({"m": obj(additionalProperties={"type": ["string", "null"]})}),
     BF, "minor", [Ch("nullable_added", "widen")])

# =============================================================================================
# 5. content_model="strict" (W = R, Confluent STRICT)
# =============================================================================================

case("strict-prop-added-optional-open",
     obj({"a": STR}), obj({"a": STR, "b": STR}),
     BB, "minor", [Ch("property_added", "narrow")], content_model="strict")
case("strict-prop-removed-optional-open",
     obj({"a": STR, "b": STR}), obj({"a": STR}),
     BF, "minor", [Ch("property_removed", "widen")], content_model="strict")
case("strict-ap-absent-to-false",
     obj(_A), obj(_A, additionalProperties=False),
     BB, "minor", [Ch("additional_properties_narrowed", "narrow")], content_model="strict")
case("strict-ap-false-to-absent",
     obj(_A, additionalProperties=False), obj(_A),
     BF, "minor", [Ch("additional_properties_widened", "widen")], content_model="strict")
case("strict-ap-absent-to-true",  # absent additionalProperties IS true when W = R
     obj(_A), obj(_A, additionalProperties=True), OK, REFAC, content_model="strict")
case("strict-prop-added-ap-false",
     obj(_A, additionalProperties=False), obj({"a": STR, "b": STR}, additionalProperties=False),
     BF, "minor", [Ch("property_added", "widen")], content_model="strict")
case("strict-prop-renamed-optional-open",
     obj({"a": STR}), obj({"b": STR}),
     BOTH, "minor", ["property_added", "property_removed"], content_model="strict")
case("strict-prop-added-nested-open",
     obj({"addr": obj({"street": STR})}), obj({"addr": obj({"street": STR, "zip": STR})}),
     BB, "minor", [Ch("property_added", "narrow")], content_model="strict")
case("strict-tuple-item-added-open",
     array(prefixItems=[STR]), array(prefixItems=[STR, INT]),
     BB, "minor", [Ch("tuple_item_added", "narrow")], content_model="strict")
case("strict-required-added",
     obj({"a": STR, "b": STR}), obj({"a": STR, "b": STR}, ["b"]),
     BB, "minor", [Ch("required_added", "narrow")], content_model="strict")
case("strict-ap-absent-to-schema",
     obj(_A), obj(_A, additionalProperties=INT),
     BB, "minor", [Ch("additional_properties_narrowed", "narrow")], content_model="strict")

# =============================================================================================
# 6. patternProperties / unevaluatedProperties / propertyNames
# =============================================================================================

_PP = {"^x_": INT}
case("pp-added-to-closed",
     obj(_A, additionalProperties=False), obj(_A, patternProperties=_PP, additionalProperties=False),
     BF, "minor")
case("pp-removed-from-closed",
     obj(_A, patternProperties=_PP, additionalProperties=False), obj(_A, additionalProperties=False),
     BB, "minor")
case("pp-schema-tightened",
     obj(_A, patternProperties=_PP, additionalProperties=False),
     obj(_A, patternProperties={"^x_": integer(minimum=0)}, additionalProperties=False),
     BB, "minor", [Ch("numeric_range_tightened", "narrow")])
case("pp-schema-widened",
     obj(_A, patternProperties=_PP, additionalProperties=False),
     obj(_A, patternProperties={"^x_": NUM}, additionalProperties=False),
     BF, "minor", [Ch("type_widened", "widen")])
case("pp-schema-changed",
     obj(_A, patternProperties=_PP, additionalProperties=False),
     obj(_A, patternProperties={"^x_": STR}, additionalProperties=False),
     BOTH, "minor", [Ch("type_changed", "change")])
case("pp-key-changed-closed",
     obj(_A, patternProperties={"^x_": INT}, additionalProperties=False),
     obj(_A, patternProperties={"^y_": INT}, additionalProperties=False),
     BOTH, "minor")
# old: implicitly open (writer emits only "a"); new reader constrains x_* but nothing old wrote
# matches it; old reader accepts anything new writers emit.
case("pp-added-to-implicitly-open",
     obj(_A), obj(_A, patternProperties=_PP), OK, "minor")
case("pp-removed-becomes-implicitly-open",
     obj(_A, patternProperties=_PP), obj(_A), OK, "minor")
case("pp-schema-tightened-map",
     obj(patternProperties={"^s_": STR}, additionalProperties=False),
     obj(patternProperties={"^s_": string(maxLength=3)}, additionalProperties=False),
     BB, "minor", [Ch("string_length_tightened", "narrow")])

case("uneval-false-prop-added",
     obj(_A, unevaluatedProperties=False), obj({"a": STR, "b": STR}, unevaluatedProperties=False),
     BF, "minor", [Ch("property_added", "widen")])
case("uneval-false-prop-removed",
     obj({"a": STR, "b": STR}, unevaluatedProperties=False), obj(_A, unevaluatedProperties=False),
     BB, "minor", [Ch("property_removed", "narrow")])
case("uneval-false-to-absent",
     obj(_A, unevaluatedProperties=False), obj(_A), OK, "minor")
case("uneval-absent-to-false",
     obj(_A), obj(_A, unevaluatedProperties=False), OK, "minor")
case("uneval-true-to-false",
     obj(_A, unevaluatedProperties=True), obj(_A, unevaluatedProperties=False), BB, "minor")
case("uneval-false-to-schema",
     obj(_A, unevaluatedProperties=False), obj(_A, unevaluatedProperties=STR), BF, "minor")
case("uneval-schema-tightened",
     obj(_A, unevaluatedProperties=STR), obj(_A, unevaluatedProperties=string(maxLength=2)),
     BB, "minor", [Ch("string_length_tightened", "narrow")])
# a property declared in an allOf branch is evaluated; unevaluatedProperties: false forbids the
# rest. New writers emit "b", which the old reader does not evaluate -> rejected.
case("uneval-false-with-allof-prop-added",
     {"type": "object", "allOf": [{"properties": {"a": STR}}], "unevaluatedProperties": False},
     {"type": "object", "allOf": [{"properties": {"a": STR, "b": STR}}], "unevaluatedProperties": False},
     BF, "minor")

case("property-names-added",
     obj(additionalProperties=STR), obj(additionalProperties=STR, propertyNames={"maxLength": 5}),
     BB, "minor", [Ch("subschema_added", "narrow")])
case("property-names-removed",
     obj(additionalProperties=STR, propertyNames={"maxLength": 5}), obj(additionalProperties=STR),
     BF, "minor", [Ch("subschema_removed", "widen")])
case("property-names-tightened",
     obj(additionalProperties=STR, propertyNames={"maxLength": 5}),
     obj(additionalProperties=STR, propertyNames={"maxLength": 3}),
     BB, "minor", [Ch("string_length_tightened", "narrow")])

# =============================================================================================
# 7. minProperties / maxProperties
# =============================================================================================

_MAP = {"additionalProperties": STR}
case("max-properties-tightened",
     obj(maxProperties=5, **_MAP), obj(maxProperties=3, **_MAP),
     BB, "minor", [Ch("property_count_tightened", "narrow")])
case("max-properties-loosened",
     obj(maxProperties=3, **_MAP), obj(maxProperties=5, **_MAP),
     BF, "minor", [Ch("property_count_loosened", "widen")])
case("max-properties-added",
     obj(**_MAP), obj(maxProperties=3, **_MAP),
     BB, "minor", [Ch("property_count_tightened", "narrow")])
case("max-properties-removed",
     obj(maxProperties=3, **_MAP), obj(**_MAP),
     BF, "minor", [Ch("property_count_loosened", "widen")])
case("min-properties-added",
     obj(**_MAP), obj(minProperties=1, **_MAP),
     BB, "minor", [Ch("property_count_tightened", "narrow")])
case("min-properties-removed",
     obj(minProperties=1, **_MAP), obj(**_MAP),
     BF, "minor", [Ch("property_count_loosened", "widen")])
case("min-properties-loosened",
     obj(minProperties=3, **_MAP), obj(minProperties=1, **_MAP),
     BF, "minor", [Ch("property_count_loosened", "widen")])
case("min-properties-zero-added", obj(**_MAP), obj(minProperties=0, **_MAP), OK, REFAC)
# writer closure: old writers of an implicitly open object with ONE declared property never emit
# more than one property, so maxProperties: 1 rejects nothing they wrote (§1 ground truth; the
# OR of effects would wrongly say backward-breaking).
case("max-properties-added-vacuous-under-closure",
     obj({"a": STR}), obj({"a": STR}, maxProperties=1),
     OK, "minor", [Ch("property_count_tightened")])
# the old schema already requires "a", so every old value has >= 1 property
case("min-properties-added-implied-by-required",
     obj({"a": STR}, ["a"]), obj({"a": STR}, ["a"], minProperties=1),
     OK, "minor")

# =============================================================================================
# 8. dependentRequired / dependentSchemas / draft-07 dependencies
# =============================================================================================

_AB = {"a": STR, "b": STR}
case("dependent-required-added",
     obj(_AB), obj(_AB, dependentRequired={"a": ["b"]}),
     BB, "minor", [Ch("dependent_required_added", "narrow")])
case("dependent-required-removed",
     obj(_AB, dependentRequired={"a": ["b"]}), obj(_AB),
     BF, "minor", [Ch("dependent_required_removed", "widen")])
case("dependent-required-extended",
     obj({**_AB, "c": STR}, dependentRequired={"a": ["b"]}),
     obj({**_AB, "c": STR}, dependentRequired={"a": ["b", "c"]}),
     BB, "minor", [Ch("dependent_required_added", "narrow")])
case("dependent-required-reduced",
     obj({**_AB, "c": STR}, dependentRequired={"a": ["b", "c"]}),
     obj({**_AB, "c": STR}, dependentRequired={"a": ["b"]}),
     BF, "minor", [Ch("dependent_required_removed", "widen")])
# the trigger "z" is undeclared in an implicitly open object: old writers never emit it.
case("dependent-required-added-undeclared-trigger",
     obj({"a": STR}), obj({"a": STR}, dependentRequired={"z": ["a"]}),
     OK, "minor", [Ch("dependent_required_added")])
case("draft07-dependencies-array-added",
     d7(obj(_AB)), d7(obj(_AB, dependencies={"a": ["b"]})),
     BB, "minor", [Ch("dependent_required_added", "narrow")])
case("draft07-dependencies-array-removed",
     d7(obj(_AB, dependencies={"a": ["b"]})), d7(obj(_AB)),
     BF, "minor", [Ch("dependent_required_removed", "widen")])
case("draft07-dependencies-schema-added",
     d7(obj(_AB)), d7(obj(_AB, dependencies={"a": {"required": ["b"]}})),
     BB, "minor", [Ch("subschema_added", "narrow")])
case("draft07-dependencies-schema-removed",
     d7(obj(_AB, dependencies={"a": {"required": ["b"]}})), d7(obj(_AB)),
     BF, "minor", [Ch("subschema_removed", "widen")])
case("draft07-dependencies-equals-dependent-required",  # dialect lowering (§3.3)
     d7(obj(_AB, dependencies={"a": ["b"]})),
     {"$schema": D2020, **obj(_AB, dependentRequired={"a": ["b"]})},
     OK, REFAC)
case("dependent-schemas-added",
     obj(_AB), obj(_AB, dependentSchemas={"a": {"required": ["b"]}}),
     BB, "minor", [Ch("subschema_added", "narrow")])
case("dependent-schemas-removed",
     obj(_AB, dependentSchemas={"a": {"required": ["b"]}}), obj(_AB),
     BF, "minor", [Ch("subschema_removed", "widen")])
case("dependent-schemas-entry-tightened",
     obj({**_AB, "c": STR}, dependentSchemas={"a": {"required": ["b"]}}),
     obj({**_AB, "c": STR}, dependentSchemas={"a": {"required": ["b", "c"]}}),
     BB, "minor", [Ch("required_added", "narrow")])

# =============================================================================================
# 9. type (integer ⊂ number; removing type widens; a type array is a set)
# =============================================================================================

case("type-widened-union", STR, {"type": ["string", "integer"]},
     BF, "minor", [Ch("type_widened", "widen")])
case("type-narrowed-union", {"type": ["string", "integer"]}, STR,
     BB, "minor", [Ch("type_narrowed", "narrow")])
case("type-integer-to-number", INT, NUM, BF, "minor", [Ch("type_widened", "widen")])
case("type-number-to-integer", NUM, INT, BB, "minor", [Ch("type_narrowed", "narrow")])
case("type-string-to-integer", STR, INT, BOTH, "minor", [Ch("type_changed", "change")])
case("type-array-to-object", array(STR), obj(), BOTH, "minor", [Ch("type_changed", "change")])
case("type-boolean-widened", BOOL, {"type": ["boolean", "string"]},
     BF, "minor", [Ch("type_widened", "widen")])
case("type-integer-to-integer-or-string", INT, {"type": ["integer", "string"]},
     BF, "minor", [Ch("type_widened", "widen")])
case("type-removed-widens", string(maxLength=5), {"maxLength": 5},
     BF, "minor", [Ch("type_widened", "widen")])
case("type-removed-from-object-widens", obj({"a": STR}), {"properties": {"a": STR}},
     BF, "minor", [Ch("type_widened", "widen")])
case("type-added-narrows", {}, STR, BB, "minor", [Ch("type_narrowed", "narrow")])
case("type-set-swap", {"type": ["string", "integer"]}, {"type": ["string", "boolean"]},
     BOTH, "minor", [AnyOf(("type_changed", "type_narrowed"))])
# number loses non-integers, gains strings
case("type-number-to-integer-or-string", NUM, {"type": ["integer", "string"]},
     BOTH, "minor", [AnyOf(("type_changed", "type_narrowed"))])
case("type-integer-number-set-equals-number", {"type": ["integer", "number"]}, NUM, OK, REFAC)
case("type-string-equals-string-array", STR, {"type": ["string"]}, OK, REFAC)
case("type-anyof-integer-number-equals-number", {"anyOf": [INT, NUM]}, NUM, OK, REFAC)
case("type-anyof-set-equals-type-array", {"anyOf": [STR, INT]}, {"type": ["string", "integer"]}, OK, REFAC)
case("type-nested-property-path",
     obj({"tags": array(STR)}), obj({"tags": array(INT)}),
     BOTH, "minor", [Ch("type_changed", "change", "$.properties.tags.items")])
case("type-nested-widened",
     obj({"n": INT}), obj({"n": NUM}),
     BF, "minor", [Ch("type_widened", "widen", "$.properties.n")])

# =============================================================================================
# 10. nullable in every spelling (§3.4); equal spellings are NOT a change
# =============================================================================================

_NULLABLE_SPELLINGS = {
    "type-array": {"type": ["string", "null"]},
    "anyof-null": {"anyOf": [STR, NULL]},
    "oneof-null": {"oneOf": [STR, NULL]},
    "openapi-nullable": {"type": "string", "nullable": True},
}
for _name, _s in _NULLABLE_SPELLINGS.items():
    case(f"nullable-added-{_name}", STR, _s, BF, "minor", [Ch("nullable_added", "widen")])
    case(f"nullable-removed-{_name}", _s, STR, BB, "minor", [Ch("nullable_removed", "narrow")])
    case(f"nullable-added-{_name}-in-property", obj({"a": STR}), obj({"a": _s}),
         BF, "minor", [Ch("nullable_added", "widen", "$.properties.a")])
for _n1, _s1 in _NULLABLE_SPELLINGS.items():
    for _n2, _s2 in _NULLABLE_SPELLINGS.items():
        if _n1 != _n2:
            case(f"nullable-same-spelling-{_n1}-vs-{_n2}", _s1, _s2, OK, REFAC,
                 absent=("nullable_added", "nullable_removed"))
case("nullable-openapi-true-to-false",
     {"type": "string", "nullable": True}, {"type": "string", "nullable": False},
     BB, "minor", [Ch("nullable_removed", "narrow")])
case("nullable-openapi-false-equals-absent",
     {"type": "string", "nullable": False}, STR, OK, REFAC, absent=("nullable_added", "nullable_removed"))
case("nullable-spellings-with-constraints-equal",
     {"type": ["string", "null"], "maxLength": 5},  # maxLength does not apply to null
     {"anyOf": [string(maxLength=5), NULL]},
     OK, REFAC, absent=("nullable_added", "nullable_removed"))
case("nullable-spelling-changed-and-tightened",
     {"type": ["string", "null"]}, {"anyOf": [string(maxLength=5), NULL]},
     BB, "minor", [Ch("string_length_tightened", "narrow")], absent=("nullable_removed", "nullable_added"))
case("nullable-spelling-changed-and-widened",
     {"type": ["integer", "null"]}, {"anyOf": [NUM, NULL]},
     BF, "minor", [Ch("type_widened", "widen")], absent=("nullable_removed", "nullable_added"))
case("nullable-removed-by-other-spelling",
     {"anyOf": [STR, NULL]}, {"type": "string", "nullable": False},
     BB, "minor", [Ch("nullable_removed", "narrow")])
case("nullable-type-changed-type-array",
     {"type": ["string", "null"]}, {"type": ["integer", "null"]},
     BOTH, "minor", [Ch("type_changed", "change")])
case("nullable-type-changed-anyof",
     {"anyOf": [STR, NULL]}, {"anyOf": [INT, NULL]},
     BOTH, "minor", [Ch("type_changed", "change")])
case("nullable-added-to-object",
     obj({"a": STR}), {"type": ["object", "null"], "properties": {"a": STR}},
     BF, "minor", [Ch("nullable_added", "widen")])
case("nullable-removed-from-ref",
     defs(obj({"o": {"anyOf": [{"$ref": "#/$defs/O"}, NULL]}}), O=obj({"x": INT})),
     defs(obj({"o": {"$ref": "#/$defs/O"}}), O=obj({"x": INT})),
     BB, "minor", [Ch("nullable_removed", "narrow")])
case("nullable-added-via-enum-null",
     {"enum": ["a", "b"]}, {"enum": ["a", "b", None]},
     BF, "minor", [AnyOf(("nullable_added", "enum_values_added"))])
case("nullable-same-spelling-nested-type-array-vs-anyof",
     obj({"a": {"type": ["integer", "null"]}}), obj({"a": {"anyOf": [INT, NULL]}}),
     OK, REFAC, absent=("nullable_added", "nullable_removed"))
case("nullable-same-spelling-in-items",
     array({"oneOf": [STR, NULL]}), array({"type": "string", "nullable": True}),
     OK, REFAC, absent=("nullable_added", "nullable_removed"))
case("nullable-same-spelling-multi-type",
     {"anyOf": [{"type": ["string", "integer"]}, NULL]}, {"type": ["string", "integer", "null"]},
     OK, REFAC, absent=("nullable_added", "nullable_removed"))
# object vs null branches are provably disjoint, so oneOf == anyOf here
case("nullable-same-spelling-ref-oneof-vs-anyof",
     defs(obj({"o": {"oneOf": [{"$ref": "#/$defs/O"}, NULL]}}), O=obj({"x": INT})),
     defs(obj({"o": {"anyOf": [{"$ref": "#/$defs/O"}, NULL]}}), O=obj({"x": INT})),
     OK, REFAC, absent=("nullable_added", "nullable_removed"))
case("nullable-openapi-on-object",
     obj({"a": STR}), {**obj({"a": STR}), "nullable": True},
     BF, "minor", [Ch("nullable_added", "widen")])
case("nullable-added-in-items",
     array(INT), array({"anyOf": [INT, NULL]}),
     BF, "minor", [Ch("nullable_added", "widen", "$.items")])

# =============================================================================================
# 11. enum / const (const = one-value enum; JSON equality, 1 == 1.0, true != 1)
# =============================================================================================

case("enum-values-added", {"enum": ["a", "b"]}, {"enum": ["a", "b", "c"]},
     BF, "minor", [Ch("enum_values_added", "widen")])
case("enum-values-removed", {"enum": ["a", "b", "c"]}, {"enum": ["a", "b"]},
     BB, "minor", [Ch("enum_values_removed", "narrow")])
case("enum-values-replaced", {"enum": ["a", "b"]}, {"enum": ["a", "c"]},
     BOTH, "minor", [Ch("enum_values_added", "widen"), Ch("enum_values_removed", "narrow")])
# the classic mistake is to classify these two backwards
case("enum-introduced", STR, string(enum=["a", "b"]),
     BB, "minor", [Ch("enum_added", "narrow")])
case("enum-dropped", string(enum=["a", "b"]), STR,
     BF, "minor", [Ch("enum_removed", "widen")])
case("enum-introduced-on-property",
     obj({"status": INT}), obj({"status": integer(enum=[1, 2, 3])}),
     BB, "minor", [Ch("enum_added", "narrow", "$.properties.status")])
case("const-introduced", STR, string(const="a"), BB, "minor", [Ch("enum_added", "narrow")])
case("const-dropped", string(const="a"), STR, BF, "minor", [Ch("enum_removed", "widen")])
case("const-equals-one-value-enum", {"const": "a"}, {"enum": ["a"]}, OK, REFAC,
     absent=("enum_values_added", "enum_values_removed", "enum_added", "enum_removed"))
case("one-value-enum-equals-const", {"enum": ["a"]}, {"const": "a"}, OK, REFAC,
     absent=("enum_values_added", "enum_values_removed", "enum_added", "enum_removed"))
case("const-changed", {"const": "a"}, {"const": "b"},
     BOTH, "minor", [Ch("enum_values_added", "widen"), Ch("enum_values_removed", "narrow")])
case("const-to-enum-superset", {"const": "a"}, {"enum": ["a", "b"]},
     BF, "minor", [Ch("enum_values_added", "widen")], absent=("enum_values_removed",))
case("enum-to-const-subset", {"enum": ["a", "b"]}, {"const": "a"},
     BB, "minor", [Ch("enum_values_removed", "narrow")], absent=("enum_values_added",))
case("enum-int-equals-float", {"enum": [1, 2]}, {"enum": [1.0, 2]}, OK, REFAC,
     absent=("enum_values_added", "enum_values_removed"))
case("enum-int-equals-float-typed", integer(enum=[1]), integer(enum=[1.0]), OK, REFAC,
     absent=("enum_values_added", "enum_values_removed"))
case("const-int-equals-float", {"const": 2}, {"const": 2.0}, OK, REFAC,
     absent=("enum_values_added", "enum_values_removed"))
case("enum-float-spelling-plus-added", {"enum": [1, 2]}, {"enum": [1.0, 2, 3]},
     BF, "minor", [Ch("enum_values_added", "widen")], absent=("enum_values_removed",))
# JSON true is not 1, false is not 0 (Python's True == 1 must not leak in)
case("enum-true-is-not-one-removed", {"enum": [1, True]}, {"enum": [1]},
     BB, "minor", [Ch("enum_values_removed", "narrow")])
case("enum-one-to-true", {"enum": [1]}, {"enum": [True]},
     BOTH, "minor", [Ch("enum_values_added"), Ch("enum_values_removed")])
case("enum-zero-to-false", {"enum": [0]}, {"enum": [False]},
     BOTH, "minor", [Ch("enum_values_added"), Ch("enum_values_removed")])
case("enum-string-one-vs-number-one", {"enum": ["1"]}, {"enum": [1]},
     BOTH, "minor", [Ch("enum_values_added"), Ch("enum_values_removed")])
case("enum-object-value-added", {"enum": [{"a": 1}]}, {"enum": [{"a": 1}, {"b": 2}]},
     BF, "minor", [Ch("enum_values_added", "widen")])
case("enum-object-values-key-order-irrelevant",
     {"enum": [{"a": 1, "b": 2}]}, {"enum": [{"b": 2, "a": 1}]},
     OK, REFAC, absent=("enum_values_added", "enum_values_removed"))
case("enum-array-values-order-relevant", {"enum": [[1, 2]]}, {"enum": [[2, 1]]},
     BOTH, "minor", [Ch("enum_values_added"), Ch("enum_values_removed")])
case("enum-null-removed", {"enum": ["a", None]}, {"enum": ["a"]},
     BB, "minor", [AnyOf(("enum_values_removed", "nullable_removed"))])
case("enum-values-added-nested",
     obj({"s": {"enum": ["x"]}}), obj({"s": {"enum": ["x", "y"]}}),
     BF, "minor", [Ch("enum_values_added", "widen", "$.properties.s")])

# =============================================================================================
# 12. string length / pattern
# =============================================================================================

case("max-length-tightened", string(maxLength=10), string(maxLength=5),
     BB, "minor", [Ch("string_length_tightened", "narrow")])
case("max-length-loosened", string(maxLength=5), string(maxLength=10),
     BF, "minor", [Ch("string_length_loosened", "widen")])
case("max-length-added", STR, string(maxLength=5),
     BB, "minor", [Ch("string_length_tightened", "narrow")])
case("max-length-removed", string(maxLength=5), STR,
     BF, "minor", [Ch("string_length_loosened", "widen")])
case("min-length-added", STR, string(minLength=1),
     BB, "minor", [Ch("string_length_tightened", "narrow")])
case("min-length-removed", string(minLength=1), STR,
     BF, "minor", [Ch("string_length_loosened", "widen")])
case("min-length-tightened", string(minLength=1), string(minLength=3),
     BB, "minor", [Ch("string_length_tightened", "narrow")])
case("min-length-zero-added", STR, string(minLength=0), OK, REFAC)
case("length-both-loosened", string(minLength=2, maxLength=5), string(minLength=1, maxLength=10),
     BF, "minor", [Ch("string_length_loosened", "widen")])
case("length-both-tightened", string(minLength=1, maxLength=10), string(minLength=2, maxLength=5),
     BB, "minor", [Ch("string_length_tightened", "narrow")])
case("length-min-tightened-max-loosened", string(minLength=1, maxLength=10),
     string(minLength=2, maxLength=20),
     BOTH, "minor", [Ch("string_length_tightened", "narrow"), Ch("string_length_loosened", "widen")])
case("max-length-tightened-nested",
     obj({"name": string(maxLength=100)}), obj({"name": string(maxLength=50)}),
     BB, "minor", [Ch("string_length_tightened", "narrow", "$.properties.name")])
case("max-length-tightened-in-items",
     array(string(maxLength=10)), array(string(maxLength=5)),
     BB, "minor", [Ch("string_length_tightened", "narrow", "$.items")])

case("pattern-added", STR, string(pattern="^[a-z]+$"),
     BB, "minor", [Ch("pattern_added", "narrow")])
case("pattern-removed", string(pattern="^[a-z]+$"), STR,
     BF, "minor", [Ch("pattern_removed", "widen")])
case("pattern-changed-disjoint", string(pattern="^a"), string(pattern="^b"),
     BOTH, "minor", [Ch("pattern_changed")])
# new pattern accepts a strict superset: inclusion is proven (§4), so only forward breaks
case("pattern-changed-superset", string(pattern="^[a-z]+$"), string(pattern="^[a-z0-9]+$"),
     BF, "minor", [Ch("pattern_changed", "widen")])
case("pattern-changed-subset", string(pattern="^[a-z0-9]+$"), string(pattern="^[a-z]+$"),
     BB, "minor", [Ch("pattern_changed", "narrow")])
case("pattern-changed-same-language", string(pattern="^\\d{5}$"), string(pattern="^[0-9]{5}$"),
     OK, "patch", [Ch("schema_refactored", "neutral")],
     absent=("pattern_changed", "pattern_added", "pattern_removed"))
case("pattern-changed-alternation-anchors", string(pattern="^a|b$"), string(pattern="^(a|b)$"),
     BB, "minor", [Ch("pattern_changed", "narrow")])
case("pattern-added-nested",
     obj({"zip": STR}), obj({"zip": string(pattern="^[0-9]{5}$")}),
     BB, "minor", [Ch("pattern_added", "narrow", "$.properties.zip")])
case("pattern-unchanged-other-change", string(pattern="^a", maxLength=5),
     string(pattern="^a", maxLength=10),
     BF, "minor", [Ch("string_length_loosened", "widen")],
     absent=("pattern_changed", "pattern_added", "pattern_removed"))

# =============================================================================================
# 13. format lattice (§4)
# =============================================================================================

case("format-added", STR, string(format="email"), BB, "minor", [Ch("format_added", "narrow")])
case("format-removed", string(format="email"), STR, BF, "minor", [Ch("format_removed", "widen")])
_FORMAT_SUBSETS = [
    ("email", "idn-email", "string"),
    ("hostname", "idn-hostname", "string"),
    ("uri", "iri", "string"),
    ("uri", "uri-reference", "string"),
    ("iri", "iri-reference", "string"),
    ("uri-reference", "iri-reference", "string"),
    ("uri", "iri-reference", "string"),  # uri ⊂ iri ⊂ iri-reference (inclusion is transitive)
    ("int32", "int64", "integer"),
    ("float", "double", "number"),
]
for _small, _big_f, _t in _FORMAT_SUBSETS:
    case(f"format-widened-{_small}-to-{_big_f}", {"type": _t, "format": _small},
         {"type": _t, "format": _big_f}, BF, "minor", [Ch("format_widened", "widen")])
    case(f"format-narrowed-{_big_f}-to-{_small}", {"type": _t, "format": _big_f},
         {"type": _t, "format": _small}, BB, "minor", [Ch("format_narrowed", "narrow")])
for _f1, _f2 in [("date", "date-time"), ("date-time", "date"), ("email", "uri"),
                 ("iri", "uri-reference"), ("uuid", "email"), ("hostname", "email"),
                 ("ipv4", "ipv6"), ("x-custom-a", "x-custom-b")]:
    case(f"format-changed-{_f1}-to-{_f2}", string(format=_f1), string(format=_f2),
         BOTH, "minor", [Ch("format_changed", "change")])
case("format-widened-nested",
     obj({"contact": string(format="email")}), obj({"contact": string(format="idn-email")}),
     BF, "minor", [Ch("format_widened", "widen", "$.properties.contact")])
case("format-assertion-true-explicit-added", STR, string(format="date"),
     BB, "minor", [Ch("format_added", "narrow")], format_assertion=True)
# format_assertion=False: format is an annotation -> never breaks, bump patch
case("format-annotation-only-changed", string(format="email"), string(format="date"),
     OK, "patch", format_assertion=False)
case("format-annotation-only-added", STR, string(format="email"),
     OK, "patch", format_assertion=False)
case("format-annotation-only-removed", string(format="email"), STR,
     OK, "patch", format_assertion=False)
case("format-annotation-only-widened", string(format="email"), string(format="idn-email"),
     OK, "patch", format_assertion=False)
case("format-annotation-only-with-real-change", string(format="email", maxLength=10),
     string(format="date", maxLength=5),
     BB, "minor", [Ch("string_length_tightened", "narrow")], format_assertion=False)

# =============================================================================================
# 14. numeric ranges (effective intervals, integer-aware) and multipleOf
# =============================================================================================

case("minimum-tightened", integer(minimum=0), integer(minimum=1),
     BB, "minor", [Ch("numeric_range_tightened", "narrow")])
case("minimum-loosened", integer(minimum=1), integer(minimum=0),
     BF, "minor", [Ch("numeric_range_loosened", "widen")])
case("maximum-tightened", integer(maximum=10), integer(maximum=5),
     BB, "minor", [Ch("numeric_range_tightened", "narrow")])
case("maximum-loosened", number(maximum=5), number(maximum=10),
     BF, "minor", [Ch("numeric_range_loosened", "widen")])
case("maximum-added", NUM, number(maximum=10),
     BB, "minor", [Ch("numeric_range_tightened", "narrow")])
case("maximum-removed", number(maximum=10), NUM,
     BF, "minor", [Ch("numeric_range_loosened", "widen")])
case("minimum-added", INT, integer(minimum=0),
     BB, "minor", [Ch("numeric_range_tightened", "narrow")])
case("minimum-removed", integer(minimum=0), INT,
     BF, "minor", [Ch("numeric_range_loosened", "widen")])
case("range-min-added-max-removed", number(maximum=10), number(minimum=0),
     BOTH, "minor", [Ch("numeric_range_tightened", "narrow"), Ch("numeric_range_loosened", "widen")])
case("range-both-sides-tightened", integer(minimum=0, maximum=10), integer(minimum=1, maximum=9),
     BB, "minor", [Ch("numeric_range_tightened", "narrow")])
case("range-min-loosened-max-tightened", integer(minimum=1, maximum=20), integer(minimum=0, maximum=10),
     BOTH, "minor", [Ch("numeric_range_tightened", "narrow"), Ch("numeric_range_loosened", "widen")])
case("minimum-tightened-number-fractional", number(minimum=0), number(minimum=0.5),
     BB, "minor", [Ch("numeric_range_tightened", "narrow")])
case("minimum-tightened-nested", obj({"age": integer(minimum=0)}), obj({"age": integer(minimum=18)}),
     BB, "minor", [Ch("numeric_range_tightened", "narrow", "$.properties.age")])
# integer-aware equivalences (§3.5): same set of integers -> refactor, not a change
_RANGE_NOT_CHANGED = ("numeric_range_tightened", "numeric_range_loosened")
for _id, _o, _n in [
    ("int-minimum-1-eq-exclusive-minimum-0", integer(minimum=1), integer(exclusiveMinimum=0)),
    ("int-maximum-9-eq-exclusive-maximum-10", integer(maximum=9), integer(exclusiveMaximum=10)),
    ("int-minimum-half-eq-minimum-1", integer(minimum=0.5), integer(minimum=1)),
    ("int-exclusive-minimum-half-eq-minimum-1", integer(exclusiveMinimum=0.5), integer(minimum=1)),
    ("int-exclusive-maximum-10-eq-maximum-9-5", integer(exclusiveMaximum=10), integer(maximum=9.5)),
    ("int-exclusive-minimum-0-eq-exclusive-minimum-half", integer(exclusiveMinimum=0),
     integer(exclusiveMinimum=0.5)),
    ("int-minimum-neg-half-eq-minimum-0", integer(minimum=-0.5), integer(minimum=0)),
    ("minimum-5-eq-5-point-0", number(minimum=5), number(minimum=5.0)),
    ("number-min-and-exclusive-min-effective", number(minimum=0, exclusiveMinimum=5),
     number(exclusiveMinimum=5)),
    ("number-max-and-exclusive-max-effective", number(maximum=3, exclusiveMaximum=10),
     number(maximum=3)),
]:
    case(f"range-equal-{_id}", _o, _n, OK, REFAC, absent=_RANGE_NOT_CHANGED)
# ...but for numbers, minimum 1 and exclusiveMinimum 0 differ: (0, 1) becomes valid
case("number-minimum-1-to-exclusive-minimum-0", number(minimum=1), number(exclusiveMinimum=0),
     BF, "minor", [Ch("numeric_range_loosened", "widen")])
case("number-exclusive-minimum-0-to-minimum-1", number(exclusiveMinimum=0), number(minimum=1),
     BB, "minor", [Ch("numeric_range_tightened", "narrow")])
case("number-exclusive-minimum-to-inclusive", number(exclusiveMinimum=0), number(minimum=0),
     BF, "minor", [Ch("numeric_range_loosened", "widen")])
case("number-inclusive-minimum-to-exclusive", number(minimum=0), number(exclusiveMinimum=0),
     BB, "minor", [Ch("numeric_range_tightened", "narrow")])
case("int-minimum-1-to-exclusive-minimum-1", integer(minimum=1), integer(exclusiveMinimum=1),
     BB, "minor", [Ch("numeric_range_tightened", "narrow")])
case("int-maximum-10-to-exclusive-maximum-10", integer(maximum=10), integer(exclusiveMaximum=10),
     BB, "minor", [Ch("numeric_range_tightened", "narrow")])
case("number-exclusive-maximum-to-inclusive", number(exclusiveMaximum=10), number(maximum=10),
     BF, "minor", [Ch("numeric_range_loosened", "widen")])
case("draft07-exclusive-minimum-to-minimum", d7(number(exclusiveMinimum=0)), d7(number(minimum=0)),
     BF, "minor", [Ch("numeric_range_loosened", "widen")])
case("type-widened-keeps-bounds", integer(minimum=0, maximum=10), number(minimum=0, maximum=10),
     BF, "minor", [Ch("type_widened", "widen")])

case("multiple-of-added", INT, integer(multipleOf=2),
     BB, "minor", [Ch("multiple_of_tightened", "narrow")])
case("multiple-of-removed", integer(multipleOf=2), INT,
     BF, "minor", [Ch("multiple_of_loosened", "widen")])
case("multiple-of-2-to-4", integer(multipleOf=2), integer(multipleOf=4),
     BB, "minor", [Ch("multiple_of_tightened", "narrow")])
case("multiple-of-4-to-2", integer(multipleOf=4), integer(multipleOf=2),
     BF, "minor", [Ch("multiple_of_loosened", "widen")])
case("multiple-of-3-to-6", integer(multipleOf=3), integer(multipleOf=6),
     BB, "minor", [Ch("multiple_of_tightened", "narrow")])
case("multiple-of-6-to-3", integer(multipleOf=6), integer(multipleOf=3),
     BF, "minor", [Ch("multiple_of_loosened", "widen")])
case("multiple-of-2-to-3", integer(multipleOf=2), integer(multipleOf=3),
     BOTH, "minor", [Ch("multiple_of_changed", "change")])
case("multiple-of-4-to-6", integer(multipleOf=4), integer(multipleOf=6),
     BOTH, "minor", [Ch("multiple_of_changed", "change")])
case("multiple-of-half-to-quarter", number(multipleOf=0.5), number(multipleOf=0.25),
     BF, "minor", [Ch("multiple_of_loosened", "widen")])
case("multiple-of-quarter-to-half", number(multipleOf=0.25), number(multipleOf=0.5),
     BB, "minor", [Ch("multiple_of_tightened", "narrow")])
case("multiple-of-1-on-number-removed", number(multipleOf=1), NUM,
     BF, "minor", [Ch("multiple_of_loosened", "widen")])
# every integer is a multiple of 1 (integer-aware)
case("multiple-of-1-on-integer-removed", integer(multipleOf=1), INT, OK, REFAC,
     absent=("multiple_of_loosened",))

# =============================================================================================
# 15. arrays: lengths, items, contains, uniqueItems
# =============================================================================================

case("max-items-tightened", array(STR, maxItems=10), array(STR, maxItems=5),
     BB, "minor", [Ch("array_length_tightened", "narrow")])
case("max-items-loosened", array(STR, maxItems=5), array(STR, maxItems=10),
     BF, "minor", [Ch("array_length_loosened", "widen")])
case("max-items-removed", array(STR, maxItems=5), array(STR),
     BF, "minor", [Ch("array_length_loosened", "widen")])
case("min-items-added", array(STR), array(STR, minItems=1),
     BB, "minor", [Ch("array_length_tightened", "narrow")])
case("min-items-removed", array(STR, minItems=1), array(STR),
     BF, "minor", [Ch("array_length_loosened", "widen")])
case("min-items-zero-added", array(STR), array(STR, minItems=0), OK, REFAC)
case("max-items-tightened-nested",
     obj({"tags": array(STR, maxItems=10)}), obj({"tags": array(STR, maxItems=3)}),
     BB, "minor", [Ch("array_length_tightened", "narrow", "$.properties.tags")])
case("items-added", array(), array(STR), BB, "minor", [Ch("subschema_added", "narrow")])
case("items-removed", array(STR), array(), BF, "minor", [Ch("subschema_removed", "widen")])
case("items-type-widened", array(INT), array(NUM),
     BF, "minor", [Ch("type_widened", "widen", "$.items")])
case("items-type-narrowed", array(NUM), array(INT),
     BB, "minor", [Ch("type_narrowed", "narrow", "$.items")])
case("items-nullable-added", obj({"tags": array(STR)}),
     obj({"tags": array({"type": ["string", "null"]})}),
     BF, "minor", [Ch("nullable_added", "widen", "$.properties.tags.items")])
case("items-true-to-schema", array(True), array(INT), BB, "minor")
case("items-false-to-schema", array(False), array(INT), BF, "minor")

case("unique-items-added", array(STR), array(STR, uniqueItems=True),
     BB, "minor", [Ch("unique_items_added", "narrow")])
case("unique-items-removed", array(STR, uniqueItems=True), array(STR),
     BF, "minor", [Ch("unique_items_removed", "widen")])
case("unique-items-true-to-false", array(STR, uniqueItems=True), array(STR, uniqueItems=False),
     BF, "minor", [Ch("unique_items_removed", "widen")])
case("unique-items-false-equals-absent", array(STR, uniqueItems=False), array(STR), OK, REFAC)
case("unique-items-absent-equals-false", array(STR), array(STR, uniqueItems=False), OK, REFAC)

case("contains-added", array(STR), array(STR, contains={"const": "x"}),
     BB, "minor", [Ch("subschema_added", "narrow")])
case("contains-removed", array(STR, contains={"const": "x"}), array(STR),
     BF, "minor", [Ch("subschema_removed", "widen")])
case("contains-narrowed", array(contains=STR), array(contains=string(maxLength=3)),
     BB, "minor", [Ch("string_length_tightened", "narrow")])
case("min-contains-tightened", array(contains=STR, minContains=1), array(contains=STR, minContains=2),
     BB, "minor", [Ch("contains_count_tightened", "narrow")])
case("min-contains-loosened", array(contains=STR, minContains=2), array(contains=STR, minContains=1),
     BF, "minor", [Ch("contains_count_loosened", "widen")])
case("min-contains-zero", array(contains=STR), array(contains=STR, minContains=0),
     BF, "minor", [Ch("contains_count_loosened", "widen")])
case("min-contains-1-explicit-equals-default", array(contains=STR),
     array(contains=STR, minContains=1), OK, REFAC)
case("max-contains-added", array(contains=STR), array(contains=STR, maxContains=3),
     BB, "minor", [Ch("contains_count_tightened", "narrow")])
case("max-contains-loosened", array(contains=STR, maxContains=3), array(contains=STR, maxContains=5),
     BF, "minor", [Ch("contains_count_loosened", "widen")])
case("max-contains-removed", array(contains=STR, maxContains=3), array(contains=STR),
     BF, "minor", [Ch("contains_count_loosened", "widen")])
# minContains does not exist in draft-07: an unknown keyword, ignored (§1)
case("draft07-min-contains-ignored", d7(array(contains=STR)), d7(array(contains=STR, minContains=2)),
     OK, REFAC)

case("unevaluated-items-false-to-schema",
     array(prefixItems=[STR], unevaluatedItems=False), array(prefixItems=[STR], unevaluatedItems=INT),
     BF, "minor")
case("unevaluated-items-schema-to-false",
     array(prefixItems=[STR], unevaluatedItems=INT), array(prefixItems=[STR], unevaluatedItems=False),
     BB, "minor")

# =============================================================================================
# 16. tuples (§2 rule applied to tuple positions)
# =============================================================================================

case("tuple-item-added-implicitly-open",
     array(prefixItems=[STR]), array(prefixItems=[STR, INT]),
     OK, "minor", [Ch("tuple_item_added", "neutral")])
case("tuple-item-added-items-false",
     array(prefixItems=[STR], items=False), array(prefixItems=[STR, INT], items=False),
     BF, "minor", [Ch("tuple_item_added", "widen")])
case("tuple-item-added-items-true",
     array(prefixItems=[STR], items=True), array(prefixItems=[STR, INT], items=True),
     BB, "minor", [Ch("tuple_item_added", "narrow")])
case("tuple-item-added-items-schema-equal",
     array(prefixItems=[STR], items=INT), array(prefixItems=[STR, INT], items=INT),
     OK, "minor", [Ch("tuple_item_added", "neutral")])
case("tuple-item-added-items-schema-conflict",
     array(prefixItems=[STR], items=INT), array(prefixItems=[STR, STR], items=INT),
     BOTH, "minor", [Ch("tuple_item_added", "change")])
case("tuple-item-removed-implicitly-open",
     array(prefixItems=[STR, INT]), array(prefixItems=[STR]),
     OK, "minor", [Ch("tuple_item_removed", "neutral")])
case("tuple-item-removed-items-false",
     array(prefixItems=[STR, INT], items=False), array(prefixItems=[STR], items=False),
     BB, "minor", [Ch("tuple_item_removed", "narrow")])
case("tuple-item-removed-items-true",
     array(prefixItems=[STR, INT], items=True), array(prefixItems=[STR], items=True),
     BF, "minor", [Ch("tuple_item_removed", "widen")])
case("tuple-item-type-changed",
     array(prefixItems=[STR, INT]), array(prefixItems=[STR, STR]),
     BOTH, "minor", [Ch("type_changed", "change")])
case("tuple-item-widened",
     array(prefixItems=[STR, INT], items=False), array(prefixItems=[STR, NUM], items=False),
     BF, "minor", [Ch("type_widened", "widen")])
case("tuple-additional-widened",
     array(prefixItems=[STR], items=INT), array(prefixItems=[STR], items=NUM),
     BF, "minor", [Ch("type_widened", "widen")])
case("tuple-items-false-to-absent",
     array(prefixItems=[STR], items=False), array(prefixItems=[STR]),
     OK, "minor", [Ch("additional_items_widened", "neutral")])
case("tuple-items-absent-to-false",
     array(prefixItems=[STR]), array(prefixItems=[STR], items=False),
     OK, "minor", [Ch("additional_items_narrowed", "neutral")])
case("tuple-items-true-to-false",
     array(prefixItems=[STR], items=True), array(prefixItems=[STR], items=False),
     BB, "minor", [Ch("additional_items_narrowed", "narrow")])
case("tuple-items-false-to-true",
     array(prefixItems=[STR], items=False), array(prefixItems=[STR], items=True),
     BF, "minor", [Ch("additional_items_widened", "widen")])
case("tuple-items-true-to-schema",
     array(prefixItems=[STR], items=True), array(prefixItems=[STR], items=INT),
     BB, "minor", [Ch("additional_items_narrowed", "narrow")])
case("tuple-boolean-item-true-to-string", array(prefixItems=[True]), array(prefixItems=[STR]),
     BB, "minor", [Ch("type_narrowed", "narrow")])
case("tuple-boolean-item-false-to-string",
     array(prefixItems=[False], items=False), array(prefixItems=[STR], items=False),
     BF, "minor")
case("draft07-tuple-item-added-implicitly-open",
     d7(array([STR])), d7(array([STR, INT])),
     OK, "minor", [Ch("tuple_item_added", "neutral")])
case("draft07-tuple-item-added-additional-false",
     d7(array([STR], additionalItems=False)), d7(array([STR, INT], additionalItems=False)),
     BF, "minor", [Ch("tuple_item_added", "widen")])
case("draft07-tuple-item-removed-additional-false",
     d7(array([STR, INT], additionalItems=False)), d7(array([STR], additionalItems=False)),
     BB, "minor", [Ch("tuple_item_removed", "narrow")])
case("draft07-additional-items-false-to-true",
     d7(array([STR], additionalItems=False)), d7(array([STR], additionalItems=True)),
     BF, "minor", [Ch("additional_items_widened", "widen")])
case("draft07-additional-items-schema-tightened",
     d7(array([STR], additionalItems=INT)), d7(array([STR], additionalItems=integer(minimum=0))),
     BB, "minor", [Ch("numeric_range_tightened", "narrow")])
case("draft07-tuple-item-type-changed",
     d7(array([STR, INT])), d7(array([STR, BOOL])),
     BOTH, "minor", [Ch("type_changed", "change")])
case("draft07-items-array-equals-prefix-items",  # dialect lowering (§3.3)
     d7(array([STR, INT], additionalItems=False)),
     {"$schema": D2020, **array(prefixItems=[STR, INT], items=False)},
     OK, REFAC)
case("draft07-items-schema-equals-2020-items",
     d7(array(STR, maxItems=3)), {"$schema": D2020, **array(STR, maxItems=3)},
     OK, REFAC)

# =============================================================================================
# 17. boolean schemas (true = {}, false = nothing)
# =============================================================================================

case("bool-true-to-false", True, False, BB, "minor")
case("bool-false-to-true", False, True, BF, "minor")
case("bool-true-equals-empty", True, {}, OK, REFAC)
case("bool-empty-equals-true", {}, True, OK, REFAC)
case("bool-false-equals-not-empty", False, {"not": {}}, OK, REFAC)
case("bool-true-to-string", True, STR, BB, "minor", [Ch("type_narrowed", "narrow")])
case("bool-string-to-true", STR, True, BF, "minor", [Ch("type_widened", "widen")])
case("bool-string-to-false", STR, False, BB, "minor")
case("bool-false-to-string", False, STR, BF, "minor")
case("bool-true-description-added", True, {"description": "anything"},
     OK, "patch", [Ch("description_changed", "neutral")])
case("bool-property-false-to-true", obj({"a": False}), obj({"a": True}), BF, "minor")
case("bool-property-true-to-string", obj({"a": True}), obj({"a": STR}),
     BB, "minor", [Ch("type_narrowed", "narrow")])
case("bool-property-string-to-false", obj({"a": STR}), obj({"a": False}), BB, "minor")
case("bool-property-false-to-string-closed",
     obj({"a": False}, additionalProperties=False), obj({"a": STR}, additionalProperties=False),
     BF, "minor")

# =============================================================================================
# 18. anyOf / oneOf / allOf / not (§3.7 discriminator + best-match pairing)
# =============================================================================================


def _branch(kind, **props):
    return obj({"kind": {"const": kind}, **props}, ["kind"])


_A_BR = _branch("a", x=STR)
_B_BR = _branch("b", y=INT)
_C_BR = _branch("c", z=BOOL)

case("union-type-set-branch-added", {"anyOf": [STR, INT]}, {"anyOf": [STR, INT, BOOL]},
     BF, "minor", [AnyOf(("union_branch_added", "type_widened"))])
case("union-type-set-branch-removed", {"anyOf": [STR, INT, BOOL]}, {"anyOf": [STR, INT]},
     BB, "minor", [AnyOf(("union_branch_removed", "type_narrowed"))])
for _comb in ("anyOf", "oneOf"):
    case(f"union-{_comb}-discriminated-branch-added",
         {_comb: [_A_BR, _B_BR]}, {_comb: [_A_BR, _B_BR, _C_BR]},
         BF, "minor", [Ch("union_branch_added", "widen")])
    case(f"union-{_comb}-discriminated-branch-removed",
         {_comb: [_A_BR, _B_BR, _C_BR]}, {_comb: [_A_BR, _B_BR]},
         BB, "minor", [Ch("union_branch_removed", "narrow")])
    case(f"union-{_comb}-discriminated-branch-changed",
         {_comb: [_A_BR, _B_BR]}, {_comb: [_A_BR, _branch("b", y=STR)]},
         BOTH, "minor", [Ch("type_changed", "change")],
         absent=("union_branch_added", "union_branch_removed"))
    # pairing by discriminator, not by position: B moved to the front and gained an optional
    # property (implicitly open, neutral)
    case(f"union-{_comb}-reordered-and-extended",
         {_comb: [_A_BR, _B_BR]}, {_comb: [_branch("b", y=INT, w=STR), _A_BR]},
         OK, "minor", [Ch("property_added", "neutral")],
         absent=("union_branch_added", "union_branch_removed"))
    case(f"union-{_comb}-removed-while-reordered",
         {_comb: [_A_BR, _B_BR, _C_BR]}, {_comb: [_C_BR, _A_BR]},
         BB, "minor", [Ch("union_branch_removed", "narrow")], absent=("union_branch_added",))
case("union-discriminator-enum-branch-added",
     {"oneOf": [obj({"t": {"enum": ["a1", "a2"]}, "x": STR}, ["t"]),
                obj({"t": {"enum": ["b1"]}, "y": INT}, ["t"])]},
     {"oneOf": [obj({"t": {"enum": ["a1", "a2"]}, "x": STR}, ["t"]),
                obj({"t": {"enum": ["b1"]}, "y": INT}, ["t"]),
                obj({"t": {"enum": ["c1"]}, "z": BOOL}, ["t"])]},
     BF, "minor", [Ch("union_branch_added", "widen")])
case("union-branch-narrowed-inside",
     {"anyOf": [STR, integer(minimum=0)]}, {"anyOf": [STR, integer(minimum=5)]},
     BB, "minor", [Ch("numeric_range_tightened", "narrow")])
# no discriminator: branches pair by best compatibility match (object with object, array with
# array), so this is a nested widening, not "branch removed + branch added"
case("union-best-match-pairing",
     {"anyOf": [obj({"x": STR}, ["x"]), array(STR)]},
     {"anyOf": [obj({"x": STR}, ["x"]), array({"type": ["string", "null"]})]},
     BF, "minor", [AnyOf(("nullable_added", "type_widened"))], absent=("union_branch_removed",))
# oneOf overlap: integers >= 10 now match two branches and become invalid
case("oneof-overlap-introduced-by-branch",
     {"oneOf": [integer(minimum=10), STR]},
     {"oneOf": [integer(minimum=10), STR, integer(minimum=0)]},
     BOTH, "minor", [Ch("union_branch_added"), Ch("oneof_overlap_introduced", "change")])
case("anyof-same-branch-added-no-overlap-issue",
     {"anyOf": [integer(minimum=10), STR]},
     {"anyOf": [integer(minimum=10), STR, integer(minimum=0)]},
     BF, "minor", [AnyOf(("union_branch_added", "numeric_range_loosened"))])
case("oneof-overlap-introduced-by-widening-branch",
     {"oneOf": [integer(minimum=10), integer(maximum=0)]},
     {"oneOf": [integer(minimum=10), integer(maximum=20)]},
     BOTH, "minor", [Ch("oneof_overlap_introduced", "change")])
case("oneof-overlap-strings",
     {"oneOf": [string(maxLength=5), string(minLength=10)]},
     {"oneOf": [string(maxLength=5), string(minLength=3)]},
     BOTH, "minor", [Ch("oneof_overlap_introduced", "change")])
# oneOf of overlapping branches is NOT a type set: integers match both and are rejected
case("oneof-integer-number-is-not-a-type-set", NUM, {"oneOf": [INT, NUM]}, BB, "minor")
case("oneof-to-anyof-overlapping",
     {"oneOf": [integer(minimum=0), integer(maximum=10)]},
     {"anyOf": [integer(minimum=0), integer(maximum=10)]},
     BF, "minor", [Ch("combinator_widened", "widen")])
case("anyof-to-oneof-overlapping",
     {"anyOf": [integer(minimum=0), integer(maximum=10)]},
     {"oneOf": [integer(minimum=0), integer(maximum=10)]},
     BB, "minor", [Ch("combinator_narrowed", "narrow")])
case("oneof-to-anyof-disjoint-equal", {"oneOf": [STR, INT]}, {"anyOf": [STR, INT]}, OK, REFAC)
case("anyof-singleton-unwrapped", {"anyOf": [string(maxLength=3)]}, string(maxLength=3), OK, REFAC)
case("oneof-singleton-unwrapped", {"oneOf": [string(maxLength=3)]}, string(maxLength=3), OK, REFAC)
case("allof-singleton-unwrapped", {"allOf": [string(maxLength=3)]}, string(maxLength=3), OK, REFAC)
case("allof-conjunct-added",
     {"allOf": [STR, {"minLength": 1}]}, {"allOf": [STR, {"minLength": 1}, {"maxLength": 5}]},
     BB, "minor", [AnyOf(("allof_conjunct_added", "string_length_tightened"))])
case("allof-conjunct-removed",
     {"allOf": [STR, {"minLength": 1}, {"maxLength": 5}]}, {"allOf": [STR, {"minLength": 1}]},
     BF, "minor", [AnyOf(("allof_conjunct_removed", "string_length_loosened"))])
case("allof-to-anyof",
     {"allOf": [string(minLength=1), string(maxLength=5)]},
     {"anyOf": [string(minLength=1), string(maxLength=5)]},
     BF, "minor", [Ch("combinator_widened", "widen")])
case("anyof-to-allof",
     {"anyOf": [string(minLength=1), string(maxLength=5)]},
     {"allOf": [string(minLength=1), string(maxLength=5)]},
     BB, "minor", [Ch("combinator_narrowed", "narrow")])
case("not-narrowed",  # inner widened -> outer narrowed
     string(**{"not": {"enum": ["a"]}}), string(**{"not": {"enum": ["a", "b"]}}),
     BB, "minor", [Ch("not_narrowed", "narrow")])
case("not-widened",
     string(**{"not": {"enum": ["a", "b"]}}), string(**{"not": {"enum": ["a"]}}),
     BF, "minor", [Ch("not_widened", "widen")])
case("not-added", STR, string(**{"not": {"const": ""}}),
     BB, "minor", [AnyOf(("not_narrowed", "subschema_added"))])
case("not-removed", string(**{"not": {"const": ""}}), STR,
     BF, "minor", [AnyOf(("not_widened", "subschema_removed"))])

# =============================================================================================
# 19. if / then / else
# =============================================================================================

_ADDR = {"country": STR, "postal": STR, "state": STR}
_IF_US = {"properties": {"country": {"const": "US"}}, "required": ["country"]}
_IF_CA = {"properties": {"country": {"const": "CA"}}, "required": ["country"]}
_COND = (("conditional_changed", "allof_conjunct_added", "subschema_added",
          "required_added", "allof_conjunct_removed", "subschema_removed", "required_removed",
          "union_branch_added", "union_branch_removed", "enum_values_added", "enum_values_removed"))
case("if-then-added",
     obj(_ADDR), obj(_ADDR, **{"if": _IF_US, "then": {"required": ["postal"]}}),
     BB, "minor", [AnyOf(_COND)])
case("if-then-removed",
     obj(_ADDR, **{"if": _IF_US, "then": {"required": ["postal"]}}), obj(_ADDR),
     BF, "minor", [AnyOf(_COND)])
case("if-then-tightened",
     obj(_ADDR, **{"if": _IF_US, "then": {"required": ["postal"]}}),
     obj(_ADDR, **{"if": _IF_US, "then": {"required": ["postal", "state"]}}),
     BB, "minor", [AnyOf(_COND)])
case("if-then-loosened",
     obj(_ADDR, **{"if": _IF_US, "then": {"required": ["postal", "state"]}}),
     obj(_ADDR, **{"if": _IF_US, "then": {"required": ["postal"]}}),
     BF, "minor", [AnyOf(_COND)])
case("if-condition-changed",
     obj(_ADDR, **{"if": _IF_US, "then": {"required": ["postal"]}}),
     obj(_ADDR, **{"if": _IF_CA, "then": {"required": ["postal"]}}),
     BOTH, "minor", [AnyOf(_COND)])
case("if-else-added",
     obj(_ADDR, **{"if": _IF_US, "then": {"required": ["postal"]}}),
     obj(_ADDR, **{"if": _IF_US, "then": {"required": ["postal"]}, "else": {"required": ["state"]}}),
     BB, "minor", [AnyOf(_COND)])
case("if-then-else-reordered-keys",
     obj(_ADDR, **{"if": _IF_US, "then": {"required": ["postal"]}, "else": {"required": ["state"]}}),
     obj(_ADDR, **{"else": {"required": ["state"]}, "then": {"required": ["postal"]}, "if": _IF_US}),
     OK, "none")

# =============================================================================================
# 20. annotations: never break, bump patch (§4)
# =============================================================================================

for _kw, _o, _n, _t in [
    ("description", None, "A name", "description_changed"),
    ("description", "A name", "The name", "description_changed"),
    ("description", "A name", None, "description_changed"),
    ("title", None, "Name", "title_changed"),
    ("title", "Name", "Full name", "title_changed"),
    ("default", None, "x", "default_changed"),
    ("default", "x", "y", "default_changed"),
    ("examples", ["x"], ["x", "y"], "examples_changed"),
    ("deprecated", None, True, "deprecated_changed"),
    ("deprecated", False, True, "deprecated_changed"),
    ("readOnly", None, True, "annotation_changed"),
    ("writeOnly", None, True, "annotation_changed"),
    ("$comment", None, "internal", "annotation_changed"),
    ("x-owner", None, "team-a", "annotation_changed"),
    ("x-owner", "team-a", "team-b", "annotation_changed"),
    ("contentEncoding", None, "base64", "annotation_changed"),
    ("contentMediaType", None, "application/json", "annotation_changed"),
]:
    _os = dict(STR) if _o is None else {**STR, _kw: _o}
    _ns = dict(STR) if _n is None else {**STR, _kw: _n}
    _verb = "added" if _o is None else ("removed" if _n is None else "changed")
    case(f"annotation-{_kw.lstrip('$')}-{_verb}", _os, _ns, OK, "patch", [Ch(_t, "neutral")])
    case(f"annotation-{_kw.lstrip('$')}-{_verb}-nested",
         obj({"a": _os}), obj({"a": _ns}), OK, "patch", [Ch(_t, "neutral")])
case("annotation-id-changed",
     {"$id": "https://example.com/a.json", **STR}, {"$id": "https://example.com/b.json", **STR},
     OK, "patch", [AnyOf(("annotation_changed", "schema_refactored"))])
case("annotation-schema-made-explicit", STR, {"$schema": D2020, **STR}, OK, REFAC)
case("annotation-many-at-once",
     obj({"a": STR}),
     obj({"a": string(description="d", title="t", examples=["e"], default="e", deprecated=True)},
         description="root", title="Root", **{"x-team": "core", "$comment": "c"}),
     OK, "patch", ["description_changed", "title_changed", "examples_changed", "default_changed",
                   "deprecated_changed"])
case("annotation-in-defs-target",
     defs(obj({"a": {"$ref": "#/$defs/A"}}), A=STR),
     defs(obj({"a": {"$ref": "#/$defs/A"}}), A=string(description="ref'd")),
     OK, "patch", [Ch("description_changed", "neutral")])
case("annotation-in-items",
     array(STR), array(string(examples=["a"])), OK, "patch", [Ch("examples_changed", "neutral")])
case("annotation-default-on-required-materialize-true",
     obj({"a": string(default="x")}, ["a"]), obj({"a": string(default="y")}, ["a"]),
     OK, "patch", [Ch("default_changed", "neutral")], defaults_materialize=True)
case("annotation-plus-real-change",
     string(description="old", maxLength=10), string(description="new", maxLength=5),
     BB, "minor", [Ch("description_changed", "neutral"), Ch("string_length_tightened", "narrow")])
case("annotation-plus-widening",
     obj({"a": INT}, title="T"), obj({"a": NUM}, title="T2"),
     BF, "minor", [Ch("title_changed", "neutral"), Ch("type_widened", "widen")])
# an unknown keyword is ignored (§1); reported as an annotation at most
case("unknown-keyword-changed", {**STR, "foo": 1}, {**STR, "foo": 2}, OK, REFAC)

# =============================================================================================
# 21. $ref refactors, unreachable definitions, recursion
# =============================================================================================

case("ref-inline-to-ref",
     obj({"a": string(maxLength=5)}),
     defs(obj({"a": {"$ref": "#/$defs/A"}}), A=string(maxLength=5)),
     OK, REFAC)
case("ref-ref-to-inline",
     defs(obj({"a": {"$ref": "#/$defs/A"}}), A=string(maxLength=5)),
     obj({"a": string(maxLength=5)}),
     OK, REFAC)
case("ref-definitions-to-defs",
     {**obj({"a": {"$ref": "#/definitions/A"}}), "definitions": {"A": INT}},
     defs(obj({"a": {"$ref": "#/$defs/A"}}), A=INT),
     OK, REFAC)
case("ref-def-renamed",
     defs(obj({"a": {"$ref": "#/$defs/A"}}), A=INT),
     defs(obj({"a": {"$ref": "#/$defs/Amount"}}), Amount=INT),
     OK, REFAC)
case("ref-json-pointer-to-property",
     obj({"a": string(maxLength=3), "b": {"$ref": "#/properties/a"}}),
     obj({"a": string(maxLength=3), "b": string(maxLength=3)}),
     OK, REFAC)
case("ref-root-ref-to-inline",
     {"$ref": "#/$defs/Root", "$defs": {"Root": obj({"a": STR}, ["a"])}},
     obj({"a": STR}, ["a"]),
     OK, REFAC)
case("ref-target-tightened",
     defs(obj({"a": {"$ref": "#/$defs/A"}}), A=string(maxLength=10)),
     defs(obj({"a": {"$ref": "#/$defs/A"}}), A=string(maxLength=5)),
     BB, "minor", [Ch("string_length_tightened", "narrow")])
case("ref-target-shared-widened",
     defs(obj({"a": {"$ref": "#/$defs/A"}, "b": array({"$ref": "#/$defs/A"})}), A=INT),
     defs(obj({"a": {"$ref": "#/$defs/A"}, "b": array({"$ref": "#/$defs/A"})}), A=NUM),
     BF, "minor", [Ch("type_widened", "widen")])
case("ref-inline-to-ref-with-change",
     obj({"a": string(maxLength=5)}),
     defs(obj({"a": {"$ref": "#/$defs/A"}}), A=string(maxLength=3)),
     BB, "minor", [Ch("string_length_tightened", "narrow")])
case("ref-unreachable-def-changed",  # unreachable definitions are ignored (§3.2)
     defs(obj({"a": STR}), Unused=STR), defs(obj({"a": STR}), Unused=INT), OK, REFAC)
case("ref-unreachable-def-added", obj({"a": STR}), defs(obj({"a": STR}), Unused=INT), OK, REFAC)
case("ref-unreachable-def-removed", defs(obj({"a": STR}), Unused=INT), obj({"a": STR}), OK, REFAC)
case("ref-siblings-applied-2020",
     {"$ref": "#/$defs/S", "$defs": {"S": STR}},
     {"$ref": "#/$defs/S", "maxLength": 5, "$defs": {"S": STR}},
     BB, "minor", [Ch("string_length_tightened", "narrow")])
case("ref-siblings-ignored-draft07",
     d7({"$ref": "#/definitions/S", "definitions": {"S": STR}}),
     d7({"$ref": "#/definitions/S", "maxLength": 5, "definitions": {"S": STR}}),
     OK, REFAC)
case("recursive-value-widened", tree(INT), tree(NUM), BF, "minor", [Ch("type_widened", "widen")])
case("recursive-value-tightened", tree(INT), tree(integer(minimum=0)),
     BB, "minor", [Ch("numeric_range_tightened", "narrow")])
case("recursive-optional-prop-added", tree(INT), tree(INT, label=STR),
     OK, "minor", [Ch("property_added", "neutral")])
case("recursive-required-added",
     tree(INT), {**tree(INT), "required": ["value"]},
     BB, "minor", [Ch("required_added", "narrow")])
# co-inductive comparison: a tree and its one-level unrolling denote the same set
case("recursive-unrolled-once-equal",
     tree(INT),
     obj({"value": INT, "children": array(obj({"value": INT, "children": array({"$ref": "#"})}))}),
     OK, REFAC)
_PERSON_COMPANY = {
    "$ref": "#/$defs/Person",
    "$defs": {
        "Person": obj({"name": STR, "employer": {"$ref": "#/$defs/Company"}}),
        "Company": obj({"name": STR, "staff": array({"$ref": "#/$defs/Person"})}),
    },
}
_PC2 = copy.deepcopy(_PERSON_COMPANY)
_PC2["$defs"]["Company"]["properties"]["name"] = string(maxLength=50)
case("recursive-mutual-tightened", _PERSON_COMPANY, _PC2,
     BB, "minor", [Ch("string_length_tightened", "narrow")])
case("recursive-mutual-identical", _PERSON_COMPANY, copy.deepcopy(_PERSON_COMPANY), OK, "none")
case("ref-fanout-16-leaf-changed", fanout(16, STR), fanout(16, INT),
     BOTH, "minor", [Ch("type_changed", "change")])
case("ref-fanout-16-leaf-widened", fanout(16, INT), fanout(16, NUM),
     BF, "minor", [Ch("type_widened", "widen")])

# =============================================================================================
# 22. table profile (§7)
# =============================================================================================

_NSTR = {"type": ["string", "null"]}


def tcase(id, old, new, verdict, kind, changes=(), absent=(), **options):
    case(f"table-{id}", old, new, verdict, kind, changes, absent, profile="table", **options)


# rule 1: absent == NULL
tcase("optional-equals-required-nullable", obj({"a": STR}), obj({"a": _NSTR}, ["a"]), OK, REFAC)
tcase("required-nullable-equals-optional", obj({"a": _NSTR}, ["a"]), obj({"a": STR}), OK, REFAC)
tcase("optional-null-spelled-out-equal", obj({"a": STR}), obj({"a": _NSTR}), OK, REFAC)
tcase("not-null-added-from-nullable", obj({"a": _NSTR}), obj({"a": STR}, ["a"]),
      BB, "minor", [AnyOf(("required_added", "nullable_removed"))])
tcase("not-null-added-from-optional", obj({"a": STR}), obj({"a": STR}, ["a"]),
      BB, "minor", [AnyOf(("required_added", "nullable_removed"))])
tcase("not-null-dropped-to-nullable", obj({"a": STR}, ["a"]), obj({"a": _NSTR}, ["a"]),
      BF, "minor", [AnyOf(("required_removed", "nullable_added"))])
tcase("not-null-dropped-to-optional", obj({"a": STR}, ["a"]), obj({"a": STR}),
      BF, "minor", [AnyOf(("required_removed", "nullable_added"))])
# rule 2: readers tolerate extra columns, even under additionalProperties: false
tcase("column-added-closed", obj({"a": STR}, additionalProperties=False),
      obj({"a": STR, "b": STR}, additionalProperties=False), OK, "minor", ["property_added"])
tcase("column-added-open", obj({"a": STR}), obj({"a": STR, "b": STR}), OK, "minor", ["property_added"])
tcase("column-added-not-null", obj({"a": STR}), obj({"a": STR, "b": STR}, ["b"]),
      BB, "minor", ["property_added"])
# a required nullable column is the same as an optional one: old rows read b as NULL
tcase("column-added-required-nullable", obj({"a": STR}), obj({"a": STR, "b": _NSTR}, ["b"]),
      OK, "minor", ["property_added"])
tcase("struct-field-added-closed",
      obj({"s": obj({"x": STR}, additionalProperties=False)}),
      obj({"s": obj({"x": STR, "y": INT}, additionalProperties=False)}),
      OK, "minor", ["property_added"])
# rule 3 (revised): removing / renaming a column breaks in every mode but none, even if it was
# nullable — consumers' SQL selects it, so neither direction of the set semantics protects them.
tcase("column-removed-nullable", obj({"a": STR, "b": _NSTR}), obj({"a": STR}),
      BOTH, "minor", [Ch("property_removed", "change")])
tcase("column-removed-closed", obj({"a": STR, "b": STR}, additionalProperties=False),
      obj({"a": STR}, additionalProperties=False), BOTH, "minor", [Ch("property_removed", "change")])
tcase("column-removed-required", obj({"a": STR, "b": STR}, ["a", "b"]), obj({"a": STR}, ["a"]),
      BOTH, "minor", [Ch("property_removed", "change")])
tcase("column-renamed", obj({"a": STR, "b": STR}), obj({"a": STR, "c": STR}),
      BOTH, "minor", [Ch("property_removed", "change"), Ch("property_added", "neutral")])
tcase("struct-field-removed-in-items",
      obj({"rows": array(obj({"x": STR, "y": STR}))}), obj({"rows": array(obj({"x": STR}))}),
      BOTH, "minor", [Ch("property_removed", "change")])
tcase("struct-field-removed-nested", obj({"s": obj({"x": STR, "y": INT})}),
      obj({"s": obj({"x": STR})}), BOTH, "minor", [Ch("property_removed", "change")])
# the seed's impact example: an ordinary (open) object loses `email`
tcase("seed-impact-email-removed-open",
      obj({"id": INT, "email": STR, "name": STR}, ["id"]), obj({"id": INT, "name": STR}, ["id"]),
      BOTH, "minor", [Ch("property_removed", "change", "$.properties.email")])
# a map-like object inside a table keeps the event rules: removing a named key of an open map
tcase("map-named-key-removed-event-rules",
      obj({"m": obj({"k": STR}, additionalProperties=STR)}), obj({"m": obj(additionalProperties=STR)}),
      OK, "minor", [Ch("property_removed", "neutral")])
# rule 4: column order is not significant
tcase("columns-reordered", obj({"a": STR, "b": INT, "c": BOOL}), obj({"c": BOOL, "b": INT, "a": STR}),
      OK, "none")
tcase("identical", obj({"a": STR, "b": _NSTR}, ["a"]), obj({"a": STR, "b": _NSTR}, ["a"]), OK, "none")
# column types follow the ordinary rules
tcase("column-type-widened", obj({"n": INT}), obj({"n": NUM}), BF, "minor", [Ch("type_widened", "widen")])
tcase("column-type-narrowed", obj({"n": NUM}), obj({"n": INT}), BB, "minor", [Ch("type_narrowed", "narrow")])
tcase("column-type-changed", obj({"n": INT}), obj({"n": STR}), BOTH, "minor", [Ch("type_changed", "change")])
tcase("column-length-tightened", obj({"s": string(maxLength=10)}), obj({"s": string(maxLength=5)}),
      BB, "minor", [Ch("string_length_tightened", "narrow")])
tcase("column-enum-value-removed", obj({"s": {"enum": ["a", "b"]}}), obj({"s": {"enum": ["a"]}}),
      BB, "minor", [Ch("enum_values_removed", "narrow")])
# map-like objects keep the event rules
tcase("map-value-tightened", obj({"m": obj(additionalProperties=STR)}),
      obj({"m": obj(additionalProperties=string(maxLength=5))}),
      BB, "minor", [Ch("string_length_tightened", "narrow")])
tcase("map-value-widened", obj({"m": obj(additionalProperties=INT)}),
      obj({"m": obj(additionalProperties=NUM)}), BF, "minor", [Ch("type_widened", "widen")])
tcase("description-only", obj({"a": STR}), obj({"a": string(description="col a")}),
      OK, "patch", [Ch("description_changed", "neutral")])

tcase("nullable-spellings-equal", obj({"a": {"anyOf": [STR, NULL]}}), obj({"a": _NSTR}),
      OK, REFAC, absent=("nullable_added", "nullable_removed"))
tcase("struct-field-not-null-added-in-items",
      obj({"rows": array(obj({"x": STR}))}), obj({"rows": array(obj({"x": STR}, ["x"]))}),
      BB, "minor", [AnyOf(("required_added", "nullable_removed"))])
tcase("struct-field-added-closed-in-items",
      obj({"rows": array(obj({"x": STR}, additionalProperties=False))}),
      obj({"rows": array(obj({"x": STR, "y": STR}, additionalProperties=False))}),
      OK, "minor", ["property_added"])

# explicit profile="event" is the default
case("explicit-event-profile-closed-add",
     obj({"a": STR}, additionalProperties=False), obj({"a": STR, "b": STR}, additionalProperties=False),
     BF, "minor", [Ch("property_added", "widen")], profile="event")


# ---------------------------------------------------------------------------------------------
# expectations derived from a case
# ---------------------------------------------------------------------------------------------

def expected_breaking(c: Case, mode: str):
    bb, fb = c.verdict
    if mode == "backward":
        return bb
    if mode == "forward":
        return fb
    if mode in ("full", "none_as_full"):
        if bb is True or fb is True:
            return True
        if bb is None or fb is None:
            return None
        return False
    if mode == "none":
        return False
    raise AssertionError(mode)


def expected_bump(c: Case, mode: str):
    judged = expected_breaking(c, "none_as_full" if mode == "none" else mode)
    if judged is None:
        return None
    if judged:
        return {"major"}
    return set(c.kind) if isinstance(c.kind, frozenset) else {c.kind}


def run(c: Case, mode: str):
    return compare(copy.deepcopy(c.old), copy.deepcopy(c.new), mode=mode, profile=c.profile,
                   **c.options)


def describe(result):
    return [(ch.type, ch.path, ch.effect) for ch in result.changes]


# ---------------------------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_verdict_and_bump(c: Case, mode: str):
    result = run(c, mode)
    want = expected_breaking(c, mode)
    if want is not None:
        assert result.is_breaking is want, (
            f"{c.id} [{mode}]: is_breaking={result.is_breaking}, expected {want}; "
            f"changes={describe(result)}")
    bumps = expected_bump(c, mode)
    if bumps is not None:
        assert result.bump in bumps, (
            f"{c.id} [{mode}]: bump={result.bump!r}, expected one of {sorted(bumps)}; "
            f"changes={describe(result)}")


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_reported_changes(c: Case):
    result = run(c, "full")
    reported = list(result.changes)
    types = {ch.type for ch in reported}
    for ch in reported:  # the vocabulary of §5 is closed
        assert ch.type in VOCABULARY, f"{c.id}: unknown change type {ch.type!r}"
        assert ch.effect in EFFECTS, f"{c.id}: unknown effect {ch.effect!r} on {ch.type}"
        assert isinstance(ch.path, str) and ch.path.startswith("$"), f"{c.id}: bad path {ch.path!r}"
    for want in c.changes:
        if isinstance(want, AnyOf):
            assert types & set(want.types), (
                f"{c.id}: expected one of {want.types}, got {describe(result)}")
            continue
        matches = [ch for ch in reported if ch.type == want.type]
        assert matches, f"{c.id}: expected a {want.type} change, got {describe(result)}"
        if want.effect is not None:
            assert any(ch.effect == want.effect for ch in matches), (
                f"{c.id}: expected {want.type} with effect {want.effect}, got {describe(result)}")
        if want.path is not None:
            assert any(ch.path == want.path for ch in matches), (
                f"{c.id}: expected {want.type} at {want.path}, got {describe(result)}")
    for unwanted in c.absent:
        assert unwanted not in types, f"{c.id}: did not expect {unwanted}, got {describe(result)}"


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_changes_explain_verdict(c: Case):
    """A breaking verdict is explained by a breaking change; an equal or annotation-only edit
    reports only neutral changes; identical schemas report nothing."""
    result = run(c, "full")
    effects = {ch.effect for ch in result.changes}
    bb, fb = c.verdict
    if bb:
        assert effects & {"narrow", "change"}, f"{c.id}: backward-breaking but {describe(result)}"
    if fb:
        assert effects & {"widen", "change"}, f"{c.id}: forward-breaking but {describe(result)}"
    kinds = c.kind if isinstance(c.kind, frozenset) else {c.kind}
    if c.verdict == OK and kinds <= {"patch", "none"}:
        assert effects <= {"neutral"}, f"{c.id}: equal value sets but {describe(result)}"
    if kinds == {"none"}:
        assert not list(result.changes), f"{c.id}: identical schemas but {describe(result)}"


# ---------------------------------------------------------------------------------------------
# transitive modes (§1: closure is not transitive)
# ---------------------------------------------------------------------------------------------

@dataclass
class History:
    id: str
    versions: list          # oldest first; the last one is the candidate
    latest: tuple           # (bb, fb) of versions[-2] -> versions[-1]
    transitive: tuple       # (bb, fb) against every earlier version
    kind: str = "minor"     # non-breaking bump of versions[-2] -> versions[-1]


_ANY_A = obj({"a": STR})
HISTORIES = [
    # the spec's example: drop optional a:string, later re-add a:integer
    History("drop-then-readd-other-type",
            [obj({"a": STR}), obj({}), obj({"a": INT})], OK, BOTH),
    History("drop-then-readd-narrower",
            [obj({"a": STR}), obj({}), obj({"a": string(maxLength=5)})], OK, BB),
    History("drop-then-readd-wider",
            [obj({"a": string(maxLength=5)}), obj({}), obj({"a": STR})], OK, BF),
    History("long-history-first-version-conflicts",
            [obj({"a": STR}), obj({}), obj({"b": STR}), obj({"b": STR, "a": INT})], OK, BOTH),
    History("closed-then-opened-then-extended",  # v1 readers reject the new property b
            [obj({"a": STR}, additionalProperties=False), obj({"a": STR}),
             obj({"a": STR, "b": STR})], OK, BF),
    History("consistent-optional-additions",
            [obj({"a": STR}), obj({"a": STR, "b": STR}), obj({"a": STR, "b": STR, "c": STR})],
            OK, OK),
    History("latest-step-breaks",
            [obj({"a": STR}), obj({"a": STR}), obj({"a": INT})], BOTH, BOTH),
    History("monotone-widening",
            [string(maxLength=5), string(maxLength=10), string(maxLength=20)], BF, BF),
    History("widen-then-narrow-below-start",
            [string(maxLength=10), string(maxLength=20), string(maxLength=5)], BB, BB),
    History("enum-grows-then-drops-original",
            [{"enum": ["a"]}, {"enum": ["a", "b"]}, {"enum": ["b"]}], BB, BOTH),
    History("no-history", [obj({}), obj({"a": INT})], OK, OK),
    History("history-identical-versions",
            [_ANY_A, copy.deepcopy(_ANY_A), copy.deepcopy(_ANY_A)], OK, OK, "none"),
    # latest step only widens (5 -> 8) but v1 allowed 10: transitively it also narrows
    History("narrow-then-partly-widen",
            [string(maxLength=10), string(maxLength=5), string(maxLength=8)], BF, BOTH),
    History("format-widened-then-narrowed-back",
            [string(format="email"), string(format="idn-email"), string(format="email")], BB, BB),
    History("closed-property-dropped-and-readded-differently",
            [obj({"a": STR}, additionalProperties=False), obj({}, additionalProperties=False),
             obj({"a": INT}, additionalProperties=False)], BF, BOTH),
]


def _expect(verdict, base):
    bb, fb = verdict
    return {"backward": bb, "forward": fb, "full": bb or fb}[base]


@pytest.mark.parametrize("mode", TRANSITIVE_MODES)
@pytest.mark.parametrize("h", HISTORIES, ids=[h.id for h in HISTORIES])
def test_transitive(h: History, mode: str):
    *history, old, new = [copy.deepcopy(v) for v in h.versions]
    result = compare(old, new, mode=mode, history=history)
    if mode == "none":
        breaking, judged = False, _expect(h.latest, "full")
    elif mode.endswith("_transitive"):
        breaking = judged = _expect(h.transitive, mode[: -len("_transitive")])
    else:
        breaking = judged = _expect(h.latest, mode)
    assert result.is_breaking is breaking, f"{h.id} [{mode}]: {describe(result)}"
    assert result.bump == ("major" if judged else h.kind), f"{h.id} [{mode}]: bump {result.bump}"


# ---------------------------------------------------------------------------------------------
# mode names, errors, result shape
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode,breaking", [
    ("BACKWARD", True), ("Backward", True), ("FORWARD", False), ("Full", True), ("NONE", False),
    ("BACKWARD_TRANSITIVE", True), ("Forward_Transitive", False), ("FULL_TRANSITIVE", True),
])
def test_mode_names_are_case_insensitive(mode, breaking):
    result = compare(string(maxLength=10), string(maxLength=5), mode=mode, history=[])
    assert result.is_breaking is breaking
    assert result.bump == ("major" if mode.lower() != "forward" and mode.lower() != "forward_transitive"
                           else "minor")


@pytest.mark.parametrize("old,new", [
    pytest.param(STR, {"$ref": "https://example.com/schemas/missing.json"}, id="external-ref-new"),
    pytest.param({"$ref": "https://example.com/schemas/missing.json"}, STR, id="external-ref-old"),
    pytest.param(STR, {"$ref": "#/$defs/Missing"}, id="dangling-local-ref"),
    pytest.param(obj({"a": {"$ref": "#/properties/nope"}}), STR, id="dangling-pointer"),
    pytest.param(STR, {"type": "strin"}, id="unknown-type-name"),
    pytest.param(STR, {"type": 5}, id="type-not-a-string"),
    pytest.param(STR, string(pattern="(unclosed"), id="invalid-regex"),
    pytest.param(STR, string(maxLength=-1), id="negative-max-length"),
    pytest.param(STR, ["not", "a", "schema"], id="list-is-not-a-schema"),
    pytest.param("string", STR, id="string-is-not-a-schema"),
])
def test_invalid_input_raises_schema_error(old, new):
    assert issubclass(SchemaError, ValueError)
    with pytest.raises(SchemaError):
        compare(old, new, mode="backward")


def test_unknown_mode_is_rejected():
    with pytest.raises(ValueError):
        compare(STR, STR, mode="sideways")


@pytest.mark.parametrize("c", [c for c in CASES if c.id in {
    "prop-removed-optional-ap-false", "enum-values-replaced", "type-nested-property-path",
    "range-min-added-max-removed", "annotation-many-at-once"}], ids=lambda c: c.id)
def test_result_shape(c: Case):
    result = run(c, "backward")
    assert result.bump in {"major", "minor", "patch", "none"}
    assert isinstance(result.is_breaking, bool)
    json.dumps(result.to_dict())  # serialisable as-is
    for ch in result.changes:
        for attr in ("type", "path", "effect", "old_value", "new_value", "description"):
            assert hasattr(ch, attr), f"change lacks {attr}"
        assert isinstance(ch.description, str) and ch.description.strip()


def test_property_removed_description_names_the_property():
    c = next(c for c in CASES if c.id == "prop-removed-optional-ap-false")
    result = run(c, "backward")
    removed = [ch for ch in result.changes if ch.type == "property_removed"]
    assert removed and "email" in removed[0].description


# ---------------------------------------------------------------------------------------------
# the table itself: every schema is valid against its meta-schema
# ---------------------------------------------------------------------------------------------

def _check_meta(schema):
    import jsonschema
    if isinstance(schema, bool):
        return
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_table_schemas_are_valid(c: Case):
    _check_meta(c.old)
    _check_meta(c.new)


def test_table_size():
    assert len(CASES) >= 400
