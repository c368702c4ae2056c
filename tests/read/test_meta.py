"""Plan covers: metadata from openings wrapped in site clutter, partial documents.

The openings below are written for these tests (invented establishments, dates and
wording); they imitate what a document-hosting site does to a plan's first pages.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actionnlp import read_plan
from actionnlp.errors import NotAnActionPlanError
from actionnlp.read.meta import cover_meta, inspection_span, read_meta

INTRO = (
    "HM Inspectorate of Prisons is an independent inspectorate which reports on the "
    "conditions for and treatment of those in prison. In response to the report the "
    "service drafts an action plan that says whether each recommendation is agreed."
)

COVER_CLUTTERED = f"""Upload
View
Citation preview
Page 1: Action Plan
HM Prison & Probation Service
Action Plan: HMP Eastwold
Action Plan Submitted: 14/02/2022
A Response to the HMIP Inspection: 17, 18 October & 1-5 November 2021
Report Published: 3 rd January 2022
Page 2: Introduction
{INTRO}
Download
"""

COVER_ESTABLISHMENT = f"""Share  Embed  Print
ACTION PLAN: HMIP REPORT
ESTABLISHMENT: HMP & YOI NORTH FENLOW
Inspection dates: 30 November - 4 December 2020
Date submitted: 09/04/2021
1
{INTRO}
Page 2 of 31
"""

TRUNCATED = (
    COVER_CLUTTERED
    + "Rec No\tRecommendation\tAgreed/ Partly Agreed/ Not Agreed\tResponse Action Taken/Planned"
    "\tResponsible Owner\tTarget Date\n"
)


def test_cover_in_site_clutter_returns_metadata_and_no_table():
    plan = read_plan(text=COVER_CLUTTERED)
    assert plan.prison == "HMP Eastwold"
    assert plan.plan_submitted == date(2022, 2, 14)
    assert plan.report_published == date(2022, 1, 3)
    assert plan.inspection_dates == (date(2021, 10, 17), date(2021, 11, 5))
    assert plan.concerns == []
    assert [p.kind for p in plan.problems] == ["no_table"]


def test_cover_with_establishment_line():
    plan = read_plan(text=COVER_ESTABLISHMENT)
    assert plan.prison == "HMP & YOI North Fenlow"
    assert plan.plan_submitted == date(2021, 4, 9)
    assert plan.inspection_dates == (date(2020, 11, 30), date(2020, 12, 4))
    assert [p.kind for p in plan.problems] == ["no_table"]


def test_table_cut_off_after_its_header_is_truncated():
    plan = read_plan(text=TRUNCATED)
    assert plan.prison == "HMP Eastwold"
    assert [p.kind for p in plan.problems] == ["truncated"]


def test_cover_read_from_a_file(tmp_path):
    f = tmp_path / "opening.txt"
    f.write_text(COVER_CLUTTERED)
    plan = read_plan(f)
    assert plan.source == str(f) and plan.prison == "HMP Eastwold"


@pytest.mark.parametrize(
    "text",
    [
        "Bread recipe\nFlour, water, salt. Knead and bake.",
        # an action plan of something else: no establishment, no date, no inspectorate
        "Action plan for the garden\nDig the beds in spring.",
        # an establishment and a date but nothing that calls it an action plan
        "HMP Eastwold visiting times\nUpdated 14/02/2022\nVisits run daily.",
    ],
)
def test_no_sign_of_a_plan_still_raises(text):
    with pytest.raises(NotAnActionPlanError):
        read_plan(text=text)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("17, 18 December & 7-11 January 2019", (date(2018, 12, 17), date(2019, 1, 11))),
        ("4 - 15 September 2023", (date(2023, 9, 4), date(2023, 9, 15))),
        ("29th June - 3rd July 2020", (date(2020, 6, 29), date(2020, 7, 3))),
        ("2 rd and 9 th May 2022", (date(2022, 5, 2), date(2022, 5, 9))),
    ],
)
def test_inspection_span(text, span):
    assert inspection_span(text) == span


def test_clutter_lines_do_not_become_the_prison():
    meta = read_meta(
        "View\nPage 3: see also HMP Notthis\nUpload: HMP Other\nHMP Eastwold action plan"
    )
    assert meta.prison == "HMP Eastwold"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=" \t\n:0123456789/&-HMPActionplanViewUpload", max_size=400))
def test_cover_meta_never_fails_on_noise(text):
    meta = cover_meta(text)
    assert meta is None or meta.prison


def test_cover_patterns_are_linear_on_long_whitespace():
    # A long run of spaces and a long line: each pattern must give up quickly.
    text = "Action Plan " + " " * 100_000 + "Inspection" + " " * 100_000 + "x\n" + "9" * 100_000
    assert cover_meta(text) is None
