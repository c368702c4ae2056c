"""Poisoned, damaged and hostile cache files: ignored with one warning, recomputed.

Every case writes what an attacker or a broken disk could leave in a cache folder and
checks the run gives exactly the uncached result, warns once (CacheWarning), and never
opens a file that is not regular (a FIFO would block, /dev/zero would never end).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from actionnlp.cache.results import MAX_DEPTH, ResultCache, ResultStore, cached_map
from actionnlp.cache.store import STALE_TMP_SECONDS
from actionnlp.cache.vectors import CachedEmbedder
from actionnlp.embed import FakeEmbedder, embed_texts
from actionnlp.errors import CacheWarning

TEXTS = ["Random drug testing", "Food portions", "Cells cleaned weekly"]
DIM = 16


class Counting:
    """FakeEmbedder that counts the texts it really encodes."""

    def __init__(self, dim: int = DIM) -> None:
        self.fake = FakeEmbedder(dim=dim)
        self.name, self.weights_hash, self.dim = self.fake.name, self.fake.weights_hash, dim
        self.encoded: list[str] = []

    def encode(self, texts, *, batch_size: int = 32, show_progress: bool = False):
        self.encoded.extend(texts)
        return self.fake.encode(texts, batch_size=batch_size)


@pytest.fixture
def no_hang():
    """Fail (instead of hanging forever) if something opens a FIFO for reading."""

    def expired(signum, frame):
        raise TimeoutError("blocked: a FIFO or device was opened")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _keys(texts):
    return np.frombuffer(
        b"".join(hashlib.sha256(t.encode()).digest() for t in texts), dtype=np.uint8
    ).reshape(-1, 32)


def _write_batch(path: Path, keys, vectors, check=None, **extra) -> None:
    """A batch file in the cache's format: ``check`` is the SHA-256 of the keys' bytes
    then the vectors' little-endian float32 bytes (a forger can compute it too)."""
    vectors = np.asarray(vectors)
    if check is None:
        digest = hashlib.sha256(np.ascontiguousarray(keys, np.uint8).tobytes())
        digest.update(np.ascontiguousarray(vectors, "<f4").tobytes())
        check = np.frombuffer(digest.digest(), np.uint8)
    with path.open("wb") as handle:
        np.savez(handle, keys=keys, vectors=vectors, check=check, **extra)


def _run_twice(tmp_path: Path) -> tuple[np.ndarray, list[str], list[warnings.WarningMessage]]:
    inner = Counting()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = CachedEmbedder(inner, tmp_path).encode(TEXTS)
    return out, inner.encoded, [w for w in caught if issubclass(w.category, CacheWarning)]


def _cache_dir(tmp_path: Path) -> Path:
    cached = CachedEmbedder(FakeEmbedder(dim=DIM), tmp_path)
    cached.encode(TEXTS)
    return cached.directory


def _poison(directory: Path, damage: str) -> None:
    (path,) = directory.glob("*.npz")
    keys = _keys(TEXTS)
    good = FakeEmbedder(dim=DIM).encode(TEXTS)
    first = directory / "0000-sorts-first.npz"
    if damage == "other_width_sorting_first":  # a valid file of another model's width
        _write_batch(first, keys, FakeEmbedder(dim=8).encode(TEXTS))
    elif damage == "scaled":
        path.unlink()
        _write_batch(first, keys, good * 3)
    elif damage == "zero":
        path.unlink()
        _write_batch(first, keys, np.zeros_like(good))
    elif damage == "shuffled_rows":  # unit vectors, right width, moved between texts
        path.unlink()
        honest_check = _check(keys, good)
        _write_batch(first, keys, good[[1, 2, 0]], check=honest_check)
    elif damage == "nan":
        path.unlink()
        bad = good.copy()
        bad[1, 3] = np.nan
        _write_batch(first, keys, bad)
    elif damage == "float64":
        path.unlink()
        _write_batch(first, keys, good.astype(np.float64))
    elif damage == "wrong_shape":
        path.unlink()
        _write_batch(first, keys, good[:2])
    elif damage == "no_check":  # the old format, or a file stripped of its check
        path.unlink()
        with first.open("wb") as handle:
            np.savez(handle, keys=keys, vectors=good)
    elif damage == "compressed":
        path.unlink()
        with first.open("wb") as handle:
            np.savez_compressed(handle, keys=keys, vectors=good, check=_check(keys, good))
    elif damage == "lying_header":  # .npy header claims 10^12 rows: never allocated
        path.unlink()
        _write_batch(first, keys, good)
        data = first.read_bytes().replace(b"'shape': (3, 16)", b"'shape': (1000000000000, 16)")
        first.write_bytes(data)
    else:  # pragma: no cover
        raise AssertionError(damage)


def _check(keys, vectors):
    digest = hashlib.sha256(np.ascontiguousarray(keys, np.uint8).tobytes())
    digest.update(np.ascontiguousarray(vectors, "<f4").tobytes())
    return np.frombuffer(digest.digest(), np.uint8)


