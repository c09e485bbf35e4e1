"""Run-wide hooks. They live at the top of tests/ because under pytest-xdist the controller
loads only top-level conftest files, and the summary is printed by the controller."""

from __future__ import annotations

from typing import Any

# pg_server and pg_database: a real, throw-away PostgreSQL server (tests/pgserver.py).
pytest_plugins = ["tests.pgfixtures"]

# Figures measured by tests (printed at the end of the run, not only with -s). They travel
# as user properties of the test reports, which pytest-xdist sends back from its workers.
MEASUREMENT_PROPERTY = "measurement"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for test_report in reports
        for name, value in getattr(test_report, "user_properties", ())
        if name == MEASUREMENT_PROPERTY
    ]
    if lines:
        terminalreporter.section("measurements")
        # A property noted in setup rides on the call and teardown reports as well.
        for line in dict.fromkeys(lines):
            terminalreporter.write_line(line)
