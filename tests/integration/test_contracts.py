"""Contract publishing (DESIGN §4) through the contracts function's handler, on moto."""
import copy
import json
import uuid
from dataclasses import replace

import pytest
from accord.store import contracts as contract_store
from tessera_sdk import models as sdk

from tests.integration.conftest import load_app
from tests.integration.test_assets import (  # noqa: F401
    A1,
    _parallel,
    assets_app,
    call,
    dynamo_calls,
    error_of,
    new_asset,
    new_team,
    owner,
    team_key,
)
from tests.support.events import body

PUB = "/api/v1/assets/{asset_id}/contracts"
ALIAS = "/api/v1/assets/{asset_id}/publish"
HIST = "/api/v1/assets/{asset_id}/contracts/history"
DIFF = "/api/v1/assets/{asset_id}/contracts/diff"
IMPACT = "/api/v1/assets/{asset_id}/impact"
C = "/api/v1/contracts"
C1 = "/api/v1/contracts/{contract_id}"
CREGS = "/api/v1/contracts/{contract_id}/registrations"
COMPARE = "/api/v1/contracts/compare"
REGS = "/api/v1/registrations"

BASE = {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"},
                                         "name": {"type": "string"}}, "required": ["id"]}


def with_(schema=BASE, drop=(), **props):
    s = copy.deepcopy(schema)
    for p in drop:
        s["properties"].pop(p)
    s["properties"].update(props)
    return s


@pytest.fixture(scope="session")
def contracts_app():
    return load_app("contracts")


@pytest.fixture(scope="session")
def proposals_app():
    return load_app("proposals")


@pytest.fixture
def producer(assets_app, owner):
    team, key = owner
    return team, key, new_asset(assets_app, key, team["id"], "warehouse.analytics.users")


def publish(app, principal, asset_id, schema, expect=201, query=None, **fields):
    r = call(app, "POST", PUB, {"asset_id": asset_id}, principal=principal, body={"schema": schema, **fields},
             query=query)
    assert r["statusCode"] == expect, r["body"][:500]
    return body(r)


def register(app, principal, contract_id, team_id, expect=201, **fields):
    r = call(app, "POST", REGS, principal=principal, query={"contract_id": contract_id},
             body={"consumer_team_id": team_id, **fields})
    assert r["statusCode"] == expect, r["body"][:500]
    return body(r)


def consumer(teams_app, admin, name="Analytics"):
    team = new_team(teams_app, admin, name)
    return team, team_key(admin, team["id"])


def versions_of(app, principal, asset_id):
    r = call(app, "GET", PUB, {"asset_id": asset_id}, principal=principal)
    assert r["statusCode"] == 200
    return [(c["version"], c["status"]) for c in body(r)]


# ------------------------------------------------------------------ the publish decisions
def test_first_identical_and_compatible_publishes(contracts_app, assets_app, producer):
    team, key, asset = producer
    first = publish(contracts_app, key, asset["id"], BASE, compatibility_mode="backward",
                    guarantees={"freshness": {"max_staleness_minutes": 60}})
    assert first["action"] == "published" and first["contract"]["version"] == "1.0.0"
    sdk.PublishResult.model_validate(first)
    contract = sdk.Contract.model_validate(first["contract"])
    assert contract.status == "active" and str(contract.published_by) == team["id"]
    assert first["contract"]["guarantees"] == {"freshness": {"max_staleness_minutes": 60}}

    same = publish(contracts_app, key, asset["id"], json.loads(json.dumps(BASE)), expect=200)
    assert same["action"] == "unchanged" and same["contract"]["id"] == first["contract"]["id"]
    # key order and required order are not changes
    reordered = {"required": ["id"], "properties": dict(reversed(list(BASE["properties"].items()))), "type": "object"}
    assert publish(contracts_app, key, asset["id"], reordered, expect=200)["action"] == "unchanged"

    minor = publish(contracts_app, key, asset["id"], with_(phone={"type": "string"}))
    assert minor["action"] == "published" and minor["contract"]["version"] == "1.1.0"
    assert minor["change_type"] == "minor" and minor["breaking_changes"] == []
    assert [(c["type"], c["path"]) for c in minor["changes"]] == [("property_added", "$.properties.phone")]
    # omitted guarantees are carried over from the active version
    assert minor["contract"]["guarantees"] == {"freshness": {"max_staleness_minutes": 60}}

    documented = with_(with_(phone={"type": "string"}), id={"type": "integer", "description": "primary key"})
    patch = publish(contracts_app, key, asset["id"], documented)
    assert patch["contract"]["version"] == "1.1.1" and patch["change_type"] == "patch"

    assert versions_of(contracts_app, key, asset["id"]) == [("1.1.1", "active"), ("1.1.0", "deprecated"),
                                                            ("1.0.0", "deprecated")]
    got = body(call(assets_app, "GET", A1, {"asset_id": asset["id"]}, principal=key))
    assert got["active_contract_version"] == "1.1.1" and got["active_contract_id"] == patch["contract"]["id"]
    # the alias route publishes too
    alias = call(contracts_app, "POST", ALIAS, {"asset_id": asset["id"]}, principal=key,
                 body={"schema": with_(documented, zip={"type": "string"})})
    assert alias["statusCode"] == 201 and body(alias)["contract"]["version"] == "1.2.0"


