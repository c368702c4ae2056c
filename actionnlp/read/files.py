"""Open only regular files, and read no more bytes than the budget allows.

A path is checked with ``stat`` before it is opened: a FIFO, a character or block
device, a socket or a symlink loop is refused (:class:`NotARegularFileError`), as is
a symlink to one (symlinks are followed and the target checked the same way). The
file is then opened without blocking and checked again on the open descriptor (the
path may have been swapped in between), and read in chunks: the byte budget counts
the bytes actually read, not the size ``stat`` reports (``/proc`` files and devices
report 0).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from actionnlp.errors import (
    DocumentTooLargeError,
    MissingFileError,
    NotARegularFileError,
    PermissionDeniedError,
    UnreadableDocumentError,
)
from actionnlp.filebytes import read_at_most

__all__ = ["check_regular", "read_bounded"]


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _os_error(err: OSError, path: Path) -> Exception:
    if err.errno == errno.ELOOP:
        return NotARegularFileError("is a symlink loop (a link that leads back to itself)", path)
    if err.errno == errno.ENOENT:
        if os.path.islink(path):
            return MissingFileError(f"is a symlink to a missing file ({os.readlink(path)})", path)
        return MissingFileError("no such file or folder", path)
    if isinstance(err, PermissionError):
        return PermissionDeniedError("permission denied: this user may not read it", path)
    return UnreadableDocumentError(f"cannot be read: {err.strerror or err}", path)


def check_regular(path: str | os.PathLike[str]) -> os.stat_result:
    """``stat`` the path (following symlinks) and refuse anything but a regular file.

    >>> try:
    ...     check_regular("/dev/null")
    ... except NotARegularFileError as err:
    ...     print(err.reason)
    is a character device, not a regular file; refused
    """
    p = Path(path)
    try:
        st = os.stat(p)
    except OSError as err:
        raise _os_error(err, p) from None
    if stat.S_ISDIR(st.st_mode):
        raise MissingFileError("is a folder, not a file; read_plans reads folders", p)
    if not stat.S_ISREG(st.st_mode):
        raise NotARegularFileError(f"is {_kind(st.st_mode)}, not a regular file; refused", p)
    return st


def read_bounded(path: str | os.PathLike[str], max_bytes: int, *, what: str = "bytes") -> bytes:
    """The file's bytes, refused once more than ``max_bytes`` have actually been read."""
    p = Path(path)
    st = check_regular(p)
    if max_bytes and st.st_size > max_bytes:
        raise DocumentTooLargeError(f"{st.st_size} {what} is more than the {max_bytes} read", p)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as err:
        raise _os_error(err, p) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # swapped after the stat
            raise NotARegularFileError(f"is {_kind(mode)}, not a regular file; refused", p)
        try:
            data = read_at_most(fd, max_bytes or None)
        except OSError as err:
            raise _os_error(err, p) from None
    finally:
        os.close(fd)
    if max_bytes and len(data) > max_bytes:
        raise DocumentTooLargeError(
            f"more than the {max_bytes} {what} read (counted while reading)", p
        )
    return data
