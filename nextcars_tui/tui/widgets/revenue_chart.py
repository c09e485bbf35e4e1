"""Revenue billed and collected per period, as pairs of bars drawn by Plotext.

textual-plotext (Textualize's own wrapper of Plotext) does the drawing: axes, ticks and bars
that fit any width. Only the Reports screen imports this module, so the plotting library is
loaded when that screen first opens, never at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual_plotext import PlotextPlot

# Plotext's names for the two series; the legend above the chart (a Static, so the bars are
# never hidden under it) uses the same colours.
BILLED_COLOUR, COLLECTED_COLOUR = "cyan", "green"


def nice_step(largest: int) -> int:
    """A round step (1, 2 or 5 times a power of ten) that splits `largest` into at most 4."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if largest <= 4 * step * factor:
                return step * factor
        step *= 10


def ticks(lowest: int, highest: int) -> list[int]:
    """Round values from at most zero to at least `highest`, covering `lowest` too."""
    step = nice_step(max(highest, -lowest, 1))
    first = -(-lowest // step) * step if lowest < 0 else 0
    if first > lowest:
        first -= step
    values = [first]
    while values[-1] < highest:
        values.append(values[-1] + step)
    return values


class RevenueChart(PlotextPlot):
    """Billed beside collected for each period; amounts in cents, ticks in money."""

    DEFAULT_CSS = """
    RevenueChart {
        height: 9;
    }
    """

    def show(
        self,
        labels: Sequence[str],
        billed: Sequence[int],
        collected: Sequence[int],
        money: Callable[[int], str],
    ) -> None:
        plot = self.plt
        plot.clear_data()
        plot.multiple_bar(
            list(labels),
            [list(billed), list(collected)],
            # One colour per series, as Plotext takes it (its stub allows only one).
            color=[BILLED_COLOUR, COLLECTED_COLOUR],  # type: ignore[arg-type]
        )
        values = ticks(min(0, *billed, *collected), max(0, *billed, *collected))
        plot.yticks([float(value) for value in values], [money(value) for value in values])
        self.refresh()
