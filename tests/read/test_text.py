"""The text readers on the four real seed plans, and on hand-made layouts."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

import actionnlp
from actionnlp.data import SAMPLES_DIR
from actionnlp.errors import EmptyDocumentError, NotAnActionPlanError
from actionnlp.read.table import header_roles
from actionnlp.read.text import locate_header


@pytest.fixture(scope="module")
def plans() -> dict[str, actionnlp.ActionPlan]:
    return {p.stem: actionnlp.read_plan(p) for p in actionnlp.sample_paths()}


def ids(plan: actionnlp.ActionPlan) -> list[str | None]:
    return [c.id for c in plan.concerns]


def test_concern_ids_in_order(plans):
    assert ids(plans["whitemoor-2023"]) == [f"1.{i}" for i in range(1, 13)]
    assert ids(plans["peterborough-2024"]) == [str(i) for i in range(1, 12)]
    assert ids(plans["littlehey-2024"]) == [str(i) for i in range(1, 10)]
    stafford = [f"5.{i}" for i in range(1, 24) if i not in (18, 19)]
    assert ids(plans["stafford-2020"]) == stafford


def test_metadata(plans):
    p = plans["peterborough-2024"]
    assert p.prison == "HMP Peterborough (Men)"
    assert p.plan_submitted == date(2024, 5, 22)
    assert p.report_published == date(2024, 4, 9)
    assert p.inspection_dates == (date(2024, 1, 8), date(2024, 1, 18))
    assert p.era == "concerns"
    assert plans["whitemoor-2023"].prison == "HMP Whitemoor"
    assert plans["littlehey-2024"].prison == "HMP Littlehey"
    s = plans["stafford-2020"]
    assert (s.prison, s.era, s.plan_submitted) == (
        "HMP Stafford",
        "recommendations",
        date(2020, 7, 29),
    )


def test_stafford_reconciliation(plans):
    s = plans["stafford-2020"]
    assert s.stated_totals == {"agreed": 16, "partly_agreed": 7, "not_agreed": 0, "total": 23}
    messages = [p.message for p in s.problems]
    assert any("5.18 and 5.19 missing" in m for m in messages)
    assert any("21 of 23 stated" in m for m in messages)


def test_stafford_decisions_and_rationale(plans):
    s = plans["stafford-2020"]
    partly = {"5.1", "5.4", "5.5", "5.7", "5.9", "5.10", "5.11"}
    for c in s.concerns:
        assert c.agreement == ("partly_agreed" if c.id in partly else "agreed"), c.id
        rationale = [a for a in c.actions if a.kind == "rationale"]
        if c.id in partly:
            assert len(rationale) == 1 and rationale[0].text.startswith(
                "This recommendation is partly"
            )
            assert rationale[0].owner_raw is None
        else:
            assert not rationale
    first = s.concerns[0]
    assert first.ref == "S45" and first.directed_to == "Governor"
    assert first.recommendation_text.startswith("There should be no delays")
    assert s.concerns[-1].directed_to == "HMPPS"
    assert s.concerns[-1].actions[0].owner_raw == "Executive Director, Prison Supply Directorate"


def test_sections(plans):
    w = plans["whitemoor-2023"]
    assert [c.section for c in w.concerns] == ["priority"] * 5 + ["key"] * 7
    p = plans["peterborough-2024"]
    assert [c.section for c in p.concerns] == ["priority"] * 6 + ["key"] * 5
    assert [c.section for c in plans["littlehey-2024"].concerns] == ["priority"] * 4 + ["key"] * 5
    s = plans["stafford-2020"]
    assert {c.section for c in s.concerns[:4]} == {"key"}
    assert {c.section for c in s.concerns[4:]} == {"general"}


def actions_of(plan, cid):
    return next(c for c in plan.concerns if c.id == cid).actions


def pairs(actions):
    return [(a.owner_raw, a.target_raw) for a in actions if a.kind == "action"]


def test_whitemoor_pairing_across_page_breaks(plans):
    w = plans["whitemoor-2023"]
    a = actions_of(w, "1.1")
    assert len(a) == 6
    # The third paragraph is split by a page break and rejoined.
    assert a[2].text.startswith("A review of the appointment booking system has been undertaken")
    assert a[2].text.endswith("key work sessions and interventions.")
    assert [x.target_raw for x in a] == [
        "Complete",
        "April 2024",
        "Complete",
        "July 2023",
        "December 2023",
        "December 2023",
    ]
    assert [x.owner_raw.replace("\n", " ") for x in a[-2:]] == ["Head of Psychology"] * 2
    # The concern column continues on the next page beside a response continuation.
    c13 = next(c for c in w.concerns if c.id == "1.3")
    assert c13.concern_text.endswith("Too often sessions were cancelled at short notice.")
    assert c13.actions[0].text.endswith("as well as being shared with the Governor.")
    # Owner and target on one line.
    a17 = actions_of(w, "1.7")
    assert (a17[-1].owner_raw, a17[-1].target_raw) == ("Governor", "May 2023")
    assert len(actions_of(w, "1.5")) == 14


def test_tabular_pairing(plans):
    p = plans["peterborough-2024"]
    assert pairs(actions_of(p, "1")) == [
        ("Director", "July 2024"),
        ("Director", "Completed"),
        ("Director", "August 2024"),
        ("Director", "June 2024"),
    ]
    a2 = actions_of(p, "2")
    assert len(a2) == 6 and a2[-1].owners == ["SMG", "Deputy Director"]
    assert a2[-1].text.endswith("support targets priority areas for improvement.")
    s = plans["stafford-2020"]
    a51 = [a for a in actions_of(s, "5.1") if a.kind == "action"]
    assert pairs(a51) == [
        ("CEO Care UK and Governor", t)
        for t in ["Completed", "Completed", "December 2020", "December 2020"]
    ]
    assert a51[0].owners == ["CEO Care UK", "Governor"]
    # The list cut by the page break rejoins its paragraph.
    assert "Review of in-possession monthly and weekly medication" in a51[1].text


def test_targets_parsed(plans):
    a = actions_of(plans["peterborough-2024"], "1")
    assert a[0].target_date == date(2024, 7, 31) and a[0].status == "planned"
    assert a[1].target_date is None and a[1].status == "completed"
    a3 = actions_of(plans["littlehey-2024"], "3")
    assert [x.status for x in a3][:3] == ["completed", "planned", "ongoing"]


def test_ocr_noise_is_reported_not_dropped(plans):
    lh = plans["littlehey-2024"]
    kinds = {(p.kind, p.text) for p in lh.problems}
    assert ("duplicate_text", "nooda to noip them on release.") in kinds
    assert ("unplaced_text", "Var. aanaana") in kinds
    clipped = [p for p in lh.problems if p.kind == "clipped_id"]
    assert len(clipped) == 1 and clipped[0].concern_id == "9"
    c2 = lh.concerns[1]
    assert c2.concern_text.endswith("controlled drug administration were unsafe")
    c8 = lh.concerns[7]
    assert "and did not consistently support sentence progression" in c8.concern_text
    assert lh.concerns[4].concern_text.startswith("The promotion of equality")
    assert lh.concerns[4].section == "key"


def test_counts_mismatch_reported(plans):
    p = plans["peterborough-2024"]
    assert any(x.kind == "count_mismatch" and x.concern_id == "8" for x in p.problems)


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{4,}", text)


@pytest.mark.parametrize(
    "stem", ["whitemoor-2023", "peterborough-2024", "littlehey-2024", "stafford-2020"]
)
def test_no_text_dropped(plans, stem):
    """Every word of the table lands in a concern, an action, an owner/target or a problem."""
    plan = plans[stem]
    source = (SAMPLES_DIR / f"{stem}.txt").read_text(encoding="utf-8")
    table = source[source.index("ESTABLISHMENT") :]
    table = re.sub(r"<[^>]+>", " ", table)
    found = " ".join(
        [c.concern_text + " " + (c.recommendation_text or "") for c in plan.concerns]
        + [f"{a.text} {a.owner_raw or ''} {a.target_raw or ''}" for a in plan.actions]
        + [p.text or "" for p in plan.problems]
        + [f"{c.ref or ''} {c.directed_to or ''}" for c in plan.concerns]
    )
    have = set(_words(found))
    header_words = {
        "ESTABLISHMENT",
        "Concern",
        "Concerns",
        "Response",
        "Action",
        "Taken",
        "Planned",
        "Responsible",
        "Owner",
        "Target",
        "Date",
        "Recommendation",
        "Agreed",
        "Partly",
        "Priority",
        "Directed",
        "Governor",
        "General",
        "Recommendations",
        "Total",
        "WHITEMOOR",
        "STAFFORD",
        "LITTLEHEY",
        "Peterborough",
        "style",
        "list",
        "none",
        "type",
        "concern",
        "Men",
    }
    missing = [w for w in _words(table) if w not in have and w not in header_words]
    assert missing == []


def test_read_plan_from_text_and_to_frame(plans):
    text = (SAMPLES_DIR / "peterborough-2024.txt").read_text(encoding="utf-8")
    plan = actionnlp.read_plan(text=text)
    frame = plan.to_frame()
    assert len(frame) == len(plan.actions)
    for col in (
        "prison",
        "concern_id",
        "action_index",
        "action_text",
        "owner_raw",
        "owner_parts",
        "target_raw",
        "target_date",
        "status",
        "kind",
        "section",
        "agreement",
    ):
        assert col in frame.columns
    concerns = plan.to_frame("concerns")
    assert list(concerns["concern_id"]) == ids(plan)
    problems = plan.to_frame("problems")
    assert set(problems["kind"]) >= {"count_mismatch"}


HAND_MADE = """Action Plan: HMP Example
Action Plan Submitted: 3 rd September 2021
Upload: others
Page 2: contents
Report Published: 05/05/2021

