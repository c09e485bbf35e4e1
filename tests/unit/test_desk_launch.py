"""Launching the desk: `nextcars [--config FILE]` opens it without building every command's
parser, reads the command line exactly as that parser would, and names the domain's choices
without loading the domain rules behind them."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nextcars_tui.cli import desk_arguments
from nextcars_tui.cli.parser import GROUPINGS, IMPORT_KINDS, OUTBOX_STATUSES, build_parser
from nextcars_tui.config import Settings
from nextcars_tui.domain.mail import OutboxStatus
from nextcars_tui.domain.reporting import Grouping
from nextcars_tui.services.imports import FORMATS

DESK_COMMAND_LINES = (
    [],
    ["--config", "desk.toml"],
    ["--config=desk.toml"],
    ["--config", "folder with spaces/init"],
    ["--config", ""],
    ["--config="],
)
OTHER_COMMAND_LINES = (
    ["--conf", "desk.toml"],  # an abbreviation argparse accepts: left to argparse
    ["--config", "a.toml", "--config", "b.toml"],
    ["--config", "-x"],
    ["--config"],
    ["init"],
    ["--config", "desk.toml", "init"],
    ["--help"],
    ["-h"],
    ["desk.toml"],
)


def test_the_parser_names_the_domain_choices_as_the_domain_does():
    assert tuple(member.value for member in Grouping) == GROUPINGS
    assert tuple(member.value for member in OutboxStatus) == OUTBOX_STATUSES
    assert tuple(FORMATS) == IMPORT_KINDS


@pytest.mark.parametrize("argv", DESK_COMMAND_LINES, ids=repr)
def test_the_desk_command_line_is_read_as_the_full_parser_reads_it(argv: list[str]):
    full = build_parser().parse_args(argv)
    desk = desk_arguments(argv)
    assert desk is not None
    assert full.command is None  # the full parser opens the desk for it too
    assert full.handler.__name__ == "handler"
    assert vars(desk) == {"config": full.config}


@pytest.mark.parametrize("argv", OTHER_COMMAND_LINES, ids=repr)
def test_any_other_command_line_goes_to_the_full_parser(argv: list[str]):
    assert desk_arguments(argv) is None


def test_opening_the_desk_builds_no_command_parser(tmp_path: Path):
    """Up to the point where the desk needs a terminal (here: none), no command's parser,
    ssh-config or reporting rule was loaded; `nextcars init` still reaches its parser."""
    config = tmp_path / "desk.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "desk.db"}"\n')
    probe = textwrap.dedent(
        f"""
        import sys
        from nextcars_tui.cli import main

        code = main(["--config", {str(config)!r}])
        assert code == 2, code  # "needs a terminal": stdin is a pipe here
        heavy = {{"nextcars_tui.cli.parser", "nextcars_tui.cli.ssh_config",
                  "nextcars_tui.domain.reporting", "textual"}} & set(sys.modules)
        assert not heavy, heavy
        main(["--config", {str(config)!r}, "init"])
        assert "nextcars_tui.cli.parser" in sys.modules
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        stdin=subprocess.PIPE,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "needs a terminal" in result.stderr


def test_the_desk_runs_with_start_up_frozen_out_of_garbage_collection(
    monkeypatch: pytest.MonkeyPatch,
):
    """The modules, classes and settings loaded before the desk runs are never scanned by
    the collector: a full collection would otherwise fall due while the sign-in screen is
    being drawn."""
    from nextcars_tui.tui import app as desk_app

    frozen: list[int] = []
    monkeypatch.setattr(
        desk_app.NextCarsApp, "run", lambda _self: frozen.append(gc.get_freeze_count())
    )
    gc.unfreeze()
    try:
        desk_app.run_desk(Settings())
    finally:
        gc.unfreeze()
    assert frozen and frozen[0] > 0
