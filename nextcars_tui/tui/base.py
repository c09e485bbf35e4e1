"""What every desk screen shares: the role it needs, threaded service calls, live reload."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.screen import ModalScreen, Screen

from nextcars_tui.domain.errors import DeskError
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.services.desk import Desk
from nextcars_tui.tui.messages import DataChanged

if TYPE_CHECKING:
    from nextcars_tui.tui.app import NextCarsApp

T = TypeVar("T")


class ServiceCalls:
    """Mixin: run a service function in a thread worker and hand the result back on the
    event loop; a DeskError becomes a notification, never a traceback."""

    app: NextCarsApp

    @property
    def desk(self) -> Desk:
        return self.app.desk

    @property
    def actor(self) -> Actor:
        actor = self.app.actor
        if actor is None:
            raise RuntimeError("no one is signed in")
        return actor

    def call_service(
        self,
        function: Callable[..., T],
        *args: Any,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[DeskError], None] | None = None,
        group: str = "service",
        exclusive: bool = True,
    ) -> None:
        self._service_worker(function, args, on_done, on_error, group, exclusive)

    def _service_worker(
        self,
        function: Callable[..., Any],
        args: tuple[Any, ...],
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[DeskError], None] | None,
        group: str,
        exclusive: bool,
    ) -> None:
        def job() -> None:
            try:
                result = function(*args)
            except DeskError as error:
                handler = on_error or self.app.show_error
                self.app.call_from_thread(handler, error)
                return
            if on_done is not None:
                self.app.call_from_thread(on_done, result)

        self.run_worker(job, thread=True, exclusive=exclusive, group=group)  # type: ignore[attr-defined]


class DeskScreen(Screen[None], ServiceCalls):
    """A full screen of the desk. REQUIRED is checked by the app before it is shown, and
    again by every service the screen calls."""

    REQUIRED: ClassVar[Permission | None] = Permission.VIEW_DESK
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
    app: NextCarsApp
    BINDINGS: ClassVar = [("escape", "dismiss_dialog", "Back")]

    def action_dismiss_dialog(self) -> None:
        self.dismiss(None)
