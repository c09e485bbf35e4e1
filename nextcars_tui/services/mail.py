"""Sending what the outbox holds, over SMTP: claim, send, mark, one message at a time.

The promise is at-least-once with a stable Message-ID. A message is claimed (in its own short
transaction) before it is sent, so two senders (the worker of two desks, cron) never send the
same one; it is marked sent right after the server accepts it. A sender that dies between the
two leaves a claim that goes stale after CLAIM_TIMEOUT, and the message is sent again: the one
window for a duplicate. Temporary failures (4xx, refused or dropped connections) are retried
with growing delays; permanent ones (5xx) are marked failed with the server's reply.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import socket
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from urllib.parse import urlsplit

from nextcars_tui.config import SMTP_PASSWORD_ENV, MailSettings
from nextcars_tui.domain.errors import DeskError, InvalidInput
from nextcars_tui.domain.mail import CLAIM_TIMEOUT, gives_up, is_permanent, retry_delay
from nextcars_tui.domain.parsing import parse_email
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.mail_message import PdfCache, build_message, sender, test_message
from nextcars_tui.store import OutboxRecord

TIMEOUT_SECONDS = 30.0
# Messages claimed at a time: small, so two senders share a long queue.
BATCH = 20
MAX_REPLY = 500
DEFAULT_PORTS = {"smtp": 587, "smtps": 465}


class MailUnavailable(DeskError):
    """The mail server cannot be reached, or will not let the desk in; nothing was sent."""

    exit_code = 1


class DeliveryFailed(Exception):
    """The server did not take one message: `permanent` for a 5xx reply."""

    def __init__(self, reply: str, *, permanent: bool, connection_lost: bool = False) -> None:
        super().__init__(reply)
        self.reply = reply
        self.permanent = permanent
        self.connection_lost = connection_lost


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    reply = f"{code} {' '.join(words.split())}".strip()
    return reply[:MAX_REPLY]


class SmtpConnection:
    """One connection to the server, handing over one message at a time."""

    def __init__(self, client: smtplib.SMTP) -> None:
        self._client = client

    def deliver(self, sender_address: str, to: str, message: EmailMessage) -> str:
        """Hand the message over; returns the server's reply to it, or raises
        DeliveryFailed saying whether trying again could help."""
        client = self._client
        try:
            code, text = client.mail(sender_address)
            if code != 250:
                self._fail(code, text)
            code, text = client.rcpt(to)
            if code not in (250, 251):
                self._fail(code, text)
            code, text = client.data(message.as_bytes(policy=SMTP_POLICY))
        except smtplib.SMTPDataError as error:
            self._reset()
            raise DeliveryFailed(
                _reply(error.smtp_code, error.smtp_error), permanent=is_permanent(error.smtp_code)
            ) from None
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise DeliveryFailed(
                f"connection lost: {error or type(error).__name__}",
                permanent=False,
                connection_lost=True,
            ) from None
        return _reply(code, text)

    def _fail(self, code: int, text: bytes) -> None:
        self._reset()
        raise DeliveryFailed(_reply(code, text), permanent=is_permanent(code))

    def _reset(self) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self._client.rset()

    def close(self) -> None:
        try:
            self._client.quit()
        except (smtplib.SMTPException, OSError):
            self._client.close()


Connect = Callable[[MailSettings], SmtpConnection]


def where(mail: MailSettings) -> str:
    """The server as messages name it: host and port, never a password."""
    parts = urlsplit(mail.smtp_url)
    return f"{parts.hostname}:{parts.port or DEFAULT_PORTS.get(parts.scheme, 25)}"


def connect(mail: MailSettings, context: ssl.SSLContext | None = None) -> SmtpConnection:
    """Open a connection as `mail.smtp_url` says: TLS from the start for smtps://, STARTTLS
    when the server offers it for smtp://, AUTH when the URL names a user (the password from
    $NEXTCARS_SMTP_PASSWORD, and only over TLS). Raises MailUnavailable."""
    if not mail.smtp_url:
        raise InvalidInput("mail.smtp_url is not set: messages wait in the outbox.")
    parts = urlsplit(mail.smtp_url)
    host = parts.hostname or ""
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    tls = context or ssl.create_default_context()
    try:
        if parts.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=TIMEOUT_SECONDS, context=tls
            )
            secure = True
        else:
            client = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
            client.ehlo()
            secure = client.has_extn("starttls")
            if secure:
                client.starttls(context=tls)
                client.ehlo()
        if parts.username:
            _sign_in(client, parts.username, secure, host)
    except MailUnavailable:
        raise
    except smtplib.SMTPResponseException as error:
        raise MailUnavailable(
            f"The mail server {host}:{port} refused the desk: "
            f"{_reply(error.smtp_code, error.smtp_error)}"
        ) from None
    except (smtplib.SMTPException, OSError) as error:
        raise MailUnavailable(
            f"Cannot reach the mail server {host}:{port}: {error or type(error).__name__}"
        ) from None
    return SmtpConnection(client)


def _sign_in(client: smtplib.SMTP, user: str, secure: bool, host: str) -> None:
    password = os.environ.get(SMTP_PASSWORD_ENV)
    if not password:
        client.close()
        raise MailUnavailable(f"mail.smtp_url names a user: set ${SMTP_PASSWORD_ENV}.")
    if not secure:
        client.close()
        raise MailUnavailable(
            f"The mail server {host} offers no STARTTLS; the password is never sent in clear."
        )
    client.login(user, password)


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int
    # Still queued after the run: to be retried later, or not yet due.
    waiting: int


def _owner() -> str:
    """Who claims: this host and process, and this run."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class _Run:
    """One `mail send`: claims batches until nothing due is left, over one connection."""

    def __init__(self, desk: Desk, actor: Actor, opener: Connect) -> None:
        self.desk = desk
        self.actor = actor
        self.opener = opener
        self.owner = _owner()
        self.connection: SmtpConnection | None = None
        self.sent = 0
        self.failed = 0
        self.reached = False
        self.pdfs: PdfCache = {}

    def claim(self) -> list[OutboxRecord]:
        now = self.desk.now()
        with self.desk.db.write() as uow:
            batch = uow.outbox.claim(self.owner, now, now - CLAIM_TIMEOUT, limit=BATCH)
            uow.commit()
        return batch

    def release(self, batch: list[OutboxRecord]) -> None:
        with self.desk.db.write() as uow:
            uow.outbox.release([record.id for record in batch], self.owner)
            uow.commit()

    def open(self) -> SmtpConnection:
        if self.connection is None:
            self.connection = self.opener(self.desk.settings.mail)
            self.reached = True
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def one(self, record: OutboxRecord) -> None:
        """Send one claimed message and write down what happened."""
        try:
            message = build_message(self.desk, record, self.pdfs)
        except Exception as error:
            # A message that cannot be made (its invoice gone, a broken template) will not
            # be made by trying again.
            self._failed(record, f"could not be made: {type(error).__name__}: {error}")
            return
        connection = self.open()
        try:
            reply = connection.deliver(sender(self.desk).addr_spec, record.to_address, message)
        except DeliveryFailed as failure:
            if failure.connection_lost:
                self.connection = None
            if failure.permanent:
                self._failed(record, failure.reply)
            else:
                self._later(record, failure.reply)
            return
        self._sent(record, reply)

    def _sent(self, record: OutboxRecord, reply: str) -> None:
        now = self.desk.now()
        with self.desk.db.write() as uow:
            if uow.outbox.mark_sent(record.id, self.owner, at=now, attempts=record.attempts + 1):
                uow.audit.record(
                    at=now,
                    actor=self.actor.username,
                    action="e-mailed",
                    ref=_ref(record),
                    detail=f"{record.kind} to {record.to_address} ({reply})",
                )
            uow.commit()
        self.sent += 1

    def _failed(self, record: OutboxRecord, error: str) -> None:
        now = self.desk.now()
        with self.desk.db.write() as uow:
            if uow.outbox.mark_failed(
                record.id, self.owner, error=error[:MAX_REPLY], attempts=record.attempts + 1
            ):
                uow.audit.record(
                    at=now,
                    actor=self.actor.username,
                    action="e-mail failed",
                    ref=_ref(record),
                    detail=f"{record.kind} to {record.to_address}: {error[:MAX_REPLY]}",
                )
            uow.commit()
        self.failed += 1

    def _later(self, record: OutboxRecord, error: str) -> None:
        attempts = record.attempts + 1
        if gives_up(attempts):
            self._failed(record, f"gave up after {attempts} attempts: {error}")
            return
        self.reschedule(record, error)

    def reschedule(self, record: OutboxRecord, error: str) -> None:
        attempts = record.attempts + 1
        with self.desk.db.write() as uow:
            uow.outbox.reschedule(
                record.id,
                self.owner,
                error=error[:MAX_REPLY],
                attempts=attempts,
                next_at=self.desk.now() + retry_delay(attempts),
            )
            uow.commit()


