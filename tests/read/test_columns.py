"""Fixed-width text (``pdftotext -layout`` style): columns from white-space alignment."""

from __future__ import annotations

import actionnlp
from actionnlp.read.columns import find_fixed_header


def line(cells: list[str], starts: list[int]) -> str:
    """Cells printed from the given character offsets (at least two spaces apart)."""
    out = ""
    for text, at in zip(cells, starts, strict=True):
        if text:
            out = out.ljust(at) if len(out) < at - 1 or not out else out + "  "
            out += text
    return out


PAGE1 = [0, 7, 36, 52, 88, 101]
PAGE2 = [0, 4, 30, 45, 80, 93]  # the next page moved every column left
HEADER = [
    ["Rec No Recommendation", "", "Agreed/", "Response", "Owner", "Target"],
    ["", "", "Partly Agreed/", "", "", "Date"],
    ["", "", "Not Agreed", "", "", ""],
]
ROWS1 = [
    ["K1", "Cells were dirty and", "Partly Agreed", "This recommendation is partly", "", ""],
    ["", "cold.", "", "agreed as heating is funded", "", ""],
    ["", "", "", "centrally.", "", ""],
    ["", "", "", "A cleaning rota is set for", "Governor", "May 2024"],
    ["", "", "", "every wing.", "", ""],
    ["K2", "Meals were served", "Agreed", "Meal times are moved to", "Governor", "June 2024"],
    ["", "too early in the", "", "after five o'clock.", "", ""],
    ["", "evening.", "", "", "", ""],
    ["K3", "Showers were broken", "Agreed", "Showers are repaired on", "Head of", "April 2024"],
    ["", "on two wings.", "", "every wing and checked by", "Estates", ""],
]
ROWS2 = [
    ["", "", "", "managers each week.", "", ""],
    ["", "", "", "Heaters are bought for the", "Head of", "March 2025"],
    ["", "", "", "cold wings.", "Estates", ""],
    ["K4", "Staff were absent.", "Agreed", "Rotas are reviewed.", "Governor", "Completed"],
]
TEXT = "\n".join(
    [
        "Action Plan: HMP Example",
        "",
        *(line(r, PAGE1) for r in HEADER),
        *(line(r, PAGE1) for r in ROWS1),
        "\f" + line(HEADER[0], PAGE2),
        *(line(r, PAGE2) for r in HEADER[1:]),
        *(line(r, PAGE2) for r in ROWS2),
    ]
)


def test_header_titles_one_space_apart_are_split_by_the_columns_below():
    h = find_fixed_header(TEXT.splitlines())
    assert h is not None
    assert h.roles == ["id", "concern", "agreement", "response", "owner", "target"]
    assert (h.start, h.end) == (2, 5)


def test_rows_read_across_a_page_that_moved_the_columns():
    plan = actionnlp.read_plan(text=TEXT)
    assert plan.layout == "fixed-width"
    assert [(c.id, c.agreement) for c in plan.concerns] == [
        ("K1", "partly_agreed"),
        ("K2", "agreed"),
        ("K3", "agreed"),
        ("K4", "agreed"),
    ]
    k1, k2, k3, k4 = plan.concerns
    assert k1.concern_text == "Cells were dirty and cold."
    assert [(a.kind, a.owner_raw, a.target_raw) for a in k1.actions] == [
        ("rationale", None, None),
        ("action", "Governor", "May 2024"),
    ]
    assert k2.concern_text == "Meals were served too early in the evening."
    showers, heaters = k3.actions
    assert showers.text == "Showers are repaired on every wing and checked by managers each week."
    assert (showers.owner_raw, showers.target_raw) == ("Head of Estates", "April 2024")
    assert heaters.text == "Heaters are bought for the cold wings."
    assert (heaters.owner_raw, heaters.target_raw) == ("Head of Estates", "March 2025")
    assert (k4.actions[0].owner_raw, k4.actions[0].status) == ("Governor", "completed")


