"""Booking: make, confirm and cancel bookings, and read them back with their invoices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from nextcars_tui.domain.dates import DateRange
from nextcars_tui.domain.errors import InvalidInput, NotAllowed, NotFound
from nextcars_tui.domain.job_sheet import JobSheet, parse_job_sheet
from nextcars_tui.domain.ledger import (
    CancelOutcome,
    CancelTerms,
    EntryKind,
    cancel_outcome,
    let_off_words,
)
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
from nextcars_tui.domain.roles import Actor, Permission, Role, may_see_booking
from nextcars_tui.domain.rules import cancel_refusal, confirm_refusal, retired_refusal
from nextcars_tui.domain.statuses import BookingStatus, status_words
from nextcars_tui.services.clashes import require_free
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.ledger import entry, rental_charges
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
from nextcars_tui.store import BookingRecord, BookingRow, UnitOfWork

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
        booking = uow.bookings.insert(
            BookingRecord(
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
                pickup_time=sheet.pickup_time,
                pickup=sheet.pickup,
                dropoff=sheet.dropoff,
                passengers=sheet.passengers,
                notes=sheet.notes,
            )
        )
        invoice = uow.invoices.issue(
            booking,
            invoice_ref(number),
            issued_at=now,
            due_date=invoice_due_date(dates.end, desk.settings.lifecycle.invoice_due_days),
            entries=rental_charges(
                number, quote, car.plate, driver.code, at=now, actor=actor.username
            ),
            today=desk.today(),
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


def _held(uow: UnitOfWork, ref: str) -> BookingRow:
    """The booking with everything beside it, held with its invoice for change."""
    held = uow.bookings.for_change(ref)
    if held is None:
        raise NotFound(f"No booking {ref}.")
    return held.row


def confirm(desk: Desk, actor: Actor, ref: str) -> BookingView:
    """Confirm a pending booking without payment (pay on account)."""
    actor.require(Permission.CONFIRM)
    ref = normalise_booking_ref(ref)
    now = desk.now()
    with desk.db.write() as uow:
        row = _held(uow, ref)
        refusal = confirm_refusal(ref, row.booking.status)
        if refusal is not None:
            raise NotAllowed(refusal)
        booking = uow.bookings.change(row.booking, status=BookingStatus.CONFIRMED)
        uow.audit.record(at=now, actor=actor.username, action="confirmed", ref=ref)
        view = booking_view(booking, row.customer, row.car, row.driver, row.invoice)
        notify_confirmed(uow, desk, view)
        uow.commit()
        return view


def cancel_quote(desk: Desk, actor: Actor, ref: str, *, waive_fee: bool = False) -> CancelTerms:
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
        return desk.cancel_terms(
            booking.total_cents, booking.start_date, booking.created_at, waive=waive_fee
        )


def cancel_outcome_of(desk: Desk, view: BookingView, *, waive_fee: bool = False) -> CancelOutcome:
    """What cancelling this booking now would leave (domain.ledger.cancel_outcome, as the
    cancellation itself computes it), for the desk to say before the clerk says yes."""
    terms = desk.cancel_terms(view.total_cents, view.start, view.created_at, waive=waive_fee)
    return cancel_outcome(terms, view.invoice.paid_cents, view.invoice.due, desk.today())


@dataclass(frozen=True)
class Cancellation:
    """A cancelled booking and what the cancellation left (fee, owed, owed back)."""

    booking: BookingView
    outcome: CancelOutcome


def cancel(
    desk: Desk, actor: Actor, ref: str, reason: str | None = None, *, waive_fee: bool = False
) -> BookingView:
    """Cancel a booking that has not started (see cancellation)."""
    return cancellation(desk, actor, ref, reason, waive_fee=waive_fee).booking


def cancellation(
    desk: Desk, actor: Actor, ref: str, reason: str | None = None, *, waive_fee: bool = False
) -> Cancellation:
    """Cancel a booking that has not started: its charges are reversed in the ledger (new
    entries), a late cancellation's fee is charged — unless the booking was made within the
    grace period, or the desk waives it with a reason — and what was paid beyond the fee
    becomes refund due. Afterwards the invoice is for the fee alone (or nothing)."""
    actor.require(Permission.CANCEL)
    ref = normalise_booking_ref(ref)
    if waive_fee and not (reason and reason.strip()):
        raise InvalidInput(
            "Say why the fee is waived (--reason), e.g. 'booked for the wrong customer'.",
            field="reason",
        )
    why = parse_text(reason, "reason", MAX_REASON) if reason else DEFAULT_CANCEL_REASON
    now = desk.now()
    today = desk.today()
    with desk.db.write() as uow:
        row = _held(uow, ref)
        booking, invoice = row.booking, row.invoice
        refusal = cancel_refusal(ref, booking.status, booking.start_date, today)
        if refusal is not None:
            raise NotAllowed(refusal)
        terms = desk.cancel_terms(
            booking.total_cents, booking.start_date, booking.created_at, waive=waive_fee
        )
        outcome = cancel_outcome(terms, invoice.paid_cents, invoice.due_date, today)
        booking = uow.bookings.change(booking, status=BookingStatus.CANCELLED, cancel_reason=why)
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
        after = uow.invoices.post(invoice, booking.status, entries, today)
        fee = f"; fee {desk.money(terms.fee_cents)}" if terms.fee_cents else ""
        let_off = let_off_words(terms, desk.money)
        detail = f"{why}{fee}; {let_off}" if let_off else f"{why}{fee}"
        uow.audit.record(at=now, actor=actor.username, action="cancelled", ref=ref, detail=detail)
        if after.status != invoice.status:
            uow.audit.record(
                at=now,
                actor=actor.username,
                action=f"invoice {status_words(after.status)}",
                ref=after.ref,
                detail=f"was {status_words(invoice.status)}; booking {ref} cancelled; "
                f"balance {desk.money(after.balance_cents)}",
            )
        view = booking_view(booking, row.customer, row.car, row.driver, after)
        notify_cancelled(uow, desk, view, terms.fee_cents)
        uow.commit()
        return Cancellation(view, outcome)


def booking_detail(desk: Desk, actor: Actor, ref: str) -> BookingDetail | DriverJobView:
    """One booking as the acting user may see it: for the desk and the customer it belongs
    to, its whole record (booking_record); for the driver on it, the job, which holds no
    money at all (DriverJobView)."""
    if actor.role != Role.DRIVER:
        return booking_record(desk, actor, ref)
    ref = normalise_booking_ref(ref)
    with desk.db.read() as uow:
        row = uow.bookings.row_by_ref(ref)
        if row is None or not may_see_booking(
            actor, row.booking.customer_id, row.booking.driver_id
        ):
            # Same answer as a missing booking, so refs of others cannot be probed.
            raise NotFound(f"No booking {ref}.")
        return driver_job_view(row.booking, row.customer, row.car, row.driver)


def booking_record(desk: Desk, actor: Actor, ref: str) -> BookingDetail:
    """The single operational record: booking, invoice, its statement and audit history;
    for the desk, and for the customer it belongs to. A driver is never shown a record (it
    holds money): for them it is as missing, and booking_detail gives them the job."""
    ref = normalise_booking_ref(ref)
    with desk.db.read() as uow:
        row = uow.bookings.row_by_ref(ref)
        # Same answer as a missing booking, so refs of others cannot be probed; a driver
        # is never shown a record (it holds money).
        if row is None or not may_see_booking(
            actor, row.booking.customer_id, row.booking.driver_id, money=True
        ):
            raise NotFound(f"No booking {ref}.")
        entries = statement(uow.invoices.entries(row.invoice.id or 0))
        history = [
            AuditView(e.at, e.actor, e.action, e.ref, e.detail)
            for e in uow.audit.for_refs([row.booking.ref, row.invoice.ref])
        ]
        return BookingDetail(booking_view(*row), entries, history)