No | Recommendation | Accepted/Rejected | Action | Owner | Target date
 | Main recommendations | | | |
1 | Concern: Cells were dirty. Recommendation: Cells should be clean. | Accepted | A cleaning rota will be set up. | Head of Residence | 7 th March 2022
2 | Recommendation: Staff should wear cameras. | Rejected | This recommendation is not agreed as cameras are unfunded. | |
4 | Recommendation: Food should be hot. | Partly accepted | Heated trolleys ordered. | Catering Manager | Q3 2022
"""


def test_other_layouts_pipe_table_accepted_rejected():
    plan = actionnlp.read_plan(text=HAND_MADE)
    assert plan.prison == "HMP Example"
    assert plan.plan_submitted == date(2021, 9, 3)
    assert plan.report_published == date(2021, 5, 5)
    assert plan.era == "recommendations"
    assert ids(plan) == ["1", "2", "4"]
    c1, c2, c4 = plan.concerns
    assert (c1.agreement, c2.agreement, c4.agreement) == ("agreed", "not_agreed", "partly_agreed")
    assert (
        c1.concern_text == "Cells were dirty."
        and c1.recommendation_text == "Cells should be clean."
    )
    assert c1.actions[0].target_date == date(2022, 3, 7)
    assert c2.actions[0].kind == "rationale"
    assert c4.actions[0].target_date == date(2022, 9, 30)
    assert any(p.kind == "numbering_gap" and "3 missing" in p.message for p in plan.problems)


def test_cut_off_plan_keeps_what_exists():
    text = (SAMPLES_DIR / "peterborough-2024.txt").read_text(encoding="utf-8")
    cut = text[: text.index("The quality of teaching and learning") + 20]
    plan = actionnlp.read_plan(text=cut)
    assert plan.prison == "HMP Peterborough (Men)"
    assert ids(plan)[-1] == "9"
    assert any(p.kind == "truncated" for p in plan.problems)


@pytest.mark.parametrize("text", ["", "   \n\t  \n"])
def test_empty_text(text):
    with pytest.raises(EmptyDocumentError, match="empty"):
        actionnlp.read_plan(text=text)


def test_not_an_action_plan(tmp_path):
    recipe = tmp_path / "recipe.txt"
    recipe.write_text("Shortbread\n\nIngredients: butter, sugar, flour.\nMethod: mix and bake.\n")
    with pytest.raises(
        NotAnActionPlanError, match=r"recipe\.txt.*does not look like an action plan"
    ):
        actionnlp.read_plan(recipe)


MARKDOWN = """Action Plan: HMP Example

