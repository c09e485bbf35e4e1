"""Which stylesheet is read when: the sign-in screen's before the first paint, the rest of the
desk's when the first screen or dialog that needs them opens.

Parsing every rule of every screen before the sign-in screen could be drawn delayed it; a
screen's CSS_PATH is read by Textual when the screen is first shown, in the order given, after
app.tcss, so each rule keeps its place in the cascade.
"""

from __future__ import annotations

from pathlib import Path, PurePath

_HERE = Path(__file__).parent

# The App's: the sign-in screen and what every screen shares.
SIGN_IN_CSS: list[str | PurePath] = [_HERE / "app.tcss"]
# Every other screen's and dialog's. Absolute: Textual resolves a relative CSS_PATH against
# the file of each subclass, and the screens live in several folders.
DESK_CSS: list[str | PurePath] = [
    _HERE / "desk.tcss",
    _HERE / "changes.tcss",
    _HERE / "reports.tcss",
]
