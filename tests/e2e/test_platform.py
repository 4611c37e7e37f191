"""Issue 2's must-shows, end to end through the local runtime."""
import json
import time
import uuid

import pytest
import requests
from tessera_sdk import TesseraClient
from tessera_sdk.http import NotFoundError, TesseraError

from tests.e2e.conftest import Api, new_key, new_tenant


def test_health_needs_no_key_and_docs_are_served(anon):
    r = anon("GET", "/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    spec = anon("GET", "/openapi.json").json()
    assert "/api/v1/teams/{team_id}" in spec["paths"] and "/health" in spec["paths"]
    docs = anon("GET", "/docs")
    assert docs.status_code == 200 and "SwaggerUIBundle" in docs.text
    assert docs.headers["Content-Type"].startswith("text/html")


def test_tessera_sdk_teams_work_unchanged(runtime):
    with TesseraClient(base_url=runtime.url, headers={"Authorization": f"Bearer {runtime.admin_key}"}) as client:
        team = client.teams.create(name=f"sdk-{uuid.uuid4().hex[:8]}", metadata={"slack": "#data"})
        assert client.teams.get(team.id).name == team.name
        assert team.id in {t.id for t in client.teams.list()}
        updated = client.teams.update(team.id, name=team.name + "-x", metadata={"oncall": "me"})
        assert updated.name == team.name + "-x" and updated.metadata == {"slack": "#data", "oncall": "me"}
        with pytest.raises(NotFoundError):
            client.teams.get(uuid.uuid4())
        with pytest.raises(TesseraError) as exc:
            client.teams.create(name=updated.name)
        assert exc.value.status_code == 409


def test_no_key_revoked_key_and_read_only_key(admin, anon, runtime):
    r = anon("GET", "/api/v1/teams")
    assert r.status_code == 401
    body = r.json()
    assert body["error"]["code"] == "UNAUTHORIZED" and body["error"]["request_id"]
    assert Api(runtime.url, "acc_not_a_key")("GET", "/api/v1/teams").status_code == 401

    reader = Api(runtime.url, new_key(admin, scopes=["read"]))
    assert reader("GET", "/api/v1/teams").status_code == 200
    r = reader("POST", "/api/v1/teams", json={"name": "nope"})
    assert r.status_code == 403 and "write" in r.json()["detail"]

    key = new_key(admin, scopes=["read"])
    key_id = str(uuid.UUID(hex=key.split("_")[1]))
    assert Api(runtime.url, key)("GET", "/api/v1/teams").status_code == 200
    assert admin("DELETE", f"/api/v1/api-keys/{key_id}").status_code == 204
    # AuthCacheSeconds=0 in this runtime: revocation is immediate (deployed default: ≤ 30 s)
    assert Api(runtime.url, key)("GET", "/api/v1/teams").status_code == 401


@pytest.mark.parametrize("header", ["Authorization", "X-API-Key", "Dagster-Cloud-Api-Token", "X-TLM-Key"])
def test_every_header_spelling(runtime, header):
    assert Api(runtime.url, runtime.admin_key, header)("GET", "/api/v1/teams").status_code == 200


def test_other_tenant_gets_404_for_my_team(admin, runtime):
    team = admin("POST", "/api/v1/teams", json={"name": f"mine-{uuid.uuid4().hex[:6]}"}).json()
    other = Api(runtime.url, new_tenant(admin)["admin_key"]["key"])
    mine = admin("GET", f"/api/v1/teams/{team['id']}")
    unknown = other("GET", f"/api/v1/teams/{uuid.uuid4()}")
    theirs = other("GET", f"/api/v1/teams/{team['id']}")
    assert mine.status_code == 200
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["error"]["code"] == unknown.json()["error"]["code"]
    assert other("PATCH", f"/api/v1/teams/{team['id']}", json={"name": "stolen"}).status_code == 404
    assert other("DELETE", f"/api/v1/teams/{team['id']}").status_code == 404
    assert team["id"] not in {t["id"] for t in other("GET", "/api/v1/teams").json()}


def test_tenant_admin_keys_stay_in_their_tenant(admin, runtime):
    tenant = new_tenant(admin)
    tadmin = Api(runtime.url, tenant["admin_key"]["key"])
    assert tadmin("POST", "/api/v1/tenants", json={"name": "x"}).status_code == 403
    r = tadmin("GET", f"/api/v1/api-keys/{tenant['admin_key']['id']}")
    assert r.status_code == 200 and r.json()["tenant"] == tenant["id"] and "key" not in r.json()
    assert admin("GET", f"/api/v1/api-keys/{tenant['admin_key']['id']}").status_code == 404


@pytest.mark.parametrize("path,shape", [
    ("/api/v1/nope", {"detail", "error"}),
    ("/api/backend/acme/configuration/nope", {"message", "error"}),
    ("/nope", {"error"}),
])
def test_unknown_routes_answer_in_the_family_envelope(anon, path, shape):
    r = anon("GET", path)
    assert r.status_code == 404 and set(r.json()) == shape


def test_bad_bodies_are_4xx_never_5xx(admin):
    for kwargs, status in [({"data": "{oops", "headers": {"Content-Type": "application/json"}}, 400),
                           ({"json": {"name": 5}}, 422),
                           ({"data": "x", "headers": {"Content-Type": "text/plain"}}, 415),
                           ({"data": "[" * 10000, "headers": {"Content-Type": "application/json"}}, 400),
                           ({"data": '{"name": "' + "x" * 2_000_000 + '"}',
                             "headers": {"Content-Type": "application/json"}}, 413)]:
        r = admin("POST", "/api/v1/teams", **kwargs)
        assert r.status_code == status, (status, r.status_code, r.text[:200])
        assert set(r.json()) == {"detail", "error"}


def test_gateway_rejects_bodies_over_10_mb_in_the_envelope(admin):
    r = admin("POST", "/api/v1/teams", data=b"x" * (10 * 1024 * 1024 + 1),
              headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return None


def test_queue_message_is_processed_and_undecodable_one_ends_in_dlq(runtime, aws_clients, admin):
    sqs, _ = aws_clients
    marker = uuid.uuid4().hex
    team = admin("POST", "/api/v1/teams", json={"name": f"q-{marker}"}).json()
    asset = admin("POST", "/api/v1/assets", json={"fqn": f"e2e.q{marker}", "owner_team_id": team["id"]}).json()
    sqs.send_message(QueueUrl=runtime.queue_urls["ReportsQueue"],
                     MessageBody=json.dumps({"type": "materialization", "asset_key": ["e2e", f"q{marker}"]}))

    def recorded():
        r = admin("GET", f"/api/v1/assets/{asset['id']}/events")
        return r.status_code == 200 and f"q{marker}" in r.text
    assert _wait(recorded), "the worker did not record the message"

    poison = f"not json {marker}"
    sqs.send_message(QueueUrl=runtime.queue_urls["ReportsQueue"], MessageBody=poison)

    def in_dlq():
        msgs = sqs.receive_message(QueueUrl=runtime.queue_urls["ReportsDLQ"], MaxNumberOfMessages=10,
                                   WaitTimeSeconds=1, VisibilityTimeout=0).get("Messages", [])
        return [m for m in msgs if m["Body"] == poison]
    assert _wait(in_dlq, timeout=60), "the undecodable message did not reach the DLQ"


def test_data_and_generated_admin_key_survive_a_restart(tmp_path, monkeypatch):
    from local.runtime import LocalRuntime
    from tests.conftest import ROOT
    monkeypatch.delenv("ACCORD_ADMIN_KEY", raising=False)
    with LocalRuntime(repo_root=str(ROOT), port=0, state_dir=str(tmp_path)) as rt:
        key = rt.admin_key  # generated, as `make dev` does when ACCORD_ADMIN_KEY is unset
        team = Api(rt.url, key)("POST", "/api/v1/teams", json={"name": "durable"}).json()
    with LocalRuntime(repo_root=str(ROOT), port=0, state_dir=str(tmp_path)) as rt:
        assert rt.admin_key == key
        r = Api(rt.url, key)("GET", f"/api/v1/teams/{team['id']}")
        assert r.status_code == 200 and r.json()["name"] == "durable"
