"""Modes (incl. transitive and case-insensitive names), bump (§6), table profile (§7),
content_model="strict", defaults_materialize, result shape."""
import json

import pytest

from accord.schemadiff import MODES, SchemaError, compare

STR = {"type": "string"}
INT = {"type": "integer"}


def obj(props=None, required=(), **kw):
    s = {"type": "object", "properties": props or {}}
    if required:
        s["required"] = list(required)
    s.update(kw)
    return s


NARROW = (obj({"a": STR}), obj({"a": STR}, ["a"]))           # backward-breaking only
WIDEN = (obj({"n": INT}), obj({"n": {"type": "number"}}))     # forward-breaking only
CHANGE = (obj({"n": INT}), obj({"n": STR}))                   # both


@pytest.mark.parametrize("pair,mode,breaking,bump", [
    (NARROW, "backward", True, "major"), (NARROW, "forward", False, "minor"),
    (NARROW, "full", True, "major"), (NARROW, "none", False, "major"),
    (WIDEN, "backward", False, "minor"), (WIDEN, "forward", True, "major"),
    (WIDEN, "full", True, "major"), (WIDEN, "none", False, "major"),
    (CHANGE, "backward", True, "major"), (CHANGE, "forward", True, "major"),
])
def test_modes(pair, mode, breaking, bump):
    r = compare(*pair, mode=mode)
    assert r.is_breaking is breaking
    assert r.bump == bump
    assert bool(r.breaking_changes) is breaking
    assert r.mode == mode


@pytest.mark.parametrize("spelling", ["BACKWARD", "Backward", " backward ", "backward-transitive",
                                      "FULL_TRANSITIVE"])
def test_mode_names_are_case_insensitive(spelling):
    assert compare(STR, STR, mode=spelling).mode in MODES


@pytest.mark.parametrize("bad", ["sideways", "", None, 3])
def test_unknown_mode(bad):
    with pytest.raises(SchemaError):
        compare(STR, STR, mode=bad)


def test_unknown_option_and_profile():
    with pytest.raises(SchemaError):
        compare(STR, STR, bogus=True)
    with pytest.raises(SchemaError):
        compare(STR, STR, profile="graph")
    with pytest.raises(SchemaError):
        compare(STR, STR, content_model="loose")


def test_transitive_checks_every_earlier_version():
    v1, v2, v3 = obj({"a": STR}), obj({}), obj({"a": INT})
    assert not compare(v2, v3, mode="backward", history=[v1]).is_breaking
    r = compare(v2, v3, mode="backward_transitive", history=[v1])
    assert r.is_breaking and r.bump == "major"
    assert all(c.against == "history[0]" for c in r.breaking_changes)
    assert "history[0]" in r.breaking_changes[0].description
    assert r.to_dict()["breaking_changes"][0]["against"] == "history[0]"
    r = compare(v2, v3, mode="forward_transitive", history=[v1])
    assert r.is_breaking
    # the changes list is always the latest step; history only adds breaking changes
    assert [c.type for c in r.changes] == ["property_added"]


def test_transitive_without_history_is_plain_mode():
    assert compare(*NARROW, mode="backward_transitive").is_breaking
    assert not compare(*NARROW, mode="forward_transitive", history=[]).is_breaking


def test_none_mode_with_history_bumps_like_full_on_latest():
    r = compare(obj({}), obj({"a": INT}), mode="none", history=[obj({"a": STR})])
    assert not r.is_breaking and r.bump == "minor" and r.breaking_changes == []


@pytest.mark.parametrize("old,new,bump", [
    (STR, STR, "none"),
    (obj({"a": STR, "b": INT}), obj({"b": INT, "a": STR}), "none"),
    (STR, {"type": "string", "description": "x"}, "patch"),
    ({"type": ["string", "null"]}, {"anyOf": [STR, {"type": "null"}]}, "patch"),
    (obj({"a": STR}), obj({"a": STR, "b": STR}), "minor"),
    (obj({"a": STR}), obj({"a": STR}, ["a"]), "major"),
])
def test_bump(old, new, bump):
    assert compare(old, new, mode="backward").bump == bump


