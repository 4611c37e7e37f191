"""State: tables and queues survive stop/start; the admin key is generated once and kept."""

import json
import os
import time

import boto3
import pytest
import requests

from local.runtime import LocalRuntime

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def client(rt, service):
    return boto3.client(
        service,
        endpoint_url=rt.moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_state_survives_stop_and_start(tmp_path):
    state = tmp_path / "state"
    with LocalRuntime(repo_root=FIXTURES, state_dir=str(state)) as rt:
        first_key = rt.admin_key
        assert first_key.startswith("acc_") and len(first_key) > 40
        assert requests.get(rt.url + "/echo?put=persisted").status_code == 200
        # a message parked in the DLQ (no consumer) must survive too
        client(rt, "sqs").send_message(
            QueueUrl=rt.queue_urls["JobsDLQ"],
            MessageBody="parked",
            MessageAttributes={"n": {"DataType": "Number", "StringValue": "7"}},
        )
        client(rt, "dynamodb").put_item(TableName="accord-local-named", Item={"id": {"S": "n1"}})
    assert (state / "state.json").exists()
    assert oct((state / "admin_key").stat().st_mode & 0o777) == "0o600"

    with LocalRuntime(repo_root=FIXTURES, state_dir=str(state)) as rt:
        assert rt.admin_key == first_key  # reused, not regenerated
        r = requests.get(rt.url + "/echo?get=persisted")
        assert r.status_code == 200 and r.json()["item"]["kind"] == {"S": "echo"}
        assert client(rt, "dynamodb").get_item(TableName="accord-local-named", Key={"id": {"S": "n1"}})["Item"]
        msgs = client(rt, "sqs").receive_message(
            QueueUrl=rt.queue_urls["JobsDLQ"], MessageAttributeNames=["All"], WaitTimeSeconds=1
        )["Messages"]
        assert [m["Body"] for m in msgs] == ["parked"]
        assert msgs[0]["MessageAttributes"]["n"] == {"DataType": "Number", "StringValue": "7"}
        # GSIs come back with the table
        by_kind = client(rt, "dynamodb").query(
            TableName="ItemsTable",
            IndexName="by-kind",
            KeyConditionExpression="kind = :k",
            ExpressionAttributeValues={":k": {"S": "echo"}},
        )
        assert [i["pk"]["S"] for i in by_kind["Items"]] == ["persisted"]


def test_periodic_snapshot_without_stop(tmp_path):
    state = tmp_path / "state"
    with LocalRuntime(repo_root=FIXTURES, state_dir=str(state), snapshot_interval=0.5) as rt:
        assert requests.get(rt.url + "/echo?put=periodic").status_code == 200
        deadline = time.monotonic() + 10
        found = False
        while time.monotonic() < deadline and not found:
            time.sleep(0.3)
            if (state / "state.json").exists():
                saved = json.loads((state / "state.json").read_text())
                found = any(i["pk"]["S"] == "periodic" for i in saved["tables"].get("ItemsTable", []))
        assert found, "state was not snapshotted while running"
        # nothing changes -> the file is not rewritten
        mtime = (state / "state.json").stat().st_mtime_ns
        time.sleep(1.5)
        assert (state / "state.json").stat().st_mtime_ns == mtime


def test_configured_admin_key_wins_and_feeds_the_parameter(tmp_path):
    with LocalRuntime(repo_root=FIXTURES, state_dir=str(tmp_path), admin_key="acc_fixed") as rt:
        assert rt.admin_key == "acc_fixed"
        env = requests.get(rt.url + "/health").json()["facts"]["env"]
        import hashlib

        assert env["ADMIN_SHA"] == hashlib.sha256(b"acc_fixed").hexdigest()
    assert not (tmp_path / "admin_key").exists()


def test_corrupt_state_file_is_a_clear_error(tmp_path):
    (tmp_path / "state.json").write_text("{not json")
    rt = LocalRuntime(repo_root=FIXTURES, state_dir=str(tmp_path))
    with pytest.raises(RuntimeError, match="dev-reset"):
        rt.start()


def test_broken_function_fails_start_with_its_output(tmp_path):
    rt = LocalRuntime(repo_root=FIXTURES, template="broken_template.yaml", state_dir=str(tmp_path))
    with pytest.raises(RuntimeError) as info:
        rt.start()
    msg = str(info.value)
    assert "BrokenFunction" in msg
    assert "module_that_does_not_exist" in msg


def test_state_that_no_longer_fits_the_template_is_kept_aside(tmp_path):
    saved = {
        "version": 1,
        "tables": {
            "ItemsTable": [{"wrong_key": {"S": "x"}}],  # no pk: cannot be restored
            "GoneTable": [{"id": {"S": "y"}}],
        },
        "queues": {},
    }
    (tmp_path / "state.json").write_text(json.dumps(saved))
    with LocalRuntime(repo_root=FIXTURES, state_dir=str(tmp_path)) as rt:
        assert any("ItemsTable" in w for w in rt.warnings)
        assert any("GoneTable" in w for w in rt.warnings)
    assert json.loads((tmp_path / "state.json.orig").read_text()) == saved