DAMAGES = [
    "other_width_sorting_first",
    "scaled",
    "zero",
    "shuffled_rows",
    "nan",
    "float64",
    "wrong_shape",
    "no_check",
    "compressed",
    "lying_header",
]


@pytest.mark.parametrize("damage", DAMAGES)
def test_poisoned_vectors_are_ignored_recomputed_and_warned_once(tmp_path, damage):
    directory = _cache_dir(tmp_path)
    _poison(directory, damage)
    out, encoded, warned = _run_twice(tmp_path)
    np.testing.assert_array_equal(out, FakeEmbedder(dim=DIM).encode(TEXTS))
    assert len(warned) == 1 and "0000-sorts-first.npz" in str(warned[0].message)
    if damage != "other_width_sorting_first":
        assert sorted(encoded) == sorted(TEXTS)
    out, encoded, warned = _run_twice(tmp_path)  # the recomputed vectors were cached
    assert encoded == [] and len(warned) == 1  # the bad file is still there, still ignored


def test_several_bad_files_give_one_warning(tmp_path):
    directory = _cache_dir(tmp_path)
    for i in range(5):
        (directory / f"bad{i}.npz").write_bytes(b"garbage")
    _, encoded, warned = _run_twice(tmp_path)
    assert encoded == [] and len(warned) == 1


@pytest.mark.parametrize("kind", ["dev_zero", "fifo", "dangling", "directory"])
def test_non_regular_cache_files_are_skipped_unopened(tmp_path, kind, no_hang):
    directory = _cache_dir(tmp_path)
    (path,) = directory.glob("*.npz")
    bad = directory / "0000.npz"
    if kind == "dev_zero":
        os.symlink("/dev/zero", bad)
    elif kind == "fifo":
        os.mkfifo(bad)
    elif kind == "dangling":
        os.symlink(directory / "nowhere", bad)
    else:
        bad.mkdir()
    out, encoded, warned = _run_twice(tmp_path)
    assert encoded == [] and len(warned) == 1 and "not a regular file" in str(warned[0].message)
    np.testing.assert_array_equal(out, FakeEmbedder(dim=DIM).encode(TEXTS))
    path.unlink()  # with only the hostile entry left, the vectors are computed again
    assert sorted(_run_twice(tmp_path)[1]) == sorted(TEXTS)


def test_stale_temp_files_of_killed_writers_are_cleaned_at_the_next_open(tmp_path):
    directory = _cache_dir(tmp_path)
    old = directory / ".batch-killed.tmp"
    old.write_bytes(b"half a file")
    then = time.time() - STALE_TMP_SECONDS - 60
    os.utime(old, (then, then))
    live = directory / ".batch-writing.tmp"  # a concurrent writer's: must survive
    live.write_bytes(b"being written")
    _, encoded, warned = _run_twice(tmp_path)
    assert not old.exists() and live.exists()
    assert encoded == [] and warned == []


def test_prefetched_vectors_are_only_valid_read_only_ones():
    from actionnlp.cache.vectors import PrefetchedEmbedder

    class Broken(FakeEmbedder):
        def encode(self, texts, *, batch_size=32, show_progress=False):
            out = super().encode(texts)
            out[0] *= 2  # not unit norm: used once, never held
            return out

    broken = PrefetchedEmbedder(Broken(dim=8))
    broken.prefetch(["a", "b"])
    assert broken.held == 1  # "a" (first, shortest) was not held
    again = embed_texts(["a", "b"], broken)
    assert np.allclose(np.linalg.norm(again[0]), 2)  # asked of the model again
    fake = PrefetchedEmbedder(FakeEmbedder(dim=8))
    fake.prefetch(["c"])
    out = embed_texts(["c"], fake)
    out[0] = 0  # the caller's copy; what is held is unchanged
    np.testing.assert_array_equal(embed_texts(["c"], fake), FakeEmbedder(dim=8).encode(["c"]))


def test_a_non_finite_embedder_is_an_artifact_error():
    from actionnlp.errors import ArtifactError

    class Nan(FakeEmbedder):
        def encode(self, texts, *, batch_size=32, show_progress=False):
            return np.full((len(texts), self.dim), np.nan, np.float32)

    with pytest.raises(ArtifactError, match="non-finite"):
        embed_texts(["x"], Nan(dim=4))


# -- the result cache ---------------------------------------------------------------------

N = 3


def _probs(todo):
    return [[0.1, 0.2, 0.7] for _ in todo]


def _valid(value):
    from actionnlp.resultmap import is_probabilities

    return is_probabilities(value, N)


