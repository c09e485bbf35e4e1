"""The scheduled rules: expire stale holds, complete finished rentals, mark overdue invoices."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from nextcars_tui.domain.errors import InvalidInput
from nextcars_tui.domain.lifecycle import LifecycleCutoffs, cutoffs_for
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.domain.statuses import EXPIRED_REASON
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.notifications import queue_lifecycle_mail
from nextcars_tui.store import AuditRecord, UnitOfWork


@dataclass(frozen=True)
class LifecycleResult:
    expired: list[str]
    completed: list[str]
    overdue: list[str]
    dry_run: bool
    now: datetime

    @property
    def counts(self) -> dict[str, int]:
        return {
            "expired": len(self.expired),
            "completed": len(self.completed),
            "overdue": len(self.overdue),
        }

    @property
    def changed(self) -> bool:
        return bool(self.expired or self.completed or self.overdue)


def check_requested_moment(desk: Desk, moment: datetime, *, dry_run: bool) -> datetime:
    """A moment asked for by hand (`lifecycle --now`): a real run only for a moment that has
    come. Completing rentals still under way would free their car and driver for the days
    they are out, so a run in the future may only be a dry run."""
    now = desk.now()
    if moment > now and not dry_run:
        raise InvalidInput(
            f"{moment.isoformat(timespec='minutes')} is in the future (it is now "
            f"{now.astimezone(desk.settings.business.zone).isoformat(timespec='minutes')}); "
            "a run for a later moment may only be a dry run: add --dry-run."
        )
    return moment


def run_lifecycle(
    desk: Desk, actor: Actor, *, now: datetime | None = None, dry_run: bool = False
) -> LifecycleResult:
    """Apply every rule for one moment in one write transaction; running it twice changes
    nothing the second time. A dry run reports what would change and writes nothing."""
    actor.require(Permission.RUN_LIFECYCLE)
    moment = now or desk.now()
    cut = cutoffs_for(
        moment, desk.settings.business.zone, desk.settings.lifecycle.pending_ttl_hours
    )
    stale_before = cut.expire_created_before
    unit: AbstractContextManager[UnitOfWork] = desk.db.read() if dry_run else desk.db.write()
    with unit as uow:
        # Every list is read from the same state, before any rule writes; in a write the
        # store keeps what it lists from other writers until the run commits.
        expired = uow.lifecycle.stale_pending(stale_before)
        completed = uow.lifecycle.finished_confirmed(cut.today)
        overdue = uow.lifecycle.past_due_unpaid(cut.today, stale_before)
        if not dry_run:
            uow.lifecycle.mark_overdue(cut.today, stale_before, overdue)
            uow.lifecycle.expire(
                stale_before,
                EXPIRED_REASON,
                expired,
                today=cut.today,
                at=cut.now,
                actor=actor.username,
            )
            uow.lifecycle.complete(cut.today, completed)
            uow.audit.record_many(list(_entries(actor, cut, expired, completed, overdue)))
            queue_lifecycle_mail(uow, desk, cut, completed)
            uow.commit()
    return LifecycleResult(expired, completed, overdue, dry_run, moment)


def _entries(
    actor: Actor,
    cut: LifecycleCutoffs,
    expired: list[str],
    completed: list[str],
    overdue: list[str],
) -> Iterator[AuditRecord]:
    hours = int(cut.pending_ttl.total_seconds() // 3600)
    for action, refs, detail in (
        ("expired", expired, f"pending for more than {hours} h; invoice void"),
        ("completed", completed, "rental ended"),
        ("overdue", overdue, "balance unpaid past its due date"),
    ):
        for ref in refs:
            yield AuditRecord(None, cut.now, actor.username, action, ref, detail)
