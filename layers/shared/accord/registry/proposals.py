"""Proposals (DESIGN §4.5-4.9): a breaking change waiting for its registered consumers.

pending → approved (every consumer team registered when it was created answered approved or
migrating, or an admin forced it) | rejected (any `blocked`) | withdrawn (by the proposer) |
expired (`expires_at` passed) → published (approved only; re-checked against whatever is
active by then: breaking changes nobody acknowledged make it stale, 409).

Each acknowledgment (and objection) is an item of its own, written in one transaction with the
proposal's `rev` + 1 under the condition that `rev` is the one read (store/proposals.py), so
concurrent acknowledgments never lose one and the last one decides the approval on exactly what
it read (the losers re-read and re-apply). Expiry is applied when a proposal is read or acted on
(no scheduler needed for correctness).
"""
import random
import time
import uuid
from datetime import timedelta

from accord import clock, errors, metrics
from accord.log import logger
from accord.notify import events, outbox
from accord.registry import assets, contracts, impact, versions
from accord.store import contracts as contract_store
from accord.store import proposals as store
from accord.store import registrations as reg_store
from accord.store.assets import Tx
from accord.store.db import ConditionFailed

STATUSES = ("pending", "approved", "rejected", "withdrawn", "expired", "published")
# tessera-sdk's ProposalStatus (and Tessera's own server) know only pending/approved/rejected/
# withdrawn; `status` stays within them so every SDK call parses, `lifecycle_status` is exact.
SDK_STATUS = {"published": "approved", "expired": "withdrawn"}
OPEN = ("pending", "approved")
ATTEMPTS = 10
MAX_LISTED = 10_000


def _not_found(ident) -> errors.NotFound:
    return errors.NotFound(f"Proposal {ident} not found.", code="PROPOSAL_NOT_FOUND")


def view(p: dict) -> dict:
    """tessera-sdk's Proposal (+ acknowledgments and Accord's extras)."""
    acks = sorted((p.get("acks") or {}).values(), key=lambda a: a["acknowledged_at"])
    return {"id": p["id"], "asset_id": p["asset_id"], "asset_fqn": p.get("asset_fqn"),
            "proposed_schema": p["proposed_schema"], "proposed_guarantees": p.get("proposed_guarantees"),
            "compatibility_mode": p.get("compatibility_mode"), "change_type": p.get("change_type", "major"),
            "breaking_changes": p.get("breaking_changes") or [],
            "status": SDK_STATUS.get(p["status"], p["status"]), "lifecycle_status": p["status"],
            "proposed_by": p["proposed_by"], **contracts.actor_fields(p, "proposed_by"), "profile": p.get("profile"),
            "proposed_at": p["proposed_at"], "resolved_at": p.get("resolved_at"), "expires_at": p.get("expires_at"),
            "proposed_version": p.get("proposed_version"), "base_version": p.get("base_version"),
            "affected_teams": p.get("affected_teams") or [], "affected_assets": p.get("affected_assets") or [],
            "objections": p.get("objections") or [], "has_objections": bool(p.get("objections")),
            "acknowledgments": [ack_view(a) for a in acks], "forced": bool(p.get("forced")),
            "published_contract_id": p.get("published_contract_id"), "published_version": p.get("published_version")}


def ack_view(a: dict) -> dict:
    return {"id": a["id"], "proposal_id": a["proposal_id"], "consumer_team_id": a["consumer_team_id"],
            "consumer_team_name": a.get("consumer_team_name"), "response": a["response"], "notes": a.get("notes"),
            "acknowledged_at": a["acknowledged_at"], "acknowledged_by": a.get("acknowledged_by")}


def _expired(p: dict) -> bool:
    return p["status"] == "pending" and bool(p.get("expires_at")) and clock.parse(p["expires_at"]) <= clock.now()


def _load(tenant: str, proposal_id: str) -> dict:
    """The proposal, with a due expiry applied (and persisted)."""
    ident = assets.valid_id(proposal_id)
    p = store.get(tenant, ident) if ident else None
    if p is None:
        raise _not_found(proposal_id)
    if _expired(p):
        now = clock.iso()
        try:
            done = {"status": "expired", "resolved_at": now}
            store.write([*store.update_ops(tenant, p, done, expect_status="pending"),
                         *store.release_slot_ops(tenant, p),
                         outbox.op(tenant, events.proposal_status(tenant, p, "expired", at=now))])
        except ConditionFailed:
            return _load(tenant, proposal_id)  # it changed meanwhile: judge the fresh copy
        metrics.count("ProposalsResolved", outcome="expired")
        p = {**p, **done, "rev": p["rev"] + 1}
    return p


