"""Registry family: proposals — breaking changes waiting for their consumers."""
from accord.http import budget
from accord.http.envelopes import REGISTRY
from accord.http.router import Response, Router
from accord.registry import proposals

router = Router(REGISTRY)
M = "accord.registry.models:"  # body models load on first use: GETs never import pydantic
P1 = "/api/v1/proposals/{proposal_id}"


@router.route("GET", "/api/v1/proposals", tags=["proposals"],
              query=(("asset_id", "string", "only this asset's proposals"),
                     ("status", "string", "pending | approved | rejected | withdrawn | expired | published"),
                     ("limit", "integer", "1-1000, default 100"), ("offset", "integer", "items to skip (max 10000)")),
              summary="List proposals, newest first (JSON array, X-Total-Count, X-Next-Offset)")
def list_proposals(req):
    offset = req.query_int("offset", 0, 0, 10_000)
    found, total = proposals.list_page(req.principal.tenant, asset_id=req.query_str("asset_id", max_len=64),
                                       status=req.query_str("status", max_len=20),
                                       limit=req.query_int("limit", 100, 1, 1000), offset=offset)
    # each carries its proposed schema: the page stops where they would pass the response budget
    return Response(200, *budget.paged(found, offset, total))


@router.route("GET", P1, tags=["proposals"], summary="Get a proposal")
def get_proposal(req):
    return proposals.get(req.principal.tenant, req.path_params["proposal_id"])


@router.route("GET", P1 + "/status", tags=["proposals"], summary="Acknowledgment status of a proposal")
def proposal_status(req):
    return proposals.status(req.principal.tenant, req.path_params["proposal_id"])


@router.route("POST", P1 + "/acknowledge", scope="write", body=M + "AcknowledgmentCreate", tags=["proposals"],
              summary="A registered consumer team answers: approved | migrating | blocked")
def acknowledge(req):
    return proposals.acknowledge(req.principal, req.path_params["proposal_id"], req.body)


@router.route("POST", P1 + "/withdraw", scope="write", body=M + "ReasonBody", body_required=False, tags=["proposals"],
              summary="Withdraw a proposal (proposing team, asset owners or admin)")
def withdraw(req):
    return proposals.withdraw(req.principal, req.path_params["proposal_id"])


@router.route("POST", P1 + "/force", scope="admin", body=M + "ReasonBody", body_required=False, tags=["proposals"],
              summary="Approve without (all) acknowledgments (admin; logged)")
def force(req):
    return proposals.force(req.principal, req.path_params["proposal_id"], req.body.reason)


@router.route("POST", P1 + "/publish", scope="write", body=M + "ReasonBody", body_required=False, tags=["proposals"],
              summary="Publish an approved proposal as the next major version (re-checked against the active one)")
def publish(req):
    return proposals.publish(req.principal, req.path_params["proposal_id"])


@router.route("POST", P1 + "/object", scope="write", body=M + "ObjectionCreate", tags=["proposals"],
              query=(("objector_team_id", "string", "the objecting team (owns a downstream asset)"),),
              summary="Object to a proposal (teams owning affected downstream assets; non-blocking)")
def object_to(req):
    return proposals.object_to(req.principal, req.path_params["proposal_id"],
                               req.query_str("objector_team_id", max_len=64), req.body.reason)


lambda_handler = router.resolve
