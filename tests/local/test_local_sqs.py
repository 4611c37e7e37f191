"""SQS event sources: real SQS events, batchItemFailures, redrive to the DLQ."""

import time

import boto3
import pytest


@pytest.fixture(scope="module")
def sqs(local_rt):
    return boto3.client(
        "sqs",
        endpoint_url=local_rt.moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def ddb(local_rt):
    return boto3.client(
        "dynamodb",
        endpoint_url=local_rt.moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def wait_for(predicate, timeout=15.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def dlq_messages(sqs, local_rt):
    """Peek at the DLQ (visibility 0 so the messages stay for the next look)."""
    out = []
    resp = sqs.receive_message(
        QueueUrl=local_rt.queue_urls["JobsDLQ"],
        MaxNumberOfMessages=10,
        VisibilityTimeout=0,
        MessageAttributeNames=["All"],
        AttributeNames=["All"],
    )
    out.extend(resp.get("Messages") or [])
    return out


def queue_depth(sqs, url):
    attrs = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


def get_item(ddb, pk):
    return ddb.get_item(TableName="ItemsTable", Key={"pk": {"S": pk}}).get("Item")


def test_partial_batch_failure_and_redrive(local_rt, sqs, ddb):
    url = local_rt.queue_urls["JobsQueue"]
    sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "1", "MessageBody": "ok-1"},
            {
                "Id": "2",
                "MessageBody": "please-fail-1",
                "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "poison"}},
            },
            {"Id": "3", "MessageBody": "ok-2"},
        ],
    )
    # the good ones are processed (and deleted) at once, with a real SQS record
    item = wait_for(lambda: get_item(ddb, "ok-2") and get_item(ddb, "ok-1"))
    assert item, "good messages were not processed"
    assert item["source"] == {"S": "arn:aws:sqs:us-east-1:123456789012:JobsQueue"}
    assert item["receive_count"] == {"N": "1"}
    # the failed one is retried (maxReceiveCount 2), then moved to the DLQ, body and attributes kept
    dead = wait_for(lambda: [m for m in dlq_messages(sqs, local_rt) if m["Body"] == "please-fail-1"])
    assert dead, "poison message never reached the DLQ"
    assert dead[0]["MessageAttributes"]["kind"]["StringValue"] == "poison"
    assert int(dead[0]["Attributes"]["ApproximateReceiveCount"]) >= 2
    assert get_item(ddb, "please-fail-1") is None
    assert wait_for(lambda: queue_depth(sqs, url) == 0, timeout=5)


def test_crashing_batch_deletes_nothing_and_ends_in_dlq(local_rt, sqs, ddb):
    url = local_rt.queue_urls["JobsQueue"]
    sqs.send_message(QueueUrl=url, MessageBody="crash-me")
    # after the first failed attempt the message is still in the queue (nothing deleted)
    assert wait_for(
        lambda: int(
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])[
                "Attributes"
            ]["ApproximateNumberOfMessagesNotVisible"]
        )
        + int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"])
        == 1,
        timeout=3,
    )
    dead = wait_for(lambda: [m for m in dlq_messages(sqs, local_rt) if m["Body"] == "crash-me"])
    assert dead, "crashing message never reached the DLQ"
    assert "batch crashed" in local_rt.function_logs("JobsFunction")
    assert get_item(ddb, "crash-me") is None


def test_many_messages_are_all_processed(local_rt, sqs, ddb):
    url = local_rt.queue_urls["JobsQueue"]
    for batch in range(3):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "MessageBody": f"bulk-{batch}-{i}"} for i in range(10)],
        )
    done = wait_for(
        lambda: all(get_item(ddb, f"bulk-{b}-{i}") for b in range(3) for i in range(10)), timeout=20
    )
    assert done
    assert all(p.errors == 0 for p in local_rt.pollers)
