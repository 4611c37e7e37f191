"""dbt import (DESIGN §10.1): a manifest (and its run results) → assets, dependencies, contracts,
registrations and audit runs — Tessera's `POST /sync/dbt/upload` contract, through the registry's
one path for each: `registry.bulk` (assets, edges, runs: the single paths' rules, batched),
`publishing.publish_many` (the publish rules), `registrations.create`, `assets.delete`.

Cheap to repeat: every imported asset keeps the hash of what dbt said about it
(`import_asset_hash`) and of the contract it published (`import_hash`, set in the publish
transaction): an unchanged node costs no write and no read beyond the two BatchGetItems per 100
nodes that find the assets. An import runs under a `run_id` (a job's id): assets it created carry
it (`import_run`), so a job resumed after a crash counts them as its own and finishes their
edges, contracts and counters instead of skipping them as "existing".

Decisions (README "dbt import"): a node's `meta.accord.owner_team` (or Tessera's
`meta.tessera.owner_team`) wins over the request's `owner_team_id`, which wins over `meta.owner`;
a node whose owner is unknown or missing is refused with a warning naming it — never an orphan.
"""
import uuid
from dataclasses import dataclass, field

from accord import clock, errors
from accord.ingest import dbt_manifest
from accord.ingest.dbt_contracts import contracts_phase, registrations_phase
from accord.ingest.dbt_drift import drift_phase
from accord.registry import assets, bulk, lineage
from accord.registry.naming import check_environment
from accord.store import assets as asset_store, bulk as bulk_store, lineage as lineage_store, teams as team_store

CONFLICT_MODES = ("ignore", "overwrite", "fail")
MAX_LISTED = 20          # Tessera caps each list of its response at 20
MAX_NODES_LISTED = 500   # per-node results (skipped, refused; in a dry run every change)
CHUNK = 250              # nodes per write batch: progress is reported (and a job checkpoints) per batch
RUN_NAMESPACE = uuid.UUID("6f1d0c57-1b9e-4e0b-9a51-3c8d1f0a7e21")
PHASES = 3               # progress steps per node: asset, lineage, contract


@dataclass
class Import:
    principal: object
    opts: object
    manifest: dbt_manifest.Manifest
    environment: str
    mode: str | None
    default_team: dict | None
    run_id: str
    progress: object = None
    owner: dict = field(default_factory=dict)       # unique id -> team item
    asset: dict = field(default_factory=dict)       # unique id -> asset item (existing or created)
    status: dict = field(default_factory=dict)      # unique id -> created|updated|unchanged|skipped|refused
    ours: set = field(default_factory=set)          # created by this run (a resumed job)
    hashes: dict = field(default_factory=dict)
    counts: dict = field(default_factory=lambda: {"created": 0, "updated": 0, "skipped": 0, "deleted": 0,
                                                  "unchanged": 0, "refused": 0})
    warnings: dict = field(default_factory=lambda: {k: [] for k in (
        "ownership_warnings", "contract_warnings", "registration_warnings", "dependency_warnings")})
    nodes: list = field(default_factory=list)       # per-node results
    deleted_fqns: list = field(default_factory=list)
    synced: int = 0
    published: int = 0
    proposals: list = field(default_factory=list)
    registrations: int = 0
    runs: dict = field(default_factory=lambda: {"recorded": 0, "already_recorded": 0})
    in_sync: set = field(default_factory=set)       # unique ids whose active contract is the manifest's
    drifted: list = field(default_factory=list)     # drift findings (enforced models)
    done: int = 0

    @property
    def tenant(self) -> str:
        return self.principal.tenant

    @property
    def dry_run(self) -> bool:
        return bool(self.opts.dry_run)

    def warn(self, kind: str, text: str) -> None:
        self.warnings[kind].append(text[:dbt_manifest.MAX_WARNING_CHARS])

    def note(self, node, action: str, reason: str | None = None) -> None:
        if len(self.nodes) < MAX_NODES_LISTED:
            entry = {"unique_id": node.unique_id, "fqn": node.fqn, "action": action}
            if reason:
                entry["reason"] = reason
            if node.unique_id in self.asset and self.asset[node.unique_id].get("id"):
                entry["asset_id"] = self.asset[node.unique_id]["id"]
            self.nodes.append(entry)

    def step(self, n: int) -> None:
        self.done += n
        if self.progress:
            self.progress(self.done, PHASES * len(self.manifest.nodes))


