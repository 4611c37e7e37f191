"""API keys, and turning a presented secret into a principal (DESIGN §2, §6)."""
import os
import uuid

from accord import clock, errors
from accord.auth import credentials
from accord.auth.principal import Principal
from accord.store import identity as store
from accord.store.db import ConditionFailed

DEFAULT_TENANT = "default"
BOOTSTRAP_KEY_ID = "bootstrap"


# ------------------------------------------------------------------ principals
def bootstrap_principal() -> Principal:
    return Principal(tenant=DEFAULT_TENANT, key_id=BOOTSTRAP_KEY_ID, name="bootstrap admin",
                     scopes=frozenset({"read", "write", "admin"}), platform_admin=True)


def principal_for_secret(secret: str | None, record_lookup=store.get_key) -> Principal | None:
    """The principal a secret stands for, or None if it is unknown, revoked or expired."""
    if not secret or len(secret) > 200:
        return None
    digest = credentials.hash_secret(secret)
    boot = os.environ.get("ACCORD_BOOTSTRAP_KEY_SHA256", "")
    if boot and credentials.same_hash(digest, boot):
        return bootstrap_principal()
    key_hex = credentials.key_id_of(secret)
    if not key_hex:
        return None
    record = record_lookup(key_hex)
    if not record or not credentials.same_hash(record.get("key_hash", ""), digest):
        return None
    if record.get("revoked_at"):
        return None
    if record.get("expires_at") and clock.parse(record["expires_at"]) <= clock.now():
        return None
    return Principal(tenant=record["tenant"], key_id=record["id"], name=record.get("name", ""),
                     email=record.get("email"), scopes=frozenset(record.get("scopes") or ()),
                     team_id=record.get("team_id"), project_roles=record.get("project_roles") or {},
                     platform_admin=False)


# ------------------------------------------------------------------ keys
def new_key(tenant: str, name: str, scopes, *, team_id=None, email=None, project_roles=None,
             expires_at=None, created_by=None) -> tuple[dict, str]:
    key_hex = credentials.new_key_id()
    secret = credentials.new_secret(key_hex)
    record = {"id": credentials.format_key_id(key_hex), "key_hex": key_hex, "key_hash": credentials.hash_secret(secret),
              "tenant": tenant, "name": name, "scopes": sorted(set(scopes)), "team_id": team_id,
              "email": email, "project_roles": project_roles or {}, "created_at": clock.iso(),
              "expires_at": expires_at, "created_by": created_by}
    return record, secret


def key_view(record: dict, secret: str | None = None) -> dict:
    out = {"id": record["id"], "name": record["name"], "scopes": record["scopes"],
           "team_id": record.get("team_id"), "email": record.get("email"),
           "project_roles": record.get("project_roles") or {}, "created_at": record["created_at"],
           "expires_at": record.get("expires_at"), "revoked_at": record.get("revoked_at"),
           "tenant": record["tenant"]}
    if secret is not None:
        out = {"id": out["id"], "key": secret, **{k: v for k, v in out.items() if k != "id"}}
    return out


def create_key(p: Principal, body, team_exists) -> dict:
    if body.team_id is not None and not team_exists(p.tenant, body.team_id):
        raise errors.NotFound(f"Team {body.team_id} not found in this tenant.", code="TEAM_NOT_FOUND")
    expires = None
    if body.expires_at is not None:
        expires_at = body.expires_at if body.expires_at.tzinfo else body.expires_at.replace(tzinfo=clock.now().tzinfo)
        if expires_at <= clock.now():
            raise errors.Unprocessable("expires_at must be in the future.",
                                       detail=[{"loc": ["body", "expires_at"], "msg": "must be in the future",
                                                "type": "value_error"}])
        expires = clock.iso(expires_at)
    record, secret = new_key(p.tenant, body.name, body.scopes, team_id=body.team_id, email=body.email,
                              project_roles=body.project_roles, expires_at=expires, created_by=p.key_id)
    store.put_key(record)
    return key_view(record, secret)


def _key_hex(key_id: str) -> str:
    try:
        return uuid.UUID(key_id).hex
    except ValueError:
        raise errors.NotFound(f"API key {key_id} not found.", code="API_KEY_NOT_FOUND") from None


def get_key(p: Principal, key_id: str) -> dict:
    record = store.get_key(_key_hex(key_id))
    if not record or record["tenant"] != p.tenant:
        raise errors.NotFound(f"API key {key_id} not found.", code="API_KEY_NOT_FOUND")
    return key_view(record)


def list_keys(p: Principal, limit: int, offset: int) -> list[dict]:
    items, start = [], None
    while len(items) < offset + limit:
        page, start = store.list_keys(p.tenant, offset + limit - len(items), start)
        items.extend(page)
        if not start:
            break
    return [key_view(r) for r in items[offset:offset + limit]]


def revoke_key(p: Principal, key_id: str) -> None:
    try:
        store.revoke_key(_key_hex(key_id), p.tenant, clock.iso())
    except ConditionFailed:
        record = store.get_key(_key_hex(key_id))
        if record and record["tenant"] == p.tenant and record.get("revoked_at"):
            return  # revoking twice is a no-op: DELETE is idempotent
        raise errors.NotFound(f"API key {key_id} not found.", code="API_KEY_NOT_FOUND") from None
