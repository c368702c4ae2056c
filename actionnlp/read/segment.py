"""The shared segmenter: table rows from any reader -> Concerns and Actions.

Every reader (text layouts, DOCX, PDF, HTML) turns its document into
:class:`RawRow` records, one per physical table row, with the response already
split into paragraphs and the owner and target cells into entries. This module
decides which rows start a concern, which continue one across a page break,
which paragraphs explain a decision (``rationale``), and pairs each response
paragraph with its owner and target entry by position.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from actionnlp.plan import Action, Concern, Problem
from actionnlp.read.cells import (
    BULLET,
    ID_RE,
    agreement_of,
    clean_text,
    heading_of,
    html_paragraphs,
    is_continuation,
    split_heading_prefix,
)
from actionnlp.read.dates import parse_target
from actionnlp.read.owners_cell import split_owner_entries, split_owners

__all__ = ["RawRow", "build_concerns", "is_rationale", "owner_entries"]


@dataclass
class RawRow:
    """One physical table row as a reader found it."""

    id_cell: str = ""
    concern: str = ""
    agreement: str = ""
    response: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    page: int | None = None  # PDF: the page (1-based) the row starts on

    @property
    def is_empty(self) -> bool:
        return not (
            self.id_cell.strip()
            or self.concern.strip()
            or self.agreement.strip()
            or self.response
            or self.owners
            or self.targets
        )


def owner_entries(entries: list[str], n_targets: int) -> list[str]:
    """Owner entries of a cell; one entry naming one owner per target is split.

    >>> owner_entries(["Governor Governor"], 2)
    ['Governor', 'Governor']
    """
    if len(entries) == 1 and n_targets > 1:
        return split_owner_entries(entries[0], n_targets) or entries
    return entries


@dataclass
class _Group:
    """Paragraphs and the owner/target entries printed beside them."""

    paras: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    page: int | None = None  # the page of the row that started the group


@dataclass
class _Open:
    concern: Concern
    groups: list[_Group] = field(default_factory=list)
    last_field: str = "concern_text"


_KEY_CONCERN_RE = re.compile(
    r"^(?:key\s+concern|concern|priority\s+concern|main\s+concern|finding)\s*(?:\((?P<ref>[^)]+)\))?\s*[:.\-]\s*",
    re.I,
)
_RECOMMENDATION_RE = re.compile(r"^recommendations?\s*(?:\((?P<ref>[^)]+)\))?\s*[:.\-]\s*", re.I)
_DIRECTED_TAIL_RE = re.compile(r"\s*\(\s*directed\s+to\s*:?\s*(?:the\s+)?(?P<d>[^)]+)\)\s*$", re.I)
_RATIONALE_RE = re.compile(
    r"^(?:this|the)\s+recommendation\s+(?:is|has\s+been|was)\s+(?:only\s+)?"
    r"(?:partly|partially|not)\s+(?:agreed|accepted)|^(?:partly|partially|not)\s+(?:agreed|accepted)\b",
    re.I,
)


def is_rationale(paragraph: str) -> bool:
    """Does the paragraph explain a Partly / Not Agreed decision (no owner or target)?

    >>> is_rationale("This recommendation is partly agreed as funding is limited.")
    True
    """
    return bool(_RATIONALE_RE.match(paragraph))


def _parse_concern_cell(cell: str) -> tuple[str, str | None, str | None, str | None, str | None]:
    """Split a concern cell into (concern, recommendation, ref, directed_to, section)."""
    paras = html_paragraphs(cell) if "<" in cell else [clean_text(cell)]
    text = " ".join(p.lstrip(BULLET + " ") for p in paras if p)
    section, text = split_heading_prefix(text)
    # Split "Concern: ... Recommendation: ..." written in one cell.
    rec_split = re.search(r"(?<=[.;)])\s+(?=recommendations?\s*(?:\([^)]*\))?\s*:)", text, re.I)
    concern_part, rec_part = (text, "")
    if rec_split:
        concern_part, rec_part = text[: rec_split.start()], text[rec_split.end() :]
    ref = directed = None
    concern_text = concern_part.strip()
    recommendation = None
    m = _KEY_CONCERN_RE.match(concern_text)
    if m:
        ref = m.group("ref")
        concern_text = concern_text[m.end() :]
    m = _RECOMMENDATION_RE.match(concern_text)
    if m and not rec_part:  # a recommendation-only cell
        ref = ref or m.group("ref")
        recommendation = concern_text[m.end() :]
        concern_text = ""
    if rec_part:
        m = _RECOMMENDATION_RE.match(rec_part)
        recommendation = rec_part[m.end() :] if m else rec_part
    for name in ("concern", "recommendation"):
        value = concern_text if name == "concern" else recommendation
        if value and (d := _DIRECTED_TAIL_RE.search(value)):
            directed = directed or d.group("d").strip()
            value = value[: d.start()].strip()
            if name == "concern":
                concern_text = value
            else:
                recommendation = value
    return concern_text.strip(), (recommendation or "").strip() or None, ref, directed, section


def _is_duplicate_tail(fragment: str, text: str) -> bool:
    """An OCR echo: the fragment repeats the end of the text, give or take noise."""
    if not text or len(fragment) < 8:
        return False
    tail = text[-len(fragment) - 10 :]
    m = difflib.SequenceMatcher(None, fragment.lower(), tail.lower())
    return m.find_longest_match().size >= 0.4 * len(fragment) and m.ratio() > 0.55


def _clean_para(text: str) -> str:
    return text.lstrip(BULLET).strip()


class _Builder:
    def __init__(self) -> None:
        self.concerns: list[Concern] = []
        self.problems: list[Problem] = []
        self.section: str | None = None
        self.directed: str | None = None
        self.open: _Open | None = None

    # -- rows ---------------------------------------------------------------
    def add(self, row: RawRow) -> None:
        if row.is_empty:
            return
        id_cell = clean_text(row.id_cell)
        concern_cell = row.concern.strip()
        others = row.response or row.owners or row.targets or row.agreement.strip()
        if not others:
            heading = (
                heading_of(id_cell or concern_cell) if not (id_cell and concern_cell) else None
            )
            if heading:
                section, directed = heading
                self.section = section or self.section
                self.directed = directed
                return
        if ID_RE.match(id_cell):
            self._start(id_cell.rstrip(".)"), row)
        elif id_cell and concern_cell:
            self._start(None, row, clipped=id_cell)
        elif id_cell and not concern_cell and self.open is None:
            self._unplaced(id_cell, "text before the first concern")
            self._continue(RawRow(response=row.response, owners=row.owners, targets=row.targets))
        else:
            if id_cell:  # a stray fragment in the number column
                self._unplaced(id_cell, "text in the number column that is not a concern number")
            self._continue(row)

    def _start(self, cid: str | None, row: RawRow, clipped: str | None = None) -> None:
        self._close()
        concern_text, rec, ref, directed, section = _parse_concern_cell(row.concern)
        if cid is None:
            cid = self._next_id()
            self.problems.append(
                Problem(
                    "clipped_id",
                    cid,
                    f"concern number is printed nowhere (clipped cell {clipped!r}); "
                    f"numbered {cid} by position",
                    clipped,
                )
            )
        self.section = section or self.section
        concern = Concern(
            id=cid,
            concern_text=concern_text or (rec or ""),
            section=self.section,  # type: ignore[arg-type]
            directed_to=directed or self.directed,
            agreement=agreement_of(row.agreement),  # type: ignore[arg-type]
            recommendation_text=rec,
            ref=ref,
            page=row.page,
        )
        self.open = _Open(concern, last_field="recommendation_text" if rec else "concern_text")
        self._add_response(row, new_row=True)

    def _continue(self, row: RawRow) -> None:
        if self.open is None:
            text = " ".join([clean_text(row.concern), *row.response]).strip()
            if text:
                self._unplaced(text, "response text before the first concern")
            return
        fragment = clean_text(row.concern)
        if fragment:
            self._extend_concern(
                fragment, concern_only=not (row.response or row.owners or row.targets)
            )
        if not self.open.concern.agreement and row.agreement.strip():
            self.open.concern.agreement = agreement_of(row.agreement)  # type: ignore[assignment]
        self._add_response(row, new_row=False)

    def _extend_concern(self, fragment: str, *, concern_only: bool) -> None:
        assert self.open is not None
        c = self.open.concern
        concern_text, rec, _ref, directed, _section = _parse_concern_cell(fragment)
        c.directed_to = c.directed_to or directed
        if rec and not concern_text:
            c.recommendation_text = f"{c.recommendation_text or ''} {rec}".strip()
            if not c.concern_text:
                c.concern_text = c.recommendation_text
            self.open.last_field = "recommendation_text"
            return
        fragment = concern_text
        current = getattr(c, self.open.last_field) or ""
        if _is_duplicate_tail(fragment, current):
            self.problems.append(
                Problem(
                    "duplicate_text", c.id, "fragment repeats the end of the concern text", fragment
                )
            )
            return
        if concern_only and len(fragment.split()) <= 3 and current.rstrip().endswith("."):
            self._unplaced(fragment, "short fragment after a complete concern (a garbled heading?)")
            return
        new = f"{current} {fragment}".strip()
        setattr(c, self.open.last_field, new)
        if self.open.last_field == "recommendation_text" and c.concern_text == current:
            c.concern_text = new

    def _add_response(self, row: RawRow, *, new_row: bool) -> None:
        assert self.open is not None
        groups = self.open.groups
        paras = [p for p in row.response if p.strip()]
        if paras and groups and not new_row:
            last = next((g for g in reversed(groups) if g.paras), None)
            if last is not None and is_continuation(paras[0], last.paras[-1]):
                last.paras[-1] = f"{last.paras[-1]} {_clean_para(paras[0])}"
                paras = paras[1:]
        if paras and not new_row and groups and not (row.owners or row.targets):
            groups[-1].paras.extend(_clean_para(p) for p in paras)  # a row split by a page break
            return
        if not paras and groups and (row.owners or row.targets):
            groups[-1].owners.extend(row.owners)
            groups[-1].targets.extend(row.targets)
            return
        if paras or row.owners or row.targets:
            paras = [_clean_para(p) for p in paras]
            groups.append(_Group(paras, list(row.owners), list(row.targets), row.page))

    # -- pairing --------------------------------------------------------------
    def _close(self) -> None:
        if self.open is None:
            return
        c = self.open.concern
        for g in self.open.groups:
            for action in self._pair(c, g):
                action.page = g.page
                c.actions.append(action)
        if not c.actions:
            self.problems.append(
                Problem("no_response", c.id, f"concern {c.id} has no response text")
            )
        self.concerns.append(c)
        self.open = None

    def _pair(self, c: Concern, g: _Group) -> list[Action]:
        disputed = c.agreement in ("partly_agreed", "not_agreed")
        rationale = [p for p in g.paras if disputed and is_rationale(p)]
        steps = [p for p in g.paras if p not in rationale]
        out = [Action(text=p, kind="rationale") for p in rationale]
        n = max(len(g.owners), len(g.targets))
        if n == 0:
            if steps:
                self.problems.append(
                    Problem(
                        "count_mismatch",
                        c.id,
                        f"{len(steps)} response paragraph(s) with no owner or target entry",
                    )
                )
            return out + [Action(text=p) for p in steps]
        counts = (
            f"{len(steps)} response paragraph(s), {len(g.owners)} owner and "
            f"{len(g.targets)} target entries"
        )
        uneven = len(g.owners) not in (0, n) or len(g.targets) not in (0, n)
        if not steps:
            entries = "; ".join([*g.owners, *g.targets])
            self.problems.append(
                Problem(
                    "unplaced_text", c.id, "owner/target entries with no response text", entries
                )
            )
            return out
        if len(steps) == n or (n > 1 and len(steps) > 1):
            if len(steps) != n or uneven:
                self.problems.append(
                    Problem("count_mismatch", c.id, f"{counts}; paired by position")
                )
            actions = [self._action(p, g, i) for i, p in enumerate(steps)]
            if n > len(steps):  # keep the extra entries on the last action
                last = actions[-1]
                last.owner_raw = "; ".join(g.owners[len(steps) - 1 :]) or last.owner_raw
                last.target_raw = "; ".join(g.targets[len(steps) - 1 :]) or last.target_raw
                self._set_target(last)
                last.owners = [o for e in g.owners[len(steps) - 1 :] for o in split_owners(e)]
            return out + actions
        # One entry for several paragraphs: the row is one action.
        # Several entries for one paragraph: one action holding every entry.
        action = Action(
            text="\n\n".join(steps),
            owner_raw="; ".join(g.owners) or None,
            target_raw="; ".join(g.targets) or None,
        )
        action.owners = [o for e in g.owners for o in split_owners(e)]
        self._set_target(action)
        if n > 1 or uneven:
            self.problems.append(
                Problem("count_mismatch", c.id, f"{counts}; kept them all on one action")
            )
        return [*out, action]

    def _action(self, text: str, g: _Group, i: int) -> Action:
        owner = g.owners[i] if i < len(g.owners) else None
        target = g.targets[i] if i < len(g.targets) else None
        action = Action(text=text, owner_raw=owner, target_raw=target)
        action.owners = split_owners(owner) if owner else []
        self._set_target(action)
        return action

    @staticmethod
    def _set_target(action: Action) -> None:
        t = parse_target(action.target_raw)
        action.target_date = t.date
        action.status = t.status  # type: ignore[assignment]

    # -- helpers ------------------------------------------------------------
    def _unplaced(self, text: str, why: str) -> None:
        cid = self.open.concern.id if self.open else None
        self.problems.append(Problem("unplaced_text", cid, why, text))

    def _next_id(self) -> str:
        prev = (
            self.open.concern.id if self.open else (self.concerns[-1].id if self.concerns else None)
        )
        if prev and (m := re.match(r"^(.*?)(\d+)$", prev)):
            return f"{m.group(1)}{int(m.group(2)) + 1}"
        return f"?{len(self.concerns) + 1}"


def build_concerns(rows: list[RawRow]) -> tuple[list[Concern], list[Problem]]:
    """Turn table rows into concerns with paired actions, and the problems met.

    >>> concerns, problems = build_concerns([
    ...     RawRow(concern="Priority concerns"),
    ...     RawRow("1", "Cells were dirty.", response=["Cleaning rota set."],
    ...            owners=["Governor"], targets=["April 2024"]),
    ... ])
    >>> c = concerns[0]
    >>> c.id, c.section, c.actions[0].owner_raw, str(c.actions[0].target_date)
    ('1', 'priority', 'Governor', '2024-04-30')
    """
    b = _Builder()
    for row in rows:
        b.add(row)
    b._close()
    return b.concerns, b.problems
