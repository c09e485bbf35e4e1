"""Two senders against one outbox, as real separate processes, on both engines (the worker of
one desk and cron, or two desks): every message is delivered exactly once."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from deskkit import START, request, target
from racers import RacePool, never_locked, only, send_mail

from nextcars_tui.config import MailSettings
from nextcars_tui.services.booking import book
from nextcars_tui.services.outbox import email_invoice
from tests.mailkit import mail_server

MESSAGES = 60
SENDERS = 2


def test_two_senders_deliver_each_message_once(desk, staff, tmp_path, monkeypatch):
    made = book(desk, staff, request(days=2))
    for _ in range(MESSAGES):
        email_invoice(desk, staff, made.invoice.ref)
    with mail_server(tmp_path, auth=False) as server:
        # The senders trust the test CA the way any program on the machine would.
        monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
        settings = replace(
            desk.settings,
            mail=MailSettings(smtp_url=server.url(user=False), from_address="desk@example.com"),
        )
        pool = RacePool(SENDERS)
        try:
            outcomes = pool.race([send_mail] * SENDERS, target(desk), settings, START)
        finally:
            pool.close()
        delivered = Counter(message["Message-ID"] for message in server.messages)
    never_locked(outcomes)
    results = only(outcomes, "ok")
    assert len(results) == SENDERS, outcomes
    assert sum(sent for sent, _failed in results) == MESSAGES
    assert len(delivered) == MESSAGES
    assert set(delivered.values()) == {1}, "a message was delivered twice"
    with desk.db.read() as uow:
        rows = uow.outbox.listing()
    assert {row.status for row in rows} == {"sent"}
    assert {row.message_id for row in rows} == set(delivered)
