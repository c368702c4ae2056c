"""Plans linked over time, tested on later plans built from the samples.

The samples are four different prisons: no real pair of successive plans. A later plan
of Peterborough is built here with one concern repeated word for word, two reworded,
one marked "repeated recommendation" with the earlier number, and one new; a later
plan of Littlehey carries a copy of a Peterborough concern, which must not link across
prisons.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

import actionnlp
from actionnlp.analysis.recurring import (
    find_recurring,
    mark_repeated,
    prison_key,
    repeated_marks,
    timeline_section,
)
from actionnlp.analysis.result import Analysis
from actionnlp.analysis.tables import frames_from_plans
from actionnlp.embed import FakeEmbedder
from actionnlp.plan import Action, ActionPlan, Concern

REWORDED_REGIME = (
    "Around a third of officers were often not available for duty, so the regime was "
    "frequently cancelled or cut short and too many prisoners were locked in their cells "
    "during the working day."
)
REWORDED_EDUCATION = (
    "Education, skills and work provision was not sufficient for the needs of the "
    "population, which limited preparation for employment after release; many prisoners "
    "worked in jobs with no formal training that did not build employability skills."
)
NEW = (
    "The library was closed for most of the week and prisoners could not borrow books "
    "or attend reading groups."
)
MARKED = (
    "Prisoners still did not receive a second health needs assessment in their first "
    "week at the prison. (Repeated recommendation {id})"
)


def _sample(stem: str) -> ActionPlan:
    path = next(p for p in actionnlp.sample_paths() if p.stem == stem)
    plan = actionnlp.read_plan(path)
    plan.source = stem
    return plan


def later_plans() -> tuple[list[ActionPlan], dict[str, str]]:
    """The four samples plus later plans of Peterborough and Littlehey; returns the
    plans and, for each later Peterborough concern id, the earlier id it repeats."""
    samples = [_sample(p.stem) for p in actionnlp.sample_paths()]
    pb = next(p for p in samples if p.source == "peterborough-2024")
    lh = next(p for p in samples if p.source == "littlehey-2024")
    by_id = {c.id: c for c in pb.concerns}
    act = [Action("Weekly reviews by the Head of Safety.", owner_raw="Head of Safety")]
    later = ActionPlan(
        prison="HMP & YOI Peterborough",
        plan_submitted=date(2027, 3, 1),
        source="peterborough-2027",
        concerns=[
            Concern("1.1", by_id["2"].concern_text, actions=list(act)),  # word for word
            Concern("1.2", REWORDED_REGIME, actions=list(act)),
            Concern("1.3", REWORDED_EDUCATION, actions=list(act)),
            Concern("1.4", MARKED.format(id="3"), actions=list(act)),
            Concern("1.5", NEW, actions=list(act)),
        ],
    )
    lh_later = ActionPlan(
        prison="HMP Littlehey",
        plan_submitted=date(2027, 6, 1),
        source="littlehey-2027",
        concerns=[
            Concern("2.1", lh.concerns[3].concern_text),
            Concern("2.2", by_id["2"].concern_text),  # another prison's concern
        ],
    )
    expected = {"1.1": "2", "1.2": "1", "1.3": "5", "1.4": "3"}
    return [*samples, later, lh_later], expected


def _analysis(plans) -> Analysis:
    return Analysis(*frames_from_plans(plans))


def test_prison_key_links_name_variants_only():
    assert prison_key("HMP Peterborough (Men)") == prison_key("HMP & YOI Peterborough")
    assert prison_key("HM Prison Littlehey") == prison_key("HMP Littlehey") == "littlehey"
    assert prison_key("HMP Peterborough") != prison_key("HMP Littlehey")


@given(st.text(max_size=300))
def test_repeated_marks_never_fail_and_need_the_marker(text):
    marked, number = repeated_marks(text)
    if "repeated" not in text.lower():
        assert not marked
    assert number is None or (marked and number in text)


def test_repeated_marks_read_the_number_where_printed():
    assert repeated_marks("Text. This is a repeated key concern (paragraph 2.15).") == (
        True,
        "2.15",
    )
    assert repeated_marks("REPEATED RECOMMENDATION: 1.4") == (True, "1.4")
    assert repeated_marks("Repeated concern from the last inspection.") == (True, None)
    assert repeated_marks("Searches were repeated after the incident.") == (False, None)


def test_concerns_get_repeated_from():
    plans, _ = later_plans()
    concerns = mark_repeated(_analysis(plans).concerns)
    marked = concerns[concerns["repeated"]]
    assert marked[["source", "concern_id", "repeated_from"]].values.tolist() == [
        ["peterborough-2027", "1.4", "3"]
    ]


def test_find_recurring_links_repeated_reworded_and_marked_but_not_new():
    plans, expected = later_plans()
    pairs = find_recurring(_analysis(plans), embedder=FakeEmbedder(dim=256), threshold=0.6)
    pb = pairs[pairs["later_source"] == "peterborough-2027"]
    assert dict(zip(pb["later_concern_id"], pb["earlier_concern_id"], strict=True)) == expected
    assert set(pb["earlier_source"]) == {"peterborough-2024"}
    verbatim = pb[pb["later_concern_id"] == "1.1"].iloc[0]
    assert verbatim["score"] == pytest.approx(1.0, abs=1e-5) and not verbatim["marked"]
    assert pb[pb["later_concern_id"] == "1.4"].iloc[0]["marked"]
    # The copy of a Peterborough concern in Littlehey's later plan links to nothing of
    # Peterborough; Littlehey's own repeated concern links to Littlehey's earlier plan.
    lh = pairs[pairs["later_source"] == "littlehey-2027"]
    assert set(lh["earlier_source"]) == {"littlehey-2024"}
    assert "2.1" in set(lh["later_concern_id"])


def test_no_prison_with_two_plans_needs_no_embedder():
    plans, _ = later_plans()
    samples = _analysis(plans[:4])

    class Refuses:
        name = weights_hash = "refuses"

        def encode(self, *_a, **_k):
            raise AssertionError("nothing should be embedded")

    assert find_recurring(samples, embedder=Refuses()).empty
    assert "no prison has two plans" in timeline_section(samples, embedder=Refuses())


@pytest.mark.slow
def test_default_threshold_with_the_real_model():
    """With the bundled model and the documented threshold: the repeated and reworded
    concerns link, the new one and the other prison's copy do not."""
    plans, expected = later_plans()
    pairs = find_recurring(_analysis(plans))
    pb = pairs[pairs["later_source"] == "peterborough-2027"]
    assert dict(zip(pb["later_concern_id"], pb["earlier_concern_id"], strict=True)) == expected
    assert not pairs["later_text"].str.contains("library").any()


def test_timeline_in_the_report(fast_models, tmp_path, monkeypatch):
    plans, _ = later_plans()
    monkeypatch.setattr("actionnlp.embed.default_embedder", lambda: FakeEmbedder(dim=256))
    result = actionnlp.analyze(plans, models=fast_models, progress=False)
    assert "repeated_from" in result.concerns and result.concerns["repeated"].sum() == 1
    html = result.report(tmp_path / "report.html").read_text(encoding="utf-8")
    section = html.split("<h2>Plans over time</h2>", 1)[1].split("<h2>", 1)[0]
    assert section.count("<h3>") == 2  # Peterborough and Littlehey have two plans each
    assert "marked repeated" in section
    # what the earlier plan promised: an action of Peterborough 2024's concern 2
    pb = next(p for p in plans if p.source == "peterborough-2024")
    first_action = pb.concerns[1].actions[0].text
    from html import escape

    assert escape(first_action[:40]) in section
    assert "target:" in section and "status:" in section
