"""Jobs: work too long for a request, run by the job worker (functions/importer) off a queue.

A job is one item (store/jobs.py) with a `kind` — "dbt_import" (accord.ingest.jobs), "team_rename"
(accord.identity.rename) — and one life whatever its kind: status queued → running → succeeded |
failed (conditional updates), progress {done, total}, attempts. One SQS message {tenant, job_id}
runs it; the message names no kind, the item does, and the worker dispatches on it (`process`).

A job's message is sent after the commit that creates it; the commit also writes a wake marker,
dropped once the message is sent. A scheduled sweep (`resend_lost`, run by functions/expiry) sends
the still-queued jobs whose marker outlived `wake_at`: no job waits forever for a message that a
crash or a queue outage kept from being sent.

A kind's runner must be resumable: a worker that dies (crash, timeout) leaves the message on the
queue, and the next delivery runs the job again from what the job stored. A duplicate message is
harmless for the same reason. After MAX_ATTEMPTS deliveries the job is marked failed.
"""
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

from accord import clock, errors
from accord.log import logger
from accord.store import jobs as store

MAX_ATTEMPTS = 5        # deliveries of one job before it is marked failed
STATUSES = ("queued", "running", "succeeded", "failed")
ENDED = ("succeeded", "failed")
DBT_IMPORT = "dbt_import"   # jobs made before `kind` existed were all dbt imports
SHOWN = {DBT_IMPORT: ("upload_id",), "team_rename": ("team_id", "name")}  # a kind's own fields in its view


WAKE_AFTER = timedelta(minutes=2)   # a job still unsent this long after its creation is sent by the sweep
SWEEP_DAYS = 2                      # how far back the sweep looks for wake markers


def new(kind: str, **fields) -> dict:
    now = clock.now()
    return {"id": str(uuid.uuid4()), "kind": kind, "status": "queued", "progress": {"done": 0, "total": 0},
            "created_at": clock.iso(now), "updated_at": clock.iso(now), "attempts": 0,
            "wake_at": clock.iso(now + WAKE_AFTER), **fields}


create = store.create
create_ops = store.create_ops


def send(tenant: str, job: dict) -> None:
    """Queue a delivery of the job (raises ServiceUnavailable when the queue cannot be reached), then
    drop its wake marker. A job created but never sent — the queue was down, or the process died
    between the commit and this call — keeps its marker, and `resend_lost` sends it."""
    store.enqueue({"tenant": tenant, "job_id": job["id"]})
    store.sent(tenant, job)


def resend_lost(lookback_days: int = SWEEP_DAYS) -> int:
    """The scheduled sweep: send every job whose wake marker is due and which is still queued (its
    message never left); markers of jobs that started, ended or are gone are dropped. Returns how
    many were sent. A queue that cannot be reached stops the sweep (the next one retries)."""
    now = clock.now()
    now_iso, resent = clock.iso(now), 0
    for back in range(lookback_days, -1, -1):
        day = (now - timedelta(days=back)).strftime("%Y-%m-%d")
        while True:
            due = store.due_wakes(day, now_iso)
            for marker in due:
                job = store.get(marker["tenant"], marker["job_id"])
                if job is not None and job["status"] == "queued":
                    store.enqueue({"tenant": marker["tenant"], "job_id": marker["job_id"]})
                    resent += 1
                    logger.warning("job message re-sent by the sweep",
                                   extra={"tenant": marker["tenant"], "job_id": marker["job_id"]})
                store.drop_wake(marker)
            if len(due) < 100:
                break
    return resent


def view(job: dict) -> dict:
    kind = job.get("kind") or DBT_IMPORT
    out = {"job_id": job["id"], "id": job["id"], "kind": kind, "status": job["status"],
           "progress": job.get("progress") or {"done": 0, "total": 0}, "attempts": int(job.get("attempts") or 0),
           "created_at": job["created_at"], "started_at": job.get("started_at"), "finished_at": job.get("finished_at"),
           **{name: job.get(name) for name in SHOWN.get(kind, ())}}
    if job.get("result") is not None:
        out["result"] = job["result"]
        if job.get("http_status") is not None:
            out["http_status"] = job["http_status"]
    if job.get("error"):
        out["error"] = job["error"]
    return out


