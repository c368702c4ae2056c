"""An on-disk embedding cache that wraps any :class:`~actionnlp.embed.Embedder`.

:class:`CachedEmbedder` keeps every vector it has computed on disk, keyed by the
SHA-256 of the text, in a directory named by the SHA-256 of the inner embedder's
``name`` and ``weights_hash``: a different (or retrained) model never sees another
model's vectors. Only texts missing from the cache reach the inner embedder.

Storage: one ``.npz`` file per batch of new vectors (``keys``: the 32-byte text
digests as an ``(n, 32)`` uint8 array, ``vectors``: float32 rows), written to a
temporary file in the same directory and published with :func:`os.replace`.
Why files and not SQLite:

* ``os.replace`` is atomic on POSIX and Windows, so a reader sees a whole file or
  none; files are never modified after publication, so no locks are needed and
  any number of processes (joblib workers, parallel CLI runs) can share a cache.
  Two processes that embed the same text both write it; duplicates are harmless.
* SQLite's WAL mode needs shared memory and working POSIX locks, which network
  and container file systems (NFS, some bind mounts) do not reliably give; a
  broken lock there corrupts the database, while a half-written ``.npz`` can only
  ever be a stray ``.tmp`` file that readers ignore.
* Vectors load straight into NumPy, no per-row (de)serialisation.

The index is loaded lazily (on the first :meth:`CachedEmbedder.encode`) and the
directory is rescanned for files written by other processes whenever a call has
misses. :meth:`CachedEmbedder.compact` merges the batch files into one.

Nothing read from the cache is trusted unchecked. A batch file is used only if it is
a regular file (links, FIFOs and devices are skipped by ``lstat`` before any open) of
at most :data:`MAX_FILE_BYTES`, an uncompressed ``.npz`` holding exactly ``keys``,
``vectors`` and ``check`` whose array headers match their byte sizes, with vectors
that are finite, of the model's width and of unit norm (as every embedder writes
them), and whose ``check`` (the SHA-256 of the keys and vectors) matches, so rows
moved between texts are caught. Anything else is ignored, its texts encoded again,
and one :class:`~actionnlp.errors.CacheWarning` names the first such file. Temporary
files of writers killed mid-write (``.batch-*.tmp``) are deleted at the next open once
older than :data:`STALE_TMP_SECONDS` (younger ones may belong to a live writer).

The default location is ``$ACTIONNLP_CACHE_DIR`` or ``~/.cache/actionnlp/embeddings``.

>>> import tempfile
>>> from actionnlp.embed import FakeEmbedder
>>> with tempfile.TemporaryDirectory() as d:
...     cached = CachedEmbedder(FakeEmbedder(dim=8), cache_dir=d)
...     first = cached.encode(["drug testing", "food"])
...     again = CachedEmbedder(FakeEmbedder(dim=8), cache_dir=d).encode(["food"])
...     bool((again[0] == first[1]).all())
True
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import os
import stat
import tempfile
import threading
import time
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from actionnlp.embed import unit_rows
from actionnlp.errors import ArtifactError, CacheWarning
from actionnlp.filebytes import read_regular

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from actionnlp.embed import Embedder

__all__ = [
    "MAX_FILE_BYTES",
    "STALE_TMP_SECONDS",
    "BatchIndex",
    "CachedEmbedder",
    "UnusableCacheFile",
    "default_cache_dir",
    "model_key",
]

ENV_VAR = "ACTIONNLP_CACHE_DIR"
SUFFIX = ".npz"
_DIGEST = 32
_MEMBERS = ("check.npy", "keys.npy", "vectors.npy")

MAX_FILE_BYTES = 1 << 30
"""Largest cache batch file read (1 GiB: about 650,000 vectors of width 384)."""
STALE_TMP_SECONDS = 3600.0
"""A ``.batch-*.tmp`` file untouched for this long is a killed writer's and is deleted."""


class UnusableCacheFile(ValueError):
    """One cache file that is ignored: its entries are computed again."""


def _npy(raw: bytes, name: str) -> NDArray[Any]:
    """The array in one ``.npy`` member, its header checked against its byte size."""
    handle = io.BytesIO(raw)
    version = np.lib.format.read_magic(handle)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
    else:
        raise UnusableCacheFile(f"{name}: unknown .npy version {version}")
    if dtype.hasobject or fortran:
        raise UnusableCacheFile(f"{name}: not a plain C-ordered array")
    count = math.prod(shape)  # exact: no overflow on a forged header
    offset = handle.tell()
    if count * dtype.itemsize != len(raw) - offset:
        raise UnusableCacheFile(f"{name}: header says {shape}, not what the file holds")
    return np.frombuffer(raw, dtype=dtype, count=count, offset=offset).reshape(shape)


