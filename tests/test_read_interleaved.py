"""The line-interleaved reader (``actionnlp.read.interleaved``): pdfplumber-style text.

Generated tables (``tests/layout_tables.py``) are printed the way pdfplumber's
``extract_text`` prints a PDF table: each column wrapped to its printed width, and each
printed line the pieces of all columns side by side, joined by single spaces. The
reader must find every concern, keep every word, and cut the lines back into cells.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import actionnlp
from actionnlp.read.cells import agreement_of
from actionnlp.read.interleaved import Widths, cut_line, is_interleaved, text_width
from tests.layout_tables import OPENING, Table, tables

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def wrap(text: str, width: float) -> list[str]:
    """Greedy wrap by printed width, as a word processor does."""
    lines: list[str] = []
    cur: list[str] = []
    for word in text.split():
        if cur and text_width(" ".join([*cur, word])) > width:
            lines.append(" ".join(cur))
            cur = []
        cur.append(word)
    if cur:
        lines.append(" ".join(cur))
    return lines


def render_interleaved(table: Table, widths: tuple[float, float, float, float]) -> str:
    """The table as pdfplumber prints it: columns side by side, single spaces.

    Owner and target entries stand level with their paragraph; ``widths`` are the
    concern, response, owner and target columns' printed widths.
    """
    wc, wr, wo, wt = widths
    out = [" ".join(table.header)]
    for row in table.rows:
        resp: list[str] = []
        owners: list[str] = []
        targets: list[str] = []
        for para, owner, target in zip(row.paras, row.owners, row.targets, strict=True):
            start = len(resp)
            resp += wrap(para, wr)
            owners += [""] * (start - len(owners)) + wrap(owner, wo)
            targets += [""] * (start - len(targets)) + wrap(target, wt)
        cols = [wrap(row.concern, wc)]
        if table.era == "recommendations":
            cols.append([row.decision or ""])
        cols += [resp, owners, targets]
        for k in range(max(len(c) for c in cols)):
            pieces = [c[k] if k < len(c) else "" for c in cols]
            if k == 0:
                pieces.insert(0, row.id)
            out.append(" ".join(p for p in pieces if p))
    return OPENING + "\n".join(out) + "\n"


def _words(text: str) -> list[str]:
    return sorted(text.replace(";", " ").split())


column_widths = st.tuples(
    st.floats(24, 45), st.floats(35, 70), st.floats(14, 20), st.floats(12, 16)
)


@SETTINGS
@given(table=tables(), widths=column_widths)
def test_ids_decisions_and_every_word_read_back(table, widths):
    text = render_interleaved(table, widths)
    plan = actionnlp.read_plan(text=text)
    assert plan.layout == "interleaved"
    assert [c.id for c in plan.concerns] == [r.id for r in table.rows]
    assert [c.agreement for c in plan.concerns] == [agreement_of(r.decision) for r in table.rows]
    drawn = [
        w
        for r in table.rows
        for w in " ".join([r.concern, *r.paras, *r.owners, *r.targets]).split()
    ]
    read = [
        w
        for c in plan.concerns
        for w in " ".join(
            [c.full_text]
            + [" ".join(filter(None, [a.text, a.owner_raw, a.target_raw])) for a in c.actions]
        ).split()
    ]
    read += [w for p in plan.problems for w in (p.text or "").split()]
    assert not set(drawn) - set(read)


def test_a_printed_table_is_cut_back_into_its_cells():
    """Concern and response side by side, the owner and target beside the first line."""
    lines = [
        "No Concern Response Owner Target date",
        "1 Cells on the wing were dirty and Cleaning rotas are set for every wing Governor May 2024",
        "smelled of damp for many weeks. and checked by a manager each week.",
        "2 Staff were often absent from Staff rotas will be reviewed by the Head of Safety Completed",
        "their posts during the night. head of each wing every month.",
    ]
    plan = actionnlp.read_plan(text=OPENING + "\n".join(lines) + "\n")
    assert plan.layout == "interleaved"
    first, second = plan.concerns
    assert first.concern_text == "Cells on the wing were dirty and smelled of damp for many weeks."
    assert [a.text for a in first.actions] == [
        "Cleaning rotas are set for every wing and checked by a manager each week."
    ]
    assert (first.actions[0].owner_raw, first.actions[0].target_raw) == ("Governor", "May 2024")
    assert second.concern_text == "Staff were often absent from their posts during the night."
    assert (second.actions[0].owner_raw, second.actions[0].target_raw) == (
        "Head of Safety",
        "Completed",
    )


def test_a_line_is_cut_at_the_column_widths():
    w = Widths(concern=22, response=30, owner=10, target=10)
    words = "Cells were dirty and A rota is set for cleaning Governor May 2024".split()
    _, a, b, c = cut_line(words, w, concern=True, fw_concern=8, fw_response=6)
    assert (words[:a], words[a:b], words[b:c], words[c:]) == (
        ["Cells", "were", "dirty", "and"],
        ["A", "rota", "is", "set", "for", "cleaning"],
        ["Governor"],
        ["May", "2024"],
    )


def test_text_width_follows_the_glyphs():
    assert text_width("illicit") < text_width("MWMWMWM")
    assert text_width("0123") == 4.0


def test_column_blocks_and_tabs_are_not_interleaved():
    tabs = ["1\tCells were dirty.\tA rota is set for cleaning.\tGovernor\tMay 2024"] * 2
    blocks = ["1", "Cells were dirty.", "A rota is set.", "Governor", "May 2024", "2"]
    padded = ["1   Cells were dirty.   A rota is set for cleaning   Governor   May 2024"] * 2
    assert not is_interleaved(tabs)
    assert not is_interleaved(blocks)
    assert not is_interleaved(padded)


def test_a_long_hostile_line_reads_in_bounded_work():
    """A table of very long lines: every line is cut with bounded work, nothing raises."""
    line = " ".join(["Governor May 2024 cells were dirty"] * 400)
    text = OPENING + "No Concern Response Owner Target date\n"
    text += "\n".join(f"{i} Cells were dirty and {line}" for i in range(1, 40)) + "\n"
    plan = actionnlp.read_plan(text=text)
    assert len(plan.concerns) == 39
