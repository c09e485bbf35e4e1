"""Billing: payments, refunds and adjustments through the ledger, and reading invoices."""

from __future__ import annotations

from nextcars_tui.domain.errors import InvalidInput, NotAllowed, NotFound
from nextcars_tui.domain.ledger import EntryKind, correction_refusal, tax_part
from nextcars_tui.domain.parsing import (
    MAX_REASON,
    parse_adjustment,
    parse_positive_amount,
    parse_text,
)
from nextcars_tui.domain.refs import normalise_invoice_ref
from nextcars_tui.domain.roles import Actor, Permission, Role, may_see_booking
from nextcars_tui.domain.rules import adjustment_refusal, payment_refusal, refund_refusal
from nextcars_tui.domain.statuses import BookingStatus, InvoiceStatus, PaymentMethod, status_words
from nextcars_tui.services.booking import booking_record
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.ledger import entry
from nextcars_tui.services.notifications import (
    notify_confirmed_ref,
    notify_paid,
    notify_refunded,
)
from nextcars_tui.services.views import (
    BookingDetail,
    BookingView,
    InvoiceStatement,
    InvoiceView,
    Page,
    booking_view,
    invoice_view,
    statement,
)
from nextcars_tui.store import BookingRow, InvoiceRow, UnitOfWork


def parse_method(text: str | PaymentMethod) -> PaymentMethod:
    if isinstance(text, PaymentMethod):
        return text
    try:
        return PaymentMethod(text.strip().lower())
    except ValueError:
        names = ", ".join(m.value for m in PaymentMethod)
        raise InvalidInput(f"Payment method must be one of {names}, got {text!r}.") from None


def _for_payment(uow: UnitOfWork, ref: str) -> InvoiceRow:
    """The invoice with its booking and customer, held for money to move: the check of the
    balance and the entry that follows it cannot interleave with another clerk's."""
    found = uow.invoices.for_payment(ref)
    if found is None:
        raise NotFound(f"No invoice {ref}.")
    return found


def _take(
    desk: Desk,
    actor: Actor,
    ref: str,
    method: PaymentMethod,
    amount_cents: int | None,
) -> tuple[str, InvoiceView]:
    """Take a payment (the whole balance when no amount is given) in one transaction;
    a payment confirms a pending booking. Returns the booking ref and the invoice after."""
    now = desk.now()
    with desk.db.write() as uow:
        invoice, booking, customer = _for_payment(uow, ref)
        balance = invoice.balance_cents
        taken = balance if amount_cents is None else amount_cents
        refusal = payment_refusal(ref, invoice.status, balance, taken, money=desk.money)
        if refusal is not None:
            raise NotAllowed(f"{refusal} Nothing was taken.")
        if booking.status == BookingStatus.PENDING:
            booking = uow.bookings.change(booking, status=BookingStatus.CONFIRMED)
            uow.audit.record(
                at=now, actor=actor.username, action="confirmed", ref=booking.ref, detail="paid"
            )
            notify_confirmed_ref(uow, desk, booking.ref)
        payment = entry(
            invoice.id or 0,
            EntryKind.PAYMENT,
            taken,
            "Payment",
            at=now,
            actor=actor.username,
            method=method,
        )
        after = uow.invoices.post(invoice, booking.status, [payment], desk.today())
        uow.audit.record(
            at=now,
            actor=actor.username,
            action="paid",
            ref=invoice.ref,
            detail=f"{desk.money(taken)} by {method} (was {status_words(invoice.status)}; "
            f"balance {desk.money(after.balance_cents)})",
        )
        view = invoice_view(after, booking, customer)
        notify_paid(uow, desk, view, taken, method)
        uow.commit()
        return booking.ref, view


def pay(
    desk: Desk, actor: Actor, ref: str, amount: str | int, method: str | PaymentMethod
) -> InvoiceView:
    """Take part or all of an invoice's balance; more than the balance is refused."""
    actor.require(Permission.CHECKOUT)
    ref = normalise_invoice_ref(ref)
    cents = parse_positive_amount(amount, "amount")
    _booking_ref, view = _take(desk, actor, ref, parse_method(method), cents)
    return view


def checkout(desk: Desk, actor: Actor, ref: str, method: str | PaymentMethod) -> BookingView:
    """Take the whole balance of an invoice; confirms a pending booking too.

    The balance check and the payment share one write transaction holding the booking and
    invoice, so of two simultaneous checkouts of one invoice exactly one succeeds.
    """
    actor.require(Permission.CHECKOUT)
    ref = normalise_invoice_ref(ref)
    booking_ref, _view = _take(desk, actor, ref, parse_method(method), None)
    with desk.db.read() as uow:
        row = uow.bookings.row_by_ref(booking_ref)
        if row is None:
            raise NotFound(f"No booking {booking_ref}.")
        return booking_view(*row)


