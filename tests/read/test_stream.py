"""Column blocks: a table printed one cell after another, with or without blank lines."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

import actionnlp
from actionnlp.read.stream import stream_rows
from actionnlp.read.text import split_text
from tests.layout_tables import Table, render_html_dump, tables

RAW = """Action Plan: HMP Example
Rec
No
Recommendation Agreed/
Partly
Agreed/ Not
Agreed
Response Action Taken/Planned Responsible
Owner
Target Date
Key Concerns and Recommendations
K1 Concern: Cells were dirty and
cold in winter.
Partly
Agreed
This recommendation is partly agreed as heating
is funded centrally.
A cleaning rota is set for every wing.
Governor May 2024
Heaters are bought for the cold wings, as
planned.
Head of Estates March 2025
General Recommendations
R1 Recommendation: Staff should be present. Agreed Rotas are reviewed
every month and shared with staff.
Governor
Completed
"""

LYNX = """Action Plan: HMP Example

   No Concern Response Owner Target date
          Priority concerns

   S12

   Cells were dirty.

   A cleaning rota is set for every wing.

   Checks are made weekly.

   Head of Residence

   Governor

   May 2024

   Completed

   S13

   Staff were absent.

   Rotas are reviewed.

   Deputy Director

   Ongoing
"""


def test_raw_text_with_split_decision_and_owner_target_lines():
    plan = actionnlp.read_plan(text=RAW)
    assert plan.layout == "column-blocks"
    assert [(c.id, c.section, c.agreement) for c in plan.concerns] == [
        ("K1", "key", "partly_agreed"),
        ("R1", "general", "agreed"),
    ]
    k1, r1 = plan.concerns
    assert k1.concern_text == "Cells were dirty and cold in winter."
    steps = [(a.kind, a.owner_raw, a.target_raw) for a in k1.actions]
    assert steps == [
        ("rationale", None, None),
        ("action", "Governor", "May 2024"),
        ("action", "Head of Estates", "March 2025"),
    ]
    assert k1.actions[2].text == "Heaters are bought for the cold wings, as planned."
    assert r1.recommendation_text == "Staff should be present."
    assert r1.actions[0].text == "Rotas are reviewed every month and shared with staff."


def test_browser_dump_blocks():
    plan = actionnlp.read_plan(text=LYNX)
    assert plan.layout == "column-blocks"
    assert [c.id for c in plan.concerns] == ["S12", "S13"]
    s12 = plan.concerns[0]
    assert [(a.text, a.owner_raw, a.target_raw) for a in s12.actions] == [
        ("A cleaning rota is set for every wing.", "Head of Residence", "May 2024"),
        ("Checks are made weekly.", "Governor", "Completed"),
    ]
    assert plan.concerns[1].actions[0].target_raw == "Ongoing"


# -- entries level with their paragraph (pdftotext -raw) ------------------------------
#: A recommendations-era header as pdftotext -raw prints it: a title word or two a line.
RAW_HEADER = """Action Plan: HMP Example
Rec
No
Recommendation Agreed/
Partly
Agreed/
Not
Agreed
Response Action
Taken/Planned
Responsible
Owner
"""
LEVEL = (
    RAW_HEADER
    + """Target
Date
Priority Concerns and Recommendations
5.01 Key concern: Too few officers
were available for duty.
Agreed The Deputy Director will ensure
that vacancies are managed well.
Director July 2024
A new Occupational Health
provider has been commissioned.
Director Completed
The training team has been
revamped with two new tutors.
Director August
2024
5.02 Key concern: Screening was late.
Agreed Clinical managers now review
the screening lists every day.
Northamptonshi
re Healthcare
Foundation
Trust (NHFT)
Completed
A log of missed screenings is
kept and checked weekly.
Governor / Head of
Healthcare
June 2024
5.03 the late allocation of community
managers delayed release plans.
Agreed The escalation process will be
defined and shared with staff.
Director March 2024
"""
)


def test_entries_level_with_their_paragraphs():
    """Each paragraph is followed by its owner and target: one action each, even when
    a paragraph opens with capitalised words, a target or an owner wraps, or an
    owner's long word breaks across lines; a concern clipped lower-case still starts
    its row after a cell's end."""
    plan = actionnlp.read_plan(text=LEVEL)
    assert [c.id for c in plan.concerns] == ["5.01", "5.02", "5.03"]
    pairs = [
        [(a.text.split()[0], a.owner_raw, a.target_raw) for a in c.actions] for c in plan.concerns
    ]
    assert pairs == [
        [("The", "Director", "July 2024"), ("A", "Director", "Completed"),
         ("The", "Director", "August 2024")],
        [("Clinical", "Northamptonshire Healthcare Foundation Trust (NHFT)", "Completed"),
         ("A", "Governor / Head of Healthcare", "June 2024")],
        [("The", "Director", "March 2024")],
    ]  # fmt: skip
    assert plan.concerns[2].concern_text.startswith("the late allocation")


