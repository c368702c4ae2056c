"""Column blocks: a table printed one cell after another, with or without blank lines."""

from __future__ import annotations

import actionnlp

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
