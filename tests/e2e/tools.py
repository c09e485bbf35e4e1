"""The real programs the end-to-end tests drive, installed with apt when missing (CI is root)."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# program -> Debian package that ships it
PACKAGES = {
    "tmux": "tmux",
    "sshd": "openssh-server",
    "ssh": "openssh-client",
    "ssh-keygen": "openssh-client",
}
SEARCH_PATH = os.pathsep.join(
    [os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin"]
)
APT_TIMEOUT = 600
LOCK_FILE = Path("/tmp/nextcars-e2e-apt.lock")
POLICY_RC = Path("/usr/sbin/policy-rc.d")


@dataclass(frozen=True)
class Tools:
    """Absolute paths of the programs, or why they could not be had."""

    paths: dict[str, str]
    missing_reason: str | None
    installed: tuple[str, ...] = ()  # packages this run installed with apt-get

    def path(self, program: str) -> str:
        return self.paths[program]


def find(program: str) -> str | None:
    return shutil.which(program, path=SEARCH_PATH)


def ensure_tools(programs: tuple[str, ...] = tuple(PACKAGES)) -> Tools:
    """Find the programs; install the missing ones with apt-get when running as root."""
    with _apt_lock():
        missing = [p for p in programs if find(p) is None]
        packages = sorted({PACKAGES[p] for p in missing})
        note = _install(packages) if packages else None
    paths = {p: found for p in programs if (found := find(p)) is not None}
    still_missing = [p for p in programs if p not in paths]
    if still_missing:
        reason = f"{', '.join(still_missing)} not installed and could not be installed"
        return Tools(paths, f"{reason}: {note}" if note else reason)
    return Tools(paths, None, tuple(packages) if note is None else ())


def install_if(packages: list[str], still_missing: Callable[[], bool]) -> str | None:
    """apt-get install the packages when `still_missing()` says so under the installer lock (the
    pytest-xdist workers race for it); returns why it failed, or None."""
    with _apt_lock():
        return _install(packages) if still_missing() else None


def _install(packages: list[str]) -> str | None:
    """apt-get install; returns why it failed, or None."""
    if os.geteuid() != 0:
        return f"not root, so apt-get install {' '.join(packages)} is not possible"
    apt = find("apt-get")
    if apt is None:
        return "no apt-get on this machine"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [apt, "install", "-y", "-q", "--no-install-recommends", *packages]
    with _no_service_starts():
        done = _run(install, env)
        if done.returncode != 0:
            # Stale or missing package lists: refresh once and try again.
            _run([apt, "update", "-q"], env)
            done = _run(install, env)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or ["no output"]
        return f"apt-get install {' '.join(packages)} failed: {tail[0]}"
    return None


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            argv,
            env=env,
            capture_output=True,
            text=True,
            timeout=APT_TIMEOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(argv, 124, "", f"timed out after {APT_TIMEOUT} s")


@contextmanager
def _no_service_starts() -> Iterator[None]:
    """Debian's documented switch (policy-rc.d exit 101) so installing openssh-server does not
    start a system sshd on port 22; only ever adds and removes our own file."""
    if POLICY_RC.exists():
        yield
        return
    POLICY_RC.write_text("#!/bin/sh\n# nextcars e2e tests: no daemons during install\nexit 101\n")
    POLICY_RC.chmod(0o755)
    try:
        yield
    finally:
        POLICY_RC.unlink(missing_ok=True)


@contextmanager
def _apt_lock() -> Iterator[None]:
    """One installer at a time across pytest-xdist workers."""
    try:
        handle = LOCK_FILE.open("a")
    except OSError:
        yield  # someone else's lock file we cannot open: we cannot install anyway
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
