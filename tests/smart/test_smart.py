from __future__ import annotations

import json
from inspect import signature

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from actionnlp.embed import FakeEmbedder
from actionnlp.labels import SMART_KEYS
from actionnlp.smart import RuleSmartScorer, SmartScorer, extract_signals
from actionnlp.smart.training import train_and_evaluate

CONCERN = "Prisoners experienced delays in receiving their prescribed medication."

ROWS = [
    ("Two medication trolleys have been procured.", "Head of Healthcare", "Completed", "11111"),
    ("The team will continue to work with partners.", "Governor", "Ongoing", "01110"),
    ("Spot check audits of medication will be completed monthly.", "NHFT", "March 2021", "11111"),
    ("Funding to be sought for a new pharmacy post.", "Governor", "April 2024", "01011"),
    ("POMs are aware of the importance of the sessions.", "Governor", "Completed", "00001"),
    ("A lock will be fitted to the wall in the nurse's office.", "Governor", "June 2024", "11111"),
    ("Leaders will look to improve medication supply where possible.", "", "", "00010"),
    (
        "Dip tests to ensure 10% of new receptions are seen within 14 days.",
        "NHFT",
        "May 2023",
        "11111",
    ),
    (
        "A business case will be submitted to NHSE for technicians.",
        "Care UK",
        "December 2020",
        "00011",
    ),
    ("It is not possible to extend pharmacy hours.", "", "", "00000"),
    (
        "A weekly medicines meeting will be held with pharmacy staff.",
        "Governor",
        "Complete",
        "11111",
    ),
    ("Medication processes will improve communication.", "Governor", "Quarterly", "01010"),
    ("By December 2020 all nurses will be trained in medicines management.", "", "", "11111"),
    ("A new medicines policy has been published.", "Head of Healthcare", "Completed", "11111"),
    ("Staff will work closely with the pharmacy provider.", "Governor", "July 2024", "00011"),
    ("A pharmacy technician has been recruited.", "Care UK", "September 2020", "11111"),
    (
        "The medication tracker will be reviewed weekly by the Head of Healthcare.",
        "",
        "Ongoing",
        "11110",
    ),
    (
        "Prescribing will be considered when the prison returns to full capacity.",
        "Governor",
        "2024",
        "00011",
    ),
    ("Two pharmacy technicians will be recruited.", "Governor", "March 2025", "11111"),
    (
        "A quality assurance check of medicine charts will take place quarterly.",
        "NHFT",
        "Q3 2024",
        "11111",
    ),
]


def _frame(rows=ROWS) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "action_text": [r[0] for r in rows],
            "concern_text": [CONCERN] * len(rows),
            "owner_raw": [r[1] for r in rows],
            "target_raw": [r[2] for r in rows],
        }
    )


def _labels(rows=ROWS) -> pd.DataFrame:
    return pd.DataFrame([[int(c) for c in r[3]] for r in rows], columns=list(SMART_KEYS))


@pytest.fixture(scope="module")
def fitted() -> SmartScorer:
    return SmartScorer(embedder=FakeEmbedder()).fit(_frame(), _labels())


# -- signals -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("group", "text", "phrase"),
    [
        ("hedge", "Leaders will look to consolidate space.", "will look to"),
        ("hedge", "This will be done where possible.", "where possible"),
        (
            "exploratory",
            "Gym delivery will be reviewed to establish the potential to add courses.",
            "establish the potential",
        ),
        ("request", "Funding to be sought for the renewal.", "funding to be sought"),
        ("request", "A business case will be submitted.", "business case"),
        (
            "contingent",
            "It will be completed when the prison returns to full capacity.",
            "when the prison returns",
        ),
        ("refusal", "It is not possible to do this.", "not possible"),
        ("refusal", "We are unable to staff it.", "unable to"),
        ("frequency", "Audits will take place monthly.", "monthly"),
        ("frequency", "Meetings are held every 6 weeks.", "every 6 weeks"),
        ("frequency", "A review twice a year.", "twice a year"),
        ("quantity", "Two pharmacy technicians will be recruited.", "two"),
        ("quantity", "Dip tests ensure 10% of receptions are seen.", "10%"),
        ("check", "Spot checks will be carried out.", "spot checks"),
        ("check", "A dashboard will show progress.", "dashboard"),
        ("step", "Two medication trolleys have been procured.", "have been procured"),
        ("deliverable", "A new checklist has been introduced.", "checklist"),
        ("vague", "Staff will continue to work with partners.", "continue to work"),
        ("vague", "POMs are aware of the importance of sessions.", "aware of"),
        ("completed_text", "A lock is now in place.", "now in place"),
        ("completed_text", "The rota is now in place.", "now in place"),
        ("deadline_text", "Training will be delivered by December 2020.", "by december 2020"),
        ("deadline_text", "Done by the end of March 2021.", "by the end of march 2021"),
    ],
)
def test_signal_families(group: str, text: str, phrase: str) -> None:
    assert phrase in getattr(extract_signals(text, "", "", ""), group)


