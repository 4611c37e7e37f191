"""When a failed delivery is tried again, and when an endpoint is given up on (DESIGN §11).

Standard Webhooks' (and Svix's) schedule: immediately, then after 5 s, 5 min, 30 min, 2 h, 5 h,
10 h and 10 h — eight attempts over 27 h 15 min, so an endpoint down for a day still gets every
event. An endpoint that has failed for 3 days without one success is disabled.
`ACCORD_WEBHOOK_RETRY_SCALE` (local and tests only) multiplies both, so retries run in seconds.
"""
import os

DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)  # seconds before attempt 2, 3, ... 8
MAX_ATTEMPTS = len(DELAYS) + 1
DISABLE_AFTER = 3 * 86400
SQS_MAX_DELAY = 900  # SQS delays stop at 15 minutes: longer ones are chained


def scale() -> float:
    try:
        value = float(os.environ.get("ACCORD_WEBHOOK_RETRY_SCALE") or 1)
    except ValueError:
        return 1.0
    return value if value > 0 else 1.0


def delay_before(attempt: int) -> float | None:
    """Seconds to wait before attempt number `attempt` (2..MAX_ATTEMPTS); None past the last one."""
    if attempt < 2 or attempt > MAX_ATTEMPTS:
        return None
    return DELAYS[attempt - 2] * scale()


def disable_after() -> float:
    return DISABLE_AFTER * scale()
