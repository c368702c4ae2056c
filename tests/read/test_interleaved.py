"""The line-interleaved reader (``actionnlp.read.interleaved``): pdfplumber-style text.

Generated tables (``tests/layout_tables.py``) are printed the way pdfplumber's
``extract_text`` prints a PDF table: each column wrapped to its printed width, and each
printed line the pieces of all columns side by side, joined by single spaces. The
reader must find every concern, keep every word, and cut the lines back into cells.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import actionnlp
from actionnlp.read.cells import agreement_of
from actionnlp.read.interleaved import is_interleaved
from actionnlp.read.linecut import Widths, cut_line, text_width
from tests.layout_tables import OPENING, WORDS, Row, Table, tables

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


def wrap_breaking(text: str, width: float) -> list[str]:
    """Wrap as a word processor does in a narrow cell: a word wider than the column is
    broken where the column ends, without a hyphen, its rest opening the next line."""
    lines: list[str] = []
    cur = ""
    for word in text.split():
        if cur and text_width(f"{cur} {word}") <= width:
            cur = f"{cur} {word}"
            continue
        if cur:
            lines.append(cur)
        while text_width(word) > width:
            k = max(k for k in range(1, len(word)) if text_width(word[:k]) <= width)
            lines.append(word[:k])
            word = word[k:]
        cur = word
    return [*lines, cur] if cur else lines


def render_interleaved(
    table: Table, widths: tuple[float, float, float, float], owner_wrap=wrap
) -> str:
    """The table as pdfplumber prints it: columns side by side, single spaces.

    Owner and target entries stand level with their paragraph; ``widths`` are the
    concern, response, owner and target columns' printed widths; ``owner_wrap``
    wraps the owner entries.
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
            owners += [""] * (start - len(owners)) + owner_wrap(owner, wo)
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
    read = " ".join(
        [c.full_text for c in plan.concerns]
        + [
            " ".join(filter(None, [a.text, a.owner_raw, a.target_raw]))
            for c in plan.concerns
            for a in c.actions
        ]
        + [p.text or "" for p in plan.problems]
    )
    assert not set(drawn) - set(read.replace(";", " ").split())  # entries are joined by "; "


PRINTED = Table(
    "recommendations",
    [
        Row("S1", "Cells on the wing were dirty and smelled of damp for many weeks. Prisoners "
            "said that their complaints about the cells were not answered.",
            "Partly Agreed",
            ["Cleaning rotas are set for every wing and checked by a manager each week, "
             "with the results reported to the monthly safety meeting.",
             "A deep clean of the older wings will follow in the spring."],
            ["Governor", "Head of Safety"], ["March 2024", "Completed"]),
        Row("S2", "Staff were often absent from their posts during the night, and "
            "prisoners could not get help quickly.", "Agreed",
            ["Night rotas will be reviewed by the head of each wing every month, and gaps "
             "will be filled from the detached duty list where staff are available."],
            ["Deputy Director"], ["Ongoing"]),
        Row("S3", "Too few prisoners were in education, skills or work, and the "
            "curriculum did not meet their needs.", "Not Agreed",
            ["The curriculum was reviewed last year and already meets the needs of the "
             "population, so no further review is planned at present.",
             "Attendance will still be monitored by the learning and skills team, who "
             "will report each quarter to the senior leadership team."],
            ["Head of Learning", "Head of Learning"], ["June 2024", "Q3 2024"]),
    ],
)  # fmt: skip


def test_a_printed_table_is_cut_back_into_its_cells():
    """Cells side by side on each printed line come back whole, entries paired."""
    plan = actionnlp.read_plan(text=render_interleaved(PRINTED, (30.0, 45.0, 16.0, 14.0)))
    assert plan.layout == "interleaved"
    for c, r in zip(plan.concerns, PRINTED.rows, strict=True):
        assert (c.id, c.agreement) == (r.id, agreement_of(r.decision))
        assert c.concern_text == r.concern
        assert [a.text for a in c.actions] == r.paras
        assert [(a.owner_raw, a.target_raw) for a in c.actions] == list(
            zip(r.owners, r.targets, strict=True)
        )


