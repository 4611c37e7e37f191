"""REQUEST authorizer: resolve the API key from any accepted header into a principal.

API Gateway's own result cache is off (see docs/ARCHITECTURE.md: it needs every identity
header present), so a warm container keeps successful lookups for ACCORD_AUTH_CACHE_SECONDS.
A revoked key therefore stops working within that many seconds.
"""
import os
import time

from accord import log, metrics
from accord.auth import credentials
from accord.identity.api_keys import principal_for_secret
from accord.log import logger

_TTL = float(os.environ.get("ACCORD_AUTH_CACHE_SECONDS", "30"))
_cache: dict[str, tuple[float, object]] = {}
_MAX_CACHE = 10_000


def _lookup(secret: str):
    digest = credentials.hash_secret(secret)
    hit = _cache.get(digest)
    now = time.monotonic()
    if hit and hit[0] > now:
        metrics.count("AuthorizerCache", outcome="hit")
        return hit[1]
    metrics.count("AuthorizerCache", outcome="miss")
    principal = principal_for_secret(secret)
    if principal is not None and _TTL > 0:
        if len(_cache) >= _MAX_CACHE:
            _cache.clear()
        _cache[digest] = (now + _TTL, principal)
    return principal


def _api_wildcard(method_arn: str) -> str:
    # arn:aws:execute-api:region:account:apiId/stage/METHOD/path -> .../apiId/stage/*/*
    head, _, rest = method_arn.partition(":execute-api:")
    parts = rest.split("/")
    return f"{head}:execute-api:{parts[0]}/{parts[1] if len(parts) > 1 else '*'}/*/*"


@metrics.flushed
def lambda_handler(event, context):
    # the functions' rule (accord.http.router): the caller's X-Request-ID, else API Gateway's id
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    request_id = headers.get("x-request-id") or (event.get("requestContext") or {}).get("requestId")
    log.bind(request_id)
    metrics.annotate(correlation_id=request_id)
    secret = credentials.secret_from_headers(event.get("headers"))
    principal = _lookup(secret) if secret else None
    if principal is None:
        metrics.count("AuthorizerCache", outcome="denied")
        logger.info("unauthorized", extra={"path": event.get("path"), "had_key": bool(secret)})
        raise Exception("Unauthorized")  # API Gateway's contract for a 401
    return {
        "principalId": principal.key_id,
        "policyDocument": {"Version": "2012-10-17", "Statement": [{
            "Action": "execute-api:Invoke", "Effect": "Allow",
            "Resource": _api_wildcard(event.get("methodArn", "arn:aws:execute-api:*:*:*/*/*/*"))}]},
        "context": principal.to_context(),
    }
