"""Configuration family (Telmai-compatible): projects, connections and asset configurations
under /api/backend/{tenant}/configuration. Errors: {"message", "error"}."""
from accord.configuration import access, assets, connections, projects
from accord.http import budget
from accord.http.envelopes import CONFIGURATION
from accord.http.router import Response, Router

router = Router(CONFIGURATION)
R = "accord.http.responses:"  # success-body schemas: read by the OpenAPI build only
M = "accord.configuration.models:"  # body models load on first use: GETs never import pydantic

BASE = "/api/backend/{tenant}/configuration"
PROJECT = BASE + "/projects/{projectId}"
PAGE = (("limit", "integer", "page size (1-500, default 100)"),
        ("cursor", "string", "the X-Next-Cursor header of the previous page"))
WITH = (("with_attributes", "boolean", "add `attributes` (the active contract's top-level properties)"),
        ("with_schedules", "boolean", "add `scheduled_upload`"),
        ("with_lineage", "boolean", "add `parents` / `children` (asset ids as strings)"))


def _principal(req):
    """The caller, after checking the path's tenant is theirs (any other tenant: 404)."""
    access.check_tenant(req.principal, req.path_params.get("tenant", ""))
    return req.principal


def _project(req) -> int:
    return projects.parse(req.path_params["projectId"])


def _limit(req, default=assets.DEFAULT_PAGE, hi=assets.MAX_PAGE) -> int:
    return req.query_int("limit", default, 1, hi)


def _after(req) -> int | None:
    """Cursor of the id-ordered lists of projects and connections."""
    return assets.decode_cursor(req.query_str("cursor", max_len=200))


def _array(items: list, total: int | None, nxt) -> Response:
    """A page of an id-ordered list. Payloads, options (64 KB each) and attributes can pass the
    response budget: the page then stops early and the cursor continues after its last item."""
    kept = budget.fit(items)
    if len(kept) < len(items):
        items, nxt = kept, kept[-1]["id"]
    headers = {"X-Total-Count": str(total if total is not None else len(items))}
    if nxt is not None:
        headers["X-Next-Cursor"] = nxt if isinstance(nxt, str) else assets.encode_cursor(nxt)
    return Response(200, items, headers)


def _flags(req, default: bool = False) -> dict:
    return {"with_attributes": req.query_bool("with_attributes", default),
            "with_schedules": req.query_bool("with_schedules", default),
            "with_lineage": req.query_bool("with_lineage", default)}


# ------------------------------------------------------------------ projects
@router.route("POST", BASE + "/projects", response=R + "PROJECT", scope="write", body=M + "ProjectCreate", status=201, tags=["configuration"],
              summary="Create a project (TENANT_ADMIN)")
def create_project(req):
    return Response(201, projects.create(_principal(req), req.body))


@router.route("GET", BASE + "/projects", response=R + "PROJECTS", tags=["configuration"], query=PAGE,
              summary="List the projects the key may read (JSON array; project 0 always exists)")
def list_projects(req):
    items, nxt = projects.list_page(_principal(req), _limit(req, projects.MAX_LIST, projects.MAX_LIST), _after(req))
    return _array(items, None, nxt)


@router.route("GET", PROJECT, response=R + "PROJECT", tags=["configuration"], summary="Get a project")
def get_project(req):
    return projects.get(_principal(req), req.path_params["projectId"])


@router.route("PATCH", PROJECT, response=R + "PROJECT", scope="write", body=M + "ProjectUpdate", tags=["configuration"],
              summary="Rename or describe a project (PROJECT_EDITOR)")
def update_project(req):
    return projects.update(_principal(req), req.path_params["projectId"], req.body, req.body.model_fields_set)


@router.route("DELETE", PROJECT, scope="write", status=204, tags=["configuration"],
              summary="Delete an empty project (TENANT_ADMIN; 409 while it holds assets or connections)")
def delete_project(req):
    projects.delete(_principal(req), req.path_params["projectId"])
    return Response(204)


# ------------------------------------------------------------------ connections
@router.route("POST", PROJECT + "/connections", response=R + "CONNECTION", scope="write", body=M + "ConnectionCreate", status=201,
              tags=["configuration"], summary="Create a project connection (credential is write-only)")
def create_connection(req):
    principal = _principal(req)
    return Response(201, connections.create(principal, _project(req), req.body))


@router.route("GET", PROJECT + "/connections", response=R + "CONNECTIONS", tags=["configuration"], query=PAGE,
              summary="List a project's connections (JSON array)")
