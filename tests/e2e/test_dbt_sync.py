"""dbt import end to end through the local runtime: Tessera's /sync/dbt/* on the real dbt 1.11
artefacts (tests/fixtures/dbt), large manifests through a presigned upload and the import worker
— with the worker killed mid-import — and every bad input answered with a sentence."""
import gzip
import json
import time
import uuid

import pytest
import requests

from local.runtime import LocalRuntime
from tests.conftest import ROOT
from tests.e2e.conftest import Api, new_tenant
from tests.support import dbt

UPLOAD = "/api/v1/sync/dbt/upload"


@pytest.fixture(scope="module")
def shop(runtime, admin):
    tenant = new_tenant(admin)
    api = Api(runtime.url, tenant["admin_key"]["key"])
    teams = {n: api("POST", "/api/v1/teams", json={"name": n}).json()["id"]
             for n in ("data-platform", "analytics", "eng", "marketing")}
    return {"api": api, "teams": teams, "runtime": runtime}


def options(shop, **extra):
    return {"owner_team_id": shop["teams"]["eng"], "conflict_mode": "overwrite", "auto_publish_contracts": True,
            "auto_create_proposals": True, **extra}


def quiet_writes(runtime, within: float = 30.0) -> int:
    """The emulator's write count once nothing else (a stream batch, a queued job) is at work: the
    writes, the queues and the functions' invocations all still for 0.9 s with no function busy.
    Writes alone are not enough: a stream batch's function can take longer than that (a cold
    worker on a loaded machine) before its first write. Fails rather than waiting forever."""
    def state():
        stats = runtime._moto.stats()
        pools = runtime.pools.values()
        return (stats["writes"], stats["queues"], sum(p.invocations for p in pools), sum(p.busy for p in pools))

    deadline = time.monotonic() + within
    first = last = state()
    stable = -1
    while stable < 3:
        now = state()
        stable = stable + 1 if now == last and now[3] == 0 else 0
        last = now
        if time.monotonic() > deadline:
            pytest.fail(f"the runtime never went quiet in {within:.0f} s with no request in flight: "
                        f"{now[0] - first[0]} writes, {now[2] - first[2]} invocations, {now[3]} functions busy "
                        f"(a background writer, or a read op missing from local/moto_main.READ_TARGETS)")
        time.sleep(0.3)
    return last[0]


def find(api, fqn):
    r = api("GET", "/api/v1/assets", params={"fqn": fqn})
    return next(a for a in r.json()["results"] if a["fqn"] == fqn)


def test_import_reimport_pull_request_and_run_results(shop):
    api, rt = shop["api"], shop["runtime"]
    r = api("POST", UPLOAD, json={"manifest": dbt.artefact("manifest"), "run_results": dbt.artefact("run_results"),
                                  **options(shop)})
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["assets"]["created"] == 9 and first["contracts"]["published"] == 6
    assert first["dependencies"]["synced"] == 8 and first["audit_runs"]["recorded"] == 6
    orders = find(api, "shop.main.orders")
    assert orders["owner_team_id"] == shop["teams"]["analytics"]

    # the same manifest and results again: nothing written at all
    before = quiet_writes(rt)
    r = api("POST", UPLOAD, json={"manifest": dbt.artefact("manifest"), "run_results": dbt.artefact("run_results"),
                                  **options(shop)})
    assert r.status_code == 200 and r.json()["assets"]["unchanged"] == 9, r.text
    assert rt._moto.stats()["writes"] == before

    # a consumer registers; the PR removes a column, adds one and retypes one -> one proposal
    contract = api("GET", f"/api/v1/assets/{orders['id']}/contracts").json()[0]
    r = api("POST", "/api/v1/registrations", json={"contract_id": contract["id"],
                                                   "consumer_team_id": shop["teams"]["marketing"]})
    assert r.status_code == 201, r.text
    r = api("POST", UPLOAD, json={"manifest": dbt.artefact("manifest_v2"), **options(shop)})
    assert r.status_code == 200 and r.json()["proposals"]["created"] == 1, r.text
    proposal_id = r.json()["proposals"]["details"][0]["proposal_id"]
    proposal = api("GET", f"/api/v1/proposals/{proposal_id}").json()
    assert {c["column"] for c in proposal["breaking_changes"]} >= {"order_date", "amount"}
    # orders' dbt contract is enforced: the built table breaks the active contract -> drift, once
    v2_run = dbt.artefact("manifest_v2")["metadata"]["invocation_id"]
    assert r.json()["drift"]["detected"] == 1 and r.json()["drift"]["details"][0]["fqn"] == "shop.main.orders"
    drift_runs = api("GET", f"/api/v1/assets/{orders['id']}/audit-history",
                     params={"triggered_by": "schema_drift"}).json()["runs"]
    assert [(d["status"], d["run_id"]) for d in drift_runs] == [("failed", v2_run)]
    again = api("POST", UPLOAD, json={"manifest": dbt.artefact("manifest_v2"), **options(shop)})
    assert again.status_code == 200 and again.json()["proposals"]["created"] == 0, again.text
    assert len(api("GET", "/api/v1/proposals", params={"asset_id": orders["id"]}).json()) == 1
    assert api("GET", f"/api/v1/assets/{orders['id']}/audit-history",
               params={"triggered_by": "schema_drift"}).json()["total_runs"] == 1  # the same invocation: no new run
    (event,) = api("GET", "/api/v1/activity", params={"type": "accord.contract.drift_detected",
                                                      "asset_id": orders["id"]}).json()["results"]
    assert event["data"]["observed_by"] == "dbt" and event["data"]["version"] == "1.0.0"

    # failing results: one failed run on the tested model, once
    failing = dbt.artefact("run_results_failing")
    r = api("POST", UPLOAD, json={"manifest": dbt.artefact("manifest"), "run_results": failing, **options(shop)})
    assert r.status_code == 200, r.text
    runs = api("GET", f"/api/v1/assets/{orders['id']}/audit-history",
               params={"status": "failed", "triggered_by": "dbt_test"}).json()
    assert runs["total_runs"] == 1 and runs["runs"][0]["run_id"] == failing["metadata"]["invocation_id"]
    r = api("POST", UPLOAD, json={"manifest": dbt.artefact("manifest"), "run_results": failing, **options(shop)})
    assert r.json()["audit_runs"] == {"recorded": 0, "already_recorded": 6}


