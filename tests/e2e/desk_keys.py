"""Working the desk in a tmux pane the way a person does: read the screen, then press keys."""

from __future__ import annotations

import re
import time

from tests.e2e.terminal import Pane, wait_for

# Shown on the sign-in screen once the database is open (every e2e desk holds the demo).
SIGN_IN_READY = "Demo sign-ins"
# Textual posts Input.Submitted and moves focus a moment later: keys typed in between would
# still land in the username field, so leave the pause a person leaves.
FIELD_PAUSE = 0.5


def sign_in(pane: Pane, username: str, password: str, timeout: float = 30.0) -> str:
    """Sign in on the sign-in screen; return the first screen of the user's home."""
    wait_for(pane, SIGN_IN_READY, timeout)
    pane.type(username)
    # The compact username field, alone on its line inside the sign-in box (not a row of
    # the demo sign-ins table that a first `nextcars` prints before the desk opens).
    wait_for(pane, re.compile(rf"^\s*│\s+{re.escape(username)}\s+│\s*$", re.MULTILINE), 5)
    pane.keys("Enter")
    time.sleep(FIELD_PAUSE)
    pane.type(password)
    pane.keys("Enter")
    # The header names the signed-in user and role after the screen's title, which the home
    # screen may change as it loads: "NextCars — staff · staff · Tue 24 Nov", then
    # "Run sheet Tue 24 Nov — staff · staff · Tue 24 Nov".
    return wait_for(pane, re.compile(rf" — {re.escape(username)} · "), timeout)


def _one_row(screen: str, marker: re.Pattern[str], needle: str) -> bool:
    """True when exactly one list row matches marker, and it is the row for needle."""
    rows = [line for line in screen.splitlines() if marker.search(line)]
    return len(rows) == 1 and needle in rows[0]


CUSTOMER_ROW = re.compile(r"@\S+ · ")  # "Alice Morgan  alice.morgan@example.com · +44 …"
RESOURCE_ROW = re.compile(r"/day|busy BK-")  # "BD70 KLM Mercedes… £260.00/day" or "busy BK-…"


def click(pane: Pane, x: int, y: int) -> None:
    """A left click at column x, row y (1-based), as the terminal reports it (SGR mouse)."""
    pane.type(f"\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m")


def _choose(pane: Pane, key: str, screen: str, timeout: float) -> None:
    """On a car or driver step: filter the list down to key, then pick it.

    The filter field is clicked rather than reached with shift+Tab: through tmux an escape
    sequence key was now and then lost by the app, and a click lands every time."""
    row = next(n for n, line in enumerate(screen.splitlines(), 1) if "filter: " in line)
    click(pane, 4, row)
    time.sleep(FIELD_PAUSE)
    pane.type(key)
    pane.wait_until(lambda s: _one_row(s, RESOURCE_ROW, key), timeout, f"only {key} listed")
    pane.keys("Enter")  # Enter on the only match takes it


def _retype(pane: Pane, text: str) -> None:
    """Replace a field's text: to the end, delete everything left of the cursor, type.

    Control keys, not End: an escape-sequence key followed at once by more keys was now and
    then lost; and a pause after them, as the app may act on a binding after later keys."""
    pane.keys("C-e", "C-u")
    time.sleep(FIELD_PAUSE)
    pane.type(text)


def wizard_to_review(
    pane: Pane,
    *,
    customer_email: str,
    customer_name: str,
    start: str | None,
    days: int,
    plate: str,
    driver_code: str,
    timeout: float = 15.0,
) -> str:
    """Open the booking wizard (ctrl+n) and fill every step by keys; stop at the review."""
    pane.keys("C-n")
    wait_for(pane, "Who is it for?", timeout)
    pane.type(customer_email)
    # Results arrive from a worker: wait for the filtered list before choosing.
    pane.wait_until(lambda s: _one_row(s, CUSTOMER_ROW, customer_name), timeout, "one customer")
    pane.keys("Enter")
    wait_for(pane, "When?", timeout)
    if start is not None:
        _retype(pane, start)
        wait_for(pane, re.compile(rf"Start\s+▊\s+{re.escape(start)}\s"), timeout)
    pane.keys("Tab")
    time.sleep(FIELD_PAUSE)
    _retype(pane, str(days))
    # The step spells out what it understood: "… → last day Thu 26 Nov 2026 · 3 days".
    wait_for(pane, f"· {days} day{'s' if days != 1 else ''}", timeout)
    pane.keys("Enter")
    screen = wait_for(pane, re.compile(r"\d+ of \d+ cars free"), timeout)
    _choose(pane, plate, screen, timeout)
    screen = wait_for(pane, re.compile(r"\d+ of \d+ drivers free"), timeout)
    _choose(pane, driver_code, screen, timeout)
    return wait_for(pane, "Confirm booking", timeout)


def flat(screen: str) -> str:
    """The screen as one line of words: toasts and panels wrap text anywhere."""
    return " ".join(screen.replace("▌", " ").replace("│", " ").split())
