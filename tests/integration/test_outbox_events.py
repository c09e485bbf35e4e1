"""Each event writes its message into the outbox in its own transaction, on both engines: what
is queued for a confirmation, a change, a payment, a refund, a cancellation and a completed
rental, what a rolled-back booking leaves (nothing), and the reminders and run sheets the
lifecycle rules queue over a month of runs."""

from __future__ import annotations

import email
import email.policy
import io
import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from deskkit import TODAY, request, snapshot
from icalendar import Calendar
from pypdf import PdfReader

from nextcars_tui.config import MailSettings
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.billing import pay, refund
from nextcars_tui.services.blocks import BlockRequest, block
from nextcars_tui.services.booking import book, cancel, confirm
from nextcars_tui.services.changes import ChangeRequest, change_booking
from nextcars_tui.services.fleet import update_customer, update_driver
from nextcars_tui.services.lifecycle import run_lifecycle
from nextcars_tui.services.mail_message import build_message
from nextcars_tui.services.outbox import email_invoice, list_outbox
from nextcars_tui.store.outbox import OutboxRepository

SYSTEM = system_actor("tests")


def queued(desk):
    with desk.db.read() as uow:
        return uow.outbox.listing()


def kinds(desk):
    return [(r.kind, r.to_address, r.booking_ref) for r in queued(desk)]


def parsed(desk, record):
    data = build_message(desk, record).as_bytes()
    return email.message_from_bytes(data, policy=email.policy.default)


def attachment(message, content_type):
    for part in message.walk():
        if part.get_content_type() == content_type:
            return part.get_payload(decode=True)
    raise AssertionError(f"no {content_type} part")


def event_of(message):
    calendar = Calendar.from_ical(attachment(message, "text/calendar"))
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_a_pending_booking_queues_nothing_and_confirming_queues_the_confirmation(desk, staff):
    made = book(desk, staff, request(days=2))
    assert queued(desk) == []
    confirm(desk, staff, made.ref)
    (record,) = queued(desk)
    assert (record.kind, record.to_address, record.booking_ref, record.invoice_ref) == (
        "confirmation",
        "cust01@example.com",
        made.ref,
        made.invoice.ref,
    )
    assert (record.status, record.attempts) == ("queued", 0)
    assert record.subject.startswith(f"Booking {made.ref} confirmed")
    message = parsed(desk, record)
    assert message["Message-ID"] == record.message_id
    assert message["To"].addresses[0].addr_spec == "cust01@example.com"
    assert "Customer 1" in message.get_body(("plain",)).get_content()
    calendar, event = event_of(message)
    assert str(calendar["method"]) == "PUBLISH"
    # No pickup time on the job sheet: whole days, the end exclusive.
    assert event.decoded("dtstart") == TODAY
    assert event.decoded("dtend") == TODAY + timedelta(days=2)
    assert int(event["sequence"]) == 0


def test_a_change_sends_a_new_ics_with_the_same_uid_and_the_pickup(desk, staff):
    made = book(desk, staff, request(days=2, start=TODAY + timedelta(days=3)))
    confirm(desk, staff, made.ref)
    change_booking(
        desk,
        staff,
        made.ref,
        ChangeRequest(days=3, pickup_time="09:30", pickup="Heathrow T5 <arrivals>"),
    )
    first, second = queued(desk)
    assert second.kind == "change"
    _, before = event_of(parsed(desk, first))
    message = parsed(desk, second)
    _, after = event_of(message)
    assert str(after["uid"]) == str(before["uid"])
    assert int(after["sequence"]) == 1
    # 09:30 in London in March is 09:30 UTC.
    start = after.decoded("dtstart")
    assert (start.date(), start.hour, start.minute, start.utcoffset()) == (
        TODAY + timedelta(days=3),
        9,
        30,
        timedelta(0),
    )
    assert after.decoded("dtend").date() == TODAY + timedelta(days=6)
    assert str(after["location"]) == "Heathrow T5 <arrivals>"
    # The job sheet is data: escaped in the HTML part, as typed in the plain one.
    html = message.get_body(("html",)).get_content()
    assert "Heathrow T5 &lt;arrivals&gt;" in html and "<arrivals>" not in html
    assert "Heathrow T5 <arrivals>" in message.get_body(("plain",)).get_content()


def test_changing_a_pending_booking_sends_nothing(desk, staff):
    made = book(desk, staff, request(days=2))
    change_booking(desk, staff, made.ref, ChangeRequest(days=3))
    assert queued(desk) == []