def expire_due(lookback_days: int = 7) -> int:
    """The scheduled sweep (DESIGN §4.9): expire every pending proposal whose `expires_at` has
    passed, from the global work list of the last `lookback_days` days. Reads apply expiry lazily
    too, so a late sweep never lets a stale proposal act as pending."""
    now = clock.now()
    now_iso = clock.iso(now)
    expired = 0
    for back in range(lookback_days, -1, -1):
        day = (now - timedelta(days=back)).strftime("%Y-%m-%d")
        while True:
            due = store.due_expiries(day, now_iso)
            for marker in due:
                try:
                    p = _load(marker["tenant"], marker["proposal_id"])
                    expired += p["status"] == "expired"
                except errors.NotFound:
                    pass
                store.delete_expiry(marker)
            if len(due) < 100:
                break
    return expired


# ------------------------------------------------------------------ creation (from a breaking publish)
def create(principal, asset: dict, plan, consumers: list[dict], *, version: str | None,
           expires_in_days: int | None) -> dict | None:
    """The proposal for `plan`, or None when the asset changed meanwhile (the caller re-plans).
    409 if the asset already has an open proposal."""
    tenant = principal.tenant
    if asset.get("pending_proposal_id"):
        raise _pending(asset)
    nodes, _ = impact.downstream(tenant, asset["id"], impact.DEFAULT_IMPACT_DEPTH)
    touched = impact.columns.field_impact(tenant, asset["id"], plan.breaking, nodes, impact.DEFAULT_IMPACT_DEPTH)
    proposer = principal.team_id or asset["owner_team_id"]
    now = clock.now()
    proposal = {
        "id": str(uuid.uuid4()), "asset_id": asset["id"], "asset_fqn": asset["fqn"], "status": "pending",
        "change_type": "major", "breaking_changes": plan.breaking, "compatibility_mode": plan.mode,
        "guarantee_mode": plan.guarantee_mode, "profile": plan.declared_profile, "proposed_version": version,
        "base_contract_id": plan.active["id"] if plan.active else None,
        "base_version": plan.active["version"] if plan.active else None,
        "proposed_by": proposer, "proposed_by_name": contracts.team_name(tenant, asset, proposer),
        "proposed_by_key": principal.display,
        "proposed_at": clock.iso(now), "resolved_at": None,
        "expires_at": clock.iso(now + timedelta(days=expires_in_days)) if expires_in_days else None,
        "affected_teams": [{"team_id": r["consumer_team_id"], "team_name": r.get("consumer_team_name"),
                            "registration_id": r["id"], "pinned_version": r.get("pinned_version"),
                            "field_impact": impact.columns.team_status(
                                [touched.get(n["asset_id"], "unknown") for n in nodes
                                 if n["owner_team_id"] == r["consumer_team_id"]], True)} for r in consumers],
        "affected_assets": [{"asset_id": n["asset_id"], "fqn": n["fqn"], "owner_team_id": n["owner_team_id"],
                             "owner_team_name": n.get("owner_team_name"), "depth": n["depth"],
                             "field_impact": touched.get(n["asset_id"], "unknown")} for n in nodes],
        "proposed_schema": plan.schema, "proposed_guarantees": plan.guarantees,
        "objections": [], "acks": {}, "forced": False, "rev": 1,
    }
    try:
        store.create(tenant, proposal, proposal["base_contract_id"],
                     extra=[outbox.op(tenant, events.proposal_created(tenant, proposal))])
    except ConditionFailed:
        fresh = assets.get(tenant, asset["id"])
        if fresh.get("pending_proposal_id"):
            raise _pending(fresh) from None
        return None
    metrics.count("ProposalsCreated")
    return view(proposal)


def _pending(asset: dict) -> errors.Conflict:
    return errors.Conflict(f"Asset '{asset['fqn']}' already has an open proposal ({asset['pending_proposal_id']}); "
                           "resolve or withdraw it first.", code="PROPOSAL_PENDING")


# ------------------------------------------------------------------ reads
def get(tenant: str, proposal_id: str) -> dict:
    return view(_load(tenant, proposal_id))


