"""Contract publishing (DESIGN §4): the one publish path — what Tessera does, without its holes.

1. First publish → 1.0.0 (or the requested valid version).
2. The schema is validated against its meta-schema (400 naming the problem) and diffed against
   the active contract under the line's compatibility mode (transitive modes: every earlier
   version too) and profile (`line_profile`: table unless the asset is a message or interface,
   schema-compatibility §7). Guarantees are diffed as well (relaxing one breaks only a `strict`
   line). Every change says why it does or does not break (`reason`).
3. Canonically identical schema, guarantees and mode → `unchanged`, no new version.
4. Compatible → a new version (bump from the diff, or the requested one if it is large enough);
   the previous active contract → deprecated.
5. Breaking with registered consumers → a proposal (one open per asset); breaking without
   consumers → the major version is published directly, reporting the breaking changes.
6. `force` (admin + reason) publishes a breaking change without acknowledgments; it is logged.
7. Weakening the line's compatibility (or guarantee) mode, or switching its profile, is a
   breaking change.
8. Pre-releases follow semver precedence; they do not bypass any of this.

Every publish is one transaction conditioned on the active contract read at the start, so
concurrent publishes never duplicate a version or leave two active contracts; a publish that
loses the race is re-planned against the new active contract (a few times, then 409).
"""
import random
import time
import uuid

from accord import clock, errors, metrics
from accord.log import logger
from accord.notify import events, outbox
from accord.registry import assets, proposals
from accord.registry.contracts import (
    PUBLISH_ATTEMPTS,
    Plan,
    active_consumers,
    asset_fields,
    check_schema,
    mode_or_422,
    plan,
    sdk_change_type,
    team_name,
    view,
)
from accord.store import contracts as store
from accord.store.db import ConditionFailed


def _publisher(principal, asset: dict, published_by: str | None) -> tuple[str, str | None]:
    """(team id, team name) of the publishing team: ?published_by=, else the key's team, else the owners."""
    if published_by:
        ident = assets.valid_id(published_by)
        if ident is None:
            raise errors.Unprocessable("Query parameter 'published_by' must be a team UUID.",
                                       detail=[{"loc": ["query", "published_by"], "msg": "not a UUID",
                                                "type": "uuid_parsing"}])
        if not principal.is_admin and ident != principal.team_id:
            raise errors.Forbidden("published_by must be this key's own team (or use an admin key).",
                                   code="UNAUTHORIZED_TEAM")
        name = team_name(principal.tenant, asset, ident)
        if name is None:
            raise errors.Unprocessable(f"published_by: team {ident} not found in this tenant.",
                                       detail=[{"loc": ["query", "published_by"], "msg": "no such team",
                                                "type": "value_error"}])
        return ident, name
    team = principal.team_id or asset["owner_team_id"]
    return team, team_name(principal.tenant, asset, team)


def _result(action: str, message: str, p: Plan, **extra) -> dict:
    return {"action": action, "message": message, "changes": p.changes, "change_type": sdk_change_type(p.bump),
            "bump": p.bump, "compatibility_mode": p.mode, "profile": p.profile, "breaking_changes": p.breaking,
            "warnings": p.warnings, **extra}


