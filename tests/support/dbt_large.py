"""A large dbt project's manifest, grown from the real dbt 1.11 nodes of tests/fixtures/dbt (every
node is a copy of one dbt wrote — a model with an enforced contract, a source with freshness, its
not_null / unique / accepted_values / relationships tests — renamed), so its shape is dbt's own.

`manifest(models=1500, tests=2600, target_bytes=19_000_000)` is the bench's project (the size of
the manifest Tessera took 17-33 s to import); tests use a smaller one. Deterministic.
"""
import copy
import json

from tests.support import dbt

PROJECT = "shop"
TYPES = ("integer", "varchar", "decimal(18,2)", "timestamp", "boolean", "date", "bigint", None)
SCHEMAS = 30


def _templates(base: dict) -> dict:
    nodes = base["nodes"]
    pick = lambda prefix: next(n for uid, n in nodes.items() if uid.startswith(prefix))  # noqa: E731
    return {"model": nodes["model.shop.orders"], "source": base["sources"]["source.shop.raw.payments"],
            "not_null": pick("test.shop.not_null_orders_customer_id"), "unique": pick("test.shop.unique_orders_order_id"),
            "accepted_values": pick("test.shop.accepted_values_orders_status"),
            "relationships": pick("test.shop.relationships_orders_customer_id")}


def _model(t: dict, i: int, deps: list[str], pad: int, schema_prefix: str = "mart",
           schemas: int = SCHEMAS) -> tuple[str, dict]:
    name, schema = f"model_{i:04d}", f"{schema_prefix}_{i % schemas:02d}"
    uid = f"model.{PROJECT}.{name}"
    n = copy.deepcopy(t)
    columns = {}
    for j in range(10):
        col = "id" if j == 0 else "status" if j == 9 else f"col_{j}"
        kind = "integer" if j == 0 else "varchar" if j == 9 else TYPES[(i + j) % len(TYPES)]
        columns[col] = {**copy.deepcopy(next(iter(t["columns"].values()))), "name": col, "data_type": kind,
                        "description": f"Column {col} of {name}.", "constraints": []}
    sql = f"select * from {{{{ ref('model_{max(i - 1, 0):04d}') }}}} -- " + ("x" * pad)
    n.update(name=name, schema=schema, alias=name, unique_id=uid, fqn=[PROJECT, schema, name],
             path=f"{schema}/{name}.sql", original_file_path=f"models/{schema}/{name}.sql",
             patch_path=f"{PROJECT}://models/{schema}/_{schema}.yml", relation_name=f'"{PROJECT}"."{schema}"."{name}"',
             description=f"The {name} model.", columns=columns, raw_code=sql, compiled_code=sql,
             depends_on={"macros": [], "nodes": deps}, constraints=[], meta={})
    n["config"] = {**n["config"], "meta": {}}  # owned by the request's owner_team_id
    n["checksum"] = {"name": "sha256", "checksum": f"{i:064x}"}
    return uid, n


def _test(t: dict, kind: str, model_uid: str, column: str, k: int, extra_dep: str | None = None) -> tuple[str, dict]:
    model = model_uid.rsplit(".", 1)[-1]
    name = f"{kind}_{model}_{column}_{k}"
    uid = f"test.{PROJECT}.{name}.{k:010x}"
    n = copy.deepcopy(t)
    n.update(name=name, alias=name, unique_id=uid, column_name=column, attached_node=model_uid,
             fqn=[PROJECT, name], depends_on={"macros": t["depends_on"]["macros"],
                                              "nodes": [extra_dep, model_uid] if extra_dep else [model_uid]})
    meta = n["test_metadata"]
    meta["kwargs"] = {**meta["kwargs"], "column_name": column, "model": f"{{{{ get_where_subquery(ref('{model}')) }}}}"}
    if kind == "relationships":
        meta["kwargs"].update(to=f"ref('{extra_dep.rsplit('.', 1)[-1]}')", field="id")
    return uid, n


def manifest(models: int = 1500, tests: int = 2600, target_bytes: int = 19_000_000, sources: int = 50,
             schema_prefix: str = "mart", schemas: int = SCHEMAS) -> dict:
    """`schema_prefix` names the models' schemas (another prefix: another project's relations)."""
    base = dbt.artefact("manifest")
    t = _templates(base)
    out = copy.deepcopy(base)
    out["nodes"] = {}
    out["sources"] = {}
    for s in range(sources):
        src = copy.deepcopy(t["source"])
        uid = f"source.{PROJECT}.raw.table_{s:03d}"
        src.update(name=f"table_{s:03d}", identifier=f"table_{s:03d}_v2", unique_id=uid,
                   fqn=[PROJECT, "raw", f"table_{s:03d}"],
                   relation_name=f'"{PROJECT}"."{schema_prefix}_raw"."table_{s:03d}_v2"')
        out["sources"][uid] = src
    pad = 0
    for attempt in range(2):
        nodes = {}
        for i in range(models):
            deps = [f"source.{PROJECT}.raw.table_{i % sources:03d}"] if i < sources else \
                [f"model.{PROJECT}.model_{i - 1:04d}", f"model.{PROJECT}.model_{(i * 7) % i:04d}"]
            uid, n = _model(t["model"], i, list(dict.fromkeys(deps)), pad, schema_prefix, schemas)
            nodes[uid] = n
        uids = list(nodes)
        k = 0
        for i in range(tests):
            model = uids[i % models]
            kind = ("not_null" if i < models else "unique" if i < models + 700 else
                    "accepted_values" if i < models + 1000 else "relationships")
            column = "status" if kind == "accepted_values" else "id"
            extra = uids[(i % models) - 1] if kind == "relationships" and i % models else None
            if kind == "relationships" and extra is None:
                kind, extra = "unique", None
            uid, n = _test(t[kind], kind, model, column, k, extra)
            nodes[uid] = n
            k += 1
        out["nodes"] = nodes
        size = len(json.dumps(out, separators=(",", ":")))
        if attempt == 0 and size < target_bytes:
            pad = (target_bytes - size) // (2 * models)  # raw_code and compiled_code both carry it
        else:
            break
    return out