def _ref(record: OutboxRecord) -> str:
    """Where the audit log files a message: its booking, else its invoice, else itself."""
    return record.booking_ref or record.invoice_ref or f"MSG-{record.id:06d}"


def send_due(desk: Desk, actor: Actor, *, opener: Connect | None = None) -> SendResult:
    """Send every queued message that is due. Raises MailUnavailable when the server cannot
    be reached at all (the messages stay queued, tried again after a delay)."""
    actor.require(Permission.MANAGE_MAIL)
    run = _Run(desk, actor, opener or connect)
    try:
        while batch := run.claim():
            for position, record in enumerate(batch):
                try:
                    run.one(record)
                except MailUnavailable as error:
                    # The server went away (or was never there): this message and the rest
                    # of the batch are tried again after a delay, like any temporary failure.
                    for waiting in batch[position:]:
                        run.reschedule(waiting, error.message)
                    if not run.reached:
                        raise
                    return _result(desk, run)
    finally:
        run.close()
    return _result(desk, run)


def _result(desk: Desk, run: _Run) -> SendResult:
    with desk.db.read() as uow:
        waiting = uow.outbox.counts()["queued"]
    return SendResult(run.sent, run.failed, waiting)


def send_test(desk: Desk, actor: Actor, address: str, *, opener: Connect | None = None) -> str:
    """Send one test message to `address` straight away (not through the outbox); returns
    the server's reply. Raises MailUnavailable, or DeskError with the server's refusal."""
    actor.require(Permission.MANAGE_MAIL)
    to = parse_email(address, "address")
    connection = (opener or connect)(desk.settings.mail)
    try:
        message = test_message(desk, to, f"{uuid.uuid4().hex}.test")
        return connection.deliver(sender(desk).addr_spec, to, message)
    except DeliveryFailed as failure:
        raise MailUnavailable(
            f"The mail server refused the test message: {failure.reply}"
        ) from None
    finally:
        connection.close()