def status(tenant: str, proposal_id: str) -> dict:
    p = _load(tenant, proposal_id)
    acks = p.get("acks") or {}
    teams = p.get("affected_teams") or []
    return {"proposal": view(p), "required_acknowledgments": len(teams), "received_acknowledgments": len(acks),
            "pending_consumers": [{"team_id": t["team_id"], "team_name": t.get("team_name")}
                                  for t in teams if t["team_id"] not in acks],
            "acknowledged_consumers": [{"team_id": a["consumer_team_id"], "team_name": a.get("consumer_team_name"),
                                        "response": a["response"], "notes": a.get("notes"),
                                        "acknowledged_at": a["acknowledged_at"]}
                                       for a in sorted(acks.values(), key=lambda a: a["acknowledged_at"])],
            "objections": p.get("objections") or []}


def list_page(tenant: str, *, asset_id: str | None, status: str | None, limit: int,
              offset: int) -> tuple[list[dict], int]:
    """(page, total) newest first. Expiry is judged at read time (the stored status catches up
    when the proposal is next acted on); status is a filter over the tenant's or asset's
    proposals (bounded by MAX_LISTED)."""
    if status is not None and status not in STATUSES:
        raise errors.Unprocessable(f"Query parameter 'status' must be one of {', '.join(STATUSES)}.",
                                   detail=[{"loc": ["query", "status"], "msg": "invalid status", "type": "enum"}])
    if asset_id:
        ident = assets.valid_id(asset_id)
        if ident is None:
            raise errors.Unprocessable("Query parameter 'asset_id' must be a UUID.",
                                       detail=[{"loc": ["query", "asset_id"], "msg": "not a UUID", "type": "uuid_parsing"}])
        asset_id = ident
    stored = None if status in ("pending", "expired") else status
    items = store.list_page(tenant, asset_id=asset_id, status=stored, offset=0, limit=MAX_LISTED)
    out = []
    for p in items:
        if _expired(p):
            p = {**p, "status": "expired"}
        if status is None or p["status"] == status:
            out.append(p)
    return [view(p) for p in store.complete(tenant, out[offset:offset + limit])], len(out)


# ------------------------------------------------------------------ consumer actions
def acknowledge(principal, proposal_id: str, body) -> dict:
    tenant = principal.tenant
    team = str(body.consumer_team_id)
    if not principal.is_admin and principal.team_id != team:
        raise errors.Forbidden("Consumers acknowledge only for their own team: use a key of team "
                               f"{team} (or an admin key).", code="UNAUTHORIZED_TEAM")
    for attempt in range(ATTEMPTS):
        p = _load(tenant, proposal_id)
        entry = next((t for t in p.get("affected_teams") or [] if t["team_id"] == team), None)
        if entry is None:
            raise errors.Forbidden(f"Team {team} is not a registered consumer of '{p.get('asset_fqn')}' for this "
                                   "proposal.", code="NOT_A_CONSUMER")
        acks = dict(p.get("acks") or {})
        if team in acks:
            raise errors.Conflict(f"Team {entry.get('team_name') or team} already acknowledged this proposal "
                                  f"({acks[team]['response']}).", code="DUPLICATE_ACKNOWLEDGMENT")
        if p["status"] != "pending":
            raise errors.Conflict(f"The proposal is {p['status']}; only pending proposals take acknowledgments.",
                                  code="PROPOSAL_NOT_PENDING")
        now = clock.iso()
        ack = {"id": str(uuid.uuid4()), "proposal_id": p["id"], "consumer_team_id": team,
               "consumer_team_name": entry.get("team_name"), "response": body.response, "notes": body.notes,
               "acknowledged_at": now, "acknowledged_by": principal.display}
        acks[team] = ack
        fields = {}
        required = {t["team_id"] for t in p["affected_teams"]}
        if body.response == "blocked":
            fields.update(status="rejected", resolved_at=now)
        elif required <= {t for t, a in acks.items() if a["response"] in ("approved", "migrating")}:
            fields.update(status="approved", resolved_at=now)
        tx = Tx()
        tx.extend("proposal", store.update_ops(tenant, p, fields, expect_status="pending", ack=ack))
        if fields.get("status") == "rejected":
            tx.extend("slot", store.release_slot_ops(tenant, p))
        tx.extend("registration", reg_store.acknowledged_ops(
            tenant, {"id": entry["registration_id"], "asset_id": p["asset_id"], "consumer_team_id": team}, now))
        tx.add("event", outbox.op(tenant, events.proposal_acknowledged(tenant, p, ack, len(required - set(acks)))))
        if fields.get("status"):
            tx.add("event", outbox.op(tenant, events.proposal_status(
                tenant, p, fields["status"], by=entry.get("team_name"), at=now)))
        try:
            tx.commit()
        except ConditionFailed as exc:
            if "registration" in tx.failed(exc) and "proposal" not in tx.failed(exc):
                raise errors.Conflict(f"Team {team} no longer has a registration on '{p.get('asset_fqn')}'.",
                                      code="NOT_A_CONSUMER") from None
            time.sleep(random.uniform(0.002, 0.02) * (attempt + 1))
            continue  # someone else acknowledged meanwhile: re-read and re-apply
        if fields.get("status"):
            metrics.count("ProposalsResolved", outcome=fields["status"])
        return ack_view(ack)
    raise errors.Conflict("The proposal kept changing; retry the acknowledgment.", code="CONCURRENT_UPDATE")


