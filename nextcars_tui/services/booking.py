"""Booking: make, confirm and cancel bookings, and read them back with their invoices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from nextcars_tui.domain.dates import DateRange
from nextcars_tui.domain.errors import NotAllowed, NotFound
from nextcars_tui.domain.job_sheet import JobSheet, parse_job_sheet
from nextcars_tui.domain.ledger import CancelTerms, EntryKind
from nextcars_tui.domain.lifecycle import invoice_due_date
from nextcars_tui.domain.money import cents_to_text
from nextcars_tui.domain.parsing import (
    MAX_REASON,
    check_booking_start,
    parse_days,
    parse_driver_code,
    parse_email,
    parse_passengers,
    parse_plate,
    parse_text,
)
from nextcars_tui.domain.pricing import Quote
from nextcars_tui.domain.refs import booking_ref, invoice_ref, normalise_booking_ref
from nextcars_tui.domain.roles import Actor, Permission, Role
from nextcars_tui.domain.rules import cancel_refusal, confirm_refusal, retired_refusal
from nextcars_tui.domain.statuses import BookingStatus, InvoiceStatus
from nextcars_tui.services.clashes import require_free
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.ledger import entry, post, rental_charges
from nextcars_tui.services.notifications import notify_cancelled, notify_confirmed
from nextcars_tui.services.views import (
    AuditView,
    BookingDetail,
    BookingView,
    DriverJobView,
    booking_view,
    driver_job_view,
    statement,
)
from nextcars_tui.store import UnitOfWork
from nextcars_tui.store.hot_path import row
from nextcars_tui.store.tables import Booking, Invoice

DEFAULT_CANCEL_REASON = "cancelled at the desk"


@dataclass(frozen=True)
class BookingRequest:
    """What a clerk asks for; strings are accepted so CLI and forms share one validation."""

    customer_email: str
    car_plate: str
    driver_code: str
    start: date | str
    days: int | str
    # The job sheet, all optional.
    pickup_time: str | None = None
    pickup: str | None = None
    dropoff: str | None = None
    passengers: int | str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class ValidRequest:
    customer_email: str
    car_plate: str
    driver_code: str
    dates: DateRange
    job_sheet: JobSheet


def validate_request(desk: Desk, request: BookingRequest) -> ValidRequest:
    """Check everything that needs no database; raises InvalidInput naming the problem."""
    business = desk.settings.business
    start = (
        request.start
        if isinstance(request.start, date)
        else desk.parse_date(request.start, "start date")
    )
    days = parse_days(request.days, business.max_rental_days)
    check_booking_start(start, today=desk.today(), horizon_days=business.booking_horizon_days)
    return ValidRequest(
        customer_email=parse_email(request.customer_email),
        car_plate=parse_plate(request.car_plate),
        driver_code=parse_driver_code(request.driver_code),
        dates=DateRange(start, days),
        job_sheet=parse_job_sheet(
            pickup_time=request.pickup_time,
            pickup=request.pickup,
            dropoff=request.dropoff,
            passengers=request.passengers,
            notes=request.notes,
        ),
    )


def book(desk: Desk, actor: Actor, request: BookingRequest) -> BookingView:
    """Check and insert in one write transaction, with the car and driver held from before
    the check: booking, invoice and audit entry, or nothing."""
    actor.require(Permission.BOOK)
    valid = validate_request(desk, request)
    now = desk.now()
    with desk.db.write() as uow:
        customer, car, driver = uow.bookings.parties(
            valid.customer_email, valid.car_plate, valid.driver_code
        )
        if customer is None:
            raise NotFound(f"No customer with e-mail {valid.customer_email}.")
        if car is None:
            raise NotFound(f"No car with plate {valid.car_plate}.")
        if driver is None:
            raise NotFound(f"No driver with code {valid.driver_code}.")
        dates = valid.dates
        for refusal in (
            retired_refusal(f"Customer {customer.email}", customer.retired_at is not None),
            retired_refusal(f"Car {car.plate}", car.retired_at is not None),
            retired_refusal(f"Driver {driver.code}", driver.retired_at is not None),
        ):
            if refusal is not None:
                raise NotAllowed(refusal)
        uow.bookings.hold(car.id or 0, driver.id or 0)
        require_free(uow, car, driver, dates.start, dates.end)
        sheet = valid.job_sheet
        if sheet.passengers is not None:
            parse_passengers(sheet.passengers, car.seats)
        quote = Quote(dates.days, car.daily_rate_cents, driver.daily_fee_cents)
        number = uow.bookings.next_number()
        # Built with row(): these objects go straight to INSERT and are never changed here.
        booking = uow.bookings.add(
            row(
                Booking,
                id=number,
                ref=booking_ref(number),
                customer_id=customer.id or 0,
                car_id=car.id or 0,
                driver_id=driver.id or 0,
                start_date=dates.start,
                days=dates.days,
                end_date=dates.end,
                car_daily_rate_cents=quote.car_daily_rate_cents,
                driver_daily_fee_cents=quote.driver_daily_fee_cents,
                total_cents=quote.total_cents,
                status=BookingStatus.PENDING,
                created_at=now,
                created_by=actor.username,
                cancel_reason=None,
                pickup_time=sheet.pickup_time,
                pickup=sheet.pickup,
                dropoff=sheet.dropoff,
                passengers=sheet.passengers,
                notes=sheet.notes,
            )
        )
        invoice = uow.invoices.add(
            row(
                Invoice,
                id=number,
                ref=invoice_ref(number),
                booking_id=number,
                amount_cents=quote.total_cents,
                paid_cents=0,
                # As domain.ledger.invoice_status derives it: a free rental owes nothing.
                status=InvoiceStatus.UNPAID if quote.total_cents else InvoiceStatus.PAID,
                issued_at=now,
                due_date=invoice_due_date(dates.end, desk.settings.lifecycle.invoice_due_days),
            )
        )
        uow.invoices.add_entries(
            rental_charges(number, quote, car.plate, driver.code, at=now, actor=actor.username)
        )
        uow.audit.record(
            at=now,
            actor=actor.username,
            action="booked",
            ref=booking.ref,
            detail=f"{car.plate} with {driver.code} for {customer.email}, {dates}, "
            f"{desk.money(quote.total_cents)}; invoice {invoice.ref}",
        )
        uow.commit()
        return booking_view(booking, customer, car, driver, invoice)


def _load(uow: UnitOfWork, ref: str) -> tuple[Booking, Invoice]:
    """The booking and its invoice, both held (in that order) until the unit of work ends."""
    booking = uow.bookings.by_ref(ref, lock=True)
    if booking is None:
        raise NotFound(f"No booking {ref}.")
    invoice = uow.invoices.for_booking(booking.id or 0, lock=True)
    if invoice is None:
        raise NotFound(f"Booking {ref} has no invoice.")
    return booking, invoice


def _view(uow: UnitOfWork, ref: str) -> BookingView:
    row = uow.bookings.row_by_ref(ref)
    if row is None:
        raise NotFound(f"No booking {ref}.")
    return booking_view(*row)


def confirm(desk: Desk, actor: Actor, ref: str) -> BookingView:
    """Confirm a pending booking without payment (pay on account)."""
    actor.require(Permission.CONFIRM)
    ref = normalise_booking_ref(ref)
    now = desk.now()
    with desk.db.write() as uow:
        booking, _invoice = _load(uow, ref)
        refusal = confirm_refusal(ref, booking.status)
        if refusal is not None:
            raise NotAllowed(refusal)
        booking.status = BookingStatus.CONFIRMED
        uow.bookings.save(booking)
        uow.audit.record(at=now, actor=actor.username, action="confirmed", ref=ref)
        uow.flush()
        view = _view(uow, ref)
        notify_confirmed(uow, desk, view)
        uow.commit()
        return view


def cancel_quote(desk: Desk, actor: Actor, ref: str) -> CancelTerms:
    """What cancelling a booking now would cost, for the clerk to say before doing it;
    refused like the cancellation itself when the booking cannot be cancelled."""
    actor.require(Permission.CANCEL)
    ref = normalise_booking_ref(ref)
    with desk.db.read() as uow:
        booking = uow.bookings.by_ref(ref)
        if booking is None:
            raise NotFound(f"No booking {ref}.")
        refusal = cancel_refusal(ref, booking.status, booking.start_date, desk.today())
        if refusal is not None:
            raise NotAllowed(refusal)
        return desk.cancel_terms(booking.total_cents, booking.start_date)


def cancel(desk: Desk, actor: Actor, ref: str, reason: str | None = None) -> BookingView:
    """Cancel a booking that has not started: its charges are reversed in the ledger (new
    entries), a late cancellation's fee is charged, and what was paid beyond the fee becomes
    refund due. Afterwards the invoice is for the fee alone (or nothing)."""
    actor.require(Permission.CANCEL)
    ref = normalise_booking_ref(ref)
    why = parse_text(reason, "reason", MAX_REASON) if reason else DEFAULT_CANCEL_REASON
    now = desk.now()
    today = desk.today()
    with desk.db.write() as uow:
        booking, invoice = _load(uow, ref)
        refusal = cancel_refusal(ref, booking.status, booking.start_date, today)
        if refusal is not None:
            raise NotAllowed(refusal)
        terms = desk.cancel_terms(booking.total_cents, booking.start_date)
        booking.status = BookingStatus.CANCELLED
        booking.cancel_reason = why
        uow.bookings.save(booking)
        entries = []
        if invoice.amount_cents:
            entries.append(
                entry(
                    invoice.id or 0,
                    EntryKind.CHARGE,
                    -invoice.amount_cents,
                    f"Booking {ref} cancelled: charges reversed",
                    at=now,
                    actor=actor.username,
                    reason=why,
                )
            )
        if terms.fee_cents:
            entries.append(
                entry(
                    invoice.id or 0,
                    EntryKind.FEE,
                    terms.fee_cents,
                    f"Late cancellation fee: {terms.fee_percent}% of "
                    f"{cents_to_text(booking.total_cents)}",
                    at=now,
                    actor=actor.username,
                    reason=f"cancelled less than {terms.notice_hours} h before the start",
                )
            )
        before = invoice.status
        figures = post(uow, invoice, booking.status, entries, today)
        fee = f"; fee {desk.money(terms.fee_cents)}" if terms.fee_cents else ""
        uow.audit.record(
            at=now, actor=actor.username, action="cancelled", ref=ref, detail=f"{why}{fee}"
        )
        if invoice.status != before:
            uow.audit.record(
                at=now,
                actor=actor.username,
                action=f"invoice {invoice.status}",
                ref=invoice.ref,
                detail=f"was {before}; booking {ref} cancelled; "
                f"balance {desk.money(figures.balance_cents)}",
            )
        uow.flush()
        view = _view(uow, ref)
        notify_cancelled(uow, desk, view, terms.fee_cents)
        uow.commit()
        return view


def booking_detail(desk: Desk, actor: Actor, ref: str) -> BookingDetail | DriverJobView:
    """One booking as the acting user may see it: for the desk and the customer it belongs
    to, its whole record (booking_record); for the driver on it, the job, which holds no
    money at all (DriverJobView)."""
    if actor.role != Role.DRIVER:
        return booking_record(desk, actor, ref)
    ref = normalise_booking_ref(ref)
    with desk.db.read() as uow:
        row = uow.bookings.row_by_ref(ref)
        if row is None or row[0].driver_id != actor.driver_id:
            # Same answer as a missing booking, so refs of others cannot be probed.
            raise NotFound(f"No booking {ref}.")
        booking, customer, car, driver, _invoice = row
        return driver_job_view(booking, customer, car, driver)


def booking_record(desk: Desk, actor: Actor, ref: str) -> BookingDetail:
    """The single operational record: booking, invoice, its statement and audit history;
    for the desk, and for the customer it belongs to. A driver is never shown a record (it
    holds money): for them it is as missing, and booking_detail gives them the job."""
    ref = normalise_booking_ref(ref)
    with desk.db.read() as uow:
        row = uow.bookings.row_by_ref(ref)
        if row is None:
            raise NotFound(f"No booking {ref}.")
        booking, invoice = row[0], row[4]
        allowed = actor.can(Permission.VIEW_DESK) or (
            actor.role == Role.CUSTOMER and actor.customer_id == booking.customer_id
        )
        if not allowed:
            # Same answer as a missing booking, so refs of others cannot be probed.
            raise NotFound(f"No booking {ref}.")
        entries = statement(uow.invoices.entries(invoice.id or 0))
        history = [
            AuditView(e.at, e.actor, e.action, e.ref, e.detail)
            for e in uow.audit.for_refs([booking.ref, invoice.ref])
        ]
        return BookingDetail(booking_view(*row), entries, history)
