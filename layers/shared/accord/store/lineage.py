"""Lineage edges: each dependency is three items written and removed together — the upstream edge
under the dependent asset (DEP#), its mirror under the dependency (DEPENDENT#), and a lookup item
by dependency id.

An edge is first written *pending* (`pending` = when, epoch ms), then checked for cycles, then
confirmed (the attribute removed) or discarded — see registry/lineage.py for why that keeps the
graph acyclic without any item every edge add has to hold. Readers ignore pending edges; cycle
checks count the fresh ones (younger than STALE_MS: an older one was abandoned by a writer that
died, and its writer may no longer confirm it: CONFIRM_MS < STALE_MS).
"""
from accord.store import assets as asset_store, db, keys as k

CONFIRM_MS = 60_000     # a writer confirms its pending edges within this, or discards them
STALE_MS = 120_000      # pending longer than this: abandoned (ignored by cycle checks, overwritable)
EDGES_PER_TX = 33       # three items an edge, ≤ 100 per transaction
DUPLICATE = "duplicate"


def _edge_attrs(edge: dict) -> dict:
    return {key: v for key, v in edge.items() if key not in ("PK", "SK")}


def is_pending(edge: dict) -> bool:
    return edge.get("pending") is not None


def is_fresh_pending(edge: dict, now_ms: int) -> bool:
    return is_pending(edge) and now_ms - int(edge["pending"]) < STALE_MS


def get(tenant: str, dep_id: str) -> dict | None:
    """The confirmed dependency with this id (a pending one is not there yet)."""
    item = db.get(k.dependency_pk(tenant, dep_id), k.DEPENDENCY_SK)
    return _edge_attrs(item) if item and not is_pending(item) else None


def _keys(tenant: str, edge: dict) -> list[tuple[str, str]]:
    src, dst = edge["source_asset_id"], edge["target_asset_id"]
    return [(k.dependency_pk(tenant, edge["id"]), k.DEPENDENCY_SK), (k.asset_pk(tenant, src), k.dep_sk(dst)),
            (k.asset_pk(tenant, dst), k.dependent_sk(src))]


def put_pending(tenant: str, edges: list[dict], now_ms: int) -> list[str | None]:
    """Write each edge (carrying `pending` = now_ms) as pending, EDGES_PER_TX per transaction.
    Per edge: None, or DUPLICATE when the (source, target) edge exists or is being added (an
    abandoned pending one is taken over)."""
    results: list[str | None] = [None] * len(edges)

    def write(chunk: list[int]) -> None:
        while chunk:
            tx = asset_store.Tx()
            for i in chunk:
                edge = edges[i]
                (lk, ls), (dk, ds), (mk, ms) = _keys(tenant, edge)
                tx.add(f"lookup:{i}", db.put_op({"PK": lk, "SK": ls, **edge}, "attribute_not_exists(PK)"))
                tx.add(f"edge:{i}", db.put_op({"PK": dk, "SK": ds, **edge},
                                              "attribute_not_exists(PK) OR pending < :stale",
                                              values={":stale": now_ms - STALE_MS}))
                tx.add(f"mirror:{i}", db.put_op({"PK": mk, "SK": ms, **edge}))
            try:
                tx.commit()
                return
            except db.ConditionFailed as exc:
                failed = {label.split(":")[1] for label in tx.failed(exc)}
                if not failed:
                    raise
                for i in chunk:
                    if str(i) in failed:
                        results[i] = DUPLICATE
                chunk = [i for i in chunk if results[i] is None]
    # the chunks touch disjoint items (add_many drops a repeated pair): in flight together
    db.in_parallel(write, _chunks(len(edges)))
    return results


def _chunks(n: int) -> list[list[int]]:
    return [list(range(start, min(start + EDGES_PER_TX, n))) for start in range(0, n, EDGES_PER_TX)]


