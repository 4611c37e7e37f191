"""Jobs: work too long for a request, run by the job worker (functions/importer) off a queue.

A job is one item (store/jobs.py) with a `kind` — "dbt_import" (accord.ingest.jobs), "team_rename"
(accord.identity.rename) — and one life whatever its kind: status queued → running → succeeded |
failed (conditional updates), progress {done, total}, attempts. One SQS message {tenant, job_id}
runs it; the message names no kind, the item does, and the worker dispatches on it (`process`).

A kind's runner must be resumable: a worker that dies (crash, timeout) leaves the message on the
queue, and the next delivery runs the job again from what the job stored. A duplicate message is
harmless for the same reason. After MAX_ATTEMPTS deliveries the job is marked failed.
"""
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

from accord import clock, errors
from accord.log import logger
from accord.store import jobs as store

MAX_ATTEMPTS = 5        # deliveries of one job before it is marked failed
STATUSES = ("queued", "running", "succeeded", "failed")
ENDED = ("succeeded", "failed")
DBT_IMPORT = "dbt_import"   # jobs made before `kind` existed were all dbt imports
SHOWN = {DBT_IMPORT: ("upload_id",), "team_rename": ("team_id", "name")}  # a kind's own fields in its view


def new(kind: str, **fields) -> dict:
    now = clock.iso()
    return {"id": str(uuid.uuid4()), "kind": kind, "status": "queued", "progress": {"done": 0, "total": 0},
            "created_at": now, "updated_at": now, "attempts": 0, **fields}


create = store.create
create_op = store.create_op


def send(tenant: str, job_id: str) -> None:
    """Queue a delivery of the job (raises ServiceUnavailable when the queue cannot be reached)."""
    store.enqueue({"tenant": tenant, "job_id": job_id})


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
