"""Issue 5 end to end through the local runtime: Dagster's External Assets REST API (every fact of
api-compatibility §3 and each documented deviation), the batch route, the SQS worker, and the
registry reads (events, status/freshness, audit history, unregistered keys, rejected reports)."""
import json
import time
import uuid

import pytest
import requests

from tests.e2e.conftest import Api, new_key, new_tenant

MAT, CHECK, OBS = "/report_asset_materialization/", "/report_asset_check/", "/report_asset_observation/"
NO_KEY_MAT = ("Empty asset key, must provide asset key as url path after /report_asset_materialization/ "
              "or query param asset_key.")
NO_KEY_CHECK = ("Empty asset key, must provide asset key as url path after /report_asset_check_evaluation/ "
                "or query param asset_key.")


@pytest.fixture(scope="session")
def dagster(runtime):
    """A Dagster+ script: the key in Dagster-Cloud-Api-Token."""
    return Api(runtime.url, runtime.admin_key, "Dagster-Cloud-Api-Token")


def uniq(prefix="k") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def events(admin, key: list, **query) -> list:
    r = admin("GET", "/api/v1/events", params={"asset_key": json.dumps(key), **query})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def ok(r):
    assert r.status_code == 200, r.text
    assert r.json() == {}
    return r


def bad(r, status=400) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and isinstance(body["error"], str), body
    return body["error"]


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return None


# ------------------------------------------------------------------ M: materializations
def test_m1_no_body_key_in_path_is_stored_and_readable_right_away(dagster, admin):
    a, b = uniq(), uniq()
    ok(requests.post(f"{dagster.url}{MAT}{a}/{b}/baz", headers=dagster.headers, timeout=30))
    [ev] = events(admin, [a, b, "baz"])  # written synchronously: visible right after the 200
    assert ev["type"] == "materialization" and ev["metadata"] == {}


def test_m2_no_key_anywhere_is_400(dagster):
    assert bad(dagster("POST", MAT)) == NO_KEY_MAT
    assert bad(dagster("POST", MAT, json={"metadata": {}})) == NO_KEY_MAT


def test_m3_query_json_list_key_keeps_its_slash(dagster, admin):
    part = f"slash/{uniq()}"
    ok(dagster("POST", MAT, params={"asset_key": json.dumps([part])}))
    assert len(events(admin, [part])) == 1


def test_m4_m5_body_list_is_parts_and_body_string_is_one_part(dagster, admin):
    a, b = f"a/{uniq()}", f"c/{uniq()}"
    ok(dagster("POST", MAT, json={"asset_key": [a, b]}))
    assert len(events(admin, [a, b])) == 1
    one = f"a/{uniq()}"
    ok(dagster("POST", MAT, json={"asset_key": one}))
    assert len(events(admin, [one])) == 1


def test_m6_query_string_key_splits(dagster, admin):
    a = uniq()
    ok(dagster("POST", MAT, params={"asset_key": f"{a}/bar"}))
    assert len(events(admin, [a, "bar"])) == 1


def test_m7_path_wins_over_body_wins_over_query(dagster, admin):
    p, b, q = uniq("p"), uniq("b"), uniq("q")
    ok(dagster("POST", MAT + p, json={"asset_key": b}, params={"asset_key": q}))
    ok(dagster("POST", MAT, json={"asset_key": b}, params={"asset_key": q}))
    assert len(events(admin, [p])) == 1 and len(events(admin, [b])) == 1 and events(admin, [q]) == []


def test_m8_every_field_from_the_body_or_the_query(dagster, admin):
    a = uniq()
    meta = {"rows": 12, "ratio": 0.25, "ok": True, "tags": ["x"], "nested": {"n": None}}
    ok(dagster("POST", MAT + a, json={"description": "body", "partition": "2024-01-01", "metadata": meta,
                                      "data_version": "v1", "not_a_field": 1}))
    ok(dagster("POST", MAT + a, params={"description": "query", "partition": "2024-01-02",
                                        "metadata": json.dumps({"rows": 3}), "data_version": "v2"}))
    by_desc = {e["description"]: e for e in events(admin, [a])}
    assert by_desc["body"]["metadata"] == meta  # JSON types kept
    assert (by_desc["body"]["partition"], by_desc["body"]["data_version"]) == ("2024-01-01", "v1")
    assert by_desc["query"]["metadata"] == {"rows": 3}
    assert (by_desc["query"]["partition"], by_desc["query"]["data_version"]) == ("2024-01-02", "v2")


