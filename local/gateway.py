"""API Gateway (REST, v1 proxy) emulation: routing rules, routes, authorizers, gateway responses.

``Gateway.handle()`` turns one HTTP request into a response the way API Gateway REST would:

1. routing rules (``AWS::ApiGatewayV2::RoutingRule``) pick the API by base path (segment-wise
   prefix; lowest priority number first; a rule without conditions is the catch-all);
2. a body over 10 MB -> that API's REQUEST_TOO_LARGE gateway response (413);
3. the route is matched within that API (full paths; ``{x}`` one segment, ``{x+}`` greedy;
   literal segments beat parameters, parameters beat greedy; a trailing slash is ignored);
   a resource's ``ANY`` takes the methods not declared on it; no route, or the path exists with
   another method -> the API's MISSING_AUTHENTICATION_TOKEN gateway response (403);
4. the route's authorizer (Lambda REQUEST/TOKEN) runs first; its policy must allow the methodArn;
   results are cached for ``ReauthorizeEvery`` seconds keyed by the identity sources;
5. the function gets a REST v1 proxy event; crashes and malformed results -> 502;
6. an API with ``MinimumCompressionSize`` gzips a response body of at least that many bytes when
   the client accepts gzip (and the function did not encode it itself), as API Gateway does.
"""

from __future__ import annotations

import base64
import fnmatch
import gzip
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import parse_qsl, unquote

from .cfn import ACCOUNT_ID, REGION, Api, Authorizer, Model, Route
from .workers import InvokeResult

MAX_BODY = 10 * 1024 * 1024  # API Gateway REST payload limit

