"""A typo in a field name (`enviroment`) is refused, naming the field it resembles; every other
unknown field of a registry body is still ignored (accord.http.models)."""
import json

import pytest
from accord.configuration import models as configuration
from accord.http.detail import validation_detail
from accord.http.envelopes import CONFIGURATION, REGISTRY
from accord.http.models import _Names, edit_distance, max_edits
from accord.http.router import Router
from accord.identity import models as identity
from accord.registry import models as assets
from accord.registry import models as contracts
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from tessera_sdk import models as sdk

from tests.support.events import api_event

TEAM = "3f2b8c1e-6a4d-4e1b-9c7a-2d5e8f0a1b2c"


def osa(a: str, b: str) -> int:
    """Optimal string alignment distance, unbounded (the reference)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


WORDS = st.text(alphabet="abcde_", max_size=9)


@settings(max_examples=400, deadline=None)
@given(WORDS, WORDS, st.integers(0, 3))
def test_bounded_distance_agrees_with_the_reference(a, b, limit):
    assert edit_distance(a, b, limit) == min(osa(a, b), limit + 1)


NAMES = ["fqn", "owner_team_id", "environment", "owner_user_id", "metadata", "schema", "schema_", "version"]


def _typos(name: str):
    """A name with one character dropped, replaced or doubled (near misses and far ones)."""
    return st.tuples(st.integers(0, len(name)), st.sampled_from(["", "x", "e", "ee"])).map(
        lambda t: name[:t[0]] + t[1] + name[t[0] + 1:])


@settings(max_examples=400, deadline=None)
@given(st.one_of(WORDS, st.sampled_from(NAMES).flatmap(_typos)),
       st.sampled_from([assets.AssetCreate, assets.AssetUpdate, contracts.PublishRequest, assets.AuditResultCreate]))
def test_the_deletion_index_finds_what_comparing_with_every_name_finds(key, model):
    names = _Names(model)
    brute = sorted((osa(key, n), names.order.index(n), n) for n in names.order if osa(key, n) <= max_edits(n))
    expected = None if key in names.known or not brute else brute[0][2]
    assert (None if key in names.known else names.resembled(key)) == expected, (key, brute)


def errors_of(model, data) -> list:
    with pytest.raises(ValidationError) as exc:
        model.model_validate(data)
    return validation_detail(exc.value)


def test_a_typo_of_an_optional_field_is_refused_naming_the_field():
    detail = errors_of(assets.AssetCreate, {"fqn": "a.b", "owner_team_id": TEAM, "enviroment": "staging"})
    assert detail == [{"loc": ["body", "enviroment"], "type": "extra_forbidden",
                       "msg": "Unknown field 'enviroment'; did you mean 'environment'?"}]


def test_each_typo_is_one_detail_item_and_nested_ones_are_located():
    detail = errors_of(assets.AuditResultCreate, {"status": "passed", "trigered_by": "dbt", "detials": {}})
    assert [(d["loc"], d["msg"]) for d in detail] == [
        (["body", "trigered_by"], "Unknown field 'trigered_by'; did you mean 'triggered_by'?"),
        (["body", "detials"], "Unknown field 'detials'; did you mean 'details'?")]
    detail = errors_of(assets.AuditResultCreate, {"status": "passed", "triggered_by": "dbt",
                                                  "guarantee_results": [{"guarantee_id": "g", "pased": True}]})
    assert detail[0]["loc"] == ["body", "guarantee_results", 0, "pased"]
    assert "did you mean 'passed'" in detail[0]["msg"]


def test_an_alias_is_suggested_over_the_python_name():
    detail = errors_of(contracts.PublishRequest, {"schema": {}, "blob": 1, "schemas": {}})
    assert [d["msg"] for d in detail] == ["Unknown field 'schemas'; did you mean 'schema'?"]


@pytest.mark.parametrize("key", ["sql", "id", "tags", "created_at", "updated_at", "resource_type", "owner_team_name",
                                 "active_contract_id", "active_contract_version", "description", "x" * 5000])
def test_other_unknown_fields_are_still_ignored(key):
    body = assets.AssetCreate.model_validate({"fqn": "a.b", "owner_team_id": TEAM, key: 1})
    assert body.environment == "production"


# What tessera-sdk 0.1.5 sends, model by model (its own request models, dumped as it dumps them), and
# what a client sends back when it round-trips a response it read: nothing of it is a near miss.
SDK_BODIES = [
    (identity.TeamCreate, sdk.TeamCreate(name="t", metadata={}).model_dump()),
    (identity.TeamUpdate, sdk.TeamUpdate(name="t", metadata={}).model_dump()),
    (assets.AssetCreate, sdk.AssetCreate(fqn="a.b", owner_team_id=TEAM).model_dump(mode="json")),
    (assets.AssetUpdate, sdk.AssetUpdate(fqn="a.b", owner_team_id=TEAM, metadata={}).model_dump(mode="json")),
    (assets.DependencyCreate, sdk.DependencyCreate(target_asset_id=TEAM, dependency_type="consumes").model_dump(
        mode="json")),
    (contracts.PublishRequest, sdk.ContractCreate(version="1.0.0", schema_def={}, guarantees=sdk.Guarantees())
     .model_dump(by_alias=True, mode="json")),
    (contracts.RegistrationCreate, sdk.RegistrationCreate(consumer_team_id=TEAM).model_dump(mode="json")),
    (contracts.RegistrationUpdate, sdk.RegistrationUpdate(status="active").model_dump(mode="json")),
    (contracts.AcknowledgmentCreate, {"consumer_team_id": TEAM, "response": "approved", "notes": None}),
    (contracts.ObjectionCreate, sdk.ObjectionCreate(reason="r").model_dump()),
    (contracts.ImpactRequest, {"proposed_schema": {}}),
    (contracts.CompareRequest, {"old_schema": {}, "new_schema": {}, "compatibility_mode": "backward"}),
]


@pytest.mark.parametrize("model,body", SDK_BODIES, ids=[m.__name__ for m, _ in SDK_BODIES])
def test_nothing_tessera_sdk_sends_is_a_near_miss(model, body):
    model.model_validate(body)


@pytest.mark.parametrize("model,response_model", [
    (assets.AssetUpdate, sdk.Asset), (identity.TeamUpdate, sdk.Team),
    (contracts.RegistrationUpdate, sdk.Registration), (contracts.PublishRequest, sdk.Contract)])
def test_a_response_sent_back_as_a_body_is_no_near_miss(model, response_model):
    names = _Names(model)
    for name, f in response_model.model_fields.items():
        for key in {name, f.alias or name}:
            assert key in names.known or names.resembled(key) is None, (model.__name__, key)


def test_the_configuration_family_keeps_refusing_every_unknown_key_with_a_hint_for_near_misses():
    detail = errors_of(configuration.AssetCreate, {"name": "a", "type": "S3", "payload": {}, "conection_id": 1})
    assert detail == [{"loc": ["body", "conection_id"], "type": "extra_forbidden",
                       "msg": "Unknown field 'conection_id'; did you mean 'connection_id'?"}]
    detail = errors_of(configuration.ProjectCreate, {"name": "p", "colour": "red"})
    assert detail[0]["loc"] == ["body", "colour"] and detail[0]["type"] == "extra_forbidden"


@pytest.mark.parametrize("family,status", [(REGISTRY, 422), (CONFIGURATION, 400)])
def test_through_the_router_in_the_family_envelope(family, status):
    router = Router(family)

    @router.route("POST", "/assets", scope=None, body=assets.AssetCreate, status=201)
    def create(req):
        return {"environment": req.body.environment}
    out = router.resolve(api_event("POST", "/assets", body={"fqn": "a.b", "owner_team_id": TEAM,
                                                            "enviroment": "staging"}))
    assert out["statusCode"] == status, out
    body = json.loads(out["body"])
    if family == REGISTRY:
        assert body["detail"] == [{"loc": ["body", "enviroment"], "type": "extra_forbidden",
                                   "msg": "Unknown field 'enviroment'; did you mean 'environment'?"}]
        assert "did you mean 'environment'" in body["error"]["message"]
    else:
        assert body["error"] == "VALIDATION_ERROR" and "did you mean 'environment'" in body["message"]


def test_a_hostile_body_of_many_unknown_keys_is_examined_only_so_far(monkeypatch):
    from accord.http import models as base
    calls = []
    real = base._Names.resembled
    monkeypatch.setattr(base._Names, "resembled", lambda self, key: calls.append(key) or real(self, key))
    body = {"fqn": "a.b", "owner_team_id": TEAM, **{f"k{i:07d}x": 1 for i in range(100_000)}}
    assets.AssetCreate.model_validate(body)
    assert len(calls) == base.MAX_KEYS_CHECKED
    detail = errors_of(assets.AssetCreate, {"enviroment": "x", **body})  # a typo among them is still found
    assert detail[0]["loc"] == ["body", "enviroment"]
