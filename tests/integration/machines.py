"""The scaffold of the desk's Hypothesis state machines, on both engines.

A machine subclasses DeskStateMachine and says what its rules do; the scaffold gives it a
fresh desk per example (a SQLite file, or with `on_postgresql` a PostgreSQL database made
from a template on one test server), the clock, and the one invariant every machine checks
after every step: `db check` finds nothing (tests/integration/invariants.py).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any, TypeVar

from deskkit import START, FakeClock, copy_desk, copy_pg_desk
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant
from invariants import violations

from nextcars_tui.config import Settings
from nextcars_tui.services.desk import Desk
from tests.pgserver import PgServer, ensure_programs

M = TypeVar("M", bound="DeskStateMachine")


class DeskStateMachine(RuleBasedStateMachine):
    """A machine over one desk, made from `desk_settings()` for every example."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock(START)
        self.path, self.desk = self.new_desk(self.desk_settings())

    def desk_settings(self) -> Settings:
        raise NotImplementedError

    def new_desk(self, desk_settings: Settings) -> tuple[Path | str, Desk]:
        self.folder = Path(tempfile.mkdtemp(prefix="nextcars-machine-"))
        path = self.folder / "desk.db"
        return path, copy_desk(path, desk_settings, self.clock)

    def teardown(self) -> None:
        self.desk.db.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    @invariant()
    def every_invariant_holds(self) -> None:
        assert violations(self.path, self.desk.today()) == []


_SERVER: list[PgServer] = []


def _server() -> PgServer:
    """One server for every PostgreSQL machine of this process, stopped at exit."""
    if not _SERVER:
        _SERVER.append(PgServer(ensure_programs()).start())
        atexit.register(_SERVER[0].stop)
    return _SERVER[0]


def on_postgresql(machine: type[M]) -> type[M]:
    """The same machine on a PostgreSQL database made from a template for every example."""

    class OnPostgresql(machine):  # type: ignore[valid-type, misc]
        def new_desk(self, desk_settings: Settings) -> tuple[Path | str, Desk]:
            server = _server()
            self.database = f"machine_{uuid.uuid4().hex[:12]}"
            desk = copy_pg_desk(server, self.database, desk_settings, self.clock)
            return server.url(self.database), desk

        def teardown(self) -> None:
            self.desk.db.close()
            _server().drop_database(self.database)

    OnPostgresql.__name__ = f"{machine.__name__}OnPostgresql"
    return OnPostgresql


def as_test(machine: type[DeskStateMachine], *, examples: int, steps: int) -> Any:
    """The machine as a test, with its budget: fewer examples on PostgreSQL, where the rules
    are the same code and what differs is locking and the database's backstops."""
    machine.TestCase.settings = settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    return machine.TestCase