# Default status and message for gateway responses (what API Gateway answers by itself).
RESPONSE_DEFAULTS: dict[str, tuple[int, str | None, str]] = {
    "UNAUTHORIZED": (401, "Unauthorized", "UnauthorizedException"),
    "ACCESS_DENIED": (403, "User is not authorized to access this resource", "AccessDeniedException"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token", "MissingAuthenticationTokenException"),
    "RESOURCE_NOT_FOUND": (404, "Not Found", "NotFoundException"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long", "RequestTooLongException"),
    "AUTHORIZER_FAILURE": (500, None, "AuthorizerFailureException"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, None, "AuthorizerConfigurationException"),
    "INTEGRATION_FAILURE": (504, "Internal server error", "InternalServerErrorException"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out", "InternalServerErrorException"),
    "BAD_REQUEST_BODY": (400, "Invalid request body", "BadRequestException"),
    "BAD_REQUEST_PARAMETERS": (400, "Invalid request parameters", "BadRequestException"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "Unsupported Media Type", "UnsupportedMediaTypeException"),
    "THROTTLED": (429, "Too Many Requests", "TooManyRequestsException"),
    "QUOTA_EXCEEDED": (429, "Limit Exceeded", "LimitExceededException"),
    "API_CONFIGURATION_ERROR": (500, "Internal server error", "InternalServerErrorException"),
    "EXPIRED_TOKEN": (403, "Token Expired", "ExpiredTokenException"),
    "INVALID_API_KEY": (403, "Forbidden", "ForbiddenException"),
    "INVALID_SIGNATURE": (403, "Invalid Signature", "InvalidSignatureException"),
    "WAF_FILTERED": (403, "Forbidden", "ForbiddenException"),
}


@dataclass
class Request:
    method: str
    raw_path: str  # as sent, without the query string
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str = "127.0.0.1"
    host: str = "127.0.0.1"
    content_length: int | None = None  # when the body was not read (too large)


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class _Error(Exception):
    def __init__(self, response_type: str, message: str | None = None, authorizer: dict | None = None):
        super().__init__(response_type)
        self.response_type = response_type
        self.message = message
        self.authorizer = authorizer or {}


@dataclass
class _Match:
    api: Api
    route: Route | None
    path_params: dict[str, str]
    method_exists: bool


def _route_rank(segments: tuple[str, ...]) -> tuple:
    """Sort key: literal segments beat {param}, which beat {proxy+}; more segments first."""
    ranks = []
    for seg in segments:
        if seg.startswith("{") and seg.endswith("+}"):
            ranks.append(2)
        elif seg.startswith("{") and seg.endswith("}"):
            ranks.append(1)
        else:
            ranks.append(0)
    return tuple(ranks)


def match_route_segments(route_segments: tuple[str, ...], segments: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for i, seg in enumerate(route_segments):
        if seg.startswith("{") and seg.endswith("+}"):
            rest = segments[i:]
            if not rest:
                return None
            params[seg[1:-2]] = "/".join(rest)
            return params
        if i >= len(segments):
            return None
        if seg.startswith("{") and seg.endswith("}"):
            params[seg[1:-1]] = segments[i]
        elif seg != segments[i]:
            return None
    if len(route_segments) != len(segments):
        return None
    return params


def _glob_to_re(pattern: str) -> re.Pattern:
    """IAM-style wildcards: * any run of characters, ? one character."""
    return re.compile("^" + "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern) + "$")


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def evaluate_policy(policy: Any, method_arn: str) -> str:
    """Return 'allow', 'deny' (explicit) or 'none' for methodArn under an IAM policy document."""
    if not isinstance(policy, dict):
        raise ValueError("policyDocument is not an object")
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise ValueError("policyDocument.Statement is missing")
    allowed = False
    for st in statements:
        if not isinstance(st, dict):
            raise ValueError("policy statement is not an object")
        effect = str(st.get("Effect", ""))
        actions = [str(a) for a in _as_list(st.get("Action"))]
        if not any(_glob_to_re(a.lower()).match("execute-api:invoke") for a in actions):
            continue
        resources = [str(r) for r in _as_list(st.get("Resource"))]
        if not any(_glob_to_re(r).match(method_arn) for r in resources):
            continue
        if effect == "Deny":
            return "deny"
        if effect == "Allow":
            allowed = True
    return "allow" if allowed else "none"


def _stringify_context(ctx: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in ctx.items():
        if isinstance(v, bool):
            out[str(k)] = "true" if v else "false"
        elif isinstance(v, (int, float, str)):
            out[str(k)] = str(v)
        elif v is None:
            continue
        else:
            raise ValueError(f"authorizer context value {k!r} must be a string, number or boolean")
    return out


class Gateway:
    def __init__(
        self,
        model: Model,
        invoke: Callable[[str, Any, str], InvokeResult],
        port_label: str = "",
        clock: Callable[[], float] = time.time,
    ):
        self.model = model
        self.invoke = invoke
        self.clock = clock
        self._auth_cache: dict[tuple, tuple[float, dict]] = {}
        self._cache_lock = threading.Lock()
        for api in model.apis.values():
            api.routes.sort(key=lambda r: _route_rank(r.segments))

    # -- API selection -----------------------------------------------------------------------
    def select_api(self, segments: list[str], headers: list[tuple[str, str]]) -> tuple[Api, list[str]] | None:
        rules = self.model.routing_rules
        if not rules:
            apis = list(self.model.apis.values())
            if len(apis) == 1:
                return apis[0], segments
            # no rules: the first API with a route for the path
            for api in apis:
                if any(match_route_segments(r.segments, segments) is not None for r in api.routes):
                    return api, segments
            return (apis[0], segments) if apis else None
        lower_headers = [(k.lower(), v) for k, v in headers]
        for rule in rules:
            matched_base: list[str] | None = []
            if rule.base_paths is not None:
                matched_base = None
                for base in rule.base_paths:
                    if segments[: len(base)] == base:
                        matched_base = base
                        break
                if matched_base is None:
                    continue
            if not all(self._header_condition(cond, lower_headers) for cond in rule.header_conditions):
                continue
            api = self.model.apis[rule.api_id]
            rest = segments[len(matched_base) :] if rule.strip_base_path else segments
            return api, rest
        return None

    @staticmethod
    def _header_condition(cond: list[tuple[str, str]], headers: list[tuple[str, str]]) -> bool:
        for name, glob in cond:
            for k, v in headers:
                if k == name.lower() and fnmatch.fnmatchcase(v, glob):
                    return True
        return False

    def match(self, api: Api, segments: list[str], method: str) -> _Match:
        """The most specific resource matching the path; on it, the method itself, else its ANY
        (a resource's ANY takes only the methods not declared on it)."""
        path_exists = False
        fallback: _Match | None = None
        for route in api.routes:  # sorted most specific first
            params = match_route_segments(route.segments, segments)
            if params is None:
                continue
            if fallback is not None and route.segments != fallback.route.segments:
                break  # a less specific resource: the ANY of the more specific one wins
            path_exists = True
            if route.method == method:
                return _Match(api, route, params, True)
            if route.method == "ANY" and fallback is None:
                fallback = _Match(api, route, params, True)
        return fallback or _Match(api, None, {}, path_exists)

    # -- request handling --------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        request_id = str(uuid.uuid4())
        started = self.clock()
        raw_segments = [s for s in req.raw_path.split("/") if s != ""]
        segments = [unquote(s) for s in raw_segments]
        selected = self.select_api(segments, req.headers)
        if selected is None:
            return self._json(403, {"message": "Forbidden"}, request_id, "ForbiddenException")
        api, api_segments = selected
        ctx: dict[str, Any] = {"request_id": request_id, "api": api, "req": req}
        try:
            if req.method == "OPTIONS" and api.cors:
                cors_match = self.match(api, api_segments, "OPTIONS")
                if cors_match.route is None and cors_match.method_exists:
                    return self._cors_preflight(api, request_id)
            body_len = req.content_length if req.content_length is not None else len(req.body)
            if body_len > MAX_BODY:
                raise _Error("REQUEST_TOO_LARGE")
            m = self.match(api, api_segments, req.method)
            if m.route is None:
                raise _Error("MISSING_AUTHENTICATION_TOKEN")
            route = m.route
            ctx["route"] = route
            event = self._proxy_event(req, api, route, m.path_params, request_id, started)
            if route.authorizer:
                authorizer = api.authorizers[route.authorizer]
                ctx["authorizer_context"] = auth_ctx = self._authorize(authorizer, event, api)
                event["requestContext"]["authorizer"] = auth_ctx
            result = self.invoke(route.function_id, event, request_id)
            response = self._proxy_response(result, request_id)
        except _Error as err:
            response = self.gateway_response(
                api, err.response_type, request_id, err.message, err.authorizer or ctx.get("authorizer_context") or {}, req
            )
        if api.minimum_compression_size is not None:
            _compress(response, req, api.minimum_compression_size)
        if api.cors:
            origin = _cors_value(api.cors.get("AllowOrigin"))
            if origin and not any(k.lower() == "access-control-allow-origin" for k, _ in response.headers):
                response.headers.append(("Access-Control-Allow-Origin", origin))
        return response

    def _cors_preflight(self, api: Api, request_id: str) -> Response:
        cors = api.cors or {}
        headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id)]
        for key, header in (
            ("AllowOrigin", "Access-Control-Allow-Origin"),
            ("AllowHeaders", "Access-Control-Allow-Headers"),
            ("AllowMethods", "Access-Control-Allow-Methods"),
            ("MaxAge", "Access-Control-Max-Age"),
            ("AllowCredentials", "Access-Control-Allow-Credentials"),
        ):
            value = _cors_value(cors.get(key))
            if value:
                headers.append((header, value))
        return Response(200, headers, b"")

    # -- events ------------------------------------------------------------------------------
    def _proxy_event(
        self, req: Request, api: Api, route: Route, path_params: dict, request_id: str, started: float
    ) -> dict:
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for k, v in req.headers:
            headers[k] = v
            multi_headers.setdefault(k, []).append(v)
        port = req.host.rsplit(":", 1)[1] if ":" in req.host else "80"
        for name, value in (("X-Forwarded-For", req.source_ip), ("X-Forwarded-Port", port),
                            ("X-Forwarded-Proto", "http")):
            if not any(k.lower() == name.lower() for k in headers):
                headers[name] = value
                multi_headers[name] = [value]
        qs: dict[str, str] = {}
        multi_qs: dict[str, list[str]] = {}
        for k, v in parse_qsl(req.query, keep_blank_values=True):
            qs[k] = v
            multi_qs.setdefault(k, []).append(v)
        path = unquote(req.raw_path) or "/"
        user_agent = next((v for k, v in req.headers if k.lower() == "user-agent"), None)
        content_type = next((v for k, v in req.headers if k.lower() == "content-type"), "") or ""
        body: str | None
        is_b64 = False
        if not req.body:
            body = None
        elif api.binary_media_types and any(
            fnmatch.fnmatchcase(content_type.split(";")[0].strip(), t) for t in api.binary_media_types
        ):
            body, is_b64 = base64.b64encode(req.body).decode("ascii"), True
        else:
            try:
                body = req.body.decode("utf-8")
            except UnicodeDecodeError:
                body, is_b64 = base64.b64encode(req.body).decode("ascii"), True
        now_ms = int(started * 1000)
        return {
            "resource": route.path,
            "path": path,
            "httpMethod": req.method,
            "headers": headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": qs or None,
            "multiValueQueryStringParameters": multi_qs or None,
            "pathParameters": path_params or None,
            "stageVariables": None,
            "requestContext": {
                "accountId": ACCOUNT_ID,
                "apiId": api.logical_id,
                "resourceId": _resource_id(api.logical_id, route.path),
                "resourcePath": route.path,
                "path": path,
                "httpMethod": req.method,
                "extendedRequestId": request_id,
                "requestId": request_id,
                "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(started)),
                "requestTimeEpoch": now_ms,
                "stage": api.stage,
                "domainName": req.host,
                "domainPrefix": req.host.split(".")[0].split(":")[0],
                "protocol": "HTTP/1.1",
                "identity": {
                    "sourceIp": req.source_ip,
                    "userAgent": user_agent,
                    "accountId": None,
                    "apiKey": None,
                    "apiKeyId": None,
                    "caller": None,
                    "cognitoAuthenticationProvider": None,
                    "cognitoAuthenticationType": None,
                    "cognitoIdentityId": None,
                    "cognitoIdentityPoolId": None,
                    "principalOrgId": None,
                    "user": None,
                    "userArn": None,
                    "accessKey": None,
                },
            },
            "body": body,
            "isBase64Encoded": is_b64,
        }

    def method_arn(self, api: Api, method: str, path: str) -> str:
        return f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api.logical_id}/{api.stage}/{method}/{path.lstrip('/')}"

    # -- authorizer --------------------------------------------------------------------------
    def _authorize(self, authorizer: Authorizer, event: dict, api: Api) -> dict:
        method_arn = self.method_arn(api, event["httpMethod"], event["path"])
        headers_ci = {k.lower(): v for k, v in (event["headers"] or {}).items()}
        query = event["queryStringParameters"] or {}
        if authorizer.payload_type == "TOKEN":
            token = headers_ci.get(authorizer.token_header.lower())
            if not token:
                raise _Error("UNAUTHORIZED", "Unauthorized")
            cache_key_parts: tuple = (token,)
            auth_event: dict = {"type": "TOKEN", "methodArn": method_arn, "authorizationToken": token}
        else:
            identity = [headers_ci.get(h.lower()) for h in authorizer.identity_headers] + [
                query.get(q) for q in authorizer.identity_querystrings
            ]
            if authorizer.ttl > 0 and (authorizer.identity_headers or authorizer.identity_querystrings):
                # with caching on, every identity source is required (API Gateway answers 401)
                if any(not v for v in identity):
                    raise _Error("UNAUTHORIZED", "Unauthorized")
            cache_key_parts = tuple(identity)
            auth_event = {
                "type": "REQUEST",
                "methodArn": method_arn,
                "resource": event["resource"],
                "path": event["path"],
                "httpMethod": event["httpMethod"],
                "headers": event["headers"],
                "multiValueHeaders": event["multiValueHeaders"],
                "queryStringParameters": event["queryStringParameters"],
                "multiValueQueryStringParameters": event["multiValueQueryStringParameters"],
                "pathParameters": event["pathParameters"],
                "stageVariables": event["stageVariables"],
                "requestContext": event["requestContext"],
            }
        cache_key = (api.logical_id, authorizer.name, cache_key_parts)
        cached: dict | None = None
        if authorizer.ttl > 0:
            with self._cache_lock:
                entry = self._auth_cache.get(cache_key)
                if entry and entry[0] > self.clock():
                    cached = entry[1]
        started = time.perf_counter()
        if cached is None:
            result = self.invoke(authorizer.function_id, auth_event, event["requestContext"]["requestId"])
            if not result.ok:
                if result.error_message == "Unauthorized":
                    raise _Error("UNAUTHORIZED", "Unauthorized")
                raise _Error("AUTHORIZER_FAILURE")
            output = result.payload
            if not isinstance(output, dict) or not output.get("principalId") or "policyDocument" not in output:
                raise _Error("AUTHORIZER_CONFIGURATION_ERROR")
            cached = output
            if authorizer.ttl > 0:
                with self._cache_lock:
                    self._auth_cache[cache_key] = (self.clock() + authorizer.ttl, output)
        try:
            decision = evaluate_policy(cached["policyDocument"], method_arn)
            context = _stringify_context(cached.get("context") or {})
        except (ValueError, TypeError):
            raise _Error("AUTHORIZER_CONFIGURATION_ERROR") from None
        context["principalId"] = str(cached["principalId"])
        if decision == "deny":
            raise _Error(
                "ACCESS_DENIED", "User is not authorized to access this resource with an explicit deny", context
            )
        if decision != "allow":
            raise _Error("ACCESS_DENIED", "User is not authorized to access this resource", context)
        out: dict[str, Any] = dict(context)
        out["integrationLatency"] = int((time.perf_counter() - started) * 1000)
        return out

    # -- responses ---------------------------------------------------------------------------
    def _proxy_response(self, result: InvokeResult, request_id: str) -> Response:
        bad = Response(
            502,
            [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id),
             ("x-amzn-ErrorType", "InternalServerErrorException")],
            b'{"message": "Internal server error"}',
        )
        if not result.ok:
            return bad
        out = result.payload
        if not isinstance(out, dict):
            return bad
        status = out.get("statusCode")
        if isinstance(status, str) and status.isdigit():
            status = int(status)
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            return bad
        headers: list[tuple[str, str]] = []
        raw_headers = out.get("headers") or {}
        raw_multi = out.get("multiValueHeaders") or {}
        if not isinstance(raw_headers, dict) or not isinstance(raw_multi, dict):
            return bad
        seen_multi = {k.lower() for k in raw_multi}
        for k, v in raw_headers.items():
            if k.lower() in seen_multi:
                continue
            if isinstance(v, (dict, list)):
                return bad
            headers.append((str(k), _header_str(v)))
        for k, values in raw_multi.items():
            if not isinstance(values, list):
                return bad
            for v in values:
                headers.append((str(k), _header_str(v)))
        body = out.get("body")
        if body is None:
            data = b""
        elif not isinstance(body, str):
            return bad
        elif out.get("isBase64Encoded"):
            try:
                data = base64.b64decode(body, validate=True)
            except ValueError:
                return bad
        else:
            data = body.encode("utf-8")
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", "application/json"))
        headers.append(("x-amzn-RequestId", request_id))
        return Response(status, headers, data)

    def gateway_response(
        self,
        api: Api,
        response_type: str,
        request_id: str,
        message: str | None = None,
        authorizer: dict | None = None,
        req: Request | None = None,
    ) -> Response:
        default_status, default_message, error_type = RESPONSE_DEFAULTS.get(
            response_type, (500, "Internal server error", "InternalServerErrorException")
        )
        if message is None:
            message = default_message
        status = default_status
        family = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
        spec = api.gateway_responses.get(response_type)
        fallback = api.gateway_responses.get(family)
        template_spec = spec if spec and spec.templates else fallback
        if spec and spec.status:
            status = spec.status
        elif spec is None and fallback and fallback.status:
            status = fallback.status
        header_spec = {}
        if fallback:
            header_spec.update(fallback.headers)
        if spec:
            header_spec.update(spec.headers)
        variables = {
            "context.requestId": request_id,
            "context.extendedRequestId": request_id,
            "context.error.message": "" if message is None else message,
            "context.error.messageString": json.dumps(message),
            "context.error.responseType": response_type,
            "context.error.validationErrorString": "",
            "context.apiId": api.logical_id,
            "context.stage": api.stage,
            "context.accountId": ACCOUNT_ID,
        }
        if req is not None:
            variables["context.httpMethod"] = req.method
            variables["context.path"] = unquote(req.raw_path)
            variables["context.domainName"] = req.host
            variables["context.identity.sourceIp"] = req.source_ip
        for k, v in (authorizer or {}).items():
            variables[f"context.authorizer.{k}"] = str(v)
        template = None
        if template_spec and template_spec.templates:
            template = template_spec.templates.get("application/json") or next(iter(template_spec.templates.values()))
        if template is not None:
            body = _render(template, variables)
        else:
            body = json.dumps({"message": message})
        headers = [("Content-Type", "application/json")]
        for name, value in header_spec.items():
            rendered = _header_param(value, req, variables)
            if rendered is not None:
                headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
                headers.append((name, rendered))
        headers.append(("x-amzn-RequestId", request_id))
        headers.append(("x-amzn-ErrorType", error_type))
        return Response(status, headers, body.encode("utf-8"))

    def _json(self, status: int, body: dict, request_id: str, error_type: str) -> Response:
        return Response(
            status,
            [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", error_type)],
            json.dumps(body).encode(),
        )


_VAR_RE = re.compile(r"\$(?:\{([A-Za-z0-9_.]+)\}|([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*))")


def _render(template: str, variables: dict[str, str]) -> str:
    def repl(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        # $context.error.message.foo is not a thing: take the longest known prefix
        parts = name.split(".")
        for n in range(len(parts), 0, -1):
            key = ".".join(parts[:n])
            if key in variables:
                suffix = "." + ".".join(parts[n:]) if n < len(parts) and not m.group(1) else ""
                return variables[key] + suffix
        if name.startswith("context.") or name.startswith("util.") or name.startswith("input."):
            return ""
        return m.group(0)

    return _VAR_RE.sub(repl, template)


def _header_param(value: str, req: Request | None, variables: dict[str, str] | None = None) -> str | None:
    """A gateway response parameter: a 'static' value, a request header, or a context variable
    (`context.requestId`); None when the source is absent (the header is then not sent)."""
    value = value.strip()
    if len(value) >= 2 and value[0] == "'" and value[-1] == "'":
        return value[1:-1]
    if value.startswith("method.request.header.") and req is not None:
        name = value[len("method.request.header.") :].lower()
        return next((v for k, v in req.headers if k.lower() == name), None)
    if value.startswith("context.") and variables:
        return variables.get(value) or None
    return None


def _accepts_gzip(headers: list[tuple[str, str]]) -> bool:
    for k, v in headers:
        if k.lower() == "accept-encoding":
            for part in v.split(","):
                coding, _, params = part.strip().partition(";")
                q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
                if coding.strip().lower() in ("gzip", "*") and q not in ("0", "0.0", "0.00", "0.000"):
                    return True
    return False


def _compress(response: Response, req: Request, minimum: int) -> None:
    """API Gateway's content encoding: gzip when the client accepts it and the body is large enough."""
    if len(response.body) < minimum or req.method == "HEAD" or not _accepts_gzip(req.headers):
        return
    if any(k.lower() == "content-encoding" for k, _ in response.headers):
        return
    response.body = gzip.compress(response.body, compresslevel=6, mtime=0)
    response.headers.append(("Content-Encoding", "gzip"))
    response.headers.append(("Vary", "Accept-Encoding"))


def _header_str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)


def _cors_value(v: Any) -> str | None:
    if v is None:
        return None
    v = str(v)
    if len(v) >= 2 and v[0] == "'" and v[-1] == "'":
        return v[1:-1]
    return v


def _resource_id(api_id: str, path: str) -> str:
    import hashlib

    return hashlib.sha1(f"{api_id}{path}".encode()).hexdigest()[:6]
