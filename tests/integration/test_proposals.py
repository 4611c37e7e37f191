"""Proposals: breaking changes waiting for registered consumers (DESIGN §4.5-4.9)."""
import uuid
from dataclasses import replace

import pytest
from tessera_sdk import models as sdk

from accord import clock
from tests.integration.test_assets import (_parallel, assets_app, call, dynamo_calls,  # noqa: F401
                                           error_of, new_asset, owner, team_key)
from tests.integration.test_contracts import (BASE, PUB, consumer, contracts_app, producer,  # noqa: F401
                                              proposals_app, publish, register, versions_of, with_)
from tests.support.events import body

P = "/api/v1/proposals"
P1 = "/api/v1/proposals/{proposal_id}"
BREAKING = with_(drop=["email"])
BREAKING["additionalProperties"] = False  # closing the object makes the removal breaking


def act(app, principal, proposal_id, action, expect=200, **kw):
    r = call(app, "POST", P1 + "/" + action, {"proposal_id": proposal_id}, principal=principal, **kw)
    assert r["statusCode"] == expect, r["body"][:500]
    return body(r)


def ack(app, principal, proposal_id, team_id, response="approved", expect=200, notes=None):
    return act(app, principal, proposal_id, "acknowledge", expect,
               body={"consumer_team_id": team_id, "response": response, "notes": notes})


def get(app, principal, proposal_id):
    r = call(app, "GET", P1, {"proposal_id": proposal_id}, principal=principal)
    assert r["statusCode"] == 200, r
    return body(r)


@pytest.fixture
def setup(contracts_app, producer, teams_app, admin):
    """v1.0.0 with two registered consumer teams; returns (key, asset, v1, [(team, key), ...])."""
    _, key, asset = producer
    v1 = publish(contracts_app, key, asset["id"], BASE)["contract"]
    consumers = [consumer(teams_app, admin, name) for name in ("Analytics", "Finance")]
    for team, ckey in consumers:
        register(contracts_app, ckey, v1["id"], team["id"])
    return key, asset, v1, consumers


def propose(contracts_app, key, asset, schema=BREAKING, **fields):
    r = publish(contracts_app, key, asset["id"], schema, **fields)
    assert r["action"] == "proposal_created", r
    return r["proposal"]


def test_approve_then_publish(contracts_app, proposals_app, assets_app, setup):
    key, asset, v1, [(t1, k1), (t2, k2)] = setup
    proposal = propose(contracts_app, key, asset)
    sdk.Proposal.model_validate(proposal)
    assert proposal["status"] == "pending" and proposal["change_type"] == "major"
    assert {t["team_name"] for t in proposal["affected_teams"]} == {"Analytics", "Finance"}
    assert [(b["type"], b["column"]) for b in proposal["breaking_changes"]] == [("property_removed", "email")]
    assert versions_of(contracts_app, key, asset["id"]) == [("1.0.0", "active")]

    a1 = ack(proposals_app, k1, proposal["id"], t1["id"], notes="fine by us")
    sdk.Acknowledgment.model_validate(a1)
    st = body(call(proposals_app, "GET", P1 + "/status", {"proposal_id": proposal["id"]}, principal=k1))
    sdk.ProposalStatusResponse.model_validate(st)
    assert st["required_acknowledgments"] == 2 and st["received_acknowledgments"] == 1
    assert [c["team_id"] for c in st["pending_consumers"]] == [t2["id"]]
    assert st["proposal"]["status"] == "pending"
    r = call(proposals_app, "POST", P1 + "/publish", {"proposal_id": proposal["id"]}, principal=key)
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "PROPOSAL_NOT_APPROVED"

    ack(proposals_app, k2, proposal["id"], t2["id"], response="migrating")
    got = get(proposals_app, k1, proposal["id"])
    assert got["status"] == "approved" and got["resolved_at"]
    assert {a["response"] for a in got["acknowledgments"]} == {"approved", "migrating"}

    contract = act(proposals_app, key, proposal["id"], "publish")
    sdk.Contract.model_validate(contract)
    assert contract["version"] == "2.0.0" and contract["proposal_id"] == proposal["id"] and contract["status"] == "active"
    assert versions_of(contracts_app, key, asset["id"]) == [("2.0.0", "active"), ("1.0.0", "deprecated")]
    got = get(proposals_app, k1, proposal["id"])
    assert got["lifecycle_status"] == "published" and got["published_version"] == "2.0.0"
    assert got["status"] == "approved"  # tessera-sdk's ProposalStatus has no 'published'
    sdk.Proposal.model_validate(got)
    r = call(proposals_app, "POST", P1 + "/publish", {"proposal_id": proposal["id"]}, principal=key)
    assert r["statusCode"] == 409
    # registrations follow the asset: the consumers are still there for the next breaking change
    nxt = propose(contracts_app, key, asset, with_(BREAKING, id={"type": "string"}))
    assert len(nxt["affected_teams"]) == 2
    # and the registration remembers the acknowledgment
    reg = body(call(contracts_app, "GET", "/api/v1/registrations/{registration_id}",
                    {"registration_id": proposal["affected_teams"][0]["registration_id"]}, principal=k1))
    assert reg["acknowledged_at"]


