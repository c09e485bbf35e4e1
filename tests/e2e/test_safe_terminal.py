"""What a driver's real terminal receives from stored text: the desk in a tmux pane, every byte
it writes recorded (tmux pipe-pane), with job-sheet notes and customer names planted by raw SQL
that would set the window title, write the clipboard (OSC 52) and clear the screen. None of it
runs: the bytes hold no such sequence, the pane's title and tmux's paste buffers stay as they
were, and the driver reads the notes with the escapes shown as ␛."""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest

from tests.e2e.desk_keys import sign_in
from tests.e2e.terminal import Tmux, clean_environment, exiting, wait_for
from tests.poison import CLEAR, CLIPBOARD, NAME, NOTES, TITLE

pytestmark = pytest.mark.e2e

SHOWN_NOTE = "Gate 4␛]0;PWNED"


def plant_for_driver(database: Path, code: str) -> None:
    """The poisoned notes on every job of the driver, the poisoned name on their customers."""
    with closing(sqlite3.connect(database)) as connection, connection:
        driver = "(SELECT id FROM driver WHERE code = ?)"
        connection.execute(
            f"UPDATE booking SET notes = ? WHERE driver_id = {driver}", (NOTES, code)
        )
        connection.execute(
            "UPDATE customer SET name = ? WHERE id IN "
            f"(SELECT customer_id FROM booking WHERE driver_id = {driver})",
            (NAME, code),
        )


def test_a_drivers_terminal_never_receives_a_stored_escape_sequence(
    tmux: Tmux, nextcars_bin: Path, demo_desk: Path, tmp_path: Path
) -> None:
    plant_for_driver(demo_desk.parent / "data" / "nextcars.db", "DRV-01")
    pane = tmux.open(
        "driver",
        exiting([str(nextcars_bin), "--config", str(demo_desk)]),
        cwd=tmp_path,
        env=clean_environment(),
    )
    # Let an application set the clipboard, so that an OSC 52 that got through would show. Set
    # once the session holds the server up: a server started for this alone exits at once, empty.
    tmux.command("set-option", "-g", "set-clipboard", "on")
    recorded = tmp_path / "terminal-bytes"
    tmux.command("pipe-pane", "-o", "-t", pane.name, f"cat >> {recorded}")
    title_before = tmux.command("display-message", "-p", "-t", pane.name, "#{pane_title}").stdout

    home = sign_in(pane, "driver1", "driver1-demo")
    home = wait_for(pane, SHOWN_NOTE, 15)
    assert "Notes: " + SHOWN_NOTE in home
    pane.keys("Enter")  # the first job, in full
    job = wait_for(pane, "Esc closes.", 15)
    assert SHOWN_NOTE in job and "␛]52;c;cHduZWQ=" in job
    assert "Ann␛]0;PWNED" in job  # the customer's name, escapes shown, never run
    pane.keys("Escape")
    time.sleep(1)  # the last frames reach the recording
    pane.keys("C-q")
    assert pane.wait_exit(30) == 0  # ended: every byte it wrote is recorded

    sent = recorded.read_bytes()
    assert len(sent) > 1000, "nothing was recorded"
    for planted in (TITLE, CLIPBOARD, "\x9b", "\u202e"):
        assert planted.encode() not in sent, f"{planted!r} reached the terminal"
    # No command to set a title or the clipboard at all (the desk's own OSC 22, the mouse
    # pointer's shape, aside), and the planted ones arrive as text, their ESC drawn as ␛.
    assert re.search(rb"\x1b\](0|1|2|52);", sent) is None
    assert "␛]52;c;cHduZWQ=".encode() in sent
    # The planted clear-screen arrives as text too (the desk's own clearing aside).
    assert f"␛{CLEAR[1:]}".encode() in sent
    title_after = tmux.command("display-message", "-p", "-t", pane.name, "#{pane_title}").stdout
    assert "PWNED" not in title_after and title_after == title_before
    buffers = tmux.command("list-buffers", check=False).stdout
    assert "pwned" not in buffers.lower() and "cHduZWQ" not in buffers
