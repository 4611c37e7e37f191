"""Schemathesis against the merged /openapi.json of the running product, with a valid admin key.

Bounded here (FUZZ_EXAMPLES, default 8 per operation) so `make test` stays fast; `make fuzz`
runs FUZZ_EXAMPLES=200. Every response must be < 500, and every 4xx must be in its family's
envelope. Cases it ever found are kept as regression tests in test_fuzz_regressions.py.
"""
import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests.conftest import ROOT

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
SPEC = json.loads((ROOT / "functions" / "platform" / "openapi.json").read_text())  # = what /openapi.json serves
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
