"""API-key secrets: format, hashing, and where clients put them.

A secret is `acc_<key id, 32 hex>_<43 url-safe random chars>`. The key id inside it lets the
authorizer fetch the key record with one GetItem; only the SHA-256 of the whole secret is stored,
so a table dump never yields a usable key.
"""
import hashlib
import hmac
import re
import secrets
import uuid

PREFIX = "acc_"
_SECRET = re.compile(r"^acc_([0-9a-f]{32})_[A-Za-z0-9_-]{43}$")
# Header spellings, in the order they are tried: registry (Tessera SDK), generic,
# reports (Dagster+), configuration (Telmai).
HEADERS = ("authorization", "x-api-key", "dagster-cloud-api-token", "x-tlm-key")


def new_key_id() -> str:
    return uuid.uuid4().hex


def new_secret(key_id: str) -> str:
    return f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def key_id_of(secret: str) -> str | None:
    """The key id embedded in a well-formed secret, else None."""
    m = _SECRET.match(secret)
    return m.group(1) if m else None


def format_key_id(key_id: str) -> str:
    """Key ids are shown as UUIDs; the secret embeds the 32-hex form."""
    return str(uuid.UUID(hex=key_id))


def secret_from_headers(headers: dict | None) -> str | None:
    """The presented secret from any accepted header (case-insensitive), else None."""
    if not headers:
        return None
    lower = {str(k).lower(): v for k, v in headers.items() if isinstance(v, str)}
    for name in HEADERS:
        value = (lower.get(name) or "").strip()
        if not value:
            continue
        if name == "authorization":
            scheme, _, token = value.partition(" ")
            if scheme.lower() not in ("bearer", "token") or not token.strip():
                continue
            value = token.strip()
        return value
    return None
