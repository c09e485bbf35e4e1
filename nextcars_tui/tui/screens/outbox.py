"""The outbox, for managers: what is queued, sent and failed, the server's reply to a failed
message, and r to queue a failed one again."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter
from nextcars_tui.tui.widgets.record_table import FittedTable, TableColumn

if TYPE_CHECKING:
    from nextcars_tui.services.outbox import OutboxPage, OutboxView

_COLUMNS = (
    TableColumn("id", "#"),
    TableColumn("kind", "Kind"),
    TableColumn("to", "To", shrink=12),
    TableColumn("status", "Status"),
    TableColumn("tries", "Tries", drop=2),
    TableColumn("when", "When"),
    TableColumn("subject", "Subject", shrink=10, drop=1),
)
# Colour and a word style, so a status reads without colour too.
_STYLES = {"queued": "yellow", "sent": "green", "failed": "bold red"}
_FILTERS = {"all": None, "queued": "queued", "sent": "sent", "failed": "failed"}


class OutboxScreen(DeskScreen):
    """The newest messages first; a q s f choose which, r queues a failed one again."""

    BINDINGS: ClassVar = [
        Binding("r", "retry", "Retry"),
        Binding("a", "show('all')", "All"),
        Binding("q", "show('queued')", "Queued"),
        Binding("s", "show('sent')", "Sent"),
        Binding("f", "show('failed')", "Failed"),
    ]

    class PageLoaded(Message):
        def __init__(self, page: OutboxPage) -> None:
            super().__init__()
            self.page = page

    class Retried(Message):
        def __init__(self, view: OutboxView) -> None:
            super().__init__()
            self.view = view

    def __init__(self) -> None:
        super().__init__()
        self._shown = "all"
        self._messages: dict[str, OutboxView] = {}

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Loading…", id="outbox-summary", classes="status-line")
        yield FittedTable(id="outbox-table")
        yield Static("", id="outbox-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#outbox-table", FittedTable).focus()

    def reload(self) -> None:
        from nextcars_tui.services.outbox import outbox_page

        self.call_service(
            outbox_page,
            self.desk,
            self.actor,
            _FILTERS[self._shown],
            reply=self.PageLoaded,
            group="outbox",
        )

    @on(PageLoaded)
    def _show(self, message: PageLoaded) -> None:
        page = message.page
        zone = self.desk.settings.business.zone
        self._messages = {str(view.id): view for view in page.items}
        rows = [
            (
                str(view.id),
                {
                    "id": Text(str(view.id), justify="right"),
                    "kind": view.kind.value.replace("_", " "),
                    "to": view.to,
                    "status": Text(view.status.value, style=_STYLES[view.status.value]),
                    "tries": Text(str(view.attempts), justify="right"),
                    "when": f"{(view.sent_at or view.created_at).astimezone(zone):%d %b %H:%M}",
                    "subject": view.subject,
                },
            )
            for view in page.items
        ]
        self.query_one("#outbox-table", FittedTable).show(_COLUMNS, rows)
        counts = page.counts
        self.query_one("#outbox-summary", Static).update(
            f"{counts['queued']} queued · {counts['sent']} sent · {counts['failed']} failed"
            f" — showing {self._shown}"
        )
        self._describe()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._describe()

    def _selected(self) -> OutboxView | None:
        table = self.query_one("#outbox-table", FittedTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self._messages.get(row_key.value or "")

    def _describe(self) -> None:
        """The highlighted message in full: its subject, and for a failure the reply."""
        view = self._selected()
        detail = self.query_one("#outbox-detail", Static)
        if view is None:
            detail.update("Nothing here.")
            return
        lines = Text(view.subject)
        refs = " · ".join(filter(None, (view.booking, view.invoice)))
        if refs:
            lines.append(f"  ({refs})", style="dim")
        if view.error:
            lines.append("\n")
            lines.append(view.error, style="red" if view.status.value == "failed" else "yellow")
        detail.update(lines)

    def action_show(self, which: str) -> None:
        self._shown = which
        self.reload()

    def action_retry(self) -> None:
        view = self._selected()
        if view is None or view.status.value != "failed":
            self.notify("Highlight a failed message to queue it again.", severity="warning")
            return
        from nextcars_tui.services.outbox import retry_message

        self.call_service(
            retry_message, self.desk, self.actor, view.id, reply=self.Retried, group="write"
        )

    @on(Retried)
    def _retried(self, message: Retried) -> None:
        view = message.view
        self.notify(f"Message {view.id} to {view.to} is queued again.", title="Outbox")
        self.app.data_changed()