def test_years_and_levels_are_not_quantities() -> None:
    sig = extract_signals("Level 3 courses from April 2023 and in 2024.", "", "", "")
    assert sig.quantity == ()


def test_target_cell_signals() -> None:
    assert extract_signals("x", "", "", "April 2024").target_has_date
    assert extract_signals("x", "", "", "Completed").target_completed
    assert extract_signals("x", "", "", "Ongoing").target_ongoing
    empty = extract_signals("x", "", None, float("nan"))
    assert empty.target_empty and not empty.owner_named and not empty.named_actor
    assert extract_signals("The Head of Security will revise it.", "", "", "").named_actor


# -- rules -------------------------------------------------------------------------
def _rule(text: str, target: str = "April 2024", concern: str = CONCERN) -> dict[str, int]:
    return RuleSmartScorer().score_one(extract_signals(text, concern, "Governor", target))[0]


def test_rules_textbook_examples() -> None:
    assert _rule("Two medication trolleys have been procured.")["S"] == 1
    assert _rule("The prison will continue to work with partners.")["S"] == 0
    assert _rule("Spot check audits of the process will be completed monthly.")["M"] == 1
    assert _rule("Medication processes will improve communication.")["M"] == 0
    assert _rule("Funding to be sought for the renewal of the in-cell TV.")["A"] == 0
    assert _rule("The Head of Healthcare will consider extra clinics.")["A"] == 0
    assert _rule("A lock will be fitted.")["A"] == 1
    assert _rule("A lock will be fitted.", "April 2024")["T"] == 1
    assert _rule("A lock will be fitted.", "Ongoing")["T"] == 0
    assert _rule("A lock will be fitted.", "")["T"] == 0
    assert _rule("A lock will be fitted.", "Quarterly")["T"] == 0
    assert _rule("A lock will be fitted by December 2020.", "")["T"] == 1


@pytest.mark.parametrize("which", ["rules", "trained"])
def test_evidence_for_every_criterion(which: str, fitted: SmartScorer) -> None:
    model = RuleSmartScorer() if which == "rules" else fitted
    out = model.annotate(_frame())
    assert len(out) == len(ROWS)
    for row in out.itertuples():
        for k in SMART_KEYS:
            assert isinstance(row.smart_evidence[k], str) and row.smart_evidence[k].strip()
        if row.smart_applicable:
            assert row.smart_score == sum(getattr(row, f"smart_{k}") for k in SMART_KEYS)
        else:
            assert pd.isna(row.smart_score)


def test_score_frame_interface(fitted: SmartScorer) -> None:
    frame = _frame(ROWS[:3])
    out = fitted.annotate(frame)
    expected = [f"smart_{k}" for k in SMART_KEYS] + [f"p_smart_{k}" for k in SMART_KEYS]
    assert set(expected) <= set(out.columns)
    assert {"smart_score", "smart_evidence", "smart_applicable"} <= set(out.columns)
    assert list(frame.columns) == ["action_text", "concern_text", "owner_raw", "target_raw"]
    assert out["smart_applicable"].all()
    assert fitted.predict_proba(frame).shape == (3, 5)
    assert set(np.unique(fitted.predict(frame))) <= {0, 1}
    kinds = frame.assign(kind=["action", "rationale", "action"])
    marked = fitted.annotate(kinds)
    assert marked["smart_applicable"].tolist() == [True, False, True]
    assert marked["smart_score"].isna().tolist() == [False, True, False]
    assert str(marked["smart_score"].dtype) == "Int64"
    with pytest.raises(ValueError, match="lacks"):
        fitted.annotate(frame.drop(columns="target_raw"))


