"""Shapes of table text: concern numbers in sequence, owner entries, target entries.

Shared by the text readers that see a table as a stream of lines (column blocks,
flattened PDF text) rather than as cells.
"""

from __future__ import annotations

import re

from actionnlp.read.dates import find_dates

__all__ = [
    "DATE_WORD_RE",
    "STATUS_RE",
    "broken_entry",
    "id_key",
    "is_date_or_status",
    "is_owner_block",
    "is_target_block",
    "plausible_next",
]

STATUS_RE = re.compile(
    r"^(complete[d]?|ongoing|on-going|in progress|done|achieved|continuous|tbc|n/?a)$", re.I
)

DATE_WORD_RE = re.compile(
    r"^(?:(?:end\s+of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
    r"(?:\s+\d{2,4})?|\d{1,2}(?:st|nd|rd|th)?|\d{4}|q[1-4]\s*\d{0,4}|\d{1,2}/\d{1,2}/\d{2,4})$",
    re.I,
)


def is_date_or_status(text: str) -> bool:
    """A line holding only a date word ("December", "2020", "March 2024") or a status.

    >>> is_date_or_status("2020"), is_date_or_status("Completed"), is_date_or_status("Governor")
    (True, True, False)
    """
    return bool(DATE_WORD_RE.match(text) or STATUS_RE.match(text))


def broken_entry(a: str, b: str) -> str | None:
    """A date or status word broken over two lines in a narrow column ("Compl" / "eted"),
    put back together; None for anything else.

    >>> broken_entry("Compl", "eted"), broken_entry("Governor", "eted")
    ('Completed', None)
    """
    x, y = a.strip(), b.strip()
    if " " in x or " " in y or not y[:1].islower() or is_date_or_status(x):
        return None
    return x + y if is_date_or_status(x + y) else None


def is_target_block(block: list[str]) -> bool:
    """Does the block hold target entries only (dates, status words)?

    >>> is_target_block(["March 2024"]), is_target_block(["Completed", "June 2024"])
    (True, True)
    >>> is_target_block(["May"]), is_target_block(["The rota is set."])
    (False, False)
    """
    text = " ".join(block).strip()
    if STATUS_RE.match(text):
        return True
    parts = [part.strip() for part in block]
    if not all(DATE_WORD_RE.match(x) or STATUS_RE.match(x) for x in parts):
        return False
    return any(STATUS_RE.match(x) for x in parts) or bool(find_dates(text))


_OWNER_END_RE = re.compile(r"[.;:,]$")


def is_owner_block(block: list[str], max_line: int = 45) -> bool:
    """Does the block look like an owner entry: a few short, capitalised words?

    >>> is_owner_block(["Head of Residence"]), is_owner_block(["The rota is set."])
    (True, False)
    """
    if len(block) > 5:
        return False
    words = " ".join(block).split()
    if not words or len(words) > 12:
        return False
    if any(_OWNER_END_RE.search(x.strip()) for x in block):
        return False
    caps = sum(1 for w in words if w[0].isupper() or not w[0].isalpha())
    return caps >= 0.6 * len(words) and all(len(x) <= max_line for x in block)


def id_key(cid: str) -> tuple[str, list[int]]:
    """A concern number's prefix and numeric parts: ``"S1.2"`` -> ``("S", [1, 2])``."""
    m = re.match(r"^([A-Z]{0,2})\s?([\d.]+)$", cid)
    if not m:
        return "", []
    return m.group(1), [int(x) for x in m.group(2).split(".") if x]


def plausible_next(cid: str, last: str | None) -> bool:
    """Is ``cid`` a believable next concern number after ``last``?

    >>> plausible_next("1.3", "1.2"), plausible_next("2.1", "1.4"), plausible_next("R1", "K4")
    (True, True, True)
    >>> plausible_next("7", "2"), plausible_next("R5", "K4")
    (True, False)
    """
    if last is None:
        return True
    (p1, a), (p2, b) = id_key(last), id_key(cid)
    if a and b and p1 != p2 and p2:  # a new section's series ("K4" then "R1")
        return b[-1] == 1
    if not a or not b or p1 != p2 or len(a) != len(b):
        return False
    if a[:-1] == b[:-1]:
        return 0 < b[-1] - a[-1] <= 6
    return b[:-1] > a[:-1] and b[-1] <= 2
