"""accord.tracing: the X-Ray segment documents it sends to the daemon (a real UDP socket here)."""
import json
import socket

import botocore.session
import pytest
from moto import mock_aws

from accord import tracing

ROOT = "1-5759e988-bd862e3fe1be46a994272793"
FUNCTION_SEGMENT = "53995c3f42cd8ad8"


@pytest.fixture()
def daemon(monkeypatch):
    """A UDP socket standing in for the X-Ray daemon; returns a reader of the documents sent."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2)
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", f"127.0.0.1:{sock.getsockname()[1]}")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={ROOT};Parent={FUNCTION_SEGMENT};Sampled=1")
    monkeypatch.setattr(tracing, "ENABLED", True)
    monkeypatch.setattr(tracing, "_sock", None)

    def read(n=1):
        docs = []
        for _ in range(n):
            header, _, body = sock.recv(65536).partition(b"\n")
            assert json.loads(header) == {"format": "json", "version": 1}
            docs.append(json.loads(body))
        return docs
    yield read
    sock.close()


def test_a_request_subsegment_hangs_under_the_function_segment(daemon):
    span = tracing.begin("GET /api/v1/teams", family="registry", route="/api/v1/teams")
    tracing.end(span, status=404, tenant="acme")
    (doc,) = daemon()
    assert doc["type"] == "subsegment" and doc["trace_id"] == ROOT and doc["parent_id"] == FUNCTION_SEGMENT
    assert len(doc["id"]) == 16 and doc["end_time"] >= doc["start_time"]
    assert doc["annotations"] == {"family": "registry", "route": "/api/v1/teams", "tenant": "acme"}
    assert doc["http"] == {"response": {"status": 404}}
    assert (doc["error"], doc["fault"], doc["throttle"]) == (True, False, False)


def test_nested_subsegments_name_their_parent(daemon):
    outer = tracing.begin("outer")
    inner = tracing.begin("inner")
    tracing.end(inner, status=200)
    tracing.end(outer, status=500)
    inner_doc, outer_doc = daemon(2)
    assert inner_doc["parent_id"] == outer_doc["id"] and outer_doc["parent_id"] == FUNCTION_SEGMENT
    assert outer_doc["fault"] is True
    after = tracing.begin("next")           # the parent is restored once a subsegment closes
    tracing.end(after)
    assert daemon()[0]["parent_id"] == FUNCTION_SEGMENT


def test_dynamodb_calls_become_aws_subsegments(daemon):
    with mock_aws():
        client = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
        client.create_table(TableName="AccordTable", BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}])
        tracing.instrument(client)
        client.get_item(TableName="AccordTable", Key={"PK": {"S": "a"}})
        with pytest.raises(client.exceptions.ConditionalCheckFailedException):
            client.put_item(TableName="AccordTable", Item={"PK": {"S": "a"}},
                            ConditionExpression="attribute_exists(PK)")
    get, put = daemon(2)
    assert get["name"] == "DynamoDB" and get["namespace"] == "aws" and get["parent_id"] == FUNCTION_SEGMENT
    assert get["aws"]["operation"] == "GetItem" and get["aws"]["table_name"] == "AccordTable"
    assert get["aws"]["request_id"] and get["http"]["response"]["status"] == 200 and get["error"] is False
    assert put["aws"]["operation"] == "PutItem" and put["http"]["response"]["status"] == 400
    assert put["error"] is True and put["fault"] is False


def test_nothing_is_sent_when_the_invocation_is_not_sampled(daemon, monkeypatch):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={ROOT};Parent={FUNCTION_SEGMENT};Sampled=0")
    assert tracing.begin("x") is None
    tracing.end(None, status=200)


def test_off_means_nothing_is_sent(daemon, monkeypatch):
    monkeypatch.setattr(tracing, "ENABLED", False)   # Tracing=Disabled, the default
    with mock_aws():
        client = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
        tracing.instrument(client)
        client.list_tables()
    tracing.end(tracing.begin("x"), status=200)
    monkeypatch.setattr(tracing, "ENABLED", True)
    tracing.end(tracing.begin("marker"))               # the first document to arrive is this one
    assert daemon()[0]["name"] == "marker"


@pytest.mark.parametrize("raw, expected", [
    ("169.254.79.129:2000", ("169.254.79.129", 2000)),
    ("tcp:127.0.0.1:2000 udp:127.0.0.2:2001", ("127.0.0.2", 2001)),
])
def test_daemon_address_forms(monkeypatch, raw, expected):
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", raw)
    assert tracing._daemon() == expected