def test_text_cut_into_the_decision_column_opens_the_response():
    """A page whose columns moved left (its mark lost) starts the response's lines inside
    the decision column; the decision column holds decision words only, so that text
    goes back to the response and no word is lost."""
    from tests.layout_tables import Row, Table, render_fixed

    long = (
        "Cleaning rotas are set for every wing and checked by a manager each week, with "
        "the results reported to the monthly safety meeting and shared with the prisoner "
        "council so that complaints about dirty cells are answered within a week."
    )
    paras = [long, "A deep clean of the older wings will follow in the spring.", long, long]
    table = Table(
        "recommendations",
        [
            Row("1", "Cells were dirty.", "Partly Agreed", paras, ["Governor"] * 4,
                ["March 2024", "Completed", "June 2024", "Ongoing"]),
            Row("2", "Staff were absent.", "Agreed", ["Rotas are reviewed monthly."],
                ["Director"], ["Ongoing"]),
        ],
    )  # fmt: skip
    lines = render_fixed(table, gap=True).splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.startswith("1 "))
    moved = [
        ln[10:] if i > first + 1 and ln.startswith(" " * 50) else ln for i, ln in enumerate(lines)
    ]
    plan = actionnlp.read_plan(text="\n".join(moved) + "\n")
    assert [c.id for c in plan.concerns] == ["1", "2"]
    assert [a.text for a in plan.concerns[0].actions] == paras
    assert plan.concerns[0].agreement == "partly_agreed"


def test_an_owner_word_broken_at_the_column_edge_is_rejoined():
    """An owner word wider than its column is broken at the edge without a hyphen; its
    rest opens the next line of the cell, and the entry comes back whole."""

    def line(i: str, c: str, r: str, o: str, t: str) -> str:
        return f"{i:<5}{c:<26}{r:<34}{o:<16}{t}".rstrip()

    rows = [
        line("No", "Concern", "Response", "Owner", "Target date"),
        line("1", "Cells were dirty and", "Cleaning rotas are set for every", "Northamptonshi", "Completed"),
        line("", "cold in the winter.", "wing and checked by a manager", "re Healthcare", ""),
        line("", "", "each week by the wing staff.", "Trust", ""),
        line("", "", "A deep clean of the older wings", "Governor", "June 2024"),
        line("", "", "will follow in the spring.", "", ""),
    ]  # fmt: skip
    plan = actionnlp.read_plan(text="Action Plan: HMP Example\n\n" + "\n".join(rows) + "\n")
    assert plan.layout == "fixed-width"
    assert [(a.owner_raw, a.target_raw) for a in plan.concerns[0].actions] == [
        ("Northamptonshire Healthcare Trust", "Completed"),
        ("Governor", "June 2024"),
    ]


def test_a_decision_one_space_after_a_full_concern_line_is_the_decision():
    """A concern line that fills its column leaves one space before the decision printed
    at the decision column's start: the decision is read, not kept in the concern."""

    def line(i: str, c: str, d: str, r: str) -> str:
        return f"{i:<6}{c:<40}{d:<14}{r}".rstrip()

    rows = [
        line("No", "Recommendation", "Agreed/", "Response"),
        line("", "", "Not agreed", ""),
        line("1", "Cells were dirty and", "Agreed", "Cleaning rotas are set for every wing."),
        line("", "cold in the winter.", "", ""),
        "2     Concern: the promotion of equality and Agreed        Forums are held every month.",
        line("", "diversity was limited.", "", ""),
        line("3", "Meals were served too early.", "Not Agreed", "Meal times stay as they are."),
    ]
    plan = actionnlp.read_plan(text="Action Plan: HMP Example\n\n" + "\n".join(rows) + "\n")
    assert plan.layout == "fixed-width"
    assert [(c.id, c.agreement) for c in plan.concerns] == [
        ("1", "agreed"),
        ("2", "agreed"),
        ("3", "not_agreed"),
    ]
    assert plan.concerns[1].concern_text.endswith("equality and diversity was limited.")
