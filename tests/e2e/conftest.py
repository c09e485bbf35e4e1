"""Fixtures for end-to-end tests: the real programs, the installed `nextcars`, private tmux."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MEASUREMENT_PROPERTY
from tests.e2e.terminal import Tmux, clean_environment
from tests.e2e.tools import Tools, ensure_tools

REPO = Path(__file__).resolve().parents[2]
CLI_TIMEOUT = 120
# Figures the e2e tests measured; tests/conftest.py prints them at the end of the run.
_PROPERTY = MEASUREMENT_PROPERTY


@pytest.fixture
def report(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Note a measured figure for the end-of-run summary."""
    return lambda line: request.node.user_properties.append((_PROPERTY, line))


@pytest.fixture(scope="session")
def tools() -> Tools:
    """tmux, sshd, ssh and ssh-keygen; apt-get installs them once when missing (CI is root)."""
    return ensure_tools()


@pytest.fixture(autouse=True)
def _note_tools(request: pytest.FixtureRequest, tools: Tools) -> None:
    """Say in the summary what was installed, or why end-to-end tests skip."""
    if tools.installed:
        request.node.user_properties.append(
            (_PROPERTY, f"installed with apt-get: {', '.join(tools.installed)}")
        )
    if tools.missing_reason:
        request.node.user_properties.append(
            (_PROPERTY, f"skipping what needs them: {tools.missing_reason}")
        )


def need(tools: Tools, *programs: str) -> None:
    missing = [p for p in programs if p not in tools.paths]
    if missing:
        pytest.skip(tools.missing_reason or f"{', '.join(missing)} not available")


@pytest.fixture(scope="session")
def nextcars_bin() -> Path:
    """The console script pip installed beside this interpreter (a venv's or the system's)."""
    beside = Path(sys.executable).parent / "nextcars"
    if beside.is_file():
        return beside
    found = shutil.which("nextcars")
    if found is None:
        pytest.fail("the `nextcars` console script is not installed: pip install -e '.[test]'")
    return Path(found)


@pytest.fixture
def tmux(tools: Tools, tmp_path: Path) -> Iterator[Tmux]:
    need(tools, "tmux")
    server = Tmux(tools.path("tmux"), tmp_path)
    yield server
    server.close()


STANDARD_COST = 'password_hash_cost = "standard"'


def new_desk_folder(folder: Path) -> Path:
    """A folder holding only a copy of the repository's nextcars.toml, its password hashes
    set to the low cost (the one change: each sign-in and demo user then costs milliseconds);
    returns the config."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "nextcars.toml"
    text = (REPO / "nextcars.toml").read_text(encoding="utf-8")
    assert text.count(STANDARD_COST) == 1, "nextcars.toml names the password-hash cost once"
    config.write_text(text.replace(STANDARD_COST, 'password_hash_cost = "low"'), encoding="utf-8")
    return config


def cli(
    nextcars: Path, config: Path, *args: str, check: bool = True
) -> subprocess.CompletedProcess:
    """Run the installed `nextcars --config CONFIG ARGS…` as its own process."""
    done = subprocess.run(
        [str(nextcars), "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        stdin=subprocess.DEVNULL,
        env=clean_environment(),
        cwd=config.parent,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"nextcars {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
    return done


def cli_json(nextcars: Path, config: Path, *args: str) -> Any:
    return json.loads(cli(nextcars, config, *args, "--json").stdout)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, nextcars_bin: Path) -> Path:
    """A demo database made once by `nextcars init --demo`; tests get copies of its folder."""
    config = new_desk_folder(tmp_path_factory.mktemp("demo-template"))
    cli(nextcars_bin, config, "init", "--demo")
    return config.parent


@pytest.fixture
def demo_desk(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo desk; returns its nextcars.toml."""
    folder = tmp_path / "desk"
    shutil.copytree(demo_template, folder)
    return folder / "nextcars.toml"
