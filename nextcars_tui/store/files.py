"""Files the store creates: private from the first byte, since they hold customer data."""

from __future__ import annotations

import os
from pathlib import Path

from nextcars_tui.domain.errors import InvalidInput, StoreUnavailable


def create_private_file(path: Path, what: str = "the database", *, exclusive: bool = False) -> None:
    """Create the file 0600 before anyone writes to it. An existing file is left as it is:
    accepted (another process created the database first), or with `exclusive` refused, so
    a backup never writes over a file that is there already."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # Includes FileExistsError when a parent is a regular file, not a folder.
        reason = exc.strerror or str(exc)
        raise StoreUnavailable(f"Cannot create the folder for {what} {path}: {reason}.") from None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if exclusive:
            raise InvalidInput(
                f"{path} already exists; {what} is never written over an existing file, "
                "so choose a new name."
            ) from None
        return  # another process created it first
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise StoreUnavailable(f"Cannot create {what} at {path}: {reason}.") from None
    os.close(fd)
