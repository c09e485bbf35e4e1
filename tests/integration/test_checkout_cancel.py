"""Rules 5 and 6: confirm, checkout and cancel, and what each refuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from deskkit import TODAY, raw, request, snapshot, statuses

from nextcars_tui.domain.errors import InvalidInput, NotAllowed, NotFound
from nextcars_tui.domain.statuses import BookingStatus, InvoiceStatus
from nextcars_tui.services.billing import checkout
from nextcars_tui.services.booking import book, booking_detail, cancel, confirm
from nextcars_tui.services.lifecycle import run_lifecycle
from nextcars_tui.store.tables import Car, Driver


def payments(path):
    with raw(path) as db:
        return db.execute(
            "SELECT i.ref, p.amount_cents, p.method, p.taken_by FROM payment p "
            "JOIN invoice i ON i.id = p.invoice_id ORDER BY p.id"
        ).fetchall()


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
    view = book(desk, staff, request())
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
    assert payments(desk) == [(view.invoice.ref, view.total_cents, "card", "sam")]
    assert audit(desk)[-2:] == [
        ("sam", "paid", view.invoice.ref),
        ("sam", "confirmed", view.ref),
    ]


def test_checkout_of_a_confirmed_booking_keeps_it_confirmed(desk, staff):
    view = book(desk, staff, request())
    confirm(desk, staff, view.ref)
    checkout(desk, staff, view.invoice.ref, "cash")
    assert statuses(desk, view.ref) == ("confirmed", "paid")
    assert [p[2] for p in payments(desk)] == ["cash"]


def test_an_overdue_invoice_can_still_be_paid(desk, staff, system):
    view = book(desk, staff, request(days=1))
    confirm(desk, staff, view.ref)
    # End 11 March + 14 days = due 25 March; on 26 March it is overdue and the rental complete.
    run_lifecycle(desk, system, now=datetime(2026, 3, 26, 9, tzinfo=UTC))
    assert statuses(desk, view.ref) == ("completed", "overdue")
    paid = checkout(desk, staff, view.invoice.ref, "transfer")
    assert paid.status == BookingStatus.COMPLETED
    assert statuses(desk, view.ref) == ("completed", "paid")


@pytest.mark.parametrize("state", ["paid", "void", "refunded"])
def test_checkout_is_refused_unless_money_is_owed_and_changes_nothing(desk, staff, state):
    view = book(desk, staff, request())
    if state in ("paid", "refunded"):
        checkout(desk, staff, view.invoice.ref, "card")
    if state in ("void", "refunded"):
        cancel(desk, staff, view.ref)
    assert statuses(desk, view.ref)[1] == state
    before = snapshot(desk)
    with pytest.raises(
        NotAllowed, match=rf"{view.invoice.ref} (is|was) {state}\b.*Nothing was charged"
    ):
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
    view = book(desk, staff, request())
    cancelled = cancel(desk, staff, view.ref, "  flight   delayed ")
    assert cancelled.status == BookingStatus.CANCELLED
    assert cancelled.cancel_reason == "flight delayed"
    assert cancelled.invoice.status == InvoiceStatus.VOID
    assert statuses(desk, view.ref) == ("cancelled", "void")
    assert audit(desk)[-2:] == [
        ("sam", "cancelled", view.ref),
        ("sam", "invoice void", view.invoice.ref),
    ]


def test_cancelling_refunds_a_paid_invoice_and_keeps_the_payment(desk, staff):
    view = book(desk, staff, request())
    checkout(desk, staff, view.invoice.ref, "card")
    cancel(desk, staff, view.ref)
    assert statuses(desk, view.ref) == ("cancelled", "refunded")
    assert len(payments(desk)) == 1
    detail = booking_detail(desk, staff, view.ref)
    assert detail.booking.cancel_reason == "cancelled at the desk"
    assert [p.amount_cents for p in detail.payments] == [view.total_cents]


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
    view = book(desk, staff, request())
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
    with pytest.raises(NotAllowed, match="ended on 2026-03-12"):
        cancel(desk, staff, view.ref)
    assert snapshot(desk) == before


def test_a_booking_can_be_cancelled_on_its_last_day(desk, staff, clock):
    view = book(desk, staff, request(days=2))
    clock.moment = datetime(2026, 3, 11, 23, 30, tzinfo=UTC)
    assert cancel(desk, staff, view.ref).status == BookingStatus.CANCELLED


def test_cancel_reason_is_checked(desk, staff):
    view = book(desk, staff, request())
    before = snapshot(desk)
    with pytest.raises(InvalidInput, match="too long"):
        cancel(desk, staff, view.ref, "x" * 10_000)
    assert snapshot(desk) == before


def test_cancelling_an_unknown_ref_is_not_found(desk, staff):
    with pytest.raises(NotFound):
        cancel(desk, staff, "BK-000777")


def test_booking_detail_shows_payments_and_history(desk, staff):
    view = book(desk, staff, request())
    checkout(desk, staff, view.invoice.ref, "cash")
    detail = booking_detail(desk, staff, view.ref)
    assert [(h.action, h.ref) for h in detail.history] == [
        ("booked", view.ref),
        ("paid", view.invoice.ref),
        ("confirmed", view.ref),
    ]
    assert detail.booking.start == date(2026, 3, 10)


def test_a_free_booking_has_nothing_to_check_out(desk, staff):
    """A zero invoice cannot satisfy the ledger's positive-payment rule: confirm it instead."""
    with desk.db.write() as uow:
        uow.cars.add(Car(plate="FREE 1", make="Demo", model="Loaner", seats=4, daily_rate_cents=0))
        uow.drivers.add(
            Driver(code="VOL-1", name="Volunteer", phone="+44 20 0000 0000", daily_fee_cents=0)
        )
        uow.commit()
    view = book(desk, staff, replace(request(), car_plate="FREE 1", driver_code="VOL-1"))
    assert view.total_cents == 0
    before = snapshot(desk)
    with pytest.raises(NotAllowed, match="confirm the booking instead"):
        checkout(desk, staff, view.invoice.ref, "cash")
    assert snapshot(desk) == before
