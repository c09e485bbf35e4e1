"""A real, throw-away PostgreSQL server for the tests: the benchmark's cluster
(`nextcars_tui.bench.pg_cluster`) with the tests' fast settings, installing the server programs
with apt-get and adding a user to run them as where needed.

Only the standard library is imported at module level (psycopg when a database is touched), so
processes the tests spawn can import it.
"""

from __future__ import annotations

import pwd

from nextcars_tui.bench import pg_cluster
from nextcars_tui.bench.pg_cluster import (
    PROGRAMS,
    SETTINGS,
    PgUnavailable,
    find_programs,
    free_port,
    is_running,
)

__all__ = [
    "PROGRAMS",
    "SETTINGS",
    "PgServer",
    "PgUnavailable",
    "ensure_programs",
    "find_programs",
    "free_port",
    "is_running",
    "server_account",
]

DEBIAN_PACKAGE = "postgresql"  # pulls in the newest postgresql-N, contrib (btree_gist) included


def ensure_programs() -> dict[str, str]:
    """The server programs, installed with apt-get (as the e2e tools are) when missing and root."""
    found = find_programs()
    if found is not None:
        return found
    from tests.e2e.tools import install_if  # only where they are missing

    note = install_if([DEBIAN_PACKAGE], lambda: find_programs() is None)
    found = find_programs()
    if found is None:
        reason = f"{', '.join(PROGRAMS)} not installed and could not be installed"
        raise PgUnavailable(f"{reason}: {note}" if note else reason)
    return found


def server_account() -> pwd.struct_passwd:
    """Who runs the server: ourselves unless root, else `postgres` or a system user we add."""
    return pg_cluster.server_account(create=True)


class PgServer(pg_cluster.PgServer):
    """One PostgreSQL cluster in a temporary folder; `start()`, use `url()`, then `stop()`."""

    def __init__(self, programs: dict[str, str] | None = None) -> None:
        super().__init__(
            programs if programs is not None else ensure_programs(), account=server_account()
        )
