"""Files through the command line: `invoice --pdf`, `backup` and `import` on a device node, a
fifo, symbolic links (dangling and not), folders and bad names, made in a temporary folder.
Every refusal is exit 2 with one line, and leaves the folder (and what links point to) as it
was. The writer's own rules are tested in tests/integration/test_file_writer.py."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from tests.cli.clikit import DeskFiles, invoke

pytestmark = pytest.mark.usefixtures("desk_files")


def an_invoice(files: DeskFiles) -> str:
    return str(files.rows("SELECT ref FROM invoice ORDER BY ref LIMIT 1")[0][0])


def tree(folder: Path) -> dict[str, str]:
    """Everything under folder: each entry's kind and content or link target."""
    found = {}
    for path in sorted(folder.rglob("*")):
        mode = path.lstat().st_mode
        name = str(path.relative_to(folder))
        if stat.S_ISLNK(mode):
            found[name] = f"-> {os.readlink(path)}"
        elif stat.S_ISREG(mode):
            found[name] = path.read_bytes().hex()
        else:
            found[name] = stat.filemode(mode)[0]
    return found


def refused(args: tuple[str, ...], folder: Path, fragment: str, within: float = 5) -> str:
    before = tree(folder)
    started = time.monotonic()
    result = invoke(*args)
    assert time.monotonic() - started < within, f"{args} took its time refusing"
    assert result.code == 2, (args, result)
    assert result.out == ""
    line = result.error_line
    assert fragment in line, line
    assert tree(folder) == before
    return line


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "precious.txt").write_bytes(b"precious")
    return folder


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "Give a file name"),
        ("x" * 300 + ".pdf", "too long for the file system"),
        ("two\nlines.pdf", "control character"),
        ("\x1b]0;title\x07.pdf", "control character"),
        ("missing-folder/invoice.pdf", "does not exist"),
    ],
    ids=["empty", "300 characters", "newline", "escape", "missing folder"],
)
def test_invoice_pdf_bad_names_are_exit_2(desk_files: DeskFiles, out, monkeypatch, name, fragment):
    monkeypatch.chdir(out)
    for force in ((), ("--force",)):
        refused(("invoice", an_invoice(desk_files), "--pdf", name, *force), out, fragment)


def test_invoice_pdf_never_writes_to_a_device(desk_files: DeskFiles, out):
    before = os.stat("/dev/null")
    refused(("invoice", an_invoice(desk_files), "--pdf", "/dev/null", "--force"), out, "a device")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_invoice_pdf_refuses_a_fifo_a_socket_name_and_a_folder(desk_files: DeskFiles, out):
    os.mkfifo(out / "pipe")
    ref = an_invoice(desk_files)
    refused(("invoice", ref, "--pdf", str(out / "pipe"), "--force"), out, "a fifo")
    (out / "folder").mkdir()
    refused(("invoice", ref, "--pdf", str(out / "folder"), "--force"), out, "a folder")


def test_invoice_pdf_never_writes_through_a_link(desk_files: DeskFiles, out, tmp_path):
    ref = an_invoice(desk_files)
    (out / "link.pdf").symlink_to(out / "precious.txt")
    refused(("invoice", ref, "--pdf", str(out / "link.pdf"), "--force"), out, "symbolic link")
    # A dangling link is refused too, and the folders it names are not made.
    (out / "dangling.pdf").symlink_to(tmp_path / "made" / "by" / "link.pdf")
    for force in ((), ("--force",)):
        refused(("invoice", ref, "--pdf", str(out / "dangling.pdf"), *force), out, "symbolic link")
    assert not (tmp_path / "made").exists()
    assert (out / "precious.txt").read_bytes() == b"precious"


def test_invoice_pdf_force_replaces_a_regular_file_with_a_new_private_one(
    desk_files: DeskFiles, out
):
    target = out / "precious.txt"
    target.chmod(0o644)
    os.link(target, out / "second-name")
    result = invoke("invoice", an_invoice(desk_files), "--pdf", str(target), "--force")
    assert result.code == 0, result.err
    assert target.read_bytes().startswith(b"%PDF-")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    # Replaced by a new file (renamed into place), not rewritten in place.
    assert (out / "second-name").read_bytes() == b"precious"
    assert sorted(p.name for p in out.iterdir()) == ["precious.txt", "second-name"]


def test_backup_follows_the_same_rules(desk_files: DeskFiles, out, tmp_path):
    refused(("backup", str(out / "night\nly.bak")), out, "control character")
    refused(("backup", ""), out, "Give a file name")
    refused(("backup", str(out / "missing" / "nightly.bak")), out, "does not exist")
    refused(("backup", "/dev/null"), out, "a device")
    (out / "link.bak").symlink_to(tmp_path / "elsewhere.bak")
    refused(("backup", str(out / "link.bak")), out, "symbolic link")
    assert not (tmp_path / "elsewhere.bak").exists()
    line = refused(("backup", str(out / "precious.txt")), out, "already exists")
    assert "never written over a file" in line
    made = invoke("backup", str(out / "nightly.bak"))
    assert made.code == 0, made.err
    assert stat.S_IMODE((out / "nightly.bak").stat().st_mode) == 0o600
    assert sorted(p.name for p in out.iterdir()) == ["link.bak", "nightly.bak", "precious.txt"]


@pytest.mark.sqlite_only
def test_backup_never_writes_over_the_database(desk_files: DeskFiles):
    before = desk_files.db.read_bytes()
    refused(("backup", str(desk_files.db)), desk_files.folder, "the desk's database")
    refused(("backup", f"{desk_files.db}-journal"), desk_files.folder, "the desk's database")
    assert desk_files.db.read_bytes() == before


def test_import_refuses_anything_but_a_regular_file_at_once(desk_files: DeskFiles, out):
    os.mkfifo(out / "cars.csv")
    before = desk_files.counts()
    for source, kind in (("/dev/zero", "a device"), (out / "cars.csv", "a fifo"), (out, "folder")):
        refused(("import", "cars", str(source)), out, kind, within=1)
    assert desk_files.counts() == before
