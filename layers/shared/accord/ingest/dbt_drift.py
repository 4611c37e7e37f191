"""Drift from dbt (DESIGN §10.3): a model whose contract dbt enforces (`config.contract.enforced`)
is built with exactly its manifest's columns and types, so an import's manifest is an observation
of those tables. Each such model whose asset has an active contract that this import did not just
make from the same columns is judged like an OpenLineage or Dagster observation (accord.ingest.drift):
a difference the contract does not allow is a failed `schema_drift` audit run (`run_id` = the dbt
invocation) and, the first time that schema is seen, `accord.contract.drift_detected`.

Cost: the verdicts of all candidates in BatchGetItems (one per 100); a known schema writes nothing
unless it drifts (then its run, once per invocation: a repeat of the same invocation finds it).
A dry run judges nothing.
"""
from accord import clock
from accord.ingest import drift, observed as obs
from accord.store import ingest as store


def drift_phase(imp) -> None:
    if imp.dry_run:
        return
    todo = []  # (node, asset, observed)
    for node in imp.manifest.nodes:
        uid = node.unique_id
        asset = imp.asset.get(uid)
        if (not node.enforced or not node.columns or uid in imp.in_sync or not asset or not asset.get("id")
                or not asset.get("active_contract_id") or imp.status.get(uid) not in ("created", "updated", "unchanged")):
            continue
        try:
            todo.append((node, asset, obs.from_dbt(node.columns)))
        except obs.Unreadable as exc:
            imp.note(node, "drift_not_judged", str(exc))
    if not todo:
        return
    keys = [store.verdict_key(imp.tenant, a["id"], seen.digest) for _, a, seen in todo]
    cached = store.get_many(keys)
    # the run is dbt's invocation, dated when dbt wrote the manifest: the same manifest again finds it
    run_id, at = imp.manifest.invocation_id or imp.run_id, imp.manifest.generated_at or clock.iso()
    for (node, asset, seen), key in zip(todo, keys):
        found = drift.observe(imp.tenant, asset, seen, run_id=run_id, at=at, source="dbt", cached=cached.get(key),
                              details={"dbt_node_id": node.unique_id}, recorded_by=imp.principal.display)
        if found is not None and found.drifted:
            imp.drifted.append(found.summary())
            imp.note(node, "drift_detected", f"{len(found.verdict['breaking_changes'])} breaking change(s) against "
                                             f"contract {found.verdict['contract_version']}")
