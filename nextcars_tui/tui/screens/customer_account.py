"""A customer's account for the desk: contact (staff edit it here), every booking and every
invoice, what the customer owes and what is owed back to them (the service's figures,
domain.ledger.customer_balance; nothing is summed here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from nextcars_tui.domain.errors import DeskError
from nextcars_tui.domain.roles import Permission
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.dialogs.record_form import RecordFormDialog, Values, changed_only
from nextcars_tui.tui.formatting import count
from nextcars_tui.tui.screens.fleet import customer_fields
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
    from nextcars_tui.services.customers import CustomerAccount
    from nextcars_tui.services.fleet import CustomerView


# Both tab keys share one footer entry ("b i Tabs"), so Back and Help show whole at 80 columns.
_TAB_KEYS = Binding.Group("Tabs")


class CustomerAccountScreen(DeskScreen):
    """One customer, by e-mail: Enter on a booking or an invoice opens it."""

    BINDINGS: ClassVar = [
        Binding("e", "edit", "Edit contact"),
        Binding("n", "new_booking", "Book for them"),
        Binding("b", "show('bookings')", "Bookings", group=_TAB_KEYS),
        Binding("i", "show('invoices')", "Invoices", group=_TAB_KEYS),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("escape", "back", "Back"),
    ]

    class AccountLoaded(Message):
        def __init__(self, account: CustomerAccount) -> None:
            super().__init__()
            self.account = account

    def __init__(self, email: str) -> None:
        super().__init__()
        self.email = email
        self.account: CustomerAccount | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static(
            f"{escape(self.email)} · loading…", classes="screen-title", id="account-heading"
        )
        yield Static("", id="account-summary")
        with TabbedContent(id="account-tabs"):
            with TabPane("Bookings", id="tab-account-bookings"):
                yield FittedTable(id="account-bookings")
            with TabPane("Invoices", id="tab-account-invoices"):
                yield FittedTable(id="account-invoices")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        # Arrows and Enter work on the bookings straight away.
        self.query_one("#account-bookings", DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return self.account is not None and self.actor.can(Permission.EDIT_CUSTOMERS)
        if action == "new_booking":
            return (
                self.account is not None
                and not self.account.customer.retired
                and self.actor.can(Permission.BOOK)
            )
        return True

    def reload(self) -> None:
        from nextcars_tui.services.customers import customer_account

        self.call_service(
            customer_account,
            self.desk,
            self.actor,
            self.email,
            reply=self.AccountLoaded,
            group="account",
        )

    def service_failed(self, group: str, error: DeskError) -> None:
        if group == "account":
            self.query_one("#account-heading", Static).update(escape(error.message))
            return
        super().service_failed(group, error)

    @on(AccountLoaded)
    def _show(self, message: AccountLoaded) -> None:
        account = self.account = message.account
        person, balance, money = account.customer, account.balance, self.desk.money
        self.email = person.email
        marks = (" · [b]retired[/]: no new bookings" if person.retired else "") + (
            " · no reminders" if person.no_reminders else ""
        )
        self.query_one("#account-heading", Static).update(
            f"{escape(person.name)} · {escape(person.email)} · {escape(person.phone)}{marks}"
        )
        overdue = (
            f" · [b red]{count(balance.overdue_invoices, 'overdue invoice')}: "
            f"{money(balance.overdue_cents)}[/]"
            if balance.overdue_invoices
            else ""
        )
        owed_back = (
            f" · [b]{money(balance.owed_back_cents)} owed back[/]"
            if balance.owed_back_cents
            else " · nothing owed back"
        )
        self.query_one("#account-summary", Static).update(
            f"{count(len(account.bookings), 'booking')} · "
            f"{count(len(account.invoices), 'invoice')} · owes "
            f"[b]{money(balance.owed_cents)}[/]{overdue}{owed_back}"
        )
        self.query_one("#account-bookings", FittedTable).show(
            BOOKING_COLUMNS,
            booking_rows(account.bookings, money),
        )
        self.query_one("#account-invoices", FittedTable).show(
            INVOICE_COLUMNS,
            invoice_rows(account.invoices, money),
        )
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#account-bookings")
    def _open_booking(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_screen("booking", ref=event.row_key.value)

    @on(DataTable.RowSelected, "#account-invoices")
    def _open_invoice(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_screen("invoice", ref=event.row_key.value)

    def action_show(self, which: str) -> None:
        self.query_one("#account-tabs", TabbedContent).active = f"tab-account-{which}"
        self.query_one(f"#account-{which}", DataTable).focus()

    def action_edit(self) -> None:
        """Name, phone and reminders; the e-mail is the customer's key and stays."""
        from nextcars_tui.services.fleet import update_customer

        if self.account is None:
            return
        customer = self.account.customer
        fields = customer_fields(customer)
        before = {field.name: field.value for field in fields}
        desk, actor = self.desk, self.actor

        def save(values: Values) -> CustomerView:
            return update_customer(desk, actor, customer.email, **changed_only(before, values))

        self.app.push_screen(
            RecordFormDialog(f"Edit customer {customer.email}", fields, save), self._saved
        )

    def _saved(self, record: Any) -> None:
        if record is not None:
            self.notify(f"Saved {record.email}.", title="Customer", markup=False)
            self.reload()

    def action_new_booking(self) -> None:
        self.app.open_screen("new-booking", customer=self.email)

    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
