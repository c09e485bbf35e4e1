"""The invoice document: every test writes the PDF through the service and reads it back
with pypdf, a PDF reader that shares no code with the writer."""

from __future__ import annotations

import stat
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from deskkit import (
    CAR_RATE_CENTS,
    DRIVER_FEE_CENTS,
    TODAY,
    code,
    plate,
    request,
    with_settings,
)
from fpdf import FPDF
from pypdf import PdfReader

from nextcars_tui.domain.errors import (
    FileAlreadyExists,
    InvalidInput,
    NotAllowed,
    NotFound,
    ResourceKind,
)
from nextcars_tui.domain.ledger import figures_of
from nextcars_tui.domain.money import format_money
from nextcars_tui.services import billing, blocks, invoice_document, invoice_layout
from nextcars_tui.services.booking import BookingRequest, book, cancel
from nextcars_tui.services.changes import ChangeRequest, change_booking
from nextcars_tui.services.invoice_document import save_invoice_pdf
from nextcars_tui.services.invoice_layout import FONT_FILES
from nextcars_tui.store import CustomerRecord
from tests.fontkit import make_font
from tests.poison import NAME_PRINTED, STEERING, plant_customer_name

# Car NC01 and driver DRV-01 for 3 days: 3 × (£90.00 + £60.10).
TOTAL_CENTS = 3 * (CAR_RATE_CENTS + 100 + DRIVER_FEE_CENTS + 10)
assert TOTAL_CENTS == 45_030
ADDRESS = "1 High Street\nLondon N1 1AA"


def business_desk(desk, currency="GBP"):
    business = replace(
        desk.settings.business,
        currency=currency,
        name="NextCars Ltd",
        address=ADDRESS,
        tax_number="GB 123 4567 89",
        tax_rate_percent="20",
    )
    return with_settings(desk, replace(desk.settings, business=business))