def test_m8_body_fields_win_over_query_fields(dagster, admin):
    a = uniq()
    ok(dagster("POST", MAT + a, json={"partition": "body"}, params={"partition": "query"}))
    assert events(admin, [a])[0]["partition"] == "body"


def test_m9_invalid_query_metadata_json(dagster):
    msg = bad(dagster("POST", MAT + uniq(), params={"metadata": "{oops"}))
    assert msg.startswith("Error parsing metadata json: ")


def test_m10_body_metadata_not_an_object(dagster):
    msg = bad(dagster("POST", MAT + uniq(), json={"metadata": [1, 2]}))
    assert msg.startswith('Error constructing AssetMaterialization: Param "metadata" is not')


def test_wrong_typed_field_is_a_construction_error(dagster):
    assert bad(dagster("POST", MAT + uniq(), json={"partition": 7})) == \
        "Error constructing AssetMaterialization: Param \"partition\" is not a str. Got 7 which is type <class 'int'>."


@pytest.mark.parametrize("route", [MAT, OBS])
def test_a_numeric_or_boolean_data_version_is_kept_as_text(dagster, admin, route):
    # dagster-webserver answers 200 for these (it keeps the value as the event's data-version tag)
    a = uniq()
    for value in (42, 1.5, True, "v3"):
        ok(dagster("POST", route + a, json={"data_version": value, "description": json.dumps(value)}))
    got = {e["description"]: e["data_version"] for e in events(admin, [a])}
    assert got == {"42": "42", "1.5": "1.5", "true": "true", '"v3"': "v3"}


def test_a_data_version_dagster_cannot_store_is_400(dagster):
    for value in ([1, 2], {"v": 1}):
        assert bad(dagster("POST", MAT + uniq(), json={"data_version": value})).startswith(
            'Error constructing AssetMaterialization: Param "data_version" must be a string, a number or a boolean.')


def test_numbers_beyond_double_range_never_make_an_answer_that_is_not_json(dagster, admin):
    a = uniq()
    ok(dagster("POST", MAT + a, data='{"metadata": {"big": 1e400, "n": 2}}',
               headers={"Content-Type": "application/json"}))
    r = admin("GET", "/api/v1/events", params={"asset_key": json.dumps([a])})
    strict = json.loads(r.text, parse_constant=lambda c: pytest.fail(f"{c} in an answer: not JSON"))
    assert strict["results"][0]["metadata"] == {"big": "Infinity", "n": 2}
    assert bad(dagster("POST", MAT + a, data='{"data_version": 1e400}', headers={"Content-Type": "application/json"}))

def test_a_body_that_is_no_object_is_read_as_dagster_reads_it(dagster, admin):
    # an array or a string has no fields for Dagster (200, path and query only) ...
    a = uniq()
    ok(dagster("POST", MAT + a, json=[1, 2], params={"partition": "from-query"}))
    ok(dagster("POST", CHECK + a, data='"text"', headers={"Content-Type": "application/json"},
               params={"check_name": "c", "passed": "true"}))
    got = {e["type"]: e for e in events(admin, [a])}
    assert got["materialization"]["partition"] == "from-query" and got["check"]["passed"] is True
    # ... unless it holds a field's name, and null, numbers and booleans: Dagster fails (500), we say why
    assert bad(dagster("POST", MAT + a, json=["metadata"])) == "The JSON body must be an object, got array."
    for raw, name in (("null", "null"), ("7", "number"), ("false", "boolean")):
        r = dagster("POST", OBS + a, data=raw, headers={"Content-Type": "application/json"})
        assert bad(r) == f"The JSON body must be an object, got {name}."


def test_text_dagster_stores_is_stored(dagster, admin):
    a = uniq()
    ok(dagster("POST", MAT + a, json={"partition": "p\tq", "data_version": "v\n1"}))
    [ev] = events(admin, [a])
    assert (ev["partition"], ev["data_version"]) == ("p\tq", "v\n1")
    assert "NUL characters" in bad(dagster("POST", MAT + a, json={"partition": "p\u0000"}))


def test_content_type_other_than_json(dagster):
    r = dagster("POST", MAT + uniq(), data="asset_key=x", headers={"Content-Type": "text/plain"})
    assert bad(r) == "Unhandled content type text/plain, expect no body or application/json"