def test_blocked_rejects_and_frees_the_slot(contracts_app, proposals_app, setup):
    key, asset, v1, [(t1, k1), (t2, k2)] = setup
    proposal = propose(contracts_app, key, asset)
    # one open proposal per asset
    r = call(contracts_app, "POST", PUB, {"asset_id": asset["id"]}, principal=key,
             body={"schema": with_(id={"type": "string"})})
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "PROPOSAL_PENDING"
    ack(proposals_app, k1, proposal["id"], t1["id"], response="blocked", notes="we read email")
    assert get(proposals_app, k1, proposal["id"])["status"] == "rejected"
    r = call(proposals_app, "POST", P1 + "/acknowledge", {"proposal_id": proposal["id"]}, principal=k2,
             body={"consumer_team_id": t2["id"], "response": "approved"})
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "PROPOSAL_NOT_PENDING"
    assert call(proposals_app, "POST", P1 + "/publish", {"proposal_id": proposal["id"]},
                principal=key)["statusCode"] == 409
    again = propose(contracts_app, key, asset)
    assert again["id"] != proposal["id"]


def test_acknowledgment_rules(contracts_app, proposals_app, setup, teams_app, admin):
    key, asset, v1, [(t1, k1), (t2, k2)] = setup
    proposal = propose(contracts_app, key, asset)
    pid = proposal["id"]
    stranger_team, stranger_key = consumer(teams_app, admin, "Stranger")
    r = call(proposals_app, "POST", P1 + "/acknowledge", {"proposal_id": pid}, principal=stranger_key,
             body={"consumer_team_id": stranger_team["id"], "response": "approved"})
    assert r["statusCode"] == 403 and error_of(r)["error"]["code"] == "NOT_A_CONSUMER"
    # acting for another team
    r = call(proposals_app, "POST", P1 + "/acknowledge", {"proposal_id": pid}, principal=k2,
             body={"consumer_team_id": t1["id"], "response": "approved"})
    assert r["statusCode"] == 403 and error_of(r)["error"]["code"] == "UNAUTHORIZED_TEAM"
    reader = team_key(admin, t1["id"], scopes=("read",))
    assert call(proposals_app, "POST", P1 + "/acknowledge", {"proposal_id": pid}, principal=reader,
                body={"consumer_team_id": t1["id"], "response": "approved"})["statusCode"] == 403
    for payload in ({"consumer_team_id": t1["id"], "response": "maybe"}, {"consumer_team_id": "x", "response": "approved"},
                    {"response": "approved"}, {"consumer_team_id": t1["id"], "response": "approved", "notes": "n" * 2001}):
        r = call(proposals_app, "POST", P1 + "/acknowledge", {"proposal_id": pid}, principal=k1, body=payload)
        assert r["statusCode"] == 422, payload
    ack(proposals_app, k1, pid, t1["id"])
    r = call(proposals_app, "POST", P1 + "/acknowledge", {"proposal_id": pid}, principal=k1,
             body={"consumer_team_id": t1["id"], "response": "blocked"})
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "DUPLICATE_ACKNOWLEDGMENT"
    # an admin may answer for a consumer team
    ack(proposals_app, admin, pid, t2["id"])
    assert get(proposals_app, k1, pid)["status"] == "approved"
    for ident in ("nope", str(uuid.uuid4())):
        r = call(proposals_app, "POST", P1 + "/acknowledge", {"proposal_id": ident}, principal=k1,
                 body={"consumer_team_id": t1["id"], "response": "approved"})
        assert r["statusCode"] == 404 and error_of(r)["error"]["code"] == "PROPOSAL_NOT_FOUND"
        assert call(proposals_app, "GET", P1, {"proposal_id": ident}, principal=k1)["statusCode"] == 404


