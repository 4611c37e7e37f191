"""Registrations: consumer teams on an asset's contract line."""
import uuid
from dataclasses import replace

from tessera_sdk import models as sdk

from tests.integration.test_assets import (assets_app, call, error_of, owner, team_key)  # noqa: F401
from tests.integration.test_contracts import (BASE, CREGS, REGS, consumer, contracts_app, producer,  # noqa: F401
                                              publish, register, with_)
from tests.support.events import body

R1 = "/api/v1/registrations/{registration_id}"


def test_register_get_update_delete(contracts_app, producer, teams_app, admin):
    _, key, asset = producer
    v1 = publish(contracts_app, key, asset["id"], BASE)["contract"]
    team, ckey = consumer(teams_app, admin)
    reg = register(contracts_app, ckey, v1["id"], team["id"], pinned_version="1.0.0")
    sdk.Registration.model_validate(reg)
    assert reg["contract_id"] == v1["id"] and reg["status"] == "active" and reg["pinned_version"] == "1.0.0"
    assert reg["consumer_team_name"] == "Analytics" and reg["acknowledged_at"] is None
    ident = {"registration_id": reg["id"]}
    assert body(call(contracts_app, "GET", R1, ident, principal=key)) == reg

    r = call(contracts_app, "PATCH", R1, ident, principal=ckey, body={"status": "migrating", "pinned_version": None})
    assert r["statusCode"] == 200, r
    assert body(r)["status"] == "migrating" and body(r)["pinned_version"] is None
    sdk.Registration.model_validate(body(r))
    r = call(contracts_app, "PATCH", R1, ident, principal=ckey, body={"pinned_version": "3.0.0"})
    assert r["statusCode"] == 422 and error_of(r)["error"]["code"] == "INVALID_VERSION"
    for patch in ({"status": "gone"}, {"pinned_version": "one"}, {"status": 3}):
        assert call(contracts_app, "PATCH", R1, ident, principal=ckey, body=patch)["statusCode"] == 422, patch

    # one registration per team and asset line
    r = call(contracts_app, "POST", REGS, principal=ckey, query={"contract_id": v1["id"]},
             body={"consumer_team_id": team["id"]})
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "DUPLICATE_REGISTRATION"
    v2 = publish(contracts_app, key, asset["id"], with_(phone={"type": "string"}))["contract"]
    r = call(contracts_app, "POST", REGS, principal=ckey, body={"consumer_team_id": team["id"], "contract_id": v2["id"]})
    assert r["statusCode"] == 409

    assert call(contracts_app, "DELETE", R1, ident, principal=ckey)["statusCode"] == 204
    assert call(contracts_app, "GET", R1, ident, principal=ckey)["statusCode"] == 404
    assert call(contracts_app, "DELETE", R1, ident, principal=ckey)["statusCode"] == 404
    again = register(contracts_app, ckey, v2["id"], team["id"])
    assert again["id"] != reg["id"]


def test_registrations_follow_the_asset_across_versions(contracts_app, producer, teams_app, admin):
    _, key, asset = producer
    v1 = publish(contracts_app, key, asset["id"], BASE)["contract"]
    team, ckey = consumer(teams_app, admin)
    reg = register(contracts_app, ckey, v1["id"], team["id"])
    v2 = publish(contracts_app, key, asset["id"], with_(phone={"type": "string"}))["contract"]
    for contract in (v1, v2):
        r = call(contracts_app, "GET", CREGS, {"contract_id": contract["id"]}, principal=key)
        assert r["statusCode"] == 200 and [x["id"] for x in body(r)] == [reg["id"]]
        [sdk.Registration.model_validate(x) for x in body(r)]
    # so a breaking change after a compatible publish still needs the consumer's acknowledgment
    r = publish(contracts_app, key, asset["id"], with_(id={"type": "string"}))
    assert r["action"] == "proposal_created" and [t["team_id"] for t in r["proposal"]["affected_teams"]] == [team["id"]]


