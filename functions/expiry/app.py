"""Scheduled sweeps, every minute: expire pending proposals whose `expires_at` has passed (DESIGN
§4.9), and send the queued jobs whose message never left (accord.jobs.resend_lost)."""
from accord import jobs, metrics
from accord.log import logger
from accord.registry.proposals import expire_due


@metrics.flushed
def lambda_handler(event, context):
    expired = expire_due()
    resent = jobs.resend_lost()
    logger.info("scheduled sweep", extra={"expired": expired, "jobs_resent": resent})
    return {"expired": expired, "jobs_resent": resent}
