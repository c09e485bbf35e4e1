"""The invoice document's layout: an InvoiceStatement as PDF bytes, with fpdf2. Knows nothing
of the database or of files (services.invoice_document reads the statement and writes the file).

Every name prints as it is spelled: the PDF embeds DejaVu Sans (shipped in fonts/ under its
licence; the subset used), which covers Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew and
Arabic. Letters it lacks (Chinese, Japanese, Korean, Indic scripts…) come from the fonts the
desk names in `invoice.fallback_fonts`; a text in a script whose letters join or reorder
(Arabic, Hebrew, Indic) is shaped with HarfBuzz. A letter that no font has prints as �, as does
a control character of stored text (domain.safe_text): the one exit for all text is
`DeskDocument.normalize_text`, which fpdf2 calls for everything it draws or measures.

An invoice fits one A4 page in practice (a few charges and payments). A long statement goes
on over further pages: the tables repeat their headings, the totals are never split, and
every page says "Page n of N".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos

from nextcars_tui.config import BusinessSettings
from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.ledger import MONEY_KINDS, EntryKind
from nextcars_tui.domain.money import cents_to_text
from nextcars_tui.domain.rules import Money
from nextcars_tui.domain.safe_text import REPLACEMENT, inert
from nextcars_tui.domain.statuses import BookingStatus, status_label
from nextcars_tui.services.views import EntryView, InvoiceStatement

FONT = "dejavu"
FONT_FOLDER = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {"": FONT_FOLDER / "DejaVuSans.ttf", "B": FONT_FOLDER / "DejaVuSans-Bold.ttf"}
MARGIN = 15.0  # mm, all round
LINE = 5.0  # mm, one line of body text
# Scripts whose letters change shape or order with their neighbours: Hebrew, Arabic, Syriac,
# Thaana, N'Ko, the Indic scripts, Thai, Lao, Tibetan, Myanmar, Hangul jamo, Khmer,
# Mongolian, and the Hebrew and Arabic presentation forms.
_SHAPED_SCRIPTS = re.compile(
    "[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f\u1100-\u11ff"
    "\u1780-\u18af\ufb1d-\ufdff\ufe70-\ufeff]"
)


@dataclass(frozen=True)
class InvoicePdf:
    data: bytes
    pages: int


def needs_shaping(texts: Iterable[str]) -> bool:
    """Whether any text needs a shaping engine to print right: a script whose letters join or
    reorder, or a combining accent to place on its letter. Latin, Greek and Cyrillic in
    precomposed letters do not, and keep fpdf2's plain (and faster) text layout."""
    return any(
        _SHAPED_SCRIPTS.search(text) or any(unicodedata.combining(ch) for ch in text)
        for text in texts
    )


def percent_text(basis_points: int) -> str:
    """1750 → '17.5%', 2000 → '20%'."""
    whole, rest = divmod(basis_points, 100)
    return f"{whole}.{rest:02d}".rstrip("0").rstrip(".") + "%"


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class DocumentLine:
    """One line of the document's tables: when (or blank), what, and the sum."""

    when: date | None
    text: str
    amount_cents: int


def rental_lines(found: InvoiceStatement) -> list[DocumentLine]:
    """The rental as it now stands, in place of the ledger's charge entries: the car and
    driver lines at the booking's current days, car, driver and rates (a car moved by a
    block shows as the car now on the booking), and for a cancelled booking the reversal.
    The ledger's correction lines ("… (was …)") are how the total got here, not what was
    rented, so they are never printed; should the charges ever disagree with the booking,
    a correction line says so, and the lines still add up to the ledger's charges."""
    booking = found.booking
    quote = booking.quote
    lines = [
        DocumentLine(
            booking.start,
            f"Car {booking.car_plate} {booking.car_name}: {booking.days} day(s) × "
            f"{cents_to_text(booking.car_daily_rate_cents)}",
            quote.car_cents,
        ),
        DocumentLine(
            booking.start,
            f"Driver {booking.driver_code} {booking.driver_name}: {booking.days} day(s) × "
            f"{cents_to_text(booking.driver_daily_fee_cents)}",
            quote.driver_cents,
        ),
    ]
    lines = [line for line in lines if line.amount_cents]
    charged = sum(e.amount_cents for e in found.entries if e.kind == EntryKind.CHARGE)
    if booking.status == BookingStatus.CANCELLED:
        lines.append(DocumentLine(None, f"Booking {booking.ref} cancelled: rental reversed", 0))
    difference = charged - sum(line.amount_cents for line in lines)
    if difference and booking.status == BookingStatus.CANCELLED:
        lines[-1] = replace(lines[-1], amount_cents=difference)
    elif difference:
        lines.append(DocumentLine(None, "Correction to the rental", difference))
    return lines


