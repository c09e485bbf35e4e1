"""The invoice document's layout: an InvoiceStatement as PDF bytes, with fpdf2. Knows nothing
of the database or of files (services.invoice_document reads the statement and writes the file).

The PDF uses the standard Helvetica font, so nothing is embedded and every PDF reader shows it.
Its text is encoded as Windows-1252 (WinAnsiEncoding, which fpdf2 declares for core fonts):
that covers £, € and Western European names. A letter outside it is written without its
accent where it has one (Dvořák → Dvorak), anything else as '?'; nothing makes the writer fail.

An invoice fits one A4 page in practice (a few charges and payments). A long statement goes
on over further pages: the tables repeat their headings, the totals are never split, and
every page says "Page n of N".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos

from nextcars_tui.config import BusinessSettings
from nextcars_tui.domain.ledger import BILLED_KINDS, EntryKind
from nextcars_tui.domain.rules import Money
from nextcars_tui.services.views import EntryView, InvoiceStatement

ENCODING = "cp1252"
FONT = "Helvetica"
MARGIN = 15.0  # mm, all round
LINE = 5.0  # mm, one line of body text
# Letters with no decomposition to a base letter plus accent.
_PLAIN_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ħ": "h"})


@dataclass(frozen=True)
class InvoicePdf:
    data: bytes
    pages: int


def printable(text: str) -> str:
    """Text the core font can show: Windows-1252 kept as it is, other letters without their
    accents, control characters as spaces, anything else '?'."""
    out = []
    for ch in text:
        if unicodedata.category(ch) == "Cc":
            out.append(" ")
            continue
        try:
            ch.encode(ENCODING)
        except UnicodeEncodeError:
            base = "".join(
                c
                for c in unicodedata.normalize("NFKD", ch.translate(_PLAIN_LETTERS))
                if not unicodedata.combining(c)
            )
            ch = base if base and _encodes(base) else "?"
        out.append(ch)
    return "".join(out)


def _encodes(text: str) -> bool:
    try:
        text.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def percent_text(basis_points: int) -> str:
    """1750 → '17.5%', 2000 → '20%'."""
    whole, rest = divmod(basis_points, 100)
    return f"{whole}.{rest:02d}".rstrip("0").rstrip(".") + "%"


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def status_label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def entry_text(entry: EntryView) -> str:
    """What a statement line says: the entry's description, how money moved, and why."""
    what = entry.description
    if entry.method and entry.kind in (EntryKind.PAYMENT, EntryKind.REFUND):
        what = f"{what} ({entry.method})"
    return f"{what}: {entry.reason}" if entry.reason else what


