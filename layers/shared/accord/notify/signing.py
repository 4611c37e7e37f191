"""Standard Webhooks signatures (api-compatibility §6): `webhook-id`, `webhook-timestamp`,
`webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`, the key being the
base64-decoded part of a `whsec_` secret. Several signatures, space-separated, while a rotated-out
secret is still in its grace period. (Ten lines of hmac; the tests verify them with the
`standardwebhooks` library itself.)"""
import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _key(secret: str) -> bytes:
    return base64.b64decode(secret[len(PREFIX):] if secret.startswith(PREFIX) else secret)


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode("utf-8") + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode("ascii")


def headers(secrets_: list[str], msg_id: str, timestamp: int, body: bytes) -> dict:
    """The three Standard Webhooks headers, one signature per secret (current first)."""
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(signature(s, msg_id, timestamp, body) for s in secrets_)}
