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

from accord import clock, errors
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
        now = clock.iso()
        team, name = _publisher(principal, asset, published_by)
        contract = {"id": str(uuid.uuid4()), "asset_id": asset["id"], "version": str(version),
                    "version_canonical": version.canonical, "status": "active",
                    "compatibility_mode": p.mode, "guarantee_mode": p.guarantee_mode, "profile": p.declared_profile,
                    "published_at": now, "published_by": team, "published_by_name": name,
                    "published_by_key": principal.display, "change_type": p.bump,
                    "forced": bool(force and p.is_breaking), "proposal_id": None, "deprecated_at": None}
        doc = {"schema": schema, "guarantees": p.guarantees, "changes": p.changes, "breaking_changes": p.breaking}
        log = None
        if contract["forced"]:
            contract["force_reason"] = reason
            log = {"id": str(uuid.uuid4()), "at": now, "action": "force_publish", "by": principal.display,
                   "key_id": principal.key_id, "reason": reason, "contract_id": contract["id"],
                   "version": contract["version"], "breaking_changes": len(p.breaking)}
        tx = store.publish_tx(tenant, asset, contract, doc, version.sort_key(), version.canonical, p.active,
                              asset_fields(contract, p), no_consumers=p.is_breaking and not force, log=log)
        tx.add("event", outbox.op(tenant, events.contract_published(tenant, asset, contract, p.breaking)))
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
        c = {**contract, "schema": schema, "guarantees": p.guarantees}
        msg = f"Published version {version}."
        if p.is_breaking:
            msg += (" Breaking change forced by an admin." if force else
                    " Breaking change published directly: the asset has no registered consumers.")
        return 201, _result("published", msg, p, contract=view(c, asset), version=str(version))
    raise errors.Conflict("The asset's contract kept changing while this version was published; retry.",
                          code="CONCURRENT_PUBLISH")
