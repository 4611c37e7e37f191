"""Projects: integer ids from a per-tenant sequence; project 0 is implicit in every tenant (it
exists without being created, cannot be deleted, and may be renamed). A project is deleted only
when it holds no assets and no connections (409 otherwise) — checked by the delete's own
condition on the counts the asset and connection transactions keep, so no race can empty-check
a project while an asset lands in it.
"""
from accord import clock, errors
from accord.configuration import access
from accord.store import configuration as store
from accord.store.db import ConditionFailed

DEFAULT_NAME = "Default"
MAX_LIST = 1000


def not_found(project_id) -> errors.NotFound:
    return errors.NotFound(f"Project {project_id} not found.", code="PROJECT_NOT_FOUND")


def view(project: dict) -> dict:
    return {"id": project["id"], "name": project.get("name") or DEFAULT_NAME,
            "description": project.get("description"), "created_by": project.get("created_by"),
            "created_at": project.get("created_at"), "updated_at": project.get("updated_at") or project.get("created_at"),
            "asset_count": max(int(project.get("asset_count") or 0), 0),
            "connection_count": max(int(project.get("connection_count") or 0), 0)}


def load(tenant: str, project_id: int, consistent: bool = True) -> dict:
    """The project (project 0 always exists), or 404."""
    item = store.get_project(tenant, project_id, consistent)
    if item is None:
        if project_id == 0:
            return {"id": 0}
        raise not_found(project_id)
    if "name" not in item and project_id != 0:  # only counted, never created (cannot happen)
        raise not_found(project_id)
    return item


def parse(raw) -> int:
    return access.parse_id(raw, not_found(raw))


def get(principal, raw_id) -> dict:
    project_id = parse(raw_id)
    access.require(principal, project_id, access.READ, "read it")
    return view(load(principal.tenant, project_id))


def create(principal, body) -> dict:
    access.require_admin(principal, "create projects")
    tenant = principal.tenant
    now = clock.iso()
    project = {"id": store.next_id(tenant, "project"), "name": body.name, "description": body.description,
               "created_by": principal.display, "created_at": now, "updated_at": now}
    store.create_project(tenant, project)
    return view(project)


def update(principal, raw_id, body, fields_set: set) -> dict:
    project_id = parse(raw_id)
    access.require(principal, project_id, access.WRITE, "rename it")
    if "name" in fields_set and body.name is None:
        raise errors.BadRequest("name may not be null.", code="VALIDATION_ERROR")
    tenant = principal.tenant
    current = load(tenant, project_id)
    fields = {"updated_at": clock.iso()}
    if not current.get("created_at"):  # project 0, first written now
        fields["created_at"] = fields["updated_at"]
    if body.name is not None:
        fields["name"] = body.name
    if "description" in fields_set:
        fields["description"] = body.description
    try:
        item = store.update_project(tenant, project_id, fields)
    except ConditionFailed:
        raise not_found(project_id) from None
    return view(item)


def delete(principal, raw_id) -> None:
    project_id = parse(raw_id)
    access.require_admin(principal, "delete projects")
    tenant = principal.tenant
    if project_id == 0:
        raise errors.Conflict("Project 0 is every tenant's default project; it cannot be deleted.",
                              code="PROJECT_NOT_DELETABLE")
    load(tenant, project_id)
    try:
        store.delete_project(tenant, project_id)
    except ConditionFailed:
        project = load(tenant, project_id)  # 404 if it went away meanwhile
        counts = view(project)
        raise errors.Conflict(
            f"Project {project_id} is not empty ({counts['asset_count']} asset(s), {counts['connection_count']} "
            "connection(s)); move or delete them first.", code="PROJECT_NOT_EMPTY") from None


def list_page(principal, limit: int, after: int | None) -> tuple[list[dict], int | None]:
    """Projects the key may read, by id: (items, id to continue after or None)."""
    tenant = principal.tenant
    readable = access.readable_projects(principal)
    if readable is not None:
        ids = [p for p in readable if after is None or p > after]
        page_ids = ids[:limit]
        found = store.get_projects(tenant, page_ids) if page_ids else {}
        out = []
        for p in page_ids:
            if p == 0:
                out.append(view(found.get(0) or {"id": 0}))
            elif p in found and "name" in found[p]:
                out.append(view(found[p]))
        return out, (page_ids[-1] if len(ids) > limit else None)
    out = []
    if after is None:
        out.append(view(store.get_project(tenant, 0, consistent=False) or {"id": 0}))
    items, more = store.list_projects(tenant, after, limit - len(out))
    out.extend(view(i) for i in items)
    return out, (out[-1]["id"] if more and out else None)
