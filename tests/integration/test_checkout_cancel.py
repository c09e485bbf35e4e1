"""Rules 5 and 6: confirm, checkout and cancel, and what each refuses. Money moves as ledger
entries: checkout takes the whole balance, cancelling reverses the charges."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from deskkit import TODAY, raw, request, snapshot, statuses

from nextcars_tui.domain.errors import InvalidInput, NotAllowed, NotFound
from nextcars_tui.domain.statuses import BookingStatus, InvoiceStatus
from nextcars_tui.services.billing import checkout, refund
from nextcars_tui.services.booking import book, booking_detail, cancel, confirm
from nextcars_tui.services.lifecycle import run_lifecycle
from nextcars_tui.store import CarRecord, DriverRecord

# Bookings that are to be cancelled start in the future: a rental under way cannot be.
LATER = TODAY + timedelta(days=5)


def payments(path):
    """Money taken or paid back: (invoice, kind, cents, method, clerk), oldest first."""
    with raw(path) as db:
        return db.execute(
            "SELECT i.ref, e.kind, e.amount_cents, e.method, e.actor FROM ledger_entry e "
            "JOIN invoice i ON i.id = e.invoice_id WHERE e.kind IN ('payment', 'refund') "
            "ORDER BY e.id"
        ).fetchall()


def ledger(path, invoice_ref):
    """(kind, signed cents, reason) of an invoice's entries, oldest first."""
    with raw(path) as db:
        return db.execute(
            "SELECT e.kind, e.amount_cents, e.reason FROM ledger_entry e "
            "JOIN invoice i ON i.id = e.invoice_id WHERE i.ref = ? ORDER BY e.id",
            (invoice_ref,),
        ).fetchall()


def figures(path, invoice_ref):
    """(amount_cents, paid_cents) as stored on the invoice."""
    with raw(path) as db:
        return db.execute(
            "SELECT amount_cents, paid_cents FROM invoice WHERE ref = ?", (invoice_ref,)
        ).fetchone()


def audit(path):
    with raw(path) as db:
        return db.execute("SELECT actor, action, ref FROM audit_entry ORDER BY id").fetchall()


# --- Confirm ---------------------------------------------------------------------------------


def test_staff_confirm_a_pending_booking_without_payment(desk, staff):
    view = book(desk, staff, request())
    confirmed = confirm(desk, staff, "bk-1")
    assert confirmed.ref == view.ref
    assert confirmed.status == BookingStatus.CONFIRMED
    assert confirmed.invoice.status == InvoiceStatus.UNPAID
    assert statuses(desk, view.ref) == ("confirmed", "unpaid")
    assert payments(desk) == []
    assert audit(desk)[-1] == ("sam", "confirmed", view.ref)


def test_only_a_pending_booking_can_be_confirmed(desk, staff):
    view = book(desk, staff, request(start=LATER))
    confirm(desk, staff, view.ref)
    before = snapshot(desk)
    with pytest.raises(NotAllowed, match="is confirmed; only a pending booking"):
        confirm(desk, staff, view.ref)
    assert snapshot(desk) == before
    cancel(desk, staff, view.ref)
    before = snapshot(desk)
    with pytest.raises(NotAllowed, match="is cancelled"):
        confirm(desk, staff, view.ref)
    assert snapshot(desk) == before


def test_confirming_an_unknown_ref_is_not_found(desk, staff):
    with pytest.raises(NotFound, match="No booking BK-000042"):
        confirm(desk, staff, "BK-000042")
    with pytest.raises(InvalidInput):
        confirm(desk, staff, "not a ref")


# --- Checkout --------------------------------------------------------------------------------


def test_checkout_records_payment_marks_paid_and_confirms_pending(desk, staff):
    view = book(desk, staff, request(days=2))
    paid = checkout(desk, staff, "inv-000001", "Card")
    assert paid.ref == view.ref
    assert paid.status == BookingStatus.CONFIRMED
    assert paid.invoice.status == InvoiceStatus.PAID
    assert statuses(desk, view.ref) == ("confirmed", "paid")
    assert payments(desk) == [(view.invoice.ref, "payment", view.total_cents, "card", "sam")]
    assert figures(desk, view.invoice.ref) == (view.total_cents, view.total_cents)
    assert (paid.invoice.paid_cents, paid.invoice.balance_cents) == (view.total_cents, 0)
    # The payment confirms the hold in the same transaction.
    assert audit(desk)[-2:] == [
        ("sam", "confirmed", view.ref),
        ("sam", "paid", view.invoice.ref),
    ]


def test_checkout_of_a_confirmed_booking_keeps_it_confirmed(desk, staff):
    view = book(desk, staff, request())
    confirm(desk, staff, view.ref)
    checkout(desk, staff, view.invoice.ref, "cash")
    assert statuses(desk, view.ref) == ("confirmed", "paid")
    assert [p[3] for p in payments(desk)] == ["cash"]


