"""`python -m local.invoke` (what `make invoke` runs): one function, one event, like `sam local
invoke` but without Docker, against the state of a running `make dev`.

    python -m local.invoke TeamsFunction -e events/teams-list.json --env-vars events/env.json

The function runs in the worker process `make dev` uses (local/workers.py): its CodeUri and
layers on the path, the template's environment (as `make dev` resolves it, bootstrap key hash
included), the template's timeout. Its output goes to stderr, framed by Lambda's START/END/REPORT
lines; the result goes to stdout as JSON. Exit status: 0 = the function returned, 1 = it failed
(Lambda's error payload on stderr), 2 = it could not be run (bad arguments, no emulator).

The AWS endpoint is `make dev`'s emulator: AWS_ENDPOINT_URL from --env-vars if the file sets it,
else http://127.0.0.1:<ACCORD_LOCAL_AWS_PORT, or PORT + 1> -- where `make dev` puts it. Nothing
is started here: without a running emulator the command fails and says so (the state file
belongs to `make dev`, which saves it; two writers of it would lose data).

--env-vars follows sam's format and rules: {"Parameters": {VAR: value}} for every function,
{"<LogicalId>": {VAR: value}} for one (it wins), and only variables the template declares for the
function are set -- sam ignores the others, and so do we (with a warning), so a file that works
here works with `sam local invoke`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import sys
import time
import uuid
from typing import Any, Mapping

from .cfn import REGION, Model, load_model, load_yaml
from .runtime import LocalRuntime, default_aws_port
from .state import ADMIN_KEY_FILE
from .workers import FunctionPool, WorkerStartError

EXIT_FUNCTION_ERROR = 1
EXIT_CANNOT_RUN = 2
DEFAULT_API_PORT = 3000
ENV_VARS_FILE = "env.json"  # events/env.json: sam's --env-vars file for a local `make dev`


class CannotRun(Exception):
    """The invocation could not happen (exit 2): the message says what to do."""


# -- the env-vars file (sam's format) ---------------------------------------------------------
def read_env_vars(path: str) -> dict[str, dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise CannotRun(f"--env-vars {path}: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise CannotRun(
            f"--env-vars {path}: expected {{\"Parameters\": {{VAR: value}}, \"<LogicalId>\": {{VAR: value}}}}"
        )
    return data


def env_overrides(env_vars: dict[str, dict[str, Any]], function_id: str) -> dict[str, Any]:
    """sam's precedence: the function's own section over "Parameters"."""
    out = dict(env_vars.get("Parameters") or {})
    out.update(env_vars.get(function_id) or {})
    return out


def _sam_string(value: Any) -> str:
    """How sam turns an env-vars value into a string (lists, maps and null become "")."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None or isinstance(value, (dict, list, tuple)):
        return ""
    return str(value)


def declared_variables(template: dict, function_id: str) -> set[str]:
    """The environment variables the template declares for a function (Globals included, whatever
    their value -- `!Ref AWS::NoValue` too): the ones sam lets --env-vars override."""
    def names(props: dict) -> set[str]:
        variables = ((props or {}).get("Environment") or {}).get("Variables") or {}
        return set(variables) if isinstance(variables, dict) else set()

    glob = ((template.get("Globals") or {}).get("Function")) or {}
    props = ((template.get("Resources") or {}).get(function_id) or {}).get("Properties") or {}
    return names(glob) | names(props)


# -- where make dev is --------------------------------------------------------------------------
def default_endpoint(environ: Mapping[str, str] = os.environ) -> str:
    """`make dev`'s AWS emulator, by the rule it binds it with (local.runtime.default_aws_port)."""
    try:
        port = default_aws_port(int(environ.get("PORT") or DEFAULT_API_PORT), environ)
    except ValueError as exc:
        raise CannotRun(f"PORT / ACCORD_LOCAL_AWS_PORT: {exc}") from None
    if not port:
        raise CannotRun(
            "with PORT=0 `make dev` puts its AWS emulator on a random port: pass --env-vars with "
            "AWS_ENDPOINT_URL set to the 'AWS emulator' URL it prints"
        )
    return f"http://127.0.0.1:{port}"


