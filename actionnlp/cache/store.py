"""The publish/index store both on-disk caches are built on.

A cache folder holds batch files that are written once and never modified: each batch
is written to a temporary file in the same folder, flushed to disk and published with
:func:`os.replace` (:func:`publish`), so a reader sees a whole file or none. No locks
are needed and any number of processes (joblib workers, parallel CLI runs) can share a
folder; two processes that compute the same entry both write it, which is harmless.
Why files and not SQLite:

* ``os.replace`` is atomic on POSIX and Windows; a half-written batch can only ever be
  a stray ``.batch-*.tmp`` file that readers ignore.
* SQLite's WAL mode needs shared memory and working POSIX locks, which network and
  container file systems (NFS, some bind mounts) do not reliably give; a broken lock
  there corrupts the database.

:class:`BatchIndex` keeps an in-memory index of one folder's batch files, loaded lazily
and rescanned for files other processes published. Nothing read is trusted unchecked:
a batch file is read only if it is a regular file (links, FIFOs and devices are skipped
by ``lstat`` before any open) of bounded size; a subclass checks the content and raises
:class:`UnusableCacheFile` for anything it did not write, which is then ignored (its
entries are computed again) with one :class:`~actionnlp.errors.CacheWarning`. Temporary
files of writers killed mid-write are deleted at the next open once older than
:data:`STALE_TMP_SECONDS` (younger ones may belong to a live writer).

The default location is ``$ACTIONNLP_CACHE_DIR`` or ``~/.cache/actionnlp/embeddings``
(:func:`default_cache_dir`): vectors in one subfolder per embedding model
(:mod:`actionnlp.cache.vectors`), results under ``results/`` (:mod:`actionnlp.cache.results`).

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     path = publish(Path(d), ".txt", lambda handle: handle.write(b"one batch"))
...     path.read_bytes(), path.suffix
(b'one batch', '.txt')
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

from actionnlp.errors import CacheWarning
from actionnlp.filebytes import read_regular

__all__ = [
    "ENV_VAR",
    "MAX_FILE_BYTES",
    "STALE_TMP_SECONDS",
    "BatchIndex",
    "UnusableCacheFile",
    "clean_stale_temp_files",
    "default_cache_dir",
    "publish",
]

ENV_VAR = "ACTIONNLP_CACHE_DIR"
"""The environment variable naming the cache folder."""
MAX_FILE_BYTES = 1 << 30
"""Largest cache batch file read (1 GiB: about 650,000 vectors of width 384)."""
STALE_TMP_SECONDS = 3600.0
"""A ``.batch-*.tmp`` file untouched for this long is a killed writer's and is deleted."""


class UnusableCacheFile(ValueError):
    """One cache file that is ignored: its entries are computed again."""


def clean_stale_temp_files(directory: Path, max_age: float = STALE_TMP_SECONDS) -> int:
    """Delete ``.batch-*.tmp`` files in ``directory`` untouched for ``max_age`` seconds
    (killed writers'; a live writer's file is younger) and return how many went."""
    removed = 0
    now = time.time()
    try:
        names = [n for n in os.listdir(directory) if n.startswith(".batch-") and n.endswith(".tmp")]
    except OSError:
        return 0
    for name in names:
        path = directory / name
        with contextlib.suppress(OSError):
            info = os.lstat(path)
            if not stat.S_ISDIR(info.st_mode) and now - info.st_mtime > max_age:
                os.unlink(path)
                removed += 1
    return removed


def default_cache_dir() -> Path:
    """``$ACTIONNLP_CACHE_DIR`` if set, else ``~/.cache/actionnlp/embeddings``.

    >>> isinstance(default_cache_dir(), Path)
    True
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "actionnlp" / "embeddings"


def publish(directory: Path, suffix: str, write: Callable[[BinaryIO], object]) -> Path:
    """Write a new batch file into ``directory`` with ``write`` and publish it atomically
    (a temporary file, flushed to disk, then :func:`os.replace`): readers see the whole
    file or none. Returns its path; raises :class:`OSError` when the disk refuses."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".batch-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        final = directory / (Path(tmp).name[len(".batch-") : -len(".tmp")] + suffix)
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return final


class BatchIndex:
    """What both on-disk caches share: an in-memory index of the batch files in one
    folder (``directory``, files ending in ``suffix``), loaded lazily and rescanned for
    files other processes published, and pickling for a joblib worker (the copy drops
    the lock and what was loaded, reads the same folder again and counts its own hits
    and misses). A subclass reads one file with :meth:`_entries`, which raises
    :class:`UnusableCacheFile` for a file that cannot be used."""

    suffix: str = ".npz"
    what = "cache"
    directory: Path
    _index: dict[Any, Any]
    _seen: set[str]
    _lock: threading.Lock
    _warned: bool

    def _entries(self, path: Path) -> Iterable[tuple[Any, Any]]:
        """``(key, value)`` pairs of one batch file (raises UnusableCacheFile)."""
        raise NotImplementedError

    def _read_bytes(self, path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
        """The bytes of one batch file: regular files only, never more than ``limit``
        (raises UnusableCacheFile)."""
        try:
            return read_regular(path, limit=limit)
        except OSError as exc:
            raise UnusableCacheFile(str(exc)) from exc

    def warn_unusable(self, path: Path | str, reason: str) -> None:
        """Warn (once per cache object) that a cache file or entry is ignored."""
        if getattr(self, "_warned_read", False):
            return
        self._warned_read = True
        warnings.warn(
            f"{path}: ignored in the {self.what} ({reason}); "
            "what it held is computed again (further ignored entries are not reported)",
            CacheWarning,
            stacklevel=4,
        )

    def _scan(self) -> None:
        """Load batch files not loaded yet (caller holds the lock); a file that cannot be
        used is skipped with one warning, so its entries are computed again. The first
        scan deletes stale temporary files of killed writers."""
        first = "" not in self._seen
        self._seen.add("")  # the lazy first load is done, even without a folder
        if first:
            clean_stale_temp_files(self.directory)
        try:
            names = sorted(n for n in os.listdir(self.directory) if n.endswith(self.suffix))
        except OSError:
            return
        for name in names:
            if name in self._seen:
                continue
            self._seen.add(name)
            try:
                entries = list(self._entries(self.directory / name))
            except (UnusableCacheFile, RecursionError, MemoryError) as exc:
                self.warn_unusable(self.directory / name, str(exc) or type(exc).__name__)
                continue
            for k, v in entries:
                self._index.setdefault(k, v)

    def _publish(self, write: Callable[[BinaryIO], object], what: str) -> Path | None:
        """:func:`publish` a new batch file into this folder and mark it loaded; a disk
        that refuses warns once ("<what> not written") and returns None."""
        try:
            final = publish(self.directory, self.suffix, write)
        except OSError as err:
            if not self._warned:
                warnings.warn(f"{what} not written ({err})", RuntimeWarning, stacklevel=4)
                self._warned = True
            return None
        with self._lock:
            self._seen.add(final.name)
        return final

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.update(_lock=None, _index={}, _seen=set(), hits=0, misses=0, _warned_read=False)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