def lookup(tenant: str, job_id: str) -> dict | None:
    """The job (any kind) or None; an id that is not a UUID is no job."""
    try:
        ident = str(uuid.UUID(job_id))
    except ValueError:
        return None
    return store.get(tenant, ident)


def get(tenant: str, job_id: str) -> dict:
    job = lookup(tenant, job_id)
    if job is None:
        raise errors.NotFound(f"Job {job_id} not found.", code="JOB_NOT_FOUND")
    return view(job)


get_many = store.get_many


def parse_message(body: str) -> tuple[str, str]:
    try:
        msg = json.loads(body)
        return str(msg["tenant"]), str(msg["job_id"])
    except (ValueError, KeyError, TypeError):
        raise errors.BadRequest(f"Not a job message: {body[:200]!r}.") from None


# ------------------------------------------------------------------ running one
@dataclass
class Done:
    """What a runner hands back: fields set on the job as it succeeds, its `result`, more transaction
    parts written with that (an outbox event), and what to do once it is written."""
    fields: dict = field(default_factory=dict)
    result: object = None
    also: list = field(default_factory=list)
    after: Callable[[], None] | None = None


Runner = Callable[[str, dict, Callable | None], Done]   # (tenant, job as running, on_progress) -> Done


def process(tenant: str, job_id: str, runners: dict[str, Runner], on_progress=None) -> str:
    """Run (or resume) a job; returns its final status. Storage trouble raises (the queue delivers
    it again); a runner's 4xx fails the job with that error. `on_progress(job, done, total)` is
    called by runners as they go (tests use it to crash a job midway)."""
    job = store.get(tenant, job_id)
    if job is None or job["status"] in ENDED:
        return job["status"] if job else "missing"
    if int(job.get("attempts") or 0) >= MAX_ATTEMPTS:
        _fail(tenant, job_id, {"status": 500, "message": f"the job failed {MAX_ATTEMPTS} times in a row; see the logs"},
              when=("queued", "running"))
        return "failed"
    job = store.update(tenant, job_id, {"status": "running", "started_at": job.get("started_at") or clock.iso(),
                                        "updated_at": clock.iso()}, when_status=("queued", "running"), add_attempt=True)
    if job is None:
        return "missing"
    kind = job.get("kind") or DBT_IMPORT
    runner = runners.get(kind)
    if runner is None:
        _fail(tenant, job_id, {"status": 500, "message": f"no worker runs jobs of kind {kind!r}"})
        return "failed"
    started = time.monotonic()
    try:
        done = runner(tenant, job, on_progress)
    except errors.AccordError as exc:
        if exc.status >= 500 or exc.status == 429:
            raise  # storage trouble: the queue delivers the job again
        _fail(tenant, job_id, {"status": exc.status, "code": exc.code, "message": exc.message, "detail": exc.detail})
        return "failed"
    now = clock.iso()
    store.update(tenant, job_id, {"status": "succeeded", "finished_at": now, "updated_at": now, **done.fields},
                 when_status=("running",), result=done.result, also=done.also or None)
    if done.after:
        done.after()
    logger.info("job done", extra={"tenant": tenant, "job_id": job_id, "kind": kind, "attempts": job.get("attempts"),
                                   "seconds": round(time.monotonic() - started, 3)})
    return "succeeded"


def _fail(tenant: str, job_id: str, error: dict, when=("running",)) -> None:
    store.update(tenant, job_id, {"status": "failed", "finished_at": clock.iso(), "updated_at": clock.iso(),
                                  "error": error}, when_status=when)
