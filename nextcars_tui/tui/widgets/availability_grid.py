"""Resources × days availability on Textual's Line API: only the visible lines are drawn, so
500 cars cost no more than the 40 rows on screen."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from nextcars_tui.domain.statuses import BookingStatus

if TYPE_CHECKING:
    from nextcars_tui.services.availability import Grid, GridCell, GridRow

# Each state has its own character as well as its colour, so the grid reads without colour.
FREE, BLOCKED, RETIRED = "free", "blocked", "retired"
STATE_NAMES: dict[BookingStatus | None, str] = {
    None: FREE,
    BookingStatus.PENDING: "pending",
    BookingStatus.CONFIRMED: "confirmed",
    BookingStatus.COMPLETED: "completed",
}
# A block (car off the road, driver off duty) is a state of its own, and so is a retired
# car's or driver's day that nothing holds: it is not free, it takes no bookings.
MARKS: dict[str, str] = {
    FREE: "·",
    "pending": "?",
    "confirmed": "█",
    "completed": "░",
    BLOCKED: "×",
    RETIRED: "-",
}


def cell_state(cell: GridCell, retired: bool = False) -> str:
    """The legend name of a day: free (or retired), a booking's status, or blocked."""
    if cell.blocked:
        return BLOCKED
    if cell.ref is None and retired:
        return RETIRED
    return STATE_NAMES[cell.status]


# Legend, month names, weekdays, day numbers; they stay put while the rows scroll.
HEADER_LINES = 4
MIN_LABEL, MAX_LABEL = 10, 34
MAX_CELL = 5
_WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


def cell_text(cells: tuple[GridCell, ...], index: int, width: int, retired: bool = False) -> str:
    """One day of one row; a booking's days join into a bar with a gap after its last day."""
    cell = cells[index]
    mark = MARKS[cell_state(cell, retired)]
    if cell.ref is None:
        return mark.ljust(width) if width > 2 else mark.center(width)
    if width == 1:
        return mark
    last_day = index + 1 >= len(cells) or cells[index + 1].ref != cell.ref
    return mark * (width - 1) + (" " if last_day else mark)


def _row_label(row: GridRow) -> str:
    # "(retired)" before the name: at 80 columns the end of a label is what gets cut.
    return f"{row.key} (retired) {row.label}" if row.retired else f"{row.key} {row.label}"


