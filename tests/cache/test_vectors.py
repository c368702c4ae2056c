"""The on-disk embedding cache: hits, model isolation, concurrent writers, corrupt files."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import numpy as np
import pytest

from actionnlp.cache.store import default_cache_dir
from actionnlp.cache.vectors import CachedEmbedder, model_key
from actionnlp.embed import Embedder, FakeEmbedder, embed_texts


class Counting:
    """FakeEmbedder that counts the texts it really encodes."""

    def __init__(self, dim: int = 16) -> None:
        self.fake = FakeEmbedder(dim=dim)
        self.name = self.fake.name
        self.weights_hash = self.fake.weights_hash
        self.dim = dim
        self.encoded: list[str] = []

    def encode(self, texts, *, batch_size: int = 32, show_progress: bool = False):
        self.encoded.extend(texts)
        return self.fake.encode(texts, batch_size=batch_size)


TEXTS = ["Random drug testing", "Food portions", "Cells cleaned weekly", "Food portions"]


def test_is_an_embedder_with_the_inner_identity(tmp_path):
    cached = CachedEmbedder(FakeEmbedder(dim=16), tmp_path)
    assert isinstance(cached, Embedder)
    assert (cached.name, cached.weights_hash, cached.dim) == ("fake", "fake-16", 16)


def test_second_call_encodes_nothing(tmp_path):
    inner = Counting()
    first = CachedEmbedder(inner, tmp_path).encode(TEXTS)
    assert sorted(inner.encoded) == sorted(set(TEXTS))  # duplicates encoded once
    inner.encoded.clear()
    again = CachedEmbedder(inner, tmp_path)  # a fresh process would start like this
    second = again.encode(TEXTS)
    assert inner.encoded == []
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(second, FakeEmbedder(dim=16).encode(TEXTS))
    assert second.dtype == np.float32 and second.shape == (4, 16)


def test_only_new_texts_are_encoded(tmp_path):
    inner = Counting()
    cached = CachedEmbedder(inner, tmp_path)
    cached.encode(TEXTS[:2])
    inner.encoded.clear()
    out = cached.encode(TEXTS)
    assert inner.encoded == ["Cells cleaned weekly"]
    np.testing.assert_array_equal(out, FakeEmbedder(dim=16).encode(TEXTS))


def test_works_through_embed_texts_and_empty_input(tmp_path):
    cached = CachedEmbedder(FakeEmbedder(dim=8), tmp_path)
    assert embed_texts(TEXTS, cached).shape == (4, 8)
    assert cached.encode([]).shape == (0, 8)
    with pytest.raises(TypeError):
        cached.encode("a single string")


def test_other_model_does_not_reuse_vectors(tmp_path):
    a = Counting(dim=16)
    CachedEmbedder(a, tmp_path).encode(TEXTS)
    b = Counting(dim=16)
    b.weights_hash = "fake-16-retrained"  # same name and width, other weights
    CachedEmbedder(b, tmp_path).encode(TEXTS)
    assert sorted(b.encoded) == sorted(set(TEXTS))
    assert model_key("fake", "fake-16") != model_key("fake", "fake-16-retrained")
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 2


def test_default_location_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTIONNLP_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    cached = CachedEmbedder(FakeEmbedder(dim=8))
    cached.encode(["x"])
    assert list((tmp_path / "c").rglob("*.npz"))
    monkeypatch.delenv("ACTIONNLP_CACHE_DIR")
    assert default_cache_dir() == Path.home() / ".cache" / "actionnlp" / "embeddings"


def _worker(cache_dir: str, start: int, rounds: int) -> None:
    cached = CachedEmbedder(FakeEmbedder(dim=16), cache_dir)
    for r in range(rounds):
        texts = [f"action {i}" for i in range(start + r * 5, start + r * 5 + 40)]
        cached.encode(texts, batch_size=8)


def test_two_processes_writing_concurrently(tmp_path):
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(str(tmp_path), s, 20)) for s in (0, 20)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    texts = [f"action {i}" for i in range(0, 20 + 19 * 5 + 40)]
    inner = Counting()
    out = CachedEmbedder(inner, tmp_path).encode(texts)
    assert inner.encoded == []  # everything both workers wrote is readable
    np.testing.assert_array_equal(out, FakeEmbedder(dim=16).encode(texts))
    assert not list(tmp_path.rglob("*.tmp"))  # no half-written files left


def test_digests_ending_in_zero_bytes_round_trip(tmp_path):
    # a NumPy bytes dtype would strip trailing NULs; 1 text in 256 has one
    import hashlib

    texts = [f"action {i}" for i in range(2000)]
    zero_ended = [t for t in texts if hashlib.sha256(t.encode()).digest()[-1] == 0]
    assert zero_ended
    CachedEmbedder(FakeEmbedder(dim=8), tmp_path).encode(zero_ended)
    inner = Counting(dim=8)
    CachedEmbedder(inner, tmp_path).encode(zero_ended)
    assert inner.encoded == []


def test_compact_keeps_every_vector(tmp_path):
    cached = CachedEmbedder(FakeEmbedder(dim=16), tmp_path)
    for text in TEXTS:
        cached.encode([text])
    assert len(list(cached.directory.glob("*.npz"))) == 3
    merged = cached.compact()
    assert merged is not None and merged.suffix == ".npz"
    assert list(cached.directory.iterdir()) == [merged]  # the batch files are gone, no .tmp
    with np.load(merged) as data:
        assert data["keys"].shape == (3, 32) and data["vectors"].shape == (3, 16)
    inner = Counting()
    out = CachedEmbedder(inner, tmp_path).encode(TEXTS)
    assert inner.encoded == []
    np.testing.assert_array_equal(out, FakeEmbedder(dim=16).encode(TEXTS))
    assert cached.compact() is None  # one file: nothing to merge
    assert list(cached.directory.iterdir()) == [merged]


@pytest.mark.parametrize(
    "damage",
    ["garbage", "truncate", "empty", "wrong_shape", "nan", "tmp_leftover"],
)
def test_corrupt_files_are_ignored_and_re_encoded(tmp_path, damage):
    cached = CachedEmbedder(FakeEmbedder(dim=16), tmp_path)
    cached.encode(TEXTS)
    (path,) = cached.directory.glob("*.npz")
    if damage == "garbage":
        path.write_bytes(b"not an npz at all")
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "wrong_shape":
        with path.open("wb") as f:
            np.savez(f, keys=np.zeros((3, 32), np.uint8), vectors=np.zeros((2, 16), np.float32))
    elif damage == "nan":
        with np.load(path) as data:
            keys, vectors = data["keys"], data["vectors"].copy()
        vectors[0, 0] = np.nan
        with path.open("wb") as f:
            np.savez(f, keys=keys, vectors=vectors)
    else:
        path.unlink()
        (cached.directory / ".batch-x.tmp").write_bytes(b"half")
    inner = Counting()
    out = CachedEmbedder(inner, tmp_path).encode(TEXTS)
    assert sorted(inner.encoded) == sorted(set(TEXTS))
    np.testing.assert_array_equal(out, FakeEmbedder(dim=16).encode(TEXTS))
    inner.encoded.clear()
    CachedEmbedder(inner, tmp_path).encode(TEXTS)  # the re-encoded vectors were cached
    assert inner.encoded == []


def test_unwritable_cache_warns_but_encodes(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    cached = CachedEmbedder(FakeEmbedder(dim=8), blocker)
    with pytest.warns(RuntimeWarning, match="embedding cache not written"):
        out = cached.encode(TEXTS)
    np.testing.assert_array_equal(out, FakeEmbedder(dim=8).encode(TEXTS))


def test_cached_embedder_passes_the_artifact_check():
    from actionnlp.artifacts import check_embedding
    from actionnlp.errors import ArtifactError

    manifest = {"name": "x", "embedding": {"name": "fake", "weights_sha256": "fake-32"}}
    nowhere = Path("/nonexistent/never/written")
    assert check_embedding(manifest, CachedEmbedder(FakeEmbedder(32), nowhere)) is None
    with pytest.raises(
        ArtifactError, match=r"built with embedding fake \(fake-32\), not fake \(fake-16\)"
    ):
        check_embedding(manifest, CachedEmbedder(FakeEmbedder(16), nowhere))
    assert not nowhere.exists()  # the check never touches the cache folder


def test_pickled_copy_reads_the_same_disk_cache(tmp_path):
    import pickle

    cached = CachedEmbedder(FakeEmbedder(8), tmp_path)
    first = cached.encode(["a", "b"])
    copy = pickle.loads(pickle.dumps(cached))  # as a joblib worker receives it
    assert np.array_equal(copy.encode(["b", "a"]), first[::-1])
    assert (copy.hits, copy.misses) == (2, 0)


# -- the vectors of one analysis, held in memory --------------------------------------------


def test_prefetch_embeds_each_distinct_text_once_shortest_first():
    from actionnlp.cache.vectors import PrefetchedEmbedder

    inner = Counting()
    emb = PrefetchedEmbedder(inner)
    assert emb.prefetch(["ccc", "a", "bb", "a"], chunk=2) == 3
    assert inner.encoded == ["a", "bb", "ccc"]  # distinct, by length, in chunks
    inner.encoded.clear()
    out = embed_texts(["bb", "ccc", "bb"], emb)
    assert inner.encoded == []  # every vector came from memory
    np.testing.assert_array_equal(out, FakeEmbedder(dim=16).encode(["bb", "ccc", "bb"]))
    embed_texts(["new", "a"], emb)
    assert inner.encoded == ["new"]  # not held: asked of the model, and not kept


def test_a_prefetch_replaces_what_was_held_and_a_pickle_holds_nothing():
    import pickle

    from actionnlp.cache.vectors import PrefetchedEmbedder

    inner = Counting()
    emb = PrefetchedEmbedder(inner)
    emb.prefetch(["a", "b"])
    emb.prefetch(["c"])
    assert emb.held == 1
    copy = pickle.loads(pickle.dumps(emb))
    assert copy.held == 0 and (copy.name, copy.weights_hash, copy.dim) == ("fake", "fake-16", 16)


def test_keep_holds_vectors_encoded_on_demand():
    from actionnlp.cache.vectors import PrefetchedEmbedder

    inner = Counting()
    emb = PrefetchedEmbedder(inner, keep=True)
    first = emb.encode(["a", "b"])
    second = emb.encode(["b", "a", "c"])
    assert inner.encoded == ["a", "b", "c"]
    np.testing.assert_array_equal(second[:2], first[::-1])


def test_prefetch_reports_progress_per_chunk():
    from actionnlp.cache.vectors import PrefetchedEmbedder

    seen: list[int] = []
    PrefetchedEmbedder(Counting()).prefetch(
        [f"t{i}" for i in range(5)], chunk=2, progress=seen.append
    )
    assert seen == [2, 2, 1]
