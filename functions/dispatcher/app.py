"""Dispatcher: the table's stream (new outbox items and stored report events) → every event to the
EventBridge bus, its webhook deliveries and the team activity log (accord.notify.dispatch); report
events advance freshness states (accord.reports.freshness). A failure fails the batch: the stream
delivers it again, and every step is idempotent."""
from accord.log import logger
from accord.notify import dispatch
from accord.registry.concerned import Resolver
from accord.reports import freshness


def lambda_handler(event, context):
    outbox_items, reports = dispatch.inserted(event.get("Records") or [])
    stats = dispatch.fan_out(outbox_items, Resolver()) if outbox_items else {}
    if reports:
        stats["freshness_advanced"] = freshness.on_stored_events(reports)
    if stats:
        logger.info("dispatched", extra={**stats, "correlation_ids": [i["correlation_id"] for i in outbox_items
                                                                      if i.get("correlation_id")]})
    return stats
