"""Audit runs: items in the asset's partition, newest first by `run_at`; GSI1 per status, GSI2 per
source (`triggered_by`); exact totals from per-asset counters written in the same transaction."""
from accord.store import assets as asset_store, db, keys as k

MAX_FILTER_PAGES = 10


def _counters(status: str, triggered_by: str) -> list[str]:
    return [k.audit_counter_sk(), k.audit_counter_sk(status=status), k.audit_counter_sk(triggered_by=triggered_by),
            k.audit_counter_sk(status=status, triggered_by=triggered_by)]


def record(tenant: str, asset_id: str, run: dict) -> None:
    """Raises ConditionFailed if the asset is gone (deleted meanwhile)."""
    pk = k.asset_pk(tenant, asset_id)
    sort = f"{run['run_at']}#{run['id']}"
    item = {"PK": pk, "SK": k.audit_sk(run["run_at"], run["id"]),
            "GSI1PK": k.audit_status_gsi(tenant, asset_id, run["status"]), "GSI1SK": sort,
            "GSI2PK": k.audit_source_gsi(tenant, asset_id, run["triggered_by"]), "GSI2SK": sort, **run}
    ops = [db.check_op(pk, k.ASSET_SK, "attribute_exists(PK) AND attribute_not_exists(deleted_at)"),
           db.put_op(item, "attribute_not_exists(PK)")]
    ops += [db.update_op(pk, sk, "ADD n :one", values={":one": 1}) for sk in _counters(run["status"], run["triggered_by"])]
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
