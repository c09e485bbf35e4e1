"""A horizontal bar chart drawn with block characters, so it reads without colour too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

# Eighths of a cell, so a bar's length shows small differences at any width.
_PARTIAL_BLOCKS = " ▏▎▍▌▋▊▉"
_FULL_BLOCK = "█"


@dataclass(frozen=True)
class Bar:
    """One row of the chart: what it counts, how much, and the text shown after it."""

    label: str
    value: int
    caption: str = ""
    alert: bool = False


def bar_cells(value: int, largest: int, width: int) -> str:
    """The bar for value when largest fills width cells; any non-zero value shows a sliver."""
    if value <= 0 or largest <= 0 or width <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    full, rest = divmod(eighths, 8)
    return _FULL_BLOCK * full + (_PARTIAL_BLOCKS[rest] if rest else "")


class BarChart(Widget):
    """Label, bar and caption per row; bars scale to the widest value and the space left, or
    to `full` when given (100 % for percentages, so half a bar always means half)."""

    DEFAULT_CSS = """
    BarChart {
        height: auto;
        padding: 0 1;
    }
    BarChart > .bar-chart--label {
        text-style: bold;
    }
    BarChart > .bar-chart--bar {
        color: $primary;
    }
    BarChart > .bar-chart--alert {
        color: $error;
    }
    BarChart > .bar-chart--caption {
        color: $text-muted;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "bar-chart--label",
        "bar-chart--bar",
        "bar-chart--alert",
        "bar-chart--caption",
    }

    bars: reactive[tuple[Bar, ...]] = reactive((), layout=True)

    def __init__(
        self,
        bars: tuple[Bar, ...] = (),
        *,
        full: int = 0,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(BarChart.bars, tuple(bars))
        self._full = full

    def render(self) -> Text:
        bars = self.bars
        if not bars:
            return Text(
                "Nothing to chart.", style=self.get_component_rich_style("bar-chart--caption")
            )
        label_width = max(len(bar.label) for bar in bars)
        caption_width = max(len(bar.caption) for bar in bars)
        room = max(1, self.content_size.width - label_width - caption_width - 2)
        largest = self._full or max(bar.value for bar in bars)
        label_style = self.get_component_rich_style("bar-chart--label")
        caption_style = self.get_component_rich_style("bar-chart--caption")
        lines: list[Text] = []
        for bar in bars:
            style = self.get_component_rich_style(
                "bar-chart--alert" if bar.alert else "bar-chart--bar"
            )
            line = Text(no_wrap=True, overflow="crop")
            line.append(bar.label.rjust(label_width), label_style)
            line.append(" ")
            line.append(bar_cells(min(bar.value, largest), largest, room).ljust(room), style)
            line.append(" ")
            line.append(bar.caption.rjust(caption_width), caption_style)
            lines.append(line)
        return Text("\n").join(lines)
