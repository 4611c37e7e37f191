"""`accord dbt check` and the GitHub Action's check step, against the local runtime.

The registered contracts are published from the layer's own mapping (`accord.ingest.dbt_schema`,
the file the client ships), as the dbt import will publish them."""
import gzip
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from accord.ingest import dbt_schema
from tests.e2e.cli.conftest import World
from tests.support import dbt_manifest as dm
from tests.support.cli import ROOT

ACTION = ROOT / "clients" / "github-action"


@pytest.fixture(scope="module")
def project(runtime, admin, tmp_path_factory):
    """A 6-model project + a source: models 0-3 and the source registered with contracts from the
    mapping, model 4 registered without a contract, model 5 not registered; Analytics consumes
    model 0. v2 is a pull request: model 0 loses a column (breaks Analytics), model 1 changes a
    type (breaks, nobody registered), model 2 gains a column (compatible)."""
    w = World(runtime, admin)
    m1 = dm.manifest(models=6)
    nodes = {uid: (fqn, schema) for uid, _, fqn, schema, _ in dbt_schema.contract_nodes(m1)}
    w.assets = {}
    for uid, (fqn, schema) in nodes.items():
        if uid == dm.model_uid(5):
            continue
        w.assets[uid] = w.asset(fqn, None if uid == dm.model_uid(4) else schema)
    w.register(w.assets[dm.model_uid(0)])
    folder = tmp_path_factory.mktemp("dbt")
    w.v1 = folder / "v1.json"
    w.v1.write_text(json.dumps(m1))
    w.v2 = folder / "v2.json"
    w.v2.write_text(json.dumps(dm.changed(m1, drop={0: "col_1"}, retype={1: ("id", "varchar")},
                                          add={2: ("extra", "integer")})))
    w.v3 = folder / "v3.json"  # breaking only where nobody is registered
    w.v3.write_text(json.dumps(dm.changed(m1, retype={1: ("id", "varchar")})))
    return w


def run_check(cli, w, manifest, *args, **extra):
    return cli("dbt", "check", manifest, *args, url=w.url, key=w.read_key, **extra)


def test_an_unchanged_project_passes_with_few_requests(cli, project):
    r = run_check(cli, project, project.v1, "--json")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["counts"] == {"unchanged": 5, "compatible": 0, "breaking": 0, "not_registered": 1, "no_contract": 1}
    statuses = {m["unique_id"]: m["status"] for m in result["models"]}
    assert statuses[dm.model_uid(5)] == "not_registered" and statuses[dm.model_uid(4)] == "no_contract"
    assert statuses["source.shop.raw.customers"] == "unchanged"
    # one asset list per schema (main, raw) + one page of active contracts; no impact request
    assert result["requests"] == 3 and result["failed"] is False


