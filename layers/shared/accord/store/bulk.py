"""Bulk writes for importers: many assets, edges and audit runs in few transactions, the tenant's
shared counters moved once per batch.

Why: `store.assets.create` adds 1 to a dozen counters (`assets`, `assets|t=…`, `assets|e=…`, the
fqn prefixes…) in the asset's own transaction. Fine for one asset; for a 1,500-model dbt import
it is 1,500 transactions on the same few counter items — they serialise the import and conflict
with every other writer of the tenant (one item takes ~1,000 writes/s and conflicts with every
transaction holding it at the same time).

How: an asset created here is written with the counters only it touches (its own full fqn's)
and lists the shared ones in `pending_counters`. The batch then *settles*: one transaction adds
the batch's summed deltas to each shared counter and removes `pending_counters` from its
assets (conditioned on their `rev`, so a settle never counts an asset twice, nor one deleted or
changed meanwhile — those are counted by their own writer: `store.assets.counted_names`).
A crash between the two leaves assets whose shared counters are pending: the next import that
meets them (a retry, or the resumed job) settles them. Until then the list totals lag by them.
"""
from collections import Counter

from accord.store import assets as asset_store, audit as audit_store, db, keys as k

MAX_TX_ITEMS = 100


def own_counters(asset: dict) -> set[str]:
    """The counters only this asset touches: those of its full fqn (a prefix is shared)."""
    fqn = asset["fqn"]
    return {n for n in asset_store.counter_names(asset) if n.endswith(f"|f={fqn}")}


def prepare(asset: dict) -> dict:
    """The asset with its shared counters marked pending (written by `asset_ops`, settled later)."""
    pending = sorted(asset_store.counter_names(asset) - own_counters(asset))
    return {**asset, "pending_counters": pending} if pending else dict(asset)


def asset_ops(tenant: str, asset: dict, tokens: list[str]) -> list[dict]:
    """The asset's items (canonical, environment view, fqn guard, search tokens) and its own
    counters; the canonical item and the guard only if they do not exist yet."""
    canonical, view = asset_store._items(tenant, asset)
    guard_pk, guard_sk = asset_store._guard(tenant, asset)
    ops = [db.put_op(canonical, "attribute_not_exists(PK)"), db.put_op(view),
           db.put_op({"PK": guard_pk, "SK": guard_sk, "asset_id": asset["id"]}, "attribute_not_exists(PK)")]
    ops += asset_store._token_ops(tenant, asset["id"], tokens, add=True)
    ops += [asset_store._counter_op(tenant, n, 1) for n in sorted(asset_store.counted_names(asset))]
    return ops


def settle_groups(tenant: str, assets: list[dict], team_ids: set[str]) -> list[list[dict]]:
    """Transactions (each ≤ 100 items) that move the shared counters of `assets` (items as read or
    written: `pending_counters`, `rev`) and clear their pending lists; each also checks the owner
    teams are still live. Raises nothing: db.ConditionFailed comes from committing a group."""
    pending = [a for a in assets if a.get("pending_counters")]
    groups, i = [], 0
    while i < len(pending):
        chunk, deltas = [], Counter()
        checks = [asset_store._team_live_op(tenant, t) for t in sorted(team_ids)]
        while i < len(pending):
            names = set(pending[i]["pending_counters"])
            if len(chunk) + len(set(deltas) | names) + len(checks) + 1 > MAX_TX_ITEMS and chunk:
                break
            deltas.update(names)
            chunk.append(pending[i])
            i += 1
        ops = [asset_store._counter_op(tenant, n, d) for n, d in sorted(deltas.items())]
        ops += [db.update_op(k.asset_pk(tenant, a["id"]), k.ASSET_SK, "REMOVE pending_counters SET rev = rev + :one",
                             "rev = :rev AND attribute_exists(pending_counters) AND attribute_not_exists(deleted_at)",
                             values={":rev": a["rev"], ":one": 1}) for a in chunk]
        groups.append(ops + checks)
    return groups


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
def edge_ops(tenant: str, edge: dict) -> list[dict]:
    """The three items of a new edge (store/lineage.py). Unlike a single add, the two assets are
    not condition-checked here (a transaction may hold an item once, and a batch names an asset in
    many edges): the importer wrote or read them live just before, and lineage walks skip deleted
    assets."""
    src, dst = edge["source_asset_id"], edge["target_asset_id"]
    return [db.put_op({"PK": k.dependency_pk(tenant, edge["id"]), "SK": k.DEPENDENCY_SK, **edge},
                      "attribute_not_exists(PK)"),
            db.put_op({"PK": k.asset_pk(tenant, src), "SK": k.dep_sk(dst), **edge}, "attribute_not_exists(PK)"),
            db.put_op({"PK": k.asset_pk(tenant, dst), "SK": k.dependent_sk(src), **edge})]


def edge_remove_ops(tenant: str, edge: dict) -> list[dict]:
    src, dst = edge["source_asset_id"], edge["target_asset_id"]
    return [db.delete_op(k.dependency_pk(tenant, edge["id"]), k.DEPENDENCY_SK),
            db.delete_op(k.asset_pk(tenant, src), k.dep_sk(dst)),
            db.delete_op(k.asset_pk(tenant, dst), k.dependent_sk(src))]


def lineage_version_op(tenant: str, expected: int) -> dict:
    """Bump the tenant's lineage version once per batch of edges (store/lineage.py: concurrent
    edge adds that together close a cycle cannot both commit)."""
    return db.update_op(k.lineage_pk(tenant), k.LINEAGE_SK, "SET v = :new", "attribute_not_exists(v) OR v = :old",
                        values={":new": expected + 1, ":old": expected})


# ------------------------------------------------------------------ audit runs
def run_ops(tenant: str, asset_id: str, run: dict) -> list[dict]:
    """One audit run: the run (once only) and its per-asset counters (store/audit.py)."""
    ops = [audit_store.asset_live_op(tenant, asset_id), audit_store.run_op(tenant, asset_id, run)]
    ops += [audit_store.counter_op(tenant, asset_id, sk, 1)
            for sk in audit_store.counter_sks(run["status"], run["triggered_by"])]
    return ops


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


WRITE_WORKERS = 8  # transactions in flight at once: a batch's transactions touch disjoint items


def commit_each(groups: list[list[dict]], parallel: bool = True) -> list[Exception | None]:
    """Commit transactions, up to WRITE_WORKERS at a time when they touch disjoint items (DynamoDB
    answers each in tens of milliseconds: in sequence, a 1,500-node import would wait on them one
    by one); in sequence when they share one (a counter: parallel ones would only conflict).
    Returns each one's outcome: None, or the exception it raised."""
    def one(ops):
        try:
            commit(ops)
            return None
        except Exception as exc:  # noqa: BLE001 - handed back to the caller, per transaction
            return exc
    if len(groups) <= 1 or not parallel:
        return [one(g) for g in groups]
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=min(WRITE_WORKERS, len(groups))) as pool:
        return list(pool.map(one, groups))