def _settle(tenant: str, edges: list[dict], confirm: bool, now_ms: int) -> list[bool]:
    """Confirm (remove `pending`) or discard (delete) the edges' items, EDGES_PER_TX per transaction,
    each only while it is still this writer's pending edge (and, to confirm, not yet stale).
    Per edge: done? (an edge whose transaction failed is settled one by one, so one stale edge
    fails alone)."""
    done = [False] * len(edges)

    def ops(edge: dict) -> list[dict]:
        out = []
        for pk, sk in _keys(tenant, edge):
            if confirm:
                out.append(db.update_op(pk, sk, "REMOVE pending", "pending = :p AND pending > :oldest",
                                        values={":p": edge["pending"], ":oldest": now_ms - CONFIRM_MS}))
            else:
                out.append(db.delete_op(pk, sk, "attribute_not_exists(PK) OR pending = :p",
                                        values={":p": edge["pending"]}))
        return out

    def settle(chunk: list[int]) -> None:
        try:
            asset_store.transact([op for i in chunk for op in ops(edges[i])])
            for i in chunk:
                done[i] = True
        except db.ConditionFailed:
            for i in chunk:
                try:
                    asset_store.transact(ops(edges[i]))
                    done[i] = True
                except db.ConditionFailed:
                    pass
    db.in_parallel(settle, _chunks(len(edges)))
    return done


def confirm(tenant: str, edges: list[dict], now_ms: int) -> list[bool]:
    return _settle(tenant, edges, True, now_ms)


def discard(tenant: str, edges: list[dict], now_ms: int) -> None:
    _settle(tenant, edges, False, now_ms)


# ------------------------------------------------------------------ OpenLineage's edge writes
# OpenLineage writes an observed edge straight in its event's transaction (no pending step), checked
# against the graph it read and guarded by the tenant's lineage version, which only OpenLineage moves.
def edge_ops(tenant: str, edge: dict) -> list[tuple[str, dict]]:
    """(label, op) of a new edge's three items; the upstream edge only if it does not exist yet
    (nor is being added: a pending one counts)."""
    return [(label, db.put_op({"PK": pk, "SK": sk, **edge}, None if label == "mirror" else "attribute_not_exists(PK)"))
            for label, (pk, sk) in zip(("lookup", "duplicate", "mirror"), _keys(tenant, edge))]


def version_op(tenant: str, expected_version: int) -> dict:
    """Moves the tenant's lineage version on: the edge adds of one transaction were checked for
    cycles against the graph at `expected_version`."""
    return db.update_op(k.lineage_pk(tenant), k.LINEAGE_SK, "SET v = :new", "attribute_not_exists(v) OR v = :old",
                        values={":new": expected_version + 1, ":old": expected_version})


def edge_key(tenant: str, source_id: str, target_id: str) -> tuple[str, str]:
    return k.asset_pk(tenant, source_id), k.dep_sk(target_id)


def version_key(tenant: str) -> tuple[str, str]:
    return k.lineage_pk(tenant), k.LINEAGE_SK


def observe_op(tenant: str, source_id: str, target_id: str, at: str, runs: int) -> dict:
    """An existing edge seen again (OpenLineage): `last_observed_at`, and `call_count` + `runs`."""
    return db.update_op(k.asset_pk(tenant, source_id), k.dep_sk(target_id),
                        "SET last_observed_at = :at ADD call_count :n", "attribute_exists(PK)",
                        values={":at": at, ":n": runs})


def remove(tenant: str, edge: dict) -> None:
    """Raises ConditionFailed if the dependency is already gone."""
    (lk, ls), (dk, ds), (mk, ms) = _keys(tenant, edge)
    asset_store.transact([db.delete_op(lk, ls, "attribute_exists(PK)"), db.delete_op(dk, ds), db.delete_op(mk, ms)])


def edges(tenant: str, asset_id: str, direction: str, consistent: bool = False) -> list[dict]:
    """Every edge of one asset, pending ones included: 'up' = what it depends on, 'down' = what
    depends on it."""
    prefix = k.DEP_PREFIX if direction == "up" else k.DEPENDENT_PREFIX
    out, start = [], None
    while True:
        page, start = db.query(k.asset_pk(tenant, asset_id), sk_prefix=prefix, start=start,
                               consistent=consistent)
        out.extend(_edge_attrs(i) for i in page)
        if not start:
            return out


def edges_of_many(tenant: str, asset_ids: list[str], direction: str,
                  consistent: bool = False) -> dict[str, list[dict]]:
    """{asset id: edges} for a BFS level; the per-node Queries run in parallel."""
    return dict(zip(asset_ids, db.in_parallel(lambda a: edges(tenant, a, direction, consistent), asset_ids)))