# ------------------------------------------------------------------ C: checks
def test_c1_check_requires_passed(dagster):
    assert bad(dagster("POST", CHECK + uniq(), json={"check_name": "c"})) == "Missing required parameter 'passed'."
    assert bad(dagster("POST", CHECK)) == NO_KEY_CHECK


def test_c2_passed_from_query_and_severity_default(dagster, admin):
    a = uniq()
    ok(dagster("POST", CHECK + a, params={"check_name": "rows", "passed": "false"}))
    ok(dagster("POST", CHECK, json={"asset_key": a, "check_name": "warn", "passed": True, "severity": "WARN"}))
    got = {e["check_name"]: e for e in events(admin, [a], type="check")}
    assert (got["rows"]["passed"], got["rows"]["severity"]) == (False, "ERROR")
    assert (got["warn"]["passed"], got["warn"]["severity"]) == (True, "WARN")
    assert bad(dagster("POST", CHECK + a, params={"check_name": "c", "passed": "nope"})) == \
        "Error parsing 'passed': Expecting value: line 1 column 1 (char 0)"


def test_c3_check_with_bad_metadata(dagster):
    msg = bad(dagster("POST", CHECK + uniq(), json={"check_name": "c", "passed": True, "metadata": "x"}))
    assert msg.startswith('Error constructing AssetCheckEvaluation: Param "metadata" is not')


def test_c4_undeclared_check_and_unknown_severity(dagster, admin):
    a = uniq()
    ok(dagster("POST", CHECK + a, json={"check_name": "declared_nowhere", "passed": True}))
    assert events(admin, [a])[0]["check_name"] == "declared_nowhere"
    assert bad(dagster("POST", CHECK + a, json={"check_name": "c", "passed": True, "severity": "INFO"})) == \
        "Error constructing AssetCheckEvaluation: 'INFO' is not a valid AssetCheckSeverity"


# ------------------------------------------------------------------ O: observations
def test_o1_observation_fields_with_data_version(dagster, admin):
    a = uniq()
    ok(dagster("POST", OBS + a, json={"data_version": "abc", "metadata": {"n": 1}, "partition": "p",
                                      "description": "seen"}))
    [ev] = events(admin, [a])
    assert (ev["type"], ev["data_version"], ev["metadata"], ev["partition"]) == ("observation", "abc", {"n": 1}, "p")


def test_o2_observation_without_key_names_the_materialization_route(dagster):
    assert bad(dagster("POST", OBS)) == NO_KEY_MAT


def test_o3_observation_wrong_type_says_asset_materialization(dagster):
    assert bad(dagster("POST", OBS + uniq(), json={"metadata": 5})).startswith(
        'Error constructing AssetMaterialization: Param "metadata" is not')


# ------------------------------------------------------------------ our deviations
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_methods_are_405_in_the_reports_envelope(dagster, method):
    for path in (MAT, MAT + "a/b", CHECK, OBS + "x", "/report_asset_events"):
        r = dagster(method, path)
        assert r.status_code == 405, (method, path, r.text)
        assert set(r.json()) == {"error"} and "POST" in r.json()["error"]


def test_json_with_charset_is_accepted(dagster, admin):
    a = uniq()
    ok(dagster("POST", MAT + a, data=json.dumps({"partition": "x"}),
               headers={"Content-Type": "application/json; charset=utf-8"}))
    assert events(admin, [a])[0]["partition"] == "x"


def test_malformed_json_and_wrong_typed_or_empty_keys_are_400(dagster):
    r = dagster("POST", MAT + uniq(), data="{nope", headers={"Content-Type": "application/json"})
    assert bad(r).startswith("Malformed JSON body")
    assert bad(dagster("POST", MAT, json={"asset_key": 5})).startswith("Invalid asset_key")
    assert bad(dagster("POST", MAT, json={"asset_key": ["a", 1]})).startswith("Invalid asset_key")
    assert bad(dagster("POST", MAT, json={"asset_key": ""})) == NO_KEY_MAT
    assert bad(dagster("POST", MAT, json={"asset_key": ["a", ""]})).endswith("key parts must not be empty.")


