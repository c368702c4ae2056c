"""Owners: gazetteer ruler, linker, normaliser, acronyms, pipeline round trip, finder."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import spacy

from actionnlp.embed import FakeEmbedder
from actionnlp.owners import (
    OwnerFinder,
    build_pipeline,
    load_gazetteer,
    load_pipeline,
    normalise_cell,
    normalise_owner,
    plan_acronyms,
    train_pipeline,
)
from actionnlp.owners.categories import MIN_SIMILARITY
from actionnlp.owners.pipeline import train_filter

NHFT = "Northamptonshire Healthcare NHS Foundation Trust"


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return build_pipeline()


def _ents(doc):
    return [(e.text, e.label_, e._.canonical, e._.category) for e in doc.ents]


def test_ruler_finds_roles_and_acronyms(nlp):
    doc = nlp("The Head of Security will meet NHFT and the head of security monthly.")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Head of Security", "ROLE"),
        ("NHFT", "ORG"),
        ("head of security", "ROLE"),
    ]
    # acronyms are matched exactly: a lower-case "nhft" is not an acronym
    assert nlp("the nhft will act").ents == ()


def test_linker_sets_canonical_and_category(nlp):
    doc = nlp("The HoOMD and POMs will review this with People Plus.")
    assert _ents(doc) == [
        ("HoOMD", "ROLE", "Head of Offender Management Delivery", "prison_department"),
        ("POMs", "ROLE", "Prison Offender Managers", "prison_department"),
        ("People Plus", "ORG", "People Plus", "education_provider"),
    ]


def test_acronym_resolution_from_plan_text(nlp):
    text = (
        "Northamptonshire Healthcare Foundation Trust (NHFT) will audit medicines. "
        "The NFHT will report monthly."
    )
    acronyms = plan_acronyms(text)
    assert acronyms["NHFT"] == "Northamptonshire Healthcare Foundation Trust"
    assert normalise_owner("NFHT", acronyms=acronyms).canonical == NHFT
    assert normalise_owner("Northampton Healthcare Foundation Trust NHFT").canonical == NHFT
    assert normalise_owner("Northamptonshire Health Foundation Trust").canonical == NHFT
    doc = nlp(text)
    assert {e._.canonical for e in doc.ents} == {NHFT}


def test_plan_defined_acronym_not_in_gazetteer():
    acronyms = plan_acronyms("The Chess Club Organiser (CCO) will run sessions.")
    assert acronyms == {"CCO": "Chess Club Organiser"}
    owner = normalise_owner("CCO", acronyms=acronyms)
    assert (owner.canonical, owner.category) == ("Chess Club Organiser", "other")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Governor / Head of Healthcare", ["Governor", "Head of Healthcare"]),
        ("Governor\nHead of\nHealthcare", ["Governor", "Head of Healthcare"]),
        ("Head of\nHealthcare", ["Head of Healthcare"]),
        ("CEO Care UK and Governor", ["Care UK", "Governor"]),
        ("NHS England & Northamptonshire Healthcare NHS Foundation Trust", ["NHS England", NHFT]),
        ("Governing Governing Governing", ["Governor"]),  # an OCR echo is one owner
        (
            "Regional Property Operation Manager (RPOM) RPOM",
            ["Regional Property Operations Manager"] * 2,
        ),
        ("SMG, Deputy Director", ["HMPPS Substance Misuse Group", "Deputy Director"]),
        ("Head of Safety and Equalities", ["Head of Safety and Equalities"]),
        ("LTHSE\nContracts\nTeam", ["Long Term and High Security Estate Contracts Team"]),
        ("", []),
        (None, []),
    ],
)
def test_cell_splitting(cell, expected):
    assert [o.canonical for o in normalise_cell(cell)] == expected


def test_unknown_owner_is_kept_as_other():
    owners = normalise_cell("Governor / Mrs Jones")
    assert [(o.canonical, o.category) for o in owners] == [
        ("Governor", "prison_leadership"),
        ("Mrs Jones", "other"),
    ]


def test_user_gazetteer_extends_bundled(tmp_path):
    extra = tmp_path / "mine.jsonl"
    row = {"canonical": "Chess Club", "category": "other", "label": "ORG", "aliases": ["CC"]}
    extra.write_text(json.dumps(row) + "\n")
    gaz = load_gazetteer(extra)
    assert normalise_owner("CC", gazetteer=gaz).canonical == "Chess Club"
    assert normalise_owner("Governing Governor", gazetteer=gaz).canonical == "Governor"
    nlp = build_pipeline(gazetteer=extra)
    assert [e.text for e in nlp("The Chess Club will meet.").ents] == ["Chess Club"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**row, "category": "chess"}) + "\n")
    with pytest.raises(ValueError, match="category"):
        load_gazetteer(bad)


def test_round_trip_to_disk(nlp, tmp_path):
    text = "The Duty Governor’s log and the RPOM will be checked by GFSL and Novus."
    nlp.to_disk(tmp_path / "owners")
    for loaded in (load_pipeline(tmp_path / "owners"), spacy.load(tmp_path / "owners")):
        assert loaded.pipe_names == nlp.pipe_names
        assert _ents(loaded(text)) == _ents(nlp(text))
    assert len(_ents(nlp(text))) == 4


def test_find_owners_adds_columns(nlp):
    frame = pd.DataFrame(
        {
            "source": ["a", "a", "b"],
            "owner_raw": ["NFHT", "Governor\nHead of\nHealthcare", None],
            "action_text": [
                "Northamptonshire Healthcare Foundation Trust (NHFT) will audit.",
                "The Head of Security will review searching.",
                "Staff will be reminded.",
            ],
        }
    )
    out = OwnerFinder(nlp).find_owners(frame)
    assert list(frame.columns) == ["source", "owner_raw", "action_text"]
    assert out["owners"].tolist() == [[NHFT], ["Governor", "Head of Healthcare"], []]
    assert out["owner_categories"].tolist() == [
        ["health_provider"],
        ["prison_leadership", "prison_department"],
        [],
    ]
    assert out["owner_mentions"][1] == [
        {
            "start": 4,
            "end": 20,
            "text": "Head of Security",
            "label": "ROLE",
            "canonical": "Head of Security",
            "category": "prison_department",
        }
    ]
    assert out["owner_mentions"][2] == []


def test_train_pipeline_tiny():
    examples = [
        ("The Head of Chess will run a club.", [(4, 17, "ROLE")]),
        ("Chess Trust will fund boards.", [(0, 11, "ORG")]),
        ("The Head of Chess will report weekly.", [(4, 17, "ROLE")]),
    ]
    nlp = train_pipeline(examples, seed=0, n_iter=5)
    assert nlp.pipe_names == ["owner_ruler", "ner", "owner_linker"]
    doc = nlp("The Governor will attend.")
    assert ("Governor", "ROLE") in [(e.text, e.label_) for e in doc.ents]


FILTER_EXAMPLES = [
    ("The Governor will chair the review.", [(4, 12, "ROLE")]),
    ("The Head of Security will check the logs.", [(4, 20, "ROLE")]),
    ("Minutes will be shared with the Governor.", []),
    ("The Head of Healthcare has agreed the audit.", [(4, 22, "ROLE")]),
    ("Findings were shared with the Head of Security.", []),
    ("The Deputy Governor will monitor progress.", [(4, 19, "ROLE")]),
    ("The report will be shared with the Head of Healthcare.", []),
]


@pytest.fixture(scope="module")
def filtered() -> spacy.language.Language:
    return train_filter(FILTER_EXAMPLES, seed=0)


def test_owner_filter_drops_roles_only_informed(filtered):
    assert filtered.pipe_names == ["owner_ruler", "owner_filter", "owner_linker"]
    assert filtered("The outcome will be shared with the Governor.").ents == ()
    doc = filtered("The Governor will lead the review. It was shared with the Head of Security.")
    assert [(e.text, e._.canonical) for e in doc.ents] == [("Governor", "Governor")]
    # the untrained filter keeps every candidate
    assert [
        e.text for e in build_pipeline(owner_filter=True)("Shared with the Governor.").ents
    ] == ["Governor"]


def test_owner_filter_round_trip(filtered, tmp_path):
    texts = [
        "The Governor will lead. Shared with the Head of Security and NHFT.",
        "The Head of Healthcare has agreed it with the Governor.",
    ]
    filtered.to_disk(tmp_path / "owners")
    assert sorted(p.name for p in (tmp_path / "owners" / "owner_filter").iterdir()) == [
        "cfg.json",
        "model.skops",
    ]
    loaded = load_pipeline(tmp_path / "owners")
    assert loaded.pipe_names == filtered.pipe_names
    for text in texts:
        assert _ents(loaded(text)) == _ents(filtered(text))
    assert [e.text for e in loaded(texts[0]).ents] == ["Governor"]  # two dropped


def test_owner_finder_saves_and_loads_pretrained(filtered, tmp_path):
    """The finder's folder: config.json (no embedding) beside the spaCy pipeline; what it
    finds is the same after loading, and a config of another pipeline is refused."""
    from actionnlp.errors import ArtifactError

    frame = pd.DataFrame(
        {
            "source": ["a", "a"],
            "owner_raw": ["Governor", "HoHC/NHFT"],
            "action_text": [
                "The Governor will lead. Shared with the Head of Security and NHFT.",
                "The Head of Healthcare has agreed it with the Governor.",
            ],
        }
    )
    finder = OwnerFinder(filtered, batch_size=16)
    finder.save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["model"] == "actionnlp.owners.OwnerFinder" and config["embedding"] is None
    assert config["params"] == {"batch_size": 16, "min_similarity": MIN_SIMILARITY}
    loaded = OwnerFinder.from_pretrained(tmp_path)
    assert loaded.batch_size == 16 and loaded.nlp.pipe_names == filtered.pipe_names
    assert loaded.embedder is None
    pd.testing.assert_frame_equal(loaded.find_owners(frame), finder.find_owners(frame))
    # a finder with the embedding fallback records its embedding and threshold
    fake = FakeEmbedder(dim=16)
    with_emb = tmp_path / "with_embedder"
    OwnerFinder(filtered, embedder=fake, min_similarity=0.6).save_pretrained(with_emb)
    again = OwnerFinder.from_pretrained(with_emb, embedder=fake)
    assert again.embedder is fake and again.min_similarity == 0.6
    config["pipe_names"] = ["owner_ruler", "owner_linker"]
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ArtifactError, match=r"config\.json: pipeline has pipes"):
        OwnerFinder.from_pretrained(tmp_path)


def _token_matcher_ruler(nlp):
    """The plain SpanRuler (token Matcher) the owner ruler replaced, with the same patterns."""
    from spacy.pipeline import SpanRuler

    from actionnlp.owners.components import gazetteer_patterns, role_patterns

    ruler = SpanRuler(nlp, "plain", spans_key=None, annotate_ents=True, scorer=None)
    ruler.add_patterns([*gazetteer_patterns(nlp, load_gazetteer()), *role_patterns()])
    return ruler


def test_owner_ruler_matches_like_token_matcher(nlp):
    import random

    plain = _token_matcher_ruler(nlp)
    fast = nlp.get_pipe("owner_ruler")
    # only the generic patterns (two labels, no id) go to the token Matcher
    assert fast.patterns == plain.patterns and len(fast.matcher) == 2
    rng = random.Random(0)
    names = [n for e in load_gazetteer().entries for n in e.names]
    texts = [
        "The Governor's team and the governors’ leads; NHFT’s nurses, nhft and Nhft.",
        "Head of Security's review (HoS), head  of security, HEAD OF SECURITY' s.",
    ]
    for _ in range(300):
        parts = []
        for _ in range(rng.randint(1, 5)):
            name = rng.choice(names)
            name = rng.choice([name, name.lower(), name.upper(), name.title()])
            end = rng.choice(["", "'s", "’s", "'", "’", "s", "s'"])
            parts.append(rng.choice(["the", "and", "/", "(", "\n"]) + " " + name + end)
        texts.append(" ".join(parts) + ".")
    for text in texts:
        doc = nlp.make_doc(text)
        # gazetteer spans (with an id) are exactly the token Matcher's; generic spans
        # are post-processed (leading "the" trimmed, plan acronyms added)
        want = [(s.start, s.end, s.label_, s.id_) for s in plain.match(doc) if s.id_]
        got = [(s.start, s.end, s.label_, s.id_) for s in fast.match(doc) if s.id_]
        assert got == want, text


def test_owner_ruler_keeps_other_patterns_and_removal():
    from actionnlp.owners.components import OwnerRuler

    blank = spacy.blank("en")
    ruler = OwnerRuler(blank, "r", spans_key=None, annotate_ents=True, scorer=None)
    ruler.add_patterns(
        [
            {"label": "ROLE", "id": "Gov", "pattern": [{"LOWER": "governor"}]},
            {"label": "ROLE", "pattern": [{"LOWER": "duty"}, {"IS_TITLE": True, "OP": "+"}]},
            {"label": "ORG", "pattern": "Care UK"},
        ]
    )
    doc = ruler(blank("The Duty Manager, the governor and Care UK."))
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Duty Manager", "ROLE"),
        ("governor", "ROLE"),
        ("Care UK", "ORG"),
    ]
    ruler.remove_by_id("Gov")
    assert [e.text for e in ruler(blank("The governor and Care UK.")).ents] == ["Care UK"]
    copy = OwnerRuler(blank, "c", spans_key=None, annotate_ents=True, scorer=None)
    copy.from_bytes(ruler.to_bytes())
    assert copy.patterns == ruler.patterns


def test_find_owners_duplicate_rows_match_single_rows(nlp):
    finder = OwnerFinder(nlp)
    frame = pd.DataFrame(
        {
            "source": ["a", "a", "b", "b", "c"],
            "owner_raw": ["HoS", "Governor", "HoS", None, "HoS"],
            "action_text": [
                "The Head of Security (HoS) will act.",
                "The HoS and the Governor will act.",
                "The HoS and the Governor will act.",
                "The HoS and the Governor will act.",
                None,
            ],
        }
    )
    out = finder.find_owners(frame)
    for i in range(len(frame)):
        one = finder.find_owners(frame[frame["source"] == frame["source"][i]])
        row = one.loc[i]
        assert out.loc[i, "owners"] == row["owners"]
        assert out.loc[i, "owner_categories"] == row["owner_categories"]
        assert out.loc[i, "owner_mentions"] == row["owner_mentions"]
    # plan "a" spells out HoS, plan "b" does not: same cell, different owners
    assert out["owners"][0] == ["Head of Security"] and out["owners"][2] == ["HoS"]
    # duplicate rows get equal, but not shared, mention lists
    assert out["owner_mentions"][2] == out["owner_mentions"][3] != []
    assert out["owner_mentions"][2] is not out["owner_mentions"][3]
    assert out["owner_mentions"][2][0] is not out["owner_mentions"][3][0]


def test_role_patterns_propose_posts_missing_from_the_gazetteer():
    """Generic "Head of X" / "X Lead" / "ACR orderlies" patterns find unknown posts."""
    nlp = spacy.blank("en")
    nlp.add_pipe("owner_ruler")
    doc = nlp("The Head of Chess and two OMU orderlies met the Board Games Lead.")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Head of Chess", "ROLE"),
        ("OMU orderlies", "ROLE"),
        ("Board Games Lead", "ROLE"),
    ]
    off = spacy.blank("en")
    off.add_pipe("owner_ruler", config={"role_patterns": False})
    assert [e.text for e in off("The Head of Chess will act.").ents] == []


def test_ruler_labels_name_without_bracketed_acronym_or_stray_quote():
    nlp = spacy.blank("en")
    nlp.add_pipe("owner_ruler", config={"role_patterns": False})
    doc = nlp("Offender Management Unit (OMU) will act; see ‘Consultation with HoOMD’ notes.")
    assert [e.text for e in doc.ents] == ["Offender Management Unit", "OMU", "HoOMD"]


def test_held_out_only_entries_and_restrict_ruler():
    from actionnlp.owners.training import held_out_only_entries, restrict_ruler

    actions = pd.DataFrame(
        {
            "plan": ["a", "b"],
            "action_text": ["The Catering Manager will check.", "The Governor will check."],
            "owner_raw": ["Governor", "Governor"],
            "mentions": [[], []],
        }
    )
    assert held_out_only_entries(actions, "a") == {"Catering Manager"}
    assert held_out_only_entries(actions, "b") == set()
    gaz_only = spacy.blank("en")
    gaz_only.add_pipe("owner_ruler", config={"role_patterns": False})
    restrict_ruler(gaz_only, {"Catering Manager"})
    doc = gaz_only("The Catering Manager and the Governor will check.")
    assert [e.text for e in doc.ents] == ["Governor"]
    # the generic "X Manager" pattern still proposes it
    doc = restrict_ruler(build_pipeline(), {"Catering Manager"})("The Catering Manager acts.")
    assert [e.text for e in doc.ents] == ["Catering Manager"]


def test_generic_patterns_skip_the_prison_name_after_hmp():
    """ "HMP Anytown Team" names the prison, not a post; "Security Team" inside it stands."""
    nlp = spacy.blank("en")
    nlp.add_pipe("owner_ruler", config={"gazetteer_path": None})
    assert [e.text for e in nlp("The HMP Anytown Team will act.").ents] == []
    assert [e.text for e in nlp("HMYOI Anytown Security Team acts.").ents] == ["Security Team"]


def test_owner_filter_pipe_matches_call(filtered):
    """``pipe`` batches candidates across docs but keeps exactly what ``__call__`` keeps."""
    from actionnlp.owners.components import OwnerFilter

    texts = [
        "The Governor will lead. Shared with the Head of Security and NHFT.",
        "No owner here.",
        "The Head of Healthcare has agreed it with the Governor.",
        "Minutes will be shared with the Deputy Governor.",
        "",
    ]
    ruler = filtered.get_pipe("owner_ruler")
    owner_filter = filtered.get_pipe("owner_filter")
    blank = spacy.blank("en")

    def candidates() -> list:
        return [ruler(blank.make_doc(t)) for t in texts]

    one = [_ents(owner_filter(doc)) for doc in candidates()]
    for size in (1, 2, 100):
        assert [_ents(d) for d in owner_filter.pipe(candidates(), batch_size=size)] == one
    assert [_ents(d) for d in filtered.pipe(texts, batch_size=2)] == [
        _ents(filtered(t)) for t in texts
    ]
    untrained = OwnerFilter(blank, "f")
    docs = candidates()
    assert [_ents(d) for d in untrained.pipe(docs)] == [_ents(d) for d in candidates()]


def test_generic_candidates_descriptions_lower_case_posts_and_bodies():
    nlp = spacy.blank("en")
    nlp.add_pipe("owner_ruler", config={"gazetteer_path": None})
    doc = nlp("The Trust and the catering provider met; peer mentors and Anytown Widgets Ltd act.")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Trust", "ORG"),
        ("catering provider", "ORG"),
        ("peer mentors", "ROLE"),
        ("Anytown Widgets Ltd", "ORG"),
    ]


def test_plan_acronyms_become_candidates():
    """A bare acronym the plan defines is proposed, labelled from its long form."""
    nlp = spacy.blank("en")
    nlp.add_pipe("owner_ruler", config={"gazetteer_path": None, "role_patterns": False})
    doc = nlp.make_doc("The ZQM and two ZQMs will act with YT’s help; QRS will not.")
    doc._.owner_acronyms = {
        "ZQM": "Zonal Quality Manager",
        "YT": "Yellowtown Trust",
        "QRS": "Quick Reference Sheet",
    }
    doc = nlp.get_pipe("owner_ruler")(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("ZQM", "ROLE"),
        ("ZQMs", "ROLE"),
        ("YT’s", "ORG"),
    ]
    # the definition gives its long form, never the bracket (R1); the setting turns it off
    doc = nlp("The Zonal Quality Manager (ZQM) will act.")
    assert [(e.text, e.label_) for e in doc.ents] == [("Zonal Quality Manager", "ROLE")]
    off = spacy.blank("en")
    off.add_pipe("owner_ruler", config={"role_patterns": False, "acronym_candidates": False})
    assert off("The Zonal Quality Manager (ZQM) will act. ZQM acts.").ents == ()


def test_generic_candidates_comma_list_titles_and_departments():
    """Titles built from comma lists and departments named by their function (R5)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("owner_ruler", config={"gazetteer_path": None})
    doc = nlp("An Art, Music and Drama lead and the Clean, Safe, Tidy and Decent (CSTD) team act.")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Art, Music and Drama lead", "ROLE"),
        ("Clean, Safe, Tidy and Decent (CSTD) team", "ROLE"),
    ]
    doc = nlp("We will work with Chaplaincy, Reception and Safer Custody on prison security.")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Chaplaincy", "ROLE"),
        ("Reception", "ROLE"),
        ("Safer Custody", "ROLE"),
    ]
    # a longer post wins over the department word inside it
    assert [e.text for e in nlp("The Head of Psychology will act.").ents] == ["Head of Psychology"]


