"""Reports worker (stub until the Reports issue): store each valid JSON message body.

Each record is stored idempotently under its SQS message id, so a redelivery never stores a
second copy. A body that is not JSON is reported as a batch item failure: SQS redelivers it and,
after the queue's maxReceiveCount, moves it to the DLQ.
"""
import json

from accord import clock
from accord.log import logger
from accord.store import db, keys
from accord.store.db import ConditionFailed


def _tenant(record: dict, body) -> str:
    attrs = record.get("messageAttributes") or {}
    value = (attrs.get("tenant") or {}).get("stringValue")
    if not value and isinstance(body, dict):
        value = body.get("tenant")
    return value if isinstance(value, str) and value else "default"


def lambda_handler(event, context):
    failures = []
    for record in event.get("Records", []):
        message_id = record["messageId"]
        try:
            body = json.loads(record.get("body") or "")
        except ValueError as exc:
            logger.warning("undecodable report message", extra={"message_id": message_id, "reason": str(exc)})
            failures.append({"itemIdentifier": message_id})
            continue
        try:
            db.put({"PK": keys.inbox_pk(_tenant(record, body)), "SK": f"MSG#{message_id}",
                    "body": body, "received_at": clock.iso()}, condition="attribute_not_exists(PK)")
        except ConditionFailed:
            pass  # a redelivery of a message we already stored
        except Exception:
            logger.exception("could not store report message", extra={"message_id": message_id})
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
