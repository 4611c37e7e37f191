"""A tenant's settings item (`T#{t}#SETTINGS`): retention, report rate limit. Read on hot paths,
so each warm environment keeps it for CACHE_SECONDS: a change takes effect within that."""
import time

from accord.store import db, keys as k

CACHE_SECONDS = 60.0
RETENTION_DAYS = 90        # events, audit runs, rejected reports, activity
REPORT_RATE = 100          # report requests a second per tenant (single or batch; the queue is not limited)
_cache: dict[str, tuple[float, dict]] = {}


def get(tenant: str, fresh: bool = False) -> dict:
    hit = _cache.get(tenant)
    if hit and not fresh and hit[0] > time.monotonic():
        return hit[1]
    item = db.get(k.settings_pk(tenant), k.SETTINGS_SK, consistent=fresh) or {}
    value = {key: v for key, v in item.items() if key not in ("PK", "SK")}
    _cache[tenant] = (time.monotonic() + CACHE_SECONDS, value)
    return value


def clear_cache() -> None:
    """Tests that start a fresh table call this."""
    _cache.clear()


def report_rate(tenant: str) -> int:
    return int(get(tenant).get("report_rate_per_second") or REPORT_RATE)


def update(tenant: str, fields: dict) -> dict:
    """SET `fields` (REMOVE those given as None); returns the settings as stored now."""
    sets = [n for n, v in fields.items() if v is not None]
    removes = [n for n, v in fields.items() if v is None]
    expr = ""
    if sets:
        expr += "SET " + ", ".join(f"#f{i} = :f{i}" for i, _ in enumerate(sets))
    if removes:
        expr += " REMOVE " + ", ".join(f"#r{i}" for i, _ in enumerate(removes))
    names = {**{f"#f{i}": n for i, n in enumerate(sets)}, **{f"#r{i}": n for i, n in enumerate(removes)}}
    values = {f":f{i}": fields[n] for i, n in enumerate(sets)} or None
    item = db.update(k.settings_pk(tenant), k.SETTINGS_SK, expr.strip(), names=names, values=values)
    value = {key: v for key, v in (item or {}).items() if key not in ("PK", "SK")}
    _cache[tenant] = (time.monotonic() + CACHE_SECONDS, value)
    return value