def test_a_deposit_confirms_and_sends_the_confirmation_and_the_receipt(desk, staff):
    made = book(desk, staff, request(days=2))
    pay(desk, staff, made.invoice.ref, "50.00", "card")
    confirmation, receipt = queued(desk)
    assert (confirmation.kind, receipt.kind) == ("confirmation", "receipt")
    facts = json.loads(receipt.facts)
    assert facts["amount"] == "£50.00" and facts["method"] == "card"
    text = parsed(desk, receipt).get_body(("plain",)).get_content()
    assert "£50.00 by card" in text


def test_a_refund_and_a_late_cancellation_say_the_fee_and_what_is_owed_back(
    make_desk, staff, clock
):
    desk = make_desk()
    desk = replace(
        desk,
        settings=replace(
            desk.settings,
            billing=replace(
                desk.settings.billing,
                cancel_fee_percent=10,
                cancel_fee_hours=48,
                cancel_grace_minutes=0,
            ),
        ),
    )
    made = book(desk, staff, request(days=2, start=TODAY + timedelta(days=1)))
    total = made.total_cents
    pay(desk, staff, made.invoice.ref, total, "card")
    refund(desk, staff, made.invoice.ref, "1.00", "cash", "goodwill")
    cancel(desk, staff, made.ref, "flight cancelled")
    records = queued(desk)
    assert [r.kind for r in records] == ["confirmation", "receipt", "refund", "cancellation"]
    facts = json.loads(records[-1].facts)
    fee = total // 10
    assert facts["fee"] == desk.money(fee)
    assert facts["owed_back"] == desk.money(total - 100 - fee)
    message = parsed(desk, records[-1])
    calendar, event = event_of(message)
    assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 1


def test_a_completed_rental_sends_its_invoice_with_the_pdf(desk, staff, clock):
    made = book(desk, staff, request(days=2))
    confirm(desk, staff, made.ref)
    clock.advance(days=2)
    run_lifecycle(desk, SYSTEM)
    invoice = queued(desk)[-1]
    assert (invoice.kind, invoice.invoice_ref) == ("invoice", made.invoice.ref)
    message = parsed(desk, invoice)
    pdf = PdfReader(io.BytesIO(attachment(message, "application/pdf")))
    assert made.invoice.ref in pdf.pages[0].extract_text()
    # A second run completes nothing more and queues nothing more.
    run_lifecycle(desk, SYSTEM)
    assert len(queued(desk)) == 2


def test_the_invoice_on_demand(desk, staff):
    made = book(desk, staff, request(days=2))
    view = email_invoice(desk, staff, made.invoice.ref.lower())
    assert (view.kind.value, view.invoice, view.to) == (
        "invoice",
        made.invoice.ref,
        "cust01@example.com",
    )
    assert [v.id for v in list_outbox(desk, SYSTEM)] == [view.id]


def test_a_block_moving_a_confirmed_booking_tells_the_customer(desk, manager, staff):
    made = book(desk, staff, request(days=2, start=TODAY + timedelta(days=2)))
    confirm(desk, staff, made.ref)
    block(
        desk,
        manager,
        BlockRequest("car", "NC01 CAR", TODAY + timedelta(days=2), 1, "MOT"),
        reassign=True,
    )
    change = queued(desk)[-1]
    assert change.kind == "change" and change.booking_ref == made.ref
    assert "NC01 CAR →" in json.loads(change.facts)["what"]


def test_a_booking_rolled_back_after_its_confirmation_was_queued_sends_nothing(
    desk, staff, monkeypatch
):
    made = book(desk, staff, request(days=2))
    real_add = OutboxRepository.add
    seen = {}

    def add_then_fail(self, values):
        real_add(self, values)
        seen["queued"] = self.listing()
        raise RuntimeError("the disk filled after the confirmation was queued")

    monkeypatch.setattr(OutboxRepository, "add", add_then_fail)
    before = snapshot(desk)
    with pytest.raises(RuntimeError):
        confirm(desk, staff, made.ref)
    assert [r.kind for r in seen["queued"]] == ["confirmation"], "nothing was queued"
    assert snapshot(desk) == before
    assert queued(desk) == []


# --- reminders and run sheets over a month of lifecycle runs -------------------------------


