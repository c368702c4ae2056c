"""actionnlp.load() (actionnlp.loading): shipped artifacts are verified before use, tampering
is refused, and each model is read by its class from the table."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

import actionnlp
from actionnlp.artifacts import file_sha256, pins_of
from actionnlp.embed import FakeEmbedder
from actionnlp.errors import ArtifactError
from actionnlp.loading import ARTIFACTS, MODELS_DIR, PIN_FILE, load, shipped_pins
from actionnlp.skops_io import save_sklearn


def test_pins_in_the_code_match_the_shipped_manifests():
    """After retraining the shipped models, `make pin` (or `make train`) re-pins them."""
    assert shipped_pins() == pins_of(MODELS_DIR, ARTIFACTS), "stale pins: run `make pin`"


def test_shipped_artifacts_verify():
    models = load()
    assert models.shipped and models.pinned
    assert "shipped" in repr(models)
    assert set(models.manifests) == {"themes-v1", "owners-v1", "smart-v1"}
    themes = models.manifests["themes-v1"]
    assert themes["embedding"]["weights_sha256"].startswith("53aa5117")
    assert set(themes["labels"]) >= {"healthcare", "drugs", "regime", "education", "equality"}
    assert "metrics" in themes and themes["data_hash"]


@pytest.fixture
def copied(tmp_path):
    root = tmp_path / "models"
    shutil.copytree(MODELS_DIR, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_tampered_file_is_refused(copied):
    target = copied / "themes-v1" / "head.skops"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match=r"head\.skops"):
        load(copied, pins=shipped_pins())


def test_foreign_versions_are_refused(copied):
    manifest_path = copied / "smart-v1" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["created_by"]["scikit-learn"] = "0.24.2"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="scikit-learn"):
        load(copied, pins=shipped_pins())


def test_missing_artifact_is_refused(copied):
    shutil.rmtree(copied / "owners-v1")
    with pytest.raises(ArtifactError, match="make train"):
        load(copied, pins=shipped_pins())


def _replace_tagger(copied):
    """An attacker's edit: another model in head.skops and its hash in the manifest."""
    from sklearn.dummy import DummyClassifier

    target = copied / "themes-v1" / "head.skops"
    save_sklearn(DummyClassifier().fit([[0], [1]], [0, 1]), target)
    path = copied / "themes-v1" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["files"]["head.skops"] = file_sha256(target)
    path.write_text(json.dumps(manifest, indent=2))


def test_file_edited_with_its_manifest_is_refused_by_the_pins(copied):
    _replace_tagger(copied)
    with pytest.raises(
        ArtifactError, match=r"themes-v1/manifest\.json: manifest SHA-256 .* pinned"
    ):
        load(copied, pins=shipped_pins())
    models = load(copied, trust=True)  # checked against its own manifest only
    assert not models.shipped and not models.pinned
    assert "unpinned" in repr(models)


def test_a_copy_of_the_shipped_models_is_recognised_as_shipped(copied):
    models = load(copied, pins=shipped_pins())
    assert models.shipped and models.pinned


def test_a_folder_without_pins_is_refused_unless_trusted(copied):
    with pytest.raises(ArtifactError, match=r"no pins\.json.*trust=True"):
        load(copied)
    (copied / PIN_FILE).write_text(json.dumps(shipped_pins()))
    assert load(copied).pinned
    pins = shipped_pins()
    del pins["smart-v1"]
    with pytest.raises(ArtifactError, match="smart-v1 is not pinned"):
        load(copied, pins=pins)


def test_retrained_models_are_pinned_when_written_and_not_shipped(fast_training, tmp_path):
    out = tmp_path / "mine"
    shutil.copytree(fast_training[0], out)
    assert json.loads((out / PIN_FILE).read_text()) == pins_of(out, ARTIFACTS)
    models = load(out, embedder=FakeEmbedder(dim=64))
    assert models.pinned and not models.shipped
    path = out / "smart-v1" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["metrics"]["note"] = "edited"
    path.write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="pinned"):
        load(out, embedder=FakeEmbedder(dim=64))


