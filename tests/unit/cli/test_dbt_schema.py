"""The one dbt → Accord mapping (accord/ingest/dbt_schema.py), which the CLI ships as is."""
import ast
import os
import sys

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.ingest import dbt_schema as m
from tests.conftest import ROOT
from tests.support import dbt_manifest as dm

LAYER_FILE = ROOT / "layers" / "shared" / "accord" / "ingest" / "dbt_schema.py"
CLIENT_FILE = ROOT / "clients" / "python" / "src" / "accord_cli" / "dbt_schema.py"

S, I, N, B = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}


@pytest.mark.parametrize("data_type, schema", [
    # Tessera's table
    ("varchar", S), ("TEXT", S), ("character varying(255)", S), ("int", I), ("BIGINT", I), ("int64", I),
    ("numeric(10, 2)", N), ("FLOAT64", N), ("double precision", N), ("boolean", B),
    ("date", {"type": "string", "format": "date"}), ("timestamp", {"type": "string", "format": "date-time"}),
    ("TIMESTAMP_NTZ(9)", {"type": "string", "format": "date-time"}), ("time", {"type": "string", "format": "time"}),
    ("timestamp with time zone", {"type": "string", "format": "date-time"}),
    ("TIMESTAMP(6) WITH TIME ZONE", {"type": "string", "format": "date-time"}),
    ("jsonb", {"type": "object"}), ("VARIANT", {"type": "object"}), ("array", {"type": "array"}),
    # extended: integers by scale, nested types in each warehouse's spelling
    ("NUMBER(38,0)", I), ("decimal(18, 0)", I), ("NUMBER(38,2)", N),
    ("ARRAY<STRING>", {"type": "array", "items": S}), ("integer[]", {"type": "array", "items": I}),
    ("text[][]", {"type": "array", "items": {"type": "array", "items": S}}),
    ("Array(Nullable(String))", {"type": "array", "items": S}), ("LowCardinality(String)", S),
    ("struct<a:int,b:string>", {"type": "object", "properties": {"a": I, "b": S}}),
    ("STRUCT<a INT64, b ARRAY<STRUCT<c BOOL>>>",
     {"type": "object", "properties": {"a": I, "b": {"type": "array", "items": {"type": "object", "properties": {"c": B}}}}}),
    ('STRUCT(id INTEGER, "full name" VARCHAR)', {"type": "object", "properties": {"id": I, "full name": S}}),
    ("MAP(VARCHAR, INTEGER)", {"type": "object", "additionalProperties": I}),
    ("map<string,array<int>>", {"type": "object", "additionalProperties": {"type": "array", "items": I}}),
    # unknown: any value, never guessed as a string
    (None, {}), ("", {}), ("   ", {}), ("geometry_collection_xyz", {}), ("struct<>", {}), ("a<<b", {}),
])
def test_column_types(data_type, schema):
    assert m.column_schema(data_type) == schema


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.text(alphabet="abintgrucs<>()[],: \"`'0123456789", max_size=40)))
def test_any_type_text_maps_to_a_valid_schema(text):
    schema = m.column_schema(text)
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("node, fqn", [
    ({"relation_name": '"Analytics"."Main"."Orders"'}, "analytics.main.orders"),
    ({"relation_name": "`proj`.`ds`.`t`"}, "proj.ds.t"),
    ({"relation_name": "[db].[dbo].[t]"}, "db.dbo.t"),
    ({"relation_name": "DB.SCHEMA.T"}, "db.schema.t"),
    ({"relation_name": None, "database": "DB", "schema": "s", "alias": "renamed", "name": "orders"}, "db.s.renamed"),
    ({"database": "db", "schema": "s", "name": "orders"}, "db.s.orders"),
    ({"resource_type": "source", "database": "db", "schema": "raw", "identifier": "raw_c", "name": "c"}, "db.raw.raw_c"),
    ({"database": None, "schema": "s", "name": "x"}, "s.x"),  # no database (e.g. Spark)
    ({"relation_name": "a..b", "database": "d", "schema": "s", "name": "n"}, "d.s.n"),  # unusable: fall back
    ({}, None), ({"name": ""}, None),
])
def test_node_fqn(node, fqn):
    assert m.node_fqn(node) == fqn