def _owing(desk, staff, clock, customer):
    """A two-day rental today, confirmed, not paid: due end + 14 days."""
    made = book(desk, staff, request(days=2, customer=customer, car=customer, driver=customer))
    confirm(desk, staff, made.ref)
    return made


@pytest.mark.parametrize("reminder_days", [(1, 7, 14), (3, 10)])
def test_reminders_go_out_on_exactly_the_configured_days(make_desk, staff, clock, reminder_days):
    desk = make_desk()
    desk = replace(
        desk,
        settings=replace(desk.settings, mail=MailSettings(reminder_days=reminder_days)),
    )
    owing = _owing(desk, staff, clock, 1)
    paid = _owing(desk, staff, clock, 2)
    _owing(desk, staff, clock, 3)  # asked for no reminders below
    pay(desk, staff, paid.invoice.ref, paid.total_cents, "card")
    update_customer(desk, staff, "cust03@example.com", no_reminders="yes")
    due = owing.invoice.due
    # Every six hours for a month past the due date: four runs a day.
    while clock.moment.date() <= due + timedelta(days=30):
        run_lifecycle(desk, SYSTEM)
        clock.advance(hours=6)
    reminders = [r for r in queued(desk) if r.kind == "reminder"]
    assert {r.invoice_ref for r in reminders} == {owing.invoice.ref}
    sent_on = [r.created_at.date() for r in reminders]
    assert sent_on == [due + timedelta(days=n) for n in reminder_days]
    assert [json.loads(r.facts)["days_late"] for r in reminders] == list(reminder_days)


def test_no_reminders_without_reminder_days(make_desk, staff, clock):
    desk = make_desk()
    desk = replace(desk, settings=replace(desk.settings, mail=MailSettings(reminder_days=())))
    owing = _owing(desk, staff, clock, 1)
    clock.moment = clock.moment + (owing.invoice.due - TODAY + timedelta(days=1))
    run_lifecycle(desk, SYSTEM)
    assert not [r for r in queued(desk) if r.kind == "reminder"]


def test_run_sheets_go_to_drivers_with_an_address_at_the_configured_time(
    make_desk, staff, manager, clock
):
    desk = make_desk()
    desk = replace(
        desk,
        settings=replace(desk.settings, mail=MailSettings(run_sheets=True, run_sheet_time="18:00")),
    )
    tomorrow = TODAY + timedelta(days=1)
    first = book(desk, staff, request(days=1, start=tomorrow, car=1, driver=1))
    change_booking(desk, staff, first.ref, ChangeRequest(pickup_time="07:15", notes="<b>VIP</b>"))
    book(desk, staff, request(days=3, start=TODAY, car=2, driver=2))
    book(desk, staff, request(days=1, start=tomorrow, car=3, driver=3))
    update_driver(desk, manager, "DRV-01", email="driver1@example.com")
    update_driver(desk, manager, "DRV-02", email="driver2@example.com")
    clock.moment = clock.moment.replace(hour=17, minute=59)
    run_lifecycle(desk, SYSTEM)
    assert not [r for r in queued(desk) if r.kind == "run_sheet"]
    for _ in range(3):
        clock.advance(hours=1)
        run_lifecycle(desk, SYSTEM)
    sheets = [r for r in queued(desk) if r.kind == "run_sheet"]
    # DRV-03 has a job tomorrow but no address; each of the others gets one sheet.
    assert sorted(r.to_address for r in sheets) == ["driver1@example.com", "driver2@example.com"]
    sheet = next(r for r in sheets if r.to_address == "driver1@example.com")
    message = parsed(desk, sheet)
    text = message.get_body(("plain",)).get_content()
    assert first.ref in text and "07:15" in text and "<b>VIP</b>" in text
    assert "&lt;b&gt;VIP&lt;/b&gt;" in message.get_body(("html",)).get_content()
    assert sheet.subject == f"Your jobs on {tomorrow:%a} {tomorrow.day} {tomorrow:%b %Y}"


def test_messages_are_listed_with_their_fields(desk, staff):
    made = book(desk, staff, request(days=2))
    confirm(desk, staff, made.ref)
    (view,) = list_outbox(desk, SYSTEM, status="queued")
    assert (view.kind.value, view.booking, view.invoice, view.status.value) == (
        "confirmation",
        made.ref,
        made.invoice.ref,
        "queued",
    )
    assert list_outbox(desk, SYSTEM, status="sent") == []
    assert isinstance(view.created_at.date(), date)
