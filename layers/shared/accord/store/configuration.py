"""Configuration family storage: projects, connections (+ write-only credentials) and asset
configurations, and the registry-asset writes that keep "one asset, two views" in one transaction.

Key patterns: see keys.py ("Configuration family"). Every multi-item change is one
TransactWriteItems with conditions:
* an asset configuration and its registry asset (created, attached, renamed, detached or
  soft-deleted) change together; so do the per-project and per-connection counts that make
  "delete a project only when empty" and "delete a connection only when unused" race-free;
* the registry asset items are built with the registry store's own helpers (`create_ops`, `_items`,
  `_guard`, `count_into`, `_token_ops`), so both families write identical items.
"""
from accord.store import assets as asset_store, counters, db, docs, keys as k

LINEAGE_WORKERS = 8


def _strip(item: dict | None) -> dict | None:
    if item is None:
        return None
    return {key: v for key, v in item.items() if key not in asset_store.ALL_INDEX_KEYS}


# ------------------------------------------------------------------ sequences
def next_id(tenant: str, kind: str) -> int:
    """The next integer id of a kind (atomic ADD; a failed create leaves a gap, never a reuse)."""
    item = db.update(k.counter_pk(tenant), k.cfg_sequence(kind), "ADD n :one", values={":one": 1})
    return int(item["n"])


# ------------------------------------------------------------------ projects
def _project_item(tenant: str, project: dict) -> dict:
    item = {"PK": k.cfg_project_pk(tenant, project["id"]), "SK": k.CFG_PROJECT_SK, **project}
    if project["id"] != 0:
        item.update(GSI1PK=k.cfg_projects_gsi(tenant), GSI1SK=k.num_sort(project["id"]))
    return item


def get_project(tenant: str, project_id: int, consistent: bool = True) -> dict | None:
    item = _strip(db.get(k.cfg_project_pk(tenant, project_id), k.CFG_PROJECT_SK, consistent=consistent))
    return {"id": project_id, **item} if item is not None else None


def get_projects(tenant: str, project_ids) -> dict[int, dict]:
    """{id: project} (project 0's item may hold only counts); one BatchGetItem per 100."""
    items = db.batch_get([(k.cfg_project_pk(tenant, p), k.CFG_PROJECT_SK) for p in project_ids])
    out = {}
    for i in items:
        ident = int(i["PK"].rsplit("#", 1)[1])
        out[ident] = {"id": ident, **_strip(i)}
    return out


def create_project(tenant: str, project: dict) -> None:
    db.put(_project_item(tenant, project), condition="attribute_not_exists(PK)")


def update_project(tenant: str, project_id: int, fields: dict) -> dict:
    """SET `fields`; project 0 is created on first write (it is implicit), others must exist."""
    sets = ", ".join(f"#f{i} = :f{i}" for i in range(len(fields)))
    names = {f"#f{i}": n for i, n in enumerate(fields)}
    values = {f":f{i}": v for i, v in enumerate(fields.values())}
    condition = None if project_id == 0 else "attribute_exists(PK)"
    item = _strip(db.update(k.cfg_project_pk(tenant, project_id), k.CFG_PROJECT_SK, f"SET {sets}",
                            condition=condition, names=names, values=values))
    return {"id": project_id, **item}


def delete_project(tenant: str, project_id: int) -> None:
    """Raises ConditionFailed if it is gone or still holds assets or connections."""
    db.transact([db.delete_op(
        k.cfg_project_pk(tenant, project_id), k.CFG_PROJECT_SK,
        "attribute_exists(PK) AND (attribute_not_exists(asset_count) OR asset_count <= :z) "
        "AND (attribute_not_exists(connection_count) OR connection_count <= :z)", values={":z": 0})])


