"""Shared fixtures: models trained once per session by the CI variant of training.

Where tests live (``tests/test_architecture.py`` checks the folders):

- a module's tests mirror its path: ``actionnlp/read/table.py`` -> ``tests/read/test_table.py``,
  ``actionnlp/cache/store.py`` -> ``tests/cache/test_store.py``; a top-level module's tests
  are ``tests/test_<module>.py``. More than one file per module is fine:
  ``test_<module>_<topic>.py`` (``tests/read/test_docx_hostile.py``), and a package as a
  whole is ``tests/<package>/test_<package>.py``;
- each test folder is a package (``__init__.py``), so two folders may each hold a
  ``test_store.py``; helpers shared by tests stay at the top and are imported as
  ``tests.<helper>`` (``from tests.same_plan import assert_same_plan``);
- cross-cutting suites stay at the top: the architecture, the behaviour suites
  (``test_behaviour_*.py``), training, docs, notebooks and benchmarks;
- ``tests/hostile/`` is a suite of its own (``make test-hostile``) and ``tests/fixtures/``
  holds test data; neither mirrors a package.
"""

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


def _cards() -> dict[Path, bytes]:
    """The shipped model card and its JSON files, as bytes."""
    docs = ROOT / "docs"
    paths = [docs / "model-card.md", *sorted((docs / "model-cards").glob("*.json"))]
    return {p: p.read_bytes() for p in paths}


def _manifests(out: Path) -> dict[str, dict]:
    import json

    names = {"themes": "themes-v1", "owners": "owners-v1", "smart": "smart-v1"}
    return {k: json.loads((out / v / "manifest.json").read_text()) for k, v in names.items()}


@pytest.fixture(scope="session")
def fast_training_run(tmp_path_factory):
    """The one training run of the test session: the CLI ``training/train.py --fast
    --out DIR`` (fake embedder, small slice). Returns ``(dir, cards_before,
    cards_after, stdout)``: the shipped model card's files before and after the run
    (a ``--fast`` run must leave them alone).

    Set ``ACTIONNLP_TEST_MODELS`` to a folder to train there once and reuse it while
    developing (delete it after changing training code).
    """
    import contextlib
    import io

    keep = os.environ.get("ACTIONNLP_TEST_MODELS")
    out = Path(keep) if keep else tmp_path_factory.mktemp("fast-models")
    before = _cards()
    if keep and (out / "smart-v1" / "manifest.json").is_file():
        return out, before, before, ""
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            code = _train_module().main(["--fast", "--out", str(out)])
    finally:  # never leave fake-embedder figures in the shipped card
        after = _cards()
        for path, data in before.items():
            if after.get(path) != data:
                path.write_bytes(data)
    assert code == 0
    return out, before, after, printed.getvalue()


@pytest.fixture(scope="session")
def fast_training(fast_training_run):
    """Artifacts from `training/train.py --fast` (fake embedder, small slice): (dir,
    manifests by model)."""
    out = fast_training_run[0]
    return out, _manifests(out)


@pytest.fixture(scope="session")
def fast_models(fast_training):
    """`actionnlp.load()` on the fast artifacts, with the matching fake embedder."""
    from actionnlp.embed import FakeEmbedder
    from actionnlp.loading import load

    return load(fast_training[0], embedder=FakeEmbedder(dim=64))


@pytest.fixture(scope="session")
def samples(fast_models):
    """The four bundled samples analysed once per session with the fast models."""
    from actionnlp.analysis import analyze
    from actionnlp.data import sample_paths

    return analyze(sample_paths(), models=fast_models, progress=False)