def test_save_load_round_trip(tmp_path, fitted: SmartScorer) -> None:
    fitted.save_pretrained(tmp_path / "smart")
    loaded = SmartScorer.from_pretrained(tmp_path / "smart", embedder=FakeEmbedder())
    np.testing.assert_array_equal(loaded.predict_proba(_frame()), fitted.predict_proba(_frame()))
    assert not any(p.suffix == ".pkl" for p in (tmp_path / "smart").iterdir())
    config = json.loads((tmp_path / "smart" / "config.json").read_text())
    assert config["model"] == "actionnlp.smart.SmartScorer"
    assert config["params"] == {"C": fitted.C, "random_state": fitted.random_state}
    assert config["embedding"] == {"name": "fake", "weights_sha256": "fake-32"}
    from actionnlp.errors import ArtifactError

    with pytest.raises(ArtifactError):
        SmartScorer.from_pretrained(tmp_path / "smart", embedder=FakeEmbedder(16))


def test_sklearn_contract() -> None:
    from sklearn.base import BaseEstimator

    model = SmartScorer(embedder=FakeEmbedder(), C=0.5, random_state=3)
    assert isinstance(model, BaseEstimator) and "groups" in signature(SmartScorer.fit).parameters
    # .score keeps scikit-learn's meaning (a metric): annotating a frame is .annotate
    assert not hasattr(model, "score") and callable(model.annotate)
    copy = clone(model)
    assert copy.get_params()["C"] == 0.5 and copy.get_params()["random_state"] == 3
    assert not any(k.endswith("_") for k in vars(copy))
    assert copy.fit(_frame(), _labels()) is copy
    assert RuleSmartScorer().fit(_frame(), _labels()).predict(_frame()).shape == (len(ROWS), 5)


def test_single_class_criterion_keeps_its_rule() -> None:
    """One class in training is no evidence for a constant: the rule still decides."""
    labels = _labels().assign(R=1)
    model = SmartScorer(embedder=FakeEmbedder()).fit(_frame(), labels)
    assert model.selection_["R"] == "rule"
    np.testing.assert_array_equal(
        model.predict(_frame())[:, 3], RuleSmartScorer().predict(_frame())[:, 3]
    )


def test_train_and_evaluate_is_json(tmp_path) -> None:
    import json

    frame = pd.concat([_frame().assign(plan=p) for p in ("a-2020", "b-2024")], ignore_index=True)
    labels = pd.concat([_labels()] * 2, ignore_index=True)
    frame["smart"] = labels.to_dict("records")
    frame["kind"] = "action"
    frame.loc[0, "kind"] = "rationale"
    report = train_and_evaluate(frame, embedder=FakeEmbedder(), out_dir=tmp_path / "m")
    json.dumps(report, allow_nan=False)
    assert report["n_actions"] == 2 * len(ROWS) - 1
    assert set(report["trained"]["pooled"]) == set(SMART_KEYS)
    assert (tmp_path / "m" / "config.json").is_file()
    assert report["recommendations_era"]["plans"] == ["a-2020"]
    assert report["majority"]["pooled"]["S"]["kappa"] in (0.0, None)


def test_other_labels_score_the_same_predictions() -> None:
    """Predictions scored against a second label set: identical labels give identical
    kappas; flipping one label changes only that criterion's figures."""
    frame = pd.concat([_frame().assign(plan=p) for p in ("a-2020", "b-2024")], ignore_index=True)
    labels = pd.concat([_labels()] * 2, ignore_index=True).to_dict("records")
    frame["smart"] = labels
    frame["kind"] = "action"
    frame.loc[0, "kind"] = "rationale"
    flipped = [dict(d) for d in labels]
    flipped[1]["M"] = 1 - flipped[1]["M"]
    report = train_and_evaluate(
        frame, embedder=FakeEmbedder(), other_labels={"same": labels, "flipped": flipped}
    )
    same = report["other_labels"]["same"]
    for name in ("trained", "rules", "majority"):
        assert same[name]["pooled"] == report[name]["pooled"]
        assert (
            same[name]["recommendations_era"]["pooled"]
            == (report["recommendations_era"][name]["pooled"])
        )
    rules = report["other_labels"]["flipped"]["rules"]["pooled"]
    assert rules["M"]["n_pos"] == report["rules"]["pooled"]["M"]["n_pos"] + (
        1 if flipped[1]["M"] else -1
    )
    assert all(rules[k] == report["rules"]["pooled"][k] for k in SMART_KEYS if k != "M")