PAGED = (
    RAW_HEADER
    + """Target Date
Priority Concerns and Recommendations
1.1 Concern: Cells were dirty
and cold on
Agreed A cleaning rota is now set for every wing of the
prison and checked by a manager each
Governor
May 2024

every wing. Staff did not
report faults.
week, with the results reported to the monthly
safety meeting.
1.2 Concern: Staff were absent
from their posts at night.
Agreed Rotas are reviewed every month and shared with all
staff on each wing.
Governor Completed
1.3 Concern: Too few prisoners
were in education.
Partly Agreed The curriculum was reviewed last year and
meets the needs of the population.
Head of Learning June 2024
"""
)


def test_a_row_over_a_page_end_is_put_back_together():
    """Text whose only blank line ends a page (``pdftotext -raw``): the concern and the
    response each run on after it; without the blank (pypdf) a line opening lower-case
    after the target entry shows the same page end."""
    for text in (PAGED, PAGED.replace("May 2024\n\n", "May 2024\n")):
        plan = actionnlp.read_plan(text=text)
        first = plan.concerns[0]
        assert [c.id for c in plan.concerns] == ["1.1", "1.2", "1.3"]
        assert first.concern_text.endswith(
            "Cells were dirty and cold on every wing. Staff did not report faults."
        )
        assert [(a.text.split()[-1], a.owner_raw, a.target_raw) for a in first.actions] == [
            ("meeting.", "Governor", "May 2024")
        ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables())
def test_a_dumped_html_table_keeps_its_entries(table: Table):
    """BeautifulSoup's text of an HTML table: a cell's later paragraphs open flush left
    with the rest tab-indented ("People" / "<tab>Plus"); every owner and target entry
    comes back whole, one per paragraph, in order."""
    split = split_text(render_html_dump(table))
    rows = [r for r in stream_rows(split.table, split.header, decisions=True) if r.id_cell]
    assert [r.id_cell for r in rows] == [r.id for r in table.rows]
    for got, drawn in zip(rows, table.rows, strict=True):
        assert (got.owners, got.targets) == (drawn.owners, drawn.targets), got.id_cell


def _narrow(topic: str, month: str) -> str:
    """A plan's raw text (pdftotext -raw, pypdf) with narrow owner and target columns:
    each entry on its own lines, a date broken before its year, a status word broken
    inside ("Compl" / "eted"), and a page end right after a row's targets."""
    return f"""Action Plan: HMP Example
No Concern Response Owner Target date
1 The {topic} were dirty and
cold in winter.
A cleaning rota is set for the {topic}.
Checks are made every week.
Governor
Head of Residence
{month}
2025
Compl
eted
2 Staff were absent from the {topic}
at night.
Rotas are reviewed every month and
Deputy Governor
{month}
2026
shared with staff on each wing.
3 Too few prisoners used the {topic}.
A new timetable is published.
Head of Learning
Ongoing
"""


@pytest.mark.parametrize(("topic", "month"), [("showers", "July"), ("gyms", "March"),
                                              ("kitchens", "Sept")])  # fmt: skip
