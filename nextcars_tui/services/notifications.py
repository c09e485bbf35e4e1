"""Queueing messages: each event's message written into the outbox inside the event's own unit
of work, so a rolled-back booking sends nothing and a committed one is never forgotten.

Every function here takes the unit of work the event is writing in and plain views of what
happened; it writes one row (the facts the templates need, frozen now) and never talks to a
mail server. Rendering and sending happen later (services.mail).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from nextcars_tui.domain.lifecycle import LifecycleCutoffs
from nextcars_tui.domain.mail import (
    CALENDAR_KINDS,
    MessageKind,
    OutboxStatus,
    address_domain,
    calendar_uid,
    message_id,
    parse_clock_time,
    reminder_due_dates,
    reminder_key,
    run_sheet_day,
    run_sheet_key,
)
from nextcars_tui.domain.statuses import BookingStatus
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.mail_texts import Facts, subject_of
from nextcars_tui.services.views import BookingView, InvoiceView, booking_view
from nextcars_tui.store import UnitOfWork

if TYPE_CHECKING:
    from nextcars_tui.services.blocks import Reassignment


# strftime's %a and %b in the C locale (Python never changes LC_TIME), looked up instead of
# formatted: a payment's receipt writes a date on the payment's own path.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The facts as the outbox stores them: compact, non-ASCII kept (one encoder, made once).
_FACTS_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def day_text(day: date) -> str:
    """'Tue 16 Mar 2026': how a message writes a date."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _business(desk: Desk) -> Facts:
    business = desk.settings.business
    return {"business_name": business.name, "business_address": business.address}


def _domain(desk: Desk) -> str:
    return address_domain(desk.settings.mail.from_address)


def _row(
    desk: Desk,
    kind: MessageKind,
    to: str,
    facts: Facts,
    now: datetime,
    *,
    booking_ref: str | None = None,
    invoice_ref: str | None = None,
    dedupe_key: str | None = None,
) -> dict[str, Any]:
    facts = {**_business(desk), **facts}
    return {
        "id": None,
        "kind": kind.value,
        "to_address": to,
        "subject": subject_of(desk.settings.mail.templates, kind.value, facts),
        "facts": _FACTS_JSON.encode(facts),
        "booking_ref": booking_ref,
        "invoice_ref": invoice_ref,
        "status": OutboxStatus.QUEUED.value,
        "attempts": 0,
        "next_attempt_at": now,
        "claimed_by": None,
        "claimed_at": None,
        "created_at": now,
        "sent_at": None,
        "error": None,
        "message_id": message_id(f"{uuid.uuid4().hex}.{kind.value}", _domain(desk)),
        "dedupe_key": dedupe_key,
    }


def _queue(uow: UnitOfWork, row: dict[str, Any]) -> int:
    return uow.outbox.add(row)


def _booking_facts(desk: Desk, view: BookingView) -> Facts:
    """What a message about a booking says of it, and what its .ics is made from."""
    invoice = view.invoice
    details = [
        ("Dates", f"{day_text(view.start)} to {day_text(view.last_day)} ({view.days} day(s))"),
        ("Car", f"{view.car_name} ({view.car_plate})"),
        ("Driver", view.driver_name),
        ("Pickup", " ".join(filter(None, (view.pickup_time, view.pickup)))),
        ("Drop-off", view.dropoff or ""),
        ("Passengers", "" if view.passengers is None else str(view.passengers)),
        ("Notes", view.notes or ""),
    ]
    return {
        "customer_name": view.customer_name,
        "booking": view.ref,
        "invoice": invoice.ref,
        "start": day_text(view.start),
        "last_day": day_text(view.last_day),
        "days": view.days,
        "car": f"{view.car_name} ({view.car_plate})",
        "driver_name": view.driver_name,
        "total": desk.money(view.total_cents),
        "invoice_amount": desk.money(invoice.amount_cents),
        "paid": desk.money(invoice.paid_cents),
        "balance": desk.money(max(invoice.balance_cents, 0)),
        "due": day_text(invoice.due),
        "details": [[label, value] for label, value in details if value],
        # For the calendar file.
        "start_date": view.start.isoformat(),
        "end_date": view.end.isoformat(),
        "pickup_time": view.pickup_time,
        "pickup": view.pickup,
        "dropoff": view.dropoff,
        "notes": view.notes,
        "time_zone": desk.settings.business.time_zone,
        "uid": calendar_uid(view.ref, _domain(desk)),
    }


