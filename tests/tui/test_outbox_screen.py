"""The Outbox screen (managers): snapshots at 80×24 on the deterministic desk with its frozen
clock, one message failed with the server's reply; r queues it again; staff never see it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nextcars_tui.domain.mail import CLAIM_TIMEOUT
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.outbox import email_invoice, list_outbox
from tests.tui.conftest import sign_in
from tests.tui.deskdata import FROZEN
from tests.tui.test_snapshots_roles import as_user

SIZE = (80, 24)
REPLY = "550 5.1.1 Recipient address rejected: mailbox unavailable"


@pytest.fixture
def mail_desk(desk):
    """The test desk's messages, the oldest sent, and an invoice e-mailed this morning that
    the server refused."""
    system = system_actor("tests")
    failed = email_invoice(desk, system, "INV-000001")
    with desk.db.write() as uow:
        oldest = uow.outbox.listing(limit=1)[0]
        claimed = uow.outbox.claim("snap", FROZEN, FROZEN - CLAIM_TIMEOUT, limit=500)
        assert {r.id for r in claimed} >= {oldest.id, failed.id}
        uow.outbox.mark_sent(oldest.id, "snap", at=FROZEN + timedelta(minutes=5), attempts=1)
        uow.outbox.mark_failed(failed.id, "snap", error=REPLY, attempts=1)
        uow.outbox.release([r.id for r in claimed], "snap")
        uow.commit()
    return desk


def test_outbox(snap_compare, make_app, mail_desk):
    app = make_app(desk=mail_desk, clock=mail_desk.clock)
    assert snap_compare(
        app, run_before=as_user("manager", "ctrl+p", *"outbox", "enter"), terminal_size=SIZE
    )


def test_outbox_failed_only(snap_compare, make_app, mail_desk):
    app = make_app(desk=mail_desk, clock=mail_desk.clock)
    assert snap_compare(
        app,
        run_before=as_user("manager", "ctrl+p", *"outbox", "enter", "f"),
        terminal_size=SIZE,
    )


async def test_r_queues_the_failed_message_again(make_app, mail_desk):
    app = make_app(desk=mail_desk, clock=mail_desk.clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "manager")
        app.open_screen("outbox")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("f")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
    system = system_actor("tests")
    assert list_outbox(mail_desk, system, status="failed") == []


async def test_staff_cannot_open_the_outbox(make_app, desk):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "staff")
        app.open_screen("outbox")
        await pilot.pause()
        assert type(app.screen).__name__ != "OutboxScreen"
