"""`accord dbt sync` / `accord dbt job`, the installed command, against the local runtime's dbt
import (`/api/v1/sync/*`) on the real dbt 1.11 artefacts (tests/fixtures/dbt): the direct route,
the upload route (gzip, presigned PUT, a followed job) chosen by size or forced, a re-import that
changes nothing, a pull request that makes a proposal, dry runs, warnings, and every failure as a
sentence with exit 2."""
import gzip
import json
import os
import pty
import subprocess
import threading

import pytest

from tests.e2e.conftest import Api, new_key, new_tenant
from tests.e2e.cli.test_cli import as_json, ok, sentence
from tests.support import dbt

TEAMS = ("data-platform", "analytics", "eng", "marketing")


class Shop:
    def __init__(self, runtime, admin, folder):
        tenant = new_tenant(admin)
        self.url, self.key = runtime.url, tenant["admin_key"]["key"]
        self.api = Api(runtime.url, self.key)
        self.teams = {n: self.api("POST", "/api/v1/teams", json={"name": n}).json()["id"] for n in TEAMS}
        self.files = {}
        for name in ("manifest", "manifest_v2", "run_results", "run_results_failing"):
            path = folder / f"{name}.json"
            path.write_text(json.dumps(dbt.artefact(name)))
            self.files[name] = path

    def assets(self) -> dict:
        r = self.api("GET", "/api/v1/assets", params={"fqn": "shop"})
        return {a["fqn"]: a for a in r.json()["results"]}


@pytest.fixture()
def shop(runtime, admin, tmp_path):
    return Shop(runtime, admin, tmp_path)


def sync(cli, shop, *args, key=None):
    return cli("dbt", "sync", *args, url=shop.url, key=key or shop.key, timeout=240)


IMPORT = ("--owner-team", "eng", "--publish-contracts", "--create-proposals", "--conflict-mode", "overwrite")


def test_direct_import_reimport_and_a_pull_request(cli, shop):
    first = as_json(sync(cli, shop, shop.files["manifest"], "--run-results", shop.files["run_results"], *IMPORT, "--json"))
    assert first["status"] == "success" and "job_id" not in first  # small: one request
    assert first["assets"]["created"] == 9 and first["contracts"]["published"] == 6
    assert first["dependencies"]["synced"] == 8 and first["audit_runs"]["recorded"] == 6
    assets = shop.assets()
    assert len(assets) == 9 and assets["shop.main.orders"]["owner_team_id"] == shop.teams["analytics"]  # meta owner

    # the same again, for a person: a summary, nothing created
    r = sync(cli, shop, shop.files["manifest"], "--run-results", shop.files["run_results"], *IMPORT)
    out = ok(r)
    assert "0 created" in out and "9 unchanged" in out and "6 already recorded" in out, out

    # a consumer registers on orders; the PR drops and retypes columns -> one proposal, shown
    orders = assets["shop.main.orders"]
    r = shop.api("POST", "/api/v1/registrations", json={"contract_id": orders["active_contract_id"],
                                                        "consumer_team_id": shop.teams["marketing"]})
    assert r.status_code == 201, r.text
    out = ok(sync(cli, shop, shop.files["manifest_v2"], *IMPORT))
    assert "1 created" in out.split("proposals:")[1].splitlines()[0] and "shop.main.orders" in out, out
    proposals = shop.api("GET", "/api/v1/proposals", params={"asset_id": orders["id"]}).json()
    assert len(proposals) == 1 and proposals[0]["id"] in out


def test_large_manifests_go_through_the_upload_route(cli, shop, tmp_path):
    """Above ~5 MB the command uploads (gzip, presigned PUT) and follows the job; the import is the
    same one (run results too), and an identical re-import through the route writes nothing."""
    big = dbt.artefact("manifest")
    big["metadata"]["padding"] = "x" * 6_000_000  # what a big project's manifest looks like to the size check
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(big))
    r = sync(cli, shop, path, "--run-results", shop.files["run_results"], *IMPORT, "--json")
    result = as_json(r)
    assert result["job_id"] and result["assets"]["created"] == 9 and result["audit_runs"]["recorded"] == 6, result
    assert r.stderr == ""  # --json: no notes for a machine
    job = shop.api("GET", f"/api/v1/sync/jobs/{result['job_id']}").json()
    assert job["status"] == "succeeded" and job["result"]["assets"]["created"] == 9

    # a gzipped manifest, forced through the route: uploaded as is; nothing changes
    gz = tmp_path / "manifest.json.gz"
    gz.write_bytes(gzip.compress(shop.files["manifest"].read_bytes()))
    r = sync(cli, shop, gz, *IMPORT, "--upload", "always")
    out = ok(r)
    assert "9 unchanged" in out and "0 created" in out, out
    assert "Uploading manifest (" in r.stderr and "gzip" in r.stderr and "Import job" in r.stderr, r.stderr
    assert result["job_id"] not in out + r.stderr

    # --upload never: the server's 413 is the sentence
    err = sentence(sync(cli, shop, path, *IMPORT, "--upload", "never"))
    assert "413" in err and "--upload never" in err


