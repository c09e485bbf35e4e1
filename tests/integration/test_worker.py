"""The lifecycle worker thread: runs on its own scheduler, reports changes, survives failures,
stops cleanly."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
import schedule
from deskkit import TODAY, request, statuses

from nextcars_tui import worker as worker_module
from nextcars_tui.services import booking
from nextcars_tui.services.lifecycle import LifecycleResult
from nextcars_tui.worker import LifecycleWorker

WAIT = 10.0


def eventually(condition: Callable[[], bool], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.01)


def test_runs_at_start_then_on_schedule_and_reports_what_changed(desk, clock, staff, caplog):
    caplog.set_level(logging.INFO, logger="nextcars_tui.worker")
    hold = booking.book(desk, staff, request(start=TODAY + timedelta(days=2)))
    clock.advance(hours=25)
    changes: queue.Queue[tuple[LifecycleResult, str]] = queue.Queue()
    lifecycle_worker = LifecycleWorker(
        desk,
        interval_seconds=1,
        on_change=lambda result: changes.put((result, threading.current_thread().name)),
    )
    lifecycle_worker.start()
    try:
        result, thread_name = changes.get(timeout=WAIT)
        assert result.expired == [hold.ref]
        assert thread_name == "lifecycle-worker"
        assert statuses(desk, hold.ref) == ("cancelled", "void")
        # The next, scheduled run finds nothing to do and reports nothing.
        eventually(lambda: lifecycle_worker.runs >= 2)
        assert changes.empty()
        # Its own scheduler: the module-level default one stays empty.
        assert schedule.get_jobs() == []
    finally:
        assert lifecycle_worker.stop(timeout=WAIT)
    assert not lifecycle_worker.running
    assert "lifecycle run: 1 expired, 0 completed, 0 overdue" in caplog.text
    assert "lifecycle run: 0 expired, 0 completed, 0 overdue" in caplog.text
    assert "lifecycle worker stopped" in caplog.text
    with desk.db.read() as uow:
        assert [e.actor for e in uow.audit.for_refs([hold.ref])][-1] == "system:worker"


def test_a_failed_run_is_logged_and_the_worker_keeps_going(desk, monkeypatch, caplog):
    calls = []
    real = worker_module.run_lifecycle

    def flaky(*args: object, **kwargs: object) -> LifecycleResult:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(worker_module, "run_lifecycle", flaky)
    lifecycle_worker = LifecycleWorker(desk, interval_seconds=3600)
    lifecycle_worker.start()
    try:
        eventually(lambda: lifecycle_worker.failures == 1)
        assert lifecycle_worker.running
        lifecycle_worker.run_now()
        eventually(lambda: lifecycle_worker.runs == 1)
    finally:
        assert lifecycle_worker.stop(timeout=WAIT)
    assert "lifecycle run failed: RuntimeError: disk on fire" in caplog.text
    assert "Traceback" not in caplog.text
    assert lifecycle_worker.last_result is not None


def test_a_failing_change_callback_does_not_stop_the_worker(desk, clock, staff, caplog):
    booking.book(desk, staff, request(start=TODAY + timedelta(days=2)))
    booking.book(desk, staff, request(car=2, driver=2, start=TODAY + timedelta(days=2)))
    clock.advance(hours=25)
    seen: list[LifecycleResult] = []

    def callback(result: LifecycleResult) -> None:
        seen.append(result)
        raise ValueError("screen gone")

    lifecycle_worker = LifecycleWorker(desk, interval_seconds=3600, on_change=callback)
    lifecycle_worker.start()
    try:
        eventually(lambda: len(seen) == 1)
        booking.book(desk, staff, request(car=3, driver=3, start=TODAY + timedelta(days=3)))
        clock.advance(hours=25)
        lifecycle_worker.run_now()
        eventually(lambda: len(seen) == 2)
    finally:
        assert lifecycle_worker.stop(timeout=WAIT)
    assert [len(result.expired) for result in seen] == [2, 1]
    assert "lifecycle change callback failed: ValueError: screen gone" in caplog.text


def _worker_threads() -> int:
    return [t.name for t in threading.enumerate()].count("lifecycle-worker")


def test_start_and_stop_are_safe_to_repeat(desk):
    lifecycle_worker = LifecycleWorker(desk, interval_seconds=3600)
    assert lifecycle_worker.stop() is True
    threads_before = _worker_threads()
    lifecycle_worker.start()
    lifecycle_worker.start()
    assert _worker_threads() == threads_before + 1
    eventually(lambda: lifecycle_worker.runs == 1)
    started = time.monotonic()
    assert lifecycle_worker.stop(timeout=WAIT)
    # The stop event wakes the sleeping thread at once instead of after the hour.
    assert time.monotonic() - started < 2
    assert lifecycle_worker.stop() is True
    assert lifecycle_worker.interval_seconds == 3600


def test_the_interval_defaults_to_the_settings(make_desk):
    desk = make_desk()
    assert LifecycleWorker(desk).interval_seconds == desk.settings.lifecycle.interval_seconds


@pytest.mark.parametrize("bad", [0, -5])
def test_a_nonsense_interval_is_refused(desk, bad):
    with pytest.raises(ValueError, match="at least 1 second"):
        LifecycleWorker(desk, interval_seconds=bad)
