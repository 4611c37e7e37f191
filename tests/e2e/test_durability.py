"""`make dev` loses no acknowledged write, however it is stopped.

Each test runs `python -m local` (what `make dev` runs) in a session of its own, writes real data
right up to the moment it stops it — a team, an asset, a published contract (its schema is stored
compressed: binary), a Dagster report over HTTP, one over the queue — then stops it with one
signal sent to the whole process group, the way a terminal, a supervisor or a CI teardown does,
restarts it on the same state dir and reads everything back.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid

import boto3
import pytest
import requests

from tests.conftest import ROOT

SCHEMA = {"type": "object", "properties": {f"col_{i}": {"type": "string", "description": "x" * 40}
                                           for i in range(60)}, "required": ["col_0"]}


class Dev:
    """`python -m local` as a subprocess, with its banner parsed."""

    def __init__(self, state_dir: str, key: str):
        env = {**os.environ, "ACCORD_ADMIN_KEY": key, "ACCORD_LOCAL_RELOAD": "0", "ACCORD_LOCAL_QUIET": "1",
               "ACCORD_LOCAL_CONCURRENCY": "2", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "local", "--port", "0", "--state-dir", state_dir],
            cwd=str(ROOT), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True)  # its own process group, like a terminal's job
        self.key = key
        banner = []
        deadline = time.monotonic() + 120
        for line in self.proc.stdout:
            banner.append(line)
            if line.startswith("Ctrl-C stops") or time.monotonic() > deadline:
                break
        text = "".join(banner)
        m = re.search(r"API:\s+(\S+)", text)
        assert m, f"no banner: {text}\n{self.proc.stderr.read() if self.proc.poll() is not None else ''}"
        self.url = m.group(1)
        self.moto = re.search(r"AWS emulator:\s+(\S+)", text).group(1)
        self.queue = re.search(r"Queue ReportsQueue:\s+(\S+)", text).group(1)

    def api(self, method: str, path: str, **kw):
        r = requests.request(method, self.url + path, headers={"Authorization": f"Bearer {self.key}"},
                             timeout=30, **kw)
        return r

    def signal_group(self, sig: int) -> tuple[int | None, str]:
        os.killpg(self.proc.pid, sig)
        try:
            _, err = self.proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            raise
        if sig == signal.SIGKILL:  # its children are killed too; reap what is left of the group
            _wait_group_gone(self.proc.pid)
        return self.proc.returncode, err


def _wait_group_gone(pgid: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError(f"process group {pgid} still alive")


def write_everything(dev: Dev) -> dict:
    tag = uuid.uuid4().hex[:8]
    team = dev.api("POST", "/api/v1/teams", json={"name": f"durable-{tag}"})
    assert team.status_code == 201, team.text
    asset = dev.api("POST", "/api/v1/assets", json={"fqn": f"warehouse.durable.t_{tag}",
                                                     "owner_team_id": team.json()["id"]})
    assert asset.status_code == 201, asset.text
    aid = asset.json()["id"]
    pub = dev.api("POST", f"/api/v1/assets/{aid}/contracts", json={"schema": SCHEMA})
    assert pub.status_code == 201 and pub.json()["action"] == "published", pub.text
    key = ["warehouse", "durable", f"t_{tag}"]
    rep = requests.post(f"{dev.url}/report_asset_materialization/{'/'.join(key)}",
                        json={"metadata": {"rows": 7}, "data_version": "v1"},
                        headers={"Dagster-Cloud-Api-Token": dev.key}, timeout=30)
    assert rep.status_code == 200, rep.text
    sqs = boto3.client("sqs", endpoint_url=dev.moto, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    sqs.send_message(QueueUrl=dev.queue, MessageBody=json.dumps(
        {"type": "observation", "asset_key": key, "event_id": f"obs-{tag}", "metadata": {"seen": True}}),
        MessageAttributes={"tenant": {"DataType": "String", "StringValue": "default"}})
    # the queued report is recorded by the worker: wait for it, so that it is acknowledged data
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        events = dev.api("GET", f"/api/v1/assets/{aid}/events").json()["results"]
        if any(e["type"] == "observation" for e in events):
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the queued observation was not recorded")
    # and one last acknowledged write right before the signal
    last = dev.api("PATCH", f"/api/v1/assets/{aid}", json={"metadata": {"description": f"last {tag}"}})
    assert last.status_code == 200, last.text
    return {"team": team.json(), "asset_id": aid, "tag": tag, "contract": pub.json()["contract"]}


def read_back(dev: Dev, w: dict) -> None:
    assert dev.api("GET", f"/api/v1/teams/{w['team']['id']}").json()["name"] == w["team"]["name"]
    asset = dev.api("GET", f"/api/v1/assets/{w['asset_id']}")
    assert asset.status_code == 200, asset.text
    assert asset.json()["metadata"]["description"] == f"last {w['tag']}"
    contracts = dev.api("GET", f"/api/v1/assets/{w['asset_id']}/contracts").json()
    assert [c["version"] for c in contracts] == ["1.0.0"]
    assert contracts[0]["schema"] == SCHEMA
    events = dev.api("GET", f"/api/v1/assets/{w['asset_id']}/events").json()["results"]
    assert sorted(e["type"] for e in events) == ["materialization", "observation"]


GRACEFUL = "accord-local: state saved in"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL],
                         ids=lambda s: signal.Signals(s).name)
def test_a_signal_to_the_whole_group_loses_no_acknowledged_write(tmp_path, sig):
    key = "acc_durable_" + uuid.uuid4().hex
    state = str(tmp_path / "state")
    dev = Dev(state, key)
    try:
        written = write_everything(dev)
    except BaseException:
        os.killpg(dev.proc.pid, signal.SIGKILL)
        raise
    code, err = dev.signal_group(sig)
    if sig == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:
        # one truthful sentence: saved, and nothing that says otherwise
        assert code == 0, err
        assert GRACEFUL in err and "could not" not in err and "failed" not in err, err
    dev = Dev(state, key)
    try:
        read_back(dev, written)
        if sig == signal.SIGKILL:
            # after a crash the journal was replayed: new writes go on and survive the next stop
            more = write_everything(dev)
    finally:
        code, err = dev.signal_group(signal.SIGTERM)
    assert code == 0 and GRACEFUL in err, err
    if sig == signal.SIGKILL:
        dev = Dev(state, key)
        try:
            read_back(dev, written)
            read_back(dev, more)
        finally:
            dev.signal_group(signal.SIGINT)


def test_sigterm_to_the_runtime_alone_saves_too(tmp_path):
    key = "acc_durable_" + uuid.uuid4().hex
    state = str(tmp_path / "state")
    dev = Dev(state, key)
    written = write_everything(dev)
    dev.proc.send_signal(signal.SIGTERM)
    _, err = dev.proc.communicate(timeout=120)
    assert dev.proc.returncode == 0 and GRACEFUL in err, err
    _wait_group_gone(dev.proc.pid)
    dev = Dev(state, key)
    try:
        read_back(dev, written)
    finally:
        dev.signal_group(signal.SIGINT)
