"""Concurrency through the local runtime (issue 18): 50 parallel asset creates, 50 parallel
dependency adds and 50 parallel checks on one asset in one tenant answer no 409 and count exactly;
on the queue, 50 checks of one asset leave nothing in the DLQ. Plus the per-tenant report limit."""
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.conftest import Api, new_tenant
from tests.e2e.test_reports import _drained, _send, _wait

N = 50


def _parallel(fn, n=N):
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(fn, range(n)))


def _post(api: Api, path: str, body: dict) -> int:
    """50 at once queue up in the local runtime on a busy machine: a longer timeout than Api's."""
    return requests.post(api.url + path, headers=api.headers, json=body, timeout=180).status_code


@pytest.fixture(scope="module")
def tenant(runtime, admin):
    created = new_tenant(admin)
    r = admin("PATCH", f"/api/v1/tenants/{created['id']}/settings", json={"report_rate_per_second": 5000})
    assert r.status_code == 200, r.text
    api = Api(runtime.url, created["admin_key"]["key"])
    team = api("POST", "/api/v1/teams", json={"name": "scale"}).json()
    return created, api, team


def _asset(api, team, fqn):
    r = api("POST", "/api/v1/assets", json={"fqn": fqn, "owner_team_id": team["id"]})
    assert r.status_code == 201, r.text
    return r.json()


def test_50_parallel_creates_no_409_and_an_exact_count(tenant):
    _, api, team = tenant
    prefix = f"par{uuid.uuid4().hex[:6]}"
    statuses = _parallel(lambda i: _post(api, "/api/v1/assets", {
        "fqn": f"{prefix}.models.m{i}", "owner_team_id": team["id"]}))
    assert statuses == [201] * N
    r = api("GET", "/api/v1/assets", params={"fqn": prefix, "limit": 1})
    assert r.status_code == 200 and r.headers["X-Total-Count"] == str(N), (r.headers, r.text[:300])


def test_50_parallel_dependency_adds_no_409_none_lost(tenant):
    _, api, team = tenant
    prefix = f"dep{uuid.uuid4().hex[:6]}"
    hub = _asset(api, team, f"{prefix}.hub")
    sources = [_asset(api, team, f"{prefix}.s{i}") for i in range(N)]
    statuses = _parallel(lambda i: _post(api, f"/api/v1/assets/{sources[i]['id']}/dependencies",
                                         {"depends_on_asset_id": hub["id"]}))
    assert statuses == [201] * N
    r = api("GET", f"/api/v1/assets/{hub['id']}/lineage", params={"direction": "downstream", "depth": 1})
    assert r.status_code == 200, r.text
    assert len({n["asset_id"] for n in r.json()["downstream"]}) == N


def test_50_parallel_checks_on_one_asset_no_409_exact_total(tenant):
    _, api, team = tenant
    name = f"chk{uuid.uuid4().hex[:6]}"
    asset = _asset(api, team, f"{name}.orders")
    statuses = _parallel(lambda i: _post(api, "/report_asset_check", {
        "asset_key": [name, "orders"], "check_name": f"c{i % 5}", "passed": i % 3 != 0}))
    assert statuses == [200] * N
    h = api("GET", f"/api/v1/assets/{asset['id']}/audit-history", params={"limit": 1}).json()
    assert h["total_runs"] == N
    failed = api("GET", f"/api/v1/assets/{asset['id']}/audit-history", params={"status": "failed", "limit": 1}).json()
    assert failed["total_runs"] == len([i for i in range(N) if i % 3 == 0])


def test_50_queued_checks_on_one_asset_none_in_the_dlq(runtime, aws_clients, tenant):
    created, api, team = tenant
    name = f"q{uuid.uuid4().hex[:6]}"
    asset = _asset(api, team, f"{name}.orders")
    _parallel(lambda i: _send(runtime, aws_clients, {"type": "check", "asset_key": [name, "orders"],
                                                     "check_name": f"c{i}", "passed": True}, tenant=created["id"]))
    assert _wait(lambda: _drained(runtime, aws_clients), timeout=120), "the queue was not drained"
    total = _wait(lambda: api("GET", f"/api/v1/assets/{asset['id']}/audit-history").json()["total_runs"] == N,
                  timeout=30)
    assert total, api("GET", f"/api/v1/assets/{asset['id']}/audit-history").json()["total_runs"]
    sqs, _ = aws_clients
    msgs = sqs.receive_message(QueueUrl=runtime.queue_urls["ReportsDLQ"], MaxNumberOfMessages=10,
                               WaitTimeSeconds=1, VisibilityTimeout=0).get("Messages", [])
    assert not [m for m in msgs if name in m["Body"]]


def test_one_tenant_over_its_report_limit_does_not_throttle_another(runtime, admin):
    noisy = new_tenant(admin)
    r = admin("PATCH", f"/api/v1/tenants/{noisy['id']}/settings", json={"report_rate_per_second": 1})
    assert r.status_code == 200, r.text
    api = Api(runtime.url, noisy["admin_key"]["key"])
    answers = [api("POST", "/report_asset_materialization", json={"asset_key": ["n", str(i)]}) for i in range(4)]
    limited = [a for a in answers if a.status_code == 429]
    assert limited, [a.status_code for a in answers]
    assert int(limited[0].headers["Retry-After"]) >= 1 and set(json.loads(limited[0].text)) == {"error"}
    quiet = Api(runtime.url, new_tenant(admin)["admin_key"]["key"])
    assert quiet("POST", "/report_asset_materialization", json={"asset_key": ["q"]}).status_code == 200
