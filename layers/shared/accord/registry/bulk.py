"""Bulk paths for importers: many assets, dependencies and audit runs in few requests, under the
rules of the single paths (`assets.create`, `lineage.add`, `audit.record_run`) — the same items,
checks and errors per object — with the tenant's shared items moved once per batch
(store/bulk.py says why and how). Contracts have theirs in `publishing.publish_many`.

Each function returns, per input, the result or the AccordError the single path would raise, so
an importer reports one bad node and writes the rest.
"""
import random
import time
import uuid
from collections import defaultdict

from accord import clock, errors
from accord.log import logger
from accord.registry import assets, audit, lineage
from accord.registry.naming import check_environment, check_fqn
from accord.store import assets as asset_store, bulk as store, lineage as lineage_store
from accord.store.db import ConditionFailed

SETTLE_ATTEMPTS = 4


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
        if not principal.is_admin and principal.team_id != team_id:
            out[i] = errors.Forbidden(f"This key may create assets only for its own team; owner_team_id {team_id} "
                                      "needs that team's key or an admin key.", code="UNAUTHORIZED_TEAM")
            continue
        if team_id not in teams:
            try:
                teams[team_id] = assets._owner_team(tenant, team_id)
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
        made.append((i, store.prepare({**asset, **((extra or [{}] * len(specs))[i] or {})})))
    parts = [store.asset_ops(tenant, a, assets.search_tokens(a["fqn"])) for _, a in made]
    created = []
    groups = store.pack(parts)
    for (idx, _), failure in zip(groups, store.commit_each([ops for _, ops in groups])):
        if failure is None:
            created += [made[j] for j in idx]
        elif isinstance(failure, ConditionFailed):  # one of them exists already: find which, one each
            for j in idx:
                try:
                    store.commit(parts[j])
                    created.append(made[j])
                except ConditionFailed:
                    i, a = made[j]
                    out[i] = assets._duplicate(tenant, a["fqn"], a["environment"])
                except errors.AccordError as exc:
                    out[made[j][0]] = exc
        elif isinstance(failure, errors.AccordError):
            for j in idx:
                out[made[j][0]] = failure
        else:
            raise failure
    for i, a in created:
        out[i] = a
    settle(tenant, [a for _, a in created])
    return out


def settle(tenant: str, items: list[dict]) -> int:
    """Move the pending shared counters of these assets (items as written or read), once for the
    batch. Returns how many assets were settled. An asset changed meanwhile is read again (its
    own writer may have counted it already)."""
    pending = [a for a in items if a.get("pending_counters")]
    done = 0
    for attempt in range(SETTLE_ATTEMPTS):
        if not pending:
            return done
        retry = []
        teams = {a["owner_team_id"] for a in pending}
        groups = store.settle_groups(tenant, pending, teams)
        start = 0
        for ops, failure in zip(groups, store.commit_each(groups, parallel=False)):
            n = sum(1 for op in ops if "Update" in op and "pending_counters" in op["Update"]["UpdateExpression"])
            chunk = pending[start:start + n]
            start += n
            if failure is None:
                done += len(chunk)
            elif isinstance(failure, (ConditionFailed, errors.Conflict)):
                retry += chunk
            else:
                raise failure
        if not retry:
            return done
        fresh = asset_store.get_many(tenant, [a["id"] for a in retry])
        pending = [fresh[a["id"]] for a in retry if a["id"] in fresh and fresh[a["id"]].get("pending_counters")]
        time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))
    if pending:
        logger.warning("bulk: counters left pending", extra={"tenant": tenant, "assets": len(pending)})
    return done


