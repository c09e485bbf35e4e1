"""A real, throw-away PostgreSQL server for the tests: the benchmark's cluster
(`nextcars_tui.bench.pg_cluster`) with the tests' fast settings, installing the server programs
with apt-get and adding a user to run them as where needed.

Only the standard library is imported at module level (psycopg when a database is touched), so
processes the tests spawn can import it.
"""

from __future__ import annotations

import pwd
import time

from nextcars_tui.bench import pg_cluster
from nextcars_tui.bench.pg_cluster import (
    PROGRAMS,
    SETTINGS,
    TIMEOUT,
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

    def pause(self) -> None:
        """Stop the server but keep its folder and port: a server going away under open
        desks (their connections are closed, new ones are refused). `resume()` restarts it."""
        assert self.folder is not None, "the server was not started"
        self._run(
            *(self.programs["pg_ctl"], "stop", "--pgdata", str(self.data_dir)),
            *("--mode", "fast", "--wait", "--timeout", str(TIMEOUT)),
        )

    def resume(self) -> None:
        """Start a paused server again, on the same port."""
        assert self.folder is not None, "the server was not started"
        self._run(
            *(self.programs["pg_ctl"], "start", "--wait", "--timeout", str(TIMEOUT)),
            *("--pgdata", str(self.data_dir), "--log", str(self.log_file)),
            *("-o", f"-p {self.port}"),
        )

    def add_password_role(self, role: str, password: str) -> str:
        """A role that must give its password over TCP, as on a real server; every other role
        keeps the test cluster's trust. It may read and write every table (PostgreSQL's
        pg_read_all_data and pg_write_all_data), so it can use desks others made and dump
        them. Returns the role's name; calling it again changes nothing."""
        from psycopg import sql

        with self.connect() as conn:
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                return role
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
            conn.execute(
                sql.SQL("GRANT pg_read_all_data, pg_write_all_data TO {}").format(
                    sql.Identifier(role)
                )
            )
        # The first matching line decides, so it goes before initdb's trust lines.
        hba = self.data_dir / "pg_hba.conf"
        hba.write_text(f"host all {role} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        with self.connect() as conn:
            conn.execute("SELECT pg_reload_conf()")
        self._wait_for_password_check(role)
        return role

    def _wait_for_password_check(self, role: str) -> None:
        """The postmaster rereads pg_hba.conf on SIGHUP, a moment after pg_reload_conf()."""
        import psycopg

        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                psycopg.connect(
                    f"host=127.0.0.1 port={self.port} user={role} dbname=postgres"
                ).close()
            except psycopg.OperationalError:
                return  # refused without the password: the new rule is in force
            time.sleep(0.05)
        raise RuntimeError(f"pg_hba.conf still lets {role} in without a password")
