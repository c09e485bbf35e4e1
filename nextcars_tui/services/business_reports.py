"""How the business is doing: utilisation of cars and drivers, revenue billed and collected by
period, and the day's takings (the till) per payment method and per clerk.

Utilisation and revenue are the manager's; the takings show managers every clerk and staff
their own line only. Every figure is summed by the database through an index, so a month reads
as fast over a million bookings as over a hundred."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from nextcars_tui.domain.reporting import (
    Grouping,
    Period,
    Revenue,
    Takings,
    Utilisation,
    day_start,
    fleet_of,
    offset_spans,
    percent_text,
    period_key,
    period_keys,
)
from nextcars_tui.domain.roles import Actor, Permission
from nextcars_tui.domain.statuses import PaymentMethod
from nextcars_tui.services.desk import Desk
from nextcars_tui.services.exports import Cell, ExportResult, write_csv
from nextcars_tui.store import Resource


@dataclass(frozen=True)
class UtilisationLine:
    """One car (by plate) or driver (by code)."""

    key: str
    retired: bool
    figures: Utilisation


@dataclass(frozen=True)
class UtilisationReport:
    period: Period
    cars: list[UtilisationLine]
    drivers: list[UtilisationLine]
    # The sums over the cars, out of every car's days.
    fleet: Utilisation


def utilisation_report(desk: Desk, actor: Actor, first: date, last: date) -> UtilisationReport:
    """Days of [first, last] each car and driver was held by confirmed or completed bookings
    and by blocks, by plate and by code; retired ones only where they held something."""
    actor.require(Permission.VIEW_REPORTS)
    period = Period(first, last)
    with desk.db.read() as uow:
        cars, drivers = uow.reports.cars(), uow.reports.drivers()
        booked = uow.reports.booked_days(period)
        blocked = uow.reports.blocked_days(period)
    car_lines = _utilisation_lines(cars, booked.cars, blocked.cars, period.days)
    driver_lines = _utilisation_lines(drivers, booked.drivers, blocked.drivers, period.days)
    fleet = fleet_of([line.figures for line in car_lines], period.days)
    return UtilisationReport(period, car_lines, driver_lines, fleet)


def _utilisation_lines(
    resources: Sequence[Resource], booked: dict[int, int], blocked: dict[int, int], days: int
) -> list[UtilisationLine]:
    return [
        UtilisationLine(
            resource.key,
            resource.retired,
            Utilisation(booked.get(resource.id, 0), blocked.get(resource.id, 0), days),
        )
        for resource in resources
        if not resource.retired or resource.id in booked or resource.id in blocked
    ]


@dataclass(frozen=True)
class RevenueLine:
    """One period: '2027-01-31' by day, '2027-W05' by week, '2027-01' by month."""

    period: str
    figures: Revenue


@dataclass(frozen=True)
class RevenueReport:
    period: Period
    grouping: Grouping
    # Every period the days fall in, in order; those without entries hold zeros.
    lines: list[RevenueLine]

    @property
    def total(self) -> Revenue:
        return sum((line.figures for line in self.lines), Revenue())


def revenue_report(
    desk: Desk, actor: Actor, first: date, last: date, grouping: Grouping = Grouping.MONTH
) -> RevenueReport:
    """The ledger entries written on the business days [first, last], summed by kind per
    period: billed (charges, fees, adjustments) and collected (payments less refunds)."""
    actor.require(Permission.VIEW_REPORTS)
    period = Period(first, last)
    spans = offset_spans(period, desk.settings.business.zone)
    with desk.db.read() as uow:
        by_day = uow.reports.ledger_by_day(spans)
    sums = dict.fromkeys(period_keys(period, grouping), Revenue())
    for day, kind, cents in by_day:
        key = period_key(day, grouping)
        sums[key] = sums[key].plus(kind, cents)
    return RevenueReport(period, grouping, [RevenueLine(k, v) for k, v in sums.items()])


@dataclass(frozen=True)
class TakingsLine:
    """One payment method, or one clerk (the username the ledger records)."""

    key: str
    figures: Takings


@dataclass(frozen=True)
class TakingsReport:
    day: date
    # Every payment method, in the desk's order, with zeros where nothing moved.
    methods: list[TakingsLine]
    # By username; for a staff member, their own line alone.
    clerks: list[TakingsLine]
    # Whose money the report covers: one clerk's username, or None for every clerk.
    clerk: str | None

    @property
    def total(self) -> Takings:
        return sum((line.figures for line in self.methods), Takings())


def takings_report(desk: Desk, actor: Actor, day: date | None = None) -> TakingsReport:
    """Payments and refunds written on one business day (default today), per method and per
    clerk. Managers see every clerk; staff only what they took and paid out themselves."""
    clerk = _takings_clerk(actor)
    day = day or desk.today()
    zone = desk.settings.business.zone
    since, until = day_start(day, zone), day_start(day + timedelta(days=1), zone)
    with desk.db.read() as uow:
        moved = uow.reports.takings(since, until, actor=clerk)
    methods = {method.value: Takings() for method in PaymentMethod}
    clerks = {clerk: Takings()} if clerk is not None else {}
    for method, who, kind, count, cents in moved:
        methods[method] = methods[method].plus(kind, cents, count)
        clerks[who] = clerks.get(who, Takings()).plus(kind, cents, count)
    return TakingsReport(
        day,
        [TakingsLine(method, figures) for method, figures in methods.items()],
        [TakingsLine(who, clerks[who]) for who in sorted(clerks)],
        clerk,
    )


def _takings_clerk(actor: Actor) -> str | None:
    """None when the actor may see every clerk's takings, else their own username."""
    if actor.can(Permission.VIEW_REPORTS):
        return None
    actor.require(Permission.VIEW_OWN_TAKINGS)
    return actor.username