# ------------------------------------------------------------------ entry point
def run(principal, opts, manifest, run_results=None, *, run_id: str | None = None, progress=None) -> tuple[int, dict]:
    """(HTTP status, Tessera's upload response + Accord's fields). Bad input raises a 4xx."""
    if opts.conflict_mode not in CONFLICT_MODES:
        raise errors.BadRequest(f"Invalid conflict_mode: {opts.conflict_mode}. Use 'overwrite', 'ignore', or 'fail'.",
                                code="CONFLICT_MODE_INVALID")
    env, mode = options(opts)
    parsed, runs, run_warnings = read(manifest, run_results)
    imp = Import(principal, opts, parsed, env, mode, default_team(principal.tenant, opts.owner_team_id),
                 run_id or str(uuid.uuid4()), progress)
    for uid, why in parsed.duplicates:
        imp.warn("ownership_warnings", f"{uid}: not imported: {why}")
    resolve_owners(imp)
    read_existing(imp)
    write_assets(imp)
    write_lineage(imp)
    contracts_phase(imp)
    drift_phase(imp)
    registrations_phase(imp)
    record_runs(imp, runs)
    delete_missing(imp)
    return respond(imp, run_warnings)


def options(opts) -> tuple[str, str | None]:
    try:
        env = check_environment(opts.environment)
    except ValueError as exc:
        raise errors.Unprocessable(f"environment: {exc}.", detail=[
            {"loc": ["body", "environment"], "msg": str(exc), "type": "value_error"}]) from None
    from accord.registry.contracts import mode_or_422
    return env, mode_or_422(opts.compatibility_mode) if opts.compatibility_mode else None


def read(manifest, run_results) -> tuple:
    where = "manifest"
    try:
        parsed = dbt_manifest.read(manifest)
        where = "run_results"
        runs, warnings = dbt_manifest.tested_runs(run_results, parsed) if run_results is not None else ([], [])
    except dbt_manifest.ManifestError as exc:
        raise errors.Unprocessable(str(exc), code="INVALID_MANIFEST" if where == "manifest" else "INVALID_RUN_RESULTS",
                                   detail=[{"loc": ["body", where], "msg": str(exc), "type": "value_error"}]) from None
    return parsed, runs, warnings


def default_team(tenant: str, team_id) -> dict | None:
    if team_id is None:
        return None
    team = team_store.get(tenant, str(team_id))
    if team is None:
        raise errors.Unprocessable(f"owner_team_id: team {team_id} not found in this tenant; create it first "
                                   "(POST /api/v1/teams) or name the owners in each node's meta.accord.owner_team.",
                                   code="TEAM_NOT_FOUND",
                                   detail=[{"loc": ["body", "owner_team_id"], "msg": "no such team", "type": "value_error"}])
    return team


# ------------------------------------------------------------------ owners
def _team(imp: Import, ref: str, cache: dict) -> dict | None:
    if ref not in cache:
        ident = assets.valid_id(ref)
        cache[ref] = team_store.get(imp.tenant, ident) if ident else team_store.by_name(imp.tenant, ref)
    return cache[ref]


def resolve_owners(imp: Import) -> None:
    cache: dict = {}
    for node in imp.manifest.nodes:
        if node.owner_team:
            team = _team(imp, node.owner_team, cache)
            why = None if team else f"owner team '{node.owner_team}' (meta.accord.owner_team) not found"
        elif imp.default_team:
            team, why = imp.default_team, None
        elif node.owner_hint:
            team = _team(imp, node.owner_hint, cache)
            why = None if team else f"meta.owner '{node.owner_hint}' is no team of this tenant and no owner_team_id was sent"
        else:
            team, why = None, "no owner: send owner_team_id or set meta.accord.owner_team on the node"
        if team is None:
            imp.status[node.unique_id] = "refused"
            imp.counts["refused"] += 1
            imp.warn("ownership_warnings", f"{node.fqn}: not imported: {why}.")
            imp.note(node, "refused", why)
            continue
        imp.owner[node.unique_id] = team


