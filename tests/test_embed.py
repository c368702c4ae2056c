from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from actionnlp.embed import (
    BUNDLED_MODEL_NAME,
    BUNDLED_MODEL_SHA256,
    Embedder,
    FakeEmbedder,
    SentenceTransformerEmbedder,
    default_embedder,
    embed_texts,
    sha256_file,
)
from actionnlp.errors import ArtifactError

REPO = Path(__file__).resolve().parents[1]
TEXTS = [
    "Introduce random mandatory drug testing on all wings",
    "Increase drug testing and searches for illicit substances",
    "Review food portions and the lunch menu with the kitchen",
    "",
    "!!!",
]


class CountingEmbedder:
    """Wraps an embedder and records every text it is asked to encode."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.weights_hash = inner.weights_hash
        self.dim = inner.dim
        self.seen: list[str] = []
        self.calls = 0

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray:
        self.calls += 1
        self.seen.extend(texts)
        return self.inner.encode(texts, batch_size=batch_size)


def test_fake_is_an_embedder() -> None:
    fake = FakeEmbedder(dim=24)
    assert isinstance(fake, Embedder)
    assert (fake.name, fake.weights_hash, fake.dim) == ("fake", "fake-24", 24)


def test_fake_shape_dtype_and_unit_rows() -> None:
    out = FakeEmbedder(dim=32).encode(TEXTS)
    assert out.shape == (len(TEXTS), 32)
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-6)


def test_fake_is_deterministic() -> None:
    a = FakeEmbedder(dim=32).encode(TEXTS)
    b = FakeEmbedder(dim=32).encode(list(reversed(TEXTS)))[::-1]
    np.testing.assert_array_equal(a, b)


def test_fake_same_in_a_subprocess() -> None:
    code = (
        "import json, sys; from actionnlp.embed import FakeEmbedder; "
        "texts = json.loads(sys.argv[1]); "
        "print(json.dumps(FakeEmbedder(dim=32).encode(texts).tolist()))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(TEXTS)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    other = np.array(json.loads(result.stdout), dtype=np.float32)
    np.testing.assert_array_equal(other, FakeEmbedder(dim=32).encode(TEXTS))


def test_fake_shared_words_are_more_similar() -> None:
    drug_a, drug_b, food = FakeEmbedder(dim=64).encode(TEXTS[:3])
    assert drug_a @ drug_b > drug_a @ food
    assert drug_a @ drug_b > drug_b @ food


def test_fake_is_case_insensitive() -> None:
    fake = FakeEmbedder()
    np.testing.assert_array_equal(fake.encode(["Drug Testing"]), fake.encode(["drug testing"]))


def test_fake_empty_input() -> None:
    assert FakeEmbedder(dim=8).encode([]).shape == (0, 8)


@pytest.mark.parametrize("dim", [0, -1, 2.5, True])
def test_fake_rejects_bad_dim(dim: object) -> None:
    with pytest.raises(ValueError):
        FakeEmbedder(dim=dim)  # type: ignore[arg-type]


def test_encode_rejects_a_bare_string_and_non_strings() -> None:
    fake = FakeEmbedder()
    with pytest.raises(TypeError):
        fake.encode("drug testing")
    with pytest.raises(TypeError):
        fake.encode(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        fake.encode(["ok"], batch_size=0)


def test_embed_texts_encodes_each_distinct_text_once() -> None:
    counting = CountingEmbedder(FakeEmbedder(dim=16))
    texts = ["b", "a", "b", "c", "a", "b"]
    out = embed_texts(texts, counting)
    assert sorted(counting.seen) == ["a", "b", "c"]
    assert counting.calls == 1
    np.testing.assert_array_equal(out, FakeEmbedder(dim=16).encode(texts))


def test_embed_texts_keeps_nothing_between_calls() -> None:
    counting = CountingEmbedder(FakeEmbedder(dim=16))
    first = embed_texts(["a", "b"], counting)
    second = embed_texts(["b", "c", "a"], counting)
    assert counting.seen == ["a", "b", "b", "c", "a"]  # no global memo: encoded again
    np.testing.assert_array_equal(second[[0, 2]], first[[1, 0]])


def test_embed_texts_empty() -> None:
    counting = CountingEmbedder(FakeEmbedder(dim=16))
    assert embed_texts([], counting).shape == (0, 16)
    assert counting.calls == 0


def test_sha256_file_and_cache(tmp_path: Path) -> None:
    path = tmp_path / "w.bin"
    path.write_bytes(b"abc")
    first = sha256_file(path)
    assert first == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    path.write_bytes(b"abcd")  # size changes, so the cache must not answer
    assert sha256_file(path) != first


def test_missing_or_pickle_only_model_dir_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="not a sentence-transformers model directory"):
        SentenceTransformerEmbedder(tmp_path / "absent")
    (tmp_path / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(ArtifactError, match=r"no model\.safetensors"):
        SentenceTransformerEmbedder(tmp_path)


def test_custom_dir_hash_recorded_or_enforced(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"not really weights")
    digest = sha256_file(tmp_path / "model.safetensors")
    recorded = SentenceTransformerEmbedder(tmp_path)
    assert recorded.name == tmp_path.name
    assert recorded.weights_hash == digest
    wrong = SentenceTransformerEmbedder(tmp_path, expected_sha256=BUNDLED_MODEL_SHA256)
    with pytest.raises(ArtifactError) as info:
        wrong.weights_hash  # noqa: B018
    message = str(info.value)
    assert str(tmp_path) in message and digest in message and BUNDLED_MODEL_SHA256 in message
    with pytest.raises(ArtifactError):  # refused before sentence-transformers reads anything
        wrong.encode(["x"])
    with pytest.raises(ValueError):
        SentenceTransformerEmbedder(tmp_path, expected_sha256="abc")


@pytest.mark.slow
def test_real_bundled_model(tmp_path: Path) -> None:
    emb = default_embedder()
    assert emb is default_embedder()
    assert emb.name == BUNDLED_MODEL_NAME
    assert emb.weights_hash == BUNDLED_MODEL_SHA256
    assert emb.dim == 384
    drug, illicit, food = emb.encode(["drug testing", "illicit substances", "food portions"])
    assert drug @ illicit > drug @ food
    out = embed_texts(TEXTS + TEXTS[:2], emb)
    assert out.shape == (len(TEXTS) + 2, 384) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(out[:2], out[-2:], atol=1e-6)
    assert emb.encode([]).shape == (0, 384)

    # a copy of the model with corrupted weights is refused when the hash is pinned
    copy = tmp_path / "minilm-copy"
    shutil.copytree(emb.path, copy, ignore=shutil.ignore_patterns("model.safetensors"))
    data = bytearray((emb.path / "model.safetensors").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "model.safetensors").write_bytes(bytes(data))
    corrupted = SentenceTransformerEmbedder(copy, expected_sha256=BUNDLED_MODEL_SHA256)
    with pytest.raises(ArtifactError, match="expected 53aa5117"):
        corrupted.encode(["drug testing"])
    with pytest.raises(ArtifactError):
        SentenceTransformerEmbedder(expected_sha256="0" * 64).encode(["x"])