def test_withdraw_and_force(contracts_app, proposals_app, setup, admin):
    key, asset, v1, [(t1, k1), (t2, k2)] = setup
    proposal = propose(contracts_app, key, asset)
    pid = proposal["id"]
    r = call(proposals_app, "POST", P1 + "/withdraw", {"proposal_id": pid}, principal=k1)
    assert r["statusCode"] == 403
    withdrawn = act(proposals_app, key, pid, "withdraw")
    sdk.Proposal.model_validate(withdrawn)
    assert withdrawn["status"] == "withdrawn"
    assert call(proposals_app, "POST", P1 + "/withdraw", {"proposal_id": pid}, principal=key)["statusCode"] == 409
    assert call(proposals_app, "POST", P1 + "/publish", {"proposal_id": pid}, principal=key)["statusCode"] == 409

    proposal = propose(contracts_app, key, asset)
    pid = proposal["id"]
    r = call(proposals_app, "POST", P1 + "/force", {"proposal_id": pid}, principal=key)
    assert r["statusCode"] == 403
    forced = act(proposals_app, admin, pid, "force", body={"reason": "deadline"})
    assert forced["status"] == "approved" and forced["forced"] is True
    assert call(proposals_app, "POST", P1 + "/force", {"proposal_id": pid}, principal=admin)["statusCode"] == 409
    contract = act(proposals_app, key, pid, "publish")
    assert contract["version"] == "2.0.0" and contract["forced"] is True


def test_publish_rechecks_against_the_current_active_version(contracts_app, proposals_app, setup, admin):
    key, asset, v1, [(t1, k1), (t2, k2)] = setup
    proposal = propose(contracts_app, key, asset)
    # a compatible publish while the proposal is pending is allowed...
    assert publish(contracts_app, key, asset["id"], with_(zip={"type": "string"}))["contract"]["version"] == "1.1.0"
    ack(proposals_app, k1, proposal["id"], t1["id"])
    ack(proposals_app, k2, proposal["id"], t2["id"])
    # ...and the proposal is re-checked against it when published: dropping `zip` now is a new
    # breaking change (the proposed schema is closed) nobody acknowledged
    r = call(proposals_app, "POST", P1 + "/publish", {"proposal_id": proposal["id"]}, principal=key)
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "PROPOSAL_STALE"
    assert "zip" in error_of(r)["error"]["message"]
    assert versions_of(contracts_app, key, asset["id"])[0] == ("1.1.0", "active")


def test_publish_after_a_compatible_change_that_the_proposal_covers(contracts_app, proposals_app, setup):
    key, asset, v1, [(t1, k1), (t2, k2)] = setup
    open_breaking = with_(drop=["email"], id={"type": "string"})  # a removed column and a type change
    proposal = propose(contracts_app, key, asset, open_breaking)
    publish(contracts_app, key, asset["id"], with_(name={"type": "string", "description": "display name"}))
    for team, k in ((t1, k1), (t2, k2)):
        ack(proposals_app, k, proposal["id"], team["id"])
    contract = act(proposals_app, key, proposal["id"], "publish")
    assert contract["version"] == "2.0.0"
    assert versions_of(contracts_app, key, asset["id"]) == [("2.0.0", "active"), ("1.0.1", "deprecated"),
                                                            ("1.0.0", "deprecated")]


def test_publish_recheck_judges_under_the_lines_profile(contracts_app, proposals_app, setup):
    """The re-check diffs like a publish does: on a table line (the default) a column the
    proposal drops, added meanwhile, is a new breaking change even in an open object."""
    key, asset, v1, [(t1, k1), (t2, k2)] = setup
    proposal = propose(contracts_app, key, asset, with_(drop=["email"]))
    assert [(b["type"], b["column"], b["reason"]) for b in proposal["breaking_changes"]] == [
        ("property_removed", "email", "breaks: consumers select this column")]
    assert publish(contracts_app, key, asset["id"], with_(zip={"type": "string"}))["contract"]["version"] == "1.1.0"
    for team, k in ((t1, k1), (t2, k2)):
        ack(proposals_app, k, proposal["id"], team["id"])
    r = call(proposals_app, "POST", P1 + "/publish", {"proposal_id": proposal["id"]}, principal=key)
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "PROPOSAL_STALE"
    assert "'zip'" in error_of(r)["error"]["message"]


