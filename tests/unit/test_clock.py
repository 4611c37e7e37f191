"""clock.iso_millis is clock.iso of the same instant, for every millisecond value SQS can send
(exactly: the float path it replaced, datetime.fromtimestamp(ms / 1000), is off by one
millisecond for some instants centuries ahead)."""
from datetime import datetime, timedelta, timezone

from hypothesis import given, strategies as st

from accord import clock


@given(st.integers(min_value=0, max_value=253_402_300_799_999))
def test_iso_millis_is_iso_of_the_same_instant(millis):
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert clock.iso_millis(millis) == clock.iso(epoch + timedelta(milliseconds=millis))


def test_iso_millis_at_the_edges():
    assert clock.iso_millis(0) == "1970-01-01T00:00:00.000Z"
    assert clock.iso_millis(1_700_000_000_123) == "2023-11-14T22:13:20.123Z"
    assert clock.iso_millis(253_402_300_799_999) == "9999-12-31T23:59:59.999Z"
