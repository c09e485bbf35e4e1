"""Who gets which messages, as records keep it on both engines: a customer's "no reminders"
and a driver's e-mail address, from the services and from CSV imports (optional columns that
a file without them leaves as they are)."""

from __future__ import annotations

import pytest

from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.services.fleet import (
    add_customer,
    add_driver,
    search_customers,
    update_customer,
    update_driver,
)
from nextcars_tui.services.imports import import_file


def customer(desk, actor, email):
    (found,) = [c for c in search_customers(desk, actor, email) if c.email == email]
    return found


def test_no_reminders_is_kept_and_changed(desk, staff):
    add_customer(desk, staff, "Ann Lee", "ann@example.com", "+44 20 7946 0100", "yes")
    assert customer(desk, staff, "ann@example.com").no_reminders
    update_customer(desk, staff, "ann@example.com", no_reminders="no")
    assert not customer(desk, staff, "ann@example.com").no_reminders
    with pytest.raises(InvalidInput, match="yes or no"):
        update_customer(desk, staff, "ann@example.com", no_reminders="maybe")


def test_a_driver_address_is_checked_and_can_be_removed(desk, manager):
    added = add_driver(desk, manager, "DRV-77", "Zoe", "+44 7700 900777", "45.00", "Zoe@X.org")
    assert added.email == "zoe@x.org"
    assert update_driver(desk, manager, "DRV-77", email="").email is None
    with pytest.raises(InvalidInput, match="is not an e-mail address"):
        update_driver(desk, manager, "DRV-77", email="zoe@localhost")


def test_csv_imports_take_the_optional_columns_and_leave_them_when_absent(desk, manager, tmp_path):
    with_flag = tmp_path / "customers.csv"
    with_flag.write_text(
        "email,name,phone,no_reminders\n"
        "ann@example.com,Ann Lee,+44 20 7946 0100,yes\n"
        "bob@example.com,Bob Ray,+44 20 7946 0101,\n",
        encoding="utf-8",
    )
    import_file(desk, manager, "customers", with_flag)
    assert customer(desk, manager, "ann@example.com").no_reminders
    assert not customer(desk, manager, "bob@example.com").no_reminders
    without = tmp_path / "again.csv"
    without.write_text(
        "email,name,phone\nann@example.com,Ann Lee-Smith,+44 20 7946 0100\n", encoding="utf-8"
    )
    result = import_file(desk, manager, "customers", without)
    assert result.updated == 1
    found = customer(desk, manager, "ann@example.com")
    assert (found.name, found.no_reminders) == ("Ann Lee-Smith", True)
    drivers = tmp_path / "drivers.csv"
    drivers.write_text(
        "code,name,phone,daily_fee,email\nDRV-90,Ola,+44 7700 900090,50.00,ola@example.com\n",
        encoding="utf-8",
    )
    import_file(desk, manager, "drivers", drivers)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "email,name,phone,no_reminders\ncat@example.com,Cat,+44 20 7946 0102,perhaps\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput, match="line 2"):
        import_file(desk, manager, "customers", bad)
