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
    prefix = {"RegistryApi": "/api/v1/", "ConfigurationApi": "/api/backend/"}
    for function, (_, declared) in routes.template_routes().items():
        for method, path, api, _ in declared:
            if api in prefix:
                assert path.startswith(prefix[api]), (function, path)
            else:
                assert api == "RootApi" and not path.startswith("/api/"), (function, path)


def test_committed_openapi_document_is_current():
    committed = (routes.ROOT / "functions" / "platform" / "openapi.json").read_text()
    assert json.loads(committed) == json.loads(gen_openapi.render()), "run `make openapi`"
