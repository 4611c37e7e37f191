"""Contracts: one item per version; its schema and guarantees stored compressed in an item of their
own (store/docs.py: `DOC`, same partition, no index keys), so the indexes copy only the small
contract item and a big publish is not written three times. A publish is one transaction: the new
contract, the version guard, the previous active contract → deprecated, the asset's active
pointer (conditioned on the pointer read before), counters — so concurrent publishes never
duplicate a version nor leave two active contracts.
"""
from accord.store import assets as asset_store, counters, db, docs, keys as k

ITEM_KEYS = asset_store.ALL_INDEX_KEYS + ("doc",)


def _public(item: dict) -> dict:
    out = {key: v for key, v in item.items() if key not in ITEM_KEYS}
    out.update(docs.unpack(item["doc"]))
    return out


def _publics(tenant: str, items: list[dict]) -> list[dict]:
    return [_public(i) for i in docs.with_docs(items)]


def contract_item(tenant: str, contract: dict, sort_key: str) -> dict:
    return {"PK": k.contract_pk(tenant, contract["id"]), "SK": k.CONTRACT_SK,
            "GSI1PK": k.asset_contracts_gsi(tenant, contract["asset_id"]), "GSI1SK": sort_key,
            "GSI2PK": k.contracts_gsi(tenant), "GSI2SK": f"{contract['published_at']}#{contract['id']}",
            **contract}


def get(tenant: str, contract_id: str) -> dict | None:
    """The contract and its document: one strongly consistent Query of their partition."""
    items, _ = db.query(k.contract_pk(tenant, contract_id), consistent=True)
    item = next((i for i in items if i["SK"] == k.CONTRACT_SK), None)
    return _public(docs.attach(item, items)) if item else None


def get_version(tenant: str, asset_id: str, canonical: str) -> dict | None:
    guard = db.get(k.asset_pk(tenant, asset_id), k.contract_version_sk(canonical))
    return get(tenant, guard["contract_id"]) if guard else None


def for_asset(tenant: str, asset_id: str, newest_first: bool = True) -> list[dict]:
    """Every version of an asset line, by semver precedence."""
    out, start = [], None
    while True:
        page, start = db.query(k.asset_contracts_gsi(tenant, asset_id), index="GSI1", forward=not newest_first,
                               start=start)
        out.extend(_publics(tenant, page))
        if not start:
            return out


def version_before(tenant: str, asset_id: str, contract_id: str, sort_key: str) -> dict | None:
    """The version just below a contract on its asset's line (semver order): one Query of one
    item, starting after that contract's own index key."""
    line = k.asset_contracts_gsi(tenant, asset_id)
    start = {"PK": {"S": k.contract_pk(tenant, contract_id)}, "SK": {"S": k.CONTRACT_SK},
             "GSI1PK": {"S": line}, "GSI1SK": {"S": sort_key}}
    page, _ = db.query(line, index="GSI1", forward=False, start=start, limit=1)
    return _publics(tenant, page)[0] if page else None


def list_page(tenant: str, *, status: str | None, offset: int, limit: int) -> list[dict]:
    """Tenant-wide, newest published first; `status` is a filter on the same key range."""
    out, start, skipped = [], None, 0
    filt = dict(filter="#s = :s", names={"#s": "status"}, values={":s": status}) if status else {}
    while len(out) < limit:
        page, start = db.query(k.contracts_gsi(tenant), index="GSI2", forward=False, start=start,
                               limit=max(limit, 50), **filt)
        for item in page:
            if skipped < offset:
                skipped += 1
            elif len(out) < limit:
                out.append(item)
        if not start:
            break
    return _publics(tenant, out)


def count(tenant: str, status: str | None = None) -> int:
    return counters.total(tenant, k.CONTRACT_COUNTER, k.status_part(status) if status else "n")


def publish_tx(tenant: str, asset: dict, contract: dict, doc: dict, sort_key: str, canonical: str,
               previous: dict | None, asset_fields: dict, *, no_consumers: bool = False,
               proposal_id: str | None = None, log: dict | None = None, count: bool = True) -> asset_store.Tx:
    """The publish transaction (labels: contract, version, previous, asset, proposal). Without
    `count`, the caller counts the publish itself (`counted`), one counter update for a batch of
    publishes (publishing.publish_many).

    `asset_fields` are set on the asset under the condition that its active contract is still
    `previous` (and, for `no_consumers`, that nobody registered meanwhile)."""
    tx = asset_store.Tx()
    tx.add("contract", db.put_op(contract_item(tenant, contract, sort_key), "attribute_not_exists(PK)"))
    tx.add("doc", db.put_op(docs.item(k.contract_pk(tenant, contract["id"]), doc)))
    tx.add("version", db.put_op({"PK": k.asset_pk(tenant, asset["id"]), "SK": k.contract_version_sk(canonical),
                                 "contract_id": contract["id"], "version": contract["version"]},
                                "attribute_not_exists(PK)"))
    values = {}
    if previous:
        tx.add("previous", db.update_op(k.contract_pk(tenant, previous["id"]), k.CONTRACT_SK,
                                        "SET #s = :dep, deprecated_at = :at", "#s = :active",
                                        names={"#s": "status"},
                                        values={":dep": "deprecated", ":active": "active",
                                                ":at": contract["published_at"]}))
        cond = "active_contract_id = :prev"
        values[":prev"] = previous["id"]
    else:
        cond = "(attribute_not_exists(active_contract_id) OR attribute_type(active_contract_id, :nt))"
        values[":nt"] = "NULL"
    cond += " AND attribute_not_exists(deleted_at)"
    if no_consumers:
        cond += " AND (attribute_not_exists(consumer_count) OR consumer_count <= :zero)"
        values[":zero"] = 0
    if proposal_id:
        cond += " AND pending_proposal_id = :proposal"
        values[":proposal"] = proposal_id
    canonical_op, view_op = asset_store.set_fields_ops(tenant, asset["id"], asset_fields, cond, values)
    tx.add("asset", canonical_op)
    tx.add("asset_view", view_op)
    if count:
        tx.add("counter", counters.add_op(tenant, asset_store.counter_shard(asset), k.CONTRACT_COUNTER,
                                          counted(previous)))
    if log:
        tx.add("log", db.put_op({"PK": k.asset_pk(tenant, asset["id"]), "SK": k.action_log_sk(log["at"], log["id"]),
                                 **log}))
    return tx


def counted(previous: dict | None) -> dict[str, int]:
    """What one publish adds to the tenant's (sharded) contract counter: one more contract, and one
    more active one — or, replacing `previous`, one more deprecated one."""
    return {"n": 1, k.status_part("deprecated" if previous else "active"): 1}


def count_ops(tenant: str, previous: list[dict | None], shard: int | None = None) -> list[dict]:
    """A batch of publishes (each replacing its `previous`) counted as ONE update of one shard of
    the contract counter (publishing.publish_many: a shard of counters.spread per transaction)."""
    delta = counters.Delta()
    shard = counters.random_shard() if shard is None else shard
    for prev in previous:
        delta.add(shard, k.CONTRACT_COUNTER, counted(prev))
    return [op for _, op in delta.ops(tenant)]


def action_log(tenant: str, asset_id: str, limit: int = 50) -> list[dict]:
    page, _ = db.query(k.asset_pk(tenant, asset_id), sk_prefix="LOG#", forward=False, limit=limit)
    return [{key: v for key, v in i.items() if key not in ("PK", "SK")} for i in page]
