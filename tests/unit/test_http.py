import base64
import json

import pytest
from pydantic import BaseModel

from accord import errors
from accord.auth.principal import Principal
from accord.http.envelopes import CONFIGURATION, REGISTRY, REPORTS, error_body
from accord.http.router import Response, Router, parse_json_body
from tests.support.events import api_event

P = Principal(tenant="t", key_id="k", scopes=frozenset({"read"}))


class Body(BaseModel):
    name: str


def make(family):
    r = Router(family, max_body_bytes=100)

    @r.route("POST", "/x", scope="read", body=Body, status=201)
    def create(req):
        return Response(201, {"name": req.body.name})

    @r.route("GET", "/x/{id}", scope="read")
    def get(req):
        if req.path_params["id"] == "boom":
            raise RuntimeError("secret internals")
        return {"id": req.path_params["id"], "n": req.query_int("n", 1, 1, 5)}

    @r.route("GET", "/open", scope=None)
    def open_(req):
        return {"ok": True}
    return r


@pytest.mark.parametrize("family,shape", [(REGISTRY, {"detail", "error"}), (CONFIGURATION, {"message", "error"}),
                                          (REPORTS, {"error"})])
def test_every_failure_is_in_the_family_envelope(family, shape):
    r = make(family)
    cases = [
        (api_event("GET", "/x/{id}", {"id": "1"}), 401),
        (api_event("GET", "/nope", principal=P), 404),
        (api_event("DELETE", "/x/{id}", {"id": "1"}, principal=P), 405),
        (api_event("POST", "/x", raw_body="{", principal=P), 400),
        (api_event("POST", "/x", raw_body="x" * 101, principal=P), 413),
        (api_event("POST", "/x", body={"name": 1}, principal=P), 422 if family == REGISTRY else 400),
        (api_event("POST", "/x", body={"name": "a"}, headers={"Content-Type": "text/csv"}, principal=P), 415),
        (api_event("GET", "/x/{id}", {"id": "1"}, query={"n": "9"}, principal=P), 422 if family == REGISTRY else 400),
        (api_event("GET", "/x/{id}", {"id": "boom"}, principal=P), 500),
    ]
    for event, status in cases:
        out = r.resolve(event)
        assert out["statusCode"] == status, (event["path"], out)
        payload = json.loads(out["body"])
        assert set(payload) == shape, payload
        assert "secret internals" not in out["body"]
        assert out["headers"]["X-Request-ID"] == event["requestContext"]["requestId"]


def test_scope_denied_is_403_naming_the_scope():
    r = Router(REGISTRY)

    @r.route("POST", "/w", scope="write")
    def w(req):
        return {}
    out = r.resolve(api_event("POST", "/w", principal=P))
    assert out["statusCode"] == 403 and "'write'" in json.loads(out["body"])["detail"]


def test_success_paths():
    r = make(REGISTRY)
    out = r.resolve(api_event("POST", "/x", body={"name": "a"}, principal=P))
    assert out["statusCode"] == 201 and json.loads(out["body"]) == {"name": "a"}
    raw = base64.b64encode(b'{"name": "b"}').decode()
    ev = api_event("POST", "/x", raw_body=raw, principal=P)
    ev["isBase64Encoded"] = True
    assert json.loads(r.resolve(ev)["body"]) == {"name": "b"}
    ev = api_event("POST", "/x", body={"name": "c"}, principal=P,
                   headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.resolve(ev)["statusCode"] == 201
    assert r.resolve(api_event("GET", "/open"))["statusCode"] == 200
    ev = api_event("GET", "/open", headers={"X-Request-ID": "abc"})
    assert r.resolve(ev)["headers"]["X-Request-ID"] == "abc"


def test_validation_detail_is_fastapi_shaped():
    r = make(REGISTRY)
    payload = json.loads(r.resolve(api_event("POST", "/x", body={}, principal=P))["body"])
    assert payload["detail"][0]["loc"] == ["body", "name"] and payload["detail"][0]["type"] == "missing"
    assert "name" in payload["error"]["message"]


@pytest.mark.parametrize("raw", ["[" * 100 + "]" * 100, '{"a":' * 70 + "1" + "}" * 70, "[" * 100000])
def test_deep_json_is_400(raw):
    with pytest.raises(errors.BadRequest):
        parse_json_body(raw, "application/json")


def test_error_body_shapes():
    assert error_body(REGISTRY, "X", "m", "r") == {"detail": "m", "error": {"code": "X", "message": "m",
                                                                            "request_id": "r"}}
    assert error_body(CONFIGURATION, "X", "m", "r") == {"message": "m", "error": "X"}
    assert error_body(REPORTS, "X", "m", "r") == {"error": "m"}


@pytest.mark.parametrize("raw", ['{"a": NaN}', '{"a": Infinity}', '[-Infinity]', '{"a": "\\ud800"}', '{"\\udfff": 1}'])
def test_non_json_constants_and_lone_surrogates_are_400(raw):
    with pytest.raises(errors.BadRequest):
        parse_json_body(raw, "application/json")


@pytest.mark.parametrize("family", [REGISTRY, CONFIGURATION, REPORTS])
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
def test_wrong_method_is_405_with_allow_listing_the_path_methods(family, method):
    r = make(family)

    @r.route("PATCH", "/x/{id}", scope="write")
    def patch(req):
        return {}
    out = r.resolve(api_event(method, "/x/{id}", {"id": "1"}, principal=P))
    if method == "PATCH":  # declared: not a 405 (the key lacks `write`)
        assert out["statusCode"] == 403
        return
    assert out["statusCode"] == 405, out
    assert out["headers"]["Allow"] == "GET, PATCH"
    body = json.loads(out["body"])
    message = body["error"]["message"] if family == REGISTRY else body.get("message", body["error"])
    assert f"Method {method} is not allowed on /x/1; use GET or PATCH" in message
    if family != REPORTS:
        assert (body["error"]["code"] if family == REGISTRY else body["error"]) == "METHOD_NOT_ALLOWED"
    # an unknown path stays a 404
    assert r.resolve(api_event(method, "/y", principal=P))["statusCode"] == 404


def test_budget_counts_as_lambda_carries_and_caps_lists_and_maps():
    from accord.http import budget
    text = json.dumps({"a": '"'}, separators=(",", ":"))
    assert budget.size({"a": '"'}) == len(json.dumps(text)) - 2   # the body as a JSON string, quotes off
    assert budget.fit([{"x": "y" * 100}] * 10, 300) == [{"x": "y" * 100}] * 2
    assert budget.fit([{"x": "y" * 1000}], 10) == [{"x": "y" * 1000}]   # one item always
    answer = budget.cap({"id": 1, "checks": {f"c{i}": "v" * 100 for i in range(10)}, "all": list(range(50))},
                        ("checks", "all"), 500)
    assert len(answer["checks"]) + answer["omitted"]["checks"] == 10 and answer["truncated"]
    assert answer["all"] == list(range(len(answer["all"]))) and len(answer["all"]) + answer["omitted"]["all"] == 50
    assert budget.size(answer) <= 500
    assert budget.cap({"all": [1, 2]}, ("all",)) == {"all": [1, 2], "truncated": False}
