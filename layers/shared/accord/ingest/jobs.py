"""Large manifests (DESIGN §10.1): real projects' manifests (10-200 MB) do not fit a Lambda request
(6 MB). `POST /sync/uploads` hands out a presigned S3 PUT; `POST /sync/dbt/jobs` queues an import
of the upload; the import worker runs it (the same `dbt_import.run` as the direct route);
`GET /sync/jobs/{id}` reports status, progress and, when done, the direct route's response. The
job's life (queue, attempts, status) is accord.jobs'; this module is the "dbt_import" kind.

Resumable without duplicates: the job's id is the import's `run_id`. A worker that dies mid-import
(timeout, crash) leaves the message on the queue; the next delivery runs the import again, which
skips what is already written (content hashes, conditional writes, deterministic audit-run ids)
and finishes what is not — assets the first attempt created count as created, not "existing".
"""
import gzip
import time
import uuid
from datetime import timedelta

from accord import clock, errors, jobs, jsontext
from accord.auth.principal import Principal
from accord.ingest import dbt_import
from accord.log import logger
from accord.notify import events, outbox
from accord.store import jobs as store

KIND = jobs.DBT_IMPORT
UPLOAD_SECONDS = 900                    # a presigned URL's life
MAX_UPLOAD_BYTES = 512 * 1024 * 1024    # uncompressed size the worker reads (1,769 MB of memory)
PROGRESS_SECONDS = 1.0                  # at most one progress write per second


def _bad(message: str, field: str) -> errors.Unprocessable:
    return errors.Unprocessable(message, detail=[{"loc": ["body", field], "msg": message, "type": "value_error"}])


def create_upload(principal, body) -> dict:
    encoding = (body.content_encoding or "").lower() or None
    if encoding not in (None, "gzip", "identity"):
        raise _bad(f"content_encoding {body.content_encoding!r}: send the manifest as is, or gzip it.", "content_encoding")
    upload_id = uuid.uuid4().hex
    url = store.presign_put(principal.tenant, upload_id, UPLOAD_SECONDS)
    expires = clock.iso(clock.now() + timedelta(seconds=UPLOAD_SECONDS))
    return {"upload_id": upload_id, "url": url, "method": "PUT", "expires_at": expires,
            "max_bytes": MAX_UPLOAD_BYTES,
            "note": "PUT the file (dbt's target/manifest.json, gzip accepted) to url, then "
                    "POST /api/v1/sync/dbt/jobs {\"upload_id\": ...}."}


def _upload(principal, upload_id: str | None, field: str) -> str | None:
    if upload_id is None:
        return None
    if not upload_id.isalnum() or len(upload_id) != 32:
        raise _bad(f"{field}: {upload_id!r} is not an upload id (POST /api/v1/sync/uploads makes one).", field)
    size = store.upload_size(principal.tenant, upload_id)
    if size is None:
        raise _bad(f"{field}: nothing was uploaded as {upload_id} (or the upload expired): PUT the file to the "
                   "upload's url first.", field)
    if size > MAX_UPLOAD_BYTES:
        raise errors.PayloadTooLarge(f"{field}: the upload is {size} bytes; the limit is {MAX_UPLOAD_BYTES}.")
    return upload_id


def create_job(principal, body) -> dict:
    if body.conflict_mode not in dbt_import.CONFLICT_MODES:
        raise errors.BadRequest(f"Invalid conflict_mode: {body.conflict_mode}. Use 'overwrite', 'ignore', or 'fail'.",
                                code="CONFLICT_MODE_INVALID")
    dbt_import.options(body)  # environment and mode: refused now, not in the worker
    dbt_import.default_team(principal.tenant, body.owner_team_id)
    upload = _upload(principal, body.upload_id, "upload_id")
    run_results = _upload(principal, body.run_results_upload_id, "run_results_upload_id")
    job = jobs.new(KIND, options=body.model_dump(mode="json", exclude={"upload_id", "run_results_upload_id"}),
                   upload_id=upload, run_results_upload_id=run_results,
                   principal={"key_id": principal.key_id, "name": principal.name, "email": principal.email,
                              "scopes": sorted(principal.scopes), "team_id": principal.team_id})
    jobs.create(principal.tenant, job)
    try:
        jobs.send(principal.tenant, job)
    except errors.AccordError:
        store.update(principal.tenant, job["id"], {"status": "failed", "finished_at": clock.iso(),
                                                    "error": {"status": 503, "message": "the job could not be queued"}})
        raise
    return jobs.view(job)


