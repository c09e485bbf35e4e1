"""CSV imports: the whole file is checked first, problems name their lines, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from deskkit import PLATES, snapshot

from nextcars_tui.domain.errors import InvalidInput, NotAllowed
from nextcars_tui.services import fleet, imports

CARS = "plate,make,model,seats,daily_rate\n"


def write(tmp_path: Path, text: str, name: str = "cars.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_rows_are_added_updated_or_left_alone_by_key(desk, manager, tmp_path):
    path = write(
        tmp_path,
        CARS
        + f"{PLATES[0]},Toyota,Corolla 1,5,{(8_900 + 100) / 100:.2f}\n"  # as seeded
        + f"{PLATES[1].lower()},Toyota,Corolla 2,7,95\n"
        + "\n"
        + 'NEW1 CAR,"Mercedes-Benz","E-Class, long",4,145.5\n',
    )
    result = imports.import_file(desk, manager, "cars", path)
    assert (result.added, result.updated, result.unchanged) == (1, 1, 1)
    assert result.keys == (PLATES[0], PLATES[1], "NEW1 CAR")
    cars = {car.plate: car for car in fleet.list_cars(desk, manager)}
    assert (cars[PLATES[1]].seats, cars[PLATES[1]].daily_rate_cents) == (7, 9_500)
    assert cars["NEW1 CAR"].model == "E-Class, long"
    assert cars["NEW1 CAR"].daily_rate_cents == 14_550
    with desk.db.read() as uow:
        entries = [(e.action, e.ref) for e in uow.audit.for_refs([*PLATES[:2], "NEW1 CAR"])]
    assert sorted(entries) == [("car added", "NEW1 CAR"), ("car updated", PLATES[1])]


def test_columns_may_come_in_any_order_and_case_with_a_bom(desk, manager, tmp_path):
    path = write(
        tmp_path,
        "Phone, EMAIL ,name\r\n+44 7700 900001,New@Example.com,New Person\r\n",
        "customers.csv",
        "utf-8-sig",
    )
    result = imports.import_file(desk, manager, "customers", path)
    assert result.keys == ("new@example.com",)
    assert fleet.search_customers(desk, manager, "new person")[0].phone == "+44 7700 900001"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "The file is empty"),
        ("plate,make,model,seats\n", "line 1: missing column(s) daily_rate"),
        (CARS.replace("\n", ",colour\n"), "unknown column(s) 'colour'"),
        ("plate,plate,make,model,seats,daily_rate\n", "a column appears twice"),
        (CARS + "A1 CAR,Ford,Focus,5\n", "line 2: expected 5 values, found 4"),
        (CARS + "A1 CAR,Ford,Focus,5,-3\n", "line 2: The daily rate cannot be negative"),
        (CARS + "A1 CAR,Ford,Focus,5,3\n\na1 car,Ford,Ka,4,2\n", "line 4: plate A1 CAR appears"),
        (
            CARS + '"A1\nCAR",Ford,Focus,5,3\nB1 CAR,,Focus,5,3\n',
            "line 4: The make cannot be empty",
        ),
        (CARS + "A1 CAR,Ford,Focus,5,1.234\n", "line 2: The daily rate has more than two decimals"),
        (CARS + 'A1 CAR,Ford,Focus,5,"89,50"\n', "line 2: The daily rate has a comma"),
    ],
)
def test_a_bad_file_names_the_line_and_imports_nothing(desk, manager, tmp_path, text, expected):
    # A good row after the bad ones: it must not be imported either.
    good = f"{PLATES[0]},Changed,Car,5,1\n" if text.startswith(CARS) else ""
    path = write(tmp_path, text + good)
    before = snapshot(desk)
    with pytest.raises(InvalidInput) as raised:
        imports.import_file(desk, manager, "cars", path)
    assert expected in raised.value.message
    assert raised.value.message.startswith("cars.csv: ")
    assert snapshot(desk) == before


def test_many_problems_are_listed_up_to_a_limit(desk, manager, tmp_path):
    rows = "".join(f"A{i} CAR,Ford,Focus,5,-1\n" for i in range(25))
    with pytest.raises(InvalidInput) as raised:
        imports.import_file(desk, manager, "cars", write(tmp_path, CARS + rows))
    message = raised.value.message
    assert "25 bad line(s), nothing imported" in message
    assert "line 11:" in message and "line 12:" not in message
    assert message.endswith("and 15 more")


def test_unreadable_files_are_invalid_input(desk, manager, tmp_path):
    with pytest.raises(InvalidInput, match="There is no file"):
        imports.import_file(desk, manager, "cars", tmp_path / "absent.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes((CARS + "A1 CAR,Citroën,C4,5,80\n").encode("latin-1"))
    with pytest.raises(InvalidInput, match="not UTF-8"):
        imports.import_file(desk, manager, "cars", latin)
    with pytest.raises(InvalidInput, match="Import one of cars, drivers, customers"):
        imports.import_file(desk, manager, "trucks", latin)


def test_large_files_report_progress_and_land_in_one_transaction(desk, manager, tmp_path):
    rows = "".join(f"person{i}@example.com,Person {i},+44 7700 9{i:05d}\n" for i in range(1_200))
    path = write(tmp_path, "email,name,phone\n" + rows, "customers.csv")
    seen: list[tuple[int, int]] = []
    result = imports.import_file(desk, manager, "customers", path, lambda *p: seen.append(p))
    assert result.added == 1_200
    assert seen == [(0, 1_200), (500, 1_200), (1_000, 1_200), (1_200, 1_200)]
    assert len(fleet.search_customers(desk, manager, "person1", limit=500)) == 311


def test_only_managers_import(desk, actors, tmp_path):
    path = write(tmp_path, CARS + "A1 CAR,Ford,Focus,5,3\n")
    before = snapshot(desk)
    for role in ("staff", "driver", "customer"):
        with pytest.raises(NotAllowed):
            imports.import_file(desk, actors[role], "cars", path)
    assert snapshot(desk) == before
