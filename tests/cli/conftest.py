"""Fixtures for CLI tests: a demo database built once per session and copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from nextcars_tui.config import CONFIG_ENV, DB_ENV
from tests.cli.clikit import CliResult, DeskFiles, cheap_hashing, invoke, write_config


@dataclass(frozen=True)
class DemoTemplate:
    path: Path
    init_output: CliResult


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    """`nextcars init --demo` once, through the CLI, on today's real clock."""
    folder = tmp_path_factory.mktemp("demo-template")
    config = write_config(folder)
    with pytest.MonkeyPatch.context() as patch, cheap_hashing():
        patch.setenv(CONFIG_ENV, str(config))
        patch.delenv(DB_ENV, raising=False)
        result = invoke("init", "--demo")
    assert result.code == 0, result.err
    # The last connection closed, so the WAL was checkpointed into the file and removed.
    assert not (folder / "nextcars.db-wal").exists()
    return DemoTemplate(folder / "nextcars.db", result)


@pytest.fixture
def desk_files(tmp_path: Path, demo_template: DemoTemplate) -> Iterator[DeskFiles]:
    """A private copy of the demo desk, selected through NEXTCARS_CONFIG like a user would."""
    shutil.copy(demo_template.path, tmp_path / "nextcars.db")
    files = DeskFiles(tmp_path, write_config(tmp_path), tmp_path / "nextcars.db")
    with pytest.MonkeyPatch.context() as patch, cheap_hashing():
        patch.setenv(CONFIG_ENV, str(files.config))
        patch.delenv(DB_ENV, raising=False)
        yield files
