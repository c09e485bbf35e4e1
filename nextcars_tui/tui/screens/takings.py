"""The till of one business day: a clerk's own payments and refunds per method (a manager's
view: every clerk's), for closing the drawer and the card terminal at night."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer

from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.takings_panel import TakingsPanel

if TYPE_CHECKING:
    from nextcars_tui.services.business_reports import TakingsReport


class TakingsScreen(DeskScreen):
    """Today's takings; [ and ] move a day back and on, t comes back to today."""

    BINDINGS: ClassVar = [
        Binding("left_square_bracket", "day(-1)", "Day before"),
        Binding("right_square_bracket", "day(1)", "Day after"),
        Binding("t", "today", "Today"),
        Binding("r", "refresh", "Refresh"),
    ]

    class TakingsLoaded(Message):
        def __init__(self, report: TakingsReport) -> None:
            super().__init__()
            self.report = report

    def __init__(self) -> None:
        super().__init__()
        # None: today, whatever day that is when the screen reloads.
        self._day: date | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield TakingsPanel(id="till")
        yield Footer()

    def reload(self) -> None:
        from nextcars_tui.services.business_reports import takings_report

        self.call_service(
            takings_report,
            self.desk,
            self.actor,
            self._day,
            reply=self.TakingsLoaded,
            group="till",
        )

    @on(TakingsLoaded)
    def _show(self, message: TakingsLoaded) -> None:
        self.query_one(TakingsPanel).show(message.report, self.desk.money)

    def action_day(self, step: int) -> None:
        self._day = (self._day or self.desk.today()) + timedelta(days=step)
        self.reload()

    def action_today(self) -> None:
        self._day = None
        self.reload()

    def action_refresh(self) -> None:
        self.reload()
