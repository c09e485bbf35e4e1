"""The parts of a booking's record as cards, shared by the booking and invoice screens.

Each card is plain text laid out with Rich, so it reads the same at 80 and 200 columns and
without colour. The "why not" helpers explain an action the record's state does not allow;
they only decide what the screen offers — the services still enforce every rule.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from nextcars_tui.domain import rules
from nextcars_tui.domain.pricing import Quote
from nextcars_tui.domain.statuses import InvoiceStatus, invoice_status_after_cancel
from nextcars_tui.tui.formatting import span, status_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from nextcars_tui.services.views import AuditView, BookingView, InvoiceView, PaymentView


def long_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """A moment as the desk reads it: in the business time zone, to the minute."""
    here = moment.astimezone(zone)
    return f"{here:%a} {here.day} {here:%b %Y %H:%M}"


def short_time(moment: datetime, zone: ZoneInfo) -> str:
    """'30 Nov 2026 09:00' in the business time zone: for lists, where weekdays crowd."""
    here = moment.astimezone(zone)
    return f"{here.day} {here:%b %Y %H:%M}"


def payment_refusal(invoice: InvoiceView) -> str | None:
    """Why payment cannot be taken for this invoice, or None while money is owed (the
    domain's rule, asked with what is on screen)."""
    return rules.payment_refusal(invoice.ref, invoice.status, invoice.amount_cents)


def cancel_refusal(booking: BookingView, today: date) -> str | None:
    """Why this booking cannot be cancelled, or None when it can."""
    return rules.cancel_refusal(booking.ref, booking.status, booking.end, today)


def confirm_refusal(booking: BookingView) -> str | None:
    """Why this booking cannot be confirmed, or None while it is pending."""
    return rules.confirm_refusal(booking.ref, booking.status)


def cancel_consequence(booking: BookingView) -> str:
    """What cancelling does to the invoice, in the clerk's words."""
    invoice = booking.invoice
    after = invoice_status_after_cancel(invoice.status)
    if after == invoice.status:
        return f"Invoice {invoice.ref} stays {invoice.status}."
    if after == InvoiceStatus.REFUNDED:
        return f"Invoice {invoice.ref} is paid, so it will be marked refunded."
    return f"Invoice {invoice.ref} is {invoice.status}, so it will be voided."


def customer_card(booking: BookingView) -> RenderableType:
    return Text.assemble(
        (booking.customer_name, "bold"),
        "\n",
        booking.customer_email,
        "\n",
        booking.customer_phone,
    )


def car_driver_card(booking: BookingView) -> RenderableType:
    return Text.assemble(
        (booking.car_plate, "bold"),
        f"  {booking.car_name}\n",
        (booking.driver_code, "bold"),
        f"  {booking.driver_name}\n",
        booking.driver_phone,
    )


def dates_price_card(booking: BookingView, money: Callable[[int], str]) -> RenderableType:
    days = booking.days
    dates = Text(_day(booking.start))
    if booking.last_day != booking.start:
        dates.append(f" → {_day(booking.last_day)}")
    dates.append(f" · {days} day{'s' if days != 1 else ''}", "bold")
    price = Table.grid(padding=(0, 1))
    price.add_column()
    price.add_column()
    price.add_column()
    price.add_column(justify="right")
    quote = Quote(days, booking.car_daily_rate_cents, booking.driver_daily_fee_cents)
    car, driver = quote.car_cents, quote.driver_cents
    price.add_row("Car", f"{days} × {money(booking.car_daily_rate_cents)}", "", money(car))
    price.add_row("Driver", f"{days} × {money(booking.driver_daily_fee_cents)}", "+", money(driver))
    price.add_row(Text("Total", "bold"), "", "=", Text(money(booking.total_cents), "bold"))
    return Group(dates, price)


def invoice_card(
    invoice: InvoiceView,
    payments: list[PaymentView],
    money: Callable[[int], str],
    zone: ZoneInfo,
    *,
    issued: bool = False,
) -> RenderableType:
    title = Text.assemble(
        (invoice.ref, "bold"),
        "  ",
        status_text(invoice.status.value),
        f"  {money(invoice.amount_cents)}",
    )
    lines = Table.grid(padding=(0, 1))
    lines.add_column()
    lines.add_column()
    if issued:
        lines.add_row("Issued", long_date(invoice.issued_at.astimezone(zone).date()))
    lines.add_row("Due", long_date(invoice.due))
    for payment in payments:
        lines.add_row(
            Text("Paid", "green"),
            Text(f"{money(payment.amount_cents)} by {payment.method}", "green"),
        )
        lines.add_row("", f"{short_time(payment.taken_at, zone)} · {payment.taken_by}")
    state = {
        InvoiceStatus.UNPAID: "Owed: payment can be taken (t).",
        InvoiceStatus.OVERDUE: "Overdue: payment can be taken (t).",
        InvoiceStatus.PAID: "Paid in full: nothing to take.",
        InvoiceStatus.VOID: "Void (cancelled): nothing to take.",
        InvoiceStatus.REFUNDED: "Refunded (cancelled): nothing to take.",
    }
    parts: list[RenderableType] = [title, lines, Text(state[invoice.status], style="italic")]
    return Group(*parts)


def booking_summary_card(booking: BookingView, money: Callable[[int], str]) -> RenderableType:
    """One card that says which booking an invoice bills."""
    lines = Table.grid(padding=(0, 1))
    lines.add_column()
    lines.add_column()
    lines.add_row(Text(booking.ref, "bold"), status_text(booking.status.value))
    lines.add_row("Customer", booking.customer_name)
    lines.add_row("", booking.customer_email)
    lines.add_row("Car", f"{booking.car_plate} {booking.car_name}")
    lines.add_row("Driver", f"{booking.driver_code} {booking.driver_name}")
    days = f"{booking.days} day{'s' if booking.days != 1 else ''}"
    lines.add_row("Dates", f"{span(booking.start, booking.end)} · {days}")
    lines.add_row("Total", money(booking.total_cents))
    return lines


class RecordCard(Static):
    """A bordered card with a title; its content is replaced when the record reloads."""

    DEFAULT_CSS = """
    RecordCard {
        height: auto;
        padding: 0 1;
        border: round $primary-darken-1;
        border-title-color: $primary;
        border-title-style: bold;
    }
    """

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__("…", id=id)
        self.border_title = title


class HistoryLog:
    """The audit entries of a booking and its invoice, oldest first: a table where there is
    room for one line an entry, otherwise two lines an entry with the detail below."""

    WIDE = 110

    def __init__(self, history: list[AuditView], zone: ZoneInfo) -> None:
        self.history = history
        self.zone = zone

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.history:
            yield Text("No history yet.", style="italic")
            return
        if options.max_width >= self.WIDE:
            table = Table(box=None, header_style="bold", pad_edge=False, expand=True)
            for name in ("When", "Who", "What", "Ref"):
                table.add_column(name, no_wrap=True)
            table.add_column("Detail", ratio=1)
            for entry in self.history:
                table.add_row(
                    short_time(entry.at, self.zone),
                    entry.actor,
                    Text(entry.action, "bold"),
                    entry.ref,
                    entry.detail,
                )
            yield table
            return
        for entry in self.history:
            yield Text.assemble(
                short_time(entry.at, self.zone),
                "  ",
                (entry.action, "bold"),
                f"  {entry.ref}  ",
                (entry.actor, "dim"),
            )
            if entry.detail:
                yield Padding(Text(entry.detail, style="italic"), (0, 0, 0, 2))
