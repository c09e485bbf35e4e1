"""A customer's account: their contact, every booking and every invoice, and what they owe
and are owed back (domain.ledger.customer_balance, the one rule); and the booking wizard's
pick of customers who may book, with what they have overdue."""

from __future__ import annotations

from dataclasses import dataclass, replace

from nextcars_tui.domain.errors import InvalidInput, NotFound
from nextcars_tui.domain.ledger import CustomerBalance, customer_balance
from nextcars_tui.domain.parsing import parse_email
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.fleet import CustomerView, customer_view
from nextcars_tui.services.views import BookingView, InvoiceView, booking_view, invoice_view
from nextcars_tui.store import BookingQuery, CustomerRecord, UnitOfWork

# What the wizard lists while a clerk types.
CHOICES = 20


@dataclass(frozen=True)
class CustomerAccount:
    """One customer's whole account, read in one transaction: bookings newest first (by
    start), invoices newest first (by number), and their balance over those invoices."""

    customer: CustomerView
    bookings: list[BookingView]
    invoices: list[InvoiceView]
    balance: CustomerBalance


def _customer(uow: UnitOfWork, email: str) -> CustomerRecord:
    """The customer with this address (any case); anything that is not a customer's
    address, well-formed or not, is a customer the desk does not have."""
    try:
        key = parse_email(email)
    except InvalidInput:
        key = None
    found = uow.customers.by_email(key) if key is not None else None
    if found is None:
        raise NotFound(f"No customer with e-mail {email.strip()}.")
    return found


def _balance_of(invoices: list[InvoiceView]) -> CustomerBalance:
    return customer_balance((invoice.status.value, invoice.balance_cents) for invoice in invoices)


def customer_account(desk: Desk, actor: Actor, email: str) -> CustomerAccount:
    """Staff and managers see any customer's account (a customer sees their own bookings
    on their home screen instead)."""
    actor.require(Permission.VIEW_DESK)
    with desk.db.read() as uow:
        customer = _customer(uow, email)
        mine = BookingQuery(customer_id=customer.id, sort="start", descending=True)
        # Every booking: as many as the customer has, through their (customer, start) index.
        every = max(1, uow.bookings.count(mine))
        rows = uow.bookings.rows(replace(mine, limit=every))
        bookings = [booking_view(*row) for row in rows]
        billed = uow.invoices.rows(customer_id=customer.id, limit=None, by_number=True)
        invoices = [invoice_view(*row) for row in reversed(billed)]
    return CustomerAccount(customer_view(customer), bookings, invoices, _balance_of(invoices))


def own_balance(desk: Desk, actor: Actor) -> CustomerBalance:
    """A signed-in customer's own balance, over every invoice of theirs (their home screen
    lists a page of them; the balance is never summed from a page)."""
    actor.require(Permission.VIEW_OWN_BOOKINGS)
    if actor.customer_id is None:
        raise NotFound("This customer account is not linked to a customer.")
    with desk.db.read() as uow:
        rows = uow.invoices.rows(customer_id=actor.customer_id, limit=None)
        return _balance_of([invoice_view(*row) for row in rows])


@dataclass(frozen=True)
class CustomerChoice:
    """A customer the wizard offers, with what they have overdue (a warning, never a
    refusal: the desk decides whether to book them)."""

    customer: CustomerView
    overdue_invoices: int
    overdue_cents: int


def bookable_customers(
    desk: Desk, actor: Actor, text: str = "", limit: int = CHOICES
) -> list[CustomerChoice]:
    """Customers not retired (a retired one takes no new bookings) whose name, e-mail or
    phone contains the text, by name, each with their overdue invoices."""
    actor.require(Permission.BOOK)
    with desk.db.read() as uow:
        found = uow.customers.search(
            text, max(1, limit), phone_digits=desk.phone_digits(text), in_service=True
        )
        overdue = uow.invoices.overdue_by_customer([customer.id or 0 for customer in found])
    choices = []
    for customer in found:
        balance = customer_balance(overdue.get(customer.id or 0, ()))
        choices.append(
            CustomerChoice(customer_view(customer), balance.overdue_invoices, balance.overdue_cents)
        )
    return choices
