"""Teams (Tessera-compatible): unique names per tenant, soft delete, merge-patch metadata.
A rename reaches the team's assets through a queued job (identity/rename.py)."""
import uuid

from accord import clock, errors, jobs
from accord.identity import rename
from accord.store import assets as asset_store
from accord.store import teams as store
from accord.store.db import ConditionFailed

MAX_OFFSET = 10_000


def view(team: dict, rename_job: dict | None = None) -> dict:
    """Tessera's fields, and `rename` while the name is still being copied onto the team's assets."""
    out = {"id": team["id"], "name": team["name"], "metadata": team.get("metadata") or {},
           "created_at": team["created_at"], "updated_at": team.get("updated_at") or team["created_at"]}
    running = rename.state(team, rename_job)
    if running:
        out["rename"] = running
    return out


def views(tenant: str, teams: list[dict]) -> list[dict]:
    """Views of teams, reading the rename jobs of those mid-rename (one BatchGetItem)."""
    pending = [t["rename_job_id"] for t in teams if t.get("rename_job_id")]
    found = jobs.get_many(tenant, pending) if pending else {}
    return [view(t, found.get(t.get("rename_job_id"))) for t in teams]


def _not_found(team_id: str):
    return errors.NotFound(f"Team {team_id} not found.", code="TEAM_NOT_FOUND")


def _name_taken(name: str):
    return errors.Conflict(f"A team named '{name}' already exists in this tenant.", code="TEAM_EXISTS")


def _valid_id(team_id: str) -> str:
    try:
        return str(uuid.UUID(team_id))
    except ValueError:
        raise _not_found(team_id) from None


def merge_patch(target: dict, patch: dict) -> dict:
    """RFC 7396: objects merge recursively, null deletes a key, anything else replaces."""
    out = dict(target)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_patch(out[key], value)
        else:
            out[key] = value
    return out


def create(tenant: str, name: str, metadata: dict) -> dict:
    now = clock.iso()
    team = {"id": str(uuid.uuid4()), "name": name, "metadata": metadata, "created_at": now, "updated_at": now}
    try:
        store.create(tenant, team)
    except ConditionFailed:
        raise _name_taken(name) from None
    return view(team)


UNASSIGNED = "unassigned"


def default_owner(tenant: str, team_id: str | None) -> dict:
    """The team that owns what a key creates without naming an owner (the configuration view):
    the key's own team while it is live, else the tenant's "unassigned" team, made on first use.
    Registry clients (tessera-sdk's Asset) require every asset to have an owner team."""
    team = store.get(tenant, team_id) if team_id else None
    for _ in range(3):
        team = team or store.by_name(tenant, UNASSIGNED)
        if team is not None:
            return team
        try:
            now = clock.iso()
            team = {"id": str(uuid.uuid4()), "name": UNASSIGNED, "created_at": now, "updated_at": now,
                    "metadata": {"description": "Owns assets created without an owner team; reassign them "
                                                "with PATCH /api/v1/assets/{id} {owner_team_id}."}}
            store.create(tenant, team)
            return team
        except ConditionFailed:  # made meanwhile by a concurrent request: read it
            team = None
    raise errors.Conflict("The 'unassigned' team kept changing; retry.", code="CONCURRENT_UPDATE")


def get(tenant: str, team_id: str) -> dict:
    team = store.get(tenant, _valid_id(team_id))
    if team is None:
        raise _not_found(team_id)
    return team


def lookup(tenant: str, team_id: str) -> dict | None:
    """The live team, or None (unknown, malformed or deleted id)."""
    try:
        return store.get(tenant, str(uuid.UUID(team_id)))
    except ValueError:
        return None


def exists(tenant: str, team_id: str) -> bool:
    return lookup(tenant, team_id) is not None


def list_page(tenant: str, limit: int, offset: int) -> tuple[list[dict], int]:
    return views(tenant, store.list_page(tenant, offset, limit)), store.count(tenant)


def show(tenant: str, team_id: str) -> dict:
    return views(tenant, [get(tenant, team_id)])[0]


def update(tenant: str, team_id: str, name: str | None, metadata: dict | None) -> dict:
    """A new name is the team's at once; its assets get it from a job created in the same
    transaction (answered as `rename`). The same name again re-queues a rename not yet run."""
    team = get(tenant, team_id)
    fields = {"updated_at": clock.iso()}
    job, marks = None, []
    if name is not None and name != team["name"]:
        job = rename.new_job(tenant, team["id"], name)
        marks = asset_store.team_name_ops(tenant, team["id"], name)  # late writers of the old name fail
    elif name is not None:
        job = rename.again(tenant, team)
    if name is not None:
        fields["name"] = name
    if job is not None:
        fields["rename_job_id"] = job["id"]
    if metadata is not None:
        fields["metadata"] = merge_patch(team.get("metadata") or {}, metadata)
    try:
        also = (jobs.create_ops(tenant, job) if job else []) + marks
        updated = store.update(tenant, team["id"], team["name"], fields, name, also=also or None)
    except ConditionFailed as exc:
        if len(exc.reasons) > 2 and exc.reasons[2] == "ConditionalCheckFailed":
            raise _name_taken(name) from None
        raise _not_found(team_id) from None
    if updated is None:
        raise _not_found(team_id)
    if job is None:
        return views(tenant, [updated])[0]
    rename.send(tenant, job)
    return view(updated, job)


def _has_assets(team: dict) -> errors.Conflict:
    return errors.Conflict(f"Team '{team['name']}' still owns assets; transfer or delete them first.",
                           code="TEAM_HAS_ASSETS")


def delete(tenant: str, team_id: str) -> None:
    team = get(tenant, team_id)
    if asset_store.owned_by(tenant, team["id"]):
        raise _has_assets(team)
    try:
        store.soft_delete(tenant, team, clock.iso())
    except ConditionFailed as exc:
        if store.OWNS_ASSETS in exc.failed:
            raise _has_assets(team) from None
        raise _not_found(team_id) from None
