"""CLI: python -m accord.schemadiff OLD NEW --mode M [--profile table] [--history ...]."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LAYER = str(Path(__file__).resolve().parents[3] / "layers" / "shared")
STR = {"type": "string"}


def run(tmp_path, old, new, *args, history=()):
    files = []
    for i, doc in enumerate([old, new, *history]):
        p = tmp_path / f"s{i}.json"
        p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
        files.append(str(p))
    argv = [sys.executable, "-m", "accord.schemadiff", files[0], files[1], *args]
    if history:
        argv += ["--history", *files[2:]]
    env = {**os.environ, "PYTHONPATH": LAYER}
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)


def test_compatible_exits_0(tmp_path):
    p = run(tmp_path, STR, {"type": "string", "description": "d"}, "--mode", "backward")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["is_breaking"] is False and out["bump"] == "patch" and out["mode"] == "backward"


def test_breaking_exits_1(tmp_path):
    p = run(tmp_path, {"type": "string", "maxLength": 9}, {"type": "string", "maxLength": 3},
            "--mode", "BACKWARD")
    assert p.returncode == 1, p.stderr
    out = json.loads(p.stdout)
    assert out["is_breaking"] is True and out["breaking_changes"][0]["type"] == \
        "string_length_tightened"


def test_forward_mode_and_profile(tmp_path):
    old = {"type": "object", "properties": {"a": STR}, "additionalProperties": False}
    new = {"type": "object", "properties": {"a": STR, "b": STR}, "additionalProperties": False}
    assert run(tmp_path, old, new, "--mode", "forward").returncode == 1
    assert run(tmp_path, old, new, "--mode", "forward", "--profile", "table").returncode == 0
    # a removed column breaks every mode but none under the table profile (§7.3)
    p = run(tmp_path, {"type": "object", "properties": {"a": STR, "b": STR}},
            {"type": "object", "properties": {"a": STR}}, "--mode", "backward", "--profile", "table")
    assert p.returncode == 1
    assert json.loads(p.stdout)["breaking_changes"][0]["reason"] == "breaks: consumers select this column"


def test_history(tmp_path):
    v1 = {"type": "object", "properties": {"a": STR}}
    v2 = {"type": "object", "properties": {}}
    v3 = {"type": "object", "properties": {"a": {"type": "integer"}}}
    assert run(tmp_path, v2, v3, "--mode", "backward", history=[v1]).returncode == 0
    assert run(tmp_path, v2, v3, "--mode", "backward_transitive", history=[v1]).returncode == 1


@pytest.mark.parametrize("old,new,args", [
    (STR, "{not json", ("--mode", "backward")),
    (STR, {"type": "strin"}, ("--mode", "backward")),
    (STR, {"$ref": "https://example.com/x.json"}, ()),
    (STR, STR, ("--mode", "sideways")),
    (STR, STR, ("--profile", "graph")),
    (STR, STR, ("--bogus",)),
])
def test_errors_exit_2(tmp_path, old, new, args):
    p = run(tmp_path, old, new, *args)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert p.stderr.strip()


def test_missing_file_exits_2(tmp_path):
    env = {**os.environ, "PYTHONPATH": LAYER}
    p = subprocess.run([sys.executable, "-m", "accord.schemadiff", str(tmp_path / "nope.json"),
                        str(tmp_path / "nope2.json")], capture_output=True, text=True, env=env,
                       timeout=60)
    assert p.returncode == 2 and "cannot read" in p.stderr
