"""Blocks: take a car off the road or a driver off duty. The disruption assistant shows the
bookings a block would strand, each with the replacement the desk proposes; the clerk may
choose another, and block and moves are applied together (or not at all)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from nextcars_tui.domain.dates import spans_overlap
from nextcars_tui.domain.errors import DeskError, InvalidInput
from nextcars_tui.tui.base import DeskDialog, DeskScreen
from nextcars_tui.tui.dialogs.confirm_run import ConfirmRunDialog
from nextcars_tui.tui.formatting import span
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter
from nextcars_tui.tui.widgets.record_table import FittedTable, TableColumn

if TYPE_CHECKING:
    from nextcars_tui.services.availability import Available
    from nextcars_tui.services.blocks import BlockRequest, BlockResult, BlockView, Reassignment

KINDS = (("Car", "car"), ("Driver", "driver"))
# The services' field names (InvalidInput.field) → the form's inputs.
_FORM_FIELDS = {
    "plate": "#block-resource",
    "driver code": "#block-resource",
    "start date": "#block-start",
    "number of days": "#block-days",
    "reason": "#block-reason",
}
_AFFECTED_COLUMNS = (
    TableColumn("booking", "Booking"),
    TableColumn("dates", "Dates"),
    TableColumn("customer", "Customer", shrink=8),
    TableColumn("from", "From"),
    TableColumn("to", "Move to", shrink=12),
)
_BLOCK_COLUMNS = (
    TableColumn("ref", "Block"),
    TableColumn("what", "Car or driver", shrink=10),
    TableColumn("dates", "Dates"),
    TableColumn("reason", "Reason", shrink=8),
    TableColumn("by", "By", drop=1),
)


@dataclass(frozen=True)
class Proposal:
    """The affected bookings for one request, with the replacement each will move to."""

    request: BlockRequest
    moves: list[Reassignment]

    @property
    def stuck(self) -> list[Reassignment]:
        return [move for move in self.moves if move.to is None]

    @property
    def chosen(self) -> dict[str, str]:
        """What the clerk sees is what is applied: every proposed (or chosen) replacement."""
        return {move.booking: move.to for move in self.moves if move.to is not None}


def move_to_text(move: Reassignment) -> Text:
    """The replacement, or STUCK in words as well as colour when nothing free fits."""
    if move.to is None:
        return Text("STUCK: none free", style="bold red")
    label = f" {move.to_label}" if move.to_label else ""
    return Text.assemble((move.to, "bold"), label)


class BlocksScreen(DeskScreen):
    """A form for the block, the bookings it affects with their proposed moves, and the
    blocks in force (Delete removes the highlighted one)."""

    AUTO_FOCUS = "#block-resource"
    BINDINGS: ClassVar = [
        Binding("ctrl+s", "apply", "Apply block"),
        Binding("delete", "remove", "Remove block"),
        Binding("escape", "back", "Back"),
    ]

    class Proposed(Message):
        def __init__(self, request: BlockRequest, moves: list[Reassignment]) -> None:
            super().__init__()
            self.proposal = Proposal(request, moves)

    class Applied(Message):
        def __init__(self, result: BlockResult) -> None:
            super().__init__()
            self.result = result

    class BlocksLoaded(Message):
        def __init__(self, blocks: list[BlockView]) -> None:
            super().__init__()
            self.blocks = blocks

    class Removed(Message):
        def __init__(self, block: BlockView) -> None:
            super().__init__()
            self.block = block

    class FreeLoaded(Message):
        def __init__(self, booking: str, free: Available) -> None:
            super().__init__()
            self.booking = booking
            self.free = free

    def __init__(self, kind: str = "car", resource: str = "") -> None:
        super().__init__()
        self._kind = kind if kind in ("car", "driver") else "car"
        self._resource = resource
        self.proposal: Proposal | None = None
        self._blocks: dict[str, BlockView] = {}
        self._applying = False

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        with Vertical(id="block-form"):
            with Grid(id="block-fields"):
                yield Label("Block")
                yield Select(
                    KINDS, value=self._kind, allow_blank=False, id="block-kind", compact=True
                )
                yield Label("Plate/code")
                yield Input(
                    self._resource,
                    placeholder="KX-204 or DRV-07",
                    id="block-resource",
                    compact=True,
                )
                yield Label("From")
                yield Input(placeholder="YYYY-MM-DD", id="block-start", compact=True)
                yield Label("Days")
                yield Input("1", id="block-days", compact=True, max_length=3)
                yield Label("Reason")
                yield Input(
                    placeholder="MOT, repair, holiday, sick…", id="block-reason", compact=True
                )
            with Horizontal(id="block-buttons"):
                yield Button("Show affected", id="block-propose", compact=True)
                yield Button("Apply block", id="block-apply", variant="warning", compact=True)
        yield Static("", id="block-message")
        yield Static("Affected bookings", classes="section-title", id="affected-title")
        yield FittedTable(id="block-affected")
        yield Static("Blocks in force", classes="section-title", id="blocks-title")
        yield FittedTable(id="block-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#block-start", Input).value = self.desk.today().isoformat()
        super().on_mount()

    # -- the form ---------------------------------------------------------------------

    def form_request(self) -> BlockRequest:
        from nextcars_tui.services.blocks import BlockRequest

        kind = self.query_one("#block-kind", Select).value
        return BlockRequest(
            kind=str(kind),
            resource=self.query_one("#block-resource", Input).value,
            start=self.query_one("#block-start", Input).value,
            days=self.query_one("#block-days", Input).value,
            reason=self.query_one("#block-reason", Input).value,
        )

    def _say(self, markup: str) -> None:
        self.query_one("#block-message", Static).update(markup)

    @on(Input.Submitted)
    @on(Button.Pressed, "#block-propose")
    def action_propose(self) -> None:
        from nextcars_tui.services.blocks import propose

        request = self.form_request()
        self._say("[$text-muted]Looking for the bookings this block affects…[/]")
        self.call_service(
            propose,
            self.desk,
            self.actor,
            request,
            reply=partial(self.Proposed, request),
            group="propose",
        )

    @on(Proposed)
    def _proposed(self, message: Proposed) -> None:
        self.proposal = message.proposal
        self._show_proposal()

    def _show_proposal(self) -> None:
        proposal = self.proposal
        table = self.query_one("#block-affected", FittedTable)
        if proposal is None:
            table.show(_AFFECTED_COLUMNS, [])
            return
        rows: list[tuple[str, dict[str, object]]] = [
            (
                move.booking,
                {
                    "booking": move.booking,
                    "dates": span(move.start, move.end),
                    "customer": move.customer,
                    "from": move.from_key,
                    "to": move_to_text(move),
                },
            )
            for move in proposal.moves
        ]
        table.show(_AFFECTED_COLUMNS, rows)
        what = f"{proposal.request.resource.strip().upper()}"
        if not proposal.moves:
            self._say(f"No bookings are affected: Apply blocks {escape(what)} (Ctrl+S).")
        elif proposal.stuck:
            # A car for a party on the job sheet must seat it: say so, it is often why.
            seats = str(proposal.request.kind) == "car"
            refs = ", ".join(
                f"{move.booking} (a party of {move.passengers})"
                if seats and move.passengers
                else move.booking
                for move in proposal.stuck
            )
            self._say(
                f"[$error]Stuck: no free replacement for {refs}.[/] Choose one (Enter on its "
                "row) or change the dates; the block cannot be applied as it is."
            )
        else:
            self._say(
                f"{len(proposal.moves)} booking(s) move as shown (Enter on a row to choose "
                "another); Ctrl+S applies the block and every move together."
            )

    # -- choosing another replacement ------------------------------------------------

    @on(DataTable.RowSelected, "#block-affected")
    def _choose_other(self, event: DataTable.RowSelected) -> None:
        from nextcars_tui.services.availability import available

        move = self._move(event.row_key.value)
        if move is None:
            return
        self.call_service(
            available,
            self.desk,
            self.actor,
            move.start,
            (move.end - move.start).days,
            reply=partial(self.FreeLoaded, move.booking),
            group="free",
        )

    def _move(self, ref: str | None) -> Reassignment | None:
        if self.proposal is None:
            return None
        return next((m for m in self.proposal.moves if m.booking == ref), None)

    @on(FreeLoaded)
    def _free_loaded(self, message: FreeLoaded) -> None:
        move = self._move(message.booking)
        if move is None or self.proposal is None:
            return
        kind = str(self.proposal.request.kind)
        # Another affected booking's move already takes that one for overlapping days.
        taken = {
            m.to
            for m in self.proposal.moves
            if m.booking != move.booking
            and m.to
            and spans_overlap(m.start, m.end, move.start, move.end)
        }
        money = self.desk.money
        if kind == "car":
            cars = [c for c in message.free.cars if c.plate not in taken | {move.from_key}]
            # The service refuses a car that cannot seat the party; never offer one.
            party = move.passengers or 0
            seated = [c for c in cars if c.seats >= party]
            choices = [
                (
                    c.plate,
                    f"{c.plate}  {c.make} {c.model} · {c.seats} seats · "
                    f"{money(c.daily_rate_cents)}/day",
                )
                for c in seated
            ]
            none = (
                f"No free car seats the party of {party}: the {len(cars)} free for these "
                "days have fewer seats. Escape goes back."
                if cars
                else "No other car is free for these days; Escape goes back."
            )
        else:
            choices = [
                (d.code, f"{d.code}  {d.name} · {money(d.daily_fee_cents)}/day")
                for d in message.free.drivers
                if d.code not in taken | {move.from_key}
            ]
            none = "No other driver is free for these days; Escape goes back."
        self.app.push_screen(
            ReplacementDialog(move, choices, none), partial(self._replacement_chosen, move)
        )

    def _replacement_chosen(self, move: Reassignment, key: str | None) -> None:
        if key is None or self.proposal is None:
            return
        moves = [
            replace(m, to=key, to_label=None) if m.booking == move.booking else m
            for m in self.proposal.moves
        ]
        self.proposal = Proposal(self.proposal.request, moves)
        self._show_proposal()

    # -- applying ----------------------------------------------------------------------

    @on(Button.Pressed, "#block-apply")
    def action_apply(self) -> None:
        from nextcars_tui.services.blocks import block

        if self._applying:
            return
        request = self.form_request()
        if self.proposal is None or self.proposal.request != request:
            # Never apply moves the clerk has not seen: show them first.
            self.action_propose()
            return
        self._applying = True
        self.query_one("#block-apply", Button).disabled = True
        self._say("Applying…")
        self.call_service(
            partial(block, reassign=True, chosen=self.proposal.chosen),
            self.desk,
            self.actor,
            request,
            reply=self.Applied,
            group="apply",
        )

    @on(Applied)
    def _applied(self, message: Applied) -> None:
        self._applying = False
        self.query_one("#block-apply", Button).disabled = False
        made = message.result.block
        moved = ", ".join(f"{m.booking} → {m.to}" for m in message.result.reassigned)
        self.notify(
            f"{made.ref}: {made.resource} {span(made.start, made.end)} ({made.reason})"
            + (f"; moved {moved}" if moved else ""),
            title="Blocked",
            markup=False,
        )
        self.proposal = None
        self._show_proposal()
        self._say("")
        self.query_one("#block-reason", Input).value = ""
        self.app.data_changed()

    # -- blocks in force ----------------------------------------------------------------

    def reload(self) -> None:
        from nextcars_tui.services.blocks import list_blocks

        self.call_service(
            list_blocks, self.desk, self.actor, reply=self.BlocksLoaded, group="blocks"
        )

    @on(BlocksLoaded)
    def _blocks_loaded(self, message: BlocksLoaded) -> None:
        self._blocks = {b.ref: b for b in message.blocks}
        this_year = self.desk.today().year
        rows: list[tuple[str, dict[str, object]]] = [
            (
                b.ref,
                {
                    "ref": b.ref,
                    "what": f"{b.resource} {b.resource_name}",
                    "dates": span(b.start, b.end, this_year),
                    "reason": b.reason,
                    "by": b.created_by,
                },
            )
            for b in message.blocks
        ]
        self.query_one("#block-list", FittedTable).show(_BLOCK_COLUMNS, rows)
        self.query_one("#blocks-title", Static).update(f"Blocks in force ({len(rows)})")

    def action_remove(self) -> None:
        table = self.query_one("#block-list", FittedTable)
        if table.row_count == 0:
            self.notify("There are no blocks to remove.", severity="warning")
            return
        ref = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        found = self._blocks.get(ref or "")
        if found is None:
            return
        message = (
            f"{found.resource} {found.resource_name}, {span(found.start, found.end)}: "
            f"{found.reason}. It stays in the history; the {found.kind.value} is free again."
        )
        self.app.push_screen(
            ConfirmRunDialog(f"Remove block {found.ref}?", escape(message), go_label="Remove"),
            partial(self._remove_answered, found.ref),
        )

    def _remove_answered(self, ref: str, go: bool | None) -> None:
        from nextcars_tui.services.blocks import unblock

        if go:
            self.call_service(
                unblock, self.desk, self.actor, ref, reply=self.Removed, group="unblock"
            )

    @on(Removed)
    def _removed(self, message: Removed) -> None:
        self.notify(f"{message.block.ref} removed.", title="Unblocked")
        self.app.data_changed()

    # -- refusals ----------------------------------------------------------------------

    def service_failed(self, group: str, error: DeskError) -> None:
        """Said in place, in the service's words; the form keeps what was typed."""
        if group == "apply":
            self._applying = False
            self.query_one("#block-apply", Button).disabled = False
        self._say(f"[$error]{escape(error.message)}[/]")
        if isinstance(error, InvalidInput) and error.field in _FORM_FIELDS:
            self.query_one(_FORM_FIELDS[error.field], Input).focus()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()


class ReplacementDialog(DeskDialog[Any]):
    """Another free car or driver for one disrupted booking, each with what it is chosen by
    (a car's model, seats and rate; a driver's name and fee); closes with its plate or code.
    With nothing to offer it says why (`none`): nothing free, or nothing with the seats."""

    AUTO_FOCUS = "#replacement-options"

    def __init__(self, move: Reassignment, choices: list[tuple[str, str]], none: str) -> None:
        super().__init__()
        self.move = move
        self.choices = choices
        self.none = none

    def compose(self) -> ComposeResult:
        move = self.move
        with Vertical(classes="dialog", id="replacement-dialog"):
            yield Static(
                f"Move {move.booking} ({span(move.start, move.end)}, {escape(move.customer)}) to",
                classes="dialog-title",
            )
            if self.choices:
                yield OptionList(
                    *(Option(Text(label), id=key) for key, label in self.choices),
                    id="replacement-options",
                )
            else:
                yield Static(self.none, id="replacement-options", markup=False)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
