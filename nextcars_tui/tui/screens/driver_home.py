"""A driver's home: their own assignments, today first — plain text that fits 80×24 over SSH."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from nextcars_tui.domain.dates import on_day
from nextcars_tui.domain.roles import Permission
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.formatting import short_date, status_text
from nextcars_tui.tui.stylesheets import DESK_CSS
from nextcars_tui.tui.widgets.booking_record import long_date
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.job_sheet import job_lines
from nextcars_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from nextcars_tui.services.listings import Assignments
    from nextcars_tui.services.views import DriverJobView

_SECTIONS = (
    ("today", "Today", "Nothing today."),
    ("upcoming", "Upcoming", "Nothing booked ahead."),
    ("recent", "Last 30 days", "Nothing in the last 30 days."),
)


def _where_in_rental(booking: DriverJobView, today: date) -> str:
    if booking.start == today and booking.last_day == today:
        return "pickup and return today"
    if booking.start == today:
        return "pickup today"
    if booking.last_day == today:
        return "returns today"
    return f"day {(today - booking.start).days + 1} of {booking.days}"


def assignment_text(booking: DriverJobView, today: date) -> Text:
    """A few lines a driver can read at a glance, the pickup time first; where to and for how
    many, then the notes, when the job sheet says. They wrap rather than cut anything off."""
    days = "1 day" if booking.days == 1 else f"{booking.days} days"
    text = Text()
    if booking.pickup_time:
        text.append(f"{booking.pickup_time} ", style="bold reverse")
        text.append(" ")
    text.append(booking.ref, style="bold")
    # A one-day job names its day once: the line stays within 80 columns.
    when = (
        short_date(booking.start)
        if booking.days == 1
        else f"{short_date(booking.start)} → {short_date(booking.last_day)}"
    )
    text.append(f"  {when} ({days})  ")
    text.append_text(status_text(booking.status.value))
    if on_day(booking.start, booking.end, today):
        text.append(f"  {_where_in_rental(booking, today)}", style="italic")
    text.append("\n    ")
    text.append(booking.car_plate, style="bold")
    text.append(f" {booking.car_name} · ")
    text.append(booking.customer_name, style="bold")
    text.append(f" · {booking.customer_phone}")
    job = job_lines(booking)
    if job is not None:
        for line in job.split("\n"):
            text.append("\n    ")
            text.append_text(line)
    return text


class AssignmentList(OptionList):
    """A section's jobs; Enter (shown in the footer) opens the highlighted one."""

    BINDINGS: ClassVar = [Binding("enter", "select", "Open job")]


class DriverHomeScreen(DeskScreen):
    """Read-only; the service gives only the signed-in driver's own bookings."""

    BINDINGS: ClassVar = [
        Binding("enter", "open_job", "Open job", show=False),
        Binding("r", "refresh", "Refresh"),
        Binding("ctrl+o", "app.sign_out", "Sign out"),
    ]

    class AssignmentsLoaded(Message):
        def __init__(self, work: Assignments) -> None:
            super().__init__()
            self.work = work

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Loading your assignments…", id="driver-summary", classes="status-line")
        with VerticalScroll(id="assignments"):
            for key, title, _empty in _SECTIONS:
                yield Static(title, id=f"{key}-title", classes="section-title")
                yield AssignmentList(id=f"{key}-list", classes="assignment-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._bookings: dict[str, DriverJobView] = {}
        super().on_mount()
        self.query_one("#today-list", OptionList).focus()

    def reload(self) -> None:
        from nextcars_tui.services.listings import my_assignments

        self.call_service(
            my_assignments, self.desk, self.actor, reply=self.AssignmentsLoaded, group="assignments"
        )

    @on(AssignmentsLoaded)
    def _show(self, message: AssignmentsLoaded) -> None:
        work = message.work
        today = self.desk.today()
        for key, title, empty in _SECTIONS:
            bookings: list[DriverJobView] = getattr(work, key)
            self.query_one(f"#{key}-title", Static).update(f"{title} ({len(bookings)})")
            listed = self.query_one(f"#{key}-list", OptionList)
            highlighted = listed.highlighted_option
            listed.set_options(
                [Option(assignment_text(b, today), id=b.ref) for b in bookings]
                or [Option(Text(empty, style="dim"), disabled=True)]
            )
            refs = [b.ref for b in bookings]
            if highlighted is not None and highlighted.id in refs:
                listed.highlighted = refs.index(highlighted.id)
            elif refs:
                listed.highlighted = 0
            self._bookings.update({b.ref: b for b in bookings})
        everything = [*work.today, *work.upcoming, *work.recent]
        who = (
            f"{everything[0].driver_name} ({everything[0].driver_code})"
            if everything
            else self.actor.username
        )
        self.query_one("#driver-summary", Static).update(
            f"{escape(who)} · {len(work.today)} today · "
            f"{len(work.upcoming)} upcoming · {len(work.recent)} in the last 30 days"
        )

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        self._open_ref(event.option.id)

    def action_open_job(self) -> None:
        """Enter with no list focused: the highlighted job of the first list that has one."""
        for key, _title, _empty in _SECTIONS:
            option = self.query_one(f"#{key}-list", OptionList).highlighted_option
            if option is not None and not option.disabled:
                self._open_ref(option.id)
                return

    def _open_ref(self, ref: str | None) -> None:
        booking = self._bookings.get(ref or "")
        if booking is not None:
            self.app.push_screen(AssignmentDialog(booking, self.desk.today()))

    def action_refresh(self) -> None:
        self.reload()


class AssignmentDialog(ModalScreen[None]):
    """One of the driver's own jobs, with what a driver needs for it: the car, who to
    collect and how to call them, the days and where the rental stands. Payments and the
    booking's history are the office's business and are not shown."""

    REQUIRED: ClassVar[Permission | None] = Permission.VIEW_OWN_ASSIGNMENTS
    CSS_PATH: ClassVar = DESK_CSS
    BINDINGS: ClassVar = [Binding("escape,enter,q", "dismiss", "Close")]

    def __init__(self, booking: DriverJobView, today: date) -> None:
        super().__init__()
        self.booking = booking
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="assignment-dialog"):
            yield Static(job_text(self.booking, self.today), id="assignment-body")


def job_text(booking: DriverJobView, today: date) -> Text:
    """The job card: ref and status, then a label and a value a line."""
    days = "1 day" if booking.days == 1 else f"{booking.days} days"
    text = Text.assemble((booking.ref, "bold"), "  ", status_text(booking.status.value))
    if on_day(booking.start, booking.end, today):
        text.append(f"  {_where_in_rental(booking, today)}", style="italic")
    rows = (
        ("Car", f"{booking.car_plate} {booking.car_name}"),
        ("Customer", booking.customer_name),
        ("Phone", booking.customer_phone),
        ("Pick-up", long_date(booking.start)),
        ("Last day", f"{long_date(booking.last_day)} ({days})"),
        ("Car back", long_date(booking.end)),
        ("Time", booking.pickup_time or "—"),
        ("Pick up at", booking.pickup or "—"),
        ("Drop off", booking.dropoff or "—"),
        ("Passengers", "—" if booking.passengers is None else str(booking.passengers)),
        ("Notes", booking.notes or "—"),
    )
    for label, value in rows:
        text.append(f"\n{label:<11}", style="bold")
        text.append(value)
    text.append("\n\nEsc closes.", style="dim")
    return text
