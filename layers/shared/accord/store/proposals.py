"""Proposals: a breaking change waiting for its consumers. The proposal item carries its
acknowledgments and objections (so an acknowledgment is one conditional write) and a `rev`
for optimistic locking; the asset's `pending_proposal_id` holds the one open slot per asset.
The proposed schema is stored compressed like a contract's."""
from accord import clock
from accord.store import assets as asset_store, contracts as contract_store, db, keys as k

ITEM_KEYS = asset_store.ALL_INDEX_KEYS + ("doc",)


def _public(item: dict) -> dict:
    out = {key: v for key, v in item.items() if key not in ITEM_KEYS}
    out.update(contract_store.unpack(item["doc"]))
    return out


def get(tenant: str, proposal_id: str) -> dict | None:
    item = db.get(k.proposal_pk(tenant, proposal_id), k.PROPOSAL_SK)
    return _public(item) if item else None


def create(tenant: str, proposal: dict, doc: dict, expected_active: str | None, extra: list[dict] = ()) -> None:
    """Proposal + the asset's pending slot (+ `extra` parts: its event). Raises ConditionFailed (`failed` has 'asset' when the
    asset already has an open proposal, moved its active contract, or is gone)."""
    sort = f"{proposal['proposed_at']}#{proposal['id']}"
    item = {"PK": k.proposal_pk(tenant, proposal["id"]), "SK": k.PROPOSAL_SK,
            "GSI1PK": k.proposals_gsi(tenant), "GSI1SK": sort,
            "GSI2PK": k.asset_proposals_gsi(tenant, proposal["asset_id"]), "GSI2SK": sort,
            **proposal, "doc": contract_store.pack(doc)}
    cond = ("(attribute_not_exists(pending_proposal_id) OR attribute_type(pending_proposal_id, :nt)) "
            "AND attribute_not_exists(deleted_at) AND ")
    values = {":nt": "NULL"}
    if expected_active:
        cond += "active_contract_id = :active"
        values[":active"] = expected_active
    else:
        cond += "(attribute_not_exists(active_contract_id) OR attribute_type(active_contract_id, :nt))"
    tx = asset_store.Tx()
    tx.add("proposal", db.put_op(item, "attribute_not_exists(PK)"))
    canonical, view = asset_store.set_fields_ops(tenant, proposal["asset_id"], {"pending_proposal_id": proposal["id"]},
                                                 cond, values)
    tx.add("asset", canonical)
    tx.add("asset_view", view)
    if proposal.get("expires_at"):
        tx.add("expiry", db.put_op(_expiry_item(tenant, proposal)))
    tx.extend("event", list(extra))
    _run(tx)


def _expiry_item(tenant: str, proposal: dict) -> dict:
    at = proposal["expires_at"]
    return {"PK": k.expiry_pk(at[:10]), "SK": k.expiry_sk(at, tenant, proposal["id"]),
            "tenant": tenant, "proposal_id": proposal["id"],
            "ttl": int(clock.parse(at).timestamp()) + 30 * 86400}


def due_expiries(day: str, now_iso: str, limit: int = 100) -> list[dict]:
    """Expiry markers of `day` whose time has come (at most `limit`)."""
    items, _ = db.query(k.expiry_pk(day), limit=limit)
    return [i for i in items if i["SK"] <= now_iso]


def delete_expiry(item: dict) -> None:
    db.delete(item["PK"], item["SK"])


def update_ops(tenant: str, proposal: dict, fields: dict, *, expect_status: str | None = None) -> dict:
    """An op setting `fields` (and rev + 1) if nobody changed the proposal since it was read."""
    sets = ", ".join(f"#f{i} = :f{i}" for i in range(len(fields)))
    names = {f"#f{i}": n for i, n in enumerate(fields)}
    values = {f":f{i}": v for i, v in enumerate(fields.values())}
    values.update({":rev": proposal["rev"], ":one": 1})
    cond = "rev = :rev"
    if expect_status:
        cond += " AND #st = :st"
        names["#st"] = "status"
        values[":st"] = expect_status
    return db.update_op(k.proposal_pk(tenant, proposal["id"]), k.PROPOSAL_SK, f"SET {sets}, rev = rev + :one",
                        cond, names, values)


def release_slot_ops(tenant: str, proposal: dict) -> list[dict]:
    """Ops freeing the asset's open-proposal slot held by `proposal` (the asset may be deleted)."""
    return list(asset_store.set_fields_ops(tenant, proposal["asset_id"], {"pending_proposal_id": None},
                                           "pending_proposal_id = :p", {":p": proposal["id"]}))[:1]


def write(ops: list[dict]) -> None:
    """One op = one UpdateItem-style transaction of one; more = a transaction. Raises ConditionFailed."""
    asset_store.transact(ops)


def list_page(tenant: str, *, asset_id: str | None, status: str | None, offset: int, limit: int) -> list[dict]:
    partition, index = (k.asset_proposals_gsi(tenant, asset_id), "GSI2") if asset_id else (k.proposals_gsi(tenant), "GSI1")
    filt = dict(filter="#s = :s", names={"#s": "status"}, values={":s": status}) if status else {}
    out, start, skipped = [], None, 0
    while len(out) < limit:
        page, start = db.query(partition, index=index, forward=False, start=start, limit=max(limit, 50), **filt)
        for item in page:
            if skipped < offset:
                skipped += 1
            elif len(out) < limit:
                out.append(_public(item))
        if not start:
            break
    return out


def _run(tx: asset_store.Tx) -> None:
    try:
        tx.commit()
    except db.ConditionFailed as exc:
        exc.failed = tx.failed(exc)
        raise
