"""Lineage: dependencies between assets (DESIGN §2). Upstream = what an asset depends on,
downstream = what depends on it. The graph stays acyclic:

* a self-edge is invalid input (422); an edge that would close a cycle is a conflict with the
  graph as it is (409, naming the path);
* an edge is written *pending* first, then the cycle check walks upstream from the new
  dependency looking for the dependent asset (strongly consistent reads, counting other writers'
  fresh pending edges as edges), bounded by MAX_WALK_NODES (beyond that the edge is refused: an
  acyclicity we cannot prove is not assumed); then the edge is confirmed, or discarded (409).

Why no two concurrent adds can close a cycle together, with nothing every add holds (the old
design bumped one lineage version item per tenant, serialising every edge add of a tenant):
of the edges of any cycle, the one written last was written after all the others, so its own
walk — which starts after its write — sees them all and finds the cycle. When that walk finds a
cycle made only by edges still pending, the pending edge that came first (by time, then id)
waits for the others to settle instead of giving up, so exactly one of two opposite adds wins.
Readers never see pending edges. `add_many` is the bulk path for importers: one pending write
per ≤ 33 edges, one walk over the union of the batch's upstream graphs, one confirm.
"""
import json
import random
import time
import uuid

from accord import clock, errors
from accord.registry import assets
from accord.store import lineage as store
from accord.store.db import ConditionFailed

MAX_WALK_NODES = 2_000
MAX_BATCH_WALK_NODES = 20_000
MAX_BATCH = 500
WAIT_SECONDS = 3.0      # how long the first of several pending edges on a cycle waits for the others
MAX_DEPTH = 10
MAX_LINEAGE_NODES = 500  # per direction, per request
MAX_METADATA_BYTES = 16_384
TYPES = ("consumes", "references", "transforms")


def view(edge: dict) -> dict:
    """tessera-sdk's Dependency (source/target) plus Tessera's own spelling (dependent/dependency)."""
    return {"id": edge["id"], "source_asset_id": edge["source_asset_id"],
            "target_asset_id": edge["target_asset_id"],
            "dependent_asset_id": edge["source_asset_id"], "dependency_asset_id": edge["target_asset_id"],
            "depends_on_asset_id": edge["target_asset_id"],
            "dependency_type": edge["dependency_type"], "metadata": edge.get("metadata") or {},
            "created_at": edge["created_at"], **observed(edge)}


def observed(edge: dict) -> dict:
    """Tessera's observation fields: who made the edge (`manual` = declared through the API,
    `openlineage` = seen in a run), when a run last showed it and how many runs did."""
    return {"source": edge.get("source") or "manual", "last_observed_at": edge.get("last_observed_at"),
            "call_count": int(edge.get("call_count") or 0)}


def _dep_not_found(dep_id) -> errors.NotFound:
    return errors.NotFound(f"Dependency {dep_id} not found on this asset.", code="DEPENDENCY_NOT_FOUND")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _new_edge(principal, source: dict, target: dict, dependency_type: str, metadata: dict) -> dict:
    size = len(json.dumps(metadata, separators=(",", ":"), default=str).encode())
    if size > MAX_METADATA_BYTES:
        raise errors.PayloadTooLarge(f"metadata is {size} bytes; the limit is {MAX_METADATA_BYTES}.")
    return {"id": str(uuid.uuid4()), "source_asset_id": source["id"], "target_asset_id": target["id"],
            "dependency_type": dependency_type, "metadata": metadata, "created_at": clock.iso(),
            "created_by": principal.display, "pending": _now_ms()}


def _duplicate(source: dict, target: dict) -> errors.Conflict:
    return errors.Conflict(f"'{source['fqn']}' already depends on '{target['fqn']}'.", code="DUPLICATE_DEPENDENCY")


