"""The one file writer (store.files) on a real file system: a device node, a fifo, a socket,
folders and symbolic links (dangling and not) made in a temporary folder. Every refusal
leaves the folder exactly as it was."""

from __future__ import annotations

import errno
import os
import socket
import stat
import time
from pathlib import Path

import pytest

from nextcars_tui.domain.errors import DeskError, FileAlreadyExists, InvalidInput
from nextcars_tui.store import files
from nextcars_tui.store.files import open_regular_file, private_file, write_private_file

DATA = b"the new document"


def listing(folder: Path) -> dict[str, tuple[str, bytes | str | None]]:
    """Every entry of folder: its kind and what it holds (a link: where it points)."""
    entries: dict[str, tuple[str, bytes | str | None]] = {}
    for entry in folder.iterdir():
        mode = entry.lstat().st_mode
        if stat.S_ISLNK(mode):
            entries[entry.name] = ("link", os.readlink(entry))
        elif stat.S_ISREG(mode):
            entries[entry.name] = ("file", entry.read_bytes())
        else:
            entries[entry.name] = (stat.filemode(mode)[0], None)
    return entries


def private(path: Path) -> bool:
    found = path.lstat()
    return stat.S_ISREG(found.st_mode) and stat.S_IMODE(found.st_mode) == 0o600


def refused(target: object, match: str, *, force: bool, protected: tuple[Path, ...] = ()) -> None:
    with pytest.raises(InvalidInput, match=match) as error:
        write_private_file(str(target), DATA, force=force, protected=protected)
    assert error.value.exit_code == 2
    assert error.value.field == "path"
    assert "\n" not in error.value.message


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "out"
    made.mkdir()
    return made


# --- what is written -------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_a_new_file_is_private_whatever_the_umask_and_nothing_else_is_left(folder, umask):
    before = os.umask(umask)
    try:
        path = write_private_file(folder / "invoice.pdf", DATA)
    finally:
        os.umask(before)
    assert path == folder / "invoice.pdf"
    assert private(path)
    assert listing(folder) == {"invoice.pdf": ("file", DATA)}


def test_a_relative_name_is_written_in_the_working_folder(folder, monkeypatch):
    monkeypatch.chdir(folder)
    path = write_private_file("relative.csv", DATA)
    assert path == folder / "relative.csv" and path.read_bytes() == DATA


def test_no_folder_is_ever_created(folder):
    refused(folder / "missing" / "deeper" / "x.pdf", "does not exist", force=True)
    assert listing(folder) == {}


def test_a_file_in_place_of_a_folder_is_refused(folder):
    (folder / "plain").write_bytes(b"x")
    refused(folder / "plain" / "x.pdf", "is not a folder", force=True)
    assert listing(folder) == {"plain": ("file", b"x")}


def test_an_existing_file_needs_force_and_is_then_replaced_whole_by_a_new_file(folder):
    path = folder / "report.csv"
    path.write_bytes(b"yesterday")
    path.chmod(0o644)
    # A second name for the old file: a replacement by rename leaves it as it was, an
    # in-place rewrite would change it too.
    os.link(path, folder / "kept")
    with pytest.raises(FileAlreadyExists) as exists:
        write_private_file(path, DATA)
    assert exists.value.path == path
    assert listing(folder) == {"report.csv": ("file", b"yesterday"), "kept": ("file", b"yesterday")}

    assert write_private_file(path, DATA, force=True) == path
    assert private(path)
    assert listing(folder) == {"report.csv": ("file", DATA), "kept": ("file", b"yesterday")}


def test_a_failure_while_writing_leaves_the_name_as_it_was(folder):
    path = folder / "report.csv"
    path.write_bytes(b"yesterday")
    with pytest.raises(RuntimeError), private_file(path, force=True) as new:
        new.temporary.write_bytes(b"half")
        raise RuntimeError("the writer died")
    assert listing(folder) == {"report.csv": ("file", b"yesterday")}


def test_a_full_disk_is_one_clear_error_and_leaves_nothing(folder):
    with pytest.raises(DeskError, match="No space left") as error, private_file(folder / "big.bak"):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert error.value.exit_code == 1
    assert listing(folder) == {}


def test_a_file_that_appears_meanwhile_is_not_written_over(folder):
    path = folder / "race.pdf"
    with pytest.raises(FileAlreadyExists), private_file(path) as new:
        new.temporary.write_bytes(DATA)
        path.write_bytes(b"the other writer's")
    assert listing(folder) == {"race.pdf": ("file", b"the other writer's")}


def test_a_link_swapped_in_meanwhile_is_replaced_never_followed(folder, tmp_path):
    target = tmp_path / "elsewhere"
    target.write_bytes(b"not yours")
    path = folder / "race.pdf"
    path.write_bytes(b"old")
    with pytest.raises(InvalidInput, match="symbolic link"), private_file(path, force=True) as new:
        new.temporary.write_bytes(DATA)
        path.unlink()
        path.symlink_to(target)
    assert target.read_bytes() == b"not yours"
    assert listing(folder) == {"race.pdf": ("link", str(target))}


