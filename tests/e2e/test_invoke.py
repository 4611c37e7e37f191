"""`sam local invoke`, locally: every sample event in events/ through `python -m local.invoke` (what
`make invoke` runs) against the session's runtime, events/env.json as aws-sam-cli itself resolves it,
and `make dev`'s "Try:" lines run as printed."""
import argparse
import hashlib
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time

import pytest
import requests

from local.__main__ import banner
from local.invoke import _parameter_overrides, declared_variables, default_endpoint, prepare
from local.cfn import load_yaml
from tests.conftest import ROOT

EVENTS = ROOT / "events"
SAMPLES = sorted(p for p in EVENTS.glob("*.json") if p.name != "env.json")
SAM_PYTHON = ROOT / ".venv-sam" / "bin" / "python"

# sample event -> (function, what its result must be)
EXPECT = {
    "assets-list": ("AssetsFunction", 200),
    "authorizer-request": ("AuthorizerFunction", "allow"),
    "configuration-list-assets": ("ConfigurationFunction", 200),
    "contracts-list": ("ContractsFunction", 200),
    "events-list": ("EventsFunction", 200),
    "expiry-schedule": ("ExpiryFunction", "expired"),
    "platform-health": ("PlatformFunction", 200),
    "proposals-list": ("ProposalsFunction", 200),
    "reports-materialization": ("ReportsFunction", 200),
    "teams-create": ("TeamsFunction", 201),
    "teams-list": ("TeamsFunction", 200),
    "ui-index": ("UiFunction", 200),
    "worker-sqs": ("WorkerFunction", "no-failures"),
    "sync-dbt-diff": ("SyncFunction", 200),
    "importer-sqs": ("ImportWorkerFunction", "no-failures"),
    "webhooks-list": ("WebhooksFunction", 200),
    "dispatcher-stream": ("DispatcherFunction", "dispatched"),
    "deliveries-sqs": ("DeliveryFunction", "no-failures"),
    "freshness-schedule": ("FreshnessFunction", "turned_stale"),
    "lineage-discovered": ("LineageFunction", 200),
}


def sample(name: str) -> dict:
    return json.loads((EVENTS / f"{name}.json").read_text())


def bootstrap_context() -> dict:
    """The authorizer context of every sample API event: the local admin key's (checked below)."""
    return sample("teams-list")["requestContext"]["authorizer"]


@pytest.fixture(scope="module")
def env_file(runtime, tmp_path_factory):
    """events/env.json pointed at this session's runtime (make dev's listens on 3001)."""
    env_vars = json.loads((EVENTS / "env.json").read_text())
    assert env_vars["Parameters"]["AWS_ENDPOINT_URL"] == default_endpoint({})
    env_vars["Parameters"] = {k: v.replace(default_endpoint({}), runtime.moto_url)  # the endpoint, queue URLs
                              for k, v in env_vars["Parameters"].items()}
    path = tmp_path_factory.mktemp("invoke") / "env.json"
    path.write_text(json.dumps(env_vars))
    return str(path)