def test_inactive_or_deleted_consumers_do_not_hold_back_a_breaking_change(contracts_app, producer, teams_app, admin):
    _, key, asset = producer
    v1 = publish(contracts_app, key, asset["id"], BASE)["contract"]
    (t1, k1), (t2, k2) = consumer(teams_app, admin, "A"), consumer(teams_app, admin, "B")
    r1 = register(contracts_app, k1, v1["id"], t1["id"])
    r2 = register(contracts_app, k2, v1["id"], t2["id"])
    call(contracts_app, "PATCH", R1, {"registration_id": r1["id"]}, principal=k1, body={"status": "inactive"})
    call(contracts_app, "DELETE", R1, {"registration_id": r2["id"]}, principal=k2)
    r = publish(contracts_app, key, asset["id"], with_(id={"type": "string"}))
    assert r["action"] == "published" and r["contract"]["version"] == "2.0.0"
    # reactivating brings the consumer back into the workflow
    call(contracts_app, "PATCH", R1, {"registration_id": r1["id"]}, principal=k1, body={"status": "active"})
    r = publish(contracts_app, key, asset["id"], with_(id={"type": "boolean"}))
    assert r["action"] == "proposal_created"


def test_consumers_act_only_for_their_own_team(contracts_app, producer, teams_app, admin):
    team_p, key, asset = producer
    v1 = publish(contracts_app, key, asset["id"], BASE)["contract"]
    team, ckey = consumer(teams_app, admin)
    other, okey = consumer(teams_app, admin, "Other")
    r = call(contracts_app, "POST", REGS, principal=okey, query={"contract_id": v1["id"]},
             body={"consumer_team_id": team["id"]})
    assert r["statusCode"] == 403 and error_of(r)["error"]["code"] == "UNAUTHORIZED_TEAM"
    reader = team_key(admin, team["id"], scopes=("read",))
    assert call(contracts_app, "POST", REGS, principal=reader, query={"contract_id": v1["id"]},
                body={"consumer_team_id": team["id"]})["statusCode"] == 403
    reg = register(contracts_app, admin, v1["id"], team["id"])  # admin may register any team
    ident = {"registration_id": reg["id"]}
    assert call(contracts_app, "PATCH", R1, ident, principal=okey, body={"status": "inactive"})["statusCode"] == 403
    assert call(contracts_app, "DELETE", R1, ident, principal=okey)["statusCode"] == 403
    assert call(contracts_app, "DELETE", R1, ident, principal=key)["statusCode"] == 403  # producers neither
    assert call(contracts_app, "GET", R1, ident, principal=okey)["statusCode"] == 200
    globex = replace(admin, tenant="globex")
    for method, kw in (("GET", {}), ("PATCH", {"body": {"status": "inactive"}}), ("DELETE", {})):
        assert call(contracts_app, method, R1, ident, principal=globex, **kw)["statusCode"] == 404, method


def test_bad_input(contracts_app, producer, teams_app, admin):
    _, key, asset = producer
    v1 = publish(contracts_app, key, asset["id"], BASE)["contract"]
    team, ckey = consumer(teams_app, admin)
    for query, payload, status in [
        (None, {"consumer_team_id": team["id"]}, 422),                      # no contract id anywhere
        ({"contract_id": str(uuid.uuid4())}, {"consumer_team_id": team["id"]}, 404),
        ({"contract_id": "junk"}, {"consumer_team_id": team["id"]}, 404),
        ({"contract_id": v1["id"]}, {"consumer_team_id": "junk"}, 422),
        ({"contract_id": v1["id"]}, {}, 422),
        ({"contract_id": v1["id"]}, {"consumer_team_id": team["id"], "pinned_version": "1.0"}, 422),
        ({"contract_id": v1["id"]}, {"consumer_team_id": team["id"], "pinned_version": "5.0.0"}, 422),
        (None, {"consumer_team_id": team["id"], "contract_id": "junk"}, 422),
    ]:
        r = call(contracts_app, "POST", REGS, principal=ckey, query=query, body=payload)
        assert r["statusCode"] == status, (query, payload, r["body"][:200])
        error_of(r)
    ghost = str(uuid.uuid4())
    r = call(contracts_app, "POST", REGS, principal=admin, query={"contract_id": v1["id"]},
             body={"consumer_team_id": ghost})
    assert r["statusCode"] == 404 and error_of(r)["error"]["code"] == "TEAM_NOT_FOUND"
    for ident in ("junk", str(uuid.uuid4())):
        assert call(contracts_app, "GET", R1, {"registration_id": ident}, principal=key)["statusCode"] == 404