def _mutate(principal, proposal_id: str, decide) -> dict:
    """Read-decide-write with the rev condition; `decide(p)` returns (fields, extra ops, objection
    or None) or raises."""
    tenant = principal.tenant
    for attempt in range(ATTEMPTS):
        p = _load(tenant, proposal_id)
        fields, extra, objection = decide(p)
        try:
            store.write([*store.update_ops(tenant, p, fields, expect_status=p["status"], objection=objection), *extra])
        except ConditionFailed:
            time.sleep(random.uniform(0.002, 0.02) * (attempt + 1))
            continue
        if "status" in fields:
            metrics.count("ProposalsResolved", outcome=fields["status"])
        if objection:
            fields = {**fields, "objections": [*p["objections"], objection]}
        return view({**p, **fields})
    raise errors.Conflict("The proposal kept changing; retry.", code="CONCURRENT_UPDATE")


def withdraw(principal, proposal_id: str) -> dict:
    tenant = principal.tenant

    def decide(p):
        asset_owner = None
        if not principal.is_admin and principal.team_id != p["proposed_by"]:
            from accord.store import assets as asset_store
            a = asset_store.get(tenant, p["asset_id"])
            asset_owner = a and a["owner_team_id"]
            if principal.team_id is None or principal.team_id != asset_owner:
                raise errors.Forbidden("Only the proposing team (or the asset's owners, or an admin) may withdraw "
                                       "a proposal.", code="UNAUTHORIZED_TEAM")
        if p["status"] not in OPEN:
            raise errors.Conflict(f"The proposal is {p['status']}; it can no longer be withdrawn.",
                                  code="PROPOSAL_NOT_PENDING")
        now = clock.iso()
        return {"status": "withdrawn", "resolved_at": now}, [*store.release_slot_ops(tenant, p), outbox.op(
            tenant, events.proposal_status(tenant, p, "withdrawn", at=now))], None
    return _mutate(principal, proposal_id, decide)


def force(principal, proposal_id: str, reason: str | None) -> dict:
    """Admin: approve without (all) acknowledgments. Logged with its reason."""
    if not principal.is_admin:
        raise errors.Forbidden("Forcing a proposal needs an admin key.", code="FORCE_NEEDS_ADMIN")
    tenant = principal.tenant

    def decide(p):
        if p["status"] != "pending":
            raise errors.Conflict(f"The proposal is {p['status']}; only pending proposals can be forced.",
                                  code="PROPOSAL_NOT_PENDING")
        now = clock.iso()
        return {"status": "approved", "resolved_at": now, "forced": True, "forced_by": principal.display,
                "force_reason": reason or "(no reason given)"}, [outbox.op(
                    tenant, events.proposal_status(tenant, {**p, "forced": True}, "approved", at=now))], None
    out = _mutate(principal, proposal_id, decide)
    logger.warning("forced proposal", extra={"tenant": principal.tenant, "proposal_id": out["id"],
                                             "by": principal.display, "reason": reason})
    return out


def object_to(principal, proposal_id: str, objector_team_id: str | None, reason: str) -> dict:
    """An objection from a team owning an affected (downstream) asset. Non-blocking: it is
    recorded on the proposal for the producer and consumers to see."""
    ident = assets.valid_id(objector_team_id) if objector_team_id else None
    if ident is None:
        raise errors.Unprocessable("Query parameter 'objector_team_id' (a team UUID) is required.",
                                   detail=[{"loc": ["query", "objector_team_id"], "msg": "required", "type": "missing"}])
    if not principal.is_admin and principal.team_id != ident:
        raise errors.Forbidden("Teams object only for themselves: use a key of the objecting team.",
                               code="UNAUTHORIZED_TEAM")

    def decide(p):
        owners = {a["owner_team_id"]: a for a in p.get("affected_assets") or []}
        if ident not in owners:
            raise errors.Forbidden(f"Team {ident} owns no asset downstream of '{p.get('asset_fqn')}'; only "
                                   "lineage-affected teams may object.", code="NOT_AFFECTED")
        if p["status"] not in OPEN:
            raise errors.Conflict(f"The proposal is {p['status']}; objections are closed.", code="PROPOSAL_NOT_PENDING")
        if any(o["team_id"] == ident for o in p.get("objections") or []):
            raise errors.Conflict("This team already objected to the proposal.", code="DUPLICATE_OBJECTION")
        objection = {"id": str(uuid.uuid4()), "team_id": ident, "team_name": owners[ident].get("owner_team_name"),
                     "reason": reason, "objected_at": clock.iso(), "objected_by": principal.display,
                     "asset_id": owners[ident]["asset_id"]}
        return {}, [], objection
    p = _mutate(principal, proposal_id, decide)
    return {"action": "objection_filed", "proposal_id": p["id"], "asset_fqn": p.get("asset_fqn") or "",
            "objection": p["objections"][-1], "total_objections": len(p["objections"]),
            "note": "Objections do not block the proposal; the producer and the consumers see them."}