@metrics.timed("PublishDuration", outcome=lambda result: result[1]["action"])
def publish(principal, asset_id: str, body, *, force: bool = False, dry_run: bool = False,
            published_by: str | None = None, reason: str | None = None) -> tuple[int, dict]:
    """(HTTP status, PublishResult). 201 when something was written, else 200."""
    tenant = principal.tenant
    schema = body.schema_
    check_schema(schema)
    mode = mode_or_422(body.compatibility_mode) if body.compatibility_mode else None
    reason = reason or body.reason
    if force and not principal.is_admin:
        raise errors.Forbidden("force needs an admin key.", code="FORCE_NEEDS_ADMIN")
    if force and not (reason and reason.strip()):
        raise errors.Unprocessable("force needs a reason (body 'reason' or ?reason=); it is logged.",
                                   detail=[{"loc": ["body", "reason"], "msg": "required with force", "type": "missing"}])
    for attempt in range(PUBLISH_ATTEMPTS):
        asset = assets.get(tenant, asset_id)
        if not dry_run:
            assets.authorize_write(principal, asset, "publish contracts for")
        p = plan(tenant, asset, schema, mode=mode, guarantees=body.guarantees, guarantee_mode=body.guarantee_mode,
                 profile=body.profile)
        if p.unchanged:
            return 200, _result("unchanged", f"Schema and guarantees are identical to the active version "
                                             f"{p.active['version']}; nothing was published.", p,
                                contract=view(p.active, asset))
        version = p.version(body.version)
        consumers = active_consumers(tenant, asset["id"]) if p.is_breaking and not force else []
        if consumers:
            if dry_run:
                return 200, _result("would_create_proposal",
                                    f"Breaking change: a proposal to {len(consumers)} registered consumer team(s) "
                                    "would be created.", p, proposal=None, version=str(version))
            outcome = proposals.create(principal, asset, p, consumers, version=str(version) if body.version else None,
                                       expires_in_days=body.proposal_expires_in_days)
            if outcome is None:
                continue  # the asset changed while the proposal was written: plan again
            return 201, _result("proposal_created", f"Breaking change: proposal created for {len(consumers)} "
                                                    "registered consumer team(s).", p, proposal=outcome)
        if dry_run:
            return 200, _result("would_publish", f"Version {version} would be published.", p,
                                contract=None, version=str(version))
        contract, tx, log = _publish_tx(principal, asset, p, version, force=force, reason=reason,
                                        published_by=published_by)
        try:
            tx.commit()
        except ConditionFailed as exc:
            failed = tx.failed(exc)
            if "version" in failed and body.version:
                raise errors.Conflict(f"Version {version} already exists for '{asset['fqn']}'.",
                                      code="VERSION_EXISTS") from None
            time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))
            continue  # the active contract (or the consumers) changed meanwhile: plan again
        if log:
            logger.warning("forced publish", extra={"tenant": tenant, **log})
        return 201, _published(asset, p, contract, version, force)
    raise errors.Conflict("The asset's contract kept changing while this version was published; retry.",
                          code="CONCURRENT_PUBLISH")


def _publish_tx(principal, asset: dict, p: Plan, version, *, force: bool, reason: str | None,
                published_by: str | None, count: bool = True, mark: str | None = None):
    """(contract, its transaction, the admin log entry or None) for publishing `p` as `version`."""
    now = clock.iso()
    team, name = _publisher(principal, asset, published_by)
    contract = {"id": str(uuid.uuid4()), "asset_id": asset["id"], "version": str(version),
                "version_canonical": version.canonical, "status": "active",
                "compatibility_mode": p.mode, "guarantee_mode": p.guarantee_mode, "profile": p.declared_profile,
                "published_at": now, "published_by": team, "published_by_name": name,
                "published_by_key": principal.display, "change_type": p.bump,
                "forced": bool(force and p.is_breaking), "proposal_id": None, "deprecated_at": None}
    doc = {"schema": p.schema, "guarantees": p.guarantees, "changes": p.changes, "breaking_changes": p.breaking}
    log = None
    if contract["forced"]:
        contract["force_reason"] = reason
        log = {"id": str(uuid.uuid4()), "at": now, "action": "force_publish", "by": principal.display,
               "key_id": principal.key_id, "reason": reason, "contract_id": contract["id"],
               "version": contract["version"], "breaking_changes": len(p.breaking)}
    tx = store.publish_tx(principal.tenant, asset, contract, doc, version.sort_key(), version.canonical, p.active,
                          {**asset_fields(contract, p), **_mark(mark, contract)},
                          no_consumers=p.is_breaking and not force, log=log, count=count)
    # the outbox: the event rides in the publish's own transaction (every way in: API, proposal, import)
    tx.add("event", outbox.op(principal.tenant, events.contract_published(principal.tenant, asset, contract, p.breaking)))
    return contract, tx, log


def _mark(mark: str | None, contract: dict) -> dict:
    """An importer's note on the asset, set with the contract it published: the hash of what it
    published (`import_hash`) and that contract's id, so an unchanged re-import reads no contract."""
    return {"import_hash": mark, "import_contract_id": contract["id"]} if mark else {}


