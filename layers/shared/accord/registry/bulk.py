"""Bulk paths for importers: many assets and audit runs in few requests, under the rules of the
single paths (`assets.create`, `audit.record_run`) — the same items, checks and errors per object —
with each counter moved once per transaction (store/assets.create_many: sharded counters, one
update per counter per batch). Dependencies in bulk: `accord.registry.lineage.add_many`; contracts:
`publishing.publish_many`.

Each function returns, per input, the result or the AccordError the single path would raise, so
an importer reports one bad node and writes the rest.
"""
from accord import clock, errors
from accord.registry import assets, audit
from accord.registry.naming import check_environment, check_fqn
from accord.store import assets as asset_store, bulk as store
from accord.store.db import ConditionFailed


# ------------------------------------------------------------------ assets
def create_assets(principal, specs: list[dict], *, extra: list[dict] | None = None) -> list:
    """Create an asset per spec ({fqn, owner_team_id, environment?, metadata?, owner_user_id?,
    owner_user_name?}); `extra[i]` are attributes kept on the asset item (an importer's hashes).
    Per spec: the asset item as stored, or the AccordError `assets.create` would raise for it."""
    tenant = principal.tenant
    out: list = [None] * len(specs)
    teams: dict = {}
    seen: set = set()
    made = []  # (index, asset)
    now = clock.iso()
    for i, spec in enumerate(specs):
        try:
            fqn, env = check_fqn(str(spec["fqn"])), check_environment(str(spec.get("environment") or "production"))
        except ValueError as exc:
            out[i] = errors.Unprocessable(f"{spec.get('fqn')}: {exc}.")
            continue
        team_id = str(spec["owner_team_id"])
        try:
            assets.authorize_create(principal, team_id)
        except errors.Forbidden as exc:
            out[i] = exc
            continue
        if team_id not in teams:
            try:
                teams[team_id] = assets.owner_team(tenant, team_id)
            except errors.NotFound as exc:
                teams[team_id] = exc
        if isinstance(teams[team_id], errors.AccordError):
            out[i] = teams[team_id]
            continue
        if (fqn, env) in seen:
            out[i] = errors.Conflict(f"Asset '{fqn}' appears twice in environment '{env}'.", code="DUPLICATE_ASSET")
            continue
        seen.add((fqn, env))
        try:
            asset = assets.new_asset(teams[team_id], fqn, env, spec.get("metadata") or {},
                                     owner_user_id=spec.get("owner_user_id"),
                                     owner_user_name=spec.get("owner_user_name"), now=now)
        except errors.AccordError as exc:
            out[i] = exc
            continue
        made.append((i, {**asset, **((extra or [{}] * len(specs))[i] or {})}))
    for attempt in range(assets.WRITE_ATTEMPTS):
        results = asset_store.create_many(tenant, [(a, assets.search_tokens(a["fqn"])) for _, a in made])
        again, fresh = [], {}
        for (i, a), failed in zip(made, results):
            if failed is None:
                out[i] = a
            elif failed == "guard":
                out[i] = assets.duplicate(tenant, a["fqn"], a["environment"])
            else:  # its team was deleted or renamed since it was read: read it again
                team_id = a["owner_team_id"]
                if team_id not in fresh:
                    try:
                        fresh[team_id] = assets.owner_team(tenant, team_id)
                    except errors.NotFound as exc:
                        fresh[team_id] = exc
                team = fresh[team_id]
                if isinstance(team, errors.AccordError):
                    out[i] = team
                elif attempt + 1 == assets.WRITE_ATTEMPTS:
                    out[i] = errors.Conflict(f"Owner team {team_id} kept changing while '{a['fqn']}' was created; "
                                             "retry.", code="CONCURRENT_UPDATE")
                else:
                    again.append((i, {**a, "owner_team_name": team["name"], "counter_shard": None}))
        made = again
        if not made:
            break
    return out


# ------------------------------------------------------------------ lineage
def remove_dependencies(principal, edges: list[dict]) -> int:
    """Remove stored edges (items as read from the store); removing never closes a cycle, so no
    check is needed. Returns how many were removed."""
    parts = [store.edge_remove_ops(principal.tenant, e) for e in edges]
    for _, ops in store.pack(parts):
        store.commit(ops)
    return len(edges)


# ------------------------------------------------------------------ audit runs
def record_runs(tenant: str, runs: list[tuple[dict, dict]]) -> list:
    """Store runs (asset item, fields for `audit.build_run` with a deterministic `run_uuid`):
    per run the stored run, None when it was stored before (the same results sent again), or the
    error `audit.record_run` would raise."""
    out: list = [None] * len(runs)
    built = []
    for i, (asset, fields) in enumerate(runs):
        try:
            built.append((i, asset, audit.build_run(asset, **fields)))
        except errors.AccordError as exc:
            out[i] = exc
    stored = store.existing_runs(tenant, [(a["id"], r) for _, a, r in built])
    todo = [(i, a, r) for i, a, r in built if r["id"] not in stored]
    idxs = [list(range(j, min(j + store.RUNS_PER_TX, len(todo)))) for j in range(0, len(todo), store.RUNS_PER_TX)]
    groups = [(idx, store.run_ops(tenant, [(todo[j][1]["id"], todo[j][2]) for j in idx])) for idx in idxs]
    for (idx, _), failure in zip(groups, store.commit_each([ops for _, ops in groups])):
        if failure is None:
            for j in idx:
                out[todo[j][0]] = todo[j][2]
        elif not isinstance(failure, ConditionFailed):
            raise failure
        else:
            for j in idx:  # one of them was stored meanwhile: each on its own
                i, a, r = todo[j]
                try:
                    store.commit(store.run_ops(tenant, [(a["id"], r)]))
                    out[i] = r
                except ConditionFailed:
                    out[i] = None
    return out
