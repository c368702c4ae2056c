"""Generated plan tables, rendered in the text layouts extractors produce.

A Hypothesis strategy draws a small plan (era, concern-number style, concerns with
one to three response paragraphs, each with an owner and a target entry) and the
renderers print it as tabs, pipes, a markdown table, fixed-width columns (with or
without blank lines between paragraphs) or column blocks. The tests read each
rendering back and compare it with what was drawn.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from hypothesis import strategies as st

WORDS = [
    "cells",
    "staff",
    "prisoners",
    "review",
    "plan",
    "meeting",
    "training",
    "support",
    "work",
    "health",
    "safety",
    "data",
    "records",
    "visits",
    "officers",
    "wing",
    "regime",
    "learning",
    "reading",
    "checks",
    "forum",
    "audit",
    "daily",
    "weekly",
]
OWNERS = ("Governor", "Head of Safety", "Deputy Director", "NHS England", "Head of Residence")
TARGETS = ("March 2024", "Completed", "June 2025", "Ongoing", "December 2023", "Q3 2024")
DECISIONS = ("Agreed", "Partly Agreed", "Not Agreed")
HEADERS = {
    "concerns": ["No", "Concern", "Response", "Owner", "Target date"],
    "recommendations": [
        "No",
        "Recommendation",
        "Agreed/ Partly Agreed/ Not Agreed",
        "Action",
        "Responsible owner",
        "Target date",
    ],
}


# a header's titles as pdftotext and pdfminer print them in block order: short lines
TITLES = {
    "concerns": ["Concern", "No", "", "Concerns", "", "Response Action Taken/Planned"],
    "recommendations": ["Rec No", "Recommendation", "", "Agreed/", "Partly", "Agreed/ Not",
                        "Agreed", "", "Response Action Taken/Planned"],
}  # fmt: skip
OWNER_TITLES = ["", "Responsible", "Owner", "", "Target", "Date", ""]


@dataclass
class Row:
    id: str
    concern: str
    decision: str | None
    paras: list[str]
    owners: list[str]
    targets: list[str]


@dataclass
class Table:
    era: str
    rows: list[Row]

    @property
    def header(self) -> list[str]:
        return HEADERS[self.era]

    def cells(self, row: Row) -> list[list[str]]:
        """Paragraphs per cell, in the header's order."""
        out = [[row.id], [row.concern]]
        if self.era == "recommendations":
            out.append([row.decision or ""])
        return [*out, row.paras, row.owners, row.targets]


def _ids(style: str, n: int, prefix: str) -> list[str]:
    return {
        "plain": [str(i) for i in range(1, n + 1)],
        "dotted": [f"1.{i}" for i in range(1, n + 1)],
        "zero": [f"5.{i:02d}" for i in range(1, n + 1)],
        "prefix": [f"{prefix}{i}" for i in range(1, n + 1)],
    }[style]


sentence = st.lists(st.sampled_from(WORDS), min_size=4, max_size=14).map(
    lambda ws: " ".join(ws).capitalize() + "."
)
paragraph = st.lists(sentence, min_size=1, max_size=3).map(" ".join)


@st.composite
def tables(draw) -> Table:
    era = draw(st.sampled_from(sorted(HEADERS)))
    n = draw(st.integers(1, 5))
    ids = _ids(
        draw(st.sampled_from(["plain", "dotted", "zero", "prefix"])),
        n,
        draw(st.sampled_from("SPK")),
    )
    rows = []
    for cid in ids:
        k = draw(st.integers(1, 3))
        rows.append(
            Row(
                cid,
                draw(paragraph),
                draw(st.sampled_from(DECISIONS)) if era == "recommendations" else None,
                [draw(paragraph) for _ in range(k)],
                [draw(st.sampled_from(OWNERS)) for _ in range(k)],
                [draw(st.sampled_from(TARGETS)) for _ in range(k)],
            )
        )
    return Table(era, rows)


OPENING = "Action Plan: HMP Example\n\nACTION PLAN: HMIP REPORT\n\n"


def render_separated(table: Table, *, sep: str, markdown: bool = False) -> str:
    """One row per line, cells split by ``sep``; paragraphs as ``<p>`` fragments."""

    def line(cells: list[str]) -> str:
        body = sep.join(cells)
        return f"| {body} |" if markdown else body

    out = [line(table.header)]
    if markdown:
        out.append("|" + "|".join("---" for _ in table.header) + "|")
    for row in table.rows:
        out.append(line([" ".join(f"<p>{p}</p>" for p in c) for c in table.cells(row)]))
    return OPENING + "\n".join(out) + "\n"


def render_fixed(table: Table, *, gap: bool) -> str:
    """Space-padded columns; owner and target entries level with their paragraph."""
    widths = [6, 30, 14, 48, 20, 14] if table.era == "recommendations" else [6, 30, 48, 20, 14]
    resp = 3 if table.era == "recommendations" else 2

    def join(cells: list[str]) -> str:
        return "".join(c.ljust(w + 2) for c, w in zip(cells, widths, strict=True)).rstrip()

    titles = [textwrap.wrap(h, w) for h, w in zip(table.header, widths, strict=True)]
    out = [join([t[k] if k < len(t) else "" for t in titles]) for k in range(max(map(len, titles)))]
    for row in table.rows:
        cells = table.cells(row)
        cols: list[list[str]] = [
            textwrap.wrap(" ".join(c), w) for c, w in zip(cells, widths, strict=False)
        ]
        body: list[str] = []
        starts: list[int] = []
        for i, p in enumerate(row.paras):
            if i and gap:
                body.append("")
            starts.append(len(body))
            body += textwrap.wrap(p, widths[resp])
        cols[resp] = body
        for j in (resp + 1, resp + 2):
            entries = cells[j]
            col: list[str] = []
            for s, e in zip(starts, entries, strict=True):
                col += [""] * (s - len(col))
                col += textwrap.wrap(e, widths[j])
            cols[j] = col
        for k in range(max(len(c) for c in cols)):
            out.append(join([c[k] if k < len(c) else "" for c in cols]))
    return OPENING + "\n".join(out) + "\n"


def render_blocks(table: Table) -> str:
    """Each cell after the other, blank lines between (a browser's text dump)."""
    out = [" ".join(table.header), ""]
    for row in table.rows:
        for cell in table.cells(row):
            for p in cell:
                out += [*textwrap.wrap(p, 70), ""]
    return OPENING + "\n".join(out) + "\n"


def render_html_dump(table: Table) -> str:
    """A dump of an HTML table (BeautifulSoup ``get_text``): cells apart by blank lines,
    a cell's later paragraphs opening with their first word flush left and the rest of
    the paragraph indented by tabs, as the HTML source broke its lines."""
    out = [" ".join(table.header), "", ""]
    for row in table.rows:
        for cell in table.cells(row):
            for i, p in enumerate(cell):
                first, _, rest = p.partition(" ")
                lines = textwrap.wrap(rest if i else p, 60)
                if i:
                    out.append(first)
                out += [f"\t\t\t\t{x}" for x in lines]
            out += ["", ""]
    return OPENING + "\n".join(out) + "\n"


RENDERERS = {
    "tabs": lambda t: render_separated(t, sep="\t"),
    "pipes": lambda t: render_separated(t, sep=" | "),
    "markdown": lambda t: render_separated(t, sep=" | ", markdown=True),
    "fixed": lambda t: render_fixed(t, gap=True),
    "fixed-tight": lambda t: render_fixed(t, gap=False),
    "blocks": render_blocks,
}
