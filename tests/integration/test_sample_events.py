"""Every sample event in events/ (the ones `sam local invoke -e` would use) runs through its function."""
import json

import pytest

from accord.auth import keys
from tests.conftest import ROOT
from tests.integration.conftest import load_app

EVENTS = sorted((ROOT / "events").glob("*.json"))
EXPECT = {"teams-create": 201, "teams-list": 200, "platform-health": 200}
EXPECT.update({"assets-list": 200, "contracts-list": 200, "proposals-list": 200})
EXPECT.update({"configuration-list-assets": 200})
EXPECT.update({"reports-materialization": 200, "events-list": 200})


def test_there_is_a_sample_event_per_function():
    import routes
    functions = {code_uri.split("/")[-1] for code_uri, _ in routes.template_routes().values()}
    assert functions == {p.stem.split("-")[0] for p in EVENTS}


@pytest.mark.parametrize("path", EVENTS, ids=lambda p: p.stem)
def test_sample_event(aws, path, monkeypatch):
    monkeypatch.setenv("ACCORD_BOOTSTRAP_KEY_SHA256", keys.hash_secret("acc_sample_bootstrap_key"))
    event = json.loads(path.read_text())
    app = load_app(path.stem.split("-")[0])
    result = app.lambda_handler(event, None)
    if path.stem in EXPECT:
        assert result["statusCode"] == EXPECT[path.stem], result
    elif path.stem == "worker-sqs":
        assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}
    elif path.stem == "authorizer-request":
        assert result["context"]["tenant"] == "default"
        assert result["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    elif path.stem == "expiry-schedule":
        assert result == {"expired": 0}
    else:
        pytest.fail(f"no expectation for sample event {path.stem}")
