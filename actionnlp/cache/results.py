"""An on-disk cache of per-text model results (theme probabilities, owner mentions,
SMART scores).

With the embedding cache warm, what is left of a second run over the same plans is
the work per distinct text outside the forward pass: TF-IDF and the theme heads, the
owner pipeline and the SMART signals (spaCy and pattern matching).
:class:`ResultCache` keeps those results on disk so a rerun does none of it again.

A result is stored under the SHA-256 of its input (the texts a stage reads) in a
folder named by the SHA-256 of everything the result depends on: the stage, the
verified artifact's manifest (checksums, versions), the embedding model, and
:func:`~actionnlp.cache.identity.cache_identity` (library versions, resource files and
the ``SCORING_VERSION`` constant, bumped when scoring code changes; see
:mod:`actionnlp.cache.identity` for the rule). Retraining a model, changing a pattern
file, upgrading a library, swapping the embedder or bumping the scoring version
therefore starts a new, empty folder; stale results are never read. A docstring edit
does not.

Storage is the publish/index store of :mod:`actionnlp.cache.store`: one JSON file per
batch of new results, written to a temporary file and published with
:func:`os.replace`, never modified afterwards, so any number of processes can share a
folder without locks. JSON, not pickle: a cache file is data and is never executed.

:class:`~actionnlp.loading.Models` applies the cache: it maps each model's distinct
inputs through :func:`cached_map`; the models themselves never import this module.

What is read is checked before it is used: a batch file must be a regular file (links,
FIFOs, devices are skipped without being opened) of at most :data:`MAX_JSON_BYTES`,
parse as a JSON object, and no value may nest deeper than
:data:`MAX_DEPTH`; each stage then checks every value has the shape its model writes
(probabilities finite numbers in [0, 1], the expected lengths and fields). Anything
else is ignored and computed again, with one :class:`~actionnlp.errors.CacheWarning`.

The default location is ``<cache_dir>/results`` inside the embedding cache's folder
(``$ACTIONNLP_CACHE_DIR`` or ``~/.cache/actionnlp/embeddings``). Stored results hold
text from the plans (mention spans, evidence quotes); :meth:`ResultCache.clear`
deletes them, and ``actionnlp score --no-cache`` neither reads nor writes any cache.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     store = ResultCache(d).store("demo", {"model": "v1"})
...     first = cached_map(store, ["a", "b"], lambda todo: [len(t) for t in todo])
...     again = ResultCache(d).store("demo", {"model": "v1"})
...     cached_map(again, ["b", "a"], lambda todo: 1 / 0), again.hits
([1, 1], 2)
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from actionnlp.cache.identity import cache_identity
from actionnlp.cache.store import BatchIndex, UnusableCacheFile, default_cache_dir

__all__ = [
    "MAX_DEPTH",
    "MAX_JSON_BYTES",
    "ResultCache",
    "ResultStore",
    "cached_map",
    "content_key",
    "result_map",
]

SUFFIX = ".json"
MAX_JSON_BYTES = 64 << 20
"""Largest result batch file read."""
MAX_DEPTH = 16
"""Deepest nesting of lists and objects a stored value may have."""
T = TypeVar("T")
Item = TypeVar("Item")


def content_key(*parts: Any) -> str:
    """SHA-256 (hex) of JSON-serialisable ``parts``: the key of one stage input.

    >>> content_key("a", ["b"]) == content_key("a", ["b"]) != content_key("ab", [])
    True
    """
    raw = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8", errors="surrogatepass")).hexdigest()


class ResultCache:
    """A folder of result stores, one per stage and model identity.

    ``cache_dir=None`` means the embedding cache's folder (see
    :func:`~actionnlp.cache.store.default_cache_dir`); results live in its
    ``results`` subfolder.
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.cache_dir = cache_dir

    def __repr__(self) -> str:
        return f"ResultCache({str(self.directory)!r})"

    @property
    def directory(self) -> Path:
        """``<cache_dir>/results``."""
        base = Path(self.cache_dir) if self.cache_dir is not None else default_cache_dir()
        return base / "results"

    def clear(self) -> None:
        """Delete every stored result of every model (the whole ``results`` folder)."""
        import shutil

        shutil.rmtree(self.directory, ignore_errors=True)

    def store(self, stage: str, identity: Mapping[str, Any]) -> ResultStore:
        """The store of ``stage`` for models described by ``identity`` (JSON-serialisable:
        manifests, embedder name and hash); :func:`~actionnlp.cache.identity.cache_identity`
        is added here."""
        key = content_key(stage, cache_identity(), dict(identity))
        return ResultStore(self.directory / f"{stage}-{key[:32]}")


