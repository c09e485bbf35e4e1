"""`nextcars ssh-config` renders a Match block for this install (sshd itself checks it in e2e)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from nextcars_tui.cli.ssh_config import build_block, render
from nextcars_tui.domain.errors import InvalidInput


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("NEXTCARS_DB", raising=False)
    monkeypatch.delenv("NEXTCARS_CONFIG", raising=False)
    path = tmp_path / "desk folder" / "nextcars.toml"
    path.parent.mkdir()
    path.write_text('[database]\nurl = "sqlite:///data/desk.db"\n')
    return path


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if not line.startswith("#")]


def test_block_for_a_current_sshd(config: Path) -> None:
    text = render(build_block(config=str(config), openssh=(9, 2)))
    lines = _lines(text)
    assert lines[0] == "Match Group nextcars-drivers"
    force = next(line for line in lines if line.startswith("ForceCommand "))
    # Absolute program, absolute config, quoted for the shell sshd runs it with.
    program = force.split()[1]
    assert Path(program).is_absolute() and Path(program).parent == Path(sys.executable).parent
    assert force.endswith(f"--config '{config.resolve()}'")
    for setting in (
        "PermitTTY yes",
        "AllowTcpForwarding no",
        "AllowStreamLocalForwarding no",
        "AllowAgentForwarding no",
        "X11Forwarding no",
        "PermitTunnel no",
        "PermitUserRC no",
        "DisableForwarding yes",
        "SetEnv TEXTUAL_COLOR_SYSTEM=256 TEXTUAL_FPS=20 TEXTUAL_ANIMATIONS=none",
    ):
        assert setting in lines
    # Global-only keyword: named in a comment, never inside the Match block.
    assert not any(line.startswith("PermitUserEnvironment") for line in lines)
    assert "PermitUserEnvironment no" in text
    assert str(config.parent.resolve() / "data" / "desk.db") in text


def test_old_sshd_gets_the_environment_through_env(config: Path) -> None:
    lines = _lines(render(build_block(config=str(config), openssh=(7, 2), color_system="auto")))
    assert not any(line.startswith(("SetEnv", "DisableForwarding")) for line in lines)
    force = next(line for line in lines if line.startswith("ForceCommand "))
    assert force.startswith("ForceCommand /usr/bin/env TEXTUAL_FPS=20 TEXTUAL_ANIMATIONS=none /")
    assert "TEXTUAL_COLOR_SYSTEM" not in force


def test_user_criterion(config: Path) -> None:
    block = build_block(config=str(config), user="driver1")
    assert _lines(render(block))[0] == "Match User driver1"


@pytest.mark.parametrize("name", ["two words", "a\nForceCommand /bin/sh", "#x", ""])
def test_names_that_could_inject_sshd_lines_are_refused(config: Path, name: str) -> None:
    with pytest.raises(InvalidInput):
        build_block(config=str(config), group=name)


def test_needs_a_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEXTCARS_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidInput, match=r"nextcars\.toml"):
        build_block(config=None)


def test_refuses_while_nextcars_db_points_elsewhere(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEXTCARS_DB", "/tmp/other.db")
    with pytest.raises(InvalidInput, match="NEXTCARS_DB"):
        build_block(config=str(config))
