"""Real separate processes racing on one database (a SQLite file or a PostgreSQL database).

Each child imports everything and opens its own desk first, then waits at a barrier, so all of
them hit the database at once. Every outcome is reported as (index, kind, detail): kind is
"ok", the DeskError's class name, or "crash" with a traceback for anything unexpected.
"""

from __future__ import annotations

import importlib
import multiprocessing
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from deskkit import (
    CAR_RATE_CENTS,
    DRIVER_FEE_CENTS,
    N_DRIVERS,
    TODAY,
    FakeClock,
    open_desk,
    request,
)

from nextcars_tui.config import Settings
from nextcars_tui.domain.errors import DeskError
from nextcars_tui.domain.roles import Actor, Role, system_actor
from nextcars_tui.services.accounts import disable_user
from nextcars_tui.services.auth import sign_in
from nextcars_tui.services.billing import checkout, pay, refund
from nextcars_tui.services.booking import book, cancel, confirm
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.lifecycle import run_lifecycle

Outcome = tuple[int, str, Any]
BARRIER_TIMEOUT_S = 120
RESULT_TIMEOUT_S = 180


def _clerk(index: int) -> Actor:
    return Actor(username=f"clerk{index}", role=Role.STAFF)


def _attempt(action: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", action()
    except DeskError as exc:
        return type(exc).__name__, str(exc)


def book_same_car(desk: Desk, index: int) -> Any:
    """Car 1 for overlapping days, each racer with its own driver (while there are enough)
    and a shifted start."""
    start = TODAY + timedelta(days=2 + index % 3)
    return book(
        desk,
        _clerk(index),
        request(car=1, driver=1 + index % N_DRIVERS, customer=1 + index % 3, start=start, days=3),
    ).ref


def book_same_driver(desk: Desk, index: int) -> Any:
    """Driver DRV-01 for overlapping days, each racer with its own car."""
    start = TODAY + timedelta(days=2 + index % 2)
    return book(desk, _clerk(index), request(car=index + 1, driver=1, start=start, days=2)).ref


def checkout_first_invoice(desk: Desk, index: int) -> Any:
    method = ("card", "cash", "transfer")[index % 3]
    return checkout(desk, _clerk(index), "INV-000001", method).invoice.status.value


# What the first booking of a race test costs: request()'s car 1 and driver 1 for 3 days.
FIRST_TOTAL_CENTS = 3 * (CAR_RATE_CENTS + 100 + DRIVER_FEE_CENTS + 10)


def share_of_first_total(percent: int) -> int:
    return FIRST_TOTAL_CENTS * percent // 100


def pay_forty_percent(desk: Desk, index: int) -> Any:
    """A part payment of 40 % of the first invoice; the third such payment cannot fit."""
    method = ("card", "cash", "transfer")[index % 3]
    view = pay(desk, _clerk(index), "INV-000001", share_of_first_total(40), method)
    return view.paid_cents


def pay_twenty_percent(desk: Desk, index: int) -> Any:
    return pay(desk, _clerk(index), "INV-000001", share_of_first_total(20), "card").paid_cents


def refund_thirty_percent(desk: Desk, index: int) -> Any:
    view = refund(desk, _clerk(index), "INV-000001", share_of_first_total(30), "card", "racing")
    return view.paid_cents


def cancel_first_booking(desk: Desk, index: int) -> Any:
    return cancel(desk, _clerk(index), "BK-000001", "racing a checkout").invoice.status.value


def confirm_first_booking(desk: Desk, index: int) -> Any:
    return confirm(desk, _clerk(index), "BK-000001").status.value


def lifecycle_once(desk: Desk, index: int) -> Any:
    return run_lifecycle(desk, system_actor("worker")).expired


def wrong_password(desk: Desk, index: int) -> Any:
    return sign_in(desk, "olga", f"not-olgas-password-{index}").username


def lifecycle_loop(desk: Desk, index: int, runs: int = 15) -> list[Any]:
    """The worker's job, run repeatedly at moments a minute apart."""
    worker = system_actor("worker")

    def run_at(now: datetime) -> dict[str, list[str]]:
        result = run_lifecycle(desk, worker, now=now)
        return {"expired": result.expired, "completed": result.completed, "overdue": result.overdue}

    return [_attempt(lambda m=m: run_at(desk.now() + timedelta(minutes=m))) for m in range(runs)]


def booking_loop(desk: Desk, index: int, rounds: int = 10) -> list[Any]:
    """Book, then pay for or cancel, cars that the other booking loop also wants."""
    clerk = _clerk(index)
    results = []
    for n in range(rounds):
        wanted = request(
            car=1 + n % 4,
            driver=1 + (n + index) % 4,
            customer=1 + index % 3,
            start=TODAY + timedelta(days=1 + 2 * n),
            days=2,
        )
        kind, detail = _attempt(lambda wanted=wanted: book(desk, clerk, wanted))
        if kind == "ok":
            if index % 2:
                follow = _attempt(lambda v=detail: checkout(desk, clerk, v.invoice.ref, "card"))
            else:
                follow = _attempt(lambda v=detail: cancel(desk, clerk, v.ref, "changed plans"))
            results.append(("ok", detail.ref))
            results.append((follow[0], str(follow[1])))
        else:
            results.append((kind, detail))
    return results


def send_mail(desk: Desk, index: int) -> Any:
    """`nextcars mail send`: every due message to the server the settings name (the CA that
    signed its certificate comes from $SSL_CERT_FILE, as for any program)."""
    from nextcars_tui.services.mail import send_due

    result = send_due(desk, system_actor(f"sender{index}"))
    return result.sent, result.failed


def disable_the_other_manager(desk: Desk, index: int) -> Any:
    """Managers mgr0 and mgr1 (racers 0 and 1) each close the other's account."""
    me, other = f"mgr{index}", f"mgr{1 - index}"
    with desk.db.read() as uow:
        user = uow.users.by_username(me)
        assert user is not None
        actor = Actor(username=me, role=Role.MANAGER, user_id=user.id)
    return disable_user(desk, actor, other, f"closed by {me}").username


def idle(desk: Desk, index: int) -> Any:
    """A pool member with no part in this race: it only passes the barrier."""
    return None


Action = Callable[[Desk, int], Any]


def _named(action: Action) -> str:
    """What a child finds the action by: its module (a test kit importable in the child,
    such as this one or change_racers) and its name."""
    return f"{action.__module__}:{action.__name__}"


def _action(name: str) -> Action:
    module, function = name.split(":")
    found: Action = getattr(importlib.import_module(module), function)
    return found


def _run(index: int, task: tuple[str, Path | str, Settings, datetime], barrier: Any) -> Outcome:
    action_name, target, settings, moment = task
    desk = None
    try:
        action = _action(action_name)
        if action is not idle:
            desk = open_desk(target, settings, FakeClock(moment))
            with desk.db.read() as uow:  # connection open and schema read before the start
                uow.cars.count()
        barrier.wait(timeout=BARRIER_TIMEOUT_S)
        kind, detail = _attempt(lambda: action(desk, index))  # type: ignore[arg-type]
        return index, kind, detail
    except BaseException:
        return index, "crash", traceback.format_exc()
    finally:
        if desk is not None:
            desk.db.close()


def _serve(index: int, tasks: Any, barrier: Any, results: Any) -> None:
    """A racer process: runs one task per race until told to stop."""
    while (task := tasks.get()) is not None:
        results.put(_run(index, task, barrier))


class RacePool:
    """Separate spawned processes, kept for a test module so each race does not pay for
    starting Python and importing the desk again; every task opens its own engine and
    connections. A cyclic barrier releases all members of a race at once. The one pool of
    every race: an action is any function (desk, index) of an importable test kit."""

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
        self, actions: list[Action], target: Path | str, settings: Settings, moment: datetime
    ) -> list[Outcome]:
        """Run actions[i] in process i, all released together; outcomes sorted by index."""
        assert len(actions) <= self.size
        padded = [*actions, *[idle] * (self.size - len(actions))]
        for queue, action in zip(self._tasks, padded, strict=True):
            queue.put((_named(action), target, settings, moment))
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


def never_locked(outcomes: list[Outcome]) -> None:
    """Nobody crashed or was told the database was locked or busy."""
    text = repr(outcomes).lower()
    assert "crash" not in {kind for _, kind, _ in outcomes}, outcomes
    assert "storeunavailable" not in text, outcomes
    assert "database is locked" not in text, outcomes
    assert "busy" not in text, outcomes


def only(outcomes: list[Outcome], kind: str) -> list[Any]:
    return [detail for _, k, detail in outcomes if k == kind]
