"""Tests of actionnlp/read/table.py: one rule fits a row's cells to the header's columns."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from actionnlp.read.table import Cell, cells_to_row, header_roles
from actionnlp.read.text import Columns, tabular_rows

ROLES = ["id", "concern", "response", "owner", "target"]
words = st.text(alphabet="abcdefgh ", min_size=1, max_size=12).map(str.strip).filter(bool)


@given(
    st.lists(words, min_size=3, max_size=7),
    st.booleans(),
)
def test_a_text_row_and_a_table_row_fit_the_columns_alike(texts: list[str], drop_id: bool) -> None:
    # The same cells as a tab-separated line and as table cells: short rows, a dropped
    # number cell and extra cells give the same row in both forms.
    cells = (["7"] if not drop_id else []) + [t.capitalize() + "." for t in texts]
    from_text = tabular_rows(["\t".join(cells)], Columns(ROLES))[0]
    from_table = cells_to_row([Cell.of([c]) for c in cells], ROLES)
    assert from_text.id_cell == from_table.id_cell
    assert from_text.concern == from_table.concern
    shifted = len(cells) == len(ROLES) - 1 and drop_id  # the number cell was dropped
    assert from_text.id_cell == ("" if shifted else cells[0])


HEADERS = [
    ["No.", "Concern", "Response", "Owner", "Target date"],
    ["Rec. No.", "Recommendation", "Agreed / Partly Agreed / Not Agreed",
     "Response: Action Taken / Planned", "Responsible owner", "Target date"],
    ["Concern No", "Concerns", "Response Action Taken/Planned", "Responsible Owner",
     "Target Date"],
    ["Ref", "Finding", "Decision", "Actions planned", "Lead", "Timescale"],
]  # fmt: skip


@given(header=st.sampled_from(HEADERS), width=st.integers(2, 6), data=st.data())
def test_titles_broken_inside_words_keep_their_roles(header, width, data) -> None:
    """A narrow cell breaks its title every few characters ("R ec . N o."): the header
    gets the roles of the same titles unbroken."""
    widths = data.draw(st.lists(st.booleans(), min_size=len(header), max_size=len(header)))
    broken = [
        " ".join(t[i : i + width] for i in range(0, len(t), width)) if narrow else t
        for t, narrow in zip(header, widths, strict=True)
    ]
    assert header_roles(broken) == header_roles(header) is not None
