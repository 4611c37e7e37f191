"""Strict JSON text (accord.jsontext): what every family's body parsing rejects, and why."""
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord import jsontext

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                    | st.text(), lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=20)


@given(JSON)
def test_json_round_trips(value):
    assert jsontext.loads(json.dumps(value)) == value


@pytest.mark.parametrize("raw", ["NaN", "[Infinity]", '{"a": -Infinity}'])
def test_non_json_constants_are_rejected(raw):
    with pytest.raises(ValueError, match="is not valid JSON"):
        jsontext.loads(raw)


@pytest.mark.parametrize("raw", ['"\\ud800"', '{"\\udfff": 1}', '["ok", "\\uDBFF"]', '"\ud800"'])
def test_lone_surrogates_escaped_or_raw_are_rejected(raw):
    with pytest.raises(jsontext.LoneSurrogate):
        jsontext.loads(raw)


def test_surrogate_pairs_are_text():
    assert jsontext.loads('"\\ud83d\\ude00"') == "\U0001F600"


@pytest.mark.parametrize("depth,ok", [(64, True), (65, False), (5000, False)])
def test_depth_is_bounded(depth, ok):
    raw = "[" * depth + "]" * depth
    if ok:
        assert jsontext.loads(raw) is not None
    else:
        with pytest.raises(jsontext.TooDeep):
            jsontext.loads(raw)


def test_malformed_text_keeps_jsons_message():
    with pytest.raises(ValueError, match="Expecting"):
        jsontext.loads("{")