def _project_count_op(tenant: str, project_id: int, field: str, delta: int) -> dict:
    """Count in a project; counting into a project other than 0 also proves it exists."""
    condition = "attribute_exists(PK)" if project_id != 0 and delta > 0 else None
    return db.update_op(k.cfg_project_pk(tenant, project_id), k.CFG_PROJECT_SK, "ADD #c :d", condition,
                        names={"#c": field}, values={":d": delta})


def list_projects(tenant: str, after: int | None, limit: int) -> tuple[list[dict], bool]:
    """Stored projects other than 0, by id, after `after`; (items, more)."""
    start = None
    if after is not None and after > 0:
        start = {"PK": {"S": k.cfg_project_pk(tenant, after)}, "SK": {"S": k.CFG_PROJECT_SK},
                 "GSI1PK": {"S": k.cfg_projects_gsi(tenant)}, "GSI1SK": {"S": k.num_sort(after)}}
    return _page(k.cfg_projects_gsi(tenant), "GSI1", start, limit)


def _page(partition: str, index: str, start: dict | None, limit: int) -> tuple[list[dict], bool]:
    items: list[dict] = []
    while len(items) <= limit:
        page, start = db.query(partition, index=index, limit=limit + 1 - len(items), start=start)
        items.extend(page)
        if not start:
            break
    return [_strip(i) for i in items[:limit]], len(items) > limit


# ------------------------------------------------------------------ connections
def _connection_item(tenant: str, conn: dict) -> dict:
    return {"PK": k.cfg_connection_pk(tenant, conn["id"]), "SK": k.CFG_CONNECTION_SK,
            "GSI1PK": k.cfg_connections_gsi(tenant, conn["project_id"]), "GSI1SK": k.num_sort(conn["id"]),
            **conn}


def _secret_ops(tenant: str, ref: str | None, credential: dict | None) -> list[dict]:
    if not ref or credential is None:
        return []
    return [db.put_op({"PK": k.cfg_secret_pk(tenant, ref), "SK": k.CFG_SECRET_SK, "credential": credential},
                      "attribute_not_exists(PK)")]


def create_connection(tenant: str, conn: dict, credential: dict | None) -> None:
    """Raises ConditionFailed (`failed` ⊇ {'project'} when the project is gone)."""
    tx = asset_store.Tx()
    tx.add("connection", db.put_op(_connection_item(tenant, conn), "attribute_not_exists(PK)"))
    tx.extend("secret", _secret_ops(tenant, conn.get("credential_ref"), credential))
    if conn["project_id"] is not None:
        tx.add("project", _project_count_op(tenant, conn["project_id"], "connection_count", 1))
    _run(tx)


def update_connection(tenant: str, old: dict, new: dict, credential: dict | None) -> None:
    """Replace the connection if nobody wrote in between; a type change needs it unused; a new
    credential replaces the old one (new ref, old item deleted) in the same transaction."""
    tx = asset_store.Tx()
    cond, values = "rev = :rev", {":rev": old["rev"]}
    if old["type"] != new["type"]:
        cond += " AND (attribute_not_exists(asset_count) OR asset_count <= :z)"
        values[":z"] = 0
    tx.add("connection", db.put_op(_connection_item(tenant, new), cond, values=values))
    if new.get("credential_ref") != old.get("credential_ref"):
        tx.extend("secret", _secret_ops(tenant, new.get("credential_ref"), credential))
        if old.get("credential_ref"):
            tx.add("old_secret", db.delete_op(k.cfg_secret_pk(tenant, old["credential_ref"]), k.CFG_SECRET_SK))
    _run(tx)


def delete_connection(tenant: str, conn: dict) -> None:
    """Raises ConditionFailed when it changed meanwhile or assets use it."""
    tx = asset_store.Tx()
    tx.add("connection", db.delete_op(
        k.cfg_connection_pk(tenant, conn["id"]), k.CFG_CONNECTION_SK,
        "rev = :rev AND (attribute_not_exists(asset_count) OR asset_count <= :z)",
        values={":rev": conn["rev"], ":z": 0}))
    if conn.get("credential_ref"):
        tx.add("secret", db.delete_op(k.cfg_secret_pk(tenant, conn["credential_ref"]), k.CFG_SECRET_SK))
    if conn["project_id"] is not None:
        tx.add("project", _project_count_op(tenant, conn["project_id"], "connection_count", -1))
    _run(tx)


