"""`accord`, the installed command, against the local runtime: every command, every exit code,
`--json` parsed, errors as one sentence, the login file's permissions."""
import json
import os
import stat
import subprocess
import sys

import pytest

from tests.e2e.cli.conftest import V1_SCHEMA

BREAKING_SCHEMA = {**V1_SCHEMA, "properties": {**V1_SCHEMA["properties"], "customer_id": {"type": "integer"}}}
COMPATIBLE_SCHEMA = {**V1_SCHEMA, "properties": {**V1_SCHEMA["properties"], "currency": {"type": "string"}}}
DEAD_URL = "http://127.0.0.1:9"  # discard port: nothing listens


def ok(r) -> str:
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    return r.stdout


def as_json(r):
    return json.loads(ok(r))


def sentence(r, code: int = 2) -> str:
    """An error: exit `code`, one line on stderr, no traceback."""
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and lines[0].endswith("."), r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


def write(tmp_path, name: str, doc) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


# ------------------------------------------------------------------ help, usage
COMMANDS = [["login"], ["logout"], ["teams"], ["mcp"], ["assets", "list"], ["assets", "get"], ["assets", "search"],
            ["assets", "lineage"], ["contract", "get"], ["contract", "check"], ["contract", "publish"],
            ["proposals", "list"], ["proposals", "show"], ["proposals", "ack"], ["report", "materialization"],
            ["report", "observation"], ["report", "check"], ["dbt", "check"]]


def test_help_lists_every_command_and_the_exit_codes(cli):
    out = ok(cli("--help"))
    for name in ("login", "assets", "contract", "proposals", "report", "dbt", "teams", "mcp"):
        assert f"\n    {name} " in out
    assert "exit status:" in out and "1  a check found a breaking change" in out


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_examples(cli, command):
    out = ok(cli(*command, "--help"))
    assert out.startswith(f"usage: accord {' '.join(command)}")
    assert "example" in out


