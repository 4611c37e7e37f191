"""The two AWS services the notifications talk to besides DynamoDB: the EventBridge bus every event
is put on, and the SQS queue webhook deliveries wait in. botocore directly, clients made on first
use and kept by the warm environment (as store/db.py does). AWS_ENDPOINT_URL points them at the
local emulator. Names come from the template: ACCORD_EVENT_BUS, ACCORD_DELIVERY_QUEUE_URL.
"""
import json
import os

import botocore.session
from botocore.config import Config

from accord import errors, log

SOURCE = "accord"
_clients: dict = {}


def _client(service: str):
    if service not in _clients:
        _clients[service] = botocore.session.get_session().create_client(
            service, region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            config=Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5))
    return _clients[service]


def reset_clients() -> None:
    _clients.clear()


def put_events(events: list[dict]) -> int:
    """Every event on the bus (`Source` accord, `DetailType` its type, `Detail` the CloudEvent);
    entries EventBridge refused are retried, then the call fails (the stream batch is retried:
    EventBridge delivery is at least once — consumers dedupe by the CloudEvent `id`)."""
    bus = os.environ.get("ACCORD_EVENT_BUS")
    if not bus or not events:
        return 0
    entries = [{"Source": SOURCE, "DetailType": e["type"], "Detail": json.dumps(e, separators=(",", ":")),
                "EventBusName": bus, "Resources": []} for e in events]
    calls = 0
    for i in range(0, len(entries), 10):
        chunk = entries[i:i + 10]
        for _ in range(3):
            out = _client("events").put_events(Entries=chunk)
            calls += 1
            if not out.get("FailedEntryCount"):
                break
            chunk = [entry for entry, res in zip(chunk, out["Entries"]) if res.get("ErrorCode")]
        else:
            raise errors.ServiceUnavailable("EventBridge refused events; the batch is retried.")
    return calls


def enqueue(messages: list[tuple]) -> int:
    """Delivery messages (body, delay seconds ≤ 900[, correlation id]) on the delivery queue, 10 per
    call; the correlation id rides as the message attribute every hop uses (accord.log)."""
    url = os.environ.get("ACCORD_DELIVERY_QUEUE_URL")
    if not url or not messages:
        return 0
    calls = 0
    for i in range(0, len(messages), 10):
        chunk = [_message(n, *m) for n, m in enumerate(messages[i:i + 10])]
        for _ in range(3):
            out = _client("sqs").send_message_batch(QueueUrl=url, Entries=chunk)
            calls += 1
            failed = {f["Id"] for f in out.get("Failed") or []}
            if not failed:
                break
            chunk = [c for c in chunk if c["Id"] in failed]
        else:
            raise errors.ServiceUnavailable("The delivery queue refused messages; retried.")
    return calls


def _message(n: int, body: dict, delay: int, correlation_id: str | None = None) -> dict:
    m = {"Id": str(n), "MessageBody": json.dumps(body, separators=(",", ":")), "DelaySeconds": max(0, min(900, int(delay)))}
    if correlation_id:
        m["MessageAttributes"] = {log.CORRELATION_ATTRIBUTE: {"DataType": "String", "StringValue": correlation_id}}
    return m
