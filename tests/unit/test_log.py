"""accord.log: the correlation id on every line, and how it travels over SQS."""
import io
import json
import logging

import pytest

from accord import log


@pytest.fixture()
def lines():
    """The logger's JSON lines, formatted by its own (Powertools) formatter."""
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(log.logger.registered_formatter)
    log.logger._logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in buf.getvalue().splitlines()]
    log.logger._logger.removeHandler(handler)


def test_bound_correlation_id_is_on_every_line_until_rebound(lines):
    log.bind("req-123")
    log.logger.warning("first")
    log.logger.warning("second")
    log.bind(None)
    log.logger.warning("third")
    lines = lines()
    assert [(line["message"], line.get("correlation_id")) for line in lines] == [
        ("first", "req-123"), ("second", "req-123"), ("third", None)]


def test_the_id_travels_as_an_sqs_message_attribute_and_back():
    log.bind("req-9")
    attrs = log.sqs_attributes()
    assert attrs == {"correlation_id": {"DataType": "String", "StringValue": "req-9"}}
    # Lambda's SQS event spells the attribute's value stringValue
    record = {"messageId": "m1", "messageAttributes": {"correlation_id": {"stringValue": "req-9", "dataType": "String"}}}
    assert log.from_sqs(record) == "req-9"
    assert log.from_sqs({"messageId": "m1"}) is None
    assert log.from_sqs({"messageAttributes": {"correlation_id": {"stringValue": "  "}}}) is None
    log.bind(None)
    assert log.sqs_attributes() == {}
