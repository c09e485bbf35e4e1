"""Where the benchmark's PostgreSQL database comes from.

`--postgres URL`: a server someone runs. The database the URL names must be empty (the bench
creates the desk's schema in it and leaves its data there) or not exist yet (the bench creates
it, and drops it at the end; that needs the CREATEDB privilege). Without a URL the bench starts
a throw-away cluster with `initdb`/`pg_ctl` (run as the `postgres` user when we are root),
configured like a desk's server, and stops it at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from nextcars_tui.bench import pg_cluster
from nextcars_tui.domain.errors import StoreUnavailable
from nextcars_tui.store import open_database

BENCH_DATABASE = "nextcars_bench"
# A desk's server, not the tests' crash-unsafe one: every commit reaches the disk before it
# returns (as SQLite's synchronous=FULL does in the core section), and the history fits in
# shared buffers.
DESK_SETTINGS = {
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "wal_level": "replica",
    "max_wal_senders": "10",
    "max_wal_size": "4GB",  # the seeding's COPY would otherwise checkpoint every few seconds
    "shared_buffers": "512MB",
    "autovacuum": "on",
}


def conninfo(url: str) -> str:
    """A libpq URI for psycopg from the desk's postgresql:// or postgresql+psycopg:// URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Unavailable(Exception):
    """No PostgreSQL database to benchmark on; the message says why, in one line."""


@dataclass(frozen=True)
class Target:
    url: str  # postgresql:// URL of the database to fill and book into
    where: str  # the server and database, for the report (never a password)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


@contextmanager
def bench_database(url: str | None) -> Iterator[Target]:
    """The database to benchmark on, cleaned up afterwards as the module docstring says;
    raises Unavailable before yielding when there is none."""
    try:
        import psycopg  # noqa: F401  (the optional `postgres` extra)
    except ImportError:
        raise Unavailable(
            "psycopg is not installed: pip install 'nextcars-tui[postgres]'"
        ) from None
    if url is not None:
        with _given(url) as target:
            yield target
    else:
        with _throw_away() as target:
            yield target


@contextmanager
def _given(url: str) -> Iterator[Target]:
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(conninfo(url))
    name = str(info.get("dbname") or "")
    where = f"database {name} on {info.get('host') or 'localhost'}:{info.get('port') or 5432}"
    if not name:
        raise Unavailable(f"the URL names no database: {where}")
    try:
        with psycopg.connect(conninfo(url), dbname="postgres", autocommit=True) as admin:
            found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            created = found.fetchone() is None
            if created:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise Unavailable(f"cannot use the {where}: {_one_line(exc)}") from None
    try:
        if not created:
            _require_empty(url, where)
        yield Target(url, where + ("" if created else " (its benchmark data is left there)"))
    finally:
        if created:
            with psycopg.connect(conninfo(url), dbname="postgres", autocommit=True) as admin:
                statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                admin.execute(statement.format(sql.Identifier(name)))


def _require_empty(url: str, where: str) -> None:
    try:
        db = open_database(url)
    except StoreUnavailable as exc:
        raise Unavailable(_one_line(exc)) from None
    try:
        if not db.is_empty():
            raise Unavailable(
                f"the {where} is not empty; give --postgres an empty database, or a new name "
                "for the bench to create and drop"
            )
    finally:
        db.close()


@contextmanager
def _throw_away() -> Iterator[Target]:
    programs = pg_cluster.find_programs()
    if programs is None:
        raise Unavailable(
            f"{', '.join(pg_cluster.PROGRAMS)} not found; install PostgreSQL or give --postgres URL"
        )
    try:
        server = pg_cluster.PgServer(programs, settings=DESK_SETTINGS).start()
    except (pg_cluster.PgUnavailable, RuntimeError, OSError) as exc:
        raise Unavailable(f"could not start a throw-away cluster: {_one_line(exc)}") from None
    try:
        server.create_database(BENCH_DATABASE)
        where = f"throw-away cluster on 127.0.0.1:{server.port}, run by {server.user}"
        yield Target(server.url(BENCH_DATABASE), where)
    finally:
        server.stop()