def test_breaking_without_consumers_publishes_the_major_version(contracts_app, producer):
    _, key, asset = producer
    publish(contracts_app, key, asset["id"], BASE)
    r = publish(contracts_app, key, asset["id"], with_(drop=["email"], id={"type": "string"}))
    assert r["action"] == "published" and r["contract"]["version"] == "2.0.0" and r["change_type"] == "major"
    assert {c["type"] for c in r["breaking_changes"]} == {"type_changed", "property_removed"}
    assert "no registered consumers" in r["message"]
    b = {c["type"]: c for c in r["breaking_changes"]}["type_changed"]
    assert b["column"] == "id" and b["details"]["old_value"] == ["integer"] and b["path"] == "$.properties.id"
    # each field once: the seed's {type, path, description}, the SDK's {type, column, details}, the reason
    assert set(b) == {"type", "path", "description", "reason", "column", "details"}
    assert set(b["details"]) == {"effect", "old_value", "new_value"} and b["reason"].startswith("breaks: ")
    removed = {c["type"]: c for c in r["breaking_changes"]}["property_removed"]
    assert removed["column"] == "email" and removed["reason"] == "breaks: consumers select this column"
    assert r["profile"] == "table" and "all_changes" not in r


def test_requested_versions(contracts_app, producer):
    _, key, asset = producer
    assert publish(contracts_app, key, asset["id"], BASE, version="0.3.0")["contract"]["version"] == "0.3.0"
    r = call(contracts_app, "POST", PUB, {"asset_id": asset["id"]}, principal=key,
             body={"schema": with_(a={"type": "string"}), "version": "0.3.0"})
    assert r["statusCode"] == 409 and error_of(r)["error"]["code"] == "VERSION_NOT_INCREASING"
    r = call(contracts_app, "POST", PUB, {"asset_id": asset["id"]}, principal=key,
             body={"schema": with_(a={"type": "string"}), "version": "0.2.9"})
    assert r["statusCode"] == 409
    for bad in ("1", "1.0", "v1.0.0", "01.0.0", "1.0.0-", "1.0.0+", "x.y.z", "1.0.0-01"):
        r = call(contracts_app, "POST", PUB, {"asset_id": asset["id"]}, principal=key,
                 body={"schema": with_(a={"type": "string"}), "version": bad})
        assert r["statusCode"] == 422 and error_of(r)["error"]["code"] == "INVALID_VERSION", bad
    # a compatible change needs at least a minor step: 0.3.1 is too small for a property_added
    r = call(contracts_app, "POST", PUB, {"asset_id": asset["id"]}, principal=key,
             body={"schema": with_(a={"type": "string"}), "version": "0.3.1"})
    assert r["statusCode"] == 422 and error_of(r)["error"]["code"] == "VERSION_BUMP_TOO_SMALL"
    assert publish(contracts_app, key, asset["id"], with_(a={"type": "string"}), version="0.5.0+build.7"
                   )["contract"]["version"] == "0.5.0+build.7"
    # breaking: needs a major step (in 0.x a minor step is one, semver §4)
    breaking = with_(with_(a={"type": "string"}), drop=["email"], id={"type": "string"})
    r = call(contracts_app, "POST", PUB, {"asset_id": asset["id"]}, principal=key,
             body={"schema": breaking, "version": "0.5.1"})
    assert r["statusCode"] == 422 and "0.6.0" in error_of(r)["error"]["message"]
    assert publish(contracts_app, key, asset["id"], breaking, version="1.0.0-rc.1")["contract"]["version"] == "1.0.0-rc.1"
    # identical schema with a new version is still unchanged
    assert publish(contracts_app, key, asset["id"], breaking, version="9.0.0", expect=200)["action"] == "unchanged"
    # from a pre-release, the next compatible publish releases it
    r = publish(contracts_app, key, asset["id"], with_(breaking, b={"type": "string"}))
    assert r["contract"]["version"] == "1.0.0"
    assert [v for v, _ in versions_of(contracts_app, key, asset["id"])] == [
        "1.0.0", "1.0.0-rc.1", "0.5.0+build.7", "0.3.0"]


