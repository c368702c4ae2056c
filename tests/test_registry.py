"""actionnlp.load(): shipped artifacts are verified before use; tampering is refused."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import actionnlp
from actionnlp.errors import ArtifactError
from actionnlp.registry import MODELS_DIR, load


def test_shipped_artifacts_verify():
    models = load()
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
    target = copied / "themes-v1" / "tagger.skops"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match=r"tagger\.skops"):
        load(copied)


def test_foreign_versions_are_refused(copied):
    manifest_path = copied / "smart-v1" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["created_by"]["scikit-learn"] = "0.24.2"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="scikit-learn"):
        load(copied)


def test_missing_artifact_is_refused(copied):
    shutil.rmtree(copied / "owners-v1")
    with pytest.raises(ArtifactError, match="make train"):
        load(copied)


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
