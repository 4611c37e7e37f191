"""What a dbt manifest would do, without doing it: Tessera's `/sync/dbt/impact` and `/sync/dbt/diff`
(their request and response shapes), judged by the publish path's own plan (`contracts.plan`:
the line's mode and profile, guarantees included) — so a CI check and the import agree.
Reads only: two BatchGetItems per 100 nodes, plus each node's active contract when it has one.
"""
from accord import errors
from accord.ingest import dbt_import
from accord.ingest.dbt_contracts import _body
from accord.registry import assets, contracts
from accord.store import assets as asset_store, bulk as bulk_store, teams as team_store


def _existing(principal, manifest, env: str) -> dict:
    ids = bulk_store.guards(principal.tenant, env, [n.fqn for n in manifest.nodes])
    found = asset_store.get_many(principal.tenant, list(set(ids.values()))) if ids else {}
    return {n.unique_id: found[ids[n.fqn]] for n in manifest.nodes if ids.get(n.fqn) in found}


def _plan(principal, asset: dict, node, mode):
    body = _body(node, node.compatibility_mode or mode)
    contracts.check_schema(body.schema_)
    m = contracts.mode_or_422(body.compatibility_mode, "compatibility_mode") if body.compatibility_mode else None
    return contracts.plan(principal.tenant, asset, body.schema_, mode=m, guarantees=body.guarantees)


def _consumers(principal, asset: dict) -> list[dict]:
    if not (asset.get("consumer_count") or 0):
        return []
    return [{"team_id": r["consumer_team_id"], "team_name": r.get("consumer_team_name"), "registration_id": r["id"],
             "pinned_version": r.get("pinned_version")} for r in contracts.active_consumers(principal.tenant, asset["id"])]


def impact(principal, body) -> dict:
    env, mode = dbt_import.options(body)
    manifest, _, _ = dbt_import.read(body.manifest, None)
    existing = _existing(principal, manifest, env)
    results = []
    for node in manifest.nodes:
        asset = existing.get(node.unique_id)
        out = {"fqn": node.fqn, "node_id": node.unique_id, "asset_id": asset["id"] if asset else None,
               "has_contract": bool(asset and asset.get("active_contract_id")), "safe_to_publish": True,
               "change_type": None, "breaking_changes": [], "affected_consumers": []}
        if out["has_contract"] and node.schema is not None:
            try:
                p = _plan(principal, asset, node, mode)
            except errors.AccordError as exc:
                out.update(safe_to_publish=False, error=exc.message)
            else:
                out.update(safe_to_publish=not p.is_breaking, change_type=contracts.sdk_change_type(p.bump),
                           bump=p.bump, breaking_changes=p.breaking, current_version=p.active["version"],
                           compatibility_mode=p.mode)
                if p.is_breaking:
                    out["affected_consumers"] = _consumers(principal, asset)
        results.append(out)
    breaking = sum(1 for r in results if not r["safe_to_publish"])
    return {"status": "success" if breaking == 0 else "breaking_changes_detected", "total_models": len(results),
            "models_with_contracts": sum(1 for r in results if r["has_contract"]),
            "breaking_changes_count": breaking, "environment": env, "results": results}


def diff(principal, body) -> dict:
    env, mode = dbt_import.options(body)
    manifest, _, _ = dbt_import.read(body.manifest, None)
    existing = _existing(principal, manifest, env)
    refs: dict = {}
    for node in manifest.nodes:
        for up in node.upstream:
            refs[up] = refs.get(up, 0) + 1
    models, warnings, meta_errors, teams = [], [], [], {}

    def team(ref: str):
        if ref not in teams:
            ident = assets.valid_id(ref)
            teams[ref] = team_store.get(principal.tenant, ident) if ident else team_store.by_name(principal.tenant, ref)
        return teams[ref]

    for node in manifest.nodes:
        if node.owner_team and team(node.owner_team) is None:
            meta_errors.append(f"{node.fqn}: owner_team '{node.owner_team}' not found")
        for c in node.consumers:
            if team(c) is None:
                meta_errors.append(f"{node.fqn}: consumer team '{c}' not found")
        item = {"fqn": node.fqn, "node_id": node.unique_id, "change_type": "new", "owner_team": node.owner_team,
                "consumers_declared": len(node.consumers), "consumers_from_refs": refs.get(node.unique_id, 0),
                "has_schema": node.schema is not None, "schema_change_type": None, "breaking_changes": []}
        asset = existing.get(node.unique_id)
        if asset is not None:
            item["asset_id"] = asset["id"]
            if not asset.get("active_contract_id") or node.schema is None:
                item["change_type"] = "unchanged" if node.schema is None else "modified"
            else:
                try:
                    p = _plan(principal, asset, node, mode)
                except errors.AccordError as exc:
                    item.update(change_type="modified", schema_change_type="invalid", error=exc.message)
                else:
                    kind = "none" if p.unchanged else "breaking" if p.is_breaking else "compatible"
                    item.update(change_type="unchanged" if p.unchanged else "modified", schema_change_type=kind,
                                breaking_changes=p.breaking)
                    if p.is_breaking:
                        item["affected_consumers"] = _consumers(principal, asset)
        models.append(item)
    present = {n.fqn for n in manifest.nodes}
    scope = str(body.owner_team_id) if body.owner_team_id else None
    others = bulk_store.team_assets(principal.tenant, scope, env) if scope else bulk_store.env_assets(principal.tenant, env)
    for a in others:
        meta = a.get("metadata") or {}
        node_id = meta.get("dbt_node_id") or meta.get("dbt_source_id")
        if a["fqn"] in present or not node_id:
            continue
        consumers = int(a.get("consumer_count") or 0)
        models.append({"fqn": a["fqn"], "node_id": node_id, "change_type": "deleted", "owner_team": None,
                       "consumers_declared": consumers, "consumers_from_refs": 0, "has_schema": False,
                       "schema_change_type": None, "breaking_changes": [], "asset_id": a["id"]})
        if consumers:
            warnings.append(f"{a['fqn']}: Model removed but has {consumers} registered consumer(s)")
    summary = {k: sum(1 for m in models if m["change_type"] == k) for k in ("new", "modified", "deleted", "unchanged")}
    summary["breaking"] = sum(1 for m in models if m["schema_change_type"] == "breaking")
    status = ("breaking_changes_detected" if summary["breaking"] else
              "changes_detected" if summary["new"] or summary["modified"] or summary["deleted"] else "clean")
    return {"status": status, "summary": summary,
            "blocking": bool(summary["breaking"] and body.fail_on_breaking) or bool(meta_errors),
            "models": models, "warnings": warnings, "meta_errors": meta_errors, "environment": env}
