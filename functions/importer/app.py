"""Job worker: runs the queued jobs (accord.jobs) — dbt imports from POST /api/v1/sync/dbt/jobs
(accord.ingest.jobs) and team renames from PATCH /api/v1/teams/{id} (accord.identity.rename).

One message = one job; the job's `kind` picks what runs. A job that fails for storage trouble (or
a crash, or a timeout) stays on the queue and runs again — resuming, without duplicates; a job
whose input is bad is marked failed with the 4xx the direct route would answer, and its message
is done.

ACCORD_IMPORT_CRASH_AFTER (local runtime and tests only): the first attempt of every job exits
the process abruptly once this many progress steps are done, so the resume path can be tested end
to end. Never set in the template.
"""
import os
import time

from accord import errors, jobs, metrics
from accord.identity import rename
from accord.ingest import jobs as dbt_jobs
from accord.log import logger

CRASH_AFTER = int(os.environ.get("ACCORD_IMPORT_CRASH_AFTER") or 0)
RUNNERS = {dbt_jobs.KIND: dbt_jobs.run, rename.KIND: rename.run}


def _crash(job: dict, done: int, total: int) -> None:
    if CRASH_AFTER and int(job.get("attempts") or 0) <= 1 and done >= CRASH_AFTER:
        logger.warning("ACCORD_IMPORT_CRASH_AFTER: exiting mid-job", extra={"job_id": job["id"], "done": done})
        os._exit(70)


@metrics.flushed
def lambda_handler(event, context):
    failures = []
    for record in event.get("Records") or []:
        try:
            tenant, job_id = jobs.parse_message(record.get("body") or "")
        except errors.AccordError as exc:
            logger.error("unreadable job message", extra={"reason": exc.message})
            continue  # no job to run or to fail: retrying cannot help
        started = time.monotonic()
        try:
            status = jobs.process(tenant, job_id, RUNNERS, on_progress=_crash if CRASH_AFTER else None)
        except Exception:  # storage trouble or a bug: the job runs again (and resumes)
            metrics.duration("ImportJobDuration", (time.monotonic() - started) * 1000, outcome="failed")
            logger.exception("job failed; it will be retried", extra={"tenant": tenant, "job_id": job_id})
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        if status in ("succeeded", "failed"):  # the job has ended (a rare redelivery of an ended job adds a ~0 ms sample)
            metrics.duration("ImportJobDuration", (time.monotonic() - started) * 1000, outcome=status)
    return {"batchItemFailures": failures}
