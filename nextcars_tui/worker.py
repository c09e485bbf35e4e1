"""The lifecycle worker: a thread applying the scheduled rules every few seconds.

It owns its schedule.Scheduler (never the module-level default, which other code could share)
and opens its own sessions per run, so it is safe beside the TUI and other processes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import schedule

from nextcars_tui.domain.roles import Actor, system_actor
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.lifecycle import LifecycleResult, run_lifecycle

logger = logging.getLogger(__name__)

ChangeCallback = Callable[[LifecycleResult], None]


class LifecycleWorker:
    """Runs run_lifecycle at start and then every interval until stop(); a failed run is logged
    and the next one still happens. on_change is called from the worker thread."""

    def __init__(
        self,
        desk: Desk,
        *,
        actor: Actor | None = None,
        interval_seconds: int | None = None,
        on_change: ChangeCallback | None = None,
    ) -> None:
        self.desk = desk
        self.actor = actor or system_actor("worker")
        if interval_seconds is not None and interval_seconds < 1:
            raise ValueError(f"the worker interval is at least 1 second, got {interval_seconds}")
        self.interval_seconds = interval_seconds or desk.settings.lifecycle.interval_seconds
        self.on_change = on_change
        self.runs = 0
        self.failures = 0
        self.last_result: LifecycleResult | None = None
        self._scheduler = schedule.Scheduler()
        self._stop = threading.Event()
        # Set to wake the loop early: for run_now() and for stop().
        self._wake = threading.Event()
        self._run_requested = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._run_requested.set()
        self._scheduler.clear()
        self._scheduler.every(self.interval_seconds).seconds.do(self._run_once)
        self._thread = threading.Thread(target=self._loop, name="lifecycle-worker", daemon=True)
        self._thread.start()
        logger.info("lifecycle worker started; rules run every %d s", self.interval_seconds)

    def run_now(self) -> None:
        """Ask for a run as soon as the worker thread is free; returns at once."""
        self._run_requested.set()
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop after the current run, if any; True when the thread has ended in time."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        stopped = not thread.is_alive()
        if stopped:
            self._thread = None
            self._scheduler.clear()
            logger.info("lifecycle worker stopped")
        else:
            logger.warning("lifecycle worker still busy after %.1f s", timeout)
        return stopped

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self._run_requested.is_set():
                self._run_requested.clear()
                self._run_once()
            else:
                self._scheduler.run_pending()
            idle = self._scheduler.idle_seconds
            self._wake.wait(max(0.0, idle if idle is not None else self.interval_seconds))
            self._wake.clear()

    def _run_once(self) -> None:
        """One run; never raises, so neither the scheduler nor the thread dies of a bad run."""
        try:
            result = run_lifecycle(self.desk, self.actor)
        except Exception as exc:
            self.failures += 1
            logger.error("lifecycle run failed: %s: %s", type(exc).__name__, exc)
            logger.debug("lifecycle run failure details", exc_info=True)
            return
        self.runs += 1
        self.last_result = result
        counts = result.counts
        logger.info(
            "lifecycle run: %d expired, %d completed, %d overdue",
            counts["expired"],
            counts["completed"],
            counts["overdue"],
        )
        if result.changed and self.on_change is not None:
            try:
                self.on_change(result)
            except Exception as exc:
                logger.error("lifecycle change callback failed: %s: %s", type(exc).__name__, exc)
        if self.desk.settings.mail.sending:
            self._send_mail()

    def _send_mail(self) -> None:
        """Send what the outbox holds that is due; a mail server that is away is logged, and
        the messages wait for the next run."""
        from nextcars_tui.services.mail import send_due

        try:
            sent = send_due(self.desk, self.actor)
        except Exception as exc:
            logger.warning("sending mail failed: %s: %s", type(exc).__name__, exc)
            return
        if sent.sent or sent.failed:
            logger.info(
                "mail: %d sent, %d failed, %d waiting", sent.sent, sent.failed, sent.waiting
            )