def test_idempotency_key(dagster, admin):
    a, key = uniq(), uniq("idem-")
    for _ in range(3):
        ok(dagster("POST", MAT + a, json={"metadata": {"n": 1}}, headers={"Idempotency-Key": key}))
    assert len(events(admin, [a])) == 1
    msg = bad(dagster("POST", MAT + a, json={"metadata": {"n": 2}}, headers={"Idempotency-Key": key}), 422)
    assert "already used for a different report" in msg


def test_checks_accept_partition_and_description(dagster, admin):
    a = uniq()
    ok(dagster("POST", CHECK + a, json={"check_name": "c", "passed": False, "partition": "2024-02-01",
                                        "description": "3 nulls"}))
    ev = events(admin, [a])[0]
    assert (ev["partition"], ev["description"]) == ("2024-02-01", "3 nulls")


def test_our_fields_on_dagsters_routes_never_refuse_a_dagster_report(dagster, admin):
    # Dagster's check route ignores partition and description, no route reads environment: whatever
    # they hold, Dagster answers 200, so do we (keeping what is usable)
    a = uniq()
    ok(dagster("POST", CHECK + a, json={"check_name": "c", "passed": True, "description": {"rows": 3},
                                        "partition": ["p"], "environment": 5}))
    [ev] = events(admin, [a])
    assert (ev["check_name"], ev["description"], ev["partition"]) == ("c", None, None) and "environment" not in ev


@pytest.mark.parametrize("raw, name", [("null", "null"), ("3", "number"), ('"events"', "string"),
                                       ("true", "boolean"), ('{"type": "observation", "asset_key": "x"}', "object")])
def test_a_batch_body_that_is_no_list_is_400(dagster, raw, name):
    r = dagster("POST", "/report_asset_events", data=raw, headers={"Content-Type": "application/json"})
    assert bad(r) == f'Expected a JSON list of event objects or {{"events": [...]}}; got {name}.'
    r = dagster("POST", "/report_asset_events", json={"events": json.loads(raw)})
    assert bad(r) == f"Field 'events' must be a list of event objects, got {name}."


def test_batch_endpoint_partial_success(dagster, admin):
    a = uniq()
    r = dagster("POST", "/report_asset_events", json=[
        {"type": "materialization", "asset_key": [a], "metadata": {"rows": 1}},
        {"type": "check", "asset_key": [a], "check_name": "c"},
        {"type": "observation", "asset_key": [a], "event_id": "o-1"},
        "not an object",
    ])
    assert r.status_code == 200, r.text
    out = r.json()
    assert [(x["index"], x["status"]) for x in out["results"]] == \
        [(0, "recorded"), (1, "rejected"), (2, "recorded"), (3, "rejected")]
    assert out["results"][1]["error"] == "Missing required parameter 'passed'."
    assert (out["recorded"], out["rejected"]) == (2, 2)
    assert len(events(admin, [a])) == 2
    big = dagster("POST", "/report_asset_events", json=[{"type": "observation", "asset_key": "x"}] * 101)
    assert bad(big, 413) == "101 events in one request; the limit is 100."


