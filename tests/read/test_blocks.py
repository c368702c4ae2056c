"""The block-order reader (``actionnlp/read/blocks.py``) on generated tables.

Tables drawn by ``tests/layout_tables.py`` are printed the way poppler's
``pdftotext`` and pdfminer print a PDF page: the header's titles as short lines,
the page's concern numbers one after another, then its concern cells, its
decisions, its response column as one flow (paragraphs wrapped with no blank line
between them) and its owner and target entries last; pages end with a form feed.
"""

from __future__ import annotations

import re
import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionnlp.read import plan_from_text
from tests.layout_tables import OPENING, Row, Table, tables

TITLES = {
    "concerns": ["Concern", "No", "", "Concerns", "", "Response Action Taken/Planned"],
    "recommendations": ["Rec No", "Recommendation", "", "Agreed/", "Partly", "Agreed/ Not",
                        "Agreed", "", "Response Action Taken/Planned"],
}  # fmt: skip
OWNER_TITLES = ["", "Responsible", "Owner", "", "Target", "Date", ""]


def render_pages(table: Table, per_page: int) -> str:
    """The table in block order, ``per_page`` rows to a page."""
    out: list[str] = []
    for start in range(0, len(table.rows), per_page):
        rows = table.rows[start : start + per_page]
        page = [*TITLES[table.era], ""]
        for r in rows:
            page += [r.id, ""]
        for r in rows:
            page += [*textwrap.wrap(r.concern, 28), ""]
            if r.decision:
                page += [r.decision, ""]
        for r in rows:
            for p in r.paras:
                page += textwrap.wrap(p, 60)
        page += OWNER_TITLES
        for r in rows:
            for o, t in zip(r.owners, r.targets, strict=True):
                page += [o, "", t, ""]
        out.append("\n".join(page))
    return OPENING + "\n\n\f".join(out) + "\n"  # as pdftotext and pdfminer end a page


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _read_words(plan) -> set[str]:
    got: list[str] = []
    for c in plan.concerns:
        got += _words(f"{c.id} {c.concern_text} {c.recommendation_text or ''}")
        for a in c.actions:
            got += _words(f"{a.text} {a.owner_raw or ''} {a.target_raw or ''}")
    for p in plan.problems:
        got += _words(p.text or "")
    return set(got)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables(), per_page=st.integers(1, 3))
def test_numbers_decisions_and_every_word_come_back(table, per_page):
    plan = plan_from_text(render_pages(table, per_page))
    assert [c.id for c in plan.concerns] == [r.id for r in table.rows]
    if table.era == "recommendations":
        decisions = [c.agreement for c in plan.concerns]
        assert decisions == [r.decision.lower().replace(" ", "_") for r in table.rows]
    want = set()
    for r in table.rows:
        want |= set(_words(" ".join([r.concern, *r.paras, *r.owners, *r.targets])))
    assert want <= _read_words(plan)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables())
def test_one_row_a_page_reads_exactly(table):
    """A page holding one row leaves no choice: texts and pairs come back as drawn."""
    plan = plan_from_text(render_pages(table, 1))
    for c, r in zip(plan.concerns, table.rows, strict=True):
        assert c.concern_text == r.concern
        pairs = [(a.owner_raw, a.target_raw) for a in c.actions if a.kind == "action"]
        assert pairs == list(zip(r.owners, r.targets, strict=True))
    assert not [p for p in plan.problems if p.kind == "block_order"]


