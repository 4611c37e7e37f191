"""Tenants: made by a platform admin, each with its first admin key (DESIGN §2)."""
import re

from accord import clock, errors
from accord.auth.principal import ADMIN, Principal
from accord.identity.api_keys import DEFAULT_TENANT, new_key
from accord.store import identity as store
from accord.store.db import ConditionFailed


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")
    if not slug:
        raise errors.Unprocessable("Tenant name must contain at least one letter or digit.",
                                   detail=[{"loc": ["body", "name"], "msg": "no letters or digits",
                                            "type": "value_error"}])
    return slug


def create_tenant(p: Principal, name: str) -> dict:
    if not p.platform_admin:
        raise errors.Forbidden("Only a platform admin key may create tenants.")
    slug = slugify(name)
    if slug == DEFAULT_TENANT:
        raise errors.Conflict(f"Tenant '{slug}' already exists.", code="TENANT_EXISTS")
    key, secret = new_key(slug, f"{name} admin", [ADMIN, "read", "write"], created_by=p.key_id)
    tenant = {"slug": slug, "name": name, "created_at": clock.iso(), "created_by": p.key_id}
    try:
        store.create_tenant(tenant, key)
    except ConditionFailed:
        raise errors.Conflict(f"Tenant '{slug}' already exists.", code="TENANT_EXISTS") from None
    return {"id": slug, "name": name, "created_at": tenant["created_at"],
            "admin_key": {"id": key["id"], "key": secret}}


def list_tenants(p: Principal, limit: int) -> list[dict]:
    if not p.platform_admin:
        raise errors.Forbidden("Only a platform admin key may list tenants.")
    items, _ = store.list_tenants(limit)
    return [{"id": t["slug"], "name": t["name"], "created_at": t["created_at"]} for t in items]
