"""`accord dbt sync`: import a manifest (+ run results) into Accord — the server's dbt import
(`/api/v1/sync/*`, Tessera's contract) from a shell or a CI job.

Two ways in, one import on the server (`accord.ingest.dbt_import.run`):
- small artefacts go in one request, `POST /sync/dbt/upload` (a Lambda request stops at 6 MB);
- large ones are gzipped and PUT to a presigned URL (`POST /sync/uploads`), imported by a queued
  job (`POST /sync/dbt/jobs`) the CLI follows (`GET /sync/jobs/{id}`), with progress bars for the
  upload and the import. `--upload auto` (default) picks by size, and also takes the job path when
  the server answers the direct request 413 (too large) or 502/504 (too slow for a request): the
  import is idempotent, so a second try writes nothing twice.
"""
import gzip
import json
import sys
import time

from accord_cli.errors import ApiError, CliError

DIRECT_MAX_BYTES = 5_000_000    # request body; the route's limit is ~5.8 MB (the whole event: 6 MB)
POLL_FIRST, POLL_MAX = 0.3, 2.0  # seconds between job reads: quick for small jobs, calm for long ones
# the direct request was too large (413) or ran past the function's or the gateway's 29 s (a
# Lambda timeout is API Gateway's 502, its own limit a 504): the job path has 15 min per attempt
SLOW_OR_LARGE = (413, 502, 504)
TRANSIENT, MAX_HICCUPS = (429, 500, 502, 503, 504), 20   # job reads that fail while the job runs on
WAIT_SECONDS = 1800             # the worker's own limit is 15 min per attempt, 5 attempts at most
CONFLICT_MODES = ("ignore", "overwrite", "fail")
UPLOAD_MODES = ("auto", "always", "never")


class Artefact:
    """A manifest or run_results file: read once, gunzipped if it came gzipped."""

    def __init__(self, path: str, what: str):
        self.path, self.what = path, what
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            hint = "run `dbt parse` (or compile/build) first" if what == "manifest" else "run `dbt build` or `dbt test` first"
            raise CliError(f"No {what} at {path!r}: {hint}.") from None
        except OSError as exc:
            raise CliError(f"Cannot read the {what} {path!r}: {exc.strerror or exc}.") from exc
        self.gzipped = raw[:2] == b"\x1f\x8b"
        try:
            self.plain = gzip.decompress(raw) if self.gzipped else raw
        except (OSError, EOFError) as exc:
            raise CliError(f"The {what} {path!r} looks gzipped but does not decompress ({exc}).") from exc
        self._raw = raw
        if self.plain.lstrip()[:1] != b"{":
            raise CliError(f"The {what} {path!r} is not a dbt {what} (a JSON object).")

    def document(self) -> dict:
        try:
            return json.loads(self.plain)
        except ValueError as exc:
            raise CliError(f"The {self.what} {self.path!r} is not JSON ({exc}).") from exc

    def compressed(self) -> bytes:
        return self._raw if self.gzipped else gzip.compress(self.plain, compresslevel=6)


class Progress:
    """Bars on a terminal (rich, on stderr: stdout stays for the result); a few plain lines in a
    CI log, where a redrawn bar would be noise."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.bars = None
        if not quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress as Bars,
                                       TextColumn, TimeElapsedColumn)
            self.bars = Bars(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                             TimeElapsedColumn(), console=Console(stderr=True), transient=False)
            self._count = Bars(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                               TimeElapsedColumn(), console=Console(stderr=True))
        self._job_task = None

    def note(self, text: str) -> None:
        if not self.quiet:
            sys.stderr.write(text + "\n")

    def upload(self, what: str, plain: int, size: int):
        """A callback for `http.put_url` (bytes sent so far)."""
        if self.bars is None:
            self.note(f"Uploading {what} ({_mb(plain)}, gzip {_mb(size)})...")
            return None
        self.bars.start()
        task = self.bars.add_task(f"upload {what}", total=size)
        return lambda sent: self.bars.update(task, completed=sent)

    def job(self, status: str, done: int, total: int) -> None:
        if self.bars is None:
            return
        self.bars.stop()
        if self._job_task is None:
            self._count.start()
            self._job_task = self._count.add_task("import", total=total or None)
        self._count.update(self._job_task, description=f"import ({status})", completed=done, total=total or None)

    def close(self) -> None:
        if self.bars is not None:
            self.bars.stop()
            self._count.stop()


def options(api, args) -> dict:
    """The import's options (every field of the direct route but the artefacts)."""
    body = {"conflict_mode": args.conflict_mode, "environment": args.environment,
            "auto_publish_contracts": args.publish_contracts, "auto_create_proposals": args.create_proposals,
            "auto_register_consumers": args.register_consumers, "infer_consumers_from_refs": args.infer_consumers,
            "auto_delete": args.auto_delete, "dry_run": args.dry_run}
    if args.compatibility_mode:
        body["compatibility_mode"] = args.compatibility_mode
    if args.owner_team:
        body["owner_team_id"] = api.resolve_team(args.owner_team)["id"]
    return body


