"""Webhook deliveries: one SQS message = one attempt (accord.notify.delivery). Messages of a batch
are attempted in parallel (each POST may take up to 10 s); a message whose handling failed for
storage trouble is reported in `batchItemFailures` and comes back. Each message's lines carry its
correlation id (the change that made the event), kept per thread: the batch runs in parallel."""
import json
from concurrent.futures import ThreadPoolExecutor

from accord import log, metrics
from accord.log import logger
from accord.notify import delivery

_pool = ThreadPoolExecutor(max_workers=10)


def _one(record):
    carried = log.from_sqs(record)  # passed on to the next attempt; the message id only names this one
    correlation = carried or record.get("messageId")
    logger.thread_safe_append_keys(correlation_id=correlation)
    try:
        outcome = delivery.handle(json.loads(record["body"]), carried)
        logger.info("delivery", extra={"outcome": outcome, "message_id": record.get("messageId")})
        return None, outcome, correlation
    except Exception as exc:  # noqa: BLE001 - this message is retried by SQS, the others are not
        logger.exception("delivery failed", extra={"message_id": record.get("messageId")})
        return record["messageId"], f"error: {type(exc).__name__}", correlation
    finally:
        logger.thread_safe_clear_keys()


@metrics.flushed
def lambda_handler(event, context):
    results = list(_pool.map(_one, event.get("Records") or []))
    failures = [{"itemIdentifier": ident} for ident, _, _ in results if ident]
    correlation_ids = [c for _, _, c in results]
    logger.info("deliveries", extra={"outcomes": [o for _, o, _ in results], "correlation_ids": correlation_ids})
    metrics.annotate(correlation_ids=correlation_ids)
    return {"batchItemFailures": failures}
