"""A small REST router for API Gateway (REST, v1 proxy) events.

Why not Powertools' APIGatewayRestResolver: importing `aws_lambda_powertools.event_handler` pulls in
every resolver (AppSync, Bedrock, VPC Lattice, asyncio, data classes) — about 55 ms of cold start,
a third of what boto3 itself costs — and we need none of it. API Gateway already matched the route
and hands us `resource` (the template path) and `pathParameters`, so routing is one dict lookup.

What it does: scope checks against the authorizer's principal, body size/content-type/JSON/depth
limits, pydantic validation of bodies, the family's error envelope for every failure, an
`X-Request-ID` on every response, and the route table the OpenAPI document is generated from.
"""
import base64
import json
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from accord import errors, jsontext, log, metrics, tracing
from accord.auth.principal import Principal
from accord.http import budget
from accord.http.envelopes import REGISTRY, error_body
from accord.log import logger

MAX_BODY_BYTES = 1_048_576  # 1 MiB; API Gateway itself stops at 10 MB
MAX_JSON_DEPTH = jsontext.MAX_JSON_DEPTH


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict = field(default_factory=dict)


@dataclass
class Route:
    method: str
    path: str
    handler: Callable
    scope: str | None
    body: Any  # pydantic model class, "module:Class" (imported on first use), or None
    status: int
    summary: str
    tags: tuple
    query: tuple  # ((name, type, description), ...) for the OpenAPI document
    media: str  # the success body's content type, for the OpenAPI document
    body_required: bool
    response: str | None = None  # "module:NAME" of the success body's schema (OpenAPI only)

    def model(self):
        """The body model class. Given as "module:Class", it is imported on the first request
        that needs it, so a cold start that serves a GET never imports pydantic (~85 ms)."""
        if isinstance(self.body, str):
            import importlib
            module, _, name = self.body.partition(":")
            self.body = getattr(importlib.import_module(module), name)
        return self.body


class Request:
    __slots__ = ("event", "method", "path", "resource", "path_params", "query", "multi_query",
                 "headers", "raw_body", "principal", "request_id", "route", "_json", "body", "family")

    def __init__(self, event: dict, route: Route | None, family: str):
        self.event = event
        self.family = family
        self.method = (event.get("httpMethod") or "GET").upper()
        self.path = event.get("path") or "/"
        self.resource = event.get("resource") or self.path
        self.path_params = event.get("pathParameters") or {}
        self.query = event.get("queryStringParameters") or {}
        self.multi_query = event.get("multiValueQueryStringParameters") or {}
        self.headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
        ctx = event.get("requestContext") or {}
        self.request_id = self.headers.get("x-request-id") or ctx.get("requestId") or ""
        self.principal = Principal.from_context(ctx.get("authorizer"))
        raw = event.get("body")
        if raw is not None and event.get("isBase64Encoded"):
            raw = base64.b64decode(raw).decode("utf-8", "replace")
        self.raw_body = raw or ""
        self.route = route
        self._json = _UNSET
        self.body = None

    # -- body -------------------------------------------------------------------------
    def json(self, default=None):
        """The body parsed as JSON (bounded in size and depth), or `default` when empty."""
        if self._json is _UNSET:
            self._json = parse_json_body(self.raw_body, self.headers.get("content-type"), default)
        return self._json

    # -- query helpers (bad values are the caller's mistake: 422 in the registry, else 400) --
    def _bad_param(self, message: str):
        return errors.Unprocessable(message) if self.family == REGISTRY else errors.BadRequest(message)

    def query_str(self, name: str, default: str | None = None, max_len: int = 512) -> str | None:
        value = self.query.get(name)
        if value is None:
            return default
        if len(value) > max_len:
            raise self._bad_param(f"Query parameter '{name}' is longer than {max_len} characters.")
        return value

    def query_int(self, name: str, default: int | None = None, lo: int | None = None,
                  hi: int | None = None) -> int | None:
        value = self.query.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise self._bad_param(f"Query parameter '{name}' must be an integer, got {value!r}.") from None
        if lo is not None and number < lo or hi is not None and number > hi:
            bounds = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
            raise self._bad_param(f"Query parameter '{name}' must be {bounds}, got {number}.")
        return number

    def query_bool(self, name: str, default: bool = False) -> bool:
        value = self.query.get(name)
        if value is None or value == "":
            return default
        lowered = value.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise self._bad_param(f"Query parameter '{name}' must be true or false, got {value!r}.")

    def require(self, scope: str) -> Principal:
        return require_scope(self.principal, scope)


