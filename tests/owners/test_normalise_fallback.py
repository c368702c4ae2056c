"""The embedding fallback of owner categories, wired into OwnerFinder (fake embedder).

Every name here is invented: no sample plan or gazetteer entry names them."""

from __future__ import annotations

import pandas as pd
import pytest

from actionnlp.embed import FakeEmbedder
from actionnlp.owners import OwnerFinder, build_pipeline
from actionnlp.owners.normalise import (
    NO_EVIDENCE,
    Gazetteer,
    GazetteerEntry,
    embedding_fallback,
    normalise_owner,
)

UNSEEN_BY_RULE = [
    ("Blackmoor Valley NHS Foundation Trust", "health_provider"),
    ("Eastwold Community Healthcare NHS Trust", "health_provider"),
    ("Fenshire County Council", "other"),
    ("Westbridge Borough Council", "other"),
    ("Brightway College", "education_provider"),
    ("Kingsmere College of Further Education", "education_provider"),
    ("HMPPS Security Directorate", "hmpps_national"),
    ("HMPPS Operational Policy Directorate", "hmpps_national"),
]


class CountingEmbedder(FakeEmbedder):
    """A fake embedder that records the texts it was asked to encode."""

    def __init__(self) -> None:
        super().__init__(dim=64)
        self.seen: list[str] = []

    def encode(self, texts, *, batch_size=32, show_progress=False):
        self.seen.extend(texts)
        return super().encode(texts, batch_size=batch_size)


def _frame(cells: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"source": ["p"] * len(cells), "owner_raw": cells, "action_text": ["x."] * len(cells)}
    )


@pytest.mark.parametrize(("name", "category"), UNSEEN_BY_RULE)
def test_unseen_bodies_in_the_pipeline(name: str, category: str) -> None:
    emb = CountingEmbedder()
    out = OwnerFinder(build_pipeline(), embedder=emb).find_owners(_frame([f"Governor / {name}"]))
    assert out["owner_categories"][0] == ["prison_leadership", category]
    evidence = out["owner_category_evidence"][0]
    assert evidence[0] == "gazetteer" and evidence[1].startswith("rule: ")
    assert name not in emb.seen  # a rule decided: the embedder is not asked


GAZ = Gazetteer(
    [
        GazetteerEntry("Anytown Recovery Partnership", "health_provider", "ORG"),
        GazetteerEntry("Westmoor Learning Alliance", "education_provider", "ORG"),
    ]
)


def test_undecided_owner_takes_the_nearest_category() -> None:
    owner = normalise_owner("Anytown Recovery", gazetteer=GAZ)
    assert (owner.category, owner.evidence) == ("other", NO_EVIDENCE)
    (decided,) = embedding_fallback([owner], FakeEmbedder(dim=64), gazetteer=GAZ, threshold=0.5)
    assert decided.category == "health_provider"
    assert decided.evidence.startswith("embedding: ")
    assert "'Anytown Recovery Partnership'" in decided.evidence


def test_below_the_threshold_stays_other() -> None:
    owner = normalise_owner("Qzx Vrb", gazetteer=GAZ)
    (far,) = embedding_fallback([owner], FakeEmbedder(dim=64), gazetteer=GAZ, threshold=0.5)
    assert far.category == "other" and "nothing fits" in far.evidence
    near = normalise_owner("Anytown Recovery", gazetteer=GAZ)
    (kept,) = embedding_fallback([near], FakeEmbedder(dim=64), gazetteer=GAZ, threshold=1.01)
    assert kept.category == "other" and "nothing fits" in kept.evidence


def test_decided_owners_are_left_alone() -> None:
    ruled = normalise_owner("Blackmoor Valley NHS Foundation Trust", gazetteer=GAZ)
    listed = normalise_owner("Westmoor Learning Alliance", gazetteer=GAZ)
    emb = CountingEmbedder()
    assert embedding_fallback([ruled, listed], emb, gazetteer=GAZ) == [ruled, listed]
    assert [o.evidence for o in embedding_fallback([ruled, listed], emb, gazetteer=GAZ)] == [
        ruled.evidence,
        "gazetteer",
    ]
    assert emb.seen == []


def test_finder_without_embedder_keeps_other() -> None:
    cell = "Zorblax Quenting"
    out = OwnerFinder(build_pipeline()).find_owners(_frame([cell]))
    assert out["owner_categories"][0] == ["other"]
    assert out["owner_category_evidence"][0] == [NO_EVIDENCE]
    emb = CountingEmbedder()
    out = OwnerFinder(build_pipeline(), embedder=emb).find_owners(_frame([cell, cell]))
    assert all(ev[0].startswith("embedding: ") for ev in out["owner_category_evidence"])
    assert emb.seen.count(cell) == 1  # one embedding call for the distinct undecided owners
