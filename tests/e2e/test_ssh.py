"""Drivers over SSH: a real sshd with the block `nextcars ssh-config` prints, a real ssh client."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from nextcars_tui.services.demo import DEMO_DIR
from tests.e2e.conftest import cli, cli_json, need
from tests.e2e.desk_keys import SIGN_IN_READY, sign_in
from tests.e2e.sshd import SshServer, current_user, free_port
from tests.e2e.terminal import Tmux, clean_environment, wait_for
from tests.e2e.tools import Tools

pytestmark = pytest.mark.e2e

REF = re.compile(r"BK-\d{6}")
PASSWD_LINE = "root:x:0:0"


@pytest.fixture(scope="module")
def ssh_folder(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo desk for the module's SSH sessions (they only read and sign in)."""
    folder = tmp_path_factory.mktemp("ssh")
    shutil.copytree(demo_template, folder / "desk")
    return folder


@pytest.fixture(scope="module")
def demo_desk(ssh_folder: Path) -> Path:
    return ssh_folder / "desk" / "nextcars.toml"


@pytest.fixture(scope="module")
def ssh_desk(
    tools: Tools, nextcars_bin: Path, demo_desk: Path, ssh_folder: Path
) -> Iterator[SshServer]:
    """sshd on 127.0.0.1:<free port> whose Match block for this user forces the demo desk."""
    need(tools, "sshd", "ssh", "ssh-keygen")
    folder = ssh_folder / "sshd"
    folder.mkdir()
    server = SshServer(tools.path("sshd"), tools.path("ssh"), folder, current_user())
    server.keys(tools.path("ssh-keygen"))
    block = cli(nextcars_bin, demo_desk, "ssh-config", "--user", server.user).stdout
    try:
        for _attempt in range(3):  # another process may take the free port before sshd does
            server.port = free_port()
            config = server.config(block)
            try:
                server.start(config)
                break
            except RuntimeError:
                server.stop()
                if "Address already in use" not in server.log.read_text():
                    raise
        yield server
    finally:
        server.stop()


def test_ssh_config_block_passes_sshd_check(ssh_desk: SshServer, demo_desk: Path) -> None:
    config = ssh_desk.folder / "sshd_config"
    checked = ssh_desk.check_config(config)
    assert checked.returncode == 0, checked.stderr
    applied = ssh_desk.effective(config)
    program = Path(applied["forcecommand"].split()[0])
    assert program.is_absolute() and program.is_file(), applied["forcecommand"]
    assert applied["forcecommand"].endswith(f"--config {demo_desk.resolve()}")
    assert applied["permittty"] == "yes"
    assert applied["allowtcpforwarding"] == "no"
    assert applied["allowstreamlocalforwarding"] == "no"
    assert applied["allowagentforwarding"] == "no"
    assert applied["x11forwarding"] == "no"
    assert applied["permittunnel"] == "no"
    assert applied["permituserenvironment"] == "no"
    assert applied["disableforwarding"] == "yes"
    assert "TEXTUAL_FPS=" in applied.get("setenv", "")


def test_driver_signs_in_over_ssh_and_sees_only_own_assignments(
    ssh_desk: SshServer, tmux: Tmux, nextcars_bin: Path, demo_desk: Path, tmp_path: Path
) -> None:
    pane = tmux.open("driver", ssh_desk.client("-tt"), cwd=tmp_path)
    home = sign_in(pane, "driver1", "driver1-demo")
    home = wait_for(pane, "Priya Raman (DRV-01)", 15)

    mine = cli_json(nextcars_bin, demo_desk, "bookings", "--driver", "DRV-01")
    theirs = cli_json(nextcars_bin, demo_desk, "bookings", "--driver", "DRV-02")
    names = _customer_names()
    shown = set(REF.findall(home))
    assert shown, f"no assignment on the driver's screen:\n{home}"
    assert shown <= {b["ref"] for b in mine}, f"another driver's booking shown:\n{home}"
    assert not shown & {b["ref"] for b in theirs}
    only_theirs = {names[b["customer"]] for b in theirs} - {names[b["customer"]] for b in mine}
    leaked = [name for name in only_theirs if name in home]
    assert not leaked, f"customers of DRV-02 on DRV-01's screen: {leaked}\n{home}"
    assert "Tom Gallagher" not in home and "DRV-02" not in home


@pytest.mark.parametrize(
    "remote_command",
    [["cat /etc/passwd"], ["--", "sqlite3", "data/nextcars.db", ".dump app_user"], ["bash"]],
    ids=["cat-passwd", "sqlite3", "bash"],
)
def test_any_remote_command_lands_in_the_desk(
    ssh_desk: SshServer, tmux: Tmux, tmp_path: Path, remote_command: list[str]
) -> None:
    pane = tmux.open("cmd", [*ssh_desk.client("-tt"), *remote_command], cwd=tmp_path)
    screen = wait_for(pane, SIGN_IN_READY, 30)
    assert "NextCars rental desk" in screen
    assert PASSWD_LINE not in screen and "password_hash" not in screen
    pane.type("echo escaped\r")  # a shell would print this; the desk just fills a field
    screen = wait_for(pane, "echo escaped", 5)
    assert PASSWD_LINE not in screen and "\nescaped" not in screen


def _ssh(
    server: SshServer, options: list[str], command: list[str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*server.client(*options), *command],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=clean_environment(),
        check=False,
    )


@pytest.mark.parametrize("command", [["cat /etc/passwd"], []], ids=["command", "login"])
def test_without_a_terminal_the_forced_command_refuses(
    ssh_desk: SshServer, command: list[str]
) -> None:
    done = _ssh(ssh_desk, ["-T"], command)
    assert done.returncode != 0
    assert PASSWD_LINE not in done.stdout
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("error:"), done.stderr
    assert "terminal" in errors[0]


def test_sftp_subsystem_gets_the_forced_command_too(ssh_desk: SshServer) -> None:
    # sshd drops a subsystem's stderr, so only the exit status tells: internal-sftp would end
    # cleanly at the end of our empty input, the desk refuses with a failure.
    done = _ssh(ssh_desk, ["-T", "-s"], ["sftp"])
    assert done.returncode != 0
    assert done.stdout == ""


def test_forwarding_is_refused(ssh_desk: SshServer, tmp_path: Path) -> None:
    # A remote forward needs the server's consent up front: with ExitOnForwardFailure the
    # client gives up at once when sshd refuses.
    done = subprocess.run(
        [
            *ssh_desk.client(
                "-N",
                "-o",
                "ExitOnForwardFailure=yes",
                "-R",
                f"127.0.0.1:{free_port()}:127.0.0.1:{ssh_desk.port}",
            )
        ],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=clean_environment(),
        check=False,
    )
    assert done.returncode != 0
    assert "forwarding failed" in done.stderr


def _customer_names() -> dict[str, str]:
    with (DEMO_DIR / "customers.csv").open(newline="", encoding="utf-8") as rows:
        return {row["email"]: row["name"] for row in csv.DictReader(rows)}