def add(principal, asset_id: str, body) -> dict:
    tenant = principal.tenant
    source = assets.get(tenant, asset_id)
    assets.authorize_write(principal, source, "add dependencies to")
    targets = {str(t) for t in (body.target_asset_id, body.depends_on_asset_id) if t is not None}
    if len(targets) != 1:
        msg = ("Send the upstream asset as target_asset_id (or depends_on_asset_id)." if not targets else
               "target_asset_id and depends_on_asset_id name different assets; send one of them.")
        raise errors.Unprocessable(msg, detail=[{"loc": ["body", "target_asset_id"], "msg": msg,
                                                 "type": "value_error"}])
    target_id = targets.pop()
    if target_id == source["id"]:
        raise errors.Unprocessable(f"An asset cannot depend on itself ({source['fqn']}).", code="SELF_DEPENDENCY")
    try:
        target = assets.get(tenant, target_id)
    except errors.NotFound:
        raise errors.NotFound(f"Dependency asset {target_id} not found.", code="ASSET_NOT_FOUND") from None
    edge = _new_edge(principal, source, target, body.dependency_type, body.metadata)
    if store.put_pending(tenant, [edge], edge["pending"])[0] == store.DUPLICATE:
        raise _duplicate(source, target)
    try:
        path = _check_one(tenant, edge)
    except BaseException:
        store.discard(tenant, [edge], _now_ms())
        raise
    if path is not None:
        store.discard(tenant, [edge], _now_ms())
        raise _cycle(tenant, source, path)
    if not store.confirm(tenant, [edge], _now_ms())[0]:
        store.discard(tenant, [edge], _now_ms())
        raise errors.Conflict("The dependency could not be confirmed in time; retry.", code="CONCURRENT_UPDATE")
    return view(edge)


def _check_one(tenant: str, edge: dict) -> list[str] | None:
    """The cycle the pending `edge` closes (asset ids from its target up to its source), or None.
    A cycle through other writers' pending edges that came after this one is theirs to give up:
    this edge waits (up to WAIT_SECONDS) for them to settle, then looks again."""
    deadline = time.monotonic() + WAIT_SECONDS
    mine = (int(edge["pending"]), edge["id"])
    while True:
        found = _path(tenant, edge["target_asset_id"], edge["source_asset_id"])
        if found is None:
            return None
        path, on_path = found
        others = [(int(e["pending"]), e["id"]) for e in on_path if store.is_pending(e)]
        if not others or min(others) < mine or time.monotonic() > deadline:
            return path
        time.sleep(random.uniform(0.02, 0.1))


def _path(tenant: str, start: str, goal: str) -> tuple[list[str], list[dict]] | None:
    """(asset ids from `start` up to `goal`, the edges between them) following dependencies —
    confirmed and fresh pending ones, strongly consistent — or None."""
    parent = {start: None}
    frontier = [start]
    now = _now_ms()
    while frontier:
        found = store.edges_of_many(tenant, frontier, "up", consistent=True)
        nxt = []
        for node in frontier:
            for edge in found[node]:
                if store.is_pending(edge) and not store.is_fresh_pending(edge, now):
                    continue
                up = edge["target_asset_id"]
                if up in parent:
                    continue
                parent[up] = (node, edge)
                if up == goal:
                    path, edges = [up], []
                    while parent[path[-1]] is not None:
                        node_, via = parent[path[-1]]
                        edges.append(via)
                        path.append(node_)
                    return path[::-1], edges
                nxt.append(up)
        if len(parent) > MAX_WALK_NODES:
            raise _too_large(MAX_WALK_NODES)
        frontier = nxt
    return None


def _too_large(limit: int) -> errors.Unprocessable:
    return errors.Unprocessable(
        f"The upstream lineage of this dependency has more than {limit} assets; it cannot be checked for "
        "cycles within one request, so it is refused.", code="LINEAGE_TOO_LARGE")


def _cycle(tenant: str, source: dict, path: list[str]) -> errors.Conflict:
    from accord.store import assets as asset_store
    names = asset_store.get_many(tenant, path)
    chain = [source["fqn"]] + [names[a]["fqn"] if a in names else a for a in path]
    return errors.Conflict("This dependency would create a cycle: " + " -> ".join(chain) + ".",
                           code="LINEAGE_CYCLE")


