"""Tests for actionnlp.read.owners_cell: splitting joint and run-together owner cells."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actionnlp.read.owners_cell import repeated_unit, split_owner_entries, split_owners


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
    assert _letters(" ".join(owners)) == _letters(cell)


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