def test_a_response_with_one_full_line_stays_the_response():
    """A response block whose only full-width line sits among short ones ("... cells." /
    a long line / "cells.") has the width of the narrow column once that line is taken
    for two narrow lines the extractor joined; the order on the page decides then.
    Found by Hypothesis: the block went to the concern before it."""
    short, two = (
        "Cells cells cells cells.",
        "Cells cells cells cells. Cells cells cells cells cells cells.",
    )
    long_concern = "Cells cells cells cells cells cells cells cells cells."
    rows = [
        Row("1", short, None, ["Cells cells cells cells cells.", two], ["Governor"] * 2, ["March 2024"] * 2),
        Row("2", long_concern, None, [short, two], ["Governor"] * 2, ["March 2024"] * 2),
        Row("3", long_concern, None, [two, "Cells cells cells cells cells cells."], ["Governor"] * 2, ["March 2024"] * 2),
        Row("4", short, None, [short, short, "Cells cells cells cells cells."], ["Governor"] * 3, ["March 2024"] * 3),
    ]  # fmt: skip
    plan = plan_from_text(render_pages(Table("concerns", rows), 1))
    assert [c.concern_text for c in plan.concerns] == [r.concern for r in rows]
    assert [len(c.actions) for c in plan.concerns] == [2, 2, 2, 3]
    assert not [p for p in plan.problems if p.kind == "block_order"]


def test_rows_sharing_a_page_flow_are_reported():
    """Two rows whose responses run together on a page: split by overlap, and said so."""
    text = (
        OPENING + "\n".join([
            "Concern", "No", "", "Concerns", "", "Response Action Taken/Planned", "",
            "1", "", "2", "",
            "Cells on the wing were dirty.", "", "Food in the kitchen was cold.", "",
            "Cells are now cleaned daily and the wing", "is checked by managers.",
            "The kitchen has new ovens and food is", "served hot from the kitchen.",
            "", "Responsible", "Owner", "", "Target", "Date", "",
            "Governor", "", "May 2024", "", "Catering", "", "June 2024",
        ]) + "\n"
    )  # fmt: skip
    plan = plan_from_text(text)
    assert plan.layout == "block-order"
    one, two = plan.concerns
    assert one.actions[0].text.startswith("Cells are now cleaned")
    assert (one.actions[0].owner_raw, two.actions[0].owner_raw) == ("Governor", "Catering")
    assert {p.concern_id for p in plan.problems if p.kind == "block_order"} == {"1", "2"}


def test_decision_printed_beside_the_concern_line_by_line():
    """ "Not" / a concern line / "Agreed": the decision column interleaved with the concern's."""
    text = (
        OPENING + "\n".join([
            "Rec No", "Recommendation", "", "Agreed/", "Partly", "Agreed/ Not", "Agreed", "",
            "1", "", "2", "",
            "Key concern: Staff were too", "Not", "passive with prisoners.", "Agreed", "",
            "Key concern: Cells were dirty.", "", "Agreed", "",
            "Response Action Taken/Planned", "",
            "Staff will be trained to speak with prisoners daily.",
            "", "Responsible Owner", "", "Target Date", "",
            "Governor", "", "May 2024", "",
            "Cells are cleaned daily by the wing staff.", "", "Governor", "", "June 2024",
        ]) + "\n"
    )  # fmt: skip
    plan = plan_from_text(text)
    assert [(c.id, c.agreement) for c in plan.concerns] == [("1", "not_agreed"), ("2", "agreed")]
    assert plan.concerns[0].concern_text == "Staff were too passive with prisoners."


def test_text_straight_after_each_number_is_its_concern():
    """Every number followed straight by its concern cell: a response paragraph printed
    before the next number stays a response (columns of one width, so widths cannot
    tell them apart)."""
    text = (
        OPENING + "\n".join([
            "Concern", "No", "", "Concerns", "", "Response Action Taken/Planned", "",
            "1", "", "Cells on the wing were dirty and", "the showers broken.", "",
            "Cells are now cleaned daily and the", "wing is checked by managers.", "",
            "Responsible", "Owner", "", "Target", "Date", "",
            "Governor", "", "May 2024", "",
            "2", "", "Food in the kitchen was cold and", "served late.", "",
            "The kitchen has new ovens and the", "food is served hot and on time.", "",
            "Catering", "", "June 2024",
        ]) + "\n"
    )  # fmt: skip
    plan = plan_from_text(text)
    assert plan.layout == "block-order"
    one, two = plan.concerns
    assert one.concern_text == "Cells on the wing were dirty and the showers broken."
    assert two.concern_text == "Food in the kitchen was cold and served late."
    assert [a.text for a in two.actions] == [
        "The kitchen has new ovens and the food is served hot and on time."
    ]
    assert (one.actions[0].owner_raw, two.actions[0].owner_raw) == ("Governor", "Catering")


