"""Tenants, API keys and the authorizer, in-process against moto."""
import importlib
import json
import time
import uuid
from dataclasses import replace

import pytest
from accord.auth import credentials

from tests.integration.conftest import load_app
from tests.support.events import api_event, body

KEYS, KEY1, TENANTS = "/api/v1/api-keys", "/api/v1/api-keys/{key_id}", "/api/v1/tenants"


@pytest.fixture
def authorizer(monkeypatch):
    monkeypatch.setenv("ACCORD_AUTH_CACHE_SECONDS", "0")
    return load_app("authorizer")


def authorize(authorizer, headers):
    event = {"type": "REQUEST", "methodArn": "arn:aws:execute-api:us-east-1:123:abc/v1/GET/api/v1/teams",
             "headers": headers}
    try:
        return authorizer.lambda_handler(event, None)
    except Exception as exc:  # API Gateway turns exactly this into a 401
        assert str(exc) == "Unauthorized"
        return None


def call(app, *args, **kwargs):
    return app.lambda_handler(api_event(*args, **kwargs), None)


def test_key_lifecycle_and_every_header_spelling(aws, teams_app, admin, authorizer):
    r = call(teams_app, "POST", KEYS, body={"name": "ci", "scopes": ["read", "write"], "email": "ci@acme.io"},
             principal=admin)
    assert r["statusCode"] == 201, r
    created = body(r)
    secret = created["key"]
    assert secret.startswith("acc_") and credentials.key_id_of(secret)
    assert set(created) >= {"id", "key", "name", "scopes", "team_id", "email", "project_roles",
                            "created_at", "expires_at"}

    for headers in ({"Authorization": f"Bearer {secret}"}, {"x-api-key": secret},
                    {"Dagster-Cloud-Api-Token": secret}, {"X-TLM-Key": secret}):
        result = authorize(authorizer, headers)
        assert result is not None, headers
        ctx = result["context"]
        assert ctx["tenant"] == "acme" and ctx["scopes"] == "read,write" and ctx["email"] == "ci@acme.io"
        assert result["policyDocument"]["Statement"][0]["Resource"].endswith("abc/v1/*/*")

    # never returned again
    got = body(call(teams_app, "GET", KEY1, {"key_id": created["id"]}, principal=admin))
    assert "key" not in got and got["id"] == created["id"]
    listed = body(call(teams_app, "GET", KEYS, principal=admin))
    assert [k["id"] for k in listed] == [created["id"]] and all("key" not in k for k in listed)
    assert secret not in json.dumps(listed)

    assert call(teams_app, "DELETE", KEY1, {"key_id": created["id"]}, principal=admin)["statusCode"] == 204
    assert authorize(authorizer, {"Authorization": f"Bearer {secret}"}) is None
    assert call(teams_app, "DELETE", KEY1, {"key_id": created["id"]}, principal=admin)["statusCode"] == 204
    assert body(call(teams_app, "GET", KEY1, {"key_id": created["id"]}, principal=admin))["revoked_at"]


def test_unknown_malformed_and_forged_keys_are_401(aws, authorizer):
    forged = credentials.new_secret(uuid.uuid4().hex)
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"},
                    {"Authorization": "Bearer nope"}, {"X-API-Key": forged}, {"X-API-Key": "x" * 5000}):
        assert authorize(authorizer, headers) is None, headers


def test_expired_key_is_401(aws, teams_app, admin, authorizer, monkeypatch):
    from accord import clock
    r = call(teams_app, "POST", KEYS, body={"name": "tmp", "expires_at": "2099-01-01T00:00:00Z"}, principal=admin)
    secret = body(r)["key"]
    assert authorize(authorizer, {"X-API-Key": secret}) is not None
    monkeypatch.setattr(clock, "_offset_seconds", 100 * 365 * 86400)
    assert authorize(authorizer, {"X-API-Key": secret}) is None
    r = call(teams_app, "POST", KEYS, body={"name": "past", "expires_at": "2001-01-01T00:00:00Z"}, principal=admin)
    assert r["statusCode"] == 422


def test_bootstrap_key(aws, authorizer, monkeypatch):
    secret = "acc_local_bootstrap_key"
    monkeypatch.setenv("ACCORD_BOOTSTRAP_KEY_SHA256", credentials.hash_secret(secret))
    ctx = authorize(authorizer, {"Authorization": f"Bearer {secret}"})["context"]
    assert ctx["tenant"] == "default" and ctx["platform_admin"] == "true" and "admin" in ctx["scopes"]
    monkeypatch.setenv("ACCORD_BOOTSTRAP_KEY_SHA256", "")
    assert authorize(authorizer, {"Authorization": f"Bearer {secret}"}) is None


