"""The outbox as people use it: what is queued, sent and failed; a failed message queued again;
the invoice e-mailed on demand; queued messages written out as .eml files for a desk whose
mail leaves another way."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path

from nextcars_tui.domain.errors import FileAlreadyExists, InvalidInput, NotAllowed, NotFound
from nextcars_tui.domain.mail import CLAIM_TIMEOUT, MessageKind, OutboxStatus
from nextcars_tui.domain.refs import normalise_invoice_ref
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.exports import write_private_file
from nextcars_tui.services.mail_message import build_message
from nextcars_tui.services.notifications import queue_invoice
from nextcars_tui.services.views import booking_view
from nextcars_tui.store import OutboxRecord

MAX_LIST = 500


@dataclass(frozen=True)
class OutboxView:
    id: int
    kind: MessageKind
    to: str
    subject: str
    status: OutboxStatus
    attempts: int
    booking: str | None
    invoice: str | None
    created_at: datetime
    sent_at: datetime | None
    error: str | None
    next_attempt_at: datetime


def outbox_view(record: OutboxRecord) -> OutboxView:
    return OutboxView(
        id=record.id,
        kind=MessageKind(record.kind),
        to=record.to_address,
        subject=record.subject,
        status=OutboxStatus(record.status),
        attempts=record.attempts,
        booking=record.booking_ref,
        invoice=record.invoice_ref,
        created_at=record.created_at,
        sent_at=record.sent_at,
        error=record.error,
        next_attempt_at=record.next_attempt_at,
    )


def list_outbox(
    desk: Desk,
    actor: Actor,
    *,
    status: OutboxStatus | str | None = None,
    newest_first: bool = False,
    limit: int | None = None,
) -> list[OutboxView]:
    """The outbox's messages in the order they were queued (or the newest first)."""
    actor.require(Permission.MANAGE_MAIL)
    statuses = [OutboxStatus(status).value] if status else None
    with desk.db.read() as uow:
        found = uow.outbox.listing(statuses=statuses, newest_first=newest_first, limit=limit)
    return [outbox_view(record) for record in found]


@dataclass(frozen=True)
class OutboxPage:
    """The newest messages of one status (or all), and how many there are of each."""

    items: list[OutboxView]
    counts: dict[str, int]


def outbox_page(
    desk: Desk, actor: Actor, status: str | None = None, limit: int = 200
) -> OutboxPage:
    """What the Outbox screen shows: the newest first, read in one transaction."""
    actor.require(Permission.MANAGE_MAIL)
    statuses = [OutboxStatus(status).value] if status else None
    with desk.db.read() as uow:
        found = uow.outbox.listing(statuses=statuses, newest_first=True, limit=limit)
        counts = uow.outbox.counts()
    return OutboxPage([outbox_view(record) for record in found], counts)


def parse_message_id(text: str | int) -> int:
    """An outbox message's number as typed ('12')."""
    value = str(text).strip()
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        raise InvalidInput(f"{text!r} is not an outbox message number.", field="id")
    return int(value)


def retry_message(desk: Desk, actor: Actor, message: str | int) -> OutboxView:
    """Queue a failed message again, due now; any other status is refused."""
    actor.require(Permission.MANAGE_MAIL)
    number = parse_message_id(message)
    now = desk.now()
    with desk.db.write() as uow:
        record = uow.outbox.by_id(number, lock=True)
        if record is None:
            raise NotFound(f"No outbox message {number}.")
        if record.status != OutboxStatus.FAILED:
            raise NotAllowed(
                f"Message {number} is {record.status}, not failed: only a failed message "
                "is queued again."
            )
        uow.outbox.requeue(number, now)
        uow.audit.record(
            at=now,
            actor=actor.username,
            action="e-mail queued again",
            ref=record.booking_ref or record.invoice_ref or f"MSG-{number:06d}",
            detail=f"{record.kind} to {record.to_address} (was: {record.error or 'failed'})",
        )
        after = uow.outbox.by_id(number)
        uow.commit()
    assert after is not None
    return outbox_view(after)


def email_invoice(desk: Desk, actor: Actor, ref: str) -> OutboxView:
    """Queue the invoice, with its PDF, to the customer now; it leaves with the next send."""
    actor.require(Permission.EMAIL_CUSTOMERS)
    ref = normalise_invoice_ref(ref)
    with desk.db.write() as uow:
        row = uow.bookings.row_by_invoice(ref)
        if row is None:
            raise NotFound(f"No invoice {ref}.")
        view = booking_view(*row)
        number = queue_invoice(uow, desk, view)
        uow.audit.record(
            at=desk.now(),
            actor=actor.username,
            action="invoice e-mail queued",
            ref=ref,
            detail=f"to {view.customer_email}",
        )
        record = uow.outbox.by_id(number)
        uow.commit()
    assert record is not None
    return outbox_view(record)


def booking_messages(desk: Desk, actor: Actor, booking_ref: str) -> list[OutboxView]:
    """What was queued for a booking, and what became of it."""
    actor.require(Permission.VIEW_DESK)
    with desk.db.read() as uow:
        return [outbox_view(r) for r in uow.outbox.listing(booking_ref=booking_ref.upper())]


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    files: list[Path]


def export_queued(desk: Desk, actor: Actor, folder: str | Path) -> ExportResult:
    """Write each queued message as an .eml file in `folder` (through the export writer:
    private, never over another file) and mark it sent: the files are how it leaves. A file
    already there from an export that stopped half-way counts as written."""
    actor.require(Permission.MANAGE_MAIL)
    target = Path(str(folder).strip() or ".").expanduser()
    if target.exists() and not target.is_dir():
        raise InvalidInput(f"{target} is not a folder.", field="path")
    if not target.exists():
        # Checked before any message is claimed: the desk creates no folders.
        raise InvalidInput(
            f"The folder {target} does not exist; make it first (the desk creates no folders).",
            field="path",
        )
    owner = f"export:{os.getpid()}:{id(target)}"
    written: list[Path] = []
    while True:
        now = desk.now()
        with desk.db.write() as uow:
            batch = uow.outbox.claim(owner, now, now - CLAIM_TIMEOUT, limit=50, due_only=False)
            uow.commit()
        if not batch:
            break
        for record in batch:
            path = target / f"{record.id:06d}-{record.kind}.eml"
            try:
                written.append(
                    write_private_file(
                        desk, path, build_message(desk, record).as_bytes(policy=SMTP_POLICY)
                    )
                )
            except FileAlreadyExists:
                written.append(path)
            except Exception:
                with desk.db.write() as uow:
                    uow.outbox.release([r.id for r in batch], owner)
                    uow.commit()
                raise
            with desk.db.write() as uow:
                if uow.outbox.mark_sent(record.id, owner, at=now, attempts=record.attempts + 1):
                    uow.audit.record(
                        at=now,
                        actor=actor.username,
                        action="e-mail exported",
                        ref=record.booking_ref or record.invoice_ref or f"MSG-{record.id:06d}",
                        detail=f"{record.kind} to {record.to_address}: {path}",
                    )
                uow.commit()
    return ExportResult(target.resolve(), written)
