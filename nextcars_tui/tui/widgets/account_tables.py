"""The bookings and invoices of one customer as table rows: the customer's own home and the
staff's customer account show the same columns, so a figure reads the same on both."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from nextcars_tui.tui.formatting import money_cell, short_date, span, status_text
from nextcars_tui.tui.widgets.record_table import TableColumn

if TYPE_CHECKING:
    from nextcars_tui.services.views import BookingView, InvoiceView

Rows = list[tuple[str, dict[str, Any]]]

BOOKING_COLUMNS = (
    TableColumn("ref", "Ref"),
    TableColumn("dates", "Dates"),
    TableColumn("car", "Car", shrink=8),
    TableColumn("total", "Total"),
    TableColumn("booking", "Booking"),
    TableColumn("payment", "Payment"),
)
# What each invoice is for, what was paid and what is still owed (negative: owed back).
INVOICE_COLUMNS = (
    TableColumn("invoice", "Invoice"),
    TableColumn("booking", "Booking", drop=1),
    TableColumn("amount", "Amount"),
    TableColumn("paid", "Paid"),
    TableColumn("balance", "Balance"),
    TableColumn("due", "Due"),
    TableColumn("payment", "Payment"),
)


def booking_rows(bookings: Iterable[BookingView], money: Callable[[int], str]) -> Rows:
    """One row a booking, keyed by its ref."""
    return [
        (
            b.ref,
            {
                "ref": b.ref,
                "dates": span(b.start, b.end),
                "car": b.car_name,
                "total": money_cell(money(b.total_cents)),
                "booking": status_text(b.status.value),
                "payment": status_text(b.invoice.status.value),
            },
        )
        for b in bookings
    ]


def invoice_rows(invoices: Iterable[InvoiceView], money: Callable[[int], str]) -> Rows:
    """One row an invoice, keyed by its ref."""
    return [
        (
            invoice.ref,
            {
                "invoice": invoice.ref,
                "booking": invoice.booking_ref,
                "amount": money_cell(money(invoice.amount_cents)),
                "paid": money_cell(money(invoice.paid_cents)),
                "balance": money_cell(money(invoice.balance_cents)),
                "due": short_date(invoice.due),
                "payment": status_text(invoice.status.value),
            },
        )
        for invoice in invoices
    ]
