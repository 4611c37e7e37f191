"""Registry family: contracts (publish, versions, diff, compare, impact) and registrations."""
from accord.http import budget
from accord.http.envelopes import REGISTRY
from accord.http.router import Response, Router
from accord.registry import contracts, publishing, registrations
from accord.registry import impact as impact_analysis

router = Router(REGISTRY)
M = "accord.registry.models:"  # body models load on first use: GETs never import pydantic

PUBLISH_QUERY = (("force", "boolean", "admin: publish a breaking change without acknowledgments (needs a reason)"),
                 ("dry_run", "boolean", "plan only: would_publish / would_create_proposal / unchanged"),
                 ("published_by", "string", "publishing team (UUID); default: the key's team"),
                 ("reason", "string", "why (required with force; logged)"))


def _publish(req):
    status, result = publishing.publish(req.principal, req.path_params["asset_id"], req.body,
                                       force=req.query_bool("force"), dry_run=req.query_bool("dry_run"),
                                       published_by=req.query_str("published_by", max_len=64),
                                       reason=req.query_str("reason", max_len=1000))
    return Response(status, result)


# ------------------------------------------------------------------ per asset
@router.route("POST", "/api/v1/assets/{asset_id}/contracts", scope="write", body=M + "PublishRequest", status=201,
              tags=["contracts"], query=PUBLISH_QUERY,
              summary="Publish a contract version (compatible → published; breaking → proposal; identical → unchanged)")
def publish_contract(req):
    return _publish(req)


@router.route("POST", "/api/v1/assets/{asset_id}/publish", scope="write", body=M + "PublishRequest", status=201,
              tags=["contracts"], query=PUBLISH_QUERY, summary="Alias of POST /assets/{asset_id}/contracts")
def publish_alias(req):
    return _publish(req)


# A version list's page stops where its schema documents would pass the response budget, so it
# can hold fewer than `limit`: X-Next-Offset says where the rest starts.
def _page(items: list, total: int, next_offset: int | None) -> Response:
    return Response(200, items, budget.headers(total, next_offset))


OFFSET = ("offset", "integer", "items to skip (X-Next-Offset of the previous page)")
# Answers that list changes and whom they touch keep each list's head within the budget (`cap`)
CHANGES = ("breaking_changes", "all_changes")
# (whom it affects first: those lists are bounded by registrations and the 500-node walk)
IMPACT_LISTS = ("affected_consumers", "impacted_consumers", "affected_assets", "breaking_changes", "warnings",
                "changes")


@router.route("GET", "/api/v1/assets/{asset_id}/contracts", tags=["contracts"],
              query=(("status", "string", "active | deprecated"), ("limit", "integer", "1-1000 (default: all that fit)"),
                     ("offset", "integer", "versions to skip (X-Next-Offset of the previous page)"),
                     ("include", "string", "`schema` (default: tessera-sdk reads it) or `none`")),
              summary="The asset's contract versions, newest first (JSON array, X-Total-Count, X-Next-Offset)")
def list_asset_contracts(req):
    return _page(*contracts.for_asset(
        req.principal.tenant, req.path_params["asset_id"], req.query_str("status", max_len=20),
        offset=req.query_int("offset", 0, 0, 100_000), limit=req.query_int("limit", None, 1, 1000),
        schema=contracts.include_schema(req.query_str("include", max_len=16), True)))


@router.route("GET", "/api/v1/assets/{asset_id}/contracts/history", tags=["contracts"],
              query=(("limit", "integer", "versions (1-1000, default 100)"),),
              summary="Version history (summaries, newest first)")
def contract_history(req):
    found = contracts.history(req.principal.tenant, req.path_params["asset_id"], req.query_int("limit", 100, 1, 1000))
    return Response(200, found, {"X-Total-Count": str(len(found))})


@router.route("GET", "/api/v1/assets/{asset_id}/contracts/diff", tags=["contracts"],
              query=(("from_version", "string", "older version (default: the version before to_version)"),
                     ("to_version", "string", "newer version (default: the active version)")),
              summary="Diff two versions of the asset's contract (default: the previous version → the active one)")
