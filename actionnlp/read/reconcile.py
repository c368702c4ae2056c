"""Reconcile what was read with what the plan says about itself."""

from __future__ import annotations

import re

from actionnlp.plan import ActionPlan, Problem
from actionnlp.read.cells import ends_sentence

__all__ = ["numbering_gaps", "reconcile"]

_NUM_RE = re.compile(r"^(?P<prefix>[A-Za-z]*\s?(?:\d+\.)*)(?P<n>\d+)$")


def _describe(missing: list[str]) -> str:
    if len(missing) == 1:
        return f"{missing[0]} missing"
    return f"{', '.join(missing[:-1])} and {missing[-1]} missing"


def numbering_gaps(ids: list[str | None]) -> list[tuple[str | None, list[str]]]:
    """Missing numbers between consecutive concern ids: ``[(after_id, missing)]``.

    >>> numbering_gaps(["5.16", "5.17", "5.20"])
    [('5.17', ['5.18', '5.19'])]
    >>> numbering_gaps(["1.5", "1.6", "2.1"])
    []
    """
    gaps = []
    prev: re.Match[str] | None = None
    prev_id: str | None = None
    for cid in ids:
        m = _NUM_RE.match(cid or "")
        if m and prev and m.group("prefix") == prev.group("prefix"):
            a, b = int(prev.group("n")), int(m.group("n"))
            if 1 < b - a <= 50:
                gaps.append((prev_id, [f"{m.group('prefix')}{k}" for k in range(a + 1, b)]))
        prev, prev_id = (m, cid) if m else (prev, prev_id)
    return gaps


def reconcile(plan: ActionPlan) -> list[Problem]:
    """Every mismatch between the concerns read and the plan's own numbering and totals."""
    problems: list[Problem] = []
    ids = [c.id for c in plan.concerns]
    gaps = numbering_gaps(ids)
    for after, missing in gaps:
        problems.append(
            Problem("numbering_gap", after, f"{_describe(missing)} (numbering jumps after {after})")
        )
    seen: set[str] = set()
    for cid in ids:
        if cid in seen:
            problems.append(Problem("duplicate_id", cid, f"concern number {cid} appears twice"))
        seen.add(cid or "")
    if plan.stated_totals:
        found = len(plan.concerns)
        total = plan.stated_totals.get("total")
        if total is not None and total != found:
            problems.append(
                Problem("stated_totals", None, f"{found} of {total} stated concerns found")
            )
        for key in ("agreed", "partly_agreed", "not_agreed"):
            if key not in plan.stated_totals:
                continue
            n = sum(1 for c in plan.concerns if c.agreement == key)
            if n != plan.stated_totals[key]:
                problems.append(
                    Problem(
                        "stated_totals",
                        None,
                        f"{n} {key.replace('_', ' ')} found, {plan.stated_totals[key]} stated",
                    )
                )
    gap_after = {after for after, _ in gaps}
    for i, c in enumerate(plan.concerns):
        last = c.actions[-1].text if c.actions else c.concern_text
        at_end = i == len(plan.concerns) - 1
        if (at_end or c.id in gap_after) and last and not ends_sentence(last):
            problems.append(
                Problem(
                    "truncated",
                    c.id,
                    f"text of concern {c.id} stops mid-sentence"
                    + (
                        " at the end of the table: the plan looks cut off"
                        if at_end
                        else " before a gap in the numbering"
                    ),
                    last[-80:],
                )
            )
    return problems