class AvailabilityGrid(ScrollView, can_focus=True):
    """A focusable grid with a cell cursor; the screen feeds it a services' Grid."""

    BINDINGS: ClassVar = [
        Binding("up", "move(0, -1)", "Up", show=False),
        Binding("down", "move(0, 1)", "Down", show=False),
        Binding("left", "move(-1, 0)", "Left", show=False),
        Binding("right", "move(1, 0)", "Right", show=False),
        Binding("home", "edge(-1)", "First day", show=False),
        Binding("end", "edge(1)", "Last day", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("enter", "choose", "Open", show=True),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "availability-grid--free",
        "availability-grid--pending",
        "availability-grid--confirmed",
        "availability-grid--completed",
        "availability-grid--blocked",
        "availability-grid--retired",
        "availability-grid--header",
        "availability-grid--weekend",
        "availability-grid--today",
        "availability-grid--label",
        "availability-grid--cursor",
        "availability-grid--cursor-label",
    }

    DEFAULT_CSS = """
    AvailabilityGrid {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
        & > .availability-grid--free { color: $text-muted; }
        & > .availability-grid--pending { color: $text-warning; text-style: bold; }
        & > .availability-grid--confirmed { color: $text-success; }
        & > .availability-grid--completed { color: $text-primary; }
        & > .availability-grid--blocked { color: $text-error; text-style: bold; }
        & > .availability-grid--retired { color: $text-disabled; }
        & > .availability-grid--header { color: $text-muted; }
        & > .availability-grid--weekend { color: $text-disabled; }
        & > .availability-grid--today { color: $text-accent; text-style: bold; }
        & > .availability-grid--label { color: $foreground; }
        & > .availability-grid--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
        }
        & > .availability-grid--cursor-label { color: $text-accent; text-style: bold; }
        &:focus > .availability-grid--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: bold;
        }
    }
    """

    class CursorMoved(Message):
        """The cursor is on another cell (or the grid got new data under it)."""

        def __init__(
            self, grid: AvailabilityGrid, row: GridRow | None, day: date, cell: GridCell | None
        ) -> None:
            super().__init__()
            self.grid = grid
            self.row = row
            self.day = day
            self.cell = cell

        @property
        def control(self) -> AvailabilityGrid:
            return self.grid

    class CellChosen(CursorMoved):
        """Enter (or a double click) on a cell."""

    class EdgeReached(Message):
        """The cursor tried to leave the window: the screen moves the window by `days`."""

        def __init__(self, grid: AvailabilityGrid, days: int) -> None:
            super().__init__()
            self.grid = grid
            self.days = days

        @property
        def control(self) -> AvailabilityGrid:
            return self.grid

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._grid: Grid | None = None
        self._today: date | None = None
        self.cursor_row = 0
        self.cursor_col = 0
        self._geometry_cache: tuple[int, int, int, int] | None = None
        # Shown at the right of the legend line when there is room, e.g. the screen's keys.
        self.hint = ""

    # -- data -------------------------------------------------------------------------

    @property
    def grid(self) -> Grid | None:
        return self._grid

    @property
    def rows(self) -> list[GridRow]:
        return self._grid.rows if self._grid is not None else []

    def show_grid(self, grid: Grid, today: date, *, cursor_day: date | None = None) -> None:
        """Show new data, keeping the cursor on the same resource and day where possible."""
        previous_key = self.cursor_key
        self._grid = grid
        self._today = today
        self._geometry_cache = None
        keys = [row.key for row in grid.rows]
        if previous_key in keys:
            self.cursor_row = keys.index(previous_key)
        self.cursor_row = max(0, min(self.cursor_row, len(grid.rows) - 1))
        if cursor_day is not None and 0 <= (cursor_day - grid.start).days < grid.days:
            self.cursor_col = (cursor_day - grid.start).days
        self.cursor_col = max(0, min(self.cursor_col, grid.days - 1))
        self._update_virtual_size()
        self._scroll_to_cursor()
        self.refresh()
        self._announce(self.CursorMoved)

    @property
    def cursor_key(self) -> str | None:
        rows = self.rows
        return rows[self.cursor_row].key if 0 <= self.cursor_row < len(rows) else None

    @property
    def cursor_day(self) -> date | None:
        if self._grid is None:
            return None
        return self._grid.dates[self.cursor_col]

    @property
    def cursor_cell(self) -> GridCell | None:
        rows = self.rows
        if not 0 <= self.cursor_row < len(rows):
            return None
        return rows[self.cursor_row].cells[self.cursor_col]

    def _announce(self, message_type: type[CursorMoved]) -> None:
        day = self.cursor_day
        if day is None:
            return
        rows = self.rows
        row = rows[self.cursor_row] if 0 <= self.cursor_row < len(rows) else None
        self.post_message(message_type(self, row, day, self.cursor_cell))

    # -- geometry ---------------------------------------------------------------------

    def _update_virtual_size(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        self.virtual_size = Size(width, HEADER_LINES + len(self.rows))

    def on_resize(self, _event: events.Resize) -> None:
        self._geometry_cache = None
        self._update_virtual_size()
        self._scroll_to_cursor()

    def _layout(self, width: int) -> tuple[int, int]:
        """(label width, cell width): cells as wide as fit, labels take the rest."""
        days = self._grid.days if self._grid is not None else 14
        cache_key = (width, days)
        cached = self._geometry_cache
        if cached is not None and cached[:2] == cache_key:
            return cached[2], cached[3]
        longest = max((len(_row_label(row)) for row in self.rows), default=MIN_LABEL)
        wanted_label = max(MIN_LABEL, min(MAX_LABEL, longest + 1))
        # Labels first (up to their length), then cells of 2 to MAX_CELL; 1 only when cramped.
        cell = max(2, min(MAX_CELL, (width - wanted_label) // days))
        if width - MIN_LABEL < cell * days:
            cell = max(1, (width - MIN_LABEL) // days)
        label = max(MIN_LABEL, min(wanted_label, width - cell * days))
        self._geometry_cache = (width, days, label, cell)
        return label, cell

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER_LINES)

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        visible = self._visible_rows()
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False)

    # -- drawing ----------------------------------------------------------------------

    def _style(self, *names: str) -> Style:
        return self.get_visual_style(*(f"availability-grid--{name}" for name in names)).rich_style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.get_visual_style().rich_style
        if self._grid is None:
            return Strip.blank(width, base)
        if y < HEADER_LINES:
            return self._header_line(y, width, base)
        index = y - HEADER_LINES + round(self.scroll_y)
        if index >= len(self._grid.rows):
            return Strip.blank(width, base)
        return self._row_line(index, width, base)

    def _header_line(self, y: int, width: int, base: Style) -> Strip:
        grid = self._grid
        assert grid is not None
        label_width, cell = self._layout(width)
        if y == 0:
            segments: list[Segment] = []
            # Two spaces apart, so five states and the hint still fit in 80 columns;
            # "retired" only where a row is, since it costs the hint its room.
            retired = any(row.retired for row in self.rows)
            states = [(n, m) for n, m in MARKS.items() if n != RETIRED or retired]
            for number, (name, mark) in enumerate(states):
                gap = "  " if number + 1 < len(states) else ""
                segments.append(Segment(mark, self._style(name)))
                segments.append(Segment(f" {name}{gap}", self._style("header")))
            legend = Strip(segments)
            room = width - legend.cell_length
            if self.hint and len(self.hint) < room:
                legend = Strip([*segments, Segment(self.hint.rjust(room), self._style("header"))])
            return legend.extend_cell_length(width, base).crop(0, width)
        header = self._style("header")
        segments = [Segment(" " * label_width, header)]
        if y == 2:
            title = "Plate · model" if grid.kind == "car" else "Driver"
            segments = [Segment(title[:label_width].ljust(label_width), header)]
        dates = grid.dates
        if y == 1:
            segments.append(Segment(self._month_names(dates, cell), self._style("today")))
            return Strip(segments).extend_cell_length(width, base).crop(0, width)
        for index, day in enumerate(dates):
            if y == 2:
                text = _WEEKDAYS[day.weekday()][: max(1, min(2, cell))]
            else:
                text = str(day.day) if cell >= 2 else str(day.day % 10)
            text = text.rjust(min(cell, 2)).ljust(cell)[:cell]
            if index == self.cursor_col:
                style = self._style("cursor-label")
            elif day == self._today:
                style = self._style("today")
            elif day.weekday() >= 5:
                style = self._style("weekend")
            else:
                style = header
            segments.append(Segment(text, style))
        return Strip(segments).extend_cell_length(width, base).crop(0, width)

    @staticmethod
    def _month_names(dates: list[date], cell: int) -> str:
        """Month names over the column where each month starts, as long as they fit; the
        year once, with the first month and again only where a new year begins."""
        starts = [i for i, day in enumerate(dates) if i == 0 or day.day == 1]
        line = ""
        years_shown: set[int] = set()
        for number, index in enumerate(starts):
            room = ((starts[number + 1] if number + 1 < len(starts) else len(dates)) - index) * cell
            day = dates[index]
            names = (
                (f"{day:%B}", f"{day:%b}")
                if day.year in years_shown
                else (f"{day:%B %Y}", f"{day:%b %Y}", f"{day:%B}", f"{day:%b}")
            )
            for name in (*names, f"{day:%b}"[: room - 1]):
                if len(name) < room or name == "":
                    break
            if str(day.year) in name:
                years_shown.add(day.year)
            line += name.ljust(room)
        return line

    def _row_line(self, index: int, width: int, base: Style) -> Strip:
        label_width, cell = self._layout(width)
        row = self.rows[index]
        is_cursor_row = index == self.cursor_row
        label = _row_label(row)
        if len(label) >= label_width:
            label = label[: label_width - 2] + "…"
        label_style = self._style("cursor-label" if is_cursor_row else "label")
        segments = [Segment(label.ljust(label_width), label_style)]
        cells = row.cells
        cursor_col = self.cursor_col if is_cursor_row else -1
        styles = {name: self._style(name) for name in MARKS}
        # Neighbouring days of the same state become one segment: fewer, longer segments.
        run_text: list[str] = []
        run_style: Style | None = None
        for col in range(len(cells)):
            name = cell_state(cells[col], row.retired)
            style = self._style(name, "cursor") if col == cursor_col else styles[name]
            if style is not run_style and run_text:
                segments.append(Segment("".join(run_text), run_style))
                run_text = []
            run_style = style
            run_text.append(cell_text(cells, col, cell, row.retired))
        if run_text:
            segments.append(Segment("".join(run_text), run_style))
        return Strip(segments).extend_cell_length(width, base).crop(0, width)

    # -- cursor -----------------------------------------------------------------------

    def move_cursor(self, row: int, col: int) -> None:
        rows = self.rows
        if not rows or self._grid is None:
            return
        row = max(0, min(row, len(rows) - 1))
        col = max(0, min(col, self._grid.days - 1))
        if (row, col) == (self.cursor_row, self.cursor_col):
            return
        old_row, old_col = self.cursor_row, self.cursor_col
        self.cursor_row, self.cursor_col = row, col
        self._scroll_to_cursor()
        top = round(self.scroll_y)
        self._refresh_lines_at(HEADER_LINES + old_row - top, HEADER_LINES + row - top)
        if old_col != col:
            self._refresh_lines_at(2, 3)
        self._announce(self.CursorMoved)

    def _refresh_lines_at(self, *screen_lines: int) -> None:
        """Redraw lines by their place on screen (headers do not scroll, rows do)."""
        for y in screen_lines:
            self.refresh(Region(0, y, self.size.width, 1))

    def action_move(self, dx: int, dy: int) -> None:
        if self._grid is None:
            return
        col = self.cursor_col + dx
        if col < 0 or col >= self._grid.days:
            self.post_message(self.EdgeReached(self, dx))
            return
        self.move_cursor(self.cursor_row + dy, col)

    def action_edge(self, direction: int) -> None:
        if self._grid is not None:
            self.move_cursor(self.cursor_row, 0 if direction < 0 else self._grid.days - 1)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * self._visible_rows(), self.cursor_col)

    def action_choose(self) -> None:
        if self.cursor_cell is not None:
            self._announce(self.CellChosen)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self._grid is None:
            return
        label_width, cell = self._layout(self.scrollable_content_region.width)
        col = (offset.x - label_width) // cell if offset.x >= label_width else self.cursor_col
        if offset.y < HEADER_LINES:
            if offset.x >= label_width:
                self.move_cursor(self.cursor_row, col)
            return
        row = offset.y - HEADER_LINES + round(self.scroll_y)
        if row >= len(self.rows) or col >= self._grid.days:
            return
        self.move_cursor(row, col)
        if event.chain >= 2:
            self.action_choose()
