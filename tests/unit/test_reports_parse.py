"""Dagster's request semantics and error texts (api-compatibility §3), at the parser."""
import json

import pytest
from hypothesis import given, strategies as st

from accord import errors, jsontext
from accord.reports import parse
from accord.reports.parse import CHECK, MATERIALIZATION, OBSERVATION


def req(kind, body=None, query=None, path=None):
    return parse.parse_request(kind, body=body or {}, query=query or {}, path_key=path)


def error(kind, body=None, query=None, path=None, exc=errors.BadRequest) -> str:
    with pytest.raises(exc) as info:
        req(kind, body, query, path)
    return info.value.message


NO_KEY = {
    MATERIALIZATION: "Empty asset key, must provide asset key as url path after /report_asset_materialization/ "
                     "or query param asset_key.",
    CHECK: "Empty asset key, must provide asset key as url path after /report_asset_check_evaluation/ "
           "or query param asset_key.",
    OBSERVATION: "Empty asset key, must provide asset key as url path after /report_asset_materialization/ "
                 "or query param asset_key.",
}


# ------------------------------------------------------------------ content type and body
def test_no_content_type_means_no_body():
    assert parse.read_body('{"asset_key": "x"}', None) == {}


@pytest.mark.parametrize("ct", ["application/json", "application/json; charset=utf-8", "Application/JSON"])
def test_json_content_types_are_read(ct):
    assert parse.read_body('{"a": 1}', ct) == {"a": 1}


def test_other_content_type_is_dagsters_text_with_the_raw_header():
    with pytest.raises(errors.BadRequest) as exc:
        parse.read_body("a=1", "application/x-www-form-urlencoded")
    assert exc.value.message == ("Unhandled content type application/x-www-form-urlencoded, "
                                 "expect no body or application/json")


def test_empty_json_body_is_an_empty_object_and_malformed_json_is_400():
    assert parse.read_body("  ", "application/json") == {}
    with pytest.raises(errors.BadRequest) as exc:
        parse.read_body("{nope", "application/json")
    assert exc.value.message.startswith("Malformed JSON body: ")
    with pytest.raises(errors.BadRequest):
        parse.read_body('{"a": NaN}', "application/json")
    with pytest.raises(errors.BadRequest) as exc:
        parse.read_body("[" * 100 + "]" * 100, "application/json")
    assert "nested deeper" in exc.value.message


# Dagster tests each field with `name in json_body`: membership on an array, a substring test on a
# string (200 with the path and query alone), a TypeError on null, a number or a boolean (500)
@pytest.mark.parametrize("raw", ["[]", "[1, {\"a\": 2}]", '"some text"', '""'])
def test_array_and_string_bodies_have_no_fields_as_in_dagster(raw):
    body = parse.read_body(raw, "application/json")
    ev = req(MATERIALIZATION, body=body, query={"partition": "q"}, path="a/b")
    assert (ev.asset_key, ev.partition, ev.metadata) == (["a", "b"], "q", {})
    assert req(CHECK, body=body, query={"asset_key": "k", "check_name": "c", "passed": "true"}).passed is True
    assert error(OBSERVATION, body=body) == NO_KEY[OBSERVATION]


@pytest.mark.parametrize("kind, body, path", [
    (MATERIALIZATION, ["metadata"], "a"),          # Dagster: body["metadata"] on a list → 500
    (OBSERVATION, "my partition", "a"),            # substring "partition" → 500
    (CHECK, ["passed"], "a"),
    (MATERIALIZATION, "asset_key", None),          # the key is looked up in the body only without a path
])
def test_array_and_string_bodies_holding_a_field_name_are_400(kind, body, path):
    assert error(kind, body=body, path=path).startswith("The JSON body must be an object, got ")


def test_a_field_name_dagster_does_not_look_up_is_harmless():
    assert req(MATERIALIZATION, body=["asset_key", "environment"], path="a").asset_key == ["a"]


@pytest.mark.parametrize("raw, name", [("null", "null"), ("5", "number"), ("1.5", "number"), ("true", "boolean")])
def test_null_number_and_boolean_bodies_are_400(raw, name):
    body = parse.read_body(raw, "application/json")
    for kind in (MATERIALIZATION, CHECK, OBSERVATION):
        with pytest.raises(errors.BadRequest) as exc:
            parse.parse_request(kind, body=body, query={}, path_key="a")
        assert exc.value.message == f"The JSON body must be an object, got {name}."


