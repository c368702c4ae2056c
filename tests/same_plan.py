"""Shared assertion: a plan read from another format equals the plan read from its seed."""

from __future__ import annotations

import re
from collections.abc import Callable

import actionnlp


def ws(text: str | None) -> str:
    """White space folded."""
    return re.sub(r"\s+", " ", text or "").strip()


def squash(text: str | None) -> str:
    """White space and hyphens removed (PDF line breaks may split or join words)."""
    return re.sub(r"[\s\-\u00ad]+", "", text or "")


def assert_same_plan(
    got: actionnlp.ActionPlan,
    want: actionnlp.ActionPlan,
    norm: Callable[[str | None], str] = ws,
    *,
    problems: bool = True,
) -> None:
    """Same metadata, concerns, decisions, actions, owners, targets and texts (by ``norm``)."""
    assert got.prison == want.prison
    assert (got.plan_submitted, got.report_published) == (
        want.plan_submitted,
        want.report_published,
    )
    assert got.era == want.era
    assert got.stated_totals == want.stated_totals
    assert [c.id for c in got.concerns] == [c.id for c in want.concerns]
    for g, w in zip(got.concerns, want.concerns, strict=True):
        assert (g.section, g.directed_to, g.agreement, g.ref) == (
            w.section,
            w.directed_to,
            w.agreement,
            w.ref,
        ), g.id
        assert norm(g.concern_text) == norm(w.concern_text), g.id
        assert norm(g.recommendation_text) == norm(w.recommendation_text), g.id
        assert len(g.actions) == len(w.actions), g.id
        for ga, wa in zip(g.actions, w.actions, strict=True):
            assert (ga.kind, ga.owner_raw, ga.target_raw) == (
                wa.kind,
                wa.owner_raw,
                wa.target_raw,
            ), g.id
            assert norm(ga.text) == norm(wa.text), g.id
    if problems:
        found = sorted((p.kind, p.concern_id) for p in got.problems)
        assert found == sorted((p.kind, p.concern_id) for p in want.problems)
