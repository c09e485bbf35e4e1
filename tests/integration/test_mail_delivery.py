"""Delivery to a real SMTP server (aiosmtpd on 127.0.0.1, STARTTLS with a test CA, AUTH), on
both engines: what arrives and how it reads, what is marked sent, and each fault a desk meets
(server down, 421 on connect, 451 and 550 on RCPT, the connection dropped in DATA)."""

from __future__ import annotations

import io
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from deskkit import TODAY, request
from icalendar import Calendar
from pypdf import PdfReader

from nextcars_tui.config import SMTP_PASSWORD_ENV, MailSettings
from nextcars_tui.domain.errors import NotAllowed, NotFound
from nextcars_tui.domain.mail import MAX_ATTEMPTS
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.booking import book, booking_detail, confirm
from nextcars_tui.services.fleet import add_customer
from nextcars_tui.services.lifecycle import run_lifecycle
from nextcars_tui.services.mail import MailUnavailable, connect, send_due, send_test
from nextcars_tui.services.outbox import email_invoice, retry_message
from tests.mailkit import PASSWORD, free_port, mail_server, refusing_server

SYSTEM = system_actor("tests")
FROM = "desk@nextcars.example"


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv(SMTP_PASSWORD_ENV, PASSWORD)
    with mail_server(tmp_path) as running:
        yield running


def mailing(desk, url):
    return replace(
        desk, settings=replace(desk.settings, mail=MailSettings(smtp_url=url, from_address=FROM))
    )


def opener(server):
    return lambda mail: connect(mail, server.client_context)


def records(desk):
    with desk.db.read() as uow:
        return {r.to_address + ":" + r.kind: r for r in uow.outbox.listing()}


def invoice_for(desk, staff, address, car):
    """A booking for a customer at `address` and its invoice queued to them."""
    add_customer(desk, staff, f"Customer {address}", address, "+44 20 7946 0999")
    made = book(desk, staff, _req(address, car))
    return email_invoice(desk, staff, made.invoice.ref)


def _req(address, car):
    base = request(days=1, car=car, driver=car)
    return replace(base, customer_email=address)