def test_compatibility_modes(contracts_app, producer, assets_app, owner):
    team, key, asset = producer
    publish(contracts_app, key, asset["id"], BASE, compatibility_mode="FULL")
    # adding a required property breaks backward (and so full)
    r = publish(contracts_app, key, asset["id"], {**with_(z={"type": "string"}), "required": ["id", "z"]})
    assert r["contract"]["version"] == "2.0.0" and r["contract"]["compatibility_mode"] == "full"
    # weakening the line's mode is itself breaking
    r = publish(contracts_app, key, asset["id"], {**with_(z={"type": "string"}), "required": ["id", "z"]},
                compatibility_mode="none")
    assert r["contract"]["version"] == "3.0.0"
    assert [c["type"] for c in r["breaking_changes"]] == ["compatibility_mode_weakened"]
    # strengthening is a minor change when the schema satisfies the stronger mode...
    r = publish(contracts_app, key, asset["id"], {**with_(z={"type": "string"}), "required": ["id", "z"]},
                compatibility_mode="backward")
    assert r["contract"]["version"] == "3.1.0" and r["contract"]["compatibility_mode"] == "backward"
    # ...and a transitive mode is judged against every earlier version (1.0.0 data lacks z)
    r = publish(contracts_app, key, asset["id"], {**with_(z={"type": "string"}), "required": ["id", "z"]},
                compatibility_mode="backward_transitive")
    assert r["contract"]["version"] == "4.0.0" and r["breaking_changes"][0]["against"] == "history[0]"
    bad = call(contracts_app, "POST", PUB, {"asset_id": asset["id"]}, principal=key,
               body={"schema": BASE, "compatibility_mode": "sideways"})
    assert bad["statusCode"] == 422

    # transitive, on an event line (declared once, kept by later versions): drop optional a:string,
    # later re-add a:integer — each step is fine for an open event object, v1 data is not
    other = new_asset(assets_app, key, team["id"], "warehouse.analytics.events")
    v1 = with_(a={"type": "string"})
    first = publish(contracts_app, key, other["id"], v1, compatibility_mode="backward_transitive", profile="event")
    assert first["contract"]["profile"] == "event"
    dropped = publish(contracts_app, key, other["id"], BASE)
    assert dropped["contract"]["version"] == "1.1.0" and dropped["profile"] == "event"
    assert dropped["contract"]["profile"] == "event"
    r = publish(contracts_app, key, other["id"], with_(a={"type": "integer"}))
    assert r["contract"]["version"] == "2.0.0" and r["breaking_changes"][0]["against"] == "history[0]"
    third = new_asset(assets_app, key, team["id"], "warehouse.analytics.plain")
    publish(contracts_app, key, third["id"], v1, compatibility_mode="backward", profile="event")
    publish(contracts_app, key, third["id"], BASE)
    assert publish(contracts_app, key, third["id"], with_(a={"type": "integer"}))["contract"]["version"] == "1.2.0"
    # the same drop on a table line (the default) breaks by itself: consumers select the column
    table = new_asset(assets_app, key, team["id"], "warehouse.analytics.table")
    publish(contracts_app, key, table["id"], v1)
    r = publish(contracts_app, key, table["id"], BASE)
    assert r["contract"]["version"] == "2.0.0" and r["profile"] == "table" and r["contract"]["profile"] is None
    assert [(c["type"], c["column"], c["reason"]) for c in r["breaking_changes"]] == [
        ("property_removed", "a", "breaks: consumers select this column")]


def test_guarantees_are_stored_and_diffed(contracts_app, producer):
    _, key, asset = producer
    g = {"freshness": {"max_staleness_minutes": 60}, "volume": {"min_rows": 100}}
    publish(contracts_app, key, asset["id"], BASE, guarantees=g)
    tighter = publish(contracts_app, key, asset["id"], BASE, guarantees={**g, "freshness": {"max_staleness_minutes": 30}})
    assert tighter["contract"]["version"] == "1.1.0" and tighter["warnings"] == []
    assert [c["type"] for c in tighter["changes"]] == ["guarantee_tightened"]
    looser = publish(contracts_app, key, asset["id"], BASE, guarantees={**g, "freshness": {"max_staleness_minutes": 240}})
    assert looser["contract"]["version"] == "1.2.0" and [c["type"] for c in looser["warnings"]] == ["guarantee_relaxed"]
    # a strict line treats relaxing as breaking (no consumers: published as major)
    publish(contracts_app, key, asset["id"], BASE, guarantees=g, guarantee_mode="strict")
    r = publish(contracts_app, key, asset["id"], BASE, guarantees={"volume": {"min_rows": 10}})
    assert r["change_type"] == "major" and {c["type"] for c in r["breaking_changes"]} >= {"guarantee_relaxed"}
    got = body(call(contracts_app, "GET", C1, {"contract_id": r["contract"]["id"]}, principal=key))
    assert got["guarantees"] == {"volume": {"min_rows": 10}} and got["guarantee_mode"] == "strict"
    # identical schema + guarantees → unchanged
    assert publish(contracts_app, key, asset["id"], BASE, guarantees={"volume": {"min_rows": 10}},
                   expect=200)["action"] == "unchanged"