_UNSET = object()


def require_scope(principal: Principal | None, scope: str) -> Principal:
    if principal is None:
        raise errors.Unauthorized("Missing or invalid API key.")
    if not principal.has(scope):
        raise errors.Forbidden(f"This API key lacks the '{scope}' scope needed here "
                               f"(it has: {', '.join(sorted(principal.scopes)) or 'none'}).")
    return principal


def parse_json_body(raw: str, content_type: str | None, default=None, *,
                    max_bytes: int = MAX_BODY_BYTES, max_depth: int = MAX_JSON_DEPTH):
    if not raw or not raw.strip():
        return default
    if len(raw) > max_bytes and len(raw.encode("utf-8")) > max_bytes:
        raise errors.PayloadTooLarge(f"Request body is larger than {max_bytes} bytes.")
    if content_type:
        media = content_type.split(";", 1)[0].strip().lower()
        if media and media != "application/json" and not media.endswith("+json"):
            raise errors.UnsupportedMediaType(
                f"Content-Type {media!r} is not supported; send application/json.")
    try:
        return jsontext.loads(raw, max_depth)
    except jsontext.TooDeep:
        raise errors.BadRequest(f"JSON body is nested deeper than {max_depth} levels.") from None
    except jsontext.LoneSurrogate:
        raise errors.BadRequest("JSON body contains an invalid unicode escape (a lone surrogate).") from None
    except ValueError as exc:
        raise errors.BadRequest(f"Malformed JSON body: {exc}.") from None


def validation_message(detail: list) -> str:
    parts = []
    for d in detail[:5]:
        where = ".".join(str(p) for p in d["loc"][1:]) or "body"
        parts.append(f"{where}: {d['msg']}")
    more = f" (+{len(detail) - 5} more)" if len(detail) > 5 else ""
    return "Invalid request body - " + "; ".join(parts) + more


