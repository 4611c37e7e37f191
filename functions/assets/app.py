"""Registry family: assets, their lineage (dependencies) and their audit history."""
from accord import errors
from accord.http import budget
from accord.http.envelopes import REGISTRY
from accord.http.router import Response, Router
from accord.registry import assets, audit, lineage

router = Router(REGISTRY)
R = "accord.http.responses:"  # success-body schemas: read by the OpenAPI build only
M = "accord.registry.models:"  # body models load on first use: GETs never import pydantic

LIST_QUERY = (
    ("fqn", "string", "exact fqn, or a dotted prefix: `a.b` matches `a.b` and `a.b.*`"),
    ("owner_team_id", "string", "owner team (UUID)"),
    ("environment", "string", "environment, e.g. production"),
    ("page", "integer", "page number (default 1)"),
    ("page_size", "integer", "results per page (1-100, default 20)"),
    ("limit", "integer", "alternative to page_size (1-100)"),
    ("offset", "integer", "alternative to page: items to skip (max 10000)"),
    ("cursor", "string", "the `next` value of the previous page (no skip cost)"),
)


def _paging(req) -> tuple[int, int]:
    """(offset, size) from page/page_size (the seed's) or limit/offset (tessera-sdk's)."""
    size = req.query_int("page_size", None, 1, assets.MAX_PAGE_SIZE)
    if size is None:
        size = req.query_int("limit", 20, 1, assets.MAX_PAGE_SIZE)
    page = req.query_int("page", None, 1, None)
    if page is not None:
        offset = (page - 1) * size
    else:
        offset = req.query_int("offset", 0, 0, None)
    if offset > assets.MAX_OFFSET:
        raise errors.Unprocessable(
            f"Paging past {assets.MAX_OFFSET} items by page/offset is not supported; follow the `next` cursor "
            "or narrow the filters.", detail=[{"loc": ["query", "page"], "msg": "too far", "type": "value_error"}])
    return offset, size


# ------------------------------------------------------------------ assets
@router.route("POST", "/api/v1/assets", response=R + "ASSET", scope="write", body=M + "AssetCreate", status=201, tags=["assets"],
              summary="Create an asset (owning team's key or admin)")
def create_asset(req):
    return Response(201, assets.create(req.principal, req.body))


@router.route("GET", "/api/v1/assets", tags=["assets"], query=LIST_QUERY,
              summary="List assets: {results, total, page, page_size, next} (page/page_size, the seed's), "
                      "or a JSON array with X-Total-Count (limit/offset, tessera-sdk's)")
def list_assets(req):
    offset, size = _paging(req)
    page = assets.list_page(req.principal.tenant, fqn=req.query_str("fqn", max_len=1000),
                            owner_team_id=req.query_str("owner_team_id", max_len=64),
                            environment=req.query_str("environment", max_len=64),
                            offset=offset, limit=size, cursor=req.query_str("cursor", max_len=4096))
    # Two clients, two shapes: the seed documents an envelope paged by page/page_size, while
    # tessera-sdk pages by limit/offset and iterates the body as an array.
    if ("limit" in req.query or "offset" in req.query) and not ("page" in req.query or "page_size" in req.query):
        headers = {"X-Total-Count": str(page["total"])}
        if page.get("next"):
            headers["X-Next-Cursor"] = page["next"]
            if "cursor" not in req.query:  # a page the response budget cut short: where the rest starts
                headers["X-Next-Offset"] = str(offset + len(page["results"]))
        return Response(200, page["results"], headers)
    return page


@router.route("GET", "/api/v1/assets/search", tags=["assets"],
              query=(("q", "string", "prefix of the fqn or of any word in it (case-insensitive)"),
                     ("limit", "integer", "max results (1-100, default 20)")),
              summary="Search assets by name prefix (JSON array)")
def search_assets(req):
    q = req.query_str("q", max_len=200)
    if q is None:
        raise errors.Unprocessable("Query parameter 'q' is required.",
                                   detail=[{"loc": ["query", "q"], "msg": "Field required", "type": "missing"}])
    found = assets.search(req.principal.tenant, q, req.query_int("limit", 20, 1, assets.MAX_PAGE_SIZE))
    # the best matches that fit the response budget; X-Total-Count says how many matched
    return Response(200, budget.fit(found), {"X-Total-Count": str(len(found))})


@router.route("GET", "/api/v1/assets/{asset_id}", response=R + "ASSET", tags=["assets"],
              query=(("include", "string", "`status`: add what the reports say (last_materialization, "
                                           "last_observation, checks, freshness)"),),
              summary="Get an asset (one read; `?include=status` adds its report status)")
