"""Read the bytes of a regular file, bounded, without following a link or blocking.

Artifacts and caches are read through :func:`read_regular`: a FIFO, a device, a socket
or a symbolic link (say, to ``/dev/zero``) is refused by ``lstat`` before it is opened,
and checked again with ``fstat`` on the opened descriptor (``O_NOFOLLOW`` and
``O_NONBLOCK``, so a FIFO swapped in meanwhile cannot block); no more than ``limit``
bytes are ever read, whatever the size the file system reports.

>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as d:
...     p = Path(d, "x")
...     _ = p.write_bytes(b"abc")
...     read_regular(p, limit=10), is_regular(p), is_regular(d)
(b'abc', True, False)
"""

from __future__ import annotations

import os
import stat

__all__ = ["NotRegularFileError", "is_regular", "read_at_most", "read_regular"]

_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_FLAGS |= getattr(os, "O_BINARY", 0)
_CHUNK = 1 << 20


class NotRegularFileError(OSError):
    """The path is not a regular file (a link, FIFO, device, socket, folder) or is
    larger than the limit it is read with."""


def is_regular(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` itself (not a link's target) is a regular file."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def read_regular(path: str | os.PathLike[str], *, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Raises :class:`NotRegularFileError` for anything but a regular file (symbolic
    links included) or a file with more than ``limit`` bytes, and :class:`OSError`
    when it cannot be opened."""
    if not is_regular(path):
        raise NotRegularFileError(f"{path}: not a regular file")
    fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(f"{path}: not a regular file")
        if info.st_size > limit:
            raise NotRegularFileError(f"{path}: {info.st_size} bytes, more than {limit}")
        data = read_at_most(fd, limit)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise NotRegularFileError(f"{path}: more than {limit} bytes")
    return data


def read_at_most(fd: int, limit: int | None) -> bytes:
    """The bytes of the open descriptor ``fd``, read in 1 MiB chunks and never more than
    ``limit + 1`` of them (all of them when ``limit`` is None), so a caller can tell
    "more than the limit" from the count actually read, whatever size ``stat`` said.

    >>> r, w = os.pipe()
    >>> _ = os.write(w, b"abcdef"); os.close(w)
    >>> read_at_most(r, 3); os.close(r)
    b'abcd'
    """
    chunks = []
    left = None if limit is None else limit + 1
    while left is None or left > 0:
        chunk = os.read(fd, _CHUNK if left is None else min(left, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        if left is not None:
            left -= len(chunk)
    return b"".join(chunks)