def test_messages_arrive_over_starttls_with_auth_and_read_right(make_desk, staff, server, clock):
    desk = mailing(make_desk(), server.url())
    made = book(desk, staff, request(days=2))
    confirm(desk, staff, made.ref)
    clock.advance(days=2)
    run_lifecycle(desk, SYSTEM)
    result = send_due(desk, SYSTEM, opener=opener(server))
    assert (result.sent, result.failed, result.waiting) == (2, 0, 0)
    stored = {r.kind: r for r in records(desk).values()}
    confirmation, invoice = server.messages
    assert server.recorder.messages[0][0] == FROM
    assert server.recorder.messages[0][1] == ["cust01@example.com"]
    assert confirmation["Message-ID"] == stored["confirmation"].message_id
    assert confirmation["From"].addresses[0].addr_spec == FROM
    assert confirmation["Subject"] == stored["confirmation"].subject
    assert confirmation["Auto-Submitted"] == "auto-generated"
    (ics,) = [p for p in confirmation.walk() if p.get_content_type() == "text/calendar"]
    (event,) = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")
    assert event.decoded("dtstart") == TODAY
    (pdf,) = [p for p in invoice.walk() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"{made.invoice.ref}.pdf"
    text = PdfReader(io.BytesIO(pdf.get_payload(decode=True))).pages[0].extract_text()
    assert made.invoice.ref in text
    for record in stored.values():
        assert (record.status, record.attempts, record.claimed_by) == ("sent", 1, None)
        assert record.sent_at == clock.moment
    # The booking's history says what was sent and when.
    history = booking_detail(desk, staff, made.ref).history
    mailed = [entry for entry in history if entry.action == "e-mailed"]
    assert [entry.detail.split(" ")[0] for entry in mailed] == ["confirmation", "invoice"]
    # Nothing is sent twice.
    assert send_due(desk, SYSTEM, opener=opener(server)).sent == 0
    assert len(server.messages) == 2


def test_a_server_that_is_down_leaves_the_messages_queued_for_later(make_desk, staff, clock):
    desk = mailing(make_desk(), f"smtp://127.0.0.1:{free_port()}")
    confirm(desk, staff, book(desk, staff, request()).ref)
    with pytest.raises(MailUnavailable, match=r"Cannot reach the mail server 127\.0\.0\.1"):
        send_due(desk, SYSTEM)
    (record,) = records(desk).values()
    assert (record.status, record.attempts, record.claimed_by) == ("queued", 1, None)
    assert record.next_attempt_at == clock.moment + timedelta(minutes=1)
    assert "Cannot reach" in (record.error or "")


def test_421_on_connect_is_a_server_that_cannot_be_reached(make_desk, staff):
    with refusing_server(421) as port:
        desk = mailing(make_desk(), f"smtp://127.0.0.1:{port}")
        confirm(desk, staff, book(desk, staff, request()).ref)
        with pytest.raises(MailUnavailable, match="421"):
            send_due(desk, SYSTEM)
    (record,) = records(desk).values()
    assert (record.status, record.attempts) == ("queued", 1)


def test_451_on_rcpt_is_retried_with_growing_delays(make_desk, staff, server, clock):
    desk = mailing(make_desk(), server.url())
    invoice_for(desk, staff, "tempfail@example.com", 1)
    invoice_for(desk, staff, "fine@example.com", 2)
    result = send_due(desk, SYSTEM, opener=opener(server))
    assert (result.sent, result.failed, result.waiting) == (1, 0, 1)
    waiting = records(desk)["tempfail@example.com:invoice"]
    assert (waiting.status, waiting.attempts) == ("queued", 1)
    assert waiting.error == "451 4.3.0 Mailbox busy, try again later"
    delays = [waiting.next_attempt_at - clock.moment]
    # Not due yet: nothing is tried.
    assert send_due(desk, SYSTEM, opener=opener(server)) == type(result)(0, 0, 1)
    for _ in range(2):
        clock.moment = records(desk)["tempfail@example.com:invoice"].next_attempt_at
        send_due(desk, SYSTEM, opener=opener(server))
        delays.append(records(desk)["tempfail@example.com:invoice"].next_attempt_at - clock.moment)
    assert delays == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15)]
    assert records(desk)["tempfail@example.com:invoice"].attempts == 3


def test_a_message_that_keeps_failing_for_a_while_is_given_up(make_desk, staff, server, clock):
    desk = mailing(make_desk(), server.url())
    invoice_for(desk, staff, "tempfail@example.com", 1)
    for _ in range(MAX_ATTEMPTS):
        due = records(desk)["tempfail@example.com:invoice"].next_attempt_at
        clock.moment = max(clock.moment, due)
        send_due(desk, SYSTEM, opener=opener(server))
    record = records(desk)["tempfail@example.com:invoice"]
    assert (record.status, record.attempts) == ("failed", MAX_ATTEMPTS)
    assert record.error.startswith(f"gave up after {MAX_ATTEMPTS} attempts: 451")


def test_550_on_rcpt_fails_with_the_server_reply_and_can_be_retried(
    make_desk, staff, server, manager
):
    desk = mailing(make_desk(), server.url())
    rejected = invoice_for(desk, staff, "reject@example.com", 1)
    sent = invoice_for(desk, staff, "fine@example.com", 2)
    result = send_due(desk, SYSTEM, opener=opener(server))
    assert (result.sent, result.failed, result.waiting) == (1, 1, 0)
    failed = records(desk)["reject@example.com:invoice"]
    assert (failed.status, failed.error, failed.attempts) == (
        "failed",
        "550 5.1.1 No such user here",
        1,
    )
    with pytest.raises(NotAllowed):
        retry_message(desk, manager, sent.id)
    with pytest.raises(NotFound):
        retry_message(desk, manager, 999)
    with pytest.raises(NotAllowed):
        retry_message(desk, staff, rejected.id)
    again = retry_message(desk, manager, str(rejected.id))
    assert (again.status.value, again.attempts) == ("queued", 0)
    assert send_due(desk, SYSTEM, opener=opener(server)).failed == 1


