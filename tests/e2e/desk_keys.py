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
    wait_for(pane, re.compile(rf"▊\s+{re.escape(username)}\s+▎"), 5)
    pane.keys("Enter")
    time.sleep(FIELD_PAUSE)
    pane.type(password)
    pane.keys("Enter")
    # The header names the signed-in user and role: "NextCars — staff · staff · Tue 24 Nov".
    return wait_for(pane, re.compile(rf"NextCars — {re.escape(username)} · "), timeout)