def test_dry_run_writes_nothing(contracts_app, producer, teams_app, admin):
    _, key, asset = producer
    r = publish(contracts_app, key, asset["id"], BASE, expect=200, query={"dry_run": "true"})
    assert r["action"] == "would_publish" and r["version"] == "1.0.0" and r["contract"] is None
    assert versions_of(contracts_app, key, asset["id"]) == []
    v1 = publish(contracts_app, key, asset["id"], BASE)["contract"]
    cteam, ckey = consumer(teams_app, admin)
    register(contracts_app, ckey, v1["id"], cteam["id"])
    r = publish(contracts_app, key, asset["id"], with_(drop=["email"]) | {"additionalProperties": False},
                expect=200, query={"dry_run": "true"})
    assert r["action"] == "would_create_proposal" and r["breaking_changes"]
    assert publish(contracts_app, key, asset["id"], BASE, expect=200, query={"dry_run": "true"})["action"] == "unchanged"
    assert versions_of(contracts_app, key, asset["id"]) == [("1.0.0", "active")]


def test_force_needs_admin_and_reason_and_is_logged(contracts_app, producer, teams_app, admin):
    _, key, asset = producer
    v1 = publish(contracts_app, key, asset["id"], BASE)["contract"]
    cteam, ckey = consumer(teams_app, admin)
    register(contracts_app, ckey, v1["id"], cteam["id"])
    breaking = with_(id={"type": "string"})
    r = call(contracts_app, "POST", PUB, {"asset_id": asset["id"]}, principal=key, body={"schema": breaking},
             query={"force": "true", "reason": "x"})
    assert r["statusCode"] == 403 and error_of(r)["error"]["code"] == "FORCE_NEEDS_ADMIN"
    r = call(contracts_app, "POST", PUB, {"asset_id": asset["id"]}, principal=admin, body={"schema": breaking},
             query={"force": "true"})
    assert r["statusCode"] == 422 and "reason" in error_of(r)["error"]["message"]
    r = publish(contracts_app, admin, asset["id"], breaking, query={"force": "true", "reason": "hotfix INC-42"})
    assert r["action"] == "published" and r["contract"]["version"] == "2.0.0" and r["contract"]["forced"] is True
    [entry] = contract_store.action_log(admin.tenant, asset["id"])
    assert entry["action"] == "force_publish" and entry["reason"] == "hotfix INC-42" and entry["version"] == "2.0.0"


# ------------------------------------------------------------------ reads
def test_reads_history_diff_compare_and_lists(contracts_app, producer, assets_app, owner):
    team, key, asset = producer
    v1 = publish(contracts_app, key, asset["id"], BASE)["contract"]
    v2 = publish(contracts_app, key, asset["id"], with_(phone={"type": "string"}))["contract"]
    v3 = publish(contracts_app, key, asset["id"], with_(drop=["email"], phone={"type": "string"}) |
                 {"additionalProperties": False})["contract"]
    got = body(call(contracts_app, "GET", C1, {"contract_id": v1["id"]}, principal=key))
    sdk.Contract.model_validate(got)
    assert got["status"] == "deprecated" and got["schema"] == BASE and got["deprecated_at"]

    listed = body(call(contracts_app, "GET", PUB, {"asset_id": asset["id"]}, principal=key, query={"status": "active"}))
    assert [c["id"] for c in listed] == [v3["id"]]
    [sdk.Contract.model_validate(c) for c in listed]

    hist = body(call(contracts_app, "GET", HIST, {"asset_id": asset["id"]}, principal=key, query={"limit": "2"}))
    assert [h["version"] for h in hist] == ["2.0.0", "1.1.0"] and hist[0]["breaking_changes_count"] == 1

    r = call(contracts_app, "GET", DIFF, {"asset_id": asset["id"]}, principal=key,
             query={"from_version": "1.0.0", "to_version": "1.1.0"})
    d = sdk.ContractDiff.model_validate(body(r))
    assert d.change_type == "minor" and not d.breaking_changes and body(r)["is_breaking"] is False
    d = body(call(contracts_app, "GET", DIFF, {"asset_id": asset["id"]}, principal=key,
                  query={"from_version": "1.0.0", "to_version": "2.0.0"}))
    assert d["change_type"] == "major" and [c["column"] for c in d["breaking_changes"]] == ["email"]
    assert d["profile"] == "table" and "changes" not in d and {c["type"] for c in d["all_changes"]} >= {"property_removed"}
    for query, status in (({"to_version": "7.0.0"}, 404), ({"from_version": "1.0.0", "to_version": "7.0.0"}, 404),
                          ({"from_version": "one", "to_version": "1.1.0"}, 422)):
        r = call(contracts_app, "GET", DIFF, {"asset_id": asset["id"]}, principal=key, query=query)
        assert r["statusCode"] == status, query

    # no asset to decide by: the registry's default profile (table), or the one asked for
    r = call(contracts_app, "POST", COMPARE, principal=key, body={
        "old_schema": BASE, "new_schema": with_(drop=["email"]), "compatibility_mode": "forward"})
    assert r["statusCode"] == 200 and body(r)["is_breaking"] is True and body(r)["is_compatible"] is False
    assert body(r)["profile"] == "table" and "changes" not in body(r)
    assert [c["reason"] for c in body(r)["all_changes"]] == ["breaks: consumers select this column"]
    r = call(contracts_app, "POST", COMPARE, principal=key, body={
        "old_schema": BASE, "new_schema": with_(drop=["email"]), "compatibility_mode": "forward", "profile": "event"})
    assert r["statusCode"] == 200 and body(r)["is_breaking"] is False and body(r)["profile"] == "event"
    r = call(contracts_app, "POST", COMPARE, principal=key, body={
        "old_schema": BASE, "new_schema": BASE, "profile": "relational"})
    assert r["statusCode"] == 422 and "profile" in r["body"]
    r = call(contracts_app, "POST", COMPARE, principal=key, body={
        "old_schema": BASE, "new_schema": with_(id={"type": "string"})})
    assert body(r)["is_breaking"] is True and body(r)["change_type"] == "major"

    other = new_asset(assets_app, key, team["id"], "warehouse.other")
    publish(contracts_app, key, other["id"], BASE)
    r = call(contracts_app, "GET", C, principal=key)
    assert r["headers"]["X-Total-Count"] == "4" and len(body(r)) == 4
    [sdk.Contract.model_validate(c) for c in body(r)]
    r = call(contracts_app, "GET", C, principal=key, query={"status": "active"})
    assert r["headers"]["X-Total-Count"] == "2" and {c["version"] for c in body(r)} == {"2.0.0", "1.0.0"}
    r = call(contracts_app, "GET", C, principal=key, query={"status": "deprecated", "limit": "1", "offset": "1"})
    assert r["headers"]["X-Total-Count"] == "2" and len(body(r)) == 1
    r = call(contracts_app, "GET", C, principal=key, query={"asset_id": asset["id"]})
    assert [c["version"] for c in body(r)] == ["2.0.0", "1.1.0", "1.0.0"]
    assert call(contracts_app, "GET", C, principal=key, query={"status": "gone"})["statusCode"] == 422