def test_description_with_a_name_in_apposition_gives_the_name():
    """ "the education provider (Anytown Learning)": only the name is a mention (R7)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("owner_ruler", config={"gazetteer_path": None})
    for text in (
        "Since May the education provider (Anytown Learning) has added courses.",
        "We will work with the education provider, Anytown Learning, to add courses.",
    ):
        assert [(e.text, e.label_) for e in nlp(text).ents] == [("Anytown Learning", "ORG")]
    # an acronym after a description is a definition (R1), not a name in apposition
    doc = nlp("The Trust (ZYT) will act.")
    assert [(e.text, e.label_) for e in doc.ents] == [("Trust", "ORG")]
    # a named body followed by a bracket is left alone
    doc = nlp("Anytown Health Trust (Anytown Hospitals) will act.")
    assert [e.text for e in doc.ents] == ["Anytown Health Trust"]
    # a list after a comma is not one name in apposition
    nlp.get_pipe("owner_ruler").add_patterns(
        [{"label": "ORG", "pattern": "NHS England"}, {"label": "ORG", "pattern": "HMPPS"}]
    )
    doc = nlp("Actions for the Trust, NHS England and HMPPS, are listed.")
    assert [e.text for e in doc.ents] == ["Trust", "NHS England", "HMPPS"]
    doc = nlp("The education provider, Governor and Head of Learning, will meet.")
    assert "Governor and Head of Learning" not in [e.text for e in doc.ents]


@pytest.mark.parametrize(
    ("text", "span", "label"),
    [
        (
            "The Family Ties Co-Ordinator will meet each new arrival.",
            "Family Ties Co-Ordinator",
            "ROLE",
        ),
        ("The IAG Co-ordinator will run the sessions.", "IAG Co-ordinator", "ROLE"),
        (
            "HMPPS Drug Strategy Group will fund the kit.",
            "HMPPS Drug Strategy Group",
            "ORG",
        ),
        (
            "The Regional Drug Strategy Team will visit in May.",
            "Regional Drug Strategy Team",
            "ORG",
        ),
        ("National Chaplaincy Unit will advise.", "National Chaplaincy Unit", "ORG"),
    ],
)
def test_generic_patterns_hyphenated_posts_and_national_units(text, span, label):
    """Posts written "Co-Ordinator" (three tokens) and HMPPS national or regional units
    (guideline: HMPPS directorates, programmes, regional teams) are proposed though the
    gazetteer does not know them; every name is invented."""
    nlp = build_pipeline()
    assert (span, label) in [(e.text, e.label_) for e in nlp(text).ents]


def test_owner_cell_names_are_candidates_in_the_action_text():
    """A body no gazetteer knows, named in the plan's owner cell, is found in the text."""
    nlp = spacy.blank("en")
    nlp.add_pipe("owner_ruler", config={"gazetteer_path": None})
    doc = nlp.make_doc("Brightwater Learning has recruited a tutor; the Governor agreed.")
    doc._.owner_names = ("Brightwater Learning",)
    doc = nlp.get_pipe("owner_ruler")(doc)
    assert ("Brightwater Learning", "ORG") in [(e.text, e.label_) for e in doc.ents]
    # without the plan's owner cells there is no evidence for the name
    assert "Brightwater Learning" not in [e.text for e in nlp(doc.text).ents]
    # a lower-case common-word use is not the name
    doc = nlp.make_doc("We will keep brightwater learning going.")
    doc._.owner_names = ("Brightwater Learning",)
    assert not nlp.get_pipe("owner_ruler")(doc).ents