def clean_env(**extra) -> dict:
    """A developer's shell: none of the runtime's settings, and not inside `make test` (a make
    started from make prints "Entering directory" around the output)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PORT", "ACCORD_LOCAL_AWS_PORT", "ACCORD_ADMIN_KEY", "ACCORD_STATE_DIR",
                        "MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")}
    return {**env, **extra}


def run_invoke(*args, env=None, stdin=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "local.invoke", *args], cwd=ROOT, env=env or clean_env(),
                          input=stdin, capture_output=True, text=True, timeout=timeout)


def api_response(result: dict) -> tuple[int, object]:
    body = result.get("body") or None
    if body and (result.get("headers") or {}).get("Content-Type", "application/json").startswith("application/json"):
        body = json.loads(body)
    return result["statusCode"], body


def events_of(runtime, key: str) -> list[dict]:
    r = requests.get(f"{runtime.url}/api/v1/events", params={"asset_key": key, "limit": 100},
                     headers={"Authorization": f"Bearer {runtime.admin_key}"}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["results"]


def test_every_function_has_a_sample_event_with_an_expectation():
    assert {p.stem for p in SAMPLES} == set(EXPECT)
    template = load_yaml(str(ROOT / "template.yaml"))
    functions = {lid for lid, res in template["Resources"].items() if res["Type"] == "AWS::Serverless::Function"}
    assert {fn for fn, _ in EXPECT.values()} == functions


def test_sample_api_events_carry_the_local_admin_keys_context():
    for path in SAMPLES:
        authorizer = (json.loads(path.read_text()).get("requestContext") or {}).get("authorizer")
        if authorizer is not None:
            assert authorizer == bootstrap_context(), path.name
    assert bootstrap_context()["tenant"] == "default" and bootstrap_context()["platform_admin"] == "true"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_event_through_local_invoke(runtime, env_file, path):
    function, expected = EXPECT[path.stem]
    proc = run_invoke(function, "-e", str(path.relative_to(ROOT)), "--env-vars", env_file)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^START RequestId: \S+ Version: \$LATEST$", proc.stderr, re.M), proc.stderr
    assert re.search(r"^REPORT RequestId: \S+\tDuration: [0-9.]+ ms", proc.stderr, re.M), proc.stderr
    result = json.loads(proc.stdout)

    if isinstance(expected, int):
        status, body = api_response(result)
        assert status == expected, result
    if path.stem == "authorizer-request":
        # the sample key is the bootstrap key of events/env.json: the context the API samples carry
        context = {**result["context"], "principalId": result["principalId"]}
        assert context == bootstrap_context()
        assert [s["Effect"] for s in result["policyDocument"]["Statement"]] == ["Allow"]
    elif path.stem == "worker-sqs":
        assert result == {"batchItemFailures": []}
        # recorded (not rejected): every event of both messages, from the queue
        records = sample("worker-sqs")["Records"]
        sent = [e for r in records for e in (lambda b: b if isinstance(b, list) else [b])(json.loads(r["body"]))]
        got = [e for e in events_of(runtime, "warehouse/orders") if e["source"] == "sqs"
               and e["timestamp"].startswith("2026-01-01")]
        assert sorted(e["type"] for e in got) == sorted(e["type"] for e in sent)
    elif path.stem == "importer-sqs":
        assert result == {"batchItemFailures": []}  # a job that does not exist: nothing to run, nothing to retry
    elif path.stem == "sync-dbt-diff":
        assert body["summary"]["new"] == 1 and body["models"][0]["fqn"] == "shop.main.orders", body
    elif path.stem == "expiry-schedule":
        assert set(result) == {"expired", "jobs_resent"} and all(isinstance(v, int) for v in result.values())
    elif path.stem == "freshness-schedule":
        assert set(result) == {"turned_stale"} and isinstance(result["turned_stale"], int)
    elif path.stem == "dispatcher-stream":
        assert result["events"] == 1 and result["bus_calls"] == 1  # a ping for no webhook: on the bus only
    elif path.stem == "deliveries-sqs":
        assert result == {"batchItemFailures": []}  # a delivery that does not exist: nothing to do
    elif path.stem == "platform-health":
        assert body == {"status": "ok"}
    elif path.stem == "ui-index":  # the web UI's page, naming its content-hashed bundle
        assert body.startswith("<!doctype html>") and re.search(r'src="assets/app-[A-Z0-9]+\.js"', body), body
    elif path.stem == "teams-create":
        # written into the running runtime's state: its API sees the team
        r = requests.get(f"{runtime.url}/api/v1/teams/{body['id']}",
                         headers={"Authorization": f"Bearer {runtime.admin_key}"}, timeout=30)
        assert r.status_code == 200 and r.json()["name"] == json.loads(sample("teams-create")["body"])["name"]
    elif path.stem == "reports-materialization":
        data_version = json.loads(sample("reports-materialization")["body"])["data_version"]
        assert any(e["source"] == "http" and e.get("data_version") == data_version
                   for e in events_of(runtime, "warehouse/orders"))
    elif path.stem in ("teams-list", "assets-list", "contracts-list", "proposals-list", "configuration-list-assets",
                       "webhooks-list"):
        assert isinstance(body, (list, dict))


def test_a_function_error_exits_1_with_lambdas_error_payload_on_stderr(runtime):
    # make dev's environment without --env-vars: the bootstrap key is make dev's admin key, found by
    # ACCORD_ADMIN_KEY, and the emulator by ACCORD_LOCAL_AWS_PORT -- so the sample key is refused
    env = clean_env(ACCORD_LOCAL_AWS_PORT=runtime.moto_url.rsplit(":", 1)[1], ACCORD_ADMIN_KEY=runtime.admin_key)
    proc = subprocess.run(["make", "-s", "invoke", "FN=AuthorizerFunction", "EVENT=events/authorizer-request.json",
                           "ENV_VARS="], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and proc.stdout == ""
    error = json.loads(next(line for line in proc.stderr.splitlines() if line.startswith('{"errorMessage"')))
    assert (error["errorType"], error["errorMessage"]) == ("Exception", "Unauthorized")
    assert proc.stderr.splitlines()[-1].startswith("make: ***")

    # ... and make dev's own key is accepted: the same environment as make dev's authorizer
    event = sample("authorizer-request")
    event["headers"] = {"Authorization": f"Bearer {runtime.admin_key}"}
    proc = run_invoke("AuthorizerFunction", "-e", "-", env=env, stdin=json.dumps(event))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["context"]["key_id"] == "bootstrap"

    proc = run_invoke("WorkerFunction", "-e", "-", env=env, stdin='{"not": "an SQS event"}')
    assert proc.returncode == 1 and proc.stdout == ""
    assert "errorType" in json.loads(proc.stderr.splitlines()[-1])


def test_without_a_running_emulator_it_says_to_start_make_dev(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env_vars = tmp_path / "env.json"
    env_vars.write_text(json.dumps({"Parameters": {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"},
                                    "TeamsFunction": {"NOT_DECLARED": "x"}}))
    proc = run_invoke("TeamsFunction", "-e", "events/teams-list.json", "--env-vars", str(env_vars))
    assert proc.returncode == 2 and proc.stdout == ""
    assert "NOT_DECLARED is not declared for TeamsFunction in the template; ignored (as sam does)" in proc.stderr
    assert f"no AWS emulator answers at http://127.0.0.1:{port}" in proc.stderr and "make dev" in proc.stderr

    proc = run_invoke("NoSuchFunction", "-e", "events/teams-list.json")
    assert proc.returncode == 2 and "one of AuthorizerFunction" in proc.stderr


def test_env_file_is_what_sam_local_invoke_resolves(tmp_path, monkeypatch):
    """aws-sam-cli's own resolution of events/env.json (Docker is only needed past this point): every
    function is pointed at make dev's emulator, the authorizer trusts the samples' key, and
    `python -m local.invoke` gives each function the same variables."""
    assert SAM_PYTHON.exists(), "aws-sam-cli's venv is missing: make .venv-sam/.stamp (make test builds it)"
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "SAM_CLI_TELEMETRY": "0",
             "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    proc = subprocess.run([str(SAM_PYTHON), str(ROOT / "tests" / "support" / "sam_env.py"), "template.yaml",
                           "events/env.json"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    sam = json.loads(proc.stdout)
    template = load_yaml(str(ROOT / "template.yaml"))
    assert set(sam) == {fn for fn, _ in EXPECT.values()}

    sample_key = sample("authorizer-request")["headers"]["Authorization"].removeprefix("Bearer ")
    assert sam["AuthorizerFunction"]["ACCORD_BOOTSTRAP_KEY_SHA256"] == hashlib.sha256(sample_key.encode()).hexdigest()
    for env in sam.values():
        assert env["AWS_ENDPOINT_URL"] == default_endpoint({})

    monkeypatch.delenv("ACCORD_ADMIN_KEY", raising=False)  # no admin key: the template's own default hash
    for function, env in sam.items():
        ours = prepare(function, repo_root=str(ROOT), env_vars_path=str(EVENTS / "env.json"),
                       state_dir=str(tmp_path / "state")).env
        for name in declared_variables(template, function) | {"AWS_REGION", "AWS_DEFAULT_REGION"}:
            assert ours.get(name) == env[name], (function, name)


def test_parameters_and_endpoint_as_sam_and_make_dev_take_them(tmp_path, monkeypatch):
    monkeypatch.setenv("PORT", "4100")
    monkeypatch.delenv("ACCORD_LOCAL_AWS_PORT", raising=False)
    monkeypatch.setenv("ACCORD_ADMIN_KEY", "acc_some_local_key")
    overrides = _parameter_overrides(["LogLevel=DEBUG ParameterKey=AuthCacheSeconds,ParameterValue=0"],
                                     argparse.ArgumentParser())
    prepared = prepare("AuthorizerFunction", repo_root=str(ROOT), parameter_overrides=overrides,
                       state_dir=str(tmp_path))
    assert prepared.endpoint == "http://127.0.0.1:4101" == prepared.env["AWS_ENDPOINT_URL"]
    assert (prepared.env["POWERTOOLS_LOG_LEVEL"], prepared.env["ACCORD_AUTH_CACHE_SECONDS"]) == ("DEBUG", "0")
    assert prepared.env["ACCORD_BOOTSTRAP_KEY_SHA256"] == hashlib.sha256(b"acc_some_local_key").hexdigest()
    monkeypatch.setenv("ACCORD_LOCAL_AWS_PORT", "4555")
    assert prepare("TeamsFunction", repo_root=str(ROOT), state_dir=str(tmp_path)).endpoint == "http://127.0.0.1:4555"


def test_make_dev_try_lines_work_as_printed(runtime):
    text = banner(runtime, 1.0)
    tries = [line.strip() for line in text.split("Try:\n", 1)[1].split("\n\n", 1)[0].splitlines()]
    curls = [t for t in tries if t.startswith("curl ")]
    send = next(t for t in tries if " aws sqs send-message " in f" {t}")
    invoke = next(t for t in tries if "make invoke" in t)
    assert "example" not in send and "--message-attributes" in send
    events_url = next(c for c in curls if "/api/v1/events?" in c)

    def run(line: str) -> str:
        proc = subprocess.run(["bash", "-c", line], cwd=ROOT, env=clean_env(), capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, (line, proc.stderr)
        return proc.stdout

    for curl in curls:
        json.loads(run(curl))  # each answers JSON (curl -s: no error text)
    before = len(json.loads(run(events_url))["results"])
    if shutil.which("aws"):
        assert "MessageId" in run(send)
    else:  # the same call, from the printed arguments
        import boto3
        argv = shlex.split(send.split(" aws ", 1)[1])
        opt = {argv[i]: argv[i + 1] for i in range(2, len(argv) - 1, 2)}
        boto3.client("sqs", region_name=opt["--region"], endpoint_url=opt["--endpoint-url"],
                     aws_access_key_id="testing", aws_secret_access_key="testing").send_message(
            QueueUrl=opt["--queue-url"], MessageBody=opt["--message-body"],
            MessageAttributes=json.loads(opt["--message-attributes"]))
    deadline = time.monotonic() + 60
    while len(json.loads(run(events_url))["results"]) == before:  # recorded by the worker, not rejected
        assert time.monotonic() < deadline, "the printed message was never recorded"
        time.sleep(0.5)

    result = json.loads(run(invoke.split("   #")[0]))
    assert result["statusCode"] == 200