# ------------------------------------------------------------------ bulk (importers)
def add_many(principal, items: list[dict]) -> list[dict]:
    """Many dependencies at once, with the rules of POST /assets/{id}/dependencies: each item
    {source_asset_id, target_asset_id, dependency_type?, metadata?}. All are written pending
    together, ONE walk loads the upstream graph of every target, each edge is judged in order
    against it (plus the batch's edges accepted before it), and the accepted ones are confirmed
    together. Per item: {index, status: created | duplicate | cycle | error, dependency?, error?}."""
    from accord.store import assets as asset_store
    if len(items) > MAX_BATCH:
        raise errors.PayloadTooLarge(f"At most {MAX_BATCH} dependencies per call; send the rest in another call.")
    tenant = principal.tenant
    out = [{"index": i} for i in range(len(items))]
    ids = {str(v) for it in items for v in (it.get("source_asset_id"), it.get("target_asset_id")) if v}
    live = asset_store.get_many(tenant, [i for i in ids if assets.valid_id(i)])
    edges, where, seen = [], [], set()
    for i, it in enumerate(items):
        src, dst = live.get(str(it.get("source_asset_id"))), live.get(str(it.get("target_asset_id")))
        kind = str(it.get("dependency_type") or "consumes").lower()
        problem = ("source asset not found" if src is None else "target asset not found" if dst is None
                   else "an asset cannot depend on itself" if src["id"] == dst["id"]
                   else f"dependency_type must be one of {', '.join(TYPES)}" if kind not in TYPES
                   else None if assets.can_write(principal, src)
                   else f"only a key of the owning team of '{src['fqn']}' (or an admin key) may add its dependencies")
        if problem is None and (src["id"], dst["id"]) in seen:
            out[i].update(status="duplicate", error="the same dependency twice in one call")
            continue
        if problem is not None:
            out[i].update(status="error", error=problem)
            continue
        try:
            edge = _new_edge(principal, src, dst, kind, it.get("metadata") or {})
        except errors.AccordError as exc:
            out[i].update(status="error", error=exc.message)
            continue
        seen.add((src["id"], dst["id"]))
        edges.append(edge)
        where.append(i)
    now = _now_ms()
    for edge in edges:
        edge["pending"] = now
    written = store.put_pending(tenant, edges, now)
    pending = []
    for edge, i, failed in zip(edges, where, written):
        if failed == store.DUPLICATE:
            out[i].update(status="duplicate", error=_duplicate(live[edge["source_asset_id"]],
                                                               live[edge["target_asset_id"]]).message)
        else:
            pending.append((edge, i))
    try:
        rejected = _check_many(tenant, [e for e, _ in pending])
    except BaseException:
        store.discard(tenant, [e for e, _ in pending], _now_ms())
        raise
    store.discard(tenant, [e for e, _ in pending if e["id"] in rejected], _now_ms())
    accepted = [(e, i) for e, i in pending if e["id"] not in rejected]
    for (edge, i), ok in zip(accepted, store.confirm(tenant, [e for e, _ in accepted], _now_ms())):
        out[i].update(status="created", dependency=view(edge)) if ok else \
            out[i].update(status="error", error="not confirmed in time; retry")
    for edge, i in pending:
        if edge["id"] in rejected:
            path = [live[a]["fqn"] if a in live else a for a in rejected[edge["id"]]]
            out[i].update(status="cycle", error="would create a cycle: " + " -> ".join(
                [live[edge["source_asset_id"]]["fqn"], *path]))
    return out


def _check_many(tenant: str, batch: list[dict]) -> dict[str, list[str]]:
    """{edge id: cycle path} of the batch's edges that would close a cycle, judged in order against
    the upstream graph of every target (loaded once: confirmed and other writers' fresh pending
    edges) plus the batch's edges accepted before each."""
    if not batch:
        return {}
    mine = {e["id"] for e in batch}
    up: dict[str, list[str]] = {}
    frontier = list(dict.fromkeys(e["target_asset_id"] for e in batch))
    now = _now_ms()
    while frontier:
        found = store.edges_of_many(tenant, frontier, "up", consistent=True)
        nxt = []
        for node in frontier:
            up[node] = [e["target_asset_id"] for e in found[node] if e["id"] not in mine
                        and (not store.is_pending(e) or store.is_fresh_pending(e, now))]
            nxt.extend(t for t in up[node] if t not in up)
        if len(up) > MAX_BATCH_WALK_NODES:
            raise _too_large(MAX_BATCH_WALK_NODES)
        frontier = list(dict.fromkeys(nxt))
    rejected = {}
    for edge in batch:
        path = reach(up, edge["target_asset_id"], edge["source_asset_id"])
        if path is None:
            up.setdefault(edge["source_asset_id"], []).append(edge["target_asset_id"])
        else:
            rejected[edge["id"]] = path
    return rejected


