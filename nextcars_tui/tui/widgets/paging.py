"""Where a paged list stands: which rows of how many, so lists fetch one page from SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.actions import SkipAction
from textual.binding import Binding
from textual.widgets import DataTable


@dataclass
class Paging:
    """Offset and size of the page on screen, and the total the filters match."""

    size: int = 50
    offset: int = 0
    total: int = 0

    def first(self) -> None:
        self.offset = 0

    def forward(self) -> bool:
        """Move to the next page; False when this is already the last one."""
        if self.offset + self.size >= self.total:
            return False
        self.offset += self.size
        return True

    def back(self) -> bool:
        """Move to the previous page; False when this is already the first one."""
        if self.offset == 0:
            return False
        self.offset = max(0, self.offset - self.size)
        return True

    def settle(self, total: int) -> bool:
        """Record the new total; True when the offset fell past the end and was pulled back."""
        self.total = total
        if self.offset and self.offset >= total:
            self.offset = max(0, (total - 1) // self.size * self.size)
            return True
        return False

    def caption(self, shown: int) -> str:
        """'rows 1–50 of 812', or 'no rows' for an empty result."""
        if not shown:
            return "no rows"
        return f"rows {self.offset + 1}–{self.offset + shown} of {self.total:,}"


# Screens using PageKeys list these in their BINDINGS (Textual reads BINDINGS only from
# widget classes, not from plain mixins).
_PAGE = Binding.Group("Page")
PAGE_BINDINGS: list[Binding] = [
    Binding("n", "next_page", "Next page", group=_PAGE),
    Binding("p", "previous_page", "Prev page", group=_PAGE),
    Binding("pagedown", "page_down", "Next page", show=False, priority=True),
    Binding("pageup", "page_up", "Prev page", show=False, priority=True),
]


# Type checkers see the screen the mixin is mixed into; at run time it is a plain mixin.
if TYPE_CHECKING:
    from nextcars_tui.tui.base import DeskScreen as _ScreenBase
else:
    _ScreenBase = object


class PageKeys(_ScreenBase):
    """Screen mixin: n/p turn the page; PgDn/PgUp scroll the table and turn the page only
    from its last (first) row, so one key walks the whole list."""

    paging: Paging

    def paged_table(self) -> DataTable[Any]:
        raise NotImplementedError

    def action_next_page(self) -> None:
        if self.paging.forward():
            self.reload()
        else:
            self.notify("This is the last page.", timeout=2)

    def action_previous_page(self) -> None:
        if self.paging.back():
            self.reload()
        else:
            self.notify("This is the first page.", timeout=2)

    def action_page_down(self) -> None:
        table = self.paged_table()
        if table.has_focus and table.cursor_row < table.row_count - 1:
            raise SkipAction()
        if self.paging.forward():
            self.reload()

    def action_page_up(self) -> None:
        table = self.paged_table()
        if table.has_focus and table.cursor_row > 0:
            raise SkipAction()
        if self.paging.back():
            self.reload()