def _calendar(uow: UnitOfWork, view: BookingView, facts: Facts) -> Facts:
    """The .ics's SEQUENCE: how many calendar messages the booking has had before."""
    kinds = [kind.value for kind in CALENDAR_KINDS]
    return {**facts, "sequence": uow.outbox.calendar_messages(view.ref, kinds)}


def notify_confirmed(uow: UnitOfWork, desk: Desk, view: BookingView) -> None:
    """A booking was confirmed: the confirmation, with the rental as an .ics (the booking's
    first: a pending booking's changes send nothing, and a booking is confirmed once)."""
    facts = {**_booking_facts(desk, view), "sequence": 0}
    row = _row(
        desk,
        MessageKind.CONFIRMATION,
        view.customer_email,
        facts,
        desk.now(),
        booking_ref=view.ref,
        invoice_ref=view.invoice.ref,
    )
    _queue(uow, row)


def notify_confirmed_ref(uow: UnitOfWork, desk: Desk, booking_ref: str) -> None:
    """notify_confirmed for a booking known by its ref (read in the same unit of work)."""
    found = uow.bookings.row_by_ref(booking_ref)
    if found is not None:
        notify_confirmed(uow, desk, booking_view(*found))


def notify_changed(uow: UnitOfWork, desk: Desk, view: BookingView, what: str) -> None:
    """A confirmed booking's dates, car, driver or job sheet changed: the new .ics, same UID.
    A pending booking has had no confirmation, so its changes send nothing."""
    if view.status != BookingStatus.CONFIRMED:
        return
    facts = _calendar(uow, view, {**_booking_facts(desk, view), "what": what})
    row = _row(
        desk,
        MessageKind.CHANGE,
        view.customer_email,
        facts,
        desk.now(),
        booking_ref=view.ref,
        invoice_ref=view.invoice.ref,
    )
    _queue(uow, row)


def notify_reassigned(uow: UnitOfWork, desk: Desk, moved: Sequence[Reassignment]) -> None:
    """Bookings a block moved to another car or driver: each confirmed one's change."""
    for move in moved:
        found = uow.bookings.row_by_ref(move.booking)
        if found is not None and move.to is not None:
            notify_changed(uow, desk, booking_view(*found), f"{move.from_key} → {move.to}")


def _money_facts(
    desk: Desk, invoice: InvoiceView, amount_cents: int, method: str, at: datetime
) -> Facts:
    now = at.astimezone(desk.settings.business.zone)
    return {
        "customer_name": invoice.customer_name,
        "booking": invoice.booking_ref,
        "invoice": invoice.ref,
        "amount": desk.money(amount_cents),
        "method": str(method),
        "when": f"{day_text(now)} {now.hour:02d}:{now.minute:02d}",
        "invoice_amount": desk.money(invoice.amount_cents),
        "paid": desk.money(invoice.paid_cents),
        "balance": desk.money(invoice.balance_cents),
    }


def notify_paid(
    uow: UnitOfWork, desk: Desk, invoice: InvoiceView, amount_cents: int, method: str
) -> None:
    """A payment was taken: the receipt (`invoice` as it stands after it)."""
    now = desk.now()  # one moment: the message's and the one it tells of
    row = _row(
        desk,
        MessageKind.RECEIPT,
        invoice.customer_email,
        _money_facts(desk, invoice, amount_cents, method, now),
        now,
        booking_ref=invoice.booking_ref,
        invoice_ref=invoice.ref,
    )
    _queue(uow, row)


def notify_refunded(
    uow: UnitOfWork, desk: Desk, invoice: InvoiceView, amount_cents: int, method: str
) -> None:
    """Money was paid back: the refund notice."""
    now = desk.now()  # one moment: the message's and the one it tells of
    row = _row(
        desk,
        MessageKind.REFUND,
        invoice.customer_email,
        _money_facts(desk, invoice, amount_cents, method, now),
        now,
        booking_ref=invoice.booking_ref,
        invoice_ref=invoice.ref,
    )
    _queue(uow, row)