class Router:
    def __init__(self, family: str, *, max_body_bytes: int = MAX_BODY_BYTES, metric_family: str | None = None,
                 too_large: str | None = None):
        self.family = family
        self.metric_family = metric_family or family  # the `family` dimension of Requests/Latency
        self.max_body_bytes = max_body_bytes
        self.too_large = too_large  # the 413's sentence, when the function has a better one
        self.routes: dict[tuple[str, str], Route] = {}

    def route(self, method: str, path: str, *, scope: str | None = "read", body=None,
              status: int = 200, summary: str = "", tags=(), query=(), media: str = "application/json",
              body_required: bool = True, response: str | None = None):
        def register(fn):
            self.routes[(method.upper(), path)] = Route(
                method.upper(), path, fn, scope, body, status, summary or (fn.__doc__ or "").strip(),
                tuple(tags), tuple(query), media, body_required, response)
            return fn
        return register

    # -- dispatch -------------------------------------------------------------------------
    def resolve(self, event: dict, context=None) -> dict:
        started = time.perf_counter()
        method = (event.get("httpMethod") or "GET").upper()
        resource = event.get("resource") or event.get("path") or "/"
        route = self.routes.get((method, resource))
        req = Request(event, route, self.family)
        log.bind(req.request_id)  # every line of this request carries it (see accord.log)
        span = tracing.begin(f"{method} {resource}", family=self.metric_family, route=resource)
        try:
            if route is None:
                raise self._no_route(method, resource, req.path)
            if route.scope:
                req.require(route.scope)
            if route.body is not None:
                self._bind_body(req, route)
            result = route.handler(req)
            response = result if isinstance(result, Response) else Response(route.status, result)
        except errors.AccordError as exc:
            response = self.error_response(exc, req.request_id)
        except Exception:  # a bug: never leak internals, always leave a trail
            logger.error("unhandled error", extra={"request_id": req.request_id, "path": req.path,
                                                   "trace": traceback.format_exc()})
            response = self.error_response(
                errors.AccordError("Internal error; quote the request id when reporting it.",
                                   code="INTERNAL_ERROR"), req.request_id, status=500)
        proxy = self.to_proxy(response, req.request_id)
        carried = budget.size(proxy["body"]) + budget.size({**proxy, "body": ""})
        if carried > budget.LAMBDA_LIMIT:  # a route's bound failed: refuse with a sentence, not Lambda's 502
            logger.error("response too large", extra={"request_id": req.request_id, "path": req.path,
                                                      "bytes": carried})
            response = self.error_response(errors.PayloadTooLarge(budget.too_large_message(carried),
                                                                  code="RESPONSE_TOO_LARGE"), req.request_id)
            proxy = self.to_proxy(response, req.request_id)
        ms = (time.perf_counter() - started) * 1000
        tenant = req.principal.tenant if req.principal else None
        logger.info("request", extra={"method": method, "path": req.path, "status": response.status,
                                      "ms": round(ms, 1), "request_id": req.request_id, "tenant": tenant})
        tracing.end(span, status=response.status, tenant=tenant or "")
        metrics.request(self.metric_family, resource, response.status, ms)
        metrics.annotate(tenant=tenant, correlation_id=req.request_id)
        metrics.flush()
        return proxy

    __call__ = resolve

    def allowed_methods(self, resource: str) -> list[str]:
        return sorted(m for (m, r) in self.routes if r == resource)

    def _no_route(self, method: str, resource: str, path: str) -> errors.AccordError:
        """A known path with another method is 405 with `Allow` (RFC 9110 §15.5.6): the template
        sends every other method of a path here (`Method: any`)."""
        allowed = self.allowed_methods(resource)
        if allowed:
            return errors.MethodNotAllowed(
                f"Method {method} is not allowed on {path}; use {' or '.join(allowed)}.",
                headers={"Allow": ", ".join(allowed)})
        return errors.NotFound(f"No route for {method} {path}.", code="ROUTE_NOT_FOUND")

    def _bind_body(self, req: Request, route: Route) -> None:
        raw = req.raw_body
        if len(raw) > self.max_body_bytes and len(raw.encode("utf-8")) > self.max_body_bytes:
            raise errors.PayloadTooLarge(
                self.too_large or f"Request body is larger than the {self.max_body_bytes}-byte limit of this route.")
        data = parse_json_body(raw, req.headers.get("content-type"), None,
                               max_bytes=self.max_body_bytes)
        if data is None:
            if route.body_required:
                raise self._invalid([{"loc": ["body"], "msg": "Field required", "type": "missing"}],
                                    "Request body is required (a JSON object).")
            data = {}
        model = route.model()
        from pydantic import ValidationError
        try:
            req.body = model.model_validate(data)
        except ValidationError as exc:
            from accord.http.detail import validation_detail
            detail = validation_detail(exc)
            raise self._invalid(detail, validation_message(detail)) from None
        req._json = data

    def _invalid(self, detail: list, message: str) -> errors.AccordError:
        if self.family == REGISTRY:
            return errors.Unprocessable(message, detail=detail)
        return errors.BadRequest(message, code="VALIDATION_ERROR", detail=detail)

    def error_response(self, exc: errors.AccordError, request_id: str, status: int | None = None):
        return Response(status or exc.status,
                        error_body(self.family, exc.code, exc.message, request_id, exc.detail),
                        dict(exc.headers))

    @staticmethod
    def to_proxy(response: Response, request_id: str) -> dict:
        headers = {"Content-Type": "application/json", "X-Request-ID": request_id}
        headers.update(response.headers)
        if response.status == 204 or response.body is None and response.status != 200:
            body = ""
        elif isinstance(response.body, (bytes, str)) and headers["Content-Type"] != "application/json":
            body = response.body.decode() if isinstance(response.body, bytes) else response.body
        else:
            body = json.dumps(response.body, separators=(",", ":"), default=str)
        return {"statusCode": response.status, "headers": headers, "body": body,
                "isBase64Encoded": False}
