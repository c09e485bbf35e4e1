"""Fleet: cars and their rates, drivers and their fees, and customers — listed, added, edited."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.markup import escape
from textual.message import Message
from textual.widgets import DataTable, Input, Static, TabbedContent, TabPane

from nextcars_tui.domain.money import cents_to_text
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.dialogs.confirm_run import ConfirmRunDialog
from nextcars_tui.tui.dialogs.record_form import FormField, RecordFormDialog, Values, changed_only
from nextcars_tui.tui.formatting import money_cell, span
from nextcars_tui.tui.messages import RecordWritten
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter
from nextcars_tui.tui.widgets.record_table import FittedTable, TableColumn

if TYPE_CHECKING:
    from nextcars_tui.services.fleet import CarView, CustomerView, DriverView
    from nextcars_tui.services.records import Check
    from nextcars_tui.services.retire import RetireCheck

_TABS = ("cars", "drivers", "customers")
_TITLES = {"cars": "Cars", "drivers": "Drivers", "customers": "Customers"}
_LIMIT = 500
# Per tab: the columns, names giving way (with "…") before rates and phones do.
_COLUMNS: dict[str, tuple[TableColumn, ...]] = {
    "cars": (
        TableColumn("0", "Plate"),
        TableColumn("1", "Car", shrink=10),
        TableColumn("2", "Seats"),
        TableColumn("3", "Daily rate"),
    ),
    "drivers": (
        TableColumn("0", "Code"),
        TableColumn("1", "Name", shrink=10),
        TableColumn("2", "Phone"),
        TableColumn("3", "Daily fee"),
    ),
    "customers": (
        TableColumn("0", "Name", shrink=10),
        TableColumn("1", "E-mail", shrink=20),
        TableColumn("2", "Phone"),
    ),
}

# What a form needs: its title, its fields, and the service call that saves it.
Form = tuple[str, list[FormField], Callable[[Values], Any]]


def _checks() -> tuple[dict[str, Check], dict[str, Check], dict[str, Check]]:
    """The services' own parsers for each field, so a form refuses exactly what they do."""
    from nextcars_tui.services.records import CAR_CHECKS, CUSTOMER_CHECKS, DRIVER_CHECKS

    return CAR_CHECKS, DRIVER_CHECKS, CUSTOMER_CHECKS


def _car_fields(car: CarView | None) -> list[FormField]:
    from nextcars_tui.domain.parsing import parse_plate

    checks = _checks()[0]
    return [
        FormField(
            "plate",
            "Plate",
            car.plate if car else "",
            "e.g. KX-204",
            read_only=bool(car),
            check=parse_plate,
        ),
        FormField("make", "Make", car.make if car else "", "e.g. Skoda", check=checks["make"]),
        FormField("model", "Model", car.model if car else "", "e.g. Superb", check=checks["model"]),
        FormField("seats", "Seats", str(car.seats) if car else "5", check=checks["seats"]),
        FormField(
            "daily_rate",
            "Daily rate",
            cents_to_text(car.daily_rate_cents) if car else "",
            "89.00",
            check=checks["daily_rate_cents"],
        ),
    ]


def _driver_fields(driver: DriverView | None) -> list[FormField]:
    from nextcars_tui.domain.parsing import parse_driver_code

    checks = _checks()[1]
    return [
        FormField(
            "code",
            "Code",
            driver.code if driver else "",
            "e.g. DRV-05",
            read_only=bool(driver),
            check=parse_driver_code,
        ),
        FormField("name", "Name", driver.name if driver else "", check=checks["name"]),
        FormField(
            "phone",
            "Phone",
            driver.phone if driver else "",
            "+44 20 7946 0100",
            check=checks["phone"],
        ),
        FormField(
            "daily_fee",
            "Daily fee",
            cents_to_text(driver.daily_fee_cents) if driver else "",
            "45.00",
            check=checks["daily_fee_cents"],
        ),
        FormField(
            "email",
            "E-mail",
            (driver.email or "") if driver else "",
            "for run sheets; blank: none",
            check=checks["email"],
        ),
    ]


def customer_fields(customer: CustomerView | None) -> list[FormField]:
    """The customer form's fields (the fleet's Customers tab, a customer's account)."""
    from nextcars_tui.domain.parsing import parse_email

    checks = _checks()[2]
    return [
        FormField(
            "email",
            "E-mail",
            customer.email if customer else "",
            "name@example.com",
            read_only=bool(customer),
            check=parse_email,
        ),
        FormField("name", "Name", customer.name if customer else "", check=checks["name"]),
        FormField(
            "phone",
            "Phone",
            customer.phone if customer else "",
            "+44 7700 900000",
            check=checks["phone"],
        ),
        FormField(
            "no_reminders",
            "No reminders",
            "yes" if customer and customer.no_reminders else "no",
            choices=("no", "yes"),
            check=checks["no_reminders"],
        ),
    ]