def test_a_line_is_cut_at_the_column_widths():
    """The first line of a row: the response opens with a capital, the owner and target
    stand at the end; "smelled" and "every" did not fit on their columns' lines."""
    w = Widths(concern=18, response=22, owner=10, target=10)
    words = [
        "Cells",
        "were",
        "dirty",
        "and",
        "A",
        "rota",
        "is",
        "set",
        "for",
        "cleaning",
        "Governor",
        "May",
        "2024",
    ]
    fw = {"fw_concern": text_width("smelled"), "fw_response": text_width("every")}
    _, a, b, c = cut_line(words, w, concern=True, prev_concern=0, prev_response=0, **fw)
    assert (words[:a], words[a:b], words[b:c], words[c:]) == (
        ["Cells", "were", "dirty", "and"],
        ["A", "rota", "is", "set", "for", "cleaning"],
        ["Governor"],
        ["May", "2024"],
    )
    # not knowing that the response cell starts on this line, "A" fits the concern too
    _, a, _, _ = cut_line(words, w, concern=True, **fw)
    assert words[:a] == ["Cells", "were", "dirty", "and", "A"]


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


def test_the_concern_cell_ends_at_its_closing_bracket():
    """On the concern's last printed line its piece should close the cell (a sentence
    end or a bracket): the response's words beside "Governor)" stay in the response."""
    w = Widths(concern=45.7, response=40.5, owner=15.8, target=13.8)
    words = ["Governor)", "number", "of", "dismissals", "over", "time."]
    above = {
        "prev_concern": text_width("monitored and reduced over time. (Directed to: the"),
        "prev_response": text_width("adjudication process can lead to a reduction in the"),
    }
    cuts = {
        closing: cut_line(words, w, concern=True, fw_response=text_width("Through"),
                          prev_entry=False, closing=closing, **above)[1]
        for closing in (False, True)
    }  # fmt: skip
    assert " ".join(words[: cuts[True]]) == "Governor)"
    assert cuts[False] > 1  # without the rule the concern takes the response's words


def pad_header(text: str, table: Table) -> str:
    """The header as ``layout=True`` prints it: each title's first word at its column,
    the wrapped title words on the line below at theirs (the number column's title
    over two lines, "Rec" / "No"), padded with spaces, and the header repeated the
    same way between two printed lines of the table, as at a page break."""
    lines = text.splitlines()
    k = lines.index(" ".join(table.header))
    titles = [["Rec", "No"]] + [h.split() for h in table.header[1:]]
    top, below = "", ""
    for t in titles:
        top, below = top.ljust(len(below)), below.ljust(len(top))
        top, below = top + t[0] + "      ", below + " ".join(t[1:]) + "      "
    head = ["  " + top.rstrip(), "  " + below.rstrip()]
    middle = k + 1 + (len(lines) - k - 1) // 2
    return "\n".join([*lines[:k], *head, *lines[k + 1 : middle], *head, *lines[middle:]]) + "\n"


@SETTINGS
@given(table=tables(), widths=column_widths)
def test_a_padded_repeated_header_is_dropped(table, widths):
    """A header padded with runs of spaces, and its repeat, are not read as cell text."""
    text = pad_header(render_interleaved(table, widths), table)
    plan = actionnlp.read_plan(text=text)
    assert [c.id for c in plan.concerns] == [r.id for r in table.rows]
    assert not [p for p in plan.problems if p.kind == "unplaced_text"]
    titles = {w for h in table.header for w in h.split()} - {"Agreed", "Partly", "Not"}
    read = " ".join(
        " ".join(filter(None, [a.text, a.owner_raw, a.target_raw, c.full_text]))
        for c in plan.concerns
        for a in c.actions
    ).split()
    assert not titles & set(read)


NARROW_OWNERS = ("Governor", "Head of Safety", "Cambridgeshire County Council", "Deputy Director")


def test_an_owner_word_broken_over_a_narrow_column_is_rejoined():
    """A word too wide for the owner column is broken at its edge (no hyphen) and its
    rest printed at the start of the column's next line, before the entry's next word:
    the entry comes back whole, the rest not taken for the response's last word."""
    more = " The progress will be checked each month by the senior leadership team."
    owners = iter([NARROW_OWNERS[2], *NARROW_OWNERS[:2], NARROW_OWNERS[2], NARROW_OWNERS[3]])
    table = Table(
        PRINTED.era,
        [
            replace(r, paras=[p + more for p in r.paras], owners=[next(owners) for _ in r.owners])
            for r in PRINTED.rows
        ],
    )  # paragraphs of three lines or more: each entry level with its paragraph
    text = render_interleaved(table, (30.0, 45.0, 11.0, 14.0), owner_wrap=wrap_breaking)
    assert (
        "\nsmelled of damp for many weeks. manager each week, with the results reported to the ire County\n"
        in text
    )
    plan = actionnlp.read_plan(text=text)
    for c, r in zip(plan.concerns, table.rows, strict=True):
        assert [a.text for a in c.actions] == r.paras
        assert [a.owner_raw for a in c.actions] == r.owners


