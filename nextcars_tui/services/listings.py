"""Reading bookings: the desk's filtered list, a driver's assignments, a customer's own."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from nextcars_tui.domain.dates import on_day
from nextcars_tui.domain.errors import InvalidInput, NotFound
from nextcars_tui.domain.lifecycle import rental_finished
from nextcars_tui.domain.parsing import parse_driver_code, parse_plate
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.domain.statuses import BookingStatus
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.views import (
    BookingView,
    DriverJobView,
    Page,
    booking_view,
    driver_job_view,
)
from nextcars_tui.store import SORT_KEYS, BookingQuery

MAX_PAGE = 500


@dataclass(frozen=True)
class BookingFilter:
    """What the desk filters a bookings list by; plates and codes as people type them."""

    statuses: tuple[BookingStatus, ...] = ()
    car_plate: str | None = None
    driver_code: str | None = None
    text: str = ""
    sort: str = "start"
    descending: bool = False
    limit: int = 100
    offset: int = 0


def parse_status(text: str) -> BookingStatus:
    try:
        return BookingStatus(text.strip().lower())
    except ValueError:
        names = ", ".join(s.value for s in BookingStatus)
        raise InvalidInput(f"Booking status must be one of {names}, got {text!r}.") from None


def list_bookings(desk: Desk, actor: Actor, wanted: BookingFilter) -> Page[BookingView]:
    actor.require(Permission.VIEW_DESK)
    if wanted.sort not in SORT_KEYS:
        raise InvalidInput(f"Sort by one of {', '.join(SORT_KEYS)}, got {wanted.sort!r}.")
    limit = max(1, min(wanted.limit, MAX_PAGE))
    query = BookingQuery(
        statuses=[s.value for s in wanted.statuses] or None,
        text=wanted.text,
        phone_digits=desk.phone_digits(wanted.text) if wanted.text.strip() else None,
        sort=wanted.sort,
        descending=wanted.descending,
        limit=limit,
        offset=max(0, wanted.offset),
    )
    with desk.db.read() as uow:
        if wanted.car_plate:
            plate = parse_plate(wanted.car_plate)
            car = uow.cars.by_plate(plate)
            if car is None:
                raise NotFound(f"No car with plate {plate}.")
            query = replace(query, car_id=car.id)
        if wanted.driver_code:
            code = parse_driver_code(wanted.driver_code)
            driver = uow.drivers.by_code(code)
            if driver is None:
                raise NotFound(f"No driver with code {code}.")
            query = replace(query, driver_id=driver.id)
        total = uow.bookings.count(query)
        rows = uow.bookings.rows(query, matches=total)
        return Page([booking_view(*row) for row in rows], total, query.offset, limit)


@dataclass(frozen=True)
class Assignments:
    """A driver's work: today first (by pickup time), then upcoming, then the last 30 days;
    jobs, which hold no money (DriverJobView)."""

    today: list[DriverJobView]
    upcoming: list[DriverJobView]
    recent: list[DriverJobView]


RECENT_DAYS = 30
_SHOWN = (BookingStatus.PENDING.value, BookingStatus.CONFIRMED.value, BookingStatus.COMPLETED.value)


def my_assignments(desk: Desk, actor: Actor) -> Assignments:
    """Only the signed-in driver's own bookings; the driver id comes from the account."""
    actor.require(Permission.VIEW_OWN_ASSIGNMENTS)
    if actor.driver_id is None:
        raise NotFound("This driver account is not linked to a driver.")
    today = desk.today()
    query = BookingQuery(
        statuses=_SHOWN,
        driver_id=actor.driver_id,
        ends_after=today - timedelta(days=RECENT_DAYS),
        sort="start",
        limit=MAX_PAGE,
    )
    with desk.db.read() as uow:
        views = [
            driver_job_view(booking, customer, car, driver)
            for booking, customer, car, driver, _invoice in uow.bookings.rows(query)
        ]
    # Today's jobs in pickup-time order; jobs without a time last.
    todays = [v for v in views if on_day(v.start, v.end, today)]
    finished = [v for v in views if rental_finished(v.end, today)]
    return Assignments(
        today=sorted(todays, key=lambda v: (v.pickup_time is None, v.pickup_time or "", v.start)),
        upcoming=[v for v in views if v.start > today],
        recent=sorted(finished, key=lambda v: v.start, reverse=True),
    )


def my_bookings(desk: Desk, actor: Actor, limit: int = 200) -> list[BookingView]:
    """A signed-in customer's own bookings, newest first, with their invoices."""
    actor.require(Permission.VIEW_OWN_BOOKINGS)
    if actor.customer_id is None:
        raise NotFound("This customer account is not linked to a customer.")
    query = BookingQuery(
        customer_id=actor.customer_id, sort="start", descending=True, limit=min(limit, MAX_PAGE)
    )
    with desk.db.read() as uow:
        return [booking_view(*row) for row in uow.bookings.rows(query)]
