"""Cutting one printed line of an interleaved table into its cells' pieces.

The printed-width model of a sans font (:func:`text_width`, in digits' widths), the
columns' widths (:class:`Widths`) and :func:`cut_line`, a small dynamic programme over a
line's words that prefers cuts a printed column would make: pieces about as long as
their column is wide, paragraph ends that end a sentence, owner pieces of short
capitalised words and target pieces of dates and status words at the line's end.
:mod:`actionnlp.read.interleaved` finds the widths of a document and cuts its rows.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from actionnlp.read.cells import ends_sentence

__all__ = [
    "DECISION_RE",
    "NARROWEST",
    "SAMPLE",
    "TARGET_CORE_RE",
    "Widths",
    "closing_cost",
    "cut_line",
    "text_width",
]

#: A decision inside a line ("... breaks Partly Agreed This recommendation ...").
DECISION_RE = re.compile(
    r"(?<!\S)(?:(?:Partly|Partially|Not)\s)?(?:Agreed|Accepted)(?![\w/])|(?<!\S)Rejected(?![\w/])"
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
#: A word of a target entry.
_TARGET_WORD_RE = re.compile(
    rf"^(?:{_MONTH}|q[1-4]|\d{{1,2}}(?:st|nd|rd|th)?|(?:19|20)\d\d(?:/\d\d)?|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}"
    r"|complete[d]?|ongoing|on-going|achieved|done|continuous|tbc|end|of|by|mid|early|late|and"
    r"|quarterly|monthly|weekly|annually|immediate(?:ly)?|[-/&])[.,;]?$",
    re.I,
)
#: A word that makes a target entry (not only "end of").
TARGET_CORE_RE = re.compile(
    rf"^(?:{_MONTH}|q[1-4]|(?:19|20)\d\d(?:/\d\d)?|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|complete[d]?"
    r"|ongoing|on-going|achieved|done|continuous|tbc|quarterly|monthly|weekly|annually"
    r"|immediate(?:ly)?)[.,;]?$",
    re.I,
)
#: Function words that open a sentence of the response, not an owner entry.
_NOT_OWNER_START = frozenset(
    {"A", "An", "The", "In", "This", "It", "We", "All", "As", "At", "To", "For", "On", "By", "If"}
    | {"Of", "And", "Or", "Our", "These", "There", "They", "When", "Where", "With", "Following"}
)
#: A word that may open a target entry besides a date or status word ("end of May").
_TARGET_OPEN_RE = re.compile(r"^(?:end|by|mid|early|late|\d{1,2}(?:st|nd|rd|th)?)$", re.I)
_OWNER_SMALL = frozenset({"and", "of", "the", "for", "&", "/", "-", "to", "in", "with", "at"})
#: Words an owner piece may end on only when its entry runs on below ("Governor /").
_JOINERS = frozenset({"&", "/", "-", "and", "of", "for", "to", "the", "with", "at", "in"})
_OPEN_END = 2.0  # a concern cell whose last piece ends mid-sentence
_TOL = 0.005  # proportional fonts: a column holds this much more or fewer characters
_MAX_WORDS = 80  # a longer line is cut greedily (bounded work)
SAMPLE = 160  # lines used to search the column widths
_TAIL_MAX = 6  # words of an owner or target piece
NARROWEST = 12.0  # no concern or response column is narrower (digit widths)


#: Advance widths of a common proportional sans font (Helvetica / Arial / Liberation
#: Sans, in thousandths of an em), so a piece's printed width is estimated better than
#: by counting characters; other characters count as a digit.
_ADVANCE = {
    **dict.fromkeys("ijl'|", 222),
    **dict.fromkeys(" ftI.,:;!/[]\\", 278),
    **dict.fromkeys("r-()`", 333),
    **dict.fromkeys("cksvxyzJ", 500),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("CDHNRUw", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("mM", 833),
    **dict.fromkeys("%", 889),
    **dict.fromkeys("W", 944),
}
_UNIT = 556  # widths are in digits' widths (about one character each)


@functools.lru_cache(maxsize=1 << 15)
def text_width(text: str) -> float:
    """Printed width of ``text`` in digit widths (about one character each).

    >>> text_width("1234"), round(text_width("illicit"), 2), round(text_width("MWM"), 2)
    (4.0, 3.4, 4.69)
    """
    return sum(_ADVANCE.get(ch, _UNIT) for ch in text) / _UNIT


_SPACE = _ADVANCE[" "] / _UNIT


@dataclass
class Widths:
    """The widths (characters) of the concern, response, owner and target columns."""

    concern: float
    response: float
    owner: float = 30.0
    target: float = 18.0
    #: Owner entries the document prints on one line, beside a target, again and again
    #: (a plan's owners repeat): a longer piece ending in one took a response word.
    known: frozenset[str] = frozenset()


def _owner_word(word: str) -> bool:
    return (word[:1].isupper() or word[:1] in "(&/-" or word.lower() in _OWNER_SMALL) and not (
        word[:1].isdigit()
    )


def _span(lens: list[float], i: int, j: int) -> float:
    """Width of words ``i:j`` joined by single spaces (``lens`` are prefix sums)."""
    return 0.0 if j <= i else lens[j] - lens[i] + _SPACE * (j - i - 1)


def _tail_costs(
    words: list[str],
    owner: bool,
    target: bool,
    w: Widths,
    broken: bool = False,
    runs_on: bool = False,
) -> list[float]:
    """Best cost of words ``s:`` as an owner piece then a target piece, for every ``s``.

    ``broken``: the owner piece above is one word as wide as its column, broken there
    without a hyphen, so the piece here may open with its lower-case rest when the
    entry goes on after it (more words here, or an owner piece on the next line:
    ``runs_on``).
    """
    n = len(words)
    best = [float("inf")] * (n + 1)
    best[n] = 0.0
    lo = max(0, n - 2 * _TAIL_MAX)
    # target: a suffix of target words holding a core word
    t_ok = [False] * (n + 1)
    t_ok[n] = True
    if target:
        core = False
        for s in range(n - 1, max(lo, n - _TAIL_MAX) - 1, -1):
            if not _TARGET_WORD_RE.match(words[s]):
                break
            core = core or bool(TARGET_CORE_RE.match(words[s]))
            opens = bool(TARGET_CORE_RE.match(words[s]) or _TARGET_OPEN_RE.match(words[s]))
            wide = sum(text_width(x) + _SPACE for x in words[s:])
            t_ok[s] = core and opens and wide <= w.target * (1 + _TOL) + 1
    for t in range(n, lo - 1, -1):
        if not t_ok[t]:
            continue
        t_cost = -0.8 * (n - t)
        best[t] = min(best[t], t_cost)
        if not owner:
            continue
        for s in range(t - 1, max(lo, t - _TAIL_MAX) - 1, -1):
            rest = (
                broken
                and words[s][:1].islower()
                and words[s].isalpha()
                and words[s] not in _OWNER_SMALL
                and (runs_on or s + 1 < t)  # the entry goes on after the word's rest
            )
            if not (_owner_word(words[s]) or rest):
                break
            o_width = sum(text_width(x) + _SPACE for x in words[s:t]) - _SPACE
            if o_width > 1.6 * w.owner + 2:
                break
            piece = " ".join(words[s:t])
            if piece.count("(") < piece.count(")"):
                continue  # the end of a bracket opened in another cell
            if rest or (words[s][:1].isupper() and words[s] not in _NOT_OWNER_START):
                if any(x.endswith((".", ":", ";")) for x in words[s : t - 1]):
                    break
                over = max(0.0, o_width - w.owner * (1 + _TOL))
                best[s] = min(best[s], t_cost - 0.5 * (t - s) + over)
            if rest:
                break  # the rest of a broken word opens the piece
    return best


def closing_cost(piece: list[str]) -> float:
    """Cost of ending the concern cell with this piece: it should end a sentence
    (or a bracket, as "(Directed to: the Governor)" does).

    >>> closing_cost("(Directed to: the Governor)".split()), closing_cost(["the"])
    (0.0, 2.0)
    """
    if not piece or ends_sentence(piece[-1]) or piece[-1].endswith(")"):
        return 0.0
    return _OPEN_END


def _piece_cost(text_len: float, width: float, fw_next: float, piece_end: str) -> float:
    """Cost of a wrapped column's piece: too long for the column, or ended with room."""
    cost = max(0.0, text_len - width * (1 + _TOL)) + 0.05 * max(0.0, text_len - width)
    if fw_next and text_len + _SPACE + fw_next < width * (1 - _TOL):
        cost += 0.3 if ends_sentence(piece_end) else 3.0
    return cost


