"""A real, private sshd on 127.0.0.1 for the SSH tests: temporary keys, temporary config."""

from __future__ import annotations

import os
import pwd
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = 15.0


@dataclass
class SshServer:
    sshd: str
    ssh: str
    folder: Path
    user: str
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.folder / "sshd.log"

    @property
    def client_key(self) -> Path:
        return self.folder / "client_key"

    def keys(self, ssh_keygen: str) -> None:
        """A host key for the server and a client key it authorises, both new and private."""
        for name in ("host_key", "client_key"):
            subprocess.run(
                [ssh_keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(self.folder / name)],
                check=True,
                timeout=30,
                stdin=subprocess.DEVNULL,
            )
        authorized = self.folder / "authorized_keys"
        authorized.write_text((self.folder / "client_key.pub").read_text())
        authorized.chmod(0o600)

    def config(self, match_block: str) -> Path:
        """sshd_config: only 127.0.0.1, only our key, no PAM, then the desk's Match block."""
        root = os.geteuid() == 0
        lines = [
            f"Port {self.port}",
            "ListenAddress 127.0.0.1",
            f"HostKey {self.folder / 'host_key'}",
            "PidFile none",
            f"AuthorizedKeysFile {self.folder / 'authorized_keys'}",
            "StrictModes no",
            "UsePAM no",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            f"AllowUsers {self.user}",
            "LogLevel VERBOSE",
            # As on a stock server: the forced command must win over it.
            "Subsystem sftp internal-sftp",
        ]
        if root:
            lines.append("PermitRootLogin prohibit-password")
        path = self.folder / "sshd_config"
        path.write_text("\n".join(lines) + "\n" + match_block.rstrip() + "\n")
        return path

    def check_config(self, config: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.sshd, "-t", "-f", str(config)], capture_output=True, text=True, timeout=30
        )

    def effective(self, config: Path) -> dict[str, str]:
        """What sshd will apply to our user's sessions (`sshd -T -C`), keyword -> value."""
        done = subprocess.run(
            [self.sshd, "-T", "-f", str(config), "-C", f"user={self.user},host=lo,addr=127.0.0.1"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        settings: dict[str, str] = {}
        for line in done.stdout.splitlines():
            key, _, value = line.partition(" ")
            # Lists (setenv, acceptenv …) come one item a line: keep them all.
            settings[key] = f"{settings[key]} {value}" if key in settings else value
        return settings

    def start(self, config: Path) -> None:
        if os.geteuid() == 0:
            # sshd's privilege-separation folder, normally made by the package's service unit.
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [self.sshd, "-D", "-e", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sshd exited at start:\n{self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"sshd did not listen within {START_TIMEOUT} s:\n{self.log.read_text()}")

    def client(self, *options: str) -> list[str]:
        """ssh to our server as our user with our key, trusting nothing on this machine."""
        return [
            self.ssh,
            "-F",
            "/dev/null",
            *options,
            "-p",
            str(self.port),
            "-i",
            str(self.client_key),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "ConnectTimeout=10",
            f"{self.user}@127.0.0.1",
        ]

    def stop(self) -> None:
        """Terminate sshd and the sessions it forked, by pid; SIGKILL what will not go."""
        if self.process is None:
            return
        family = [*_descendants(self.process.pid), self.process.pid]
        for pid in family:
            _signal(pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        time.sleep(0.2)
        for pid in family:
            _signal(pid, signal.SIGKILL)
        self.process = None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def current_user() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


def _descendants(pid: int) -> list[int]:
    """Every process below pid, children first, read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 4 is the parent pid; the command name in field 2 may contain spaces.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    stack = list(parents.get(pid, []))
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(parents.get(child, []))
    return found[::-1]


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        return
