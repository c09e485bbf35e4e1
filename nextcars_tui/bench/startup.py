"""Start-up benchmark: launch to a usable sign-in screen, beside a minimal Textual app.

Both programs run as real processes in a pseudo-terminal of 80×24; the clock stops when the
screen text a person would wait for has been written to the terminal.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

MINIMAL_APP = textwrap.dedent(
    """
    from textual.app import App
    from textual.widgets import Button, Input


    class Minimal(App):
        def compose(self):
            yield Input(placeholder="username")
            yield Input(placeholder="password", password=True)
            yield Button("Sign in")


    Minimal().run()
    """
)


@dataclass(frozen=True)
class StartupFigures:
    desk_ms: float
    minimal_ms: float

    @property
    def ratio(self) -> float:
        return self.desk_ms / self.minimal_ms


def time_until(
    argv: list[str], marker: bytes, *, env: dict[str, str], timeout: float = 30
) -> float:
    """Seconds from spawning argv in an 80×24 pty until marker appears in its output."""
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child: become the program
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.execvpe(argv[0], argv, env)
    seen = b""
    try:
        deadline = started + timeout
        while marker not in seen:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{argv} never showed {marker!r}")
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
        return time.perf_counter() - started
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def measure_startup(config: Path, runs: int = 5) -> StartupFigures:
    """Median of `runs` alternating launches of the desk and the minimal app."""
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    env.pop("TEXTUAL", None)
    # Launches after the first, as a desk is used: Python keeps the bytecode it compiles (pip
    # compiled Textual's when it installed it, not an editable checkout's), and one untimed
    # launch of each program warms the file cache for both alike.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as folder:
        minimal = Path(folder) / "minimal.py"
        minimal.write_text(MINIMAL_APP, encoding="utf-8")
        desk_argv = [sys.executable, "-m", "nextcars_tui", "--config", str(config)]
        minimal_argv = [sys.executable, str(minimal)]
        time_until(desk_argv, b"Sign in", env=env)
        time_until(minimal_argv, b"Sign in", env=env)
        desk: list[float] = []
        bare: list[float] = []
        for _ in range(runs):
            desk.append(time_until(desk_argv, b"Sign in", env=env))
            bare.append(time_until(minimal_argv, b"Sign in", env=env))
    return StartupFigures(
        desk_ms=statistics.median(desk) * 1000, minimal_ms=statistics.median(bare) * 1000
    )
