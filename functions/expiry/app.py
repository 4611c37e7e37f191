"""Scheduled: expire pending proposals whose `expires_at` has passed (DESIGN §4.9)."""
from accord import metrics
from accord.log import logger
from accord.registry.proposals import expire_due


@metrics.flushed
def lambda_handler(event, context):
    expired = expire_due()
    logger.info("proposal expiry sweep", extra={"expired": expired})
    return {"expired": expired}
