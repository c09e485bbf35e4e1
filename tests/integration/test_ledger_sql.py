"""The ledger's rules written in SQL (store.ledger_sql) say what the domain's functions say,
on generated cases, on both engines: the lifecycle rules and `db check` run the SQL, the
desk's own writes the Python, and the two must never disagree."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rawdb import raw

from nextcars_tui.domain.ledger import EntryKind, Figures, figures_of, invoice_status
from nextcars_tui.domain.statuses import BookingStatus
from nextcars_tui.store.ledger_sql import entry_sums_sql, invoice_status_sql

DAY = date(2026, 3, 10)
cents = st.integers(min_value=0, max_value=50_000)
days = st.integers(min_value=-3, max_value=3).map(lambda n: DAY + timedelta(days=n))
entries = st.lists(
    st.tuples(st.sampled_from(list(EntryKind)), st.integers(min_value=-20_000, max_value=20_000)),
    max_size=8,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    billed=cents,
    paid=st.integers(min_value=-5_000, max_value=60_000),
    refunded=cents,
    booking=st.sampled_from(list(BookingStatus)),
    due=days,
    today=days,
)
def test_the_status_case_agrees_with_the_domain(desk, billed, paid, refunded, booking, due, today):
    sql = invoice_status_sql(
        billed=":billed",
        paid=":paid",
        refunded=":refunded",
        booking_status=":booking",
        due=":due",
        today=":today",
    )
    with raw(desk) as db:
        ((found,),) = db.execute(
            f"SELECT {sql}",
            {
                "billed": billed,
                "paid": paid,
                "refunded": refunded,
                "booking": booking.value,
                "due": due,
                "today": today,
            },
        ).fetchall()
    expected = invoice_status(Figures(billed, paid, refunded), booking, due, today)
    assert found == expected.value


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=entries)
def test_the_entry_sums_agree_with_the_domain(desk, entries):
    """Sums over a table shaped like the ledger (the real one is append-only, and these
    entries need not follow its rules)."""
    with raw(desk) as db:
        db.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS sums_case "
            "(invoice_id INTEGER, kind VARCHAR(16), amount_cents INTEGER)"
        )
        db.execute("DELETE FROM sums_case")
        for kind, amount in entries:
            db.execute(
                "INSERT INTO sums_case VALUES (1, :kind, :amount)",
                {"kind": kind.value, "amount": amount},
            )
        found = db.execute(
            entry_sums_sql().replace("FROM ledger_entry", "FROM sums_case")
        ).fetchall()
    figures = figures_of((kind.value, amount) for kind, amount in entries)
    charged = sum(amount for kind, amount in entries if kind == EntryKind.CHARGE)
    fees = sum(1 for kind, _ in entries if kind == EntryKind.FEE)
    if not entries:
        assert found == []
        return
    ((invoice, billed, paid, refunded, charges, fee_count),) = found
    assert (invoice, billed, paid, refunded) == (
        1,
        figures.amount_cents,
        figures.paid_cents,
        figures.refunded_cents,
    )
    assert (charges, fee_count) == (charged, fees)