def test_oversized_body_is_413():
    with pytest.raises(errors.PayloadTooLarge):
        parse.read_body('{"a": "' + "x" * parse.MAX_BODY_BYTES + '"}', "application/json")


# ------------------------------------------------------------------ keys
@pytest.mark.parametrize("kind", [MATERIALIZATION, CHECK, OBSERVATION])
def test_no_key_anywhere_is_dagsters_text(kind):
    assert error(kind, body={"passed": True}) == NO_KEY[kind]


def test_key_forms():
    assert req(MATERIALIZATION, path="foo/bar/baz").asset_key == ["foo", "bar", "baz"]
    assert req(MATERIALIZATION, query={"asset_key": '["slash/key"]'}).asset_key == ["slash/key"]
    assert req(MATERIALIZATION, body={"asset_key": ["a/b", "c/d"]}).asset_key == ["a/b", "c/d"]
    assert req(MATERIALIZATION, body={"asset_key": "a/b"}).asset_key == ["a/b"]
    assert req(MATERIALIZATION, query={"asset_key": "foo/bar"}).asset_key == ["foo", "bar"]
    # Dagster's from_db_string splits on every non-word character
    assert req(MATERIALIZATION, query={"asset_key": "my-db.orders"}).asset_key == ["my", "db", "orders"]
    # not JSON after all: split like any string
    assert req(MATERIALIZATION, query={"asset_key": "[a,b"}).asset_key == ["a", "b"]


def test_path_wins_over_body_wins_over_query():
    both = req(MATERIALIZATION, body={"asset_key": "body"}, query={"asset_key": "query"}, path="path/key")
    assert both.asset_key == ["path", "key"]
    assert req(MATERIALIZATION, body={"asset_key": "body"}, query={"asset_key": "query"}).asset_key == ["body"]
    # the path wins even over a body key of the wrong type (Dagster never looks at it)
    assert req(MATERIALIZATION, body={"asset_key": 5}, path="p").asset_key == ["p"]


def test_wrong_typed_and_empty_keys_are_400():
    assert error(MATERIALIZATION, body={"asset_key": 5}).startswith("Invalid asset_key: expected a string")
    assert error(MATERIALIZATION, body={"asset_key": ["a", 1]}).startswith("Invalid asset_key")
    assert error(MATERIALIZATION, body={"asset_key": None}).startswith("Invalid asset_key")
    assert error(MATERIALIZATION, query={"asset_key": "[1, 2]"}).startswith("Invalid asset_key")
    assert error(MATERIALIZATION, body={"asset_key": ""}) == NO_KEY[MATERIALIZATION]
    assert error(MATERIALIZATION, body={"asset_key": []}) == NO_KEY[MATERIALIZATION]
    assert error(MATERIALIZATION, query={"asset_key": "///"}) == NO_KEY[MATERIALIZATION]
    assert error(MATERIALIZATION, query={"asset_key": ""}) == NO_KEY[MATERIALIZATION]
    assert "must not be empty" in error(MATERIALIZATION, body={"asset_key": ["a", ""]})
    assert error(MATERIALIZATION, body={"asset_key": ["p"] * 33}).startswith("Invalid asset_key: at most 32")
    assert "NUL characters" in error(MATERIALIZATION, body={"asset_key": ["a\x00b"]})


def test_text_dagster_stores_is_stored():
    # tabs, newlines and other control characters are text Dagster keeps; only NUL and lone
    # surrogates are refused (no store can hold them)
    ev = req(CHECK, body={"asset_key": ["a\nb", "c\td"], "check_name": "x\x1fy", "passed": True})
    assert (ev.asset_key, ev.check_name) == (["a\nb", "c\td"], "x\x1fy")
    ev = req(MATERIALIZATION, body={"asset_key": "a", "partition": "p\r\n", "data_version": "v\x7f"})
    assert (ev.partition, ev.data_version) == ("p\r\n", "v\x7f")
    assert "NUL characters" in error(MATERIALIZATION, body={"asset_key": "a", "partition": "p\x00"})
    assert "NUL characters" in error(CHECK, body={"asset_key": "a", "check_name": "\x00", "passed": True})


