"""With reload on (the CLI's default), editing a function's code or layer gets fresh workers."""

import shutil
import time

import requests

from local.runtime import LocalRuntime

from .conftest import FIXTURES


def test_layer_edit_reloads_the_functions_using_it(tmp_path):
    root = tmp_path / "stack"
    shutil.copytree(FIXTURES, root, ignore=shutil.ignore_patterns("__pycache__"))
    with LocalRuntime(repo_root=str(root), state_dir=str(tmp_path / "state"), reload=True) as rt:
        before = requests.get(rt.url + "/health").json()["facts"]
        assert before["layer"] == "fixture-layer"
        marker = root / "layer" / "fixture_shared" / "__init__.py"
        marker.write_text('LAYER_MARKER = "edited"\n')
        deadline = time.monotonic() + 15
        facts = before
        while time.monotonic() < deadline and facts["layer"] != "edited":
            time.sleep(0.3)
            facts = requests.get(rt.url + "/health").json()["facts"]
        assert facts["layer"] == "edited"
        assert facts["pid"] != before["pid"]  # a fresh execution environment
