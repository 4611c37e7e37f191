from accord.identity.teams import merge_patch
from accord.store.codec import decode, encode
from hypothesis import given
from hypothesis import strategies as st

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f == 0 or 1e-130 <= abs(f) < 1e126)
    | st.text(), lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(min_size=1), c, max_size=4), max_leaves=20)


@given(st.dictionaries(st.text(min_size=1), json_values, max_size=6))
def test_codec_round_trip(item):
    assert decode(encode(item)) == item


def test_merge_patch_rfc7396():
    assert merge_patch({"a": 1, "b": {"c": 1, "d": 2}}, {"b": {"c": None, "e": 3}, "f": [1]}) == \
        {"a": 1, "b": {"d": 2, "e": 3}, "f": [1]}
    assert merge_patch({"a": {"b": 1}}, {"a": 5}) == {"a": 5}


import pytest  # noqa: E402
from accord.store.codec import Unstorable  # noqa: E402


@pytest.mark.parametrize("value", [1e126, -2.5e201, 1e-131, 10 ** 40 + 1, 10 ** 130, float("inf"), float("nan")])
def test_values_dynamodb_cannot_hold_are_a_clear_400(value):
    with pytest.raises(Unstorable) as exc:
        encode({"metadata": {"x": [value]}})
    assert exc.value.status == 400 and "metadata.x[0]" in exc.value.message


def test_edge_numbers_that_fit():
    for v in (9.9e125, 1e-130, 10 ** 37, 10 ** 40, -0.0, 0, 1.7e-100):
        assert decode(encode({"v": v}))["v"] == v


def test_empty_map_keys_are_a_clear_400():
    with pytest.raises(Unstorable) as exc:
        encode({"metadata": {"ok": {"": 1}}})
    assert "metadata.ok" in exc.value.message and "empty key" in exc.value.message