def check_endpoint(endpoint: str, table_names: list[str], source: str) -> None:
    """Fail unless an AWS emulator answers at `endpoint` and holds the template's tables."""
    import botocore.session
    from botocore.config import Config

    from .emulator import CREDENTIALS

    ddb = botocore.session.get_session().create_client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        config=Config(connect_timeout=1, read_timeout=5, retries={"max_attempts": 1}),
        **CREDENTIALS,
    )
    hint = (
        "Start `make dev` in another terminal (its AWS emulator listens on PORT + 1 = 3001 by default, "
        "or on ACCORD_LOCAL_AWS_PORT), or set AWS_ENDPOINT_URL in the --env-vars file to the "
        "'AWS emulator' URL `make dev` prints."
    )
    try:
        listed = set(ddb.list_tables()["TableNames"])
    except Exception as exc:  # noqa: BLE001 - any failure means: nothing usable there
        raise CannotRun(f"no AWS emulator answers at {endpoint} ({source}): {exc}\n{hint}") from None
    missing = [t for t in table_names if t not in listed]
    if missing:
        raise CannotRun(
            f"the AWS emulator at {endpoint} ({source}) has no table {', '.join(missing)}: "
            f"is it `make dev` running this template?\n{hint}"
        )


# -- sample events (events/*.json), for make dev's banner -----------------------------------------
def _sample_files(repo_root: str) -> list[str]:
    directory = os.path.join(repo_root, "events")
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(".json") and n != ENV_VARS_FILE)
    except OSError:
        return []
    return [os.path.join(directory, n) for n in names]