# -- T is monotone in the target cell ----------------------------------------------
_texts = st.sampled_from([r[0] for r in ROWS])
_dated = st.sampled_from(["March 2025", "April 2024", "end of March 2021", "Completed", "Q3 2024"])
_undated = st.sampled_from(["", "Ongoing", "Quarterly", "On-going"])


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_texts, dated=_dated, undated=_undated)
def test_target_date_never_lowers_t(fitted: SmartScorer, text, dated, undated) -> None:
    rows = [(text, "Governor", dated, "11111"), (text, "Governor", undated, "11111")]
    for model in (fitted, RuleSmartScorer()):
        t = model.predict(_frame(rows))[:, 4]
        assert t[0] >= t[1]
        assert t[0] == 1


def test_nested_selection_keeps_rule_unless_head_is_better(tmp_path) -> None:
    """Labels equal to the rule's decisions: no head can beat the rule, so the rule stays."""
    frame = pd.concat([_frame().assign(plan=p) for p in ("a", "b", "c")], ignore_index=True)
    rules = RuleSmartScorer().predict(frame)
    model = SmartScorer(embedder=FakeEmbedder()).fit(frame, rules, groups=frame["plan"])
    assert set(model.selection_.values()) == {"rule"}
    assert np.array_equal(model.predict(frame), rules)
    model.save_pretrained(tmp_path / "m")
    again = SmartScorer.from_pretrained(tmp_path / "m", embedder=FakeEmbedder())
    assert again.selection_ == model.selection_
    assert np.array_equal(again.predict(frame), rules)


def test_signals_for_frame_matches_extract_signals() -> None:
    from actionnlp.smart import signals_for_frame

    rows = [
        ("Audit monthly by 2 staff.", "Staff are not audited.", "Governor", "April 2024"),
        ("Audit monthly by 2 staff.", "Staff are not audited.", "Governor", "April 2024"),
        ("Audit  monthly by 2 staff. ", "Staff are not audited.", None, "Ongoing"),
        (None, float("nan"), "", None),
        ("We will look to improve.", "", "HoS", ""),
    ]
    frame = pd.DataFrame(rows, columns=["action_text", "concern_text", "owner_raw", "target_raw"])
    assert signals_for_frame(frame) == [extract_signals(*row) for row in rows]


def test_rare_minority_keeps_rule() -> None:
    """R with two negatives (fewer than MIN_MINORITY) keeps the rule even when it errs."""
    from actionnlp.smart.scorer import MIN_MINORITY

    frame = pd.concat([_frame().assign(plan=p) for p in ("a", "b", "c")], ignore_index=True)
    labels = RuleSmartScorer().predict(frame)
    labels[:, 3] = 1
    labels[[0, 5], 3] = 0
    assert (1 - labels[:, 3]).sum() < MIN_MINORITY
    model = SmartScorer(embedder=FakeEmbedder()).fit(frame, labels)
    assert model.selection_["R"] == "rule"
    # the evidence is the rule's own (shared words or the similarity), no model override
    scored = model.annotate(frame)["smart_evidence"]
    assert not any(e["R"].startswith("model") for e in scored)


def test_head_chosen_when_it_beats_the_rule(tmp_path) -> None:
    """M labelled by the owner cell (which the M rule ignores): a head wins and round-trips."""
    frame = pd.concat([_frame().assign(plan=p) for p in "abcd"], ignore_index=True)
    labels = RuleSmartScorer().predict(frame)
    labels[:, 1] = (frame["owner_raw"] != "").astype(int).to_numpy()
    model = SmartScorer(embedder=FakeEmbedder()).fit(frame, labels, groups=frame["plan"])
    assert model.selection_["M"].startswith("head")
    np.testing.assert_array_equal(model.predict(frame)[:, 1], labels[:, 1])
    model.save_pretrained(tmp_path / "m")
    assert (tmp_path / "m" / "head_M.skops").is_file()
    again = SmartScorer.from_pretrained(tmp_path / "m", embedder=FakeEmbedder())
    assert again.selection_ == model.selection_
    np.testing.assert_array_equal(again.predict_proba(frame), model.predict_proba(frame))
    for row in again.annotate(frame).itertuples():
        assert all(row.smart_evidence[k].strip() for k in SMART_KEYS)