def test_a_connection_dropped_in_data_is_retried_and_the_rest_still_go(
    make_desk, staff, server, clock
):
    desk = mailing(make_desk(), server.url())
    invoice_for(desk, staff, "drop@example.com", 1)
    invoice_for(desk, staff, "fine@example.com", 2)
    result = send_due(desk, SYSTEM, opener=opener(server))
    assert (result.sent, result.failed, result.waiting) == (1, 0, 1)
    dropped = records(desk)["drop@example.com:invoice"]
    assert dropped.status == "queued" and dropped.error.startswith("connection lost")
    clock.moment = dropped.next_attempt_at
    assert send_due(desk, SYSTEM, opener=opener(server)).sent == 1
    assert sorted(m["To"].addresses[0].addr_spec for m in server.messages) == [
        "drop@example.com",
        "fine@example.com",
    ]
    assert records(desk)["drop@example.com:invoice"].attempts == 2


def test_a_wrong_password_is_refused_without_showing_it(make_desk, staff, server, monkeypatch):
    monkeypatch.setenv(SMTP_PASSWORD_ENV, "not-the-password")
    desk = mailing(make_desk(), server.url())
    invoice_for(desk, staff, "fine@example.com", 1)
    with pytest.raises(MailUnavailable, match="535") as refused:
        send_due(desk, SYSTEM, opener=opener(server))
    assert "not-the-password" not in refused.value.message


def test_the_test_message_gets_the_server_reply(make_desk, server):
    desk = mailing(make_desk(), server.url())
    reply = send_test(desk, SYSTEM, "Someone@Example.com", opener=opener(server))
    assert reply.startswith("250")
    (message,) = server.messages
    assert message["To"].addresses[0].addr_spec == "someone@example.com"
    with pytest.raises(MailUnavailable, match="550"):
        send_test(desk, SYSTEM, "reject@example.com", opener=opener(server))


@pytest.mark.sqlite_only
def test_a_hundred_messages_are_handed_over_in_one_run(make_desk, staff, server):
    """How fast is the bench's business (python -m nextcars_tui.bench --only mail); here,
    that one run hands every one over, once."""
    desk = mailing(make_desk(), server.url())
    made = book(desk, staff, request(days=2))
    for _ in range(100):
        email_invoice(desk, staff, made.invoice.ref)
    result = send_due(desk, SYSTEM, opener=opener(server))
    assert (result.sent, result.failed, result.waiting) == (100, 0, 0)
    assert len(server.messages) == 100
    assert len({m["Message-ID"] for m in server.messages}) == 100


def test_the_lifecycle_worker_sends_what_is_due_when_a_server_is_set(
    make_desk, staff, server, monkeypatch
):
    from nextcars_tui.services import mail as mail_service
    from nextcars_tui.worker import LifecycleWorker

    monkeypatch.setattr(
        mail_service, "connect", lambda mail, context=None: connect(mail, server.client_context)
    )
    desk = mailing(make_desk(), server.url())
    confirm(desk, staff, book(desk, staff, request()).ref)
    worker = LifecycleWorker(desk, interval_seconds=3600)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while not server.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        assert worker.stop()
    assert [m["X-NextCars-Kind"] for m in server.messages] == ["confirmation"]
    (record,) = records(desk).values()
    assert record.status == "sent"


def test_without_a_server_the_worker_leaves_messages_queued(make_desk, staff, monkeypatch):
    from nextcars_tui.services import mail as mail_service
    from nextcars_tui.worker import LifecycleWorker

    def never(*_args, **_kwargs):
        raise AssertionError("nothing may be sent without mail.smtp_url")

    monkeypatch.setattr(mail_service, "send_due", never)
    desk = make_desk()
    confirm(desk, staff, book(desk, staff, request()).ref)
    worker = LifecycleWorker(desk, interval_seconds=3600)
    worker.start()
    deadline = time.monotonic() + 10
    while worker.runs == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker.stop() and worker.runs >= 1 and worker.failures == 0
    assert [r.status for r in records(desk).values()] == ["queued"]
