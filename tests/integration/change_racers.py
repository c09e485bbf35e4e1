"""Racers for changes and blocks: real separate processes released together on one database,
as in racers.py (whose helpers they share), with the actions these races need.

A spawned child imports only the module its target lives in, so this module has its own
serving loop and pool over its own table of actions.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from changekit import MANAGER, car_block
from deskkit import TODAY, FakeClock, open_desk, plate, request
from racers import BARRIER_TIMEOUT_S, RESULT_TIMEOUT_S, Outcome, _attempt, _clerk

from nextcars_tui.config import Settings
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


def idle(desk: Desk, index: int) -> Any:
    return None


ACTIONS: dict[str, Callable[[Desk, int], Any]] = {
    f.__name__: f
    for f in (
        change_onto_target,
        block_car_1,
        book_car_1,
        block_car_1_reassigning,
        book_replacement,
        idle,
    )
}


def _run(index: int, task: tuple[str, Path | str, Settings, datetime], barrier: Any) -> Outcome:
    action_name, target, settings, moment = task
    desk = None
    try:
        if action_name != "idle":
            desk = open_desk(target, settings, FakeClock(moment))
            with desk.db.read() as uow:  # connection open and schema read before the start
                uow.cars.count()
        action = ACTIONS[action_name]
        barrier.wait(timeout=BARRIER_TIMEOUT_S)
        kind, detail = _attempt(lambda: action(desk, index))  # type: ignore[arg-type]
        return index, kind, detail
    except BaseException:
        return index, "crash", traceback.format_exc()
    finally:
        if desk is not None:
            desk.db.close()


def _serve(index: int, tasks: Any, barrier: Any, results: Any) -> None:
    while (task := tasks.get()) is not None:
        results.put(_run(index, task, barrier))


class ChangeRacePool:
    """racers.RacePool over this module's actions."""

    def __init__(self, size: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.size = size
        self._barrier = context.Barrier(size)
        self._results = context.Queue()
        self._tasks = [context.Queue() for _ in range(size)]
        self._processes = [
            context.Process(
                target=_serve, args=(i, self._tasks[i], self._barrier, self._results), daemon=True
            )
            for i in range(size)
        ]
        for process in self._processes:
            process.start()

    def race(
        self, actions: list[str], target: Path | str, settings: Settings, moment: datetime
    ) -> list[Outcome]:
        assert len(actions) <= self.size
        padded = actions + ["idle"] * (self.size - len(actions))
        for queue, action in zip(self._tasks, padded, strict=True):
            queue.put((action, target, settings, moment))
        outcomes = [self._results.get(timeout=RESULT_TIMEOUT_S) for _ in padded]
        return sorted(o for o in outcomes if o[0] < len(actions))

    def close(self) -> None:
        for queue in self._tasks:
            queue.put(None)
        for process in self._processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        assert [p.exitcode for p in self._processes] == [0] * self.size