def _fits_above(prev: float | None, first: float, width: float) -> bool:
    """Would the first word have fitted on the line above (so it was not wrapped there)?"""
    return bool(prev) and prev is not None and prev + _SPACE + first < width * (1 - _TOL)


def cut_line(
    words: list[str],
    w: Widths,
    *,
    concern: bool,
    fw_concern: float = 0,
    fw_response: float = 0,
    prev_concern: float | None = None,
    prev_response: float | None = None,
    prev_entry: bool | None = None,
    prev_owner: float | None = None,
    prev_word: float | None = None,
    fw_owner: float | None = None,
    next_lower: bool = False,
    prev_known: bool = False,
    owner: bool = True,
    target: bool = True,
    closing: bool = False,
) -> tuple[float, int, int, int]:
    """Cut a printed line's words into concern, response, owner and target pieces.

    Returns ``(cost, a, b, c)``: the concern is ``words[:a]``, the response
    ``words[a:b]``, the owner ``words[b:c]`` and the target ``words[c:]``.
    ``concern``: the concern column still has text on this line; ``fw_*``: the
    width of that column's first word on the next line (0: unknown or none);
    ``prev_*``: the width of that column's piece on the line above when it runs on
    (the piece's first word must not have fitted there), 0 when it ended a sentence
    or the cell starts here (the piece should open with a capital), None: unknown;
    ``prev_entry``: the line above had an owner or target piece (None: unknown): an
    entry starts below another or beside a new paragraph. ``prev_owner``: the width of
    the owner piece on the line above (None: none or unknown): a piece here whose first
    word would have fitted there starts a new entry, which has its target beside it.
    ``prev_word``: the width of the owner piece above when it is a single word (None:
    not one word): a word as wide as the column was broken there, and its lower-case
    rest may open the piece here. ``fw_owner``: the width of the owner's first word
    on the next line (0: none, None: unknown): a piece may end on a joining word
    ("Governor /") only when its entry runs on below. ``next_lower``: the response's
    piece below opens lower-case, so the piece here does not end a sentence (the
    word after that sentence end sits in another column). ``prev_known``: the owner
    piece above is one of the entries ``w.known`` printed whole on one line, so it
    does not run on here. ``closing``: the concern's
    piece on this line is its cell's last, so it should end a sentence (or a bracket).

    A row's first line (both cells start here), the concern 18 digits wide and the
    response 22, "smelled" and "every" opening their cells' next lines:

    >>> w = Widths(concern=18, response=22, owner=10, target=10)
    >>> words = "Cells were dirty and A rota is set for cleaning Governor May 2024".split()
    >>> _, a, b, c = cut_line(words, w, concern=True, fw_concern=text_width("smelled"),
    ...                       fw_response=text_width("every"), prev_concern=0, prev_response=0)
    >>> [" ".join(p) for p in (words[:a], words[a:b], words[b:c], words[c:])]
    ['Cells were dirty and', 'A rota is set for cleaning', 'Governor', 'May 2024']
    """
    n = len(words)
    if n > _MAX_WORDS:  # bounded work: a line this long is the response's
        return (0.0, 0, n, n)
    lens = [0.0]
    for x in words:
        lens.append(lens[-1] + text_width(x))
    # a sentence end followed by a lower-case word: two cells' pieces met there
    seams = [0]
    for k in range(1, n + 1):
        seam = k < n and ends_sentence(words[k - 1]) and words[k][:1].islower()
        seams.append(seams[-1] + seam)
    broken = prev_word is not None and prev_word >= w.owner - 2.0
    tail = _tail_costs(words, owner, target, w, broken=broken, runs_on=bool(fw_owner))
    ends = [b for b in range(n + 1) if tail[b] != float("inf")]
    # what depends on the tail alone (where the target starts, the entry's own costs)
    starts = {b: _target_start(words, b) if b < n else n for b in ends}
    entry = {b: tail[b] + _entry_cost(words, b, starts[b], w, prev_entry, prev_owner,
                                      fw_owner, prev_known, target=target)
             for b in ends}  # fmt: skip
    best = (float("inf"), 0, n, n)
    a_range = range(0, n + 1) if concern else range(0, 1)
    for a in a_range:
        la = _span(lens, 0, a)
        if la > w.concern * (1 + _TOL) + 12:
            break
        if concern:
            ca = 1.0 if a == 0 else _piece_cost(la, w.concern, fw_concern, words[a - 1]) - 0.01 * la
            if seams[a - 1] if a else 0:
                ca += 2.0
            if a and _fits_above(prev_concern, lens[1], w.concern):
                ca += 3.0
            if a and prev_concern == 0 and words[0][:1].islower():
                ca += 2.0
            if a and closing:
                ca += closing_cost(words[:a])
        else:
            ca = 0.0
        for b in ends:  # the response runs up to where an owner/target tail can start
            if b < a:
                continue
            lb = _span(lens, a, b)
            if lb > w.response * (1 + _TOL) + 12:
                continue
            if b == a:
                cb = 0.5 + (1.0 if prev_response and fw_response else 0.0)  # runs on below
            else:
                cb = _piece_cost(lb, w.response, fw_response, words[b - 1])
            if b > a + 1 and seams[b - 1] - seams[a]:
                cb += 2.0
            if b > a and _fits_above(prev_response, lens[a + 1] - lens[a], w.response):
                cb += 3.0
            if b > a and prev_response == 0 and words[a][:1].islower():
                cb += 2.0
            if b > a and next_lower and ends_sentence(words[b - 1]):
                cb += 2.0
            cost = ca + cb + entry[b]
            if b < n and prev_entry is False and prev_response:
                cost += 1.0  # an entry beside running text, not below another entry
            if cost < best[0]:
                best = (cost, a, b, starts[b])
    return best


