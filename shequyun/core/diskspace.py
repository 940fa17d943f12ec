"""A full disk, said as such: which folder, how much is left, what to do.

A write that finds no room fails deep inside a library - DuckDB (`IO Error: Could not write file ...: No space left
on device`), dbt (the same text inside its run log), deltalake, Python's own `OSError(ENOSPC)` - and the caller's
generic message ("dbt build failed") would hide the one fact the user needs. `is_disk_full` recognises it in any of
these forms (the exception, its causes, or the text a subprocess printed); `disk_full_message` names the folder.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

NO_SPACE = "no space left on device"      # strerror(ENOSPC), as DuckDB, dbt and Rust's std::io print it


def is_disk_full(error: BaseException | str | None) -> bool:
    """True when `error` (an exception, one it was raised from, or a message) is a write that found no room."""
    seen: set[int] = set()
    while isinstance(error, BaseException) and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if NO_SPACE in str(error).lower():
            return True
        error = error.__cause__ or error.__context__
    return isinstance(error, str) and NO_SPACE in error.lower()


def disk_full_message(folder: Path) -> str:
    """`the disk holding <folder> is full (no space left on device; 0.3 MB free now): free space there ...`"""
    try:
        free = f"{shutil.disk_usage(folder).free / 2**20:,.1f} MB free now"
    except OSError:
        free = "free space unknown"
    return f"the disk holding {folder} is full (no space left on device; {free}): free space there and run again"


__all__ = ["disk_full_message", "is_disk_full"]
