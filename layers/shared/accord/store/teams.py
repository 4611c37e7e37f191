"""Teams: the item, a name-uniqueness guard and the tenant's team counter move together.

A team is deleted only while it owns nothing: the delete closes every shard of the team's asset
counter (store/assets.py), each only if it counts zero — and a create or move into the team
counts into that counter under the condition that it is open, so neither can slip past the other.
Registrations count into the team's registration counter the same way (closed whatever it counts:
a consumer team may go while its registrations stay, as history).
"""
from accord.store import counters, db, keys as k

COUNTER = "teams"


def _counter_op(tenant: str, team_id: str, delta: int) -> dict:
    return counters.add_op(tenant, counters.shard_of(team_id), COUNTER, {"n": delta})


def create(tenant: str, team: dict) -> None:
    """Raises ConditionFailed when the name is taken (reasons[1] is the guard)."""
    db.transact([
        db.put_op({"PK": k.team_pk(tenant, team["id"]), "SK": k.TEAM_SK,
                   "GSI1PK": k.teams_gsi(tenant), "GSI1SK": k.created_sort(team["created_at"], team["id"]),
                   **team}, "attribute_not_exists(PK)"),
        db.put_op({"PK": k.team_name_pk(tenant, team["name"]), "SK": k.UNIQUE_SK, "team_id": team["id"]},
                  "attribute_not_exists(PK)"),
        _counter_op(tenant, team["id"], 1),
    ])


def get(tenant: str, team_id: str) -> dict | None:
    item = db.get(k.team_pk(tenant, team_id), k.TEAM_SK)
    return None if item is None or item.get("deleted_at") else item


def by_name(tenant: str, name: str) -> dict | None:
    """The live team with this name (case-insensitive), via the name guard."""
    guard = db.get(k.team_name_pk(tenant, name), k.UNIQUE_SK)
    return get(tenant, guard["team_id"]) if guard else None


def list_page(tenant: str, offset: int, limit: int) -> list[dict]:
    """Teams oldest first; reads offset + limit items at most (offset is bounded by the caller)."""
    items, start = [], None
    want = offset + limit
    while len(items) < want:
        page, start = db.query(k.teams_gsi(tenant), index="GSI1", limit=want - len(items), start=start)
        items.extend(page)
        if not start:
            break
    return items[offset:want]


def count(tenant: str) -> int:
    return counters.total(tenant, COUNTER)


def update(tenant: str, team_id: str, old_name: str, fields: dict, new_name: str | None,
           also: list[dict] | None = None) -> dict:
    """Apply `fields` (already merged); a rename swaps the name guard in the same transaction, and
    `also` (a rename's job) is written with it. Raises ConditionFailed (reasons[2]: the new guard)."""
    sets = ", ".join(f"#{n} = :{n}" for n in fields)
    names = {f"#{n}": n for n in fields}
    values = {f":{n}": v for n, v in fields.items()}
    cond = "attribute_exists(PK) AND attribute_not_exists(deleted_at)"
    pk = k.team_pk(tenant, team_id)
    ops = [db.update_op(pk, k.TEAM_SK, f"SET {sets}", cond, names, values)]
    if new_name is not None and new_name.casefold() != old_name.casefold():
        ops += [db.delete_op(k.team_name_pk(tenant, old_name), k.UNIQUE_SK),
                db.put_op({"PK": k.team_name_pk(tenant, new_name), "SK": k.UNIQUE_SK, "team_id": team_id},
                          "attribute_not_exists(PK)")]
    ops += also or []
    if len(ops) == 1:
        return db.update(pk, k.TEAM_SK, f"SET {sets}", condition=cond, names=names, values=values)
    db.transact(ops)
    return get(tenant, team_id)


def get_renaming(tenant: str, team_id: str, job_id: str) -> dict | None:
    """The live team while `job_id` is its current rename job, else None."""
    team = get(tenant, team_id)
    return team if team is not None and team.get("rename_job_id") == job_id else None


def rename_guard_op(tenant: str, team_id: str, job_id: str) -> dict:
    """A transaction part that holds only while `job_id` is the live team's current rename: a
    later rename (a new job) or the team's deletion makes every further write of the job fail."""
    return db.check_op(k.team_pk(tenant, team_id), k.TEAM_SK,
                       "rename_job_id = :j AND attribute_not_exists(deleted_at)", values={":j": job_id})


def rename_done(tenant: str, team_id: str, job_id: str) -> None:
    """The team is no longer mid-rename (unless a later rename has started meanwhile)."""
    try:
        db.update(k.team_pk(tenant, team_id), k.TEAM_SK, "REMOVE rename_job_id", condition="rename_job_id = :j",
                  values={":j": job_id}, return_new=False)
    except db.ConditionFailed:
        pass


OWNS_ASSETS = "owns assets"


def soft_delete(tenant: str, team: dict, at: str) -> None:
    """The item stays (history and audit refer to it); it leaves the list, the name and the count,
    and its asset counter closes. Raises ConditionFailed (`failed`: {'team'} gone, or
    {OWNS_ASSETS} while any asset is counted in it)."""
    ops = [db.update_op(k.team_pk(tenant, team["id"]), k.TEAM_SK,
                        "SET deleted_at = :at REMOVE GSI1PK, GSI1SK",
                        "attribute_exists(PK) AND attribute_not_exists(deleted_at)", values={":at": at}),
           db.delete_op(k.team_name_pk(tenant, team["name"]), k.UNIQUE_SK),
           _counter_op(tenant, team["id"], -1),
           *counters.close_ops(tenant, k.asset_counter(team=team["id"])),
           *counters.close_ops(tenant, k.registration_counter(team["id"]), if_zero=False)]
    try:
        db.transact(ops)
    except db.ConditionFailed as exc:
        exc.failed = {"team" if i == 0 else OWNS_ASSETS for i, code in enumerate(exc.reasons)
                      if code == "ConditionalCheckFailed"}
        raise
