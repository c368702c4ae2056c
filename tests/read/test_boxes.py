"""Where a block-ordered page's response paragraphs go (``actionnlp/read/boxes.py``).

Paragraphs and rows are generated, not copied from a plan: each test builds the
structure it is about (box edges, line counts, a paragraph running on, stacked
entries) with words that point the other way or nowhere, so only the structure
can place them.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from actionnlp.read.boxes import (
    Slot,
    merged_boxes,
    para_boxes,
    pinned,
    place_paragraphs,
    share_entries,
    stacked,
)
from tests.layout_tables import WORDS

LINE = "words of a wrapped line in the column"  # shares no word of four letters with a slot


def para(n: int, first: str = "Staff") -> list[str]:
    """A paragraph of ``n`` printed lines, starting with ``first``."""
    return [f"{first} {LINE}"] + [LINE] * (n - 1)


def test_a_box_edge_is_a_row_edge_where_boxes_hold_several_paragraphs():
    """Even against words: the second paragraph names the second row's concern."""
    rows = [Slot("", 0), Slot("Cells were dirty.", 1), Slot("Food was cold.", 1)]
    paras = [para(2), para(2, "Food cold"), para(2), para(2)]
    # the second box starts at paragraph 3: row 2 takes paragraphs 3 and 4
    got = place_paragraphs(paras, [0, 0, 1, 1], rows, forced=False, merged=True)
    assert got == [1, 1, 2, 2]
    # boxes of one paragraph each: the words decide
    got = place_paragraphs(paras, [0, 1, 2, 3], rows, forced=False, merged=False)
    assert got == [1, 2, 2, 2]


def test_a_row_ending_inside_a_box_is_as_tall_as_its_concern():
    """No word and no box edge helps: the first row's concern prints 7 lines, so its
    response (which ran down to the next row's top) holds at least 6."""
    rows = [Slot("", 0), Slot("Cells were dirty.", 7), Slot("Food was cold.", 1)]
    paras = [para(2) for _ in range(5)]
    got = place_paragraphs(paras, [0] * 5, rows, forced=False, merged=True)
    assert got == [1, 1, 1, 2, 2]


def test_a_paragraph_starting_lower_case_opens_no_row():
    rows = [Slot("", 0), Slot("Cells were dirty.", 1), Slot("Kitchen food was cold.", 1)]
    paras = [para(2), para(2, "kitchen"), para(2)]
    got = place_paragraphs(paras, [0, 1, 2], rows, forced=False, merged=False)
    assert got[1] == got[0]


def test_words_shared_with_a_concern_place_a_paragraph():
    rows = [Slot("", 0), Slot("Cells were dirty.", 1), Slot("Kitchen food was cold.", 1)]
    paras = [para(2, "Cells"), para(2, "Cells"), para(2, "Kitchen")]
    assert place_paragraphs(paras, [0, 1, 2], rows, forced=False, merged=False) == [1, 1, 2]


def test_the_row_continued_from_the_page_before_takes_paragraphs_only_when_forced():
    rows = [Slot("Cells were dirty.", 0), Slot("Kitchen food was cold.", 1)]
    paras = [para(2, "Cells"), para(2, "Kitchen")]
    assert place_paragraphs(paras, [0, 1], rows, forced=False, merged=False) == [1, 1]
    assert place_paragraphs(paras, [0, 1], rows, forced=True, merged=False) == [0, 1]


def test_a_huge_page_is_split_plainly():
    """Past the bounded work (paragraphs x rows) the split is plain: in order."""
    rows = [Slot("", 0)] + [Slot(f"Concern {k}", 1) for k in range(600)]
    paras = [para(1) for _ in range(400)]
    got = place_paragraphs(paras, list(range(400)), rows, forced=False, merged=False)
    assert got == [1 + i for i in range(400)]


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=1, max_size=30),
    rows=st.lists(st.tuples(st.sampled_from(WORDS), st.integers(0, 12)), min_size=1, max_size=8),
    edges=st.lists(st.booleans(), min_size=30, max_size=30),
    forced=st.booleans(),
    merged=st.booleans(),
)
def test_the_split_keeps_the_printed_order(sizes, rows, edges, forced, merged):
    paras = [para(n, WORDS[k % len(WORDS)].title()) for k, n in enumerate(sizes)]
    boxes = [sum(edges[1 : i + 1]) for i in range(len(paras))]
    slots = [Slot("", 0)] + [Slot(f"{w.title()} was poor.", n) for w, n in rows]
    got = place_paragraphs(paras, boxes, slots, forced=forced, merged=merged)
    assert len(got) == len(paras)
    assert got == sorted(got)  # rows keep their printed order
    assert all(0 <= j < len(slots) for j in got)
    if not forced:
        assert 0 not in got  # the row before takes nothing that does not run on
    # every row takes a paragraph while there are paragraphs enough, up to the last used
    used = sorted(set(got))
    assert used == list(range(used[0], used[-1] + 1))


@given(sizes=st.lists(st.integers(1, 9), min_size=1, max_size=20), cut=st.data())
def test_each_paragraph_starts_in_the_box_holding_its_first_line(sizes, cut):
    total = sum(sizes)
    box_sizes = cut.draw(st.lists(st.integers(1, 9), min_size=1, max_size=20))
    got = para_boxes(sizes, box_sizes)
    assert got == sorted(got) and all(0 <= b < len(box_sizes) for b in got)
    tops = [sum(box_sizes[:k]) for k in range(len(box_sizes))]
    for k, b in enumerate(got):
        line = sum(sizes[:k])
        if line < sum(box_sizes) and total:
            assert tops[b] <= line < tops[b] + box_sizes[b]


