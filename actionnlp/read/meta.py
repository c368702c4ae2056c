"""Plan metadata from the text around the table: prison, dates, stated totals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from actionnlp.read.cells import fold_ws
from actionnlp.read.dates import parse_date, parse_date_range

__all__ = [
    "PlanMeta",
    "cover_meta",
    "inspection_span",
    "looks_like_action_plan",
    "read_meta",
    "read_stated_totals",
]

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
# Bounded, linear patterns: each starts at a word and repeats nothing unbounded before
# the captured rest of the line.
_SUBMITTED_RE = re.compile(
    r"\b(?:Action\s{1,5}Plan\s{1,5}|Date\s{1,5})?Submitted(?:\s{1,5}on)?[ \t]{0,5}:?[ \t]{0,5}"
    r"(?P<d>[^\n]{1,200})$",
    re.I,
)
_PUBLISHED_RE = re.compile(
    r"\b(?:Report\s{1,5}Published|Publication\s{1,5}date|Date\s{1,5}(?:of\s{1,5})?publi\w{0,7})"
    r"[ \t]{0,5}:?[ \t]{0,5}(?P<d>[^\n]{1,200})$",
    re.I,
)
_INSPECTION_RE = re.compile(
    r"\bInspection(?:\s{1,5}dates?)?[ \t]{0,5}:[ \t]{0,5}(?P<d>[^\n]{1,200})$|"
    r"\bDates?\s{1,5}of\s{1,5}(?:the\s{1,5})?inspection[ \t]{0,5}:?[ \t]{0,5}(?P<d2>[^\n]{1,200})$",
    re.I,
)
# Lines a document-hosting site adds around a plan's text.
_CLUTTER_RE = re.compile(
    r"^[ \t]{0,40}(?:(?:Upload|Uploaded\s{1,5}by|Download|View|Views|Share|Embed|Print|Save|"
    r"Citation\s{1,5}preview|Report\s{1,5}this\s{1,5}(?:document|link)|Copy\s{1,5}link|"
    r"Loading|Scroll\s{1,5}to)\b[^\n]{0,120}|Page\s{1,5}\d{1,4}[ \t]{0,5}(?::[^\n]{0,200}|"
    r"of\s{1,5}\d{1,4}[^\n]{0,40})?|\d{1,4}[ \t]{0,5}|"
    r"[\u2190-\u21ff\u25b2-\u25ff<>|/\\ \t]{1,20})$",
    re.I,
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
    lettered = [w for w in words if any(ch.isalpha() for ch in w)]
    if lettered and all(w.isupper() for w in lettered):
        head = 0  # the designator (HMP, HMP & YOI, HMYOI ...) stays in capitals
        while head < len(words) and (words[head] in _DESIGNATORS or not words[head].isalpha()):
            head += 1
        head = max(head, 1)
        rest = [
            w if w.startswith("(") and w.endswith(")") else w.capitalize() for w in words[head:]
        ]
        return " ".join([*words[:head], *rest])
    return name


_DESIGNATORS = {"HMP", "YOI", "HMYOI", "HMP/YOI", "HMIRC", "&", "/"}


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
            meta.inspection_dates = inspection_span(m.group("d") or m.group("d2"))
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


_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_SPAN_TOKEN_RE = re.compile(
    r"\b(?:(?P<y>(?:19|20)\d\d)|(?P<d>[0-3]?\d)(?:\s{0,2}(?:st|nd|rd|th))?|"
    r"(?P<m>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6})\b",
    re.I,
)


def inspection_span(text: str | None) -> tuple[date, date] | None:
    """First and last day of an inspection, however many parts it was in.

    Each day number belongs to the next month named after it, each month to the next
    year (the year before when the month comes later in the year than the one after).

    >>> inspection_span("17, 18 December & 7-11 January 2019")
    (datetime.date(2018, 12, 17), datetime.date(2019, 1, 11))
    >>> inspection_span("3 rd - 14th September 2023")
    (datetime.date(2023, 9, 3), datetime.date(2023, 9, 14))
    """
    if not text:
        return None
    tokens = [(m.lastgroup, m.group(m.lastgroup)) for m in _SPAN_TOKEN_RE.finditer(text[:300])]
    found: list[date] = []
    year = month = None
    for kind, value in reversed(tokens):
        if kind == "y":
            year, month = int(value), None
        elif kind == "m" and year is not None:
            m = _MONTHS.index(next(n for n in _MONTHS if n.startswith(value.lower()[:3]))) + 1
            if month is not None and m > month:
                year -= 1
            month = m
        elif kind == "d" and month is not None and year is not None:
            try:
                found.append(date(year, month, int(value)))
            except ValueError:
                continue
    if not found:
        return parse_date_range(text)
    return min(found), max(found)


_INTRO_RE = re.compile(
    r"\b(?:HM\s{1,5}Inspectorate\s{1,5}of\s{1,5}Prisons|HMIP|HMCIP|independent\s{1,5}inspectorate)\b",
    re.I,
)
_TITLE_RE = re.compile(r"\baction\s{1,5}plan\b", re.I)
_COVER_CHARS = 20_000


def cover_meta(text: str) -> PlanMeta | None:
    """The metadata of a plan's cover, or None when the text shows no sign of one.

    A cover names the establishment and calls itself an action plan, and has at least
    a date (submission, publication, inspection) or the inspectorate's introduction.
    Document-hosting clutter ("Upload", "View", "Page 2: ...") is ignored.

    >>> m = cover_meta("Upload\\nAction Plan: HMP Example\\nReport Published: 05/05/2020")
    >>> m.prison, str(m.report_published)
    ('HMP Example', '2020-05-05')
    >>> cover_meta("A recipe for bread.") is None
    True
    """
    head = text[:_COVER_CHARS]
    if not _TITLE_RE.search(head):
        return None
    meta = read_meta(head)
    dated = meta.plan_submitted or meta.report_published or meta.inspection_dates
    if meta.prison is None or not (dated or _INTRO_RE.search(head)):
        return None
    return meta