def test_entries_broken_in_narrow_columns_are_put_back(topic, month):
    """A target broken over lines ("July" / "2025", "Compl" / "eted") is one entry, and
    the page end after such a target (no blank line marks it) lets the response run on."""
    for text in (_narrow(topic, month), _narrow(topic, month).replace("\n2 ", "\n\n2 ")):
        plan = actionnlp.read_plan(text=text)
        assert [c.id for c in plan.concerns] == ["1", "2", "3"]
        one, two, _ = plan.concerns
        assert [(a.text, a.owner_raw, a.target_raw) for a in one.actions] == [
            (f"A cleaning rota is set for the {topic}.", "Governor", f"{month} 2025"),
            ("Checks are made every week.", "Head of Residence", "Completed"),
        ]
        assert [a.text for a in two.actions] == [
            "Rotas are reviewed every month and shared with staff on each wing."
        ]
        assert (two.actions[0].owner_raw, two.actions[0].target_raw) == (
            "Deputy Governor",
            f"{month} 2026",
        )


HEAD = ["Rec.", "No.", "Recommendation Agreed /", "Partly", "Agreed", "Response", "Owner",
        "Target", "date"]  # fmt: skip


@pytest.mark.parametrize("topics", [["showers", "gyms", "kitchens"], ["library", "chapel"]])
def test_a_repeated_header_takes_its_number_title_with_it(topics):
    """A header repeated at the top of each page (raw text, titles stacked one per line):
    the number column's title printed above the rest ("Rec." / "No.") goes with it, not
    into the row before."""
    lines = ["Action Plan: HMP Example", *HEAD]
    for n, topic in enumerate(topics, start=1):
        lines += [f"{n} Concern: The {topic} were dirty.", "Agreed"]
        lines += [f"A rota is set for the {topic}.", "Governor", "May 2025", *HEAD]
    plan = actionnlp.read_plan(text="\n".join(lines[: -len(HEAD)]))
    assert [(c.id, c.agreement) for c in plan.concerns] == [
        (str(n), "agreed") for n in range(1, len(topics) + 1)
    ]
    for c, topic in zip(plan.concerns, topics, strict=True):
        assert [(a.text, a.owner_raw, a.target_raw) for a in c.actions] == [
            (f"A rota is set for the {topic}.", "Governor", "May 2025")
        ]
    assert not any(p.text and "Rec." in p.text for p in plan.problems)


@pytest.mark.parametrize("owner", ["Governor", "Head of Residence", "Deputy Director"])
def test_a_clipped_concern_after_an_owner_entry_starts_its_row(owner):
    """A row that ends with an owner entry and no target: the next number, whose concern
    opens lower-case (its first word clipped), still starts the next row."""
    text = "\n".join([
        "Action Plan: HMP Example", "No Concern Response Owner Target date",
        "1 Cells were dirty.", "A rota is set for every wing.", owner,
        "2 the showers were cold.", "Boilers are repaired.", "Head of Estates", "May 2025",
    ])  # fmt: skip
    plan = actionnlp.read_plan(text=text)
    assert [c.id for c in plan.concerns] == ["1", "2"]
    one, two = plan.concerns
    assert [(a.text, a.owner_raw) for a in one.actions] == [
        ("A rota is set for every wing.", owner)
    ]
    assert two.concern_text == "the showers were cold."


def test_a_title_case_line_inside_a_wrapped_response_ends_no_row():
    """A response wrapped before a post ("... reviewed by the" / "Head of Residence") does
    not end its row there: the next line opening with the next number ("2 to 3
    officers ...") is still response text, since the line above the post ran on."""
    text = "\n".join([
        "Action Plan: HMP Example", "No Concern Response Owner Target date",
        "1 Cells were dirty.", "A rota is set for every wing and reviewed by the",
        "Head of Residence", "2 to 3 officers check it each week.", "Governor", "May 2025",
        "2 The showers were cold.", "Boilers are repaired.", "Head of Estates", "May 2025",
    ])  # fmt: skip
    plan = actionnlp.read_plan(text=text)
    assert [c.id for c in plan.concerns] == ["1", "2"]
    one, two = plan.concerns
    assert [(a.owner_raw, a.target_raw) for a in one.actions] == [("Governor", "May 2025")]
    assert one.actions[0].text.endswith("Head of Residence 2 to 3 officers check it each week.")
    assert two.concern_text == "The showers were cold."
