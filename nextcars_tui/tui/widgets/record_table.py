"""A DataTable that fits its width: one page of records, columns sized up front, the less
important columns dropped (and long names shortened with "…") when the terminal is narrow,
so an amount, a date or a status is never cut off.

Textual 8.2.8's DataTable measures auto-width columns on an idle event after rows are
added, but lines it painted before that keep their cached (label-wide) widths, so a
refilled table can stay cropped. Giving every column its width when it is added avoids
the deferred measurement altogether.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual import events
from textual.widgets import DataTable

# The vertical scroll bar takes this much of the table's width once the rows overflow.
SCROLLBAR = 2


@dataclass(frozen=True)
class TableColumn:
    """A column and how it gives way on a narrow terminal.

    `drop`: 0 means always shown; otherwise the column is left out when the rows do not
    fit, the highest number first. `shrink`: a text column (a name) that may be shortened
    with an ellipsis down to this many cells; 0 means never shortened — the right choice
    for money, dates, statuses and refs."""

    key: str
    label: str | Text
    drop: int = 0
    shrink: int = 0


ColumnSpec = TableColumn | tuple[str, str | Text]
Rows = Sequence[tuple[str, dict[str, object]]]


def cell_width(value: object) -> int:
    text = value if isinstance(value, Text) else Text(str(value))
    return max((line.cell_len for line in text.split()), default=0)


def _as_column(spec: ColumnSpec) -> TableColumn:
    return spec if isinstance(spec, TableColumn) else TableColumn(spec[0], spec[1])


def fit_columns(
    columns: Sequence[TableColumn], rows: Rows, room: int, padding: int = 1
) -> tuple[list[TableColumn], dict[str, int]]:
    """Which columns to show, and how wide, so that they fit `room` cells: shorten names
    while that is enough, otherwise leave out the least important column and try again."""
    widths = {
        c.key: max(cell_width(c.label), *(cell_width(cells[c.key]) for _, cells in rows))
        if rows
        else cell_width(c.label)
        for c in columns
    }
    shown = list(columns)

    def floor(column: TableColumn) -> int:
        if not column.shrink:
            return widths[column.key]
        return min(widths[column.key], max(column.shrink, cell_width(column.label)))

    def excess() -> int:
        return sum(widths[c.key] + 2 * padding for c in shown) - room

    droppable = sorted((c for c in columns if c.drop), key=lambda c: -c.drop)
    while excess() > sum(widths[c.key] - floor(c) for c in shown) and droppable:
        shown.remove(droppable.pop(0))
    over = excess()
    for column in sorted(shown, key=lambda c: -(widths[c.key] - floor(c))):
        if over <= 0:
            break
        cut = min(over, widths[column.key] - floor(column))
        widths[column.key] -= cut
        over -= cut
    return shown, widths


def _shortened(value: object, width: int) -> object:
    """The cell as the table shows it: cut to width with "…", and a string escaped, since
    DataTable reads a string cell as markup and a stored name may hold square brackets."""
    if cell_width(value) <= width:
        return escape(value) if isinstance(value, str) else value
    text = value.copy() if isinstance(value, Text) else Text(str(value))
    text.truncate(width, overflow="ellipsis")
    return text


def refill(
    table: DataTable[Any],
    columns: Sequence[ColumnSpec],
    rows: Rows,
    room: int | None = None,
) -> None:
    """Replace columns and rows (key, cells by column key), fitted to `room` cells (all of
    them when None); the cursor stays on the row with the same key when it is still there."""
    selected: str | None = None
    if table.row_count:
        cursor_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        selected = cursor_key.value
    specs = [_as_column(c) for c in columns]
    if room is None:
        shown, widths = specs, fit_columns(specs, rows, 10**6, table.cell_padding)[1]
    else:
        shown, widths = fit_columns(specs, rows, room, table.cell_padding)
    table.clear(columns=True)
    for column in shown:
        table.add_column(column.label, key=column.key, width=widths[column.key])
    for row_key, cells in rows:
        table.add_row(
            *(_shortened(cells[c.key], widths[c.key]) for c in shown),
            key=row_key,
        )
    if selected is not None and selected in {row_key for row_key, _ in rows}:
        table.move_cursor(row=table.get_row_index(selected), animate=False)


class FittedTable(DataTable[Any]):
    """A record list that keeps what it shows and fits it again when its width changes."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._columns: list[TableColumn] = []
        self._rows: Rows = []
        self._fitted_to = -1

    @property
    def room(self) -> int:
        """The cells the columns may take: the table's width (the app's before the table
        is laid out), less the scroll bar."""
        width = self.size.width or self.app.size.width
        return max(10, width - SCROLLBAR)

    def show(self, columns: Sequence[ColumnSpec], rows: Rows) -> None:
        self._columns = [_as_column(c) for c in columns]
        self._rows = list(rows)
        self._fitted_to = self.room
        refill(self, self._columns, self._rows, self._fitted_to)

    @property
    def shown_columns(self) -> list[str]:
        return [str(key.value) for key in self.columns]

    def on_resize(self, _event: events.Resize) -> None:
        if self._columns and self.room != self._fitted_to:
            self.show(self._columns, self._rows)
