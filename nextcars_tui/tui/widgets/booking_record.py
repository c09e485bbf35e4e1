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
from nextcars_tui.domain.ledger import (
    CancelOutcome,
    effect_on_balance,
    let_off_words,
)
from nextcars_tui.domain.pricing import Quote
from nextcars_tui.domain.statuses import InvoiceStatus, status_words
from nextcars_tui.tui.formatting import span, status_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from nextcars_tui.services.views import AuditView, BookingView, EntryView, InvoiceView


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


def cancel_refusal(booking: BookingView, today: date) -> str | None:
    """Why this booking cannot be cancelled, or None when it can."""
    return rules.cancel_refusal(booking.ref, booking.status, booking.start, today)


def confirm_refusal(booking: BookingView) -> str | None:
    """Why this booking cannot be confirmed, or None while it is pending."""
    return rules.confirm_refusal(booking.ref, booking.status)


def cancel_consequence(
    booking: BookingView, outcome: CancelOutcome, money: Callable[[int], str]
) -> str:
    """What cancelling does to the invoice, in the clerk's words, before it is done: the
    figures the ledger will hold afterwards (domain.ledger.cancel_outcome)."""
    terms = outcome.terms
    if terms.fee_cents:
        fee = (
            f"Cancelling now is less than {terms.notice_hours} h before the start: a fee of "
            f"{money(terms.fee_cents)} ({terms.fee_percent}% of {money(booking.total_cents)}) "
            "is charged."
        )
    else:
        let_off = let_off_words(terms, money)
        fee = f"No cancellation fee: {let_off}." if let_off else "No cancellation fee."
    if outcome.owed_back_cents:
        owed = f"{money(outcome.owed_back_cents)} paid will be owed back (refund due)."
    elif outcome.owed_cents:
        owed = f"{money(outcome.owed_cents)} will be owed."
    else:
        owed = "nothing will be owed either way."
    return f"{fee} Invoice {booking.invoice.ref} becomes {status_words(outcome.status)}: {owed}"


def balance_words(invoice: InvoiceView, money: Callable[[int], str]) -> str:
    """'£288.00 owed (partly paid)', '£50.00 owed back (refund due)', 'nothing owed (paid)'."""
    balance = invoice.balance_cents
    if balance > 0:
        owed = f"{money(balance)} owed"
    elif balance < 0:
        owed = f"{money(-balance)} owed back"
    else:
        owed = "nothing owed"
    return f"{owed} ({status_words(invoice.status)})"


def after_cancel(booking: BookingView, money: Callable[[int], str]) -> str:
    """What a cancellation did, said once it is done: the fee kept, what is owed either way.
    The charges were reversed, so what the invoice is for now is the fee."""
    invoice = booking.invoice
    fee = f"a fee of {money(invoice.amount_cents)}" if invoice.amount_cents else "no fee"
    return f"{booking.ref} is cancelled with {fee}; {invoice.ref}: {balance_words(invoice, money)}."


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


_STATE = {
    InvoiceStatus.UNPAID: "Owed: payment can be taken (t).",
    InvoiceStatus.PARTLY_PAID: "Part paid: more can be taken (t).",
    InvoiceStatus.OVERDUE: "Overdue: payment can be taken (t).",
    InvoiceStatus.PAID: "Paid in full: nothing to take.",
    InvoiceStatus.REFUND_DUE: "Refund due: money is owed back (f to refund).",
    InvoiceStatus.VOID: "Void (cancelled): nothing to take.",
    InvoiceStatus.REFUNDED: "Refunded (cancelled): nothing to take.",
}


def invoice_card(
    invoice: InvoiceView, money: Callable[[int], str], zone: ZoneInfo, *, issued: bool = False
) -> RenderableType:
    """The invoice's figures: what it is for, what was paid, and what is still owed (or owed
    back); its entries are in the statement beside it."""
    title = Text.assemble(
        (invoice.ref, "bold"),
        "  ",
        status_text(invoice.status.value),
        f"  {money(invoice.amount_cents)}",
    )
    lines = Table.grid(padding=(0, 1))
    lines.add_column()
    lines.add_column(no_wrap=True)
    if issued:
        lines.add_row("Issued", long_date(invoice.issued_at.astimezone(zone).date()))
    lines.add_row("Due", long_date(invoice.due))
    lines.add_row("Paid", money(invoice.paid_cents))
    owed = "Refund due" if invoice.balance_cents < 0 else "Balance"
    lines.add_row(Text(owed, "bold"), Text(money(abs(invoice.balance_cents)), "bold"))
    return Group(title, lines, Text(_STATE[invoice.status], style="italic"))


