"""The terminal's one exit for stored text: every line any widget draws passes `InertText`
before Textual writes it, so a control character or bidi override in the database (a job
sheet's note, a customer's name) reaches the terminal as a visible placeholder
(domain.safe_text), never as an escape sequence that sets the title, writes the clipboard
or clears the screen. Widgets added later are covered without knowing of it.

Square brackets are another matter: they are markup only where a string is read as content
markup, so screens escape stored text where they build markup (textual.markup.escape).
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from nextcars_tui.domain.safe_text import first_unsafe, inert


class InertText(LineFilter):
    """Replaces unsafe characters in a rendered line by their placeholders. Textual laid the
    line out counting a control character as zero cells and its placeholder takes one, so a
    line that holds one is cut back to its width (its last cells give way)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if not any(first_unsafe(segment.text) for segment in segments):
            return segments
        width = Segment.get_line_length(segments)
        shown = [
            segment
            if segment.control
            else Segment(inert(segment.text), segment.style, segment.control)
            for segment in segments
        ]
        return Segment.adjust_line_length(shown, width)


INERT_TEXT = InertText()
