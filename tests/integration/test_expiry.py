"""The scheduled expiry sweep expires due proposals without anybody reading them."""
from accord import clock
from accord.store import db, keys as k
from tests.integration.conftest import load_app
from tests.integration.test_assets import team_key
from tests.support.events import api_event, body

BASE = {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"}}}
BREAKING = {"type": "object", "properties": {"id": {"type": "integer"}}, "additionalProperties": False}


def call(app, *args, **kwargs):
    return app.lambda_handler(api_event(*args, **kwargs), None)


def test_sweep_expires_due_proposals_and_frees_the_asset(aws, admin, monkeypatch):
    teams, assets, contracts, expiry = (load_app(n) for n in ("teams", "assets", "contracts", "expiry"))
    producer = body(call(teams, "POST", "/api/v1/teams", body={"name": "p"}, principal=admin))
    consumer = body(call(teams, "POST", "/api/v1/teams", body={"name": "c"}, principal=admin))
    owner, reader = team_key(admin, producer["id"]), team_key(admin, consumer["id"])
    asset = body(call(assets, "POST", "/api/v1/assets", body={"fqn": "a.b", "owner_team_id": producer["id"]},
                      principal=owner))
    v1 = body(call(contracts, "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset["id"]},
                   body={"schema": BASE}, principal=owner))
    call(contracts, "POST", "/api/v1/registrations", query={"contract_id": v1["contract"]["id"]},
         body={"consumer_team_id": consumer["id"]}, principal=reader)
    out = body(call(contracts, "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": asset["id"]},
                    body={"schema": BREAKING, "proposal_expires_in_days": 2}, principal=owner))
    assert out["action"] == "proposal_created"
    proposal_id = out["proposal"]["id"]

    assert expiry.lambda_handler({}, None) == {"expired": 0, "jobs_resent": 0}  # not due yet: the marker stays
    day = out["proposal"]["expires_at"][:10]
    assert len(db.query(k.expiry_pk(day))[0]) == 1

    monkeypatch.setattr(clock, "_offset_seconds", 3 * 86400)
    assert expiry.lambda_handler({}, None) == {"expired": 1, "jobs_resent": 0}
    assert db.query(k.expiry_pk(day))[0] == []  # work list drained
    item = db.get(k.proposal_pk(admin.tenant, proposal_id), k.PROPOSAL_SK)
    assert item["status"] == "expired"  # persisted by the sweep, not by a read
    asset_item = db.get(k.asset_pk(admin.tenant, asset["id"]), k.ASSET_SK)
    assert not asset_item.get("pending_proposal_id")
    assert expiry.lambda_handler({}, None) == {"expired": 0, "jobs_resent": 0}
