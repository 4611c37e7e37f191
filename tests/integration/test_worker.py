from accord.store import db, keys
from tests.integration.conftest import load_app
from tests.support.events import sqs_event


def test_stub_stores_valid_bodies_once_and_fails_undecodable(aws):
    worker = load_app("worker")
    event = sqs_event([{"type": "materialization", "asset_key": ["a"]}, "{not json", {"tenant": "acme", "x": 1}])
    result = worker.lambda_handler(event, None)
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}
    again = worker.lambda_handler(event, None)  # redelivery
    assert again == result
    stored, _ = db.query(keys.inbox_pk("default"))
    assert [i["body"] for i in stored] == [{"type": "materialization", "asset_key": ["a"]}]
    stored, _ = db.query(keys.inbox_pk("acme"))
    assert len(stored) == 1