def test_a_breaking_change_for_a_registered_consumer_fails(cli, project, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    r = run_check(cli, project, project.v2, GITHUB_STEP_SUMMARY=str(summary), GITHUB_ACTIONS="true")
    assert r.returncode == 1, r.stderr
    md = summary.read_text()
    assert md.startswith("earlier step\n## Accord contract check: ❌ 1 model with breaking changes for registered consumers")
    assert "| `model.shop.model_0000` | `analytics.main.model_0000` (1.0.0) | `$.properties.col_1`: Property 'col_1' was removed" in md
    assert "| Analytics |" in md
    assert "`model.shop.model_0001`" in md and "none: publishes as a new major version" in md
    assert "### Compatible changes" in md and "`$.properties.extra`" in md
    assert "1 model not registered in Accord" in md and "1 model registered without a contract" in md
    # stdout: the same summary, then annotations on the YAML that declares each model
    assert r.stdout.startswith("## Accord contract check: ❌")
    errors = [line for line in r.stdout.splitlines() if line.startswith("::error ")]
    warnings = [line for line in r.stdout.splitlines() if line.startswith("::warning ")]
    assert errors == ["::error file=models/main/schema.yml,title=Breaking change in model.shop.model_0000::"
                      "analytics.main.model_0000: Property 'col_1' was removed (breaks: consumers select this column); "
                      "registered consumers: Analytics"]
    assert len(warnings) == 1 and "model.shop.model_0001" in warnings[0]

    result = json.loads(run_check(cli, project, project.v2, "--json").stdout)
    assert result["counts"] == {"unchanged": 2, "compatible": 1, "breaking": 2, "not_registered": 1, "no_contract": 1}
    by_id = {m["unique_id"]: m for m in result["models"]}
    assert by_id[dm.model_uid(0)]["consumers"] == ["Analytics"]
    assert [c["path"] for c in by_id[dm.model_uid(0)]["changes"] if c["breaking"]] == ["$.properties.col_1"]
    assert by_id[dm.model_uid(1)]["consumers"] == []
    # requests: the 3 reads of an unchanged project + one impact per changed model
    assert result["requests"] == 3 + 3
    # nothing was published
    a0 = project.admin("GET", f"/api/v1/assets/{project.assets[dm.model_uid(0)]['id']}").json()
    assert a0["active_contract_version"] == "1.0.0"


def test_fail_on_decides_what_breaks_the_build(cli, project):
    assert run_check(cli, project, project.v3).returncode == 0              # breaking, but nobody registered
    r = run_check(cli, project, project.v3, "--fail-on", "breaking")
    assert r.returncode == 1 and "❌ 1 model with breaking changes\n" in r.stdout


def test_environment_selects_the_assets(cli, project):
    result = json.loads(run_check(cli, project, project.v2, "--json", "--environment", "staging").stdout)
    assert result["counts"]["not_registered"] == 7 and result["failed"] is False


def test_gzip_manifests_and_bad_manifests(cli, project, tmp_path):
    gz = tmp_path / "manifest.json.gz"
    gz.write_bytes(gzip.compress(project.v2.read_bytes()))
    assert run_check(cli, project, gz).returncode == 1
    for name, content, text in (("missing.json", None, "No manifest at"), ("garbage.json", b"\x00garbage", "is not JSON"),
                                ("list.json", b"[1]", "is not a dbt manifest"),
                                ("nodes.json", b'{"nodes": [1]}', "'nodes' is not an object")):
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        r = run_check(cli, project, path)
        assert r.returncode == 2 and text in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_requests_are_bounded_by_the_changed_models(cli, runtime, admin, tmp_path):
    """90 models over 3 schemas, all registered: an unchanged project costs a handful of list
    requests; each changed model adds exactly one."""
    w = World(runtime, admin)
    m = dm.manifest(models=90, schemas=3)
    with ThreadPoolExecutor(4) as pool:  # the runtime runs 4 workers per function
        list(pool.map(lambda n: w.asset(n[2], n[3]), dbt_schema.contract_nodes(m)))
    same = tmp_path / "same.json"
    same.write_text(json.dumps(m))
    base = json.loads(run_check(cli, w, same, "--json").stdout)
    assert base["counts"]["unchanged"] == 91
    # 3 schemas of 30 (one page each) + the source + one page of 91 active contracts
    assert base["requests"] == 5
    pr = tmp_path / "pr.json"
    pr.write_text(json.dumps(dm.changed(m, add={i: ("new_col", "integer") for i in (3, 50, 89)})))
    result = json.loads(run_check(cli, w, pr, "--json").stdout)
    assert result["counts"]["compatible"] == 3 and result["requests"] == base["requests"] + 3


# ------------------------------------------------------------------ the GitHub Action
def _action_env(cli, w, tmp_path, manifest, **inputs):
    summary, outputs = tmp_path / "step_summary.md", tmp_path / "github_output"
    env = cli.env(w.url, w.read_key, GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(outputs),
                  GITHUB_ACTIONS="true", GITHUB_ACTION_PATH=str(ACTION), INPUT_MANIFEST=str(manifest),
                  **{f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    return env, summary, outputs


def _run_action_script(env):
    return subprocess.run(["bash", str(ACTION / "check.sh")], env=env, capture_output=True, text=True, timeout=120)


def test_action_script_fails_the_job_on_a_breaking_change(cli, project, tmp_path):
    env, summary, outputs = _action_env(cli, project, tmp_path, project.v2)
    r = _run_action_script(env)
    assert r.returncode == 1, r.stderr
    assert "## Accord contract check: ❌" in summary.read_text()
    assert outputs.read_text().splitlines() == ["exit-code=1", "breaking=true"]
    assert "::error file=models/main/schema.yml" in r.stdout


def test_action_script_passes_a_compatible_project(cli, project, tmp_path):
    env, summary, outputs = _action_env(cli, project, tmp_path, project.v3, environment="production")
    r = _run_action_script(env)
    assert r.returncode == 0, r.stderr
    assert "✅ No breaking changes for registered consumers" in summary.read_text()
    assert outputs.read_text().splitlines() == ["exit-code=0", "breaking=false"]
    env, _, _ = _action_env(cli, project, tmp_path, project.v3, fail_on="breaking")
    assert _run_action_script(env).returncode == 1


def test_action_script_reports_what_stops_it(cli, project, tmp_path):
    env, summary, outputs = _action_env(cli, project, tmp_path, tmp_path / "target" / "manifest.json")
    r = _run_action_script(env)
    assert r.returncode == 2 and "::error title=Accord contract check::No dbt manifest at" in r.stdout
    assert outputs.read_text().splitlines() == ["exit-code=2", "breaking=false"]
    env, summary, _ = _action_env(cli, project, tmp_path, project.v1)
    env["ACCORD_API_KEY"] = "acc_bad_key"
    r = _run_action_script(env)
    assert r.returncode == 2 and "(HTTP 401)" in r.stderr
    assert "could not run" in summary.read_text()
    env.pop("ACCORD_API_KEY")
    assert "api-key are required" in _run_action_script(env).stdout


def test_action_yml_is_a_valid_composite_action():
    """The action's metadata against GitHub's schema (SchemaStore's, vendored by check-jsonschema;
    actionlint is not packaged for pip), and what the schema cannot see: every `inputs.x` and
    `steps.x` it references exists, the scripts it runs are there and parse."""
    import re

    import yaml
    r = subprocess.run([os.path.join(os.path.dirname(sys.executable), "check-jsonschema"), "--builtin-schema",
                        "vendor.github-actions", str(ACTION / "action.yml")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    text = (ACTION / "action.yml").read_text()
    action = yaml.safe_load(text)
    assert action["runs"]["using"] == "composite"
    used_inputs = set(re.findall(r"inputs\.([a-z0-9-]+)", text))
    assert used_inputs and used_inputs <= set(action["inputs"]), used_inputs - set(action["inputs"])
    step_ids = {s.get("id") for s in action["runs"]["steps"]}
    assert set(re.findall(r"steps\.([a-z0-9-]+)\.outputs", text)) <= step_ids
    for step in action["runs"]["steps"]:
        assert "uses" in step or step.get("shell") == "bash"
    assert (ACTION / "../python/pyproject.toml").resolve().is_file()  # what the install step installs
    assert subprocess.run(["bash", "-n", str(ACTION / "check.sh")]).returncode == 0