def test_impact_lists_consumers_and_downstream_owners(contracts_app, assets_app, producer, teams_app, admin):
    team, key, asset = producer
    v1 = publish(contracts_app, key, asset["id"], BASE)["contract"]
    cteam, ckey = consumer(teams_app, admin, "Analytics")
    register(contracts_app, ckey, v1["id"], cteam["id"])
    bi_team, bi_key = consumer(teams_app, admin, "BI")
    report = new_asset(assets_app, bi_key, bi_team["id"], "bi.report")
    mart = new_asset(assets_app, ckey, cteam["id"], "analytics.mart")
    call(assets_app, "POST", "/api/v1/assets/{asset_id}/dependencies", {"asset_id": mart["id"]}, principal=ckey,
         body={"target_asset_id": asset["id"]})
    call(assets_app, "POST", "/api/v1/assets/{asset_id}/dependencies", {"asset_id": report["id"]}, principal=bi_key,
         body={"target_asset_id": mart["id"]})
    r = call(contracts_app, "POST", IMPACT, {"asset_id": asset["id"]}, principal=bi_key,
             body={"proposed_schema": with_(drop=["email"]) | {"additionalProperties": False}})
    assert r["statusCode"] == 200, r
    out = body(r)
    sdk.ImpactAnalysis.model_validate(out)
    assert out["is_breaking"] is True and out["safe_to_publish"] is False
    assert [(c["type"], c["path"]) for c in out["breaking_changes"]] == [("property_removed", "$.properties.email")]
    teams = {t["team_name"]: t for t in out["affected_consumers"]}
    assert set(teams) == {"Analytics", "BI"}
    assert teams["Analytics"]["sources"] == ["registration", "lineage"]
    assert teams["BI"]["sources"] == ["lineage"] and teams["BI"]["assets"][0]["depth"] == 2
    assert out["impacted_consumers"] == out["affected_consumers"] and out["suggested_version"] == "2.0.0"
    shallow = body(call(contracts_app, "POST", IMPACT, {"asset_id": asset["id"]}, principal=key,
                        body={"proposed_schema": BASE}, query={"depth": "1"}))
    assert shallow["is_breaking"] is False and shallow["safe_to_publish"] is True
    assert {t["team_name"] for t in shallow["affected_consumers"]} == {"Analytics"}
    fresh = new_asset(assets_app, key, team["id"], "warehouse.fresh")
    r = body(call(contracts_app, "POST", IMPACT, {"asset_id": fresh["id"]}, principal=key, body={"proposed_schema": BASE}))
    assert r["is_breaking"] is False and r["current_version"] is None and r["suggested_version"] == "1.0.0"


