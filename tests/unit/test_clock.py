"""The clock: the one place that reads the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from nextcars_tui.clock import fixed_clock, system_clock


def test_the_system_clock_is_timezone_aware():
    assert system_clock().tzinfo is not None


def test_a_fixed_clock_stays_put():
    moment = datetime(2026, 3, 10, 23, 59, tzinfo=timezone(timedelta(hours=-5)))
    clock = fixed_clock(moment)
    assert clock() == moment == clock()


def test_a_fixed_clock_needs_an_aware_moment():
    with pytest.raises(ValueError, match="timezone-aware"):
        fixed_clock(datetime(2026, 3, 10, 9))
    assert fixed_clock(datetime(2026, 3, 10, 9, tzinfo=UTC))().tzinfo is UTC
