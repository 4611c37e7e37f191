"""One structured logger for every function (Powertools Logger: JSON lines, Lambda context), and
the correlation id every line carries.

The correlation id follows the work end to end: an API request's id (the caller's X-Request-ID,
else API Gateway's) → the `correlation_id` attribute of any message it queues → the worker that
handles the message → whatever that worker sends on (a webhook delivery). A queue producer of ours
passes `sqs_attributes()`; an outside producer may set the attribute itself; a worker calls
`bind(from_sqs(record) or record["messageId"])` before it logs about a message.
"""
from aws_lambda_powertools import Logger

logger = Logger(service="accord")

CORRELATION_ATTRIBUTE = "correlation_id"  # SQS message attribute (and header name) on every hop


def bind(correlation_id: str | None) -> None:
    """Every log line from now until the next bind carries `correlation_id` (None: none)."""
    logger.set_correlation_id(correlation_id or None)


def correlation_id() -> str | None:
    return logger.get_correlation_id()


def sqs_attributes() -> dict:
    """SQS MessageAttributes carrying the current correlation id to the next hop."""
    cid = correlation_id()
    return {CORRELATION_ATTRIBUTE: {"DataType": "String", "StringValue": cid}} if cid else {}


def from_sqs(record: dict) -> str | None:
    """The correlation id an SQS record (Lambda's event shape) carries, if any."""
    attr = (record.get("messageAttributes") or {}).get(CORRELATION_ATTRIBUTE) or {}
    value = attr.get("stringValue") or attr.get("StringValue")
    return value[:200] if isinstance(value, str) and value.strip() else None