def _named(name: str, retired: bool) -> Text:
    """A name, marked when its car, driver or customer is retired."""
    return Text.assemble(name, (" (retired)", "dim italic") if retired else "")


def _customer_name(customer: CustomerView) -> Text:
    """A customer's name, marked when retired or sent no reminders."""
    name = _named(customer.name, customer.retired)
    if customer.no_reminders:
        name.append(" (no reminders)", "dim italic")
    return name


class FleetScreen(DeskScreen):
    """Three tabs of records; a to add, Enter or e to edit the highlighted one."""

    BINDINGS: ClassVar = [
        Binding("a", "add", "Add"),
        Binding("e", "edit", "Edit"),
        Binding("slash", "filter", "Filter"),
        Binding("1", "tab('cars')", "Cars", show=False),
        Binding("2", "tab('drivers')", "Drivers", show=False),
        Binding("3", "tab('customers')", "Customers", show=False),
        Binding("b", "block", "Block"),
        Binding("R", "retire", "Retire"),
    ]

    class ListLoaded(Message):
        """One tab's records, fetched for the filter text `text`."""

        def __init__(self, tab: str, text: str, records: list[Any]) -> None:
            super().__init__()
            self.tab = tab
            self.text = text
            self.records = records

    def __init__(self, tab: str = "cars") -> None:
        super().__init__()
        self._initial_tab = tab if tab in _TABS else "cars"
        self._cars: dict[str, CarView] = {}
        self._drivers: dict[str, DriverView] = {}
        self._customers: dict[str, CustomerView] = {}

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        with Horizontal(classes="filters"):
            yield Input(
                placeholder="Filter: plate, make, model, name, code, phone, e-mail  (/)",
                id="fleet-filter",
                compact=True,
            )
        with TabbedContent(id="fleet-tabs", initial=f"tab-{self._initial_tab}"):
            for name in _TABS:
                with TabPane(_TITLES[name], id=f"tab-{name}"):
                    yield FittedTable(id=f"fleet-{name}")
        yield Static(
            "a add · Enter/e edit · b block · R retire or reinstate · / filter · 1 2 3 tabs",
            id="fleet-status",
            classes="status-line",
        )
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self._table(self._initial_tab).focus()

    # -- loading --------------------------------------------------------------------

    def reload(self) -> None:
        from nextcars_tui.services.fleet import list_cars, list_drivers, search_customers

        text = self._filter_text()
        loaders: tuple[tuple[str, Callable[..., Any]], ...] = (
            ("cars", list_cars),
            ("drivers", list_drivers),
            ("customers", search_customers),
        )
        for name, load in loaders:
            self.call_service(
                load,
                self.desk,
                self.actor,
                text,
                _LIMIT,
                reply=partial(self.ListLoaded, name, text),
                group=f"fleet-{name}",
            )

    def _filter_text(self) -> str:
        return self.query_one("#fleet-filter", Input).value.strip()

    @on(ListLoaded)
    def _arrived(self, message: ListLoaded) -> None:
        """Show a list only if it answers the filter as it is now; a cancelled thread
        worker still finishes, so a slow answer to an older filter must not win."""
        if message.text != self._filter_text():
            return
        if message.tab == "cars":
            self._show_cars(message.records)
        elif message.tab == "drivers":
            self._show_drivers(message.records)
        else:
            self._show_customers(message.records)

    def _money(self, cents: int) -> Text:
        return money_cell(self.desk.money(cents))

    def _show_cars(self, cars: list[CarView]) -> None:
        self._cars = {car.plate: car for car in cars}
        rows = [
            (
                car.plate,
                _named(car.name, car.retired),
                Text(str(car.seats), justify="right"),
                self._money(car.daily_rate_cents),
            )
            for car in cars
        ]
        self._fill("cars", rows, list(self._cars))

    def _show_drivers(self, drivers: list[DriverView]) -> None:
        self._drivers = {driver.code: driver for driver in drivers}
        rows = [
            (d.code, _named(d.name, d.retired), d.phone, self._money(d.daily_fee_cents))
            for d in drivers
        ]
        self._fill("drivers", rows, list(self._drivers))

    def _show_customers(self, customers: list[CustomerView]) -> None:
        self._customers = {customer.email: customer for customer in customers}
        rows = [(_customer_name(c), c.email, c.phone) for c in customers]
        self._fill("customers", rows, list(self._customers))

    def _fill(self, name: str, rows: list[tuple[Any, ...]], keys: list[str]) -> None:
        table = self._table(name)
        table.show(
            _COLUMNS[name],
            [
                (key, {str(number): cell for number, cell in enumerate(row)})
                for key, row in zip(keys, rows, strict=True)
            ],
        )
        more = "+" if len(keys) >= _LIMIT else ""
        tab = self.query_one("#fleet-tabs", TabbedContent).get_tab(f"tab-{name}")
        tab.label = f"{_TITLES[name]} {len(keys)}{more}"

    # -- helpers --------------------------------------------------------------------

    def _table(self, name: str) -> FittedTable:
        return self.query_one(f"#fleet-{name}", FittedTable)

    def _active(self) -> str:
        active = self.query_one("#fleet-tabs", TabbedContent).active
        return active.removeprefix("tab-") or "cars"

    def _highlighted_key(self, name: str) -> str | None:
        table = self._table(name)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    # -- actions --------------------------------------------------------------------

    @on(Input.Changed, "#fleet-filter")
    def _filter_changed(self) -> None:
        self.reload()

    @on(Input.Submitted, "#fleet-filter")
    def _filter_done(self) -> None:
        self._table(self._active()).focus()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self._table(self._active()).focus()

    def action_filter(self) -> None:
        self.query_one("#fleet-filter", Input).focus()

    def action_tab(self, name: str) -> None:
        self.query_one("#fleet-tabs", TabbedContent).active = f"tab-{name}"

    @on(DataTable.RowSelected)
    def _row_chosen(self) -> None:
        self.action_edit()

    def action_add(self) -> None:
        self._open_form(self._active(), None)

    def action_edit(self) -> None:
        name = self._active()
        key = self._highlighted_key(name)
        if key is None:
            self.notify(f"There are no {name} to edit here.", severity="warning")
            return
        self._open_form(name, key)

    def _open_form(self, name: str, key: str | None) -> None:
        forms = {"cars": self._car_form, "drivers": self._driver_form}
        title, fields, save = forms.get(name, self._customer_form)(key)
        self.app.push_screen(RecordFormDialog(title, fields, save), self._saved)

    def _car_form(self, key: str | None) -> Form:
        from nextcars_tui.services.fleet import add_car, update_car

        desk, actor = self.desk, self.actor
        car = self._cars.get(key) if key else None
        fields = _car_fields(car)
        if car is None:

            def add(v: Values) -> CarView:
                return add_car(
                    desk, actor, v["plate"], v["make"], v["model"], v["seats"], v["daily_rate"]
                )

            return "Add a car", fields, add
        before = {f.name: f.value for f in fields}

        def edit(v: Values) -> CarView:
            return update_car(desk, actor, car.plate, **changed_only(before, v))

        return f"Edit car {car.plate}", fields, edit

    def _driver_form(self, key: str | None) -> Form:
        from nextcars_tui.services.fleet import add_driver, update_driver

        desk, actor = self.desk, self.actor
        driver = self._drivers.get(key) if key else None
        fields = _driver_fields(driver)
        if driver is None:

            def add(v: Values) -> DriverView:
                return add_driver(
                    desk, actor, v["code"], v["name"], v["phone"], v["daily_fee"], v["email"]
                )

            return "Add a driver", fields, add
        before = {f.name: f.value for f in fields}

        def edit(v: Values) -> DriverView:
            return update_driver(desk, actor, driver.code, **changed_only(before, v))

        return f"Edit driver {driver.code}", fields, edit

    def _customer_form(self, key: str | None) -> Form:
        from nextcars_tui.services.fleet import add_customer, update_customer

        desk, actor = self.desk, self.actor
        customer = self._customers.get(key) if key else None
        fields = customer_fields(customer)
        if customer is None:

            def add(v: Values) -> CustomerView:
                return add_customer(
                    desk, actor, v["name"], v["email"], v["phone"], v["no_reminders"]
                )

            return "Add a customer", fields, add
        before = {f.name: f.value for f in fields}

        def edit(v: Values) -> CustomerView:
            return update_customer(desk, actor, customer.email, **changed_only(before, v))

        return f"Edit customer {customer.email}", fields, edit

    def _saved(self, record: Any) -> None:
        if record is None:
            return
        label = getattr(record, "plate", None) or getattr(record, "code", None) or record.email
        self.notify(f"Saved {label}.", title="Fleet", markup=False)
        self.reload()

    def action_block(self) -> None:
        """Block the highlighted car or driver (off the road, off duty): the blocks screen."""
        name = self._active()
        key = self._highlighted_key(name) if name in ("cars", "drivers") else None
        if key is None:
            self.notify("Highlight a car or a driver to block.", severity="warning")
            return
        self.app.open_screen("blocks", kind=name.removesuffix("s"), resource=key)

    class RetireChecked(Message):
        """What retiring the highlighted record would meet, read before asking anything."""

        def __init__(self, check: RetireCheck) -> None:
            super().__init__()
            self.check = check

    def action_retire(self) -> None:
        """Retire the highlighted car, driver or customer, or reinstate a retired one. What
        stands in the way is read first, so a refusal (bookings still to run, bookings to
        come) is said before any question; the services enforce the same rules."""
        name = self._active()
        key = self._highlighted_key(name)
        if key is None:
            self.notify(f"There are no {name} to retire here.", severity="warning")
            return
        from nextcars_tui.services.retire import retire_check

        self.call_service(
            retire_check,
            self.desk,
            self.actor,
            name.removesuffix("s"),
            key,
            reply=self.RetireChecked,
            group="retire",
        )

    @on(RetireChecked)
    def _retire_checked(self, message: RetireChecked) -> None:
        check = message.check
        what, key = check.kind.value, check.key
        if check.retired:
            self._ask(
                f"Reinstate {what} {key}?",
                f"{check.name} is retired. Reinstated, it takes new bookings again.",
                "Reinstate",
                partial(self._reinstate_answered, check),
            )
            return
        if check.to_run and check.kind.value == "customer":
            self.notify(check.refusal or "", title="Not retired", severity="error", markup=False)
            return
        if check.to_run:
            self._ask_reassign(check)
            return
        warning = ""
        if check.owed_cents > 0:
            warning = (
                f"\n\nThey still owe {self.desk.money(check.owed_cents)} "
                f"({', '.join(check.owing_invoices)}); the invoices stay open for payment."
            )
        self._ask(
            f"Retire {what} {key}?",
            f"{check.name} takes no new bookings and stays in the history and the reports. "
            f"A manager can reinstate it (R again).{warning}",
            "Retire",
            partial(self._retire_answered, check, False),
        )

    def _ask_reassign(self, check: RetireCheck) -> None:
        """Bookings still to run: each with the replacement the disruption assistant
        proposes; "Reassign and retire" moves them and retires in one transaction."""
        lines = [f"{check.name} still has bookings to run:"]
        for move in check.moves:
            to = f"→ {move.to} {move.to_label or ''}".rstrip() if move.to else "→ nothing free"
            lines.append(f"  {move.booking}  {span(move.start, move.end)}  {move.customer}  {to}")
        if not check.reassignable:
            lines.append("A booking has no free replacement: change it by hand first.")
            self.notify("\n".join(lines), title="Not retired", severity="error", markup=False)
            return
        lines.append("Reassign and retire moves them (prices kept), then retires, all at once.")
        self._ask(
            f"Retire {check.kind.value} {check.key}?",
            "\n".join(lines),
            "Reassign and retire",
            partial(self._retire_answered, check, True),
        )

    def _ask(self, title: str, message: str, go: str, then: Callable[[bool | None], None]) -> None:
        self.app.push_screen(ConfirmRunDialog(escape(title), escape(message), go_label=go), then)

    def _retire_answered(self, check: RetireCheck, reassign: bool, go: bool | None) -> None:
        if not go:
            return
        from nextcars_tui.services.retire import retire

        self.call_service(
            partial(retire, reassign=reassign),
            self.desk,
            self.actor,
            check.kind,
            check.key,
            reply=lambda line: RecordWritten(line),
            group="write",
        )

    def _reinstate_answered(self, check: RetireCheck, go: bool | None) -> None:
        if not go:
            return
        from nextcars_tui.services.retire import reinstate

        self.call_service(
            reinstate,
            self.desk,
            self.actor,
            check.kind,
            check.key,
            reply=lambda line: RecordWritten(line),
            group="write",
        )

    def on_record_written(self, message: RecordWritten) -> None:
        message.stop()
        self.notify(message.summary, title="Fleet", markup=False)
        self.app.data_changed()
