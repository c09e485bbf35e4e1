"""A built wheel, installed away from the checkout, is a working desk (`pip install .`, `pipx`):
everything the program reads at run time ships inside the package, and nothing is read through
the checkout's folders."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest

from nextcars_tui.services.demo import PLAN

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
# The mail templates the package ships (services/mail_templates): each kind's text and HTML.
MAIL_TEMPLATES = tuple(
    f"nextcars_tui/services/mail_templates/{kind}.{part}"
    for kind in (
        "confirmation",
        "change",
        "receipt",
        "refund",
        "cancellation",
        "invoice",
        "reminder",
        "run_sheet",
        "test",
    )
    for part in ("txt", "html")
)
# What the wheel must carry besides modules: the desk's stylesheet, the demo CSVs, the
# invoice's font with its licence and the mail templates.
PACKAGE_DATA = (
    "nextcars_tui/tui/app.tcss",
    "nextcars_tui/tui/desk.tcss",
    "nextcars_tui/tui/changes.tcss",
    "nextcars_tui/tui/reports.tcss",
    "nextcars_tui/services/demo_data/cars.csv",
    "nextcars_tui/services/demo_data/drivers.csv",
    "nextcars_tui/services/demo_data/customers.csv",
    "nextcars_tui/services/fonts/DejaVuSans.ttf",
    "nextcars_tui/services/fonts/DejaVuSans-Bold.ttf",
    "nextcars_tui/services/fonts/LICENSE",
    "nextcars_tui/services/mail_templates/layout.html",
    *MAIL_TEMPLATES,
)
# The demo's size (README, "Demo sign-ins").
DEMO_COUNTS = {"car": 25, "driver": 12, "customer": 40}
TIMEOUT = 300


@dataclass(frozen=True)
class Installed:
    wheel: Path
    target: Path


def _setuptools_builds_wheels() -> bool:
    """setuptools 70.1+ writes wheels itself; older ones need the `wheel` package beside them."""
    try:
        found = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return False
    numbers = tuple(int(part) for part in re.findall(r"\d+", found)[:2])
    if numbers >= (70, 1):
        return True
    try:
        metadata.version("wheel")
    except metadata.PackageNotFoundError:
        return False
    return True


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("packaging")
    # Build from a fresh copy of the sources: the build writes no build/ or egg-info into the
    # checkout, and no leftover from an earlier build there (an egg-info SOURCES.txt listing the
    # CSVs, a stale build/lib) can put files into the wheel that pyproject does not declare.
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(
        REPO / "nextcars_tui",
        source / "nextcars_tui",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    wheels = root / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels)]
    if _setuptools_builds_wheels():
        # The test extra brings a setuptools that needs nothing else: no download at all.
        build.append("--no-build-isolation")
    _run([*build, str(source)], cwd=root)
    [wheel] = wheels.glob("nextcars_tui-*.whl")
    target = root / "target"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target"]
    _run([*install, str(target), str(wheel)], cwd=root)
    return Installed(wheel, target)


@pytest.fixture
def desk_folder(tmp_path: Path) -> Path:
    """A working folder away from the checkout, with its own settings file."""
    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / "nextcars.toml").write_text('[database]\nurl = "sqlite:///demo.db"\n')
    assert not folder.resolve().is_relative_to(REPO)
    return folder


def _installed_env(installed: Installed) -> dict[str, str]:
    # The venv still supplies the dependencies; the installed copy goes first on the path,
    # ahead of the checkout's editable install.
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEXTCARS_")}
    env["PYTHONPATH"] = str(installed.target)
    return env


def test_the_wheel_carries_the_stylesheet_the_demo_csvs_and_the_font(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    missing = [name for name in PACKAGE_DATA if name not in names]
    assert missing == []
    assert not any(name.startswith(("data/", "tests/")) for name in names)


def test_the_installed_copy_is_the_one_that_runs(installed: Installed, desk_folder: Path) -> None:
    code = (
        "import nextcars_tui, nextcars_tui.services.demo as demo, nextcars_tui.tui.app as app;"
        "print(nextcars_tui.__file__); print(demo.DEMO_DIR); print(app.__file__)"
    )
    printed = _run([sys.executable, "-c", code], desk_folder, _installed_env(installed))
    paths = [Path(line) for line in printed.splitlines()]
    assert len(paths) == 3
    for path in paths:
        assert path.resolve().is_relative_to(installed.target.resolve()), path


def test_an_installed_wheel_creates_the_demo(installed: Installed, desk_folder: Path) -> None:
    argv = [sys.executable, "-m", "nextcars_tui", "--config", "nextcars.toml", "init", "--demo"]
    printed = _run(argv, desk_folder, _installed_env(installed))
    assert "Demo data loaded" in printed
    database = desk_folder / "demo.db"
    assert database.is_file()
    connection = sqlite3.connect(database)
    try:
        counts = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in DEMO_COUNTS
        }
        bookings = connection.execute("SELECT count(*) FROM booking").fetchone()[0]
        # The demo records where it read its CSVs from: the installed copy, not the checkout.
        [(source,)] = connection.execute(
            "SELECT detail FROM audit_entry WHERE action = 'demo loaded'"
        ).fetchall()
    finally:
        connection.close()
    assert counts == DEMO_COUNTS
    assert bookings == len(PLAN)
    assert Path(source).resolve().is_relative_to(installed.target.resolve()), source