# ------------------------------------------------------------------ lineage
def add_dependencies(principal, edges: list[dict], *, fresh: set | None = None, known: dict | None = None) -> list:
    """Add edges ({source_asset_id, target_asset_id, dependency_type?, metadata?}) — the rules of
    `lineage.add`: the source's team (or admin) adds, no self-edge, no duplicate, no cycle. `fresh`
    names assets that have no stored edges (just created): their upstream is not read. `known`
    ({id: asset item}) saves the reads of assets the caller holds. Per edge: the edge, or the error.

    The cycle check reads the stored graph once for the whole batch; the edges are written in
    parallel transactions, and the tenant's lineage version moves once, at the end, conditioned on
    the version read before the check (store/lineage.py: a single add conditions on it too). If
    it moved meanwhile, each edge of the batch is checked again against the graph as it now is,
    and one that closes a cycle is taken back (409): the graph is acyclic again before this returns."""
    tenant = principal.tenant
    out: list = [None] * len(edges)
    fresh = set(fresh or ())
    known = dict(known or {})
    missing = {e[k] for e in edges for k in ("source_asset_id", "target_asset_id")} - set(known)
    if missing:
        known.update(asset_store.get_many(tenant, list(missing)))
    todo = []
    seen = set()
    for i, e in enumerate(edges):
        src, dst = known.get(e["source_asset_id"]), known.get(e["target_asset_id"])
        if src is None or dst is None:
            out[i] = errors.NotFound(f"Asset {e['source_asset_id'] if src is None else e['target_asset_id']} "
                                     "not found.", code="ASSET_NOT_FOUND")
        elif src["id"] == dst["id"]:
            out[i] = errors.Unprocessable(f"An asset cannot depend on itself ({src['fqn']}).", code="SELF_DEPENDENCY")
        elif not assets.can_write(principal, src):
            out[i] = errors.Forbidden(f"Only a key of the owning team or an admin key may add dependencies to "
                                      f"asset '{src['fqn']}'.", code="UNAUTHORIZED_TEAM")
        elif (src["id"], dst["id"]) in seen:
            out[i] = errors.Conflict(f"'{src['fqn']}' already depends on '{dst['fqn']}'.", code="DUPLICATE_DEPENDENCY")
        else:
            seen.add((src["id"], dst["id"]))
            todo.append((i, {"id": str(uuid.uuid4()), "source_asset_id": src["id"], "target_asset_id": dst["id"],
                             "dependency_type": e.get("dependency_type") or "consumes", "metadata": e.get("metadata") or {},
                             "created_at": clock.iso(), "created_by": principal.display}))
    version = lineage_store.version(tenant)
    accepted = _acyclic(tenant, [edge for _, edge in todo], fresh, known, out, [i for i, _ in todo])
    todo = [(i, e) for i, e in todo if out[i] is None and e["id"] in accepted]
    parts = [store.edge_ops(tenant, e) for _, e in todo]
    groups = store.pack(parts)
    lost = []
    for (idx, _), failure in zip(groups, store.commit_each([ops for _, ops in groups])):
        if failure is None:
            for j in idx:
                out[todo[j][0]] = todo[j][1]
        elif isinstance(failure, ConditionFailed):
            lost += [todo[j] for j in idx]
        else:
            raise failure
    for i, e in _duplicates_out(tenant, lost, known, out):  # not a duplicate: one of its own, alone
        try:
            store.commit(store.edge_ops(tenant, e))
            out[i] = e
        except ConditionFailed:
            out[i] = errors.Conflict(f"'{known[e['source_asset_id']]['fqn']}' already depends on "
                                     f"'{known[e['target_asset_id']]['fqn']}'.", code="DUPLICATE_DEPENDENCY")
    mine = [(i, out[i]) for i, _ in todo if isinstance(out[i], dict)]
    if not mine:
        return out
    for attempt in range(lineage.MAX_ATTEMPTS):
        try:  # once per batch: the tenant's lineage version moves, as one add moves it
            store.commit([store.lineage_version_op(tenant, version)])
            return out
        except ConditionFailed:
            pass
        # someone else added edges while these were checked and written: check again, with theirs
        version = lineage_store.version(tenant)
        mine = _recheck(principal, mine, known, out)
        time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))
    logger.warning("bulk: lineage version not moved", extra={"tenant": tenant, "edges": len(mine)})
    return out


def _recheck(principal, mine: list, known: dict, out: list) -> list:
    """Edges of this batch that now close a cycle with edges added concurrently are taken back
    (409); the rest stay. Returns the ones kept."""
    tenant = principal.tenant
    kept = []
    for i, e in mine:
        graph: dict = defaultdict(set)
        frontier, reached = {e["target_asset_id"]}, {e["target_asset_id"]}
        while frontier and len(reached) <= lineage.MAX_WALK_NODES:
            found = lineage_store.edges_of_many(tenant, sorted(frontier), "up", consistent=True)
            nxt = set()
            for node, stored in found.items():
                for x in stored:
                    if x["id"] == e["id"]:
                        continue
                    graph[node].add(x["target_asset_id"])
                    if x["target_asset_id"] not in reached:
                        nxt.add(x["target_asset_id"])
            reached |= nxt
            frontier = nxt
        path = _path(graph, e["target_asset_id"], e["source_asset_id"])
        if path is None:
            kept.append((i, e))
            continue
        lineage_store.remove(tenant, e)
        chain = [known.get(a, {}).get("fqn", a) for a in [e["source_asset_id"], *path]]
        out[i] = errors.Conflict("This dependency would create a cycle: " + " -> ".join(chain) + ".",
                                 code="LINEAGE_CYCLE")
    return kept


