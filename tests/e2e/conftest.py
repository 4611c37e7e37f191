"""The whole product over HTTP: the local runtime (moto server + worker processes) started once."""
import uuid

import boto3
import pytest
import requests

from local.runtime import LocalRuntime
from tests.conftest import ROOT
from tests.support.secrets import RECORDER

ADMIN_KEY = "acc_e2e_" + uuid.uuid4().hex
LAST = ("test_log_hygiene.py",)  # read what the whole run left behind: after every other test


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.path.name in LAST)  # stable: the rest keep their order


def pytest_terminal_summary(terminalreporter):
    import sys
    fuzz = sys.modules.get("tests.e2e.test_fuzz")
    runs = getattr(fuzz, "EXAMPLES_RUN", None)
    if runs:
        counts = sorted(runs.values())
        terminalreporter.write_line(
            f"fuzz: {len(runs)} operations, {sum(counts)} requests, {counts[0]}-{counts[-1]} per operation, "
            f"{sum(c >= fuzz.EXAMPLES for c in counts)} at the full {fuzz.EXAMPLES} "
            f"(an operation with few distinct inputs, e.g. no parameters, runs out of new examples sooner)")


@pytest.fixture(scope="session")
def runtime(tmp_path_factory):
    # Persistent, as `make dev` is: every write of the session goes through the state journal
    # (test_durability stops and restarts runtimes of its own). Every line the functions print goes
    # to `log_file`, and every secret the session's traffic carries is recorded (test_log_hygiene).
    RECORDER.install()
    RECORDER.add(ADMIN_KEY, "bootstrap key")
    rt = LocalRuntime(repo_root=str(ROOT), port=0, state_dir=str(tmp_path_factory.mktemp("state")),
                      admin_key=ADMIN_KEY, parameter_overrides={"AuthCacheSeconds": "0"}, quiet=True,
                      log_file=str(tmp_path_factory.mktemp("logs") / "functions.log"))
    rt.start()
    yield rt
    outcome = rt.stop()
    # the session's whole state must compact into a snapshot (every stored type serialises)
    assert outcome and outcome.get("persisted") and "error" not in outcome, outcome


class Api:
    """requests against the runtime with one key."""

    def __init__(self, url: str, key: str | None, header: str = "Authorization"):
        self.url = url
        self.headers = {}
        if key:
            self.headers[header] = f"Bearer {key}" if header == "Authorization" else key

    def __call__(self, method: str, path: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)


@pytest.fixture(scope="session")
def admin(runtime):
    return Api(runtime.url, runtime.admin_key)


@pytest.fixture(scope="session")
def anon(runtime):
    return Api(runtime.url, None)


def new_tenant(admin: Api, name: str | None = None) -> dict:
    r = admin("POST", "/api/v1/tenants", json={"name": name or f"t-{uuid.uuid4().hex[:10]}"})
    assert r.status_code == 201, r.text
    return r.json()


def new_key(api: Api, **body) -> str:
    r = api("POST", "/api/v1/api-keys", json={"name": "k", **body})
    assert r.status_code == 201, r.text
    return r.json()["key"]


@pytest.fixture(scope="session")
def aws_clients(runtime):
    kw = {"endpoint_url": runtime.moto_url, "region_name": "us-east-1",
          "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client("sqs", **kw), boto3.client("dynamodb", **kw)