def get_connection(tenant: str, connection_id: int, consistent: bool = True) -> dict | None:
    return _strip(db.get(k.cfg_connection_pk(tenant, connection_id), k.CFG_CONNECTION_SK, consistent=consistent))


def get_connections(tenant: str, connection_ids) -> dict[int, dict]:
    items = db.batch_get([(k.cfg_connection_pk(tenant, c), k.CFG_CONNECTION_SK) for c in connection_ids])
    return {i["id"]: _strip(i) for i in items}


def list_connections(tenant: str, project_id: int | None, after: int | None, limit: int) -> tuple[list[dict], bool]:
    partition = k.cfg_connections_gsi(tenant, project_id)
    start = None
    if after is not None:
        start = {"PK": {"S": k.cfg_connection_pk(tenant, after)}, "SK": {"S": k.CFG_CONNECTION_SK},
                 "GSI1PK": {"S": partition}, "GSI1SK": {"S": k.num_sort(after)}}
    return _page(partition, "GSI1", start, limit)


def _connection_use_op(tenant: str, connection_id: int, delta: int, conn_type: str | None = None) -> dict:
    """Count assets using a connection; adding a use proves it exists (and has `conn_type`)."""
    cond, names, values = None, {"#c": "asset_count"}, {":d": delta}
    if delta > 0:
        cond = "attribute_exists(PK)"
        if conn_type:
            cond += " AND #t = :t"
            names["#t"], values[":t"] = "type", conn_type
    return db.update_op(k.cfg_connection_pk(tenant, connection_id), k.CFG_CONNECTION_SK, "ADD #c :d", cond,
                        names=names, values=values)


# ------------------------------------------------------------------ asset configurations
def _config_item(tenant: str, cfg: dict) -> dict:
    n = cfg["id"]
    return {"PK": k.cfg_asset_pk(tenant, n), "SK": k.CFG_ASSET_SK,
            "GSI1PK": k.cfg_project_assets_gsi(tenant, cfg["project_id"]), "GSI1SK": k.num_sort(n),
            "GSI2PK": k.cfg_assets_gsi(tenant), "GSI2SK": k.num_sort(n), **cfg}


def get_config(tenant: str, number: int, consistent: bool = True) -> dict | None:
    return _strip(db.get(k.cfg_asset_pk(tenant, number), k.CFG_ASSET_SK, consistent=consistent))


def get_configs(tenant: str, numbers, consistent: bool = False) -> dict[int, dict]:
    items = db.batch_get([(k.cfg_asset_pk(tenant, n), k.CFG_ASSET_SK) for n in numbers], consistent=consistent)
    return {i["id"]: _strip(i) for i in items}


def list_configs(tenant: str, project_id: int | None, after: int | None, limit: int) -> tuple[list[dict], bool]:
    """A project's configurations (GSI1) or the tenant's (GSI2, project_id None), by number."""
    index = "GSI1" if project_id is not None else "GSI2"
    partition = k.cfg_project_assets_gsi(tenant, project_id) if project_id is not None else k.cfg_assets_gsi(tenant)
    start = None
    if after is not None:
        start = {"PK": {"S": k.cfg_asset_pk(tenant, after)}, "SK": {"S": k.CFG_ASSET_SK},
                 f"{index}PK": {"S": partition}, f"{index}SK": {"S": k.num_sort(after)}}
    return _page(partition, index, start, limit)


def configured_total(tenant: str) -> int:
    return counters.total(tenant, k.CFG_ASSETS_COUNTER)


# -- registry asset parts (built with the registry store's helpers) -------------------------
def _new_asset_ops(tx: asset_store.Tx, tenant: str, asset: dict, tokens: list[str]) -> None:
    asset_store.create_ops(tx, tenant, asset, tokens)


