"""Two columns printed line by line in turn, taken apart into their two streams.

Poppler's default ``pdftotext`` prints a page's text blocks in reading order, but
where the concern column and the response column have lines on the same baseline
it prints them in turn: a concern line, a response line, a concern line, ... (the
decision word after the first concern line); once one column ends the other runs on
alone. Two lines on one baseline may also come out as one line, the left cell's
piece first ("Illicit substances were far too The Head of Security will ..."), and a
line-end hyphen may be removed with the next printed line joined on, although that
line belongs to the other column ("Numerous closedOperations Manager ...").

:func:`split_block` finds such a run from structure only, by how consistent each
stream is as wrapped text:

- the wrap rule: a line that does not end a sentence wrapped, so the next line's
  first word of the same stream would not have fitted within that stream's width
  (the widest ordinary line of the stream);
- a line opening lower-case continues its own stream's sentence; a line ending in a
  hyphen is continued in lower case; a capital after a line that stopped mid-sentence
  is a weak sign of a column change;
- a line much longer than its neighbours carries both columns (cut where the left
  piece fills its column, or at a joined hyphen "closedOperations"); a line far wider
  than the rest of its stream is in the wrong column.

Every candidate (where the turns start, where they stop, which column runs on) is
scored by the broken rules of its two streams against the block read as one stream;
the best is taken only when it is clearly better. The search is bounded: at most
:data:`MAX_TURN` lines alternate and :data:`TAIL` lines after them are scored, so a
block costs linear time in its length.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise, product
from statistics import median

from actionnlp.read.cells import ends_sentence

__all__ = [
    "MAX_SEARCHES",
    "MAX_TURN",
    "TAIL",
    "Budget",
    "Split",
    "best_split",
    "broken_rules",
    "column_width",
    "split_block",
]

MAX_TURN = 48  # lines alternating in one run (bounded search)
TAIL = 12  # lines after the run scored with it
MAX_SEARCHES = 32  # stretches searched in one text (bounded work)
_STARTS = 3  # lines of the first column printed before the turns begin
_HORIZON = _STARTS + MAX_TURN + TAIL  # the lines one search scores
_SHORT = 0.6  # a line this share of the usual length ends its cell
_PEEK = 6  # the first lines of a stretch that must show turns for a search
_FIT = 0.9  # a word fits when the line stays within this share of the column's width
_SLACK = 1.2  # a piece cut from a long line may overrun its column's width this much
_WORD = 8  # a long word's length: ragged lines of one column differ by less
_LONG = 1.45  # a line this many times the run's median length carries both columns
_GAIN = 3.0  # broken rules the two streams must save over one
_DECISION_EVIDENCE = 1.0  # a decision inside an unfinished sentence counts as a rule broken
_SHARE = 0.6  # ... and at least this share of the rules one stream breaks
_LOWER = 0.4  # running text: this share of its words open lower-case
_CELL_END_RE = re.compile(r"[.!?][\u2019\u201d\"')\]]*$")  # a sentence ends (not a label's colon)
_NEARLY = 0.6  # a piece cut from a long line fills at least this share of its column
_CAMEL_RE = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z])")


@dataclass
class Budget:
    """The searches left for one text: each costs at most a fixed amount of work."""

    left: int = MAX_SEARCHES


@dataclass
class Split:
    """A run taken apart: ``first`` (the left column, printed first) and ``second``."""

    start: int  # the run's first line in the lines scored
    end: int  # the line after the run and its tail
    first: list[str]
    second: list[str]
    gain: float  # broken rules saved over reading the lines as one stream
    onto: int = 1  # the column (0 first, 1 second) that runs on after the run
    turned: int = 0  # the line after the lines printed in turn


def _first_word(line: str) -> str:
    return line.split(" ", 1)[0]


def column_width(lines: list[str]) -> float:
    """A column's printed width: its widest line that is not far longer than the rest
    (a line the extractor joined to the next at a removed hyphen is). Two lines are
    too few to tell: the wider is the width.

    >>> column_width(["Cells were dirty and", "the food was cold and",
    ...     "bimonthly reviews were held here."])
    21.0
    >>> column_width(["Cells were dirty and the food was cold.", "Staff"])
    39.0
    """
    lens = [len(x) for x in lines]
    if len(lens) < 3:
        return float(max(lens, default=0))
    m = median(lens)
    return float(max((n for n in lens if n <= _LONG * m), default=max(lens)))


def broken_rules(lines: list[str], width: float | None = None) -> float:
    """How badly ``lines`` read as one column wrapped at ``width`` (its own by default).

    >>> broken_rules(["Cells were dirty and", "the food was cold."])
    0.0
    >>> broken_rules(["Cells were", "dirty and the food was", "cold."])
    1.0
    """
    w = column_width(lines) if width is None else width
    wide, fit = _LONG * w, _FIT * w
    cost = float(sum(len(x) > wide for x in lines))  # wider than its column
    lens = sorted(len(x) for x in lines)
    if len(lens) >= 4 and lens[-1] > lens[-2] + max(_WORD, (_SLACK - 1) * lens[-2]):
        cost += 1.0  # one line wider than all the others by more than a word
    shapes = [_shape(x) for x in lines]
    for (n, end, _, _), (_, _, first, case) in pairwise(shapes):
        if end == _HYPHEN:
            cost += 0.0 if case == _LOWER_CASE else 1.0
        elif end == _SENTENCE:
            cost += 1.0 if case == _LOWER_CASE else 0.0
        else:
            if n <= wide and n + 1 + first <= fit:
                cost += 1.0  # the next word would have fitted: no wrap here
            if case == _UPPER_CASE:
                cost += 0.5
    return cost


_HYPHEN, _SENTENCE, _LOWER_CASE, _UPPER_CASE = 1, 2, 1, 2


@lru_cache(maxsize=8192)
def _shape(line: str) -> tuple[int, int, int, int]:
    """A line's length, how it ends (hyphen, sentence, other), its first word's
    length, and how that word opens (lower case, capital, other)."""
    end = _HYPHEN if line.endswith("-") else _SENTENCE if ends_sentence(line) else 0
    c = line[:1]
    case = _LOWER_CASE if c.islower() else _UPPER_CASE if c.isupper() else 0
    return len(line), end, len(_first_word(line)), case


def _cut_long(line: str, width: float) -> tuple[str, str] | None:
    """A line carrying both columns: (left piece, right piece).

    At a hyphen the extractor removed ("closedOperations": "closed-" / "Operations"),
    else at a cell's edge (a sentence end, or a capital after a lower-case word) where
    the left piece nearly fills the left column's ``width``, else after the longest
    run of words that fits it.
    """
    m = _CAMEL_RE.search(line)
    if m:
        return line[: m.start()] + "-", line[m.start() :]
    words = line.split(" ")
    best, best_key = None, (False, 0)
    for k in range(1, len(words)):
        left = " ".join(words[:k])
        if len(left) > _SLACK * width:
            break
        if len(left) < _NEARLY * width:
            continue
        # a cell's edge: the left piece ends a sentence, or a capital opens the right
        # piece after a lower-case word (not inside a name: "The" / "Head")
        edge = bool(_CELL_END_RE.search(left)) or (
            words[k][:1].isupper() and words[k - 1][:1].islower()
        )
        if (edge, k) > best_key:
            best, best_key = k, (edge, k)
    if best is None:
        return None
    return " ".join(words[:best]), " ".join(words[best:])


def _carries_both(line: str, long_at: float) -> bool:
    """Read as carrying both columns: longer than ``long_at`` (inf: never by length),
    or holding a joined hyphen."""
    return len(line) > long_at or (long_at < math.inf and bool(_CAMEL_RE.search(line)))


def _first_width(lines: list[str], long_at: float) -> float:
    """The first column's width from its ordinary lines taken in turn (a line
    carrying both columns keeps the turn with the first)."""
    mine: list[str] = []
    turn = 0
    for ln in lines:
        if turn == 0 and _carries_both(ln, long_at):
            continue
        if turn == 0:
            mine.append(ln)
        turn ^= 1
    return column_width(mine)


def _turns(lines: list[str], width_first: float, long_at: float) -> tuple[list[str], list[str]]:
    """Lines printed in turn (first column first), a line carrying both cut in two."""
    first: list[str] = []
    second: list[str] = []
    turn = 0
    for ln in lines:
        both = _cut_long(ln, width_first) if turn == 0 and _carries_both(ln, long_at) else None
        if both is not None and width_first:
            first.append(both[0])
            second.append(both[1])
            continue
        (first if turn == 0 else second).append(ln)
        turn ^= 1
    return first, second


def _texty(lines: list[str]) -> bool:
    """Running text, not a stack of entries: most words open lower-case."""
    words = [w for x in lines for w in x.split()]
    return sum(w[:1].islower() for w in words) >= _LOWER * len(words)


def best_split(lines: list[str], *, cut_short: bool = False) -> Split | None:
    """The best reading of ``lines`` as two columns printed in turn, or None.

    ``cut_short``: a decision was printed inside the stretch after a line that stopped
    mid-sentence (the decision column printed beside the concern's first line), which
    is evidence of turns in itself; the reading then needs to save fewer broken rules.

    Every reading is scored over the same lines (at most :data:`MAX_TURN` in turn
    and :data:`TAIL` after), so readings of runs of different lengths compare.

    >>> import textwrap
    >>> left = textwrap.wrap("Concern: cells on the wing were dirty and the food "
    ...     "served at lunch was often cold.", 24)
    >>> right = textwrap.wrap("The wing was deep cleaned in May and the kitchen now has "
    ...     "a new manager who checks each meal before it is served to the men on the wing.", 34)
    >>> mixed = [x for pair in zip(left, right) for x in pair] + right[len(left):]
    >>> s = best_split(mixed)
    >>> s.first == left, s.second == right
    (True, True)
    """
    n = len(lines)
    if n < 4:
        return None
    horizon = min(n, _HORIZON)
    scope = lines[:horizon]
    # read once with lines carrying both columns cut, once without: a column far
    # wider than the other looks long too
    long_at = _LONG * median(len(x) for x in scope)
    both = any(len(x) > long_at or _CAMEL_RE.search(x) for x in scope)
    cuts = (math.inf, long_at) if both else (math.inf,)
    single = broken_rules(scope)
    best: Split | None = None
    short = _SHORT * median(len(x) for x in scope)
    closes = [ends_sentence(x) or x.endswith(")") or len(x) < short for x in scope]
    for long_at, s in product(cuts, range(min(_STARTS, n - 4) + 1)):
        last = min(horizon, s + MAX_TURN)
        for e in range(s + 4, last + 1):
            if e < last and not (closes[e - 1] or closes[e - 2]):
                continue  # the turns stop only where a column's cell ended
            run = scope[s:e]
            width = max(column_width(scope[:s]), _first_width(run, long_at))
            first, second = _turns(run, width, long_at)
            if len(second) < 2:
                continue
            pre, tail = scope[:s], scope[e:]
            for onto in (0, 1) if tail else (1,):
                a = pre + first + (tail if onto == 0 else [])
                b = second + (tail if onto == 1 else [])
                gain = single - broken_rules(a) - broken_rules(b)
                # equal readings: the second column runs on (a concern is shorter than
                # its response), then the fewest lines before the turns, then the turns
                # stopping soonest (a line goes to the other column only on evidence)
                key = (gain, onto, -s, -e)
                if best is None or key > (best.gain, best.onto, -best.start, -best.turned):
                    best = Split(s, horizon, a, b, gain, onto, e)
    if best is None or best.gain < max(_needed(cut_short), _SHARE * single):
        return None
    if not (_texty(best.first) and _texty(best.second)):
        return None
    return best


def _needed(cut_short: bool) -> float:
    """The broken rules a reading in turns must save (less after a decision printed
    inside an unfinished sentence)."""
    return _GAIN - (_DECISION_EVIDENCE if cut_short else 0.0)


def _looks_mixed(text: list[str], cut_short: bool) -> bool:
    """Worth a search: the stretch's first lines read better in turn (from one of its
    first lines) than as one column, and the lines a search scores, read as one
    column, break at least as many rules as a reading in turns must save."""
    if len(text) < 4:
        return False
    head = text[:_PEEK]
    alone = broken_rules(head)
    turns = min(broken_rules(head[s::2]) + broken_rules(head[s + 1 :: 2]) for s in range(3))
    return turns < alone and broken_rules(text[:_HORIZON]) >= _needed(cut_short)


def split_block(
    lines: list[str],
    *,
    stop: Callable[[str], bool],
    decision: Callable[[list[str], int], int],
    budget: Budget | None = None,
) -> list[list[str]]:
    """A block's lines as blocks, each run of two columns printed in turn taken apart.

    ``stop(line)``: a line no column text runs through (a concern number, a heading);
    ``decision(lines, i)``: how many lines the decision printed at ``lines[i]`` takes
    (0 when none). Each stretch between stops is tried; a run found becomes its first
    column's lines, the decision, then (a block of its own) the second column's.
    Lines are never dropped or reordered within a column. ``budget``: the searches
    left for the whole text (one is spent on each stretch worth a search).

    >>> concern = ["Concern: cells on the", "wing were dirty and the",
    ...     "food served at lunch was", "often cold."]
    >>> response = ["The wing was deep cleaned in May", "and the kitchen now has a new",
    ...     "manager who checks each meal", "before it is served to the men on", "the wing."]
    >>> block = ["1", concern[0], "Agreed", response[0], concern[1], response[1],
    ...     concern[2], response[2], concern[3], *response[3:]]
    >>> split_block(block, stop=lambda x: x == "1",
    ...     decision=lambda ls, i: int(ls[i] == "Agreed"))  # doctest: +NORMALIZE_WHITESPACE
    [['1', 'Concern: cells on the', 'wing were dirty and the', 'food served at lunch was',
      'often cold.', 'Agreed'],
     ['The wing was deep cleaned in May', 'and the kitchen now has a new',
      'manager who checks each meal', 'before it is served to the men on', 'the wing.']]
    """
    out: list[list[str]] = [[]]
    k = 0
    while k < len(lines):
        if stop(lines[k]):
            out[-1].append(lines[k])
            k += 1
            continue
        j = k
        text: list[str] = []
        said: list[str] = []  # the decision's lines
        cut_short = False
        while j < len(lines) and not stop(lines[j]):
            d = decision(lines, j) if not said else 0
            if d:
                said = lines[j : j + d]
                cut_short = bool(text) and not ends_sentence(text[-1])
                j += d
                continue
            text.append(lines[j])
            j += 1
        found = None
        if _looks_mixed(text, cut_short) and (budget is None or budget.left > 0):
            if budget is not None:
                budget.left -= 1
            found = best_split(text, cut_short=cut_short)
        if found is None:
            out[-1].extend(lines[k:j])
        else:
            rest = text[found.end :]  # runs on in the column that ran on after the turns
            out[-1].extend(found.first + (rest if found.onto == 0 else []) + said)
            out.append(found.second + (rest if found.onto == 1 else []))
            out.append([])
        k = j
    return [b for b in out if b]