def _entry_time(moment: datetime, zone: ZoneInfo, year: int) -> str:
    """'30 Nov 09:00', with the year only when it is not this one."""
    here = moment.astimezone(zone)
    shown = f"{here.day} {here:%b}" if here.year == year else f"{here.day} {here:%b %Y}"
    return f"{shown} {here:%H:%M}"


def _what(entry: EntryView) -> Text:
    what = Text(entry.description)
    if entry.method:
        what.append(f" by {entry.method}")
    if entry.reason:
        what.append(f" ({entry.reason})", "italic")
    return what


class StatementTable:
    """An invoice's entries, oldest first: when, who, what, how each moved the balance and
    the balance after it. Where the line is too narrow for all of that, who and when go
    beneath the entry; the figures are never wrapped or cut."""

    # Room for when, who, a short entry and two figures side by side.
    WIDE = 64

    def __init__(
        self, entries: list[EntryView], money: Callable[[int], str], zone: ZoneInfo, year: int
    ) -> None:
        self.entries = entries
        self.money = money
        self.zone = zone
        self.year = year

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.entries:
            yield Text("No entries yet.", style="italic")
            return
        wide = options.max_width >= self.WIDE
        rows: list[list[Text]] = []
        for entry in self.entries:
            change = effect_on_balance(entry.kind, entry.amount_cents)
            amount = Text(self.money(change), "bold" if entry.moves_money else "")
            balance = Text(self.money(entry.balance_after_cents))
            when = _entry_time(entry.at, self.zone, self.year)
            what = _what(entry)
            if wide:
                rows.append([Text(when), Text(entry.by), what, amount, balance])
            else:
                what.append(f"\n{when} · {entry.by}", "dim")
                rows.append([what, amount, balance])
        headers = ["When", "Who", "Entry", "Amount", "Balance"][-len(rows[0]) :]
        widths = [
            max(len(header), *(line.cell_len for row in rows for line in row[i].split()))
            for i, header in enumerate(headers)
        ]
        entry_at = headers.index("Entry")
        # The entry takes what the other columns leave (each column pads one space), so
        # Rich never narrows a figure; only the entry wraps. Sized to its content, so on
        # a wide screen the figures stay beside their entries.
        others = sum(w for i, w in enumerate(widths) if i != entry_at) + len(widths)
        entry_width = max(8, min(widths[entry_at], options.max_width - others))
        table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 1, 0, 0))
        for header, width in zip(headers, widths, strict=True):
            if header == "Entry":
                table.add_column(header, width=entry_width, overflow="fold")
            elif header in ("Amount", "Balance"):
                table.add_column(header, justify="right", no_wrap=True, width=width)
            else:
                table.add_column(header, no_wrap=True, width=width)
        for row in rows:
            table.add_row(*row)
        yield table


def booking_summary_card(booking: BookingView, money: Callable[[int], str]) -> RenderableType:
    """One card that says which booking an invoice bills."""
    lines = Table.grid(padding=(0, 1))
    lines.add_column()
    lines.add_column()
    lines.add_row(Text(booking.ref, "bold"), status_text(booking.status.value))
    # Stored text as Text, never a str: a Rich table reads a str cell as markup.
    lines.add_row("Customer", Text(booking.customer_name))
    lines.add_row("", Text(booking.customer_email))
    lines.add_row("Car", Text(f"{booking.car_plate} {booking.car_name}"))
    lines.add_row("Driver", Text(f"{booking.driver_code} {booking.driver_name}"))
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
    """The audit entries of a booking and its invoice, newest first (what just happened is
    what a clerk looks for): a table where there is room for one line an entry, otherwise two
    lines an entry with the detail below."""

    WIDE = 110

    def __init__(self, history: list[AuditView], zone: ZoneInfo) -> None:
        # The services give the record in the order it was written.
        self.history = history[::-1]
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
                    Text(entry.actor),
                    Text(entry.action, "bold"),
                    entry.ref,
                    Text(entry.detail),
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
