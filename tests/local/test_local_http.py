"""The HTTP front over the fixture stack: routing, events, authorizers, gateway responses."""

import base64
import concurrent.futures
import hashlib
import json
import os
import statistics
import time

import pytest
import requests

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
GOOD = {"X-Key": "good"}


def echo(resp):
    assert resp.status_code == 200, resp.text
    return resp.json()


# -- routing ----------------------------------------------------------------------------------


def test_health_and_proxy_event_shape(local_rt, http):
    r = http.get(local_rt.url + "/health?a=1&a=2&b=x%20y", headers={"X-Custom-Header": "Keep-Case"})
    body = echo(r)
    ev = body["event"]
    assert ev["resource"] == "/health"
    assert ev["path"] == "/health"
    assert ev["httpMethod"] == "GET"
    assert ev["headers"]["X-Custom-Header"] == "Keep-Case"  # case preserved
    assert ev["multiValueHeaders"]["X-Custom-Header"] == ["Keep-Case"]
    assert ev["queryStringParameters"] == {"a": "2", "b": "x y"}
    assert ev["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["x y"]}
    assert ev["pathParameters"] is None
    assert ev["stageVariables"] is None
    assert ev["body"] is None and ev["isBase64Encoded"] is False
    ctx = ev["requestContext"]
    assert ctx["apiId"] == "RootApi" and ctx["stage"] == "v1"
    assert ctx["resourcePath"] == "/health" and ctx["path"] == "/health" and ctx["httpMethod"] == "GET"
    assert ctx["accountId"] == "123456789012"
    assert ctx["identity"]["sourceIp"] == "127.0.0.1"
    assert ctx["identity"]["userAgent"].startswith("python-requests")
    assert ctx["protocol"] == "HTTP/1.1" and ctx["domainName"]
    assert ev["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert ev["headers"]["X-Forwarded-Port"] == str(local_rt.port)
    assert abs(ctx["requestTimeEpoch"] - time.time() * 1000) < 60_000
    assert r.headers["x-amzn-RequestId"] == ctx["requestId"]
    assert r.headers["X-Echo"] == "1"
    assert r.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]  # multiValueHeaders


def test_trailing_slash_is_ignored_for_matching_but_kept_in_path(local_rt, http):
    ev = echo(http.get(local_rt.url + "/public/bob/"))["event"]
    assert ev["resource"] == "/public/{name}"
    assert ev["pathParameters"] == {"name": "bob"}
    assert ev["path"] == "/public/bob/"


def test_path_parameters_are_decoded(local_rt, http):
    ev = echo(http.get(local_rt.url + "/public/a%20b"))["event"]
    assert ev["pathParameters"] == {"name": "a b"}


def test_literal_route_beats_parameter_route(local_rt, http):
    ev = echo(http.get(local_rt.url + "/api/v1/items/special", headers=GOOD))["event"]
    assert ev["resource"] == "/api/v1/items/special"
    assert ev["pathParameters"] is None
    ev = echo(http.get(local_rt.url + "/api/v1/items/42", headers=GOOD))["event"]
    assert ev["resource"] == "/api/v1/items/{item_id}"
    assert ev["pathParameters"] == {"item_id": "42"}
    assert ev["requestContext"]["apiId"] == "AlphaApi"


def test_greedy_path_parameter(local_rt, http):
    ev = echo(http.get(local_rt.url + "/api/v1/files/a/b/c.txt", headers=GOOD))["event"]
    assert ev["resource"] == "/api/v1/files/{path+}"
    assert ev["pathParameters"] == {"path": "a/b/c.txt"}
    # greedy needs at least one segment: no route, in the Alpha API's envelope
    r = http.get(local_rt.url + "/api/v1/files", headers=GOOD)
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_unknown_route_uses_the_owning_apis_gateway_response(local_rt, http):
    # Alpha: MISSING_AUTHENTICATION_TOKEN overridden to 404 in its envelope
    r = http.get(local_rt.url + "/api/v1/nope")
    assert r.status_code == 404
    body = r.json()
    assert body["error"]["code"] == "NOT_FOUND"
    assert body["error"]["request_id"] == r.headers["x-amzn-RequestId"]
    # Beta: DEFAULT_4XX template + header, status stays API Gateway's 403
    r = http.get(local_rt.url + "/api/backend/nope")
    assert r.status_code == 403
    assert r.json() == {"message": "Missing Authentication Token", "error": "MISSING_AUTHENTICATION_TOKEN"}
    assert r.headers["X-Family"] == "beta"
    assert r.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    # Root (catch-all rule, no gateway responses): API Gateway's own body
    r = http.get(local_rt.url + "/nope/deeper")
    assert r.status_code == 403
    assert r.json() == {"message": "Missing Authentication Token"}
    # base paths match whole segments: /api/v1x is not the Alpha API
    r = http.get(local_rt.url + "/api/v1x/items")
    assert r.status_code == 403 and r.json() == {"message": "Missing Authentication Token"}


def test_existing_path_with_another_method_is_missing_authentication_token(local_rt, http):
    r = http.post(local_rt.url + "/health", data="{}")
    assert r.status_code == 403 and r.json() == {"message": "Missing Authentication Token"}
    r = http.delete(local_rt.url + "/api/v1/items/1", headers=GOOD)
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_any_method_route(local_rt, http):
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        ev = echo(http.request(method, local_rt.url + "/echo", data="x"))["event"]
        assert ev["httpMethod"] == method


def test_request_body_text_and_binary(local_rt, http):
    ev = echo(http.post(local_rt.url + "/echo", data='{"é": 1}'.encode()))["event"]
    assert ev["body"] == '{"é": 1}' and ev["isBase64Encoded"] is False
    raw = b"\xff\xfe\x00binary"
    ev = echo(http.post(local_rt.url + "/echo", data=raw))["event"]
    assert ev["isBase64Encoded"] is True and base64.b64decode(ev["body"]) == raw
    # BinaryMediaTypes: base64 even when it is valid UTF-8
    ev = echo(http.post(local_rt.url + "/echo", data=b"abc", headers={"Content-Type": "application/octet-stream"}))[
        "event"
    ]
    assert ev["isBase64Encoded"] is True and base64.b64decode(ev["body"]) == b"abc"


def test_base64_response_is_decoded(local_rt, http):
    r = http.get(local_rt.url + "/echo?binary=1")
    assert r.status_code == 200 and r.content == b"\x00\x01\xffbinary"
    assert r.headers["Content-Type"] == "application/octet-stream"


def test_status_code_from_handler(local_rt, http):
    assert http.get(local_rt.url + "/echo?status=201").status_code == 201


def test_request_too_large(local_rt, http):
    big = b"x" * (10 * 1024 * 1024 + 1)
    r = requests.post(local_rt.url + "/api/v1/items", data=big, headers=GOOD)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "REQUEST_TOO_LARGE"  # Alpha's DEFAULT_4XX
    r = requests.post(local_rt.url + "/echo", data=big)
    assert r.status_code == 413 and r.json() == {"message": "Request Too Long"}
    # just under the limit goes through (and the server is still fine)
    ok = requests.post(local_rt.url + "/echo", data=b"y" * (1024 * 1024))
    assert ok.status_code == 200 and len(ok.json()["event"]["body"]) == 1024 * 1024


# -- authorizer -------------------------------------------------------------------------------


def test_no_or_unknown_key_is_401_in_the_apis_envelope(local_rt, http):
    for headers in ({}, {"X-Key": "wrong"}, {"Authorization": "Bearer nope"}):
        r = http.get(local_rt.url + "/api/v1/items/1", headers=headers)
        assert r.status_code == 401
        body = r.json()
        assert body["detail"] == "Unauthorized"
        assert body["error"] == {
            "code": "UNAUTHORIZED",
            "message": "Unauthorized",
            "request_id": r.headers["x-amzn-RequestId"],
        }
        assert r.headers["WWW-Authenticate"] == "Bearer"


def test_deny_policy_is_403_with_authorizer_context(local_rt, http):
    r = http.get(local_rt.url + "/api/v1/items/1", headers={"X-Key": "deny"})
    assert r.status_code == 403
    body = r.json()
    assert body["error"]["code"] == "ACCESS_DENIED"
    assert body["detail"] == "User is not authorized to access this resource with an explicit deny"
    assert body["error"]["tenant"] == "t-deny"  # $context.authorizer.tenant


def test_policy_is_checked_against_the_method_arn(local_rt, http):
    narrow = {"X-Key": "narrow"}
    assert http.get(local_rt.url + "/api/v1/items/7", headers=narrow).status_code == 200
    r = http.post(local_rt.url + "/api/v1/items", headers=narrow, data="{}")
    assert r.status_code == 403
    assert r.json()["detail"] == "User is not authorized to access this resource"


def test_authorizer_context_reaches_the_function(local_rt, http):
    ev = echo(http.get(local_rt.url + "/api/v1/items/1?x=1", headers={"Authorization": "Bearer good"}))["event"]
    auth = ev["requestContext"]["authorizer"]
    assert auth["principalId"] == "user-1"
    assert auth["tenant"] == "t1" and auth["scopes"] == "read write"
    assert auth["count"] == "5" and auth["admin"] == "true"  # stringified like API Gateway
    assert auth["event_type"] == "REQUEST"
    assert auth["method_arn"] == "arn:aws:execute-api:us-east-1:123456789012:AlphaApi/v1/GET/api/v1/items/1"
    assert auth["resource"] == "/api/v1/items/{item_id}"


def test_route_without_auth_skips_the_authorizer(local_rt, http):
    ev = echo(http.get(local_rt.url + "/api/v1/open"))["event"]
    assert "authorizer" not in ev["requestContext"]


def test_authorizer_failures_are_500(local_rt, http):
    r = http.get(local_rt.url + "/api/v1/items/1", headers={"X-Key": "crash"})
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "AUTHORIZER_FAILURE"  # Alpha's DEFAULT_5XX
    r = http.get(local_rt.url + "/api/v1/items/1", headers={"X-Key": "malformed"})
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "AUTHORIZER_CONFIGURATION_ERROR"


def test_no_gateway_cache_when_reauthorize_every_is_zero(local_rt, http):
    nonces = {
        echo(http.get(local_rt.url + "/api/v1/items/1", headers=GOOD))["event"]["requestContext"]["authorizer"]["nonce"]
        for _ in range(3)
    }
    assert len(nonces) == 3


def test_gateway_cache_with_reauthorize_every(local_rt, http):
    got = [
        echo(http.get(local_rt.url + "/api/backend/things", headers=GOOD))["event"]["requestContext"]["authorizer"]
        for _ in range(3)
    ]
    assert len({a["nonce"] for a in got}) == 1  # authorizer ran once, policy cached
    # with caching on, a missing identity source is 401 without calling the authorizer
    r = http.get(local_rt.url + "/api/backend/things", headers={"Authorization": "Bearer good"})
    assert r.status_code == 401
    assert r.json() == {"message": "Unauthorized", "error": "UNAUTHORIZED"}


# -- function failures ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["raise", "string", "nostatus", "badbody", "unserializable", "huge"])
def test_handler_failures_are_502(local_rt, http, mode):
    r = http.get(local_rt.url + f"/crash/{mode}")
    assert r.status_code == 502
    assert r.json() == {"message": "Internal server error"}


def test_timeout_is_enforced_and_the_worker_replaced(local_rt, http):
    t = time.perf_counter()
    r = http.get(local_rt.url + "/crash/timeout")
    elapsed = time.perf_counter() - t
    assert r.status_code == 502 and r.json() == {"message": "Internal server error"}
    assert 0.9 < elapsed < 3.0  # Timeout: 1 in the template
    assert "Task timed out after 1.00 seconds" in local_rt.function_logs("CrashFunction")
    assert http.get(local_rt.url + "/crash/fine").status_code == 200


def test_dead_worker_is_replaced(local_rt, http):
    assert http.get(local_rt.url + "/crash/exit").status_code == 502
    assert http.get(local_rt.url + "/crash/fine").text == "ok"


# -- the execution environment ----------------------------------------------------------------


def test_function_environment(local_rt, http):
    facts = echo(http.get(local_rt.url + "/health"))["facts"]
    env = facts["env"]
    assert env["AWS_ENDPOINT_URL"] == local_rt.moto_url
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "EchoFunction"
    assert env["ITEMS_TABLE"] == "ItemsTable"
    assert env["QUEUE_URL"] == local_rt.queue_urls["JobsQueue"]
    assert env["ADMIN_SHA"] == hashlib.sha256(local_rt.admin_key.encode()).hexdigest()
    assert facts["sys_path_head"] == [os.path.join(FIXTURES, "functions", "echo"), os.path.join(FIXTURES, "layer")]
    assert facts["layer"] == "fixture-layer"
    assert facts["cwd"] == FIXTURES  # the repo root of this stack
    ctx = facts["context"]
    assert ctx["function_name"] == "EchoFunction" and ctx["function_version"] == "$LATEST"
    assert ctx["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:EchoFunction"
    assert ctx["memory_limit_in_mb"] == 256
    assert ctx["log_group_name"] == "/aws/lambda/EchoFunction"
    assert 4000 < ctx["remaining_ms"] <= 5000


def test_functions_reach_dynamodb(local_rt, http):
    assert echo(http.get(local_rt.url + "/echo?put=http-item"))
    r = http.get(local_rt.url + "/echo?get=http-item")
    assert r.status_code == 200 and r.json()["item"]["kind"] == {"S": "echo"}
    assert http.get(local_rt.url + "/echo?get=missing").status_code == 404


def test_direct_invoke(local_rt):
    out = local_rt.invoke("CrashFunction", {"pathParameters": {"mode": "fine"}})
    assert out == {"statusCode": 200, "body": "ok"}
    from local.runtime import FunctionError

    with pytest.raises(FunctionError, match="boom"):
        local_rt.invoke("CrashFunction", {"pathParameters": {"mode": "raise"}})


def test_parallel_requests_run_in_parallel(local_rt):
    def call(_):
        r = requests.get(local_rt.url + "/sleep?sleep=1")
        return r.json()["facts"]["pid"]

    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        list(ex.map(call, range(4)))  # grow the pool to 4 warm workers
        t = time.perf_counter()
        pids = list(ex.map(call, range(4)))
        elapsed = time.perf_counter() - t
    assert len(set(pids)) == 4
    assert elapsed < 1.8, f"4 x 1 s requests took {elapsed:.2f} s: not parallel"


def test_parallel_conditional_writes_let_exactly_one_win(local_rt):
    def claim(i):
        return requests.get(local_rt.url + "/echo?claim=the-one").status_code

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        results = sorted(ex.map(claim, range(16)))
    assert results == [201] + [409] * 15


def test_keep_alive_requests_do_not_stall(local_rt, http):
    """Guards the TCP_NODELAY fix: a Nagle/delayed-ACK stall shows up as ~40 ms per request."""
    http.get(local_rt.url + "/echo")
    times = []
    for _ in range(20):
        t = time.perf_counter()
        assert http.get(local_rt.url + "/echo").status_code == 200
        times.append(time.perf_counter() - t)
    assert statistics.median(times) < 0.030, times


def test_request_id_header_on_every_response(local_rt, http):
    for path in ("/health", "/nope", "/crash/raise", "/api/v1/items/1"):
        assert json.loads(http.get(local_rt.url + path).text) is not None
        assert http.get(local_rt.url + path).headers.get("x-amzn-RequestId")
