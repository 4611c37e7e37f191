"""Assets, registry view (Tessera-compatible): unique (fqn, environment) among live assets,
owned by a team, soft-deleted, listed by key prefixes, searchable by name-token prefixes.

Authorization: reading needs only the route's `read` scope; changing an asset (and everything
hanging off it: lineage, audit results, contracts) needs a key of the owning team or an admin key.
"""
import json
import re
import uuid

from accord import clock, errors
from accord.http import budget
from accord.identity import teams
from accord.registry.naming import check_environment, check_fqn
from accord.store import assets as store
from accord.store.db import ConditionFailed

MAX_PAGE_SIZE = 100
MAX_OFFSET = 10_000
MAX_METADATA_BYTES = 65_536
MAX_SEARCH_TOKENS = 12
WRITE_ATTEMPTS = 4  # optimistic-lock retries of read-modify-write updates

_WORD_BREAK = re.compile(r"[.\-_/:\s]+")


# ------------------------------------------------------------------ views and helpers
def view(a: dict) -> dict:
    return {
        "id": a["id"], "fqn": a["fqn"], "environment": a["environment"],
        "owner_team_id": a["owner_team_id"], "owner_team_name": a.get("owner_team_name"),
        "owner_user_id": a.get("owner_user_id"), "owner_user_name": a.get("owner_user_name"),
        "metadata": a.get("metadata") or {},
        "active_contract_id": a.get("active_contract_id"),
        "active_contract_version": a.get("active_contract_version"),
        "created_at": a["created_at"], "updated_at": a.get("updated_at") or a["created_at"],
    }


def not_found(asset_id) -> errors.NotFound:
    return errors.NotFound(f"Asset {asset_id} not found.", code="ASSET_NOT_FOUND")


def valid_id(asset_id: str) -> str | None:
    try:
        return str(uuid.UUID(str(asset_id)))
    except ValueError:
        return None


def get(tenant: str, asset_id: str, consistent: bool = True) -> dict:
    """The live asset, or 404 (unknown, malformed, deleted or another tenant's id alike)."""
    ident = valid_id(asset_id)
    asset = store.get(tenant, ident, consistent) if ident else None
    if asset is None or asset.get("deleted_at"):
        raise not_found(asset_id)
    return asset


def can_write(principal, asset: dict) -> bool:
    return principal.is_admin or bool(principal.team_id) and principal.team_id == asset["owner_team_id"]


def authorize_write(principal, asset: dict, action: str = "change") -> None:
    if not can_write(principal, asset):
        raise errors.Forbidden(
            f"Only a key of the owning team '{asset.get('owner_team_name') or asset['owner_team_id']}' "
            f"or an admin key may {action} asset '{asset['fqn']}'.", code="UNAUTHORIZED_TEAM")


def search_tokens(fqn: str) -> list[str]:
    """Lower-cased suffixes of the fqn starting at each word (split on . - _ / : and spaces):
    `warehouse.analytics.user_events` → the whole name, `analytics.user_events`,
    `user_events`, `events`. A search matches a prefix of any of them."""
    low = fqn.lower()
    starts = [0] + [m.end() for m in _WORD_BREAK.finditer(low)]
    suffixes = []
    for s in starts:
        tok = low[s:]
        if tok and tok not in suffixes:
            suffixes.append(tok)
    if len(suffixes) <= MAX_SEARCH_TOKENS:
        return suffixes
    return [suffixes[0], *suffixes[-(MAX_SEARCH_TOKENS - 1):]]


def check_metadata(metadata: dict) -> dict:
    size = len(json.dumps(metadata, separators=(",", ":"), default=str).encode("utf-8"))
    if size > MAX_METADATA_BYTES:
        raise errors.PayloadTooLarge(f"metadata is {size} bytes; the limit is {MAX_METADATA_BYTES}.")
    return metadata