def test_a_profile_switch_waits_for_the_consumers(contracts_app, proposals_app, setup):
    key, asset, v1, [(t1, k1), (t2, k2)] = setup
    proposal = propose(contracts_app, key, asset, BASE, profile="event")
    assert proposal["profile"] == "event"
    assert [(b["type"], b["reason"]) for b in proposal["breaking_changes"]] == [
        ("profile_changed", "breaks: consumers were promised the table profile")]
    for team, k in ((t1, k1), (t2, k2)):
        ack(proposals_app, k, proposal["id"], team["id"])
    contract = act(proposals_app, key, proposal["id"], "publish")
    assert contract["version"] == "2.0.0" and contract["profile"] == "event"
    assert contract["published_by_name"] == asset["owner_team_name"] and contract["published_by_key"] == key.display
    # from now on the line is judged as an event: dropping a property of an open object is compatible
    r = publish(contracts_app, key, asset["id"], with_(drop=["email"]))
    assert r["action"] == "published" and r["contract"]["version"] == "2.1.0" and r["profile"] == "event"


def test_expiry(contracts_app, proposals_app, setup, monkeypatch):
    key, asset, v1, [(t1, k1), (t2, k2)] = setup
    proposal = propose(contracts_app, key, asset, proposal_expires_in_days=1)
    assert proposal["expires_at"]
    monkeypatch.setattr(clock, "_offset_seconds", 2 * 86400)
    expired = get(proposals_app, k1, proposal["id"])
    assert expired["lifecycle_status"] == "expired" and expired["status"] == "withdrawn"
    sdk.Proposal.model_validate(expired)
    r = call(proposals_app, "POST", P1 + "/acknowledge", {"proposal_id": proposal["id"]}, principal=k1,
             body={"consumer_team_id": t1["id"], "response": "approved"})
    assert r["statusCode"] == 409
    r = call(proposals_app, "GET", P, principal=k1, query={"status": "expired"})
    assert [p["id"] for p in body(r)] == [proposal["id"]]
    # the slot is free again
    assert propose(contracts_app, key, asset)["id"] != proposal["id"]


def _downstream_owner(contracts_app, assets_app, setup, teams_app, admin):
    """Team BI owns bi.report, which depends on the asset; then a breaking proposal on the asset."""
    key, asset = setup[0], setup[1]
    bi_team, bi_key = consumer(teams_app, admin, "BI")
    report = new_asset(assets_app, bi_key, bi_team["id"], "bi.report")
    call(assets_app, "POST", "/api/v1/assets/{asset_id}/dependencies", {"asset_id": report["id"]}, principal=bi_key,
         body={"target_asset_id": asset["id"]})
    return bi_team, bi_key, propose(contracts_app, key, asset)


def test_objections_from_downstream_owners(contracts_app, proposals_app, assets_app, setup, teams_app, admin):
    key, asset, v1, [(t1, k1), (t2, k2)] = setup
    bi_team, bi_key, proposal = _downstream_owner(contracts_app, assets_app, setup, teams_app, admin)
    assert [a["fqn"] for a in proposal["affected_assets"]] == ["bi.report"]
    out = act(proposals_app, bi_key, proposal["id"], "object", body={"reason": "our dashboard reads email"},
              query={"objector_team_id": bi_team["id"]})
    sdk.ObjectionResponse.model_validate(out)
    assert out["total_objections"] == 1 and out["objection"]["team_name"] == "BI"
    got = get(proposals_app, key, proposal["id"])
    assert got["has_objections"] is True and got["status"] == "pending"
    r = call(proposals_app, "POST", P1 + "/object", {"proposal_id": proposal["id"]}, principal=bi_key,
             body={"reason": "again"}, query={"objector_team_id": bi_team["id"]})
    assert r["statusCode"] == 409
    r = call(proposals_app, "POST", P1 + "/object", {"proposal_id": proposal["id"]}, principal=k1,
             body={"reason": "me too"}, query={"objector_team_id": t1["id"]})
    assert r["statusCode"] == 403 and error_of(r)["error"]["code"] == "NOT_AFFECTED"
    for query, payload, status in (({}, {"reason": "x"}, 422), ({"objector_team_id": bi_team["id"]}, {"reason": ""}, 422),
                                   ({"objector_team_id": t1["id"]}, {"reason": "x"}, 403)):
        r = call(proposals_app, "POST", P1 + "/object", {"proposal_id": proposal["id"]}, principal=bi_key,
                 body=payload, query=query or None)
        assert r["statusCode"] == status, (query, payload)


