"""Registry family: what the reports say — an asset's events and status, unregistered keys,
rejected reports (the recording side is the reports function and the worker)."""
from accord.http import budget
from accord.http.envelopes import REGISTRY
from accord.http.router import Router
from accord.reports import reads

router = Router(REGISTRY)

PAGE = (("limit", "integer", f"page size (1-{reads.MAX_LIMIT}, default 50)"),
        ("cursor", "string", "the `next` value of the previous page"))
FILTERS = (("type", "string", "materialization, observation or check"), ("partition", "string", "partition key"),
           ("check_name", "string", "check name")) + PAGE


def _limit(req) -> int:
    return req.query_int("limit", 50, 1, reads.MAX_LIMIT)


def _filters(req) -> dict:
    return {"kind": req.query_str("type", max_len=32), "partition": req.query_str("partition", max_len=256),
            "check_name": req.query_str("check_name", max_len=256), "cursor": req.query_str("cursor", max_len=4096)}


@router.route("GET", "/api/v1/assets/{asset_id}/events", tags=["events"], query=FILTERS,
              summary="An asset's reported events, newest first (its key is its fqn split on '.')")
def asset_events(req):
    return budget.cursor_page(lambda n: reads.asset_events(req.principal.tenant, req.path_params["asset_id"],
                                                           limit=n, **_filters(req)), _limit(req))


@router.route("GET", "/api/v1/assets/{asset_id}/status", tags=["events"],
              summary="Latest materialization, latest result per check, freshness")
def asset_status(req):
    return budget.cap(reads.asset_status(req.principal.tenant, req.path_params["asset_id"]), ("checks",))


@router.route("GET", "/api/v1/events", tags=["events"],
              query=(("asset_key", "string", 'required: ["a","b"] or a/b'),) + FILTERS,
              summary="Events of any reported key, registered or not, newest first")
def key_events(req):
    parts = reads.parse_key(req.query_str("asset_key", max_len=2000))
    return budget.cursor_page(lambda n: reads.key_events(req.principal.tenant, parts, limit=n, **_filters(req)),
                              _limit(req))


@router.route("GET", "/api/v1/events/unregistered", tags=["events"], query=PAGE,
              summary="Reported keys no registered asset has (a page may hold fewer than limit)")
def unregistered(req):
    return reads.unregistered(req.principal.tenant, _limit(req), req.query_str("cursor", max_len=4096))


@router.route("GET", "/api/v1/events/rejected", tags=["events"], query=PAGE,
              summary="Reports from the queue that were rejected, with the reason, newest first")
def rejected(req):
    return budget.cursor_page(lambda n: reads.rejected(req.principal.tenant, n, req.query_str("cursor", max_len=4096)),
                              _limit(req))


lambda_handler = router.resolve
