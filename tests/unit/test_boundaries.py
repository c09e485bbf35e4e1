"""Boundaries the rules draw exactly, each of which a one-character change would move: the
cancellation notice, a fee's rounding, the last minute of a day, two holds that touch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nextcars_tui.domain.errors import InvalidInput, ResourceKind
from nextcars_tui.domain.holds import Hold, overlapping_pairs
from nextcars_tui.domain.ledger import cancel_terms, percent_of, start_moment
from nextcars_tui.domain.parsing import parse_pickup_time

LONDON = ZoneInfo("Europe/London")
START = date(2026, 3, 20)


def terms_at(now: datetime, *, total: int = 10_000, percent: int = 20, hours: int = 48):
    return cancel_terms(total, START, now, LONDON, fee_percent=percent, notice_hours=hours)


def test_a_cancellation_exactly_the_notice_before_the_start_is_not_late():
    boundary = start_moment(START, LONDON) - timedelta(hours=48)
    on_time = terms_at(boundary)
    assert (on_time.late, on_time.fee_cents) == (False, 0)
    late = terms_at(boundary + timedelta(microseconds=1))
    assert (late.late, late.fee_cents) == (True, 2_000)


def test_the_notice_is_counted_from_midnight_business_time_not_utc():
    # 20 March 2026 starts at 00:00 GMT; the notice began 48 h before, 18 March 00:00 UTC.
    assert not terms_at(datetime(2026, 3, 18, 0, 0, tzinfo=UTC)).late
    assert terms_at(datetime(2026, 3, 18, 0, 1, tzinfo=UTC)).late


@pytest.mark.parametrize(
    ("total", "percent", "fee"),
    [(1, 50, 1), (3, 50, 2), (5, 10, 1), (4, 10, 0), (14, 25, 4), (10_001, 15, 1_500), (0, 20, 0)],
)
def test_a_fee_of_a_fraction_of_a_cent_rounds_half_up(total, percent, fee):
    assert percent_of(total, percent) == fee
    late = terms_at(start_moment(START, LONDON), total=total, percent=percent)
    assert late.fee_cents == fee


@pytest.mark.parametrize("typed", ["24:00", "24:30", "23:60", "99:99"])
def test_no_time_past_the_end_of_the_day_is_a_pickup_time(typed):
    with pytest.raises(InvalidInput, match="not a time of day"):
        parse_pickup_time(typed)


@pytest.mark.parametrize(("typed", "stored"), [("0:00", "00:00"), ("23:59", "23:59")])
def test_the_first_and_last_minute_are(typed, stored):
    assert parse_pickup_time(typed) == stored


def hold(ref: str, start: int, days: int, resource: int = 1) -> Hold:
    first = START + timedelta(days=start)
    return Hold(ResourceKind.CAR, resource, first, first + timedelta(days=days), ref)


def test_holds_that_touch_do_not_overlap_and_holds_that_share_a_day_do():
    assert overlapping_pairs([hold("A", 0, 2), hold("B", 2, 3)]) == []
    first, second = hold("A", 0, 3), hold("B", 2, 3)
    assert overlapping_pairs([second, first]) == [(first, second)]
    # Another car, or a driver of the same id, is another resource.
    assert overlapping_pairs([first, hold("C", 0, 3, resource=2)]) == []
    driver = Hold(ResourceKind.DRIVER, 1, first.start, first.end, "D")
    assert overlapping_pairs([first, driver]) == []


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(1, 6), st.integers(1, 3)), max_size=12))
def test_every_overlapping_resource_is_found(spans):
    holds = [
        hold(f"R{i}", start, days, resource) for i, (start, days, resource) in enumerate(spans)
    ]
    clashing = {
        frozenset((a.ref, b.ref))
        for i, a in enumerate(holds)
        for b in holds[i + 1 :]
        if a.resource_id == b.resource_id and a.start < b.end and b.start < a.end
    }
    found = overlapping_pairs(holds)
    assert {frozenset((a.ref, b.ref)) for a, b in found} <= clashing
    # Every hold that clashes with another is named in some pair.
    named = {ref for pair in found for ref in (pair[0].ref, pair[1].ref)}
    assert named == {ref for pair in clashing for ref in pair}
