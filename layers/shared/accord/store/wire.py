"""DynamoDB's JSON protocol for the data-plane operations, without botocore's shape walk.

botocore serializes a request by walking the operation's input shape member by member, and
parses an answer by walking the output shape; for DynamoDB both walks only turn binary values
into base64 and back: every other attribute value is already the JSON DynamoDB speaks. On a
1,500-model dbt import the request walk was 45% of our own CPU (0.8 s of serializing for each
500 models: `json.dumps` does the same body in 0.1 s), and the answer walk is most of a large
Query's parse.

Here the store's client writes data-plane bodies with `json.dumps` (bytes → base64, as botocore
does) and reads an answer with `json.loads` when it holds no binary value (else — or for any
other operation, and for every error — botocore's own parser runs). The results are botocore's,
key for key: tests/integration/test_store_wire.py compares both ways on every operation the
store sends and on generated attribute values. `install` leaves a client it does not recognise
as it is (the test fails instead).
"""
import base64
import json

from botocore.parsers import JSONParser, ResponseParserFactory

DATA_PLANE = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                        "BatchWriteItem", "TransactGetItems", "TransactWriteItems"})
_OUTPUTS = frozenset(op + "Output" for op in DATA_PLANE)
# an answer holding a binary attribute value ("B" or "BS" as a key) takes botocore's walk, which
# decodes them; a map key spelled "B" also matches: it only costs that answer the slower parse
_BINARY = (b'"B"', b'"BS"')


def _blob(value):
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).strip().decode("ascii")
    raise TypeError(f"{type(value).__name__} is not a DynamoDB JSON value")


class _Serializer:
    """The client's serializer, with data-plane bodies written directly."""

    def __init__(self, inner):
        self._inner = inner

    def serialize_to_request(self, parameters, operation_model):
        if operation_model.name not in DATA_PLANE:
            return self._inner.serialize_to_request(parameters, operation_model)
        meta = operation_model.metadata
        return {"url_path": "/", "query_string": "", "method": operation_model.http.get("method", "POST"),
                "headers": {"X-Amz-Target": f"{meta['targetPrefix']}.{operation_model.name}",
                            "Content-Type": f"application/x-amz-json-{meta['jsonVersion']}"},
                "body": json.dumps(parameters, default=_blob).encode("utf-8")}


class _Parser(JSONParser):
    def _handle_json_body(self, raw_body, shape):
        if (shape is not None and shape.name in _OUTPUTS and raw_body
                and _BINARY[0] not in raw_body and _BINARY[1] not in raw_body):
            try:
                return json.loads(raw_body)
            except ValueError:
                pass   # botocore's answer to a body that is not JSON
        return super()._handle_json_body(raw_body, shape)


class _ParserFactory(ResponseParserFactory):
    def create_parser(self, protocol_name):
        if protocol_name == "json":
            return _Parser(**self._defaults)
        return super().create_parser(protocol_name)


def install(client) -> bool:
    """Give a botocore DynamoDB client the direct paths; False (and the client unchanged) when its
    internals are not the ones this module knows."""
    endpoint = getattr(client, "_endpoint", None)
    inner = getattr(client, "_serializer", None)
    if (endpoint is None or not hasattr(endpoint, "_response_parser_factory")
            or type(inner).__name__ != "JSONSerializer"
            or getattr(client.meta.service_model, "resolved_protocol", "json") != "json"):
        return False
    factory = _ParserFactory()
    factory.set_parser_defaults(**getattr(endpoint._response_parser_factory, "_defaults", {}))
    client._serializer = _Serializer(inner)
    endpoint._response_parser_factory = factory
    return True
