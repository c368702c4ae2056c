"""Dates as action plans write them: target cells, inspection ranges, metadata lines.

Everything here is pure standard library, tolerant of extractor/OCR noise and never
raises on any string: when there is no date the answer is ``None`` (or empty).

Conventions
-----------
* **Day/month order is always UK**: ``05/06/2020`` and ``5/6/20`` are 5 June 2020.
* **A date without a day is the last day of its month**: a target of "April 2024"
  means "by the end of April", so it reads as 2024-04-30. "end of"/"late" say the
  same thing explicitly; "start of"/"beginning of"/"early" give the 1st and
  "mid"/"middle of" the 15th.
* **A quarter is the last day of the quarter**: "Q3 2024" is 2024-09-30 (calendar
  quarters). A financial-year quarter, written with the year pair, runs from April:
  "Q3 2024/25" is 2024-12-31 and "Q4 2024/25" is 2025-03-31.
* **Two-digit years** are 20yy, or 19yy from 70 up: "5/5/20" and "January 24" are 2020
  and 2024. A lower-case "may"/"mar" is not read as a month before a two-digit year.
* Unicode dashes, quotes and spaces read as their ASCII forms; a line break inside a
  date is just a space ("December\\n2023"); split ordinals ("3 rd") are fine.
* Four-digit years must lie in 1900-2100; impossible dates (31/02/2024) are skipped.
* In an inspection range (:func:`parse_date_range`) days are real days.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Literal, NamedTuple

__all__ = [
    "Target",
    "find_dates",
    "parse_date",
    "parse_date_range",
    "parse_target",
    "split_target_entries",
]

Status = Literal["completed", "ongoing", "planned"]

# -- normalisation (length preserving, so match offsets index the raw text) -----
_SPACES = "\u0085\u00a0\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
_SPACES += "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_QUOTES = "\u2018\u2019\u02bc\u00b4`"
_TRANS = str.maketrans(
    {**dict.fromkeys(_SPACES, " "), **dict.fromkeys(_DASHES, "-"), **dict.fromkeys(_QUOTES, "'")}
)


def _norm(text: str) -> str:
    return text.translate(_TRANS)


# -- building blocks -------------------------------------------------------------
_F = re.IGNORECASE | re.ASCII
_MONTH_WORD = (
    r"(?:jan(?:uary)?|feb(?:r?uary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_ORD = r"(?:\s{0,2}(?:st|nd|rd|th))?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s{1,3})?"


def _month(name: str) -> str:
    """A month word as a named group, not glued to letters on its right."""
    return rf"(?P<{name}>{_MONTH_WORD})(?![A-Za-z])\.?"


def _year(name: str) -> str:
    """A year after a month: four digits, or two digits that are not a day."""
    return (
        rf"(?:[\s,.'/-]{{0,4}}(?P<{name}>[0-9]{{4}})"
        rf"|(?:\s?'|-|\s)(?P<{name}2>[0-9]{{2}})"
        rf"(?!\s{{0,3}}(?:st|nd|rd|th|{_MONTH_WORD})(?![A-Za-z])|[:.][0-9]))"
        r"(?![0-9])"
    )


def _month_no(word: str) -> int:
    return _MONTHS[word[:3].lower()]


def _yy(four: str | None, two: str | None) -> int | None:
    if four is not None:
        y = int(four)
        return y if 1900 <= y <= 2100 else None
    if two is not None:
        y = int(two.lstrip("'"))
        return 2000 + y if y < 70 else 1900 + y
    return None


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _mk(y: int | None, m: int, d: int | None) -> date | None:
    """A date, ``d=None`` meaning the last day of the month; None if impossible."""
    if y is None or not 1 <= m <= 12:
        return None
    try:
        return date(y, m, _last_day(y, m) if d is None else d)
    except ValueError:
        return None


class _Hit(NamedTuple):
    start: int
    end: int
    date: date
    exact: bool  # names a real day (not a month/quarter end by convention)


_Conv = Callable[["re.Match[str]"], "tuple[date | None, bool]"]


def _c_iso(m: re.Match[str]) -> tuple[date | None, bool]:
    return _mk(_yy(m["y"], None), int(m["m"]), int(m["d"])), True


def _c_dmy_num(m: re.Match[str]) -> tuple[date | None, bool]:
    if m["s"] == "." and m["y"] is None:
        return None, True
    return _mk(_yy(m["y"], m["y2"]), int(m["m"]), int(m["d"])), True


def _c_my_num(m: re.Match[str]) -> tuple[date | None, bool]:
    return _mk(_yy(m["y"], None), int(m["m"]), None), False


def _two_digit_ok(m: re.Match[str]) -> bool:
    return m["y2"] is None or m["m"] not in ("may", "mar")


def _c_dmy(m: re.Match[str]) -> tuple[date | None, bool]:
    if not _two_digit_ok(m):
        return None, True
    return _mk(_yy(m["y"], m["y2"]), _month_no(m["m"]), int(m["d"])), True


def _c_mdy(m: re.Match[str]) -> tuple[date | None, bool]:
    return _mk(_yy(m["y"], None), _month_no(m["m"]), int(m["d"])), True


_QUALIFIER_DAY = {"start": 1, "beginning": 1, "early": 1, "mid": 15, "middle": 15}


def _c_my(m: re.Match[str]) -> tuple[date | None, bool]:
    if not _two_digit_ok(m):
        return None, False
    q = (m["q"] or "end").lower()
    day = _QUALIFIER_DAY.get(q)
    return _mk(_yy(m["y"], m["y2"]), _month_no(m["m"]), day), day is not None


def _c_quarter(m: re.Match[str]) -> tuple[date | None, bool]:
    y = _yy(m["y"], m["y2"] if "y2" in m.re.groupindex else None)
    q = int(m["q"])
    fy = m["fy"] if "fy" in m.re.groupindex else None
    if y is None:
        return None, False
    if fy is not None and int(fy[-2:]) == (y + 1) % 100:
        # Financial year from April: Q1 Apr-Jun ... Q4 Jan-Mar of the next year.
        return (_mk(y + 1, 3, None) if q == 4 else _mk(y, 3 * q + 3, None)), False
    if m["y"] is None:  # a bare two-digit year only counts in a year pair
        return None, False
    return _mk(y, 3 * q, None), False


_PATTERNS: list[tuple[re.Pattern[str], _Conv]] = [
    (
        re.compile(
            r"(?<![0-9])(?P<y>[0-9]{4})(?P<s>[-/.])(?P<m>[0-9]{1,2})(?P=s)(?P<d>[0-9]{1,2})"
            r"(?![0-9])",
            _F,
        ),
        _c_iso,
    ),
    (
        re.compile(
            r"(?<![0-9])(?<![0-9][/.-])(?P<d>[0-9]{1,2})(?P<s>[/.-])(?P<m>[0-9]{1,2})(?P=s)"
            r"(?:(?P<y>[0-9]{4})|(?P<y2>[0-9]{2}))(?![0-9])(?![/.-][0-9])",
            _F,
        ),
        _c_dmy_num,
    ),
    (
        re.compile(
            r"(?<![0-9])(?<![0-9][/.-])(?P<m>[0-9]{1,2})/(?P<y>[0-9]{4})(?![0-9])(?![/.-][0-9])",
            _F,
        ),
        _c_my_num,
    ),
    (
        re.compile(
            rf"(?<![0-9])(?P<d>[0-9]{{1,2}}){_ORD}\.?,?\s{{0,4}}(?:of\s{{1,3}})?"
            rf"{_month('m')}{_year('y')}",
            _F,
        ),
        _c_dmy,
    ),
    (
        re.compile(
            rf"(?<![A-Za-z]){_month('m')}\s{{1,3}}(?P<d>[0-9]{{1,2}})(?![0-9]){_ORD},?\s{{1,3}}"
            r"(?P<y>[0-9]{4})(?![0-9])",
            _F,
        ),
        _c_mdy,
    ),
    (
        re.compile(
            r"(?:(?<![A-Za-z])(?P<q>start|beginning|early|mid|middle|end|late)"
            r"(?:\s{1,3}of)?(?:\s{1,3}the)?[\s-]{1,3})?"
            rf"(?<![A-Za-z]){_month('m')}{_year('y')}",
            _F,
        ),
        _c_my,
    ),
    (
        re.compile(
            r"(?<![A-Za-z0-9])(?:(?:end|close)\s{1,3}of\s{1,3})?Q(?P<q>[1-4])[\s,/-]{0,3}"
            r"(?:(?P<y>[0-9]{4})|(?P<y2>[0-9]{2})(?=[/-][0-9]{2}))"
            r"(?:[/-](?P<fy>[0-9]{4}|[0-9]{2}))?(?![0-9])",
            _F,
        ),
        _c_quarter,
    ),
    (
        re.compile(r"(?<![0-9])(?P<y>[0-9]{4})\s{0,2}-?\s{0,2}Q(?P<q>[1-4])(?![A-Za-z0-9])", _F),
        _c_quarter,
    ),
]


def _scan(text: str) -> list[_Hit]:
    """Every date in ``text``, left to right, non-overlapping.

    At one position the longest match wins (then the earlier pattern); a match that is
    not a real date is skipped and the scan goes on one character further.
    """
    norm = _norm(text)
    hits: list[_Hit] = []
    nxt: list[tuple[re.Match[str], date, bool] | None] = [None] * len(_PATTERNS)
    searched_from = [-1] * len(_PATTERNS)
    pos = 0
    while True:
        best: tuple[re.Match[str], date, bool] | None = None
        for i, (rx, conv) in enumerate(_PATTERNS):
            cached = nxt[i]
            if searched_from[i] < 0 or (cached is not None and cached[0].start() < pos):
                cached = None
                at = pos
                while (m := rx.search(norm, at)) is not None:
                    d, exact = conv(m)
                    if d is not None:
                        cached = (m, d, exact)
                        break
                    at = m.start() + 1
                nxt[i], searched_from[i] = cached, pos
            if cached is None:
                continue
            m = cached[0]
            if best is None or (m.start(), -m.end()) < (best[0].start(), -best[0].end()):
                best = cached
        if best is None:
            return hits
        m, d, exact = best
        hits.append(_Hit(m.start(), m.end(), d, exact))
        pos = m.end()


# -- public: single dates ------------------------------------------------------------
def find_dates(text: str | None) -> list[tuple[str, date]]:
    """Every date expression in ``text``, in order, with the raw substring it came from.

    >>> find_dates("March 2024 March 2024")
    [('March 2024', datetime.date(2024, 3, 31)), ('March 2024', datetime.date(2024, 3, 31))]
    >>> find_dates("Completed 3 rd September 2023; review Q1 2024")
    [('3 rd September 2023', datetime.date(2023, 9, 3)), ('Q1 2024', datetime.date(2024, 3, 31))]
    """
    if not isinstance(text, str) or not text:
        return []
    return [(text[h.start : h.end], h.date) for h in _scan(text)]


def parse_date(text: str | None) -> date | None:
    """The first date in ``text``, or ``None``; see the module conventions.

    A month without a day is the last day of that month, a quarter its last day.

    >>> parse_date("12th January 2024")
    datetime.date(2024, 1, 12)
    >>> parse_date("5/5/20"), parse_date("April 2024"), parse_date("Q3 2024")
    (datetime.date(2020, 5, 5), datetime.date(2024, 4, 30), datetime.date(2024, 9, 30))
    >>> parse_date("no date here") is None
    True
    """
    if not isinstance(text, str) or not text:
        return None
    hits = _scan(text)
    return hits[0].date if hits else None


# -- public: inspection ranges ---------------------------------------------------------
_RANGE_RE = re.compile(
    rf"(?<![0-9]){_WEEKDAY}(?P<d1>[0-9]{{1,2}})(?![0-9]){_ORD}\.?"
    rf"(?:,?\s{{0,3}}(?:of\s{{1,3}})?(?<![A-Za-z]){_month('m1')}"
    r"(?:[\s,]{1,3}(?P<y1>[0-9]{4})(?![0-9]))?)?"
    r"\s{0,3}(?:-{1,2}|(?<![A-Za-z])(?:to|until|till|and)(?![A-Za-z]))\s{0,3}"
    rf"{_WEEKDAY}(?P<d2>[0-9]{{1,2}})(?![0-9]){_ORD}\.?,?\s{{0,3}}(?:of\s{{1,3}})?"
    rf"{_month('m2')}[\s,.]{{0,4}}(?P<y2>[0-9]{{4}})(?![0-9])",
    _F,
)
_RANGE_GAP_RE = re.compile(
    r"\s{0,3}(?:-{1,2}|(?:to|until|till|and)(?![A-Za-z]))\s{0,3}", re.IGNORECASE | re.ASCII
)


def parse_date_range(text: str | None) -> tuple[date, date] | None:
    """Inspection dates as ``(first_day, last_day)``, or ``None``.

    Days here are real days (no month-end convention). The first day may borrow its
    month and year from the last ("8th - 18th January 2024"); a range that runs
    backwards is rejected.

    >>> parse_date_range("8th – 18th January 2024")
    (datetime.date(2024, 1, 8), datetime.date(2024, 1, 18))
    >>> parse_date_range("28 February - 10 March 2022")
    (datetime.date(2022, 2, 28), datetime.date(2022, 3, 10))
    """
    if not isinstance(text, str) or not text:
        return None
    norm = _norm(text)
    for m in _RANGE_RE.finditer(norm):
        y2 = _yy(m["y2"], None)
        m2 = _month_no(m["m2"])
        end = _mk(y2, m2, int(m["d2"]))
        m1 = _month_no(m["m1"]) if m["m1"] else m2
        y1 = None if y2 is None else (y2 if m1 <= m2 else y2 - 1)
        if m["y1"]:
            y1 = _yy(m["y1"], None)
        start = _mk(y1, m1, int(m["d1"]))
        if start is not None and end is not None and start <= end:
            return start, end
    hits = _scan(text)
    for a, b in pairwise(hits):
        if a.exact and b.exact and a.date <= b.date:
            gap = norm[a.end : b.start]
            if _RANGE_GAP_RE.fullmatch(gap):
                return a.date, b.date
    return None


# -- public: target cells --------------------------------------------------------------
_COMPLETED_RE = re.compile(r"(?<![A-Za-z])(?:completed?|done|achieved)(?![A-Za-z])", _F)
_NOT_COMPLETED_BEFORE_RE = re.compile(
    r"(?<![A-Za-z])(?:to|be|being|not|yet|partially|partly|part|will|once|when|until)"
    r"[\s-]{1,3}$",
    _F,
)
_NOT_COMPLETED_AFTER_RE = re.compile(r"^[\s,]{1,3}by(?![A-Za-z])", _F)
_ONGOING_RE = re.compile(
    r"(?<![A-Za-z])(?:on[\s-]{0,2}going|continuous(?:ly)?|continuing|in\s{1,3}progress"
    r"|business\s{1,3}as\s{1,3}usual|bau|rolling)(?![A-Za-z])",
    _F,
)
_CADENCE_RE = re.compile(
    r"(?<![A-Za-z])(?:daily|weekly|fortnightly|monthly|bi-?monthly|six-?monthly|quarterly"
    r"|annually|yearly|bi-?annually|regularly"
    r"|every\s{1,3}(?:[0-9]{1,2}\s{1,3})?(?:day|week|fortnight|month|quarter|year)s?)(?![A-Za-z])",
    _F,
)
_EDGE_STRIP = " \t\r\n\f\v,;:/&|•*·+-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_LEADING_AND_RE = re.compile(r"(?:(?:and|then)\s+)+", re.IGNORECASE)


@dataclass(frozen=True)
class Target:
    """A Responsible-target cell read into its parts.

    ``entries`` holds one string per target when the cell runs several together;
    ``date`` is the latest date in the cell; ``status`` is ``"completed"`` when a
    completed word is present, else ``"ongoing"`` for ongoing or recurring-cadence
    words, else ``"planned"`` when there is a date, else ``None``.

    >>> Target(raw="Ongoing", date=None, status="ongoing", entries=["Ongoing"]).status
    'ongoing'
    """

    raw: str | None
    date: date | None
    status: Status | None
    entries: list[str] = field(default_factory=list)


def _completed_spans(norm: str) -> list[tuple[int, int]]:
    spans = []
    for m in _COMPLETED_RE.finditer(norm):
        before = norm[max(0, m.start() - 20) : m.start()]
        after = norm[m.end() : m.end() + 6]
        if _NOT_COMPLETED_BEFORE_RE.search(before) or _NOT_COMPLETED_AFTER_RE.match(after):
            continue
        spans.append((m.start(), m.end()))
    return spans


def _anchors(text: str, norm: str) -> list[tuple[int, int]]:
    """Spans that each close one entry: dates and completed/ongoing words."""
    spans = [(h.start, h.end) for h in _scan(text)]
    spans += _completed_spans(norm)
    spans += [(m.start(), m.end()) for m in _ONGOING_RE.finditer(norm)]
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            continue
        out.append((s, e))
    return out


def _clean_entry(s: str) -> str:
    s = " ".join(s.split()).strip(_EDGE_STRIP)
    if (m := _LEADING_AND_RE.match(s)) is not None:
        s = s[m.end() :].strip(_EDGE_STRIP)
    return s


def split_target_entries(raw: str | None) -> list[str]:
    """Split a target cell into one string per target, in order.

    Each date expression and each completed/ongoing word closes an entry; words
    before it belong to it ("due March 2024"), trailing words join the last entry.
    Separators between entries (commas, dashes, "and") are dropped and white space
    is normalised. A cell with no date or status word is one entry; empty is none.

    >>> split_target_entries("Completed September 2024")
    ['Completed', 'September 2024']
    >>> split_target_entries("March 2024 March 2024")
    ['March 2024', 'March 2024']
    >>> split_target_entries("")
    []
    """
    if not isinstance(raw, str) or not raw.strip():
        return []
    norm = _norm(raw)
    anchors = _anchors(raw, norm)
    if not anchors:
        one = _clean_entry(raw)
        return [one] if one else []
    cuts = [0, *(e for _, e in anchors[:-1]), len(raw)]
    entries = [_clean_entry(raw[a:b]) for a, b in pairwise(cuts)]
    return [e for e in entries if e]


def parse_target(raw: str | None) -> Target:
    """Read a Responsible-target cell: its entries, latest date and status.

    Status is ``"completed"`` if the cell says Complete(d)/Done/Achieved (not "to be
    completed", "not complete" or "complete by ..."), else ``"ongoing"`` for
    Ongoing/On-going/Continuous/In progress/BAU or a recurring cadence such as
    "Monthly", else ``"planned"`` when the cell holds a date, else ``None``. The
    date is the latest date in the cell (month-only dates are month ends).

    >>> t = parse_target("Completed September 2024")
    >>> t.status, t.date, t.entries
    ('completed', datetime.date(2024, 9, 30), ['Completed', 'September 2024'])
    >>> parse_target("June 2024 June 2024").entries
    ['June 2024', 'June 2024']
    >>> parse_target(None)
    Target(raw=None, date=None, status=None, entries=[])
    """
    if not isinstance(raw, str) or not raw.strip():
        return Target(raw=raw if isinstance(raw, str) else None, date=None, status=None)
    norm = _norm(raw)
    dates = [h.date for h in _scan(raw)]
    latest = max(dates) if dates else None
    status: Status | None
    if _completed_spans(norm):
        status = "completed"
    elif _ONGOING_RE.search(norm) or _CADENCE_RE.search(norm):
        status = "ongoing"
    elif latest is not None:
        status = "planned"
    else:
        status = None
    return Target(raw=raw, date=latest, status=status, entries=split_target_entries(raw))
