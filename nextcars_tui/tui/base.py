"""What every desk screen shares: the role it needs, threaded service calls, live reload."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.message import Message
from textual.screen import ModalScreen, Screen

from nextcars_tui.domain.errors import AccountDisabled, DeskError
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.services.desk import Desk
from nextcars_tui.tui.messages import DataChanged, ServiceFailed
from nextcars_tui.tui.stylesheets import DESK_CSS

if TYPE_CHECKING:
    from textual.worker import Worker

    from nextcars_tui.tui.app import NextCarsApp

T = TypeVar("T")

log = logging.getLogger(__name__)

UNEXPECTED = (
    "Something unexpected went wrong ({kind}); nothing was saved. "
    "The desk carries on: try again, or tell the office if it keeps happening."
)


class ServiceCalls:
    """Mixin: run a service function in a thread worker that posts its answer back as a
    typed message. A DeskError (or anything unexpected) arrives as ServiceFailed, shown as
    a notification unless the screen's `service_failed` says otherwise: never a traceback,
    never the end of the desk. A user whose account was disabled is refused every call and
    signed out."""

    app: NextCarsApp

    @property
    def desk(self) -> Desk:
        return self.app.desk

    @property
    def actor(self) -> Actor:
        """Who this screen works for: the signed-in user, or, while the terminal is locked,
        the user whose screens these are (an answer may still arrive for them)."""
        actor = self.app.actor or self.app.screens_owner
        if actor is None:
            raise RuntimeError("no one is signed in")
        return actor

    def call_service(
        self,
        function: Callable[..., T],
        *args: Any,
        reply: Callable[[T], Message] | None = None,
        group: str = "service",
        exclusive: bool = True,
    ) -> Worker[None]:
        """Run function(*args) off the event loop; post reply(result) to this screen.

        An answer for a screen that has closed in the meantime is dropped, since messages
        are never delivered to a closed screen."""
        post = self.post_message  # type: ignore[attr-defined]
        desk, actor = self.desk, self.app.actor or self.app.screens_owner

        def job() -> None:
            from nextcars_tui.services.accounts import require_enabled

            try:
                if actor is not None:
                    # Whatever a disabled user asks for next is refused, and signs them out.
                    require_enabled(desk, actor)
                result = function(*args)
            except DeskError as error:
                post(ServiceFailed(group, error))
                return
            except Exception as error:
                # The desk must outlive any one call: log the traceback, say it in words.
                log.exception("service call %s failed", getattr(function, "__name__", function))
                kind = type(error).__name__
                post(ServiceFailed(group, DeskError(UNEXPECTED.format(kind=kind))))
                return
            if reply is not None:
                post(reply(result))

        worker: Worker[None] = self.run_worker(  # type: ignore[attr-defined]
            job, thread=True, exclusive=exclusive, group=group, exit_on_error=False
        )
        return worker

    def service_failed(self, group: str, error: DeskError) -> None:
        """A call of this screen failed; screens that show errors in place override this."""
        self.app.show_error(error)

    def on_service_failed(self, message: ServiceFailed) -> None:
        message.stop()
        if isinstance(message.error, AccountDisabled):
            self.app.account_closed(message.error.message)
            return
        self.service_failed(message.group, message.error)


class DeskScreen(Screen[None], ServiceCalls):
    """A full screen of the desk. What it needs is checked by the app before it is shown
    (navigation's permission for a destination, else REQUIRED), and again by every service
    the screen calls."""

    REQUIRED: ClassVar[Permission | None] = Permission.VIEW_DESK
    CSS_PATH: ClassVar = DESK_CSS
    app: NextCarsApp

    def reload(self) -> None:
        """Fetch this screen's data again; screens with data override it."""

    def on_mount(self) -> None:
        self.reload()

    def on_data_changed(self, _message: DataChanged) -> None:
        self.reload()


class DeskDialog(ModalScreen[T], ServiceCalls):
    """A modal dialog of the desk; Escape always backs out without writing."""

    REQUIRED: ClassVar[Permission | None] = Permission.VIEW_DESK
    CSS_PATH: ClassVar = DESK_CSS
    app: NextCarsApp
    BINDINGS: ClassVar = [("escape", "dismiss_dialog", "Back")]

    def action_dismiss_dialog(self) -> None:
        self.dismiss(None)
