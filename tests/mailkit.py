"""A real SMTP server for the mail tests: aiosmtpd on 127.0.0.1 with STARTTLS (a test CA from
trustme) and AUTH, and the faults a desk meets: nobody listening, 421 on connect, 451 or 550
on RCPT, the connection dropped in DATA.

Faults are chosen by the recipient's address, so one server serves a whole test:
`tempfail@…` gets 451 on RCPT, `reject@…` 550, `drop@…` a dropped connection in DATA (once
per address, or always with `drop-always@…`).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "desk"
PASSWORD = "Smtp-9Qx-never-shown"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Recorder:
    """What the server accepted: each message's envelope and bytes, in order."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    dropped: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        local = address.split("@", 1)[0]
        if local.startswith("tempfail"):
            return "451 4.3.0 Mailbox busy, try again later"
        if local.startswith("reject"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        to = envelope.rcpt_tos[0]
        local = to.split("@", 1)[0]
        with self.lock:
            drop = local.startswith("drop-always") or (
                local.startswith("drop") and to not in self.dropped
            )
            if drop:
                self.dropped.add(to)
        if drop:
            server.transport.close()
            return "421 closing"
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Ok: queued as test"

    def parsed(self) -> list[EmailMessage]:
        with self.lock:
            raw = [content for _from, _to, content in self.messages]
        return [
            email.message_from_bytes(content, policy=email.policy.default)  # type: ignore[misc]
            for content in raw
        ]


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class MailServer:
    port: int
    recorder: Recorder
    ca_file: Path
    client_context: ssl.SSLContext

    def url(self, *, user: bool = True) -> str:
        login = f"{USER}@" if user else ""
        return f"smtp://{login}127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.parsed()


@contextlib.contextmanager
def tls_files(folder: Path) -> Iterator[tuple[ssl.SSLContext, ssl.SSLContext, Path]]:
    """(server context, client context trusting the test CA, the CA as a PEM file)."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    ca_file = folder / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    yield server_context, client_context, ca_file


@contextlib.contextmanager
def mail_server(folder: Path, *, auth: bool = True) -> Iterator[MailServer]:
    """A server on 127.0.0.1 offering STARTTLS, and requiring AUTH (over TLS) if `auth`."""
    with tls_files(folder) as (server_context, client_context, ca_file):
        recorder = Recorder()
        port = free_port()
        controller = Controller(
            recorder,
            hostname="127.0.0.1",
            port=port,
            tls_context=server_context,
            require_starttls=auth,
            authenticator=_authenticator if auth else None,
            auth_required=auth,
            auth_require_tls=True,
        )
        controller.start()
        try:
            yield MailServer(port, recorder, ca_file, client_context)
        finally:
            controller.stop()


@contextlib.contextmanager
def refusing_server(code: int = 421) -> Iterator[int]:
    """A server that answers every connection with `code` and hangs up; yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                connection.sendall(f"{code} 4.3.2 Service not available, closing\r\n".encode())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(2)
        listener.close()
