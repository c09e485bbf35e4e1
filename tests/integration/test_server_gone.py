"""A PostgreSQL server that goes away under an open desk, and comes back.

The desk's service calls fail with StoreUnavailable, a message naming the server and database
and never the password, and work again once the server is back, without reopening the desk
(the pool checks a connection before lending it). Real servers: one stopped and started again,
and sessions killed from another connection as an administrator (or a failover) does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from deskkit import actors_for, new_desk, open_desk, request, row_counts
from sqlalchemy import event

from nextcars_tui.domain.errors import StoreUnavailable
from nextcars_tui.domain.roles import Actor
from nextcars_tui.services import billing, booking, listings
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.listings import BookingFilter
from nextcars_tui.services.live import ChangeWatcher
from nextcars_tui.store import hot_path
from nextcars_tui.store.postgres.engine import PING_AFTER_IDLE_S
from tests.pgserver import PgServer

PASSWORD = "Pw-4mQ8z-never-shown"
ROLE = "desk_clerk"


@pytest.fixture
def own_server(pg_server: PgServer) -> Iterator[PgServer]:
    """A server of this test's own, to stop and start (the shared one stays up)."""
    server = PgServer(pg_server.programs).start()
    try:
        yield server
    finally:
        server.stop()


def _clerk_desk(server: PgServer, database: str) -> Desk:
    """A seeded desk made by the administrator, opened by a clerk who signs in with a
    password, as on a real server."""
    server.create_database(database)
    new_desk(server.url(database)).db.close()
    role = server.add_password_role(ROLE, PASSWORD)
    return open_desk(f"postgresql://{role}:{PASSWORD}@127.0.0.1:{server.port}/{database}")


def _every_kind_of_call(desk: Desk, staff: Actor, invoice: str) -> dict[str, Any]:
    return {
        "book": lambda: booking.book(desk, staff, request(car=2, driver=2)),
        "list": lambda: listings.list_bookings(desk, staff, BookingFilter()),
        "checkout": lambda: billing.checkout(desk, staff, invoice, "card"),
    }


def test_a_stopped_server_refuses_calls_clearly_and_the_desk_recovers_when_it_is_back(
    own_server: PgServer,
):
    desk = _clerk_desk(own_server, "desk")
    try:
        staff = actors_for(desk)["staff"]
        watcher = ChangeWatcher(desk)
        first = booking.book(desk, staff, request(car=1, driver=1))
        before = row_counts(own_server.url("desk"))
        watcher.changed()  # our own booking's notification

        own_server.pause()
        for name, call in _every_kind_of_call(desk, staff, first.invoice.ref).items():
            with pytest.raises(StoreUnavailable) as refused:
                call()
            message = refused.value.message
            assert f"PostgreSQL database desk on 127.0.0.1:{own_server.port}" in message, name
            # The call that meets the pooled session finds it closed; later ones find no server.
            assert (
                "no server is answering there" in message
                or "the server closed the connection" in message
            ), name
            assert "\n" not in message and "Traceback" not in message
            assert PASSWORD not in message and PASSWORD not in str(refused.value.__cause__)
        assert not watcher.changed()  # polling a server that is down is quiet, not an error

        own_server.resume()
        calls = _every_kind_of_call(desk, staff, first.invoice.ref)
        second = calls["book"]()
        assert calls["checkout"]().status == "confirmed"
        listed = calls["list"]()
        assert {b.ref for b in listed.items} == {first.ref, second.ref}
        # Commits may have been missed while the server was away: the grids refresh.
        assert watcher.changed()
        after = row_counts(own_server.url("desk"))
        # The second booking's two charge lines, and the one payment taken once it was back.
        assert (after["booking"], after["ledger_entry"]) == (
            before["booking"] + 1,
            before["ledger_entry"] + 3,
        )
        watcher.close()
    finally:
        desk.db.close()


def _kill_sessions(server: PgServer, database: str) -> int:
    """pg_terminate_backend on every other session of the database, waiting until each
    has gone (PostgreSQL 14 and later)."""
    with server.connect() as conn:
        killed = conn.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) "
            "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchone()
    return int(killed[0]) if killed else 0


def test_sessions_killed_while_the_desk_sits_idle_are_replaced_without_an_error(
    pg_server: PgServer, pg_database: str
):
    desk = new_desk(pg_server.url(pg_database))
    try:
        staff = actors_for(desk)["staff"]
        booking.book(desk, staff, request(car=1, driver=1))
        assert _kill_sessions(pg_server, pg_database) >= 1
        time.sleep(PING_AFTER_IDLE_S + 0.2)  # the clerk's next action comes after a pause
        booked = booking.book(desk, staff, request(car=2, driver=2))
        assert booked.ref == "BK-000002"
    finally:
        desk.db.close()


def test_a_session_killed_just_before_a_call_fails_it_clearly_and_the_next_works(
    pg_server: PgServer, pg_database: str
):
    # Back-to-back work is not pinged first: the one call that meets the dead session says
    # so, saves nothing, and the pool has already let the dead sessions go.
    desk = new_desk(pg_server.url(pg_database))
    try:
        staff = actors_for(desk)["staff"]
        booking.book(desk, staff, request(car=1, driver=1))
        assert _kill_sessions(pg_server, pg_database) >= 1
        with pytest.raises(StoreUnavailable, match="Lost the connection") as lost:
            booking.book(desk, staff, request(car=2, driver=2))
        assert "\n" not in lost.value.message
        assert booking.book(desk, staff, request(car=2, driver=2)).ref == "BK-000002"
        assert row_counts(desk)["booking"] == 2
    finally:
        desk.db.close()


@contextmanager
def before_each_statement(desk: Desk, callback: Callable[[str], None]) -> Iterator[None]:
    """Call `callback(sql)` before every statement the store sends, through SQLAlchemy or
    straight to the driver on the booking path (store.hot_path)."""

    def through_sqlalchemy(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        callback(sql)

    def straight_to_the_driver(sql: str, _values: tuple[Any, ...]) -> None:
        callback(sql)

    event.listen(desk.db.engine, "before_cursor_execute", through_sqlalchemy)
    hot_path.observers.append(straight_to_the_driver)
    try:
        yield
    finally:
        hot_path.observers.remove(straight_to_the_driver)
        event.remove(desk.db.engine, "before_cursor_execute", through_sqlalchemy)


def test_a_session_killed_inside_a_booking_saves_nothing_and_the_next_call_works(
    pg_server: PgServer, pg_database: str
):
    desk = new_desk(pg_server.url(pg_database))
    killed: list[str] = []

    def kill_before_the_invoice(sql: str) -> None:
        # After the booking's INSERT, before its invoice's: the transaction is half done.
        if sql.lstrip().upper().startswith("INSERT INTO INVOICE") and not killed:
            killed.append(sql)
            _kill_sessions(pg_server, pg_database)

    try:
        staff = actors_for(desk)["staff"]
        before = row_counts(pg_server.url(pg_database))
        with (
            before_each_statement(desk, kill_before_the_invoice),
            pytest.raises(StoreUnavailable) as refused,
        ):
            booking.book(desk, staff, request(car=1, driver=1))
        assert killed, "the booking never reached its invoice"
        message = refused.value.message
        assert f"Lost the connection to the PostgreSQL database {pg_database}" in message
        assert "Nothing was saved" in message
        assert row_counts(pg_server.url(pg_database)) == before
        booked = booking.book(desk, staff, request(car=1, driver=1))
        assert booked.status == "pending"
    finally:
        desk.db.close()
