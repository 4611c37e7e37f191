"""Column-level lineage, read side (DESIGN §10.2): an asset's columns with their upstream and
downstream columns (`GET /assets/{id}/lineage?columns=true`), and field-level impact — which
downstream columns derive from the properties a breaking change touches.

The lineage is what OpenLineage's columnLineage facet said (accord.ingest writes it; store/columns.py
keeps it). Field-level impact walks it downstream from the changed properties, one level at a time:
each level is one BatchGetItem of the reached assets' COLDOWN items (per 100 assets), so requests
grow with the depth, not with the size of the graph; `derive` itself is pure.

A downstream asset is `touched` when one of its columns derives from a changed property (directly
or through other assets' columns) or the changed property shapes its rows as a whole (the facet's
`dataset` dependencies: filters, joins, grouping); `untouched` when column lineage links it and
shows neither; `unknown` when no column lineage links it. Untouched assets and their teams are still
listed — they decide, we inform.
"""
from accord.store import assets as asset_store, columns as store, keys as k

MAX_DERIVED = 5_000   # derived columns reported per impact analysis


def _matches(field: str, changed: str) -> bool:
    """A lineage field and a changed property path (`a.b` is inside column `a`)."""
    return field == changed or changed.startswith(field + ".") or field.startswith(changed + ".")


def derive(root: str, changed: dict[str, set], fetch, depth: int) -> tuple[dict, dict, dict]:
    """Walk column lineage downstream from `root`'s changed columns.

    `changed` {column: {origin}}; `fetch(asset_ids)` → {asset id: {downstream id: doc}} (COLDOWN).
    Returns (derived, indirect, known): derived {(asset, column): (depth, origins, via)},
    indirect {asset: (depth, origins)} (whole-dataset influence), known {asset: {downstream ids}}
    (whose column lineage from that asset exists)."""
    derived: dict = {}
    indirect: dict = {}
    known: dict = {}
    frontier = {root: changed}
    for level in range(1, depth + 1):
        if not frontier:
            break
        downs = fetch(list(frontier))
        nxt: dict[str, dict] = {}
        for a, cols in frontier.items():
            known[a] = set(downs.get(a, {}))
            for b, doc in downs.get(a, {}).items():
                if b == root:
                    continue
                for a_col, pairs in (doc.get("columns") or {}).items():
                    origins = set()
                    for c, o in cols.items():
                        if _matches(a_col, c):
                            origins |= o
                    if not origins:
                        continue
                    for b_col, kind in pairs:
                        key = (b, b_col)
                        if key in derived or len(derived) >= MAX_DERIVED:
                            continue
                        derived[key] = (level, origins, {"asset_id": a, "column": a_col, "transformation": kind})
                        nxt.setdefault(b, {}).setdefault(b_col, set()).update(origins)
                hit = set()
                for a_col in doc.get("dataset") or []:
                    for c, o in cols.items():
                        if _matches(a_col, c):
                            hit |= o
                if hit and b not in indirect:
                    indirect[b] = (level, hit)
        frontier = nxt
    return derived, indirect, known


def _fetch(tenant: str):
    def fetch(asset_ids):
        items = store.get_many(tenant, asset_ids, k.COLUMN_DOWN_SK)
        return {a: store.down_of(items.get(a)) for a in asset_ids}
    return fetch


