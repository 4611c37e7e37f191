"""Time, in one place so tests can move it (freshness, expiry)."""
from datetime import datetime, timezone

_offset_seconds = 0.0


def now() -> datetime:
    now_ = datetime.now(timezone.utc)
    if _offset_seconds:
        from datetime import timedelta
        now_ += timedelta(seconds=_offset_seconds)
    return now_


def iso(dt: datetime | None = None) -> str:
    """ISO-8601 UTC with milliseconds and a Z, as all three families' clients expect."""
    dt = (dt or now()).astimezone(timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse(value: str) -> datetime:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
