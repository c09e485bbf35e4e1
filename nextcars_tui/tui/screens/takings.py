"""The till of one business day: a clerk's own payments and refunds per method (a manager's
view: every clerk's), for closing the drawer and the card terminal at night."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message

from nextcars_tui.tui.screens.one_day import OneDayScreen
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter
from nextcars_tui.tui.widgets.takings_panel import TakingsPanel

if TYPE_CHECKING:
    from nextcars_tui.services.business_reports import TakingsReport


class TakingsScreen(OneDayScreen):
    """Today's takings; [ and ] move a day back and on, t comes back to today."""

    BINDINGS: ClassVar = [*OneDayScreen.DAY_BINDINGS, Binding("r", "refresh", "Refresh")]

    class TakingsLoaded(Message):
        def __init__(self, report: TakingsReport) -> None:
            super().__init__()
            self.report = report

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield TakingsPanel(id="till")
        yield KeyFooter()

    def reload(self) -> None:
        from nextcars_tui.services.business_reports import takings_report

        self.call_service(
            takings_report,
            self.desk,
            self.actor,
            self.day,
            reply=self.TakingsLoaded,
            group="till",
        )

    @on(TakingsLoaded)
    def _show(self, message: TakingsLoaded) -> None:
        self.query_one(TakingsPanel).show(message.report, self.desk.money)

    def action_refresh(self) -> None:
        self.reload()