def test_an_overdue_invoice_can_still_be_paid(desk, staff, system):
    view = book(desk, staff, request(days=1))
    confirm(desk, staff, view.ref)
    # End 11 March + 14 days = due 25 March; on 26 March it is overdue and the rental complete.
    run_lifecycle(desk, system, now=datetime(2026, 3, 26, 9, tzinfo=UTC))
    assert statuses(desk, view.ref) == ("completed", "overdue")
    paid = checkout(desk, staff, view.invoice.ref, "transfer")
    assert paid.status == BookingStatus.COMPLETED
    assert statuses(desk, view.ref) == ("completed", "paid")


@pytest.mark.parametrize(
    ("state", "says"),
    [
        ("paid", "is paid; nothing to take"),
        ("void", "is void"),
        ("refund_due", "owes money back to the customer"),
        ("refunded", "was refunded"),
    ],
)
def test_checkout_is_refused_unless_money_is_owed_and_changes_nothing(desk, staff, state, says):
    view = book(desk, staff, request(start=LATER))
    if state in ("paid", "refund_due", "refunded"):
        checkout(desk, staff, view.invoice.ref, "card")
    if state in ("void", "refund_due", "refunded"):
        cancel(desk, staff, view.ref)
    if state == "refunded":
        refund(desk, staff, view.invoice.ref, view.total_cents, "card")
    assert statuses(desk, view.ref)[1] == state
    before = snapshot(desk)
    with pytest.raises(NotAllowed, match=rf"{view.invoice.ref} {says}.*Nothing was taken"):
        checkout(desk, staff, view.invoice.ref, "card")
    assert snapshot(desk) == before


def test_checkout_rejects_unknown_methods_and_refs(desk, staff):
    view = book(desk, staff, request())
    before = snapshot(desk)
    with pytest.raises(InvalidInput, match="card, cash, transfer"):
        checkout(desk, staff, view.invoice.ref, "cheque")
    with pytest.raises(NotFound, match="No invoice INV-000099"):
        checkout(desk, staff, "INV-000099", "card")
    assert snapshot(desk) == before


# --- Cancel ----------------------------------------------------------------------------------


def test_cancelling_voids_an_unpaid_invoice(desk, staff):
    view = book(desk, staff, request(start=LATER))
    cancelled = cancel(desk, staff, view.ref, "  flight   delayed ")
    assert cancelled.status == BookingStatus.CANCELLED
    assert cancelled.cancel_reason == "flight delayed"
    assert cancelled.invoice.status == InvoiceStatus.VOID
    assert statuses(desk, view.ref) == ("cancelled", "void")
    # The charges are reversed by a new entry, never edited: the invoice is for nothing.
    charges = ledger(desk, view.invoice.ref)
    assert [kind for kind, _cents, _why in charges] == ["charge", "charge", "charge"]
    assert charges[-1] == ("charge", -view.total_cents, "flight delayed")
    assert sum(cents for _kind, cents, _why in charges) == 0
    assert figures(desk, view.invoice.ref) == (0, 0)
    assert cancelled.invoice.amount_cents == 0
    assert audit(desk)[-2:] == [
        ("sam", "cancelled", view.ref),
        ("sam", "invoice void", view.invoice.ref),
    ]


def test_cancelling_a_paid_booking_owes_the_payment_back_and_keeps_it(desk, staff):
    view = book(desk, staff, request(start=LATER))
    checkout(desk, staff, view.invoice.ref, "card")
    cancelled = cancel(desk, staff, view.ref)
    assert statuses(desk, view.ref) == ("cancelled", "refund_due")
    assert cancelled.invoice.balance_cents == -view.total_cents
    assert figures(desk, view.invoice.ref) == (0, view.total_cents)
    assert payments(desk) == [(view.invoice.ref, "payment", view.total_cents, "card", "sam")]
    detail = booking_detail(desk, staff, view.ref)
    assert detail.booking.cancel_reason == "cancelled at the desk"
    assert [(e.kind.value, e.amount_cents) for e in detail.entries] == [
        ("charge", view.car_daily_rate_cents * 3),
        ("charge", view.driver_daily_fee_cents * 3),
        ("payment", view.total_cents),
        ("charge", -view.total_cents),
    ]
    # Paying it back settles it: refunded, nothing owed either way.
    back = refund(desk, staff, view.invoice.ref, view.total_cents, "card")
    assert (back.status, back.amount_cents, back.paid_cents) == (InvoiceStatus.REFUNDED, 0, 0)
    assert statuses(desk, view.ref) == ("cancelled", "refunded")


def test_cancelling_an_overdue_invoice_voids_it(desk, staff, system, clock):
    view = book(desk, staff, request(start=TODAY + timedelta(days=20), days=2))
    confirm(desk, staff, view.ref)
    with raw(desk) as db:
        db.execute("UPDATE invoice SET due_date = '2026-03-01'")
    run_lifecycle(desk, system)
    assert statuses(desk, view.ref) == ("confirmed", "overdue")
    cancel(desk, staff, view.ref)
    assert statuses(desk, view.ref) == ("cancelled", "void")


