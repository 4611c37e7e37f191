"""Webhook deliveries: one SQS message = one attempt (accord.notify.delivery). Messages of a batch
are attempted in parallel (each POST may take up to 10 s); a message whose handling failed for
storage trouble is reported in `batchItemFailures` and comes back."""
import json
from concurrent.futures import ThreadPoolExecutor

from accord.log import logger
from accord.notify import delivery

_pool = ThreadPoolExecutor(max_workers=10)


def _one(record):
    try:
        outcome = delivery.handle(json.loads(record["body"]))
        return None, outcome
    except Exception as exc:  # noqa: BLE001 - this message is retried by SQS, the others are not
        logger.exception("delivery failed", extra={"message_id": record.get("messageId")})
        return record["messageId"], f"error: {type(exc).__name__}"


def lambda_handler(event, context):
    results = list(_pool.map(_one, event.get("Records") or []))
    failures = [{"itemIdentifier": ident} for ident, _ in results if ident]
    logger.info("deliveries", extra={"outcomes": [o for _, o in results]})
    return {"batchItemFailures": failures}
