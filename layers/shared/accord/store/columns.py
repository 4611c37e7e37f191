"""Column-level lineage (keys.py "OpenLineage and drift"): two items per asset, both compressed JSON.

* `COLLINEAGE` under an asset b: b's columns and the upstream columns each is derived from — the
  latest columnLineage facet written for b, replaced whole when it changes (`hash` says whether it did);
* `COLDOWN` under an asset a: one attribute `d_{b}` per downstream asset b, mapping a's columns to
  b's. Each attribute is set or removed on its own, so writers of different downstream assets never
  overwrite each other, and an impact walk reads one item per asset reached: a level of the walk is
  one BatchGetItem (per 100 assets), whatever the fan-out.
"""
from accord.store import db, keys as k
from accord.store.docs import pack, unpack


def down_attr(asset_id: str) -> str:
    return "d_" + asset_id.replace("-", "")


def up_item(tenant: str, asset_id: str, doc: dict, digest: str) -> dict:
    """`hash` and `upstream_asset_ids` are kept beside the document: a writer needs only them."""
    return {"PK": k.asset_pk(tenant, asset_id), "SK": k.COLUMN_LINEAGE_SK, "hash": digest,
            "upstream_asset_ids": doc["upstream_asset_ids"], "doc": pack(doc)}


def down_op(tenant: str, upstream_id: str, set_docs: dict, remove: list[str]) -> dict:
    """One update of a's COLDOWN item: `set_docs` {downstream id: doc}, `remove` [downstream id]."""
    names, values, sets, removes = {}, {}, [], []
    for i, (b, doc) in enumerate(sorted(set_docs.items())):
        names[f"#s{i}"], values[f":s{i}"] = down_attr(b), pack(doc)
        sets.append(f"#s{i} = :s{i}")
    for i, b in enumerate(sorted(remove)):
        names[f"#r{i}"] = down_attr(b)
        removes.append(f"#r{i}")
    expr = " ".join(part for part in ("SET " + ", ".join(sets) if sets else "",
                                      "REMOVE " + ", ".join(removes) if removes else "") if part)
    return db.update_op(k.asset_pk(tenant, upstream_id), k.COLUMN_DOWN_SK, expr, names=names,
                        values=values or None)


def up_of(item: dict | None) -> dict | None:
    return unpack(item["doc"]) if item and item.get("doc") is not None else None


def down_of(item: dict | None) -> dict[str, dict]:
    """{downstream asset id: doc} of a COLDOWN item."""
    out = {}
    for name, value in (item or {}).items():
        if name.startswith("d_") and value is not None:
            doc = unpack(value)
            out[doc["asset_id"]] = doc
    return out


def get_many(tenant: str, asset_ids, sk: str, consistent: bool = False) -> dict[str, dict]:
    """{asset id: item} of one kind (COLLINEAGE or COLDOWN): one BatchGetItem per 100 assets."""
    ids = list(dict.fromkeys(asset_ids))
    if not ids:
        return {}
    items = db.batch_get([(k.asset_pk(tenant, a), sk) for a in ids], consistent=consistent)
    prefix = k.asset_pk(tenant, "")
    return {i["PK"][len(prefix):]: i for i in items}


def of_asset(tenant: str, asset_id: str) -> tuple[dict | None, dict | None]:
    """(COLLINEAGE, COLDOWN) items of one asset: one BatchGetItem."""
    pk = k.asset_pk(tenant, asset_id)
    found = {i["SK"]: i for i in db.batch_get([(pk, k.COLUMN_LINEAGE_SK), (pk, k.COLUMN_DOWN_SK)])}
    return found.get(k.COLUMN_LINEAGE_SK), found.get(k.COLUMN_DOWN_SK)
