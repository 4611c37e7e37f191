"""template.yaml, the handlers' routers and the OpenAPI document must agree route for route."""
import json

import gen_openapi
import routes


def test_every_template_route_has_a_handler_and_back():
    for function, (code_uri, declared) in routes.template_routes().items():
        if not declared:
            continue
        router = routes.load_router(code_uri)
        assert router is not None, f"{function} declares Api events but has no router"
        in_template = {(m, p) for m, p, _, _ in declared}
        assert in_template == set(router.routes), f"{function}: template and router disagree"
        for method, path, _, auth_none in declared:
            assert (router.routes[(method, path)].scope is None) == auth_none, (function, method, path)


def test_routes_sit_in_their_family_api():
    prefix = {"RegistryApi": "/api/v1/", "ConfigurationApi": "/api/backend/", "UiApi": "/ui"}
    for function, (_, declared) in routes.template_routes().items():
        for method, path, api, _ in declared:
            if api in prefix:
                assert path.startswith(prefix[api]), (function, path)
            else:
                assert api == "RootApi" and not path.startswith("/api/"), (function, path)


def test_committed_openapi_document_is_current():
    committed = (routes.ROOT / "functions" / "platform" / "openapi.json").read_text()
    assert json.loads(committed) == json.loads(gen_openapi.render()), "run `make openapi`"


def test_every_registry_and_configuration_path_sends_other_methods_to_its_function():
    """A wrong method answers 405 with `Allow` only if API Gateway lets it reach the function: each
    path of those two APIs needs a `Method: any` event to the function that serves the path."""
    catchers = routes.method_catchers()
    for function, (code_uri, declared) in routes.template_routes().items():
        paths = {(p, api) for _, p, api, _ in declared if api in ("RegistryApi", "ConfigurationApi")}
        caught = {(p, api) for _, p, api, _ in catchers.get(function, (None, set()))[1]}
        assert caught == paths, f"{function}: paths without a `Method: any` event: {sorted(paths - caught)}; " \
                                f"`any` events on paths it does not serve: {sorted(caught - paths)}"
        for _, _, _, auth_none in catchers.get(function, (None, set()))[1]:
            assert not auth_none  # the authorizer runs first, as on every other route


def test_every_gateway_response_carries_the_request_id():
    """The errors API Gateway makes itself (401, no route, 413, ...) carry X-Request-ID like the
    functions' responses: mapped from context.requestId, the body's request_id."""
    resources = routes.template()["Resources"]
    apis = [name for name, res in resources.items() if res["Type"] == "AWS::Serverless::Api"]
    assert apis
    for api in apis:
        responses = resources[api]["Properties"]["GatewayResponses"]
        assert {"UNAUTHORIZED", "MISSING_AUTHENTICATION_TOKEN", "REQUEST_TOO_LARGE", "DEFAULT_4XX",
                "DEFAULT_5XX"} <= set(responses), api
        for kind, spec in responses.items():
            headers = (spec.get("ResponseParameters") or {}).get("Headers") or {}
            assert headers.get("X-Request-ID") == "context.requestId", (api, kind)


def test_every_documented_body_is_its_own_routes_model():
    """Two families have models of the same name (AssetCreate): each operation must document its
    own route's model, never the other family's."""
    doc = gen_openapi.build()
    checked = 0
    for function, (code_uri, declared) in routes.template_routes().items():
        router = routes.load_router(code_uri) if declared else None
        for (method, path), route in (router.routes.items() if router else ()):
            if route.body is None:
                continue
            model = route.model()
            ref = doc["paths"][path][method.lower()]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            documented = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
            fields = {f.alias or name for name, f in model.model_fields.items()}
            assert set(documented["properties"]) == fields, (method, path, ref)
            checked += 1
    assert checked > 25
