"""The segmenter carries each row's page (PDF) onto its concern and actions."""

from __future__ import annotations

from actionnlp.read.segment import RawRow, build_concerns


def test_actions_and_concerns_take_the_page_of_their_row():
    rows = [
        RawRow("1", "Cells were dirty.", response=["Rota set."], owners=["Gov"],
               targets=["May 2024"], page=1),
        # the same row's rest after a page break: it continues the paragraph on page 1
        RawRow(response=["and checked weekly."], page=2),
        RawRow(response=["Paint bought."], owners=["Works"], targets=["June 2024"], page=2),
        RawRow("2", "Showers broken.", response=["Repaired."], owners=["Works"],
               targets=["July 2024"], page=3),
    ]  # fmt: skip
    concerns, _ = build_concerns(rows)
    assert [c.page for c in concerns] == [1, 3]
    got = [(a.text, a.page) for c in concerns for a in c.actions]
    assert got == [
        ("Rota set. and checked weekly.", 1),
        ("Paint bought.", 2),
        ("Repaired.", 3),
    ]


def test_rows_without_a_page_give_none():
    concerns, _ = build_concerns([RawRow("1", "Dirty.", response=["Cleaned."], owners=["Gov"])])
    assert concerns[0].page is None and concerns[0].actions[0].page is None