# ------------------------------------------------------------------ bad input, auth, tenants
def test_bad_input_is_4xx(contracts_app, producer):
    _, key, asset = producer
    a = {"asset_id": asset["id"]}
    for payload, status, code in [
        ({"schema": {"type": "strin"}}, 400, "INVALID_SCHEMA"),
        ({"schema": {"type": "object", "properties": {"a": {"pattern": "("}}}}, 400, "INVALID_SCHEMA"),
        ({"schema": {"$ref": "#/$defs/missing"}}, 400, "INVALID_SCHEMA"),
        ({"schema": {"type": "object", "minProperties": -1}}, 400, "INVALID_SCHEMA"),
        ({"schema": "object"}, 422, "VALIDATION_ERROR"),
        ({"schema": ["a"]}, 422, "VALIDATION_ERROR"),
        ({}, 422, "VALIDATION_ERROR"),
        ({"schema": BASE, "guarantees": "fresh"}, 422, "VALIDATION_ERROR"),
        ({"schema": BASE, "guarantee_mode": "loose"}, 422, "VALIDATION_ERROR"),
        ({"schema": BASE, "version": 1}, 422, "VALIDATION_ERROR"),
    ]:
        r = call(contracts_app, "POST", PUB, a, principal=key, body=payload)
        assert r["statusCode"] == status, (payload, r["body"][:300])
        err = error_of(r)
        assert err["error"]["code"] == code, (payload, err)
    r = call(contracts_app, "POST", PUB, a, principal=key, body={"schema": {"type": "strin"}})
    assert "type" in error_of(r)["detail"][0]["msg"]
    huge = {"type": "object", "properties": {f"p{i:06d}": {"type": "string", "description": "x" * 40} for i in range(20_000)}}
    r = call(contracts_app, "POST", PUB, a, principal=key, body={"schema": huge})
    assert r["statusCode"] == 413
    assert call(contracts_app, "POST", PUB, a, principal=key, raw_body="{")["statusCode"] == 400
    for ident in ("nope", str(uuid.uuid4())):
        assert call(contracts_app, "POST", PUB, {"asset_id": ident}, principal=key, body={"schema": BASE})["statusCode"] == 404
        assert call(contracts_app, "GET", PUB, {"asset_id": ident}, principal=key)["statusCode"] == 404
        assert call(contracts_app, "GET", C1, {"contract_id": ident}, principal=key)["statusCode"] == 404
        assert call(contracts_app, "GET", CREGS, {"contract_id": ident}, principal=key)["statusCode"] == 404
        assert call(contracts_app, "POST", IMPACT, {"asset_id": ident}, principal=key,
                    body={"proposed_schema": BASE})["statusCode"] == 404
    r = call(contracts_app, "POST", COMPARE, principal=key, body={"old_schema": BASE, "new_schema": {"type": 5}})
    assert r["statusCode"] == 400 and "new_schema" in error_of(r)["detail"][0]["loc"]
    assert call(contracts_app, "POST", COMPARE, principal=key, body={"old_schema": BASE})["statusCode"] == 422
    assert call(contracts_app, "POST", PUB, a, principal=key, body={"schema": BASE},
                query={"published_by": "me"})["statusCode"] == 422


def test_authorization_and_tenants(contracts_app, producer, teams_app, admin):
    team, key, asset = producer
    a = {"asset_id": asset["id"]}
    other_team, other_key = consumer(teams_app, admin, "Other")
    reader = team_key(admin, team["id"], scopes=("read",))
    assert call(contracts_app, "POST", PUB, a, principal=reader, body={"schema": BASE})["statusCode"] == 403
    r = call(contracts_app, "POST", PUB, a, principal=other_key, body={"schema": BASE})
    assert r["statusCode"] == 403 and error_of(r)["error"]["code"] == "UNAUTHORIZED_TEAM"
    r = call(contracts_app, "POST", PUB, a, principal=key, body={"schema": BASE}, query={"published_by": other_team["id"]})
    assert r["statusCode"] == 403
    v1 = publish(contracts_app, admin, asset["id"], BASE, query={"published_by": other_team["id"]})["contract"]
    assert v1["published_by"] == other_team["id"]
    # `published_by_name` names that team, `published_by_key` the key that published
    assert v1["published_by_name"] == "Other" and v1["published_by_key"] == admin.display
    r = call(contracts_app, "POST", PUB, a, principal=admin, body={"schema": with_(x={"type": "string"})},
             query={"published_by": str(uuid.uuid4())})
    assert r["statusCode"] == 422 and "published_by" in error_of(r)["error"]["message"]
    # reads are open to the tenant
    for principal in (reader, other_key):
        assert call(contracts_app, "GET", PUB, a, principal=principal)["statusCode"] == 200
        assert call(contracts_app, "GET", C1, {"contract_id": v1["id"]}, principal=principal)["statusCode"] == 200
    globex = replace(admin, tenant="globex")
    assert call(contracts_app, "GET", C1, {"contract_id": v1["id"]}, principal=globex)["statusCode"] == 404
    assert call(contracts_app, "GET", PUB, a, principal=globex)["statusCode"] == 404
    assert call(contracts_app, "POST", PUB, a, principal=globex, body={"schema": BASE})["statusCode"] == 404
    assert body(call(contracts_app, "GET", C, principal=globex)) == []
    r = call(contracts_app, "POST", REGS, principal=globex, query={"contract_id": v1["id"]},
             body={"consumer_team_id": other_team["id"]})
    assert r["statusCode"] == 404
    # a deleted asset takes no new versions
    from tests.integration.test_assets import A1 as ASSET
    from tests.integration.test_assets import assets_app as _  # noqa: F401
    assets = load_app("assets")
    assert call(assets, "DELETE", ASSET, a, principal=key)["statusCode"] == 204
    assert call(contracts_app, "POST", PUB, a, principal=key, body={"schema": BASE})["statusCode"] == 404
    assert call(contracts_app, "GET", C1, {"contract_id": v1["id"]}, principal=key)["statusCode"] == 200


