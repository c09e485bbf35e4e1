"""What a customer owes over their invoices (domain.ledger.customer_balance)."""

from __future__ import annotations

from nextcars_tui.domain.ledger import CustomerBalance, customer_balance


def test_owed_and_owed_back_are_kept_apart_and_overdue_is_part_of_owed():
    balance = customer_balance(
        [
            ("unpaid", 12_000),
            ("overdue", 5_050),
            ("partly_paid", 700),
            ("refund_due", -2_500),
            ("paid", 0),
            ("void", 0),
            ("overdue", 1),
        ]
    )
    assert balance == CustomerBalance(
        owed_cents=17_751,
        owed_back_cents=2_500,
        overdue_invoices=2,
        overdue_cents=5_051,
        owing_invoices=4,
    )


def test_no_invoices_owe_nothing():
    assert customer_balance([]) == CustomerBalance(0, 0, 0, 0, 0)
