"""Schemathesis against the merged /openapi.json of the running product, with a valid admin key.

Bounded here (FUZZ_EXAMPLES, default 8 per operation) so `make test` stays fast; `make fuzz`
runs FUZZ_EXAMPLES=200. Every response must be < 500, and every 4xx must be in its family's
envelope. Cases it ever found are kept as regression tests in test_fuzz_regressions.py.

The positive direction (test_documented_call_gets_the_documented_success): every operation called
as documented — its example body, valid under its documented schema, with real ids — answers its
documented success status with a documented body.
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests.support.openapi import SPEC, assert_matches_documented_schema

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
OPERATIONS = [(path, method) for path, ops in SPEC["paths"].items() for method in ops]
# Configuration paths name the tenant: a generated one is always 404 (the isolation matrix covers
# that), so most examples use the key's own tenant, and some its project 0 (which always exists).
OWN_TENANT = "default"  # the runtime's bootstrap key is admin of tenant `default`
SCOPES = ("generated", "own tenant", "own tenant", "own tenant, project 0")
EXAMPLES_RUN: dict = {}  # "METHOD path" -> requests sent (printed in the terminal summary)


# no 5xx; the status is one the operation documents; the body matches the documented schema and
# content type (4xx: the family's error schema)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="session")
def api_schema(runtime):
    loaded = schemathesis.openapi.from_dict(SPEC)
    loaded.config.update(base_url=runtime.url)
    return loaded


def envelope_ok(path: str, status: int, body) -> bool:
    if status < 400:
        return True
    if not isinstance(body, dict):
        return False
    if path.startswith("/api/v1/"):
        return set(body) == {"detail", "error"} and isinstance(body["error"], dict) \
            and isinstance(body["error"].get("code"), str) and isinstance(body["error"].get("message"), str)
    if path.startswith("/api/backend/"):
        return set(body) == {"message", "error"} and isinstance(body["error"], str)
    return set(body) == {"error"} and isinstance(body["error"], str)


# schemathesis' pytest plugin does not support pytest 9 yet, so each operation is one pytest
# test running a hypothesis search over the operation's generated cases.
@pytest.mark.parametrize("path,method", OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_no_5xx_and_family_envelopes(api_schema, runtime, path, method):
    operation = api_schema[path][method]
    headers = {"Authorization": f"Bearer {runtime.admin_key}"}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=operation.as_strategy(), scope=st.sampled_from(SCOPES))
    def run(case, scope):
        EXAMPLES_RUN[f"{method.upper()} {path}"] = EXAMPLES_RUN.get(f"{method.upper()} {path}", 0) + 1
        params = case.path_parameters or {}
        if scope != "generated" and "tenant" in params:  # else every configuration call is a 404
            params["tenant"] = OWN_TENANT
            if scope == "own tenant, project 0" and "projectId" in params:
                params["projectId"] = "0"
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)
        try:
            body = response.json()
        except ValueError:
            body = None
        assert envelope_ok(path, response.status_code, body), \
            (case.method, case.formatted_path, response.status_code, response.text[:300])
    run()


# ------------------------------------------------------------------ the positive direction
# The fuzzer above proves no input breaks the product; this proves the document right: every
# operation, called as documented — its example body (which must match its documented schema), the
# ids of objects that exist, the query it needs — answers its documented success status with a
# body matching its documented schema. A client generated from /openapi.json works.

@pytest.fixture(scope="module")
def world(runtime):
    """A tenant of its own with one object of every kind (the matrices' World, not shared: the
    calls below change and delete things)."""
    from tests.e2e.routebook import Http, World
    return World(Http(runtime.url), runtime.admin_key)


def _documented_success(op: dict) -> int:
    codes = [int(code) for code in op["responses"] if code.isdigit()]
    assert len(codes) == 1, op["responses"]
    return codes[0]


def _bind(example, w):
    """The example with the World's ids where it names objects, and unique names where the
    product wants them unique (fresh objects where the call consumes one)."""
    from tests.e2e.routebook import BASE, uniq
    fresh_values = {
        "owner_team_id": lambda v: w.teams["owner"], "team_id": lambda v: w.teams["owner"],
        "consumer_team_id": lambda v: w.teams["consumer"],
        "target_asset_id": lambda v: w.asset(),  # X already depends on Z
        "contract_id": lambda v: w.publish(w.asset(), BASE)["contract"]["id"],  # the consumer is on X's
        "connection_id": lambda v: w.connection, "source_project_id": lambda v: w.project,
        "name": lambda v: f"{v}-{uniq()}" if isinstance(v, str) else v,
        "fqn": lambda v: f"{v}_{uniq()}", "table": lambda v: f"{v}_{uniq()}",
        "url": lambda v: "http://127.0.0.1:9/example",  # a webhook the local runtime accepts (loopback)
        "manifest": lambda v: w.dbt_manifest(),  # one model of the World's owner team, a name of its own
        "upload_id": lambda v: w.upload(w.dbt_manifest()),
    }
    whole = {"manifest"}  # replaced as a whole, not walked

    def walk(node):
        if isinstance(node, dict):
            return {k: fresh_values[k](v) if k in fresh_values and (k in whole or not isinstance(v, (dict, list)))
                    else walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node
    return walk(example)


POSITIVE = [(path, method) for path, method in OPERATIONS]


@pytest.mark.parametrize("path,method", POSITIVE, ids=[f"{m.upper()} {p}" for p, m in POSITIVE])
def test_documented_call_gets_the_documented_success(api_schema, runtime, world, path, method):
    from schemathesis.core import NOT_SET

    from tests.e2e.routebook import fresh_ids, query_for, routes
    route = next(r for r in routes() if r.key == (method.upper(), path))
    op = SPEC["paths"][path][method]
    media = (op.get("requestBody") or {}).get("content", {}).get("application/json")
    assert not route.has_body or (media and "example" in media), \
        f"{method.upper()} {path} takes a body: give it an example in accord/http/examples.py"
    body = NOT_SET
    extra = fresh_ids(route, world)
    moved = extra.pop("moved", None)
    if route.key in (("POST", "/api/v1/assets/{asset_id}/contracts"), ("POST", "/api/v1/assets/{asset_id}/publish")):
        extra["asset_id"] = world.asset()  # X has an open proposal: a breaking publish there is a 409
    if media and "example" in media:
        assert_matches_documented_schema(media["example"], media["schema"], "documented example")
        body = _bind(media["example"], world)
        if moved is not None:
            body["source_asset_ids"] = [moved]
        assert_matches_documented_schema(body, media["schema"], "example with real ids")
    ids = {**world.ids, **extra}
    if route.key == ("POST", "/api/backend/{tenant}/configuration/projects/{projectId}/assets/move"):
        ids["projectId"] = extra.get("projectId", world.project2)
    names = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
    params = {name: str(ids.get(name, ids.get(name + "+"))) for name in names}
    params.update({name + "+": params[name] for name in names if "{" + name + "+}" in path})  # greedy
    key = runtime.admin_key if path.startswith("/api/v1/tenants") else world.admin
    case = api_schema[path][method].Case(path_parameters=params, query=query_for(route, world) or None, body=body)
    response = case.call(headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == _documented_success(op), \
        (method.upper(), case.formatted_path, response.status_code, response.text[:500])
    case.validate_response(response, checks=CHECKS)
