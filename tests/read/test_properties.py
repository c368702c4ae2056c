"""Hypothesis: mutated and truncated plans never raise anything but ActionPlanError."""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import actionnlp
from actionnlp.errors import ActionPlanError


@cache
def seeds() -> tuple[str, ...]:
    return tuple(p.read_text(encoding="utf-8") for p in actionnlp.sample_paths())


def read_or_error(text: str) -> None:
    try:
        plan = actionnlp.read_plan(text=text)
    except ActionPlanError:
        return
    # Whatever was read is consistent with itself.
    frame = plan.to_frame()
    assert len(frame) == len(plan.actions)
    for c in plan.concerns:
        for a in c.actions:
            assert a.kind in ("action", "rationale")
            assert a.status in (None, "completed", "ongoing", "planned")


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(seed=st.integers(0, 3), cut=st.floats(0, 1))
def test_truncated_plans(seed, cut):
    text = seeds()[seed]
    read_or_error(text[: int(len(text) * cut)])


@SETTINGS
@given(
    seed=st.integers(0, 3),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 400), st.text(max_size=30)), max_size=6
    ),
)
def test_mutated_plans(seed, edits):
    text = seeds()[seed]
    for where, span, insert in edits:
        i = int(len(text) * where)
        text = text[:i] + insert + text[i + span :]
    read_or_error(text)


@SETTINGS
@given(seed=st.integers(0, 3), data=st.data())
def test_shuffled_lines(seed, data):
    lines = seeds()[seed].splitlines()
    start = data.draw(st.integers(0, max(0, len(lines) - 1)))
    block = lines[start : start + 40]
    shuffled = data.draw(st.permutations(block))
    read_or_error("\n".join(lines[:start] + list(shuffled) + lines[start + 40 :]))


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=2000))
def test_arbitrary_text(text):
    read_or_error(text)