def sync(api, manifest: Artefact, run_results: Artefact | None, opts: dict, *, upload: str = "auto",
         wait: bool = True, wait_seconds: float = WAIT_SECONDS, progress: Progress | None = None) -> dict:
    """Import; returns {via, http_status, result} (+ job_id when it went through a job; result is
    None when not waiting)."""
    progress = progress or Progress(quiet=True)
    size = len(manifest.plain) + (len(run_results.plain) if run_results else 0)
    if upload == "always" or (upload == "auto" and size > DIRECT_MAX_BYTES):
        return _by_job(api, manifest, run_results, opts, wait, wait_seconds, progress)
    body = {**opts, "manifest": manifest.document()}
    if run_results is not None:
        body["run_results"] = run_results.document()
    try:
        status, result = api.dbt_upload(body)
    except ApiError as exc:
        if upload == "auto" and exc.status in SLOW_OR_LARGE:
            progress.note("The direct import was too large or too slow for one request: uploading it instead.")
            return _by_job(api, manifest, run_results, opts, wait, wait_seconds, progress)
        if exc.status == 413:
            raise CliError(f"{exc.message[:-1]}; drop --upload never to go through the upload route.") from exc
        raise
    return {"via": "direct", "http_status": status, "result": result}


def _put(api, artefact: Artefact, progress: Progress) -> str:
    from accord_cli.http import put_url
    body = artefact.compressed()
    up = api.create_upload(gzipped=True)
    if len(artefact.plain) > int(up.get("max_bytes") or len(artefact.plain)):
        raise CliError(f"The {artefact.what} is {_mb(len(artefact.plain))} uncompressed; the server takes at most "
                       f"{_mb(up['max_bytes'])}.")
    put_url(up["url"], body, content_type="application/gzip", timeout=api.http.timeout * 10,
            on_progress=progress.upload(artefact.what, len(artefact.plain), len(body)))
    return up["upload_id"]


def _by_job(api, manifest, run_results, opts, wait, wait_seconds, progress) -> dict:
    try:
        body = {**opts, "upload_id": _put(api, manifest, progress)}
        if run_results is not None:
            body["run_results_upload_id"] = _put(api, run_results, progress)
        job = api.create_dbt_job(body)
        job_id = job["job_id"]
        progress.note(f"Import job {job_id} queued.")
        if not wait:
            return {"via": "job", "job_id": job_id, "http_status": 202, "result": None, "job": job}
        job = follow(api, job_id, wait_seconds, progress)
    finally:
        progress.close()
    if job["status"] == "failed":
        err = job.get("error") or {}
        msg = str(err.get("message") or "no reason given").rstrip(".")
        raise CliError(f"Import job {job_id} failed: {msg}" + (f" (HTTP {err['status']})." if err.get("status") else "."))
    return {"via": "job", "job_id": job_id, "http_status": job.get("http_status") or 200, "result": job.get("result")}


def follow(api, job_id: str, wait_seconds: float = WAIT_SECONDS, progress: Progress | None = None) -> dict:
    """Read the job until it is done (succeeded or failed)."""
    deadline = time.monotonic() + wait_seconds
    pause, hiccups = POLL_FIRST, 0
    while True:
        try:
            job = api.job(job_id)
            hiccups = 0
        except CliError as exc:
            # the job runs on without us: a busy server's 5xx/429 (already retried) or a dropped
            # connection costs a pause, not the import; a 401/404 or a server gone for long ends it
            hiccups += 1
            if getattr(exc, "status", 503) not in TRANSIENT or hiccups > MAX_HICCUPS or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 1.5, POLL_MAX)
            continue
        p = job.get("progress") or {}
        if progress:
            progress.job(job["status"], int(p.get("done") or 0), int(p.get("total") or 0))
        if job["status"] in ("succeeded", "failed"):
            return job
        if time.monotonic() + pause > deadline:
            raise CliError(f"Import job {job_id} is still {job['status']} after {wait_seconds:.0f} s: follow it with "
                           f"`accord dbt job {job_id}`.")
        time.sleep(pause)
        pause = min(pause * 1.5, POLL_MAX)


def summary_rows(result: dict) -> list[tuple[str, object]]:
    """Tessera's response (plus ours) as `name: value` lines for a person."""
    a, c = result.get("assets") or {}, result.get("contracts") or {}
    rows = [("status", result.get("status")), ("environment", result.get("environment"))]
    rows.append(("assets", ", ".join(f"{a.get(k, 0)} {k}" for k in
                                      ("created", "updated", "unchanged", "skipped", "refused", "deleted") if k in a)))
    rows.append(("dependencies", f"{(result.get('dependencies') or {}).get('synced', 0)} synced"))
    rows.append(("contracts", f"{c.get('published', 0)} published"))
    rows.append(("proposals", f"{(result.get('proposals') or {}).get('created', 0)} created"))
    rows.append(("registrations", f"{(result.get('registrations') or {}).get('created', 0)} created"))
    if result.get("audit_runs"):
        r = result["audit_runs"]
        rows.append(("test runs", f"{r.get('recorded', 0)} recorded, {r.get('already_recorded', 0)} already recorded"))
    if result.get("run_id"):
        rows.append(("run id", result["run_id"]))
    return rows


WARNING_LISTS = ("ownership_warnings", "contract_warnings", "registration_warnings", "dependency_warnings")


def warnings(result: dict) -> list[str]:
    out = []
    for key in WARNING_LISTS:
        out.extend(f"{key.split('_')[0]}: {w}" for w in result.get(key) or [])
    return out


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"
