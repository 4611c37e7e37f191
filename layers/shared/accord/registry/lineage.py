"""Lineage: dependencies between assets (DESIGN §2). Upstream = what an asset depends on,
downstream = what depends on it. The graph stays acyclic:

* a self-edge is invalid input (422); an edge that would close a cycle is a conflict with the
  graph as it is (409, naming the path);
* the cycle check walks upstream from the new dependency looking for the dependent asset, with
  strongly consistent reads, bounded by MAX_WALK_NODES (beyond that the edge is refused: an
  acyclicity we cannot prove is not assumed);
* the edge is committed only if the tenant's lineage version is still the one read before the
  walk, so two concurrent adds that only *together* close a cycle cannot both succeed: the loser
  re-walks (and then sees the cycle) — at most MAX_ATTEMPTS times.
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
MAX_ATTEMPTS = 8
MAX_DEPTH = 10
MAX_LINEAGE_NODES = 500  # per direction, per request
MAX_METADATA_BYTES = 16_384


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
    size = len(json.dumps(body.metadata, separators=(",", ":"), default=str).encode())
    if size > MAX_METADATA_BYTES:
        raise errors.PayloadTooLarge(f"metadata is {size} bytes; the limit is {MAX_METADATA_BYTES}.")
    edge = {"id": str(uuid.uuid4()), "source_asset_id": source["id"], "target_asset_id": target["id"],
            "dependency_type": body.dependency_type, "metadata": body.metadata, "created_at": clock.iso(),
            "created_by": principal.display}
    for attempt in range(MAX_ATTEMPTS):
        seen = store.version(tenant)
        path = _path(tenant, target["id"], source["id"])
        if path is not None:
            raise _cycle(tenant, source, path)
        try:
            store.add(tenant, edge, seen)
            return view(edge)
        except ConditionFailed as exc:
            if "duplicate" in exc.failed:
                raise errors.Conflict(f"'{source['fqn']}' already depends on '{target['fqn']}'.",
                                      code="DUPLICATE_DEPENDENCY") from None
            if "source" in exc.failed:
                raise assets.not_found(asset_id) from None
            if "target" in exc.failed:
                raise errors.NotFound(f"Dependency asset {target_id} not found.", code="ASSET_NOT_FOUND") from None
            time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))  # lineage changed meanwhile: re-check
    raise errors.Conflict("Lineage kept changing while this dependency was checked for cycles; retry.",
                          code="CONCURRENT_UPDATE")


def _path(tenant: str, start: str, goal: str) -> list[str] | None:
    """Asset ids from `start` up to `goal` following dependencies (strongly consistent), or None."""
    parent = {start: None}
    frontier = [start]
    while frontier:
        found = store.edges_of_many(tenant, frontier, "up", consistent=True)
        nxt = []
        for node in frontier:
            for edge in found[node]:
                up = edge["target_asset_id"]
                if up in parent:
                    continue
                parent[up] = node
                if up == goal:
                    path = [up]
                    while parent[path[-1]] is not None:
                        path.append(parent[path[-1]])
                    return path[::-1]
                nxt.append(up)
        if len(parent) > MAX_WALK_NODES:
            raise errors.Unprocessable(
                f"The upstream lineage of this dependency has more than {MAX_WALK_NODES} assets; it cannot be "
                "checked for cycles within one request, so it is refused.", code="LINEAGE_TOO_LARGE")
        frontier = nxt
    return None


def _cycle(tenant: str, source: dict, path: list[str]) -> errors.Conflict:
    from accord.store import assets as asset_store
    names = asset_store.get_many(tenant, path)
    chain = [source["fqn"]] + [names[a]["fqn"] if a in names else a for a in path]
    return errors.Conflict("This dependency would create a cycle: " + " -> ".join(chain) + ".",
                           code="LINEAGE_CYCLE")


def list_upstream(tenant: str, asset_id: str) -> list[dict]:
    asset = assets.get(tenant, asset_id)
    found = store.edges(tenant, asset["id"], "up", consistent=True)
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
