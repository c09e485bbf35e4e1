"""Help: the keys of the desk, listed for the signed-in role."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from nextcars_tui.tui import navigation
from nextcars_tui.tui.stylesheets import DESK_CSS

if TYPE_CHECKING:
    from nextcars_tui.tui.app import NextCarsApp

_COMMON = """
| Key | Does |
|---|---|
| F1 | this help |
| F2 | your home screen |
| Ctrl+P | command palette: go anywhere, find bookings, customers, cars, drivers |
| Ctrl+T | change your password |
| Ctrl+O | sign out |
| Esc | back / close a dialog without saving |
| Ctrl+Q | quit |
"""


class HelpScreen(ModalScreen[None]):
    REQUIRED: ClassVar[None] = None
    # Help opens from the sign-in screen too, before any desk screen has brought these.
    CSS_PATH: ClassVar = DESK_CSS
    BINDINGS: ClassVar = [("escape,f1,q", "dismiss", "Close")]
    app: NextCarsApp

    def compose(self) -> ComposeResult:
        places = navigation.destinations_for(self.app.actor)
        rows = "\n".join(f"| {d.key.upper()} | {d.label} |" for d in places if d.key)
        text = "# NextCars desk — keys\n" + _COMMON
        if rows:
            text += "\n## Screens you can open\n\n| Key | Screen |\n|---|---|\n" + rows
        text += (
            "\n\nThe idle lock signs you out after "
            f"{self.app.settings.sign_in.idle_lock_minutes} minutes without a key press."
        )
        with VerticalScroll(id="help-box"):
            yield Markdown(text)