def billed_lines(found: InvoiceStatement, zone: ZoneInfo) -> list[DocumentLine]:
    """What the invoice is for: the rental as it stands, then fees, then adjustments."""
    others = [
        DocumentLine(e.at.astimezone(zone).date(), entry_text(e), e.amount_cents)
        for kind in (EntryKind.FEE, EntryKind.ADJUSTMENT)
        for e in found.entries
        if e.kind == kind
    ]
    return [*rental_lines(found), *others]


def money_lines(found: InvoiceStatement, zone: ZoneInfo) -> list[DocumentLine]:
    """Payments (positive) and refunds (negative), oldest first: they add up to what was paid."""
    return [
        DocumentLine(
            e.at.astimezone(zone).date(),
            entry_text(e),
            -e.amount_cents if e.kind == EntryKind.REFUND else e.amount_cents,
        )
        for e in found.entries
        if e.kind in MONEY_KINDS
    ]


def entry_text(entry: EntryView) -> str:
    """What a statement line says: the entry's description, how money moved, and why."""
    what = entry.description
    if entry.method and entry.kind in (EntryKind.PAYMENT, EntryKind.REFUND):
        what = f"{what} ({entry.method})"
    return f"{what}: {entry.reason}" if entry.reason else what


class DeskDocument(FPDF):
    """An A4 page of the desk's documents (the invoice, the run sheet): DejaVu Sans and the
    fallback fonts, every text through the one sanitiser, and a footer with "Page n of N"."""

    def __init__(self, footer_text: str, pages: int, fallback_fonts: Sequence[str]) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._footer_text = footer_text
        self._pages = pages
        # Off: fpdf2 would print the page count for a "{nb}" typed in a customer's name.
        self.alias_nb_pages("")
        for style, path in FONT_FILES.items():
            self.add_font(FONT, style, path)
        families = [_add_fallback(self, number, path) for number, path in enumerate(fallback_fonts)]
        if families:
            # Not exact: a bold name takes its letters from a regular fallback font too.
            self.set_fallback_fonts(families, exact_match=False)
        # Every character some font can draw; anything else prints as REPLACEMENT.
        self._drawable = frozenset(
            codepoint for font in self.fonts.values() for codepoint in getattr(font, "cmap", {})
        )

    def normalize_text(self, text: str) -> str:
        """Stored text inert (its control characters and bidi overrides as �), and a
        letter that no font has as � too, instead of an empty box or nothing at all."""
        shown = inert(text, placeholder=REPLACEMENT)
        if any(ord(ch) not in self._drawable for ch in shown):
            shown = "".join(ch if ord(ch) in self._drawable else REPLACEMENT for ch in shown)
        return super().normalize_text(shown)

    def footer(self) -> None:
        self.set_y(-MARGIN + 3)
        self.set_font(FONT, "", 8)
        self.set_text_color(110)
        self.cell(0, 4, self._footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {self._pages}", align="R")
        self.set_text_color(0)


def _add_fallback(pdf: FPDF, number: int, path: str) -> str:
    family = f"fallback{number}"
    try:
        pdf.add_font(family, "", path)
    except Exception as error:
        # fpdf2 and fontTools raise many kinds of error for a file that is no usable font.
        raise InvalidInput(
            f"The font {path} (setting 'invoice.fallback_fonts') cannot be used: "
            f"{type(error).__name__}; name a TrueType or OpenType font file."
        ) from None
    return family


def stored_texts(found: InvoiceStatement, business: BusinessSettings) -> list[str]:
    """The document's text that comes from people rather than from the layout."""
    booking = found.booking
    return [
        business.name,
        business.address,
        business.tax_number,
        booking.customer_name,
        booking.customer_email,
        booking.customer_phone,
        booking.car_name,
        booking.driver_name,
        *(entry_text(entry) for entry in found.entries),
    ]


def invoice_pdf(
    found: InvoiceStatement,
    business: BusinessSettings,
    money: Money,
    created: datetime,
    fallback_fonts: Sequence[str] = (),
) -> InvoicePdf:
    """The invoice document as PDF bytes; `created` is stored as the PDF's creation date,
    `fallback_fonts` are font files for the letters DejaVu Sans lacks."""
    return laid_out(
        lambda pages: _render(found, business, money, created, fallback_fonts, pages=pages)
    )


def laid_out(render: Callable[[int], InvoicePdf]) -> InvoicePdf:
    """A document whose footers say "Page n of N": the page count is known only once laid
    out, so a document longer than a page is drawn again with it."""
    first = render(1)
    if first.pages == 1:
        return first
    return render(first.pages)


def _render(
    found: InvoiceStatement,
    business: BusinessSettings,
    money: Money,
    created: datetime,
    fallback_fonts: Sequence[str],
    *,
    pages: int,
) -> InvoicePdf:
    invoice, booking = found.invoice, found.booking
    zone = business.zone
    pdf = DeskDocument(f"Invoice {invoice.ref}", pages, fallback_fonts)
    if needs_shaping(stored_texts(found, business)):
        pdf.set_text_shaping(True)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN + 2)
    pdf.set_title(inert(f"Invoice {invoice.ref}"))
    pdf.set_author(inert(business.name))
    pdf.set_creator("NextCars")
    pdf.set_creation_date(created)
    pdf.add_page()

    left_width = pdf.epw * 0.55
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

    def row(line: DocumentLine) -> tuple[str, str, str]:
        when = day_text(line.when) if line.when is not None else ""
        return when, line.text, money(line.amount_cents)

    _heading(pdf, "Charges")
    _table(pdf, [row(line) for line in billed_lines(found, zone)])
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
    moved = money_lines(found, zone)
    if moved:
        _table(pdf, [row(line) for line in moved])
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


