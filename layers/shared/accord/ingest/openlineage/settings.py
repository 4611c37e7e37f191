"""The tenant's lineage settings: which registry environment an OpenLineage namespace stands for.

`{"namespaces": {"postgres://prod-db:5432": "production", "postgres://staging-db:5432": "staging",
"s3://dev-*": "dev"}, "default_environment": "production"}` — a key is a namespace exactly, or a
prefix ending in `*`; the exact key wins, then the longest prefix, then `default_environment`
(default `production`, the registry's own default). Read once a minute per warm environment.
"""
import time

from accord import clock, errors
from accord.registry.naming import check_environment
from accord.store import ingest as store

DEFAULT_ENVIRONMENT = "production"
MAX_NAMESPACES = 200
MAX_NAMESPACE_CHARS = 1_024
CACHE_SECONDS = 60.0
_cache: dict[str, tuple[float, dict]] = {}


def defaults() -> dict:
    return {"namespaces": {}, "default_environment": DEFAULT_ENVIRONMENT, "updated_at": None, "updated_by": None}


def get(tenant: str, *, fresh: bool = False) -> dict:
    now = time.monotonic()
    hit = _cache.get(tenant)
    if hit and hit[0] > now and not fresh:
        return hit[1]
    doc = {**defaults(), **(store.settings(tenant) or {})}
    _cache[tenant] = (now + CACHE_SECONDS, doc)
    return doc


def environment(doc: dict, namespace: str) -> str:
    mapping = doc.get("namespaces") or {}
    if namespace in mapping:
        return mapping[namespace]
    best = None
    for key, env in mapping.items():
        if key.endswith("*") and namespace.startswith(key[:-1]) and (best is None or len(key) > len(best[0])):
            best = (key, env)
    return best[1] if best else doc.get("default_environment") or DEFAULT_ENVIRONMENT


def _invalid(loc: list, msg: str) -> errors.Unprocessable:
    return errors.Unprocessable(f"{'.'.join(str(p) for p in loc)}: {msg}",
                                detail=[{"loc": ["body", *loc], "msg": msg, "type": "value_error"}])


def put(principal, body) -> dict:
    """Replace the settings (tenant admins: they decide for every team's events)."""
    if len(body.namespaces) > MAX_NAMESPACES:
        raise _invalid(["namespaces"], f"at most {MAX_NAMESPACES} namespaces")
    namespaces = {}
    for ns, env in body.namespaces.items():
        if not ns or len(ns) > MAX_NAMESPACE_CHARS or any(ord(c) < 32 for c in ns):
            raise _invalid(["namespaces", ns[:80]], f"a namespace is 1-{MAX_NAMESPACE_CHARS} characters "
                                                    "without control characters")
        try:
            namespaces[ns] = check_environment(env)
        except ValueError as exc:
            raise _invalid(["namespaces", ns[:80]], str(exc)) from None
    try:
        default = check_environment(body.default_environment)
    except ValueError as exc:
        raise _invalid(["default_environment"], str(exc)) from None
    doc = {"namespaces": namespaces, "default_environment": default, "updated_at": clock.iso(),
           "updated_by": principal.display}
    store.put_settings(principal.tenant, doc)
    _cache[principal.tenant] = (time.monotonic() + CACHE_SECONDS, doc)
    return doc