| No | Concern | Response | Owner | Target date |
|---|:---|---|---|---:|
| | Priority concerns | | | |
| 1 | Cells were dirty. | A cleaning rota will be set up. | Head of Residence | April 2024 |
| 2 | Staff were absent. | Rotas will be reviewed. | Governor | Completed |
"""


def test_markdown_table_with_separator_line():
    """Issue 18: the ``|---|---|`` line under the header used to end the table."""
    plan = actionnlp.read_plan(text=MARKDOWN)
    assert ids(plan) == ["1", "2"]
    assert [c.section for c in plan.concerns] == ["priority", "priority"]
    assert pairs(plan.concerns[0].actions) == [("Head of Residence", "April 2024")]
    assert plan.concerns[1].actions[0].text == "Rotas will be reviewed."


#: Header titles as plans print them, and cells that are no title.
TITLES = st.sampled_from(
    [
        "No",
        "Ref.",
        "",
        " ",
        "Concern",
        "Recommendation",
        "Response",
        "Action taken/planned",
        "Owner",
        "Responsible lead",
        "Target date",
        "Timescale",
        "Agreed / not agreed",
        "Notes",
        "<b>Concerns</b>",
        "x" * 90,
    ]
)


@given(titles=st.lists(TITLES, min_size=1, max_size=14), pipes=st.booleans())
def test_a_text_header_line_has_the_roles_of_the_same_cells_in_a_table(titles, pipes):
    """One rule names a header's columns: a tab or pipe line of titles is a header
    exactly when the same cells of a DOCX, PDF or HTML table are, with the same roles."""
    line = ("| " + " | ".join(titles) + " |") if pipes else "\t".join(titles)
    found = locate_header([line])
    roles = header_roles(titles)
    if roles is not None:
        assert found is not None and found[2] is not None and found[2].roles == roles
    else:  # not a row of cells naming columns (a title line or fixed-width columns may be)
        assert found is None or found[2] is None or found[2].fixed is not None


def test_stacked_header_ends_with_the_whole_target_title() -> None:
    # "Target" and "Date" printed on two lines: the header takes both, the row starts after.
    lines = ["Action plan", "No", "Concern", "Response", "Owner", "Target", "Date", "1", "Dirty."]
    assert locate_header(lines) == (2, 7, None)


def test_stacked_header_target_is_a_title_word_not_a_substring() -> None:
    # "update" holds "date": it is not the target column's title (one printed-title table).
    lines = ["Concern", "Response", "Owner", "Progress update", "Target date", "1", "Dirty."]
    assert locate_header(lines) == (0, 5, None)


def test_title_words_wrapped_below_a_header_line_are_at_most_three_lines() -> None:
    # Title-like lines below a one-line header belong to it only up to three lines.
    header = "Rec. No. Recommendation Agreed Response: Action Taken / Planned Owner Target date"
    lines = [header, *["Owner Date"] * 6, "1", "Dirty."]
    assert locate_header(lines) == (0, 4, None)


TOPICS = ["showers", "kitchens", "libraries", "gyms", "workshops", "chapels"]


@pytest.mark.parametrize(
    "cuts", [(0.3,), (0.5,), (0.9,), (0.3, 0.6), (0.2, 0.8), (0.2, 0.6, 0.8, 0.9)]
)
@pytest.mark.parametrize("header", [
    ["Rec. No.", "Recommendation", "Agreed / Partly Agreed / Not Agreed",
     "Response: Action Taken / Planned", "Responsible owner", "Target date"],
    ["No", "Concern", "Decision", "Response and actions", "Lead", "Timescale"],
])  # fmt: skip
def test_a_header_wrapped_by_a_text_browser_is_found(cuts, header):
    """A text browser (lynx) or a PDF's raw text prints a row of title cells as one line
    wrapped at the width: the titles run over two or three lines (any title words
    wrapped below them) are one header, and the cells below it read as rows."""
    words = " ".join(header).split()
    at = [0, *(max(1, round(c * len(words))) for c in cuts), len(words)]
    lines = ["HM Prison & Probation Service", "", "Action Plan: HMP Nowhere", ""]
    lines += [" ".join(words[a:b]) for a, b in itertools.pairwise(at)]
    for n, topic in enumerate(TOPICS, start=1):
        lines += ["", str(n), "", f"The {topic} were not cleaned often enough.", "", "Agreed"]
        lines += ["", f"A weekly rota will clean the {topic}.", "", "Head of Residence"]
        lines += ["", "May 2025"]
    plan = actionnlp.read_plan(text="\n".join(f"   {x}" if x else x for x in lines))
    assert ids(plan) == [str(n) for n in range(1, len(TOPICS) + 1)]
    for c, topic in zip(plan.concerns, TOPICS, strict=True):
        assert c.agreement == "agreed"
        assert [a.text for a in c.actions] == [f"A weekly rota will clean the {topic}."]
        assert (c.actions[0].owner_raw, c.actions[0].target_raw) == (
            "Head of Residence",
            "May 2025",
        )


@pytest.mark.parametrize("titles", [
    ["No.", "Concern", "Response: Action Taken / Planned", "Responsible owner", "Target date"],
    ["Concern No", "Concerns", "Response Action Taken/Planned", "Responsible Owner",
     "Target Date"],
    ["Rec. No.", "Recommendation", "Agreed / Partly Agreed / Not Agreed", "Response",
     "Owner", "Target date"],
])  # fmt: skip
def test_cells_glued_without_white_space_are_a_problem_not_a_guess(titles):
    """A web page's text taken with no separator glues every cell to the next: the
    cover is read, the table is not guessed at but kept in a ``glued_cells`` problem."""
    rows = [
        ["1", f"The {topic} were dirty.", f"Clean the {topic} weekly.", "Governor", "May 2025"]
        for topic in TOPICS
    ]
    cover = ["Action Plan: HMP Nowhere", "Action Plan Submitted: 3 March 2025", ""]
    text = "\n".join(cover + ["".join(titles)] + ["".join(r[: len(titles)]) for r in rows])
    plan = actionnlp.read_plan(text=text)
    assert plan.prison == "HMP Nowhere" and not plan.concerns
    [problem] = plan.problems
    assert problem.kind == "glued_cells" and "glued" in problem.message
    assert problem.text.startswith("".join(titles)) and "Clean the gyms weekly." in problem.text
    assert plan.read_quality()["read_partial"]
    spaced = actionnlp.read_plan(text="\n".join([*cover, "\t".join(titles)]))
    assert [p.kind for p in spaced.problems] == ["truncated"]  # a header, then nothing
