"""The one writer of every file the desk writes (invoice PDFs, CSV exports, backups, and any
later ones), the one reader of files it is given to read (CSV imports), and the creation of
a new SQLite database file.

A file the desk writes holds customer data, and the name it is given comes from a clerk or a
script, so the same rules hold for every one of them:

- the name is not empty, fits the file system and holds no control character;
- it lies in a folder that exists: no folder is ever created;
- it is a new name, or a regular file (never a device, fifo, socket, folder or symbolic
  link, dangling or not, and never the desk's own database): nothing is written through a
  link, and `force` is needed to replace a regular file;
- the data goes to a private (0600) temporary file in that folder, created exclusively and
  without following links, and reaches the name only once complete and on disk: by a hard
  link for a new name (so a file that appeared meanwhile is not written over) or by an
  atomic rename for a replacement (which replaces the name, never what a link points to).

Whatever fails on the way, the temporary file is removed and the name is as it was.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from nextcars_tui.domain.errors import DeskError, FileAlreadyExists, InvalidInput, StoreUnavailable
from nextcars_tui.domain.safe_text import first_unsafe

# Beside a SQLite database, SQLite's own files: none of them is ever an export target.
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")
# Where the file system does not say (os.pathconf), the limits of Linux's.
NAME_MAX = 255
PATH_MAX = 4096
# Failures that say "not here": the clerk chooses another name or folder (exit 2). Anything
# else (a full disk, an I/O error) is the machine's trouble (exit 1).
_NOT_HERE = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENAMETOOLONG,
    errno.ENOENT,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.ELOOP,
}
# A file system without hard links answers os.link with one of these.
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.EXDEV}
_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISFIFO, "a fifo (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def sqlite_files(database: Path | None) -> tuple[Path, ...]:
    """A SQLite database and the files SQLite keeps beside it (none for a server)."""
    if database is None:
        return ()
    return tuple(Path(f"{database}{suffix}") for suffix in SQLITE_SUFFIXES)


def _kind(mode: int) -> str | None:
    """What a directory entry is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _bad_name(message: str) -> InvalidInput:
    return InvalidInput(message, field="path")


def _limit(folder: Path, name: str, fallback: int) -> int:
    try:
        return int(os.pathconf(folder, name))
    except (OSError, ValueError):
        return fallback


def _folder_of(path: Path) -> Path:
    folder = path.parent
    try:
        found = os.stat(folder)
    except FileNotFoundError:
        raise _bad_name(
            f"The folder {folder} does not exist; the desk creates no folders, so make it "
            "first or choose another."
        ) from None
    except NotADirectoryError:
        raise _bad_name(f"{folder} is not a folder; choose a file in a folder.") from None
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            raise _bad_name(f"The name {path} is too long for the file system.") from None
        raise _bad_name(f"The folder {folder} cannot be reached: {error.strerror}.") from None
    if not stat.S_ISDIR(found.st_mode):
        raise _bad_name(f"{folder} is not a folder; choose a file in a folder.")
    return folder


def _real(path: Path) -> Path:
    """path with its folder's links resolved; its own name as it is."""
    return Path(os.path.realpath(path.parent)) / path.name


def _same_file(path: Path, found: os.stat_result | None, others: tuple[Path, ...]) -> bool:
    """Whether path is one of others: by name (a database's -wal file need not exist yet,
    and one written there would be taken for the database's own), or the same file under
    another name (a hard link)."""
    if _real(path) in {_real(other) for other in others}:
        return True
    if found is None:
        return False
    for other in others:
        try:
            known = os.stat(other)
        except OSError:
            continue
        if (known.st_dev, known.st_ino) == (found.st_dev, found.st_ino):
            return True
    return False


def check_target(
    target: str | os.PathLike[str], *, protected: Iterable[Path] = ()
) -> tuple[Path, bool]:
    """The absolute path a file would be written to (links not resolved) and whether a
    regular file is there already; InvalidInput naming what is wrong otherwise (see the
    module's rules). `protected` are files never written (the desk's database)."""
    text = os.fspath(target)
    if not text.strip():
        raise _bad_name("Give a file name to write to.")
    if first_unsafe(text) is not None:
        raise _bad_name("The file name contains a control character; type it without it.")
    if text.endswith(os.sep):
        raise _bad_name(f"{text} names a folder; give a file name.")
    path = Path(os.path.expanduser(text)).absolute()
    folder = _folder_of(path)
    name_max = _limit(folder, "PC_NAME_MAX", NAME_MAX)
    if len(os.fsencode(path.name)) > name_max or len(os.fsencode(path)) >= _limit(
        folder, "PC_PATH_MAX", PATH_MAX
    ):
        raise _bad_name(
            f"The file name is too long for the file system (a name holds at most "
            f"{name_max} bytes): {path.name[:40]}…"
        )
    found: os.stat_result | None
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    except OSError as error:
        raise _bad_name(f"{path} cannot be checked: {error.strerror}.") from None
    kind = None if found is None else _kind(found.st_mode)
    if kind is not None:
        raise _bad_name(f"{path} is {kind}; the desk writes only new or regular files.")
    if _same_file(path, found, tuple(protected)):
        raise _bad_name(f"{path} is the desk's database; choose another file name.")
    return path, found is not None