def test_dry_run_writes_nothing(runtime, admin):
    tenant = new_tenant(admin)
    api = Api(runtime.url, tenant["admin_key"]["key"])
    team = [api("POST", "/api/v1/teams", json={"name": n}).json()["id"] for n in ("eng", "analytics", "data-platform")][0]
    before = quiet_writes(runtime)
    r = api("POST", UPLOAD, json={"manifest": dbt.artefact("manifest"), "owner_team_id": team, "dry_run": True,
                                  "auto_publish_contracts": True})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["dry_run"] and out["assets"]["created"] == 9 and out["contracts"]["published"] == 6
    assert runtime._moto.stats()["writes"] == before
    assert api("GET", "/api/v1/assets").json()["total"] == 0


@pytest.mark.parametrize("label, raw, status, words", [
    ("not an object", json.dumps({"manifest": "manifest.json"}), 422, "must be a JSON object"),
    ("nodes not an object", json.dumps({"manifest": {"nodes": [1, 2]}}), 422, "'nodes' must be an object"),
    ("a node not an object", json.dumps({"manifest": {"nodes": {"model.a.b": None}}}), 422, "must be an object"),
    ("invalid conflict mode", json.dumps({"manifest": {"nodes": {}, "sources": {"s": {}}}, "conflict_mode": "x"}),
     400, "Invalid conflict_mode"),
    ("unknown owner", json.dumps({"manifest": {"sources": {"source.a.b.c": {"name": "c", "schema": "b"}}},
                                  "owner_team_id": str(uuid.uuid4())}), 422, "not found in this tenant"),
    ("5 MB of garbage", "\x00garbage" * 550_000, 400, "Malformed JSON"),
    ("7 MB manifest", json.dumps({"manifest": {"nodes": {}, "pad": "x" * 7_000_000}}), 413, "/api/v1/sync/uploads"),
])
def test_bad_input_is_a_4xx_sentence(shop, label, raw, status, words):
    r = shop["api"]("POST", UPLOAD, data=raw.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == status, (label, r.status_code, r.text[:300])
    message = r.json()["error"]["message"]
    assert words in message and len(message) > 20, (label, message)


def test_unknown_meta_owner_is_refused_with_a_warning(shop):
    manifest = dbt.with_meta_owner(dbt.artefact("manifest"), "stg_payments", "ghost-team")
    r = shop["api"]("POST", UPLOAD, json={"manifest": manifest, "owner_team_id": shop["teams"]["eng"],
                                          "environment": "staging"})
    assert r.status_code == 207 and r.json()["status"] == "partial_success", r.text
    assert any("ghost-team" in w for w in r.json()["ownership_warnings"])
    assert {n["fqn"] for n in r.json()["nodes"] if n["action"] == "refused"} == {"shop.main.stg_payments"}


# ------------------------------------------------------------------ large manifests, asynchronously
@pytest.fixture(scope="module")
def crashing(tmp_path_factory):
    """A runtime of its own whose import worker dies (os._exit) mid-import on every job's first attempt."""
    rt = LocalRuntime(repo_root=str(ROOT), port=0, state_dir=str(tmp_path_factory.mktemp("crash")),
                      admin_key="acc_crash_" + uuid.uuid4().hex, quiet=True, concurrency=2,
                      parameter_overrides={"AuthCacheSeconds": "0"}, env={"ACCORD_IMPORT_CRASH_AFTER": "9"})
    rt.start()
    yield rt
    rt.stop()


def test_upload_job_survives_a_worker_crash(crashing):
    api = Api(crashing.url, crashing.admin_key)
    team = [api("POST", "/api/v1/teams", json={"name": n}).json()["id"] for n in ("eng", "analytics", "data-platform")][0]
    ups = {}
    for name in ("manifest", "run_results"):
        up = api("POST", "/api/v1/sync/uploads", json={"content_encoding": "gzip"})
        assert up.status_code == 201, up.text
        body = up.json()
        assert body["url"].startswith("http://127.0.0.1:") and body["expires_at"]
        put = requests.put(body["url"], data=gzip.compress(json.dumps(dbt.artefact(name)).encode()), timeout=30)
        assert put.status_code == 200, put.text
        ups[name] = body["upload_id"]
    r = api("POST", "/api/v1/sync/dbt/jobs", json={"upload_id": ups["manifest"], "run_results_upload_id":
                                                   ups["run_results"], "owner_team_id": team,
                                                   "auto_publish_contracts": True, "conflict_mode": "overwrite"})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    deadline = time.monotonic() + 120
    seen = set()
    while time.monotonic() < deadline:
        job = api("GET", f"/api/v1/sync/jobs/{job_id}").json()
        seen.add(job["status"])
        if job["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.3)
    assert job["status"] == "succeeded", job
    assert job["attempts"] >= 2, job  # the first attempt died mid-import
    assert job["progress"]["done"] == job["progress"]["total"] > 0
    result = job["result"]
    assert result["assets"]["created"] == 9 and result["contracts"]["published"] == 6, result
    assert result["dependencies"]["synced"] == 8 and result["audit_runs"]["recorded"] == 6
    listed = api("GET", "/api/v1/assets", params={"fqn": "shop"}).json()
    assert listed["total"] == 9 and len(listed["results"]) == 9  # no duplicates, counters settled
    orders = next(a for a in listed["results"] if a["fqn"] == "shop.main.orders")
    assert len(api("GET", f"/api/v1/assets/{orders['id']}/contracts").json()) == 1
    assert api("GET", f"/api/v1/assets/{orders['id']}/audit-history").json()["total_runs"] == 1
    # one accord.sync.completed, written with the job's final state (the attempt that died wrote none)
    done = [e for e in api("GET", "/api/v1/activity", params={"type": "accord.sync.completed"}).json()["results"]
            if e["data"]["job_id"] == job_id]
    assert len(done) == 1 and done[0]["data"]["counts"]["assets created"] == 9, done
    assert "9 assets created" in done[0]["data"]["summary"]


def test_job_of_an_unknown_upload_is_refused(shop):
    r = shop["api"]("POST", "/api/v1/sync/dbt/jobs", json={"upload_id": uuid.uuid4().hex})
    assert r.status_code == 422 and "nothing was uploaded" in r.json()["error"]["message"], r.text
    r = shop["api"]("GET", f"/api/v1/sync/jobs/{uuid.uuid4()}")
    assert r.status_code == 404


def test_a_job_with_a_bad_manifest_fails_with_the_sentence(shop):
    api = shop["api"]
    up = api("POST", "/api/v1/sync/uploads", json={}).json()
    requests.put(up["url"], data=b'{"nodes": []}', timeout=30)
    job = api("POST", "/api/v1/sync/dbt/jobs", json={"upload_id": up["upload_id"]}).json()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = api("GET", f"/api/v1/sync/jobs/{job['job_id']}").json()
        if job["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.3)
    assert job["status"] == "failed" and job["error"]["status"] == 422, job
    assert "'nodes' must be an object" in job["error"]["message"]
