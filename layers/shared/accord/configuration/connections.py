"""Connections: where assets are read from. Project connections (scope PROJECT) belong to one
project; global ones (scope GLOBAL, `project_id` null) serve every project of the tenant and are
managed by tenant admins only.

Credentials are write-only. `credential` {type, payload} is stored in its own item under a random
reference (keys.py: CFGSECRET) that no route reads; the connection keeps only the reference. It
is never returned (responses say `has_credential`), never logged (the router logs method, path
and status only, and validation messages never echo values). Encryption at rest is DynamoDB's
table encryption (SSE with KMS); see README, Configuration, for the upgrade path (a KMS envelope).
"""
import json
import secrets

from accord import clock, errors
from accord.configuration import access, projects
from accord.store import configuration as store
from accord.store.db import ConditionFailed

WRITE_ATTEMPTS = 4
MAX_PAYLOAD_BYTES = 65_536  # a connection's or asset's payload, its options, a credential


def not_found(connection_id) -> errors.NotFound:
    return errors.NotFound(f"Connection {connection_id} not found.", code="CONNECTION_NOT_FOUND")


def view(conn: dict) -> dict:
    return {"id": conn["id"], "project_id": conn["project_id"], "name": conn["name"], "type": conn["type"],
            "payload": conn.get("payload") or {}, "scope": conn["scope"], "created_by": conn.get("created_by"),
            "created_at": conn["created_at"], "updated_at": conn.get("updated_at") or conn["created_at"],
            "db_type": conn.get("db_type"), "has_credential": bool(conn.get("credential_ref"))}


def check_size(value: dict, what: str) -> dict:
    size = len(json.dumps(value, separators=(",", ":"), default=str).encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise errors.PayloadTooLarge(f"{what} is {size} bytes; the limit is {MAX_PAYLOAD_BYTES}.")
    return value


def parse(raw) -> int:
    return access.parse_id(raw, not_found(raw))


def usable_in(conn: dict | None, project_id: int) -> bool:
    return conn is not None and (conn["scope"] == "GLOBAL" or conn["project_id"] == project_id)


def load(tenant: str, project_id: int, connection_id: int) -> dict:
    """A connection visible from `project_id` (its own or a global one), or 404."""
    conn = store.get_connection(tenant, connection_id)
    if not usable_in(conn, project_id):
        raise not_found(connection_id)
    return conn


def _credential(body) -> tuple[str | None, dict | None]:
    if body.credential is None:
        return None, None
    cred = {"type": body.credential.type, "payload": check_size(body.credential.payload, "credential.payload")}
    return secrets.token_hex(16), cred


def create(principal, project_id: int | None, body) -> dict:
    tenant = principal.tenant
    if project_id is None:
        access.require_admin(principal, "create global connections")
        if body.scope not in (None, "GLOBAL"):
            raise errors.BadRequest("scope must be GLOBAL on /connections; create project connections under "
                                    "/projects/{projectId}/connections.", code="VALIDATION_ERROR")
    else:
        access.require(principal, project_id, access.WRITE, "create connections")
        if body.scope not in (None, "PROJECT"):
            raise errors.BadRequest("scope must be PROJECT here; global connections are created with "
                                    "POST /connections (tenant admins).", code="VALIDATION_ERROR")
        projects.load(tenant, project_id)
    ref, cred = _credential(body)
    now = clock.iso()
    conn = {"id": store.next_id(tenant, "connection"), "project_id": project_id, "name": body.name,
            "type": body.type, "payload": check_size(body.payload, "payload"),
            "scope": "GLOBAL" if project_id is None else "PROJECT", "db_type": body.db_type,
            "created_by": principal.display, "created_at": now, "updated_at": now, "rev": 1,
            "credential_ref": ref, "asset_count": 0}
    try:
        store.create_connection(tenant, conn, cred)
    except ConditionFailed:
        raise projects.not_found(project_id) from None
    return view(conn)


def get(principal, project_id: int, raw_id) -> dict:
    access.require(principal, project_id, access.READ, "read its connections")
    projects.load(principal.tenant, project_id)
    return view(load(principal.tenant, project_id, parse(raw_id)))


def list_page(principal, project_id: int | None, limit: int, after: int | None) -> tuple[list[dict], int | None]:
    tenant = principal.tenant
    if project_id is None:
        if not access.is_tenant_admin(principal) and not access.readable_projects(principal):
            raise errors.Forbidden("This API key has no project role in this tenant.", code="FORBIDDEN")
    else:
        access.require(principal, project_id, access.READ, "read its connections")
        projects.load(tenant, project_id)
    items, more = store.list_connections(tenant, project_id, after, limit)
    return [view(c) for c in items], (items[-1]["id"] if more and items else None)


def _authorize_change(principal, conn: dict, project_id: int, action: str) -> None:
    if conn["scope"] == "GLOBAL":
        access.require_admin(principal, f"{action} global connections")
    else:
        access.require(principal, project_id, access.WRITE, f"{action} its connections")


def update(principal, project_id: int, raw_id, body, fields_set: set) -> dict:
    tenant = principal.tenant
    access.require(principal, project_id, access.READ, "read its connections")
    for name in ("name", "type", "payload"):
        if name in fields_set and getattr(body, name) is None:
            raise errors.BadRequest(f"{name} may not be null.", code="VALIDATION_ERROR")
    connection_id = parse(raw_id)
    projects.load(tenant, project_id)
    for _ in range(WRITE_ATTEMPTS):
        old = load(tenant, project_id, connection_id)
        _authorize_change(principal, old, project_id, "change")
        new = dict(old)
        if body.name is not None:
            new["name"] = body.name
        if body.type is not None:
            new["type"] = body.type
        if body.payload is not None:
            new["payload"] = check_size(body.payload, "payload")
        if "db_type" in fields_set:
            new["db_type"] = body.db_type
        ref, cred = _credential(body)
        if ref:
            new["credential_ref"] = ref
        if new["type"] != old["type"] and int(old.get("asset_count") or 0) > 0:
            raise _in_use(old, "its type cannot change")
        new["updated_at"] = clock.iso()
        new["rev"] = old["rev"] + 1
        try:
            store.update_connection(tenant, old, new, cred)
            return view(new)
        except ConditionFailed:
            continue
    raise errors.Conflict("The connection kept changing while this update was applied; retry.",
                          code="CONCURRENT_UPDATE")


def _in_use(conn: dict, what: str) -> errors.Conflict:
    n = int(conn.get("asset_count") or 0)
    return errors.Conflict(f"Connection {conn['id']} is used by {n} asset(s); {what}. Point them at another "
                           "connection first.", code="CONNECTION_IN_USE")


def delete(principal, project_id: int, raw_id) -> None:
    tenant = principal.tenant
    access.require(principal, project_id, access.READ, "read its connections")
    connection_id = parse(raw_id)
    projects.load(tenant, project_id)
    for _ in range(WRITE_ATTEMPTS):
        conn = load(tenant, project_id, connection_id)
        _authorize_change(principal, conn, project_id, "delete")
        if int(conn.get("asset_count") or 0) > 0:
            raise _in_use(conn, "it cannot be deleted")
        try:
            store.delete_connection(tenant, conn)
            return
        except ConditionFailed:
            continue
    raise errors.Conflict("The connection kept changing while it was deleted; retry.", code="CONCURRENT_UPDATE")
