"""Plan metadata from the text around the table: prison, dates, stated totals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from actionnlp.read.cells import fold_ws
from actionnlp.read.dates import parse_date, parse_date_range

__all__ = ["PlanMeta", "looks_like_action_plan", "read_meta", "read_stated_totals"]

_PRISON_PATTERNS = [
    re.compile(
        r"^\s*Action\s+Plan\s*:\s*(?P<p>(?:HMP|HMYOI|HMP/YOI|HMP\s*&\s*YOI|YOI|HMIRC)\b.+)$", re.I
    ),
    re.compile(r"^\s*ESTABLISHMENT\s*:\s*(?P<p>.+)$", re.I),
    re.compile(r"^\s*(?:Prison|Establishment)\s+name\s*:\s*(?P<p>.+)$", re.I),
    re.compile(
        r"\b(?P<p>(?:HMP\s*&\s*YOI|HMP/YOI|HMYOI|HMP|YOI)\s+[A-Z][A-Za-z'\-]+(?:\s+[A-Z][A-Za-z'\-]+)?)"
    ),
]
_SUBMITTED_RE = re.compile(r"Action\s+Plan\s+Submitted\s*:?\s*(?P<d>.+)$", re.I)
_PUBLISHED_RE = re.compile(r"Report\s+Published\s*:?\s*(?P<d>.+)$", re.I)
# No optional prefix before "Inspection": a leading (?:HMIP)?\s* is tried from every
# space of a long run of spaces (quadratic); only the date group is used anyway.
_INSPECTION_RE = re.compile(r"Inspection(?:\s+dates?)?\s*:\s*(?P<d>.+)$", re.I)
_CLUTTER_RE = re.compile(
    r"^\s*(?:Upload\s*:.*|Page\s+\d+\s*(?::.*|of\s+\d+.*)?|Download.*|\d+\s*)$", re.I
)
_TOTAL_RE = re.compile(
    r"^\s*(?P<k>agreed|partly\s+agreed|not\s+agreed|accepted|partly\s+accepted|rejected|"
    r"not\s+accepted|total(?:\s+number\s+of\s+recommendations)?)\s*[:\t ]\s*(?P<n>\d{1,3})\s*$",
    re.I,
)
_TOTAL_KEYS = {
    "agreed": "agreed",
    "accepted": "agreed",
    "partly agreed": "partly_agreed",
    "partly accepted": "partly_agreed",
    "not agreed": "not_agreed",
    "not accepted": "not_agreed",
    "rejected": "not_agreed",
}


@dataclass
class PlanMeta:
    """What the opening of a plan says about it."""

    prison: str | None = None
    plan_submitted: date | None = None
    report_published: date | None = None
    inspection_dates: tuple[date, date] | None = None


def _tidy_prison(name: str) -> str:
    name = fold_ws(re.sub(r"[\t|].*$", "", name)).strip(" :-")
    words = name.split()
    if words and sum(w.isupper() for w in words) == len(words):
        head = words[0]
        rest = [w if w.startswith("(") and w.endswith(")") else w.capitalize() for w in words[1:]]
        return " ".join([head, *rest])
    return name


def read_meta(opening: str) -> PlanMeta:
    """Read prison name and dates from the text before the table.

    >>> m = read_meta("Action Plan: HMP Peterborough (Men)\\nReport Published: 9th April 2024")
    >>> m.prison, m.report_published
    ('HMP Peterborough (Men)', datetime.date(2024, 4, 9))
    """
    meta = PlanMeta()
    lines = [ln for ln in opening.splitlines() if ln.strip() and not _CLUTTER_RE.match(ln)]
    for ln in lines:
        if meta.plan_submitted is None and (m := _SUBMITTED_RE.search(ln)):
            meta.plan_submitted = parse_date(m.group("d"))
        elif meta.report_published is None and (m := _PUBLISHED_RE.search(ln)):
            meta.report_published = parse_date(m.group("d"))
        elif meta.inspection_dates is None and (m := _INSPECTION_RE.search(ln)):
            meta.inspection_dates = parse_date_range(m.group("d"))
    for rx in _PRISON_PATTERNS:
        for ln in lines:
            m = rx.search(ln)
            if m and m.group("p").strip():
                meta.prison = _tidy_prison(m.group("p"))
                return meta
    return meta


def read_stated_totals(text: str) -> dict[str, int] | None:
    """Totals a plan states about its own decisions, e.g. ``Agreed 16 ... Total 23``.

    >>> read_stated_totals("Agreed\\t16\\nPartly Agreed\\t7\\nNot Agreed\\t0\\nTotal\\t23")
    {'agreed': 16, 'partly_agreed': 7, 'not_agreed': 0, 'total': 23}
    """
    found: dict[str, int] = {}
    for ln in text.splitlines():
        m = _TOTAL_RE.match(ln)
        if not m:
            continue
        key = fold_ws(m.group("k").lower())
        key = "total" if key.startswith("total") else _TOTAL_KEYS[key]
        found.setdefault(key, int(m.group("n")))
    if not found:
        return None
    order = ["agreed", "partly_agreed", "not_agreed", "total"]
    return {k: found[k] for k in order if k in found}


_PLAN_WORDS = re.compile(
    r"\b(action\s+plan|responsible\s+owner|target\s+date|response|recommendation|concern|"
    r"timescale|agreed)\b",
    re.I,
)


def looks_like_action_plan(text: str) -> bool:
    """Cheap test that a document is an action plan, not a recipe or a report."""
    kinds = {m.group(1).lower().split()[0] for m in _PLAN_WORDS.finditer(text[:200_000])}
    return len(kinds) >= 3