def test_plan_owner_names_skip_prison_posts_and_bare_acronyms():
    from actionnlp.owners.candidates import plan_owner_names
    from actionnlp.owners.normalise import normalise_cell

    owners = normalise_cell("Governor / Brightwater Learning / Kestrel Builders Ltd (KBL)")
    assert plan_owner_names(owners) == ("Brightwater Learning", "Kestrel Builders Ltd")


def test_find_owners_uses_the_plans_owner_cells_for_mentions():
    from actionnlp.owners.pipeline import OwnerFinder, build_pipeline

    frame = pd.DataFrame(
        {
            "action_text": ["Kestrel Builders will replace the showers.", "Showers fixed."],
            "owner_raw": ["Governor", "Kestrel Builders"],
            "source": ["plan-a", "plan-a"],
        }
    )
    out = OwnerFinder(build_pipeline()).find_owners(frame)
    assert [m["text"] for m in out.owner_mentions[0]] == ["Kestrel Builders"]
    # another plan whose cells do not name the body gets no mention
    frame["source"] = ["plan-a", "plan-b"]
    out = OwnerFinder(build_pipeline()).find_owners(frame)
    assert out.owner_mentions[0] == []


def test_training_context_columns_give_each_action_its_plans_acronyms_and_cell_names():
    from actionnlp.owners.training import plan_context_columns

    frame = pd.DataFrame(
        {
            "action_text": [
                "The Kestrel Builders Ltd (KBL) will replace the showers.",
                "KBL will fix the taps.",
                "Showers fixed.",
            ],
            "owner_raw": ["Governor", "Brightwater Learning / KBL", "Kestrel Builders"],
            "plan": ["plan-a", "plan-a", "plan-b"],
        }
    )
    acronyms, names = plan_context_columns(frame)
    assert acronyms == [{"KBL": "Kestrel Builders Ltd"}, {"KBL": "Kestrel Builders Ltd"}, {}]
    # every action of a plan gets the names all of its owner cells give, and only those
    assert names == [("Brightwater Learning",), ("Brightwater Learning",), ("Kestrel Builders",)]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Nursing staff will check the emergency bags weekly.", "Nursing staff"),
        ("Food is served by the catering staff at lunch.", "catering staff"),
        ("Drug Recovery Service staff will run the clinic.", "Drug Recovery Service staff"),
        ("SOs will check the servery daily.", "SOs"),
        ("SO’s will prioritise key work.", "SO’s"),
        ("The work is done with Psychological Services.", "Psychological Services"),
        ("The learning and skills manager will audit the files.", "learning and skills manager"),
    ],
)
def test_generic_staff_groups_grades_services_and_joint_posts_are_role_candidates(text, span):
    nlp = spacy.blank("en")
    nlp.add_pipe("owner_ruler", config={"gazetteer_path": None})
    assert (span, "ROLE") in [(e.text, e.label_) for e in nlp(text).ents]
