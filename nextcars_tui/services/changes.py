"""Changing a booking: dates, car, driver and job sheet in one transaction, checked like a new
booking, re-priced through the ledger, written to the history as what changed from what."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from nextcars_tui.domain.changes import Difference, change_refusal, dates_refusal, describe
from nextcars_tui.domain.errors import InvalidInput, NotAllowed, NotFound
from nextcars_tui.domain.job_sheet import JobSheet, parse_job_sheet
from nextcars_tui.domain.ledger import EntryKind
from nextcars_tui.domain.lifecycle import invoice_due_date
from nextcars_tui.domain.money import cents_to_text
from nextcars_tui.domain.parsing import (
    check_booking_start,
    parse_days,
    parse_driver_code,
    parse_email,
    parse_passengers,
    parse_plate,
    same_plate,
)
from nextcars_tui.domain.pricing import Quote
from nextcars_tui.domain.refs import normalise_booking_ref
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.domain.rules import retired_refusal
from nextcars_tui.services.clashes import require_free
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.ledger import entry
from nextcars_tui.services.notifications import notify_changed
from nextcars_tui.services.views import BookingView, booking_view
from nextcars_tui.store import (
    BookingRecord,
    BookingRow,
    CarRecord,
    CustomerRecord,
    DriverRecord,
    InvoiceRecord,
    LedgerEntryRecord,
    UnitOfWork,
)

# The job sheet's fields, in the order the history lists them.
SHEET_FIELDS = ("pickup_time", "pickup", "dropoff", "passengers", "notes")
_SHEET_LABELS = {
    "pickup_time": "pickup time",
    "pickup": "pickup",
    "dropoff": "drop-off",
    "passengers": "passengers",
    "notes": "notes",
}


@dataclass(frozen=True)
class ChangeRequest:
    """What to change; None leaves a part as it is. For the job sheet an empty text clears
    that part."""

    start: date | str | None = None
    days: int | str | None = None
    car_plate: str | None = None
    driver_code: str | None = None
    # Another customer's e-mail: the booking (and so its invoice) moves to them.
    customer_email: str | None = None
    pickup_time: str | None = None
    pickup: str | None = None
    dropoff: str | None = None
    passengers: int | str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class _Parsed:
    start: date | None
    days: int | None
    car_plate: str | None
    driver_code: str | None
    customer_email: str | None
    sheet: JobSheet
    # Which job-sheet parts the request names (an empty text clears one).
    sheet_given: frozenset[str]


def _parse(desk: Desk, request: ChangeRequest) -> _Parsed:
    """Everything that needs no database, checked before anything is read."""
    start = request.start
    if isinstance(start, str):
        start = desk.parse_date(start, "start date")
    days = (
        parse_days(request.days, desk.settings.business.max_rental_days)
        if request.days is not None
        else None
    )
    sheet = parse_job_sheet(
        pickup_time=request.pickup_time,
        pickup=request.pickup,
        dropoff=request.dropoff,
        passengers=request.passengers,
        notes=request.notes,
    )
    given = frozenset(name for name in SHEET_FIELDS if getattr(request, name) is not None)
    return _Parsed(
        start=start,
        days=days,
        car_plate=parse_plate(request.car_plate) if request.car_plate is not None else None,
        driver_code=(
            parse_driver_code(request.driver_code) if request.driver_code is not None else None
        ),
        customer_email=(
            parse_email(request.customer_email) if request.customer_email is not None else None
        ),
        sheet=sheet,
        sheet_given=given,
    )


def _resources(
    uow: UnitOfWork, found: BookingRow, parsed: _Parsed
) -> tuple[CarRecord, DriverRecord]:
    """The car and driver the booking will have: the ones named (which must exist and not
    be retired), else its own."""
    booking, _customer, car, driver, _invoice = found
    plate = parsed.car_plate
    if plate is not None and same_plate(plate, car.plate):
        plate = None
    code = parsed.driver_code if parsed.driver_code != driver.code else None
    if plate is not None or code is not None:
        named_car, named_driver = uow.bookings.resources(plate, code)
        if plate is not None:
            if named_car is None:
                raise NotFound(f"No car with plate {plate}.")
            car = named_car
        if code is not None:
            if named_driver is None:
                raise NotFound(f"No driver with code {code}.")
            driver = named_driver
    for refusal in (
        retired_refusal(
            f"Car {car.plate}", car.id != booking.car_id and car.retired_at is not None
        ),
        retired_refusal(
            f"Driver {driver.code}",
            driver.id != booking.driver_id and driver.retired_at is not None,
        ),
    ):
        if refusal is not None:
            raise NotAllowed(refusal)
    return car, driver


@dataclass(frozen=True)
class Repricing:
    quote: Quote
    entries: list[LedgerEntryRecord]


def reprice(
    booking: BookingRecord,
    invoice: InvoiceRecord,
    *,
    days: int,
    car: CarRecord,
    old_car: CarRecord,
    driver: DriverRecord,
    old_driver: DriverRecord,
    at: datetime,
    actor: str,
) -> Repricing:
    """Days keep the rates snapshotted at booking; a newly chosen car or driver takes its
    current rate. The difference of each part goes on the invoice as a charge line (never by
    editing the old ones)."""
    before = Quote(booking.days, booking.car_daily_rate_cents, booking.driver_daily_fee_cents)
    after = Quote(
        days,
        before.car_daily_rate_cents if car.id == booking.car_id else car.daily_rate_cents,
        before.driver_daily_fee_cents if driver.id == booking.driver_id else driver.daily_fee_cents,
    )
    parts = (
        ("Car", old_car.plate, car.plate, before.car_daily_rate_cents,
         after.car_daily_rate_cents, before.car_cents, after.car_cents),
        ("Driver", old_driver.code, driver.code, before.driver_daily_fee_cents,
         after.driver_daily_fee_cents, before.driver_cents, after.driver_cents),
    )  # fmt: skip
    entries = []
    for label, old_key, new_key, old_rate, new_rate, old_cents, new_cents in parts:
        if old_cents == new_cents:
            continue
        entries.append(
            entry(
                invoice.id or 0,
                EntryKind.CHARGE,
                new_cents - old_cents,
                f"{label} {new_key}: {days} day(s) × {cents_to_text(new_rate)} "
                f"(was {old_key}: {booking.days} day(s) × {cents_to_text(old_rate)})",
                at=at,
                actor=actor,
            )
        )
    return Repricing(after, entries)


@dataclass(frozen=True)
class ChangePreview:
    """What a change would make of a booking, worked out by the very code that writes it and
    then rolled back: the booking as it would be, and what the change adds to its invoice
    (negative: takes off)."""

    booking: BookingView
    difference_cents: int

    @property
    def balance_after_cents(self) -> int:
        """Still owed after the change; negative when money would be owed back."""
        return self.booking.invoice.balance_cents


def change_booking(desk: Desk, actor: Actor, ref: str, request: ChangeRequest) -> BookingView:
    """Change a pending or confirmed booking's start, days, car, driver and job sheet in any
    combination, in one transaction; the new interval is checked against every other active
    booking and block of the car and driver, never against itself. A refused change writes
    nothing; one that changes nothing is refused as invalid."""
    actor.require(Permission.CHANGE)
    ref = normalise_booking_ref(ref)
    parsed = _parse(desk, request)
    with desk.db.write() as uow:
        preview = _apply(desk, actor, uow, ref, parsed)
        uow.commit()
        return preview.booking


def preview_change(desk: Desk, actor: Actor, ref: str, request: ChangeRequest) -> ChangePreview:
    """What change_booking would do, refused exactly as it would be, and nothing written: the
    same transaction is made and rolled back, so the preview can never disagree with the
    change (the desk's live preview and `change --dry-run`)."""
    actor.require(Permission.CHANGE)
    ref = normalise_booking_ref(ref)
    parsed = _parse(desk, request)
    with desk.db.write() as uow:
        # Leaving the unit without commit() rolls every write of _apply back.
        return _apply(desk, actor, uow, ref, parsed)


def _apply(desk: Desk, actor: Actor, uow: UnitOfWork, ref: str, parsed: _Parsed) -> ChangePreview:
    """The change written in `uow`, not yet committed."""
    now, today = desk.now(), desk.today()
    held = uow.bookings.for_change(ref, lambda found: _resources(uow, found, parsed))
    if held is None:
        raise NotFound(f"No booking {ref}.")
    (booking, customer, old_car, old_driver, invoice), car, driver = held
    refusal = change_refusal(ref, booking.status)
    if refusal is not None:
        raise NotAllowed(refusal)
    old_customer = customer
    if parsed.customer_email is not None:
        customer = _customer(uow, customer, parsed.customer_email)
    start = parsed.start if parsed.start is not None else booking.start_date
    days = parsed.days if parsed.days is not None else booking.days
    end = start + timedelta(days=days)
    refusal = dates_refusal(ref, booking.start_date, start, end, today)
    if refusal is not None:
        raise NotAllowed(refusal)
    if start != booking.start_date:
        # A booking not yet started moves under the rule of every booking's start.
        check_booking_start(
            start, today=today, horizon_days=desk.settings.business.booking_horizon_days
        )
    sheet = _sheet_after(booking, parsed)
    if sheet.passengers is not None:
        parse_passengers(sheet.passengers, car.seats)
    differences = [
        Difference("customer", old_customer.email, customer.email),
        Difference("start", booking.start_date.isoformat(), start.isoformat()),
        Difference("days", str(booking.days), str(days)),
        Difference("car", old_car.plate, car.plate),
        Difference("driver", old_driver.code, driver.code),
        *(
            Difference(_SHEET_LABELS[name], _text(getattr(booking, name)), _text(value))
            for name, value in zip(SHEET_FIELDS, _values(sheet), strict=True)
        ),
    ]
    what = describe(differences)
    if not what:
        raise InvalidInput(f"That changes nothing: booking {ref} is like that already.")
    moved = (start, end, car.id, driver.id) != (
        booking.start_date,
        booking.end_date,
        booking.car_id,
        booking.driver_id,
    )
    if moved:
        require_free(uow, car, driver, start, end, excluding=booking.id)
    priced = reprice(
        booking,
        invoice,
        days=days,
        car=car,
        old_car=old_car,
        driver=driver,
        old_driver=old_driver,
        at=now,
        actor=actor.username,
    )
    booking = uow.bookings.change(
        booking,
        **_changed(start=start, days=days, car=car, driver=driver, sheet=sheet),
        customer_id=customer.id or 0,
        car_daily_rate_cents=priced.quote.car_daily_rate_cents,
        driver_daily_fee_cents=priced.quote.driver_daily_fee_cents,
        total_cents=priced.quote.total_cents,
    )
    due = invoice_due_date(end, desk.settings.lifecycle.invoice_due_days)
    # The status follows the due date too, so the invoice is posted to even when nothing
    # billed moved.
    invoice = uow.invoices.post(invoice, booking.status, priced.entries, today, due_date=due)
    uow.audit.record(at=now, actor=actor.username, action="changed", ref=ref, detail=what)
    view = booking_view(booking, customer, car, driver, invoice)
    notify_changed(uow, desk, view, what)
    return ChangePreview(view, sum(e.amount_cents for e in priced.entries))


def _customer(uow: UnitOfWork, current: CustomerRecord, email: str) -> CustomerRecord:
    """The customer a booking moves to: one that exists and is not retired (or its own)."""
    if email == current.email:
        return current
    found = uow.customers.by_email(email)
    if found is None:
        raise NotFound(f"No customer with e-mail {email}.")
    refusal = retired_refusal(f"Customer {found.email}", found.retired_at is not None)
    if refusal is not None:
        raise NotAllowed(refusal)
    return found


def _changed(
    *, start: date, days: int, car: CarRecord, driver: DriverRecord, sheet: JobSheet
) -> dict[str, object]:
    """The booking's columns after a change of dates, car, driver and job sheet."""
    return {
        "start_date": start,
        "days": days,
        "end_date": start + timedelta(days=days),
        "car_id": car.id or 0,
        "driver_id": driver.id or 0,
        **dict(zip(SHEET_FIELDS, _values(sheet), strict=True)),
    }


def _sheet_after(booking: BookingRecord, parsed: _Parsed) -> JobSheet:
    """The job sheet after the change: the parts the request names, the rest as they were."""
    kept = JobSheet(
        pickup_time=booking.pickup_time,
        pickup=booking.pickup,
        dropoff=booking.dropoff,
        passengers=booking.passengers,
        notes=booking.notes,
    )
    named = {name: getattr(parsed.sheet, name) for name in parsed.sheet_given}
    return replace(kept, **named)


def _values(sheet: JobSheet) -> tuple[object, ...]:
    return tuple(getattr(sheet, name) for name in SHEET_FIELDS)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
