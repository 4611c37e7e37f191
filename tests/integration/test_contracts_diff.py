"""GET /assets/{id}/contracts/diff without versions: the previous version → the active one."""
from tessera_sdk import models as sdk

from tests.integration.test_assets import assets_app, call, new_asset, owner  # noqa: F401
from tests.integration.test_contracts import BASE, DIFF, contracts_app, publish, with_  # noqa: F401
from tests.support.events import body


def diff(app, key, asset_id, **query):
    return call(app, "GET", DIFF, {"asset_id": asset_id}, principal=key, query=query or None)


def test_diff_defaults_to_the_previous_version_then_the_active_one(contracts_app, assets_app, owner):
    team, key = owner
    asset = new_asset(assets_app, key, team["id"], "warehouse.sales.diffed")
    r = diff(contracts_app, key, asset["id"])
    assert r["statusCode"] == 404 and body(r)["error"]["code"] == "CONTRACT_NOT_FOUND"
    assert "has no contract yet" in body(r)["error"]["message"]

    publish(contracts_app, key, asset["id"], BASE)
    r = diff(contracts_app, key, asset["id"])
    assert r["statusCode"] == 404 and body(r)["error"]["code"] == "NO_PREVIOUS_VERSION", body(r)
    assert "1.0.0 is the first version" in body(r)["error"]["message"]

    publish(contracts_app, key, asset["id"], with_(phone={"type": "string"}))  # 1.1.0
    publish(contracts_app, key, asset["id"], with_(phone={"type": "string"}, fax={"type": "string"}))  # 1.2.0
    got = body(diff(contracts_app, key, asset["id"]))
    sdk.ContractDiff.model_validate(got)
    assert (got["from_version"], got["to_version"]) == ("1.1.0", "1.2.0")
    got = body(diff(contracts_app, key, asset["id"], to_version="1.1.0"))
    assert (got["from_version"], got["to_version"]) == ("1.0.0", "1.1.0")
    got = body(diff(contracts_app, key, asset["id"], from_version="1.0.0"))
    assert (got["from_version"], got["to_version"]) == ("1.0.0", "1.2.0")
    r = diff(contracts_app, key, asset["id"], to_version="1.0.0")
    assert r["statusCode"] == 404 and body(r)["error"]["code"] == "NO_PREVIOUS_VERSION"
    r = diff(contracts_app, key, asset["id"], to_version="nope")
    assert r["statusCode"] == 422
