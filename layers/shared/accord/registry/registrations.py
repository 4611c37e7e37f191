"""Registrations: a consumer team declares it depends on an asset's contract (optionally pinned
to a version). A registration belongs to the asset's contract *line*: publishing a new version
never drops a consumer out of impact analysis or acknowledgments. One per team and asset (409).
Consumers act only for their own team (or an admin does).
"""
import uuid

from accord import clock, errors
from accord.identity import teams
from accord.registry import assets, contracts, versions
from accord.store import contracts as contract_store
from accord.store import registrations as store
from accord.store.db import ConditionFailed


def _not_found(ident) -> errors.NotFound:
    return errors.NotFound(f"Registration {ident} not found.", code="REGISTRATION_NOT_FOUND")


def view(r: dict) -> dict:
    return {"id": r["id"], "contract_id": r["contract_id"], "asset_id": r["asset_id"],
            "consumer_team_id": r["consumer_team_id"], "consumer_team_name": r.get("consumer_team_name"),
            "pinned_version": r.get("pinned_version"), "status": r["status"], "registered_at": r["registered_at"],
            "acknowledged_at": r.get("acknowledged_at"), "updated_at": r.get("updated_at")}


def _authorize(principal, team_id: str) -> None:
    if not principal.is_admin and principal.team_id != team_id:
        raise errors.Forbidden(f"Consumers act only for their own team: this needs a key of team {team_id} "
                               "(or an admin key).", code="UNAUTHORIZED_TEAM")


def _pin(tenant: str, asset_id: str, pinned: str | None) -> str | None:
    if pinned is None:
        return None
    v = versions.parse_or_422(pinned, "pinned_version")
    if contract_store.get_version(tenant, asset_id, v.canonical) is None:
        raise errors.Unprocessable(f"pinned_version {pinned} is not a published version of this asset.",
                                   code="INVALID_VERSION",
                                   detail=[{"loc": ["body", "pinned_version"], "msg": "unknown version",
                                            "type": "value_error"}])
    return str(v)


def create(principal, contract_id: str | None, body) -> dict:
    tenant = principal.tenant
    cid = contract_id or (str(body.contract_id) if body.contract_id else None)
    if not cid:
        raise errors.Unprocessable("contract_id is required (query ?contract_id= or in the body).",
                                   detail=[{"loc": ["query", "contract_id"], "msg": "Field required", "type": "missing"}])
    team_id = str(body.consumer_team_id)
    _authorize(principal, team_id)
    contract = contracts.get(tenant, cid)
    asset = assets.get(tenant, contract["asset_id"])
    try:
        team = teams.get(tenant, team_id)
    except errors.NotFound:
        raise errors.NotFound(f"Consumer team {team_id} not found.", code="TEAM_NOT_FOUND") from None
    now = clock.iso()
    reg = {"id": str(uuid.uuid4()), "contract_id": contract["id"], "asset_id": asset["id"],
           "consumer_team_id": team["id"], "consumer_team_name": team["name"],
           "pinned_version": _pin(tenant, asset["id"], body.pinned_version), "status": "active",
           "registered_at": now, "updated_at": now, "acknowledged_at": None, "rev": 1}
    try:
        store.create(tenant, reg)
    except ConditionFailed as exc:
        if "duplicate" in exc.failed:
            raise errors.Conflict(f"Team '{team['name']}' is already registered as a consumer of '{asset['fqn']}'.",
                                  code="DUPLICATE_REGISTRATION") from None
        if "team" in exc.failed:
            raise errors.NotFound(f"Consumer team {team_id} not found.", code="TEAM_NOT_FOUND") from None
        raise assets.not_found(asset["id"]) from None
    return view(reg)


def get(tenant: str, reg_id: str) -> dict:
    ident = assets.valid_id(reg_id)
    reg = store.get(tenant, ident) if ident else None
    if reg is None:
        raise _not_found(reg_id)
    return reg


def update(principal, reg_id: str, body, fields_set: set) -> dict:
    tenant = principal.tenant
    for _ in range(4):
        old = get(tenant, reg_id)
        _authorize(principal, old["consumer_team_id"])
        new = dict(old)
        if "pinned_version" in fields_set:
            new["pinned_version"] = _pin(tenant, old["asset_id"], body.pinned_version)
        if body.status is not None:
            new["status"] = body.status
        new["updated_at"] = clock.iso()
        new["rev"] = old.get("rev", 1) + 1
        try:
            store.replace(tenant, old, new)
        except ConditionFailed:
            continue
        return view(new)
    raise errors.Conflict("The registration kept changing; retry.", code="CONCURRENT_UPDATE")


def delete(principal, reg_id: str) -> None:
    tenant = principal.tenant
    reg = get(tenant, reg_id)
    _authorize(principal, reg["consumer_team_id"])
    try:
        store.delete(tenant, reg, clock.iso())
    except ConditionFailed:
        raise _not_found(reg_id) from None


def for_contract(tenant: str, contract_id: str) -> list[dict]:
    """The consumers of the contract's line (registrations follow the asset across versions)."""
    contract = contracts.get(tenant, contract_id)
    return [view(r) for r in store.consumers(tenant, contract["asset_id"])]
