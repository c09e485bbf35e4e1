"""The booking wizard: customer → dates → car → driver → review → confirm."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.markup import escape
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, ContentSwitcher, Input, Static

from nextcars_tui.domain.dates import DateRange
from nextcars_tui.domain.errors import Conflict, DeskError, ResourceKind
from nextcars_tui.domain.lifecycle import invoice_due_date
from nextcars_tui.domain.pricing import Quote
from nextcars_tui.tui.base import DeskScreen
from nextcars_tui.tui.dialogs.confirm_run import ConfirmRunDialog
from nextcars_tui.tui.formatting import count
from nextcars_tui.tui.widgets.customer_step import CustomerStep, overdue_words
from nextcars_tui.tui.widgets.desk_header import DeskHeader
from nextcars_tui.tui.widgets.key_footer import KeyFooter
from nextcars_tui.tui.widgets.wizard_steps import (
    DatesStep,
    ResourceStep,
    ReviewStep,
    WizardStep,
    busy_text,
    review_text,
)

if TYPE_CHECKING:
    from nextcars_tui.services.availability import ResourceOption
    from nextcars_tui.services.customers import CustomerChoice
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

    @property
    def empty(self) -> bool:
        return not (self.customer or self.dates or self.car or self.driver)

    def complete_until(self) -> int:
        """Index of the first step still to do (5 when all are done)."""
        for index, value in enumerate((self.customer, self.dates, self.car, self.driver)):
            if value is None:
                return index
        return len(STEPS)


class BookingWizardScreen(DeskScreen):
    """Make a booking step by step. Nothing is written until Confirm; Escape (or Ctrl+N for
    a fresh booking) asks before throwing away what was entered."""

    BINDINGS: ClassVar = [
        Binding("escape", "abandon", "Abandon"),
        Binding("ctrl+r", "back", "Back"),
        Binding("ctrl+n", "start_over", "New booking", show=False),
    ]

    # The step on screen; the switcher, the progress line and the buttons follow it.
    step: reactive[str] = reactive("customer", init=False)

    class CustomersFound(Message):
        def __init__(self, token: int, text: str, customers: list[CustomerChoice]) -> None:
            super().__init__()
            self.token = token
            self.text = text
            self.customers = customers

    class CustomerAdded(Message):
        def __init__(self, customer: CustomerView) -> None:
            super().__init__()
            self.customer = customer

    class OptionsLoaded(Message):
        def __init__(
            self, kind: str, token: int, dates: DateRange, options: list[ResourceOption]
        ) -> None:
            super().__init__()
            self.kind = kind
            self.token = token
            self.dates = dates
            self.options = options

    class Booked(Message):
        def __init__(self, booking: BookingView) -> None:
            super().__init__()
            self.booking = booking

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
        self._wanted = {"car": car, "driver": driver}
        self._start = start
        self._days = days
        self._customer_text = customer or ""
        # What the chosen customer has overdue ("" when nothing): shown beside their name.
        self._customer_warning = ""
        self._typed_dates: tuple[str, str] = ("", "")
        self._options_for: dict[str, DateRange | None] = {"car": None, "driver": None}
        self._tokens = {"customer": 0, "car": 0, "driver": 0}
        self._booking_in_flight = False
        self._asking = False

    def compose(self) -> ComposeResult:
        yield DeskHeader()
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
        yield KeyFooter()

    def on_mount(self) -> None:
        today = self.desk.today()
        dates_step = self.query_one(DatesStep)
        business = self.desk.settings.business
        dates_step.configure(
            today,
            business.max_rental_days,
            self._start,
            self._days,
            order=business.dates,
            horizon_days=business.booking_horizon_days,
        )
        self._typed_dates = dates_step.typed
        self.query_one("#customer-search", Input).value = self._customer_text
        self._go("customer")
        self._search_customers(self._customer_text)

    def reload(self) -> None:
        """Something changed elsewhere: refresh what the current step shows."""
        if self.step == "customer":
            self._search_customers(self.query_one(CustomerStep).search_text)
        elif self.step in RESOURCE_STEPS:
            self._load_options(self.step)

    def service_failed(self, group: str, error: DeskError) -> None:
        if group == "add-customer":
            self.query_one(CustomerStep).refused(error.message, getattr(error, "field", None))
        elif group.startswith("options-"):
            kind = group.removeprefix("options-")
            step = self.query_one(f"#step-{kind}", ResourceStep)
            step.option_list.loading = False
            self._options_for[kind] = None
            step.show_error(error.message)
        elif group == "book":
            self._not_booked(error)
        else:
            self.app.show_error(error)

    # -- moving between steps -----------------------------------------------------------

    def _go(self, step: str) -> None:
        index = STEPS.index(step)
        if index > self.draft.complete_until():
            step = STEPS[self.draft.complete_until()]
        self.step = step
        if step in RESOURCE_STEPS and self._options_for[step] != self.draft.dates:
            self._load_options(step)
        if step == "review":
            self._show_review()
        self._show_progress()
        self._step_widget(step).focus_first()

    def watch_step(self, step: str) -> None:
        self.query_one(ContentSwitcher).current = f"step-{step}"
        self._show_progress()

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
        warning = f" [b $error]⚠ {self._customer_warning}[/]" if self._customer_warning else ""
        chosen = [
            escape(draft.customer.name) + warning if draft.customer else "",
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

    # -- leaving without booking --------------------------------------------------------

    @property
    def has_work(self) -> bool:
        """Whether leaving now would throw away something the clerk entered."""
        if not self.draft.empty:
            return True
        customer = self.query_one(CustomerStep)
        return (
            customer.search_text.strip() != self._customer_text.strip()
            or customer.has_typed_new_customer
            or self.query_one(DatesStep).typed != self._typed_dates
        )

    def action_abandon(self) -> None:
        self._leave("Abandon this booking?", "Abandon", self._abandon)

    def action_start_over(self) -> None:
        self._leave("Start a new booking?", "Start again", self._start_over)

    def _leave(self, title: str, go_label: str, then: Callable[[], None]) -> None:
        if self._booking_in_flight:
            self.notify("The booking is being saved; wait a moment.", severity="warning")
            return
        if not self.has_work:
            then()
            return
        if self._asking:
            return
        self._asking = True

        def answered(go: bool | None) -> None:
            self._asking = False
            if go:
                then()

        message = "What you entered for this booking is thrown away; nothing has been saved."
        self.app.push_screen(
            ConfirmRunDialog(title, message, go_label=go_label, stay_label="Keep editing"),
            answered,
        )

    def _abandon(self) -> None:
        self.app.pop_screen()
        self.app.notify("Booking abandoned; nothing was saved.")

    def _start_over(self) -> None:
        self.app.switch_screen(BookingWizardScreen())

    # -- customer -----------------------------------------------------------------------

    def _search_customers(self, text: str) -> None:
        from nextcars_tui.services.customers import bookable_customers

        self._tokens["customer"] += 1
        self.call_service(
            bookable_customers,
            self.desk,
            self.actor,
            text,
            reply=partial(self.CustomersFound, self._tokens["customer"], text),
            group="customers",
        )

    @on(CustomersFound)
    def _customers_found(self, message: CustomersFound) -> None:
        if message.token == self._tokens["customer"]:
            chosen = self.draft.customer.email if self.draft.customer else None
            self.query_one(CustomerStep).show_results(
                message.customers, chosen, message.text, self.desk.money
            )

    @on(CustomerStep.SearchChanged)
    def _customer_typed(self, event: CustomerStep.SearchChanged) -> None:
        self._search_customers(event.text)

    @on(CustomerStep.Chosen)
    def _customer_chosen(self, event: CustomerStep.Chosen) -> None:
        choice = event.choice
        self.draft.customer = choice.customer
        # A warning, not a refusal: the clerk may book a customer who owes, knowing it.
        self._customer_warning = overdue_words(choice, self.desk.money)
        if self._customer_warning:
            self.notify(
                f"{choice.customer.name} has {self._customer_warning}. You can still book; "
                "ask about the balance.",
                title="Overdue",
                severity="warning",
                markup=False,
            )
        self._go("dates")

    @on(CustomerStep.CreateRequested)
    def _create_customer(self, event: CustomerStep.CreateRequested) -> None:
        from nextcars_tui.services.fleet import add_customer

        self.call_service(
            add_customer,
            self.desk,
            self.actor,
            event.name,
            event.email,
            event.phone,
            reply=self.CustomerAdded,
            group="add-customer",
        )

    @on(CustomerAdded)
    def _customer_added(self, message: CustomerAdded) -> None:
        customer = message.customer
        self.query_one(CustomerStep).created(customer, self.desk.money)
        self._customer_warning = ""
        self.notify(f"Customer {customer.name} added.", markup=False)
        self.draft.customer = customer
        self._go("dates")

    # -- dates --------------------------------------------------------------------------

    @on(DatesStep.Accepted)
    def _dates_chosen(self, event: DatesStep.Accepted) -> None:
        self.draft.dates = event.dates
        self._go("car")

    # -- car and driver -----------------------------------------------------------------

    def _load_options(self, kind: str) -> None:
        from nextcars_tui.services.availability import resource_options

        dates = self.draft.dates
        if dates is None:
            return
        self._tokens[kind] += 1
        self._options_for[kind] = dates
        step = self.query_one(f"#step-{kind}", ResourceStep)
        step.option_list.loading = True
        self.call_service(
            resource_options,
            self.desk,
            self.actor,
            ResourceKind(kind),
            dates,
            reply=partial(self.OptionsLoaded, kind, self._tokens[kind], dates),
            group=f"options-{kind}",
        )

    @on(OptionsLoaded)
    def _options_loaded(self, message: OptionsLoaded) -> None:
        kind, dates, options = message.kind, message.dates, message.options
        if message.token != self._tokens[kind]:
            return
        step = self.query_one(f"#step-{kind}", ResourceStep)
        step.option_list.loading = False
        chosen: ResourceOption | None = getattr(self.draft, kind)
        wanted = chosen.key if chosen is not None else self._wanted[kind]
        fresh = next((o for o in options if o.key == wanted), None)
        if chosen is not None:
            if fresh is None or not fresh.free:
                setattr(self.draft, kind, None)
                reason = f" ({busy_text(fresh)})" if fresh else ""
                step.show_error(f"{chosen.key} is no longer free on these dates{reason}.")
                self._show_progress()
                if self.step == "review":
                    self._go(kind)
            else:
                setattr(self.draft, kind, fresh)
        step.show_options(options, dates, wanted, self.desk.money)

    @on(ResourceStep.Chosen)
    def _resource_chosen(self, event: ResourceStep.Chosen) -> None:
        setattr(self.draft, event.kind, event.option)
        self.query_one(f"#step-{event.kind}", ResourceStep).show_error("")
        if event.kind == "car" and self.draft.driver is not None:
            # A driver is chosen already (the car changed after a clash, or on the way back):
            # keep them, and check they are still free for the same dates on the way.
            self._load_options("driver")
            self._go("review")
            return
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
        review = self.query_one(ReviewStep)
        _sheet, refusal = review.job_sheet.check()
        if refusal is not None:
            # Bad job-sheet input is refused here, at its field; nothing is sent to be written.
            review.show_error(refusal.message, refusal.field)
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
            **review.job_sheet.values,
        )
        self.call_service(
            book,
            self.desk,
            self.actor,
            request,
            reply=self.Booked,
            group="book",
            exclusive=False,
        )

    @on(Booked)
    def _booked(self, message: Booked) -> None:
        booking = message.booking
        quote = Quote(booking.days, booking.car_daily_rate_cents, booking.driver_daily_fee_cents)
        self.app.notify(
            f"{booking.ref}: {booking.car_plate} with {booking.driver_code}, "
            f"{booking.start:%-d %b}, {count(booking.days, 'day')}, "
            f"{self.desk.money(quote.total_cents)}. "
            f"Invoice {booking.invoice.ref} due {booking.invoice.due:%-d %b}.",
            title="Booked",
            markup=False,
        )
        self.app.pop_screen()
        self.app.open_screen("booking", ref=booking.ref)

    def _not_booked(self, error: DeskError) -> None:
        self._booking_in_flight = False
        self.query_one("#wizard-next", Button).disabled = False
        self.app.show_error(error)
        kind = clashing_kind(error)
        if kind is not None:
            # Someone else took the car or driver: back to that step with fresh availability.
            setattr(self.draft, kind, None)
            self._options_for = {"car": None, "driver": None}
            self._go(kind)
            self.query_one(f"#step-{kind}", ResourceStep).show_error(error.message)
            return
        self.query_one("#confirm-booking", Button).disabled = False
        self.query_one(ReviewStep).show_error(error.message, getattr(error, "field", None))


def clashing_kind(error: DeskError) -> str | None:
    """Which step a refused booking goes back to: the clash's resource kind, read from the
    Conflict's fields (the database's backstop may not know it: then the car step, whose
    list shows what holds every car)."""
    if not isinstance(error, Conflict):
        return None
    return "driver" if error.resource_kind == ResourceKind.DRIVER else "car"