def test_a_file_system_without_hard_links_gets_the_file_by_rename(folder, monkeypatch):
    def no_links(*_args, **_kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = write_private_file(folder / "usb.csv", DATA)
    assert private(path) and listing(folder) == {"usb.csv": ("file", DATA)}
    with pytest.raises(FileAlreadyExists):
        write_private_file(folder / "usb.csv", b"again")
    assert listing(folder) == {"usb.csv": ("file", DATA)}


# --- what is never written -------------------------------------------------------------------


@pytest.mark.parametrize("force", [False, True])
def test_a_device_is_refused_even_with_force(force):
    before = os.stat("/dev/null")
    refused("/dev/null", "is a device", force=force)
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


@pytest.mark.parametrize("force", [False, True])
def test_a_fifo_is_refused_at_once(folder, force):
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    started = time.monotonic()
    refused(fifo, "is a fifo", force=force)
    assert time.monotonic() - started < 1
    assert listing(folder) == {"pipe": ("p", None)}


@pytest.mark.parametrize("force", [False, True])
def test_a_socket_is_refused(tmp_path, force):
    # Short path: a Unix socket's name is limited to about 100 bytes.
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        refused(path, "is a socket", force=force)
        assert stat.S_ISSOCK(path.lstat().st_mode)


@pytest.mark.parametrize("force", [False, True])
def test_a_folder_is_refused(folder, force):
    (folder / "inner").mkdir()
    refused(folder / "inner", "is a folder", force=force)
    refused(f"{folder / 'newname'}/", "names a folder", force=force)
    assert listing(folder) == {"inner": ("d", None)}


@pytest.mark.parametrize("force", [False, True])
def test_a_link_to_a_file_is_refused_and_its_target_untouched(folder, tmp_path, force):
    target = tmp_path / "precious.txt"
    target.write_bytes(b"precious")
    (folder / "link.pdf").symlink_to(target)
    refused(folder / "link.pdf", "is a symbolic link", force=force)
    assert target.read_bytes() == b"precious"
    assert listing(folder) == {"link.pdf": ("link", str(target))}


@pytest.mark.parametrize("force", [False, True])
def test_a_dangling_link_is_refused_and_creates_nothing(folder, tmp_path, force):
    target = tmp_path / "not" / "there" / "file.pdf"
    (folder / "dangling.pdf").symlink_to(target)
    refused(folder / "dangling.pdf", "is a symbolic link", force=force)
    assert not (tmp_path / "not").exists()
    assert listing(folder) == {"dangling.pdf": ("link", str(target))}


def test_a_link_to_a_folder_is_refused(folder, tmp_path):
    (folder / "to-folder").symlink_to(tmp_path)
    refused(folder / "to-folder", "is a symbolic link", force=True)


def test_the_database_s_files_are_refused_by_name_before_they_exist(tmp_path):
    database = tmp_path / "nextcars.db"
    database.write_bytes(b"SQLite")
    protected = files.sqlite_files(database)
    # Through another path to the same folder too.
    (tmp_path / "same").symlink_to(tmp_path)
    for suffix in ("-wal", "-shm", "-journal"):
        for folder in (tmp_path, tmp_path / "same"):
            refused(
                folder / f"nextcars.db{suffix}",
                "is the desk's database",
                force=False,
                protected=protected,
            )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nextcars.db", "same"]


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_the_database_and_its_files_are_refused_even_with_force(tmp_path, suffix):
    database = tmp_path / "nextcars.db"
    for own in files.sqlite_files(database):
        own.write_bytes(b"SQLite " + own.name.encode())
    # Under another name too: a hard link is the same file.
    os.link(f"{database}{suffix}", tmp_path / "alias")
    protected = files.sqlite_files(database)
    for target in (f"{database}{suffix}", tmp_path / "alias"):
        refused(target, "is the desk's database", force=True, protected=protected)
    for own in protected:
        assert own.read_bytes() == b"SQLite " + own.name.encode()


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("", "Give a file name"),
        ("   ", "Give a file name"),
        ("x" * 300 + ".pdf", "too long for the file system"),
        ("new\nline.bak", "control character"),
        ("tab\there.csv", "control character"),
        ("\x1b]0;title\x07.pdf", "control character"),
        ("bidi\u202efdp.exe", "control character"),
    ],
)
def test_bad_names_are_refused_in_one_line(folder, monkeypatch, name, match):
    monkeypatch.chdir(folder)
    refused(name, match, force=True)
    assert listing(folder) == {}


def test_the_longest_name_the_file_system_takes_is_written(folder):
    longest = "n" * (files.NAME_MAX - 4) + ".pdf"
    path = write_private_file(folder / longest, DATA)
    assert private(path)


# --- reading -----------------------------------------------------------------------------------


def test_only_a_regular_file_is_opened_for_reading(folder):
    csv = folder / "cars.csv"
    csv.write_bytes(b"plate\n")
    with open_regular_file(csv) as handle:
        assert handle.read() == b"plate\n"
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    for path, kind in (("/dev/zero", "a device"), (fifo, "a fifo"), (folder, "a folder")):
        started = time.monotonic()
        with pytest.raises(InvalidInput, match=kind):
            open_regular_file(Path(path))
        assert time.monotonic() - started < 1
    with pytest.raises(InvalidInput, match="no file"):
        open_regular_file(folder / "missing.csv")
