"""Freshness is a pure function of the allowance, the last update and now."""
from datetime import datetime, timedelta, timezone

import pytest

from accord.reports.record import last_updated_timestamp
from accord.reports.status import freshness, max_staleness

T0 = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


def test_fresh_within_the_allowance_stale_after_it():
    assert freshness(60, T0, T0 + timedelta(minutes=59)) == {
        "status": "fresh", "last_updated_at": "2024-06-01T12:00:00.000Z", "stale_since": None,
        "max_staleness_minutes": 60}
    assert freshness(60, T0, T0 + timedelta(minutes=60))["status"] == "fresh"
    stale = freshness(60, T0, T0 + timedelta(minutes=61))
    assert stale["status"] == "stale" and stale["stale_since"] == "2024-06-01T13:00:00.000Z"


@pytest.mark.parametrize("allowance, updated", [(None, T0), (60, None), (None, None)])
def test_unknown_without_a_guarantee_or_an_update(allowance, updated):
    out = freshness(allowance, updated, T0)
    assert out["status"] == "unknown" and out["stale_since"] is None
    assert out["last_updated_at"] == ("2024-06-01T12:00:00.000Z" if updated else None)


def test_the_allowance_comes_from_the_guarantees():
    assert max_staleness({"freshness": {"max_staleness_minutes": 30}}) == 30
    assert max_staleness({"freshness": {"max_staleness_hours": 2}}) == 120
    assert max_staleness({"freshness": {"max_staleness_minutes": 0}}) is None
    assert max_staleness({"freshness": {"max_staleness_minutes": "60"}}) is None
    assert max_staleness({"volume": {}}) is None and max_staleness(None) is None


@pytest.mark.parametrize("value, expected", [
    (1_717_243_200, "2024-06-01T12:00:00.000Z"),
    (1_717_243_200.5, "2024-06-01T12:00:00.500Z"),
    ("1717243200", "2024-06-01T12:00:00.000Z"),
    ("2024-06-01T12:00:00Z", "2024-06-01T12:00:00.000Z"),
    ({"raw_value": 1_717_243_200}, "2024-06-01T12:00:00.000Z"),
    (True, None), ("soon", None), (None, None), (float("inf"), None),
])
def test_observation_last_updated_timestamp(value, expected):
    assert last_updated_timestamp({"dagster/last_updated_timestamp": value}) == expected
