"""An on-disk embedding cache that wraps any :class:`~actionnlp.embed.Embedder`.

:class:`CachedEmbedder` keeps every vector it has computed on disk, keyed by the
SHA-256 of the text, in a directory named by the SHA-256 of the inner embedder's
``name`` and ``weights_hash``: a different (or retrained) model never sees another
model's vectors. Only texts missing from the cache reach the inner embedder.

Storage (the publish/index store of :mod:`actionnlp.cache.store`): one ``.npz`` file
per batch of new vectors (``keys``: the 32-byte text digests as an ``(n, 32)`` uint8
array, ``vectors``: float32 rows), written to a temporary file in the same directory
and published with :func:`os.replace`. The format is unchanged since vectors were first
cached: folders written before the cache became a package are read as they are.
Why files and not SQLite: see :mod:`actionnlp.cache.store`.

The index is loaded lazily (on the first :meth:`CachedEmbedder.encode`) and the
directory is rescanned for files written by other processes whenever a call has
misses. :meth:`CachedEmbedder.compact` merges the batch files into one.

Nothing read from the cache is trusted unchecked. A batch file is used only if it is
a regular file (links, FIFOs and devices are skipped by ``lstat`` before any open) of
at most ``MAX_FILE_BYTES`` (:mod:`actionnlp.cache.store`), an uncompressed ``.npz``
holding exactly ``keys``, ``vectors`` and ``check`` whose array headers match their
byte sizes, with vectors that are finite, of the model's width and of unit norm (as
every embedder writes them), and whose ``check`` (the SHA-256 of the keys and vectors)
matches, so rows moved between texts are caught. Anything else is ignored, its texts
encoded again, and one :class:`~actionnlp.errors.CacheWarning` names the first such
file. Temporary files of writers killed mid-write (``.batch-*.tmp``) are deleted at
the next open once older than ``STALE_TMP_SECONDS`` (younger ones may belong to a live
writer).

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
import threading
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from actionnlp.cache.store import BatchIndex, UnusableCacheFile, default_cache_dir
from actionnlp.embed import check_texts, unit_rows
from actionnlp.errors import ArtifactError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from actionnlp.embed import Embedder

__all__ = [
    "MAX_HELD",
    "PREFETCH_CHUNK",
    "SUFFIX",
    "CachedEmbedder",
    "PrefetchedEmbedder",
    "model_key",
]

SUFFIX = ".npz"
"""Batch files of vectors."""
PREFETCH_CHUNK = 256
"""Texts per call to the embedder when texts are embedded up front (length-sorted)."""
MAX_HELD = 200_000
"""Most texts worth embedding up front for one analysis (about 300 MB of vectors of
width 384); beyond it the stages embed on demand."""
_DIGEST = 32
_MEMBERS = ("check.npy", "keys.npy", "vectors.npy")


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


def model_key(name: str, weights_hash: str) -> str:
    """Directory name of one model's vectors: SHA-256 of its name and weights hash.

    >>> model_key("fake", "fake-8") == model_key("fake", "fake-16")
    False
    """
    return hashlib.sha256(f"{name}\0{weights_hash}".encode()).hexdigest()


def _text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).digest()


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
    suffix = SUFFIX

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
        items = check_texts(texts, batch_size)
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


class PrefetchedEmbedder:
    """Wrap ``inner`` so the vectors of one analysis are embedded once, up front.

    :meth:`prefetch` embeds the distinct texts it is given, shortest first in chunks
    (one length-sorted pass pads each batch least), and holds their vectors in this
    object until the next :meth:`prefetch`; :meth:`encode` answers held texts from
    memory and passes the others to ``inner``. Only vectors as a model writes them
    (finite, unit norm) are held, read-only. The held vectors are not pickled: a copy
    sent to a joblib worker starts empty. Same ``name``, ``weights_hash`` and ``dim``
    as ``inner``. With ``keep=True`` vectors encoded on demand are held too (training,
    which embeds the same texts fold after fold, wraps its embedder so).

    >>> from actionnlp.embed import FakeEmbedder
    >>> emb = PrefetchedEmbedder(FakeEmbedder(dim=8))
    >>> emb.prefetch(["b", "a", "b"]), emb.held
    (2, 2)
    >>> bool((emb.encode(["a"])[0] == FakeEmbedder(dim=8).encode(["a"])[0]).all())
    True
    """

    def __init__(self, inner: Embedder, *, keep: bool = False) -> None:
        self.inner = inner
        self.keep = keep
        self._held: dict[str, NDArray[np.float32]] = {}

    def __repr__(self) -> str:
        return f"PrefetchedEmbedder({self.inner!r}, keep={self.keep})"

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_held": {}}

    @property
    def name(self) -> str:
        """The inner embedder's name."""
        return self.inner.name

    @property
    def weights_hash(self) -> str:
        """The inner embedder's weights hash."""
        return self.inner.weights_hash

    @property
    def dim(self) -> int:
        """The inner embedder's width."""
        return self.inner.dim

    @property
    def held(self) -> int:
        """How many vectors are held in memory."""
        return len(self._held)

    def prefetch(
        self,
        texts: Iterable[str],
        *,
        chunk: int = PREFETCH_CHUNK,
        batch_size: int = 32,
        progress: Callable[[int], object] | None = None,
    ) -> int:
        """Embed the distinct ``texts`` (shortest first, ``chunk`` texts per call to the
        inner embedder) and hold their vectors, replacing what was held before; returns
        how many texts were embedded. ``progress`` is called with each chunk's size."""
        distinct = sorted(set(check_texts(list(texts), batch_size)), key=lambda t: (len(t), t))
        held: dict[str, NDArray[np.float32]] = {}
        for start in range(0, len(distinct), chunk):
            part = distinct[start : start + chunk]
            vectors = self._encode_inner(part, batch_size)
            good = unit_rows(vectors, self.dim)
            held.update((t, _frozen(v)) for t, v, ok in zip(part, vectors, good, strict=True) if ok)
            if progress is not None:
                progress(len(part))
        self._held = held
        return len(distinct)

    def _encode_inner(self, texts: list[str], batch_size: int) -> NDArray[np.float32]:
        vectors = np.asarray(self.inner.encode(texts, batch_size=batch_size), dtype=np.float32)
        if vectors.shape != (len(texts), self.dim):
            raise ArtifactError(
                f"embedder {self.inner.name} returned shape {vectors.shape}, "
                f"expected {(len(texts), self.dim)}"
            )
        return vectors

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> NDArray[np.float32]:
        """Embed ``texts``: held vectors from memory, the others from ``inner``."""
        items = check_texts(texts, batch_size)
        held = self._held  # one read: a prefetch may replace it meanwhile
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        new = list(dict.fromkeys(t for t in items if t not in held))
        found: dict[str, NDArray[np.float32]] = {}
        if new:
            vectors = self._encode_inner(new, batch_size)
            found = dict(zip(new, vectors, strict=True))
            if self.keep:
                good = unit_rows(vectors, self.dim)
                held.update(
                    (t, _frozen(v)) for t, v, ok in zip(new, vectors, good, strict=True) if ok
                )
        return np.stack([held[t] if t in held else found[t] for t in items])


def _frozen(row: NDArray[np.float32]) -> NDArray[np.float32]:
    """A read-only copy of one vector: what is held cannot be changed by a caller."""
    out = np.array(row, dtype=np.float32)
    out.setflags(write=False)
    return out
