"""`GET /api/v1/me` (DESIGN §12): any valid key learns who it is — never its secret."""
import json
import uuid

from tests.e2e.conftest import Api, new_key, new_tenant


def test_a_team_key_sees_its_team_scopes_and_roles_and_never_its_secret(runtime, admin):
    tenant = new_tenant(admin)
    tadmin = Api(runtime.url, tenant["admin_key"]["key"])
    team = tadmin("POST", "/api/v1/teams", json={"name": "Analytics"}).json()
    secret = new_key(tadmin, name="Analytics CI", scopes=["write"], team_id=team["id"], email="ci@acme.io",
                     project_roles={"0": "PROJECT_VIEWER"})
    r = Api(runtime.url, secret, header="X-API-Key")("GET", "/api/v1/me")
    assert r.status_code == 200, r.text
    me = r.json()
    assert me == {"id": me["id"], "name": "Analytics CI", "email": "ci@acme.io", "tenant": tenant["id"],
                  "team_id": team["id"], "team": {"id": team["id"], "name": "Analytics"},
                  "scopes": ["write"], "effective_scopes": ["read", "write"], "is_admin": False,
                  "platform_admin": False, "project_roles": {"0": "PROJECT_VIEWER"}}
    assert uuid.UUID(me["id"]).hex == secret.split("_")[1]  # the key's id, which the secret embeds
    text = json.dumps(me)
    assert secret not in text and secret.split("_")[2] not in text
    listed = tadmin("GET", f"/api/v1/api-keys/{me['id']}").json()
    assert listed["name"] == "Analytics CI"  # the same key the admin sees


def test_each_tenant_sees_only_itself_and_admins_without_a_team_have_none(runtime, admin):
    boot = admin("GET", "/api/v1/me").json()
    assert boot["tenant"] == "default" and boot["platform_admin"] and boot["is_admin"] and boot["team"] is None
    assert boot["effective_scopes"] == ["read", "write", "admin"]
    tenant = new_tenant(admin)
    mine = Api(runtime.url, tenant["admin_key"]["key"])("GET", "/api/v1/me").json()
    assert mine["tenant"] == tenant["id"] and mine["is_admin"] and not mine["platform_admin"]
    assert mine["team"] is None and mine["id"] == tenant["admin_key"]["id"]


def test_a_deleted_team_reads_as_none(runtime, admin):
    tenant = new_tenant(admin)
    tadmin = Api(runtime.url, tenant["admin_key"]["key"])
    team = tadmin("POST", "/api/v1/teams", json={"name": "Gone"}).json()
    key = new_key(tadmin, scopes=["read"], team_id=team["id"])
    assert tadmin("DELETE", f"/api/v1/teams/{team['id']}").status_code == 204
    me = Api(runtime.url, key)("GET", "/api/v1/me").json()
    assert me["team"] is None and me["team_id"] is None


def test_no_key_or_a_revoked_key_is_401_in_the_registry_envelope(runtime, admin, anon):
    r = anon("GET", "/api/v1/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"
    secret = new_key(admin, scopes=["read"])
    key_id = str(uuid.UUID(hex=secret.split("_")[1]))
    assert admin("DELETE", f"/api/v1/api-keys/{key_id}").status_code == 204
    r = Api(runtime.url, secret)("GET", "/api/v1/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"
    r = admin("POST", "/api/v1/me", json={})
    assert r.status_code == 405 and r.headers["Allow"] == "GET"