def test_a_line_joined_at_a_removed_hyphen_keeps_its_block_in_its_column():
    """pdftotext joins a line to the next where it removes a line-end hyphen: the one
    long line does not make a narrow concern block look like the wide response column."""
    joined = [
        "Staff did not carry out the",
        "checks and the bimonthly meeting with the governors of the",
        "was missed and no one",
        "followed up the actions.",
    ]
    text = (
        OPENING + "\n".join([
            "Concern", "No", "", "Concerns", "", "Response Action Taken/Planned", "",
            "1", "", "2", "", "3", "", "4", "",
            *joined, "",
            "Visits started late on", "most days and were cut", "short by staff.", "",
            "Wing checks were short of", "staff on most days and", "nights last year.", "",
            "Records of the checks were", "not kept on any of the", "wings we visited.", "",
            "Managers now carry out the checks on every wing each morning and the results",
            "are recorded on the wing log and reviewed every week by the head of residence",
            "and the custodial managers.", "",
            "A new rota covers every shift so that checks are never missed again on a wing",
            "and each missed check is reported to the duty governor on the same day that it",
            "happens.", "",
            "Records are kept on the new system and audited each month by the quality team",
            "with the results shared at the monthly meeting of the senior leadership team",
            "and the wing managers.", "",
            "Visits now start on time and a manager checks the hall each day at the start",
            "of the session so that no visit is cut short by a lack of staff on the day of",
            "the visit.", "",
            "Responsible", "Owner", "", "Target", "Date", "",
            "Governor", "", "May 2024", "", "Governor", "", "June 2024", "",
            "Governor", "", "July 2024", "", "Governor", "", "August 2024",
        ]) + "\n"
    )  # fmt: skip
    plan = plan_from_text(text)
    assert plan.layout == "block-order"
    assert plan.concerns[0].concern_text.split() == " ".join(joined).split()
    assert [c.concern_text for c in plan.concerns[1:]] == [
        "Visits started late on most days and were cut short by staff.",
        "Wing checks were short of staff on most days and nights last year.",
        "Records of the checks were not kept on any of the wings we visited.",
    ]
    assert all(c.actions and c.actions[0].text.endswith(".") for c in plan.concerns)


HEAD = ["Concern", "No", "", "Concerns", "", "Response Action Taken/Planned", ""]
ENTRY_TITLES = ["Responsible", "Owner", "", "Target", "Date", ""]


def test_stacked_owner_and_target_boxes_pair_with_each_paragraph():
    """A box of owner entries one a line beside a box of as many targets (stacked
    at the top of their cells), as pdfminer prints them: one entry a paragraph."""
    text = OPENING + "\n".join([
        *HEAD, "1", "", "Cells on the wing were dirty.", "",
        *ENTRY_TITLES, "Governor", "Head of Safety", "", "May 2024", "June 2025", "",
        "Cells are now cleaned daily and checked.", "",
        "Managers walk the wing each week.", "",
    ]) + "\n"  # fmt: skip
    plan = plan_from_text(text)
    pairs = [(a.owner_raw, a.target_raw) for a in plan.concerns[0].actions]
    assert pairs == [("Governor", "May 2024"), ("Head of Safety", "June 2025")]


