"""A real, throw-away PostgreSQL server for the tests: `initdb` in a temporary folder, `pg_ctl`
on a free port on 127.0.0.1, run as an unprivileged user, stopped by its pid.

Only the standard library is imported at module level (psycopg when a database is touched), so
processes the tests spawn can import it; run as a script, it is the watchdog that stops a server
whose test run died without cleaning up (see `_watch`).
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
from pathlib import Path
from typing import Any

PROGRAMS = ("initdb", "pg_ctl", "postgres")
DEBIAN_PACKAGE = "postgresql"  # pulls in the newest postgresql-N, contrib (btree_gist) included
VERSIONED_BIN_DIRS = "/usr/lib/postgresql/*/bin"
# postgres refuses to run as root: the Debian package's user, else one we create.
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
    """The server programs are missing and cannot be installed here."""


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
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    for name in SERVER_USERS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    name = SERVER_USERS[-1]
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
    """One PostgreSQL cluster in a temporary folder; `start()`, use `url()`, then `stop()`."""

    def __init__(self, programs: dict[str, str] | None = None) -> None:
        self.programs = programs if programs is not None else ensure_programs()
        self.account = server_account()
        self.user = self.account.pw_name  # the cluster's superuser has the OS user's name
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
        settings = {**SETTINGS, "unix_socket_directories": f"'{self.folder}'"}
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# nextcars test server\n")
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
    this process dies in any way (SIGKILL included) and atexit never runs."""
    return subprocess.Popen(
        [sys.executable, __file__, "--watch", str(folder), pg_ctl, account.pw_name],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl+C reaches the test run, not its cleaner
    )


def _watch(folder: str, pg_ctl: str, user: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while sys.stdin.buffer.read(4096):
        pass
    if Path(folder).exists():
        _stop_cluster(Path(folder), pg_ctl, pwd.getpwnam(user), mode="immediate")


if __name__ == "__main__" and sys.argv[1:2] == ["--watch"]:
    _watch(*sys.argv[2:5])
