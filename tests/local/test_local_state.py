"""State: tables and queues survive stop/start; the admin key is generated once and kept."""

import json
import os

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


# One item of every DynamoDB type, with the values at the edges that a JSON round trip through
# Python types would bend: binary (and empty binary), sets of each kind, numbers at the edge of
# DynamoDB's range and precision, empty strings in maps and lists, deep nesting.
EVERY_TYPE = {
    "pk": {"S": "every-type"},
    "s": {"S": "naïve ✓ \u2028 \"quoted\""},
    "s_empty": {"S": ""},
    "n_int": {"N": "12345678901234567890123456789012345678"},
    "n_big": {"N": "9.9999999999999999999999999999999999999E+125"},
    "n_small": {"N": "1E-130"},
    "n_neg": {"N": "-1E-130"},
    "n_frac": {"N": "0.1"},
    "b": {"B": bytes(range(256))},
    "b_empty": {"B": b""},
    "bool": {"BOOL": False},
    "null": {"NULL": True},
    "ss": {"SS": ["a", "b", "é"]},
    "ns": {"NS": ["1", "-1E-130", "9.9999999999999999999999999999999999999E+125"]},
    "bs": {"BS": [b"\x00", b"\xff\xfe", b"zlib"]},
    "m": {"M": {"empty": {"S": ""}, "nested": {"M": {"l": {"L": [{"S": ""}, {"B": b"\x01"}, {"N": "0"}]}}},
                "set": {"NS": ["2", "3"]}, "bin": {"B": b"\x00\x00"}}},
    "l": {"L": [{"L": [{"L": []}]}, {"M": {}}, {"NULL": True}, {"BS": [b"a"]}]},
}


def _every_kind_of_item_round_trips(state, stop):
    with LocalRuntime(repo_root=FIXTURES, state_dir=str(state)) as rt:
        ddb, sqs = client(rt, "dynamodb"), client(rt, "sqs")
        ddb.put_item(TableName="ItemsTable", Item=EVERY_TYPE)
        sqs.send_message(
            QueueUrl=rt.queue_urls["JobsDLQ"], MessageBody="with every attribute type",
            MessageAttributes={"bin": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
                               "num": {"DataType": "Number", "StringValue": "1E-130"},
                               "str": {"DataType": "String", "StringValue": "é"}})
        sent = sqs.receive_message(QueueUrl=rt.queue_urls["JobsDLQ"], AttributeNames=["All"],
                                   MessageAttributeNames=["All"], VisibilityTimeout=0)["Messages"][0]
        stop(rt)
    with LocalRuntime(repo_root=FIXTURES, state_dir=str(state)) as rt:
        assert not rt.warnings
        got = client(rt, "dynamodb").get_item(TableName="ItemsTable", Key={"pk": {"S": "every-type"}},
                                              ConsistentRead=True)["Item"]
        assert got == EVERY_TYPE
        msgs = client(rt, "sqs").receive_message(QueueUrl=rt.queue_urls["JobsDLQ"], AttributeNames=["All"],
                                                 MessageAttributeNames=["All"])["Messages"]
        assert len(msgs) == 1
        back = msgs[0]
        # the same message: id, body, attributes, SentTimestamp, and one more receive than before
        assert back["MessageId"] == sent["MessageId"] and back["Body"] == sent["Body"]
        assert back["MessageAttributes"] == sent["MessageAttributes"]
        assert back["Attributes"]["SentTimestamp"] == sent["Attributes"]["SentTimestamp"]
        assert int(back["Attributes"]["ApproximateReceiveCount"]) == 2


def test_every_kind_of_item_survives_a_graceful_stop(tmp_path):
    def graceful(rt):
        outcome = rt.stop()
        assert outcome["persisted"] and "error" not in outcome and outcome["items"] >= 1

    _every_kind_of_item_round_trips(tmp_path / "state", graceful)
    saved = json.loads((tmp_path / "state" / "state.json").read_text())
    assert saved["version"] == 2


def test_every_kind_of_item_survives_a_crash(tmp_path):
    """SIGKILL of the emulator right after the answers: the journal has every acknowledged write."""
    def crash(rt):
        rt._moto.proc.kill()
        rt._moto.proc.wait()
        outcome = rt.stop()
        assert outcome.get("error")  # the emulator could not write a final snapshot: it was dead

    _every_kind_of_item_round_trips(tmp_path / "state", crash)


