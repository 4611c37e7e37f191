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


_PREFIX = {REGISTRY: "Registry", CONFIGURATION: "Configuration", "reports": "Reports"}


def _add_model(model, family: str, components: dict) -> str:
    """Put a body model (and pydantic's $defs of it) into components; returns its name there.

    Two families have models of the same name (the registry's and the configuration's
    `AssetCreate`): a name already taken by a different schema gets the family's prefix
    (`ConfigurationAssetCreate`), and every ref to it follows, so no operation documents another
    family's body."""
    schema = model.model_json_schema(ref_template="#/$defs/{model}")
    parts = {**(schema.pop("$defs", None) or {}), model.__name__: schema}
    names = {name: name for name in parts}
    settled = False
    while not settled:  # renaming one definition changes the refs of those that use it
        settled = True
        for name, sub in parts.items():
            taken = components.get(names[name])
            if names[name] == name and taken is not None and taken != _rewrite_refs(sub, names):
                names[name] = _PREFIX[family] + name
                settled = False
    for name, sub in parts.items():
        final = _rewrite_refs(sub, names)
        if components.setdefault(names[name], final) != final:
            raise ValueError(f"two different schemas are both named {names[name]!r} in the OpenAPI document")
    return names[model.__name__]


def _rewrite_refs(node, names: dict):
    if isinstance(node, dict):
        return {k: ("#/components/schemas/" + names.get(v[len("#/$defs/"):], v[len("#/$defs/"):])
                    if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/")
                    else _rewrite_refs(v, names)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(v, names) for v in node]
    return node


def _response_schema(route) -> dict:
    if not route.media.endswith("json"):
        return {"type": "string"}
    if not route.response:
        return {}
    import importlib
    module, _, name = route.response.partition(":")
    return getattr(importlib.import_module(module), name)


def _request_body(route, family: str, components: dict) -> dict | None:
    """The body model's schema (or, for routes that parse their body themselves, the one
    accord.http.examples documents), with the operation's example from accord.http.examples."""
    from accord.http import examples
    key = (route.method, route.path)
    if route.body is not None:
        schema, required = {"$ref": f"#/components/schemas/{_add_model(route.model(), family, components)}"}, \
            route.body_required
    elif key in examples.REQUEST_SCHEMAS:
        schema, required = examples.REQUEST_SCHEMAS[key], False
    else:
        return None
    media = {"schema": schema}
    if key in examples.EXAMPLES:
        media["example"] = examples.EXAMPLES[key]
    return {"required": required, "content": {"application/json": media}}


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
        if route.status != 204 and route.media:  # media None: a success with no body (201 as Marquez answers)
            ok["content"] = {route.media: {"schema": _response_schema(route)}}
        op = {"operationId": f"{getattr(router, 'name', router.family)}_{route.handler.__name__}",
              "summary": route.summary, "tags": list(route.tags) or [router.family],
              "parameters": params,
              "responses": {str(route.status): ok, "4XX": err}}
        if route.scope is None:
            op["security"] = []
        body = _request_body(route, router.family, components)
        if body is not None:
            op["requestBody"] = body
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