def contract_diff(req):
    return budget.cap(contracts.diff(req.principal.tenant, req.path_params["asset_id"],
                                     req.query_str("from_version", max_len=128), req.query_str("to_version", max_len=128)),
                      CHANGES)


@router.route("POST", "/api/v1/assets/{asset_id}/impact", body=M + "ImpactRequest", tags=["contracts"],
              query=(("depth", "integer", "lineage levels to walk (1-10, default 3)"),),
              summary="What publishing this schema would break, and whom it affects")
def impact(req):
    return budget.cap(impact_analysis.impact(req.principal.tenant, req.path_params["asset_id"], req.body,
                                             req.query_int("depth", None, 1, 10)), IMPACT_LISTS)


# ------------------------------------------------------------------ contracts
@router.route("GET", "/api/v1/contracts", tags=["contracts"],
              query=(("asset_id", "string", "only this asset's versions"), ("status", "string", "active | deprecated"),
                     ("limit", "integer", "1-1000, default 100"), ("offset", "integer", "items to skip (max 10000)"),
                     ("include", "string", "`schema` (default: tessera-sdk reads it) or `none`")),
              summary="List contracts (JSON array, X-Total-Count, X-Next-Offset; include=none leaves schemas out)")
def list_contracts(req):
    return _page(*contracts.list_page(req.principal.tenant, asset_id=req.query_str("asset_id", max_len=64),
                                      status=req.query_str("status", max_len=20),
                                      limit=req.query_int("limit", 100, 1, 1000),
                                      offset=req.query_int("offset", 0, 0, 10_000),
                                      schema=contracts.include_schema(req.query_str("include", max_len=16), True)))


@router.route("POST", "/api/v1/contracts/compare", body=M + "CompareRequest", tags=["contracts"],
              summary="Compare two schemas under a compatibility mode and profile (default table; nothing is stored)")
def compare(req):
    return budget.cap(contracts.compare_schemas(req.body.old_schema, req.body.new_schema,
                                                req.body.compatibility_mode, req.body.profile), CHANGES)


@router.route("GET", "/api/v1/contracts/{contract_id}", tags=["contracts"], summary="Get a contract version")
def get_contract(req):
    return contracts.view(contracts.get(req.principal.tenant, req.path_params["contract_id"]))


@router.route("GET", "/api/v1/contracts/{contract_id}/registrations", tags=["registrations"],
              query=(OFFSET,), summary="Consumers of the contract's line (JSON array, X-Total-Count, X-Next-Offset)")
def contract_registrations(req):
    found = registrations.for_contract(req.principal.tenant, req.path_params["contract_id"])
    return Response(200, *budget.rest_of(found, req.query_int("offset", 0, 0, None)))


# ------------------------------------------------------------------ registrations
@router.route("POST", "/api/v1/registrations", scope="write", body=M + "RegistrationCreate", status=201,
              tags=["registrations"], query=(("contract_id", "string", "the contract (or in the body)"),),
              summary="Register a consumer team on an asset's contract line")
def create_registration(req):
    return Response(201, registrations.create(req.principal, req.query_str("contract_id", max_len=64), req.body))


@router.route("GET", "/api/v1/registrations/{registration_id}", tags=["registrations"], summary="Get a registration")
def get_registration(req):
    return registrations.view(registrations.get(req.principal.tenant, req.path_params["registration_id"]))


@router.route("PATCH", "/api/v1/registrations/{registration_id}", scope="write", body=M + "RegistrationUpdate",
              tags=["registrations"], summary="Update a registration (pinned_version, status)")
def update_registration(req):
    return registrations.update(req.principal, req.path_params["registration_id"], req.body,
                                req.body.model_fields_set)


@router.route("DELETE", "/api/v1/registrations/{registration_id}", scope="write", status=204,
              tags=["registrations"], summary="Delete a registration (soft)")
def delete_registration(req):
    registrations.delete(req.principal, req.path_params["registration_id"])
    return Response(204)


lambda_handler = router.resolve
