"""Authorization matrix: every route of the template × every kind of principal → the documented
status (README "Auth", DESIGN §6), generated from the route table.

Principals: no key, a revoked key, an expired key, a read key, a write key (of the team the route
acts for), a tenant admin key, a write key of the wrong team; on configuration routes also each
project role (TENANT_ADMIN, PROJECT_EDITOR, PROJECT_OPERATOR, PROJECT_VIEWER, held on the projects
involved); on the platform-admin routes also the bootstrap key.

Expected, derived from the router's `scope` and the documented rules below:
- a route without authorizer (scope None): answered for everyone;
- no key, revoked or expired key: 401 in the family envelope;
- a key lacking the route's scope: 403;
- registry writes on an asset/registration/proposal need the key of the team concerned (or admin):
  the wrong team gets 403 UNAUTHORIZED_TEAM (`ACTOR`);
- configuration routes: viewers (and operators) read, editors write, TENANT_ADMIN does project
  and global-connection lifecycle (`CONFIG_LEVEL`);
- everything else: neither 401 nor 403 — and not 404 either (the object exists), nor 5xx.
Routes that consume their object (deletes, proposal decisions, moves) get a fresh one for each
principal that may act; the others must leave the shared one untouched.
"""
import pytest

from tests.e2e.routebook import (CFG, PROJECT, PROPOSAL, as_json, envelope_ok, error_code, request_for, routes,
                                 shared_world)

ROUTES = routes()
ALLOWED = "allowed"
CREDENTIAL_FAILURES = ("no key", "revoked", "expired")
BASE_PRINCIPALS = (*CREDENTIAL_FAILURES, "read", "write", "admin", "wrong team")
ROLES = ("TENANT_ADMIN", "PROJECT_EDITOR", "PROJECT_OPERATOR", "PROJECT_VIEWER")

# Registry routes limited to one team besides admins (README "Auth"): the team whose key acts.
ACTOR = {
    ("POST", "/api/v1/assets"): "owner",  # owner_team_id must be the key's team
    ("PATCH", "/api/v1/assets/{asset_id}"): "owner",
    ("DELETE", "/api/v1/assets/{asset_id}"): "owner",
    ("POST", "/api/v1/assets/{asset_id}/dependencies"): "owner",
    ("DELETE", "/api/v1/assets/{asset_id}/dependencies/{dependency_id}"): "owner",
    ("POST", "/api/v1/assets/{asset_id}/audit-results"): "owner",
    ("POST", "/api/v1/assets/{asset_id}/contracts"): "owner",
    ("POST", "/api/v1/assets/{asset_id}/publish"): "owner",
    ("POST", PROPOSAL + "/withdraw"): "owner",  # proposing team or asset owners
    ("POST", PROPOSAL + "/publish"): "owner",
    ("POST", "/api/v1/registrations"): "consumer",
    ("PATCH", "/api/v1/registrations/{registration_id}"): "consumer",
    ("DELETE", "/api/v1/registrations/{registration_id}"): "consumer",
    ("POST", PROPOSAL + "/acknowledge"): "consumer",
    ("POST", PROPOSAL + "/object"): "downstream",  # owners of a downstream (lineage) asset
    # webhooks: tenant admins, or a write key of the webhook's team (README "Notifications")
    ("POST", "/api/v1/webhooks"): "owner",  # team_id must be the key's team
    ("GET", "/api/v1/webhooks/{webhook_id}"): "owner",
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): "owner",
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): "owner",
    ("POST", "/api/v1/webhooks/{webhook_id}/rotate-secret"): "owner",
    ("POST", "/api/v1/webhooks/{webhook_id}/test"): "owner",
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): "owner",
    ("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"): "owner",
}
PLATFORM_ONLY = {("GET", "/api/v1/tenants"), ("POST", "/api/v1/tenants")}

# Configuration routes (README table): who besides TENANT_ADMIN.
ANY, ANY_ROLE, READ, EDIT, TENANT_ADMIN = "any key", "any project role", "viewer+", "editor", "tenant admin"
CONFIG_LEVEL = {
    ("GET", CFG + "/projects"): ANY,
    ("POST", CFG + "/projects"): TENANT_ADMIN,
    ("GET", PROJECT): READ,
    ("PATCH", PROJECT): EDIT,
    ("DELETE", PROJECT): TENANT_ADMIN,
    ("GET", PROJECT + "/connections"): READ,
    ("POST", PROJECT + "/connections"): EDIT,
    ("GET", PROJECT + "/connections/{connectionId}"): READ,
    ("PUT", PROJECT + "/connections/{connectionId}"): EDIT,
    ("DELETE", PROJECT + "/connections/{connectionId}"): EDIT,
    ("GET", CFG + "/connections"): ANY_ROLE,
    ("POST", CFG + "/connections"): TENANT_ADMIN,
    ("GET", CFG + "/assets"): ANY,
    ("GET", PROJECT + "/assets"): READ,
    ("POST", PROJECT + "/assets"): EDIT,
    ("GET", PROJECT + "/assets/{assetId}"): READ,
    ("PUT", PROJECT + "/assets/{assetId}"): EDIT,  # (an operator may send scheduled_upload alone: test_configuration)
    ("DELETE", PROJECT + "/assets/{assetId}"): EDIT,
    ("POST", PROJECT + "/assets/move"): EDIT,  # in both projects; the role keys hold it in both
}
WHO_PASSES = {ANY: {"read", "write", "admin", "wrong team", *ROLES},
              ANY_ROLE: {"admin", *ROLES}, READ: {"admin", *ROLES},
              EDIT: {"admin", "TENANT_ADMIN", "PROJECT_EDITOR"}, TENANT_ADMIN: {"admin", "TENANT_ADMIN"}}