def _pointer_ops(tx: asset_store.Tx, tenant: str, asset: dict, number: int | None, expect: int | None) -> None:
    """Set (number) or remove (None) the asset's configuration pointer, if the asset is unchanged
    since read (rev) and points at `expect` (None: at nothing). The env copy exists only while
    the asset is live."""
    pk = k.asset_pk(tenant, asset["id"])
    values = {":rev": asset["rev"], ":one": 1}
    cond = "rev = :rev"
    if expect is None:
        cond += " AND attribute_not_exists(config_number)"
    else:
        cond += " AND config_number = :old"
        values[":old"] = expect
    if number is None:
        expr, view_values = "REMOVE config_number SET rev = rev + :one", {":one": 1}
    else:
        expr, view_values = "SET config_number = :n, rev = rev + :one", {":n": number, ":one": 1}
        values[":n"] = number
    live = not asset.get("deleted_at")
    cond += " AND attribute_not_exists(deleted_at)" if live else " AND attribute_exists(deleted_at)"
    tx.add("asset", db.update_op(pk, k.ASSET_SK, expr, cond, values=values))
    if live:
        tx.add("asset_view", db.update_op(pk, k.ASSET_VIEW_SK, expr, "attribute_exists(PK)", values=view_values))


def _rename_ops(tx: asset_store.Tx, tenant: str, old: dict, new: dict, old_tokens, new_tokens) -> None:
    """The registry store's `replace`, as transaction parts (the asset follows its payload)."""
    canonical, view = asset_store._items(tenant, new)
    tx.add("asset", db.put_op(canonical, "rev = :rev AND attribute_not_exists(deleted_at) AND config_number = :n",
                              values={":rev": old["rev"], ":n": new["config_number"]}))
    tx.add("asset_view", db.put_op(view))
    tx.add("old_guard", db.delete_op(*asset_store._guard(tenant, old)))
    pk, sk = asset_store._guard(tenant, new)
    tx.add("guard", db.put_op({"PK": pk, "SK": sk, "asset_id": new["id"]}, "attribute_not_exists(PK)"))
    delta = counters.Delta()
    asset_store.count_into(delta, old, -1)
    asset_store.count_into(delta, {**new, "counter_shard": asset_store.counter_shard(old)}, 1)
    asset_store.counter_ops(tx, tenant, delta, None)
    tx.extend("token", asset_store._token_ops(tenant, new["id"], [t for t in old_tokens if t not in new_tokens],
                                              add=False))
    tx.extend("token", asset_store._token_ops(tenant, new["id"], [t for t in new_tokens if t not in old_tokens],
                                              add=True))


def _soft_delete_ops(tx: asset_store.Tx, tenant: str, asset: dict, tokens, at: str, number: int) -> None:
    """The registry store's `soft_delete` as transaction parts, also dropping the configuration
    pointer. (A dependency added to the asset in the same instant stays on the deleted asset, as
    history, like any dependency of a deleted asset: nothing serialises every edge of a tenant.)"""
    tx.add("asset", db.update_op(
        k.asset_pk(tenant, asset["id"]), k.ASSET_SK,
        "SET deleted_at = :at, updated_at = :at, rev = rev + :one "
        "REMOVE GSI1PK, GSI1SK, GSI2PK, GSI2SK, config_number",
        "rev = :rev AND attribute_not_exists(deleted_at) AND config_number = :n",
        values={":at": at, ":rev": asset["rev"], ":one": 1, ":n": number}))
    tx.add("asset_view", db.delete_op(k.asset_pk(tenant, asset["id"]), k.ASSET_VIEW_SK))
    tx.add("old_guard", db.delete_op(*asset_store._guard(tenant, asset)))
    delta = counters.Delta()
    asset_store.count_into(delta, asset, -1)
    asset_store.counter_ops(tx, tenant, delta, None)
    tx.extend("token", asset_store._token_ops(tenant, asset["id"], tokens, add=False))


