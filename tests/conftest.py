"""Shared fixtures: models trained once per session by the CI variant of training."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _train_module():
    spec = importlib.util.spec_from_file_location("actionnlp_train", ROOT / "training" / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def fast_training(tmp_path_factory):
    """Artifacts from `training/train.py --fast` (fake embedder, small slice): (dir, results).

    Set ``ACTIONNLP_TEST_MODELS`` to a folder to train there once and reuse it while
    developing (delete it after changing training code).
    """
    keep = os.environ.get("ACTIONNLP_TEST_MODELS")
    out = Path(keep) if keep else tmp_path_factory.mktemp("fast-models")
    train = _train_module()
    data = ROOT / "training" / "data"
    if keep and (out / "smart-v1" / "manifest.json").is_file():
        import json

        names = {"themes": "themes-v1", "owners": "owners-v1", "smart": "smart-v1"}
        results = {k: json.loads((out / v / "manifest.json").read_text()) for k, v in names.items()}
        return out, results
    return out, train.train_all(data, out, None, fast=True)


@pytest.fixture(scope="session")
def fast_models(fast_training):
    """`actionnlp.load()` on the fast artifacts, with the matching fake embedder."""
    from actionnlp.embed import FakeEmbedder
    from actionnlp.registry import load

    return load(fast_training[0], embedder=FakeEmbedder(dim=64))


@pytest.fixture(scope="session")
def samples(fast_models):
    """The four bundled samples analysed once per session with the fast models."""
    from actionnlp.analysis import analyze
    from actionnlp.data import sample_paths

    return analyze(sample_paths(), models=fast_models, progress=False)
