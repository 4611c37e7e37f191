"""Guarantees diff (§8)."""
import json

import pytest

from accord.schemadiff import SchemaError, compare_guarantees


def types(d):
    return [(c.type, c.path, c.effect) for c in d.changes]


def test_identical_and_empty():
    g = {"freshness": {"max_staleness_minutes": 60}, "volume": {"min_rows": 10}}
    d = compare_guarantees(g, json.loads(json.dumps(g)))
    assert d.changes == [] and not d.is_breaking
    assert compare_guarantees(None, {}).changes == []


def test_freshness_tightened_and_relaxed():
    d = compare_guarantees({"freshness": {"max_staleness_minutes": 60}},
                           {"freshness": {"max_staleness_minutes": 30}})
    assert types(d) == [("guarantee_tightened", "$.freshness.max_staleness_minutes", "narrow")]
    assert not d.is_breaking and d.warnings == []
    d = compare_guarantees({"freshness": {"max_staleness_minutes": 30}},
                           {"freshness": {"max_staleness_minutes": 60}})
    assert types(d) == [("guarantee_relaxed", "$.freshness.max_staleness_minutes", "widen")]
    assert not d.is_breaking and len(d.warnings) == 1
    assert compare_guarantees({"freshness": {"max_staleness_minutes": 30}},
                              {"freshness": {"max_staleness_minutes": 60}},
                              guarantee_mode="strict").is_breaking


def test_warn_after_period_units():
    d = compare_guarantees({"freshness": {"warn_after": {"count": 2, "period": "hour"}}},
                           {"freshness": {"warn_after": {"count": 90, "period": "minute"}}})
    assert types(d)[0][0] == "guarantee_tightened"


def test_volume():
    d = compare_guarantees({"volume": {"min_rows": 10, "max_rows": 100}},
                           {"volume": {"min_rows": 5, "max_rows": 50}})
    assert sorted(t for t, _, _ in types(d)) == ["guarantee_relaxed", "guarantee_tightened"]
    assert compare_guarantees({"volume": {"min_rows": 10, "max_rows": 100}},
                              {"volume": {"min_rows": 5, "max_rows": 50}}, "strict").is_breaking


def test_nullability_uniqueness_accepted_values_custom():
    old = {"nullability": {"id": "never", "name": "allowed"},
           "uniqueness": ["id"],
           "accepted_values": {"status": ["a", "b"]},
           "custom": [{"name": "no_dupes", "sql": "select 1"}]}
    new = {"nullability": {"id": "allowed", "name": "never"},
           "uniqueness": ["id", "email"],
           "accepted_values": {"status": ["a", "b", "c"]},
           "custom": []}
    d = compare_guarantees(old, new)
    got = {(t, p) for t, p, _ in types(d)}
    assert ("guarantee_relaxed", "$.nullability.id") in got
    assert ("guarantee_tightened", "$.nullability.name") in got
    assert ("guarantee_added", "$.uniqueness.email") in got
    assert ("guarantee_relaxed", "$.accepted_values.status") in got
    assert ("guarantee_removed", "$.custom.no_dupes") in got
    assert not d.is_breaking
    s = compare_guarantees(old, new, guarantee_mode="strict")
    assert s.is_breaking and {c.type for c in s.breaking_changes} == \
        {"guarantee_relaxed", "guarantee_removed"}
    json.dumps(s.to_dict())


def test_sections_added_removed_and_unknown():
    d = compare_guarantees({}, {"freshness": {"max_staleness_minutes": 5}})
    assert types(d) == [("guarantee_added", "$.freshness", "narrow")]
    d = compare_guarantees({"freshness": {"max_staleness_minutes": 5}}, {})
    assert types(d) == [("guarantee_removed", "$.freshness", "widen")]
    d = compare_guarantees({"sla": "gold"}, {"sla": "silver"})
    assert types(d) == [("guarantee_changed", "$.sla", "change")]
    assert compare_guarantees({"sla": "gold"}, {"sla": "silver"}, "strict").is_breaking


def test_bad_input():
    with pytest.raises(SchemaError):
        compare_guarantees([], {})
    with pytest.raises(SchemaError):
        compare_guarantees({}, {}, guarantee_mode="lenient")


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_VALS = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 100) | st.sampled_from(["never", "allowed", "x"]),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(
        st.sampled_from(["count", "period", "min_rows", "max_staleness_minutes", "warn_after",
                         "a", "name", "columns"]), c, max_size=3), max_leaves=8)
_G = st.dictionaries(st.sampled_from(["freshness", "volume", "nullability", "accepted_values",
                                      "uniqueness", "custom", "sla"]), _VALS, max_size=4)


@settings(max_examples=200, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(_G | _VALS, _G | _VALS, st.sampled_from(["normal", "strict"]))
def test_arbitrary_guarantees_give_a_result_or_a_schema_error(a, b, mode):
    try:
        d = compare_guarantees(a, b, mode)
    except SchemaError:
        return
    json.dumps(d.to_dict())
    assert d.is_breaking == (mode == "strict" and bool(d.warnings))