class _Document(FPDF):
    def __init__(self, footer_text: str, pages: int) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._footer_text = footer_text
        self._pages = pages
        # Off: fpdf2 would print the page count for a "{nb}" typed in a customer's name.
        self.alias_nb_pages("")

    def footer(self) -> None:
        self.set_y(-MARGIN + 3)
        self.set_font(FONT, "", 8)
        self.set_text_color(110)
        self.cell(0, 4, self._footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {self._pages}", align="R")
        self.set_text_color(0)


def invoice_pdf(
    found: InvoiceStatement,
    business: BusinessSettings,
    money: Money,
    created: datetime,
) -> InvoicePdf:
    """The invoice document as PDF bytes; `created` is stored as the PDF's creation date."""
    first = _render(found, business, money, created, pages=1)
    if first.pages == 1:
        return first
    # The page count is known only once laid out; the footers of the second run state it.
    return _render(found, business, money, created, pages=first.pages)


def _render(
    found: InvoiceStatement,
    business: BusinessSettings,
    money: Money,
    created: datetime,
    *,
    pages: int,
) -> InvoicePdf:
    invoice, booking = found.invoice, found.booking
    zone = business.zone
    pdf = _Document(f"Invoice {invoice.ref}", pages)
    pdf.core_fonts_encoding = ENCODING
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN + 2)
    pdf.set_title(printable(f"Invoice {invoice.ref}"))
    pdf.set_author(printable(business.name))
    pdf.set_creator("NextCars")
    pdf.set_creation_date(created)
    pdf.add_page()

    left_width = pdf.epw * 0.58
    right_x = MARGIN + left_width + 5
    right_width = pdf.epw - left_width - 5
    top = pdf.get_y()

    # Business header, left; the invoice's identity, right.
    _paragraph(pdf, business.name, width=left_width, size=16, style="B", line=7)
    for line in business.address.splitlines():
        _paragraph(pdf, line, width=left_width)
    if business.tax_number:
        _paragraph(pdf, f"Tax number: {business.tax_number}", width=left_width)
    left_end = pdf.get_y()
    pdf.set_xy(right_x, top)
    _paragraph(pdf, "INVOICE", width=right_width, size=16, style="B", line=7, x=right_x)
    _pairs(
        pdf,
        [
            ("Invoice", invoice.ref),
            ("Booking", booking.ref),
            ("Issued", day_text(invoice.issued_at.astimezone(zone).date())),
            ("Due", day_text(invoice.due)),
            ("Status", status_label(invoice.status.value)),
        ],
        x=right_x,
        width=right_width,
    )
    pdf.set_y(max(left_end, pdf.get_y()) + 6)

    # Who is billed, left; what was rented, right.
    top = pdf.get_y()
    _paragraph(pdf, "Billed to", width=left_width, style="B")
    for line in (booking.customer_name, booking.customer_email, booking.customer_phone):
        if line:
            _paragraph(pdf, line, width=left_width)
    left_end = pdf.get_y()
    pdf.set_xy(right_x, top)
    _paragraph(pdf, "Rental", width=right_width, style="B", x=right_x)
    nights = f"{booking.days} day{'s' if booking.days != 1 else ''}"
    _pairs(
        pdf,
        [
            ("Car", f"{booking.car_name} ({booking.car_plate})"),
            ("Driver", f"{booking.driver_name} ({booking.driver_code})"),
            ("From", day_text(booking.start)),
            ("To", f"{day_text(booking.last_day)} ({nights})"),
        ],
        x=right_x,
        width=right_width,
    )
    pdf.set_y(max(left_end, pdf.get_y()) + 6)

    def when(entry: EntryView) -> str:
        return day_text(entry.at.astimezone(zone).date())

    charges = [e for e in found.entries if e.kind in BILLED_KINDS]
    moved = [e for e in found.entries if e.kind not in BILLED_KINDS]
    _heading(pdf, "Charges")
    _table(pdf, [(when(e), entry_text(e), money(e.amount_cents)) for e in charges])
    _totals(
        pdf,
        [
            ("Total (prices include tax)", money(invoice.amount_cents), "B"),
            (
                f"of which tax at {percent_text(found.tax_rate_basis_points)}",
                money(found.tax_cents),
                "",
            ),
        ],
    )

    _heading(pdf, "Payments and refunds")
    if moved:
        _table(
            pdf,
            [
                (
                    when(e),
                    entry_text(e),
                    money(-e.amount_cents if e.kind == EntryKind.REFUND else e.amount_cents),
                )
                for e in moved
            ],
        )
    else:
        _paragraph(pdf, "No payments yet.", width=pdf.epw)
    balance = invoice.balance_cents
    _totals(
        pdf,
        [
            ("Amount", money(invoice.amount_cents), ""),
            ("Paid", money(invoice.paid_cents), ""),
            (
                ("Balance due" if balance >= 0 else "Owed back to you"),
                money(abs(balance)),
                "B",
            ),
            ("Due date", day_text(invoice.due), ""),
        ],
    )
    return InvoicePdf(bytes(pdf.output()), pdf.pages_count)


def _paragraph(
    pdf: FPDF,
    text: str,
    *,
    width: float,
    size: float = 10,
    style: str = "",
    line: float = LINE,
    x: float | None = None,
) -> None:
    """Text wrapped to width (a word longer than the width is broken), starting at x."""
    pdf.set_font(FONT, style, size)
    if x is not None:
        pdf.set_x(x)
    pdf.multi_cell(width, line, printable(text), new_x=XPos.LEFT, new_y=YPos.NEXT)


def _pairs(pdf: FPDF, pairs: Sequence[tuple[str, str]], *, x: float, width: float) -> None:
    """Label and value lines; a long value wraps within its column."""
    label_width = 18.0
    for label, value in pairs:
        pdf.set_x(x)
        pdf.set_font(FONT, "B", 10)
        pdf.cell(label_width, LINE, printable(label))
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(width - label_width, LINE, printable(value), new_x=XPos.LEFT)
        pdf.set_x(x)


def _heading(pdf: FPDF, text: str) -> None:
    # A heading is never left alone at the foot of a page.
    if pdf.will_page_break(4 * LINE):
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 7, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(pdf: FPDF, rows: Sequence[tuple[str, str, str]]) -> None:
    pdf.set_font(FONT, "", 10)
    with pdf.table(
        col_widths=(25, 120, 35),
        text_align=("LEFT", "LEFT", "RIGHT"),
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        headings_style=FontFace(emphasis="BOLD"),
        line_height=LINE,
        padding=(1, 1, 1, 1),
        width=pdf.epw,
    ) as table:
        heading = table.row()
        for text in ("Date", "Description", "Amount"):
            heading.cell(text)
        for row in rows:
            cells = table.row()
            for text in row:
                cells.cell(printable(text))


def _totals(pdf: FPDF, lines: Sequence[tuple[str, str, str]]) -> None:
    """Label and amount lines aligned under the tables' amount column, kept on one page."""
    height = 2 + LINE * len(lines)
    if pdf.will_page_break(height):
        pdf.add_page()
    pdf.ln(2)
    amount_width = pdf.epw * 35 / 180
    label_width = pdf.epw - amount_width
    for label, amount, style in lines:
        pdf.set_font(FONT, style, 10)
        pdf.cell(label_width, LINE, printable(label), align="R")
        pdf.cell(
            amount_width, LINE, printable(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