def test_list_and_tenants(contracts_app, proposals_app, assets_app, setup, admin, owner):
    key, asset, v1, [(t1, k1), _] = setup
    first = propose(contracts_app, key, asset)
    act(proposals_app, key, first["id"], "withdraw")
    second = propose(contracts_app, key, asset)
    team, _ = owner
    other_asset = new_asset(assets_app, key, team["id"], "warehouse.other")
    publish(contracts_app, key, other_asset["id"], BASE)
    r = call(proposals_app, "GET", P, principal=k1)
    assert r["headers"]["X-Total-Count"] == "2" and [p["id"] for p in body(r)] == [second["id"], first["id"]]
    [sdk.Proposal.model_validate(p) for p in body(r)]
    assert [p["id"] for p in body(call(proposals_app, "GET", P, principal=k1, query={"status": "pending"}))] == [second["id"]]
    assert [p["id"] for p in body(call(proposals_app, "GET", P, principal=k1,
                                       query={"asset_id": asset["id"], "status": "withdrawn"}))] == [first["id"]]
    assert body(call(proposals_app, "GET", P, principal=k1, query={"asset_id": other_asset["id"]})) == []
    assert [p["id"] for p in body(call(proposals_app, "GET", P, principal=k1, query={"limit": "1", "offset": "1"}))] == [first["id"]]
    for query in ({"status": "open"}, {"asset_id": "x"}, {"limit": "0"}):
        assert call(proposals_app, "GET", P, principal=k1, query=query)["statusCode"] == 422
    globex = replace(admin, tenant="globex")
    assert body(call(proposals_app, "GET", P, principal=globex)) == []
    assert call(proposals_app, "GET", P1, {"proposal_id": second["id"]}, principal=globex)["statusCode"] == 404
    for action in ("acknowledge", "withdraw", "force", "publish"):
        r = call(proposals_app, "POST", P1 + "/" + action, {"proposal_id": second["id"]}, principal=globex,
                 body={"consumer_team_id": t1["id"], "response": "approved"} if action == "acknowledge" else None)
        assert r["statusCode"] == 404, action


def test_parallel_acknowledgments_are_all_recorded(contracts_app, proposals_app, producer, teams_app, admin):
    _, key, asset = producer
    v1 = publish(contracts_app, key, asset["id"], BASE)["contract"]
    consumers = [consumer(teams_app, admin, f"Consumer {i}") for i in range(10)]
    for team, ckey in consumers:
        register(contracts_app, ckey, v1["id"], team["id"])
    proposal = propose(contracts_app, key, asset)
    results = _parallel(lambda i: call(proposals_app, "POST", P1 + "/acknowledge", {"proposal_id": proposal["id"]},
                                       principal=consumers[i][1],
                                       body={"consumer_team_id": consumers[i][0]["id"], "response": "approved"}), 10)
    assert [r["statusCode"] for r in results] == [200] * 10, [r["body"][:200] for r in results if r["statusCode"] != 200]
    st = body(call(proposals_app, "GET", P1 + "/status", {"proposal_id": proposal["id"]}, principal=key))
    assert st["received_acknowledgments"] == 10 and st["pending_consumers"] == []
    assert st["proposal"]["status"] == "approved"


def test_requests_per_acknowledgment(contracts_app, proposals_app, setup):
    key, asset, v1, [(t1, k1), _] = setup
    proposal = propose(contracts_app, key, asset)
    with dynamo_calls() as calls:
        ack(proposals_app, k1, proposal["id"], t1["id"])
    assert [op for op, _ in calls] == ["Query", "TransactWriteItems"]   # the partition, then one transaction


def _answered(contracts_app, proposals_app, assets_app, setup, teams_app, admin):
    """A proposal with a downstream objection and the first consumer's acknowledgment."""
    key, asset, v1, [(t1, k1), (t2, k2)] = setup
    bi_team, bi_key, proposal = _downstream_owner(contracts_app, assets_app, setup, teams_app, admin)
    act(proposals_app, bi_key, proposal["id"], "object", body={"reason": "our dashboard reads email"},
        query={"objector_team_id": bi_team["id"]})
    ack(proposals_app, k1, proposal["id"], t1["id"], notes="we migrate next sprint")
    return proposal["id"], bi_team, bi_key


