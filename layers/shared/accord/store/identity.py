"""Tenants and API keys."""
from accord.store import db, keys as k


def get_tenant(slug: str) -> dict | None:
    return db.get(k.tenant_pk(slug), k.TENANT_SK)


def list_tenants(limit: int, start=None):
    return db.query(k.TENANTS_GSI, index="GSI1", limit=limit, start=start)


def _key_item(record: dict) -> dict:
    return {"PK": k.apikey_pk(record["key_hex"]), "SK": k.APIKEY_SK,
            "GSI1PK": k.apikeys_gsi(record["tenant"]),
            "GSI1SK": k.created_sort(record["created_at"], record["key_hex"]), **record}


def create_tenant(tenant: dict, admin_key: dict) -> None:
    """Tenant and its first admin key together, or neither. Raises ConditionFailed on a taken slug."""
    db.transact([
        db.put_op({"PK": k.tenant_pk(tenant["slug"]), "SK": k.TENANT_SK, "GSI1PK": k.TENANTS_GSI,
                   "GSI1SK": tenant["slug"], **tenant}, "attribute_not_exists(PK)"),
        db.put_op(_key_item(admin_key), "attribute_not_exists(PK)"),
    ])


def put_key(record: dict) -> None:
    db.put(_key_item(record), condition="attribute_not_exists(PK)")


def get_key(key_hex: str, consistent: bool = True) -> dict | None:
    return db.get(k.apikey_pk(key_hex), k.APIKEY_SK, consistent=consistent)


def list_keys(tenant: str, limit: int, start=None):
    return db.query(k.apikeys_gsi(tenant), index="GSI1", limit=limit, start=start, forward=False)


def revoke_key(key_hex: str, tenant: str, at: str) -> dict:
    """Sets revoked_at once; raises ConditionFailed if the key is unknown, foreign or revoked."""
    return db.update(k.apikey_pk(key_hex), k.APIKEY_SK, "SET revoked_at = :at",
                     condition="attribute_exists(PK) AND tenant = :t AND attribute_not_exists(revoked_at)",
                     values={":at": at, ":t": tenant})
