"""Audit runs: items in the asset's partition, newest first by `run_at`; GSI1 per status, GSI2 per
source (`triggered_by`). Each run expires with the tenant's retention (`ttl`, store/retention.py).

Exact totals without a hot item: a run is counted, in the same transaction as its put, in ONE of
AUDIT_COUNT_SHARDS count items of its expiry week (`AUDITN#{ttl}#{shard}`: `n` and the parts
`s#{status}`, `b#{triggered_by}`, `sb#{status}#{triggered_by}`), chosen at random per
transaction — 200 checks a second on one asset are ~25 transactions a second per item, and
concurrent checks rarely meet on one. A total is the sum over the asset's live count items (one
Query); runs and their counts expire together. No transaction holds the asset item itself.
"""
import random
from collections import defaultdict

from accord.store import assets as asset_store, db, keys as k, retention

MAX_FILTER_PAGES = 10


def run_item(tenant: str, asset_id: str, run: dict) -> dict:
    """An audit run as stored: in the asset's partition, newest first by `run_at` (keys.py "audit run")."""
    sort = f"{run['run_at']}#{run['id']}"
    return {"PK": k.asset_pk(tenant, asset_id), "SK": k.audit_sk(run["run_at"], run["id"]),
            "GSI1PK": k.audit_status_gsi(tenant, asset_id, run["status"]), "GSI1SK": sort,
            "GSI2PK": k.audit_source_gsi(tenant, asset_id, run["triggered_by"]), "GSI2SK": sort, **run,
            "ttl": retention.expires(tenant, run["recorded_at"])}


def parts(status: str, triggered_by: str) -> dict:
    """What one run adds to its count item."""
    return {"n": 1, f"s#{status}": 1, f"b#{triggered_by}": 1, f"sb#{status}#{triggered_by}": 1}


def part(status: str | None, triggered_by: str | None) -> str:
    if status and triggered_by:
        return f"sb#{status}#{triggered_by}"
    return f"s#{status}" if status else f"b#{triggered_by}" if triggered_by else "n"


class Counts:
    """The count changes of one transaction: per (asset, expiry week), one update each."""

    def __init__(self):
        self.shard = random.randrange(k.AUDIT_COUNT_SHARDS)
        self.by_item: dict = defaultdict(lambda: defaultdict(int))

    def add(self, tenant: str, asset_id: str, run: dict) -> None:
        slot = self.by_item[(asset_id, retention.expires(tenant, run["recorded_at"]))]
        for name, v in parts(run["status"], run["triggered_by"]).items():
            slot[name] += v

    def ops(self, tenant: str) -> list[dict]:
        out = []
        for (asset_id, ttl), added in sorted(self.by_item.items()):
            names = {f"#p{i}": p for i, p in enumerate(added)}
            values = {f":p{i}": v for i, v in enumerate(added.values())}
            expr = "ADD " + ", ".join(f"#p{i} :p{i}" for i in range(len(added))) + " SET #ttl = :ttl"
            out.append(db.update_op(k.asset_pk(tenant, asset_id), k.audit_count_sk(ttl, self.shard), expr,
                                    names={**names, "#ttl": "ttl"}, values={**values, ":ttl": ttl}))
        return out


def run_op(tenant: str, asset_id: str, run: dict) -> dict:
    """The run's put, once only (a redelivered report rewrites nothing)."""
    return db.put_op(run_item(tenant, asset_id, run), "attribute_not_exists(PK)")


def record(tenant: str, asset_id: str, run: dict) -> None:
    """One run and its count in one transaction. Raises ConditionFailed if the run exists."""
    counts = Counts()
    counts.add(tenant, asset_id, run)
    asset_store.transact([run_op(tenant, asset_id, run), *counts.ops(tenant)])


def history(tenant: str, asset_id: str, *, status: str | None, triggered_by: str | None,
            limit: int) -> list[dict]:
    """Newest first, live runs only. One filter is a key (GSI1 or GSI2); both = the source's key plus
    a status filter (reads at most MAX_FILTER_PAGES pages)."""
    if triggered_by:
        partition, index = k.audit_source_gsi(tenant, asset_id, triggered_by), "GSI2"
    elif status:
        partition, index = k.audit_status_gsi(tenant, asset_id, status), "GSI1"
    else:
        partition, index = k.asset_pk(tenant, asset_id), None
    prefix = k.AUDIT_PREFIX if index is None else None
    both = bool(status and triggered_by)
    live, names, values = retention.live_filter()
    if both:
        live, names, values = f"{live} AND #st = :st", {**names, "#st": "status"}, {**values, ":st": status}
    out, start = [], None
    for _ in range(MAX_FILTER_PAGES):
        page, start = db.query(partition, index=index, sk_prefix=prefix, forward=False, start=start,
                               limit=(limit - len(out)) if not both else max(limit, 50),
                               filter=live, names=names, values=values)
        out.extend(page)
        if len(out) >= limit or not start:
            break
    return [{key: v for key, v in i.items() if key not in asset_store.ALL_INDEX_KEYS + ("ttl",)} for i in out[:limit]]


def total(tenant: str, asset_id: str, *, status: str | None, triggered_by: str | None) -> int:
    """Live runs matching the filters: the sum over the asset's live count items (one Query)."""
    name, n, start = part(status, triggered_by), 0, None
    live, names, values = retention.live_filter()
    while True:
        page, start = db.query(k.asset_pk(tenant, asset_id), sk_prefix=k.AUDIT_COUNT_PREFIX, start=start,
                               filter=live, names=names, values=values)
        n += sum(int(i.get(name, 0)) for i in page)
        if not start:
            return n