def test_path_slashes_never_make_empty_parts():
    assert req(MATERIALIZATION, path="a//b/").asset_key == ["a", "b"]
    assert error(MATERIALIZATION, path="/") == NO_KEY[MATERIALIZATION]


# ------------------------------------------------------------------ materialization / observation fields
def test_materialization_fields_from_body():
    ev = req(MATERIALIZATION, body={"asset_key": "a", "description": "d", "partition": "2024-01-01",
                                    "metadata": {"rows": 10, "ok": True, "x": [1, 2.5], "n": None},
                                    "data_version": "v1", "unknown": "ignored"})
    assert (ev.description, ev.partition, ev.data_version) == ("d", "2024-01-01", "v1")
    assert ev.metadata == {"rows": 10, "ok": True, "x": [1, 2.5], "n": None}


def test_materialization_fields_from_query_with_json_metadata():
    ev = req(MATERIALIZATION, query={"asset_key": "a", "description": "d", "partition": "p", "data_version": "7",
                                     "metadata": json.dumps({"rows": 3})})
    assert (ev.description, ev.partition, ev.data_version, ev.metadata) == ("d", "p", "7", {"rows": 3})


def test_body_fields_win_over_query_fields_even_when_null():
    ev = req(MATERIALIZATION, body={"asset_key": "a", "partition": None, "metadata": {"b": 1}},
             query={"partition": "q", "metadata": "{not json"})
    assert ev.partition is None and ev.metadata == {"b": 1}


def test_invalid_query_metadata_json():
    msg = error(MATERIALIZATION, query={"asset_key": "a", "metadata": "{nope"})
    assert msg == "Error parsing metadata json: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"


@pytest.mark.parametrize("kind", [MATERIALIZATION, OBSERVATION])
def test_body_metadata_not_an_object(kind):
    msg = error(kind, body={"asset_key": "a", "metadata": [1, 2]})
    assert msg == ("Error constructing AssetMaterialization: Param \"metadata\" is not one of ['Mapping']. "
                   "Got [1, 2] which is type <class 'list'>.")


def test_query_metadata_that_is_json_but_not_an_object():
    assert error(MATERIALIZATION, query={"asset_key": "a", "metadata": "5"}).startswith(
        'Error constructing AssetMaterialization: Param "metadata" is not')


def test_wrong_typed_fields_in_dagsters_order():
    # materialization: data_version (tags), metadata, partition, description
    assert error(MATERIALIZATION, body={"asset_key": "a", "partition": 5, "description": 6}) == \
        "Error constructing AssetMaterialization: Param \"partition\" is not a str. Got 5 which is type <class 'int'>."
    assert error(OBSERVATION, body={"asset_key": "a", "partition": 5, "description": 6}) == \
        "Error constructing AssetMaterialization: Param \"description\" is not a str. Got 6 which is type <class 'int'>."
    # Dagster never checks data_version: the constructor's own checks come first
    assert error(OBSERVATION, body={"asset_key": "a", "data_version": [1], "metadata": 2}).startswith(
        'Error constructing AssetMaterialization: Param "metadata" is not one of')
    assert error(MATERIALIZATION, body={"asset_key": "a", "data_version": {}, "partition": 5}).startswith(
        'Error constructing AssetMaterialization: Param "partition" is not a str.')


@pytest.mark.parametrize("value, text", [
    (5, "5"), (0, "0"), (-12, "-12"), (1.5, "1.5"), (2.0, "2.0"), (1e21, "1e+21"), (10 ** 30, "1" + "0" * 30),
    (True, "true"), (False, "false"), ("v1", "v1"), ("", ""), (None, None),
])
@pytest.mark.parametrize("kind", [MATERIALIZATION, OBSERVATION])
def test_data_version_scalars_are_kept_in_their_string_form(kind, value, text):
    # dagster-webserver answers 200 for any of these (it keeps the value as the event's tag)
    assert req(kind, body={"asset_key": "a", "data_version": value}).data_version == text