def test_boxes_of_one_paragraph_each_are_not_merged():
    one = [["A review of the wing was carried out and the", "staff were told of it."]] * 4
    several = [one[0] + ["The gym now opens daily.", "Staff record each session", "daily."]]
    assert not merged_boxes(one)
    assert merged_boxes(several * 3)


@given(owners=st.lists(st.sampled_from(["Governor", "Head of Safety", "NHS England"]), min_size=2))
def test_a_stack_of_one_entry_a_line_is_split_into_entries(owners):
    targets = [f"May {2020 + k}" for k in range(len(owners))]
    got = stacked(([" ".join(owners)], targets), owners)
    assert got == [([o], [t]) for o, t in zip(owners, targets, strict=True)]


def test_an_owner_wrapped_over_lines_beside_one_target_stays_one_entry():
    entry = (["Head of Offender Management"], ["May 2024"])
    assert stacked(entry, ["Head of Offender", "Management"]) == [entry]
    two = (["Head of Offender Management"], ["May 2024", "June 2024"])
    assert stacked(two, ["Head of", "Offender", "Management"]) == [two]


def test_a_number_printed_before_its_block_pins_an_uneven_page():
    """Five concern blocks for three numbers (two rows print a concern and a
    recommendation paragraph, the third only its concern so far), the third number
    printed right before its block: the first four go two to a row."""
    assert pinned(5, [(4, 2)], 3) == [0, 0, 1, 1, 2]
    assert pinned(5, [(2, 1), (4, 2)], 3) == [0, 0, 1, 1, 2]
    assert pinned(4, [(1, 1), (3, 2)], 3) == [0, 1, 1, 2]


@given(
    n_groups=st.integers(1, 12),
    n_rows=st.integers(1, 6),
    pins=st.lists(st.tuples(st.integers(0, 12), st.integers(0, 6)), max_size=6),
)
def test_pinned_blocks_keep_the_printed_order(n_groups, n_rows, pins):
    got = pinned(n_groups, pins, n_rows)
    assert len(got) == n_groups
    assert got == sorted(got) and all(-1 <= r < n_rows for r in got)
    if -1 in got:  # blocks above the first row's own: only when a number pins it
        assert any(r == 0 for _, r in pins)
    if n_groups >= n_rows:  # blocks enough: every row gets one
        assert set(range(n_rows)) <= set(got)


def test_entries_go_to_rows_by_their_paragraph_counts():
    """Stacked entries, as many as each row's paragraphs, except a row printing one
    entry for its two paragraphs: the counts place the row edges in the entry order."""
    assert share_entries(6, [2, 3, 1], [False] * 3) == [2, 3, 1]
    assert share_entries(5, [2, 3, 1], [False] * 3) == [1, 3, 1]
    # the row running on from the page before printed its entries on that page
    assert share_entries(4, [3, 1, 3], [True, False, False]) == [0, 1, 3]


@given(
    n=st.integers(0, 15),
    rows=st.lists(st.tuples(st.integers(0, 6), st.booleans()), min_size=1, max_size=6),
)
def test_every_entry_goes_to_a_row_in_order(n, rows):
    got = share_entries(n, [p for p, _ in rows], [c for _, c in rows])
    assert got is not None and len(got) == len(rows)
    assert sum(got) == n and all(c >= 0 for c in got)


def test_a_number_printed_among_the_response_boxes_opens_its_row_there():
    """Boxes of one paragraph each and no word to go by: the second row's number was
    printed after the third response box, so its response starts at the fourth."""
    rows = [Slot("", 0), Slot("Cells were dirty.", 1), Slot("Food was cold.", 1, after=3)]
    paras = [para(2) for _ in range(5)]
    got = place_paragraphs(paras, [0, 1, 2, 3, 4], rows, forced=False, merged=False)
    assert got == [1, 1, 1, 2, 2]
    rows[2].after = 1
    got = place_paragraphs(paras, [0, 1, 2, 3, 4], rows, forced=False, merged=False)
    assert got == [1, 2, 2, 2, 2]


def test_a_paragraph_explaining_a_decision_opens_its_row():
    """One box for the page, no word to go by: the paragraph that explains a row's
    decision (``leads``) is that row's first."""
    rows = [Slot("", 0), Slot("Cells were dirty.", 1), Slot("Food was cold.", 1)]
    paras = [para(2) for _ in range(4)]
    leads = [False, False, True, False]
    got = place_paragraphs(paras, [0] * 4, rows, forced=False, merged=True, leads=leads)
    assert got == [1, 1, 2, 2]
    leads = [False, True, False, False]
    got = place_paragraphs(paras, [0] * 4, rows, forced=False, merged=True, leads=leads)
    assert got == [1, 2, 2, 2]


def test_a_long_page_is_split_with_bounded_work():
    """3,000 paragraphs and 50 rows (under the bound): the split still runs, in order,
    every row taking a paragraph. Linear in the window of starts: a quadratic split
    would hang here (time is measured by benchmarks, not asserted)."""
    rows = [Slot("", 0)] + [
        Slot(f"{WORDS[k % len(WORDS)].title()} was poor.", 3) for k in range(50)
    ]
    paras = [para(1 + k % 4, WORDS[k % len(WORDS)].title()) for k in range(3000)]
    got = place_paragraphs(paras, [k // 7 for k in range(3000)], rows, forced=False, merged=True)
    assert got == sorted(got) and set(got) == set(range(1, 51))
