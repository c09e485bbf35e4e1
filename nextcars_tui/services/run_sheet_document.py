"""The day's run sheet as a PDF for the desk's clipboard or the drivers' room: pickups, then
returns, each job with its time, places, passengers, customer and phone, car, driver and the
balance to collect. Laid out with the invoice document's fonts and sanitiser
(services.invoice_layout.DeskDocument) and written through the one export writer (private,
never over a file unless the caller says so)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from fpdf import FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos

from nextcars_tui.config import BusinessSettings
from nextcars_tui.domain.roles import Actor
from nextcars_tui.domain.rules import Money
from nextcars_tui.domain.safe_text import inert
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.exports import save_document
from nextcars_tui.services.invoice_layout import (
    FONT,
    LINE,
    MARGIN,
    DeskDocument,
    InvoicePdf,
    laid_out,
    needs_shaping,
)
from nextcars_tui.services.today import RunSheet, run_sheet
from nextcars_tui.services.views import BookingView

# Widths in mm of A4 portrait's 180 mm between the margins; text wraps within its cell.
_COLUMNS = (
    ("Time", 12, "LEFT"),
    ("Booking", 20, "LEFT"),
    ("Customer", 36, "LEFT"),
    ("From", 30, "LEFT"),
    ("To", 30, "LEFT"),
    ("Pax", 9, "RIGHT"),
    ("Car, driver", 21, "LEFT"),
    ("Balance", 22, "RIGHT"),
)


@dataclass(frozen=True)
class SavedRunSheet:
    sheet: RunSheet
    path: Path
    pages: int


def _title(day: date) -> str:
    return f"Run sheet {day:%A} {day.day} {day:%B %Y}"


def _cells(job: BookingView, money: Money) -> tuple[str, ...]:
    return (
        job.pickup_time or "",
        job.ref,
        f"{job.customer_name}\n{job.customer_phone}",
        job.pickup or "",
        job.dropoff or "",
        "" if job.passengers is None else str(job.passengers),
        f"{job.car_plate}\n{job.driver_code} {job.driver_name}",
        money(job.invoice.balance_cents),
    )


def _stored_texts(sheet: RunSheet, business: BusinessSettings) -> list[str]:
    """The document's text that comes from people rather than from the layout."""
    texts = [business.name]
    for job in (*sheet.pickups, *sheet.returns):
        texts += [job.customer_name, job.customer_phone, job.pickup or "", job.dropoff or ""]
        texts.append(job.driver_name)
    return texts


def run_sheet_pdf(
    sheet: RunSheet,
    business: BusinessSettings,
    money: Money,
    created: datetime,
    fallback_fonts: Sequence[str] = (),
) -> InvoicePdf:
    """The run sheet as PDF bytes; a long day goes on over pages, each saying "Page n of N"."""
    return laid_out(
        lambda pages: _render(sheet, business, money, created, fallback_fonts, pages=pages)
    )


def _render(
    sheet: RunSheet,
    business: BusinessSettings,
    money: Money,
    created: datetime,
    fallback_fonts: Sequence[str],
    *,
    pages: int,
) -> InvoicePdf:
    title = _title(sheet.day)
    pdf = DeskDocument(f"{title} · {business.name}", pages, fallback_fonts)
    if needs_shaping(_stored_texts(sheet, business)):
        pdf.set_text_shaping(True)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN + 2)
    pdf.set_title(inert(title))
    pdf.set_author(inert(business.name))
    pdf.set_creator("NextCars")
    pdf.set_creation_date(created)
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, LINE, business.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for heading, jobs, none in (
        ("Pickups", sheet.pickups, "No pickups this day."),
        ("Returns", sheet.returns, "No returns this day."),
    ):
        _section(pdf, f"{heading} ({len(jobs)})", [_cells(job, money) for job in jobs], none)
    return InvoicePdf(bytes(pdf.output()), pdf.pages_count)


def _section(pdf: DeskDocument, heading: str, rows: list[tuple[str, ...]], none: str) -> None:
    # A heading is never left alone at the foot of a page.
    if pdf.will_page_break(4 * LINE):
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 7, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    if not rows:
        pdf.cell(0, LINE, none, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    with pdf.table(
        col_widths=tuple(width for _, width, _ in _COLUMNS),
        text_align=tuple(align for _, _, align in _COLUMNS),
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        headings_style=FontFace(emphasis="BOLD"),
        line_height=4.5,
        padding=(1, 1, 1, 1),
        width=pdf.epw,
    ) as table:
        heading_row = table.row()
        for label, _, _ in _COLUMNS:
            heading_row.cell(label)
        for row in rows:
            cells = table.row()
            for text in row:
                cells.cell(text)


def save_run_sheet_pdf(
    desk: Desk, actor: Actor, day: date | None, target: str | Path, *, force: bool = False
) -> SavedRunSheet:
    """Write the day's run sheet (default today) to target; the service checks the actor.
    An existing file raises FileAlreadyExists unless force."""
    sheet = run_sheet(desk, actor, day)
    settings = desk.settings
    path, document = save_document(
        desk,
        target,
        lambda: run_sheet_pdf(
            sheet, settings.business, desk.money, desk.now(), settings.invoice.fallback_fonts
        ),
        force=force,
    )
    return SavedRunSheet(sheet, path, document.pages)