def refund(
    desk: Desk,
    actor: Actor,
    ref: str,
    amount: str | int,
    method: str | PaymentMethod,
    reason: str | None = None,
) -> InvoiceView:
    """Pay money back to the customer: never more than has been paid, and beyond what is
    owed back only as a correction with a reason (domain.ledger.correction_refusal)."""
    actor.require(Permission.REFUND)
    ref = normalise_invoice_ref(ref)
    cents = parse_positive_amount(amount, "amount")
    chosen = parse_method(method)
    why = parse_text(reason, "reason", MAX_REASON) if reason else None
    now = desk.now()
    with desk.db.write() as uow:
        invoice, booking, customer = _for_payment(uow, ref)
        refusal = refund_refusal(ref, invoice.paid_cents, cents, money=desk.money)
        if refusal is not None:
            raise NotAllowed(f"{refusal} Nothing was refunded.")
        missing = correction_refusal(invoice.balance_cents, cents, why, desk.money)
        if missing is not None:
            raise InvalidInput(missing, field="reason")
        paid_out = entry(
            invoice.id or 0,
            EntryKind.REFUND,
            cents,
            "Refund",
            at=now,
            actor=actor.username,
            method=chosen,
            reason=why,
        )
        after = uow.invoices.post(invoice, booking.status, [paid_out], desk.today())
        detail = f"{desk.money(cents)} by {chosen}; balance {desk.money(after.balance_cents)}"
        uow.audit.record(
            at=now,
            actor=actor.username,
            action="refunded",
            ref=invoice.ref,
            detail=f"{detail} ({why})" if why else detail,
        )
        view = invoice_view(after, booking, customer)
        notify_refunded(uow, desk, view, cents, chosen)
        uow.commit()
        return view


def adjust(
    desk: Desk, actor: Actor, ref: str, amount: str | int, reason: str | None
) -> InvoiceView:
    """A manager's signed correction to what an invoice is for, with a mandatory reason."""
    actor.require(Permission.ADJUST)
    ref = normalise_invoice_ref(ref)
    change = parse_adjustment(amount, "amount")
    if not reason or not reason.strip():
        raise InvalidInput("An adjustment needs a reason.", field="reason")
    why = parse_text(reason, "reason", MAX_REASON)
    now = desk.now()
    with desk.db.write() as uow:
        invoice, booking, customer = _for_payment(uow, ref)
        refusal = adjustment_refusal(ref, invoice.amount_cents, change, money=desk.money)
        if refusal is not None:
            raise NotAllowed(f"{refusal} Nothing was changed.")
        correction = entry(
            invoice.id or 0,
            EntryKind.ADJUSTMENT,
            change,
            "Adjustment",
            at=now,
            actor=actor.username,
            reason=why,
        )
        after = uow.invoices.post(invoice, booking.status, [correction], desk.today())
        uow.audit.record(
            at=now,
            actor=actor.username,
            action="adjusted",
            ref=invoice.ref,
            detail=f"{desk.money(change)} ({why}); now {desk.money(after.amount_cents)}, "
            f"balance {desk.money(after.balance_cents)}",
        )
        uow.commit()
        return invoice_view(after, booking, customer)


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


def _invoice_row(uow: UnitOfWork, actor: Actor, ref: str) -> BookingRow:
    """The booking an invoice bills, with everything beside it; an invoice the actor may not
    see is as missing as one that does not exist."""
    row = uow.bookings.row_by_invoice(ref)
    if row is None or not may_see_booking(
        actor, row.booking.customer_id, row.booking.driver_id, money=True
    ):
        raise NotFound(f"No invoice {ref}.")
    return row


def invoice_booking(desk: Desk, actor: Actor, ref: str) -> BookingView:
    """The booking behind an invoice, with the invoice itself in it."""
    ref = normalise_invoice_ref(ref)
    with desk.db.read() as uow:
        return booking_view(*_invoice_row(uow, actor, ref))


def invoice_detail(desk: Desk, actor: Actor, ref: str) -> BookingDetail:
    """An invoice's whole record, found by its ref: the booking it bills, statement, history."""
    booking_ref = invoice_booking(desk, actor, ref).ref
    return booking_record(desk, actor, booking_ref)


def invoice_statement(desk: Desk, actor: Actor, ref: str) -> InvoiceStatement:
    """What the invoice document shows, read in one transaction: booking, entries, tax."""
    ref = normalise_invoice_ref(ref)
    with desk.db.read() as uow:
        row = _invoice_row(uow, actor, ref)
        entries = statement(uow.invoices.entries(row.invoice.id or 0))
        view = booking_view(*row)
    rate = desk.settings.business.tax_rate_basis_points
    return InvoiceStatement(view, entries, rate, tax_part(view.invoice.amount_cents, rate))