def field_impact(tenant: str, asset_id: str, breaking: list[dict], nodes: list[dict], depth: int) -> dict[str, str]:
    """Adds `downstream` (assets and columns derived from the change's property) to each breaking
    change, and returns {downstream asset id: touched | untouched | unknown} for the lineage nodes."""
    changed: dict[str, set] = {}
    for i, c in enumerate(breaking):
        if c.get("column"):
            changed.setdefault(c["column"], set()).add(i)
    derived, indirect, known = derive(asset_id, changed, _fetch(tenant), depth) if changed else ({}, {}, {})
    names = {n["asset_id"]: n["fqn"] for n in nodes}
    missing = {b for b, _ in derived} | set(indirect)
    missing -= set(names)
    if missing:
        names.update({a: x["fqn"] for a, x in asset_store.get_many(tenant, missing).items()})
    per_change: list[dict] = [{} for _ in breaking]
    for (b, col), (level, origins, via) in sorted(derived.items(), key=lambda kv: (kv[1][0], kv[0])):
        if b not in names:
            continue  # deleted
        for i in origins:
            entry = per_change[i].setdefault(b, {"asset_id": b, "fqn": names[b], "depth": level, "columns": [],
                                                 "indirect": False})
            entry["columns"].append({"column": col, "from": via})
    for b, (level, origins) in indirect.items():
        if b not in names:
            continue
        for i in origins:
            per_change[i].setdefault(b, {"asset_id": b, "fqn": names[b], "depth": level, "columns": [],
                                         "indirect": False})["indirect"] = True
    for c, found in zip(breaking, per_change):
        c["downstream"] = list(found.values())
    touched = {b for b, _ in derived} | set(indirect)
    status: dict[str, str] = {}
    for n in sorted(nodes, key=lambda n: n["depth"]):
        b, via = n["asset_id"], n.get("via")
        if b in touched:
            status[b] = "touched"
        elif via == asset_id or status.get(via) == "touched":
            status[b] = "untouched" if b in known.get(via, set()) else "unknown"
        else:
            status[b] = status.get(via, "unknown")
    return status


def team_status(asset_statuses: list[str], registered: bool) -> str:
    """A consumer team: touched if any of its assets is; untouched only if lineage shows all its
    downstream assets untouched and it does not read the asset through a registration alone."""
    if "touched" in asset_statuses:
        return "touched"
    if asset_statuses and all(s == "untouched" for s in asset_statuses) and not registered:
        return "untouched"
    return "unknown"


# ------------------------------------------------------------------ the ?columns=true view
def view(tenant: str, asset: dict) -> dict:
    """{columns: [{name, upstream[], downstream[]}], dataset_upstream[], dataset_downstream[]}: two
    reads of the asset's column lineage (one BatchGetItem), one of the downstream assets' liveness,
    and its active contract's column names (one GetItem) so columns without lineage are listed too."""
    up_item, down_item = store.of_asset(tenant, asset["id"])
    up = store.up_of(up_item) or {}
    down = store.down_of(down_item)
    live = asset_store.get_many(tenant, list(down)) if down else {}
    columns: dict[str, dict] = {}

    def column(name: str) -> dict:
        return columns.setdefault(name, {"name": name, "upstream": [], "downstream": []})

    if asset.get("active_contract_id"):
        from accord.store import contracts as contract_store
        contract = contract_store.get(tenant, asset["active_contract_id"])
        for name in ((contract or {}).get("schema") or {}).get("properties") or {}:
            column(name)
    for name, entries in (up.get("fields") or {}).items():
        column(name)["upstream"] = [_ref(e) for e in entries]
    for b, doc in sorted(down.items(), key=lambda kv: kv[1]["fqn"]):
        if b not in live:
            continue
        for a_col, pairs in doc["columns"].items():
            column(a_col)["downstream"] += [{"asset_id": b, "fqn": live[b]["fqn"], "column": b_col,
                                             "transformation": kind} for b_col, kind in pairs]
    return {"columns": list(columns.values()),
            "dataset_upstream": [_ref(e) for e in up.get("dataset") or []],
            "dataset_downstream": [{"asset_id": b, "fqn": live[b]["fqn"], "columns": doc["dataset"]}
                                   for b, doc in sorted(down.items()) if b in live and doc.get("dataset")],
            "column_lineage_observed_at": up.get("observed_at"), "column_lineage_job": up.get("job")}


def _ref(e: dict) -> dict:
    return {"asset_id": e.get("asset_id"), "fqn": e.get("fqn"), "namespace": e.get("namespace"),
            "name": e.get("name"), "column": e.get("field"), "transformation": e.get("type"),
            "subtype": e.get("subtype")}
