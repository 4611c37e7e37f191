"""A team rename reaches its assets through a queued job (accord.identity.rename), on moto: the
PATCH answers at once with the job, the job worker copies the name page by page, resumes after a
crash, yields to a later rename, skips assets that changed owner, and stays inside its tenant."""
from dataclasses import replace

import boto3
import pytest

from accord.store import db
from tests.integration.conftest import load_app
from tests.support.aws import DynamoCalls
from tests.support.events import body, sqs_event
from tests.integration.test_teams import T, T1, call

N = 250
JOB = "/api/v1/sync/jobs/{job_id}"


@pytest.fixture(scope="module")
def apps():
    return {n: load_app(n) for n in ("teams", "assets", "sync", "importer")}


@pytest.fixture
def queue(aws, monkeypatch):
    url = aws["ImportJobsQueue"]
    monkeypatch.setenv("JOB_QUEUE_URL", url)
    from accord.store import jobs as job_store
    job_store.reset_clients()
    yield url
    job_store.reset_clients()


def messages(url: str) -> list[str]:
    """Every message on the queue (taken off it: the test delivers them itself)."""
    sqs, out = boto3.client("sqs", region_name="us-east-1"), []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages") or []
        if not got:
            return out
        for m in got:
            out.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def deliver(apps, bodies: list[str]) -> None:
    for b in bodies:  # one message per invocation, as BatchSize: 1
        assert apps["importer"].lambda_handler(sqs_event([b]), None) == {"batchItemFailures": []}


def team_with_assets(apps, admin, name: str, n: int = N) -> tuple[dict, list[str]]:
    from accord.registry import bulk
    team = body(call(apps["teams"], "POST", T, body={"name": name}, principal=admin))
    made = bulk.create_assets(admin, [{"fqn": f"wh.s.t{i:04d}", "owner_team_id": team["id"]} for i in range(n)])
    assert all(isinstance(a, dict) for a in made)
    return team, [a["id"] for a in made]


def patch(apps, admin, team_id: str, **fields) -> dict:
    r = call(apps["teams"], "PATCH", T1, {"team_id": team_id}, body=fields, principal=admin)
    assert r["statusCode"] == 200, r
    return body(r)


def names(admin) -> dict[str, set]:
    """owner_team_name per asset id over both items of every asset (canonical and environment view)."""
    from accord.store import keys as k
    out: dict[str, set] = {}
    for sk in (k.ASSET_SK, k.ASSET_VIEW_SK):
        start = None
        while True:
            kwargs = {"TableName": db.table_name(), "FilterExpression": "SK = :sk AND begins_with(PK, :pk)",
                      "ExpressionAttributeValues": {":sk": {"S": sk}, ":pk": {"S": k.asset_pk(admin.tenant, "")}}}
            if start:
                kwargs["ExclusiveStartKey"] = start
            page = db.client().scan(**kwargs)
            for item in page["Items"]:
                out.setdefault(item["id"]["S"], set()).add(item["owner_team_name"]["S"])
            start = page.get("LastEvaluatedKey")
            if not start:
                return out


def job(apps, principal, job_id: str) -> dict:
    r = call(apps["sync"], "GET", JOB, {"job_id": job_id}, principal=principal)
    assert r["statusCode"] == 200, r
    return body(r)


