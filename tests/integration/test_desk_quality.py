"""The layer in front of the rules, through the services on both engines: clashes as data,
plates and phones as clerks type them, imports that let clerks book meanwhile, rationed
unknown sign-ins, a demo that loads whole or not at all, and bookings lists sorted without
sorting the history."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest
from deskkit import CODES, PLATES, TODAY, request, row_counts, spy_on_verify

from nextcars_tui.domain.errors import (
    AccountLocked,
    Conflict,
    InvalidInput,
    ResourceKind,
    SignInFailed,
)
from nextcars_tui.services import auth, demo, fleet, imports
from nextcars_tui.services.booking import book
from nextcars_tui.services.listings import BookingFilter, list_bookings
from nextcars_tui.services.sign_in_guard import SignInGuard
from nextcars_tui.store import bookings as booking_store
from nextcars_tui.store.diagnostics import query_plan, recorded_statements

# --- Conflict carries what clashed --------------------------------------------------------


def test_a_car_clash_names_the_car_the_booking_and_its_days(desk, staff):
    first = book(desk, staff, request(car=1, driver=1, start=TODAY, days=3))
    with pytest.raises(Conflict) as clash:
        book(desk, staff, request(car=1, driver=2, start=TODAY + timedelta(days=1), days=1))
    error = clash.value
    assert error.resource_kind is ResourceKind.CAR
    assert error.resource == PLATES[0]
    assert error.clashing_ref == first.ref
    assert (error.start, error.end) == (first.start, first.end)
    assert error.message.startswith(f"Car {PLATES[0]} is already booked")


def test_a_driver_clash_says_driver(desk, staff):
    first = book(desk, staff, request(car=1, driver=1))
    with pytest.raises(Conflict) as clash:
        book(desk, staff, request(car=2, driver=1))
    assert clash.value.resource_kind is ResourceKind.DRIVER
    assert clash.value.resource == CODES[0]
    assert clash.value.clashing_ref == first.ref


# --- plates and phones as clerks type them -------------------------------------------------


def test_a_plate_is_found_whatever_its_case_and_spaces(desk, staff, manager):
    typed = PLATES[0].replace(" ", "").lower()  # 'nc01car' for 'NC01 CAR'
    made = book(desk, staff, replace(request(car=1), car_plate=typed))
    assert made.car_plate == PLATES[0]
    page = list_bookings(desk, staff, BookingFilter(car_plate=typed))
    assert [view.ref for view in page.items] == [made.ref]
    assert [view.ref for view in list_bookings(desk, staff, BookingFilter(text="c01c")).items] == [
        made.ref
    ]
    assert [car.plate for car in fleet.list_cars(desk, staff, "nc01c")] == [PLATES[0]]
    with pytest.raises(InvalidInput, match="already a car"):
        fleet.add_car(desk, manager, typed.upper(), "Ford", "Ka", 4, "50")


def test_an_import_updates_a_plate_spelled_differently_and_keeps_its_spelling(
    desk, manager, tmp_path
):
    csv_file = tmp_path / "cars.csv"
    csv_file.write_text(
        f"plate,make,model,seats,daily_rate\n{PLATES[0].replace(' ', '').lower()},Ford,Ka,4,50\n"
    )
    result = imports.import_file(desk, manager, "cars", csv_file)
    assert (result.added, result.updated) == (0, 1)
    with desk.db.read() as uow:
        car = uow.cars.by_plate(PLATES[0])
        assert car is not None and (car.plate, car.make) == (PLATES[0], "Ford")
        assert uow.cars.count() == len(PLATES)


def test_one_plate_twice_in_a_file_is_found_whatever_the_spacing(desk, manager, tmp_path):
    csv_file = tmp_path / "cars.csv"
    csv_file.write_text(
        "plate,make,model,seats,daily_rate\nAB12 CDE,Ford,Ka,4,50\nab12cde,X,Y,4,5\n"
    )
    with pytest.raises(InvalidInput, match="line 3: plate AB12CDE appears again"):
        imports.import_file(desk, manager, "cars", csv_file)


@pytest.mark.parametrize("typed", ["020 7946 0001", "02079460001", "+44 20 7946 0001"])
def test_a_customer_is_found_by_phone_in_national_or_international_form(desk, staff, typed):
    # Stored as '+44 20 7946 0001'.
    found = fleet.search_customers(desk, staff, typed)
    assert [customer.email for customer in found] == ["cust01@example.com"]


def test_a_driver_is_found_by_a_national_phone_number(desk, staff):
    # Stored as '+44 7700 900001'.
    assert [d.code for d in fleet.list_drivers(desk, staff, "07700 900001")] == [CODES[0]]


# --- imports write in batches, so a clerk can book meanwhile --------------------------------


@pytest.mark.sqlite_only
def test_the_write_lock_is_free_between_import_batches(desk, manager, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 2)
    csv_file = tmp_path / "cars.csv"
    rows = "".join(f"IM{i:02d} CAR,Ford,Ka,4,50\n" for i in range(6))
    csv_file.write_text("plate,make,model,seats,daily_rate\n" + rows)
    free_between: list[bool] = []

    def clerk_tries_to_write(done: int, total: int) -> None:
        if 0 < done < total:
            with contextlib.closing(sqlite3.connect(desk.db.path, timeout=0)) as other:
                try:
                    other.execute("BEGIN IMMEDIATE")
                    other.execute("ROLLBACK")
                    free_between.append(True)
                except sqlite3.OperationalError:
                    free_between.append(False)

    result = imports.import_file(desk, manager, "cars", csv_file, clerk_tries_to_write)
    assert result.added == 6
    assert free_between == [True, True]


# --- sign-in: unknown names are rationed, the last try is announced --------------------------


@pytest.fixture
def verified(monkeypatch):
    calls: list[str] = []
    spy_on_verify(monkeypatch, calls.append)
    return calls


def test_unknown_usernames_cannot_burn_the_desks_cpu(desk, verified, clock):
    slept: list[float] = []
    guarded = replace(desk, sign_in_guard=SignInGuard(checks_per_minute=3, sleep=slept.append))
    for attempt in range(10):
        with pytest.raises(SignInFailed) as failed:
            auth.sign_in(guarded, f"nobody{attempt}", "whatever-password")
        assert failed.value.message == auth.SIGN_IN_FAILED
    assert len(verified) == 3
    assert len(slept) == 7 and all(seconds > 0 for seconds in slept)
    clock.advance(minutes=1)
    with pytest.raises(SignInFailed):
        auth.sign_in(guarded, "nobody-later", "whatever-password")
    assert len(verified) == 4


def test_the_last_try_and_the_lock_are_announced_with_data(make_desk, manager, verified):
    desk = make_desk(max_failures=3, lockout_minutes=15)
    auth.add_user(desk, manager, "sam", "staff", "sam-password-1")
    with pytest.raises(SignInFailed) as first:
        auth.sign_in(desk, "sam", "wrong-1")
    assert first.value.message == auth.SIGN_IN_FAILED
    with pytest.raises(SignInFailed) as second:
        auth.sign_in(desk, "sam", "wrong-2")
    assert second.value.tries_left == 1
    assert "1 try left" in second.value.message
    with pytest.raises(SignInFailed) as third:
        auth.sign_in(desk, "sam", "wrong-3")
    assert third.value.locked_minutes == 15
    assert "locked for 15 minutes" in third.value.message
    checks = len(verified)
    with pytest.raises(AccountLocked) as locked:
        auth.sign_in(desk, "sam", "sam-password-1")
    assert locked.value.minutes == 15
    assert len(verified) == checks  # no argon2 for an account that cannot get in


# --- the demo loads whole, or not at all ----------------------------------------------------


class Killed(BaseException):
    """Stands in for the process dying: nothing after it runs."""


def test_a_demo_load_that_dies_leaves_nothing_and_loads_whole_next_time(
    make_desk, system, monkeypatch
):
    desk = make_desk(seed=False)
    real_add_user = demo.auth.add_user

    def die_at_the_last_step(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(demo.auth, "add_user", die_at_the_last_step)
    with pytest.raises(Killed):
        demo.load_demo(desk, system)
    counts = row_counts(desk)
    assert {table: counts[table] for table in ("car", "booking", "invoice", "audit_entry")} == {
        "car": 0,
        "booking": 0,
        "invoice": 0,
        "audit_entry": 0,
    }
    assert demo.was_interrupted(desk)
    monkeypatch.setattr(demo.auth, "add_user", real_add_user)
    summary = demo.load_demo(desk, system)
    assert summary.bookings == len(demo.PLAN)
    assert demo.is_demo(desk) and not demo.was_interrupted(desk)


# --- sorting a large bookings list --------------------------------------------------------

PARENT_SORTS = ("customer", "car", "driver")


@pytest.fixture
def many(desk, staff):
    """Forty bookings over every car, driver and customer."""
    for i in range(40):
        book(
            desk,
            staff,
            request(
                car=1 + i % 8,
                driver=1 + (i * 3) % 8,
                customer=1 + i % 3,
                start=TODAY + timedelta(days=4 * i + i % 3),
                days=1 + i % 3,
            ),
        )
    return desk


def _refs(desk, staff, **wanted):
    return [view.ref for view in list_bookings(desk, staff, BookingFilter(**wanted)).items]


@pytest.mark.parametrize("sort", PARENT_SORTS)
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize(("offset", "limit"), [(0, 7), (5, 10), (17, 30), (39, 5), (45, 5)])
def test_walking_parent_by_parent_pages_exactly_like_one_sorted_query(
    many, staff, monkeypatch, sort, descending, offset, limit
):
    wanted = {"sort": sort, "descending": descending, "offset": offset, "limit": limit}
    monkeypatch.setattr(booking_store, "DIRECT_SORT_LIMIT", 10**9)
    sorted_in_sql = _refs(many, staff, **wanted)
    monkeypatch.setattr(booking_store, "DIRECT_SORT_LIMIT", 0)
    walked = _refs(many, staff, **wanted)
    assert walked == sorted_in_sql
    assert len(walked) == max(0, min(limit, 40 - offset))


@pytest.mark.parametrize("sort", PARENT_SORTS)
def test_walking_keeps_the_filters(many, staff, monkeypatch, sort):
    wanted = {"sort": sort, "text": "Customer 2", "limit": 6, "offset": 2}
    monkeypatch.setattr(booking_store, "DIRECT_SORT_LIMIT", 10**9)
    sorted_in_sql = _refs(many, staff, **wanted)
    monkeypatch.setattr(booking_store, "DIRECT_SORT_LIMIT", 0)
    assert _refs(many, staff, **wanted) == sorted_in_sql
    assert len(sorted_in_sql) == 6


@pytest.mark.sqlite_only
@pytest.mark.parametrize("sort", [*PARENT_SORTS, "total"])
@pytest.mark.parametrize("descending", [False, True])
def test_a_large_sorted_list_never_sorts_the_whole_history(
    many, staff, monkeypatch, sort, descending
):
    # Past DIRECT_SORT_LIMIT matches; SQLite's plan for one joined, sorted query was a full
    # scan and a temporary B-tree over every booking (seconds at a million).
    monkeypatch.setattr(booking_store, "DIRECT_SORT_LIMIT", 0)
    with recorded_statements(many.db) as statements:
        list_bookings(many, staff, BookingFilter(sort=sort, descending=descending, limit=5))
    plans = [
        (sql, query_plan(many.db, (sql, params)))
        for sql, params in statements
        if sql.lstrip().upper().startswith("SELECT") and "booking" in sql
    ]
    assert plans
    for sql, plan in plans:
        text = "\n".join(plan)
        assert "TEMP B-TREE FOR ORDER BY" not in text, (sql, plan)
        # Reading booking in an index's order and stopping at the page is the point; reading
        # the table itself, or an index in an order the page does not want, is not.
        scans = [line.strip() for line in plan if line.strip().startswith("SCAN booking")]
        if "count(" not in sql:
            assert scans in ([], ["SCAN booking USING INDEX ix_booking_total"]), (sql, plan)