def _responses(proposals_app, key, pid):
    listed = body(call(proposals_app, "GET", P, principal=key))
    return (get(proposals_app, key, pid), [p for p in listed if p["id"] == pid],
            body(call(proposals_app, "GET", P1 + "/status", {"proposal_id": pid}, principal=key)))


def test_indexes_copy_only_the_small_proposal_item(contracts_app, proposals_app, assets_app, setup, teams_app, admin):
    """The proposed schema, who it affects, acknowledgments and objections live in items without
    index keys; the proposal item holds their counts. Reads put the proposal together again."""
    from accord.store import db, keys as k
    key, asset, v1, [(t1, k1), (t2, k2)] = setup
    pid, bi_team, _ = _answered(contracts_app, proposals_app, assets_app, setup, teams_app, admin)
    items = {i["SK"]: i for i in db.query(k.proposal_pk(admin.tenant, pid), consistent=True)[0]}
    assert set(items) == {"PROPOSAL", "DOC", k.ack_sk(t1["id"]), k.objection_sk(bi_team["id"])}
    proposal = items.pop("PROPOSAL")
    assert {"GSI1PK", "GSI2PK"} <= set(proposal) and proposal["ack_count"] == 1 and proposal["objection_count"] == 1
    assert not set(proposal) & {"doc", "acks", "objections", "proposed_schema", "breaking_changes", "affected_teams",
                                "affected_assets"}
    assert all(not any(a.startswith("GSI") for a in i) for i in items.values())
    got, listed, status = _responses(proposals_app, key, pid)
    assert listed == [got] and sdk.Proposal.model_validate(got)
    assert [a["notes"] for a in got["acknowledgments"]] == ["we migrate next sprint"]
    assert [o["team_id"] for o in got["objections"]] == [bi_team["id"]] and got["has_objections"] is True
    assert status["received_acknowledgments"] == 1 and [t["team_id"] for t in status["pending_consumers"]] == [t2["id"]]


def test_proposals_written_before_the_split_read_the_same(contracts_app, proposals_app, assets_app, setup, teams_app,
                                                          admin):
    """An item holding `doc`, `acks` and `objections` itself (as written before they moved out)
    reads exactly as before, and takes new acknowledgments beside the inline ones."""
    from accord.store import db, docs, keys as k
    key, asset, v1, [(t1, k1), (t2, k2)] = setup
    pid, bi_team, bi_key = _answered(contracts_app, proposals_app, assets_app, setup, teams_app, admin)
    before = _responses(proposals_app, key, pid)
    pk = k.proposal_pk(admin.tenant, pid)
    items = {i["SK"]: i for i in db.query(pk, consistent=True)[0]}
    old = {key_: v for key_, v in items["PROPOSAL"].items() if key_ not in ("ack_count", "objection_count")}
    full = docs.unpack(items["DOC"]["doc"])
    ack_item, objection = items[k.ack_sk(t1["id"])], items[k.objection_sk(bi_team["id"])]
    strip = lambda i: {key_: v for key_, v in i.items() if key_ not in ("PK", "SK")}  # noqa: E731
    old.update({key_: full[key_] for key_ in ("breaking_changes", "affected_teams", "affected_assets")},
               doc=docs.pack({"proposed_schema": full["proposed_schema"],
                              "proposed_guarantees": full["proposed_guarantees"]}),
               acks={t1["id"]: strip(ack_item)}, objections=[strip(objection)])
    for sk in ("DOC", ack_item["SK"], objection["SK"]):
        db.delete(pk, sk)
    db.put(old)
    assert _responses(proposals_app, key, pid) == before
    r = call(proposals_app, "POST", P1 + "/object", {"proposal_id": pid}, principal=bi_key,
             body={"reason": "again"}, query={"objector_team_id": bi_team["id"]})
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "DUPLICATE_OBJECTION"
    r = call(proposals_app, "POST", P1 + "/acknowledge", {"proposal_id": pid}, principal=k1,
             body={"consumer_team_id": t1["id"], "response": "approved"})
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "DUPLICATE_ACKNOWLEDGMENT"
    ack(proposals_app, k2, pid, t2["id"])
    got, listed, status = _responses(proposals_app, key, pid)
    assert got["status"] == "approved" and listed == [got]
    assert [a["consumer_team_id"] for a in got["acknowledgments"]] == [t1["id"], t2["id"]]
    assert status["received_acknowledgments"] == 2 and status["pending_consumers"] == []
    assert act(proposals_app, key, pid, "publish")["status"] == "active"
