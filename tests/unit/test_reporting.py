"""The reports' arithmetic: percentages, period keys, days inside a period, and the UTC spans
that bucket moments by business date."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.reporting import (
    Grouping,
    Period,
    Revenue,
    Takings,
    Utilisation,
    day_start,
    fleet_of,
    last_month,
    month_of,
    offset_spans,
    percent_tenths,
    percent_text,
    period_key,
    period_keys,
    year_of,
)


@pytest.mark.parametrize(
    ("part", "whole", "tenths", "text"),
    [
        (1, 8, 125, "12.5"),
        (1, 3, 333, "33.3"),
        (2, 3, 667, "66.7"),
        (1, 16, 63, "6.3"),  # 6.25 rounds half up
        (1, 32, 31, "3.1"),  # 3.125
        (3, 29, 103, "10.3"),
        (31, 31, 1000, "100.0"),
        (0, 31, 0, "0.0"),
        (5, 0, 0, "0.0"),  # nothing available: 0, not a division by zero
    ],
)
def test_percentages_round_half_up_to_one_decimal(part, whole, tenths, text):
    assert percent_tenths(part, whole) == tenths
    assert percent_text(tenths) == text


def test_utilisation_is_of_the_days_not_blocked():
    figures = Utilisation(booked_days=3, blocked_days=2, capacity_days=31)
    assert (figures.available_days, figures.percent_tenths, figures.percent) == (29, 103, 10.3)
    assert Utilisation(0, 31, 31).percent == 0


def test_the_fleet_sums_its_cars_out_of_every_cars_days():
    fleet = fleet_of([Utilisation(10, 0, 31), Utilisation(0, 31, 31), Utilisation(5, 1, 31)], 31)
    assert (fleet.booked_days, fleet.blocked_days, fleet.capacity_days) == (15, 32, 93)
    assert fleet.percent == 24.6  # 15 / 61


@pytest.mark.parametrize(
    ("day", "grouping", "key"),
    [
        (date(2027, 1, 31), Grouping.DAY, "2027-01-31"),
        (date(2027, 1, 31), Grouping.MONTH, "2027-01"),
        (date(2027, 2, 1), Grouping.WEEK, "2027-W05"),
        (date(2027, 1, 1), Grouping.WEEK, "2026-W53"),  # ISO weeks belong to their Thursday
        (date(2024, 12, 30), Grouping.WEEK, "2025-W01"),
    ],
)
def test_period_keys(day, grouping, key):
    assert period_key(day, grouping) == key


def test_every_period_the_days_touch_appears_once_in_order():
    period = Period(date(2027, 1, 30), date(2027, 3, 2))
    assert period_keys(period, Grouping.MONTH) == ["2027-01", "2027-02", "2027-03"]
    assert period_keys(period, Grouping.WEEK)[:2] == ["2027-W04", "2027-W05"]
    assert len(period_keys(period, Grouping.DAY)) == period.days == 32


def test_a_period_counts_its_days_inclusively_and_cuts_intervals_to_them():
    period = Period(date(2027, 1, 1), date(2027, 1, 31))
    assert (period.days, period.end) == (31, date(2027, 2, 1))
    assert period.days_inside(date(2026, 12, 28), date(2027, 1, 4)) == 3
    assert period.days_inside(date(2027, 1, 29), date(2027, 2, 3)) == 3
    assert period.days_inside(date(2026, 12, 1), date(2027, 3, 1)) == 31
    assert period.days_inside(date(2027, 2, 1), date(2027, 2, 5)) == 0
    with pytest.raises(InvalidInput, match="after its last day"):
        Period(date(2027, 2, 1), date(2027, 1, 31))


def test_named_periods():
    assert month_of(date(2028, 2, 10)) == Period(date(2028, 2, 1), date(2028, 2, 29))
    assert last_month(date(2027, 1, 15)) == Period(date(2026, 12, 1), date(2026, 12, 31))
    assert year_of(date(2027, 6, 1)) == Period(date(2027, 1, 1), date(2027, 12, 31))


def test_sums_add_up():
    revenue = Revenue().plus("charge", 100).plus("fee", 5).plus("adjustment", -10)
    revenue = revenue.plus("payment", 80).plus("refund", 20)
    assert (revenue.billed_cents, revenue.collected_cents) == (95, 60)
    assert (revenue + revenue).billed_cents == 190
    till = Takings().plus("payment", 500, 2).plus("refund", 100, 1)
    assert (till.net_cents, till.count, (till + till).net_cents) == (400, 3, 800)


ZONES = st.sampled_from(
    [
        "Europe/London",
        "America/New_York",
        "Asia/Kolkata",  # +05:30
        "Australia/Lord_Howe",  # half-hour summer time
        "America/Sao_Paulo",  # midnight changes, in past years
        "Pacific/Apia",  # skipped a whole day in 2011
        "UTC",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    zone_name=ZONES,
    first=st.dates(date(2010, 1, 1), date(2030, 12, 31)),
    days=st.integers(1, 400),
    step=st.integers(0, 2**40),
)
def test_each_span_gives_every_moment_in_it_its_business_date(zone_name, first, days, step):
    zone = ZoneInfo(zone_name)
    period = Period(first, first + timedelta(days=days - 1))
    spans = offset_spans(period, zone)
    assert spans[0].since == day_start(period.first, zone)
    assert spans[-1].until == day_start(period.end, zone)
    for earlier, later in itertools.pairwise(spans):
        assert earlier.until == later.since and earlier.offset_seconds != later.offset_seconds
    for span in spans:
        length = (span.until - span.since) // timedelta(microseconds=1)
        for moment in (
            span.since,
            span.since + timedelta(microseconds=step % length),
            span.until - timedelta(microseconds=1),
        ):
            shifted = (moment + timedelta(seconds=span.offset_seconds)).date()
            assert shifted == moment.astimezone(zone).date()
            assert period.first <= shifted <= period.last


def test_london_in_2027_has_three_spans():
    spans = offset_spans(Period(date(2027, 1, 1), date(2027, 12, 31)), ZoneInfo("Europe/London"))
    assert [(s.since, s.offset_seconds) for s in spans] == [
        (datetime(2027, 1, 1, tzinfo=UTC), 0),
        (datetime(2027, 3, 28, 1, tzinfo=UTC), 3600),
        (datetime(2027, 10, 31, 1, tzinfo=UTC), 0),
    ]
    assert spans[-1].until == datetime(2028, 1, 1, tzinfo=UTC)
