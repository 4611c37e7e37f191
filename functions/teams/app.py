"""Registry family: tenants, API keys and teams."""
from accord.auth.principal import ADMIN
from accord.http import budget
from accord.http.envelopes import REGISTRY
from accord.http.router import Response, Router
from accord.identity import api_keys, me, teams, tenants

router = Router(REGISTRY)
R = "accord.http.responses:"  # success-body schemas: read by the OpenAPI build only
M = "accord.identity.models:"  # body models load on first use: GETs never import pydantic
PAGE = (("limit", "integer", "page size (1-1000, default 100)"), ("offset", "integer", "items to skip"))


def _page(req, default_limit=100):
    return (req.query_int("limit", default_limit, 1, 1000),
            req.query_int("offset", 0, 0, teams.MAX_OFFSET))


# ------------------------------------------------------------------ tenants
@router.route("POST", "/api/v1/tenants", scope=ADMIN, body=M + "TenantCreate", status=201, tags=["tenants"],
              summary="Create a tenant and its first admin key (platform admin only)")
def create_tenant(req):
    return Response(201, tenants.create_tenant(req.principal, req.body.name))


@router.route("GET", "/api/v1/tenants", scope=ADMIN, tags=["tenants"], query=PAGE[:1],
              summary="List tenants (platform admin only)")
def list_tenants(req):
    return tenants.list_tenants(req.principal, req.query_int("limit", 100, 1, 1000))


@router.route("GET", "/api/v1/tenants/{tenant_id}/settings", scope=ADMIN, tags=["tenants"],
              summary="A tenant's settings: retention_days, report_rate_per_second (its admin, or a platform admin)")
def get_settings(req):
    return tenants.get_settings(req.principal, req.path_params["tenant_id"])


@router.route("PATCH", "/api/v1/tenants/{tenant_id}/settings", scope=ADMIN, body=M + "TenantSettingsUpdate",
              tags=["tenants"], summary="Change a tenant's settings (retention: its admin; the report rate limit: "
                                        "a platform admin); null restores the default")
def update_settings(req):
    return tenants.update_settings(req.principal, req.path_params["tenant_id"], req.body, req.body.model_fields_set)


# ------------------------------------------------------------------ API keys
@router.route("POST", "/api/v1/api-keys", scope=ADMIN, body=M + "ApiKeyCreate", status=201, tags=["api-keys"],
              summary="Create an API key; the secret is returned only in this response")
def create_key(req):
    return Response(201, api_keys.create_key(req.principal, req.body, teams.exists))


@router.route("GET", "/api/v1/api-keys", scope=ADMIN, tags=["api-keys"], query=PAGE,
              summary="List the tenant's API keys (never their secrets)")
def list_keys(req):
    limit, offset = _page(req)
    found = api_keys.list_keys(req.principal, limit, offset)
    # project_roles (≤ 500 each) can pass the response budget: then X-Next-Offset says where the rest starts
    page, nxt = budget.offset_page(found, offset, offset + len(found))
    return Response(200, page, {"X-Next-Offset": str(nxt)} if nxt is not None else {})


@router.route("GET", "/api/v1/api-keys/{key_id}", scope=ADMIN, tags=["api-keys"], summary="Get an API key")
def get_key(req):
    return api_keys.get_key(req.principal, req.path_params["key_id"])


@router.route("DELETE", "/api/v1/api-keys/{key_id}", scope=ADMIN, status=204, tags=["api-keys"],
              summary="Revoke an API key (effective within the authorizer cache TTL)")
def revoke_key(req):
    api_keys.revoke_key(req.principal, req.path_params["key_id"])
    return Response(204)


# ------------------------------------------------------------------ who am I
@router.route("GET", "/api/v1/me", response=R + "ME", tags=["api-keys"],
              summary="Who this API key is: id, name, tenant, team, scopes, project roles (never the secret)")
def whoami(req):
    return me.whoami(req.principal)


# ------------------------------------------------------------------ teams
@router.route("POST", "/api/v1/teams", response=R + "TEAM", scope="write", body=M + "TeamCreate", status=201, tags=["teams"],
              summary="Create a team")
def create_team(req):
    return Response(201, teams.create(req.principal.tenant, req.body.name, req.body.metadata))


@router.route("GET", "/api/v1/teams", response=R + "TEAMS", tags=["teams"], query=PAGE, summary="List teams (JSON array, X-Total-Count)")
def list_teams(req):
    limit, offset = _page(req)
    items, total = teams.list_page(req.principal.tenant, limit, offset)
    # team metadata is free-form: the page stops where it would pass the response budget
    return Response(200, *budget.paged(items, offset, total))


@router.route("GET", "/api/v1/teams/{team_id}", response=R + "TEAM", tags=["teams"], summary="Get a team")
def get_team(req):
    return teams.show(req.principal.tenant, req.path_params["team_id"])


@router.route("PATCH", "/api/v1/teams/{team_id}", response=R + "TEAM", scope="write", body=M + "TeamUpdate", tags=["teams"],
              summary="Update a team (metadata is merged, RFC 7396); a rename reaches its assets through a "
                      "queued job, shown as `rename` until done")
def update_team(req):
    return teams.update(req.principal.tenant, req.path_params["team_id"], req.body.name, req.body.metadata)


@router.route("DELETE", "/api/v1/teams/{team_id}", scope="write", status=204, tags=["teams"],
              summary="Delete a team (soft)")
def delete_team(req):
    teams.delete(req.principal.tenant, req.path_params["team_id"])
    return Response(204)


lambda_handler = router.resolve
