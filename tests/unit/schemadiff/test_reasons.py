"""Reason clauses (schema-compatibility §7): every reported change says, in one clause, why it
does or does not break under the compared mode and profile — and the clause agrees with the
verdict ("breaks: ..." exactly for the changes in breaking_changes)."""
import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.schemadiff import MODES, compare, compare_guarantees

from .strategies import mutated, schemas
from .test_case_table import CASES
from .test_properties import SETTINGS

STR, INT = {"type": "string"}, {"type": "integer"}
NSTR = {"type": ["string", "null"]}


def obj(props, required=(), **kw):
    return {"type": "object", "properties": props, **({"required": list(required)} if required else {}), **kw}


def reasons(result):
    return {(c.type, c.path): c.reason for c in result.changes}


def _agrees(result):
    broken = {id(c) for c in result.breaking_changes}
    for c in [*result.changes, *result.breaking_changes]:
        want = "breaks: " if id(c) in broken else "compatible: "
        assert c.reason.startswith(want) and len(c.reason) > len(want) + 5, (c.to_dict(), want)
        assert c.to_dict()["reason"] == c.reason


@pytest.mark.parametrize("mode", MODES)
def test_every_corpus_change_has_a_reason_that_agrees_with_the_verdict(mode):
    for c in CASES:
        _agrees(compare(copy.deepcopy(c.old), copy.deepcopy(c.new), mode=mode, profile=c.profile, **c.options))


@settings(max_examples=60, **SETTINGS)
@given(st.data(), st.sampled_from(MODES), st.sampled_from(["event", "table"]))
def test_reasons_agree_on_generated_pairs(data, mode, profile):
    old = data.draw(schemas(depth=3))
    new = data.draw(mutated(old))
    _agrees(compare(old, new, mode=mode, profile=profile, history=[old]))


def test_table_profile_clauses():
    removed = compare(obj({"id": INT, "email": STR}), obj({"id": INT}), mode="backward", profile="table")
    assert reasons(removed) == {("property_removed", "$.properties.email"): "breaks: consumers select this column"}
    assert reasons(compare(obj({"id": INT, "email": STR}), obj({"id": INT}), mode="none", profile="table")) == {
        ("property_removed", "$.properties.email"): "compatible: mode none checks nothing"}
    added = compare(obj({"id": INT}), obj({"id": INT, "email": STR}), mode="full", profile="table")
    assert reasons(added) == {("property_added", "$.properties.email"):
                              "compatible: readers ignore an added optional column"}
    not_null = obj({"id": INT, "email": STR}, ["email"])
    assert reasons(compare(obj({"id": INT}), not_null, mode="backward", profile="table")) == {
        ("property_added", "$.properties.email"): "breaks: rows written before have no value for this NOT NULL column"}
    assert reasons(compare(obj({"id": INT}), not_null, mode="forward", profile="table")) == {
        ("property_added", "$.properties.email"): "compatible: readers of the old schema ignore the added column"}
    nullable = compare(obj({"e": STR}, ["e"]), obj({"e": NSTR}, ["e"]), mode="forward", profile="table")
    assert list(reasons(nullable).values()) == ["breaks: consumers may now read NULL from this column"]
    nullable = compare(obj({"e": STR}, ["e"]), obj({"e": NSTR}, ["e"]), mode="backward", profile="table")
    assert list(reasons(nullable).values()) == ["compatible: every existing row still fits a nullable column"]


def test_event_profile_clauses():
    # the same removal from an open object: the event profile still accepts the property
    r = compare(obj({"id": INT, "email": STR}), obj({"id": INT}), mode="full")
    assert list(reasons(r).values()) == ["compatible: the object stays open, so the property is still accepted"]
    closed = compare(obj({"id": INT, "email": STR}, additionalProperties=False),
                     obj({"id": INT}, additionalProperties=False), mode="backward")
    assert reasons(closed)[("property_removed", "$.properties.email")] == \
        "breaks: data carrying this property is now rejected"
    narrowed = compare({"type": "string", "maxLength": 9}, {"type": "string", "maxLength": 3}, mode="forward")
    assert [c.reason for c in narrowed.changes] == \
        ["compatible: it only narrows what is accepted, which forward mode allows"]
    assert compare({"type": "string"}, {"type": "string", "description": "d"}).changes[0].reason == \
        "compatible: annotations do not constrain data"


def test_transitive_reason_against_history():
    v1, v2, v3 = obj({"a": STR}), obj({}), obj({"a": INT})
    r = compare(v2, v3, mode="backward_transitive", history=[v1])
    assert r.is_breaking and all(c.reason.startswith("breaks: ") for c in r.breaking_changes)
    assert any(c.against == "history[0]" for c in r.breaking_changes)


def test_guarantee_clauses():
    old, new = {"freshness": {"max_staleness_minutes": 30}}, {"freshness": {"max_staleness_minutes": 60}}
    assert compare_guarantees(old, new).changes[0].reason.startswith("compatible: relaxing a guarantee is a warning")
    assert compare_guarantees(old, new, guarantee_mode="strict").changes[0].reason == \
        "breaks: the line's strict guarantee mode forbids relaxing a guarantee"
    assert compare_guarantees(new, old).changes[0].reason == \
        "compatible: a tighter guarantee only promises consumers more"
