"""Audit runs: items in the asset's partition, newest first by `run_at`; GSI1 per status, GSI2 per
source (`triggered_by`); exact totals from per-asset counters written in the same transaction."""
from accord.store import assets as asset_store, db, keys as k

MAX_FILTER_PAGES = 10


def run_item(tenant: str, asset_id: str, run: dict) -> dict:
    """An audit run as stored: in the asset's partition, newest first by `run_at` (keys.py "audit run")."""
    sort = f"{run['run_at']}#{run['id']}"
    return {"PK": k.asset_pk(tenant, asset_id), "SK": k.audit_sk(run["run_at"], run["id"]),
            "GSI1PK": k.audit_status_gsi(tenant, asset_id, run["status"]), "GSI1SK": sort,
            "GSI2PK": k.audit_source_gsi(tenant, asset_id, run["triggered_by"]), "GSI2SK": sort, **run}


def counter_sks(status: str, triggered_by: str) -> list[str]:
    """The per-asset totals a run counts in: all, by status, by source, by both."""
    return [k.audit_counter_sk(), k.audit_counter_sk(status=status), k.audit_counter_sk(triggered_by=triggered_by),
            k.audit_counter_sk(status=status, triggered_by=triggered_by)]


def asset_live_op(tenant: str, asset_id: str) -> dict:
    return db.check_op(k.asset_pk(tenant, asset_id), k.ASSET_SK,
                       "attribute_exists(PK) AND attribute_not_exists(deleted_at)")


def counter_op(tenant: str, asset_id: str, sk: str, n: int) -> dict:
    return db.update_op(k.asset_pk(tenant, asset_id), sk, "ADD n :n", values={":n": n})


def run_op(tenant: str, asset_id: str, run: dict) -> dict:
    """The run's put, once only (a redelivered report rewrites nothing)."""
    return db.put_op(run_item(tenant, asset_id, run), "attribute_not_exists(PK)")


def record(tenant: str, asset_id: str, run: dict) -> None:
    """One run in one transaction: the asset still live, the run, its counters.
    Raises ConditionFailed if the asset is gone (deleted meanwhile)."""
    ops = [asset_live_op(tenant, asset_id), run_op(tenant, asset_id, run)]
    ops += [counter_op(tenant, asset_id, sk, 1) for sk in counter_sks(run["status"], run["triggered_by"])]
    asset_store.transact(ops)


def history(tenant: str, asset_id: str, *, status: str | None, triggered_by: str | None,
            limit: int) -> list[dict]:
    """Newest first. One filter is a key (GSI1 or GSI2); both = the source's key plus a status
    filter (reads at most MAX_FILTER_PAGES pages)."""
    if triggered_by:
        partition, index = k.audit_source_gsi(tenant, asset_id, triggered_by), "GSI2"
    elif status:
        partition, index = k.audit_status_gsi(tenant, asset_id, status), "GSI1"
    else:
        partition, index = k.asset_pk(tenant, asset_id), None
    prefix = k.AUDIT_PREFIX if index is None else None
    both = bool(status and triggered_by)
    out, start = [], None
    for _ in range(MAX_FILTER_PAGES if both else 1_000):
        page, start = db.query(partition, index=index, sk_prefix=prefix, forward=False, start=start,
                               limit=(limit - len(out)) if not both else max(limit, 50),
                               filter="#st = :st" if both else None,
                               names={"#st": "status"} if both else None,
                               values={":st": status} if both else None)
        out.extend(page)
        if len(out) >= limit or not start:
            break
    return [{key: v for key, v in i.items() if key not in asset_store.ALL_INDEX_KEYS} for i in out[:limit]]


def total(tenant: str, asset_id: str, *, status: str | None, triggered_by: str | None) -> int:
    item = db.get(k.asset_pk(tenant, asset_id), k.audit_counter_sk(status=status, triggered_by=triggered_by),
                  consistent=False)
    return int(item.get("n", 0)) if item else 0
