"""Rule 3 and friends: one user action is one transaction, so a failure part-way writes nothing.

Each injected failure happens after the earlier rows were really sent to the database (inside
the open transaction), so these tests fail if the service ever commits in pieces.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from deskkit import TODAY, raw, request, snapshot, statuses
from sqlalchemy import text

from nextcars_tui.services.billing import checkout
from nextcars_tui.services.booking import book, cancel, confirm
from nextcars_tui.services.lifecycle import run_lifecycle
from nextcars_tui.store.audit_log import AuditLog
from nextcars_tui.store.invoices import InvoiceRepository


class Injected(RuntimeError):
    """The failure a test plants part-way through a unit of work."""


def in_transaction(path, sql):
    """Rows another connection can see, proving nothing was committed."""
    with raw(path) as db:
        return db.execute(sql).fetchall()


def test_a_failure_after_the_invoice_insert_leaves_no_booking_invoice_or_audit(
    desk, staff, monkeypatch, engine
):
    real_issue = InvoiceRepository.issue
    seen: dict[str, object] = {}

    def issue_then_fail(self, *args, **kwargs):
        real_issue(self, *args, **kwargs)  # booking and invoice are in the transaction
        seen["rows"] = self._connection.execute(text("SELECT count(*) FROM booking")).scalar_one()
        raise Injected("disk full after the invoice insert")

    monkeypatch.setattr(InvoiceRepository, "issue", issue_then_fail)
    before = snapshot(desk)
    with pytest.raises(Injected):
        book(desk, staff, request())
    assert seen["rows"] == 1, "the booking was never inserted, so this test proves nothing"
    assert snapshot(desk) == before

    # The desk keeps working afterwards, and the same car and days are still free. A
    # PostgreSQL sequence never hands a number out twice, even one whose booking rolled back.
    monkeypatch.setattr(InvoiceRepository, "issue", real_issue)
    expected = "BK-000002" if engine == "postgresql" else "BK-000001"
    assert book(desk, staff, request()).ref == expected


def test_a_failure_writing_the_audit_entry_leaves_no_booking_or_invoice(desk, staff, monkeypatch):
    def fail(self, **entry):
        raise Injected("audit log unavailable")

    monkeypatch.setattr(AuditLog, "record", fail)
    before = snapshot(desk)
    with pytest.raises(Injected):
        book(desk, staff, request())
    assert snapshot(desk) == before


PAYMENTS = "SELECT count(*) FROM ledger_entry WHERE kind = 'payment'"


def test_a_failure_after_the_payment_insert_leaves_the_invoice_unpaid(desk, staff, monkeypatch):
    view = book(desk, staff, request())
    real_record = AuditLog.record
    seen: dict[str, object] = {}

    def look_then_fail(self, **entry):
        if entry["action"] != "paid":
            real_record(self, **entry)
            return
        # The payment entry, the invoice's new figures and the confirmed booking are in the
        # transaction before the failure.
        seen["payments"] = self._connection.execute(text(PAYMENTS)).scalar_one()
        seen["state"] = self._connection.execute(
            text(
                "SELECT b.status, i.status, i.paid_cents FROM booking b JOIN invoice i ON "
                "i.booking_id = b.id"
            )
        ).one()
        raise Injected("audit log unavailable")

    monkeypatch.setattr(AuditLog, "record", look_then_fail)
    before = snapshot(desk)
    with pytest.raises(Injected):
        checkout(desk, staff, view.invoice.ref, "card")
    assert seen["payments"] == 1
    assert tuple(seen["state"]) == ("confirmed", "paid", view.total_cents)
    assert snapshot(desk) == before
    assert statuses(desk, view.ref) == ("pending", "unpaid")
    assert in_transaction(desk, PAYMENTS) == [(0,)]

    monkeypatch.setattr(AuditLog, "record", real_record)
    assert checkout(desk, staff, view.invoice.ref, "card").invoice.status == "paid"


def test_a_failure_while_confirming_on_checkout_rolls_back_the_confirmation(
    desk, staff, monkeypatch
):
    view = book(desk, staff, request())
    real_record = AuditLog.record
    seen: dict[str, object] = {}

    def fail_on_confirm(self, **entry):
        if entry["action"] == "confirmed":
            seen["status"] = self._connection.execute(
                text("SELECT status FROM booking")
            ).scalar_one()
            raise Injected("crash between confirmation and payment")
        real_record(self, **entry)

    monkeypatch.setattr(AuditLog, "record", fail_on_confirm)
    before = snapshot(desk)
    with pytest.raises(Injected):
        checkout(desk, staff, view.invoice.ref, "card")
    assert seen["status"] == "confirmed"
    assert snapshot(desk) == before


@pytest.mark.parametrize("paid", [False, True])
def test_a_failure_during_cancel_leaves_booking_and_invoice_as_they_were(
    desk, staff, monkeypatch, paid
):
    view = book(desk, staff, request(start=TODAY + timedelta(days=5)))
    if paid:
        checkout(desk, staff, view.invoice.ref, "card")
    expected = statuses(desk, view.ref)
    real_record = AuditLog.record

    def fail_on_invoice_entry(self, **entry):
        if entry["action"].startswith("invoice "):
            # Booking cancelled, reversal entry posted and invoice changed, in the transaction.
            raise Injected("crash after the invoice update")
        real_record(self, **entry)

    monkeypatch.setattr(AuditLog, "record", fail_on_invoice_entry)
    before = snapshot(desk)
    with pytest.raises(Injected):
        cancel(desk, staff, view.ref, "test")
    assert snapshot(desk) == before
    assert statuses(desk, view.ref) == expected


def test_a_failure_during_confirm_leaves_the_booking_pending(desk, staff, monkeypatch):
    view = book(desk, staff, request())

    def fail(self, **entry):
        raise Injected("audit log unavailable")

    monkeypatch.setattr(AuditLog, "record", fail)
    with pytest.raises(Injected):
        confirm(desk, staff, view.ref)
    assert statuses(desk, view.ref) == ("pending", "unpaid")


def test_a_failure_part_way_through_the_lifecycle_changes_nothing(desk, staff, system, monkeypatch):
    stale = book(desk, staff, request(car=1, driver=1, days=2))
    finished = book(desk, staff, request(car=2, driver=2, days=1))
    checkout(desk, staff, finished.invoice.ref, "card")
    owing = book(desk, staff, request(car=3, driver=3, days=1))
    confirm(desk, staff, owing.ref)

    def fail(self, entries):
        raise Injected("crash after every rule has run")

    monkeypatch.setattr(AuditLog, "record_many", fail)
    later = datetime(2026, 4, 1, 9, tzinfo=UTC)
    before = snapshot(desk)
    with pytest.raises(Injected):
        run_lifecycle(desk, system, now=later)
    assert snapshot(desk) == before

    monkeypatch.undo()
    result = run_lifecycle(desk, system, now=later)
    assert (result.expired, result.completed, result.overdue) == (
        [stale.ref],
        [finished.ref, owing.ref],
        [owing.invoice.ref],
    )