def test_a_run_of_owner_boxes_before_their_targets_are_all_owners():
    text = OPENING + "\n".join([
        *HEAD, "1", "", "Cells on the wing were dirty.", "",
        "Cells are now cleaned daily and checked.", "",
        "Managers walk the wing each week.", "",
        "Paint was bought for every cell.", "",
        *ENTRY_TITLES, "Governor", "", "Head of Safety", "", "Head of Residence", "",
        "May 2024", "", "June 2025", "", "Completed", "",
    ]) + "\n"  # fmt: skip
    plan = plan_from_text(text)
    owners = [a.owner_raw for a in plan.concerns[0].actions]
    assert owners == ["Governor", "Head of Safety", "Head of Residence"]
    assert plan.concerns[0].concern_text == "Cells on the wing were dirty."


def test_a_lower_case_concern_right_after_its_number_is_that_rows():
    """A concern whose first letter was clipped ("he kitchen ...") printed right after
    its number, the text before it having ended its sentence: a row of its own."""
    text = OPENING + "\n".join([
        *HEAD, "1", "", "2", "", "Cells on the wing were dirty.", "",
        "Staff were rude to visitors.", "", "Cells are now cleaned daily and checked.", "",
        "Staff are trained to greet visitors.", "", *ENTRY_TITLES,
        "Governor", "", "May 2024", "", "Head of Safety", "", "July 2024", "", "\f",
        "3", "", "he kitchen served cold food.", "",
        "The kitchen has new ovens.", "", "Catering", "", "June 2025", "",
    ]) + "\n"  # fmt: skip
    plan = plan_from_text(text)
    assert plan.layout == "block-order"
    assert [c.concern_text for c in plan.concerns] == [
        "Cells on the wing were dirty.", "Staff were rude to visitors.",
        "he kitchen served cold food.",
    ]  # fmt: skip


def test_a_response_running_on_over_a_page_is_not_taken_for_a_concern():
    """The page breaks mid-sentence in the response column; the next page prints the
    rest (lower case) right after a concern that ended its sentence."""
    text = OPENING + "\n".join([
        *HEAD, "1", "", "Cells on the wing were dirty.", "", *ENTRY_TITLES,
        "Governor", "", "May 2024", "",
        "Cells are now cleaned daily and the wing is", "", "\f",
        "2", "", "The kitchen served cold food.", "",
        "checked by managers every week.", "",
        "The kitchen has new ovens.", "", "Catering", "", "June 2025", "",
    ]) + "\n"  # fmt: skip
    plan = plan_from_text(text)
    assert [c.concern_text for c in plan.concerns] == [
        "Cells on the wing were dirty.", "The kitchen served cold food.",
    ]  # fmt: skip
    assert "checked by managers" in plan.concerns[0].actions[0].text


def test_entries_are_shared_by_each_rows_paragraph_count():
    """Five entries for six paragraphs in three rows: the first two rows print one
    entry a paragraph, the third one entry for its two paragraphs."""
    text = OPENING + "\n".join([
        *HEAD, "1", "", "2", "", "3", "",
        "Cells on the wing were dirty.", "", "Visits started late.", "",
        "Kitchen food was cold.", "",
        "Cells are cleaned daily.", "",
        "Visits now start on time.", "", "Visits are booked online.", "",
        "Visits rooms were painted.", "",
        "Kitchen ovens were replaced.", "", "Kitchen staff check food.", "",
        *ENTRY_TITLES, "Governor", "", "May 2024", "", "Head of Safety", "", "June 2025", "",
        "Head of Residence", "", "Completed", "", "Head of Visits", "", "Ongoing", "",
        "Catering", "", "July 2024", "",
    ]) + "\n"  # fmt: skip
    plan = plan_from_text(text)
    assert plan.layout == "block-order"
    got = [[(a.owner_raw, a.target_raw) for a in c.actions] for c in plan.concerns]
    assert got[0] == [("Governor", "May 2024")]
    assert got[1] == [
        ("Head of Safety", "June 2025"), ("Head of Residence", "Completed"),
        ("Head of Visits", "Ongoing"),
    ]  # fmt: skip
    assert {(a.owner_raw, a.target_raw) for a in plan.concerns[2].actions} == {
        ("Catering", "July 2024")
    }


