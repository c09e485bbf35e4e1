"""A customer's account: every booking and invoice, what they owe and are owed back (the
ledger's rule, kept apart, never netted), found by any case of the address; the wizard's pick
leaves retired customers out and says what each has overdue; the palette finds invoices by
number and by their customer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from deskkit import TODAY, email, request

from nextcars_tui.domain.errors import NotAllowed, NotFound
from nextcars_tui.services import billing, booking
from nextcars_tui.services.customers import bookable_customers, customer_account, own_balance
from nextcars_tui.services.lifecycle import run_lifecycle
from nextcars_tui.services.retire import retire
from nextcars_tui.services.search import HitKind, search_desk


@pytest.fixture
def money_states(desk, staff):
    """Customer 1: one invoice unpaid, one part paid, one paid then cancelled (owed back)."""
    unpaid = booking.book(desk, staff, request(car=1, driver=1, start=TODAY + timedelta(days=5)))
    part = booking.book(desk, staff, request(car=2, driver=2, start=TODAY + timedelta(days=9)))
    billing.pay(desk, staff, part.invoice.ref, "50.00", "cash")
    back = booking.book(desk, staff, request(car=3, driver=3, start=TODAY + timedelta(days=20)))
    billing.checkout(desk, staff, back.invoice.ref, "card")
    booking.cancel(desk, staff, back.ref, "flight cancelled")
    # Someone else's booking, never on customer 1's account.
    booking.book(desk, staff, request(car=4, driver=4, customer=2))
    return unpaid, part, back


def test_the_account_holds_every_booking_and_invoice_newest_first(desk, staff, money_states):
    unpaid, part, back = money_states
    account = customer_account(desk, staff, email(1).upper())
    assert account.customer.email == email(1)
    assert [b.ref for b in account.bookings] == [back.ref, part.ref, unpaid.ref]
    newest_first = [back.invoice.ref, part.invoice.ref, unpaid.invoice.ref]
    assert [i.ref for i in account.invoices] == newest_first


def test_owed_and_owed_back_are_summed_apart(desk, staff, money_states):
    unpaid, part, back = money_states
    balance = customer_account(desk, staff, email(1)).balance
    assert balance.owed_cents == unpaid.total_cents + part.total_cents - 5_000
    assert balance.owed_back_cents == back.total_cents
    assert (balance.overdue_invoices, balance.overdue_cents) == (0, 0)


def test_more_bookings_than_a_page_are_all_there(desk, staff):
    for day in range(0, 210, 2):
        start = TODAY + timedelta(days=day)
        booking.book(desk, staff, request(car=1 + day % 8, start=start, days=1))
    assert len(customer_account(desk, staff, email(1)).bookings) == 105


def test_an_unknown_or_malformed_address_is_not_found(desk, staff):
    for typed in ("nobody@example.com", "not an address"):
        with pytest.raises(NotFound, match="No customer with e-mail"):
            customer_account(desk, staff, typed)


@pytest.mark.parametrize("role", ["driver", "customer"])
def test_drivers_and_customers_see_no_account_and_no_wizard_pick(desk, actors, role):
    with pytest.raises(NotAllowed):
        customer_account(desk, actors[role], email(1))
    with pytest.raises(NotAllowed):
        bookable_customers(desk, actors[role], "cust")


def test_the_wizard_pick_says_what_is_overdue_and_leaves_out_the_retired(
    desk, clock, staff, manager, system, money_states
):
    unpaid, *_ = money_states
    booking.confirm(desk, staff, unpaid.ref)
    # Past the unpaid rental's due date: the lifecycle marks it overdue.
    clock.advance(days=5 + 3 + 14 + 1)
    run_lifecycle(desk, system)
    choices = {c.customer.email: c for c in bookable_customers(desk, staff, "cust")}
    first = choices[email(1)]
    assert first.overdue_invoices >= 1
    assert first.overdue_cents == customer_account(desk, staff, email(1)).balance.overdue_cents
    assert (choices[email(2)].overdue_invoices, choices[email(2)].overdue_cents) == (0, 0)
    retire(desk, manager, "customer", email(3))
    assert email(3) not in {c.customer.email for c in bookable_customers(desk, staff, "cust")}
    # Retired, not gone: the account still shows them, marked.
    assert customer_account(desk, staff, email(3)).customer.retired


def test_the_palette_finds_an_invoice_by_number_and_by_its_customer(desk, staff, money_states):
    unpaid, part, _ = money_states
    by_number = search_desk(desk, staff, part.invoice.ref.lower())
    assert [h.key for h in by_number if h.kind == HitKind.INVOICE] == [part.invoice.ref]
    # The number without its zeros' tail is the start of a ref, as for bookings.
    assert part.invoice.ref in {
        h.key for h in search_desk(desk, staff, "INV-00000") if h.kind == HitKind.INVOICE
    }
    # The invoice's customer comes with it.
    assert email(1) in {h.key for h in by_number if h.kind == HitKind.CUSTOMER}
    by_customer = search_desk(desk, staff, email(1))
    assert unpaid.invoice.ref in {h.key for h in by_customer if h.kind == HitKind.INVOICE}
    assert email(1) in {h.key for h in by_customer if h.kind == HitKind.CUSTOMER}
    # A phone typed in the national form finds the customer and their invoices.
    by_phone = search_desk(desk, staff, "020 7946 0001")
    assert unpaid.invoice.ref in {h.key for h in by_phone if h.kind == HitKind.INVOICE}
    assert email(1) in {h.key for h in by_phone if h.kind == HitKind.CUSTOMER}


def test_a_customer_gets_their_own_balance_over_every_invoice(desk, staff, actors, money_states):
    own = own_balance(desk, actors["customer"])
    assert own == customer_account(desk, staff, email(1)).balance
    assert own.owing_invoices == 2
    for role in ("driver", "staff"):
        with pytest.raises(NotAllowed):
            own_balance(desk, actors[role])