SCOPES = {"read": {"read"}, "write": {"read", "write"}, "wrong team": {"read", "write"},
          "admin": {"read", "write", "admin"}, "platform": {"read", "write", "admin"},
          **{role: {"read", "write"} for role in ROLES}}
HEADER = {"registry": "Authorization", "configuration": "X-TLM-Key", "reports": "Dagster-Cloud-Api-Token",
          "platform": "X-API-Key", "ui": "Authorization"}


def principals_for(route) -> tuple[str, ...]:
    extra = ROLES if route.family == "configuration" else ()
    platform = ("platform",) if route.key in PLATFORM_ONLY else ()
    return (*BASE_PRINCIPALS, *extra, *platform)


def expected(route, who: str):
    """The documented answer: 401, 403, or ALLOWED (anything but 401/403/404/5xx)."""
    if route.auth_none or route.scope is None:
        return ALLOWED
    if who in CREDENTIAL_FAILURES:
        return 401
    if route.scope not in SCOPES[who]:
        return 403
    if route.family == "configuration":
        return ALLOWED if who in WHO_PASSES[CONFIG_LEVEL[route.key]] else 403
    if route.key in PLATFORM_ONLY:
        return ALLOWED if who == "platform" else 403
    if who == "wrong team" and route.key in ACTOR:
        return 403
    return ALLOWED


def matrix_size() -> int:
    return sum(len(principals_for(r)) for r in ROUTES)


@pytest.fixture(scope="module")
def world(runtime):
    w = shared_world(runtime)
    roles = {role: w.key(["read", "write"], project_roles={str(w.project): role, str(w.project2): role})
             for role in ROLES[1:]}
    roles["TENANT_ADMIN"] = w.key(["read", "write"], project_roles={"0": "TENANT_ADMIN"})
    w.principals = {"no key": None, "revoked": w.revoked, "expired": w.expired, "read": w.reader,
                    "admin": w.admin, "wrong team": w.rw["other"], "platform": runtime.admin_key, **roles}
    return w


def test_every_route_is_taught():
    """A new route must be classified before the matrix can judge it."""
    for route in ROUTES:
        if route.family == "configuration":
            assert route.key in CONFIG_LEVEL, f"{route}: add it to CONFIG_LEVEL (who may call it)"
    for key in (*ACTOR, *CONFIG_LEVEL, *PLATFORM_ONLY):
        assert key in {r.key for r in ROUTES}, f"{key} is no longer a route: update the matrix"
    print(f"\nauthorization matrix: {len(ROUTES)} routes, {matrix_size()} (route, principal) cells")


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_route_answers_each_principal_as_documented(world, route):
    failures = []
    for who in principals_for(route):
        want = expected(route, who)
        key = world.rw[ACTOR.get(route.key, "owner")] if who == "write" else world.principals[who]
        # a principal that may act consumes the object: give it a fresh one (denials change nothing)
        path, body, query = request_for(route, world, fresh=want == ALLOWED)
        kwargs = {"params": query}
        if body is not None:
            kwargs["json"] = body
        r = world.http(route.method, path, key, header=HEADER[route.family], **kwargs)
        got, data = r.status_code, as_json(r)
        family = "reports" if route.family in ("platform", "ui") else route.family
        if got >= 500:
            failures.append((who, got, want, r.text[:300]))
        elif want == ALLOWED:
            if got in (401, 403, 404):
                failures.append((who, got, want, r.text[:300]))
        elif got != want:
            failures.append((who, got, want, r.text[:300]))
        elif want == 403 and route.key in ACTOR and who == "wrong team" \
                and error_code(family, data) != "UNAUTHORIZED_TEAM":
            failures.append((who, got, "403 UNAUTHORIZED_TEAM", r.text[:300]))
        if 400 <= got < 500 and not envelope_ok(family, data):
            failures.append((who, got, f"{family} envelope", r.text[:300]))
    assert not failures, "\n".join(map(str, failures))