def _entry_cost(
    words: list[str],
    b: int,
    c: int,
    w: Widths,
    prev_entry: bool | None,
    prev_owner: float | None,
    fw_owner: float | None,
    prev_known: bool,
    *,
    target: bool,
) -> float:
    """The costs of the owner piece ``words[b:c]`` that do not depend on the response."""
    if b >= c:
        return 0.0
    cost = 1.5 if c == len(words) and prev_entry is False else 0.0  # an owner alone
    cost += _owner_cost(words, b, c, w, prev_owner, fw_owner, target=target)
    return cost + _known_cost(words, b, c, w.known, prev_known)


def _owner_cost(
    words: list[str],
    b: int,
    c: int,
    w: Widths,
    prev_owner: float | None,
    fw_owner: float | None,
    *,
    target: bool,
) -> float:
    """What the owner column's wrap says of the owner piece ``words[b:c]``.

    A piece whose first word would have fitted after the piece above was not wrapped
    there: it starts a new entry, and a new entry has its target beside it. An entry
    does not end on a joining word ("Governor /"): the next line carries its rest.
    """
    cost = 0.0
    first = text_width(words[b])
    # the owner width is measured as the widest entry piece plus a margin (1): a word
    # surely fitted above when it fits without that margin
    new_entry = prev_owner is not None and _fits_above(prev_owner, first, w.owner - 1.0)
    if new_entry and target and c == len(words):
        cost += 1.5
    if words[c - 1].lower() in _JOINERS and fw_owner == 0:
        cost += 2.0
    return cost


def _known_cost(words: list[str], b: int, c: int, known: frozenset[str], prev_known: bool) -> float:
    """What the document's repeated one-line entries say of the owner piece ``words[b:c]``.

    A piece beside a target that is no such entry but ends in one took the response's
    last words ("Small Firms" + "Director"); a piece below such an entry continues
    nothing, it took the response's word.
    """
    if not known:
        return 0.0
    if c == len(words):
        return 1.0 if prev_known else 0.0
    if " ".join(words[b:c]) in known:
        return 0.0
    for s in range(b + 1, c):
        if " ".join(words[s:c]) in known:
            return 0.5 * (s - b) + 0.5
    return 0.0


def _target_start(words: list[str], b: int) -> int:
    """Where the target piece starts in the tail ``words[b:]``."""
    n = len(words)
    t = n
    while t > b and _TARGET_WORD_RE.match(words[t - 1]):
        t -= 1
    while t < n and not TARGET_CORE_RE.match(words[t]) and words[t].lower() not in {"end", "by"}:
        t += 1  # "and" or "of" joining an owner, not opening the target
    return t
