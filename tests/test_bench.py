"""Keep benchmarks/bench.py from rotting: its quick, model-free variant must run."""

from __future__ import annotations

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
    for key in ("embed_limit_per_s", "end_to_end_per_s", "ratio", "cached_speedup"):
        assert key in out


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
