"""Which row each response paragraph of a block-ordered page belongs to.

pdfminer.six (and poppler's default ``pdftotext``) print a page's response column
as text boxes: a box is a run of lines close together, so a box holds one
paragraph when a cell spaces its paragraphs apart, or every paragraph of several
rows when it does not (the rows' padding is too thin to cut a box). The rows'
boundaries are not printed; this module places them from structure:

- **box edges**: in a text whose response boxes hold several paragraphs each, a
  new box means a vertical gap in the column, and inside a cell paragraphs leave
  none: a box edge on the page is a row edge;
- **line counts**: every column prints lines of one height, so a row that ends
  inside a box (its response ran down to the next row's top) holds at least as
  many response lines as its concern cell holds lines;
- **numbers among the boxes**: pdfminer prints a row's number next to the boxes
  nearest it on the page, so a number printed between two response boxes marks its
  row's first paragraph there;
- **decisions explained**: a paragraph explaining the row's decision opens its
  response;
- **sentences**: a paragraph starting in lower case runs on and opens no row;
- **words**: a paragraph shares words with its own row's concern (rarer words
  count more), the only evidence left when the above leave a choice.

The split is monotone (rows keep their printed order) and found by a dynamic
programme over (row, first paragraph) segments; the work is bounded.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import pairwise

from actionnlp.read.columns import paragraphs

__all__ = ["Slot", "merged_boxes", "para_boxes", "place_paragraphs", "stacked"]

_WORD_RE = re.compile(r"[a-z]{4,}")
_MAX_CELLS = 200_000  # paragraphs x rows of one page (bounded work), else a plain split
_WINDOW = 12  # row starts tried exactly, paragraphs back from its end
_EDGE = 4.0  # a box edge inside a page of merged boxes: weight of a row edge there
_START = 0.5  # a box edge in a text of one paragraph a box: a row edge likelier
_SHORT = 0.6  # per line a row ending inside a box falls short of its concern cell
_SLACK = 1  # lines a row may fall short of its concern (rounding, padding)
_NEG = -1e18
_LEAD = 2.0  # a paragraph explaining a decision inside a row's response, not first
_ANCHOR = 4.0  # a row starting beside its number printed among the responses
_STEM = 5
_EMPTY = 1.0  # a row left with no response paragraph on its page


@dataclass
class Slot:
    """A row of the page as the split sees it: its concern text and printed lines, and
    how many response boxes were printed before its number (None: unknown)."""

    text: str
    lines: int
    after: int | None = None


def _words(text: str) -> set[str]:
    """Word stems (a word's first letters, so "assessment" and "assessments" meet)."""
    return {w[:_STEM] for w in _WORD_RE.findall(text.lower())}


def place_paragraphs(
    paras: list[list[str]],
    boxes: list[int],
    slots: list[Slot],
    *,
    forced: bool,
    merged: bool,
    leads: list[bool] | None = None,
    keep: int = 0,
) -> list[int]:
    """The slot of each paragraph (``paras``: each paragraph's lines).

    ``boxes``: the box each paragraph was printed in (non-decreasing);
    ``slots[0]`` is the row continued from the page before: it takes paragraphs
    only when ``forced`` (the page's first paragraph runs on), the others at least
    one each while there are paragraphs enough; ``merged``: the text's response
    boxes hold several paragraphs each, so a box edge is a row edge; ``leads``:
    paragraphs that open their row's response (one explaining the row's decision);
    ``keep``: how many first paragraphs the row before is owed (its stacked entries
    outnumbered its paragraphs on its page), when it is owed any.

    >>> rows = [Slot("", 0), Slot("Cells were dirty and cold.", 2),
    ...         Slot("Food was served cold at lunch.", 2)]
    >>> place_paragraphs([["The cells were cleaned.", "Heating works."],
    ...                   ["Lunch is served hot and food", "is checked."]],
    ...                  [0, 0], rows, forced=False, merged=True)
    [1, 2]
    """
    n, m = len(paras), len(slots)
    if m == 1 or n == 0:
        return [0] * n
    owed = keep if 0 < keep < n else 0
    first = 0 if forced or owed else 1
    rows = m - first
    if n * rows > _MAX_CELLS:
        return [min(first + i, m - 1) for i in range(n)]
    sim = _similarity(paras, slots)
    acc = [[0.0] * (n + 1) for _ in range(m)]  # prefix sums of sim, per slot
    for j in range(m):
        for i in range(n):
            acc[j][i + 1] = acc[j][i] + sim[i][j]
    height = [0] * (n + 1)  # prefix sums of printed lines
    for i, p in enumerate(paras):
        height[i + 1] = height[i] + len(p)
    lower = [bool(p) and p[0][:1].islower() for p in paras]
    edge = [i > 0 and boxes[i] != boxes[i - 1] for i in range(n)] + [True]
    # a number printed among the response boxes stands beside its row's first one
    anchor = [
        next((i for i in range(n) if boxes[i] >= sl.after), None)
        if sl.after is not None and 0 < sl.after <= boxes[-1]
        else None
        for sl in slots
    ]
    lead = leads if leads is not None and len(leads) == n else [False] * n
    # what a paragraph inside a row's response (not its first) costs: a box edge
    # where boxes hold several paragraphs, a paragraph that opens a row; as prefix sums
    inner = [0.0] * n  # inner[i]: the cost of paragraphs 1..i
    for i in range(1, n):
        cost = (_EDGE if merged and edge[i] else 0.0) + (_LEAD if lead[i] else 0.0)
        inner[i] = inner[i - 1] + cost

    def segment(j: int, s: int, e: int) -> float:
        """Paragraphs s..e-1 as slot j's (slot j's response ends at e)."""
        score = acc[j][e] - acc[j][s]
        if s > 0:  # a row edge before paragraph s
            if lower[s]:
                return _NEG
            score += (_START if edge[s] else 0.0) + (_ANCHOR if anchor[j] == s else 0.0)
        score -= inner[e - 1] - inner[s]  # box edges and row openers inside the row
        if e < n and not edge[e] and j > 0:  # ends inside a box: as tall as its concern
            short = slots[j].lines - _SLACK - (height[e] - height[s])
            score -= _SHORT * max(0, short)
        return score

    # best[j][e]: paragraphs 0..e-1 placed in slots first..j, slot j ending at e.
    # A start s more than _WINDOW paragraphs back makes a row as tall as any
    # concern, so those starts share one running best (linear in the window).
    best = [[_NEG] * (n + 1) for _ in range(m)]
    back = [[0] * (n + 1) for _ in range(m)]
    for e in range(1, n + 1):
        if not owed or e == owed:
            best[first][e] = segment(first, 0, e)
    for j in range(first + 1, m):
        lo = j - first  # slots before j take a paragraph each
        far, far_at = _NEG, lo  # the best start further back than the window

        def start(s: int, j: int = j) -> float:
            """The part of a far start's score that does not depend on the row's end."""
            if best[j - 1][s] <= _NEG or lower[s]:
                return _NEG
            bonus = (_START if edge[s] else 0.0) + (_ANCHOR if anchor[j] == s else 0.0)
            return best[j - 1][s] - acc[j][s] + bonus + inner[s]

        for e in range(lo + 1, n + 1):
            cut = e - _WINDOW - 1  # starts s <= cut are far
            if cut >= lo and (v := start(cut)) > far:
                far, far_at = v, cut
            if far > _NEG:  # a far start: the row's own words and box edges only
                tail = acc[j][e] - inner[e - 1]
                best[j][e], back[j][e] = far + tail, far_at
            for s in range(max(lo, cut + 1), e):
                if best[j - 1][s] <= _NEG:
                    continue
                v = best[j - 1][s] + segment(j, s, e)
                if v > best[j][e]:
                    best[j][e], back[j][e] = v, s
    # the last rows may print no response on the page (it starts on the next)
    end = max(range(first, m), key=lambda j: best[j][n] - _EMPTY * (m - 1 - j))
    out = [0] * n
    e = n
    for j in range(end, first - 1, -1):
        s = back[j][e] if j > first else 0
        for i in range(s, e):
            out[i] = j
        e = s
        if e == 0:
            break
    return out


def _similarity(paras: list[list[str]], slots: list[Slot]) -> list[list[float]]:
    """Word overlap of each paragraph with each slot's concern, rarer words counting more."""
    m = len(slots)
    sets = [_words(s.text) for s in slots]
    df: dict[str, int] = {}
    for s in sets:
        for w in s:
            df[w] = df.get(w, 0) + 1
    out = []
    for p in paras:
        pw = _words(" ".join(p))
        norm = math.sqrt(len(pw) + 1)
        out.append(
            [sum(math.log((m + 1) / df[w]) for w in sorted(pw & sets[j])) / norm for j in range(m)]
        )
    return out


def para_boxes(sizes: list[int], box_sizes: list[int]) -> list[int]:
    """The box each paragraph starts in, from the paragraphs' and the boxes' line
    counts in printed order.

    >>> para_boxes([2, 3, 1, 4], [5, 1, 4])
    [0, 0, 1, 2]
    """
    out: list[int] = []
    box, top, seen = 0, 0, 0  # the box, its first line, lines before the paragraph
    for size in sizes:
        while box + 1 < len(box_sizes) and seen >= top + box_sizes[box]:
            top += box_sizes[box]
            box += 1
        out.append(box)
        seen += size
    return out


def merged_boxes(boxes: list[list[str]]) -> bool:
    """Do the response boxes of a text hold several paragraphs each (cells that
    print paragraphs with no space between them)? Half the boxes of three lines
    or more must split into paragraphs by the wrap rule.

    >>> merged_boxes([["The cells were cleaned and all the", "heating was mended.",
    ...     "Food is now served hot at each", "meal."]] * 2)
    True
    """
    tall = [b for b in boxes if len(b) >= 3]
    if not tall:
        return False
    several = 0
    for b in tall:
        width = max(len(x) for x in b)
        several += len(paragraphs(b, width, sentences=True)) > 1
    return several * 2 >= len(tall)


def stacked(
    entry: tuple[list[str], list[str]], lines: list[str]
) -> list[tuple[list[str], list[str]]]:
    """An owner/target entry whose boxes stack several entries, one a line, split
    into them: as many owner lines (``lines``) as target entries.

    >>> stacked((["Governor Head of Care"], ["May 2024", "June 2024"]),
    ...         ["Governor", "Head of Care"])
    [(['Governor'], ['May 2024']), (['Head of Care'], ['June 2024'])]
    >>> stacked((["Head of Care"], ["May 2024"]), ["Head of", "Care"])
    [(['Head of Care'], ['May 2024'])]
    """
    targets = entry[1]
    if len(targets) > 1 and len(lines) == len(targets):
        return [([o], [t]) for o, t in zip(lines, targets, strict=True)]
    return [entry]


def pinned(n_groups: int, pins: list[tuple[int, int]], n_rows: int) -> list[int]:
    """The row of each of a page's concern blocks (groups), in printed order, when
    they do not divide evenly among the rows: a block printed right after its row's
    number is pinned to that row (``pins``: (block, row), kept while both run in
    order and leave each row a block); between pins, the blocks go a whole multiple
    to each row when they divide evenly, else one each and the rest to the last;
    blocks printed before the first row's pinned block are the row before's (-1).

    >>> pinned(5, [(4, 2)], 3)  # two rows of two blocks, then the pinned row
    [0, 0, 1, 1, 2]
    >>> pinned(3, [], 2)
    [0, 1, 1]
    >>> pinned(3, [(1, 0)], 2)  # a block above the first row's own: the row before's
    [-1, 0, 1]
    """
    kept: list[tuple[int, int]] = []
    for g, r in sorted(pins):
        last_g, last_r = kept[-1] if kept else (0, 0)
        fits = g - last_g >= r - last_r and n_groups - g >= n_rows - r  # a block a row
        if r >= last_r + bool(kept) and fits and g < n_groups and r < n_rows:
            kept.append((g, r))
    out: list[int] = []
    bounds = [(0, 0), *kept, (n_groups, n_rows)]
    for (g0, r0), (g1, r1) in pairwise(bounds):
        size, rows = g1 - g0, r1 - r0
        if rows <= 0:  # before the first row's own block: the row before the page's
            out += [r0 - 1] * size
            continue
        per = size // rows if size and size % rows == 0 else 1
        out += [r0 + min(k // per, rows - 1) for k in range(size)]
    return out


_MAX_SHARE = 200_000  # entries^2 x rows searched when sharing entries (bounded work)


def share_entries(n: int, paras: list[int], runs_on: list[bool]) -> list[int] | None:
    """How many of a page's ``n`` owner/target entries (in printed order) each row
    takes, when they are neither one a paragraph nor one a row on the page: a row
    takes as many as its paragraphs (``paras``), or one for them all, where the order
    allows; a row running on from the page before (``runs_on``) may take none (its
    entries stand at the top of its cell, on that page). None when too large.

    >>> share_entries(5, [2, 2, 3], [True, False, False])  # the first row's are before
    [0, 2, 3]
    >>> share_entries(4, [3, 1, 2], [False, False, False])
    [1, 1, 2]
    """
    k = len(paras)
    if k == 0 or n * n * k > _MAX_SHARE:
        return None

    def score(c: int, p: int, cont: bool) -> float:
        if cont and c == 0:  # its entries were printed with its first paragraphs
            return 1.0
        if c == p:
            return (1.0 if cont else 2.0) if p else 0.0
        if c == 1:
            return 1.0
        return -1.0 - 0.1 * abs(c - p)

    best = [[_NEG] * (n + 1) for _ in range(k + 1)]
    back = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for r in range(k):
        for j in range(n + 1):
            if best[r][j] <= _NEG:
                continue
            for c in range(n - j + 1):
                v = best[r][j] + score(c, paras[r], runs_on[r])
                if v > best[r + 1][j + c]:
                    best[r + 1][j + c], back[r + 1][j + c] = v, c
    out, j = [], n
    for r in range(k, 0, -1):
        out.append(back[r][j])
        j -= back[r][j]
    return out[::-1]
