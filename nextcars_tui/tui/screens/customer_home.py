"""A customer's home: their own bookings and invoices, with what is paid and what is owed."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from nextcars_tui.domain.roles import Actor
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.formatting import count, short_date
from nextcars_tui.tui.widgets.account_tables import (
    BOOKING_COLUMNS,
    INVOICE_COLUMNS,
    booking_rows,
    invoice_rows,
)
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter
from nextcars_tui.tui.widgets.record_table import FittedTable

if TYPE_CHECKING:
    from nextcars_tui.domain.ledger import CustomerBalance
    from nextcars_tui.services.desk import Desk
    from nextcars_tui.services.views import BookingView, InvoiceView, Page


Own = tuple[list["BookingView"], "Page[InvoiceView]", "CustomerBalance"]


def load_own(desk: Desk, actor: Actor) -> Own:
    """Both lists and the balance in one worker; the services return only the signed-in
    customer's rows, and the balance is theirs (domain.ledger.customer_balance)."""
    from nextcars_tui.services.billing import list_invoices
    from nextcars_tui.services.customers import own_balance
    from nextcars_tui.services.listings import my_bookings

    return my_bookings(desk, actor), list_invoices(desk, actor), own_balance(desk, actor)


class CustomerHomeScreen(DeskScreen):
    """Read-only; nothing here can show another customer's bookings."""

    BINDINGS: ClassVar = [
        Binding("b", "show('bookings')", "Bookings"),
        Binding("i", "show('invoices')", "Invoices"),
        Binding("r", "refresh", "Refresh"),
        Binding("ctrl+o", "app.sign_out", "Sign out"),
    ]

    class OwnLoaded(Message):
        def __init__(self, own: Own) -> None:
            super().__init__()
            self.own = own

    def __init__(self) -> None:
        super().__init__()
        self._bookings: dict[str, BookingView] = {}

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Loading your bookings…", id="customer-summary", classes="status-line")
        with TabbedContent(id="customer-tabs"):
            with TabPane("Bookings", id="tab-my-bookings"):
                yield FittedTable(id="my-bookings")
            with TabPane("Invoices", id="tab-my-invoices"):
                yield FittedTable(id="my-invoices")
        yield Static("", id="booking-line", classes="status-line")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#my-bookings", DataTable).focus()

    def reload(self) -> None:
        self.call_service(load_own, self.desk, self.actor, reply=self.OwnLoaded, group="own")

    @on(OwnLoaded)
    def _show(self, message: OwnLoaded) -> None:
        bookings, invoices, balance = message.own
        money = self.desk.money
        self.query_one("#my-bookings", FittedTable).show(
            BOOKING_COLUMNS,
            booking_rows(bookings, money),
        )
        self._bookings = {b.ref: b for b in bookings}
        self.query_one("#my-invoices", FittedTable).show(
            INVOICE_COLUMNS,
            invoice_rows(invoices.items, money),
        )
        name = bookings[0].customer_name if bookings else self.actor.username
        owed_text = (
            f"{money(balance.owed_cents)} owed on {count(balance.owing_invoices, 'invoice')}"
            if balance.owed_cents
            else "nothing owed"
        )
        overdue, owed_back = balance.overdue_invoices, balance.owed_back_cents
        self.query_one("#customer-summary", Static).update(
            f"{escape(name)} · {count(len(bookings), 'booking')} · {owed_text}"
            + (f" · {overdue} overdue" if overdue else "")
            + (f" · {money(owed_back)} to be refunded to you" if owed_back else "")
        )

    @on(DataTable.RowHighlighted, "#my-bookings")
    def _describe(self, event: DataTable.RowHighlighted) -> None:
        booking = self._bookings.get(event.row_key.value or "")
        if booking is None:
            return
        invoice = booking.invoice
        self.query_one("#booking-line", Static).update(
            f"{booking.ref} · car {escape(booking.car_plate)} · "
            f"driver {escape(booking.driver_name)} · "
            f"invoice {invoice.ref} due {short_date(invoice.due)}"
        )

    def action_show(self, which: str) -> None:
        self.query_one("#customer-tabs", TabbedContent).active = f"tab-my-{which}"
        self.query_one(f"#my-{which}", DataTable).focus()

    def action_refresh(self) -> None:
        self.reload()