def list_connections(req):
    principal = _principal(req)
    items, nxt = connections.list_page(principal, _project(req), _limit(req), _after(req))
    return _array(items, None, nxt)


@router.route("GET", PROJECT + "/connections/{connectionId}", response=R + "CONNECTION", tags=["configuration"],
              summary="Get a connection of the project (or a global one)")
def get_connection(req):
    principal = _principal(req)
    return connections.get(principal, _project(req), req.path_params["connectionId"])


@router.route("PUT", PROJECT + "/connections/{connectionId}", response=R + "CONNECTION", scope="write", body=M + "ConnectionUpdate",
              tags=["configuration"], summary="Update a connection (fields sent are replaced)")
def update_connection(req):
    principal = _principal(req)
    return connections.update(principal, _project(req), req.path_params["connectionId"], req.body,
                              req.body.model_fields_set)


@router.route("DELETE", PROJECT + "/connections/{connectionId}", scope="write", status=204,
              tags=["configuration"], summary="Delete a connection no asset uses (409 otherwise)")
def delete_connection(req):
    principal = _principal(req)
    connections.delete(principal, _project(req), req.path_params["connectionId"])
    return Response(204)


@router.route("GET", BASE + "/connections", response=R + "CONNECTIONS", tags=["configuration"], query=PAGE,
              summary="List the tenant's global connections (JSON array)")
def list_global_connections(req):
    items, nxt = connections.list_page(_principal(req), None, _limit(req), _after(req))
    return _array(items, None, nxt)


@router.route("POST", BASE + "/connections", response=R + "CONNECTION", scope="write", body=M + "ConnectionCreate", status=201,
              tags=["configuration"], summary="Create a global connection (TENANT_ADMIN)")
def create_global_connection(req):
    return Response(201, connections.create(_principal(req), None, req.body))


# ------------------------------------------------------------------ assets
@router.route("POST", PROJECT + "/assets", response=R + "CONFIGURED_ASSET", scope="write", body=M + "AssetCreate", status=201, tags=["configuration"],
              summary="Create an asset (its fqn comes from the payload; attaches to a registry asset)")
def create_asset(req):
    principal = _principal(req)
    return Response(201, assets.create(principal, _project(req), req.body))


@router.route("GET", PROJECT + "/assets", response=R + "CONFIGURED_ASSETS", tags=["configuration"], query=WITH + PAGE,
              summary="List a project's assets (JSON array, X-Total-Count, X-Next-Cursor)")
def list_assets(req):
    principal = _principal(req)
    items, total, nxt = assets.list_project(principal, _project(req), limit=_limit(req),
                                            cursor=req.query_str("cursor", max_len=200), **_flags(req))
    return _array(items, total, nxt)


@router.route("GET", BASE + "/assets", response=R + "CONFIGURED_ASSETS", tags=["configuration"], query=WITH + PAGE,
              summary="List every asset the key may read (JSON array, X-Total-Count, X-Next-Cursor)")
def list_all_assets(req):
    items, total, nxt = assets.list_tenant(_principal(req), limit=_limit(req),
                                           cursor=req.query_str("cursor", max_len=200), **_flags(req))
    return _array(items, total, nxt)


@router.route("POST", PROJECT + "/assets/move", response=R + "MESSAGE", scope="write", body=M + "AssetMove", tags=["configuration"],
              summary="Move assets from source_project_id into this project (all or none)")
def move_assets(req):
    principal = _principal(req)
    return assets.move(principal, _project(req), req.body)


@router.route("GET", PROJECT + "/assets/{assetId}", response=R + "CONFIGURED_ASSET", tags=["configuration"], query=WITH,
              summary="Get an asset (attributes, schedule and lineage included unless turned off)")
def get_asset(req):
    principal = _principal(req)
    return assets.get(principal, _project(req), req.path_params["assetId"], **_flags(req, default=True))


@router.route("PUT", PROJECT + "/assets/{assetId}", response=R + "CONFIGURED_ASSET", scope="write", body=M + "AssetUpdate", tags=["configuration"],
              summary="Update an asset (options merge key by key; payload is replaced)")
def update_asset(req):
    principal = _principal(req)
    return assets.update(principal, _project(req), req.path_params["assetId"], req.body, req.body.model_fields_set)


@router.route("DELETE", PROJECT + "/assets/{assetId}", response=R + "MESSAGE", scope="write", tags=["configuration"],
              summary="Delete an asset's configuration")
def delete_asset(req):
    principal = _principal(req)
    return assets.delete(principal, _project(req), req.path_params["assetId"])


lambda_handler = router.resolve
