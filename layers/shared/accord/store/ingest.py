"""OpenLineage bookkeeping and drift verdicts (keys.py "OpenLineage and drift").

* a guard per recorded event (conditional put in the event's own transaction: a redelivery, a
  retry or a second producer sending the same event writes nothing twice);
* a job's runs: one item per run, updated by each of its events with idempotent SETs (the state is
  derived from which transitions were seen, so order and repetition do not matter);
* discovered datasets (those no asset has): one item each, listable, with an attribute per job;
* the tenant's namespace → environment settings;
* drift verdicts: an observed schema's judgement against one contract version, keyed by its hash.
"""
import time

from accord.store import db, keys as k

GUARD_TTL_SECONDS = 30 * 86400
INDEX_KEYS = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "ttl")


def public(item: dict | None) -> dict | None:
    return None if item is None else {n: v for n, v in item.items() if n not in INDEX_KEYS}


# ------------------------------------------------------------------ guards
def guard_key(tenant: str, event_hash: str, chunk: int = 0) -> tuple[str, str]:
    return k.lineage_guard_pk(tenant, event_hash), k.lineage_guard_sk(chunk)


def guard_op(tenant: str, event_hash: str, chunk: int, attrs: dict) -> dict:
    pk, sk = guard_key(tenant, event_hash, chunk)
    return db.put_op({"PK": pk, "SK": sk, **attrs, "ttl": int(time.time()) + GUARD_TTL_SECONDS},
                     "attribute_not_exists(PK)")


# ------------------------------------------------------------------ job runs
def run_op(tenant: str, job_hash: str, run_id: str, first_sort: str, sets: dict, adds: dict | None = None) -> dict:
    """SET `sets` (a name `first:x` sets x only if it has no value yet; None values are skipped),
    keep the first sort key the run was listed under, ADD `adds` (numbers)."""
    names = {"#g1pk": "GSI1PK", "#g1sk": "GSI1SK"}
    values = {":g1pk": k.job_runs_gsi(tenant, job_hash), ":g1sk": first_sort}
    parts = ["#g1pk = :g1pk", "#g1sk = if_not_exists(#g1sk, :g1sk)"]
    for i, (name, value) in enumerate(sets.items()):
        if value is None:
            continue
        keep = name.startswith("first:")
        name = name.removeprefix("first:")
        names[f"#a{i}"], values[f":a{i}"] = name, value
        parts.append(f"#a{i} = if_not_exists(#a{i}, :a{i})" if keep else f"#a{i} = :a{i}")
    expr = "SET " + ", ".join(parts)
    if adds:
        add_parts = []
        for i, (name, n) in enumerate(adds.items()):
            names[f"#n{i}"], values[f":n{i}"] = name, n
            add_parts.append(f"#n{i} :n{i}")
        expr += " ADD " + ", ".join(add_parts)
    return db.update_op(k.job_pk(tenant, job_hash), k.job_run_sk(run_id), expr, names=names, values=values)


def runs(tenant: str, job_hash: str, limit: int, start: dict | None = None) -> tuple[list[dict], dict | None]:
    """A job's runs, newest first (by their first event time)."""
    return db.query(k.job_runs_gsi(tenant, job_hash), index="GSI1", forward=False, limit=limit, start=start)


# ------------------------------------------------------------------ discovered datasets
def dataset_key(tenant: str, dataset_hash: str) -> tuple[str, str]:
    return k.dataset_pk(tenant, dataset_hash), k.DATASET_SK


def dataset_op(tenant: str, dataset_hash: str, sort: str, attrs: dict, jobs: dict, seen_at: str,
               new_jobs: int = 0) -> dict:
    """Create or refresh a discovered dataset: `first_seen_at` kept, `last_seen_at` moved, one
    attribute per job (`jobs` {attribute name: value}); `job_count` counts the new ones (a soft cap)."""
    names = {"#g1pk": "GSI1PK", "#g1sk": "GSI1SK", "#first": "first_seen_at", "#last": "last_seen_at"}
    values = {":g1pk": k.discovered_gsi(tenant), ":g1sk": sort, ":at": seen_at}
    parts = ["#g1pk = :g1pk", "#g1sk = :g1sk", "#first = if_not_exists(#first, :at)", "#last = :at"]
    for i, (name, value) in enumerate({**attrs, **jobs}.items()):
        names[f"#a{i}"], values[f":a{i}"] = name, value
        parts.append(f"#a{i} = :a{i}")
    expr = "SET " + ", ".join(parts)
    if new_jobs:
        names["#jc"], values[":jc"] = "job_count", new_jobs
        expr += " ADD #jc :jc"
    pk, sk = dataset_key(tenant, dataset_hash)
    return db.update_op(pk, sk, expr, names=names, values=values)


def dataset_delete_op(tenant: str, dataset_hash: str) -> dict:
    return db.delete_op(*dataset_key(tenant, dataset_hash))


def discovered(tenant: str, limit: int, start: dict | None = None) -> tuple[list[dict], dict | None]:
    return db.query(k.discovered_gsi(tenant), index="GSI1", limit=limit, start=start)


# ------------------------------------------------------------------ settings
def settings(tenant: str) -> dict | None:
    return public(db.get(k.lineage_settings_pk(tenant), k.LINEAGE_SETTINGS_SK, consistent=False))


def put_settings(tenant: str, doc: dict) -> None:
    db.put({"PK": k.lineage_settings_pk(tenant), "SK": k.LINEAGE_SETTINGS_SK, **doc})


# ------------------------------------------------------------------ drift verdicts
def verdict_key(tenant: str, asset_id: str, schema_hash: str) -> tuple[str, str]:
    return k.asset_pk(tenant, asset_id), k.drift_sk(schema_hash)


def verdict_op(tenant: str, asset_id: str, schema_hash: str, verdict: dict) -> dict:
    pk, sk = verdict_key(tenant, asset_id, schema_hash)
    return db.put_op({"PK": pk, "SK": sk, **verdict})


def judged_under_op(tenant: str, asset_id: str, contract_id: str) -> dict:
    """The asset is live and its active contract is still the one a verdict was made against (the
    asset item may come from a warm cache or an index): a transaction writing the verdict, or a drift
    run, is cancelled otherwise — and judged again from a fresh read."""
    return db.check_op(k.asset_pk(tenant, asset_id), k.ASSET_SK,
                       "attribute_exists(PK) AND attribute_not_exists(deleted_at) AND active_contract_id = :c",
                       values={":c": contract_id})


# ------------------------------------------------------------------ many reads at once
def get_many(keys: list[tuple[str, str]], consistent: bool = True,
             projection: list[str] | None = None) -> dict[tuple[str, str], dict]:
    """{(PK, SK): item} for every key that exists: one BatchGetItem per 100 keys."""
    if not keys:
        return {}
    return {(i["PK"], i["SK"]): i for i in db.batch_get(keys, consistent=consistent, projection=projection)}

