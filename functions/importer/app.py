"""Import worker: runs the dbt import jobs queued by POST /api/v1/sync/dbt/jobs (accord.ingest.jobs).

One message = one job. A job that fails for storage trouble (or a crash, or a timeout) stays on
the queue and runs again — resuming, without duplicates; a job whose manifest or options are bad
is marked failed with the 4xx the direct route would answer, and its message is done.

ACCORD_IMPORT_CRASH_AFTER (local runtime and tests only): the first attempt of every job exits
the process abruptly once this many progress steps are done, so the resume path can be tested end
to end. Never set in the template.
"""
import os

from accord import errors
from accord.ingest import jobs
from accord.log import logger

CRASH_AFTER = int(os.environ.get("ACCORD_IMPORT_CRASH_AFTER") or 0)


def _crash(job: dict, done: int, total: int) -> None:
    if CRASH_AFTER and int(job.get("attempts") or 0) <= 1 and done >= CRASH_AFTER:
        logger.warning("ACCORD_IMPORT_CRASH_AFTER: exiting mid-import", extra={"job_id": job["id"], "done": done})
        os._exit(70)


def lambda_handler(event, context):
    failures = []
    for record in event.get("Records") or []:
        try:
            tenant, job_id = jobs.parse_message(record.get("body") or "")
        except errors.AccordError as exc:
            logger.error("unreadable import message", extra={"reason": exc.message})
            continue  # no job to run or to fail: retrying cannot help
        try:
            jobs.process(tenant, job_id, on_progress=_crash if CRASH_AFTER else None)
        except Exception:  # storage trouble or a bug: the job runs again (and resumes)
            logger.exception("import job failed; it will be retried", extra={"tenant": tenant, "job_id": job_id})
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