# ------------------------------------------------------------------ the worker
def _document(raw: bytes, what: str):
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise errors.BadRequest(f"The {what} upload looks gzipped but does not decompress: {exc}.") from None
    if len(raw) > MAX_UPLOAD_BYTES:
        raise errors.PayloadTooLarge(f"The {what} is {len(raw)} bytes uncompressed; the limit is {MAX_UPLOAD_BYTES}.")
    try:
        text = raw.decode("utf-8")
        return jsontext.loads(text, jsontext.MAX_JSON_DEPTH)
    except (UnicodeDecodeError, ValueError) as exc:
        raise errors.BadRequest(f"The {what} upload is not JSON: {str(exc)[:200]}.") from None


def run(tenant: str, job: dict, on_progress=None) -> jobs.Done:
    """The import of a running job (accord.jobs.process runs it). A bad manifest or bad options
    raise the 4xx the direct route would answer (the job fails with it); storage trouble raises too
    (the queue delivers the job again)."""
    job_id = job["id"]
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if on_progress:
            on_progress(job, done, total)
        now = time.monotonic()
        if now - last[0] >= PROGRESS_SECONDS or done >= total:
            last[0] = now
            before = job.get("progress") or {}  # a resumed job never reports less than it had
            kept = before.get("done", 0) if before.get("total") == total else 0
            store.update(tenant, job_id, {"progress": {"done": max(done, kept), "total": total},
                                          "updated_at": clock.iso()}, when_status=("running",))

    p = job["principal"]
    principal = Principal(tenant=tenant, key_id=p["key_id"], name=p.get("name") or "", email=p.get("email"),
                          scopes=frozenset(p.get("scopes") or ()), team_id=p.get("team_id"))
    from accord.ingest.models import DbtUploadOptions
    opts = DbtUploadOptions.model_validate(job.get("options") or {})
    raw = store.read_upload(tenant, job["upload_id"])
    if raw is None:
        raise errors.Unprocessable("The upload is gone (it expired, or the local runtime restarted: uploads do "
                                   "not survive a restart); upload the manifest again.", code="UPLOAD_GONE")
    manifest = _document(raw, "manifest")
    del raw
    run_results = None
    if job.get("run_results_upload_id"):
        rr = store.read_upload(tenant, job["run_results_upload_id"])
        run_results = _document(rr, "run_results") if rr is not None else None
    status, body = dbt_import.run(principal, opts, manifest, run_results, run_id=job_id, progress=progress)
    total, at = body["nodes_total"] * dbt_import.PHASES, clock.iso()
    done = events.sync_completed(tenant, {**job, "status": "succeeded", "finished_at": at}, _counts(body),
                                 errors=sum((body.get("warnings_total") or {}).values()),
                                 team_id=str(opts.owner_team_id) if opts.owner_team_id else principal.team_id)

    def delete_uploads() -> None:
        for upload in (job.get("upload_id"), job.get("run_results_upload_id")):
            if upload:
                store.delete_upload(tenant, upload)
        logger.info("import job done", extra={"tenant": tenant, "job_id": job_id, "status": status})
    return jobs.Done({"http_status": status, "progress": {"done": total, "total": total}, "finished_at": at}, body,
                     [outbox.op(tenant, done)], delete_uploads)


def _counts(body: dict) -> dict[str, int]:
    """What accord.sync.completed summarises (zero counts drop out of its summary)."""
    assets = body.get("assets") or {}
    return {"assets created": assets.get("created", 0), "assets updated": assets.get("updated", 0),
            "assets deleted": assets.get("deleted", 0),
            "contracts published": (body.get("contracts") or {}).get("published", 0),
            "proposals created": (body.get("proposals") or {}).get("created", 0),
            "audit runs recorded": (body.get("audit_runs") or {}).get("recorded", 0)}
