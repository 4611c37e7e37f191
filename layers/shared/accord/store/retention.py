"""Retention: how long a tenant keeps what it reports — events, audit runs (and their counts),
rejected reports, the "last seen" items of reported keys and checks, activity.

Each such item carries `ttl` (epoch seconds). DynamoDB deletes an item some time after its ttl
(usually within days), so every read also filters on it (`live_filter`): an item leaves every
read at its ttl exactly. The ttl is when the item was recorded (not its event time: a backfill of
last year's runs is kept as long as today's) plus the tenant's retention, rounded up to a whole
week (WEEK) — so an asset's audit counts can
be kept per expiry week and summed over the weeks still live, and stay exact as runs expire.

The retention is a tenant setting (`retention_days`, default 90; items keep the ttl they were
written with when it changes). Export before expiry: point-in-time recovery / an S3 export of
the table (README, "Retention").
"""
from datetime import datetime

from accord import clock
from accord.store import settings

DEFAULT_DAYS = settings.RETENTION_DAYS
WEEK = 7 * 86400


def days(tenant: str) -> int:
    return int(settings.get(tenant).get("retention_days") or DEFAULT_DAYS)


def expires(tenant: str, when: str | datetime | None = None) -> int:
    """The ttl of an item of `tenant` whose own time is `when` (default: now)."""
    at = clock.now() if when is None else (clock.parse(when) if isinstance(when, str) else when)
    due = int(at.timestamp()) + days(tenant) * 86400
    return (due // WEEK + 1) * WEEK


def now_epoch() -> int:
    return int(clock.now().timestamp())


def live_filter() -> tuple[str, dict, dict]:
    """(FilterExpression, names, values) keeping items that have not expired."""
    return "(attribute_not_exists(#ttl) OR #ttl > :now)", {"#ttl": "ttl"}, {":now": now_epoch()}


def is_live(item: dict | None) -> bool:
    return bool(item) and (item.get("ttl") is None or int(item["ttl"]) > now_epoch())
