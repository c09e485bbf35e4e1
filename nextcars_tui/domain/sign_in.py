"""How often a terminal may pay for a password check that cannot succeed."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class AttemptBudget:
    """At most `limit` spends in any `window`: a sliding window over the moments spent."""

    limit: int
    window: timedelta
    _spent: deque[datetime] = field(default_factory=deque, repr=False)

    def take(self, now: datetime) -> bool:
        """Spend one if the window has room (True); otherwise spend nothing (False)."""
        while self._spent and now - self._spent[0] >= self.window:
            self._spent.popleft()
        if len(self._spent) >= self.limit:
            return False
        self._spent.append(now)
        return True
