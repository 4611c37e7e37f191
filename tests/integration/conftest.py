import importlib
import sys
import threading
import uuid

import pytest
from accord.auth.principal import Principal
from accord.store import db, settings
from moto import mock_aws

from local import moto_patches
from tests.support.aws import create_template_resources, use_tables


def _serialise_calls(monkeypatch):
    """moto is not thread-safe (a transaction can see a dict change under it). Real DynamoDB
    executes each request atomically, so running one request at a time keeps the semantics our
    concurrency tests rely on, while threads still interleave between requests."""
    from botocore.client import BaseClient
    lock = threading.RLock()
    original = BaseClient._make_api_call

    def call(self, operation, params):
        with lock:
            return original(self, operation, params)
    monkeypatch.setattr(BaseClient, "_make_api_call", call)


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    _serialise_calls(monkeypatch)
    moto_patches.apply()
    with mock_aws():
        db.reset_client()
        settings.clear_cache()
        names = create_template_resources()
        use_tables(names)
        yield names
        db.reset_client()


def load_app(name: str):
    """functions/<name>/app.py as a fresh module (each function is its own Lambda)."""
    from tests.conftest import ROOT
    path = str(ROOT / "functions" / name)
    sys.modules.pop("app", None)
    sys.path.insert(0, path)
    try:
        return importlib.import_module("app")
    finally:
        sys.path.remove(path)
        sys.modules.pop("app", None)


@pytest.fixture(scope="session")
def teams_app():
    return load_app("teams")


@pytest.fixture
def admin():
    return Principal(tenant="acme", key_id=str(uuid.uuid4()), name="admin",
                     scopes=frozenset({"read", "write", "admin"}))


@pytest.fixture
def platform_admin():
    from accord.identity.api_keys import bootstrap_principal
    return bootstrap_principal()
