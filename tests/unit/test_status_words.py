"""People read statuses as words; scripts keep the codes."""

from __future__ import annotations

import pytest

from nextcars_tui.domain.statuses import (
    STATUS_LABELS,
    BookingStatus,
    InvoiceStatus,
    status_label,
    status_words,
)


@pytest.mark.parametrize("status", [*BookingStatus, *InvoiceStatus])
def test_every_status_has_words_without_a_code_in_them(status: str):
    assert status in STATUS_LABELS
    label = status_label(status)
    assert "_" not in label and label[0].isupper()
    assert status_words(status) == label.lower()


def test_the_two_word_statuses_read_as_words():
    assert status_label(InvoiceStatus.PARTLY_PAID) == "Partly paid"
    assert status_label("refund_due") == "Refund due"
    assert status_words(InvoiceStatus.REFUND_DUE) == "refund due"
