"""Measure what the recurring-concern threshold rests on (``RECURRING_THRESHOLD``).

    python training/recurring_threshold.py

The samples hold no pair of successive plans of one prison, so the threshold is set
from the other side: for every concern of a sample, its best cosine similarity to a
concern of another prison (concerns that are *not* the same concern raised again, yet
often on the same theme). The threshold must sit above these; the built later plans of
``tests/analysis/test_recurring.py`` check that reworded concerns still pass it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actionnlp import read_plans, sample_paths
from actionnlp.analysis.recurring import RECURRING_THRESHOLD, prison_key
from actionnlp.embed import default_embedder, embed_texts


def main() -> int:
    plans, _ = read_plans(sample_paths(), progress=False)
    texts = [c.full_text for p in plans for c in p.concerns]
    owner = np.array([prison_key(p.prison) for p in plans for _ in p.concerns])
    E = np.asarray(embed_texts(texts, default_embedder()), dtype=float)
    E /= np.linalg.norm(E, axis=1, keepdims=True)
    S = E @ E.T
    best = np.array([S[i, owner != owner[i]].max() for i in range(len(texts))])
    print(f"{len(texts)} concerns of {len(plans)} prisons")
    median, p95, top = np.median(best), np.quantile(best, 0.95), best.max()
    print(f"best cross-prison cosine: median {median:.3f}, 95th pct {p95:.3f}, max {top:.3f}")
    for cut in (0.75, 0.8, RECURRING_THRESHOLD):
        print(f"threshold {cut}: {int((best >= cut).sum())} concern(s) would link across prisons")
    above = int((best >= RECURRING_THRESHOLD).sum())
    print(f"threshold {RECURRING_THRESHOLD}: {above} concern(s) would link across prisons")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
