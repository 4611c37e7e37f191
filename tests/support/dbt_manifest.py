"""dbt `manifest.json` documents shaped as dbt 1.9 writes them (schema v12): models with typed
columns in a `patch_path` YAML, sources with an `identifier`, generic tests (`not_null`,
`unique`, `accepted_values`, `relationships`) attached to their model. Deterministic, so tests
and `make bench` (bench_cli: the 1,500-model check) share them.
"""
import copy
import zlib

PROJECT = "shop"
DATABASE = "analytics"
TYPES = ("integer", "varchar", "numeric(18,2)", "timestamp", "boolean", "date", "bigint", "text")


def _column(name: str, data_type: str | None, description: str = "") -> dict:
    return {"name": name, "description": description, "meta": {}, "data_type": data_type, "constraints": [],
            "quote": None, "tags": [], "granularity": None}


def _model(name: str, schema: str, columns: dict, depends_on: list[str]) -> dict:
    uid = f"model.{PROJECT}.{name}"
    return {
        "database": DATABASE, "schema": schema, "name": name, "resource_type": "model", "package_name": PROJECT,
        "path": f"{schema}/{name}.sql", "original_file_path": f"models/{schema}/{name}.sql",
        "unique_id": uid, "fqn": [PROJECT, schema, name], "alias": name,
        "checksum": {"name": "sha256", "checksum": f"{zlib.crc32(name.encode()):08x}"},
        "config": {"enabled": True, "alias": None, "schema": None, "database": None, "tags": [], "meta": {},
                   "materialized": "table", "contract": {"enforced": False, "alias_types": True}},
        "tags": [], "description": f"The {name} model.", "columns": columns, "meta": {},
        "patch_path": f"{PROJECT}://models/{schema}/schema.yml", "build_path": None, "unrendered_config": {},
        "created_at": 1717200000.0, "relation_name": f'"{DATABASE}"."{schema}"."{name}"',
        "raw_code": "select 1", "language": "sql", "refs": [], "sources": [], "metrics": [],
        "depends_on": {"macros": [], "nodes": depends_on}, "compiled_path": None, "contract":
            {"enforced": False, "alias_types": True, "checksum": None}, "access": "protected",
        "constraints": [], "version": None, "latest_version": None, "deprecation_date": None,
    }


def _test(kind: str, model_uid: str, column: str, kwargs: dict | None = None) -> tuple[str, dict]:
    model = model_uid.rsplit(".", 1)[-1]
    uid = f"test.{PROJECT}.{kind}_{model}_{column}.{zlib.crc32(f'{kind}/{model}/{column}'.encode()):08x}"
    return uid, {
        "database": DATABASE, "schema": "main_dbt_test__audit", "name": f"{kind}_{model}_{column}",
        "resource_type": "test", "package_name": PROJECT, "unique_id": uid, "alias": f"{kind}_{model}_{column}",
        "config": {"enabled": True, "severity": "ERROR", "where": None, "store_failures": None},
        "column_name": column, "attached_node": model_uid, "file_key_name": f"models.{model}",
        "test_metadata": {"name": kind, "namespace": None,
                          "kwargs": {"column_name": column, "model": f"{{{{ get_where_subquery(ref('{model}')) }}}}",
                                     **(kwargs or {})}},
        "depends_on": {"macros": [f"macro.dbt.test_{kind}"], "nodes": [model_uid]},
        "original_file_path": "models/schema.yml", "tags": [], "meta": {},
    }


def manifest(models: int = 5, columns: int = 6, schemas: int = 1, untyped_every: int = 0, code_bytes: int = 0) -> dict:
    """`models` models spread over `schemas` schemas (main, mart_1, ...), each with `columns` typed
    columns (every `untyped_every`-th without a type), an `id` not_null + unique, a `status`
    accepted_values, and a relationships test to the previous model; plus one source.
    `code_bytes`: SQL per model (raw and compiled), what makes real manifests 10-200 MB."""
    nodes, prev = {}, None
    for i in range(models):
        schema = "main" if schemas == 1 else f"mart_{i % schemas}"
        name = f"model_{i:04d}"
        cols = {"id": _column("id", "integer", "Primary key.")}
        for c in range(1, columns - 1):
            untyped = untyped_every and c % untyped_every == 0
            cols[f"col_{c}"] = _column(f"col_{c}", None if untyped else TYPES[(i + c) % len(TYPES)], f"Column {c}.")
        cols["status"] = _column("status", "varchar", "Lifecycle status.")
        uid = f"model.{PROJECT}.{name}"
        nodes[uid] = _model(name, schema, cols, [prev] if prev else [])
        if code_bytes:
            sql = ("select " + ", ".join(cols) + f" from {{{{ ref('{prev or 'raw'}') }}}} -- ")
            sql += "x" * max(code_bytes // 2 - len(sql), 0)
            nodes[uid]["raw_code"] = sql
            nodes[uid]["compiled_code"] = sql.replace("{{ ref(", "analytics.main.(")
        for kind, col, kw in (("not_null", "id", None), ("unique", "id", None),
                              ("accepted_values", "status", {"values": ["placed", "shipped", "returned"]})):
            tid, t = _test(kind, uid, col, kw)
            nodes[tid] = t
        if prev:
            tid, t = _test("relationships", uid, "id", {"to": f"ref('{prev.rsplit('.', 1)[-1]}')", "field": "id"})
            t["depends_on"]["nodes"] = [prev, uid]
            nodes[tid] = t
        prev = uid
    sources = {f"source.{PROJECT}.raw.customers": {
        "database": DATABASE, "schema": "raw", "name": "customers", "resource_type": "source",
        "package_name": PROJECT, "source_name": "raw", "identifier": "raw_customers",
        "unique_id": f"source.{PROJECT}.raw.customers", "fqn": [PROJECT, "raw", "customers"],
        "relation_name": f'"{DATABASE}"."raw"."raw_customers"', "loader": "", "description": "",
        "columns": {"customer_id": _column("customer_id", "integer"), "email": _column("email", "varchar")},
        "meta": {}, "config": {"enabled": True}, "tags": [], "freshness": None,
        "original_file_path": "models/sources.yml", "patch_path": None,
    }}
    return {"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",
                         "dbt_version": "1.9.4", "generated_at": "2024-06-01T00:00:00Z",
                         "invocation_id": "00000000-0000-4000-8000-000000000000", "project_name": PROJECT,
                         "adapter_type": "duckdb", "env": {}},
            "nodes": nodes, "sources": sources, "macros": {}, "docs": {}, "exposures": {}, "metrics": {},
            "groups": {}, "selectors": {}, "disabled": {}, "parent_map": {}, "child_map": {},
            "group_map": {}, "saved_queries": {}, "semantic_models": {}, "unit_tests": {}}


def model_uid(i: int) -> str:
    return f"model.{PROJECT}.model_{i:04d}"


def changed(m: dict, *, drop: dict | None = None, retype: dict | None = None, add: dict | None = None) -> dict:
    """A copy with columns dropped ({model index: column}), retyped ({index: (column, type)}) or
    added ({index: (column, type)}) — what a pull request does to a project."""
    m = copy.deepcopy(m)
    for i, col in (drop or {}).items():
        del m["nodes"][model_uid(i)]["columns"][col]
    for i, (col, t) in (retype or {}).items():
        m["nodes"][model_uid(i)]["columns"][col]["data_type"] = t
    for i, (col, t) in (add or {}).items():
        m["nodes"][model_uid(i)]["columns"][col] = _column(col, t)
    return m