def _published(asset: dict, p: Plan, contract: dict, version, force: bool) -> dict:
    c = {**contract, "schema": p.schema, "guarantees": p.guarantees}
    msg = f"Published version {version}."
    if p.is_breaking:
        msg += (" Breaking change forced by an admin." if force else
                " Breaking change published directly: the asset has no registered consumers.")
    return _result("published", msg, p, contract=view(c, asset), version=str(version))


def publish_many(principal, items: list[tuple[dict, object]], *, dry_run: bool = False, proposals: bool = True,
                 marks: list[str | None] | None = None) -> list:
    """Many publishes at once (importers): for each (asset item as just read, PublishRequest) the
    outcome `publish` would give — (status, PublishResult) or the AccordError it would raise.

    The same rules as `publish`, planned the same way (`contracts.plan`); what it would write
    alike is committed together: several publish transactions per DynamoDB transaction, the
    tenant's contract counters moved once per transaction instead of once per contract. A publish
    that needs more — a proposal (breaking, with consumers), or one whose transaction lost a race —
    goes through `publish` itself, which re-reads and re-plans. Without `proposals`, a breaking change
    on an asset with consumers is refused (409 PROPOSAL_NEEDED) instead of proposed. `marks[i]`: see
    `_mark`."""
    from accord.store import bulk, counters
    results: list = [None] * len(items)
    ready = []  # (index, asset, plan, contract, tx)
    for i, (asset, body) in enumerate(items):
        try:
            check_schema(body.schema_)
            mode = mode_or_422(body.compatibility_mode) if body.compatibility_mode else None
            if not dry_run:
                assets.authorize_write(principal, asset, "publish contracts for")
            p = plan(principal.tenant, asset, body.schema_, mode=mode, guarantees=body.guarantees,
                     guarantee_mode=body.guarantee_mode, profile=body.profile)
            if p.unchanged:
                results[i] = (200, _result("unchanged", f"Schema and guarantees are identical to the active version "
                                                        f"{p.active['version']}; nothing was published.", p,
                                           contract=view(p.active, asset)))
                continue
            consumers = p.is_breaking and (asset.get("consumer_count") or 0) > 0
            if consumers and not proposals:
                results[i] = errors.Conflict(
                    f"Breaking change for {asset['consumer_count']} registered consumer team(s): "
                    f"{'; '.join(c['description'] or c['type'] for c in p.breaking[:3])}. Not published; a proposal "
                    "is needed (auto_create_proposals).", code="PROPOSAL_NEEDED", detail=p.breaking)
                continue
            if consumers or body.version:
                results[i] = publish(principal, asset["id"], body, dry_run=dry_run)
                continue
            version = p.version(None)
            if dry_run:
                results[i] = (200, _result("would_publish", f"Version {version} would be published.", p,
                                           contract=None, version=str(version)))
                continue
            contract, tx, _ = _publish_tx(principal, asset, p, version, force=False, reason=None, published_by=None,
                                          count=False, mark=(marks or [None] * len(items))[i])
            ready.append((i, asset, p, contract, tx, version))
        except errors.AccordError as exc:
            results[i] = exc
    packed = bulk.pack([r[4].ops for r in ready], reserve=1)
    # each transaction counts in a shard of its own: they touch disjoint items and go in parallel
    groups = [(idx, ops + store.count_ops(principal.tenant, [ready[j][2].active for j in idx], shard))
              for (idx, ops), shard in zip(packed, counters.spread(len(packed)))]
    for (idx, _), failure in zip(groups, bulk.commit_each([ops for _, ops in groups])):
        if failure is not None and not isinstance(failure, (ConditionFailed, errors.Conflict)):
            raise failure
        if failure is not None:
            for j in idx:  # one of them lost a race: each again, on its own, through the one path
                i, asset, _, _, _, _ = ready[j]
                try:
                    results[i] = publish(principal, asset["id"], items[i][1])
                except errors.AccordError as exc:
                    results[i] = exc
            continue
        for j in idx:
            i, asset, p, contract, _, version = ready[j]
            results[i] = (201, _published(asset, p, contract, version, False))
    return results
