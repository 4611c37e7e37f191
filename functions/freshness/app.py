"""Scheduled (every minute): assets whose freshness allowance ran out with no update become stale,
each with its `accord.asset.freshness_changed` event (accord.reports.freshness.sweep)."""
from accord.log import logger
from accord.reports.freshness import sweep


def lambda_handler(event, context):
    turned = sweep()
    logger.info("freshness sweep", extra={"turned_stale": turned})
    return {"turned_stale": turned}