def _duplicates_out(tenant: str, lost: list, known: dict, out: list) -> list:
    """Edges of a lost transaction that already exist get their 409; the rest are tried again."""
    again = []
    for i, e in lost:
        existing = lineage_store.edges(tenant, e["source_asset_id"], "up", consistent=True)
        if any(x["target_asset_id"] == e["target_asset_id"] for x in existing):
            out[i] = errors.Conflict(f"'{known[e['source_asset_id']]['fqn']}' already depends on "
                                     f"'{known[e['target_asset_id']]['fqn']}'.", code="DUPLICATE_DEPENDENCY")
        else:
            again.append((i, e))
    return again


def _acyclic(tenant: str, new: list[dict], fresh: set, known: dict, out: list, where: list[int]) -> set:
    """Ids of the new edges that close no cycle with the stored graph and the edges before them;
    the others get their 409 in `out`. The stored upstream of every asset a new edge leads to is
    read once (not for `fresh` assets: they have none), strongly consistent, level by level."""
    up = defaultdict(set)
    frontier = {e["target_asset_id"] for e in new} - fresh
    reached = set(frontier)
    while frontier:
        found = lineage_store.edges_of_many(tenant, sorted(frontier), "up", consistent=True)
        nxt = set()
        for node, stored in found.items():
            for edge in stored:
                up[node].add(edge["target_asset_id"])
                if edge["target_asset_id"] not in reached and edge["target_asset_id"] not in fresh:
                    nxt.add(edge["target_asset_id"])
        reached |= nxt
        if len(reached) > lineage.MAX_WALK_NODES:
            for i in where:
                out[i] = errors.Unprocessable(
                    f"The upstream lineage of these dependencies has more than {lineage.MAX_WALK_NODES} assets; "
                    "it cannot be checked for cycles in one request, so they are refused.", code="LINEAGE_TOO_LARGE")
            return set()
        frontier = nxt
    graph = {n: set(v) for n, v in up.items()}
    for e in new:
        graph.setdefault(e["source_asset_id"], set()).add(e["target_asset_id"])
    if _is_dag(graph):
        return {e["id"] for e in new}
    graph = {n: set(v) for n, v in up.items()}
    accepted = set()
    for i, e in zip(where, new):
        path = _path(graph, e["target_asset_id"], e["source_asset_id"])
        if path is not None:
            chain = [known.get(a, {}).get("fqn", a) for a in [e["source_asset_id"], *path]]
            out[i] = errors.Conflict("This dependency would create a cycle: " + " -> ".join(chain) + ".",
                                     code="LINEAGE_CYCLE")
            continue
        graph.setdefault(e["source_asset_id"], set()).add(e["target_asset_id"])
        accepted.add(e["id"])
    return accepted


def _is_dag(graph: dict) -> bool:
    indegree = defaultdict(int)
    for node, ups in graph.items():
        indegree.setdefault(node, 0)
        for u in ups:
            indegree[u] += 1
    ready = [n for n, d in indegree.items() if d == 0]
    seen = 0
    while ready:
        node = ready.pop()
        seen += 1
        for u in graph.get(node, ()):
            indegree[u] -= 1
            if indegree[u] == 0:
                ready.append(u)
    return seen == len(indegree)


def _path(graph: dict, start: str, goal: str) -> list[str] | None:
    parent = {start: None}
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            path = [node]
            while parent[path[-1]] is not None:
                path.append(parent[path[-1]])
            return path[::-1]
        for nxt in graph.get(node, ()):
            if nxt not in parent:
                parent[nxt] = node
                stack.append(nxt)
    return None


def remove_dependencies(principal, edges: list[dict]) -> int:
    """Remove stored edges (items as read from the store); removing never closes a cycle, so no
    lineage version moves. Returns how many were removed."""
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
    parts = [store.run_ops(tenant, a["id"], r) for _, a, r in todo]
    groups = store.pack(parts)
    for (idx, _), failure in zip(groups, store.commit_each([ops for _, ops in groups])):
        if failure is None:
            for j in idx:
                out[todo[j][0]] = todo[j][2]
        elif not isinstance(failure, ConditionFailed):
            raise failure
        else:
            for j in idx:  # one of them was stored meanwhile (or its asset went): each on its own
                i, a, r = todo[j]
                try:
                    store.commit(parts[j])
                    out[i] = r
                except ConditionFailed:
                    out[i] = None
    return out