def test_sizes_are_4xx(dagster):
    assert "metadata is" in bad(dagster("POST", MAT + uniq(), json={"metadata": {"x": "y" * 70_000}}), 413)
    r = dagster("POST", MAT + uniq(), data=b"{" + b" " * 1_100_000 + b"}", headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and set(r.json()) == {"error"}


# ------------------------------------------------------------------ auth
def test_auth_headers_and_scopes(runtime, admin):
    a = uniq()
    for header in ("Dagster-Cloud-Api-Token", "Authorization", "X-API-Key"):
        ok(Api(runtime.url, runtime.admin_key, header)("POST", MAT + a))
    r = requests.post(runtime.url + MAT + a, timeout=30)
    assert r.status_code == 401 and set(r.json()) == {"error"}
    reader = Api(runtime.url, new_key(admin, scopes=["read"]), "Dagster-Cloud-Api-Token")
    r = reader("POST", MAT + a)
    assert r.status_code == 403 and set(r.json()) == {"error"} and "write" in r.json()["error"]


# ------------------------------------------------------------------ registry views
@pytest.fixture(scope="session")
def owned(admin):
    team = admin("POST", "/api/v1/teams", json={"name": uniq("reports-")}).json()
    return team


def new_asset(admin, team, fqn) -> dict:
    r = admin("POST", "/api/v1/assets", json={"fqn": fqn, "owner_team_id": team["id"]})
    assert r.status_code == 201, r.text
    return r.json()


def test_checks_appear_in_audit_history(dagster, admin, owned):
    fqn = f"wh.{uniq()}"
    asset = new_asset(admin, owned, fqn)
    ok(dagster("POST", CHECK + fqn.replace(".", "/"), json={"check_name": "not_null", "passed": True}))
    ok(dagster("POST", CHECK, json={"asset_key": fqn.split("."), "check_name": "unique", "passed": False,
                                    "severity": "WARN"}))
    ok(dagster("POST", CHECK, json={"asset_key": fqn.split("."), "check_name": "dbt", "passed": True,
                                    "metadata": {"triggered_by": "dbt_test"}}))
    h = admin("GET", f"/api/v1/assets/{asset['id']}/audit-history").json()
    assert h["total_runs"] == 3
    assert sorted((r["status"], r["triggered_by"]) for r in h["runs"]) == \
        [("failed", "dagster"), ("passed", "dagster"), ("passed", "dbt_test")]
    failed = admin("GET", f"/api/v1/assets/{asset['id']}/audit-history", params={"status": "failed"}).json()
    assert failed["total_runs"] == 1 and failed["runs"][0]["failed_guarantees"] == ["unique"]
    status = admin("GET", f"/api/v1/assets/{asset['id']}/status").json()
    assert status["checks"]["unique"]["status"] == "failed" and status["checks"]["unique"]["severity"] == "WARN"
    assert status["checks"]["not_null"]["passed"] is True
    detail = admin("GET", f"/api/v1/assets/{asset['id']}", params={"include": "status"}).json()
    assert {name: c["status"] for name, c in detail["checks"].items()} == \
        {"not_null": "passed", "unique": "failed", "dbt": "passed"}


def test_an_audit_run_without_a_dagster_run_id_carries_the_reports_id(runtime, dagster, admin, owned):
    fqn = f"wh.{uniq()}"
    asset = new_asset(admin, owned, fqn)
    key = fqn.split(".")
    ok(dagster("POST", CHECK, json={"asset_key": key, "check_name": "plain", "passed": True}))
    ok(dagster("POST", CHECK, json={"asset_key": key, "check_name": "keyed", "passed": True},
               headers={"Idempotency-Key": f"idem-{uniq()}"}))
    ok(dagster("POST", CHECK, json={"asset_key": key, "check_name": "dagster", "passed": True,
                                    "metadata": {"dagster/run_id": "run-77"}}))
    # a queue message without event_id, delivered three times
    record = {"messageId": str(uuid.uuid4()), "receiptHandle": "rh", "body": json.dumps(
        {"type": "check", "asset_key": key, "check_name": "queued", "passed": False}),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": str(int(time.time() * 1000))},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:ReportsQueue", "awsRegion": "us-east-1"}
    for _ in range(3):
        assert runtime.invoke("WorkerFunction", {"Records": [record]}) == {"batchItemFailures": []}
    runs = admin("GET", f"/api/v1/assets/{asset['id']}/audit-history").json()
    assert runs["total_runs"] == 4, runs
    listed = {e["check_name"]: e for e in events(admin, key)}
    by_id = {r["run_id"] for r in runs["runs"]}
    assert by_id == {listed["plain"]["id"], listed["keyed"]["event_id"], "run-77", listed["queued"]["id"]}
    assert listed["plain"]["event_id"] is None and listed["queued"]["event_id"] is None


def test_asset_events_and_status_with_freshness(dagster, admin, owned):
    fqn = f"wh.{uniq()}"
    asset = new_asset(admin, owned, fqn)
    r = admin("POST", f"/api/v1/assets/{asset['id']}/contracts",
              json={"schema": {"type": "object"}, "guarantees": {"freshness": {"max_staleness_minutes": 60}}})
    assert r.status_code == 201, r.text
    status = admin("GET", f"/api/v1/assets/{asset['id']}/status").json()
    assert status["freshness"]["status"] == "unknown" and status["freshness"]["max_staleness_minutes"] == 60
    two_hours_ago = time.time() - 7200
    ok(dagster("POST", OBS, json={"asset_key": fqn.split("."),
                                  "metadata": {"dagster/last_updated_timestamp": two_hours_ago}}))
    fresh = admin("GET", f"/api/v1/assets/{asset['id']}/status").json()["freshness"]
    assert fresh["status"] == "stale" and fresh["stale_since"] and fresh["last_updated_at"]
    ok(dagster("POST", MAT + fqn.replace(".", "/"), json={"partition": "p1", "metadata": {"rows": 5}}))
    status = admin("GET", f"/api/v1/assets/{asset['id']}/status").json()
    assert status["freshness"]["status"] == "fresh" and status["freshness"]["stale_since"] is None
    assert status["last_materialization"]["metadata"] == {"rows": 5}
    detail = admin("GET", f"/api/v1/assets/{asset['id']}", params={"include": "status"}).json()
    assert detail["fqn"] == fqn and detail["freshness"]["status"] == "fresh"
    assert detail["last_materialization"]["partition"] == "p1" and detail["checks"] == {}
    plain = admin("GET", f"/api/v1/assets/{asset['id']}").json()
    assert plain["fqn"] == fqn and "freshness" not in plain
    bad = admin("GET", f"/api/v1/assets/{asset['id']}", params={"include": "everything"})
    assert bad.status_code == 422 and "the only one is 'status'" in bad.json()["error"]["message"]
    page = admin("GET", f"/api/v1/assets/{asset['id']}/events", params={"limit": 1}).json()
    assert page["asset_id"] == asset["id"] and len(page["results"]) == 1 and page["next"]
    assert page["results"][0]["type"] == "materialization"  # newest first
    rest = admin("GET", f"/api/v1/assets/{asset['id']}/events", params={"cursor": page["next"]}).json()
    assert [e["type"] for e in rest["results"]] == ["observation"] and rest["next"] is None
    only = admin("GET", f"/api/v1/assets/{asset['id']}/events", params={"type": "observation"}).json()
    assert [e["type"] for e in only["results"]] == ["observation"]


def test_unregistered_keys(runtime, admin):
    tenant = Api(runtime.url, new_tenant(admin)["admin_key"]["key"])   # a tenant of its own: its keys only
    team = tenant("POST", "/api/v1/teams", json={"name": "owners"}).json()
    for key in (["raw", "events"], ["raw", "users"], ["odd.part"], ["raw", "events", "daily"]):
        ok(tenant("POST", MAT, json={"asset_key": key}))

    def listed(limit):
        out, cursor = [], None
        while True:
            r = tenant("GET", "/api/v1/events/unregistered", params={"limit": limit, **({"cursor": cursor} if cursor else {})})
            assert r.status_code == 200, r.text
            out += [x["asset_key"] for x in r.json()["results"]]
            cursor = r.json()["next"]
            if not cursor:
                return out
    assert listed(2) == [["odd.part"], ["raw", "events"], ["raw", "events", "daily"], ["raw", "users"]]
    new_asset(tenant, team, "raw.events")
    assert listed(50) == [["odd.part"], ["raw", "events", "daily"], ["raw", "users"]]


# ------------------------------------------------------------------ SQS
def _send(runtime, aws_clients, body, **attrs):
    sqs, _ = aws_clients
    kwargs = {"QueueUrl": runtime.queue_urls["ReportsQueue"],
              "MessageBody": body if isinstance(body, str) else json.dumps(body)}
    if attrs:
        kwargs["MessageAttributes"] = {k: {"DataType": "String", "StringValue": v} for k, v in attrs.items()}
    return sqs.send_message(**kwargs)["MessageId"]


def test_sqs_same_message_delivered_three_times_is_one_event(runtime, admin):
    a = uniq()
    record = {"messageId": str(uuid.uuid4()), "receiptHandle": "rh", "body": json.dumps(
        {"type": "materialization", "asset_key": [a], "metadata": {"rows": 1}}),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": str(int(time.time() * 1000))},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:ReportsQueue", "awsRegion": "us-east-1"}
    for _ in range(3):
        assert runtime.invoke("WorkerFunction", {"Records": [record]}) == {"batchItemFailures": []}
    assert len(events(admin, [a])) == 1


def _drained(runtime, aws_clients) -> bool:
    sqs, _ = aws_clients
    attrs = sqs.get_queue_attributes(QueueUrl=runtime.queue_urls["ReportsQueue"], AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return attrs["ApproximateNumberOfMessages"] == "0" and attrs["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_sqs_the_same_event_sent_three_times_is_one_event(runtime, aws_clients, admin):
    a = uniq()
    for _ in range(3):
        _send(runtime, aws_clients, {"type": "observation", "asset_key": [a], "event_id": f"{a}-1"})
    assert _wait(lambda: _drained(runtime, aws_clients), timeout=60), "the queue was not drained"
    assert len(events(admin, [a])) == 1


def test_sqs_poison_message_others_recorded_poison_rejected_and_in_dlq(runtime, aws_clients, admin):
    a = uniq()
    poison = f"not json {a}"
    _send(runtime, aws_clients, {"type": "materialization", "asset_key": [a, "1"]}, tenant="default")
    _send(runtime, aws_clients, poison)
    _send(runtime, aws_clients, [{"type": "check", "asset_key": [a, "2"], "check_name": "c"},
                                 {"type": "materialization", "asset_key": [a, "2"]}])
    _send(runtime, aws_clients, {"type": "materialization", "asset_key": [a, "3"], "tenant": "default"})
    for part in ("1", "2", "3"):
        assert _wait(lambda: events(admin, [a, part])), f"event {part} was not recorded"

    def rejected():
        page = admin("GET", "/api/v1/events/rejected", params={"limit": 200}).json()["results"]
        mine = [r for r in page if a in (r["raw"] or "")]
        return mine if len(mine) >= 2 else None
    got = _wait(rejected)
    assert got, "the rejections are not listed"
    reasons = sorted(r["reason"] for r in got)
    assert reasons[0] == "Message body is not JSON: Expecting value: line 1 column 1 (char 0)."
    assert reasons[1] == "Missing required parameter 'passed'."

    sqs, _ = aws_clients

    def in_dlq():
        msgs = sqs.receive_message(QueueUrl=runtime.queue_urls["ReportsDLQ"], MaxNumberOfMessages=10,
                                   WaitTimeSeconds=1, VisibilityTimeout=0).get("Messages", [])
        return [m for m in msgs if m["Body"] == poison]
    assert _wait(in_dlq, timeout=60), "the unreadable message did not reach the DLQ"


def test_sqs_a_message_that_is_no_event_is_rejected_with_its_reason(runtime, aws_clients, admin):
    created = new_tenant(admin)   # a tenant of its own: its rejections only
    tenant = Api(runtime.url, created["admin_key"]["key"])
    bodies = {"null": "null", "5": "number", '"text"': "string", "true": "boolean"}
    for body in bodies:
        _send(runtime, aws_clients, body, tenant=created["id"])

    def rejected():
        got = tenant("GET", "/api/v1/events/rejected").json()["results"]
        return got if len(got) == len(bodies) else None
    got = _wait(rejected, timeout=60)
    assert got, "the messages were not rejected"
    expected = 'Expected one event object, a JSON list of event objects or {"events": [...]}; got '
    assert {r["raw"]: r["reason"] for r in got} == {raw: expected + name + "." for raw, name in bodies.items()}
    assert not any(r["retried"] for r in got)  # never retried: they can never succeed


def test_sqs_out_of_order_deliveries_keep_the_latest_pointers(runtime, aws_clients, admin, owned):
    fqn = f"ooo.{uniq()}"
    asset = new_asset(admin, owned, fqn)
    key = fqn.split(".")
    order = [("2024-06-03T00:00:00Z", 3), ("2024-06-01T00:00:00Z", 1), ("2024-06-05T00:00:00Z", 5),
             ("2024-06-02T00:00:00Z", 2)]
    for ts, n in order:
        _send(runtime, aws_clients, {"type": "materialization", "asset_key": key, "timestamp": ts, "metadata": {"n": n}})
        _send(runtime, aws_clients, {"type": "check", "asset_key": key, "check_name": "c", "passed": n % 2 == 1,
                                     "timestamp": ts})
    assert _wait(lambda: len(events(admin, key)) == 8), "not all deliveries were recorded"
    status = admin("GET", f"/api/v1/assets/{asset['id']}/status").json()
    assert status["last_materialization"]["metadata"] == {"n": 5}
    assert status["last_materialization"]["timestamp"] == "2024-06-05T00:00:00.000Z"
    assert status["checks"]["c"]["timestamp"] == "2024-06-05T00:00:00.000Z" and status["checks"]["c"]["passed"]
    h = admin("GET", f"/api/v1/assets/{asset['id']}/audit-history").json()
    assert h["total_runs"] == 4 and h["runs"][0]["run_at"] == "2024-06-05T00:00:00.000Z"