@dataclass(frozen=True)
class NewFile:
    """A file being written: `temporary`, private and beside it, until it becomes `path`."""

    path: Path
    temporary: Path


@contextlib.contextmanager
def private_file(
    target: str | os.PathLike[str], *, force: bool = False, protected: Iterable[Path] = ()
) -> Iterator[NewFile]:
    """Write a file under the module's rules: the block writes `temporary` (by path, as
    SQLite and pg_dump do, or by opening it), and when it ends without an error the file
    goes on disk and into place as `path`. An existing regular file raises
    FileAlreadyExists unless `force`."""
    guarded = tuple(protected)
    path, exists = check_target(target, protected=guarded)
    if exists and not force:
        raise FileAlreadyExists(path)
    temporary = _create_temporary(path)
    try:
        try:
            yield NewFile(path, temporary)
            _sync(temporary)
        except OSError as error:
            raise _write_error(path, error) from None
        if force:
            _replace(temporary, path, guarded)
        else:
            _link(temporary, path)
        _sync_folder(path.parent)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def write_private_file(
    target: str | os.PathLike[str],
    data: bytes | Callable[[], bytes],
    *,
    force: bool = False,
    protected: Iterable[Path] = (),
) -> Path:
    """data as a new file at target, under the module's rules; returns where it went. Given
    a function, it is called only once the target has passed the checks: a document that
    takes seconds to lay out is not laid out for a name that is refused."""
    with private_file(target, force=force, protected=protected) as new:
        content = data() if callable(data) else data
        fd = os.open(new.temporary, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
    return new.path


def _create_temporary(path: Path) -> Path:
    # A short name of its own: the target's name may already be as long as names get.
    temporary = path.with_name(f".nextcars-{secrets.token_hex(8)}.partial")
    try:
        fd = os.open(
            temporary,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
            0o600,
        )
    except OSError as error:
        raise _write_error(path, error) from None
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
    finally:
        os.close(fd)
    return temporary


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """The new name itself on disk; a file system that cannot sync folders is left be."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _link(temporary: Path, path: Path) -> None:
    """The temporary file under its name, never over anything that appeared meanwhile."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise FileAlreadyExists(path) from None
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise _write_error(path, error) from None
        # A file system without hard links (a FAT memory stick): rename after a last look.
        if os.path.lexists(path):
            raise FileAlreadyExists(path) from None
        _rename(temporary, path)


def _replace(temporary: Path, path: Path, protected: tuple[Path, ...]) -> None:
    """An atomic swap of the name; checked again first, since the name may have changed."""
    check_target(path, protected=protected)
    _rename(temporary, path)


def _rename(temporary: Path, path: Path) -> None:
    try:
        os.rename(temporary, path)
    except OSError as error:
        raise _write_error(path, error) from None


def _write_error(path: Path, error: OSError) -> DeskError:
    message = f"Could not write {path}: {error.strerror or error}. Nothing was written."
    return _bad_name(message) if error.errno in _NOT_HERE else DeskError(message)


def open_regular_file(path: Path) -> io.BufferedReader:
    """A file to read, opened only if it is a regular file: a device (/dev/zero), a fifo or
    a folder is refused at once instead of read for ever or waited on. Opened without
    blocking, so a fifo with no writer cannot hold the open up either."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InvalidInput(f"There is no file {path}.") from None
    except OSError as error:
        raise InvalidInput(f"{path} cannot be read: {error.strerror or error}.") from None
    try:
        mode = os.fstat(fd).st_mode
        kind = _kind(mode)
        if kind is not None:
            raise InvalidInput(f"{path} is {kind}; give a regular file to read.")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def create_database_file(path: Path) -> None:
    """A new SQLite database file, 0600 from its first byte (SQLite would create it
    world-readable). Unlike the files above, the database's folder is created: the default
    database lives in data/ beside the config. An existing file is left as it is: another
    process created it first."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # Includes FileExistsError when a parent is a regular file, not a folder.
        reason = exc.strerror or str(exc)
        raise StoreUnavailable(
            f"Cannot create the folder for the database {path}: {reason}."
        ) from None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise StoreUnavailable(f"Cannot create the database at {path}: {reason}.") from None
    os.close(fd)