def test_a_model_that_fails_to_build_is_an_artifact_error_naming_it(fast_training, tmp_path):
    out = tmp_path / "mine"
    shutil.copytree(fast_training[0], out)
    config = out / "smart-v1" / "config.json"
    config.write_text(json.dumps({**json.loads(config.read_text()), "feature_names": None}))
    _rewrite_manifest(out / "smart-v1", lambda m: None)
    models = load(out, embedder=FakeEmbedder(dim=64), trust=True)
    with pytest.raises(ArtifactError, match="smart-v1") as info:
        models.smart_scorer  # noqa: B018
    assert "actionnlp-artifact-" not in str(info.value)  # names the artifact, not a temp copy


def test_null_embedding_in_a_model_that_reads_embeddings_is_refused(fast_training, tmp_path):
    out = tmp_path / "mine"
    shutil.copytree(fast_training[0], out)
    _rewrite_manifest(out / "themes-v1", lambda m: m.update(embedding=None))
    models = load(out, embedder=FakeEmbedder(dim=64), trust=True)
    with pytest.raises(ArtifactError, match="records no embedding"):
        models.theme_tagger  # noqa: B018


def _rewrite_manifest(directory, change):
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    manifest["files"] = {rel: file_sha256(directory / rel) for rel in manifest["files"]}
    path.write_text(json.dumps(manifest))


def test_owner_finder_from_shipped_pipeline():
    plan = actionnlp.read_plan(actionnlp.sample_paths()[1])  # Peterborough
    frame = load().find_owners(plan.to_frame())
    first = frame.iloc[0]
    assert first["owners"] == ["Director"] and first["owner_categories"] == ["prison_leadership"]
    nhft = frame[frame["concern_id"] == "3"].iloc[1]
    assert nhft["owners"] == ["Northamptonshire Healthcare NHS Foundation Trust"]
    assert nhft["owner_categories"] == ["health_provider"]
    spans = frame[frame["concern_id"] == "2"].iloc[0]["owner_mentions"]
    assert any(m["text"] == "Head of Security" for m in spans)


@pytest.mark.slow
def test_real_models_identical_twice_and_after_reload():
    texts = ["Illicit drugs were too easy to get.", "The quality of teaching was poor."]
    a = load().tag_themes(texts)
    b = load().tag_themes(texts)
    assert a["themes"].tolist() == [["drugs"], ["education"]]
    assert np.array_equal(a.filter(like="p_").to_numpy(), b.filter(like="p_").to_numpy())
    plan = actionnlp.read_plan(actionnlp.sample_paths()[2])
    frame = plan.to_frame()
    s1 = load().score_smart(frame)
    s2 = load().score_smart(frame)
    assert s1["smart_score"].tolist() == s2["smart_score"].tolist()


