"""Drift (accord.ingest.drift) and observed schemas (accord.ingest.observed): pure logic — the
verdict of the schema engine on the contract as observed, under each mode and the table profile."""
import pytest
from hypothesis import given, settings, strategies as st

from accord.ingest import drift, observed as obs
from accord.ingest.dbt_schema import SCALARS

CONTRACT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string", "maxLength": 200, "description": "who"},
    "amount": {"type": "number"}, "created": {"type": "string", "format": "date-time"},
    "address": {"type": "object", "properties": {"city": {"type": "string"}, "zip": {"type": "string"}}}},
    "required": ["id", "created"]}


def asset(mode="backward"):
    return {"id": "a", "fqn": "wh.orders", "active_contract_id": "c1", "compatibility_mode": mode}


def contract(schema=CONTRACT, mode="backward"):
    return {"id": "c1", "version": "1.0.0", "schema": schema, "compatibility_mode": mode}


def ol_table(*columns):
    return obs.from_openlineage({"fields": [{"name": n, "type": t} if not isinstance(t, list) else
                                            {"name": n, "type": "struct", "fields": [{"name": a, "type": b} for a, b in t]}
                                            for n, t in columns]})


SAME = ol_table(("id", "BIGINT"), ("name", "VARCHAR(200)"), ("amount", "NUMERIC(12,2)"), ("created", "TIMESTAMP"),
                ("address", [("city", "text"), ("zip", "text")]))


def verdict(seen, mode="backward", schema=CONTRACT):
    return drift.judge(asset(mode), contract(schema, mode), seen)


@pytest.mark.parametrize("mode", ["backward", "forward", "full", "none", "backward_transitive"])
def test_the_table_as_contracted_is_compatible_in_every_mode(mode):
    v = verdict(SAME, mode)
    assert v["compatible"] and v["breaking_changes"] == [] and v["changes"] == []


@pytest.mark.parametrize("mode,breaks", [("backward", True), ("forward", True), ("full", True), ("none", False)])
def test_a_missing_column_is_removed_and_breaks_but_under_none(mode, breaks):
    seen = ol_table(("id", "int"), ("amount", "float"), ("created", "timestamp"),
                    ("address", [("city", "text"), ("zip", "text")]))
    v = verdict(seen, mode)
    assert v["compatible"] is not breaks
    if breaks:
        assert [c["column"] for c in v["breaking_changes"]] == ["name"]


def test_an_added_column_never_breaks_a_table():
    seen = ol_table(("id", "int"), ("name", "text"), ("amount", "float"),
                    ("created", "timestamp"), ("address", [("city", "text"), ("zip", "text")]), ("extra", "text"))
    for mode in ("backward", "forward", "full"):
        assert verdict(seen, mode)["compatible"]


def test_type_changes_are_judged_by_the_mode():
    seen = ol_table(("id", "VARCHAR"), ("name", "text"), ("amount", "float"), ("created", "timestamp"),
                    ("address", [("city", "text"), ("zip", "text")]))
    v = verdict(seen, "backward")
    assert not v["compatible"] and v["breaking_changes"][0]["column"] == "id"
    # integer data under a number column is within the contract: not a change at all
    seen = ol_table(("id", "int"), ("name", "text"), ("amount", "NUMBER(38,0)"), ("created", "timestamp"),
                    ("address", [("city", "text"), ("zip", "text")]))
    assert verdict(seen, "full")["changes"] == []


def test_what_cannot_be_observed_is_not_judged():
    # unknown types, and nothing but the type family: maxLength, descriptions stay the contract's
    seen = ol_table(("id", "GEOMETRY_XYZ"), ("name", "text"), ("amount", None), ("created", "timestamp"),
                    ("address", "VARIANT_UNKNOWN"))
    assert verdict(seen, "full")["changes"] == []


def test_a_date_time_column_that_became_text_is_a_change():
    seen = ol_table(("id", "int"), ("name", "text"), ("amount", "float"), ("created", "varchar"),
                    ("address", [("city", "text"), ("zip", "text")]))
    v = verdict(seen, "forward")
    assert not v["compatible"] and v["breaking_changes"][0]["column"] == "created"


def test_nested_struct_fields_are_compared():
    seen = ol_table(("id", "int"), ("name", "text"), ("amount", "float"), ("created", "timestamp"),
                    ("address", [("city", "text")]))
    v = verdict(seen, "backward")
    assert not v["compatible"] and v["breaking_changes"][0]["column"] == "address.zip"


def _dagster(*columns):
    return obs.from_dagster({"columns": [{"name": n, "type": t, "constraints": {} if nullable is None else
                                          {"nullable": nullable}} for n, t, nullable in columns]})


def test_nullability_is_judged_only_when_the_source_says_it():
    base = [("name", "string", None), ("amount", "float", None), ("address", "struct", None)]
    told = _dagster(("id", "int", False), ("created", "timestamp", False), *base)
    assert verdict(told, "full")["compatible"]
    silent = _dagster(("id", "int", None), ("created", "timestamp", None), *base)
    assert verdict(silent, "full")["changes"] == []            # the contract's word stands
    nullable = _dagster(("id", "int", True), ("created", "timestamp", False), *base)
    assert verdict(nullable, "backward")["compatible"]          # new readers cope with old, non-null data
    v = verdict(nullable, "forward")
    assert not v["compatible"] and v["breaking_changes"][0]["column"] == "id"