def reach(up: dict, start: str, goal: str) -> list[str] | None:
    """The path from `start` up to `goal` in an in-memory graph ({node: nodes it depends on}), or
    None (breadth first: the shortest). Also OpenLineage's cycle check."""
    parent = {start: None}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for t in up.get(node, ()):
                if t in parent:
                    continue
                parent[t] = node
                if t == goal:
                    path = [t]
                    while parent[path[-1]] is not None:
                        path.append(parent[path[-1]])
                    return path[::-1]
                nxt.append(t)
        frontier = nxt
    return None


def list_upstream(tenant: str, asset_id: str) -> list[dict]:
    asset = assets.get(tenant, asset_id)
    found = [e for e in store.edges(tenant, asset["id"], "up", consistent=True) if not store.is_pending(e)]
    return [view(e) for e in sorted(found, key=lambda e: (e["created_at"], e["id"]))]


def remove(principal, asset_id: str, dep_id: str) -> None:
    tenant = principal.tenant
    asset = assets.get(tenant, asset_id)
    ident = assets.valid_id(dep_id)
    edge = store.get(tenant, ident) if ident else None
    if edge is None or edge["source_asset_id"] != asset["id"]:
        raise _dep_not_found(dep_id)
    assets.authorize_write(principal, asset, "remove dependencies of")
    try:
        store.remove(tenant, edge)
    except ConditionFailed:
        raise _dep_not_found(dep_id) from None


def graph(tenant: str, asset_id: str, depth: int) -> dict:
    """{asset_id, upstream[], downstream[]}: breadth-first, `depth` levels each way, one Query
    per asset reached and one BatchGetItem per level; deleted assets are left out (and not
    walked through). `truncated` says a direction hit MAX_LINEAGE_NODES."""
    asset = assets.get(tenant, asset_id, consistent=False)
    out = {"asset_id": asset["id"], "asset_fqn": asset["fqn"], "fqn": asset["fqn"],
           "environment": asset["environment"], "owner_team_id": asset["owner_team_id"],
           "owner_team_name": asset.get("owner_team_name"), "depth": depth}
    truncated = {}
    for direction, key, name in (("up", "target_asset_id", "upstream"), ("down", "source_asset_id", "downstream")):
        out[name], truncated[name] = _walk(tenant, asset["id"], direction, key, depth)
    out["downstream_assets"] = out["downstream"]  # Tessera's name for the same list
    out["truncated"] = truncated["upstream"] or truncated["downstream"]
    out["truncated_upstream"], out["truncated_downstream"] = truncated["upstream"], truncated["downstream"]
    return out


def _walk(tenant: str, root: str, direction: str, key: str, depth: int) -> tuple[list[dict], bool]:
    from accord.store import assets as asset_store
    seen = {root}
    frontier = [root]
    nodes: list[dict] = []
    for level in range(1, depth + 1):
        if not frontier:
            break
        found = store.edges_of_many(tenant, frontier, direction)
        candidates = []
        for node in frontier:
            for edge in sorted(found[node], key=lambda e: e[key]):
                if store.is_pending(edge):
                    continue
                other = edge[key]
                if other not in seen:
                    seen.add(other)
                    candidates.append((other, node, edge))
        truncated = len(nodes) + len(candidates) > MAX_LINEAGE_NODES
        candidates = candidates[:MAX_LINEAGE_NODES - len(nodes)]
        live = asset_store.get_many(tenant, [c[0] for c in candidates])
        frontier = []
        for other, via, edge in candidates:
            a = live.get(other)
            if a is None:
                continue
            nodes.append({"asset_id": a["id"], "asset_fqn": a["fqn"], "fqn": a["fqn"],
                          "environment": a["environment"], "owner_team_id": a["owner_team_id"],
                          "owner_team": a.get("owner_team_name"), "owner_team_name": a.get("owner_team_name"),
                          "dependency_type": edge["dependency_type"], "dependency_id": edge["id"],
                          "depth": level, "via": via})
            frontier.append(a["id"])
        if truncated:
            return nodes, True
    return nodes, False
