"""A team rename through the local runtime: the PATCH answers with the new name and a queued job,
the job worker (polling the job queue as it does for dbt imports) copies the name onto the
team's assets, and the team shows the rename until it has."""
import time

from tests.e2e.conftest import Api, new_tenant

N = 60  # more than one page of the worker (49 assets per transaction)


def test_a_renamed_teams_assets_get_the_new_name(runtime, admin):
    api = Api(runtime.url, new_tenant(admin)["admin_key"]["key"])
    team = api("POST", "/api/v1/teams", json={"name": "Data Platform"}).json()
    for i in range(N):
        r = api("POST", "/api/v1/assets", json={"fqn": f"wh.sales.t{i:03d}", "owner_team_id": team["id"]})
        assert r.status_code == 201, r.text

    r = api("PATCH", f"/api/v1/teams/{team['id']}", json={"name": "Platform"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["name"] == "Platform" and out["id"] == team["id"]
    assert out["rename"]["status"] in ("queued", "running", "succeeded"), out
    job_id = out["rename"]["job_id"]

    deadline, job = time.monotonic() + 60, None
    while time.monotonic() < deadline:
        job = api("GET", f"/api/v1/sync/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.3)
    assert job["status"] == "succeeded" and job["kind"] == "team_rename", job
    assert job["progress"] == {"done": N, "total": N} and job["result"]["name"] == "Platform", job

    got = api("GET", f"/api/v1/teams/{team['id']}").json()
    assert got["name"] == "Platform" and "rename" not in got, got
    listed = api("GET", "/api/v1/assets", params={"fqn": "wh.sales", "page_size": 100}).json()
    assert listed["total"] == N and {a["owner_team_name"] for a in listed["results"]} == {"Platform"}, listed
    by_env = api("GET", "/api/v1/assets", params={"environment": "production", "page_size": 100}).json()
    assert {a["owner_team_name"] for a in by_env["results"]} == {"Platform"}

    # another tenant cannot read the job
    stranger = Api(runtime.url, new_tenant(admin)["admin_key"]["key"])
    assert stranger("GET", f"/api/v1/sync/jobs/{job_id}").status_code == 404
