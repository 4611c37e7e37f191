"""Registry family: webhook subscriptions, their deliveries, and the activity log (DESIGN §11)."""
from accord.http import budget
from accord.http.envelopes import REGISTRY
from accord.http.router import Response, Router
from accord.notify import webhooks

router = Router(REGISTRY)
M = "accord.notify.models:"  # body models load on first use: GETs never import pydantic
W1 = "/api/v1/webhooks/{webhook_id}"
PAGE = (("limit", "integer", "1-200, default 50"), ("cursor", "string", "the previous page's `next`"))


@router.route("POST", "/api/v1/webhooks", scope="write", body=M + "WebhookCreate", status=201, tags=["webhooks"],
              summary="Subscribe a URL to events (the signing secret is returned only here)")
def create(req):
    return Response(201, webhooks.create(req.principal, req.body))


@router.route("GET", "/api/v1/webhooks", scope="write", tags=["webhooks"],
              summary="List webhooks (admin: all; a team key: its team's)")
def list_hooks(req):
    return webhooks.list_hooks(req.principal)


@router.route("GET", W1, scope="write", tags=["webhooks"], summary="Get a webhook (never its secret)")
def get(req):
    return webhooks.get(req.principal, req.path_params["webhook_id"])


@router.route("PATCH", W1, scope="write", body=M + "WebhookUpdate", tags=["webhooks"],
              summary="Change a webhook's url, event_types, team_id, format, enabled or description")
def update(req):
    return webhooks.update(req.principal, req.path_params["webhook_id"], req.body, req.body.model_fields_set)


@router.route("DELETE", W1, scope="write", status=204, tags=["webhooks"], summary="Delete a webhook")
def delete(req):
    webhooks.delete(req.principal, req.path_params["webhook_id"])
    return Response(204)


@router.route("POST", W1 + "/rotate-secret", scope="write", body=M + "RotateSecret", body_required=False,
              tags=["webhooks"], summary="A new signing secret (the old one may sign too for grace_seconds)")
def rotate(req):
    grace = req.body.grace_seconds if req.body is not None else 0
    return webhooks.rotate_secret(req.principal, req.path_params["webhook_id"], grace)


@router.route("POST", W1 + "/test", scope="write", status=202, tags=["webhooks"],
              summary="Send an accord.ping event to this webhook")
def test(req):
    return Response(202, webhooks.test(req.principal, req.path_params["webhook_id"]))


@router.route("GET", W1 + "/deliveries", scope="write", tags=["webhooks"], query=PAGE,
              summary="The delivery log: each delivery with every attempt, newest first")
def deliveries(req):
    cursor = req.query_str("cursor", max_len=2048)
    return budget.cursor_page(lambda n: webhooks.deliveries(req.principal, req.path_params["webhook_id"], n, cursor),
                              req.query_int("limit", 50, 1, 200))


@router.route("POST", W1 + "/deliveries/{delivery_id}/retry", scope="write", status=202, tags=["webhooks"],
              summary="Deliver again a delivery that was delivered or failed (same webhook-id)")
def retry(req):
    return Response(202, webhooks.retry(req.principal, req.path_params["webhook_id"],
                                        req.path_params["delivery_id"]))


@router.route("GET", "/api/v1/activity", tags=["activity"],
              query=(("type", "string", "an event type, e.g. accord.proposal.created"),
                     ("asset_id", "string", "events about this asset"),
                     ("team_id", "string", "events that concern this team"), *PAGE),
              summary="The tenant's events (CloudEvents), newest first, kept 90 days")
def activity(req):
    filters = {"kind": req.query_str("type", max_len=100), "asset_id": req.query_str("asset_id", max_len=64),
               "team_id": req.query_str("team_id", max_len=64), "cursor": req.query_str("cursor", max_len=2048)}
    return budget.cursor_page(lambda n: webhooks.activity(req.principal, limit=n, **filters),
                              req.query_int("limit", 50, 1, 200))


lambda_handler = router.resolve