def _imported_by(cli, *args, **env) -> set[str]:
    code = f"import sys; sys.argv = ['accord', *{list(args)!r}]; from accord_cli.cli import main; main()"
    r = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                       env=cli.env(**env))
    return {line.split("|")[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")}


HEAVY = {"rich", "http.client", "ssl", "email", "json", "concurrent", "urllib.request", "mcp", "pydantic", "httpx"}


def test_help_imports_nothing_heavy(cli, world):
    """Cold start is a feature: `--help` loads argparse and our parser, no HTTP, TLS, JSON or rich."""
    assert "argparse" in _imported_by(cli, "--help")
    assert not HEAVY & _imported_by(cli, "--help")
    assert not HEAVY & _imported_by(cli, "dbt", "check", "--help")
    # a --json read needs HTTP and JSON, but never rich (nor the MCP SDK)
    used = _imported_by(cli, "assets", "list", "--json", ACCORD_URL=world.url, ACCORD_API_KEY=world.read_key)
    assert {"http.client", "json"} <= used and not {"rich", "mcp", "pydantic", "concurrent"} & used


def test_usage_errors_exit_2(cli, world):
    r = cli("assets", "frobnicate", url=world.url, key=world.read_key)
    assert r.returncode == 2 and "invalid choice" in r.stderr
    assert cli(url=world.url).returncode == 2                      # no command
    assert cli("assets", url=world.url).returncode == 2            # a group without its subcommand
    r = cli("proposals", "ack", "x", "--approve", "--block", url=world.url, key=world.read_key)
    assert r.returncode == 2 and "not allowed with argument" in r.stderr
    assert cli("report", "check", "a.b", "--check", "c", url=world.url, key=world.read_key).returncode == 2


# ------------------------------------------------------------------ assets, teams
def test_assets_list_search_get_lineage_json(cli, world):
    env = cli.env(world.url, world.read_key)
    listed = as_json(cli("assets", "list", "--json", env=env))
    assert "warehouse.sales.orders" in [a["fqn"] for a in listed]
    filtered = as_json(cli("--json", "assets", "list", "--fqn", "warehouse.sales.orders", "--owner", "data platform", env=env))
    assert [a["id"] for a in filtered] == [world.orders["id"]]
    assert as_json(cli("assets", "list", "--owner", "Analytics", "--json", env=env)) == []
    assert as_json(cli("assets", "list", "--fqn", "nothing.here", "--json", env=env)) == []
    assert [a["id"] for a in as_json(cli("assets", "search", "ord", "--json", env=env))] == [world.orders["id"]]
    by_fqn = as_json(cli("assets", "get", "warehouse.sales.orders", "--json", env=env))
    by_id = as_json(cli("assets", "get", world.orders["id"], "--json", env=env))
    assert by_fqn == by_id and by_fqn["active_contract_version"] == "1.0.0"
    status = as_json(cli("assets", "get", "warehouse.sales.orders", "--status", "--json", env=env))
    assert status["freshness"]["status"] == "unknown"
    lineage = as_json(cli("assets", "lineage", "warehouse.sales.orders", "--json", env=env))
    assert lineage["upstream"] == [] and lineage["downstream"] == []


def test_assets_for_people(cli, world):
    env = cli.env(world.url, world.read_key)
    out = ok(cli("assets", "list", env=env))
    assert "warehouse.sales.orders" in out and "Data Platform" in out and "1.0.0" in out
    assert "fqn:" in ok(cli("assets", "get", "warehouse.sales.orders", env=env))
    assert "No asset matches 'zzz'." in ok(cli("assets", "search", "zzz", env=env))
    teams = as_json(cli("teams", "--json", env=env))
    assert sorted(t["name"] for t in teams) == ["Analytics", "Data Platform"]


def test_an_fqn_in_several_environments_needs_one(cli, world):
    world.asset("warehouse.sales.returns", environment="production")
    world.asset("warehouse.sales.returns", environment="staging")
    env = cli.env(world.url, world.read_key)
    assert "pass --environment" in sentence(cli("assets", "get", "warehouse.sales.returns", env=env))
    got = as_json(cli("assets", "get", "warehouse.sales.returns", "-e", "staging", "--json", env=env))
    assert got["environment"] == "staging"
    assert "No asset 'warehouse.sales.nope'" in sentence(cli("assets", "get", "warehouse.sales.nope", env=env))


# ------------------------------------------------------------------ contract
def test_contract_get(cli, world):
    env = cli.env(world.url, world.read_key)
    c = as_json(cli("contract", "get", "warehouse.sales.orders", "--json", env=env))
    assert c["version"] == "1.0.0" and c["schema"] == V1_SCHEMA
    assert as_json(cli("contract", "get", "warehouse.sales.orders", "--version", "1.0.0", "--json", env=env)) == c
    out = ok(cli("contract", "get", "warehouse.sales.orders", env=env))
    assert "order_id" in out and "integer" in out and "yes" in out
    assert "no contract version 9.9.9" in sentence(cli("contract", "get", "warehouse.sales.orders", "--version", "9.9.9", env=env))


def test_contract_check_exit_codes(cli, world, tmp_path):
    env = cli.env(world.url, world.read_key)
    compatible = cli("contract", "check", "warehouse.sales.orders", write(tmp_path, "ok.json", COMPATIBLE_SCHEMA), env=env)
    assert compatible.returncode == 0, compatible.stderr
    assert "compatible" in compatible.stdout and "$.properties.currency" in compatible.stdout

    breaking = cli("contract", "check", "warehouse.sales.orders", write(tmp_path, "bad.json", BREAKING_SCHEMA), env=env)
    assert breaking.returncode == 1, breaking.stderr
    assert "BREAKING" in breaking.stdout and "$.properties.customer_id" in breaking.stdout
    assert "Affected consumers: Analytics." in breaking.stdout

    # --json, the schema on stdin, a contract document (as `contract get --json` prints it) accepted
    r = cli("contract", "check", "warehouse.sales.orders", "-", "--json", env=env,
            input=json.dumps({"schema": BREAKING_SCHEMA, "version": "x"}))
    assert r.returncode == 1
    impact = json.loads(r.stdout)
    assert impact["is_breaking"] is True and [c["path"] for c in impact["breaking_changes"]] == ["$.properties.customer_id"]

    # nothing was published
    assert as_json(cli("contract", "get", "warehouse.sales.orders", "--json", env=env))["version"] == "1.0.0"


def test_contract_check_bad_inputs_are_sentences(cli, world, tmp_path):
    env = cli.env(world.url, world.read_key)
    assert "Cannot read the schema file" in sentence(cli("contract", "check", "warehouse.sales.orders", tmp_path / "none.json", env=env))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert "is not JSON" in sentence(cli("contract", "check", "warehouse.sales.orders", bad, env=env))
    arr = write(tmp_path, "arr.json", [1, 2])
    assert "must hold a JSON object" in sentence(cli("contract", "check", "warehouse.sales.orders", arr, env=env))
    invalid = write(tmp_path, "invalid.json", {"type": "object", "properties": {"a": {"type": "nonsense"}}})
    assert "(HTTP 4" in sentence(cli("contract", "check", "warehouse.sales.orders", invalid, env=env))


def test_contract_publish_compatible_then_breaking_makes_a_proposal(cli, world, tmp_path):
    asset = world.asset("warehouse.sales.items", V1_SCHEMA)
    world.register(asset)
    env = cli.env(world.url, world.producer_key)
    dry = as_json(cli("contract", "publish", "warehouse.sales.items", write(tmp_path, "c.json", COMPATIBLE_SCHEMA),
                      "--dry-run", "--json", env=env))
    assert dry["action"] != "published"
    out = ok(cli("contract", "publish", "warehouse.sales.items", tmp_path / "c.json", env=env))
    assert "published version 1.1.0" in out
    assert "unchanged" in ok(cli("contract", "publish", "warehouse.sales.items", tmp_path / "c.json", env=env))
    result = as_json(cli("contract", "publish", "warehouse.sales.items", write(tmp_path, "b.json", BREAKING_SCHEMA),
                         "--json", env=env))
    assert result["action"] == "proposal_created" and result["proposal"]["id"]
    # a read-only key may not publish: the server's 403, as a sentence
    assert "(HTTP 403)" in sentence(cli("contract", "publish", "warehouse.sales.items", tmp_path / "b.json",
                                        url=world.url, key=world.read_key))


# ------------------------------------------------------------------ proposals
def _server_has_me(world) -> bool:
    return world.admin("GET", "/api/v1/me").status_code == 200


def test_proposals_list_show_ack(cli, world, tmp_path):
    asset = world.asset("warehouse.sales.refunds", V1_SCHEMA)
    world.register(asset)
    r = world.admin("POST", f"/api/v1/assets/{asset['id']}/contracts", json={"schema": BREAKING_SCHEMA})
    proposal = r.json()["proposal"]["id"]
    env = cli.env(world.url, world.consumer_key)

    pending = as_json(cli("proposals", "list", "--pending-for", "Analytics", "--json", env=env))
    assert proposal in [p["id"] for p in pending]
    assert proposal not in [p["id"] for p in as_json(cli("proposals", "list", "--pending-for", "data platform", "--json", env=env))]
    assert proposal in [p["id"] for p in as_json(cli("proposals", "list", "--asset", "warehouse.sales.refunds", "--json", env=env))]
    assert "Analytics" in ok(cli("proposals", "list", "--status", "pending", env=env))
    shown = as_json(cli("proposals", "show", proposal, "--json", env=env))
    assert [t["team_name"] for t in shown["pending_consumers"]] == ["Analytics"]
    assert "$.properties.customer_id" in ok(cli("proposals", "show", proposal, env=env))

    # the producer's key may not answer for Analytics: the server says so
    assert "(HTTP 403)" in sentence(cli("proposals", "ack", proposal, "--approve", "--team", "Analytics",
                                        url=world.url, key=world.producer_key))
    if _server_has_me(world):  # the key's own team, from GET /api/v1/me
        out = ok(cli("proposals", "ack", proposal, "--migrating", "--notes", "casting", env=env))
    else:
        assert "pass --team" in sentence(cli("proposals", "ack", proposal, "--migrating", env=env))
        out = ok(cli("proposals", "ack", proposal, "--migrating", "--team", "Analytics", "--notes", "casting", env=env))
    assert "Analytics answered migrating" in out
    assert as_json(cli("proposals", "list", "--pending-for", "Analytics", "--json", env=env)) == [
        p for p in pending if p["id"] != proposal]
    shown = as_json(cli("proposals", "show", proposal, "--json", env=env))
    assert shown["proposal"]["lifecycle_status"] == "approved"
    assert [(a["team_name"], a["response"], a["notes"]) for a in shown["acknowledged_consumers"]] == [
        ("Analytics", "migrating", "casting")]
    assert "already acknowledged" in sentence(cli("proposals", "ack", proposal, "--approve", "--team", "Analytics", env=env))
    assert "--pending-for lists pending" in sentence(cli("proposals", "list", "--pending-for", "Analytics",
                                                         "--status", "approved", env=env))
    assert "No team named 'Nobody'" in sentence(cli("proposals", "list", "--pending-for", "Nobody", env=env))


# ------------------------------------------------------------------ report
def test_reports_reach_the_asset_status(cli, world):
    env = cli.env(world.url, world.producer_key)
    assert "Reported the materialization" in ok(cli("report", "materialization", "warehouse.sales.orders",
                                                   "-m", "rows=1200", "-m", "source=nightly", "--partition", "2024-06-01", env=env))
    as_json(cli("report", "observation", "warehouse/sales/orders", "-m", '{"dagster/row_count": 1201}', "--json", env=env))
    r = as_json(cli("report", "check", "warehouse.sales.orders", "--check", "not_null_order_id", "--failed",
                    "--severity", "WARN", "--json", env=env))
    assert r["asset_key"] == ["warehouse", "sales", "orders"]
    status = world.admin("GET", f"/api/v1/assets/{world.orders['id']}/status").json()
    assert status["last_materialization"]["metadata"] == {"rows": 1200, "source": "nightly"}
    assert status["last_materialization"]["partition"] == "2024-06-01"
    assert status["last_observation"]["metadata"] == {"dagster/row_count": 1201}
    assert status["checks"]["not_null_order_id"]["status"] == "failed"
    assert "KEY=VALUE" in sentence(cli("report", "materialization", "warehouse.sales.orders", "-m", "rows", env=env))
    assert "not an asset key" in sentence(cli("report", "materialization", "a..b", env=env))


def test_reports_go_to_the_reports_url(cli, world):
    """A deployment without a custom domain has one URL per API: ACCORD_REPORTS_URL is used for
    reports (dead here, so the report fails), ACCORD_URL for the rest."""
    env = cli.env(world.url, world.producer_key, ACCORD_REPORTS_URL=DEAD_URL)
    assert "Cannot reach Accord at http://127.0.0.1:9" in sentence(cli("report", "materialization", "warehouse.sales.orders", env=env))
    ok(cli("assets", "get", "warehouse.sales.orders", env=env))


# ------------------------------------------------------------------ errors
def test_connection_and_auth_errors_are_one_sentence(cli, world):
    assert "Cannot reach Accord at http://127.0.0.1:9: connection refused" in sentence(
        cli("assets", "list", url=DEAD_URL, key=world.read_key))
    assert "Cannot reach Accord at http://no-such-host.invalid: " in sentence(
        cli("assets", "list", url="http://no-such-host.invalid", key=world.read_key))
    refused = sentence(cli("assets", "list", url=world.url, key="acc_nope_nope"))
    assert "(HTTP 401)" in refused and "accord login" in refused
    assert "No Accord URL" in sentence(cli("assets", "list", key=world.read_key))
    assert "No API key" in sentence(cli("assets", "list", url=world.url))
    assert "not an http(s) URL" in sentence(cli("assets", "list", url="ftp://x", key=world.read_key))


def test_debug_shows_the_requests_and_the_traceback(cli, world):
    r = cli("assets", "get", "warehouse.sales.nope", "--debug", url=world.url, key=world.read_key)
    assert r.returncode == 2
    assert "Traceback" in r.stderr and "GET http://" in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("error: No asset")


def test_an_unexpected_error_is_a_sentence_too(cli, world, tmp_path):
    """A bug of ours (here: a server answering something that is not Accord) still ends in one
    sentence and exit 2, the traceback only with --debug."""
    import http.server
    import threading

    class NotAccord(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'{"unexpected": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotAccord)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        line = sentence(cli("assets", "list", url=url, key="k"))
        assert line.startswith("error: unexpected ") and "--debug" in line
        assert "Traceback" in cli("assets", "list", "--debug", url=url, key="k").stderr
    finally:
        server.shutdown()


def test_a_proxy_from_the_environment_is_used(cli, world):
    """http_proxy/https_proxy (and no_proxy) are honoured: requests go through a CONNECT tunnel."""
    import socket
    import threading

    seen = []
    listener = socket.create_server(("127.0.0.1", 0))

    def pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            b.close()

    def serve():
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            head = b""
            while b"\r\n\r\n" not in head:
                head += client.recv(4096)
            target = head.split(b" ")[1].decode()
            seen.append(target)
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    proxy = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        env = cli.env(world.url, world.read_key, http_proxy=proxy)
        assert "warehouse.sales.orders" in [a["fqn"] for a in as_json(cli("assets", "list", "--json", env=env))]
        assert seen == [world.url.split("//")[1]]
        ok(cli("assets", "list", "--json", env={**env, "no_proxy": "127.0.0.1"}))
        assert len(seen) == 1  # bypassed
    finally:
        listener.close()


# ------------------------------------------------------------------ login
def test_login_verifies_the_key_and_writes_a_private_file(cli, world, tmp_path):
    cfg = tmp_path / "conf" / "accord.json"
    base = cli.env(ACCORD_CONFIG=str(cfg))
    # a refused key writes nothing
    bad = cli("login", "--url", world.url, "--api-key-stdin", input="acc_bad_key\n", env=base)
    assert "(HTTP 401)" in sentence(bad) and not cfg.exists()
    # stdin is not a terminal: no prompt, a sentence
    assert "--api-key-stdin" in sentence(cli("login", "--url", world.url, input="", env=base))

    out = ok(cli("login", "--url", world.url, "--api-key-stdin", input=world.read_key + "\n", env=base))
    assert f"Saved to {cfg}" in out
    assert stat.S_IMODE(os.stat(cfg).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(cfg.parent).st_mode) == 0o700
    assert json.loads(cfg.read_text()) == {"url": world.url, "api_key": world.read_key}
    if _server_has_me(world):
        assert "as k (tenant" in out

    # the file is used when nothing else is given; the environment wins over it; flags win over both
    assert "warehouse.sales.orders" in [a["fqn"] for a in as_json(cli("assets", "list", "--json", env=base))]
    assert "(HTTP 401)" in sentence(cli("assets", "list", env={**base, "ACCORD_API_KEY": "acc_env_bad"}))
    assert "(HTTP 401)" in sentence(cli("assets", "list", "--api-key", "acc_flag_bad", env=base))
    ok(cli("assets", "list", "--api-key", world.read_key, env={**base, "ACCORD_API_KEY": "acc_env_bad"}))
    assert "Cannot reach" in sentence(cli("assets", "list", "--url", DEAD_URL, env=base))

    # login again over an existing file keeps it private; logout removes it
    ok(cli("login", "--url", world.url, "--api-key", world.consumer_key, "--json", env=base))
    assert stat.S_IMODE(os.stat(cfg).st_mode) == 0o600 and json.loads(cfg.read_text())["api_key"] == world.consumer_key
    assert "Removed" in ok(cli("logout", env=base)) and not cfg.exists()
    assert "Not logged in" in ok(cli("logout", env=base))


def test_login_default_path_is_under_the_users_config_dir(cli, world, tmp_path):
    home = tmp_path / "home"
    env = {**cli.env(), "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    ok(cli("login", "--url", world.url, "--api-key", world.read_key, env=env))
    path = home / ".config" / "accord" / "config.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_broken_config_file_is_a_sentence(cli, world, tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text("{broken")
    assert "Cannot read the config file" in sentence(cli("assets", "list", env=cli.env(ACCORD_CONFIG=str(cfg))))


def test_mcp_without_the_sdk_says_how_to_install_it(cli, world):
    code = "import sys; sys.modules['mcp'] = None; from accord_cli.cli import main; sys.exit(main(['mcp']))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=cli.env(world.url, world.read_key))
    assert "pip install 'accord-cli[mcp]'" in sentence(r)
