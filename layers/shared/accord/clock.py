"""Time, in one place so tests can move it (freshness, expiry)."""
import time
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


_YEAR_10000_MS = 253_402_300_800_000


def iso_millis(millis: int) -> str:
    """`iso` of a Unix time in milliseconds (SQS's SentTimestamp), without building a datetime (and
    exact: `fromtimestamp(ms / 1000)` rounds through a float)."""
    if not 0 <= millis < _YEAR_10000_MS:
        return iso(datetime.fromtimestamp(millis / 1000, tz=timezone.utc))   # datetime's errors, as before
    return time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(millis // 1000)) + f"{millis % 1000:03d}Z"


def parse(value: str) -> datetime:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
