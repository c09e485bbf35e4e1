"""A driver's home: their own assignments, today first — plain text that fits 80×24 over SSH."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Static

from nextcars_tui.domain.roles import Permission
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.formatting import short_date, status_text

if TYPE_CHECKING:
    from nextcars_tui.services.listings import Assignments
    from nextcars_tui.services.views import BookingView

_SECTIONS = (
    ("today", "Today", "Nothing today."),
    ("upcoming", "Upcoming", "Nothing booked ahead."),
    ("recent", "Last 30 days", "Nothing in the last 30 days."),
)


def _where_in_rental(booking: BookingView, today: date) -> str:
    if booking.start == today and booking.last_day == today:
        return "pickup and return today"
    if booking.start == today:
        return "pickup today"
    if booking.last_day == today:
        return "returns today"
    return f"day {(today - booking.start).days + 1} of {booking.days}"


def assignment_text(booking: BookingView, today: date) -> Text:
    """Two lines a driver can read at a glance; they wrap rather than cut anything off."""
    days = "1 day" if booking.days == 1 else f"{booking.days} days"
    text = Text()
    text.append(booking.ref, style="bold")
    text.append(f"  {short_date(booking.start)} → {short_date(booking.last_day)} ({days})  ")
    text.append_text(status_text(booking.status.value))
    if booking.start <= today <= booking.last_day:
        text.append(f"  {_where_in_rental(booking, today)}", style="italic")
    text.append("\n    ")
    text.append(booking.car_plate, style="bold")
    text.append(f" {booking.car_name} · ")
    text.append(booking.customer_name, style="bold")
    text.append(f" · {booking.customer_phone}")
    return text


class DriverHomeScreen(DeskScreen):
    """Read-only; the service gives only the signed-in driver's own bookings."""

    REQUIRED: ClassVar[Permission | None] = Permission.VIEW_OWN_ASSIGNMENTS
    BINDINGS: ClassVar = [
        Binding("r", "refresh", "Refresh"),
        Binding("ctrl+o", "app.sign_out", "Sign out"),
    ]

    class AssignmentsLoaded(Message):
        def __init__(self, work: Assignments) -> None:
            super().__init__()
            self.work = work

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading your assignments…", id="driver-summary", classes="status-line")
        with VerticalScroll(id="assignments"):
            for key, title, _empty in _SECTIONS:
                yield Static(title, id=f"{key}-title", classes="section-title")
                yield Static("", id=f"{key}-list", classes="assignment-list")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#assignments", VerticalScroll).focus()

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
            bookings: list[BookingView] = getattr(work, key)
            self.query_one(f"#{key}-title", Static).update(f"{title} ({len(bookings)})")
            body = (
                Text("\n\n").join(assignment_text(b, today) for b in bookings)
                if bookings
                else Text(empty, style="dim")
            )
            self.query_one(f"#{key}-list", Static).update(body)
        everything = [*work.today, *work.upcoming, *work.recent]
        who = (
            f"{everything[0].driver_name} ({everything[0].driver_code})"
            if everything
            else self.actor.username
        )
        self.query_one("#driver-summary", Static).update(
            f"{who} · {len(work.today)} today · "
            f"{len(work.upcoming)} upcoming · {len(work.recent)} in the last 30 days"
        )

    def action_refresh(self) -> None:
        self.reload()
