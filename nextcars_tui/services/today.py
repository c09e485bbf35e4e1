"""The Today board: what the desk must act on this business day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from nextcars_tui.domain.job_sheet import run_sheet_order
from nextcars_tui.domain.ledger import EntryKind
from nextcars_tui.domain.lifecycle import cutoffs_for
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.domain.statuses import RUN_SHEET_BOOKING_STATUSES, BookingStatus, InvoiceStatus
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.views import BookingView, InvoiceView, booking_view, invoice_view
from nextcars_tui.store import BookingQuery, UnitOfWork

DUE_SOON_DAYS = 3
_LIMIT = 200
_ACTIVE = (BookingStatus.PENDING.value, BookingStatus.CONFIRMED.value)
_RUN_SHEET = tuple(status.value for status in RUN_SHEET_BOOKING_STATUSES)


@dataclass(frozen=True)
class Hold:
    booking: BookingView
    expires_at: datetime


@dataclass(frozen=True)
class MoneyToday:
    """Money the desk took today (every payment: deposits and balances alike), and what is
    owed back to customers now, whenever it arose."""

    payments: int
    payments_cents: int
    refunds_due: int
    refunds_due_cents: int


@dataclass(frozen=True)
class RunSheet:
    """A day's jobs: the rentals starting that day (pickups) and those whose last day it is
    (returns), each in run-sheet order (domain.job_sheet.run_sheet_order). A job is its
    booking: job sheet, customer, car, driver, and the invoice's balance still to collect."""

    day: date
    pickups: list[BookingView]
    returns: list[BookingView]


def _run_sheet(uow: UnitOfWork, day: date) -> RunSheet:
    """The day's bookings only, through the start-date index: pickups start on the day;
    returns end the next day ([start, end)), so they started at most the longest rental's
    days before, which bounds the index range read instead of scanning all history."""
    after = day + timedelta(days=1)
    # A car carries one rental a day at most, so no day has more jobs than there are cars.
    most = max(1, uow.cars.count())

    def jobs(query: BookingQuery) -> list[BookingView]:
        views = [booking_view(*row) for row in uow.bookings.rows(query)]
        return sorted(views, key=lambda view: run_sheet_order(view.pickup_time, view.ref))

    pickups = jobs(
        BookingQuery(statuses=_RUN_SHEET, starts_from=day, starts_before=after, limit=most)
    )
    returns = jobs(
        BookingQuery(
            statuses=_RUN_SHEET,
            starts_from=after - timedelta(days=uow.bookings.longest_rental()),
            starts_before=after,
            ends_after=day,
            ends_before=after + timedelta(days=1),
            limit=most,
        )
    )
    return RunSheet(day, pickups, returns)


def run_sheet(desk: Desk, actor: Actor, day: date | None = None) -> RunSheet:
    """The run sheet of a business day (default today); staff and managers only, since it
    holds every customer's phone and balance."""
    actor.require(Permission.VIEW_DESK)
    with desk.db.read() as uow:
        return _run_sheet(uow, desk.today() if day is None else day)


@dataclass(frozen=True)
class TodayBoard:
    today: date
    run_sheet: RunSheet
    in_progress: list[BookingView]
    holds: list[Hold]
    due_soon: list[InvoiceView]
    overdue_count: int
    money: MoneyToday


def _money_today(uow: UnitOfWork, today: date, desk: Desk) -> MoneyToday:
    """Payments written in today's business day (midnight to midnight in the business time
    zone), and the refund-due invoices, from the indexed ledger and invoice figures."""
    zone = desk.settings.business.zone
    since = datetime.combine(today, time.min, tzinfo=zone)
    until = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)
    payments, taken = uow.invoices.money_moved(EntryKind.PAYMENT, since, until)
    refunds, owed_back = uow.invoices.owed_back()
    return MoneyToday(payments, taken, refunds, owed_back)


def today_board(desk: Desk, actor: Actor, day: date | None = None) -> TodayBoard:
    """What to act on now, with the run sheet of `day` (default today), so the desk can look
    a day ahead or back; the rest (in progress, holds, money due and taken) is always now."""
    actor.require(Permission.VIEW_DESK)
    now = desk.now()
    settings = desk.settings
    cut = cutoffs_for(now, settings.business.zone, settings.lifecycle.pending_ttl_hours)
    today = cut.today
    tomorrow = today + timedelta(days=1)
    with desk.db.read() as uow:

        def bookings(query: BookingQuery) -> list[BookingView]:
            return [booking_view(*row) for row in uow.bookings.rows(query)]

        sheet = _run_sheet(uow, today if day is None else day)
        in_progress = bookings(
            BookingQuery(
                statuses=(BookingStatus.CONFIRMED.value,),
                starts_before=tomorrow,
                ends_after=today,
                limit=_LIMIT,
            )
        )
        pending = bookings(
            BookingQuery(statuses=(BookingStatus.PENDING.value,), sort="created", limit=_LIMIT)
        )
        due_soon = [
            invoice_view(*row)
            for row in uow.invoices.rows(
                statuses=[InvoiceStatus.UNPAID.value, InvoiceStatus.PARTLY_PAID.value],
                due_from=today,
                due_before=today + timedelta(days=DUE_SOON_DAYS + 1),
                limit=_LIMIT,
            )
        ]
        overdue_count = uow.invoices.count(statuses=[InvoiceStatus.OVERDUE.value])
        money = _money_today(uow, today, desk)
    return TodayBoard(
        today=today,
        run_sheet=sheet,
        in_progress=in_progress,
        holds=[Hold(b, cut.hold_expires_at(b.created_at)) for b in pending],
        due_soon=due_soon,
        overdue_count=overdue_count,
        money=money,
    )