class ResultStore(BatchIndex):
    """JSON results by key in one folder (see the module docstring)."""

    suffix = SUFFIX
    what = "result cache"

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._index: dict[str, Any] = {}
        self._seen: set[str] = set()
        self._warned = False
        self.hits = 0
        self.misses = 0

    def __repr__(self) -> str:
        return f"ResultStore({str(self.directory)!r})"

    def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        """The stored results among ``keys`` (rescanning the folder once on a miss, for
        files other processes wrote meanwhile)."""
        with self._lock:
            if not self._seen or any(k not in self._index for k in keys):
                self._scan()
            found = {k: self._index[k] for k in keys if k in self._index}
        self.hits += len(found)
        self.misses += len(set(keys)) - len(found)
        return found

    def put_many(self, items: Mapping[str, Any]) -> dict[str, Any]:
        """Store ``items`` (JSON-serialisable values) as one new batch file and return
        them as a reader will get them back (after a JSON round trip). A disk that
        refuses the write warns once and is otherwise ignored."""
        if not items:
            return {}
        payload = json.dumps(dict(items), allow_nan=True)  # ASCII: any text round-trips
        stored: dict[str, Any] = json.loads(payload)
        data = payload.encode("ascii")
        with self._lock:
            self._index.update(stored)
        self._publish(lambda handle: handle.write(data), "result cache")
        return stored

    def _entries(self, path: Path) -> Iterable[tuple[str, Any]]:
        data = self._read_bytes(path, MAX_JSON_BYTES)
        try:
            batch = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise UnusableCacheFile(f"not valid JSON ({type(exc).__name__})") from exc
        if not isinstance(batch, dict):
            raise UnusableCacheFile("not a JSON object")
        if any(_too_deep(v, MAX_DEPTH) for v in batch.values()):
            raise UnusableCacheFile(f"values nested deeper than {MAX_DEPTH} levels")
        return batch.items()


def _too_deep(value: Any, limit: int) -> bool:
    """Whether lists and dicts in ``value`` nest more than ``limit`` deep (no recursion).

    >>> _too_deep([[1]], 2), _too_deep([[[1]]], 2)
    (False, True)
    """
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def _same(item: Any) -> str:
    return item


def cached_map(
    store: ResultStore | None,
    items: Sequence[Item],
    compute: Callable[[list[Item]], list[T]],
    valid: Callable[[Any], bool] = lambda value: True,
    *,
    key: Callable[[Item], str] = _same,
) -> list[T]:
    """One result per item: stored ones from ``store`` (under ``key(item)``; items are
    their own keys by default), the rest from ``compute`` (called once with the missing
    items, one per key, in order, returning one JSON-serialisable result each) and then
    stored. Results come back as a reader of the store would see them (JSON round
    trip), so a first and a second run give identical values. A stored value that is
    not ``valid`` (a damaged, poisoned or foreign file) is computed again, with one
    :class:`~actionnlp.errors.CacheWarning`. Without a store each distinct key is still
    computed once, in the same batch as with an empty store (so batched models give
    bit-identical results either way); items with the same key share one result.

    >>> cached_map(None, ["x", "yy"], lambda todo: [len(t) for t in todo])
    [1, 2]
    """
    keys = [key(item) for item in items]
    found: dict[str, Any] = {}
    if store is not None:
        stored = store.get_many(keys)
        found = {k: v for k, v in stored.items() if valid(v)}
        if len(found) < len(stored):
            bad = next(k for k in stored if k not in found)
            store.warn_unusable(store.directory, f"entry {bad[:12]}… is not what the model writes")
    todo: dict[str, Item] = {}
    for k, item in zip(keys, items, strict=True):
        if k not in found:
            todo.setdefault(k, item)
    if todo:
        new = compute(list(todo.values()))
        if len(new) != len(todo):
            raise ValueError(f"compute returned {len(new)} results for {len(todo)} keys")
        fresh = dict(zip(todo, new, strict=True))
        found.update(fresh if store is None else store.put_many(fresh))
    return [found[k] for k in keys]


def result_map(store: ResultStore | None) -> Callable[..., list[Any]]:
    """The result map (:mod:`actionnlp.resultmap`) that reads and writes ``store``:
    ``results(items, compute, valid, key)`` is :func:`cached_map` with each item's key
    the :func:`content_key` of the parts ``key(item)`` gives (each distinct input
    computed once, in one batch, also without a store).

    >>> apply = result_map(None)
    >>> apply(["x", "yy", "x"], lambda todo: [len(t) for t in todo], bool, lambda t: (t,))
    [1, 2, 1]
    """

    def apply(
        items: Sequence[Item],
        compute: Callable[[list[Item]], list[T]],
        valid: Callable[[Any], bool],
        key: Callable[[Item], Sequence[Any]],
    ) -> list[T]:
        return cached_map(store, items, compute, valid, key=lambda item: content_key(*key(item)))

    return apply
