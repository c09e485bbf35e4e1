"""Billing: checkout (taking payment) and reading invoices."""

from __future__ import annotations

from nextcars_tui.domain.errors import InvalidInput, NotAllowed, NotFound
from nextcars_tui.domain.refs import normalise_invoice_ref
from nextcars_tui.domain.roles import Actor, Permission, Role
from nextcars_tui.domain.rules import payment_refusal
from nextcars_tui.domain.statuses import (
    BookingStatus,
    InvoiceStatus,
    PaymentMethod,
)
from nextcars_tui.services.booking import booking_detail
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.views import (
    BookingDetail,
    BookingView,
    InvoiceView,
    Page,
    booking_view,
    invoice_view,
)
from nextcars_tui.store.tables import Payment


def parse_method(text: str) -> PaymentMethod:
    try:
        return PaymentMethod(text.strip().lower())
    except ValueError:
        names = ", ".join(m.value for m in PaymentMethod)
        raise InvalidInput(f"Payment method must be one of {names}, got {text!r}.") from None


def checkout(desk: Desk, actor: Actor, ref: str, method: str | PaymentMethod) -> BookingView:
    """Take the full amount of an unpaid or overdue invoice; confirms a pending booking too.

    The status check and the payment share one write transaction holding the booking and
    invoice, so of two simultaneous checkouts of one invoice exactly one succeeds.
    """
    actor.require(Permission.CHECKOUT)
    ref = normalise_invoice_ref(ref)
    chosen = method if isinstance(method, PaymentMethod) else parse_method(method)
    now = desk.now()
    with desk.db.write() as uow:
        found = uow.invoices.by_ref(ref)
        # Held booking first, then invoice (the store's lock order), each read fresh.
        held = uow.bookings.by_id(found.booking_id, lock=True) if found else None
        invoice = uow.invoices.by_ref(ref, lock=True) if held else None
        if invoice is None:
            raise NotFound(f"No invoice {ref}.")
        refusal = payment_refusal(ref, invoice.status, invoice.amount_cents)
        if refusal is not None:
            raise NotAllowed(f"{refusal} Nothing was charged.")
        row = uow.bookings.row_by_ref_id(invoice.booking_id)
        booking = row[0]
        uow.invoices.add_payment(
            Payment(
                invoice_id=invoice.id or 0,
                amount_cents=invoice.amount_cents,
                method=chosen,
                taken_at=now,
                taken_by=actor.username,
            )
        )
        before = invoice.status
        invoice.status = InvoiceStatus.PAID
        uow.invoices.save(invoice)
        uow.audit.record(
            at=now,
            actor=actor.username,
            action="paid",
            ref=invoice.ref,
            detail=f"{desk.money(invoice.amount_cents)} by {chosen} (was {before})",
        )
        if booking.status == BookingStatus.PENDING:
            booking.status = BookingStatus.CONFIRMED
            uow.bookings.save(booking)
            uow.audit.record(
                at=now, actor=actor.username, action="confirmed", ref=booking.ref, detail="paid"
            )
        uow.flush()
        view = booking_view(*row)
        uow.commit()
        return view


def list_invoices(
    desk: Desk,
    actor: Actor,
    *,
    statuses: list[InvoiceStatus] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[InvoiceView]:
    """Invoices by due date; customers get only their own, drivers none."""
    customer_id: int | None = None
    if not actor.can(Permission.VIEW_DESK):
        actor.require(Permission.VIEW_OWN_BOOKINGS)
        # -1 matches nobody: a customer account linked to no customer owns no invoices.
        linked = actor.customer_id if actor.role == Role.CUSTOMER else None
        customer_id = linked if linked is not None else -1
    wanted = [s.value for s in statuses] if statuses else None
    with desk.db.read() as uow:
        rows = uow.invoices.rows(
            statuses=wanted, customer_id=customer_id, limit=limit, offset=offset
        )
        total = uow.invoices.count(statuses=wanted, customer_id=customer_id)
        return Page([invoice_view(*row) for row in rows], total, offset, limit)


def invoice_booking(desk: Desk, actor: Actor, ref: str) -> BookingView:
    """The booking behind an invoice, with the invoice itself in it."""
    ref = normalise_invoice_ref(ref)
    with desk.db.read() as uow:
        invoice = uow.invoices.by_ref(ref)
        row = uow.bookings.row_by_ref_id(invoice.booking_id) if invoice else None
        if row is None:
            raise NotFound(f"No invoice {ref}.")
        allowed = actor.can(Permission.VIEW_DESK) or (
            actor.role == Role.CUSTOMER and actor.customer_id == row[0].customer_id
        )
        if not allowed:
            raise NotFound(f"No invoice {ref}.")
        return booking_view(*row)


def invoice_detail(desk: Desk, actor: Actor, ref: str) -> BookingDetail:
    """An invoice's whole record, found by its ref: the booking it bills, payments, history."""
    booking_ref = invoice_booking(desk, actor, ref).ref
    return booking_detail(desk, actor, booking_ref)