def notify_cancelled(uow: UnitOfWork, desk: Desk, view: BookingView, fee_cents: int) -> None:
    """A booking was cancelled: the fee, what is owed back, and an .ics that cancels it."""
    balance = view.invoice.balance_cents
    facts = {
        **_booking_facts(desk, view),
        "reason": view.cancel_reason or "cancelled",
        "fee": desk.money(fee_cents),
        "owed_back": desk.money(max(-balance, 0)),
        "due_from_you": desk.money(max(balance, 0)),
    }
    row = _row(
        desk,
        MessageKind.CANCELLATION,
        view.customer_email,
        _calendar(uow, view, facts),
        desk.now(),
        booking_ref=view.ref,
        invoice_ref=view.invoice.ref,
    )
    _queue(uow, row)


def invoice_row(desk: Desk, view: BookingView, now: datetime) -> dict[str, Any]:
    """The invoice message for a booking (its PDF is drawn when the message is sent)."""
    return _row(
        desk,
        MessageKind.INVOICE,
        view.customer_email,
        _booking_facts(desk, view),
        now,
        booking_ref=view.ref,
        invoice_ref=view.invoice.ref,
    )


def queue_invoice(uow: UnitOfWork, desk: Desk, view: BookingView) -> int:
    """The invoice, on demand; returns the message's id."""
    return _queue(uow, invoice_row(desk, view, desk.now()))


# -- the lifecycle rules' messages --------------------------------------------------------


def queue_lifecycle_mail(
    uow: UnitOfWork, desk: Desk, cut: LifecycleCutoffs, completed: Sequence[str]
) -> None:
    """What a lifecycle run sends: the invoice of each rental it completed, the reminders
    that fall today, and tomorrow's run sheets once their time has come."""
    for found in uow.bookings.rows_by_refs(completed):
        _queue(uow, invoice_row(desk, booking_view(*found), cut.now))
    _queue_reminders(uow, desk, cut)
    _queue_run_sheets(uow, desk, cut)


def _queue_reminders(uow: UnitOfWork, desk: Desk, cut: LifecycleCutoffs) -> None:
    steps = reminder_due_dates(cut.today, desk.settings.mail.reminder_days)
    rows = []
    for candidate in uow.outbox.reminder_candidates(list(steps)):
        step = steps[candidate.due]
        facts = {
            "customer_name": candidate.customer_name,
            "booking": candidate.booking_ref,
            "invoice": candidate.invoice_ref,
            "due": day_text(candidate.due),
            "days_late": step,
            "invoice_amount": desk.money(candidate.amount_cents),
            "paid": desk.money(candidate.paid_cents),
            "balance": desk.money(candidate.amount_cents - candidate.paid_cents),
        }
        rows.append(
            _row(
                desk,
                MessageKind.REMINDER,
                candidate.customer_email,
                facts,
                cut.now,
                booking_ref=candidate.booking_ref,
                invoice_ref=candidate.invoice_ref,
                dedupe_key=reminder_key(candidate.invoice_ref, step),
            )
        )
    uow.outbox.add_once(rows)


def _queue_run_sheets(uow: UnitOfWork, desk: Desk, cut: LifecycleCutoffs) -> None:
    mail = desk.settings.mail
    if not mail.run_sheets:
        return
    zone = desk.settings.business.zone
    day = run_sheet_day(cut.now.astimezone(zone), parse_clock_time(mail.run_sheet_time))
    if day is None:
        return
    by_driver: dict[str, list[Any]] = {}
    for job in uow.outbox.jobs_on(day):
        by_driver.setdefault(job.driver_code, []).append(job)
    rows = []
    for code, jobs in by_driver.items():
        first = jobs[0]
        facts = {
            "driver_name": first.driver_name,
            "driver": code,
            "day": day_text(day),
            "jobs": [_job_facts(job) for job in jobs],
        }
        rows.append(
            _row(
                desk,
                MessageKind.RUN_SHEET,
                first.driver_email,
                facts,
                cut.now,
                dedupe_key=run_sheet_key(code, day),
            )
        )
    uow.outbox.add_once(rows)


def _job_facts(job: Any) -> Facts:
    last = job.end - timedelta(days=1)
    span = day_text(job.start) if job.start == last else f"{day_text(job.start)}–{day_text(last)}"
    return {
        "booking": job.booking_ref,
        "span": span,
        "customer_name": job.customer_name,
        "customer_phone": job.customer_phone,
        "car_plate": job.car_plate,
        "car_name": job.car_name,
        "pickup_time": job.pickup_time,
        "pickup": job.pickup,
        "dropoff": job.dropoff,
        "passengers": job.passengers,
        "notes": job.notes,
    }
