"""Where a job goes on a day's run sheet (domain.job_sheet.run_sheet_order)."""

from __future__ import annotations

from nextcars_tui.domain.job_sheet import run_sheet_order


def order(*jobs: tuple[str | None, str]) -> list[str]:
    return [ref for _, ref in sorted(jobs, key=lambda job: run_sheet_order(*job))]


def test_by_pickup_time_then_the_ones_without_a_time_by_ref():
    jobs = (
        (None, "BK-000009"),
        ("14:00", "BK-000001"),
        (None, "BK-000002"),
        ("07:30", "BK-000005"),
        ("14:00", "BK-000000"),
    )
    assert order(*jobs) == ["BK-000005", "BK-000000", "BK-000001", "BK-000002", "BK-000009"]


def test_refs_past_six_digits_come_after_the_shorter_ones():
    assert order((None, "BK-1000000"), (None, "BK-999999")) == ["BK-999999", "BK-1000000"]