# ------------------------------------------------------------------ verdicts people expect (schema-compatibility §7)
def test_seed_impact_example_is_breaking_with_the_consumer_affected(contracts_app, producer, teams_app, admin):
    """The seed's impact example: an ordinary (open) object, `email` removed, a registered
    consumer, the default mode — breaking, and the consumer affected, in impact and in publish."""
    team, key, asset = producer
    v1 = publish(contracts_app, key, asset["id"], BASE)["contract"]
    assert v1["compatibility_mode"] == "backward" and "additionalProperties" not in BASE
    cteam, ckey = consumer(teams_app, admin, "Analytics")
    register(contracts_app, ckey, v1["id"], cteam["id"])
    proposed = with_(drop=["email"])
    r = call(contracts_app, "POST", IMPACT, {"asset_id": asset["id"]}, principal=ckey,
             body={"proposed_schema": proposed})
    assert r["statusCode"] == 200, r
    out = body(r)
    sdk.ImpactAnalysis.model_validate(out)
    assert out["is_breaking"] is True and out["safe_to_publish"] is False and out["change_type"] == "major"
    assert out["profile"] == "table" and out["compatibility_mode"] == "backward"
    assert [{k: c[k] for k in ("type", "path", "description")} for c in out["breaking_changes"]] == [
        {"type": "property_removed", "path": "$.properties.email", "description": "Property 'email' was removed"}]
    assert out["breaking_changes"][0]["reason"] == "breaks: consumers select this column"
    assert [(t["team_id"], t["team_name"]) for t in out["affected_consumers"]] == [(cteam["id"], "Analytics")]
    assert out["impacted_consumers"] == out["affected_consumers"] and "all_changes" not in out
    # publishing it asks that consumer first
    r = publish(contracts_app, key, asset["id"], proposed)
    assert r["action"] == "proposal_created" and r["profile"] == "table"
    assert [b["column"] for b in r["proposal"]["breaking_changes"]] == ["email"]
    assert [t["team_id"] for t in r["proposal"]["affected_teams"]] == [cteam["id"]]
    # the proposing team by name, the key that proposed by its own field
    assert r["proposal"]["proposed_by_name"] == team["name"] and r["proposal"]["proposed_by_key"] == key.display


@pytest.mark.parametrize("resource_type,profile", [
    (None, "table"), ("model", "table"), ("table", "table"), ("seed", "table"),
    ("topic", "event"), ("Event", "event"), ("stream", "event"), ("api-endpoint", "event"),
    ("graphql_query", "event"), ("grpc_service", "event")])
def test_profile_follows_the_assets_resource_type(contracts_app, assets_app, owner, resource_type, profile):
    team, key = owner
    meta = {"metadata": {"resource_type": resource_type}} if resource_type else {}
    asset = new_asset(assets_app, key, team["id"], **meta)
    publish(contracts_app, key, asset["id"], BASE)
    out = body(call(contracts_app, "POST", IMPACT, {"asset_id": asset["id"]}, principal=key,
                    body={"proposed_schema": with_(drop=["email"])}))
    assert out["profile"] == profile and out["is_breaking"] is (profile == "table")
    [change] = out["changes"]
    assert change["reason"] == ("breaks: consumers select this column" if profile == "table" else
                                "compatible: the object stays open, so the property is still accepted")
    r = publish(contracts_app, key, asset["id"], with_(drop=["email"]))
    assert r["profile"] == profile
    assert r["contract"]["version"] == ("2.0.0" if profile == "table" else "1.1.0")
    d = body(call(contracts_app, "GET", DIFF, {"asset_id": asset["id"]}, principal=key,
                  query={"from_version": "1.0.0", "to_version": r["contract"]["version"]}))
    assert d["profile"] == profile and d["is_breaking"] is (profile == "table")