@pytest.mark.parametrize("value", [[1], ["v1"], {"v": 1}, {}])
@pytest.mark.parametrize("kind", [MATERIALIZATION, OBSERVATION])
def test_data_version_arrays_and_objects_are_400(kind, value):
    # Dagster's event storage cannot hold them (500); ours says why
    assert error(kind, body={"asset_key": "a", "data_version": value}) == (
        'Error constructing AssetMaterialization: Param "data_version" must be a string, a number or a boolean. '
        f"Got {value!r} which is type {type(value)}.")


def test_a_non_finite_data_version_is_400():
    body = parse.read_body('{"asset_key": "a", "data_version": 1e400}', "application/json")
    assert "must be a string, a number or a boolean" in error(MATERIALIZATION, body=body)


JSON_SCALARS = st.one_of(st.integers(min_value=-10 ** 40, max_value=10 ** 40),
                         st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                         st.text(max_size=parse.MAX_NAME_CHARS).filter(lambda t: "\x00" not in t))


@given(JSON_SCALARS)
def test_every_json_scalar_a_client_sends_is_kept_as_text(value):
    # through the wire form: what a client's json.dumps sends is what we read and keep
    body = parse.read_body(json.dumps({"asset_key": "a", "data_version": value}), "application/json")
    ev = req(MATERIALIZATION, body=body)
    assert isinstance(ev.data_version, str)
    if isinstance(value, str):
        assert ev.data_version == value
    elif isinstance(value, bool):
        assert ev.data_version == json.dumps(value)
    else:  # the number's text reads back as the same number
        assert jsontext.loads(ev.data_version) == value


def test_observation_keeps_data_version_and_defaults_metadata():
    ev = req(OBSERVATION, body={"asset_key": ["x", "y"], "data_version": "abc"})
    assert ev.data_version == "abc" and ev.metadata == {} and ev.type == OBSERVATION


# ------------------------------------------------------------------ checks
def test_check_fields_and_defaults():
    ev = req(CHECK, body={"asset_key": "a", "check_name": "rows", "passed": False, "metadata": {"n": 1}})
    assert (ev.check_name, ev.passed, ev.severity, ev.metadata) == ("rows", False, "ERROR", {"n": 1})
    ev = req(CHECK, query={"asset_key": "a", "check_name": "c", "passed": "true", "severity": "WARN"})
    assert (ev.passed, ev.severity) == (True, "WARN")
    ev = req(CHECK, body={"asset_key": "a", "check_name": "c", "passed": True, "partition": "p", "description": "d"})
    assert (ev.partition, ev.description) == ("p", "d")


@pytest.mark.parametrize("extra", [
    {"partition": 5}, {"partition": ["p"]}, {"partition": "p" * 300}, {"partition": "p\x00"},
    {"description": {"d": 1}},
    {"description": "d" * (parse.MAX_DESCRIPTION_CHARS + 1)}, {"environment": 7}, {"environment": "prod\n"},
    {"environment": "e" * 300},
])
def test_our_fields_on_dagsters_routes_are_ignored_when_unusable(extra):
    # Dagster's check route reads neither partition nor description, and no route reads environment:
    # Dagster answers 200 whatever they hold, so a value we cannot use is ignored, not refused
    ev = req(CHECK, body={"asset_key": "a", "check_name": "c", "passed": True, **extra})
    assert (ev.partition, ev.description, ev.environment) == (None, None, None)
    if "environment" in extra:
        assert req(MATERIALIZATION, body={"asset_key": "a", **extra}).environment is None
    ev = req(CHECK, body={"asset_key": "a", "check_name": "c", "passed": True, "environment": "prod",
                          "partition": "p\tq", "description": "3 nulls\nin id"})
    assert (ev.environment, ev.partition, ev.description) == ("prod", "p\tq", "3 nulls\nin id")


@pytest.mark.parametrize("extra, text", [
    ({"partition": 5}, 'Param "partition" is not a str.'),
    ({"description": {"d": 1}}, 'Param "description" is not a str.'),
    ({"environment": 7}, 'Param "environment" is not a str.'),
    ({"environment": "prod\n"}, "environment must not contain control characters"),
    ({"partition": "p" * 300}, "partition is 300 characters long; the limit is 256."),
])
def test_our_fields_in_typed_events_are_checked(extra, text):
    # the batch route and the queue are ours: a field that cannot be used is said so
    with pytest.raises(errors.BadRequest) as exc:
        parse.parse_typed({"type": "check", "asset_key": "a", "check_name": "c", "passed": True, **extra})
    assert text in exc.value.message


