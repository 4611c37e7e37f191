"""The contract half of a dbt import (ingest.dbt_import): each node's columns published through
the one publish path (`publishing.publish_many`: same validation, diff, proposal rules as
POST /assets/{id}/contracts), consumers registered through `registrations.create`.

Options, as Tessera names them: `auto_publish_contracts` publishes first contracts and compatible
changes (and breaking ones on assets nobody consumes: the major version, directly);
`auto_create_proposals` turns a breaking change with registered consumers into a proposal.
Alone, it proposes and publishes nothing else. A breaking change already waiting in a pending
proposal is reported, never proposed twice.
"""
from accord import errors
from accord.ingest import dbt_manifest
from accord.registry import publishing, registrations
from accord.registry.contracts import mode_or_422
from accord.registry.models import PublishRequest, RegistrationCreate
from accord.store import proposals as proposal_store, teams as team_store

CHUNK = 250


def _body(node, mode: str | None) -> PublishRequest:
    return PublishRequest.model_construct(schema_=node.schema, guarantees=node.guarantees, compatibility_mode=mode,
                                          version=None, guarantee_mode=None, reason=None,
                                          proposal_expires_in_days=None, profile=None)


def contract_hash(node, mode: str | None) -> str:
    return dbt_manifest.digest({"schema": node.schema, "guarantees": node.guarantees, "mode": mode})


def contracts_phase(imp) -> None:
    publish, propose = imp.opts.auto_publish_contracts, imp.opts.auto_create_proposals
    total = len(imp.manifest.nodes)
    if not (publish or propose):
        imp.step(total)
        return
    todo = []  # (node, asset, body, mark)
    for node in imp.manifest.nodes:
        uid = node.unique_id
        if node.schema is None or imp.status.get(uid) not in ("created", "updated", "unchanged"):
            continue
        asset = imp.asset[uid]
        mode = imp.mode
        if node.compatibility_mode:
            try:
                mode = mode_or_422(node.compatibility_mode, "meta.accord.compatibility_mode")
            except errors.AccordError as exc:
                imp.warn("contract_warnings", f"{node.fqn}: contract not published: {exc.message}")
                imp.note(node, "contract_refused", exc.message)
                continue
        mark = contract_hash(node, mode)
        if (asset.get("import_hash") == mark and asset.get("active_contract_id")
                and asset.get("active_contract_id") == asset.get("import_contract_id")):
            imp.in_sync.add(uid)
            continue  # what dbt says is what was published: nothing to read
        if not publish and not (asset.get("active_contract_id") and (asset.get("consumer_count") or 0) > 0):
            continue  # proposals only: a breaking change needs a contract and consumers to break
        todo.append((node, asset, _body(node, mode), mark))
    if not publish and todo:  # keep only what would become a proposal
        plans = publishing.publish_many(imp.principal, [(a, b) for _, a, b, _ in todo], dry_run=True)
        todo = [t for t, r in zip(todo, plans) if isinstance(r, tuple) and r[1].get("action") == "would_create_proposal"]
    for i in range(0, len(todo), CHUNK):
        part = todo[i:i + CHUNK]
        results = publishing.publish_many(imp.principal, [(a, b) for _, a, b, _ in part], dry_run=imp.dry_run,
                                          proposals=propose, marks=[m for *_, m in part])
        for (node, asset, body, _), result in zip(part, results):
            _outcome(imp, node, asset, body, result)
    imp.step(total)


def _outcome(imp, node, asset: dict, body, result) -> None:
    if isinstance(result, errors.AccordError):
        if result.code == "PROPOSAL_PENDING" and _same_as_pending(imp, asset, body):
            imp.note(node, "proposal_pending", f"the same change waits in proposal {asset.get('pending_proposal_id')}")
            return
        if result.code == "PROPOSAL_PENDING":
            message = (f"a breaking change already waits in proposal {asset.get('pending_proposal_id')}; resolve it "
                       "(acknowledge, publish or withdraw) before this manifest's change can be proposed")
        else:
            message = result.message
        imp.warn("contract_warnings", f"{node.fqn}: contract not published: {message}")
        imp.note(node, "contract_refused", message)
        return
    _, res = result
    action = res.get("action")
    if action in ("published", "would_publish"):
        imp.published += 1
        imp.in_sync.add(node.unique_id)
        if res.get("contract"):
            asset["active_contract_id"] = res["contract"]["id"]
        if action == "would_publish":
            imp.note(node, "would_publish_contract", f"version {res.get('version')}")
    elif action in ("proposal_created", "would_create_proposal"):
        proposal = res.get("proposal") or {}
        imp.proposals.append({"proposal_id": proposal.get("id"), "asset_id": asset.get("id"), "asset_fqn": node.fqn,
                              "change_type": "major", "breaking_changes_count": len(res.get("breaking_changes") or [])})
        imp.note(node, action, f"{len(res.get('breaking_changes') or [])} breaking change(s)")


def _same_as_pending(imp, asset: dict, body) -> bool:
    pending = asset.get("pending_proposal_id")
    found = proposal_store.get(imp.tenant, pending) if pending else None
    if found is None:
        return False
    return (dbt_manifest.digest([found.get("proposed_schema"), found.get("proposed_guarantees")])
            == dbt_manifest.digest([body.schema_, body.guarantees]))


# ------------------------------------------------------------------ registrations
def registrations_phase(imp) -> None:
    if not imp.opts.auto_register_consumers or imp.dry_run:
        return
    pairs, declared, cache = {}, set(), {}
    for node in imp.manifest.nodes:
        uid = node.unique_id
        if imp.status.get(uid) not in ("created", "updated"):
            continue
        team = imp.owner[uid]
        if imp.opts.infer_consumers_from_refs:
            for up in node.upstream:
                a = imp.asset.get(up)
                if a and a.get("id") and imp.status.get(up) != "refused" and a["owner_team_id"] != team["id"]:
                    pairs.setdefault((a["id"], team["id"]), (a, team, node))
        for ref in node.consumers:
            if ref not in cache:
                cache[ref] = team_store.get(imp.tenant, ref) if _uuid(ref) else team_store.by_name(imp.tenant, ref)
            if cache[ref] is None:
                imp.warn("registration_warnings", f"{node.fqn}: consumer team '{ref}' not found.")
                continue
            key = (imp.asset[uid]["id"], cache[ref]["id"])
            pairs.setdefault(key, (imp.asset[uid], cache[ref], node))
            declared.add(key)
    for key, (asset, team, node) in pairs.items():
        if not asset.get("active_contract_id"):
            if key in declared:
                imp.warn("registration_warnings", f"{asset['fqn']}: no active contract for consumer '{team['name']}' "
                                                  "to register on (auto_publish_contracts publishes one).")
            continue
        body = RegistrationCreate.model_construct(consumer_team_id=team["id"], pinned_version=None, contract_id=None)
        try:
            registrations.create(imp.principal, asset["active_contract_id"], body)
            imp.registrations += 1
        except errors.AccordError as exc:
            if exc.code != "DUPLICATE_REGISTRATION":
                imp.warn("registration_warnings", f"{asset['fqn']}: consumer '{team['name']}' not registered: "
                                                  f"{exc.message}")


def _uuid(text: str) -> bool:
    import uuid
    try:
        uuid.UUID(text)
        return True
    except ValueError:
        return False
