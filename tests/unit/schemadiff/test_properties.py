"""Property-based tests (hypothesis): identity, order-insensitivity and SOUNDNESS.

Soundness: for generated schema pairs (S, mutation of S) and generated instances, whenever an
instance is valid under the writer schema W(old) (implicitly open objects closed, §2) and
invalid under the reader schema R(new) -- checked with the real `jsonschema` validator -- the
engine must report backward as breaking; symmetrically for forward.
"""
import copy
import json
import random

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.schemadiff import compare

from .strategies import close, instances, mutated, schemas

SETTINGS = dict(derandomize=True, database=None, deadline=None, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])


def _validator(schema):
    return jsonschema.Draft202012Validator(schema)


def _shuffled(x, rng):
    """The same schema with every object's key order and every order-insensitive list
    (required, enum, type, anyOf/oneOf/allOf) shuffled."""
    if isinstance(x, dict):
        items = list(x.items())
        rng.shuffle(items)
        out = {}
        for k, v in items:
            if k in ("required", "enum", "type", "anyOf", "oneOf", "allOf") and isinstance(v, list):
                v = [_shuffled(e, rng) for e in v]
                rng.shuffle(v)
                out[k] = v
            elif k in ("enum", "const", "default", "examples"):
                out[k] = v
            else:
                out[k] = _shuffled(v, rng)
        return out
    if isinstance(x, list):
        return [_shuffled(e, rng) for e in x]
    return x


@settings(max_examples=100, **SETTINGS)
@given(schemas(depth=3))
def test_identity_reports_nothing(s):
    for mode in ("backward", "forward", "full", "full_transitive"):
        r = compare(s, copy.deepcopy(s), mode=mode, history=[copy.deepcopy(s)])
        assert r.changes == [], [c.to_dict() for c in r.changes]
        assert r.bump == "none"
        assert r.is_breaking is False
    assert compare(s, s).changes == []


@settings(max_examples=80, **SETTINGS)
@given(schemas(depth=3), st.integers(0, 2 ** 32))
def test_key_and_branch_order_never_matter(s, seed):
    shuffled = _shuffled(s, random.Random(seed))
    r = compare(s, shuffled, mode="full")
    assert not r.is_breaking
    assert r.bump == "none", [c.to_dict() for c in r.changes]


@settings(max_examples=80, **SETTINGS)
@given(st.data())
def test_verdict_does_not_depend_on_order(data):
    s = data.draw(schemas(depth=2))
    t = data.draw(mutated(s))
    seed = data.draw(st.integers(0, 2 ** 32))
    rng = random.Random(seed)
    a = compare(s, t, mode="full")
    b = compare(_shuffled(s, rng), _shuffled(t, rng), mode="full")
    assert (a.backward_breaking, a.forward_breaking) == (b.backward_breaking, b.forward_breaking)
    assert a.bump == b.bump


def _check_soundness(data, old, new, n_instances=12):
    r = compare(old, new, mode="full")
    w_old, w_new = _validator(close(old)), _validator(close(new))
    r_old, r_new = _validator(old), _validator(new)
    cands = [data.draw(instances(old)) for _ in range(n_instances // 2)] + \
        [data.draw(instances(new)) for _ in range(n_instances // 2)]
    for v in cands:
        if not r.backward_breaking and w_old.is_valid(v) and not r_new.is_valid(v):
            raise AssertionError(
                f"backward not reported breaking, but {json.dumps(v)} is valid under W(old) "
                f"and invalid under R(new)\nold={json.dumps(old)}\nnew={json.dumps(new)}\n"
                f"changes={[c.to_dict() for c in r.changes]}")
        if not r.forward_breaking and w_new.is_valid(v) and not r_old.is_valid(v):
            raise AssertionError(
                f"forward not reported breaking, but {json.dumps(v)} is valid under W(new) "
                f"and invalid under R(old)\nold={json.dumps(old)}\nnew={json.dumps(new)}\n"
                f"changes={[c.to_dict() for c in r.changes]}")
    return r


@settings(max_examples=150, **SETTINGS)
@given(st.data())
def test_soundness_on_mutations(data):
    old = data.draw(schemas(depth=3))
    new = data.draw(mutated(old))
    _check_soundness(data, old, new)


@settings(max_examples=80, **SETTINGS)
@given(st.data())
def test_soundness_on_independent_pairs(data):
    old = data.draw(schemas(depth=2))
    new = data.draw(schemas(depth=2))
    _check_soundness(data, old, new)


@settings(max_examples=60, **SETTINGS)
@given(st.data())
def test_breaking_verdict_is_explained_by_a_change(data):
    old = data.draw(schemas(depth=3))
    new = data.draw(mutated(old))
    r = compare(old, new, mode="full")
    effects = {c.effect for c in r.changes}
    if r.backward_breaking:
        assert effects & {"narrow", "change"}
    if r.forward_breaking:
        assert effects & {"widen", "change"}
    if r.changes == []:
        assert r.bump == "none" and not r.is_breaking
    for mode in ("backward", "forward"):
        rr = compare(old, new, mode=mode)
        assert bool(rr.breaking_changes) == rr.is_breaking
        json.dumps(rr.to_dict())


_KEYWORDS = ["type", "properties", "required", "additionalProperties", "items", "prefixItems",
             "enum", "const", "anyOf", "oneOf", "allOf", "not", "if", "then", "else", "$ref",
             "$defs", "minimum", "maximum", "exclusiveMinimum", "multipleOf", "maxLength",
             "pattern", "format", "minItems", "uniqueItems", "contains", "minContains",
             "patternProperties", "propertyNames", "dependentRequired", "dependentSchemas",
             "unevaluatedProperties", "nullable", "dependencies", "additionalItems", "$schema",
             "default", "description", "x-a"]
_VALUES = st.sampled_from([None, True, False, 0, 1, -1, 2.5, "", "string", "object", "#",
                           "#/$defs/a", "^a", "(", "integer", [], ["a"], ["null", "string"],
                           {}, "http://json-schema.org/draft-07/schema#"])


def _garbage():
    return st.recursive(
        _VALUES,
        lambda c: st.lists(c, max_size=3) | st.dictionaries(
            st.sampled_from(_KEYWORDS + ["a", "b"]), c, max_size=4),
        max_leaves=12)


@settings(max_examples=200, **SETTINGS)
@given(_garbage(), _garbage(), st.sampled_from(["backward", "full_transitive"]),
       st.sampled_from(["event", "table"]))
def test_arbitrary_input_gives_a_result_or_a_schema_error(old, new, mode, profile):
    from accord.schemadiff import SchemaError
    try:
        r = compare(old, new, mode=mode, profile=profile, history=[old])
    except SchemaError:
        return
    json.dumps(r.to_dict())