def test_the_text_printed_beside_a_number_is_its_concern_not_the_next_block():
    """Columns of one width (no width to tell them apart): a page printing a row's
    number, its concern, entries and responses, then the next number and concern.
    The block after the first concern is a response, though numbers are still to come."""
    text = OPENING + "\n".join([
        *HEAD, "1", "", "2", "", "Cells on the wing were dirty.", "",
        "Visits started late in the week.", "", "Cells are cleaned every day now.", "",
        "Visits now start on the hour.", "", *ENTRY_TITLES,
        "Governor", "", "May 2024", "", "Head of Visits", "", "June 2025", "", "\f",
        "3", "", "Kitchen food was served cold.", "", "Catering", "", "July 2024", "",
        "Kitchen ovens were replaced.", "", "Kitchen staff check the food.", "",
        "4", "", "Staff were rude to prisoners.", "",
        "Staff are trained in the regime.", "", "Head of Safety", "", "August 2024", "",
    ]) + "\n"  # fmt: skip
    plan = plan_from_text(text)
    assert plan.layout == "block-order"
    assert [c.concern_text for c in plan.concerns] == [
        "Cells on the wing were dirty.", "Visits started late in the week.",
        "Kitchen food was served cold.", "Staff were rude to prisoners.",
    ]  # fmt: skip
    assert "Kitchen ovens were replaced." in plan.concerns[2].actions[0].text


def test_an_owner_entry_wrapped_after_a_comma_is_an_owner():
    """ "Executive Director," / "Prison Supply" / "Directorate": one owner box beside its
    target; taken for a concern block, it would shift every concern after it."""
    text = OPENING + "\n".join([
        *HEAD, "1", "", "2", "", "Cells on the wing were dirty.", "",
        "Visits started late in the week.", "", "Cells are cleaned every day now.", "",
        *ENTRY_TITLES, "Executive Director,", "Prison Supply", "Directorate", "", "May 2024", "",
        "Visits now start on the hour.", "", "Governor", "", "June 2025", "",
    ]) + "\n"  # fmt: skip
    plan = plan_from_text(text)
    assert [c.concern_text for c in plan.concerns] == [
        "Cells on the wing were dirty.", "Visits started late in the week.",
    ]  # fmt: skip
    owners = [a.owner_raw for c in plan.concerns for a in c.actions]
    assert owners == ["Executive Director, Prison Supply Directorate", "Governor"]


def test_stacked_entries_outnumbering_a_rows_paragraphs_carry_to_the_next_page():
    """Three entries stacked at the top of a row's cells, one paragraph of it on its
    page: the next page's first two paragraphs are that row's, though new paragraphs."""
    text = OPENING + "\n".join([
        *HEAD, "1", "", "2", "", "Cells on the wing were dirty.", "",
        "Visits started late in the week.", "", "Cells are cleaned every day now.", "",
        *ENTRY_TITLES, "Governor", "", "May 2024", "",
        "Head of Visits", "Head of Visits", "Head of Visits", "",
        "June 2024", "July 2024", "August 2024", "",
        "Visits now start on the hour.", "", "\f",
        "3", "", "Kitchen food was served cold.", "",
        "Visits are booked online by families.", "", "Visits rooms were painted.", "",
        "Kitchen ovens were replaced.", "", "Catering", "", "May 2025", "",
    ]) + "\n"  # fmt: skip
    plan = plan_from_text(text)
    assert plan.layout == "block-order"
    two = plan.concerns[1]
    assert [(a.text, a.target_raw) for a in two.actions] == [
        ("Visits now start on the hour.", "June 2024"),
        ("Visits are booked online by families.", "July 2024"),
        ("Visits rooms were painted.", "August 2024"),
    ]  # fmt: skip
    assert [a.text for a in plan.concerns[2].actions] == ["Kitchen ovens were replaced."]
