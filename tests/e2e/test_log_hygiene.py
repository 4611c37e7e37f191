"""No secret, key or credential ever reaches the logs.

Runs after every other test of the e2e run (tests/e2e/conftest.py orders it last) and greps the
whole run's function output — every line every function printed, as CloudWatch Logs would keep
it — for every secret the run's traffic carried (tests/support/secrets.py records them off the
wire): API keys and their secret parts, the bootstrap key, connection credentials, and webhook
secrets once notifications create them. It first makes secrets of its own through every path
that handles one, so it also proves something when run alone.
"""
import time
import uuid
from pathlib import Path

from tests.e2e.conftest import Api, new_key, new_tenant
from tests.support.secrets import API_KEY, RECORDER


def _secret_paths(runtime, admin) -> str:
    """Create and use secrets the ways the product handles them; the id of the last request."""
    tenant = new_tenant(admin)
    owner = Api(runtime.url, tenant["admin_key"]["key"])
    team = owner("POST", "/api/v1/teams", json={"name": f"hygiene-{uuid.uuid4().hex[:6]}"}).json()["id"]
    writer = new_key(owner, scopes=["read", "write"], team_id=team)
    revoked = owner("POST", "/api/v1/api-keys", json={"name": "to revoke", "scopes": ["read"]}).json()
    assert owner("DELETE", f"/api/v1/api-keys/{revoked['id']}").status_code == 204
    # every header spelling, a key that works, a revoked one (the authorizer's 401 path) and a typo'd one
    for header in ("Authorization", "X-API-Key", "Dagster-Cloud-Api-Token", "X-TLM-Key"):
        assert Api(runtime.url, writer, header)("GET", "/api/v1/teams").status_code == 200
    assert Api(runtime.url, revoked["key"])("GET", "/api/v1/teams").status_code == 401
    assert Api(runtime.url, writer[:-1] + "x")("GET", "/api/v1/teams").status_code == 401
    # a connection credential (write-only), created and replaced, and one in a body that fails validation
    base = f"/api/backend/{tenant['id']}/configuration"
    secret = {"password": "pw-" + uuid.uuid4().hex, "token": "tok-" + uuid.uuid4().hex}
    conn = owner("POST", base + "/projects/0/connections", json={
        "name": "warehouse", "type": "SNOWFLAKE", "credential": {"type": "password", "payload": secret}})
    assert conn.status_code == 201, conn.text
    r = owner("PUT", f"{base}/projects/0/connections/{conn.json()['id']}", json={
        "credential": {"type": "password", "payload": {"password": "pw2-" + uuid.uuid4().hex}}})
    assert r.status_code == 200, r.text
    r = owner("POST", base + "/projects/0/connections", json={
        "name": "bad", "type": 42, "credential": {"type": "password", "payload": {"password": "pw3-" + uuid.uuid4().hex}}})
    assert r.status_code == 400
    # a report with the key in Dagster's header
    marker = f"hygiene-{uuid.uuid4().hex}"
    r = Api(runtime.url, writer, "Dagster-Cloud-Api-Token")("POST", "/report_asset_materialization/hygiene/x",
                                                           json={}, headers={"X-Request-ID": marker})
    assert r.status_code == 200
    return marker


def test_no_secret_of_the_whole_run_is_in_any_log_line(runtime, admin):
    marker = _secret_paths(runtime, admin)
    log = Path(runtime.log_file)
    deadline = time.monotonic() + 10
    while marker not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
        time.sleep(0.1)  # worker output is copied to the file by reader threads
    text = log.read_text(encoding="utf-8")
    assert marker in text and text.count('"message":"request"') >= 10  # the logs are really there
    kinds = {}
    for kind in RECORDER.secrets.values():
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds.get("api key", 0) >= 3 and kinds.get("credential payload", 0) >= 3, kinds
    leaked = {kind: secret[:12] + "…" for secret, kind in RECORDER.secrets.items() if secret in text}
    assert not leaked, f"secrets in the function logs: {leaked}"
    # and no other string shaped like an API key either (a key the recorder could not have seen)
    assert not API_KEY.search(text)
