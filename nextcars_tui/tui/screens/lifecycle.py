"""The lifecycle rules: what they would change right now (a dry run) and running them."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from nextcars_tui.domain.errors import DeskError
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.dialogs.confirm_run import ConfirmRunDialog
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from nextcars_tui.services.lifecycle import LifecycleResult

# (attribute of the result, what it did, what it would do).
_RULES = (
    ("expired", "expired", "expire"),
    ("completed", "completed", "complete"),
    ("overdue", "marked overdue", "mark overdue"),
)
_DONE, _WOULD = 1, 2


def _counts(result: LifecycleResult, verb: int) -> str:
    return ", ".join(f"{rule[verb]} {len(getattr(result, rule[0]))}" for rule in _RULES)


class LifecycleScreen(DeskScreen):
    """A dry run on opening and after every change; r runs the rules after a confirmation;
    Enter opens the booking or invoice of a row."""

    BINDINGS: ClassVar = [
        Binding("d", "dry_run", "Dry run"),
        Binding("r", "run_now", "Run now"),
    ]

    class Previewed(Message):
        """A dry run answered: what the rules would change now."""

        def __init__(self, result: LifecycleResult) -> None:
            super().__init__()
            self.result = result

    class Ran(Message):
        """The rules ran and wrote their changes."""

        def __init__(self, result: LifecycleResult) -> None:
            super().__init__()
            self.result = result

    def __init__(self) -> None:
        super().__init__()
        self._preview: LifecycleResult | None = None
        self._run_pending = False

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static(self._rules_text(), id="lifecycle-rules")
        with Vertical(id="lifecycle-preview-box"):
            yield Static(
                "Would change now: checking…", id="lifecycle-preview", classes="section-title"
            )
            yield DataTable(id="lifecycle-would", cursor_type="row", zebra_stripes=True)
        with Vertical(id="lifecycle-result-box"):
            yield Static(
                "Last run: not run from this screen yet",
                id="lifecycle-result",
                classes="section-title",
            )
            yield DataTable(id="lifecycle-changed", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def _rules_text(self) -> str:
        hours = self.app.settings.lifecycle.pending_ttl_hours
        return (
            f"The rules run by themselves while the desk is open. They expire pending holds older "
            f"than {hours} h (voiding their invoices), complete rentals whose last day has passed, "
            "and mark unpaid invoices past their due date overdue."
        )

    def on_mount(self) -> None:
        for table_id in ("#lifecycle-would", "#lifecycle-changed"):
            self.query_one(table_id, DataTable).add_columns("Rule", "Ref")
        super().on_mount()

    def reload(self) -> None:
        self.action_dry_run()

    def action_dry_run(self) -> None:
        from nextcars_tui.services.lifecycle import run_lifecycle

        self.call_service(
            partial(run_lifecycle, dry_run=True),
            self.desk,
            self.actor,
            reply=self.Previewed,
            group="lifecycle-dry-run",
        )

    @on(Previewed)
    def _previewed(self, message: Previewed) -> None:
        result = message.result
        self._preview = result
        local = result.now.astimezone(self.desk.settings.business.zone)
        heading = f"Would change now ({local:%d %b %H:%M}): "
        heading += _counts(result, _WOULD) if result.changed else "nothing"
        self.query_one("#lifecycle-preview", Static).update(heading)
        self._fill("#lifecycle-would", result, _WOULD)

    def _fill(self, table_id: str, result: LifecycleResult, verb: int) -> None:
        table = self.query_one(table_id, DataTable)
        table.clear()
        for rule in _RULES:
            for ref in getattr(result, rule[0]):
                table.add_row(rule[verb], ref)
        if not result.changed:
            table.add_row(Text("nothing to change", style="dim"), "")

    @on(DataTable.RowSelected)
    def _open_record(self, event: DataTable.RowSelected) -> None:
        ref = str(event.data_table.get_row(event.row_key)[1])
        if ref.startswith("BK-"):
            self.app.open_screen("booking", ref=ref)
        elif ref.startswith("INV-"):
            self.app.open_screen("invoice", ref=ref)

    def action_run_now(self) -> None:
        if self._run_pending:
            return
        preview = self._preview
        message = "Apply the rules now and write the changes?"
        if preview is not None:
            what = _counts(preview, _WOULD) if preview.changed else "change nothing"
            message = f"The last dry run says the rules would:\n  {what}\n\n{message}"
        self.app.push_screen(ConfirmRunDialog("Run the lifecycle rules", message), self._confirmed)

    def _confirmed(self, go: bool | None) -> None:
        if not go:
            return
        from nextcars_tui.services.lifecycle import run_lifecycle

        self._run_pending = True
        self.call_service(
            run_lifecycle,
            self.desk,
            self.actor,
            reply=self.Ran,
            group="lifecycle-run",
        )

    @on(Ran)
    def _ran(self, message: Ran) -> None:
        result = message.result
        self._run_pending = False
        local = result.now.astimezone(self.desk.settings.business.zone)
        summary = _counts(result, _DONE) if result.changed else "nothing needed changing"
        self.query_one("#lifecycle-result", Static).update(
            f"Last run ({local:%d %b %H:%M}): {summary}"
        )
        self._fill("#lifecycle-changed", result, _DONE)
        self.notify(summary, title="Rules ran")
        if result.changed:
            # Every open screen, this one's dry run included, shows the new state.
            self.app.data_changed()
        else:
            self.action_dry_run()

    def service_failed(self, group: str, error: DeskError) -> None:
        if group == "lifecycle-run":
            self._run_pending = False
        self.app.show_error(error)
