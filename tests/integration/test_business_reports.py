"""Utilisation, revenue and takings on each engine: Hypothesis writes bookings, blocks and
ledger entries straight into the tables, and every figure must equal what the raw rows give
when counted again day by day (reportkit); plus the boundaries and who may see what."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from deskkit import START
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportkit import (
    LONDON,
    Entry,
    Hold,
    expected_revenue,
    expected_takings,
    expected_utilisation,
    insert,
)

from nextcars_tui.domain.errors import InvalidInput, NotAllowed
from nextcars_tui.domain.reporting import Grouping
from nextcars_tui.services.business_reports import (
    revenue_report,
    takings_report,
    utilisation_report,
)

# London's clocks go forward on 28 March 2027 and back on 31 October; the periods drawn
# here often hold the first change, and entries near midnight fall on either side of it.
BASE = date(2027, 3, 10)
STATUSES = ("pending", "confirmed", "completed", "cancelled")
CLERKS = ("sam", "mia", "system:cli")


@st.composite
def moments(draw: st.DrawFn, first: date, last: date) -> datetime:
    """A UTC moment in or next to the period: often at, or just around, a business midnight
    (which in summer is 23:00 UTC the day before)."""
    day = first + timedelta(days=draw(st.integers(-1, (last - first).days + 1)))
    midnight = datetime.combine(day, datetime.min.time(), LONDON).astimezone(UTC)
    nearby = st.sampled_from(
        [timedelta(0), timedelta(microseconds=-1), timedelta(minutes=-30), timedelta(minutes=30)]
    )
    anytime = st.integers(0, 86_399_999_999).map(lambda us: timedelta(microseconds=us))
    return midnight + draw(st.one_of(nearby, anytime))


@st.composite
def holds(draw: st.DrawFn, first: date, last: date) -> Hold:
    """A booking or a block, often starting or ending on or next to an edge of the period."""
    days = draw(st.integers(1, 20))
    edge = draw(st.sampled_from(("start", "ends at start", "end", "anywhere")))
    if edge == "start":
        start = first + timedelta(days=draw(st.integers(-2, 2)))
    elif edge == "ends at start":
        start = first + timedelta(days=draw(st.integers(-1, 2)) - days)
    elif edge == "end":
        start = last + timedelta(days=1 + draw(st.integers(-2, 2)) - days)
    else:
        start = BASE + timedelta(days=draw(st.integers(-30, 70)))
    if draw(st.booleans()):
        return Hold(
            start,
            days,
            draw(st.integers(1, 4)),
            draw(st.integers(1, 4)),
            draw(st.sampled_from(STATUSES)),
        )
    car = draw(st.booleans())
    resource = draw(st.integers(1, 4))
    return Hold(
        start,
        days,
        resource if car else None,
        None if car else resource,
        "block",
        removed=draw(st.booleans()),
    )


@st.composite
def entries(draw: st.DrawFn, first: date, last: date) -> Entry:
    kind = draw(st.sampled_from(("charge", "fee", "adjustment", "payment", "refund")))
    if kind in ("payment", "refund"):
        amount = draw(st.integers(1, 500_000))
        method = draw(st.sampled_from(("card", "cash", "transfer")))
    else:
        amount = draw(st.integers(-500_000, 500_000).filter(bool))
        method = None
    return Entry(
        kind,
        amount,
        draw(moments(first, last)),
        draw(st.sampled_from(CLERKS)),
        method,
        draw(st.integers(0, 50)),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[date, date, list[Hold], list[Entry], set[int], date]:
    first = BASE + timedelta(days=draw(st.integers(0, 25)))
    last = first + timedelta(days=draw(st.integers(0, 45)))
    till_day = first + timedelta(days=draw(st.integers(0, (last - first).days)))
    return (
        first,
        last,
        draw(st.lists(holds(first, last), max_size=25)),
        draw(st.lists(entries(first, last), max_size=40)),
        draw(st.sets(st.integers(1, 4), max_size=2)),
        till_day,
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_every_figure_is_what_the_raw_rows_give(make_desk, actors, scenario):
    first, last, drawn_holds, drawn_entries, retired, till_day = scenario
    desk = make_desk()
    insert(desk, drawn_holds, drawn_entries, retired)
    manager = actors["manager"]

    used = utilisation_report(desk, manager, first, last)
    wanted = expected_utilisation(desk, first, last)
    days = (last - first).days + 1
    assert used.period.days == days
    for lines, expected in ((used.cars, wanted.cars), (used.drivers, wanted.drivers)):
        got = {line.key: (line.figures.booked_days, line.figures.blocked_days) for line in lines}
        assert got == expected
        assert all(line.figures.capacity_days == days for line in lines)
    assert used.fleet.booked_days == sum(line.figures.booked_days for line in used.cars)
    assert used.fleet.blocked_days == sum(line.figures.blocked_days for line in used.cars)
    assert used.fleet.capacity_days == days * len(used.cars)

    for grouping in Grouping:
        revenue = revenue_report(desk, manager, first, last, grouping)
        want = expected_revenue(desk, first, last, grouping.value)
        got = {line.period: _revenue(line.figures) for line in revenue.lines}
        assert list(got) == list(want)
        assert got == want
        total = _revenue(revenue.total)
        assert total == {key: sum(f[key] for f in got.values()) for key in total}

    for actor, clerk in ((manager, None), (actors["staff"], actors["staff"].username)):
        till = takings_report(desk, actor, till_day)
        methods, clerks = expected_takings(desk, till_day, clerk)
        assert {line.key: _takings(line.figures) for line in till.methods} == methods
        assert {line.key: _takings(line.figures) for line in till.clerks} == clerks
        by_method = [sum(_takings(line.figures)[i] for line in till.methods) for i in range(3)]
        by_clerk = [sum(_takings(line.figures)[i] for line in till.clerks) for i in range(3)]
        assert by_method == by_clerk == _takings(till.total)


def _revenue(figures) -> dict[str, int]:
    return {
        "charges_cents": figures.charges_cents,
        "fees_cents": figures.fees_cents,
        "adjustments_cents": figures.adjustments_cents,
        "payments_cents": figures.payments_cents,
        "refunds_cents": figures.refunds_cents,
        "billed_cents": figures.billed_cents,
        "collected_cents": figures.collected_cents,
    }


def _takings(figures) -> list[int]:
    return [figures.payments_cents, figures.refunds_cents, figures.count]


# -- Boundaries ---------------------------------------------------------------------------------

JAN = (date(2027, 1, 1), date(2027, 1, 31))


def _line(lines, key):
    return next(line.figures for line in lines if line.key == key)


def test_a_booking_across_the_period_counts_only_its_days_inside(desk, actors):
    insert(
        desk,
        [
            Hold(date(2026, 12, 28), 7, car=1, driver=1),  # 1–3 Jan inside
            Hold(date(2027, 1, 29), 5, car=1, driver=2, status="completed"),  # 29–31 Jan
            Hold(date(2026, 12, 20), 60, car=2, driver=3),  # all 31 days
            Hold(date(2027, 1, 10), 3, car=3, driver=4, status="pending"),  # not yet counted
            Hold(date(2027, 1, 12), 3, car=4, driver=5, status="cancelled"),
        ],
        [],
    )
    used = utilisation_report(desk, actors["manager"], *JAN)
    assert used.period.days == 31
    car_one = _line(used.cars, "NC01 CAR")
    assert (car_one.booked_days, car_one.blocked_days) == (6, 0)
    assert car_one.percent == 19.4  # 6 / 31
    assert _line(used.cars, "NC02 CAR").booked_days == 31
    assert _line(used.cars, "NC02 CAR").percent == 100.0
    assert _line(used.cars, "NC03 CAR").booked_days == 0
    assert _line(used.cars, "NC04 CAR").booked_days == 0
    assert [_line(used.drivers, f"DRV-0{i}").booked_days for i in (1, 2, 3)] == [3, 3, 31]


def test_the_longest_rental_reaching_one_day_into_the_period_counts_that_day(desk, actors):
    insert(desk, [Hold(date(2026, 12, 23), 10, car=1, driver=1, status="completed")], [])
    used = utilisation_report(desk, actors["manager"], *JAN)
    assert _line(used.cars, "NC01 CAR").booked_days == 1
    assert _line(used.drivers, "DRV-01").booked_days == 1


def test_a_block_and_a_booking_next_to_each_other_each_count_their_own_days(desk, actors):
    insert(
        desk,
        [
            Hold(date(2027, 1, 4), 3, car=1, driver=1, status="completed"),  # 4–6 Jan
            Hold(date(2027, 1, 7), 2, car=1, status="block"),  # 7–8 Jan, the next day on
            Hold(date(2026, 12, 30), 40, car=2, status="block"),  # the whole month off
            Hold(date(2027, 1, 10), 5, driver=2, status="block", removed=True),  # lifted
        ],
        [],
    )
    used = utilisation_report(desk, actors["manager"], *JAN)
    car_one = _line(used.cars, "NC01 CAR")
    assert (car_one.booked_days, car_one.blocked_days, car_one.available_days) == (3, 2, 29)
    assert car_one.percent == 10.3  # 3 / 29 = 10.34…
    car_two = _line(used.cars, "NC02 CAR")
    assert (car_two.booked_days, car_two.blocked_days, car_two.percent) == (0, 31, 0.0)
    assert _line(used.drivers, "DRV-02").blocked_days == 0
    assert (used.fleet.booked_days, used.fleet.blocked_days) == (3, 33)
    assert used.fleet.capacity_days == 8 * 31


def test_a_retired_car_shows_only_where_it_held_something(desk, actors):
    insert(desk, [Hold(date(2027, 1, 30), 4, car=1, driver=1)], [], retired={1, 2})
    used = utilisation_report(desk, actors["manager"], *JAN)
    shown = {line.key: line.retired for line in used.cars}
    assert shown["NC01 CAR"] is True and "NC02 CAR" not in shown
    assert len(shown) == 7


SUMMER_NIGHT = datetime(2027, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London


def test_an_entry_late_on_a_summer_evening_utc_counts_on_the_next_business_day(desk, actors):
    insert(
        desk,
        [],
        [
            Entry("payment", 12_000, SUMMER_NIGHT, "sam", "cash"),
            Entry("charge", 30_000, SUMMER_NIGHT - timedelta(hours=1)),  # 23:30 London
        ],
    )
    manager = actors["manager"]
    by_day = revenue_report(desk, manager, date(2027, 6, 30), date(2027, 7, 1), Grouping.DAY)
    assert [
        (line.period, line.figures.charges_cents, line.figures.payments_cents)
        for line in by_day.lines
    ] == [("2027-06-30", 30_000, 0), ("2027-07-01", 0, 12_000)]
    by_month = revenue_report(desk, manager, date(2027, 6, 1), date(2027, 7, 31))
    assert [(line.period, line.figures.collected_cents) for line in by_month.lines] == [
        ("2027-06", 0),
        ("2027-07", 12_000),
    ]
    assert takings_report(desk, manager, date(2027, 6, 30)).total.count == 0
    first_of_july = takings_report(desk, manager, date(2027, 7, 1))
    assert (first_of_july.total.net_cents, first_of_july.clerks[0].key) == (12_000, "sam")


CLOCKS_FORWARD = date(2027, 3, 28)  # a 23-hour business day in London


def test_the_day_the_clocks_change_has_its_own_hours_only(desk, actors):
    insert(
        desk,
        [],
        [
            Entry("payment", 100, datetime(2027, 3, 28, 0, 30, tzinfo=UTC), "sam", "card"),
            Entry("payment", 200, datetime(2027, 3, 28, 22, 59, 59, tzinfo=UTC), "sam", "card"),
            # 00:30 on 29 March, summer time: the next business day.
            Entry("payment", 400, datetime(2027, 3, 28, 23, 30, tzinfo=UTC), "sam", "card"),
        ],
    )
    manager = actors["manager"]
    assert takings_report(desk, manager, CLOCKS_FORWARD).total.payments_cents == 300
    assert takings_report(desk, manager, date(2027, 3, 29)).total.payments_cents == 400
    by_day = revenue_report(desk, manager, CLOCKS_FORWARD, date(2027, 3, 29), Grouping.DAY)
    assert [line.figures.payments_cents for line in by_day.lines] == [300, 400]


def test_periods_without_entries_appear_with_zeros_in_iso_weeks(desk, actors):
    report = revenue_report(
        desk, actors["manager"], date(2026, 12, 28), date(2027, 2, 1), Grouping.WEEK
    )
    assert [line.period for line in report.lines] == [
        "2026-W53",
        "2027-W01",
        "2027-W02",
        "2027-W03",
        "2027-W04",
        "2027-W05",
    ]
    assert all(line.figures.billed_cents == 0 for line in report.lines)


def test_a_period_that_ends_before_it_starts_is_refused(desk, actors):
    with pytest.raises(InvalidInput, match="after its last day"):
        utilisation_report(desk, actors["manager"], date(2027, 2, 1), date(2027, 1, 31))
    with pytest.raises(InvalidInput):
        revenue_report(desk, actors["manager"], date(2027, 2, 1), date(2027, 1, 31))


# -- Who may see what ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["driver", "customer"])
def test_drivers_and_customers_see_no_report(desk, actors, role):
    actor = actors[role]
    for call in (
        lambda: utilisation_report(desk, actor, *JAN),
        lambda: revenue_report(desk, actor, *JAN),
        lambda: takings_report(desk, actor),
    ):
        with pytest.raises(NotAllowed):
            call()


def test_staff_see_their_own_takings_only_and_no_utilisation_or_revenue(desk, actors):
    staff = actors["staff"]
    noon = START.replace(hour=12)
    insert(
        desk,
        [],
        [
            Entry("payment", 5_000, noon, "sam", "card"),
            Entry("payment", 7_000, noon, "mia", "cash"),
            Entry("refund", 1_000, noon, "sam", "cash"),
        ],
    )
    with pytest.raises(NotAllowed):
        utilisation_report(desk, staff, *JAN)
    with pytest.raises(NotAllowed):
        revenue_report(desk, staff, *JAN)
    own = takings_report(desk, staff)
    assert own.day == START.date() and own.clerk == "sam"
    assert [line.key for line in own.clerks] == ["sam"]
    assert (own.total.payments_cents, own.total.refunds_cents, own.total.count) == (5_000, 1_000, 2)
    everyone = takings_report(desk, actors["manager"])
    assert [line.key for line in everyone.clerks] == ["mia", "sam"]
    assert everyone.total.net_cents == 11_000


def test_a_clerk_with_nothing_taken_still_sees_their_line(desk, actors):
    own = takings_report(desk, actors["staff"], date(2027, 1, 5))
    assert [(line.key, line.figures.count) for line in own.clerks] == [("sam", 0)]
    assert [line.key for line in own.methods] == ["card", "cash", "transfer"]
