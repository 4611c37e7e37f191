"""A job whose message never left — the queue was down, or the process died between the commit that
made the job and its send — is sent by the scheduled sweep (functions/expiry) once its wake marker
is due; a job whose message was sent leaves no marker, so the sweep never sends it twice."""
import pytest

from accord import clock, jobs
from accord.store import db, keys as k
from tests.integration.conftest import load_app
from tests.integration.test_team_rename import apps, deliver, messages, names, patch, queue, team_with_assets  # noqa: F401


@pytest.fixture
def expiry():
    return load_app("expiry")


def markers() -> list[dict]:
    day = clock.iso()[:10]
    return db.query(k.job_wake_pk(day))[0]


def later(monkeypatch, seconds: float) -> None:
    monkeypatch.setattr(clock, "_offset_seconds", clock._offset_seconds + seconds)


def test_a_rename_the_queue_missed_is_sent_by_the_sweep(apps, queue, admin, expiry, monkeypatch):
    team, ids = team_with_assets(apps, admin, "early", n=12)
    monkeypatch.delenv("JOB_QUEUE_URL")  # the queue cannot be reached at the PATCH
    out = patch(apps, admin, team["id"], name="late")
    assert out["rename"]["status"] == "queued" and len(markers()) == 1
    monkeypatch.setenv("JOB_QUEUE_URL", queue)
    assert expiry.lambda_handler({}, None) == {"expired": 0, "jobs_resent": 0}  # not due: the PATCH may still send it
    later(monkeypatch, jobs.WAKE_AFTER.total_seconds() + 1)
    assert expiry.lambda_handler({}, None) == {"expired": 0, "jobs_resent": 1}
    sent = messages(queue)
    assert len(sent) == 1 and out["rename"]["job_id"] in sent[0]
    assert markers() == []
    deliver(apps, sent)
    assert names(admin) == {a: {"late"} for a in ids}
    assert expiry.lambda_handler({}, None) == {"expired": 0, "jobs_resent": 0} and messages(queue) == []


def test_a_job_whose_message_was_sent_is_never_sent_again(apps, queue, admin, expiry, monkeypatch):
    team, _ = team_with_assets(apps, admin, "one", n=3)
    patch(apps, admin, team["id"], name="two")
    assert len(messages(queue)) == 1 and markers() == []  # sent, marker dropped
    later(monkeypatch, 3600)
    assert expiry.lambda_handler({}, None) == {"expired": 0, "jobs_resent": 0} and messages(queue) == []


def test_a_process_that_died_between_commit_and_send_loses_no_job(apps, queue, admin, expiry, monkeypatch):
    """A rename and a dbt job commit, then their process dies before sending: each job is queued with
    no message anywhere. The sweep sends each once; a marker whose job has run since is only dropped."""
    from accord.identity import teams
    from accord.ingest import jobs as dbt_jobs
    from accord.store import jobs as job_store
    from accord.store import teams as team_store

    class Died(BaseException):
        pass

    def die(tenant, job):
        raise Died()
    team, _ = team_with_assets(apps, admin, "crashy", n=2)
    monkeypatch.setattr(jobs, "send", die)
    with pytest.raises(Died):
        teams.update(admin.tenant, team["id"], "crashed", None)
    dbt_job = jobs.new(dbt_jobs.KIND, options={}, upload_id="a" * 32, run_results_upload_id=None, principal={})
    jobs.create(admin.tenant, dbt_job)   # committed by a route that died before its send
    ran = jobs.new("team_rename", team_id=team["id"], name="crashed", checkpoint={"cursor": None, "done": 0})
    jobs.create(admin.tenant, ran)
    job_store.update(admin.tenant, ran["id"], {"status": "succeeded"})   # sent and run meanwhile
    rename_job = team_store.get(admin.tenant, team["id"])["rename_job_id"]
    assert messages(queue) == [] and len(markers()) == 3
    later(monkeypatch, jobs.WAKE_AFTER.total_seconds() + 1)
    assert expiry.lambda_handler({}, None) == {"expired": 0, "jobs_resent": 2}
    assert sorted(messages(queue)) == sorted(f'{{"tenant":"{admin.tenant}","job_id":"{j}"}}'
                                             for j in (dbt_job["id"], rename_job))
    assert markers() == []


def test_the_sweep_sends_each_tenants_job_to_its_own_tenant(apps, queue, admin, expiry, monkeypatch):
    from dataclasses import replace
    other = replace(admin, tenant="globex")
    monkeypatch.delenv("JOB_QUEUE_URL")
    mine, _ = team_with_assets(apps, admin, "mine", n=1)
    theirs, _ = team_with_assets(apps, other, "theirs", n=1)
    a = patch(apps, admin, mine["id"], name="mine2")["rename"]["job_id"]
    b = patch(apps, other, theirs["id"], name="theirs2")["rename"]["job_id"]
    monkeypatch.setenv("JOB_QUEUE_URL", queue)
    later(monkeypatch, jobs.WAKE_AFTER.total_seconds() + 1)
    assert expiry.lambda_handler({}, None)["jobs_resent"] == 2
    assert sorted(messages(queue)) == sorted([f'{{"tenant":"{admin.tenant}","job_id":"{a}"}}',
                                              f'{{"tenant":"{other.tenant}","job_id":"{b}"}}'])
    deliver(apps, [f'{{"tenant":"{other.tenant}","job_id":"{a}"}}'])   # another tenant's id runs nothing
    from accord.store import jobs as job_store
    assert job_store.get(admin.tenant, a)["status"] == "queued" and job_store.get(other.tenant, a) is None
