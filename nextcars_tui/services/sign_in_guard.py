"""Unknown usernames cannot starve a desk of CPU: the dummy password check is rationed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from nextcars_tui.domain.sign_in import AttemptBudget

# Dummy argon2 checks (about 0.1 s of CPU and 64 MiB each) a desk process runs for unknown
# usernames per minute; past that, an attempt waits as long as a check takes instead.
UNKNOWN_USER_CHECKS_PER_MINUTE = 10
# Until a check has been timed: the argon2 defaults take about this long on a small machine.
TYPICAL_CHECK_SECONDS = 0.1


class SignInGuard:
    """Rations the dummy check run for unknown usernames, so the answer to an unknown name
    still takes as long as a wrong password (no enumeration by timing) while a flood of
    unknown names costs sleeping time, not CPU and memory that signed-in clerks need."""

    def __init__(
        self,
        checks_per_minute: int = UNKNOWN_USER_CHECKS_PER_MINUTE,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._budget = AttemptBudget(checks_per_minute, timedelta(minutes=1))
        self._lock = threading.Lock()
        self._sleep = sleep
        self.typical_seconds = TYPICAL_CHECK_SECONDS

    def unknown_user(self, now: datetime, check: Callable[[], object]) -> bool:
        """Run `check` if the budget allows (True), else wait as long as it takes (False)."""
        with self._lock:
            allowed = self._budget.take(now)
        if not allowed:
            self._sleep(self.typical_seconds)
            return False
        started = time.perf_counter()
        check()
        self.typical_seconds = time.perf_counter() - started
        return True
