"""The typed model of an action plan: ActionPlan -> Concern -> Action, plus Problems.

Records are plain dataclasses; :meth:`ActionPlan.to_frame` turns them into tidy
pandas tables (one row per action, per concern, or per problem).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from actionnlp.labels import is_action_row

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Action", "ActionPlan", "Concern", "Problem"]

Section = Literal["priority", "key", "general"]
Agreement = Literal["agreed", "partly_agreed", "not_agreed"]


#: Problems that make a concern's actions "paired by position" in the read quality.
_BY_POSITION = ("count_mismatch", "block_order")


@dataclass
class Problem:
    """Something reconciliation found: a gap, a count mismatch, text it could not place.

    ``kind`` is one of: ``numbering_gap``, ``stated_totals``, ``count_mismatch``,
    ``unplaced_text``, ``clipped_id``, ``duplicate_text``, ``truncated``, ``no_response``,
    ``no_table`` (a cover whose plan table is missing), ``glued_cells`` (a cover whose
    table's cells are glued with no white space between them), ``block_order`` (block-ordered
    text: rows told apart by word overlap, or entries paired by order).
    ``text`` carries any text that could not be placed, so nothing is lost.
    """

    kind: str
    concern_id: str | None
    message: str
    text: str | None = None


@dataclass
class Action:
    """One step of the response, with the owner and target the plan pairs with it."""

    text: str
    kind: Literal["action", "rationale"] = "action"
    owner_raw: str | None = None
    owners: list[str] = field(default_factory=list)
    target_raw: str | None = None
    target_date: date | None = None
    status: Literal["completed", "ongoing", "planned"] | None = None
    page: int | None = None  # PDF: the page (1-based) where the action's table row starts


@dataclass
class Concern:
    """One numbered row of the plan: the inspectorate's concern and HMPPS's response."""

    id: str | None
    concern_text: str
    section: Section | None = None
    directed_to: str | None = None
    agreement: Agreement | None = None
    recommendation_text: str | None = None
    ref: str | None = None
    actions: list[Action] = field(default_factory=list)
    page: int | None = None  # PDF: the page (1-based) where the concern's first row starts

    @property
    def full_text(self) -> str:
        """Concern text followed by its recommendation, when the plan has one."""
        parts = [self.concern_text]
        if self.recommendation_text and self.recommendation_text != self.concern_text:
            parts.append(self.recommendation_text)
        return " ".join(p for p in parts if p)


@dataclass
class ActionPlan:
    """A whole published action plan.

    Example:
        >>> plan = ActionPlan(prison="HMP Example", concerns=[Concern("1", "Dirty cells.")])
        >>> plan.to_frame("concerns")[["prison", "concern_id"]].values.tolist()
        [['HMP Example', '1']]
    """

    prison: str | None = None
    plan_submitted: date | None = None
    report_published: date | None = None
    inspection_dates: tuple[date, date] | None = None
    era: Literal["concerns", "recommendations"] = "concerns"
    stated_totals: dict[str, int] | None = None
    concerns: list[Concern] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    source: str | None = None
    layout: str | None = None

    def __repr__(self) -> str:
        return (
            f"ActionPlan(prison={self.prison!r}, year={self.year}, era={self.era!r}, "
            f"{len(self.concerns)} concerns, {len(self.actions)} actions, "
            f"{len(self.problems)} problems)"
        )

    @property
    def actions(self) -> list[Action]:
        """Every action of every concern, in order."""
        return [a for c in self.concerns for a in c.actions]

    @property
    def year(self) -> int | None:
        """Year of the plan: submission, else report publication, else inspection
        (:attr:`year_source` says which)."""
        for d in (self.plan_submitted, self.report_published):
            if d is not None:
                return d.year
        return self.inspection_dates[1].year if self.inspection_dates else None

    @property
    def year_source(self) -> str | None:
        """Where :attr:`year` comes from: ``stated`` (submission date), ``report``
        (publication date), ``inspection`` (inspection dates) or None."""
        if self.plan_submitted is not None:
            return "stated"
        if self.report_published is not None:
            return "report"
        return "inspection" if self.inspection_dates else None

    def read_quality(self) -> dict[str, float | bool | None]:
        """How sure the reader is of this plan: one line a researcher can filter on.

        ``read_found_share``: concerns found / concerns the plan states (None when it
        states no total); ``read_paired_by_count``: share of actions whose concern's
        paragraphs and owner/target entries paired one to one, and
        ``read_paired_by_position`` the share paired by position despite unequal counts
        or placed by word overlap in block-ordered text (``block_order``)
        (None without actions); ``read_partial``: the table is missing, cut off or glued.

        >>> q = ActionPlan(concerns=[Concern("1", "x", actions=[Action("y")])]).read_quality()
        >>> q["read_found_share"], q["read_paired_by_count"], q["read_partial"]
        (None, 1.0, False)
        """
        uneven = {p.concern_id for p in self.problems if p.kind in _BY_POSITION}
        steps = [c.id for c in self.concerns for a in c.actions if is_action_row(a.kind)]
        stated = (self.stated_totals or {}).get("total")
        by_position = sum(cid in uneven for cid in steps) / len(steps) if steps else None
        return {
            "read_found_share": len(self.concerns) / stated if stated else None,
            "read_paired_by_count": None if by_position is None else 1.0 - by_position,
            "read_paired_by_position": by_position,
            "read_partial": any(
                p.kind in ("no_table", "glued_cells", "truncated") for p in self.problems
            ),
        }

    def to_frame(
        self, level: Literal["actions", "concerns", "problems"] = "actions"
    ) -> pd.DataFrame:
        """Tidy table: one row per action (default), per concern, or per problem."""
        import pandas as pd

        meta = {
            "source": self.source,
            "prison": self.prison,
            "plan_submitted": self.plan_submitted,
            "report_published": self.report_published,
            "year": self.year,
            "era": self.era,
        }
        if level == "problems":
            rows = [{**meta, **vars(p)} for p in self.problems]
            return pd.DataFrame(rows, columns=[*meta, "kind", "concern_id", "message", "text"])
        if level not in ("actions", "concerns"):
            raise ValueError(f"level must be 'actions', 'concerns' or 'problems', got {level!r}")
        rows = []
        for ci, c in enumerate(self.concerns):
            base = {
                **meta,
                "concern_index": ci,
                "concern_id": c.id,
                "section": c.section,
                "directed_to": c.directed_to,
                "agreement": c.agreement,
                "ref": c.ref,
                "concern_text": c.concern_text,
                "recommendation_text": c.recommendation_text,
            }
            if level == "concerns":
                rows.append({**base, "n_actions": len(c.actions), "page": c.page})
                continue
            for ai, a in enumerate(c.actions):
                rows.append(
                    {
                        **base,
                        "action_index": ai,
                        "kind": a.kind,
                        "action_text": a.text,
                        "owner_raw": a.owner_raw,
                        "owner_parts": list(a.owners),
                        "target_raw": a.target_raw,
                        "target_date": a.target_date,
                        "status": a.status,
                        "page": a.page,
                    }
                )
        frame = pd.DataFrame(rows)
        if frame.empty:
            cols = [*meta, "concern_index", "concern_id", "section", "directed_to", "agreement"]
            frame = pd.DataFrame(columns=cols)
        for col in ("plan_submitted", "report_published", "target_date"):
            if col in frame:
                frame[col] = pd.to_datetime(frame[col])
        if "page" in frame:
            frame["page"] = frame["page"].astype("Int64")
        return frame