def test_dagster_forms():
    plain = {"columns": [{"name": "id", "type": "int", "description": None, "constraints":
                          {"nullable": False, "unique": True, "other": []}, "tags": {}}], "constraints": {"other": []}}
    for value in (plain, {"type": "table_schema", "raw_value": plain}, {"raw_value": {"schema": plain}}):
        seen = obs.from_dagster(value)
        assert seen.names == ["id"] and seen.columns[0].nullable is False
        assert seen.columns[0].schema == {"type": "integer"}
    import json
    assert obs.from_dagster(json.dumps(plain)).digest == obs.from_dagster(plain).digest
    for bad in ({"columns": "x"}, {"columns": [{"type": "int"}]}, [], "not json", {"columns": [
            {"name": "a"}, {"name": "a"}]}):
        with pytest.raises(obs.Unreadable):
            obs.from_dagster(bad)


def test_a_contract_without_plain_properties_is_compared_with_the_table_itself():
    refd = {"$defs": {"row": {"type": "object", "properties": {"id": {"type": "integer"}}}}, "$ref": "#/$defs/row"}
    v = verdict(ol_table(("id", "int")), "backward", refd)
    assert v["judged"]


def test_ref_properties_are_resolved():
    schema = {"$defs": {"ident": {"type": "integer"}}, "type": "object",
              "properties": {"id": {"$ref": "#/$defs/ident"}}}
    assert verdict(ol_table(("id", "bigint")), "full", schema)["compatible"]
    assert not verdict(ol_table(("id", "text")), "full", schema)["compatible"]


def test_a_verdict_is_remembered_per_contract_version():
    seen = ol_table(("id", "int"))
    calls = []

    def contract_of(cid):
        calls.append(cid)
        return contract()
    first = drift.decide(asset(), seen, None, contract_of)
    assert first.new and calls == ["c1"]
    again = drift.decide(asset(), seen, {**first.verdict, "PK": "x", "SK": "y"}, contract_of)
    assert not again.new and calls == ["c1"] and again.verdict == first.verdict
    moved = drift.decide({**asset(), "active_contract_id": "c2"}, seen, first.verdict, contract_of)
    assert moved.new and calls == ["c1", "c2"]
    assert drift.decide({**asset(), "active_contract_id": None}, seen, None, contract_of) is None


# ------------------------------------------------------------------ a property
_TYPES = sorted(t for t in SCALARS if " " not in t)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), st.sampled_from(_TYPES),
                       min_size=1, max_size=8),
       st.sampled_from(["backward", "forward", "full", "none"]), st.data())
def test_observing_exactly_the_contracted_table_never_drifts(columns, mode, data):
    """A contract made by the one type table, observed through the same table (with or without
    nullability, in any column order), is compatible in every mode."""
    required = data.draw(st.lists(st.sampled_from(sorted(columns)), unique=True))
    schema = {"type": "object", "properties": {n: dict(SCALARS[t]) for n, t in columns.items()}, "required": required}
    order = data.draw(st.permutations(sorted(columns)))
    told = data.draw(st.booleans())
    seen = obs.from_dagster({"columns": [{"name": n, "type": columns[n], "constraints":
                                          {"nullable": n not in required} if told else {}} for n in order]})
    v = drift.judge(asset(mode), contract(schema, mode), seen)
    assert v["compatible"], v["breaking_changes"]


def test_an_enforced_dbt_models_columns_are_an_observation():
    from accord.ingest import dbt_manifest
    node = {"resource_type": "model", "name": "orders", "database": "wh", "schema": "s", "alias": "orders",
            "columns": {"id": {"name": "id", "data_type": "bigint"}, "amount": {"name": "amount", "data_type": "text"},
                        "note": {"name": "note"}},
            "config": {"contract": {"enforced": True}}}
    plain = {**node, "alias": "plain", "config": {"contract": {"enforced": False}}}
    parsed = dbt_manifest.read({"metadata": {"invocation_id": "i", "generated_at": "2026-12-01T00:00:00Z"},
                                "nodes": {"model.p.orders": node, "model.p.plain": plain}})
    by_alias = {n.fqn.rsplit(".", 1)[-1]: n for n in parsed.nodes}
    assert by_alias["orders"].enforced and not by_alias["plain"].enforced
    assert parsed.generated_at == "2026-12-01T00:00:00Z"
    seen = obs.from_dbt(by_alias["orders"].columns)
    assert seen.source == "dbt" and seen.names == ["id", "amount", "note"]
    schema = {"type": "object", "properties": {"id": {"type": "integer"}, "amount": {"type": "number"},
                                               "note": {"type": "string"}, "gone": {"type": "string"}}}
    v = verdict(seen, "backward", schema)
    # amount became text, `gone` is not built any more; `note` has no data_type: not judged
    assert not v["compatible"] and sorted(c["column"] for c in v["breaking_changes"]) == ["amount", "gone"]
    assert obs.from_dbt(by_alias["orders"].columns).digest == seen.digest  # the same columns: the same verdict
