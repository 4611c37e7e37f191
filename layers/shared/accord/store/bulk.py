"""Bulk writes for importers: many assets' neighbours, edge removals and audit runs in few
transactions. Asset creates in bulk are `store.assets.create_many` (sharded counters, one update
per counter per transaction); edge adds in bulk are `registry.lineage.add_many`.
"""
from accord.store import assets as asset_store, audit as audit_store, db, keys as k

MAX_TX_ITEMS = 100
RUNS_PER_TX = MAX_TX_ITEMS // 2  # a run's put, and at most one count update per run


def guards(tenant: str, environment: str, fqns: list[str]) -> dict[str, str]:
    """{fqn: asset id} of the live assets named `fqns` in `environment` (BatchGetItem per 100)."""
    keys = [(k.asset_fqn_pk(tenant, environment, f), k.UNIQUE_SK) for f in fqns]
    prefix = k.asset_fqn_pk(tenant, environment, "")
    return {item["PK"][len(prefix):]: item["asset_id"] for item in db.batch_get(keys)}


def team_assets(tenant: str, team_id: str, environment: str) -> list[dict]:
    """Every live asset a team owns in an environment (its GSI2 partition, all pages)."""
    out, start = [], None
    while True:
        page, start = db.query(k.team_env_assets_gsi(tenant, team_id, environment), index="GSI2", start=start)
        out.extend(page)
        if not start:
            return out


def env_assets(tenant: str, environment: str) -> list[dict]:
    """Every live asset of an environment (its GSI1 partition, all pages)."""
    out, start = [], None
    while True:
        page, start = db.query(k.assets_env_gsi(tenant, environment), index="GSI1", start=start)
        out.extend(page)
        if not start:
            return out


# ------------------------------------------------------------------ lineage edges
def edge_remove_ops(tenant: str, edge: dict) -> list[dict]:
    src, dst = edge["source_asset_id"], edge["target_asset_id"]
    return [db.delete_op(k.dependency_pk(tenant, edge["id"]), k.DEPENDENCY_SK),
            db.delete_op(k.asset_pk(tenant, src), k.dep_sk(dst)),
            db.delete_op(k.asset_pk(tenant, dst), k.dependent_sk(src))]


# ------------------------------------------------------------------ audit runs
def run_ops(tenant: str, runs: list[tuple[str, dict]]) -> list[dict]:
    """One transaction of audit runs (asset id, run): each run (once only), and their counts as one
    update per asset and expiry week (store/audit.py)."""
    counts = audit_store.Counts()
    for asset_id, run in runs:
        counts.add(tenant, asset_id, run)
    return [*(audit_store.run_op(tenant, a, r) for a, r in runs), *counts.ops(tenant)]


def existing_runs(tenant: str, runs: list[tuple[str, dict]]) -> set[str]:
    """Ids of the runs (asset id, run) already stored: a resent run_results adds nothing."""
    keys = [(k.asset_pk(tenant, a), k.audit_sk(r["run_at"], r["id"])) for a, r in runs]
    return {item["id"] for item in db.batch_get(keys)} if keys else set()


# ------------------------------------------------------------------ committing
def pack(parts: list[list[dict]], reserve: int = 0) -> list[tuple[list[int], list[dict]]]:
    """Group the parts (each: the ops of one object) into transactions of at most 100 items less
    `reserve` (room for ops the caller adds per transaction); (indexes of the parts, ops) each."""
    out, idx, ops = [], [], []
    for i, part in enumerate(parts):
        if idx and len(ops) + len(part) + reserve > MAX_TX_ITEMS:
            out.append((idx, ops))
            idx, ops = [], []
        idx.append(i)
        ops = ops + part
    if idx:
        out.append((idx, ops))
    return out


def commit(ops: list[dict]) -> None:
    """One transaction (retried on a transaction conflict); raises db.ConditionFailed."""
    asset_store.transact(ops)


def commit_each(groups: list[list[dict]]) -> list[Exception | None]:
    """Commit transactions that touch disjoint items (counters in distinct shards:
    counters.spread), db.IN_FLIGHT at a time (DynamoDB answers each in tens of milliseconds: in
    sequence, a 1,500-node import would wait on them one by one). Returns each one's outcome:
    None, or the exception it raised."""
    def one(ops):
        try:
            commit(ops)
            return None
        except Exception as exc:  # noqa: BLE001 - handed back to the caller, per transaction
            return exc
    return db.in_parallel(one, groups)