def owner_team(tenant: str, team_id: str) -> dict:
    try:
        return teams.get(tenant, team_id)
    except errors.NotFound:
        raise errors.NotFound(f"Owner team {team_id} not found.", code="TEAM_NOT_FOUND") from None


def duplicate(tenant: str, fqn: str, env: str) -> errors.Conflict:
    guard = store.get_guard(tenant, env, fqn)
    which = f" (asset {guard['asset_id']})" if guard else ""
    return errors.Conflict(f"Asset '{fqn}' already exists in environment '{env}'{which}.",
                           code="DUPLICATE_ASSET")


# ------------------------------------------------------------------ writes
def authorize_create(principal, team_id: str) -> None:
    if not principal.is_admin and principal.team_id != team_id:
        raise errors.Forbidden(f"This key may create assets only for its own team; owner_team_id {team_id} "
                               "needs that team's key or an admin key.", code="UNAUTHORIZED_TEAM")


def new_asset(team: dict, fqn: str, environment: str, metadata: dict, *, owner_user_id: str | None = None,
              owner_user_name: str | None = None, now: str | None = None) -> dict:
    """A new asset item owned by `team` (a live team item); fqn and environment already checked.
    The one place an asset is made: POST /assets and the importers' bulk path (registry.bulk)."""
    now = now or clock.iso()
    return {"id": str(uuid.uuid4()), "fqn": fqn, "environment": environment,
            "owner_team_id": team["id"], "owner_team_name": team["name"],
            "owner_user_id": owner_user_id, "owner_user_name": owner_user_name,
            "metadata": check_metadata(metadata), "created_at": now, "updated_at": now,
            "active_contract_id": None, "active_contract_version": None, "rev": 1}


def create(principal, body) -> dict:
    tenant = principal.tenant
    team_id = str(body.owner_team_id)
    authorize_create(principal, team_id)
    for _ in range(WRITE_ATTEMPTS):
        team = owner_team(tenant, team_id)   # 404 once the team is gone
        asset = new_asset(team, body.fqn, body.environment, body.metadata,
                          owner_user_id=str(body.owner_user_id) if body.owner_user_id else None,
                          owner_user_name=body.owner_user_name)
        try:
            store.create(tenant, asset, search_tokens(asset["fqn"]))
            return view(asset)
        except ConditionFailed as exc:
            if "guard" in exc.failed:
                raise duplicate(tenant, asset["fqn"], asset["environment"]) from None
            # the team was deleted or renamed since it was read: read it again
    raise errors.Conflict(f"Owner team {team_id} kept changing while the asset was created; retry.",
                          code="CONCURRENT_UPDATE")


def update(principal, asset_id: str, body, fields_set: set) -> dict:
    """PATCH: only the fields sent change; metadata merges; fqn/environment/owner changes are
    re-checked (uniqueness, team exists) and land in one transaction with the guard swap."""
    tenant = principal.tenant
    for name in ("fqn", "environment", "owner_team_id", "metadata"):
        if name in fields_set and getattr(body, name) is None:
            raise errors.Unprocessable(f"{name} may not be null.", detail=[
                {"loc": ["body", name], "msg": "may not be null", "type": "none_not_allowed"}])
    for _ in range(WRITE_ATTEMPTS):
        old = get(tenant, asset_id)
        authorize_write(principal, old)
        new = dict(old)
        if body.fqn is not None:
            new["fqn"] = body.fqn
        if body.environment is not None:
            new["environment"] = body.environment
        if body.owner_team_id is not None and str(body.owner_team_id) != old["owner_team_id"]:
            team = owner_team(tenant, str(body.owner_team_id))
            new["owner_team_id"], new["owner_team_name"] = team["id"], team["name"]
        if "owner_user_id" in fields_set:
            new["owner_user_id"] = str(body.owner_user_id) if body.owner_user_id else None
        if "owner_user_name" in fields_set:
            new["owner_user_name"] = body.owner_user_name
        if body.metadata is not None:
            new["metadata"] = check_metadata(teams.merge_patch(old.get("metadata") or {}, body.metadata))
        new["updated_at"] = clock.iso()
        new["rev"] = old["rev"] + 1
        try:
            store.replace(tenant, old, new, search_tokens(old["fqn"]), search_tokens(new["fqn"]))
        except ConditionFailed as exc:
            if "guard" in exc.failed:
                raise duplicate(tenant, new["fqn"], new["environment"]) from None
            continue  # someone wrote in between (or deleted it), or the new team was deleted or
            # renamed since it was read: read both again (a team that is gone answers 404 there)
        return view(new)
    raise errors.Conflict("The asset kept changing while this update was applied; retry.",
                          code="CONCURRENT_UPDATE")


