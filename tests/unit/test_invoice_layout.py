"""The invoice layout's text rules: which texts need a shaping engine, and the tax rate. (What
the document prints is read back from real PDFs in tests/integration/test_invoice_pdf.py.)"""

from __future__ import annotations

import pytest

from nextcars_tui.services.invoice_layout import needs_shaping, percent_text


@pytest.mark.parametrize(
    ("texts", "shaped"),
    [
        (["Zoë Ångström", "£12.50 and €9.99", "Dvořák, Łódź"], False),
        (["Ελένη Παπαδοπούλου", "Дмитрий Шостакович"], False),  # Greek, Cyrillic
        (["山田 太郎"], False),  # CJK: one glyph a letter, nothing to join
        (["Ann Lee", "محمد علي"], True),  # Arabic letters join
        (["דוד לוי"], True),  # Hebrew reads right to left
        (["अर्जुन"], True),  # Devanagari conjuncts
        (["Zoe\u0308"], True),  # a combining diaeresis, placed by the font
    ],
)
def test_only_scripts_that_join_reorder_or_combine_are_shaped(texts, shaped):
    assert needs_shaping(texts) is shaped


@pytest.mark.parametrize(
    ("basis_points", "text"),
    [(0, "0%"), (500, "5%"), (1750, "17.5%"), (2000, "20%"), (525, "5.25%")],
)
def test_tax_rates_print_without_trailing_zeros(basis_points, text):
    assert percent_text(basis_points) == text
