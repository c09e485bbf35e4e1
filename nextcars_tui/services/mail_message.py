"""An outbox row made into the e-mail that leaves: headers, plain text and HTML from the
templates, the rental as an iCalendar file, the invoice as PDF (drawn now, from the invoice as
it stands). The same row gives the same message on every attempt, Message-ID included."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from nextcars_tui.domain.mail import (
    CALENDAR_KINDS,
    INVOICE_KINDS,
    MessageKind,
    address_domain,
    message_id,
)
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.mail_texts import Facts, Texts, render
from nextcars_tui.store import OutboxRecord

PRODUCT_ID = "-//NextCars//Rental desk//EN"


def sender(desk: Desk) -> Address:
    """The From of every message: the business's name and `mail.from`."""
    mail = desk.settings.mail
    address = mail.from_address or "desk@nextcars.localhost"
    return _address(desk.settings.business.name, address)


def _address(name: str, address: str) -> Address:
    user, _, domain = address.rpartition("@")
    return Address(display_name=name, username=user, domain=domain)


# Invoice PDFs drawn in one sending run, by what makes them differ: one invoice attached to
# several messages (an invoice and a reminder, or sent again on demand) is drawn once.
PdfCache = dict[tuple[object, ...], bytes]


def build_message(desk: Desk, record: OutboxRecord, pdfs: PdfCache | None = None) -> EmailMessage:
    """The e-mail for an outbox row; raises what rendering raises (a missing invoice)."""
    facts: Facts = json.loads(record.facts)
    texts = render(desk.settings.mail.templates, record.kind, facts)
    recipient = facts.get("customer_name") or facts.get("driver_name") or ""
    message = _message(desk, texts, record.to_address, str(recipient), record.created_at)
    message["Message-ID"] = record.message_id
    message["X-NextCars-Kind"] = record.kind
    kind = MessageKind(record.kind)
    if kind in CALENDAR_KINDS:
        method = "CANCEL" if kind == MessageKind.CANCELLATION else "PUBLISH"
        message.add_attachment(
            calendar_file(desk, facts, record.created_at, method),
            maintype="text",
            subtype="calendar",
            filename=f"{facts['booking']}.ics",
            params={"method": method},
        )
    if kind in INVOICE_KINDS and record.invoice_ref:
        message.add_attachment(
            invoice_document(desk, record.invoice_ref, {} if pdfs is None else pdfs),
            maintype="application",
            subtype="pdf",
            filename=f"{record.invoice_ref}.pdf",
        )
    return message


def _message(desk: Desk, texts: Texts, to: str, name: str, at: datetime) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = texts.subject
    message["From"] = sender(desk)
    message["To"] = _address(name, to)
    if desk.settings.mail.reply_to:
        message["Reply-To"] = _address(desk.settings.business.name, desk.settings.mail.reply_to)
    message["Date"] = format_datetime(at.astimezone(UTC))
    # Tells auto-responders not to answer (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(texts.text)
    message.add_alternative(texts.html, subtype="html")
    return message


def test_message(desk: Desk, to: str, token: str) -> EmailMessage:
    """`nextcars mail test`: one message saying the settings work."""
    now = desk.now()
    local = now.astimezone(desk.settings.business.zone)
    facts = {
        "business_name": desk.settings.business.name,
        "business_address": desk.settings.business.address,
        "when": f"{local:%Y-%m-%d %H:%M}",
    }
    message = _message(desk, render(desk.settings.mail.templates, "test", facts), to, "", now)
    message["Message-ID"] = message_id(token, address_domain(desk.settings.mail.from_address))
    return message


def calendar_file(desk: Desk, facts: Facts, stamp: datetime, method: str) -> bytes:
    """The rental as one VEVENT: the pickup time and place when the job sheet has them
    (in UTC), else whole days. One UID per booking; SEQUENCE grows with each message."""
    # Imported here: only messages with a calendar need it.
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", facts["uid"])
    event.add("sequence", int(facts.get("sequence", 0)))
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("summary", f"{desk.settings.business.name}: {facts['car']} ({facts['booking']})")
    start, end = date.fromisoformat(facts["start_date"]), date.fromisoformat(facts["end_date"])
    if facts.get("pickup_time"):
        zone = ZoneInfo(facts.get("time_zone") or desk.settings.business.time_zone)
        hours, minutes = (int(part) for part in facts["pickup_time"].split(":"))
        event.add("dtstart", _at(start, hours, minutes, zone))
        event.add("dtend", _at(end, hours, minutes, zone))
    else:
        event.add("dtstart", start)
        event.add("dtend", end)
    if facts.get("pickup"):
        event.add("location", facts["pickup"])
    lines = [f"{label}: {value}" for label, value in facts.get("details", [])]
    event.add("description", "\n".join([f"Booking {facts['booking']}", *lines]))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def _at(day: date, hours: int, minutes: int, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=zone).astimezone(UTC)


def invoice_document(desk: Desk, invoice_ref: str, pdfs: PdfCache) -> bytes:
    """The invoice PDF as the invoice stands now."""
    # Imported here: the PDF library is slow to load, and only invoice messages need it.
    from nextcars_tui.services.billing import invoice_statement
    from nextcars_tui.services.invoice_layout import invoice_pdf

    found = invoice_statement(desk, system_actor("mail"), invoice_ref)
    invoice = found.invoice
    key = (
        invoice.ref,
        invoice.status,
        invoice.amount_cents,
        invoice.paid_cents,
        len(found.entries),
    )
    if key not in pdfs:
        pdfs[key] = invoice_pdf(found, desk.settings.business, desk.money, desk.now()).data
    return pdfs[key]
