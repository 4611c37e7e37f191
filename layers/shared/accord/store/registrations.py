"""Registrations: a consumer team's dependency on an asset's contract line.

Two items move together: the registration (by id) and its copy under the asset (`REG#{team}`),
which makes "one registration per team and asset" a key condition and "the asset's consumers"
one strongly consistent Query. The asset's `consumer_count` (registrations not inactive) changes
in the same transaction — publishing a breaking change directly is conditioned on it being 0.
"""
from accord.store import assets as asset_store, counters, db, keys as k

_PUBLIC_SKIP = ("PK", "SK")


def _public(item: dict) -> dict:
    return {key: v for key, v in item.items() if key not in _PUBLIC_SKIP}


def _counts(status: str) -> int:
    return 0 if status == "inactive" else 1


def _asset_count_op(tenant: str, asset_id: str, delta: int, live: bool) -> dict:
    cond = "attribute_exists(PK)" + (" AND attribute_not_exists(deleted_at)" if live else "")
    return db.update_op(k.asset_pk(tenant, asset_id), k.ASSET_SK, "ADD consumer_count :d, rev :one", cond,
                        values={":d": delta, ":one": 1})


def get(tenant: str, reg_id: str) -> dict | None:
    item = db.get(k.registration_pk(tenant, reg_id), k.REGISTRATION_SK)
    return _public(item) if item and not item.get("deleted_at") else None


def consumers(tenant: str, asset_id: str) -> list[dict]:
    """Every registration on the asset's line (strongly consistent), oldest team id first."""
    out, start = [], None
    while True:
        page, start = db.query(k.asset_pk(tenant, asset_id), sk_prefix=k.CONSUMER_PREFIX, start=start,
                               consistent=True)
        out.extend(_public(i) for i in page)
        if not start:
            return out


def create(tenant: str, reg: dict) -> None:
    """Raises ConditionFailed; `failed` ⊆ {duplicate, asset, team}."""
    tx = asset_store.Tx()
    tx.add("registration", db.put_op({"PK": k.registration_pk(tenant, reg["id"]), "SK": k.REGISTRATION_SK, **reg},
                                     "attribute_not_exists(PK)"))
    tx.add("duplicate", db.put_op({"PK": k.asset_pk(tenant, reg["asset_id"]), "SK": k.consumer_sk(reg["consumer_team_id"]),
                                   **reg}, "attribute_not_exists(PK)"))
    tx.add("asset", _asset_count_op(tenant, reg["asset_id"], 1, live=True))
    # the team is live while its registration counter is open (store/teams.py): no hold on the team item
    tx.add("team", counters.add_op(tenant, counters.shard_of(reg["id"]), k.registration_counter(reg["consumer_team_id"]),
                                   {"n": 1}, counters.OPEN))
    _run(tx)


def replace(tenant: str, old: dict, new: dict) -> None:
    """Raises ConditionFailed when the registration changed or went meanwhile."""
    tx = asset_store.Tx()
    tx.add("registration", db.put_op({"PK": k.registration_pk(tenant, new["id"]), "SK": k.REGISTRATION_SK, **new},
                                     "rev = :rev AND attribute_not_exists(deleted_at)",
                                     values={":rev": old.get("rev", 1)}))
    tx.add("copy", db.put_op({"PK": k.asset_pk(tenant, new["asset_id"]), "SK": k.consumer_sk(new["consumer_team_id"]),
                              **new}))
    delta = _counts(new["status"]) - _counts(old["status"])
    if delta:
        tx.add("asset", _asset_count_op(tenant, new["asset_id"], delta, live=False))
    _run(tx)


def delete(tenant: str, reg: dict, at: str) -> None:
    """Soft: the registration keeps its history (deleted_at, inactive); the team may register again."""
    tx = asset_store.Tx()
    tx.add("counter", counters.add_op(tenant, counters.shard_of(reg["id"]), k.registration_counter(reg["consumer_team_id"]),
                                      {"n": -1}))
    tx.add("registration", db.update_op(k.registration_pk(tenant, reg["id"]), k.REGISTRATION_SK,
                                        "SET deleted_at = :at, updated_at = :at, #s = :inactive",
                                        "attribute_exists(PK) AND attribute_not_exists(deleted_at)",
                                        names={"#s": "status"}, values={":at": at, ":inactive": "inactive"}))
    tx.add("copy", db.delete_op(k.asset_pk(tenant, reg["asset_id"]), k.consumer_sk(reg["consumer_team_id"])))
    if _counts(reg["status"]):
        tx.add("asset", _asset_count_op(tenant, reg["asset_id"], -1, live=False))
    _run(tx)


def acknowledged_ops(tenant: str, reg: dict, at: str) -> list[dict]:
    """Ops stamping `acknowledged_at` on a registration (for the acknowledge transaction)."""
    return [db.update_op(k.registration_pk(tenant, reg["id"]), k.REGISTRATION_SK,
                         "SET acknowledged_at = :at ADD rev :one",
                         "attribute_exists(PK) AND attribute_not_exists(deleted_at)", values={":at": at, ":one": 1}),
            db.update_op(k.asset_pk(tenant, reg["asset_id"]), k.consumer_sk(reg["consumer_team_id"]),
                         "SET acknowledged_at = :at", "attribute_exists(PK)", values={":at": at})]


def _run(tx: asset_store.Tx) -> None:
    try:
        tx.commit()
    except db.ConditionFailed as exc:
        exc.failed = tx.failed(exc)
        raise
