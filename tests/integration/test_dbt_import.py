"""dbt import through the sync function's handler and the import worker, on moto, with the real
dbt 1.11 artefacts of tests/fixtures/dbt."""
import gzip
import json
import uuid

import boto3
import pytest

from accord.store import db
from tests.integration.conftest import load_app
from tests.integration.test_assets import call, new_team, team_key
from tests.support import dbt
from tests.support.events import body, sqs_event

UPLOAD = "/api/v1/sync/dbt/upload"


@pytest.fixture(scope="module")
def apps():
    return {n: load_app(n) for n in ("sync", "assets", "contracts", "importer", "proposals")}


@pytest.fixture
def world(aws, apps, teams_app, admin):
    teams = {n: new_team(teams_app, admin, n) for n in ("data-platform", "analytics", "eng", "marketing")}
    return {"teams": teams, "admin": admin}


def upload(apps, admin, **payload):
    r = call(apps["sync"], "POST", UPLOAD, body=payload, principal=admin)
    return r["statusCode"], body(r)


def full(world, manifest=None, **extra):
    return {"manifest": manifest or dbt.artefact("manifest"), "owner_team_id": world["teams"]["eng"]["id"],
            "conflict_mode": "overwrite", "auto_publish_contracts": True, "auto_create_proposals": True, **extra}


def asset_by_fqn(apps, admin, fqn):
    r = call(apps["assets"], "GET", "/api/v1/assets", query={"fqn": fqn}, principal=admin)
    found = [a for a in body(r)["results"] if a["fqn"] == fqn]
    assert len(found) == 1, body(r)
    return found[0]


def test_first_import_maps_the_real_manifest(world, apps):
    admin = world["admin"]
    status, out = upload(apps, admin, **full(world), run_results=dbt.artefact("run_results"))
    assert status == 200 and out["status"] == "success", out
    assert out["assets"]["created"] == 9 and out["assets"]["skipped"] == 0
    assert out["dependencies"]["synced"] == 8
    assert out["contracts"]["published"] == 6  # the nodes with columns; seeds and the snapshot declare none
    assert out["audit_runs"]["recorded"] == 6
    # fqn = the relation: the alias and the source identifier applied
    customers = asset_by_fqn(apps, admin, "shop.main.dim_customers")
    source = asset_by_fqn(apps, admin, "shop.raw_data.payments_v2")
    assert customers["owner_team_id"] == world["teams"]["analytics"]["id"]  # meta.accord.owner_team wins
    assert source["owner_team_id"] == world["teams"]["eng"]["id"]          # the request's default
    orders = asset_by_fqn(apps, admin, "shop.main.orders")
    contract = body(call(apps["contracts"], "GET", "/api/v1/assets/{asset_id}/contracts",
                         {"asset_id": orders["id"]}, principal=admin))[0]
    assert contract["schema"]["required"] == ["order_id", "customer_id"] or set(contract["schema"]["required"]) == \
        {"order_id", "customer_id"}
    assert contract["schema"]["properties"]["status"]["enum"] == ["placed", "shipped", "completed", "returned"]
    assert contract["schema"]["properties"]["amount"] == {"type": "number"}
    # relationships belongs to the tested model (orders), not to the model it points at
    assert "relationships:customer_id" in contract["guarantees"]["custom"]
    cust_contract = body(call(apps["contracts"], "GET", "/api/v1/assets/{asset_id}/contracts",
                              {"asset_id": customers["id"]}, principal=admin))[0]
    assert "custom" not in (cust_contract["guarantees"] or {})
    stg = asset_by_fqn(apps, admin, "shop.main.stg_payments")
    stg_contract = body(call(apps["contracts"], "GET", "/api/v1/assets/{asset_id}/contracts",
                             {"asset_id": stg["id"]}, principal=admin))[0]
    assert stg_contract["schema"]["properties"]["method"] == {}  # untyped: unknown, not string
    src_contract = body(call(apps["contracts"], "GET", "/api/v1/assets/{asset_id}/contracts",
                             {"asset_id": source["id"]}, principal=admin))[0]
    assert src_contract["guarantees"]["freshness"]["error_after"] == {"count": 24, "period": "hour"}
    deps = body(call(apps["assets"], "GET", "/api/v1/assets/{asset_id}/dependencies", {"asset_id": orders["id"]},
                     principal=admin))
    assert {d["dependency_type"] for d in deps} == {"transforms"} and len(deps) == 2
    history = body(call(apps["assets"], "GET", "/api/v1/assets/{asset_id}/audit-history", {"asset_id": orders["id"]},
                        principal=admin))
    assert history["total_runs"] == 1 and history["runs"][0]["triggered_by"] == "dbt_test"
    assert history["runs"][0]["status"] == "passed" and history["runs"][0]["guarantees_checked"] == 5
    listed = body(call(apps["assets"], "GET", "/api/v1/assets", query={"fqn": "shop"}, principal=admin))
    assert listed["total"] == 9  # the batch's counters settled


