"""ZeroShotTagger (actionnlp.themes.zeroshot): themes from label descriptions alone."""

from __future__ import annotations

import pytest

from actionnlp.embed import FakeEmbedder
from actionnlp.themes import ZeroShotTagger


def test_zero_shot_from_descriptions():
    zs = ZeroShotTagger(
        {"drugs": "illicit drugs and drug testing", "education": "teaching, maths and English"},
        embedder=FakeEmbedder(dim=64),
        threshold=0.3,
    )
    S = zs.predict_proba(["drug testing of prisoners", "maths and English teaching"])
    assert S.shape == (2, 2) and S[0, 0] > S[0, 1] and S[1, 1] > S[1, 0]
    assert zs.predict_labels(["drug testing of prisoners"]) == [["drugs"]]
    # Nothing near any description: no label.
    assert zs.predict_labels(["zzz qqq"]) == [[]]


def test_zero_shot_default_taxonomy_has_nine_themes():
    zs = ZeroShotTagger(embedder=FakeEmbedder())
    assert len(zs.classes_) == 9 and "healthcare" in zs.classes_
    with pytest.raises(ValueError, match="at least one"):
        ZeroShotTagger({}, embedder=FakeEmbedder())
