"""OpenAPI 3.0 operations from a Router's route table (used at build time, never on a cold path)."""
import re

from accord.http.envelopes import CONFIGURATION, REGISTRY

_PARAM = re.compile(r"{([^}+]+)\+?}")

ERROR_SCHEMAS = {
    REGISTRY: {"type": "object", "required": ["detail", "error"], "properties": {
        "detail": {}, "error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"}, "request_id": {"type": "string"}}}}},
    CONFIGURATION: {"type": "object", "required": ["message", "error"], "properties": {
        "message": {"type": "string"}, "error": {"type": "string"}}},
    "reports": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
}
_ERROR_NAME = {REGISTRY: "RegistryError", CONFIGURATION: "ConfigurationError", "reports": "ReportsError"}


def _hoist(schema: dict, components: dict) -> dict:
    """Move pydantic's $defs into components and point refs there (OpenAPI 3.0 style)."""
    for name, sub in (schema.pop("$defs", None) or {}).items():
        components[name] = _hoist(sub, components)
    return _rewrite_refs(schema)


def _rewrite_refs(node):
    if isinstance(node, dict):
        return {k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" and isinstance(v, str)
                    else _rewrite_refs(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def _response_schema(route) -> dict:
    if not route.media.endswith("json"):
        return {"type": "string"}
    if not route.response:
        return {}
    import importlib
    module, _, name = route.response.partition(":")
    return getattr(importlib.import_module(module), name)


def operations(router, components: dict) -> dict:
    """{path: {method: operation}} for every route of `router`, adding schemas to `components`."""
    paths: dict = {}
    error_name = _ERROR_NAME[router.family]
    components.setdefault(error_name, ERROR_SCHEMAS[router.family])
    err = {"description": "Error", "content": {"application/json": {"schema": {
        "$ref": f"#/components/schemas/{error_name}"}}}}
    for (method, path), route in sorted(router.routes.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                  for n in _PARAM.findall(path)]
        params += [{"name": n, "in": "query", "required": False, "schema": {"type": t}, "description": d}
                   for n, t, d in route.query]
        ok = {"description": "Success"}
        if route.status != 204:
            ok["content"] = {route.media: {"schema": _response_schema(route)}}
        op = {"operationId": f"{getattr(router, 'name', router.family)}_{route.handler.__name__}",
              "summary": route.summary, "tags": list(route.tags) or [router.family],
              "parameters": params,
              "responses": {str(route.status): ok, "4XX": err}}
        if route.scope is None:
            op["security"] = []
        if route.body is not None:
            model = route.model()
            name = model.__name__
            if name not in components:
                components[name] = _hoist(model.model_json_schema(ref_template="#/$defs/{model}"),
                                          components)
            op["requestBody"] = {"required": route.body_required, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{name}"}}}}
        paths.setdefault(path, {})[method.lower()] = op
    return paths


def document(routers, title="Accord", version="1.0.0") -> dict:
    components: dict = {}
    paths: dict = {}
    for router in routers:
        for path, ops in operations(router, components).items():
            paths.setdefault(path, {}).update(ops)
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": version,
                 "description": "Registry (/api/v1), configuration (/api/backend) and reports APIs."},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(components.items())), "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            "dagster": {"type": "apiKey", "in": "header", "name": "Dagster-Cloud-Api-Token"},
            "telmai": {"type": "apiKey", "in": "header", "name": "X-TLM-Key"}}},
        "security": [{"bearer": []}, {"apiKey": []}, {"dagster": []}, {"telmai": []}],
    }