def delete(principal, asset_id: str) -> None:
    tenant = principal.tenant
    for _ in range(WRITE_ATTEMPTS):
        asset = get(tenant, asset_id)
        authorize_write(principal, asset, "delete")
        try:
            store.soft_delete(tenant, asset, search_tokens(asset["fqn"]), clock.iso())
            return
        except ConditionFailed:
            continue
    raise errors.Conflict("The asset kept changing while it was deleted; retry.", code="CONCURRENT_UPDATE")


# ------------------------------------------------------------------ reads
def _bad_query(name: str, message: str) -> errors.Unprocessable:
    return errors.Unprocessable(f"Query parameter '{name}': {message}.", detail=[
        {"loc": ["query", name], "msg": message, "type": "value_error"}])


def normalize_filters(fqn: str | None, owner_team_id: str | None, environment: str | None):
    if fqn is not None:
        fqn = fqn.strip().rstrip(".")
        if fqn:
            try:
                fqn = check_fqn(fqn)
            except ValueError as exc:
                raise _bad_query("fqn", str(exc)) from None
        else:
            fqn = None
    if owner_team_id:
        try:
            owner_team_id = str(uuid.UUID(owner_team_id))
        except ValueError:
            raise _bad_query("owner_team_id", "must be a UUID") from None
    else:
        owner_team_id = None
    if environment:
        try:
            environment = check_environment(environment)
        except ValueError as exc:
            raise _bad_query("environment", str(exc)) from None
    else:
        environment = None
    return fqn, owner_team_id, environment


def list_page(tenant: str, *, fqn=None, owner_team_id=None, environment=None, offset: int = 0,
              limit: int = 20, cursor: str | None = None) -> dict:
    """Seed envelope {results, total, page, page_size} (+ limit, offset and a `next` cursor)."""
    fqn, team, env = normalize_filters(fqn, owner_team_id, environment)
    # metadata (≤ 64 KB each) can pass the response budget: the page then stops early, `next` after it
    items, nxt = budget.cursor_page(
        lambda n: store.list_page(tenant, team=team, env=env, fqn=fqn, offset=0 if cursor else offset, limit=n,
                                  cursor=cursor), limit, items=lambda page: [view(a) for a in page[0]])
    exact = None
    if fqn and not cursor and not offset:  # the assets named exactly `fqn` sort first: all on page 1?
        named = sum(1 for a in items if a["fqn"] == fqn)
        exact = named if named < len(items) or nxt is None else None
    return {"results": [view(a) for a in items],
            "total": store.total(tenant, team=team, env=env, fqn=fqn, exact=exact),
            "page": offset // limit + 1, "page_size": limit, "limit": limit, "offset": offset,
            "next": nxt}


def search(tenant: str, q: str, limit: int) -> list[dict]:
    q = q.strip().lower()
    if not q or re.search(r"[\x00-\x1f\x7f]", q):
        raise _bad_query("q", "must be non-blank text without control characters")
    ids = store.search(tenant, q, limit)
    found = store.get_many(tenant, ids) if ids else {}
    return [view(found[i]) for i in ids if i in found]
