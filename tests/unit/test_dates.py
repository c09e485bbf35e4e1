"""Date ranges, day counts and dates as people type them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nextcars_tui.domain.dates import DateRange, describe_days, on_day, spans_overlap
from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.parsing import parse_date, parse_days

D = date(2026, 3, 10)


def test_a_range_is_start_plus_days_with_an_exclusive_end():
    r = DateRange(D, 3)
    assert r.end == date(2026, 3, 13)
    assert r.last_day == date(2026, 3, 12)
    days = [on_day(r.start, r.end, D + timedelta(days=n)) for n in (-1, 0, 2, 3)]
    assert days == [False, True, True, False]


@pytest.mark.parametrize("days", [0, -1, -30])
def test_a_range_lasts_at_least_one_day(days):
    with pytest.raises(InvalidInput, match="at least one day"):
        DateRange(D, days)


def overlaps(a: DateRange, b: DateRange) -> bool:
    return spans_overlap(a.start, a.end, b.start, b.end)


def test_adjacent_ranges_do_not_overlap():
    first = DateRange(D, 3)
    assert not overlaps(first, DateRange(first.end, 2))
    assert not overlaps(DateRange(first.end, 2), first)
    assert not overlaps(first, DateRange(D - timedelta(days=2), 2))


@pytest.mark.parametrize(
    ("start_offset", "days"), [(0, 3), (2, 1), (-1, 2), (-5, 20), (1, 1), (2, 9)]
)
def test_sharing_any_day_overlaps(start_offset, days):
    first = DateRange(D, 3)
    other = DateRange(D + timedelta(days=start_offset), days)
    assert overlaps(first, other) and overlaps(other, first)


@given(
    a_start=st.integers(0, 60),
    a_days=st.integers(1, 30),
    b_start=st.integers(0, 60),
    b_days=st.integers(1, 30),
)
def test_overlap_means_sharing_a_day(a_start, a_days, b_start, b_days):
    a = DateRange(D + timedelta(days=a_start), a_days)
    b = DateRange(D + timedelta(days=b_start), b_days)
    a_days_set = {a.start + timedelta(days=n) for n in range(a.days)}
    b_days_set = {b.start + timedelta(days=n) for n in range(b.days)}
    assert overlaps(a, b) == bool(a_days_set & b_days_set) == overlaps(b, a)


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (date(2026, 12, 3), date(2026, 12, 4), "3 Dec"),
        (date(2026, 12, 3), date(2026, 12, 6), "3–5 Dec"),
        (date(2026, 11, 30), date(2026, 12, 3), "30 Nov–2 Dec"),
        (date(2026, 12, 30), date(2027, 1, 3), "30 Dec 2026–2 Jan 2027"),
        (date(2026, 3, 10), date(2026, 3, 11), "10 Mar"),
    ],
)
def test_describe_days_names_first_and_last_day(start, end, text):
    assert describe_days(start, end) == text


def test_a_range_prints_as_its_days():
    assert str(DateRange(date(2026, 12, 3), 3)) == "3–5 Dec"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-03-10", D), ("  2026-03-10 ", D), ("2028-02-29", date(2028, 2, 29))],
)
def test_parse_date_accepts_iso_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["2026-02-30", "2026-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-32"]
)
def test_parse_date_names_impossible_dates(text):
    with pytest.raises(InvalidInput, match=f"{text} is not a real calendar date"):
        parse_date(text)


@pytest.mark.parametrize(
    "text", ["", "10-03-26", "2026-03", "26-03-10", "2026-03-1x", "2026/03/10", "10/03/26"]
)
def test_parse_date_explains_the_format(text):
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        parse_date(text)


@given(st.text(max_size=20))
def test_parse_date_either_returns_a_date_or_says_why_not(text):
    try:
        parsed = parse_date(text)
    except InvalidInput as exc:
        assert str(exc)
    else:
        assert date(1900, 1, 1) <= parsed <= date(2999, 12, 31)


@pytest.mark.parametrize(("value", "days"), [(1, 1), ("1", 1), (" 7 ", 7), (30, 30), ("030", 30)])
def test_parse_days_accepts_whole_numbers_up_to_the_maximum(value, days):
    assert parse_days(value, 30) == days


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "at least one day, got 0"),
        ("0", "at least one day, got 0"),
        (-3, "at least one day, got -3"),
        ("-3", "at least one day, got -3"),
        (31, "at most 30 days, got 31"),
        ("31", "at most 30 days, got 31"),
        ("٣", "whole number"),
        ("1" * 10, "whole number"),
        ("1.5", "whole number"),
        ("2.0", "whole number"),
        ("1e1", "whole number"),
        ("two", "whole number"),
        ("", "whole number"),
        ("--3", "whole number"),
        ("+3", "whole number"),
        ("²", "whole number"),
        ("3 4", "whole number"),
        (True, "whole number"),
    ],
)
def test_parse_days_refuses_everything_else(value, message):
    with pytest.raises(InvalidInput, match=message):
        parse_days(value, 30)


@given(st.text(max_size=8))
def test_parse_days_either_returns_a_count_in_range_or_says_why_not(text):
    try:
        days = parse_days(text, 30)
    except InvalidInput:
        return
    assert 1 <= days <= 30
    assert days == int(text.strip())