def test_authorizer_cache_keeps_a_key_for_the_ttl(aws, teams_app, admin, monkeypatch):
    monkeypatch.setenv("ACCORD_AUTH_CACHE_SECONDS", "30")
    cached = load_app("authorizer")
    secret = body(call(teams_app, "POST", KEYS, body={"name": "c"}, principal=admin))["key"]
    key_id = credentials.format_key_id(credentials.key_id_of(secret))
    assert authorize(cached, {"X-API-Key": secret}) is not None
    call(teams_app, "DELETE", KEY1, {"key_id": key_id}, principal=admin)
    assert authorize(cached, {"X-API-Key": secret}) is not None  # within the documented TTL
    cached._cache.clear()  # the TTL elapsed
    assert authorize(cached, {"X-API-Key": secret}) is None


def test_tenants(aws, teams_app, admin, platform_admin, authorizer):
    r = call(teams_app, "POST", TENANTS, body={"name": "Globex Corp"}, principal=platform_admin)
    assert r["statusCode"] == 201, r
    t = body(r)
    assert t["id"] == "globex-corp" and t["name"] == "Globex Corp"
    ctx = authorize(authorizer, {"X-API-Key": t["admin_key"]["key"]})["context"]
    assert ctx["tenant"] == "globex-corp" and "admin" in ctx["scopes"] and ctx["platform_admin"] == "false"
    assert call(teams_app, "POST", TENANTS, body={"name": "globex  corp"}, principal=platform_admin)["statusCode"] == 409
    assert call(teams_app, "POST", TENANTS, body={"name": "Default"}, principal=platform_admin)["statusCode"] == 409
    assert call(teams_app, "POST", TENANTS, body={"name": "!!!"}, principal=platform_admin)["statusCode"] == 422
    # a tenant admin is not a platform admin
    assert call(teams_app, "POST", TENANTS, body={"name": "x"}, principal=admin)["statusCode"] == 403
    listed = body(call(teams_app, "GET", TENANTS, principal=platform_admin))
    assert [x["id"] for x in listed] == ["globex-corp"]


def test_key_admin_needs_admin_scope_and_stays_in_tenant(aws, teams_app, admin):
    writer = replace(admin, scopes=frozenset({"read", "write"}))
    assert call(teams_app, "POST", KEYS, body={"name": "x"}, principal=writer)["statusCode"] == 403
    assert call(teams_app, "GET", KEYS, principal=writer)["statusCode"] == 403
    created = body(call(teams_app, "POST", KEYS, body={"name": "x"}, principal=admin))
    other = replace(admin, tenant="globex")
    assert call(teams_app, "GET", KEY1, {"key_id": created["id"]}, principal=other)["statusCode"] == 404
    assert call(teams_app, "DELETE", KEY1, {"key_id": created["id"]}, principal=other)["statusCode"] == 404
    assert call(teams_app, "GET", KEY1, {"key_id": "zzz"}, principal=admin)["statusCode"] == 404


def test_key_body_validation(aws, teams_app, admin):
    for bad in ({"name": "x", "scopes": ["root"]}, {"name": "x", "scopes": []},
                {"name": "x", "project_roles": {"1": "OWNER"}}, {"name": "x", "project_roles": {"p": "PROJECT_VIEWER"}},
                {"name": "x", "email": "nope"}, {"name": "x", "surprise": 1}, {"scopes": ["read"]}):
        r = call(teams_app, "POST", KEYS, body=bad, principal=admin)
        assert r["statusCode"] == 422, (bad, r)
    r = call(teams_app, "POST", KEYS, body={"name": "x", "team_id": str(uuid.uuid4())}, principal=admin)
    assert r["statusCode"] == 404 and body(r)["error"]["code"] == "TEAM_NOT_FOUND"
    team = body(call(teams_app, "POST", "/api/v1/teams", body={"name": "owners"}, principal=admin))
    r = call(teams_app, "POST", KEYS, body={"name": "x", "team_id": team["id"],
                                            "project_roles": {"0": "PROJECT_EDITOR"}}, principal=admin)
    assert r["statusCode"] == 201 and body(r)["team_id"] == team["id"]
    assert body(r)["project_roles"] == {"0": "PROJECT_EDITOR"}
