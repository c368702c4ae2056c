"""CheckList-style behavioural tests of the theme tagger and the owner finder.

Hand-written cases, kept apart from the training data. Fast tests use the CI models
(fake embedder); the slow ones use the shipped models (``make test-slow``). Theme labels
under a renamed prison are checked on the shipped model only: the fake embedder hashes
the name's letters, and its tiny CI tagger does flip a label on them."""

from __future__ import annotations

import pandas as pd
import pytest

NEUTRAL = [
    "Wing noticeboards will be updated every month.",
    "The Head of Residence will hold a weekly meeting with wing representatives.",
    "A new timetable has been published for the servery.",
    "Cell bell response times will be checked by the orderly officer.",
]
DRUG_WORDING = [
    " This includes random drug testing on the wing.",
    " Visits will be watched to stop drugs being passed.",
    " Suspected illicit substances found in searches will be sent for testing.",
]
#: Wording of other weak themes, added to a neutral action (direction tests, shipped model).
THEME_WORDING = {
    "regime": " Men on the wing will get more hours unlocked and fewer cancelled gym slots.",
    "safety": " Fights and assaults on the landing will be reviewed by the violence reduction lead.",
    "staffing": " Officer vacancies will be filled and new recruits coached by experienced staff.",
}
CONCERN = "Prisoners at HMP {prison} reported that wing living conditions were poor."
PRISONS = ("Anytown", "Brackenfield", "Low Moss Vale")
PEOPLE = ("Mr Patel", "Ms Okafor", "Dr A. Nowak")
#: Names without a title that says what the person does ("Dr" is health wording, and the
#: shipped tagger rightly reads it so), for the theme invariance test.
PLAIN_NAMES = ("Sam Patel", "Joan Okafor", "Piotr Nowak")


def _themes(models, pairs):
    return models.tag_themes(pairs)


@pytest.mark.parametrize("text", NEUTRAL)
def test_dir_drug_wording_never_lowers_p_drugs_fast(fast_models, text: str) -> None:
    concern = CONCERN.format(prison="Anytown")
    plain = _themes(fast_models, [(text, concern)])["p_drugs"].iloc[0]
    for extra in DRUG_WORDING:
        more = _themes(fast_models, [(text + extra, concern)])["p_drugs"].iloc[0]
        assert more >= plain


def _owners(models, text: str, cell: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "action_text": [text],
            "owner_raw": [cell],
            "concern_text": [""],
            "source": ["x"],
            "concern_id": ["1"],
        }
    )
    return models.find_owners(frame).iloc[0]


OWNER_CASES = [
    (
        "HMP {prison} will ask the Head of Safety, {person}, to audit use of force weekly.",
        "Head of Safety",
    ),
    (
        "{person} (Head of Healthcare) and the Trust will review medicines at HMP {prison}.",
        "Head of Healthcare / Blackmoor Valley NHS Foundation Trust",
    ),
    (
        "The Governor of HMP {prison} will chair a monthly meeting; {person} will take minutes.",
        "Governor",
    ),
]


@pytest.mark.parametrize(("text", "cell"), OWNER_CASES)
def test_inv_owners_under_prison_and_person_rename(fast_models, text: str, cell: str) -> None:
    outs = []
    for prison, person in zip(PRISONS, PEOPLE, strict=True):
        row = _owners(fast_models, text.format(prison=prison, person=person), cell)
        mentions = sorted((m["label"], m["canonical"], m["category"]) for m in row.owner_mentions)
        outs.append((list(row.owners), list(row.owner_categories), mentions))
    assert all(o == outs[0] for o in outs)


@pytest.mark.slow
@pytest.mark.parametrize("text", NEUTRAL)
def test_dir_drug_wording_never_lowers_p_drugs_shipped(text: str) -> None:
    from actionnlp.loading import load

    models = load()
    concern = CONCERN.format(prison="Anytown")
    plain = _themes(models, [(text, concern)])["p_drugs"].iloc[0]
    for extra in DRUG_WORDING:
        more = _themes(models, [(text + extra, concern)])["p_drugs"].iloc[0]
        assert more >= plain


@pytest.mark.slow
@pytest.mark.parametrize("text", NEUTRAL)
def test_inv_theme_labels_under_prison_rename_shipped(text: str) -> None:
    from actionnlp.loading import load

    models = load()
    outs = [_themes(models, [(text, CONCERN.format(prison=p))])["themes"].iloc[0] for p in PRISONS]
    assert all(sorted(o) == sorted(outs[0]) for o in outs)


@pytest.mark.slow
@pytest.mark.parametrize("theme", sorted(THEME_WORDING))
@pytest.mark.parametrize("text", NEUTRAL)
def test_dir_theme_wording_never_lowers_its_probability_shipped(text: str, theme: str) -> None:
    from actionnlp.loading import load

    models = load()
    concern = CONCERN.format(prison="Anytown")
    plain = _themes(models, [(text, concern)])[f"p_{theme}"].iloc[0]
    more = _themes(models, [(text + THEME_WORDING[theme], concern)])[f"p_{theme}"].iloc[0]
    assert more >= plain


@pytest.mark.slow
@pytest.mark.parametrize("text", NEUTRAL)
def test_inv_theme_labels_under_person_rename_shipped(text: str) -> None:
    from actionnlp.loading import load

    models = load()
    concern = CONCERN.format(prison="Anytown")
    outs = [
        _themes(models, [(f"{text} {person} will report on progress.", concern)])["themes"].iloc[0]
        for person in PLAIN_NAMES
    ]
    assert all(sorted(o) == sorted(outs[0]) for o in outs)
