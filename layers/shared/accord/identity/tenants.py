"""Tenants: made by a platform admin, each with its first admin key (DESIGN §2)."""
import re

from accord import clock, errors
from accord.auth.principal import ADMIN, Principal
from accord.identity.api_keys import DEFAULT_TENANT, new_key
from accord.store import identity as store
from accord.store import settings
from accord.store.db import ConditionFailed

RATE_FIELDS = ("report_rate_per_second",)   # the platform's to set: a tenant may not raise its own limit


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


# ------------------------------------------------------------------ settings
def settings_view(tenant: str, stored: dict) -> dict:
    return {"tenant_id": tenant,
            "retention_days": int(stored.get("retention_days") or settings.RETENTION_DAYS),
            "report_rate_per_second": int(stored.get("report_rate_per_second") or settings.REPORT_RATE),
            "defaults": {"retention_days": settings.RETENTION_DAYS, "report_rate_per_second": settings.REPORT_RATE}}


def _settings_tenant(p: Principal, tenant_id: str) -> str:
    """The tenant whose settings `p` may see: its own (tenant admin) or any (platform admin)."""
    if tenant_id == p.tenant or p.platform_admin and (tenant_id == DEFAULT_TENANT or store.get_tenant(tenant_id)):
        return tenant_id
    raise errors.NotFound(f"Tenant {tenant_id!r} not found.", code="TENANT_NOT_FOUND")


def get_settings(p: Principal, tenant_id: str) -> dict:
    tenant = _settings_tenant(p, tenant_id)
    return settings_view(tenant, settings.get(tenant, fresh=True))


def update_settings(p: Principal, tenant_id: str, body, fields_set: set) -> dict:
    """A tenant admin sets its retention; the report rate limit is the platform admin's."""
    tenant = _settings_tenant(p, tenant_id)
    if not fields_set:
        raise errors.Unprocessable("Send at least one setting: retention_days, report_rate_per_second.")
    if fields_set & set(RATE_FIELDS) and not p.platform_admin:
        raise errors.Forbidden("Only a platform admin key may change a tenant's report rate limit.")
    return settings_view(tenant, settings.update(tenant, {n: getattr(body, n) for n in sorted(fields_set)}))
