"""Invoices: the list by status with paid and balance, the invoice with its booking and
statement, and payment offered only while money is owed."""

from __future__ import annotations

from textual.widgets import Button, DataTable, Select, Static

from nextcars_tui.domain.ledger import EntryKind
from nextcars_tui.domain.roles import system_actor
from nextcars_tui.services.billing import invoice_detail, pay
from nextcars_tui.tui.dialogs.money import PaymentDialog
from nextcars_tui.tui.screens.booking_detail import BookingDetailScreen
from nextcars_tui.tui.screens.invoice_detail import InvoiceDetailScreen
from nextcars_tui.tui.screens.invoices import InvoicesScreen
from tests.tui.recordkit import messages, open_as, plain, row_keys, settle

SYSTEM = system_actor("tests")
BY_DUE_DATE = [
    "INV-000002",
    "INV-000001",
    "INV-000003",
    "INV-000005",
    "INV-000006",
    "INV-000004",
    "INV-000009",
    "INV-000007",
    "INV-000008",
]


def table(app) -> DataTable:
    return app.screen.query_one("#invoices-table", DataTable)


def text_of(app, widget_id: str) -> str:
    return plain(app.screen.query_one(f"#{widget_id}", Static))


async def test_lists_invoices_by_due_date_and_filters_by_status(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "invoices")
        assert isinstance(app.screen, InvoicesScreen)
        assert row_keys(table(app)) == BY_DUE_DATE
        first = [str(cell) for cell in table(app).get_row_at(0)]
        # At 80 columns the booking ref (b opens it) and the days late give way; the
        # figures and the due date never do.
        assert first == [
            "INV-000002",
            "Overdue",
            "Carla Diaz",
            "£528.00",
            "£0.00",
            "£528.00",
            "Sun 18 Oct",
        ]
        assert "rows 1–9 of 9" in text_of(app, "invoices-caption")
        status = app.screen.query_one("#invoices-status-filter", Select)
        for chosen, expected in [
            ("paid", ["INV-000001", "INV-000007"]),
            ("overdue", ["INV-000002"]),
            ("void", ["INV-000009"]),
            (
                "owed",
                [
                    "INV-000002",
                    "INV-000003",
                    "INV-000005",
                    "INV-000006",
                    "INV-000004",
                    "INV-000008",
                ],
            ),
            ("", BY_DUE_DATE),
        ]:
            status.value = chosen
            await settle(pilot)
            assert row_keys(table(app)) == expected, chosen


async def test_part_paid_invoices_show_paid_and_balance_and_count_as_owed(make_app, desk):
    pay(desk, SYSTEM, "INV-000004", "300.00", "cash")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "invoices")
        row = [str(cell) for cell in table(app).get_row(row_keys(table(app))[5])]
        assert row[:2] == ["INV-000004", "Partly paid"]
        assert row[-3:] == ["£300.00", "£745.00", "Fri 18 Dec"]
        status = app.screen.query_one("#invoices-status-filter", Select)
        for chosen, expected in [("partly_paid", ["INV-000004"]), ("refund_due", [])]:
            status.value = chosen
            await settle(pilot)
            assert row_keys(table(app)) == expected, chosen
        status.value = "owed"
        await settle(pilot)
        assert "INV-000004" in row_keys(table(app))


async def test_pages_through_the_invoices(make_app, monkeypatch):
    monkeypatch.setattr(InvoicesScreen, "PAGE_SIZE", 5)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "invoices")
        assert row_keys(table(app)) == BY_DUE_DATE[:5]
        await pilot.press("n")
        await settle(pilot)
        assert row_keys(table(app)) == BY_DUE_DATE[5:]
        assert "rows 6–9 of 9" in text_of(app, "invoices-caption")


async def test_enter_opens_the_invoice_with_its_booking_and_payments(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "invoices")
        await pilot.press("b")  # b on the list opens the booking the invoice bills
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        assert app.screen.ref == "BK-000002"
        await pilot.press("escape")
        await pilot.press(*["down"] * BY_DUE_DATE.index("INV-000001"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceDetailScreen)
        invoice = text_of(app, "invoice-invoice")
        for part in ("INV-000001", "Paid", "£567.00", "Balance £0.00", "nothing to take"):
            assert part in invoice
        statement = text_of(app, "invoice-statement")
        for part in ("Car PB-118: 3 day(s) × 79.00", "Payment by card", "-£567.00", "£0.00"):
            assert part in statement
        booking = text_of(app, "invoice-booking")
        for part in ("BK-000001", "Completed", "Bob Green", "PB-118", "DRV-02", "3–5 Nov"):
            assert part in booking
        assert text_of(app, "invoice-payment-state") == (
            "Invoice INV-000001 is paid; nothing to take.\n"
        )
        assert app.screen.query_one("#invoice-pay", Button).disabled
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BookingDetailScreen)
        assert app.screen.ref == "BK-000001"


async def test_checkout_of_an_overdue_invoice(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "invoice", ref="INV-000002")
        assert "44 days past due" in text_of(app, "invoice-payment-state")
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, PaymentDialog)
        assert app.screen.amount_text == "528.00"  # the balance, pre-filled
        await pilot.click("#method-transfer")
        await pilot.click("#money-write")
        await settle(pilot)
        detail = invoice_detail(desk, SYSTEM, "INV-000002")
        assert detail.booking.invoice.status == "paid"
        payments = [e for e in detail.entries if e.kind == EntryKind.PAYMENT]
        taken = [(p.amount_cents, p.method, p.by) for p in payments]
        assert taken == [(52800, "transfer", "staff")]
        assert "Paid" in text_of(app, "invoice-heading")
        assert app.screen.query_one("#invoice-pay", Button).disabled


async def test_payment_on_a_paid_invoice_is_not_offered(make_app, desk):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "invoice", ref="INV-000007")
        before = invoice_detail(desk, SYSTEM, "INV-000007")
        assert app.screen.query_one("#invoice-pay", Button).disabled
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceDetailScreen)  # no dialog: t is not offered
        assert "Invoice INV-000007 is paid; nothing to take." in text_of(
            app, "invoice-payment-state"
        )
        assert invoice_detail(desk, SYSTEM, "INV-000007") == before


async def test_a_void_invoice_explains_and_an_unknown_one_is_a_notification(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, "staff", "invoice", ref="INV-000009")
        assert "void (its booking was cancelled); nothing to take" in text_of(
            app, "invoice-payment-state"
        )
        app.open_screen("invoice", ref="INV-424242")
        await settle(pilot)
        assert "No invoice INV-424242." in messages(app)
        assert "No invoice INV-424242." in text_of(app, "invoice-heading")
