"""Asks for a report's period: its first and last day, both included, typed as every date on
the desk is (ISO, the business's day/month order, today, +N)."""

from __future__ import annotations

from datetime import date
from functools import partial

from nextcars_tui.domain.reporting import Period
from nextcars_tui.services.desk import Desk
from nextcars_tui.tui.dialogs.record_form import FormField, RecordFormDialog, Values


class PeriodDialog(RecordFormDialog):
    """Dismisses with the Period chosen, or None when abandoned."""

    def __init__(self, desk: Desk, current: Period) -> None:
        self._desk = desk

        def preview(text: str) -> str:
            return f"{desk.parse_date(text):%a %d %b %Y}"

        def field(name: str, label: str, value: date) -> FormField:
            return FormField(
                name,
                label,
                value.isoformat(),
                placeholder=desk.date_forms(),
                check=partial(desk.parse_date, field=name),
                preview=preview,
            )

        fields = [field("from", "From", current.first), field("to", "To (included)", current.last)]
        super().__init__("Report period", fields, self._period, save_label="Show")

    def _period(self, values: Values) -> Period:
        # Period refuses a first day after the last, naming the 'from' field.
        return Period(
            self._desk.parse_date(values["from"], "from"),
            self._desk.parse_date(values["to"], "to"),
        )