def test_identical_reimport_writes_nothing(world, apps):
    admin = world["admin"]
    payload = {**full(world), "run_results": dbt.artefact("run_results")}
    assert upload(apps, admin, **payload)[0] == 200
    with dbt.dynamodb_calls(db.client()) as calls:
        status, out = upload(apps, admin, **payload)
    assert status == 200, out
    assert dbt.writes(calls) == 0, calls
    assert out["assets"]["unchanged"] == 9 and out["assets"]["created"] == 0
    assert out["audit_runs"] == {"recorded": 0, "already_recorded": 6}
    # the owner teams (the default, two named: name guard + team), then guards, assets, stored runs:
    # one BatchGetItem each per 100 nodes — nothing per node
    assert calls.count("GetItem") == 5 and calls.count("BatchGetItem") == 3 and len(calls) == 8, calls


def imported_with_a_consumer(world, apps) -> dict:
    """The shop imported and marketing registered on orders' contract (its own key); orders."""
    admin, teams = world["admin"], world["teams"]
    assert upload(apps, admin, **full(world))[0] == 200
    orders = asset_by_fqn(apps, admin, "shop.main.orders")
    contract = body(call(apps["contracts"], "GET", "/api/v1/assets/{asset_id}/contracts", {"asset_id": orders["id"]},
                         principal=admin))[0]
    r = call(apps["contracts"], "POST", "/api/v1/registrations", principal=team_key(admin, teams["marketing"]["id"]),
             body={"contract_id": contract["id"], "consumer_team_id": teams["marketing"]["id"]})
    assert r["statusCode"] == 201, body(r)
    return orders


def test_pull_request_with_a_consumer_makes_one_proposal(world, apps):
    admin = world["admin"]
    imported_with_a_consumer(world, apps)
    v2 = full(world, dbt.artefact("manifest_v2"))
    status, out = upload(apps, admin, **v2)
    assert status == 200, out
    assert out["proposals"]["created"] == 1, out
    detail = out["proposals"]["details"][0]
    assert detail["asset_fqn"] == "shop.main.orders" and detail["breaking_changes_count"] >= 2
    proposal = body(call(apps["proposals"], "GET", "/api/v1/proposals/{proposal_id}",
                         {"proposal_id": detail["proposal_id"]}, principal=admin))
    kinds = {c["column"] for c in proposal["breaking_changes"]}
    assert {"order_date", "amount"} <= kinds
    assert "currency" in proposal["proposed_schema"]["properties"]
    # the same PR again: the proposal waits; no second one, no 500, no warning
    with dbt.dynamodb_calls(db.client()) as calls:
        status, again = upload(apps, admin, **v2)
    assert status == 200 and again["proposals"]["created"] == 0, again
    assert dbt.writes(calls) == 0
    assert any(n["action"] == "proposal_pending" for n in again["nodes"])


