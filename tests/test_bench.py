"""Keep benchmarks/bench.py from rotting: its quick, model-free variant must run."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_quick_fake_prints_one_json_line():
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", MPLBACKEND="Agg")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--fake"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert out["cores"] >= 1
    assert out["import_s"] > 0
    assert set(out["read_per_s"]) == {"txt", "docx", "pdf", "html"}
    assert all(v > 0 for v in out["read_per_s"].values())
    assert out["read_peak_rss_mb"] > 0
    assert out["fake"] is True and out["quick"] is True
    # --fake promises no model figures: each is present and None
    for key in (
        "embed_limit_per_s",
        "end_to_end_per_s",
        "ratio",
        "cached_speedup",
        "peak_rss_mb",
        "scaling",
    ):
        assert out[key] is None, key
    assert "embed_calls" not in out and "corpus_actions" not in out


def _load(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scaling_corpus_has_no_repeated_text():
    import pandas as pd

    bench = _load("bench")
    base = pd.DataFrame(
        {
            "source": ["a", "a", "b"],
            "prison": ["A", "A", "B"],
            "action_text": ["Audit.", "Train staff.", "Audit."],
            "concern_text": ["Dirty.", "Dirty.", "Dirty."],
        }
    )
    frame = bench.corpus(base, 4, distinct=True)
    assert len(frame) == 12
    assert frame["prison"].nunique() == 8
    per_copy = frame.groupby("prison")["action_text"].apply(tuple)
    assert len(set(per_copy)) == 8  # no copy repeats another's texts
    assert frame["action_text"].str.startswith(("Audit.", "Train staff.")).all()


def test_static_embedder_averages_word_pieces():
    import numpy as np

    static = _load("static_backend")

    def tokenizer(texts, **_):
        return {"input_ids": [[1, 2] if t else [] for t in texts]}

    vectors = np.array([[0, 0], [3, 0], [0, 4]], dtype=np.float32)
    out = static.StaticEmbedder(vectors, tokenizer).encode(["two pieces", ""])
    assert out.shape == (2, 2)
    assert np.allclose(out[0], [0.6, 0.8])  # mean (1.5, 2) scaled to unit norm
    assert np.allclose(out[1], 0)  # no pieces: a zero vector, not NaN


def test_model_figures_with_the_fake_embedder(fast_training, monkeypatch):
    """The model path of bench.py on the samples, with the fast artifacts and the
    fake embedder standing in for the real model (the figures are not benchmarks)."""
    import actionnlp.embed
    import actionnlp.loading
    from actionnlp.analysis.run import _PREFETCH
    from actionnlp.embed import FakeEmbedder

    bench = _load("bench")
    real_load = actionnlp.loading.load

    def fast_load(root=None, **kwargs):
        assert root is None  # bench loads the shipped models: give it the fast ones
        return real_load(fast_training[0], **kwargs)

    rss_argv = []

    def fake_rss(argv):  # the child would load the real model
        rss_argv.append(argv)
        return 123.4

    monkeypatch.setattr(actionnlp.embed, "default_embedder", lambda: FakeEmbedder(dim=64))
    monkeypatch.setattr(actionnlp.loading, "load", fast_load)
    monkeypatch.setattr(bench, "child_peak_rss_mb", fake_rss)
    out: dict = {}
    bench.model_figures(argparse.Namespace(copies=1, scale_base=5, rss_actions=7), out)

    n = len(bench.base_actions())
    assert out["corpus_actions"] == n and out["corpus_plans"] == 4
    for key in (
        "end_to_end_per_s",
        "embed_limit_per_s",
        "ratio",
        "cached_speedup",
        "cached_speedup_embeddings_only",
        "cached_cold_per_s",
        "cached_warm_per_s",
    ):
        assert isinstance(out[key], float) and out[key] > 0, key
    assert out["ratio"] == round(out["end_to_end_per_s"] / out["embed_limit_per_s"], 3)
    # analyze asks for each distinct text once, in up-front chunks of _PREFETCH texts
    assert out["embed_max_requests_per_text"] == 1
    assert out["embed_texts_requested"] == out["embed_texts_distinct"] > 0
    assert out["embed_calls"] == -(-out["embed_texts_distinct"] // _PREFETCH)
    assert out["scaling_base_actions"] == 5
    assert set(out["scaling"]) == {"1x", "4x", "16x"}
    assert all(t > 0 for t in out["scaling"].values())
    assert set(out["scaling_per_action_ms"]) == {"1x", "4x", "16x"}
    assert out["peak_rss_actions"] == 7 and out["peak_rss_mb"] == 123.4
    assert rss_argv[0][-2:] == ["--rss-child", "7"]
