"""Assemble a plan: a reader's rows (or a document's text) in, a reconciled ActionPlan out.

Every format reader ends here. :func:`plan_from_rows` takes the
:class:`~actionnlp.read.segment.RawRow` records a reader found, with the text before
the table (the opening: prison, dates) and after it (the tail: stated totals), and
returns the plan with its concerns, actions and problems. :func:`plan_from_table`
does the same from a table of cells (DOCX, PDF, HTML) and :func:`plan_from_text`
from plain text, finding the table in the text's layout first.
"""

from __future__ import annotations

from actionnlp.errors import EmptyDocumentError, NotAnActionPlanError
from actionnlp.labels import era_of
from actionnlp.plan import ActionPlan, Problem
from actionnlp.read.cells import glued_titles
from actionnlp.read.meta import (
    PlanMeta,
    cover_meta,
    looks_like_action_plan,
    read_meta,
    read_stated_totals,
)
from actionnlp.read.reconcile import reconcile
from actionnlp.read.segment import RawRow, build_concerns
from actionnlp.read.text import split_text, table_rows

__all__ = ["plan_from_rows", "plan_from_table", "plan_from_text"]


def plan_from_rows(
    opening: str,
    rows: list[RawRow],
    *,
    tail: str = "",
    source: str | None = None,
    layout: str | None = None,
    era: str | None = None,
) -> ActionPlan:
    """Assemble, reconcile and return a plan from a reader's rows.

    >>> rows = [RawRow("1", "Cells were dirty.", response=["Rota set."],
    ...                owners=["Governor"], targets=["May 2024"])]
    >>> plan = plan_from_rows("Action Plan: HMP Example", rows)
    >>> plan.prison, plan.concerns[0].actions[0].owner_raw, plan.era
    ('HMP Example', 'Governor', 'concerns')
    """
    meta = read_meta(opening)
    concerns, problems = build_concerns(rows)
    if era is None:
        era = era_of(any(c.agreement for c in concerns))
    plan = ActionPlan(
        prison=meta.prison,
        plan_submitted=meta.plan_submitted,
        report_published=meta.report_published,
        inspection_dates=meta.inspection_dates,
        era=era,  # type: ignore[arg-type]
        stated_totals=read_stated_totals(tail) or read_stated_totals(opening),
        concerns=concerns,
        problems=problems,
        source=source,
        layout=layout,
    )
    plan.problems.extend(reconcile(plan))
    return plan


def plan_from_table(
    opening: str,
    rows: list[RawRow],
    roles: list[str],
    *,
    tail: str = "",
    source: str | None = None,
    layout: str | None = None,
) -> ActionPlan:
    """The plan of a table found by its header (``roles``): a decision column makes it
    a recommendations-era plan. Raises :class:`~actionnlp.errors.NotAnActionPlanError`
    when the table holds no numbered concern."""
    era = era_of(has_decisions=True) if "agreement" in roles else None
    plan = plan_from_rows(opening, rows, tail=tail, source=source, layout=layout, era=era)
    if not plan.concerns:
        raise NotAnActionPlanError("a table header was found but no numbered concerns", source)
    return plan


_GLUED = (
    "the table's cells are printed glued together, with no white space between them (a "
    "web page's text taken without a separator): no cell boundary survives, so its rows "
    "are not guessed; take the text with a separator between elements, or read the HTML"
)


def plan_from_text(text: str, source: str | None = None) -> ActionPlan:
    """Read a plan from text in any of the layouts of :mod:`actionnlp.read.text`.

    A cover with no table (or a table cut off after its header) is a plan with the
    cover's metadata and a problem saying so; other text raises
    :class:`~actionnlp.errors.EmptyDocumentError` or
    :class:`~actionnlp.errors.NotAnActionPlanError` naming ``source``.

    >>> plan = plan_from_text("Action Plan: HMP Example\\n"
    ...     "No\\tConcern\\tResponse\\tOwner\\tTarget date\\n"
    ...     "1\\tCells were dirty.\\tRota set.\\tGovernor\\tMay 2024")
    >>> plan.prison, plan.layout, plan.concerns[0].actions[0].text
    ('HMP Example', 'tabular', 'Rota set.')
    """
    if not text.strip():
        raise EmptyDocumentError("the document is empty or holds only white space", source)
    split = split_text(text)
    if split is None:
        if glued := _glued_table(text):
            why, kind = _GLUED, "glued_cells"
        else:
            why = (
                "no plan table (no header row naming concerns, responses, owners and "
                "target dates): the table is missing or cut off"
            )
            kind = "no_table"
        if (cover := cover_meta(text)) is not None:  # a cover whose table is missing
            why = f"the cover of an action plan, but {why}"
            return _partial(cover, kind, why, source, glued)
        why = (
            "no action-plan table found (no header row naming concerns, responses, owners "
            "and target dates)"
            if kind == "no_table"
            else why
        )
        if not looks_like_action_plan(text):
            why = "this does not look like an action plan: " + why
        raise NotAnActionPlanError(why, source)
    rows, layout = table_rows(split), split.layout
    decided = bool(split.columns and "agreement" in split.columns.roles)
    era = era_of(has_decisions=True) if decided else None
    plan = plan_from_rows(
        split.opening, rows, tail=split.tail, source=source, layout=layout, era=era
    )
    plan.problems.extend(split.problems)
    if not plan.concerns:
        if (cover := cover_meta(split.opening or text)) is not None:
            why = "the plan table stops after its header, before the first concern: cut off"
            if glued := _glued_table(text):
                why = f"the cover of an action plan, but {_GLUED}"
            return _partial(cover, "glued_cells" if glued else "truncated", why, source, glued)
        raise NotAnActionPlanError("a table header was found but no numbered concerns", source)
    return plan


def _glued_table(text: str) -> str | None:
    """The text from a header whose titles are glued together (cells with no white space
    between them) to the end, or None."""
    lines = text.splitlines()
    at = next((i for i, ln in enumerate(lines) if glued_titles(ln)), None)
    return None if at is None else "\n".join(lines[at:]).strip()


def _partial(
    meta: PlanMeta, kind: str, why: str, source: str | None, text: str | None = None
) -> ActionPlan:
    """A plan with its cover's metadata, no concerns, and the problem saying why (with
    ``text``, the table it could not read)."""
    return ActionPlan(
        prison=meta.prison,
        plan_submitted=meta.plan_submitted,
        report_published=meta.report_published,
        inspection_dates=meta.inspection_dates,
        problems=[Problem(kind, None, why, text)],
        source=source,
        layout="cover",
    )
