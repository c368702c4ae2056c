"""Tests for actionnlp.read.owners_cell: splitting joint and run-together owner cells."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actionnlp.read.owners_cell import (
    collapse_echo,
    owner_lines,
    repeated_unit,
    split_owner_entries,
    split_owners,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Governor / Head of Healthcare", ["Governor", "Head of Healthcare"]),
        ("CEO Care UK and Governor", ["CEO Care UK", "Governor"]),
        ("Novus/Governor", ["Novus", "Governor"]),
        (
            "NHS England & Northamptonshire Healthcare NHS Foundation Trust",
            ["NHS England", "Northamptonshire Healthcare NHS Foundation Trust"],
        ),
        ("SMG, Deputy Director", ["SMG", "Deputy Director"]),
        ("RPOM/Wates", ["RPOM", "Wates"]),
        ("Head of\nPsychology", ["Head of Psychology"]),
        (
            "Executive Director, Prison Supply Directorate",
            ["Executive Director, Prison Supply Directorate"],
        ),
        ("Head of Safety and Equalities", ["Head of Safety and Equalities"]),
        ("Learning and Skills Manager", ["Learning and Skills Manager"]),
        ("LTHSE Contracts Team", ["LTHSE Contracts Team"]),
        (
            "Regional Property Operation Manager (RPOM)",
            ["Regional Property Operation Manager (RPOM)"],
        ),
        ("Governing Governor", ["Governing Governor"]),
        (
            "Governor, Head of Healthcare and Head of Residence",
            ["Governor", "Head of Healthcare", "Head of Residence"],
        ),
        ("Head of Learning and Skills and Governor", ["Head of Learning and Skills", "Governor"]),
        (
            "Head of Healthcare (Care UK / Practice Plus) and Governor",
            ["Head of Healthcare (Care UK / Practice Plus)", "Governor"],
        ),
        ("Governor and/or Deputy Governor", ["Governor", "Deputy Governor"]),
        ("  Governor ;  ", ["Governor"]),
        ("", []),
        ("   ", []),
        (None, []),
    ],
)
def test_split_owners(cell: str | None, expected: list[str]) -> None:
    assert split_owners(cell) == expected


@pytest.mark.parametrize(
    ("cell", "n", "expected"),
    [
        ("Governor Governor", 2, ["Governor", "Governor"]),
        ("Governing Governing Governing", 3, ["Governing"] * 3),
        (
            "Governing Governor Governing Governor",
            2,
            ["Governing Governor", "Governing Governor"],
        ),
        ("Governor  \n Governor", 2, ["Governor", "Governor"]),
        ("Governor", 1, ["Governor"]),
        ("Governor Head of Healthcare", 2, None),
        ("Governor Governor Governor", 2, None),
        ("Governor Governor", 3, None),
        ("", 2, None),
        ("Governor Governor", 0, None),
    ],
)
def test_split_owner_entries(cell: str, n: int, expected: list[str] | None) -> None:
    assert split_owner_entries(cell, n) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Governor Governor", ["Governor", "Governor"]),
        ("Governing Governor Governing Governor", ["Governing Governor"] * 2),
        ("Governor", ["Governor"]),
        ("Head of Healthcare Governor", ["Head of Healthcare Governor"]),
        ("", [""]),
    ],
)
def test_repeated_unit(cell: str, expected: list[str]) -> None:
    assert repeated_unit(cell) == expected


_SEP_WORDS = {"and", "or"}


def _letters(text: str) -> str:
    """Alphanumerics in order, leaving out the words the splitter may drop."""
    words = re.findall(r"[^\W_]+", text)
    return "".join(w for w in words if w.casefold() not in _SEP_WORDS)


_OWNERISH = st.lists(
    st.sampled_from(
        [
            "Governor",
            "Head",
            "of",
            "Safety",
            "and",
            "or",
            "NHS",
            "/",
            "&",
            ",",
            "(",
            ")",
            "Novus",
            "Team",
            "Director",
            "Directorate",
            ";",
            "\n",
            "Skills",
            "x1",
        ]
    ),
    max_size=12,
).map(" ".join)


@settings(max_examples=120, deadline=None)
@given(st.one_of(st.text(max_size=60), _OWNERISH))
def test_split_owners_keeps_text(cell: str) -> None:
    owners = split_owners(cell)
    assert all(o and o == " ".join(o.split()) for o in owners)
    # nothing is lost but OCR echoes (a word or the whole cell repeated)
    assert _letters(" ".join(owners)) == _letters(collapse_echo(cell))
    assert len(_letters(collapse_echo(cell))) <= len(_letters(cell))


_TOKEN = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8
)


@settings(max_examples=100, deadline=None)
@given(st.lists(_TOKEN, min_size=1, max_size=4).map(" ".join), st.integers(2, 5))
def test_repeated_unit_round_trips(unit: str, k: int) -> None:
    cell = " ".join([unit] * k)
    parts = repeated_unit(cell)
    assert " ".join(parts) == cell
    assert len(parts) % k == 0
    assert len({p.casefold() for p in parts}) == 1
    if repeated_unit(unit) == [unit]:  # the unit does not repeat itself
        assert parts == [unit] * k
    assert split_owner_entries(cell, k) == [unit] * k


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40), st.integers(-1, 4))
def test_owner_entries_never_raise(cell: str, n: int) -> None:
    out = split_owner_entries(cell, n)
    assert out is None or (len(out) == n and " ".join(out) == " ".join(cell.split()))
    parts = repeated_unit(cell)
    assert parts == [cell] or " ".join(parts) == " ".join(cell.split())
    if parts != [cell]:  # a real repeat: k >= 2 parts, equal but for case
        assert len(parts) >= 2
        assert len({p.casefold() for p in parts}) == 1


@pytest.mark.parametrize(
    ("cell", "owners"),
    [
        ("Governing Governing Governing", ["Governing"]),
        ("Governor Governor", ["Governor"]),
        ("Governing Governor Governing Governor", ["Governing Governor"]),
        ("Head of Healthcare / Head of Healthcare", ["Head of Healthcare", "Head of Healthcare"]),
        (
            "Executive Director, Prison Supply Directorate",
            ["Executive Director, Prison Supply Directorate"],
        ),
        ("Deputy Director, Security Group", ["Deputy Director, Security Group"]),
        ("Governor, Head of Security", ["Governor", "Head of Security"]),
    ],
)
def test_echoes_and_unit_titles(cell, owners):
    assert split_owners(cell) == owners


def test_ocr_echo_is_one_owner_after_normalising():
    from actionnlp.owners.normalise import normalise_cell

    assert [o.canonical for o in normalise_cell("Governing Governing Governing")] == ["Governor"]


@given(_TOKEN, st.integers(min_value=2, max_value=5))
def test_any_echoed_word_collapses(word, k):
    assert collapse_echo(" ".join([word] * k)).casefold() == word.casefold()


def test_owner_lines_follow_target_lines():
    assert owner_lines(["Head of Healthcare\nGovernor"], 2) == ["Head of Healthcare", "Governor"]
    assert owner_lines(["Head of Healthcare\nGovernor"], 1) == ["Head of Healthcare\nGovernor"]
    assert owner_lines(["Governor"], 2, ["Governor"]) == ["Governor"]


def test_docx_owner_cell_line_breaks_split_like_targets(tmp_path):
    import docx

    from actionnlp.read.docx import read_docx

    d = docx.Document()
    d.add_paragraph("Action Plan: HMP Leeds")
    t = d.add_table(rows=2, cols=5)
    for i, h in enumerate(
        ["Concern No", "Concern", "Response", "Responsible Owner", "Target Date"]
    ):
        t.rows[0].cells[i].text = h
    r = t.rows[1].cells
    r[0].text, r[1].text = "1", "Cells were dirty."
    r[2].text = "We will clean cells. We will audit cells."
    for cell, lines in (
        (r[3], ["Head of Healthcare", "Governor"]),
        (r[4], ["March 2024", "June 2024"]),
    ):
        p = cell.paragraphs[0]
        p.add_run(lines[0]).add_break()
        p.add_run(lines[1])
    d.save(tmp_path / "br.docx")
    (action,) = read_docx(tmp_path / "br.docx").actions
    assert action.owners == ["Head of Healthcare", "Governor"]


def test_gazetteer_titles_with_a_comma_stay_one_owner():
    import json
    from importlib import resources

    text = (
        resources.files("actionnlp.owners").joinpath("resources", "owners.jsonl").read_text("utf-8")
    )
    titles = [
        name
        for line in text.splitlines()
        if line.strip()
        for name in (json.loads(line)["canonical"], *json.loads(line)["aliases"])
        if "," in name
    ]
    assert titles
    for title in titles:
        assert split_owners(title) == [title]
        assert split_owners(f"{title} / Governor") == [title, "Governor"]
