"""Proposals (keys.py "proposal"): a breaking change waiting for its consumers. One partition per
proposal, and only its small, mutable item carries index keys:

* `PROPOSAL` — status, dates, versions, `rev` (optimistic locking) and the counts of the records
  below (`ack_count`, `objection_count`). The GSIs (the tenant's proposals, the asset's) project
  ALL attributes, so this item is what each state change writes three times: it stays ~1 KB;
* `DOC` — what is written once and may be big: the proposed schema and guarantees, the breaking
  changes, the affected teams and assets, compressed (store/docs.py);
* `ACK#{team}`, `OBJECTION#{team}` — one item per acknowledgment (its notes up to 2,000
  characters) or objection: written once, copied to no index, and the proposal item does not
  grow with every consumer's answer.

An acknowledgment (an objection likewise) is one transaction: its item, put only if absent (a team
answers once), and the proposal item's `rev` + 1 and count + 1 under the condition that `rev` is
still the one read — so an answer, and the state change it causes (approved by the last consumer,
rejected by a block), are decided on exactly the records read, and concurrent answers never lose
one (the losers re-read and re-apply). `get` reads the partition with one strongly consistent
Query; lists read the index, and `complete` fetches a page's documents and records (one
BatchGetItem per 100 keys for each). Items written before the split hold `doc`, `acks` and
`objections` themselves: they read the same (inline and record values merged). The asset's
`pending_proposal_id` holds the one open slot per asset.
"""
from collections import defaultdict

from accord import clock
from accord.store import assets as asset_store, db, docs, keys as k

DOC_FIELDS = ("proposed_schema", "proposed_guarantees", "breaking_changes", "affected_teams", "affected_assets")
RECORDS = ("acks", "objections")   # items of their own; the proposal item holds only their counts
HIDDEN = asset_store.ALL_INDEX_KEYS + ("doc",)


def _public(item: dict) -> dict:
    """The proposal of an item (with its `doc` if at hand); `acks` and `objections` as held inline."""
    out = {key: v for key, v in item.items() if key not in HIDDEN}
    if "doc" in item:
        out.update(docs.unpack(item["doc"]))
    out["acks"] = dict(item.get("acks") or {})
    out["objections"] = list(item.get("objections") or [])
    return out


def _with_records(p: dict, records: list[dict]) -> dict:
    """`p` with its acknowledgment and objection items merged into `acks` and `objections`."""
    for r in records:
        record = {key: v for key, v in r.items() if key not in ("PK", "SK")}
        if r["SK"].startswith(k.ACK_PREFIX):
            p["acks"][record["consumer_team_id"]] = record
        elif r["SK"].startswith(k.OBJECTION_PREFIX):
            p["objections"].append(record)
    p["objections"].sort(key=lambda o: o["objected_at"])
    return p


def get(tenant: str, proposal_id: str) -> dict | None:
    """The proposal, its document and records: one strongly consistent Query of its partition
    (paged: a thousand acknowledgments with long notes pass 1 MB)."""
    items, start = [], None
    while True:
        page, start = db.query(k.proposal_pk(tenant, proposal_id), consistent=True, start=start)
        items.extend(page)
        if not start:
            break
    item = next((i for i in items if i["SK"] == k.PROPOSAL_SK), None)
    if item is None:
        return None
    return _with_records(_public(docs.attach(item, items)),
                         [i for i in items if i["SK"].startswith((k.ACK_PREFIX, k.OBJECTION_PREFIX))])


def complete(tenant: str, proposals: list[dict]) -> list[dict]:
    """Listed proposals (`list_page`) with their documents, then the records of those that have
    any (keys from the document's affected teams and asset owners): a BatchGetItem per 100 each."""
    pks = [k.proposal_pk(tenant, p["id"]) for p in proposals]
    found = docs.fetch([pk for pk, p in zip(pks, proposals) if "proposed_schema" not in p])
    out = [{**p, **docs.unpack(found[pk])} if pk in found else p for pk, p in zip(pks, proposals)]
    keys = []
    for pk, p in zip(pks, out):
        if p.get("ack_count"):
            keys += [(pk, k.ack_sk(t["team_id"])) for t in p.get("affected_teams") or []]
        if p.get("objection_count"):
            keys += [(pk, k.objection_sk(a["owner_team_id"])) for a in p.get("affected_assets") or []]
    records = defaultdict(list)
    for r in db.batch_get(keys) if keys else []:
        records[r["PK"]].append(r)
    return [_with_records(p, records[pk]) for pk, p in zip(pks, out)]


def create(tenant: str, proposal: dict, expected_active: str | None, extra: list[dict] = ()) -> None:
    """Proposal (its item and its document) + the asset's pending slot (+ `extra` parts: its
    event). Raises ConditionFailed (`failed` has 'asset' when the asset already has an open
    proposal, moved its active contract, or is gone)."""
    sort = f"{proposal['proposed_at']}#{proposal['id']}"
    pk = k.proposal_pk(tenant, proposal["id"])
    item = {"PK": pk, "SK": k.PROPOSAL_SK,
            "GSI1PK": k.proposals_gsi(tenant), "GSI1SK": sort,
            "GSI2PK": k.asset_proposals_gsi(tenant, proposal["asset_id"]), "GSI2SK": sort,
            **{key: v for key, v in proposal.items() if key not in DOC_FIELDS + RECORDS}}
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
    tx.add("doc", db.put_op(docs.item(pk, {f: proposal[f] for f in DOC_FIELDS if f in proposal})))
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


def update_ops(tenant: str, proposal: dict, fields: dict, *, expect_status: str | None = None,
               ack: dict | None = None, objection: dict | None = None) -> list[dict]:
    """Ops setting `fields` (and rev + 1) if nobody changed the proposal since it was read; with
    `ack` or `objection`, also its item (only if that team has none yet) and its count + 1."""
    pk = k.proposal_pk(tenant, proposal["id"])
    sets = [f"#f{i} = :f{i}" for i in range(len(fields))] + ["rev = rev + :one"]
    names = {f"#f{i}": n for i, n in enumerate(fields)}
    values = {f":f{i}": v for i, v in enumerate(fields.values())}
    values.update({":rev": proposal["rev"], ":one": 1})
    cond = "rev = :rev"
    if expect_status:
        cond += " AND #st = :st"
        names["#st"] = "status"
        values[":st"] = expect_status
    expr, record = "SET " + ", ".join(sets), []
    if ack is not None:
        expr += " ADD ack_count :one"
        record = [db.put_op({"PK": pk, "SK": k.ack_sk(ack["consumer_team_id"]), **ack}, "attribute_not_exists(PK)")]
    elif objection is not None:
        expr += " ADD objection_count :one"
        record = [db.put_op({"PK": pk, "SK": k.objection_sk(objection["team_id"]), **objection},
                            "attribute_not_exists(PK)")]
    return [db.update_op(pk, k.PROPOSAL_SK, expr, cond, names, values), *record]


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
                out.append(_public(item))   # without its document and records: `complete` a page
        if not start:
            break
    return out


def _run(tx: asset_store.Tx) -> None:
    try:
        tx.commit()
    except db.ConditionFailed as exc:
        exc.failed = tx.failed(exc)
        raise