def test_rename_answers_at_once_and_the_worker_renames_every_asset(apps, queue, admin):
    team, ids = team_with_assets(apps, admin, "Data Platform")
    with DynamoCalls() as calls:
        out = patch(apps, admin, team["id"], name="Platform", metadata={"slack": "#p"})
    assert len(calls.ops) < 10, calls.ops  # O(1) in the request, whatever the team owns
    assert out["name"] == "Platform" and out["metadata"] == {"slack": "#p"} and out["id"] == team["id"]
    rename = out["rename"]
    assert rename["status"] == "queued" and rename["progress"] == {"done": 0, "total": N}
    from tessera_sdk.models import Team
    assert Team.model_validate(out).name == "Platform"  # Tessera's client reads the answer unchanged
    # the read side shows the rename as unfinished: the team, the team list, the job
    got = body(call(apps["teams"], "GET", T1, {"team_id": team["id"]}, principal=admin))
    assert got["name"] == "Platform" and got["rename"]["job_id"] == rename["job_id"]
    listed = body(call(apps["teams"], "GET", T, principal=admin))
    assert [t.get("rename", {}).get("status") for t in listed] == ["queued"]
    queued = job(apps, admin, rename["job_id"])
    assert queued["kind"] == "team_rename" and queued["status"] == "queued" and queued["team_id"] == team["id"]
    assert set().union(*names(admin).values()) == {"Data Platform"}  # nothing copied yet

    sent = messages(queue)
    assert len(sent) == 1
    with DynamoCalls() as calls:
        deliver(apps, sent)
    pages = -(-N // 49)
    assert calls.ops.count("TransactWriteItems") == pages, calls.ops  # batched: 49 assets per transaction
    assert calls.ops.count("UpdateItem") <= 4, calls.ops  # the job's status and the team's mark, no item per asset
    assert names(admin) == {a: {"Platform"} for a in ids}
    done = job(apps, admin, rename["job_id"])
    assert done["status"] == "succeeded" and done["progress"] == {"done": N, "total": N} and done["attempts"] == 1
    assert done["result"] == {"team_id": team["id"], "name": "Platform", "assets": N}
    assert "rename" not in body(call(apps["teams"], "GET", T1, {"team_id": team["id"]}, principal=admin))
    page = body(call(apps["assets"], "GET", "/api/v1/assets", query={"environment": "production"},
                     principal=admin))
    assert {a["owner_team_name"] for a in page["results"]} == {"Platform"}


def test_a_crashed_worker_resumes_from_its_checkpoint(apps, queue, admin):
    from accord import jobs
    team, ids = team_with_assets(apps, admin, "before")
    job_id = patch(apps, admin, team["id"], name="after")["rename"]["job_id"]
    sent = messages(queue)

    class Crash(Exception):
        pass

    def crash(job, done, total):
        raise Crash()  # after the first page is committed
    with pytest.raises(Crash):
        jobs.process(admin.tenant, job_id, apps["importer"].RUNNERS, on_progress=crash)
    mid = job(apps, admin, job_id)
    assert mid["status"] == "running" and mid["progress"] == {"done": 49, "total": N}, mid
    seen = names(admin)
    assert sum(v == {"after"} for v in seen.values()) == 49 and sum(v == {"before"} for v in seen.values()) == N - 49
    team_view = body(call(apps["teams"], "GET", T1, {"team_id": team["id"]}, principal=admin))
    assert team_view["name"] == "after" and team_view["rename"]["status"] == "running"
    assert team_view["rename"]["progress"] == {"done": 49, "total": N}

    with DynamoCalls() as calls:
        deliver(apps, sent)  # the message comes back
    assert calls.ops.count("TransactWriteItems") == -(-(N - 49) // 49)  # the first page is not written again
    assert names(admin) == {a: {"after"} for a in ids}
    done = job(apps, admin, job_id)
    assert done["status"] == "succeeded" and done["attempts"] == 2 and done["progress"] == {"done": N, "total": N}


def test_a_second_rename_wins_whatever_order_the_jobs_run_in(apps, queue, admin):
    team, ids = team_with_assets(apps, admin, "first", n=120)
    one = patch(apps, admin, team["id"], name="second")["rename"]["job_id"]
    two = patch(apps, admin, team["id"], name="third")["rename"]["job_id"]
    assert one != two
    assert body(call(apps["teams"], "GET", T1, {"team_id": team["id"]}, principal=admin))["rename"]["job_id"] == two
    first, second = messages(queue)
    deliver(apps, [first])  # the stale job runs first: it writes nothing of its own name
    assert job(apps, admin, one)["result"] == {"team_id": team["id"], "superseded": True}
    assert set().union(*names(admin).values()) == {"first"}
    deliver(apps, [second])
    assert names(admin) == {a: {"third"} for a in ids}
    assert "rename" not in body(call(apps["teams"], "GET", T1, {"team_id": team["id"]}, principal=admin))


def test_a_rename_midway_stops_the_running_job(apps, queue, admin):
    from accord import jobs
    team, ids = team_with_assets(apps, admin, "a", n=120)
    one = patch(apps, admin, team["id"], name="b")["rename"]["job_id"]
    later = []

    def rename_again(job, done, total):  # while the first job runs, after its first page
        if not later:
            later.append(patch(apps, admin, team["id"], name="c")["rename"]["job_id"])
    assert jobs.process(admin.tenant, one, apps["importer"].RUNNERS, on_progress=rename_again) == "succeeded"
    assert job(apps, admin, one)["result"]["superseded"] is True
    assert sum(v == {"b"} for v in names(admin).values()) == 49  # its guard stopped it at the next page
    messages(queue)
    assert jobs.process(admin.tenant, later[0], apps["importer"].RUNNERS) == "succeeded"
    assert names(admin) == {a: {"c"} for a in ids}


def test_an_asset_moved_to_another_team_keeps_its_new_owners_name(apps, queue, admin, monkeypatch):
    team, ids = team_with_assets(apps, admin, "owners", n=60)
    other = body(call(apps["teams"], "POST", T, body={"name": "other"}, principal=admin))
    patch(apps, admin, team["id"], name="renamed")
    moved_before = ids[5]
    r = call(apps["assets"], "PATCH", "/api/v1/assets/{asset_id}", {"asset_id": moved_before},
             body={"owner_team_id": other["id"]}, principal=admin)
    assert r["statusCode"] == 200 and body(r)["owner_team_name"] == "other", r
    # another moves between the worker's read of a page and its write (a stale index read)
    from accord.store import assets as asset_store
    query, moved_during = db.query, ids[7]

    def racing_query(*args, **kwargs):
        out = query(*args, **kwargs)
        if kwargs.get("index") == "GSI2" and not kwargs.get("start"):
            monkeypatch.setattr(asset_store.db, "query", query)
            r = call(apps["assets"], "PATCH", "/api/v1/assets/{asset_id}", {"asset_id": moved_during},
                     body={"owner_team_id": other["id"]}, principal=admin)
            assert r["statusCode"] == 200, r
        return out
    monkeypatch.setattr(asset_store.db, "query", racing_query)
    deliver(apps, messages(queue))
    seen = names(admin)
    assert seen[moved_before] == {"other"} and seen[moved_during] == {"other"}
    assert all(seen[a] == {"renamed"} for a in ids if a not in (moved_before, moved_during))


def test_the_job_stays_in_its_tenant(apps, queue, admin):
    team, _ = team_with_assets(apps, admin, "mine", n=3)
    job_id = patch(apps, admin, team["id"], name="still mine")["rename"]["job_id"]
    other = replace(admin, tenant="globex")
    r = call(apps["sync"], "GET", JOB, {"job_id": job_id}, principal=other)
    assert r["statusCode"] == 404 and body(r)["error"]["code"] == "JOB_NOT_FOUND"
    assert call(apps["teams"], "GET", T1, {"team_id": team["id"]}, principal=other)["statusCode"] == 404
    # a message naming the wrong tenant finds no job and writes nothing
    deliver(apps, [f'{{"tenant": "globex", "job_id": "{job_id}"}}'])
    assert job(apps, admin, job_id)["status"] == "queued"


def test_a_rename_whose_message_was_lost_is_queued_again_by_the_same_patch(apps, aws, admin, monkeypatch):
    team, ids = team_with_assets(apps, admin, "lost", n=10)
    monkeypatch.delenv("JOB_QUEUE_URL", raising=False)  # the queue cannot be reached
    out = patch(apps, admin, team["id"], name="found")
    assert out["name"] == "found" and out["rename"]["status"] == "queued"  # the rename itself is committed
    monkeypatch.setenv("JOB_QUEUE_URL", aws["ImportJobsQueue"])
    again = patch(apps, admin, team["id"], name="found")
    assert again["rename"]["job_id"] == out["rename"]["job_id"]
    sent = messages(aws["ImportJobsQueue"])
    assert len(sent) == 1 and out["rename"]["job_id"] in sent[0]
    deliver(apps, sent)
    assert names(admin) == {a: {"found"} for a in ids}
    # once done, the same PATCH again queues nothing
    assert "rename" not in patch(apps, admin, team["id"], name="found")
    assert messages(aws["ImportJobsQueue"]) == []


def test_a_failed_rename_is_started_over_by_the_same_patch(apps, queue, admin):
    from accord.store import jobs as job_store
    team, ids = team_with_assets(apps, admin, "x", n=5)
    first = patch(apps, admin, team["id"], name="y")["rename"]["job_id"]
    messages(queue)
    job_store.update(admin.tenant, first, {"status": "failed", "error": {"status": 500, "message": "gave up"}})
    shown = body(call(apps["teams"], "GET", T1, {"team_id": team["id"]}, principal=admin))["rename"]
    assert shown["status"] == "failed" and shown["error"]["message"] == "gave up"
    second = patch(apps, admin, team["id"], name="y")["rename"]
    assert second["job_id"] != first and second["status"] == "queued"
    deliver(apps, messages(queue))
    assert names(admin) == {a: {"y"} for a in ids}


def _rename_after_read(apps, admin, monkeypatch, team_id: str, new_name: str):
    """The team is renamed right after the next write reads it (once): the write then holds the old
    name, and commits after the rename (and after its job would have passed the asset)."""
    from accord.registry import assets as registry_assets
    read = registry_assets.owner_team

    def read_then_rename(tenant, tid):
        team = read(tenant, tid)
        if tid == team_id:
            monkeypatch.setattr(registry_assets, "owner_team", read)
            patch(apps, admin, team_id, name=new_name)
        return team
    monkeypatch.setattr(registry_assets, "owner_team", read_then_rename)


@pytest.mark.parametrize("way", ["create", "move", "bulk"])
def test_an_asset_written_with_the_name_read_before_a_rename_gets_the_new_name(apps, queue, admin, monkeypatch, way):
    """A create, a move into the team or an importer's bulk create that read the team's old name and
    commits after the rename fails on the rename's mark, reads the team again and stores the new
    name — no asset keeps a name the rename job has already gone past."""
    team, ids = team_with_assets(apps, admin, "before", n=3)
    other = body(call(apps["teams"], "POST", T, body={"name": "elsewhere"}, principal=admin))
    if way == "move":
        from accord.registry import bulk
        mover = bulk.create_assets(admin, [{"fqn": "wh.s.mover", "owner_team_id": other["id"]}])[0]
    _rename_after_read(apps, admin, monkeypatch, team["id"], "after")
    if way == "create":
        r = call(apps["assets"], "POST", "/api/v1/assets", body={"fqn": "wh.s.late", "owner_team_id": team["id"]},
                 principal=admin)
        assert r["statusCode"] == 201, r
        raced = body(r)
    elif way == "move":
        r = call(apps["assets"], "PATCH", "/api/v1/assets/{asset_id}", {"asset_id": mover["id"]},
                 body={"owner_team_id": team["id"]}, principal=admin)
        assert r["statusCode"] == 200, r
        raced = body(r)
    else:
        from accord.registry import bulk
        made = bulk.create_assets(admin, [{"fqn": f"wh.s.late{i}", "owner_team_id": team["id"]} for i in range(3)])
        assert all(isinstance(a, dict) for a in made), made
        ids += [a["id"] for a in made[1:]]
        raced = made[0]
    assert raced["owner_team_name"] == "after"
    deliver(apps, messages(queue))
    seen = names(admin)
    assert {a: seen[a] for a in ids + [raced["id"]]} == {a: {"after"} for a in ids + [raced["id"]]}