# -- CSV: money in cents, as in the JSON, so no cell is a sum a spreadsheet must re-read -------

UTILISATION_HEADER = (
    "kind",
    "resource",
    "booked_days",
    "blocked_days",
    "available_days",
    "utilisation_percent",
)
REVENUE_HEADER = (
    "period",
    "charges_cents",
    "fees_cents",
    "adjustments_cents",
    "payments_cents",
    "refunds_cents",
    "billed_cents",
    "collected_cents",
)
TAKINGS_HEADER = ("by", "key", "payments_cents", "refunds_cents", "net_cents", "count")


def _utilisation_cells(kind: str, key: str, figures: Utilisation) -> list[Cell]:
    return [
        kind,
        key,
        figures.booked_days,
        figures.blocked_days,
        figures.available_days,
        percent_text(figures.percent_tenths),
    ]


def utilisation_rows(report: UtilisationReport) -> list[list[Cell]]:
    """A row per car, per driver, then the fleet's."""
    rows = [_utilisation_cells("car", line.key, line.figures) for line in report.cars]
    rows += [_utilisation_cells("driver", line.key, line.figures) for line in report.drivers]
    rows.append(_utilisation_cells("fleet", "all cars", report.fleet))
    return rows


def _revenue_cells(key: str, figures: Revenue) -> list[Cell]:
    return [
        key,
        figures.charges_cents,
        figures.fees_cents,
        figures.adjustments_cents,
        figures.payments_cents,
        figures.refunds_cents,
        figures.billed_cents,
        figures.collected_cents,
    ]


def revenue_rows(report: RevenueReport) -> list[list[Cell]]:
    """A row per period, then the total."""
    rows = [_revenue_cells(line.period, line.figures) for line in report.lines]
    rows.append(_revenue_cells("total", report.total))
    return rows


def _takings_cells(by: str, key: str, figures: Takings) -> list[Cell]:
    return [
        by,
        key,
        figures.payments_cents,
        figures.refunds_cents,
        figures.net_cents,
        figures.count,
    ]


def takings_rows(report: TakingsReport) -> list[list[Cell]]:
    """A row per method, per clerk, then the total."""
    rows = [_takings_cells("method", line.key, line.figures) for line in report.methods]
    rows += [_takings_cells("clerk", line.key, line.figures) for line in report.clerks]
    rows.append(_takings_cells("total", report.day.isoformat(), report.total))
    return rows


def export_utilisation(
    desk: Desk, actor: Actor, report: UtilisationReport, target: str | Path, *, force: bool = False
) -> ExportResult:
    """The report to a CSV file through the one export writer; an existing file raises
    FileAlreadyExists unless force."""
    actor.require(Permission.VIEW_REPORTS)
    return write_csv(desk, target, UTILISATION_HEADER, utilisation_rows(report), force=force)


def export_revenue(
    desk: Desk, actor: Actor, report: RevenueReport, target: str | Path, *, force: bool = False
) -> ExportResult:
    actor.require(Permission.VIEW_REPORTS)
    return write_csv(desk, target, REVENUE_HEADER, revenue_rows(report), force=force)


def export_takings(
    desk: Desk, actor: Actor, report: TakingsReport, target: str | Path, *, force: bool = False
) -> ExportResult:
    own = _takings_clerk(actor)
    if own is not None and own != report.clerk:
        actor.require(Permission.VIEW_REPORTS)  # staff export their own takings only
    return write_csv(desk, target, TAKINGS_HEADER, takings_rows(report), force=force)