def asset_hash(imp: Import, node) -> str:
    return dbt_manifest.digest({"fqn": node.fqn, "env": imp.environment, "owner": imp.owner[node.unique_id]["id"],
                                "metadata": node.metadata})


def read_existing(imp: Import) -> None:
    """Two BatchGetItems per 100 nodes: the fqn guards, then the assets they name."""
    wanted = [n for n in imp.manifest.nodes if n.unique_id in imp.owner]
    ids = bulk_store.guards(imp.tenant, imp.environment, [n.fqn for n in wanted])
    found = asset_store.get_many(imp.tenant, list(set(ids.values()))) if ids else {}
    existing = []
    for node in wanted:
        item = found.get(ids.get(node.fqn))
        if item is None:
            continue
        imp.asset[node.unique_id] = item
        if item.get("import_run") == imp.run_id:
            imp.ours.add(node.unique_id)
        else:
            existing.append(node)
    if imp.opts.conflict_mode == "fail" and existing:
        names = [n.fqn for n in existing]
        raise errors.Conflict(f"Found {len(names)} existing asset(s) in '{imp.environment}' (conflict_mode 'fail'): "
                              + ", ".join(names[:MAX_LISTED]) + (" ..." if len(names) > MAX_LISTED else "") + ".",
                              code="SYNC_CONFLICT", detail={"conflicts": names[:MAX_LISTED]})


# ------------------------------------------------------------------ assets
def write_assets(imp: Import) -> None:
    new, changed = [], []
    for node in imp.manifest.nodes:
        uid = node.unique_id
        if uid not in imp.owner:
            continue
        imp.hashes[uid] = asset_hash(imp, node)
        item = imp.asset.get(uid)
        if item is None:
            new.append(node)
        elif uid in imp.ours:
            imp.status[uid] = "created"
            imp.counts["created"] += 1
        elif imp.opts.conflict_mode == "ignore":
            imp.status[uid] = "skipped"
            imp.counts["skipped"] += 1
            imp.note(node, "skipped", f"asset {item['id']} exists (conflict_mode 'ignore')")
        elif item.get("import_asset_hash") == imp.hashes[uid]:
            imp.status[uid] = "unchanged"
            imp.counts["unchanged"] += 1
        else:
            changed.append(node)
    for i in range(0, len(new), CHUNK):
        _create(imp, new[i:i + CHUNK])
    for node in changed:
        _update(imp, node)
    imp.step(len(imp.manifest.nodes) - len(new))


def _create(imp: Import, nodes: list) -> None:
    if imp.dry_run:
        for node in nodes:
            imp.status[node.unique_id] = "created"
            imp.counts["created"] += 1
            imp.asset[node.unique_id] = {"id": None, "fqn": node.fqn, "environment": imp.environment,
                                         "owner_team_id": imp.owner[node.unique_id]["id"], "metadata": node.metadata}
            imp.note(node, "would_create")
        imp.step(len(nodes))
        return
    specs = [{"fqn": n.fqn, "owner_team_id": imp.owner[n.unique_id]["id"], "environment": imp.environment,
              "metadata": n.metadata} for n in nodes]
    extra = [{"import_asset_hash": imp.hashes[n.unique_id], "import_run": imp.run_id} for n in nodes]
    for node, result in zip(nodes, bulk.create_assets(imp.principal, specs, extra=extra)):
        if isinstance(result, errors.AccordError):
            imp.status[node.unique_id] = "refused"
            imp.counts["refused"] += 1
            imp.warn("ownership_warnings", f"{node.fqn}: not imported: {result.message}")
            imp.note(node, "refused", result.message)
            continue
        imp.asset[node.unique_id] = result
        imp.status[node.unique_id] = "created"
        imp.counts["created"] += 1
    imp.step(len(nodes))