def test_no_wait_then_follow_the_job(cli, shop):
    queued = as_json(sync(cli, shop, shop.files["manifest"], *IMPORT, "--upload", "always", "--no-wait", "--json"))
    assert queued["status"] in ("queued", "running", "succeeded") and queued["job_id"]
    done = as_json(cli("dbt", "job", queued["job_id"], "--wait", "--json", url=shop.url, key=shop.key, timeout=240))
    assert done["status"] == "succeeded" and done["result"]["assets"]["created"] == 9
    out = ok(cli("dbt", "job", queued["job_id"], url=shop.url, key=shop.key))
    assert "succeeded" in out and "9 created" in out
    r = sync(cli, shop, shop.files["manifest"], *IMPORT, "--upload", "always", "--no-wait")
    assert "accord dbt job" in ok(r)


def test_dry_run_writes_nothing(cli, shop):
    r = sync(cli, shop, shop.files["manifest"], "--owner-team", shop.teams["eng"], "--publish-contracts", "--dry-run")
    out = ok(r)
    assert "Dry run: nothing was written." in out and "shop.main.orders" in out and "9 created" in out, out
    assert shop.assets() == {}
    dry = as_json(sync(cli, shop, shop.files["manifest"], "--owner-team", "eng", "--dry-run", "--upload", "always",
                       "--json"))
    assert dry["dry_run"] and dry["assets"]["created"] == 9 and dry["job_id"]
    assert shop.assets() == {}


def test_warnings_are_printed_and_strict_fails(cli, shop, tmp_path):
    """A node whose meta names an unknown team is refused: 207, a warning on stderr; --strict → 1."""
    manifest = dbt.with_meta_owner(dbt.artefact("manifest"), "stg_payments", "ghost-team")
    path = tmp_path / "m.json"
    path.write_text(json.dumps(manifest))
    r = sync(cli, shop, path, "--owner-team", "eng")
    assert "warning: ownership: shop.main.stg_payments" in r.stderr and "ghost-team" in r.stderr
    assert "refused" in ok(r)
    r = sync(cli, shop, path, "--owner-team", "eng", "--strict", "--json")
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert json.loads(r.stdout)["status"] == "partial_success"


def test_failures_are_sentences(cli, shop, tmp_path):
    missing = sentence(sync(cli, shop, tmp_path / "nope.json"))
    assert "No manifest at" in missing and "dbt parse" in missing
    (tmp_path / "list.json").write_text("[]")
    assert "not a dbt manifest" in sentence(sync(cli, shop, tmp_path / "list.json"))
    assert "No team named 'ghost'" in sentence(sync(cli, shop, shop.files["manifest"], "--owner-team", "ghost"))
    # a key that may not import (the routes take an admin key)
    read_key = new_key(shop.api, scopes=["read"])
    assert "403" in sentence(sync(cli, shop, shop.files["manifest"], key=read_key))
    # a job the worker fails: the server's sentence, the job's id
    (tmp_path / "bad.json").write_text('{"nodes": []}')
    err = sentence(sync(cli, shop, tmp_path / "bad.json", "--upload", "always", "--json"))
    assert "Import job" in err and "failed" in err and "'nodes' must be an object" in err, err
    assert "not found" in sentence(cli("dbt", "job", "6f1c0000-0000-4000-8000-000000000000", url=shop.url, key=shop.key))


def test_progress_bars_on_a_terminal(cli, shop):
    """stderr a terminal: rich draws the upload and import bars (stdout, piped, keeps the summary)."""
    master, slave = pty.openpty()
    chunks = []

    def drain():
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)
    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = cli.env(shop.url, shop.key, COLUMNS="120", TERM="xterm")
    r = subprocess.run([str(cli.bin), "dbt", "sync", str(shop.files["manifest"]), *IMPORT, "--upload", "always"],
                       stdout=subprocess.PIPE, stderr=slave, env=env, timeout=240, text=True)
    os.close(slave)
    reader.join(10)
    os.close(master)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert r.returncode == 0 and "9 created" in r.stdout, (r.stdout, screen)
    assert "upload manifest" in screen and "import (succeeded)" in screen, screen


def test_the_gate_agrees_with_the_import(cli, shop):
    """What `dbt sync` published, `dbt check` finds unchanged at no impact request (one mapping,
    shipped to both); the pull request then fails the gate exactly where the import would propose."""
    ok(sync(cli, shop, shop.files["manifest"], *IMPORT))
    orders = shop.assets()["shop.main.orders"]
    r = shop.api("POST", "/api/v1/registrations", json={"contract_id": orders["active_contract_id"],
                                                        "consumer_team_id": shop.teams["marketing"]})
    assert r.status_code == 201, r.text
    check = as_json(cli("dbt", "check", shop.files["manifest"], "--json", url=shop.url, key=shop.key))
    assert check["counts"]["breaking"] == check["counts"]["compatible"] == 0 and check["counts"]["unchanged"] == 6, check
    assert not any("changes" in m for m in check["models"])
    r = cli("dbt", "check", shop.files["manifest_v2"], "--json", url=shop.url, key=shop.key)
    assert r.returncode == 1, (r.stdout, r.stderr)
    failing = [m["fqn"] for m in json.loads(r.stdout)["models"] if m["status"] == "breaking" and m["consumers"]]
    assert failing == ["shop.main.orders"]
    result = as_json(sync(cli, shop, shop.files["manifest_v2"], *IMPORT, "--json"))
    assert [d["asset_fqn"] for d in result["proposals"]["details"]] == failing