def _tenant_count_op(tenant: str, number: int, delta: int) -> dict:
    return counters.add_op(tenant, number % counters.SHARDS, k.CFG_ASSETS_COUNTER, {"n": delta})


# -- the transactions ----------------------------------------------------------------------
def create_config(tenant: str, cfg: dict, conn_type: str, *, new_asset: dict | None = None,
                  tokens: list[str] = (), attach_to: dict | None = None) -> None:
    """The configuration and a new registry asset (`new_asset`) or a pointer on an existing one
    (`attach_to`), counted in its project, its connection and the tenant — all or nothing.
    ConditionFailed labels: guard (fqn taken), asset (attach target changed), project, connection."""
    tx = asset_store.Tx()
    tx.add("config", db.put_op(_config_item(tenant, cfg), "attribute_not_exists(PK)"))
    if new_asset is not None:
        _new_asset_ops(tx, tenant, new_asset, list(tokens))
    else:
        _pointer_ops(tx, tenant, attach_to, cfg["id"], None)
    tx.add("project", _project_count_op(tenant, cfg["project_id"], "asset_count", 1))
    tx.add("connection", _connection_use_op(tenant, cfg["connection_id"], 1, conn_type))
    tx.add("tenant_count", _tenant_count_op(tenant, cfg["id"], 1))
    _run(tx)


def update_config(tenant: str, old: dict, new: dict, conn_type: str, *, rename: tuple | None = None) -> None:
    """Replace the configuration if unchanged since read (rev); move the connection count when the
    connection changes; `rename` = (old asset, new asset, old tokens, new tokens) when the fqn
    derived from the payload changed. Labels: config, connection, guard, asset."""
    tx = asset_store.Tx()
    tx.add("config", db.put_op(_config_item(tenant, new), "rev = :rev", values={":rev": old["rev"]}))
    if old["connection_id"] != new["connection_id"]:
        tx.add("connection", _connection_use_op(tenant, new["connection_id"], 1, conn_type))
        tx.add("old_connection", _connection_use_op(tenant, old["connection_id"], -1))
    elif old["type"] != new["type"]:
        tx.add("connection", db.check_op(k.cfg_connection_pk(tenant, new["connection_id"]), k.CFG_CONNECTION_SK,
                                         "attribute_exists(PK) AND #t = :t", names={"#t": "type"},
                                         values={":t": conn_type}))
    if rename:
        _rename_ops(tx, tenant, *rename)
    _run(tx)


def delete_config(tenant: str, cfg: dict, asset: dict | None, *, soft_delete: bool = False, tokens=(),
                  at: str = "") -> None:
    """Remove the configuration, its counts and the asset's pointer (or soft-delete the asset)."""
    tx = asset_store.Tx()
    tx.add("config", db.delete_op(k.cfg_asset_pk(tenant, cfg["id"]), k.CFG_ASSET_SK, "rev = :rev",
                                  values={":rev": cfg["rev"]}))
    tx.add("project", _project_count_op(tenant, cfg["project_id"], "asset_count", -1))
    tx.add("connection", _connection_use_op(tenant, cfg["connection_id"], -1))
    tx.add("tenant_count", _tenant_count_op(tenant, cfg["id"], -1))
    if asset is not None:
        if soft_delete:
            _soft_delete_ops(tx, tenant, asset, list(tokens), at, cfg["id"])
        else:
            _pointer_ops(tx, tenant, asset, None, cfg["id"])
    _run(tx)


