"""Fixtures for the local runtime's own tests (a small fixture stack, not Accord's template)."""

import os
import sys

import pytest
import requests

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from local.runtime import LocalRuntime  # noqa: E402


@pytest.fixture(scope="session")
def fixtures_dir():
    return FIXTURES


@pytest.fixture(scope="session")
def local_rt(tmp_path_factory):
    """One runtime over the fixture template for the whole session."""
    state = tmp_path_factory.mktemp("accord-local-state")
    runtime = LocalRuntime(repo_root=FIXTURES, port=0, state_dir=str(state), quiet=True)
    runtime.start()
    yield runtime
    runtime.stop()


@pytest.fixture()
def http():
    with requests.Session() as s:
        yield s
