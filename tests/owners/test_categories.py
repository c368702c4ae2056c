"""Owners the gazetteer does not know get their category from generic evidence.

Every name here is invented (no sample plan or gazetteer entry names them)."""

from __future__ import annotations

import pytest

from actionnlp.embed import FakeEmbedder
from actionnlp.owners.categories import MIN_SIMILARITY, generic_category, nearest_category
from actionnlp.owners.normalise import load_gazetteer, normalise_cell, normalise_owner

UNSEEN = [
    ("Blackmoor Valley NHS Foundation Trust", "health_provider"),
    ("Eastwold Community Healthcare NHS Trust", "health_provider"),
    ("North Fenshire Integrated Care Board", "health_provider"),
    ("Riverside Mental Health Partnership", "health_provider"),
    ("Oakfield Healthcare Ltd", "health_provider"),
    ("Fenshire County Council", "other"),
    ("Westbridge Borough Council", "other"),
    ("Fenshire Police", "other"),
    ("Brightway College", "education_provider"),
    ("Kingsmere College of Further Education", "education_provider"),
    ("Learning Horizons Ltd", "education_provider"),
    ("HMPPS Security Directorate", "hmpps_national"),
    ("HMPPS Operational Policy Directorate", "hmpps_national"),
    ("National Offender Learning Team", "hmpps_national"),
    ("Prison Group Director", "hmpps_national"),
    ("National Intelligence Unit", "hmpps_national"),
    ("Safer Regimes Programme", "hmpps_national"),
    ("Midshire Facilities Management Ltd", "estates_contractor"),
    ("Head of Chess", "prison_department"),
    ("Gardens Manager", "prison_department"),
    ("Second Chances CIC", "other"),
]


@pytest.mark.parametrize(("name", "category"), UNSEEN)
def test_unseen_bodies_get_their_category(name: str, category: str) -> None:
    assert normalise_owner(name).category == category
    assert generic_category(name) is not None


@pytest.mark.parametrize(("name", "category"), UNSEEN)
def test_unseen_bodies_in_a_cell(name: str, category: str) -> None:
    cats = [o.category for o in normalise_cell(f"Governor / {name}")]
    assert cats == ["prison_leadership", category]


def test_plan_acronym_long_form_decides() -> None:
    owner = normalise_owner("BVFT", acronyms={"BVFT": "Blackmoor Valley NHS Foundation Trust"})
    assert (owner.canonical, owner.category) == (
        "Blackmoor Valley NHS Foundation Trust",
        "health_provider",
    )


@pytest.mark.parametrize("name", ["Mrs Jones", "Fred", "Tuesday"])
def test_nothing_fits_is_other(name: str) -> None:
    assert generic_category(name) is None
    assert normalise_owner(name).category == "other"


def test_nearest_category_threshold() -> None:
    gaz = load_gazetteer()
    name = gaz.entries[0].names[0]
    # an exact gazetteer name is nearest to itself (similarity 1) and takes its category
    (cat, sim), (far, far_sim) = nearest_category([name, "zzz qqq"], gaz, FakeEmbedder())
    assert cat == gaz.entries[0].category and sim == pytest.approx(1.0)
    assert (far == "other") == (far_sim < MIN_SIMILARITY)
