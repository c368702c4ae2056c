"""Unclosed raw-text elements in HTML never swallow the rest of a plan silently."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "hostile"))
import make_hostile as hostile

from actionnlp.read.html import mark_unclosed, read_html


@pytest.mark.parametrize("tag", hostile.RAW_TEXT_TAGS)
def test_an_unclosed_element_is_closed_at_its_cell_and_reported(tag):
    plan = read_html(hostile.html_plan(tag))
    assert [c.id for c in plan.concerns] == [str(i) for i in range(1, 12)]
    assert all(c.actions for c in plan.concerns)
    assert plan.concerns[0].actions[0].text == "Action 1 was taken."
    assert not [p for p in plan.problems if p.kind == "no_response"]
    [problem] = [p for p in plan.problems if p.kind == "unclosed_element"]
    assert f"<{tag}>" in problem.message and problem.text == "x"


def test_closed_raw_text_is_still_skipped():
    page = hostile.html_plan("svg").replace(
        "<svg>x", "<svg><text>x</text></svg><script>y()</script>"
    )
    plan = read_html(page)
    assert plan.concerns[0].actions[0].text == "Action 1 was taken."
    assert not [p for p in plan.problems if p.kind == "unclosed_element"]


def test_unclosed_before_the_table_is_closed_at_the_table():
    page = "<noscript>Enable scripts " + hostile.html_plan("svg").replace("<svg>x", "")
    plan = read_html(page)
    assert len(plan.concerns) == 11
    [problem] = [p for p in plan.problems if p.kind == "unclosed_element"]
    assert problem.text == "Enable scripts"


def test_mark_unclosed_matches_nested_pairs():
    assert mark_unclosed("<svg><svg></svg></svg>") == "<svg><svg></svg></svg>"
    assert mark_unclosed("<svg><svg></svg>") == "<x-unclosed-svg><svg></svg>"
