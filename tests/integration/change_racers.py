"""The actions of the races of changes and blocks, run by racers.RacePool in real separate
processes released together on one database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from changekit import MANAGER, car_block
from deskkit import TODAY, plate, request
from racers import _clerk

from nextcars_tui.domain.roles import Actor, Role
from nextcars_tui.services.blocks import block
from nextcars_tui.services.booking import book
from nextcars_tui.services.changes import ChangeRequest, change_booking
from nextcars_tui.services.desk import Desk

# The car every racer of the first race wants (added by the test, free on those days).
TARGET_PLATE = "TG01 CAR"


def _manager(index: int) -> Actor:
    return Actor(username=f"manager{index}", role=Role.MANAGER)


def change_onto_target(desk: Desk, index: int) -> Any:
    """Racer i moves booking BK-00000(i+1) (its own car and driver, far away) onto the target
    car for overlapping days."""
    start = TODAY + timedelta(days=2 + index % 3)
    wanted = ChangeRequest(start=start, days=3, car_plate=TARGET_PLATE)
    return change_booking(desk, _clerk(index), f"BK-{index + 1:06d}", wanted).ref


def block_car_1(desk: Desk, index: int) -> Any:
    start = TODAY + timedelta(days=2 + index % 3)
    return block(desk, _manager(index), car_block(plate(1), start, 3, f"repair {index}")).block.ref


def book_car_1(desk: Desk, index: int) -> Any:
    start = TODAY + timedelta(days=2 + index % 3)
    return book(desk, _clerk(index), request(car=1, driver=1 + index, start=start, days=3)).ref


def block_car_1_reassigning(desk: Desk, index: int) -> Any:
    """Block car 1 for days 2–8, moving its bookings off it."""
    result = block(desk, MANAGER, car_block(plate(1), TODAY + timedelta(days=2), 7), reassign=True)
    return {
        "block": result.block.ref,
        "moves": {m.booking: m.to for m in result.reassigned},
    }


def book_replacement(desk: Desk, index: int) -> Any:
    """Racer i books car i + 1 (a replacement the block would propose) over days 3–6, with a
    driver of its own."""
    wanted = request(car=index + 1, driver=index + 2, customer=3, start=TODAY + timedelta(days=3))
    return book(desk, _clerk(index), wanted).ref
