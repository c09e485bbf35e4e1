"""Helpers for CLI tests: running `nextcars` in-process or as a child, and reading the
database it wrote, on either engine.

Most tests call `main()` in-process (the same parser, handlers and error handling, without
~1 s of interpreter start-up on a small machine); test_cli_process.py runs the real command.
What a command wrote is read with tests/integration/rawdb.py: a plain connection that shares
none of the store's code, so a test sees what was really committed.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import make_url

import nextcars_tui
from nextcars_tui.cli import main
from nextcars_tui.config import CONFIG_ENV, DB_ENV
from tests.integration.rawdb import raw
from tests.pgserver import PgServer

CONFIG_TEXT = """\
[database]
url = "{url}"

[sign_in]
password_hash_cost = "low"

[business]
time_zone = "Europe/London"
max_rental_days = 30
"""


CODE_ROOT = str(Path(nextcars_tui.__file__).resolve().parent.parent)

# The password of the test server's password role (conftest: password_role); distinctive,
# so finding it anywhere in the output means it leaked.
PASSWORD = "Pw-7f3kQ9-never-shown"


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    @property
    def error_line(self) -> str:
        """The one stderr line of a failure; asserts the error contract on the way."""
        lines = self.err.splitlines()
        assert len(lines) == 1, f"expected one error line, got {self.err!r}"
        assert lines[0].startswith("error: "), lines[0]
        assert "Traceback" not in self.err
        return lines[0]


_LOW_COST: list[Path] = []


def low_cost_config() -> Path:
    """A config file naming only the low password-hash cost, in a folder of its own, so a
    test's folder holds only what the desk wrote there. Made once per run: a run that ends
    removes its temporary folder, and mutmut starts the next in the same process."""
    if not _LOW_COST or not _LOW_COST[0].exists():
        folder = Path(tempfile.mkdtemp(prefix="nextcars-low-cost-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "nextcars.toml"
        path.write_text('[sign_in]\npassword_hash_cost = "low"\n', encoding="utf-8")
        _LOW_COST[:] = [path]
    return _LOW_COST[0]


@contextlib.contextmanager
def cheap_hashing() -> Iterator[None]:
    """Commands run inside hash passwords cheaply, as the setting `sign_in.password_hash_cost
    = "low"` makes them (same argon2id code and stored format), from a config file naming
    nothing else: NEXTCARS_DB still picks the database."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV, str(low_cost_config()))
        yield


def invoke(*args: str, stdin: str = "") -> CliResult:
    """Run `nextcars ARGS` in this process with stdin given and stdout/stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    with (
        pytest.MonkeyPatch.context() as patch,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        patch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(args))
    return CliResult(code, out.getvalue(), err.getvalue())


def write_config(folder: Path, url: str = "sqlite:///nextcars.db") -> Path:
    """nextcars.toml naming the database, as a user writes it (a relative SQLite path is
    relative to this folder)."""
    path = folder / "nextcars.toml"
    path.write_text(CONFIG_TEXT.format(url=url), encoding="utf-8")
    return path


def postgres_url(
    server: PgServer, database: str, password: str | None = None, user: str = ""
) -> str:
    """The URL a user puts in database.url for a database on the test server."""
    login = user or server.user
    if password is not None:
        login += f":{password}"
    return f"postgresql://{login}@127.0.0.1:{server.port}/{database}"


COUNTED_TABLES = ("booking", "invoice", "ledger_entry", "audit_entry", "car", "driver", "customer")


@dataclass(frozen=True)
class DeskFiles:
    """A desk as a user sets one up: a folder with nextcars.toml naming the database."""

    folder: Path
    config: Path
    # The database the config names, as a URL that reads it from anywhere (an absolute
    # sqlite:/// path, or a postgresql:// URL).
    url: str

    @property
    def engine(self) -> str:
        return "postgresql" if self.url.startswith("postgresql") else "sqlite"

    @property
    def db(self) -> Path:
        """The SQLite file (for tests of the file itself)."""
        assert self.engine == "sqlite", "a PostgreSQL desk has no file"
        return Path(self.url.removeprefix("sqlite:///"))

    def env(self) -> dict[str, str]:
        """Environment for a child `nextcars` process using this desk."""
        env = {k: v for k, v in os.environ.items() if k not in (DB_ENV, CONFIG_ENV)}
        env[CONFIG_ENV] = str(self.config)
        # The child imports the code under test (a worktree's), not whatever checkout the
        # virtual environment's editable install points at.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (CODE_ROOT, env.get("PYTHONPATH"))))
        return env

    def count(self, table: str, where: str = "1 = 1") -> int:
        return int(self.rows(f"SELECT count(*) FROM {table} WHERE {where}")[0][0])

    def rows(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        """Rows as SQLite stores them (dates as ISO text) on either engine; `?` parameters."""
        with raw(self.url) as connection:
            return connection.execute(sql, params).fetchall()

    def counts(self) -> dict[str, int]:
        with raw(self.url) as connection:
            counted = {
                table: connection.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
                for table in (*COUNTED_TABLES, "app_user")
            }
        return counted | {"users": counted.pop("app_user")}


def nextcars_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "nextcars_tui", *args]


def start_nextcars(files: DeskFiles, *args: str) -> subprocess.Popen[str]:
    """The real `python -m nextcars_tui ARGS` in a child process."""
    return subprocess.Popen(
        nextcars_command(*args),
        env=files.env(),
        cwd=files.folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextlib.contextmanager
def read_only(files: DeskFiles) -> Iterator[None]:
    """The desk's database made unwritable for the commands a test runs: on SQLite the file
    (permission bits, or as root the immutable flag); on PostgreSQL every new session of the
    database starts read-only, as on a hot standby."""
    if files.engine == "postgresql":
        name = make_url(files.url).database
        with raw(files.url) as connection:
            connection.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        try:
            yield
        finally:
            with raw(files.url) as connection:
                connection.execute("SET default_transaction_read_only = off")
                connection.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
        return
    path = files.db
    as_root = os.geteuid() == 0
    if as_root:
        subprocess.run(["chattr", "+i", str(path)], check=True, capture_output=True)
    else:
        path.chmod(0o400)
    try:
        with path.open("r+b"):
            raise AssertionError(f"{path} is still writable; the test proves nothing")
    except PermissionError:
        pass
    try:
        yield
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o600)