def test_a_cancelled_booking_cannot_be_cancelled_again(desk, staff):
    view = book(desk, staff, request(start=LATER))
    cancel(desk, staff, view.ref)
    before = snapshot(desk)
    with pytest.raises(NotAllowed, match="is cancelled and cannot be cancelled"):
        cancel(desk, staff, view.ref)
    assert snapshot(desk) == before


def test_a_completed_booking_cannot_be_cancelled(desk, staff, system, clock):
    view = book(desk, staff, request(days=2))
    checkout(desk, staff, view.invoice.ref, "card")
    clock.moment = datetime(2026, 3, 12, 8, tzinfo=UTC)
    run_lifecycle(desk, system)
    assert statuses(desk, view.ref) == ("completed", "paid")
    before = snapshot(desk)
    with pytest.raises(NotAllowed, match="is completed and cannot be cancelled"):
        cancel(desk, staff, view.ref)
    assert snapshot(desk) == before


def test_a_booking_that_has_ended_cannot_be_cancelled_even_before_the_lifecycle_runs(
    desk, staff, clock
):
    view = book(desk, staff, request(days=2))
    confirm(desk, staff, view.ref)
    clock.moment = datetime(2026, 3, 12, 0, 30, tzinfo=UTC)  # the end date, in London
    before = snapshot(desk)
    with pytest.raises(NotAllowed, match="started on 2026-03-10"):
        cancel(desk, staff, view.ref)
    assert snapshot(desk) == before


@pytest.mark.parametrize("paid", [False, True])
def test_a_rental_under_way_cannot_be_cancelled_and_nothing_is_refunded(desk, staff, paid):
    """A started rental is ended early or changed, never cancelled with its money back."""
    view = book(desk, staff, request(days=3))  # starts today
    if paid:
        checkout(desk, staff, view.invoice.ref, "card")
    else:
        confirm(desk, staff, view.ref)
    before = snapshot(desk)
    with pytest.raises(NotAllowed, match=r"started on 2026-03-10.*end it early"):
        cancel(desk, staff, view.ref)
    assert snapshot(desk) == before
    assert statuses(desk, view.ref) == ("confirmed", "paid" if paid else "unpaid")


def test_a_booking_can_be_cancelled_until_the_day_before_it_starts(desk, staff, clock):
    view = book(desk, staff, request(start=TODAY + timedelta(days=1), days=2))
    other = book(desk, staff, request(car=2, driver=2, start=TODAY + timedelta(days=1)))
    clock.moment = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # still 10 March in London
    assert cancel(desk, staff, view.ref).status == BookingStatus.CANCELLED
    clock.moment = datetime(2026, 3, 11, 0, 30, tzinfo=UTC)  # its first day
    with pytest.raises(NotAllowed, match="started on 2026-03-11"):
        cancel(desk, staff, other.ref)
    assert statuses(desk, other.ref) == ("pending", "unpaid")


def test_cancel_reason_is_checked(desk, staff):
    view = book(desk, staff, request())
    before = snapshot(desk)
    with pytest.raises(InvalidInput, match="too long"):
        cancel(desk, staff, view.ref, "x" * 10_000)
    assert snapshot(desk) == before


def test_cancelling_an_unknown_ref_is_not_found(desk, staff):
    with pytest.raises(NotFound):
        cancel(desk, staff, "BK-000777")


def test_booking_detail_shows_the_statement_and_history(desk, staff):
    view = book(desk, staff, request())
    checkout(desk, staff, view.invoice.ref, "cash")
    detail = booking_detail(desk, staff, view.ref)
    assert [(h.action, h.ref) for h in detail.history] == [
        ("booked", view.ref),
        ("confirmed", view.ref),
        ("paid", view.invoice.ref),
    ]
    car, driver = view.car_daily_rate_cents * 3, view.driver_daily_fee_cents * 3
    assert [
        (e.kind.value, e.amount_cents, e.method, e.by, e.balance_after_cents)
        for e in detail.entries
    ] == [
        ("charge", car, None, "sam", car),
        ("charge", driver, None, "sam", car + driver),
        ("payment", view.total_cents, "cash", "sam", 0),
    ]
    assert detail.booking.start == date(2026, 3, 10)


def test_a_free_booking_has_nothing_to_check_out(desk, staff):
    """A zero invoice owes nothing, so it reads paid and takes no payment: confirm it instead."""
    with desk.db.write() as uow:
        uow.cars.insert(CarRecord(None, "FREE 1", "Demo", "Loaner", 4, 0))
        uow.drivers.insert(DriverRecord(None, "VOL-1", "Volunteer", "+44 20 0000 0000", 0))
        uow.commit()
    view = book(desk, staff, replace(request(), car_plate="FREE 1", driver_code="VOL-1"))
    assert view.total_cents == 0
    assert (view.invoice.status, view.invoice.amount_cents) == (InvoiceStatus.PAID, 0)
    assert ledger(desk, view.invoice.ref) == []
    before = snapshot(desk)
    with pytest.raises(NotAllowed, match="is paid; nothing to take"):
        checkout(desk, staff, view.invoice.ref, "cash")
    assert snapshot(desk) == before
