"""Operations end to end: the EMF metric lines the functions print (read as CloudWatch reads them:
namespace, dimension sets, values) and the correlation id that follows a request and a queue
message through every log line."""
import json
import time
import uuid

import pytest

from tests.e2e.conftest import Api, new_key, new_tenant
from tests.support.emf import log_lines as _log_lines, points as _points, wait as _wait


@pytest.fixture(scope="module")
def writer(runtime, admin):
    tenant = new_tenant(admin)
    return Api(runtime.url, tenant["admin_key"]["key"])


def test_a_report_produces_its_request_and_event_metrics(runtime, writer):
    cid = f"op-{uuid.uuid4().hex}"
    r = writer("POST", "/report_asset_materialization/ops/orders", json={"metadata": {"rows": 3}},
               headers={"X-Request-ID": cid})
    assert r.status_code == 200 and r.headers["X-Request-ID"] == cid
    expected = {("Requests", (("family", "reports"), ("outcome", "2xx"))): 1,
                ("Latency", (("family", "reports"), ("outcome", "2xx"))): 1,
                ("ReportEvents", (("outcome", "recorded"), ("source", "http"))): 1}
    got = _wait(lambda: _points(runtime, "ReportsFunction", cid) == expected and expected, "report metrics")
    assert got == expected
    # the authorizer counted its lookup under the same correlation id
    auth = _wait(lambda: _points(runtime, "AuthorizerFunction", cid), "authorizer metrics")
    assert sum(v for (name, _), v in auth.items() if name == "AuthorizerCache") == 1
    # tenant-level counts go to the line as metadata, never as a dimension
    doc = next(d for d in runtime.metrics.documents("ReportsFunction") if d.get("correlation_id") == cid)
    assert doc["tenant"] and "tenant" not in sum(doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"], [])


def test_a_rejected_event_is_counted_on_the_batch_route_and_on_the_queue(runtime, writer, aws_clients):
    cid = f"op-{uuid.uuid4().hex}"
    r = writer("POST", "/report_asset_events", headers={"X-Request-ID": cid},
               json=[{"type": "materialization", "asset_key": ["ops", "a"]}, {"type": "bogus"}])
    assert r.status_code == 200 and (r.json()["recorded"], r.json()["rejected"]) == (1, 1)
    got = _wait(lambda: _points(runtime, "ReportsFunction", cid), "batch metrics")
    assert got[("ReportEvents", (("outcome", "rejected"), ("source", "batch")))] == 1
    assert got[("ReportEvents", (("outcome", "recorded"), ("source", "batch")))] == 1

    sqs, _ = aws_clients
    qid = f"q-{uuid.uuid4().hex}"
    sqs.send_message(QueueUrl=runtime.queue_urls["ReportsQueue"],
                     MessageBody=json.dumps([{"type": "check", "asset_key": ["ops", "b"], "check_name": "c", "passed": True},
                                             {"type": "check", "asset_key": ["ops", "b"]}]),  # no `passed`
                     MessageAttributes={"correlation_id": {"DataType": "String", "StringValue": qid}})
    expected = {("ReportEvents", (("outcome", "recorded"), ("source", "sqs"))): 1,
                ("ReportEvents", (("outcome", "rejected"), ("source", "sqs"))): 1,
                ("ReportMessages", (("outcome", "ok"),)): 1}
    assert _wait(lambda: _points(runtime, "WorkerFunction", qid) == expected and expected, "queue metrics") == expected
    # the queue message's correlation id is on the worker's lines about it
    lines = _wait(lambda: _log_lines(runtime, "WorkerFunction", qid), "worker log lines")
    assert {line["message"] for line in lines} == {"report rejected", "report batch"}
    rejected = next(line for line in lines if line["message"] == "report rejected")
    assert rejected["correlation_id"] == qid and rejected["index"] == 1


def test_a_poison_message_is_counted_as_failed_until_the_dlq(runtime, aws_clients):
    sqs, _ = aws_clients
    qid = f"q-{uuid.uuid4().hex}"
    sqs.send_message(QueueUrl=runtime.queue_urls["ReportsQueue"], MessageBody="{not json",
                     MessageAttributes={"correlation_id": {"DataType": "String", "StringValue": qid}})
    got = _wait(lambda: _points(runtime, "WorkerFunction", qid).get(("ReportMessages", (("outcome", "failed"),))),
                "a failed message")
    assert got >= 1
    failed = _wait(lambda: [line for line in _log_lines(runtime, "WorkerFunction", qid)
                            if line["message"] == "report message failed"], "the failure's log line")
    assert "not JSON" in failed[0]["reason"]


def test_publish_and_diff_durations_and_proposal_counts(runtime, admin):
    tenant = new_tenant(admin)
    owner = Api(runtime.url, tenant["admin_key"]["key"])
    producer = owner("POST", "/api/v1/teams", json={"name": "producer"}).json()["id"]
    consumer = owner("POST", "/api/v1/teams", json={"name": "consumer"}).json()["id"]
    asset = owner("POST", "/api/v1/assets", json={"fqn": "ops.orders", "owner_team_id": producer}).json()["id"]
    v1 = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    assert owner("POST", f"/api/v1/assets/{asset}/contracts", json={"schema": v1}).status_code == 201
    contract = owner("GET", f"/api/v1/assets/{asset}").json()["active_contract_id"]
    consumer_key = Api(runtime.url, new_key(owner, scopes=["read", "write"], team_id=consumer))
    assert consumer_key("POST", "/api/v1/registrations",
                        json={"contract_id": contract, "consumer_team_id": consumer}).status_code == 201

    cid = f"op-{uuid.uuid4().hex}"
    v2 = {"type": "object", "properties": {"id": {"type": "string"}}}  # breaking, with a consumer
    r = owner("POST", f"/api/v1/assets/{asset}/contracts", json={"schema": v2}, headers={"X-Request-ID": cid})
    assert r.json()["action"] == "proposal_created"
    got = _wait(lambda: _points(runtime, "ContractsFunction", cid), "publish metrics")
    assert got[("PublishDuration", (("outcome", "proposal_created"),))] == 1
    assert got[("DiffDuration", ())] >= 1
    assert got[("ProposalsCreated", ())] == 1

    ack = f"op-{uuid.uuid4().hex}"
    proposal = r.json()["proposal"]["id"]
    r = consumer_key("POST", f"/api/v1/proposals/{proposal}/acknowledge", headers={"X-Request-ID": ack},
                     json={"consumer_team_id": consumer, "response": "blocked"})
    assert r.status_code == 200, r.text
    got = _wait(lambda: _points(runtime, "ProposalsFunction", ack), "proposal metrics")
    assert got[("ProposalsResolved", (("outcome", "rejected"),))] == 1
    assert got[("Requests", (("family", "registry"), ("outcome", "2xx")))] == 1


def test_the_correlation_id_is_on_every_line_of_a_request(runtime, writer):
    cid = f"op-{uuid.uuid4().hex}"
    r = writer("GET", "/api/v1/teams/not-a-team", headers={"X-Request-ID": cid})
    assert r.status_code == 404 and r.headers["X-Request-ID"] == cid
    lines = _wait(lambda: _log_lines(runtime, "TeamsFunction", cid), "the request line")
    (line,) = lines
    assert (line["message"], line["status"], line["request_id"], line["tenant"]) == ("request", 404, cid, line["tenant"])
    assert line["tenant"] and line["path"] == "/api/v1/teams/not-a-team"
    got = _wait(lambda: _points(runtime, "TeamsFunction", cid), "request metrics")
    assert got == {("Requests", (("family", "registry"), ("outcome", "4xx"))): 1,
                   ("Latency", (("family", "registry"), ("outcome", "4xx"))): 1}
    # without a key the authorizer refuses it, under the same id
    anon = f"op-{uuid.uuid4().hex}"
    assert Api(runtime.url, None)("GET", "/api/v1/teams", headers={"X-Request-ID": anon}).status_code == 401
    (refused,) = _wait(lambda: _log_lines(runtime, "AuthorizerFunction", anon), "the authorizer's line")
    assert refused["message"] == "unauthorized" and refused["had_key"] is False
    assert _wait(lambda: _points(runtime, "AuthorizerFunction", anon), "authorizer metrics") == {
        ("AuthorizerCache", (("outcome", "denied"),)): 1}
