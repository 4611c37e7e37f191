"""Registry family: ingestion — dbt's manifest and run results (Tessera's /sync/dbt/* routes),
large uploads and the import jobs that read them."""
from accord.http import budget
from accord.http.envelopes import REGISTRY
from accord.http.router import Response, Router

# A Lambda request stops at 6 MB (the whole event): above this a body cannot reach the function
# whole, and the 413 names the route that takes any size.
MAX_BODY_BYTES = 5_800_000
TOO_LARGE = (f"Request body is larger than {MAX_BODY_BYTES} bytes (a Lambda request stops at 6 MB). For a large "
             "manifest, POST /api/v1/sync/uploads for an upload URL, PUT the file there (gzip accepted), then POST "
             "/api/v1/sync/dbt/jobs {\"upload_id\": ...} and follow GET /api/v1/sync/jobs/{job_id}.")
router = Router(REGISTRY, max_body_bytes=MAX_BODY_BYTES, too_large=TOO_LARGE)
M = "accord.ingest.models:"


@router.route("POST", "/api/v1/sync/dbt/upload", scope="admin", body=M + "DbtUploadRequest", tags=["sync"],
              summary="Import a dbt manifest (+ run_results): Tessera's route, body and response; 207 when any "
                      "warning list is non-empty")
def dbt_upload(req):
    from accord.ingest import dbt_import
    status, body = dbt_import.run(req.principal, req.body, req.body.manifest, req.body.run_results)
    return Response(status, body)


@router.route("POST", "/api/v1/sync/dbt/impact", scope="admin", body=M + "DbtImpactRequest", tags=["sync"],
              summary="What a manifest would break: per node, breaking changes and affected consumers (read only)")
def dbt_impact(req):
    from accord.ingest import dbt_preview
    return budget.cap(dbt_preview.impact(req.principal, req.body), ("results",))  # per node: within the budget


@router.route("POST", "/api/v1/sync/dbt/diff", scope="admin", body=M + "DbtDiffRequest", tags=["sync"],
              summary="What a manifest would change (CI preview): new, modified, deleted, breaking (read only)")
def dbt_diff(req):
    from accord.ingest import dbt_preview
    return budget.cap(dbt_preview.diff(req.principal, req.body), ("models", "warnings", "meta_errors"))


@router.route("POST", "/api/v1/sync/uploads", scope="admin", body=M + "UploadCreate", body_required=False,
              status=201, tags=["sync"], summary="An upload URL (presigned S3 PUT, gzip accepted) for a large manifest")
def create_upload(req):
    from accord.ingest import jobs
    return Response(201, jobs.create_upload(req.principal, req.body))


@router.route("POST", "/api/v1/sync/dbt/jobs", scope="admin", body=M + "DbtJobCreate", status=202, tags=["sync"],
              summary="Import an uploaded manifest asynchronously: 202 {job_id}")
def create_job(req):
    from accord.ingest import jobs
    return Response(202, jobs.create_job(req.principal, req.body))


@router.route("GET", "/api/v1/sync/jobs/{job_id}", scope="admin", tags=["sync"],
              summary="A job (a dbt import, a team rename): status queued|running|succeeded|failed, progress "
                      "{done, total}, the result")
def get_job(req):
    from accord import jobs
    return jobs.get(req.principal.tenant, req.path_params["job_id"])


lambda_handler = router.resolve
