"""The one invariant checker of the tests: `nextcars db check` itself, read-only on the
database as committed, so races, state machines and scenarios all hold the desk to the same
rules a desk's owner checks after a restore."""

from __future__ import annotations

from datetime import date

from rawdb import Target, url_of

from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.integrity import check_database
from nextcars_tui.store import open_database


def violations(target: Target, today: date) -> list[str]:
    """Every broken invariant as `db check` names it ('check: violation'); empty when all hold.
    `today` is the latest business date the desk has seen."""
    db = open_database(url_of(target), create=False, read_only=True)
    try:
        report = check_database(db, system_actor("tests"), today)
    finally:
        db.close()
    return [f"{check.name}: {line}" for check in report.checks for line in check.violations]
