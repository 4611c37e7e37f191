from hypothesis import given, strategies as st

from accord.domain.teams import merge_patch
from accord.store.codec import decode, encode

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(), lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(), c, max_size=4), max_leaves=20)


@given(st.dictionaries(st.text(min_size=1), json_values, max_size=6))
def test_codec_round_trip(item):
    assert decode(encode(item)) == item


def test_merge_patch_rfc7396():
    assert merge_patch({"a": 1, "b": {"c": 1, "d": 2}}, {"b": {"c": None, "e": 3}, "f": [1]}) == \
        {"a": 1, "b": {"d": 2, "e": 3}, "f": [1]}
    assert merge_patch({"a": {"b": 1}}, {"a": 5}) == {"a": 5}
