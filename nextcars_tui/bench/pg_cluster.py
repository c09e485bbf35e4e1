"""A throw-away PostgreSQL cluster: `initdb` in a temporary folder, `pg_ctl` on a free port on
127.0.0.1, run as an unprivileged user, stopped by its pid.

The benchmark starts one when it is given no server; the tests start theirs through
`tests/pgserver.py`. Only the standard library is imported at module level (psycopg when a
database is touched), so spawned processes can import it cheaply; run as a script, it is the
watchdog that stops a server whose owner died without cleaning up (see `_watch`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROGRAMS = ("initdb", "pg_ctl", "postgres")
VERSIONED_BIN_DIRS = "/usr/lib/postgresql/*/bin"
# postgres refuses to run as root: the Debian package's user, else one the tests create.
SERVER_USERS = ("postgres", "nextcars-pg")
START_ATTEMPTS = 5  # a free port can be taken between choosing it and binding it
TIMEOUT = 60
# For speed and for the 16-process races; nothing here needs to survive a crash.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "max_connections": "200",
    "shared_buffers": "32MB",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "1GB",
    # An autovacuum worker connected to a template makes CREATE DATABASE ... TEMPLATE fail.
    "autovacuum": "off",
    "timezone": "'UTC'",
}


class PgUnavailable(RuntimeError):
    """The server programs, or an account to run them as, are missing."""


def find_programs() -> dict[str, str] | None:
    """initdb, pg_ctl and postgres: all on PATH, else the newest /usr/lib/postgresql/N/bin."""
    on_path = {program: shutil.which(program) for program in PROGRAMS}
    if all(on_path.values()):
        return {program: str(path) for program, path in on_path.items()}
    versions = sorted(
        Path("/").glob(VERSIONED_BIN_DIRS.lstrip("/")),
        key=lambda folder: [int(part) for part in re.findall(r"\d+", folder.parent.name)],
        reverse=True,
    )
    for folder in versions:
        paths = {program: folder / program for program in PROGRAMS}
        if all(os.access(path, os.X_OK) for path in paths.values()):
            return {program: str(path) for program, path in paths.items()}
    return None


def server_account(*, create: bool = False) -> pwd.struct_passwd:
    """Who runs the server: ourselves unless root, else `postgres` or `nextcars-pg`; with
    `create`, a system user added for it when neither exists."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    for name in SERVER_USERS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    name = SERVER_USERS[-1]
    if not create:
        raise PgUnavailable(f"running as root and there is no {SERVER_USERS[0]} user to run it as")
    useradd = ["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/bin/false"]
    added = subprocess.run(
        [*useradd, name], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    try:
        return pwd.getpwnam(name)  # also when another xdist worker added it first
    except KeyError:
        raise RuntimeError(f"useradd {name} failed: {added.stderr.strip()}") from None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PgServer:
    """One PostgreSQL cluster in a temporary folder; `start()`, use `url()`, then `stop()`.

    `settings` are written to postgresql.conf over SETTINGS (the tests' fast, crash-unsafe
    ones)."""

    def __init__(
        self,
        programs: dict[str, str] | None = None,
        account: pwd.struct_passwd | None = None,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        found = programs if programs is not None else find_programs()
        if found is None:
            raise PgUnavailable(f"{', '.join(PROGRAMS)} not found (install PostgreSQL)")
        self.programs = found
        self.account = account if account is not None else server_account()
        self.user = self.account.pw_name  # the cluster's superuser has the OS user's name
        self.settings = {**SETTINGS, **(settings or {})}
        self.port = 0
        self.folder: Path | None = None
        self.timings: dict[str, float] = {}  # seconds: "initdb", "start"
        self._owner = os.getpid()
        self._watchdog: subprocess.Popen[bytes] | None = None

    @property
    def data_dir(self) -> Path:
        assert self.folder is not None, "the server was not started"
        return self.folder / "data"

    @property
    def log_file(self) -> Path:
        assert self.folder is not None, "the server was not started"
        return self.folder / "server.log"

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> PgServer:
        """initdb and pg_ctl start; on failure nothing is left running."""
        self.folder = Path(tempfile.mkdtemp(prefix="nextcars-pg-", dir=_shared_temp_dir()))
        os.chown(self.folder, self.account.pw_uid, self.account.pw_gid)
        atexit.register(self.stop)
        self._watchdog = _start_watchdog(self.folder, self.programs["pg_ctl"], self.account)
        try:
            began = time.perf_counter()
            self._initdb()
            self.timings["initdb"] = time.perf_counter() - began
            began = time.perf_counter()
            self._pg_ctl_start()
            self.timings["start"] = time.perf_counter() - began
        except BaseException:
            self.stop()
            raise
        return self

    def _initdb(self) -> None:
        # C.UTF-8: code-point order like SQLite's, Unicode upper/lower like a real desk's server.
        self._run(
            *(self.programs["initdb"], "--pgdata", str(self.data_dir), "--username", self.user),
            *("--auth", "trust", "--encoding", "UTF8", "--locale", "C.UTF-8", "--no-sync"),
        )
        settings = {**self.settings, "unix_socket_directories": f"'{self.folder}'"}
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# nextcars throw-away server\n")
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def _pg_ctl_start(self) -> None:
        for _ in range(START_ATTEMPTS):
            self.port = free_port()
            started = self._run(
                *(self.programs["pg_ctl"], "start", "--wait", "--timeout", str(TIMEOUT)),
                *("--pgdata", str(self.data_dir), "--log", str(self.log_file)),
                *("-o", f"-p {self.port}"),
                check=False,
            )
            if started.returncode == 0:
                return
            if "could not bind" not in self._log_tail():
                break
        raise RuntimeError(
            f"pg_ctl start failed: {started.stdout.strip()}\n{self._log_tail()}".strip()
        )

    def postmaster_pid(self) -> int | None:
        """The server's pid from postmaster.pid, or None when it is not running."""
        return _postmaster_pid(self.data_dir) if self.folder is not None else None

    def stop(self) -> None:
        """Stop the server by its pid and remove its folder; safe to call twice."""
        if os.getpid() != self._owner or self.folder is None:
            return  # a forked child inherits the object and the atexit hook, not the server
        _stop_cluster(self.folder, self.programs["pg_ctl"], self.account, mode="fast")
        self.folder = None
        atexit.unregister(self.stop)
        if self._watchdog is not None:
            assert self._watchdog.stdin is not None
            self._watchdog.stdin.close()  # it finds nothing left and exits
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._watchdog.wait(timeout=TIMEOUT)
            self._watchdog = None

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL: postgresql+psycopg://USER@127.0.0.1:PORT/DBNAME (trust, no password)."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def conninfo(self, dbname: str = "postgres") -> str:
        """libpq connection string for psycopg.connect or psql."""
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname={dbname}"

    def connect(self, dbname: str = "postgres", **kwargs: Any) -> Any:
        """A psycopg connection in autocommit mode; use it in a `with` block."""
        import psycopg  # importable without the driver

        return psycopg.connect(self.conninfo(dbname), autocommit=True, **kwargs)

    def create_database(self, name: str, template: str | None = None) -> str:
        """CREATE DATABASE name [TEMPLATE template]; the template must have no connections.

        FILE_COPY: twice as fast as PostgreSQL 15's default WAL_LOG for small test databases.
        """
        from psycopg import sql

        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self.connect() as conn:
            if conn.info.server_version >= 150000:
                statement += sql.SQL(" STRATEGY FILE_COPY")
            conn.execute(statement)
        return name

    def drop_database(self, name: str) -> None:
        """DROP DATABASE ... WITH (FORCE): other sessions on it are terminated first."""
        from psycopg import sql

        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = _run_as(self.account, list(argv), cwd=self.folder)
        if check and done.returncode != 0:
            raise RuntimeError(f"{Path(argv[0]).name} failed: {done.stdout.strip()}")
        return done

    def _log_tail(self, lines: int = 10) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _run_as(
    account: pwd.struct_passwd, argv: list[str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a server program as the account (stdout and stderr together, never a terminal)."""
    as_other = account.pw_uid != os.geteuid()
    try:
        return subprocess.run(
            argv,
            cwd=cwd if cwd is not None and cwd.is_dir() else "/",
            env={**os.environ, "LC_ALL": "C", "PGTZ": "UTC"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT * 2,
            check=False,
            user=account.pw_uid if as_other else None,
            group=account.pw_gid if as_other else None,
            extra_groups=[] if as_other else None,
        )
    except subprocess.TimeoutExpired as exc:
        return subprocess.CompletedProcess(argv, 124, f"timed out after {exc.timeout} s", None)


def _shared_temp_dir() -> str:
    """The temporary folder, if the server's user can get through it; else /tmp."""
    base = Path(tempfile.gettempdir()).resolve()
    if all(os.stat(folder).st_mode & 0o001 for folder in (base, *base.parents)):
        return str(base)
    return "/tmp"


def _postmaster_pid(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def is_running(pid: int) -> bool:
    """Running and not a zombie (a container's pid 1 may never reap the daemonised server)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def _stop_cluster(folder: Path, pg_ctl: str, account: pwd.struct_passwd, mode: str) -> None:
    """pg_ctl stop, then SIGKILL the postmaster and its backends if they are still there;
    remove the folder."""
    data_dir = folder / "data"
    pid = _postmaster_pid(data_dir)
    if pid is not None and is_running(pid):
        stop = [pg_ctl, "stop", "--pgdata", str(data_dir), "--mode", mode, "--wait"]
        _run_as(account, [*stop, "--timeout", "30"], cwd=folder)
        if is_running(pid) and _owned_by(pid, account.pw_uid):
            for doomed in (pid, *_children(pid)):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(doomed, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while is_running(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
    shutil.rmtree(folder, ignore_errors=True)


def _owned_by(pid: int, uid: int) -> bool:
    try:
        return os.stat(f"/proc/{pid}").st_uid == uid
    except OSError:
        return False


def _start_watchdog(
    folder: Path, pg_ctl: str, account: pwd.struct_passwd
) -> subprocess.Popen[bytes]:
    """A process that stops the server once our end of its stdin closes: at `stop()`, or when
    this process dies in any way (SIGKILL included) and atexit never runs. Isolated (-I), so
    this file's folder does not shadow the standard library."""
    return subprocess.Popen(
        [sys.executable, "-I", __file__, "--watch", str(folder), pg_ctl, account.pw_name],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl+C reaches the owner, not its cleaner
    )


def _watch(folder: str, pg_ctl: str, user: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while sys.stdin.buffer.read(4096):
        pass
    if Path(folder).exists():
        _stop_cluster(Path(folder), pg_ctl, pwd.getpwnam(user), mode="immediate")


if __name__ == "__main__" and sys.argv[1:2] == ["--watch"]:
    _watch(*sys.argv[2:5])
