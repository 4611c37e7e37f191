"""OpenLineage family (DESIGN §10.2): `POST /api/v1/lineage` (Marquez's endpoint, where OpenLineage
clients post by default), the datasets no asset has yet, a job's runs, the namespace settings."""
from accord.http import budget
from accord.http.envelopes import REGISTRY
from accord.http.router import Response, Router
from accord.ingest.openlineage import api, settings

router = Router(REGISTRY, max_body_bytes=api.parse.MAX_BODY_BYTES)
M = "accord.ingest.openlineage.models:"
PAGE = (("limit", "integer", f"results per page (1-{api.MAX_LIMIT}, default 100)"),
        ("cursor", "string", "the `next` value of the previous page"))


@router.route("POST", "/api/v1/lineage", scope="write", status=201, tags=["lineage"], media=None,
              summary="Record an OpenLineage RunEvent, DatasetEvent or JobEvent (spec 2-0-x; gzip accepted): "
                      "201 with no body, as Marquez answers")
def post_lineage(req):
    api.post_event(req.principal, req.event, req.headers)
    return Response(201)


@router.route("GET", "/api/v1/lineage/discovered", tags=["lineage"], query=PAGE,
              summary="Datasets seen in OpenLineage events that no asset has (first/last seen, jobs)")
def list_discovered(req):
    cursor = req.query_str("cursor", max_len=4096)
    return budget.cursor_page(lambda n: api.discovered(req.principal.tenant, n, cursor),
                              req.query_int("limit", 100, 1, api.MAX_LIMIT))


@router.route("GET", "/api/v1/lineage/jobs/{namespace}/{name}/runs", tags=["lineage"], query=PAGE,
              summary="A job's runs, newest first: state, transitions, what each run recorded "
                      "(URL-encode namespace and name)")
def job_runs(req):
    namespace, name, cursor = req.path_params["namespace"], req.path_params["name"], req.query_str("cursor", max_len=4096)
    return budget.cursor_page(lambda n: api.job_runs(req.principal.tenant, namespace, name, n, cursor),
                              req.query_int("limit", 100, 1, api.MAX_LIMIT))


@router.route("GET", "/api/v1/lineage/settings", tags=["lineage"],
              summary="Which environment each OpenLineage namespace stands for")
def get_settings(req):
    return settings.get(req.principal.tenant, fresh=True)


@router.route("PUT", "/api/v1/lineage/settings", scope="admin", body=M + "LineageSettings", tags=["lineage"],
              summary="Map OpenLineage namespaces (or prefixes ending in *) to environments (tenant admin)")
def put_settings(req):
    return settings.put(req.principal, req.body)


lambda_handler = router.resolve