def test_torn_journal_entry_and_corrupt_snapshot_never_prevent_a_start(tmp_path):
    state = tmp_path / "state"
    with LocalRuntime(repo_root=FIXTURES, state_dir=str(state)) as rt:
        ddb = client(rt, "dynamodb")
        ddb.put_item(TableName="ItemsTable", Item={"pk": {"S": "before"}})
        rt.snapshot()  # state.json now has "before"; the next write goes to the journal only
        ddb.put_item(TableName="ItemsTable", Item={"pk": {"S": "after"}})
        rt._moto.proc.kill()  # a crash...
        rt._moto.proc.wait()
        rt.stop()
    journals = sorted(state.glob("journal-*.log"))
    with open(journals[-1], "ab") as fh:
        fh.write(b'0badc0de {"ddb": "PutItem", "b": "{\\"TableName\\": ')  # ...in the middle of a write
    with LocalRuntime(repo_root=FIXTURES, state_dir=str(state)) as rt:
        assert any("torn last entry" in w for w in rt.warnings), rt.warnings
        keys = {i["pk"]["S"] for i in client(rt, "dynamodb").scan(TableName="ItemsTable")["Items"]}
        assert {"before", "after"} <= keys
    # the newest snapshot is garbage (a disk that lied): the previous good one and its journals
    (state / "state.json").write_text('{"version": 2, "generation": 9, "tables": {"ItemsTa')
    with LocalRuntime(repo_root=FIXTURES, state_dir=str(state)) as rt:
        assert any("state.json could not be read" in w for w in rt.warnings), rt.warnings
        keys = {i["pk"]["S"] for i in client(rt, "dynamodb").scan(TableName="ItemsTable")["Items"]}
        assert {"before", "after"} <= keys
    assert list(state.glob("state.json.corrupt-*"))


def test_a_version_1_state_file_is_still_read(tmp_path):
    saved = {"version": 1, "tables": {"ItemsTable": [{"pk": {"S": "old"}, "n": {"N": "1.50"}}]},
             "queues": {"JobsDLQ": [{"body": "old message", "receive_count": 3,
                                     "attributes": {"a": {"DataType": "Binary", "BinaryValueB64": "AP8="}}}]}}
    (tmp_path / "state.json").write_text(json.dumps(saved))
    with LocalRuntime(repo_root=FIXTURES, state_dir=str(tmp_path)) as rt:
        assert not rt.warnings
        item = client(rt, "dynamodb").get_item(TableName="ItemsTable", Key={"pk": {"S": "old"}})["Item"]
        assert item["n"] == {"N": "1.50"} or item["n"] == {"N": "1.5"}
        msgs = client(rt, "sqs").receive_message(QueueUrl=rt.queue_urls["JobsDLQ"], AttributeNames=["All"],
                                                 MessageAttributeNames=["All"])["Messages"]
        assert msgs[0]["Body"] == "old message"
        assert msgs[0]["MessageAttributes"]["a"]["BinaryValue"] == b"\x00\xff"
        assert msgs[0]["Attributes"]["ApproximateReceiveCount"] == "4"


def test_configured_admin_key_wins_and_feeds_the_parameter(tmp_path):
    with LocalRuntime(repo_root=FIXTURES, state_dir=str(tmp_path), admin_key="acc_fixed") as rt:
        assert rt.admin_key == "acc_fixed"
        env = requests.get(rt.url + "/health").json()["facts"]["env"]
        import hashlib

        assert env["ADMIN_SHA"] == hashlib.sha256(b"acc_fixed").hexdigest()
    assert not (tmp_path / "admin_key").exists()


def test_unreadable_state_file_is_moved_aside_and_the_start_goes_on(tmp_path):
    (tmp_path / "state.json").write_text("{not json")
    with LocalRuntime(repo_root=FIXTURES, state_dir=str(tmp_path)) as rt:
        assert any("state.json could not be read" in w for w in rt.warnings)
        assert requests.get(rt.url + "/echo?put=fresh").status_code == 200
    assert [p.read_text() for p in tmp_path.glob("state.json.corrupt-*")] == ["{not json"]


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