def _manifest():
    model = {"resource_type": "model", "relation_name": '"db"."s"."orders"', "patch_path": "p://models/s.yml",
             "columns": {"id": {"name": "id", "data_type": "integer", "description": "Key."},
                         "status": {"name": "status", "data_type": "varchar"},
                         "pk": {"name": "pk", "data_type": "int", "constraints": [{"type": "primary_key"}]},
                         "nn": {"name": "nn", "data_type": "int", "constraints": [{"type": "not_null"}]},
                         "by_model": {"name": "by_model", "data_type": None},
                         "partial": {"name": "partial", "data_type": "int"}},
             "constraints": [{"type": "not_null", "columns": ["by_model"]}]}

    def test(name, column, attached="model.p.orders", **kw):
        t = {"resource_type": "test", "column_name": column, "test_metadata": {"name": name, "kwargs": kw},
             "config": {"where": None}}
        if attached:
            t["attached_node"] = attached
        else:
            t["depends_on"] = {"nodes": ["model.p.orders"]}
        return t

    where = test("not_null", "partial")
    where["config"]["where"] = "created_at > '2024-01-01'"
    return {"nodes": {
        "model.p.orders": model,
        "test.1": test("not_null", "id"),
        "test.2": test("accepted_values", "status", attached=None, values=["a", "b"]),
        "test.3": test("unique", "id"),
        "test.4": {**test("relationships", "id", to="ref('x')", field="id"), "attached_node": "model.p.orders"},
        "test.5": where,
        "model.p.no_columns": {"resource_type": "model", "relation_name": "db.s.nc", "columns": {}},
        "analysis.p.a": {"resource_type": "analysis", "relation_name": "db.s.a", "columns": {"x": {}}},
        "seed.p.codes": {"resource_type": "seed", "database": "db", "schema": "s", "alias": "codes",
                         "columns": {"code": {"name": "code", "data_type": "text"}}, "original_file_path": "seeds/codes.csv"},
    }, "sources": {"source.p.raw.c": {"resource_type": "source", "database": "db", "schema": "raw", "identifier": "c_raw",
                                      "name": "c", "columns": {"email": {"name": "email"}}}}}


def test_contract_nodes_map_columns_tests_and_constraints():
    nodes = {uid: (rt, fqn, schema, path) for uid, rt, fqn, schema, path in m.contract_nodes(_manifest())}
    assert set(nodes) == {"model.p.orders", "seed.p.codes", "source.p.raw.c"}
    rt, fqn, schema, path = nodes["model.p.orders"]
    assert (rt, fqn, path) == ("model", "db.s.orders", "models/s.yml")
    assert schema == {"type": "object", "required": ["id", "pk", "nn", "by_model"], "properties": {
        "id": {"type": "integer", "description": "Key."}, "status": {"type": "string", "enum": ["a", "b"]},
        "pk": I, "nn": I, "by_model": {}, "partial": I}}
    assert nodes["seed.p.codes"][1:] == ("db.s.codes", {"type": "object", "properties": {"code": S}, "required": []},
                                         "seeds/codes.csv")
    assert nodes["source.p.raw.c"][1:3] == ("db.raw.c_raw", {"type": "object", "properties": {"email": {}}, "required": []})


def test_contract_nodes_refuse_what_is_not_a_manifest():
    with pytest.raises(ValueError, match="JSON object"):
        list(m.contract_nodes([]))
    with pytest.raises(ValueError, match="'nodes' is not an object"):
        list(m.contract_nodes({"nodes": [1]}))
    assert list(m.contract_nodes({"nodes": {"x": 1, "y": {"resource_type": "model", "columns": "no"}}})) == []


def test_a_generated_project_maps_every_model_and_the_source():
    found = list(m.contract_nodes(dm.manifest(models=4, untyped_every=2)))
    assert [f[2] for f in found] == [f"analytics.main.model_{i:04d}" for i in range(4)] + ["analytics.raw.raw_customers"]
    schema = found[0][3]
    assert schema["required"] == ["id"] and schema["properties"]["status"]["enum"] == ["placed", "shipped", "returned"]
    assert schema["properties"]["col_2"] == {"description": "Column 2."}  # untyped: unknown


def test_the_module_is_pure_and_the_client_ships_this_very_file():
    """The client may not import the layer, so the mapping imports nothing of accord (nor
    anything outside the standard library), and the client's copy is this file (a symlink, which
    the wheel build resolves; tests/e2e/cli runs the installed command)."""
    tree = ast.parse(LAYER_FILE.read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= set(sys.stdlib_module_names), imported
    assert CLIENT_FILE.is_symlink() and os.path.samefile(CLIENT_FILE, LAYER_FILE)
