"""Sign-in: username and masked password, verified off the event loop."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from nextcars_tui.domain.errors import DeskError
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from nextcars_tui.domain.roles import Actor
    from nextcars_tui.tui.app import NextCarsApp


class SignInScreen(Screen[None]):
    """The only screen reachable without signing in."""

    REQUIRED: ClassVar[None] = None
    app: NextCarsApp
    AUTO_FOCUS = "#username"
    # A priority binding runs inside the App's own key handling, so focus has moved before
    # the next key is forwarded: "name⏎password⏎" or "name⇥password⏎" typed ahead (by a
    # password manager, or bursting over SSH) lands in the right fields. A Submitted
    # handler, or Tab's ordinary screen binding, would run only after those keys were
    # queued on the username field.
    BINDINGS: ClassVar = [
        Binding("enter", "enter", show=False, priority=True),
        Binding("tab", "tab", show=False, priority=True),
    ]

    class Verified(Message):
        """The password was right: who signed in, and the theme they chose last time."""

        def __init__(self, actor: Actor, theme: str | None) -> None:
            super().__init__()
            self.actor = actor
            self.theme = theme

    class Refused(Message):
        """The sign-in was refused; `text` says why (the same for a wrong password and an
        unknown user, until tries run short)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, locked_by: str | None = None) -> None:
        super().__init__()
        self.locked_by = locked_by
        # Enter came while the database was still opening (a password manager fills the
        # screen the moment it shows): sign in as soon as it is open, not on a second Enter.
        self._submit_when_ready = False

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        with Center(), Vertical(id="sign-in-box"):
            yield Static("NextCars rental desk", id="sign-in-title")
            if self.locked_by is not None:
                yield Static(
                    f"Locked. {self.locked_by}'s screens are kept for {self.locked_by}; "
                    "anyone else who signs in starts afresh.",
                    id="sign-in-locked",
                )
            yield Input(placeholder="username", id="username", compact=True)
            yield Input(placeholder="password", password=True, id="password", compact=True)
            yield Button("Sign in", variant="primary", id="sign-in", compact=True)
            yield Label("", id="sign-in-message")
            yield Static("", id="demo-sign-ins")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.app.desk_ready:
            self.desk_ready()
        else:
            self._message("Opening the database…")

    def desk_ready(self) -> None:
        self._message("")
        if self._submit_when_ready:
            self._submit_when_ready = False
            self._submit()
        sign_ins = self.app.demo_sign_ins
        demo = self.query_one("#demo-sign-ins", Static)
        demo.display = bool(sign_ins)
        if sign_ins:
            lines = "  ".join(f"{user}/{password}" for user, _role, password in sign_ins)
            demo.update(f"Demo sign-ins: {lines}")

    def desk_failed(self, message: str) -> None:
        self._submit_when_ready = False
        self.query_one("#sign-in", Button).disabled = True
        self._message(f"{message} Press Ctrl+Q to quit.")

    def _message(self, text: str) -> None:
        # Escaped: a refusal may quote what was typed, square brackets and all.
        self.query_one("#sign-in-message", Label).update(escape(text))

    def action_enter(self) -> None:
        if self.focused is not self.query_one("#username", Input):
            # Let Enter queue behind the characters the focused field has yet to handle.
            raise SkipAction()
        # set_focus acts now; Widget.focus() would defer the move behind queued keys.
        self.set_focus(self.query_one("#password", Input))

    def action_tab(self) -> None:
        """Tab moves on at once (see BINDINGS), from any field."""
        self.focus_next()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#sign-in")
    def _submit(self) -> None:
        username = self.query_one("#username", Input).value
        password = self.query_one("#password", Input).value
        if not username.strip() or not password:
            self._message("Enter your username and password.")
            return
        if not self.app.desk_ready:
            self._submit_when_ready = True
            self._message("Opening the database… you are signed in as soon as it is open.")
            return
        self.query_one("#sign-in", Button).disabled = True
        self._message("Checking…")
        self._verify(username, password)

    @work(thread=True, exclusive=True, group="sign-in", exit_on_error=False)
    def _verify(self, username: str, password: str) -> None:
        # argon2 takes ~0.1 s by design: never on the event loop.
        from nextcars_tui.services.auth import sign_in
        from nextcars_tui.services.preferences import load_theme

        try:
            actor = sign_in(self.app.desk, username, password)
            theme = load_theme(self.app.desk, actor)
        except DeskError as error:
            self.post_message(self.Refused(error.message))
            return
        except Exception as error:
            self.post_message(
                self.Refused(f"Signing in failed unexpectedly ({type(error).__name__}).")
            )
            raise
        self.post_message(self.Verified(actor, theme))

    @on(Refused)
    def _failed(self, refused: Refused) -> None:
        message = refused.text
        self.query_one("#sign-in", Button).disabled = False
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()
        self._message(message)

    @on(Verified)
    def _succeeded(self, verified: Verified) -> None:
        self.query_one("#sign-in", Button).disabled = False
        self.query_one("#password", Input).value = ""
        self.app.signed_in(verified.actor, verified.theme)
