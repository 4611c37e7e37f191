"""The Tessera workflow (tests/support/tessera_workflow.py) driven by tessera-sdk in-process: its
requests go through an httpx transport that turns them into API Gateway events for the function
owning the route in template.yaml (the same table the deployment uses)."""
import re
import uuid
from dataclasses import replace
from urllib.parse import urlsplit

import httpx
import pytest
from tessera_sdk import TesseraClient

import routes
from tests.integration.conftest import load_app
from tests.integration.test_assets import team_key
from tests.support import tessera_workflow
from tests.support.events import api_event

class Gateway:
    """Routes like API Gateway (static segments win over parameters), principals by bearer token."""

    def __init__(self):
        self.routes = []
        apps = {}
        for _, (code_uri, declared) in routes.template_routes().items():
            for method, path, api, _ in declared:
                if api != "RegistryApi":
                    continue
                name = code_uri.split("/")[-1]
                apps.setdefault(name, None)
                pattern = "^" + re.sub(r"\{([^}]+)\}", r"(?P<\1>[^/]+)", path) + "$"
                self.routes.append((method, path, re.compile(pattern), name, path.count("{")))
        self.apps = {name: load_app(name) for name in apps}
        self.routes.sort(key=lambda r: r[4])
        self.tokens = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = urlsplit(str(request.url)).path
        for method, resource, pattern, name, _ in self.routes:
            m = pattern.match(path)
            if m and method == request.method:
                break
        else:
            return httpx.Response(404, json={"detail": "no route", "error": {"code": "ROUTE_NOT_FOUND"}})
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        query = dict(request.url.params) or None
        event = api_event(request.method, resource, m.groupdict() or None, query=query,
                          raw_body=request.content.decode() or None, principal=self.tokens.get(token),
                          headers={"Content-Type": request.headers.get("content-type", "application/json")})
        out = self.apps[name].lambda_handler(event, None)
        return httpx.Response(out["statusCode"], headers=out["headers"], content=out["body"].encode())


class World:
    def __init__(self, admin):
        self.gw = Gateway()
        self.transport = httpx.MockTransport(self.gw)
        self._admin = admin

    def _client(self, principal) -> TesseraClient:
        token = uuid.uuid4().hex
        self.gw.tokens[token] = principal
        c = TesseraClient(base_url="http://accord.test", headers={"Authorization": f"Bearer {token}"})
        c._http._client = httpx.Client(base_url="http://accord.test", headers={"Authorization": f"Bearer {token}"},
                                       transport=self.transport)
        return c

    def admin(self):
        return self._client(self._admin)

    def team(self, team_id):
        return self._client(team_key(self._admin, str(team_id)))

    def foreign(self):
        return self._client(replace(self._admin, tenant="globex"))


@pytest.fixture
def world(aws, admin):
    return World(admin)


def test_tessera_workflow_through_the_sdk(world):
    tessera_workflow.tessera_workflow(world)


def test_blocked_force_withdraw_and_direct_breaking_through_the_sdk(world):
    tessera_workflow.blocked_force_withdraw_and_direct_breaking(world)