def _load(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def sample_sqs_message(repo_root: str, queue_name: str) -> tuple[str, dict | None] | None:
    """(body, message attributes in the AWS CLI's form) of the first record of a sample SQS event
    for `queue_name` -- a message the tests prove its consumer accepts -- or None."""
    for path in _sample_files(repo_root):
        event = _load(path)
        records = event.get("Records") if isinstance(event, dict) else None
        if not isinstance(records, list) or not records or not isinstance(records[0], dict):
            continue
        record = records[0]
        if record.get("eventSource") != "aws:sqs" or not str(record.get("eventSourceARN", "")).endswith(
            f":{queue_name}"
        ):
            continue
        attributes = {}
        for name, attr in (record.get("messageAttributes") or {}).items():
            if isinstance(attr, dict) and "stringValue" in attr:
                attributes[name] = {"DataType": attr.get("dataType", "String"), "StringValue": attr["stringValue"]}
        return str(record.get("body", "")), attributes or None
    return None


def sample_env_endpoint(repo_root: str) -> str | None:
    """The AWS_ENDPOINT_URL events/env.json gives every function, if any."""
    env_vars = _load(os.path.join(repo_root, "events", ENV_VARS_FILE))
    params = env_vars.get("Parameters") if isinstance(env_vars, dict) else None
    return params.get("AWS_ENDPOINT_URL") if isinstance(params, dict) else None


def sample_api_event(repo_root: str, model: Model, method: str, path: str) -> tuple[str, str] | None:
    """(function logical id, events/<file>) of a sample API event for `method path`, or None."""
    functions = [
        lid for lid, fn in model.functions.items()
        if any(e.path == path and e.method in (method, "ANY") for e in fn.api_events)
    ]
    if not functions:
        return None
    for sample in _sample_files(repo_root):
        event = _load(sample)
        if (isinstance(event, dict) and "methodArn" not in event  # not an authorizer's event
                and event.get("httpMethod") == method and event.get("path") == path):
            return functions[0], os.path.relpath(sample, repo_root)
    return None


# -- the invocation -----------------------------------------------------------------------------
def read_event(path: str | None) -> Any:
    if path is None:
        return {}
    try:
        if path == "-":
            return json.load(sys.stdin)
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise CannotRun(f"--event {path}: {exc}") from None


def admin_key(state_dir: str) -> str | None:
    """`make dev`'s bootstrap key: ACCORD_ADMIN_KEY, else the one it generated in the state dir."""
    configured = os.environ.get("ACCORD_ADMIN_KEY")
    if configured:
        return configured
    try:
        with open(os.path.join(state_dir, ADMIN_KEY_FILE), encoding="utf-8") as fh:
            return fh.read().strip() or None
    except OSError:
        return None


class Prepared:
    """Everything an invocation needs, resolved before any process starts."""

    def __init__(self, repo_root: str, model: Model, function_id: str, env: dict[str, str],
                 endpoint: str, endpoint_source: str, warnings: list[str]):
        self.repo_root = repo_root
        self.model = model
        self.function = model.functions[function_id]
        self.env = env
        self.endpoint = endpoint
        self.endpoint_source = endpoint_source
        self.warnings = warnings


def prepare(
    function_id: str | None,
    *,
    repo_root: str,
    template: str = "template.yaml",
    env_vars_path: str | None = None,
    parameter_overrides: dict[str, str] | None = None,
    state_dir: str | None = None,
    region: str | None = None,
) -> Prepared:
    template_path = os.path.join(repo_root, template)
    try:
        raw = load_yaml(template_path)
    except Exception as exc:  # noqa: BLE001 - missing, unreadable or not YAML: all say the same
        raise CannotRun(f"template {template_path}: {exc}") from None
    functions = [
        lid for lid, res in (raw.get("Resources") or {}).items()
        if isinstance(res, dict) and res.get("Type") == "AWS::Serverless::Function"
    ]
    if function_id is None:
        if len(functions) != 1:
            raise CannotRun(f"name the function to invoke: one of {', '.join(functions)}")
        function_id = functions[0]
    if function_id not in functions:
        raise CannotRun(f"no function {function_id!r} in {template}: one of {', '.join(functions)}")

    env_vars = read_env_vars(env_vars_path) if env_vars_path else {}
    overrides = env_overrides(env_vars, function_id)
    declared = declared_variables(raw, function_id)
    warnings = [
        f"--env-vars: {name} is not declared for {function_id} in the template; ignored (as sam does)"
        for name in sorted(set(overrides) - declared)
    ]
    applied = {k: _sam_string(v) for k, v in overrides.items() if k in declared}
    if applied.get("AWS_ENDPOINT_URL"):
        endpoint, source = applied["AWS_ENDPOINT_URL"], f"AWS_ENDPOINT_URL in {env_vars_path}"
    else:
        endpoint, source = default_endpoint(), "make dev's default: PORT + 1, or ACCORD_LOCAL_AWS_PORT"

    # The template as `make dev` resolves it, bootstrap key hash included.
    state_dir = os.path.abspath(
        state_dir or os.environ.get("ACCORD_STATE_DIR") or os.path.join(repo_root, ".accord-local")
    )
    params = dict(parameter_overrides or {})
    key = admin_key(state_dir)
    boot = "BootstrapAdminKeySha256"
    if key and boot in (raw.get("Parameters") or {}) and boot not in params:
        params[boot] = hashlib.sha256(key.encode()).hexdigest()
    try:
        model = load_model(template_path, params, moto_url=endpoint)
    except Exception as exc:  # noqa: BLE001 - a template the runtime cannot read either
        raise CannotRun(f"template {template_path}: {exc}") from None
    if function_id not in model.functions:
        raise CannotRun(f"{function_id} is not active with these parameters (its Condition is false)")

    # The worker environment `make dev` gives the function (the runtime's own method, on a runtime
    # that is never started), then the file's values (sam's rule).
    rt = LocalRuntime(repo_root=repo_root, template=template, state_dir=state_dir)
    rt.moto_url = endpoint
    env = rt._function_env(model.functions[function_id])
    env.update(applied)
    if region:
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = region
    return Prepared(repo_root, model, function_id, env, endpoint, source, warnings)


class Invocation:
    """One fresh worker for one invocation. It starts importing the handler at once, so that
    overlaps with whatever the caller checks meanwhile (the endpoint)."""

    def __init__(self, prepared: Prepared, log: Any = None):
        self.function = prepared.function
        self.log = log or sys.stderr
        self.request_id = str(uuid.uuid4())
        self.started = time.perf_counter()
        self.pool = FunctionPool(self.function, prepared.env, cwd=prepared.repo_root, max_workers=1,
                                 log_sink=lambda _fid, line: self._write(line))
        self.pool.start(1)

    def _write(self, text: str) -> None:
        self.log.write(text + "\n")
        self.log.flush()

    def run(self, event: Any) -> tuple[bool, Any]:
        """(True, result) or (False, Lambda's error payload); the worker is stopped after."""
        rid = self.request_id
        try:
            try:
                self.pool.wait_ready(self.pool.init_timeout)
            except WorkerStartError as exc:
                return False, {"errorType": "Runtime.InitError", "errorMessage": str(exc), "requestId": rid}
            init_ms = (time.perf_counter() - self.started) * 1000
            self._write(f"START RequestId: {rid} Version: $LATEST")
            result = self.pool.invoke(event, rid)
        finally:
            self.close()
        self._write(
            f"END RequestId: {rid}\nREPORT RequestId: {rid}\tDuration: {result.duration_ms:.2f} ms\t"
            f"Memory Size: {self.function.memory} MB\tInit Duration: {init_ms:.2f} ms"
        )
        return (True, result.payload) if result.ok else (False, result.error or {})

    def close(self) -> None:
        for worker in self.pool.stop(wait=True):
            worker._reader.join(timeout=2)  # every line it printed is out before the verdict


def _parameter_overrides(values: list[str], parser: argparse.ArgumentParser) -> dict[str, str]:
    """sam's syntax: 'Key=Value Key2=Value2' or 'ParameterKey=Key,ParameterValue=Value ...'."""
    out = {}
    for item in (token for value in values for token in shlex.split(value)):
        if item.startswith("ParameterKey="):
            key, sep, value = item.removeprefix("ParameterKey=").partition(",ParameterValue=")
        else:
            key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--parameter-overrides: expected Key=Value, got {item!r}")
        out[key] = value
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m local.invoke",
        description="Invoke one function of the template once, like `sam local invoke`, without Docker, "
        "against a running `make dev`.",
    )
    parser.add_argument("function", nargs="?", help="the function's logical id (optional if there is only one)")
    parser.add_argument("-e", "--event", help="event JSON file; '-' reads stdin; default {}")
    parser.add_argument("-n", "--env-vars",
                        help='sam\'s environment file: {"Parameters": {...}, "<LogicalId>": {...}}')
    parser.add_argument("-t", "--template", default="template.yaml", help="relative to --repo-root")
    parser.add_argument("--parameter-overrides", action="append", default=[], metavar="'KEY=VALUE ...'",
                        help="template parameters, as sam takes them")
    parser.add_argument("--region", help="AWS_REGION of the function (make dev's resources live in us-east-1)")
    parser.add_argument("--docker-network", help="accepted for sam's command lines; no container here")
    parser.add_argument("--repo-root", default=os.getcwd())
    parser.add_argument("--state-dir", default=os.environ.get("ACCORD_STATE_DIR"),
                        help="make dev's state dir (its admin key); default .accord-local/")
    args = parser.parse_args(argv)
    try:
        prepared = prepare(
            args.function,
            repo_root=os.path.abspath(args.repo_root),
            template=args.template,
            env_vars_path=args.env_vars,
            parameter_overrides=_parameter_overrides(args.parameter_overrides, parser),
            state_dir=args.state_dir,
            region=args.region,
        )
        for warning in prepared.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        event = read_event(args.event)
    except CannotRun as exc:
        print(f"accord-local invoke: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    fn = prepared.function
    print(f"Invoking {fn.logical_id} ({fn.handler}, {fn.runtime}) against {prepared.endpoint} "
          f"({prepared.endpoint_source})", file=sys.stderr)
    invocation = Invocation(prepared)
    try:
        check_endpoint(prepared.endpoint, [t.name for t in prepared.model.tables.values()],
                       prepared.endpoint_source)
    except CannotRun as exc:
        invocation.close()
        print(f"accord-local invoke: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    ok, out = invocation.run(event)
    if not ok:
        sys.stderr.write(json.dumps(out) + "\n")
        return EXIT_FUNCTION_ERROR
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
