"""The NextCars desk application: sign-in, role homes, navigation, idle lock, live refresh."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.filter import LineFilter
from textual.screen import Screen

from nextcars_tui.config import Settings
from nextcars_tui.domain.errors import AccountDisabled, DeskError
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.tui import navigation
from nextcars_tui.tui.commands import DeskCommands
from nextcars_tui.tui.inert_output import INERT_TEXT
from nextcars_tui.tui.messages import (
    AccountClosed,
    DataChanged,
    DataMoved,
    DeskOpened,
    DeskOpenFailed,
)
from nextcars_tui.tui.screens.sign_in import SignInScreen
from nextcars_tui.tui.stylesheets import SIGN_IN_CSS

if TYPE_CHECKING:
    from nextcars_tui.clock import Clock
    from nextcars_tui.services.desk import Desk
    from nextcars_tui.services.lifecycle import LifecycleResult
    from nextcars_tui.services.live import ChangeWatcher
    from nextcars_tui.worker import LifecycleWorker

IDLE_CHECK_SECONDS = 5.0


class NextCarsApp(App[None]):
    """Thin shell: owns who is signed in and which screen shows; screens own their data."""

    # The rest of the desk's stylesheet comes with its screens (tui/stylesheets.py).
    CSS_PATH: ClassVar = SIGN_IN_CSS
    TITLE = "NextCars"
    COMMANDS = App.COMMANDS | {DeskCommands}
    ENABLE_COMMAND_PALETTE = True
    # The footer leaves room for each screen's own keys: of the keys that work everywhere
    # it shows only F1, whose help lists them all (the home screens show Ctrl+N, Ctrl+O).
    BINDINGS: ClassVar = [
        Binding("f1", "help", "Help"),
        Binding("f2", "home", "Home", show=False),
        *[
            Binding(d.key, f"go('{d.name}')", d.label, show=False)
            for d in navigation.DESTINATIONS
            if d.key and d.key != "f2"
        ],
        Binding("ctrl+o", "sign_out", "Sign out", show=False),
        Binding("ctrl+t", "change_password", "Password", show=False),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        desk: Desk | None = None,
        clock: Clock | None = None,
        run_worker_thread: bool = True,
        live_interval: float | None = 1.0,
        idle_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.settings = settings
        self._desk = desk
        self._clock = clock
        self._run_worker_thread = run_worker_thread
        self._live_interval = live_interval
        self._idle_clock = idle_clock
        self._last_input = idle_clock()
        self._worker: LifecycleWorker | None = None
        self._watcher: ChangeWatcher | None = None
        self.actor: Actor | None = None
        # Whose screens are on the stack; while the terminal is locked, `actor` is None (so
        # every key, palette entry and screen is refused) but the screens stay, for them.
        self.screens_owner: Actor | None = None
        self.demo_sign_ins: list[tuple[str, str, str]] = []

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then stored text made inert on its way to the terminal."""
        return [*super().get_line_filters(), INERT_TEXT]

    # -- start-up -------------------------------------------------------------------

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            raise DeskError("The database is still opening; try again in a moment.")
        return self._desk

    @property
    def desk_ready(self) -> bool:
        return self._desk is not None

    def on_mount(self) -> None:
        self.push_screen(SignInScreen())
        self.set_interval(IDLE_CHECK_SECONDS, self._check_idle)
        # After the first paint: the opening thread imports the data layer, and sharing the
        # interpreter with it would delay the sign-in screen by as much as that import takes.
        self.call_after_refresh(self._open_desk)

    @work(thread=True, exclusive=True, group="open-desk", exit_on_error=False)
    def _open_desk(self) -> None:
        """Import the data layer and open the database off the event loop."""
        from nextcars_tui.clock import system_clock
        from nextcars_tui.services.demo import demo_sign_ins
        from nextcars_tui.services.desk import open_desk
        from nextcars_tui.services.live import ChangeWatcher

        try:
            desk = self._desk
            if desk is None:
                desk = open_desk(self.settings, create=True, clock=self._clock or system_clock)
            sign_ins = demo_sign_ins(desk)
            watcher = ChangeWatcher(desk) if self._live_interval else None
        except DeskError as error:
            self.post_message(DeskOpenFailed(error))
            return
        except Exception as error:
            # The kind only: an unexpected error's text may quote what it was given.
            kind = type(error).__name__
            self.post_message(DeskOpenFailed(DeskError(f"The desk could not open ({kind}).")))
            raise
        self.post_message(DeskOpened(desk, sign_ins, watcher))

    def on_desk_open_failed(self, message: DeskOpenFailed) -> None:
        error = message.error
        self.show_error(error)
        for screen in self.screen_stack:
            if isinstance(screen, SignInScreen):
                screen.desk_failed(error.message)

    def on_desk_opened(self, message: DeskOpened) -> None:
        desk, sign_ins, watcher = message.desk, message.sign_ins, message.watcher
        self._desk = desk
        self.demo_sign_ins = sign_ins
        self._watcher = watcher
        if self._live_interval and watcher is not None:
            self.set_interval(self._live_interval, self._poll_changes)
        if self._run_worker_thread:
            self._start_lifecycle_worker(desk)
        for screen in self.screen_stack:
            if isinstance(screen, SignInScreen):
                screen.desk_ready()

    def _start_lifecycle_worker(self, desk: Desk) -> None:
        from nextcars_tui.worker import LifecycleWorker

        self._worker = LifecycleWorker(desk, on_change=self._lifecycle_changed)
        self._worker.start()

    def _lifecycle_changed(self, _result: LifecycleResult) -> None:
        # Called on the worker thread: post a message (thread-safe), never touch widgets here.
        self.post_message(DataMoved())

    def on_data_moved(self, _message: DataMoved) -> None:
        self.data_changed()
        if self.screens_owner is not None:
            # A commit from elsewhere may have closed this account: an idle desk learns it
            # within the live-refresh interval, not only at its next key.
            self._check_account(self.screens_owner)

    def on_unmount(self) -> None:
        if self._worker is not None:
            self._worker.stop()
        if self._watcher is not None:
            self._watcher.close()

    # -- live refresh ---------------------------------------------------------------

    def _poll_changes(self) -> None:
        self._poll_worker()

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _poll_worker(self) -> None:
        if self._watcher is not None and self._watcher.changed():
            self.post_message(DataMoved())

    def data_changed(self) -> None:
        """Tell the visible screen (and any below it) that the data moved."""
        if self.actor is None:
            return
        for screen in self.screen_stack:
            screen.post_message(DataChanged())

    @work(thread=True, exclusive=True, group="account", exit_on_error=False)
    def _check_account(self, actor: Actor) -> None:
        from nextcars_tui.services.accounts import require_enabled

        try:
            require_enabled(self.desk, actor)
        except AccountDisabled as closed:
            self.post_message(AccountClosed(actor, closed.message))
        except DeskError:
            pass  # the database is away: the screens' own reloads say so

    def on_account_closed(self, message: AccountClosed) -> None:
        if message.actor == self.screens_owner:
            self.account_closed(message.reason)

    # -- who is signed in -----------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self.actor is None and self.screens_owner is not None

    def signed_in(self, actor: Actor, theme: str | None = None) -> None:
        owner = self.screens_owner
        self.actor = actor
        self.screens_owner = actor
        self._last_input = self._idle_clock()
        if theme and theme in self.available_themes:
            self.theme = theme
        if owner == actor and isinstance(self.screen, SignInScreen) and len(self.screen_stack) > 2:
            # The same person unlocked the terminal: back to where they were.
            self.pop_screen()
            self._show_who()
            self.data_changed()
            return
        self._reset_to(navigation.HOME_FOR_ROLE[actor.role])

    def action_sign_out(self, reason: str | None = None) -> None:
        if self.actor is None:
            return
        self._end_session(reason)

    def account_closed(self, reason: str) -> None:
        """The account whose screens these are was disabled: back to a fresh sign-in screen,
        also from a locked terminal (its screens are kept for nobody now)."""
        if self.screens_owner is not None:
            self._end_session(reason)

    def _end_session(self, reason: str | None) -> None:
        self.actor = None
        self.screens_owner = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if not isinstance(self.screen, SignInScreen):
            self.switch_screen(SignInScreen())
        self.sub_title = ""
        if reason:
            self.notify(reason, title="Signed out")

    def lock(self, reason: str) -> None:
        """Lock the terminal without closing anything: the sign-in screen goes on top of the
        screens (and any half-filled dialog), which come back when the same user signs in
        again; another user starts afresh from their own home."""
        owner = self.actor
        if owner is None:
            return
        self.actor = None
        self.sub_title = "locked"
        self.push_screen(SignInScreen(locked_by=owner.username))
        self.notify(reason, title="Locked")

    def _reset_to(self, name: str) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(navigation.screen_class(name)())
        self._show_who()

    def _show_who(self) -> None:
        """The header's sub-title: who is signed in, as what, and the business day."""
        actor = self.actor
        if actor is not None and self._desk is not None:
            self.sub_title = f"{actor.username} · {actor.role} · {self.desk.today():%a %d %b %Y}"

    # -- navigation guarded by role -------------------------------------------------

    def action_home(self) -> None:
        if self.actor is not None:
            self._reset_to(navigation.HOME_FOR_ROLE[self.actor.role])

    def action_go(self, name: str) -> None:
        self.open_screen(name)

    def open_screen(self, name: str, *args: Any, **kwargs: Any) -> None:
        """The one way to a desk screen: refused unless the signed-in role allows it."""
        if not navigation.allowed(self.actor, name):
            self.notify("That screen is not available to you.", severity="error")
            return
        self.push_screen(navigation.screen_class(name)(*args, **kwargs))

    def push_screen(self, screen: Screen[Any] | str, *args: Any, **kwargs: Any) -> Any:
        if not self._permitted(screen):
            self.notify("That screen is not available to you.", severity="error")
            return None
        return super().push_screen(screen, *args, **kwargs)

    def switch_screen(self, screen: Screen[Any] | str) -> Any:
        if not self._permitted(screen):
            self.notify("That screen is not available to you.", severity="error")
            return None
        return super().switch_screen(screen)

    def _permitted(self, screen: Screen[Any] | str) -> bool:
        if isinstance(screen, str):
            if screen in navigation.BY_NAME:
                return navigation.allowed(self.actor, screen)
            return screen in self.SCREENS or screen == "_default"
        # A destination's permission is navigation's; other screens and dialogs say theirs.
        required = navigation.permission_of(type(screen)) or getattr(screen, "REQUIRED", None)
        if required is None:
            return True
        return self.actor is not None and self.actor.can(required)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            return navigation.allowed(self.actor, str(parameters[0]))
        if action in ("home", "sign_out"):
            return self.actor is not None
        if action == "change_password":
            return self.actor is not None and self.actor.can(Permission.CHANGE_OWN_PASSWORD)
        return True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own palette commands, less "Screenshot": it writes an SVG into the
        folder the desk was started from, which over SSH (a forced command) or in a
        read-only folder fails, and a desk should write no file it was not asked to."""
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command
        if self.check_action("change_password", ()):
            yield SystemCommand(
                "Change my password",
                "Your current password first, then the new one twice (Ctrl+T)",
                self.action_change_password,
            )

    def action_change_password(self) -> None:
        from nextcars_tui.tui.dialogs.change_password import ChangePasswordDialog

        actor = self.actor
        if actor is None or not actor.can(Permission.CHANGE_OWN_PASSWORD):
            return
        self.push_screen(ChangePasswordDialog(self.desk, actor), self._password_changed)

    def _password_changed(self, changed: bool | None) -> None:
        if changed:
            self.notify("Your password was changed; sign in with it from now on.", title="Password")

    def action_help(self) -> None:
        from nextcars_tui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    # -- errors, idle lock, theme ---------------------------------------------------

    def show_error(self, error: DeskError) -> None:
        # Not markup: a message may quote a stored name, square brackets and all.
        self.notify(error.message, title="Not done", severity="error", timeout=8, markup=False)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._last_input = self._idle_clock()
        await super().on_event(event)

    def _check_idle(self) -> None:
        if self.actor is None:
            return
        idle_seconds = self._idle_clock() - self._last_input
        if idle_seconds >= self.settings.sign_in.idle_lock_minutes * 60:
            self.lock("The terminal was idle, so it locked. Sign in again to carry on.")

    def watch_theme(self, theme: str) -> None:
        if self.actor is not None and self._desk is not None:
            self._save_theme(self.actor, theme)

    @work(thread=True, group="theme", exit_on_error=False)
    def _save_theme(self, actor: Actor, theme: str) -> None:
        """Remember the theme; if the database refuses just now, the theme stays for this
        session and the desk carries on (a failed worker here must not end the desk)."""
        from nextcars_tui.services.preferences import save_theme

        save_theme(self.desk, actor, theme)


def run_desk(settings: Settings) -> None:
    """Open the desk in this terminal until the user quits."""
    # What start-up has imported lives as long as the desk. Frozen, the collector never
    # scans it again: otherwise the first full collection falls due while the sign-in
    # screen is being laid out and delays it by a third (and every later one pauses too).
    gc.freeze()
    NextCarsApp(settings).run()
