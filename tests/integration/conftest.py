import importlib
import sys
import uuid

import pytest
from moto import mock_aws

from accord.auth.principal import Principal
from accord.store import db
from tests.support.aws import create_template_resources, use_tables


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        db.reset_client()
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
    from accord.domain.identity import bootstrap_principal
    return bootstrap_principal()
