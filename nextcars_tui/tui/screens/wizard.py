"""The booking wizard: customer → dates → car → driver → review → confirm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.markup import escape
from textual.widgets import Button, ContentSwitcher, Footer, Header, Input, Static

from nextcars_tui.domain.dates import DateRange
from nextcars_tui.domain.errors import Conflict, DeskError
from nextcars_tui.domain.lifecycle import invoice_due_date
from nextcars_tui.domain.pricing import Quote
from nextcars_tui.domain.roles import Permission
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.widgets.customer_step import CustomerStep
from nextcars_tui.tui.widgets.wizard_steps import (
    DatesStep,
    ResourceStep,
    ReviewStep,
    WizardStep,
    review_text,
)

if TYPE_CHECKING:
    from nextcars_tui.services.availability import ResourceOption
    from nextcars_tui.services.fleet import CustomerView
    from nextcars_tui.services.views import BookingView

STEPS = ("customer", "dates", "car", "driver", "review")
TITLES = {
    "customer": "Customer",
    "dates": "Dates",
    "car": "Car",
    "driver": "Driver",
    "review": "Review",
}
RESOURCE_STEPS = ("car", "driver")


@dataclass
class Draft:
    """What has been chosen so far; nothing is written until the booking is confirmed."""

    customer: CustomerView | None = None
    dates: DateRange | None = None
    car: ResourceOption | None = None
    driver: ResourceOption | None = None

    def complete_until(self) -> int:
        """Index of the first step still to do (5 when all are done)."""
        for index, value in enumerate((self.customer, self.dates, self.car, self.driver)):
            if value is None:
                return index
        return len(STEPS)


class BookingWizardScreen(DeskScreen):
    """Make a booking step by step; Escape abandons without writing anything."""

    REQUIRED = Permission.BOOK
    BINDINGS: ClassVar = [
        Binding("escape", "abandon", "Abandon"),
        Binding("ctrl+r", "back", "Back"),
    ]

    def __init__(
        self,
        car: str | None = None,
        driver: str | None = None,
        start: date | None = None,
        customer: str | None = None,
        days: int = 1,
    ) -> None:
        super().__init__()
        self.draft = Draft()
        self.step = "customer"
        self._wanted = {"car": car, "driver": driver}
        self._start = start
        self._days = days
        self._customer_text = customer or ""
        self._options_for: dict[str, DateRange | None] = {"car": None, "driver": None}
        self._tokens = {"customer": 0, "car": 0, "driver": 0}
        self._booking_in_flight = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="wizard-steps")
        with ContentSwitcher(initial="step-customer", id="wizard-body"):
            yield CustomerStep(id="step-customer")
            yield DatesStep(id="step-dates")
            yield ResourceStep("car", id="step-car")
            yield ResourceStep("driver", id="step-driver")
            yield ReviewStep(id="step-review", classes="wizard-step")
        with Horizontal(id="wizard-nav"):
            yield Button("‹ Back", id="wizard-back", compact=True)
            yield Static("", id="wizard-summary")
            yield Button("Next ›", id="wizard-next", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        today = self.desk.today()
        dates_step = self.query_one(DatesStep)
        dates_step.configure(
            today, self.desk.settings.business.max_rental_days, self._start, self._days
        )
        self.query_one("#customer-search", Input).value = self._customer_text
        self._go("customer")
        self._search_customers(self._customer_text)

    def reload(self) -> None:
        """Something changed elsewhere: refresh what the current step shows."""
        if self.step == "customer":
            self._search_customers(self.query_one(CustomerStep).search_text)
        elif self.step in RESOURCE_STEPS:
            self._load_options(self.step)

    # -- moving between steps -----------------------------------------------------------

    def _go(self, step: str) -> None:
        index = STEPS.index(step)
        if index > self.draft.complete_until():
            step = STEPS[self.draft.complete_until()]
        self.step = step
        self.query_one(ContentSwitcher).current = f"step-{step}"
        if step in RESOURCE_STEPS and self._options_for[step] != self.draft.dates:
            self._load_options(step)
        if step == "review":
            self._show_review()
        self._show_progress()
        self._step_widget(step).focus_first()

    def _step_widget(self, step: str) -> WizardStep:
        return cast(WizardStep, self.query_one(f"#step-{step}"))

    def _show_progress(self) -> None:
        current = STEPS.index(self.step)
        parts = []
        for index, step in enumerate(STEPS):
            label = f"{index + 1} {TITLES[step]}"
            if index == current:
                parts.append(f"[reverse b $accent] {label} [/]")
            elif index < self.draft.complete_until():
                parts.append(f"[$success]✓ {label}[/]")
            else:
                parts.append(f"[$text-muted]{label}[/]")
        self.query_one("#wizard-steps", Static).update(" › ".join(parts))
        draft = self.draft
        chosen = [
            escape(draft.customer.name) if draft.customer else "",
            str(draft.dates) if draft.dates else "",
            escape(draft.car.key) if draft.car else "",
            escape(draft.driver.key) if draft.driver else "",
        ]
        self.query_one("#wizard-summary", Static).update(" · ".join(c for c in chosen if c))
        self.query_one("#wizard-back", Button).disabled = current == 0
        # The review step has its own Confirm button; one button that writes is enough.
        self.query_one("#wizard-next", Button).display = self.step != "review"

    def action_back(self) -> None:
        index = STEPS.index(self.step)
        if index > 0 and not self._booking_in_flight:
            self._go(STEPS[index - 1])

    def action_next(self) -> None:
        self._step_widget(self.step).accept()

    @on(Button.Pressed, "#wizard-back")
    def _back_pressed(self) -> None:
        self.action_back()

    @on(Button.Pressed, "#wizard-next")
    def _next_pressed(self) -> None:
        self.action_next()

    def action_abandon(self) -> None:
        if self._booking_in_flight:
            self.notify("The booking is being saved; wait a moment.", severity="warning")
            return
        self.app.pop_screen()
        self.app.notify("Booking abandoned; nothing was saved.")

    # -- customer -----------------------------------------------------------------------

    def _search_customers(self, text: str) -> None:
        from nextcars_tui.services.fleet import search_customers

        self._tokens["customer"] += 1
        token = self._tokens["customer"]
        chosen = self.draft.customer.email if self.draft.customer else None

        def found(customers: list[CustomerView]) -> None:
            if token == self._tokens["customer"]:
                self.query_one(CustomerStep).show_results(customers, chosen, text)

        self.call_service(
            search_customers, self.desk, self.actor, text, on_done=found, group="customers"
        )

    @on(CustomerStep.SearchChanged)
    def _customer_typed(self, event: CustomerStep.SearchChanged) -> None:
        self._search_customers(event.text)

    @on(CustomerStep.Chosen)
    def _customer_chosen(self, event: CustomerStep.Chosen) -> None:
        self.draft.customer = event.customer
        self._go("dates")

    @on(CustomerStep.CreateRequested)
    def _create_customer(self, event: CustomerStep.CreateRequested) -> None:
        from nextcars_tui.services.fleet import add_customer

        step = self.query_one(CustomerStep)

        def created(customer: CustomerView) -> None:
            step.created(customer)
            self.notify(f"Customer {customer.name} added.")
            self.draft.customer = customer
            self._go("dates")

        self.call_service(
            add_customer,
            self.desk,
            self.actor,
            event.name,
            event.email,
            event.phone,
            on_done=created,
            on_error=lambda error: step.show_error(error.message),
            group="add-customer",
        )

    # -- dates --------------------------------------------------------------------------

    @on(DatesStep.Accepted)
    def _dates_chosen(self, event: DatesStep.Accepted) -> None:
        self.draft.dates = event.dates
        self._go("car")

    # -- car and driver -----------------------------------------------------------------

    def _load_options(self, kind: str) -> None:
        from nextcars_tui.services.availability import ResourceKind, resource_options

        dates = self.draft.dates
        if dates is None:
            return
        self._tokens[kind] += 1
        token = self._tokens[kind]
        self._options_for[kind] = dates
        step = self.query_one(f"#step-{kind}", ResourceStep)
        step.option_list.loading = True

        def loaded(options: list[ResourceOption]) -> None:
            if token != self._tokens[kind]:
                return
            step.option_list.loading = False
            self._options_loaded(kind, dates, options)

        def failed(error: DeskError) -> None:
            step.option_list.loading = False
            self._options_for[kind] = None
            step.show_error(error.message)

        self.call_service(
            resource_options,
            self.desk,
            self.actor,
            ResourceKind(kind),
            dates,
            on_done=loaded,
            on_error=failed,
            group=f"options-{kind}",
        )

    def _options_loaded(self, kind: str, dates: DateRange, options: list[ResourceOption]) -> None:
        step = self.query_one(f"#step-{kind}", ResourceStep)
        chosen: ResourceOption | None = getattr(self.draft, kind)
        wanted = chosen.key if chosen is not None else self._wanted[kind]
        fresh = next((o for o in options if o.key == wanted), None)
        if chosen is not None:
            if fresh is None or not fresh.free:
                setattr(self.draft, kind, None)
                reason = f" ({fresh.clash_ref}, {fresh.clash_days})" if fresh else ""
                step.show_error(f"{chosen.key} is no longer free on these dates{reason}.")
                self._show_progress()
            else:
                setattr(self.draft, kind, fresh)
        step.show_options(options, dates, wanted, self.desk.money)
        if self.step == kind:
            step.focus_first()

    @on(ResourceStep.Chosen)
    def _resource_chosen(self, event: ResourceStep.Chosen) -> None:
        setattr(self.draft, event.kind, event.option)
        self.query_one(f"#step-{event.kind}", ResourceStep).show_error("")
        self._go("driver" if event.kind == "car" else "review")

    # -- review and confirm -------------------------------------------------------------

    def _show_review(self) -> None:
        draft = self.draft
        if not (draft.customer and draft.dates and draft.car and draft.driver):
            return
        due = invoice_due_date(draft.dates.end, self.desk.settings.lifecycle.invoice_due_days)
        self.query_one(ReviewStep).show(
            review_text(
                customer=draft.customer,
                dates=draft.dates,
                car=draft.car,
                driver=draft.driver,
                money=self.desk.money,
                due=due,
            )
        )
        self.query_one("#confirm-booking", Button).disabled = False

    @on(Button.Pressed, "#confirm-booking")
    def _confirm_pressed(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        """Book once: the guard and the disabled button stop a second press from writing."""
        from nextcars_tui.services.booking import BookingRequest, book

        draft = self.draft
        if self._booking_in_flight or self.step != "review":
            return
        if not (draft.customer and draft.dates and draft.car and draft.driver):
            return
        self._booking_in_flight = True
        self.query_one("#confirm-booking", Button).disabled = True
        self.query_one("#wizard-next", Button).disabled = True
        request = BookingRequest(
            draft.customer.email,
            draft.car.key,
            draft.driver.key,
            draft.dates.start,
            draft.dates.days,
        )
        self.call_service(
            book,
            self.desk,
            self.actor,
            request,
            on_done=self._booked,
            on_error=self._not_booked,
            group="book",
            exclusive=False,
        )

    def _booked(self, booking: BookingView) -> None:
        quote = Quote(booking.days, booking.car_daily_rate_cents, booking.driver_daily_fee_cents)
        self.app.notify(
            f"{booking.ref}: {booking.car_plate} with {booking.driver_code}, "
            f"{booking.start:%-d %b}, {booking.days} d, {self.desk.money(quote.total_cents)}. "
            f"Invoice {booking.invoice.ref} due {booking.invoice.due:%-d %b}.",
            title="Booked",
        )
        self.app.pop_screen()
        self.app.open_screen("booking", ref=booking.ref)

    def _not_booked(self, error: DeskError) -> None:
        self._booking_in_flight = False
        self.query_one("#wizard-next", Button).disabled = False
        self.app.show_error(error)
        if isinstance(error, Conflict):
            # Someone else took the car or driver: back to that step with fresh availability.
            kind = "driver" if error.message.startswith("Driver") else "car"
            setattr(self.draft, kind, None)
            self._options_for = {"car": None, "driver": None}
            self._go(kind)
            self.query_one(f"#step-{kind}", ResourceStep).show_error(error.message)
            return
        self.query_one("#confirm-booking", Button).disabled = False
        self.query_one(ReviewStep).show_error(error.message)
