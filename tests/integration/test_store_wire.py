"""accord/store/wire.py writes and reads DynamoDB's data-plane JSON without botocore's shape walks:
every request body and every parsed answer must be exactly what botocore's own serializer and
parser make of the same call."""
import base64
import json

import pytest
from botocore.parsers import JSONParser
from hypothesis import HealthCheck, given, settings, strategies as st

from accord.store import db, wire


def _check_both_ways(monkeypatch) -> dict:
    """Make every request and answer of the store's client go through both paths, compared."""
    seen = {"requests": [], "fast_answers": [], "walked_answers": []}
    serialize, parse = wire._Serializer.serialize_to_request, wire._Parser._handle_json_body
    botocore_parser = JSONParser()

    def serialize_checked(self, parameters, operation_model):
        ours = serialize(self, parameters, operation_model)
        theirs = self._inner.serialize_to_request(parameters, operation_model)
        assert {**ours, "body": json.loads(ours["body"])} == {**theirs, "body": json.loads(theirs["body"])}, \
            operation_model.name
        seen["requests"].append(operation_model.name)
        return ours

    def parse_checked(self, raw_body, shape):
        ours = parse(self, raw_body, shape)
        assert ours == botocore_parser._handle_json_body(raw_body, shape), shape.name
        fast = shape is not None and shape.name in wire._OUTPUTS and b'"B"' not in raw_body
        seen["fast_answers" if fast else "walked_answers"].append(shape.name if shape is not None else None)
        return ours
    monkeypatch.setattr(wire._Serializer, "serialize_to_request", serialize_checked)
    monkeypatch.setattr(wire._Parser, "_handle_json_body", parse_checked)
    return seen


def test_the_store_client_has_the_direct_paths(aws):
    assert isinstance(db.client()._serializer, wire._Serializer)
    assert isinstance(db.client()._endpoint._response_parser_factory, wire._ParserFactory)


def test_every_operation_the_store_sends_is_what_botocore_makes_of_it(aws, monkeypatch):
    seen = _check_both_ways(monkeypatch)
    doc = {"b": b"\x00\xff\x10", "m": {"x": 1.5, "l": [b"zz", None, False, {"n": -3}]}, "s": "é\"B\"", "e": [],
           "big": 10 ** 30, "neg": -0.000125}
    for i in range(5):
        db.put({"PK": "p", "SK": f"{i}", "GSI1PK": "g", "GSI1SK": f"{i}", **doc, "i": i})
        db.put({"PK": "q", "SK": f"{i}", "GSI1PK": "h", "GSI1SK": f"{i}", "text": "plain", "n": i})
    assert db.get("p", "3")["b"] == b"\x00\xff\x10" and db.get("q", "3")["n"] == 3 and db.get("p", "9") is None
    page, start = db.query("q", limit=2)
    assert len(page) == 2 and start
    assert len(db.query("q", start=start)[0]) == 3
    assert len(db.query("g", index="GSI1")[0]) == 5 and len(db.query("h", index="GSI1")[0]) == 5
    assert len(db.batch_get([("p", "1"), ("q", "2"), ("p", "nope")])) == 2
    db.update("q", "1", "SET n = :n", values={":n": 10}, return_new=True)
    db.transact([db.update_op("q", "2", "SET n = :n", values={":n": 20}), db.delete_op("p", "4"),
                 db.put_op({"PK": "q", "SK": "new", "b": b"\x01"})])
    with pytest.raises(db.ConditionFailed):
        db.transact([db.put_op({"PK": "q", "SK": "0"}, "attribute_not_exists(PK)")])
    with pytest.raises(db.ConditionFailed):
        db.put({"PK": "q", "SK": "0"}, condition="attribute_not_exists(PK)")
    assert {"PutItem", "GetItem", "Query", "BatchGetItem", "UpdateItem", "TransactWriteItems"} <= set(seen["requests"])
    assert "GetItemOutput" in seen["fast_answers"] and "QueryOutput" in seen["fast_answers"]
    assert "GetItemOutput" in seen["walked_answers"]   # the binary ones: botocore decodes them


_scalar = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(max_size=12)),
    st.builds(lambda n: {"N": str(n)}, st.integers(-10 ** 20, 10 ** 20)),
    st.builds(lambda b: {"B": b}, st.binary(max_size=12)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda s: {"SS": sorted(s)}, st.sets(st.text(min_size=1, max_size=5), min_size=1, max_size=3)),
    st.builds(lambda s: {"BS": sorted(s)}, st.sets(st.binary(min_size=1, max_size=5), min_size=1, max_size=3)),
)
_value = st.recursive(_scalar, lambda inner: st.one_of(
    st.builds(lambda m: {"M": m}, st.dictionaries(st.sampled_from(["a", "B", "BS", "S", "é", "k k"]), inner, max_size=4)),
    st.builds(lambda xs: {"L": xs}, st.lists(inner, max_size=4))), max_leaves=12)


def _as_answer(item: dict) -> bytes:
    """The item as DynamoDB's GetItem answer body (binary values base64)."""
    return json.dumps({"Item": item}, default=lambda b: base64.b64encode(b).decode("ascii")).encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attrs=st.dictionaries(st.text(min_size=1, max_size=6), _value, max_size=5))
def test_generated_attribute_values_serialize_and_parse_as_botocore_does(aws, attrs):
    client = db.client()
    for op, params in (("PutItem", {"TableName": "t", "Item": {"PK": {"S": "p"}, **attrs}}),
                       ("UpdateItem", {"TableName": "t", "Key": {"PK": {"S": "p"}}, "UpdateExpression": "SET a = :a",
                                       "ExpressionAttributeValues": {":a": {"M": attrs}}})):
        model = client.meta.service_model.operation_model(op)
        ours = client._serializer.serialize_to_request(params, model)
        theirs = client._serializer._inner.serialize_to_request(params, model)
        assert ours["headers"] == theirs["headers"] and json.loads(ours["body"]) == json.loads(theirs["body"])
    shape = client.meta.service_model.operation_model("GetItem").output_shape
    body = _as_answer({"PK": {"S": "p"}, **attrs})
    assert wire._Parser()._handle_json_body(body, shape) == JSONParser()._handle_json_body(body, shape)
