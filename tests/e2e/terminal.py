"""Real terminals for the end-to-end tests: tmux panes on a private socket, read by polling.

Every `Tmux` has its own socket (`tmux -L`), so the tests never see or touch a person's tmux, and
`close()` ends that server and whatever still runs in its panes, by socket and by pid.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

WIDTH, HEIGHT = 80, 24
POLL_SECONDS = 0.1
# The desk inherits nothing of the machine's NextCars or tmux setup.
_DROPPED = ("TMUX", "TMUX_PANE", "NEXTCARS_CONFIG", "NEXTCARS_DB", "COLORTERM", "NO_COLOR")
_TMUX_CONFIG = """\
set -g default-terminal "tmux-256color"
set -g remain-on-exit on
set -g history-limit 2000
set -g status off
"""


EXIT_LINE = re.compile(r"\[exit status (\d+)\]")


def exiting(argv: Sequence[str]) -> list[str]:
    """argv run by a shell that prints `[exit status N]` when it ends (see Pane.wait_exit)."""
    return ["/bin/sh", "-c", '"$@"; echo "[exit status $?]"', "sh", *argv]


def clean_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED and not k.startswith("PYTEST")}
    env.update({"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TEXTUAL_ANIMATIONS": "none"})
    env.update(extra or {})
    return env


class Tmux:
    """One private tmux server; panes are sessions of WIDTH × HEIGHT."""

    def __init__(self, tmux: str, workdir: Path) -> None:
        self.tmux = tmux
        self.socket = f"nextcars-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.config = workdir / "tmux.conf"
        self.config.write_text(_TMUX_CONFIG)
        self.panes: list[Pane] = []

    def command(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.tmux, "-u", "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=15,
            check=check,
            env=clean_environment(),
        )

    def open(
        self,
        name: str,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
    ) -> Pane:
        """Start argv in a new detached session of 80×24 and return its pane."""
        settings = [f"-e{key}={value}" for key, value in (env or {}).items()]
        self.command(
            "new-session",
            "-d",
            "-x",
            str(WIDTH),
            "-y",
            str(HEIGHT),
            "-s",
            name,
            "-c",
            str(cwd),
            *settings,
            shlex.join(argv),
        )
        pid = int(self.command("display-message", "-p", "-t", name, "#{pane_pid}").stdout)
        pane = Pane(self, name, pid)
        self.panes.append(pane)
        return pane

    def close(self) -> None:
        """Kill the server by its socket, then any pane process that survived the hang-up."""
        self.command("kill-server", check=False)
        for pane in self.panes:
            _kill_if_alive(pane.pid)
        folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.geteuid()}"
        (folder / self.socket).unlink(missing_ok=True)


class Pane:
    def __init__(self, server: Tmux, name: str, pid: int) -> None:
        self.server = server
        self.name = name
        self.pid = pid

    def keys(self, *keys: str) -> None:
        """Press named keys: Enter, Tab, Escape, F5, C-n, Down …"""
        self.server.command("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        """Type text literally, as a person would."""
        self.server.command("send-keys", "-t", self.name, "-l", text)

    def screen(self) -> str:
        return self.server.command("capture-pane", "-p", "-t", self.name).stdout

    def screen_and_history(self) -> str:
        return self.server.command("capture-pane", "-p", "-S", "-", "-t", self.name).stdout

    def wait_exit(self, timeout: float) -> int:
        """Wait for the line `exiting()` prints when the program ends; return its status.

        tmux's own #{pane_dead_status} is not used: now and then tmux left the ended program a
        zombie for many seconds, and the status unknown. The history is searched too: tmux's
        own "Pane is dead" line may scroll the status line off the screen."""
        screen = self.wait_until(
            lambda s: EXIT_LINE.search(s) is not None,
            timeout,
            repr(EXIT_LINE.pattern),
            capture=self.screen_and_history,
        )
        found = EXIT_LINE.search(screen)
        assert found is not None
        return int(found.group(1))

    def wait_until(
        self,
        check: Callable[[str], bool],
        timeout: float,
        what: str,
        capture: Callable[[], str] | None = None,
    ) -> str:
        """Poll the screen until check(screen) holds; fail with the last screen at the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            screen = (capture or self.screen)()
            if check(screen):
                return screen
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"pane {self.name}: no {what} within {timeout:.0f} s; the screen shows:\n"
                    + screen
                )
            time.sleep(POLL_SECONDS)


def wait_for(pane: Pane, text: str | re.Pattern[str], timeout: float = 10.0) -> str:
    """Wait until the pane shows text (a substring, or a compiled pattern); return the screen."""
    if isinstance(text, re.Pattern):
        return pane.wait_until(lambda s: text.search(s) is not None, timeout, repr(text.pattern))
    return pane.wait_until(lambda s: text in s, timeout, repr(text))


def _kill_if_alive(pid: int) -> None:
    # A pane's process leads its own process group: end the group, children included.
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