def test_check_missing_passed_comes_before_metadata_errors():
    assert error(CHECK, body={"asset_key": "a", "metadata": 5}) == "Missing required parameter 'passed'."
    assert error(CHECK, body={"asset_key": "a", "check_name": "c"}) == "Missing required parameter 'passed'."


def test_check_passed_from_query_must_be_json():
    assert error(CHECK, query={"asset_key": "a", "passed": "yes"}) == \
        "Error parsing 'passed': Expecting value: line 1 column 1 (char 0)"


def test_check_construction_errors():
    base = {"asset_key": "a", "check_name": "c", "passed": True}
    assert error(CHECK, body={**base, "metadata": "x"}) == (
        "Error constructing AssetCheckEvaluation: Param \"metadata\" is not one of ['Mapping']. "
        "Got 'x' which is type <class 'str'>.")
    assert error(CHECK, body={**base, "severity": "INFO"}) == \
        "Error constructing AssetCheckEvaluation: 'INFO' is not a valid AssetCheckSeverity"
    # the severity is converted before the constructor runs: it is reported first
    assert error(CHECK, body={**base, "severity": "LOW", "metadata": 1}).endswith("'LOW' is not a valid AssetCheckSeverity")
    assert error(CHECK, body={**base, "passed": "true"}) == \
        "Error constructing AssetCheckEvaluation: Param \"passed\" is not a bool. Got 'true' which is type <class 'str'>."
    assert error(CHECK, body={"asset_key": "a", "passed": True}) == (
        "Error constructing AssetCheckEvaluation: Param \"check_name\" is not a str. "
        "Got None which is type <class 'NoneType'>.")
    assert error(CHECK, query={"asset_key": "a", "check_name": "c", "passed": "1"}).endswith(
        "Param \"passed\" is not a bool. Got 1 which is type <class 'int'>.")
    assert error(CHECK, body={**base, "check_name": ""}) == \
        "Error constructing AssetCheckEvaluation: check_name must not be empty."


def test_the_check_need_not_be_declared_and_null_severity_is_error():
    ev = req(CHECK, body={"asset_key": "a", "check_name": "never_declared", "passed": True, "severity": None})
    assert ev.severity == "ERROR"


# ------------------------------------------------------------------ limits
def test_metadata_and_description_limits_are_413():
    with pytest.raises(errors.PayloadTooLarge) as exc:
        req(MATERIALIZATION, body={"asset_key": "a", "metadata": {"x": "y" * parse.MAX_METADATA_BYTES}})
    assert "metadata is" in exc.value.message and str(parse.MAX_METADATA_BYTES) in exc.value.message
    with pytest.raises(errors.PayloadTooLarge):
        req(MATERIALIZATION, body={"asset_key": "a", "description": "d" * (parse.MAX_DESCRIPTION_CHARS + 1)})
    assert "limit is 256" in error(MATERIALIZATION, body={"asset_key": "a", "partition": "p" * 257})


# ------------------------------------------------------------------ typed events
def test_typed_events():
    ev = parse.parse_typed({"type": "check", "asset_key": ["a"], "check_name": "c", "passed": True,
                            "event_id": "e-1", "timestamp": 1_700_000_000, "tenant": "ignored"})
    assert (ev.type, ev.event_id, ev.timestamp) == (CHECK, "e-1", "2023-11-14T22:13:20.000Z")
    assert parse.parse_typed({"type": "observation", "asset_key": "a",
                              "timestamp": "2024-01-02T03:04:05Z"}).timestamp == "2024-01-02T03:04:05.000Z"


@pytest.mark.parametrize("obj, text", [
    ([], "must be a JSON object"),
    ({"asset_key": "a"}, "Field 'type' must be one of materialization, observation, check"),
    ({"type": "materialization"}, "Empty asset key"),
    ({"type": "materialization", "asset_key": "a", "event_id": ""}, "event_id"),
    ({"type": "materialization", "asset_key": "a", "timestamp": "yesterday"}, "ISO-8601 or epoch seconds"),
    ({"type": "materialization", "asset_key": "a", "timestamp": 4_102_444_800}, "more than a day in the future"),
    ({"type": "check", "asset_key": "a", "check_name": "c"}, "Missing required parameter 'passed'."),
])
def test_typed_event_errors(obj, text):
    with pytest.raises(errors.BadRequest) as exc:
        parse.parse_typed(obj)
    assert text in exc.value.message


