"""Gateway pieces that need no processes: route matching, policy evaluation, templates."""

import json

from local.gateway import _render, _route_rank, evaluate_policy, match_route_segments


def seg(path):
    return tuple(s for s in path.split("/") if s)


def test_single_segment_parameters():
    assert match_route_segments(seg("/a/{id}"), ["a", "42"]) == {"id": "42"}
    assert match_route_segments(seg("/a/{id}"), ["a"]) is None
    assert match_route_segments(seg("/a/{id}"), ["a", "1", "2"]) is None
    assert match_route_segments(seg("/a/b"), ["a", "c"]) is None
    assert match_route_segments((), []) == {}


def test_greedy_parameters():
    assert match_route_segments(seg("/f/{path+}"), ["f", "x", "y", "z"]) == {"path": "x/y/z"}
    assert match_route_segments(seg("/f/{path+}"), ["f"]) is None  # greedy needs one segment
    assert match_route_segments(seg("/{proxy+}"), ["anything"]) == {"proxy": "anything"}


def test_specificity_literal_then_param_then_greedy():
    routes = [seg("/{proxy+}"), seg("/a/{id}"), seg("/a/b")]
    assert sorted(routes, key=_route_rank) == [seg("/a/b"), seg("/a/{id}"), seg("/{proxy+}")]


def test_policy_evaluation():
    arn = "arn:aws:execute-api:us-east-1:123456789012:Api/v1/GET/api/v1/items/1"

    def pol(effect, resource, action="execute-api:Invoke"):
        return {"Statement": [{"Effect": effect, "Action": action, "Resource": resource}]}

    assert evaluate_policy(pol("Allow", "*"), arn) == "allow"
    assert evaluate_policy(pol("Allow", "arn:aws:execute-api:us-east-1:123456789012:Api/*"), arn) == "allow"
    assert evaluate_policy(pol("Allow", "arn:aws:execute-api:us-east-1:123456789012:Api/v1/POST/*"), arn) == "none"
    assert evaluate_policy(pol("Allow", ["x", "arn:aws:execute-api:*:*:Api/v1/GET/api/v1/items/?"]), arn) == "allow"
    assert evaluate_policy(pol("Deny", "*"), arn) == "deny"
    assert evaluate_policy(pol("Allow", "*", action="s3:GetObject"), arn) == "none"
    both = {"Statement": pol("Allow", "*")["Statement"] + pol("Deny", arn)["Statement"]}
    assert evaluate_policy(both, arn) == "deny"  # an explicit deny wins


def test_gateway_template_rendering():
    v = {
        "context.requestId": "rid",
        "context.error.message": 'say "hi"',
        "context.error.messageString": '"say \\"hi\\""',
        "context.error.responseType": "UNAUTHORIZED",
        "context.authorizer.tenant": "t1",
    }
    out = _render(
        '{"m": $context.error.messageString, "raw": "${context.error.responseType}", '
        '"id": "$context.requestId", "t": "$context.authorizer.tenant", "u": "$context.authorizer.nope"}',
        v,
    )
    assert out == '{"m": "say \\"hi\\"", "raw": "UNAUTHORIZED", "id": "rid", "t": "t1", "u": ""}'


def _gateway(routes, responses=None):
    from local.cfn import Api, GatewayResponse, Model, Route
    from local.gateway import Gateway
    from local.workers import InvokeResult

    api = Api("Api", "v1", None, {}, {k: GatewayResponse(*v) for k, v in (responses or {}).items()}, [], None,
              [Route("Api", p, m, fn, None, seg(p)) for m, p, fn in routes])
    model = Model("t.yaml", {}, {}, {"Api": api}, [], {}, {}, {}, [])

    def invoke(function_id, event, request_id):
        return InvokeResult(True, {"statusCode": 200, "body": f"{function_id} {event['httpMethod']}"})
    return Gateway(model, invoke)


def _call(gw, method, path, headers=()):
    from local.gateway import Request
    return gw.handle(Request(method, path, "", list(headers), b""))


def test_a_resources_any_takes_only_the_methods_not_declared_on_it():
    gw = _gateway([("ANY", "/a/{id}", "Catch"), ("GET", "/a/{id}", "Get"), ("GET", "/{proxy+}", "Greedy")])
    assert _call(gw, "GET", "/a/1").body == b"Get GET"
    assert _call(gw, "DELETE", "/a/1").body == b"Catch DELETE"  # the resource's ANY, not the greedy route
    assert _call(gw, "GET", "/c/d").body == b"Greedy GET"
    gw = _gateway([("POST", "/b", "B")])
    assert _call(gw, "GET", "/b").status == 403  # no ANY there: API Gateway's "Missing Authentication Token"


def test_gateway_response_headers_map_context_variables_and_request_headers():
    gw = _gateway([("GET", "/a", "A")], {
        "MISSING_AUTHENTICATION_TOKEN": (404, {"application/json": '{"id": "$context.requestId"}'},
                                         {"X-Request-ID": "context.requestId", "X-Echo": "method.request.header.X-In",
                                          "X-Static": "'s'", "X-None": "context.nope"})})
    r = _call(gw, "GET", "/nope", [("X-In", "hello")])
    headers = dict(r.headers)
    assert r.status == 404 and headers["X-Request-ID"] == json.loads(r.body)["id"] == headers["x-amzn-RequestId"]
    assert headers["X-Echo"] == "hello" and headers["X-Static"] == "s" and "X-None" not in headers


def test_minimum_compression_size_gzips_large_bodies_for_clients_that_accept_gzip():
    import gzip

    from local.gateway import Request, Response, _compress

    def req(accept):
        return Request("GET", "/ui/", "", [("Accept-Encoding", accept)] if accept else [], b"")

    body = b"x" * 2000
    for accept, compressed in (("gzip, deflate, br", True), ("br;q=1, gzip;q=0.5", True), ("*", True),
                               ("gzip;q=0", False), ("br", False), (None, False)):
        r = Response(200, [("Content-Type", "text/html")], body)
        _compress(r, req(accept), 1024)
        assert (("Content-Encoding", "gzip") in r.headers) == compressed, accept
        assert (gzip.decompress(r.body) if compressed else r.body) == body
    small = Response(200, [], b"x" * 1023)
    _compress(small, req("gzip"), 1024)
    assert small.body == b"x" * 1023 and not small.headers  # under the minimum: as is
    encoded = Response(200, [("Content-Encoding", "br")], body)
    _compress(encoded, req("gzip"), 1024)
    assert encoded.body == body  # the function encoded it itself
