"""Lineage edges: each dependency is three items written and removed in one transaction — the
upstream edge under the dependent asset (DEP#), its mirror under the dependency (DEPENDENT#),
and a lookup item by dependency id. Edge adds also bump the tenant's lineage version, so two
concurrent adds that would only together close a cycle cannot both commit (see domain/lineage).
"""
from accord.store import assets as asset_store, db, keys as k

WALK_WORKERS = 8


def _edge_attrs(edge: dict) -> dict:
    return {key: v for key, v in edge.items() if key not in ("PK", "SK")}


def get(tenant: str, dep_id: str) -> dict | None:
    item = db.get(k.dependency_pk(tenant, dep_id), k.DEPENDENCY_SK)
    return _edge_attrs(item) if item else None


def version(tenant: str) -> int:
    item = db.get(k.lineage_pk(tenant), k.LINEAGE_SK)
    return int(item.get("v", 0)) if item else 0


LIVE = "attribute_exists(PK) AND attribute_not_exists(deleted_at)"


def edge_ops(tenant: str, edge: dict) -> list[tuple[str, dict]]:
    """(label, op) of a new edge's three items; the upstream edge only if it does not exist yet."""
    src, dst = edge["source_asset_id"], edge["target_asset_id"]
    return [("lookup", db.put_op({"PK": k.dependency_pk(tenant, edge["id"]), "SK": k.DEPENDENCY_SK, **edge},
                                 "attribute_not_exists(PK)")),
            ("duplicate", db.put_op({"PK": k.asset_pk(tenant, src), "SK": k.dep_sk(dst), **edge},
                                    "attribute_not_exists(PK)")),
            ("mirror", db.put_op({"PK": k.asset_pk(tenant, dst), "SK": k.dependent_sk(src), **edge}))]


def version_op(tenant: str, expected_version: int) -> dict:
    """Moves the tenant's lineage version on: the edge adds of one transaction were checked for
    cycles against the graph at `expected_version`."""
    return db.update_op(k.lineage_pk(tenant), k.LINEAGE_SK, "SET v = :new", "attribute_not_exists(v) OR v = :old",
                        values={":new": expected_version + 1, ":old": expected_version})


def live_op(tenant: str, asset_id: str) -> dict:
    return db.check_op(k.asset_pk(tenant, asset_id), k.ASSET_SK, LIVE)


def edge_key(tenant: str, source_id: str, target_id: str) -> tuple[str, str]:
    return k.asset_pk(tenant, source_id), k.dep_sk(target_id)


def version_key(tenant: str) -> tuple[str, str]:
    return k.lineage_pk(tenant), k.LINEAGE_SK


def observe_op(tenant: str, source_id: str, target_id: str, at: str, runs: int) -> dict:
    """An existing edge seen again (OpenLineage): `last_observed_at`, and `call_count` + `runs`."""
    return db.update_op(k.asset_pk(tenant, source_id), k.dep_sk(target_id),
                        "SET last_observed_at = :at ADD call_count :n", "attribute_exists(PK)",
                        values={":at": at, ":n": runs})


def add(tenant: str, edge: dict, expected_version: int) -> None:
    """Raises ConditionFailed with `failed` ⊆ {duplicate, version, source, target}."""
    src, dst = edge["source_asset_id"], edge["target_asset_id"]
    tx = asset_store.Tx()
    for label, op in edge_ops(tenant, edge):
        tx.add(label, op)
    tx.add("version", version_op(tenant, expected_version))
    tx.add("source", live_op(tenant, src))
    tx.add("target", live_op(tenant, dst))
    try:
        tx.commit()
    except db.ConditionFailed as exc:
        exc.failed = tx.failed(exc)
        raise


def remove(tenant: str, edge: dict) -> None:
    """Raises ConditionFailed if the dependency is already gone."""
    src, dst = edge["source_asset_id"], edge["target_asset_id"]
    asset_store.transact([
        db.delete_op(k.dependency_pk(tenant, edge["id"]), k.DEPENDENCY_SK, "attribute_exists(PK)"),
        db.delete_op(k.asset_pk(tenant, src), k.dep_sk(dst)),
        db.delete_op(k.asset_pk(tenant, dst), k.dependent_sk(src)),
    ])


def edges(tenant: str, asset_id: str, direction: str, consistent: bool = False) -> list[dict]:
    """Every edge of one asset: 'up' = what it depends on, 'down' = what depends on it."""
    prefix = k.DEP_PREFIX if direction == "up" else k.DEPENDENT_PREFIX
    out, start = [], None
    while True:
        page, start = db.query(k.asset_pk(tenant, asset_id), sk_prefix=prefix, start=start,
                               consistent=consistent)
        out.extend(_edge_attrs(i) for i in page)
        if not start:
            return out


def edges_of_many(tenant: str, asset_ids: list[str], direction: str,
                  consistent: bool = False) -> dict[str, list[dict]]:
    """{asset id: edges} for a BFS level; the per-node Queries run in parallel."""
    if len(asset_ids) <= 1:
        return {a: edges(tenant, a, direction, consistent) for a in asset_ids}
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=min(WALK_WORKERS, len(asset_ids))) as pool:
        results = pool.map(lambda a: edges(tenant, a, direction, consistent), asset_ids)
        return dict(zip(asset_ids, results))
