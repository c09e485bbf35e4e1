"""Helpers for CLI tests: running `nextcars` in-process or as a child, and reading the file.

Most tests call `main()` in-process (the same parser, handlers and error handling, without
~1 s of interpreter start-up on a small machine); test_cli_process.py runs the real command.
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from nextcars_tui.cli import main
from nextcars_tui.config import CONFIG_ENV, DB_ENV
from nextcars_tui.services import auth

CONFIG_TEXT = """\
[database]
url = "sqlite:///nextcars.db"

[business]
time_zone = "Europe/London"
max_rental_days = 30
"""


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


def cheap_hasher() -> PasswordHasher:
    """argon2id with tiny costs: same code paths and stored format, a fraction of the time."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@contextlib.contextmanager
def cheap_hashing() -> Iterator[None]:
    hasher = cheap_hasher()
    dummy = hasher.hash("not-a-real-password-for-timing-only")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "_hasher", lambda: hasher)
        patch.setattr(auth, "_dummy_hash", lambda: dummy)
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


def write_config(folder: Path) -> Path:
    path = folder / "nextcars.toml"
    path.write_text(CONFIG_TEXT, encoding="utf-8")
    return path


@dataclass(frozen=True)
class DeskFiles:
    folder: Path
    config: Path
    db: Path

    def env(self) -> dict[str, str]:
        """Environment for a child `nextcars` process using this desk."""
        env = {k: v for k, v in os.environ.items() if k not in (DB_ENV, CONFIG_ENV)}
        env[CONFIG_ENV] = str(self.config)
        return env

    def count(self, table: str, where: str = "1") -> int:
        with closing(sqlite3.connect(self.db)) as connection:
            return connection.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]

    def rows(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        with closing(sqlite3.connect(self.db)) as connection:
            return connection.execute(sql, params).fetchall()

    def counts(self) -> dict[str, int]:
        tables = ("booking", "invoice", "payment", "audit_entry", "car", "driver", "customer")
        return {table: self.count(table) for table in tables} | {"users": self.count("app_user")}


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
def read_only(path: Path) -> Iterator[None]:
    """Unwritable for whoever runs the test: permission bits, or as root the immutable flag."""
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