@pytest.mark.parametrize(
    "value",
    [
        ["0.1", "0.2", "0.7"],
        [1e308, 0.2, 0.7],
        [float("nan"), 0.2, 0.7],
        [0.1, 0.2],
        [[0.1], 0.2, 0.7],
        [True, 0.0, 0.0],
        [-0.5, 0.2, 0.7],
    ],
    ids=["strings", "1e308", "nan", "short", "nested", "bool", "negative"],
)
def test_poisoned_probabilities_are_recomputed_with_one_warning(tmp_path, value):
    store = ResultCache(tmp_path).store("stage", {})
    store.put_many({"a": value, "b": value})
    again = ResultStore(store.directory)
    with pytest.warns(CacheWarning, match="not what the model writes") as caught:
        out = cached_map(again, ["a", "b"], _probs, _valid)
    assert out == [[0.1, 0.2, 0.7]] * 2 and len(caught) == 1


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "payload",
    [
        '{"a": ' + _deep(100_000) + "}",
        '{"a": ' + _deep(MAX_DEPTH + 2) + "}",
        _deep(100_000),
        "[1, 2]",
        '{"a": NaN',
        "\xff\xfe",
    ],
    ids=["deep", "deeper_than_max", "deep_top", "not_object", "truncated", "not_utf8"],
)
def test_damaged_result_files_are_ignored_with_one_warning(tmp_path, payload):
    store = ResultCache(tmp_path).store("stage", {})
    store.put_many({"b": [0.1, 0.2, 0.7]})
    (store.directory / "0000.json").write_bytes(payload.encode("latin-1"))
    with pytest.warns(CacheWarning, match="0000.json") as caught:
        out = cached_map(ResultStore(store.directory), ["a", "b"], _probs, _valid)
    assert out == [[0.1, 0.2, 0.7]] * 2 and len(caught) == 1


@pytest.mark.parametrize("kind", ["dev_zero", "fifo"])
def test_non_regular_result_files_are_skipped_unopened(tmp_path, kind, no_hang):
    store = ResultCache(tmp_path).store("stage", {})
    store.put_many({"b": [0.1, 0.2, 0.7]})
    bad = store.directory / "0000.json"
    if kind == "dev_zero":
        os.symlink("/dev/zero", bad)
    else:
        os.mkfifo(bad)
    with pytest.warns(CacheWarning, match="not a regular file"):
        out = cached_map(ResultStore(store.directory), ["a", "b"], _probs, _valid)
    assert out == [[0.1, 0.2, 0.7]] * 2


def test_stale_result_temp_files_are_cleaned(tmp_path):
    store = ResultCache(tmp_path).store("stage", {})
    store.put_many({"b": [0.1, 0.2, 0.7]})
    old = store.directory / ".batch-killed.tmp"
    old.write_text('{"b": [0.1')
    then = time.time() - STALE_TMP_SECONDS - 1
    os.utime(old, (then, then))
    cached_map(ResultStore(store.directory), ["b"], _probs, _valid)
    assert not old.exists()


def test_owner_mentions_of_the_wrong_types_are_recomputed():
    from actionnlp.owners.pipeline import _is_mentions

    good = {
        "start": 0,
        "end": 3,
        "text": "ALT",
        "label": "ORG",
        "canonical": None,
        "category": None,
    }
    assert _is_mentions([good])
    for change in ({"start": "0"}, {"end": True}, {"start": 5}, {"label": "PERSON"}, {"text": 1}):
        assert not _is_mentions([{**good, **change}])


def test_poisoned_theme_and_smart_results_do_not_change_the_analysis(
    fast_training, fast_models, samples, tmp_path
):
    """The issue's case: strings, 1e308 and NaN in the theme and SMART stores changed
    theme tags (13 -> 36) and set every SMART score to 3; now the results are the
    uncached ones."""
    from actionnlp.analysis import analyze
    from actionnlp.data import sample_paths
    from actionnlp.loading import load

    def models():
        return load(fast_training[0], embedder=FakeEmbedder(dim=64), results=ResultCache(tmp_path))

    analyze(sample_paths()[:1], models=models(), progress=False)  # fills the stores
    for store in (tmp_path / "results").iterdir():
        for path in store.glob("*.json"):
            batch = json.loads(path.read_text())
            for key, value in batch.items():
                if store.name.startswith("themes"):
                    batch[key] = ["1"] * len(value)
                elif store.name.startswith("smart"):
                    value["p"] = [1e308, float("nan"), "1", 1, 1]
            path.write_text(json.dumps(batch))
    with pytest.warns(CacheWarning):
        poisoned = analyze(sample_paths()[:1], models=models(), progress=False)
    plain = analyze(sample_paths()[:1], models=fast_models, progress=False)
    for name in ("concerns", "actions"):
        a, b = getattr(poisoned, name), getattr(plain, name)
        assert a[sorted(b.columns)].equals(b[sorted(b.columns)])


def test_an_embedder_returning_the_wrong_shape_is_an_artifact_error(tmp_path):
    from actionnlp.errors import ArtifactError

    class Short(FakeEmbedder):
        def encode(self, texts, *, batch_size=32, show_progress=False):
            return super().encode(texts)[:-1]

    with pytest.raises(ArtifactError, match="returned shape"):
        CachedEmbedder(Short(dim=4), tmp_path).encode(["a", "b"])