def move_configs(tenant: str, pairs: list[tuple[dict, dict]], source: int, target: int,
                 connection_deltas: dict[int, int], target_conn_type: str | None) -> None:
    """Move every configuration of `pairs` (old, new) from `source` to `target` in ONE transaction:
    each conditioned on being unchanged since read and still in `source`; project and
    connection counts follow. Labels: config, project (target gone), connection."""
    tx = asset_store.Tx()
    for old, new in pairs:
        tx.add("config", db.put_op(_config_item(tenant, new), "rev = :rev AND project_id = :src",
                                   values={":rev": old["rev"], ":src": source}))
    n = len(pairs)
    tx.add("source_project", _project_count_op(tenant, source, "asset_count", -n))
    tx.add("project", _project_count_op(tenant, target, "asset_count", n))
    for cid, delta in sorted(connection_deltas.items()):
        if delta:
            tx.add("connection", _connection_use_op(tenant, cid, delta, target_conn_type if delta > 0 else None))
    _run(tx)


def transaction_size(n_assets: int, n_connections: int) -> int:
    """Parts of a move (DynamoDB transactions hold at most 100)."""
    return n_assets + 2 + n_connections


def _run(tx: asset_store.Tx) -> None:
    try:
        tx.commit()
    except db.ConditionFailed as exc:
        exc.failed = tx.failed(exc)
        raise


# ------------------------------------------------------------------ reads for the views
def registry_assets(tenant: str, asset_ids) -> dict[str, dict]:
    """{id: asset item} (deleted ones too), one BatchGetItem per 100."""
    items = db.batch_get([(k.asset_pk(tenant, a), k.ASSET_SK) for a in asset_ids])
    return {i["id"]: i for i in items}


def registry_asset(tenant: str, asset_id: str) -> dict | None:
    return db.get(k.asset_pk(tenant, asset_id), k.ASSET_SK)


def registry_guard(tenant: str, env: str, fqn: str) -> dict | None:
    return db.get(k.asset_fqn_pk(tenant, env, fqn), k.UNIQUE_SK)


def registry_dependents(tenant: str, asset_id: str) -> list[str]:
    """Sort keys under the asset's partition other than its own two items (contract versions,
    consumers, dependencies, audit runs, logs...), at most two: is anything hanging off it?"""
    page, _ = db.query(k.asset_pk(tenant, asset_id), limit=4, projection=["SK"], consistent=True)
    return [i["SK"] for i in page if i["SK"] not in (k.ASSET_SK, k.ASSET_VIEW_SK)]


def _edges(tenant: str, asset_id: str) -> tuple[list[str], list[str]]:
    """(upstream ids, downstream ids) of one asset: ONE Query, since both edge kinds' sort keys
    start with 'DEP' (DEP#{target}, DEPENDENT#{source})."""
    ups, downs, start = [], [], None
    while True:
        page, start = db.query(k.asset_pk(tenant, asset_id), sk_prefix="DEP", start=start,
                               projection=["SK", "source_asset_id", "target_asset_id", "pending"])
        for item in page:
            if item.get("pending") is not None:  # not confirmed yet (store/lineage.py)
                continue
            if item["SK"].startswith(k.DEPENDENT_PREFIX):
                downs.append(item["source_asset_id"])
            elif item["SK"].startswith(k.DEP_PREFIX):
                ups.append(item["target_asset_id"])
        if not start:
            return ups, downs


def edges_of_many(tenant: str, asset_ids: list[str]) -> dict[str, tuple[list[str], list[str]]]:
    """{asset id: (upstream, downstream)}: one Query per asset (edges hang off each asset's
    partition), run in parallel. The number of Queries is the number of assets on the page."""
    if len(asset_ids) <= 1:
        return {a: _edges(tenant, a) for a in asset_ids}
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=min(LINEAGE_WORKERS, len(asset_ids))) as pool:
        return dict(zip(asset_ids, pool.map(lambda a: _edges(tenant, a), asset_ids)))


def contracts(tenant: str, contract_ids) -> dict[str, dict]:
    """{contract id: raw contract item with its `doc`}, one BatchGetItem per 100 (and one for the docs)."""
    items = db.batch_get([(k.contract_pk(tenant, c), k.CONTRACT_SK) for c in contract_ids])
    return {i["id"]: i for i in docs.with_docs(items)}