# ------------------------------------------------------------------ publish an approved proposal
def publish(principal, proposal_id: str) -> dict:
    tenant = principal.tenant
    for attempt in range(contracts.PUBLISH_ATTEMPTS):
        p = _load(tenant, proposal_id)
        asset = assets.get(tenant, p["asset_id"])
        assets.authorize_write(principal, asset, "publish contracts for")
        if p["status"] != "approved":
            raise errors.Conflict(f"The proposal is {p['status']}; only approved proposals can be published.",
                                  code="PROPOSAL_NOT_APPROVED")
        plan = contracts.plan(tenant, asset, p["proposed_schema"], mode=p.get("compatibility_mode"),
                              guarantees=p.get("proposed_guarantees"), guarantee_mode=p.get("guarantee_mode"),
                              profile=p.get("profile"))
        if plan.active and plan.active["id"] != p.get("base_contract_id"):
            acknowledged = {(c["type"], c.get("path")) for c in p.get("breaking_changes") or []}
            new = [c for c in plan.breaking if (c["type"], c.get("path")) not in acknowledged]
            if new:
                raise errors.Conflict(
                    f"The active contract changed to {plan.active['version']} since this proposal was made, and the "
                    f"proposed schema now breaks it in ways nobody acknowledged: "
                    + "; ".join(c["description"] or c["type"] for c in new[:5]) + ". Create a new proposal.",
                    code="PROPOSAL_STALE", detail=new)
        plan.bump = "major"
        current = versions.parse(plan.active["version"]) if plan.active else None
        if p.get("proposed_version"):
            version = versions.parse(p["proposed_version"])
            if current is not None and not versions.satisfies(current, version, "major"):
                version = versions.bump(current, "major")
        else:
            version = versions.bump(current, "major")
        now = clock.iso()
        team = principal.team_id or p["proposed_by"]
        contract = {"id": str(uuid.uuid4()), "asset_id": asset["id"], "version": str(version),
                    "version_canonical": version.canonical, "status": "active", "compatibility_mode": plan.mode,
                    "guarantee_mode": plan.guarantee_mode, "profile": plan.declared_profile, "published_at": now,
                    "published_by": team, "published_by_name": contracts.team_name(tenant, asset, team),
                    "published_by_key": principal.display,
                    "change_type": "major", "forced": bool(p.get("forced")), "proposal_id": p["id"],
                    "deprecated_at": None}
        doc = {"schema": plan.schema, "guarantees": plan.guarantees, "changes": plan.changes,
               "breaking_changes": plan.breaking}
        fields = {**contracts.asset_fields(contract, plan), "pending_proposal_id": None}
        tx = contract_store.publish_tx(tenant, asset, contract, doc, version.sort_key(), version.canonical,
                                       plan.active, fields, proposal_id=p["id"])
        done = {"status": "published", "published_contract_id": contract["id"],
                "published_version": contract["version"], "published_at": now}
        tx.extend("proposal", store.update_ops(tenant, p, done, expect_status="approved"))
        tx.add("event", outbox.op(tenant, events.contract_published(tenant, asset, contract, plan.breaking,
                                                                    proposal_id=p["id"])))
        tx.add("event", outbox.op(tenant, events.proposal_status(tenant, {**p, **done}, "published", at=now)))
        try:
            tx.commit()
        except ConditionFailed:
            time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))
            continue
        metrics.count("ProposalsResolved", outcome="published")
        return contracts.view({**contract, "schema": plan.schema, "guarantees": plan.guarantees}, asset)
    raise errors.Conflict("The asset's contract kept changing while the proposal was published; retry.",
                          code="CONCURRENT_PUBLISH")