def get_asset(req):
    include = req.query_str("include", max_len=64)
    if include not in (None, "", "status"):
        raise errors.Unprocessable(f"Unknown include {include!r}: the only one is 'status'.",
                                   detail=[{"loc": ["query", "include"], "msg": "unknown include",
                                            "type": "value_error"}])
    asset = assets.get(req.principal.tenant, req.path_params["asset_id"])
    view = assets.view(asset)
    if include == "status":  # 3 + one per check reads more: opt-in, so the plain detail stays one read
        from accord.reports import (
            status as report_status,  # only then: not on every cold start
        )
        view.update(report_status.asset_status(req.principal.tenant, asset))
        return budget.cap(view, ("checks",))  # ≤ 100 checks, each with up to 64 KB of metadata
    return view


@router.route("PATCH", "/api/v1/assets/{asset_id}", scope="write", body=M + "AssetUpdate", tags=["assets"],
              summary="Update an asset (partial; metadata merges, RFC 7396)")
def update_asset(req):
    return assets.update(req.principal, req.path_params["asset_id"], req.body, req.body.model_fields_set)


@router.route("DELETE", "/api/v1/assets/{asset_id}", scope="write", status=204, tags=["assets"],
              summary="Delete an asset (soft: history stays)")
def delete_asset(req):
    assets.delete(req.principal, req.path_params["asset_id"])
    return Response(204)


# ------------------------------------------------------------------ lineage
# ≤ 500 nodes each way are small; the column lists (one per column of a wide contract, each with
# its upstream and downstream columns) may not be
LINEAGE_LISTS = ("upstream", "downstream", "downstream_assets", "dataset_upstream", "dataset_downstream", "columns")
@router.route("POST", "/api/v1/assets/{asset_id}/dependencies", scope="write", body=M + "DependencyCreate", status=201,
              tags=["lineage"], summary="Declare that this asset depends on another (no self-edges, no cycles)")
def add_dependency(req):
    return Response(201, lineage.add(req.principal, req.path_params["asset_id"], req.body))


@router.route("GET", "/api/v1/assets/{asset_id}/dependencies", tags=["lineage"],
              query=(("offset", "integer", "items to skip (X-Next-Offset of the previous page)"),),
              summary="Upstream dependencies of the asset (JSON array, X-Total-Count, X-Next-Offset)")
def list_dependencies(req):
    found = lineage.list_upstream(req.principal.tenant, req.path_params["asset_id"])
    return Response(200, *budget.rest_of(found, req.query_int("offset", 0, 0, None)))


@router.route("DELETE", "/api/v1/assets/{asset_id}/dependencies/{dependency_id}", scope="write", status=204,
              tags=["lineage"], summary="Remove a dependency")
def remove_dependency(req):
    lineage.remove(req.principal, req.path_params["asset_id"], req.path_params["dependency_id"])
    return Response(204)


@router.route("GET", "/api/v1/assets/{asset_id}/lineage", tags=["lineage"],
              query=(("depth", "integer", f"levels each way (1-{lineage.MAX_DEPTH}, default 3)"),
                     ("columns", "boolean", "true: each column with its upstream and downstream columns "
                                            "(OpenLineage column lineage)")),
              summary="Upstream and downstream assets, breadth-first (truncation flagged); "
                      "`?columns=true` adds column-level lineage")
def get_lineage(req):
    graph = lineage.graph(req.principal.tenant, req.path_params["asset_id"],
                          req.query_int("depth", 3, 1, lineage.MAX_DEPTH))
    if req.query_bool("columns"):
        from accord.registry import columns  # only then: the plain graph stays as it was
        graph.update(columns.view(req.principal.tenant, assets.get(req.principal.tenant, graph["asset_id"],
                                                                   consistent=False)))
    return budget.cap(graph, LINEAGE_LISTS)


# ------------------------------------------------------------------ audit
@router.route("POST", "/api/v1/assets/{asset_id}/audit-results", scope="write", body=M + "AuditResultCreate",
              tags=["audit"], summary="Record a data-quality run (counts derived from results; status checked)")
def report_audit_result(req):
    return audit.record(req.principal, req.path_params["asset_id"], req.body)


@router.route("GET", "/api/v1/assets/{asset_id}/audit-history", tags=["audit"],
              query=(("status", "string", "passed | failed | partial"),
                     ("triggered_by", "string", "source, e.g. dbt_test"),
                     ("limit", "integer", f"runs to return (1-{audit.MAX_LIMIT}, default 20)")),
              summary="Audit runs, newest first: {asset_id, asset_fqn, total_runs, runs}")
def audit_history(req):
    result = audit.history(req.principal.tenant, req.path_params["asset_id"],
                           status=req.query_str("status", max_len=20),
                           triggered_by=req.query_str("triggered_by", max_len=50),
                           limit=req.query_int("limit", 20, 1, audit.MAX_LIMIT))
    # a run keeps up to 256 KB of failed guarantees: the runs that fit, `truncated` and `omitted` say the rest
    return Response(200, budget.cap(result, ("runs",)), {"X-Total-Count": str(result["total_runs"])})


lambda_handler = router.resolve