def last_payment(found: InvoiceStatement) -> EntryView | None:
    """The entry a receipt is for: the invoice's latest payment."""
    payments = [e for e in found.entries if e.kind == EntryKind.PAYMENT]
    return payments[-1] if payments else None


def receipt_pdf(
    found: InvoiceStatement,
    payment: EntryView,
    business: BusinessSettings,
    money: Money,
    created: datetime,
    fallback_fonts: Sequence[str] = (),
) -> InvoicePdf:
    """A one-page receipt for one payment on an invoice: who paid what, when and how, and
    the balance it left (and the balance now, if later entries moved it)."""
    invoice, booking = found.invoice, found.booking
    zone = business.zone
    pdf = DeskDocument(f"Receipt for invoice {invoice.ref}", 1, fallback_fonts)
    if needs_shaping(stored_texts(found, business)):
        pdf.set_text_shaping(True)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN + 2)
    pdf.set_title(inert(f"Receipt for invoice {invoice.ref}"))
    pdf.set_author(inert(business.name))
    pdf.set_creator("NextCars")
    pdf.set_creation_date(created)
    pdf.add_page()
    _paragraph(pdf, business.name, width=pdf.epw, size=16, style="B", line=7)
    for line in business.address.splitlines():
        _paragraph(pdf, line, width=pdf.epw)
    if business.tax_number:
        _paragraph(pdf, f"Tax number: {business.tax_number}", width=pdf.epw)
    pdf.ln(4)
    _paragraph(pdf, "RECEIPT", width=pdf.epw, size=16, style="B", line=7)
    paid_at = payment.at.astimezone(zone)
    _pairs(
        pdf,
        [
            ("Received from", booking.customer_name),
            ("Amount", money(payment.amount_cents)),
            ("Paid on", f"{day_text(paid_at.date())} {paid_at:%H:%M}"),
            ("Method", payment.method or ""),
            ("For", f"Invoice {invoice.ref}, booking {booking.ref}"),
            ("Rental", f"{booking.car_name} ({booking.car_plate}), {day_text(booking.start)}"
             f" to {day_text(booking.last_day)}"),
            ("Balance after", money(payment.balance_after_cents)),
        ],
        x=MARGIN,
        width=pdf.epw,
        label_width=32.0,
    )  # fmt: skip
    if invoice.balance_cents != payment.balance_after_cents:
        _pairs(
            pdf,
            [("Balance now", money(invoice.balance_cents))],
            x=MARGIN,
            width=pdf.epw,
            label_width=32.0,
        )
    pdf.ln(4)
    _paragraph(pdf, "Thank you.", width=pdf.epw)
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
    pdf.multi_cell(width, line, text, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)


def _pairs(
    pdf: FPDF,
    pairs: Sequence[tuple[str, str]],
    *,
    x: float,
    width: float,
    label_width: float = 18.0,
) -> None:
    """Label and value lines; a long value wraps within its column."""
    for label, value in pairs:
        pdf.set_x(x)
        pdf.set_font(FONT, "B", 10)
        pdf.cell(label_width, LINE, label)
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(width - label_width, LINE, value, align="L", new_x=XPos.LEFT)
        pdf.set_x(x)


def _heading(pdf: FPDF, text: str) -> None:
    # A heading is never left alone at the foot of a page.
    if pdf.will_page_break(4 * LINE):
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


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
                cells.cell(text)


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
        pdf.cell(label_width, LINE, label, align="R")
        pdf.cell(amount_width, LINE, amount, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