def test_table_profile_rules():
    nstr = {"type": ["string", "null"]}
    t = dict(profile="table", mode="full")
    # 1. absent == NULL
    assert compare(obj({"a": STR}), obj({"a": nstr}, ["a"]), **t).bump in ("none", "patch")
    r = compare(obj({"a": STR}, ["a"]), obj({"a": STR}), **t)
    assert r.forward_breaking and not r.backward_breaking
    # 2. adding a column never breaks forward, even when closed
    r = compare(obj({"a": STR}, additionalProperties=False),
                obj({"a": STR, "b": STR}, additionalProperties=False), **t)
    assert not r.is_breaking and r.bump == "minor"
    r = compare(obj({"a": STR}), obj({"a": STR, "b": STR}, ["b"]), **t)
    assert r.backward_breaking and not r.forward_breaking
    # 3. removing a column breaks in every mode but none, even if nullable
    r = compare(obj({"a": STR, "b": nstr}), obj({"a": STR}), **t)
    assert r.forward_breaking and r.backward_breaking
    for mode in ("backward", "forward", "full", "backward_transitive"):
        assert compare(obj({"a": STR, "b": nstr}), obj({"a": STR}), profile="table", mode=mode).is_breaking
    assert not compare(obj({"a": STR, "b": nstr}), obj({"a": STR}), profile="table", mode="none").is_breaking
    # struct fields through items
    r = compare(obj({"rows": {"type": "array", "items": obj({"x": STR, "y": STR})}}),
                obj({"rows": {"type": "array", "items": obj({"x": STR})}}), **t)
    assert r.forward_breaking and r.backward_breaking
    # map-like objects keep the event rules
    r = compare(obj({"m": {"type": "object", "additionalProperties": STR}}),
                obj({"m": {"type": "object", "additionalProperties": {"type": "string",
                                                                      "maxLength": 2}}}), **t)
    assert r.backward_breaking and not r.forward_breaking


def test_event_vs_table_profile_differ():
    old, new = obj({"a": STR, "b": STR}, additionalProperties=False), \
        obj({"a": STR}, additionalProperties=False)
    ev = compare(old, new, mode="full")
    tb = compare(old, new, mode="full", profile="table")
    assert (ev.backward_breaking, ev.forward_breaking) == (True, False)
    assert (tb.backward_breaking, tb.forward_breaking) == (True, True)
    # an open object: the event profile still accepts the property, the table loses a column
    old, new = obj({"a": STR, "b": STR}), obj({"a": STR})
    assert not compare(old, new, mode="full").is_breaking
    assert compare(old, new, mode="backward", profile="table").is_breaking
    # adding to a closed object: a widening for events, nothing for tables
    old, new = obj({"a": STR}, additionalProperties=False), obj({"a": STR, "b": STR}, additionalProperties=False)
    assert compare(old, new, mode="forward").is_breaking
    assert not compare(old, new, mode="forward", profile="table").is_breaking


def test_strict_content_model():
    old, new = obj({"a": STR}), obj({"a": STR, "b": STR})
    assert not compare(old, new, mode="full").is_breaking
    r = compare(old, new, mode="full", content_model="strict")
    assert r.backward_breaking and not r.forward_breaking
    assert compare(old, new, mode="full", content_model="default").changes[0].effect == "neutral"


def test_defaults_materialize():
    old = obj({"a": STR, "b": {"type": "string", "default": "x"}})
    new = obj({"a": STR, "b": {"type": "string", "default": "x"}}, ["b"])
    assert compare(old, new).is_breaking
    r = compare(old, new, defaults_materialize=True)
    assert not r.is_breaking and r.bump == "minor"


def test_result_shape_and_json():
    r = compare(*CHANGE, mode="full")
    d = r.to_dict()
    assert set(d) == {"is_breaking", "bump", "mode", "changes", "breaking_changes"}
    assert d["is_breaking"] is True and d["bump"] == "major" and d["mode"] == "full"
    assert set(d["changes"][0]) >= {"type", "path", "effect", "old_value", "new_value",
                                    "description"}
    json.loads(json.dumps(d))
    assert r.backward_breaking and r.forward_breaking