@SETTINGS
@given(
    response=st.lists(st.sampled_from(WORDS), min_size=3, max_size=8),
    rest=st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=4),
    entry=st.sampled_from(["Council", "Trust", "NHS", "Care"]),
    column=st.floats(9.0, 14.0),
)
def test_the_rest_of_a_broken_owner_word_opens_the_owner_piece(response, rest, entry, column):
    """Below an owner piece of one word as wide as its column, a lower-case word
    followed by more of the entry (both fitting the column) is the broken word's rest;
    below a shorter word it is the response's."""
    assume(rest not in {"and", "of", "the", "for", "to", "in", "with", "at"})  # joining words
    assume(text_width(f"{rest} {entry}") <= column)
    words = [*response, rest, entry]
    w = Widths(concern=20, response=text_width(" ".join(response)) + 2, owner=column, target=12)
    cut = {
        broken: cut_line(words, w, concern=False, prev_response=0.0, prev_entry=True,
                         prev_owner=width, prev_word=width, target=False)
        for broken, width in ((True, column - 0.5), (False, column / 2))
    }  # fmt: skip
    assert words[cut[True][2] : cut[True][3]] == [rest, entry]
    assert rest not in words[cut[False][2] : cut[False][3]]


def test_a_sentence_end_before_a_lower_case_line_keeps_the_next_word():
    """A response piece ending a sentence cannot be followed by a piece opening
    lower-case: the capitalised word after that sentence end opens the next sentence
    (its rest, "against ...", is on the next line), it is not an owner's second line."""
    w = Widths(concern=20, response=44, owner=9, target=10)
    words = ["reading", "records", "and", "staff", "visits", "are", "checked.", "Progress"]
    above = {"prev_response": text_width("A review of the daily reading records"),
             "prev_entry": True, "prev_owner": text_width("Governor")}  # fmt: skip
    cuts = {
        lower: cut_line(words, w, concern=False, fw_response=text_width("against"),
                        next_lower=lower, **above)
        for lower in (False, True)
    }  # fmt: skip
    assert words[cuts[True][1] : cuts[True][2]] == words  # all the response's
    assert words[cuts[False][2] : cuts[False][3]] == ["Progress"]  # not knowing the case


def test_an_owner_entry_the_plan_repeats_does_not_take_the_responses_word():
    """A plan's owners repeat: an entry printed whole beside a target again and again
    ("Director") is the owner piece on a line that ends "... Small Firms Director June
    2024", not "Firms Director"; and the line below such an entry does not continue it."""
    words = ["The", "introduction", "of", "Small", "Firms", "Director", "June", "2024"]
    w = Widths(concern=20, response=26, owner=14, target=10)
    fw = {"fw_response": text_width("Enterprise"), "prev_response": 0.0, "prev_entry": True}
    cuts = {
        known: cut_line(words, replace(w, known=known), concern=False, **fw)
        for known in (frozenset(), frozenset({"Director"}))
    }
    assert words[cuts[frozenset({"Director"})][2] : cuts[frozenset({"Director"})][3]] == [
        "Director"
    ]
    assert words[cuts[frozenset()][2] : cuts[frozenset()][3]] == ["Firms", "Director"]
    below = ["in", "March", "2023.", "Delivered", "to", "a", "mix", "of", "SOs,", "Custodial"]
    w = Widths(concern=20, response=41.5, owner=9, target=10, known=frozenset({"Governor"}))
    above = {"prev_response": text_width("A managers development programme commenced"),
             "prev_entry": True, "prev_owner": text_width("Governor")}  # fmt: skip
    cut = {
        k: cut_line(below, w, concern=False, fw_response=text_width("Managers"), prev_known=k,
                    **above)
        for k in (False, True)
    }  # fmt: skip
    assert cut[True][2] == cut[True][3] == len(below)  # all the response's
    assert below[cut[False][2] :] == ["Custodial"]