def part_paid_and_refunded(desk, staff, **booked):
    """A 3-day booking, £100.00 paid by card and £20.00 refunded: £80.00 paid."""
    ref = book(desk, staff, request(days=3, **booked)).invoice.ref
    billing.pay(desk, staff, ref, "100.00", "card")
    billing.refund(desk, staff, ref, "20.00", "card", "goodwill")
    return ref


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A folder for the documents only (a SQLite desk keeps its files in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(("currency", "symbol", "other"), [("GBP", "£", "€"), ("EUR", "€", "£")])
def test_the_document_shows_every_figure_of_a_part_paid_refunded_invoice(
    desk, staff, out, currency, symbol, other
):
    desk = business_desk(desk, currency)
    ref = part_paid_and_refunded(desk, staff)
    saved = save_invoice_pdf(desk, staff, ref, out / "invoice.pdf")
    assert saved.path == out / "invoice.pdf"
    assert (saved.ref, saved.pages) == (ref, 1)
    assert private(saved.path)
    reader = PdfReader(saved.path)
    assert len(reader.pages) == 1
    text = pdf_text(saved.path)

    def money(units: str) -> str:
        return f"{symbol}{units}"

    due = billing.invoice_statement(desk, staff, ref).invoice.due
    # The business header, the customer, and what was rented.
    for part in (
        "NextCars Ltd",
        "1 High Street",
        "London N1 1AA",
        "Tax number: GB 123 4567 89",
        f"Invoice {ref}",
        f"Booking {ref.replace('INV', 'BK')}",
        "Customer 1",
        "cust01@example.com",
        "+44 20 7946 0001",
        "Toyota Corolla 1 (NC01 CAR)",
        "Driver 1 (DRV-01)",
        f"From {TODAY.day} {TODAY:%b %Y}",
        "12 Mar 2026 (3 days)",
        "Status Partly paid",
    ):
        assert part in text, part
    # The charge lines, the total with its tax part, payments and refunds, the balance.
    # Tax inside £450.30 at 20 %: 450.30 × 20 / 120 = 75.05.
    for part in (
        money("270.00"),
        money("180.30"),
        f"Total (prices include tax) {money('450.30')}",
        f"of which tax at 20% {money('75.05')}",
        f"Payment (card) {money('100.00')}",
        f"Refund (card): goodwill -{money('20.00')}",
        f"Amount {money('450.30')}",
        f"Paid {money('80.00')}",
        f"Balance due {money('370.30')}",
        f"Due date {due.day} {due:%b %Y}",
        f"Due {due.day} {due:%b %Y}",
        "Page 1 of 1",
    ):
        assert part in text, part
    assert other not in text
    assert reader.metadata is not None and reader.metadata.title == f"Invoice {ref}"


def test_a_refund_due_says_what_is_owed_back(desk, staff, manager, out):
    ref = book(desk, staff, request(days=1)).invoice.ref
    billing.pay(desk, staff, ref, "150.10", "cash")
    billing.adjust(desk, manager, ref, "-10.00", "Late pickup")
    text = pdf_text(save_invoice_pdf(desk, staff, ref, out / "owed.pdf").path)
    for part in (
        "Adjustment: Late pickup -£10.00",
        "Amount £140.10",
        "Paid £150.10",
        "Owed back to you £10.00",
        "Status Refund due",
    ):
        assert part in text, part
    assert "Balance due" not in text


def test_an_existing_file_is_never_replaced_without_force(desk, staff, out):
    ref = part_paid_and_refunded(desk, staff)
    path = out / "invoice.pdf"
    path.write_bytes(b"the customer's signed copy")
    path.chmod(0o644)
    with pytest.raises(FileAlreadyExists) as exists:
        save_invoice_pdf(desk, staff, ref, path)
    assert exists.value.path == path
    assert path.read_bytes() == b"the customer's signed copy"
    save_invoice_pdf(desk, staff, ref, path, force=True)
    assert private(path)
    assert f"Invoice {ref}" in pdf_text(path)
    assert sorted(p.name for p in out.iterdir()) == ["invoice.pdf"]  # nothing partial


def test_a_refused_file_name_is_refused_before_the_document_is_laid_out(
    desk, staff, out, monkeypatch
):
    """Laying out a PDF takes a noticeable moment; a clerk who mistyped the path hears so at
    once, and the document is laid out only for a file that will be written."""
    ref = part_paid_and_refunded(desk, staff)
    laid_out: list[str] = []
    real = invoice_document.invoice_pdf

    def counted(*args, **kwargs):
        laid_out.append("invoice")
        return real(*args, **kwargs)

    monkeypatch.setattr(invoice_document, "invoice_pdf", counted)
    (out / "taken.pdf").write_bytes(b"kept")
    (out / "link.pdf").symlink_to(out / "taken.pdf")
    for target, refusal in (
        (out / "taken.pdf", FileAlreadyExists),
        (out / "link.pdf", InvalidInput),
        (out / "missing" / "x.pdf", InvalidInput),
    ):
        with pytest.raises(refusal):
            save_invoice_pdf(desk, staff, ref, target)
    assert laid_out == []
    assert (out / "taken.pdf").read_bytes() == b"kept"
    saved = save_invoice_pdf(desk, staff, ref, out / "new.pdf")
    assert laid_out == ["invoice"]
    assert saved.pages == 1 and f"Invoice {ref}" in pdf_text(out / "new.pdf")


def test_an_unknown_invoice_or_a_customer_writes_no_file(desk, staff, actors, out):
    ref = part_paid_and_refunded(desk, staff)
    with pytest.raises(NotFound):
        save_invoice_pdf(desk, staff, "INV-999999", out / "a.pdf")
    # The customer may read their invoice, but files on the desk's machine are the desk's.
    with pytest.raises(NotAllowed):
        save_invoice_pdf(desk, actors["customer"], ref, out / "b.pdf")
    assert list(out.iterdir()) == []


def add_customer(desk, email: str, name: str) -> None:
    with desk.db.write() as uow:
        uow.customers.insert(CustomerRecord(None, email, name, "+44 20 7946 0999"))
        uow.commit()


def text_runs(path: Path) -> list[tuple[int, float, str, str, float]]:
    """(page, x, text, font, size) of every piece of text drawn."""
    runs = []
    for number, page in enumerate(PdfReader(path).pages):

        def visit(text, cm, tm, font, size, number=number):
            if text.strip():
                runs.append((number, tm[4], text, str(font["/BaseFont"]).lstrip("/"), size))

        page.extract_text(visitor_text=visit)
    return runs


def test_long_names_wrap_inside_the_page_and_keep_every_letter(desk, staff, out):
    # 120 characters (the most a name holds), with a word wider than its column.
    name = "Antonín Dvořák-Łukasiewicz " + "Maximilian " * 4 + "X" * 49
    assert len(name) == 120
    email = "a" * 120 + "@example.com"
    add_customer(desk, email, name)
    ref = book(desk, staff, BookingRequest(email, "NC01 CAR", "DRV-01", TODAY, 2)).invoice.ref
    path = save_invoice_pdf(desk, staff, ref, out / "long.pdf").path
    width = float(PdfReader(path).pages[0].mediabox.width)
    runs = text_runs(path)
    rental_column = next(x for _page, x, text, _font, _size in runs if text == "Rental")
    measure = FPDF(unit="pt")
    for style, font_file in FONT_FILES.items():
        measure.add_font("dejavu", style, font_file)
    for _page, x, text, font, size in runs:
        assert "+DejaVuSans" in font, font  # embedded: every reader shows the same letters
        measure.set_font("dejavu", "B" if font.endswith("Bold") else "", size)
        right = x + measure.get_string_width(text.rstrip("\n"))
        assert x >= 0 and right <= width - 20, f"{text!r} runs off the page"
        if text.strip() in email or text.strip() in name:
            assert right < rental_column, f"{text!r} runs into the rental column"
    letters = "".join(pdf_text(path).split())
    # Every letter as spelled, ř and Ł included.
    assert "".join(name.split()) in letters
    assert email in letters


def test_a_long_statement_continues_over_pages_with_headings_and_page_numbers(desk, staff, out):
    add_customer(desk, "nb@example.com", "Ann {nb} Lee")
    booked = BookingRequest("nb@example.com", "NC01 CAR", "DRV-01", TODAY, 3)
    ref = book(desk, staff, booked).invoice.ref
    payments = 90
    for _ in range(payments):
        billing.pay(desk, staff, ref, "1.00", "cash")
    saved = save_invoice_pdf(desk, staff, ref, out / "long.pdf")
    pages = page_texts(saved.path)
    assert saved.pages == len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert f"Invoice {ref}" in text
        if "Payment (cash)" in text:  # the table's headings on every page it continues to
            assert "Date Description Amount" in text
    whole = "\n".join(pages)
    assert whole.count("Payment (cash) £1.00") == payments
    # The totals stay together, after the last entry.
    assert "Balance due £360.30" in pages[-1] and "Paid £90.00" in pages[-1]
    assert whole.index("Balance due") > whole.rindex("Payment (cash)")
    assert "Ann {nb} Lee" in whole  # a name is printed as typed, never as a page count


# --- every name as spelled -----------------------------------------------------------------------


def billed_to(path: Path) -> str:
    """The line under "Billed to": the customer's name as a PDF reader extracts it."""
    lines = pdf_text(path).splitlines()
    return lines[lines.index("Billed to") + 1]


@pytest.mark.parametrize(
    "name",
    ["Ελένη Παπαδοπούλου", "Дмитрий Шостакович", "Zoë Ångström-Dvořák", "Łukasz Żółć"],
)
def test_greek_cyrillic_and_accented_names_print_exactly(desk, staff, out, name):
    add_customer(desk, "named@example.com", name)
    ref = book(desk, staff, BookingRequest("named@example.com", "NC01 CAR", "DRV-01", TODAY, 2))
    path = save_invoice_pdf(desk, staff, ref.invoice.ref, out / "named.pdf").path
    assert billed_to(path) == name
    fonts = {font for _page, _x, _text, font, _size in text_runs(path)}
    # Embedded (a subset): every reader shows the same letters.
    assert fonts and all("+DejaVuSans" in font for font in fonts), fonts


def test_letters_dejavu_lacks_come_from_the_configured_fallback_fonts(desk, staff, tmp_path, out):
    name = "山田 太郎"
    add_customer(desk, "yamada@example.com", name)
    ref = book(desk, staff, BookingRequest("yamada@example.com", "NC01 CAR", "DRV-01", TODAY, 2))
    ref = ref.invoice.ref
    # Without a font that has them, each letter prints as a visible mark, never as nothing.
    bare = save_invoice_pdf(desk, staff, ref, out / "bare.pdf").path
    assert billed_to(bare) == "�� ��"
    font = make_font(tmp_path / "cjk.ttf", "山田太郎")
    invoice = replace(desk.settings.invoice, fallback_fonts=(str(font),))
    with_font = with_settings(desk, replace(desk.settings, invoice=invoice))
    path = save_invoice_pdf(with_font, staff, ref, out / "cjk.pdf").path
    assert billed_to(path) == name
    fonts = {font for _page, _x, text, font, _size in text_runs(path) if "山" in text}
    assert fonts and all("NextCarsTestFallback" in font for font in fonts), fonts


def test_an_unusable_fallback_font_is_one_clear_error_and_no_file(desk, staff, tmp_path, out):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font at all")
    invoice = replace(desk.settings.invoice, fallback_fonts=(str(broken),))
    broken_desk = with_settings(desk, replace(desk.settings, invoice=invoice))
    ref = part_paid_and_refunded(desk, staff)
    with pytest.raises(InvalidInput, match=r"broken\.ttf.*invoice\.fallback_fonts"):
        save_invoice_pdf(broken_desk, staff, ref, out / "x.pdf")
    assert list(out.iterdir()) == []


def test_an_arabic_name_is_shaped_and_reads_back_in_its_order(desk, staff, out, monkeypatch):
    name = "محمد علي"
    add_customer(desk, "ali@example.com", name)
    ref = book(desk, staff, BookingRequest("ali@example.com", "NC01 CAR", "DRV-01", TODAY, 2))
    shaped = save_invoice_pdf(desk, staff, ref.invoice.ref, out / "shaped.pdf").path
    assert billed_to(shaped) == name
    # Without the shaping engine the letters would be drawn in their isolated forms: other
    # glyphs, so another page.
    monkeypatch.setattr(invoice_layout, "needs_shaping", lambda _texts: False)
    unshaped = save_invoice_pdf(desk, staff, ref.invoice.ref, out / "unshaped.pdf").path

    def drawn(path: Path) -> bytes:
        return PdfReader(path).pages[0].get_contents().get_data()

    assert drawn(shaped) != drawn(unshaped)


def test_stored_control_characters_print_as_marks_never_as_controls(desk, staff, out):
    ref = part_paid_and_refunded(desk, staff)
    plant_customer_name(desk, "cust01@example.com")
    text = pdf_text(save_invoice_pdf(desk, staff, ref, out / "poison.pdf").path)
    assert not any(ch in text for ch in STEERING)
    assert "".join(NAME_PRINTED.split()) in "".join(text.split())


# --- the rental as it now stands ------------------------------------------------------------------


def test_a_changed_booking_prints_the_rental_as_it_now_stands(desk, staff, out):
    made = book(desk, staff, request(start=TODAY + timedelta(days=1), days=3))
    # Longer, and on another car at that car's rate: the ledger holds correction lines.
    change_booking(desk, staff, made.ref, ChangeRequest(days="5", car_plate=plate(2)))
    ref = made.invoice.ref
    found = billing.invoice_statement(desk, staff, ref)
    assert any("(was" in e.description for e in found.entries)

    text = pdf_text(save_invoice_pdf(desk, staff, ref, out / "changed.pdf").path)

    for part in (
        f"Car {plate(2)} Toyota Corolla 2: 5 day(s) × 91.00 £455.00",
        f"Driver {code(1)} Driver 1: 5 day(s) × 60.10 £300.50",
        "Total (prices include tax) £755.50",
    ):
        assert part in text, part
    assert "(was" not in text and plate(1) not in text


def test_a_car_moved_by_a_block_appears_as_the_current_car(desk, staff, manager, out):
    made = book(desk, staff, request(start=TODAY + timedelta(days=2), days=2))
    moved = blocks.block(
        desk,
        manager,
        blocks.BlockRequest(ResourceKind.CAR, plate(1), TODAY + timedelta(days=2), 1, "MOT"),
        reassign=True,
    ).reassigned
    (to,) = [m.to for m in moved]

    text = pdf_text(save_invoice_pdf(desk, staff, made.invoice.ref, out / "moved.pdf").path)

    # The price as booked (the business moved it), on the car it now has.
    assert f"Car {to} " in text and plate(1) not in text
    assert f"Total (prices include tax) {format_money(made.total_cents)}" in text


def _scenarios(desk, staff, manager) -> list[str]:
    """Invoices in every shape the ledger takes: plain, changed twice, adjusted and refunded,
    cancelled late with a fee and part refunded, and moved by a block."""
    later = TODAY + timedelta(days=3)
    plain = book(desk, staff, request(car=1, driver=1, start=later))
    changed = book(desk, staff, request(car=2, driver=2, start=later))
    change_booking(desk, staff, changed.ref, ChangeRequest(days="4", car_plate=plate(3)))
    change_booking(desk, staff, changed.ref, ChangeRequest(days="2", driver_code=code(4)))
    adjusted = book(desk, staff, request(car=5, driver=5, start=later))
    billing.pay(desk, staff, adjusted.invoice.ref, "100.00", "card")
    billing.adjust(desk, manager, adjusted.invoice.ref, "-15.00", "late pickup")
    billing.refund(desk, staff, adjusted.invoice.ref, "10.00", "card", "goodwill")
    fees = with_settings(
        desk, replace(desk.settings, billing=replace(desk.settings.billing, cancel_fee_percent=10))
    )
    cancelled = book(fees, staff, request(car=6, driver=6, start=TODAY + timedelta(days=1)))
    billing.pay(fees, staff, cancelled.invoice.ref, "200.00", "cash")
    cancel(fees, staff, cancelled.ref, "plans changed")
    billing.refund(fees, staff, cancelled.invoice.ref, "50.00", "cash")
    moved = book(desk, staff, request(car=7, driver=7, start=later, days=1))
    blocks.block(
        desk, manager, blocks.BlockRequest(ResourceKind.CAR, plate(7), later, 1, "MOT"),
        reassign=True,
    )  # fmt: skip
    return [b.invoice.ref for b in (plain, changed, adjusted, cancelled, moved)]


def test_the_documents_lines_add_up_to_the_ledgers_figures(desk, staff, manager):
    for ref in _scenarios(desk, staff, manager):
        found = billing.invoice_statement(desk, staff, ref)
        zone = desk.settings.business.zone
        ledger = figures_of((e.kind, e.amount_cents) for e in found.entries)
        billed = invoice_layout.billed_lines(found, zone)
        paid = invoice_layout.money_lines(found, zone)
        assert sum(line.amount_cents for line in billed) == ledger.amount_cents, ref
        assert ledger.amount_cents == found.invoice.amount_cents, ref
        assert sum(line.amount_cents for line in paid) == ledger.paid_cents, ref
        assert ledger.paid_cents == found.invoice.paid_cents, ref
        assert not any("(was" in line.text for line in billed), ref