def _update(imp: Import, node) -> None:
    uid = node.unique_id
    old, team = imp.asset[uid], imp.owner[uid]
    imp.status[uid] = "updated"
    imp.counts["updated"] += 1
    if imp.dry_run:
        imp.note(node, "would_update")
        return
    new = {**old, "metadata": assets.check_metadata({**(old.get("metadata") or {}), **node.metadata}),
           "owner_team_id": team["id"], "owner_team_name": team["name"], "updated_at": clock.iso(),
           "rev": old["rev"] + 1, "import_asset_hash": imp.hashes[uid]}
    tokens = assets.search_tokens(old["fqn"])
    try:
        asset_store.replace(imp.tenant, old, new, tokens, tokens)
    except asset_store.db.ConditionFailed:
        imp.status[uid] = "refused"
        imp.counts["updated"] -= 1
        imp.counts["refused"] += 1
        why = "the asset changed (or was deleted) while it was imported; import again"
        imp.warn("ownership_warnings", f"{node.fqn}: not updated: {why}.")
        imp.note(node, "refused", why)
        return
    imp.asset[uid] = new


# ------------------------------------------------------------------ lineage
def _edge_type(upstream_uid: str) -> str:
    """Tessera's: model → model edges transform, everything else (sources, seeds, snapshots) is consumed."""
    return "transforms" if upstream_uid.startswith("model.") else "consumes"


def _depths(nodes) -> dict[str, int]:
    """{unique id: length of the longest upstream chain} within the manifest. Edges are added
    downstream first: when a batch's cycle walk starts from its targets, their own upstream edges
    (of lower depth) are not written yet, so the walk reads about one partition per target instead
    of every ancestor again in each batch (1,500 models: 5,200 Queries -> ~1,000)."""
    ups = {n.unique_id: n.upstream for n in nodes}
    depth: dict[str, int] = {}
    for start in ups:
        stack = [(start, iter(ups[start]))]
        on_path = {start}
        while stack:
            uid, it = stack[-1]
            nxt = next((u for u in it if u in ups and u not in depth and u not in on_path), None)
            if nxt is not None:
                stack.append((nxt, iter(ups[nxt])))
                on_path.add(nxt)
                continue
            stack.pop()
            on_path.discard(uid)
            depth[uid] = 1 + max((depth.get(u, 0) for u in ups[uid] if u in ups), default=-1)
    return depth


def write_lineage(imp: Import) -> None:
    by_id = {n.unique_id: n for n in imp.manifest.nodes}
    add, remove = [], []
    for node in imp.manifest.nodes:
        uid = node.unique_id
        state = imp.status.get(uid)
        if state not in ("created", "updated"):
            continue
        me = imp.asset[uid]
        want = {}
        for up in node.upstream:
            if imp.status.get(up) in (None, "refused"):
                imp.warn("dependency_warnings", f"{node.fqn}: depends on {by_id[up].fqn if up in by_id else up}, "
                                                "which was not imported; that dependency was skipped.")
                continue
            want[imp.asset[up]["id"] if imp.asset[up].get("id") else up] = up
        if state == "created" and (imp.dry_run or uid not in imp.ours):
            add += [(node, me, target, _edge_type(up)) for target, up in want.items()]
            continue
        stored = [e for e in lineage_store.edges(imp.tenant, me["id"], "up", consistent=True)
                  if not lineage_store.is_pending(e)]   # another writer's, not (yet) an edge
        have = {e["target_asset_id"] for e in stored}
        add += [(node, me, target, _edge_type(up)) for target, up in want.items() if target not in have]
        remove += [e for e in stored if (e.get("metadata") or {}).get("source") == "dbt"
                   and e["target_asset_id"] not in want]
    if imp.dry_run:
        imp.synced = len(add)
        imp.step(len(imp.manifest.nodes))
        return
    known = {a["id"]: a for a in imp.asset.values() if a.get("id")}
    depth = _depths(imp.manifest.nodes)
    add.sort(key=lambda a: -depth.get(a[0].unique_id, 0))
    for i in range(0, len(add), CHUNK * 2):
        part = add[i:i + CHUNK * 2]
        edges = [{"source_asset_id": me["id"], "target_asset_id": target, "dependency_type": kind,
                  "metadata": {"source": "dbt"}} for _, me, target, kind in part]
        try:
            results = lineage.add_many(imp.principal, edges)
        except errors.AccordError as exc:  # the batch's upstream graph is too large to check
            imp.warn("dependency_warnings", f"{len(part)} dependencies not added: {exc.message}")
            continue
        for (node, _, target, _), result in zip(part, results):
            if result["status"] == "created":
                imp.synced += 1
            elif result["status"] != "duplicate":
                imp.warn("dependency_warnings", f"{node.fqn} -> {known[target]['fqn']}: {result['error']}")
    if remove:
        bulk.remove_dependencies(imp.principal, remove)
    imp.step(len(imp.manifest.nodes))


