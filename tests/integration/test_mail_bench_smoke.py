"""The bench's mail section runs and reports its two figures (no timing is asserted)."""

from __future__ import annotations

import io

from rich.console import Console

from nextcars_tui.bench import mail
from nextcars_tui.bench.seed import bench_settings


def test_the_mail_section_measures_both_figures(tmp_path):
    figures = mail.measure(Console(file=io.StringIO()), tmp_path, bench_settings(), rounds=1)
    assert figures.with_queue_ms > 0 and figures.without_queue_ms > 0
    assert figures.queue_call_ms > 0 and figures.rounds == 10
    assert (figures.sent, figures.skipped) == (mail.MESSAGES, "")
    out = io.StringIO()
    mail.report(Console(file=out, width=150), figures)
    assert "queuing adds" in out.getvalue() and "100 messages" in out.getvalue()
