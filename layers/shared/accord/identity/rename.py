"""A team rename's copy of the name onto the team's assets: a queued job (kind "team_rename").

The rename itself is synchronous: PATCH /teams/{id} swaps the name guard and, in the same
transaction, creates the job and marks the team `rename_job_id`. The job worker then copies the
team's name — read when it runs, so a later rename wins and a stale job never writes an old name —
onto every asset the team owns, a page per transaction (store/assets.rename_page), each page with
the job's checkpoint (cursor, done) and a guard that this job is still the team's current rename.
A crash resumes from the checkpoint; a later rename makes the guard fail, and the job ends as
superseded (the later job does the whole copy). Once done, the team's `rename_job_id` goes.

The team's view carries `rename {job_id, status, progress}` while it has not succeeded: until then
assets may still show the old `owner_team_name` (owner_team_id is what identifies the owner).
"""
from accord import clock, errors, jobs
from accord.log import logger
from accord.store import assets as asset_store
from accord.store import jobs as job_store
from accord.store import teams as team_store

KIND = "team_rename"


def new_job(tenant: str, team_id: str, name: str) -> dict:
    total = asset_store.total(tenant, team=team_id, env=None, fqn=None)
    return jobs.new(KIND, team_id=team_id, name=name, progress={"done": 0, "total": total},
                    checkpoint={"cursor": None, "done": 0})


def send(tenant: str, job: dict) -> None:
    """Queue the job; if the queue cannot be reached the job stays queued (the rename itself is
    committed): the job sweep sends it within minutes (its wake marker), or an identical PATCH
    sends it at once (`again`)."""
    try:
        jobs.send(tenant, job)
    except errors.AccordError as exc:
        logger.warning("team rename job not queued; the job sweep or an identical PATCH queues it",
                       extra={"tenant": tenant, "job_id": job["id"], "reason": exc.message})


def again(tenant: str, team: dict) -> dict | None:
    """A PATCH naming the team's current name: a rename job still queued is sent again (its message
    may have been lost); one that failed, or is gone, is replaced by a new job, returned (the caller
    writes it with the team). None when there is nothing to redo."""
    job_id = team.get("rename_job_id")
    if not job_id:
        return None
    job = job_store.get(tenant, job_id)
    if job is not None and job["status"] == "queued":
        send(tenant, job)
        return None
    if job is None or job["status"] == "failed":
        return new_job(tenant, team["id"], team["name"])
    if job["status"] == "succeeded":  # its worker stopped before clearing the team's mark
        team_store.rename_done(tenant, team["id"], job_id)
    return None  # running: a worker has it


def state(team: dict, job: dict | None) -> dict | None:
    """The team view's `rename`: None once the copy has succeeded (or there never was one)."""
    job_id = team.get("rename_job_id")
    if not job_id or (job is not None and job["status"] == "succeeded"):
        return None
    if job is None:  # expired (30 days) without succeeding
        return {"job_id": job_id, "status": "failed", "progress": None}
    out = {"job_id": job_id, "status": job["status"], "progress": job.get("progress") or {"done": 0, "total": 0}}
    if job.get("error"):
        out["error"] = job["error"]
    return out


# ------------------------------------------------------------------ the worker
def run(tenant: str, job: dict, on_progress=None) -> jobs.Done:
    job_id, team_id = job["id"], job["team_id"]
    team = team_store.get_renaming(tenant, team_id, job_id)
    if team is None:
        return _superseded(job)
    name = team["name"]  # the current name, whatever the job was made for
    cursor, done = (job.get("checkpoint") or {}).get("cursor"), int((job.get("checkpoint") or {}).get("done") or 0)
    total = max(asset_store.total(tenant, team=team_id, env=None, fqn=None), done)

    def parts(visited: int, following) -> list[dict]:
        seen = done + visited
        return [team_store.rename_guard_op(tenant, team_id, job_id),
                job_store.update_op(tenant, job_id, {
                    "checkpoint": {"cursor": following, "done": seen},
                    "progress": {"done": seen, "total": max(total, seen)}, "updated_at": clock.iso()},
                    when_status=("running",))]

    while True:
        page = asset_store.rename_page(tenant, team_id, name, cursor, parts)
        if page is None:  # a later rename (or the team's deletion) took over
            return _superseded(job)
        visited, cursor = page
        done += visited
        total = max(total, done)
        if on_progress:
            on_progress(job, done, total)
        if cursor is None:
            break
    return jobs.Done({"progress": {"done": done, "total": done}}, {"team_id": team_id, "name": name, "assets": done},
                     after=lambda: team_store.rename_done(tenant, team_id, job_id))


def _superseded(job: dict) -> jobs.Done:
    """Ends a job that is no longer its team's current rename: the later job copies the name."""
    progress = job.get("progress") or {"done": 0, "total": 0}
    return jobs.Done({"progress": progress}, {"team_id": job["team_id"], "superseded": True})
