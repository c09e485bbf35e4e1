"""The booking wizard's first step: find the customer as you type, or add one inline. Only
customers who may book are offered (not retired), each marked with what they have overdue."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from nextcars_tui.tui.widgets.wizard_steps import StepError

if TYPE_CHECKING:
    from nextcars_tui.services.customers import CustomerChoice
    from nextcars_tui.services.fleet import CustomerView


class CustomerStep(Vertical):
    """Search customers as you type, pick one, or add a new one inline."""

    # Up and down move through the results while the cursor stays in the search box.
    BINDINGS: ClassVar = [
        Binding("down", "results('down')", "Next match", show=False),
        Binding("up", "results('up')", "Previous match", show=False),
    ]

    class SearchChanged(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Chosen(Message):
        def __init__(self, choice: CustomerChoice) -> None:
            super().__init__()
            self.choice = choice

    class CreateRequested(Message):
        def __init__(self, name: str, email: str, phone: str) -> None:
            super().__init__()
            self.name = name
            self.email = email
            self.phone = phone

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="wizard-step")
        self._customers: dict[str, CustomerChoice] = {}
        self._shown_for: str | None = None
        self._choose_on_arrival = False

    def compose(self) -> ComposeResult:
        yield Static("Who is it for? Type part of a name, e-mail or phone.", classes="step-hint")
        yield Input(placeholder="search customers", id="customer-search")
        yield OptionList(id="customer-results")
        yield Button("+ New customer", id="new-customer", compact=True)
        with Vertical(id="new-customer-form"):
            yield Input(placeholder="full name", id="new-customer-name")
            yield Input(placeholder="e-mail", id="new-customer-email")
            yield Input(placeholder="phone, e.g. +44 7700 900123", id="new-customer-phone")
            with Horizontal(classes="step-buttons"):
                yield Button("Add customer", variant="primary", id="add-customer", compact=True)
                yield Button("Cancel", id="cancel-customer", compact=True)
        yield StepError(id="customer-error")

    @property
    def search_text(self) -> str:
        return self.query_one("#customer-search", Input).value

    def show_results(
        self,
        choices: list[CustomerChoice],
        chosen_email: str | None,
        text: str,
        money: Callable[[int], str],
    ) -> None:
        """Results for the search `text`; an Enter pressed before they came is honoured now."""
        self._customers = {choice.customer.email: choice for choice in choices}
        self._shown_for = text
        results = self.query_one("#customer-results", OptionList)
        results.set_options(
            Option(_label(choice, money), id=email) for email, choice in self._customers.items()
        )
        if not choices:
            self.show_error("No customer matches; add a new one with “+ New customer”.")
            return
        self.show_error("")
        emails = list(self._customers)
        results.highlighted = emails.index(chosen_email) if chosen_email in emails else 0
        if self._choose_on_arrival and text == self.search_text:
            self._choose_on_arrival = False
            self.accept()

    @property
    def has_typed_new_customer(self) -> bool:
        """Whether the new-customer form holds anything typed."""
        return any(
            self.query_one(f"#new-customer-{name}", Input).value.strip()
            for name in ("name", "email", "phone")
        )

    @property
    def highlighted(self) -> CustomerChoice | None:
        option = self.query_one("#customer-results", OptionList).highlighted_option
        return self._customers.get(option.id or "") if option is not None else None

    def show_error(self, message: str) -> None:
        self.query_one("#customer-error", StepError).show(message)

    def focus_first(self) -> None:
        if self.has_class("-adding"):
            self.query_one("#new-customer-name", Input).focus()
        else:
            self.query_one("#customer-search", Input).focus()

    @on(Input.Changed, "#customer-search")
    def _search(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.SearchChanged(event.value))

    def action_results(self, direction: str) -> None:
        results = self.query_one("#customer-results", OptionList)
        if direction == "down":
            results.action_cursor_down()
        else:
            results.action_cursor_up()

    @on(Input.Submitted, "#customer-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.accept()

    @on(OptionList.OptionSelected, "#customer-results")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose()

    def accept(self) -> None:
        """Choose the highlighted match, once the results for what was typed are shown."""
        if self._shown_for != self.search_text:
            self._choose_on_arrival = True
            return
        self._choose()

    def _choose(self) -> None:
        choice = self.highlighted
        if choice is None:
            self.show_error("Choose a customer from the list, or add a new one.")
            return
        self.post_message(self.Chosen(choice))

    @on(Button.Pressed, "#new-customer")
    def _open_form(self, event: Button.Pressed) -> None:
        event.stop()
        self.add_class("-adding")
        typed = self.search_text.strip()
        field = "#new-customer-email" if "@" in typed else "#new-customer-name"
        if not typed[:1].isdigit() and not typed.startswith("+"):
            self.query_one(field, Input).value = typed
        self.show_error("")
        self.focus_first()

    @on(Button.Pressed, "#cancel-customer")
    def _close_form(self, event: Button.Pressed) -> None:
        event.stop()
        self.remove_class("-adding")
        self.show_error("")
        self.focus_first()

    @on(Input.Submitted, "#new-customer-name")
    @on(Input.Submitted, "#new-customer-email")
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next()

    @on(Input.Submitted, "#new-customer-phone")
    @on(Button.Pressed, "#add-customer")
    def _create(self, event: Message) -> None:
        event.stop()
        values = [
            self.query_one(f"#new-customer-{name}", Input).value
            for name in ("name", "email", "phone")
        ]
        self.post_message(self.CreateRequested(*values))

    def refused(self, message: str, field: str | None) -> None:
        """Adding the customer was refused: keep the form, say why, focus the field at
        fault (named as the parsers name it: 'name', 'e-mail', 'phone')."""
        self.show_error(message)
        at_fault = {"name": "name", "e-mail": "email", "email": "email", "phone": "phone"}
        name = at_fault.get((field or "").lower())
        if name is not None:
            self.screen.set_focus(self.query_one(f"#new-customer-{name}", Input))

    def created(self, customer: CustomerView, money: Callable[[int], str]) -> None:
        """The new customer exists: close the form and list it, chosen."""
        from nextcars_tui.services.customers import CustomerChoice

        self.remove_class("-adding")
        for name in ("name", "email", "phone"):
            self.query_one(f"#new-customer-{name}", Input).value = ""
        self.query_one("#customer-search", Input).value = customer.email
        # A new customer has no invoices, so nothing overdue.
        self.show_results([CustomerChoice(customer, 0, 0)], customer.email, customer.email, money)


def overdue_words(choice: CustomerChoice, money: Callable[[int], str]) -> str:
    """'1 overdue invoice, £378.00', or '' when nothing is overdue."""
    if not choice.overdue_invoices:
        return ""
    noun = "invoice" if choice.overdue_invoices == 1 else "invoices"
    return f"{choice.overdue_invoices} overdue {noun}, {money(choice.overdue_cents)}"


def _label(choice: CustomerChoice, money: Callable[[int], str]) -> str:
    c = choice.customer
    overdue = overdue_words(choice, money)
    line = f"{escape(c.name[:28]):<28} [$text-muted]{escape(c.email)} · {escape(c.phone)}[/]"
    # The warning on a line of its own, so it is never cut or wrapped mid-amount.
    return f"{line}\n  [b $error]⚠ {overdue}[/]" if overdue else line
