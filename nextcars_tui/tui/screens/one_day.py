"""A desk screen that shows one business day: [ and ] step a day, t comes back to today."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from textual.binding import Binding
from textual.reactive import reactive

from nextcars_tui.tui.base import DeskScreen

# One footer entry for the three keys, so the screens' own keys fit 80 columns.
_DAY_KEYS = Binding.Group("Day")


class OneDayScreen(DeskScreen):
    """Subclasses put DAY_BINDINGS where they want them in their footer and read `day`."""

    DAY_BINDINGS: ClassVar = [
        Binding("left_square_bracket", "day(-1)", "Day before", group=_DAY_KEYS),
        Binding("right_square_bracket", "day(1)", "Day after", group=_DAY_KEYS),
        Binding("t", "today", "Today", group=_DAY_KEYS),
    ]

    # None is the desk's today, so a screen left open over midnight moves on with it.
    day: reactive[date | None] = reactive(None, init=False)

    def shown_day(self) -> date:
        return self.desk.today() if self.day is None else self.day

    def watch_day(self) -> None:
        self.reload()

    def action_day(self, step: int) -> None:
        moved = self.shown_day() + timedelta(days=step)
        self.day = None if moved == self.desk.today() else moved

    def action_today(self) -> None:
        self.day = None