def test_batches():
    assert parse.parse_batch([{"type": "materialization"}]) == [{"type": "materialization"}]
    assert parse.parse_batch({"events": [1, 2]}) == [1, 2]
    with pytest.raises(errors.BadRequest):
        parse.parse_batch([])
    with pytest.raises(errors.PayloadTooLarge):
        parse.parse_batch([{}] * (parse.MAX_BATCH + 1))
    # a queue message may also be one event object
    assert parse.parse_batch({"type": "materialization"}, single=True) == [{"type": "materialization"}]


@pytest.mark.parametrize("payload, name", [
    (None, "null"), (5, "number"), (2.5, "number"), ("events", "string"), (True, "boolean"),
    ({"type": "materialization", "asset_key": "a"}, "object"),
])
def test_a_batch_body_that_is_no_list_is_400_as_a_whole(payload, name):
    with pytest.raises(errors.BadRequest) as exc:
        parse.parse_batch(payload)
    assert exc.value.message == f'Expected a JSON list of event objects or {{"events": [...]}}; got {name}.'


@pytest.mark.parametrize("payload, name", [(None, "null"), (5, "number"), ("x", "string"), (False, "boolean")])
def test_a_queue_message_that_is_no_event_is_rejected_as_a_whole(payload, name):
    with pytest.raises(errors.BadRequest) as exc:
        parse.parse_batch(payload, single=True)
    assert exc.value.message == ('Expected one event object, a JSON list of event objects or {"events": [...]}; '
                                 f"got {name}.")


@pytest.mark.parametrize("events, name", [(None, "null"), ({"type": "check"}, "object"), ("[]", "string")])
def test_events_must_be_a_list(events, name):
    for single in (False, True):
        with pytest.raises(errors.BadRequest) as exc:
            parse.parse_batch({"events": events}, single=single)
        assert exc.value.message == f"Field 'events' must be a list of event objects, got {name}."


def test_fingerprint_ignores_the_id_only():
    a = parse.parse_typed({"type": "materialization", "asset_key": "a", "event_id": "1", "metadata": {"x": 1}})
    b = parse.parse_typed({"type": "materialization", "asset_key": "a", "event_id": "2", "metadata": {"x": 1}})
    c = parse.parse_typed({"type": "materialization", "asset_key": "a", "event_id": "1", "metadata": {"x": 2}})
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


def test_lone_surrogates_are_400_not_500():
    for raw in ('{"asset_key": ["\\ud800"]}', '{"asset_key": "a", "metadata": {"x": "\\udfff"}}'):
        with pytest.raises(errors.BadRequest) as exc:
            parse.read_body(raw, "application/json")
        assert "lone surrogate" in exc.value.message
    assert parse.read_body('{"a": "\\ud83d\\ude00"}', "application/json") == {"a": "\U0001F600"}
    assert "lone surrogates" in error(MATERIALIZATION, query={"asset_key": '["\\ud800"]'})
    assert "lone surrogates" in error(MATERIALIZATION, body={"asset_key": "a", "partition": "\ud800"})


def test_metadata_numbers_beyond_double_range_are_kept_as_text():
    # 1e400 is valid JSON that decodes to infinity, which JSON cannot write back: answers and stored
    # items must stay JSON, so it is kept as the string "Infinity" (Dagster answers 200 for it)
    body = parse.read_body('{"asset_key": "a", "metadata": {"x": 1e400, "l": [-1e999, 1.5], "s": "Infinity"}}',
                           "application/json")
    ev = req(MATERIALIZATION, body=body)
    assert ev.metadata == {"x": "Infinity", "l": ["-Infinity", 1.5], "s": "Infinity"}
    assert json.loads(ev.metadata_json, parse_constant=lambda c: pytest.fail(f"{c} is not JSON")) == ev.metadata
    assert req(MATERIALIZATION, body={"asset_key": "a", "metadata": {"s": "Infinity"}}).metadata == {"s": "Infinity"}
