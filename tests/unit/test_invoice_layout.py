"""The invoice layout's text rules: what the PDF's standard font can show, and the tax rate."""

from __future__ import annotations

import pytest

from nextcars_tui.services.invoice_layout import percent_text, printable


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("£12.50 and €9.99", "£12.50 and €9.99"),  # both in Windows-1252
        ("Zoë Ångström, José", "Zoë Ångström, José"),
        ("Dvořák, Łódź, Đorđe", "Dvorák, Lódz, Dorde"),  # ř, ź lose the accent, á, ó keep it
        ("Ivan\tPetrov\n", "Ivan Petrov "),  # control characters never reach the PDF
        ("王 Ἀθῆναι", "? ??????"),  # other scripts: a mark per letter, never a failure
    ],
)
def test_text_the_standard_font_cannot_show_loses_accents_not_letters(typed, printed):
    assert printable(typed) == printed
    printable(typed).encode("cp1252")  # never fails


@pytest.mark.parametrize(
    ("basis_points", "text"),
    [(0, "0%"), (500, "5%"), (1750, "17.5%"), (2000, "20%"), (525, "5.25%")],
)
def test_tax_rates_print_without_trailing_zeros(basis_points, text):
    assert percent_text(basis_points) == text