def test_dry_run_reports_and_writes_nothing(world, apps):
    admin = world["admin"]
    with dbt.dynamodb_calls(db.client()) as calls:
        status, out = upload(apps, admin, **full(world), dry_run=True, run_results=dbt.artefact("run_results"))
    assert status == 200 and out["dry_run"] is True
    assert dbt.writes(calls) == 0
    assert out["assets"]["created"] == 9 and out["contracts"]["published"] == 6 and out["dependencies"]["synced"] == 8
    assert {n["action"] for n in out["nodes"]} >= {"would_create", "would_publish_contract"}
    listed = body(call(apps["assets"], "GET", "/api/v1/assets", query={"fqn": "shop"}, principal=admin))
    assert listed["total"] == 0


def test_failing_run_results_make_a_failed_run_once(world, apps):
    admin = world["admin"]
    assert upload(apps, admin, **full(world))[0] == 200
    failing = dbt.artefact("run_results_failing")
    status, out = upload(apps, admin, **full(world), run_results=failing)
    assert status == 200 and out["audit_runs"]["recorded"] == 6
    orders = asset_by_fqn(apps, admin, "shop.main.orders")
    runs = body(call(apps["assets"], "GET", "/api/v1/assets/{asset_id}/audit-history", {"asset_id": orders["id"]},
                     principal=admin))
    assert runs["total_runs"] == 1
    run = runs["runs"][0]
    assert run["status"] == "failed" and run["guarantees_failed"] == 1 and run["guarantees_passed"] == 4
    assert run["run_id"] == failing["metadata"]["invocation_id"]
    assert run["failed_guarantees"] == ["assert_order_amount_at_least"]
    assert upload(apps, admin, **full(world), run_results=failing)[1]["audit_runs"]["recorded"] == 0


def test_owners_never_orphans(world, apps):
    admin = world["admin"]
    manifest = dbt.with_meta_owner(dbt.artefact("manifest"), "stg_orders", "no-such-team")
    status, out = upload(apps, admin, manifest=manifest)  # no owner_team_id
    assert status == 207 and out["status"] == "partial_success"
    refused = {n["fqn"] for n in out["nodes"] if n["action"] == "refused"}
    # staging models, the source and the snapshot have no owner; stg_orders names an unknown team
    assert "shop.main.stg_orders" in refused and "shop.raw_data.payments_v2" in refused
    assert any("no-such-team" in w for w in out["ownership_warnings"])
    assert out["assets"]["created"] == 4  # the two seeds, customers and orders: their meta names their team
    listed = body(call(apps["assets"], "GET", "/api/v1/assets", query={"fqn": "shop"}, principal=admin))
    assert listed["total"] == 4
    assert any("stg_orders" in w for w in out["dependency_warnings"])


@pytest.mark.parametrize("payload, status, words", [
    ({"manifest": []}, 422, "must be a JSON object"),
    ({"manifest": {"nodes": []}}, 422, "'nodes' must be an object"),
    ({"manifest": {"nodes": {"model.x.y": 3}}}, 422, "nodes['model.x.y'] must be an object"),
    ({"manifest": {"metadata": {}}}, 422, "neither 'nodes' nor 'sources'"),
    ({"conflict_mode": "merge"}, 400, "Invalid conflict_mode"),
    ({"owner_team_id": str(uuid.uuid4())}, 422, "not found in this tenant"),
    ({"run_results": {"results": "x"}}, 422, "run_results.results must be a list"),
    ({"environment": "no spaces"}, 422, "environment"),
])
def test_bad_input_is_a_sentence(world, apps, payload, status, words):
    base = {"manifest": dbt.artefact("manifest"), "owner_team_id": world["teams"]["eng"]["id"]}
    code, out = upload(apps, world["admin"], **{**base, **payload})
    assert code == status, out
    assert words in out["error"]["message"], out


def test_conflict_mode_fail_names_existing_assets(world, apps):
    admin = world["admin"]
    assert upload(apps, admin, **full(world))[0] == 200
    code, out = upload(apps, admin, **{**full(world), "conflict_mode": "fail"})
    assert code == 409 and "shop.main.orders" in out["error"]["message"]
    code, out = upload(apps, admin, **{**full(world), "conflict_mode": "ignore"})
    assert code == 200 and out["assets"]["skipped"] == 9