def _check_digest(keys: NDArray[np.uint8], vectors: NDArray[np.float32]) -> NDArray[np.uint8]:
    digest = hashlib.sha256(memoryview(np.ascontiguousarray(keys, dtype=np.uint8)).cast("B"))
    digest.update(memoryview(np.ascontiguousarray(vectors, dtype="<f4")).cast("B"))
    return np.frombuffer(digest.digest(), dtype=np.uint8)


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


def model_key(name: str, weights_hash: str) -> str:
    """Directory name of one model's vectors: SHA-256 of its name and weights hash.

    >>> model_key("fake", "fake-8") == model_key("fake", "fake-16")
    False
    """
    return hashlib.sha256(f"{name}\0{weights_hash}".encode()).hexdigest()


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


def _text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).digest()


class BatchIndex:
    """What both on-disk caches share: an in-memory index of the batch files in one
    folder (``directory``, files ending in ``suffix``), loaded lazily and rescanned for
    files other processes published, and pickling for a joblib worker (the copy drops
    the lock and what was loaded, reads the same folder again and counts its own hits
    and misses). A subclass reads one file with :meth:`_entries`, which raises
    :class:`UnusableCacheFile` for a file that cannot be used."""

    suffix = SUFFIX
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


class CachedEmbedder(BatchIndex):
    """Wrap ``inner`` so each text is encoded at most once per model, across processes.

    Same ``name``, ``weights_hash`` and ``dim`` as ``inner`` (so artifacts built with
    ``inner`` accept it), and the same :meth:`encode`. ``cache_dir=None`` means
    :func:`default_cache_dir`. Cache write failures (read-only disk, full disk)
    warn and fall back to not caching; they never fail an encode.

    >>> from actionnlp.embed import default_embedder  # doctest: +SKIP
    >>> import actionnlp  # doctest: +SKIP
    >>> models = actionnlp.load(embedder=CachedEmbedder(default_embedder()))  # doctest: +SKIP
    """

    what = "embedding cache"

    def __init__(self, inner: Embedder, cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.inner = inner
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self._lock = threading.Lock()
        self._index: dict[bytes, NDArray[np.float32]] = {}
        self._seen: set[str] = set()
        self._dim: int | None = None
        self._warned = False
        self.hits = 0
        self.misses = 0

    def __repr__(self) -> str:
        return f"CachedEmbedder({self.inner!r}, cache_dir={str(self.cache_dir)!r})"

    # -- the Embedder protocol ---------------------------------------------------------

    @property
    def name(self) -> str:  # type: ignore[override]
        """The inner embedder's name."""
        return self.inner.name

    @property
    def weights_hash(self) -> str:  # type: ignore[override]
        """The inner embedder's weights hash."""
        return self.inner.weights_hash

    @property
    def dim(self) -> int:  # type: ignore[override]
        """Embedding width: the inner embedder's (never taken from the cache, whose
        vectors are checked against it; the bundled model knows it without loading)."""
        if self._dim is None:
            self._dim = int(self.inner.dim)
        return self._dim

    @property
    def directory(self) -> Path:
        """Where this model's vectors live: ``<cache_dir>/<model_key>``."""
        return self.cache_dir / model_key(self.name, self.weights_hash)

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> NDArray[np.float32]:
        """Embed ``texts`` (rows in input order), encoding only texts not yet cached."""
        from actionnlp.embed import _check_texts

        items = _check_texts(texts, batch_size)
        keys = [_text_key(t) for t in items]
        with self._lock:
            if not self._seen:
                self._scan()
            missing = [k for k in dict.fromkeys(keys) if k not in self._index]
            if missing:  # another process may have written them meanwhile
                self._scan()
                missing = [k for k in missing if k not in self._index]
        if missing:
            wanted = set(missing)
            pairs = zip(items, keys, strict=True)
            new_texts = list(dict.fromkeys(t for t, k in pairs if k in wanted))
            new_keys = [_text_key(t) for t in new_texts]
            vectors = np.ascontiguousarray(
                self.inner.encode(new_texts, batch_size=batch_size, show_progress=show_progress),
                dtype=np.float32,
            )
            if vectors.ndim != 2 or vectors.shape[0] != len(new_texts):
                raise ArtifactError(
                    f"embedder {self.inner.name} returned shape {vectors.shape} "
                    f"for {len(new_texts)} texts"
                )
            with self._lock:
                for k, row in zip(new_keys, vectors, strict=True):
                    self._index[k] = row
            good = unit_rows(vectors, self.dim)  # only valid vectors are kept on disk
            if good.any():
                self._write([k for k, ok in zip(new_keys, good, strict=True) if ok], vectors[good])
        self.misses += len(missing)
        self.hits += len(items) - len(missing)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            rows = [self._index[k] for k in keys]
        return np.stack(rows).astype(np.float32, copy=False)

    # -- storage -----------------------------------------------------------------------

    def _entries(self, path: Path) -> Iterable[tuple[bytes, NDArray[np.float32]]]:
        keys, vectors = self._read(path)
        return zip(keys, vectors, strict=True)

    def _read(self, path: Path) -> tuple[list[bytes], NDArray[np.float32]]:
        """``(keys, vectors)`` of one batch file; raises UnusableCacheFile (see the
        module docstring for what is checked)."""
        data = self._read_bytes(path)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
                if sorted(i.filename for i in infos) != list(_MEMBERS):
                    raise UnusableCacheFile("not a batch of the embedding cache")
                if any(i.compress_type != zipfile.ZIP_STORED for i in infos):
                    raise UnusableCacheFile("compressed members (never written so)")
                arrays = {i.filename: _npy(archive.read(i), i.filename) for i in infos}
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
            if isinstance(exc, UnusableCacheFile):
                raise
            raise UnusableCacheFile(f"not a readable .npz ({exc})") from exc
        keys, vectors, check = arrays["keys.npy"], arrays["vectors.npy"], arrays["check.npy"]
        if keys.dtype != np.uint8 or keys.ndim != 2 or keys.shape[1] != _DIGEST:
            raise UnusableCacheFile(f"keys of shape {keys.shape} and type {keys.dtype}")
        if vectors.dtype != np.dtype("<f4") or vectors.ndim != 2 or len(vectors) != len(keys):
            raise UnusableCacheFile(f"vectors of shape {vectors.shape} for {len(keys)} keys")
        if vectors.shape[1] != self.dim:
            raise UnusableCacheFile(
                f"vectors of width {vectors.shape[1]}, the model's is {self.dim}"
            )
        if not unit_rows(vectors, self.dim).all():
            raise UnusableCacheFile("vectors that are not finite and of unit norm")
        if check.dtype != np.uint8 or not np.array_equal(check, _check_digest(keys, vectors)):
            raise UnusableCacheFile("its check does not match its keys and vectors")
        return [row.tobytes() for row in keys], vectors.astype(np.float32, copy=False)

    def _write(self, keys: list[bytes], vectors: NDArray[np.float32]) -> Path | None:
        """Publish one batch file atomically; warn once and carry on if the disk refuses."""
        raw = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, _DIGEST)
        vectors = np.ascontiguousarray(vectors, dtype="<f4")
        check = _check_digest(raw, vectors)
        return self._publish(
            lambda handle: np.savez(handle, keys=raw, vectors=vectors, check=check),
            "embedding cache",
        )

    def compact(self) -> Path | None:
        """Merge this model's batch files into one; safe while other processes use it.

        Only files whose vectors made it into the merged file are deleted, after
        the merged file is published, so nothing is ever lost.
        """
        directory = self.directory
        try:
            names = sorted(n for n in os.listdir(directory) if n.endswith(SUFFIX))
        except OSError:
            return None
        merged: dict[bytes, NDArray[np.float32]] = {}
        used = []
        for name in names:
            try:
                loaded = self._read(directory / name)
            except UnusableCacheFile:
                continue
            used.append(name)
            for k, row in zip(*loaded, strict=True):
                merged.setdefault(k, row)
        if len(used) < 2:
            return None
        final = self._write(list(merged), np.stack(list(merged.values())))
        if final is None:
            return None
        for name in used:
            with contextlib.suppress(OSError):
                os.unlink(directory / name)
        return final

    def clear(self) -> None:
        """Forget this model's cached vectors (in memory and on disk)."""
        with self._lock:
            self._index.clear()
            self._seen.clear()
        directory = self.directory
        if directory.is_dir():
            for path in directory.iterdir():
                if path.suffix in (SUFFIX, ".tmp"):
                    with contextlib.suppress(OSError):
                        path.unlink()