@pytest.mark.parametrize("damage", ["file", "loop", "fifo_artifact", "manifest_dir", "deep_pins"])
def test_broken_model_folders_give_only_artifact_errors(tmp_path, damage):
    import os

    root = tmp_path / "models"
    if damage == "file":
        root.write_text("not a folder")
    elif damage == "loop":
        os.symlink(root, root)
    else:
        shutil.copytree(MODELS_DIR, root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
        (root / PIN_FILE).write_text(json.dumps(shipped_pins()))
        if damage == "fifo_artifact":
            shutil.rmtree(root / "smart-v1")
            os.mkfifo(root / "smart-v1")
        elif damage == "manifest_dir":
            (root / "owners-v1" / "manifest.json").unlink()
            (root / "owners-v1" / "manifest.json").mkdir()
        else:
            (root / PIN_FILE).write_text("[" * 100_000)
    with pytest.raises(ArtifactError) as info:
        load(root, trust=damage in ("file", "loop"))
    assert str(root) in str(info.value)


def test_each_model_is_read_by_the_class_of_its_table_entry(fast_models):
    from actionnlp.loading import MODEL_CLASSES, model_class

    assert tuple(MODEL_CLASSES) == ARTIFACTS
    for artifact in ARTIFACTS:
        model = fast_models.model(artifact)
        assert type(model) is model_class(artifact)
        assert fast_models.model(artifact) is model  # loaded once
    # from_pretrained is given the shared embedder; nothing is attached afterwards
    assert fast_models.theme_tagger.embedder is fast_models.get_embedder()
    assert fast_models.smart_scorer.embedder is fast_models.get_embedder()


def _edit_config(directory, change):
    path = directory / "config.json"
    config = json.loads(path.read_text())
    change(config)
    path.write_text(json.dumps(config))
    _rewrite_manifest(directory, lambda m: None)


def test_a_config_of_another_class_or_embedding_is_refused(fast_training, tmp_path):
    out = tmp_path / "mine"
    shutil.copytree(fast_training[0], out)
    _edit_config(out / "themes-v1", lambda c: c.update(model="actionnlp.smart.SmartScorer"))
    _edit_config(
        out / "smart-v1", lambda c: c["embedding"].update(weights_sha256="fake-64-retrained")
    )
    models = load(out, embedder=FakeEmbedder(dim=64), trust=True)
    with pytest.raises(ArtifactError, match=r"themes-v1/config\.json: saved by .*SmartScorer"):
        models.theme_tagger  # noqa: B018
    with pytest.raises(ArtifactError, match=r"smart-v1/config\.json: built with embedding"):
        models.smart_scorer  # noqa: B018


def test_a_whole_tagger_in_a_skops_file_is_refused(fast_models, tmp_path):
    """The old format (the tagger object itself in skops) names an actionnlp class,
    which the allowlist no longer trusts: only fitted scikit-learn/NumPy parts load."""
    import copy

    from actionnlp.skops_io import load_sklearn

    tagger = copy.copy(fast_models.theme_tagger)
    tagger.embedder = None
    save_sklearn(tagger, tmp_path / "tagger.skops")
    with pytest.raises(ArtifactError, match=r"untrusted type.*actionnlp\.themes\.tagger"):
        load_sklearn(tmp_path / "tagger.skops")


# -- scoring: prefetch and the result cache, applied by Models ------------------------------


class _Counting(FakeEmbedder):
    """The fast models' fake embedder, counting the texts it really encodes."""

    def __init__(self) -> None:
        super().__init__(dim=64)
        self.encoded: list[str] = []

    def encode(self, texts, *, batch_size=32, show_progress=False):
        self.encoded.extend(texts)
        return super().encode(texts, batch_size=batch_size)


def _stages(models, actions):
    from actionnlp.analysis.tables import concern_text

    pairs = list(zip(actions["action_text"], concern_text(actions), strict=True))
    return (
        models.tag_themes(pairs),
        models.find_owners(actions),
        models.score_smart(actions),
    )


def test_after_a_prefetch_the_stages_embed_nothing(fast_training, samples):
    from actionnlp.analysis.tables import concern_text

    embedder = _Counting()
    models = load(fast_training[0], embedder=embedder)
    actions = samples.actions.head(40)
    pairs = list(zip(actions["action_text"], concern_text(actions), strict=True))
    texts = models.texts_to_embed(pairs, actions)
    assert texts == sorted(set(texts), key=lambda t: (len(t), t))  # distinct, shortest first
    assert models.prefetch(texts) == len(texts)
    assert sorted(embedder.encoded) == sorted(texts)
    embedder.encoded.clear()
    _stages(models, actions)
    assert embedder.encoded == []  # every vector was held by these models


def test_models_hold_vectors_per_instance_not_globally(fast_training, samples):
    embedder = _Counting()
    first = load(fast_training[0], embedder=embedder)
    first.prefetch(["a text only the first models hold"])
    second = load(fast_training[0], embedder=embedder)
    embedder.encoded.clear()
    second.tag_themes(["a text only the first models hold"])
    assert "a text only the first models hold" in embedder.encoded


def test_the_result_cache_is_applied_by_models(fast_training, samples, tmp_path):
    """A second Models on the same result folder computes nothing and returns the same
    tables; the models were given a result map, never the cache."""
    from actionnlp.cache import ResultCache

    actions = samples.actions.head(30)
    cold = load(fast_training[0], embedder=FakeEmbedder(dim=64), results=ResultCache(tmp_path))
    first = _stages(cold, actions)
    warm = load(fast_training[0], embedder=FakeEmbedder(dim=64), results=ResultCache(tmp_path))
    calls = []
    scorer = warm.smart_scorer
    original = scorer._score_rows
    scorer._score_rows = lambda rows: calls.append(len(rows)) or original(rows)
    second = _stages(warm, actions)
    assert calls == []  # every SMART row came from the store
    for a, b in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(a, b)
    stores = [warm.result_store(name) for name in ARTIFACTS]
    assert all(s is not None and s.hits > 0 and s.misses == 0 for s in stores)