def test_a_declared_profile_sticks_and_switching_it_is_breaking(contracts_app, producer):
    _, key, asset = producer
    first = publish(contracts_app, key, asset["id"], BASE)
    assert first["profile"] == "table" and first["contract"]["profile"] is None  # follows the asset
    # declaring the event profile on a table line changes what consumers were promised
    r = publish(contracts_app, key, asset["id"], BASE, profile="event")
    assert r["contract"]["version"] == "2.0.0" and r["contract"]["profile"] == "event"
    assert [(c["type"], c["details"]["old_value"], c["details"]["new_value"], c["reason"]) for c in r["breaking_changes"]] \
        == [("profile_changed", "table", "event", "breaks: consumers were promised the table profile")]
    # the declaration sticks: the next version is judged (and stored) as an event
    r = publish(contracts_app, key, asset["id"], with_(drop=["email"]))
    assert r["contract"]["version"] == "2.1.0" and r["profile"] == "event" and r["contract"]["profile"] == "event"
    # declaring what the line already is changes nothing
    r = publish(contracts_app, key, asset["id"], with_(drop=["email"]), expect=200, profile="event")
    assert r["action"] == "unchanged"
    r = call(contracts_app, "POST", PUB, {"asset_id": asset["id"]}, principal=key,
             body={"schema": BASE, "profile": "columnar"})
    assert r["statusCode"] == 422


def test_a_profile_switch_on_a_line_of_mode_none(contracts_app, assets_app, owner):
    """Mode none checks nothing, the switch included — but it is still a new (minor) version."""
    team, key = owner
    asset = new_asset(assets_app, key, team["id"])
    publish(contracts_app, key, asset["id"], BASE, compatibility_mode="none")
    r = publish(contracts_app, key, asset["id"], BASE, profile="event")
    assert r["action"] == "published" and r["contract"]["version"] == "1.1.0" and r["breaking_changes"] == []
    assert r["contract"]["profile"] == "event"
    assert [(c["type"], c["reason"]) for c in r["changes"]] == [("profile_changed", "compatible: mode none checks nothing")]


# ------------------------------------------------------------------ concurrency and cost
def test_parallel_publishes_never_duplicate_a_version(contracts_app, producer):
    _, key, asset = producer
    publish(contracts_app, key, asset["id"], BASE)
    schemas = [with_(**{f"extra_{i}": {"type": "string"}}) for i in range(20)]
    results = _parallel(lambda i: call(contracts_app, "POST", PUB, {"asset_id": asset["id"]}, principal=key,
                                       body={"schema": schemas[i]}), 20)
    statuses = [r["statusCode"] for r in results]
    assert set(statuses) <= {201, 409} and statuses.count(201) >= 1, statuses
    published = [body(r)["contract"]["version"] for r in results if r["statusCode"] == 201]
    assert len(published) == len(set(published))
    listed = versions_of(contracts_app, key, asset["id"])
    assert [s for _, s in listed].count("active") == 1 and listed[0][1] == "active"
    assert len(listed) == 1 + len(published)
    assert len({v for v, _ in listed}) == len(listed)


def test_parallel_publishes_with_requested_versions_keep_one_active(contracts_app, producer):
    """Clients naming distinct versions: only the condition on the active pointer stops two of them
    from both replacing 1.0.0 (and leaving two active contracts)."""
    _, key, asset = producer
    # an event line: each candidate adds its own optional property, so against whichever won it
    # stays compatible (on a table line it would drop the winner's column: major, 422 for 1.x)
    publish(contracts_app, key, asset["id"], BASE, profile="event")
    results = _parallel(lambda i: call(contracts_app, "POST", PUB, {"asset_id": asset["id"]}, principal=key,
                                       body={"schema": with_(**{f"x{i}": {"type": "string"}}),
                                             "version": f"1.{i + 1}.0"}), 12)
    statuses = [r["statusCode"] for r in results]
    assert set(statuses) <= {201, 409} and statuses.count(201) >= 1, statuses
    r = call(contracts_app, "GET", C, principal=key, query={"asset_id": asset["id"]})
    listed = body(r)
    assert [c["status"] for c in listed].count("active") == 1
    by_time = sorted(listed, key=lambda c: c["published_at"])
    from accord.registry.versions import parse
    assert all(parse(a["version"]) < parse(b["version"]) for a, b in zip(by_time, by_time[1:]))
    assert by_time[-1]["status"] == "active"


def test_requests_per_publish(contracts_app, producer):
    _, key, asset = producer
    publish(contracts_app, key, asset["id"], BASE)
    with dynamo_calls() as calls:
        publish(contracts_app, key, asset["id"], with_(phone={"type": "string"}))
    # the asset, the active contract with its document (one Query of its partition), the transaction
    assert [op for op, _ in calls] == ["GetItem", "Query", "TransactWriteItems"]
    with dynamo_calls() as calls:
        publish(contracts_app, key, asset["id"], with_(phone={"type": "string"}), expect=200)
    assert [op for op, _ in calls] == ["GetItem", "Query"]


def test_large_schema_round_trip(contracts_app, producer):
    from bench import schemas
    old, new = schemas.large_pair()
    _, key, asset = producer
    first = publish(contracts_app, key, asset["id"], old)["contract"]
    got = body(call(contracts_app, "GET", C1, {"contract_id": first["id"]}, principal=key))
    assert got["schema"] == old
    r = publish(contracts_app, key, asset["id"], new)
    assert r["action"] == "published" and r["contract"]["version"] == "2.0.0" and len(r["breaking_changes"]) > 10