# ------------------------------------------------------------------ run results
def record_runs(imp: Import, runs: list) -> None:
    todo = []
    for r in runs:
        item = imp.asset.get(r.node)
        if item is None or not item.get("id") or imp.status.get(r.node) == "refused":
            continue
        todo.append((item, {"status": r.status, "triggered_by": "dbt_test", "run_id": r.run_id, "run_at": r.run_at,
                            "guarantee_results": r.results, "recorded_by": imp.principal.display,
                            "details": {"dbt_unique_id": r.node, "environment": imp.environment},
                            "run_uuid": str(uuid.uuid5(RUN_NAMESPACE, f"{imp.tenant}/{item['id']}/{r.run_id}"))}))
    if imp.dry_run:
        imp.runs["recorded"] = len(todo)
        return
    for (item, _), result in zip(todo, bulk.record_runs(imp.tenant, todo)):
        if isinstance(result, errors.AccordError):
            imp.warn("contract_warnings", f"{item['fqn']}: test results not recorded: {result.message}")
        elif result is None:
            imp.runs["already_recorded"] += 1
        else:
            imp.runs["recorded"] += 1


# ------------------------------------------------------------------ auto_delete
def delete_missing(imp: Import) -> None:
    if not imp.opts.auto_delete:
        return
    team_id = imp.default_team["id"] if imp.default_team else imp.principal.team_id
    if not team_id:
        imp.warn("ownership_warnings", "auto_delete: send owner_team_id (or use a team's key): only that team's "
                                       "dbt assets missing from the manifest are deleted.")
        return
    present = {n.fqn for n in imp.manifest.nodes}
    for item in bulk_store.team_assets(imp.tenant, team_id, imp.environment):
        meta = item.get("metadata") or {}
        if item["fqn"] in present or not (meta.get("dbt_node_id") or meta.get("dbt_source_id")):
            continue
        if not imp.dry_run:
            try:
                assets.delete(imp.principal, item["id"])
            except errors.AccordError as exc:
                imp.warn("ownership_warnings", f"{item['fqn']}: not deleted: {exc.message}")
                continue
        imp.counts["deleted"] += 1
        imp.deleted_fqns.append(item["fqn"])


# ------------------------------------------------------------------ the response
def respond(imp: Import, run_warnings: list) -> tuple[int, dict]:
    imp.warnings["contract_warnings"] = run_warnings + imp.warnings["contract_warnings"]
    lists = {k: v[:MAX_LISTED] for k, v in imp.warnings.items()}
    partial = any(imp.warnings.values())
    c = imp.counts
    body = {
        "status": "partial_success" if partial else "success", "conflict_mode": imp.opts.conflict_mode,
        "assets": {"created": c["created"], "updated": c["updated"], "skipped": c["skipped"] + c["refused"],
                   "deleted": c["deleted"], "deleted_fqns": imp.deleted_fqns[:MAX_LISTED],
                   "unchanged": c["unchanged"], "refused": c["refused"]},
        "dependencies": {"synced": imp.synced},
        "contracts": {"published": imp.published},
        "proposals": {"created": len(imp.proposals), "details": imp.proposals[:MAX_LISTED]},
        "registrations": {"created": imp.registrations},
        "drift": {"detected": len(imp.drifted), "details": imp.drifted[:MAX_LISTED]},
        "guarantees_extracted": sum(1 for n in imp.manifest.nodes if n.guarantees and imp.status.get(n.unique_id)
                                    not in (None, "refused", "skipped")),
        **lists,
        "warnings_total": {k: len(v) for k, v in imp.warnings.items()},
        "audit_runs": imp.runs, "environment": imp.environment, "dry_run": imp.dry_run,
        "nodes": imp.nodes, "nodes_total": len(imp.manifest.nodes), "run_id": imp.run_id,
    }
    return (207 if partial else 200), body