def test_write_key_may_not_import(world, apps):
    key = team_key(world["admin"], world["teams"]["eng"]["id"])
    code, out = upload(apps, key, **full(world))
    assert code == 403


def test_impact_and_diff_read_only(world, apps):
    admin, teams = world["admin"], world["teams"]
    imported_with_a_consumer(world, apps)
    v2 = dbt.artefact("manifest_v2")
    with dbt.dynamodb_calls(db.client()) as calls:
        r = call(apps["sync"], "POST", "/api/v1/sync/dbt/impact", body={"manifest": v2}, principal=admin)
        d = call(apps["sync"], "POST", "/api/v1/sync/dbt/diff", body={"manifest": v2}, principal=admin)
    assert dbt.writes(calls) == 0
    impact, diff = body(r), body(d)
    assert impact["status"] == "breaking_changes_detected" and impact["breaking_changes_count"] == 1
    hit = next(x for x in impact["results"] if x["fqn"] == "shop.main.orders")
    assert hit["affected_consumers"][0]["team_id"] == teams["marketing"]["id"]
    assert diff["blocking"] is True and diff["summary"]["breaking"] == 1 and diff["summary"]["unchanged"] == 8


def test_job_resumes_after_a_crash_without_duplicates(world, apps, monkeypatch):
    admin = world["admin"]
    s3 = boto3.client("s3", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    import os
    monkeypatch.setenv("IMPORT_BUCKET", aws_name("ImportBucket"))
    queue = sqs.get_queue_url(QueueName="ImportJobsQueue")["QueueUrl"]
    monkeypatch.setenv("JOB_QUEUE_URL", queue)
    from accord.store import jobs as job_store
    job_store.reset_clients()
    r = call(apps["sync"], "POST", "/api/v1/sync/uploads", body={}, principal=admin)
    assert r["statusCode"] == 201, body(r)
    up = body(r)
    s3.put_object(Bucket=os.environ["IMPORT_BUCKET"], Key=f"uploads/{admin.tenant}/{up['upload_id']}",
                  Body=gzip.compress(json.dumps(dbt.artefact("manifest")).encode()))
    opts = {k: v for k, v in full(world).items() if k != "manifest"}
    r = call(apps["sync"], "POST", "/api/v1/sync/dbt/jobs", body={"upload_id": up["upload_id"], **opts},
             principal=admin)
    assert r["statusCode"] == 202, body(r)
    job_id = body(r)["job_id"]
    message = sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"]

    class Crash(Exception):
        pass

    from accord import jobs

    def crash(job, done, total):
        if done >= 9:  # after the assets, before lineage and contracts
            raise Crash()
    with pytest.raises(Crash):
        jobs.process(admin.tenant, job_id, apps["importer"].RUNNERS, on_progress=crash)
    mid = body(call(apps["sync"], "GET", "/api/v1/sync/jobs/{job_id}", {"job_id": job_id}, principal=admin))
    assert mid["status"] == "running"
    out = apps["importer"].lambda_handler(sqs_event([message]), None)
    assert out == {"batchItemFailures": []}
    done = body(call(apps["sync"], "GET", "/api/v1/sync/jobs/{job_id}", {"job_id": job_id}, principal=admin))
    assert done["status"] == "succeeded" and done["attempts"] == 2, done
    assert done["progress"]["done"] == done["progress"]["total"] > 0
    result = done["result"]
    assert result["assets"]["created"] == 9 and result["contracts"]["published"] == 6, result
    assert result["dependencies"]["synced"] == 8
    listed = body(call(apps["assets"], "GET", "/api/v1/assets", query={"fqn": "shop"}, principal=admin))
    assert listed["total"] == 9 and len(listed["results"]) == 9


def aws_name(logical_id: str) -> str:
    from local.cfn import load_model
    from tests.conftest import ROOT
    return load_model(str(ROOT / "template.yaml")).buckets[logical_id].name


def test_consumers_registered_from_refs_and_meta(world, apps):
    admin, teams = world["admin"], world["teams"]
    manifest = dbt.artefact("manifest")
    orders = dbt.node(manifest, "orders")
    orders["config"]["meta"]["accord"]["consumers"] = [{"team": "marketing"}, "no-such-team"]
    status, out = upload(apps, admin, **full(world, manifest), auto_register_consumers=True)
    assert status == 207, out  # the unknown consumer team is a warning
    assert out["registrations"]["created"] == 4, out  # analytics on 3 staging models it refs + marketing on orders
    assert any("no-such-team" in w for w in out["registration_warnings"])
    stg = asset_by_fqn(apps, admin, "shop.main.stg_payments")
    contract = body(call(apps["contracts"], "GET", "/api/v1/assets/{asset_id}/contracts", {"asset_id": stg["id"]},
                         principal=admin))[0]
    regs = body(call(apps["contracts"], "GET", "/api/v1/contracts/{contract_id}/registrations",
                     {"contract_id": contract["id"]}, principal=admin))
    assert [r["consumer_team_id"] for r in regs] == [teams["analytics"]["id"]]
    again = upload(apps, admin, **full(world, manifest), auto_register_consumers=True)[1]
    assert again["registrations"]["created"] == 0


def test_auto_delete_removes_the_teams_dbt_assets_missing_from_the_manifest(world, apps):
    admin = world["admin"]
    assert upload(apps, admin, **full(world))[0] == 200
    manifest = dbt.artefact("manifest")
    del manifest["nodes"]["snapshot.shop.customers_snapshot"]
    status, out = upload(apps, admin, **full(world, manifest), auto_delete=True)
    assert status == 200 and out["assets"]["deleted"] == 1, out
    assert out["assets"]["deleted_fqns"] == ["shop.main_snapshots.customers_snapshot"]
    listed = body(call(apps["assets"], "GET", "/api/v1/assets", query={"fqn": "shop"}, principal=admin))
    assert listed["total"] == 8


def test_parallel_bulk_transactions_keep_every_count_exact(world, apps, monkeypatch):
    """The import's asset creates and publishes go up to 8 transactions at a time, each counting
    in a shard of its own: after 240 models (several dozen transactions, some assets already taken)
    the tenant's and the team's totals, the fqn-prefix totals and the contract total are exact."""
    from accord.store import assets as asset_store, contracts as contract_store, counters
    from tests.support import dbt_manifest
    admin, team = world["admin"], world["teams"]["eng"]
    tenant = admin.tenant
    before = asset_store.total(tenant, team=None, env=None, fqn=None)
    contracts_before = contract_store.count(tenant)
    m = dbt_manifest.manifest(models=240, columns=4, schemas=3)
    taken = [n["relation_name"].replace('"', "").lower() for n in list(m["nodes"].values())
             if n["resource_type"] == "model"][5:8]
    for fqn in taken:   # three of them exist already, owned by another team: refused in their transactions
        r = call(apps["assets"], "POST", "/api/v1/assets", body={"fqn": fqn, "owner_team_id": world["teams"]["marketing"]["id"]},
                 principal=admin)
        assert r["statusCode"] == 201, r["body"]
    shards = []
    real = counters.spread
    monkeypatch.setattr(counters, "spread", lambda n: shards.append(n) or real(n))
    status, out = upload(apps, admin, **{**full(world, m), "conflict_mode": "ignore"})
    assert status in (200, 207), out
    assert out["assets"]["created"] == 238 and out["assets"]["skipped"] == 3, out["assets"]
    assert max(shards) > 8                                   # more transactions than are in flight at once
    assert asset_store.total(tenant, team=None, env=None, fqn=None) == before + 238 + 3
    assert asset_store.total(tenant, team=team["id"], env=None, fqn=None) >= 238
    for schema in ("mart_0", "mart_1", "mart_2"):
        prefix = f"{dbt_manifest.DATABASE}.{schema}".lower()
        want = {n["relation_name"].replace('"', "").lower() for n in m["nodes"].values()
                if n["resource_type"] == "model" and n["schema"] == schema}
        assert asset_store.total(tenant, team=None, env=None, fqn=prefix) == len(want)
    assert contract_store.count(tenant) == contracts_before + out["contracts"]["published"] > contracts_before
