"""Line-interleaved rows: each printed line carries a piece of several cells.

pdfplumber's ``extract_text`` (plain, or ``layout=True``) prints a table line by
printed line: the concern number, the piece of the concern on that line, the decision,
the piece of the response, of the owner and of the target, joined by single spaces.
Nothing marks where one cell's piece ends and the next begins, so each line is cut
by what a printed column does, not by what a plan says:

- the header gives the columns' order (number, concern, decision, response, owner,
  target);
- a wrapped column's pieces are about as long as the column is wide, and a piece was
  wrapped because the next word of that column (the first of its piece on the next
  line) would not have fitted: a cut that leaves room for it is a paragraph end, which
  must end a sentence to be cheap;
- owner pieces are short capitalised words, target pieces dates and status words, at
  the end of the line;
- the decision word stands between the concern and the response on the row's first
  line.

Each column's width (in characters) is not printed anywhere: it is the width that
cuts the lines most consistently (a small search over widths on a sample of lines).
Every line is cut by a small dynamic programme over its words (bounded by the column
widths), so the work is linear in the text. The cut lines then go through the same
row builder as space-padded columns (:func:`~actionnlp.read.columns.lines_row`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from actionnlp.read.cells import agreement_of, ends_sentence, inline_roles
from actionnlp.read.columns import RowLines, lines_row
from actionnlp.read.segment import RawRow
from actionnlp.read.stream import is_heading_line, row_start

__all__ = ["Widths", "cut_line", "interleaved_rows", "is_interleaved"]

#: A decision inside a line ("... breaks Partly Agreed This recommendation ...").
_DECISION_RE = re.compile(
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
_TARGET_CORE_RE = re.compile(
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
_TOL = 0.005  # proportional fonts: a column holds this much more or fewer characters
_MAX_WORDS = 80  # a longer line is cut greedily (bounded work)
_SAMPLE = 160  # lines used to search the column widths
_TAIL_MAX = 6  # words of an owner or target piece
_NARROWEST = 12.0  # no concern or response column is narrower (digit widths)


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


def _owner_word(word: str) -> bool:
    return (word[:1].isupper() or word[:1] in "(&/-" or word.lower() in _OWNER_SMALL) and not (
        word[:1].isdigit()
    )


def _span(lens: list[float], i: int, j: int) -> float:
    """Width of words ``i:j`` joined by single spaces (``lens`` are prefix sums)."""
    return 0.0 if j <= i else lens[j] - lens[i] + _SPACE * (j - i - 1)


def _tail_costs(words: list[str], owner: bool, target: bool, w: Widths) -> list[float]:
    """Best cost of words ``s:`` as an owner piece then a target piece, for every ``s``."""
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
            core = core or bool(_TARGET_CORE_RE.match(words[s]))
            opens = bool(_TARGET_CORE_RE.match(words[s]) or _TARGET_OPEN_RE.match(words[s]))
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
            if not _owner_word(words[s]) or (not words[s][:1].isalpha() and s == t - 1):
                break
            o_width = sum(text_width(x) + _SPACE for x in words[s:t]) - _SPACE
            if o_width > 1.6 * w.owner + 2:
                break
            piece = " ".join(words[s:t])
            if piece.count("(") < piece.count(")"):
                continue  # the end of a bracket opened in another cell
            if words[s][:1].isupper() and words[s] not in _NOT_OWNER_START:
                if any(x.endswith((".", ":", ";")) for x in words[s : t - 1]):
                    break
                over = max(0.0, o_width - w.owner * (1 + _TOL))
                best[s] = min(best[s], t_cost - 0.5 * (t - s) + over)
    return best


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
    owner: bool = True,
    target: bool = True,
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
    entry starts below another or beside a new paragraph.

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
    tail = _tail_costs(words, owner, target, w)
    ends = [b for b in range(n + 1) if tail[b] != float("inf")]
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
            cost = ca + cb + tail[b]
            c = _target_start(words, b) if b < n else n
            if b < n and prev_entry is False and prev_response:
                cost += 1.0  # an entry beside running text, not below another entry
            if b < c == n and prev_entry is False:
                cost += 1.5  # an owner alone: not below another entry, no target beside
            if cost < best[0]:
                best = (cost, a, b, c)
    return best


def _target_start(words: list[str], b: int) -> int:
    """Where the target piece starts in the tail ``words[b:]``."""
    n = len(words)
    t = n
    while t > b and _TARGET_WORD_RE.match(words[t - 1]):
        t -= 1
    while t < n and not _TARGET_CORE_RE.match(words[t]) and words[t].lower() not in {"end", "by"}:
        t += 1  # "and" or "of" joining an owner, not opening the target
    return t


# -- rows -----------------------------------------------------------------------
@dataclass
class _Row:
    id_cell: str
    lines: list[str]  # printed lines (the id taken off the first)
    decision: str = ""


def _header_roles(header: list[str]) -> set[str]:
    roles: set[str] = set()
    for line in header:
        found = inline_roles(line.strip())
        if found:
            roles |= found
    if any(agreement_of(x.strip()) or re.search(r"\bagreed\b", x, re.I) for x in header):
        roles.add("agreement")
    return roles


def _header_block(lines: list[str], header: list[str]) -> tuple[set[str], set[str]]:
    """The header's long lines (a repeat opens with one) and all its lines, with the
    short title fragments printed below it before the first row (``ern Owner Date``)."""
    block = [h.strip() for h in header if h.strip()]
    for raw in lines[:_HEADER_TAIL]:
        text = raw.strip()
        if not text or row_start(text, None) or is_heading_line(text):
            break
        if len(text) > _FRAGMENT or ends_sentence(text):
            break
        block.append(text)
    main = {x for x in block if inline_roles(x) is not None}
    return main or {max(block, key=len)} if block else set(), set(block)


_HEADER_TAIL = 6  # title fragment lines below a header
_FRAGMENT = 40


def _split_rows(lines: list[str], header: list[str]) -> list[_Row | str]:
    """Numbered rows (their printed lines) and section headings, repeated headers dropped."""
    main, block = _header_block(lines, header)
    out: list[_Row | str] = []
    last: str | None = None
    current: _Row | None = None
    in_header = _HEADER_TAIL  # the table starts below the header
    for raw in lines:
        text = raw.replace("\f", "").strip()
        if not text:
            continue
        if text in main:
            in_header = _HEADER_TAIL
            continue
        if in_header and text in block:
            in_header -= 1
            continue
        in_header = 0
        start = row_start(text, last)
        if start is not None:
            last = start[0]
            current = _Row(start[0], [start[1]] if start[1] else [])
            out.append(current)
        elif is_heading_line(text) and (current is None or len(text) < 60):
            out.append(text)
            current = None
        elif current is None:
            out.append(text)
        else:
            current.lines.append(text)
    return out


def _first_word_len(words: list[str], start: int, end: int) -> float:
    return text_width(words[start]) if start < end else 0.0


def _cut_row(
    row: _Row, w: Widths, roles: set[str]
) -> tuple[float, list[tuple[list[str], int, int, int]]]:
    """Cut every line of a row; the concern column stops at the line that costs least."""
    tokens = [ln.split() for ln in row.lines]
    m = len(tokens)
    owner, target = "owner" in roles, "target" in roles
    if m == 0:
        return 0.0, []
    # pass 1: each line with the concern active or not, the next line's first word known
    act = [
        cut_line(
            tokens[i],
            w,
            concern=True,
            fw_concern=text_width(tokens[i + 1][0]) if i + 1 < m and tokens[i + 1] else 0,
            fw_response=text_width(tokens[i + 1][-1]) if i + 1 < m and tokens[i + 1] else 0,
            prev_concern=0.0 if i == 0 else None,
            prev_response=0.0 if i == 0 else None,
            owner=owner,
            target=target,
        )
        for i in range(m)
    ]
    ina = [
        cut_line(
            tokens[i],
            w,
            concern=False,
            fw_response=text_width(tokens[i + 1][0]) if i + 1 < m and tokens[i + 1] else 0,
            owner=owner,
            target=target,
        )
        for i in range(m)
    ]
    prefix = [0.0]
    for c in act:
        prefix.append(prefix[-1] + c[0])
    # the concern's last piece ends its cell, so it should end a sentence
    closing = [_closing_cost(tokens[e - 1][: act[e - 1][1]]) for e in range(1, m + 1)]
    suffix = [0.0] * (m + 1)
    for i in range(m - 1, -1, -1):
        suffix[i] = suffix[i + 1] + ina[i][0]
    end = min(range(1, m + 1), key=lambda e: prefix[e] + suffix[e] + closing[e - 1])
    cuts = [act[i] if i < end else ina[i] for i in range(m)]
    # pass 2 (bottom up): each column's next piece further down the row gives its next
    # word; pass 3 (top down): the piece above must not have had room for the first word.
    for downward in (False, True):
        fwc = fwr = 0.0
        prev_c: float | None = 0.0 if downward else None
        prev_r: float | None = 0.0 if downward else None
        prev_e: bool | None = True if downward else None
        for i in range(m) if downward else range(m - 1, -1, -1):
            if not downward and i + 1 < m:
                nt, nxt = tokens[i + 1], cuts[i + 1]
                fwc = text_width(nt[0]) if i + 1 < end and nxt[1] > 0 else fwc
                fwr = text_width(nt[nxt[1]]) if nxt[2] > nxt[1] else fwr
            if downward:
                fwc, fwr = _next_words(tokens, cuts, i, end)
            cut = cut_line(
                tokens[i],
                w,
                concern=i < end,
                fw_concern=fwc if i + 1 < end else 0,
                fw_response=fwr,
                prev_concern=prev_c if i < end else None,
                prev_response=prev_r,
                prev_entry=prev_e,
                owner=owner,
                target=target,
            )
            cuts[i] = cut
            if downward:
                prev_e = cut[2] < len(tokens[i])
                prev_c, prev_r = (
                    _open_width(tokens[i], 0, cut[1], prev_c),
                    _open_width(tokens[i], cut[1], cut[2], prev_r),
                )
    total = sum(c[0] for c in cuts)
    final = [(tokens[i], c[1], c[2], c[3]) for i, c in enumerate(cuts)]
    return total, final


_QUALIFIER_RE = re.compile(r"(?<!\S)(?:Partly|Partially|Not)(?!\S)")
_SECOND_RE = re.compile(r"(?<!\S)(?:Agreed|Accepted)(?![\w/])")


def _drop(line: str, start: int, end: int) -> str:
    return f"{line[:start].rstrip()} {line[end:].lstrip()}".strip()


def _closing_cost(piece: list[str]) -> float:
    """Cost of ending the concern cell with this piece: it should end a sentence
    (or a bracket, as "(Directed to: the Governor)" does)."""
    if not piece or ends_sentence(piece[-1]) or piece[-1].endswith(")"):
        return 0.0
    return 1.0


def _next_words(
    tokens: list[list[str]], cuts: list[tuple[float, int, int, int]], i: int, end: int
) -> tuple[float, float]:
    """Widths of the concern's and the response's next words below line ``i``."""
    fwc = fwr = 0.0
    for j in range(i + 1, len(tokens)):
        _, a, b, _ = cuts[j]
        if not fwc and j < end and a > 0:
            fwc = text_width(tokens[j][0])
        if not fwr and b > a:
            fwr = text_width(tokens[j][a])
        if fwc and fwr:
            break
    return fwc, fwr


def _open_width(words: list[str], a: int, b: int, before: float | None) -> float | None:
    """The width of a piece that may run on (0 when it ends a sentence); ``before`` if empty."""
    if b <= a:
        return before
    if ends_sentence(words[b - 1]):
        return 0.0
    return text_width(" ".join(words[a:b]))


def _take_decision(row: _Row) -> None:
    """Take the decision words off the row's first lines (between concern and response).

    A decision wrapped in its narrow column ("Partly" on the first line, "Agreed" on
    the second) is put together: the qualifier is the one nearest above "Agreed".
    """
    lines = row.lines
    if not lines:
        return
    m = _DECISION_RE.search(lines[0])
    if m and m.start() > 0:
        row.decision = m.group(0)
        lines[0] = _drop(lines[0], m.start(), m.end())
        return
    second = _SECOND_RE.search(lines[1]) if len(lines) > 1 else None
    quals = [q for q in _QUALIFIER_RE.finditer(lines[0]) if q.start() > 0]
    if second is None or not quals:
        return
    q = min(quals, key=lambda x: abs(x.start() - second.start()))
    row.decision = f"{q.group(0)} {second.group(0)}"
    lines[0] = _drop(lines[0], q.start(), q.end())
    lines[1] = _drop(lines[1], second.start(), second.end())


def _search_widths(rows: list[_Row], roles: set[str]) -> Widths:
    """The column widths that cut a sample of the rows' lines at least cost."""
    sample: list[_Row] = []
    count = 0
    for r in rows:
        if count >= _SAMPLE:
            break
        sample.append(r)
        count += len(r.lines)
    lengths = sorted(text_width(ln) for r in sample for ln in r.lines) or [60]
    longest = lengths[int(0.95 * (len(lengths) - 1))]
    # A long row's last lines hold the response alone; its second and third lines
    # the concern and the response side by side.
    alone = sorted(
        text_width(ln) for r in sample if len(r.lines) >= 6 for ln in r.lines[-len(r.lines) // 3 :]
    )
    both = sorted(text_width(ln) for r in sample for ln in r.lines[1:3])
    response = alone[int(0.75 * (len(alone) - 1))] if alone else longest * 0.5
    side = both[len(both) // 2] if both else longest
    starts = [
        Widths(concern=max(_NARROWEST, side - response - 1), response=max(_NARROWEST, response))
    ]
    starts += [
        Widths(concern=max(_NARROWEST, longest * c), response=max(_NARROWEST, longest * r))
        for c in (0.2, 0.3, 0.4)
        for r in (0.35, 0.5)
    ]

    def cost(w: Widths) -> float:
        return sum(_cut_row(r, w, roles)[0] for r in sample)

    scored = [(cost(w), k) for k, w in enumerate(starts)]
    best_cost, k = min(scored)
    best = starts[k]
    for step in (longest / 40, longest / 120):
        for field_name in ("concern", "response", "concern", "response"):
            centre = getattr(best, field_name)
            for k in range(-5, 6):
                value = centre + k * step
                if value < _NARROWEST:
                    continue
                trial = Widths(**{**best.__dict__, field_name: value})
                c = cost(trial)
                if c < best_cost:
                    best, best_cost = trial, c
    return _entry_widths(sample, best, roles)


def _entry_widths(sample: list[_Row], w: Widths, roles: set[str]) -> Widths:
    """The owner and target columns' widths: their pieces on the rows' first lines."""
    owners: list[float] = []
    targets: list[float] = []
    for r in sample:
        _, cut = _cut_row(r, w, roles)
        if cut:
            words, _, b, c = cut[0]
            if c > b:
                owners.append(text_width(" ".join(words[b:c])))
            if len(words) > c:
                targets.append(text_width(" ".join(words[c:])))
    if len(owners) >= 3:
        w = Widths(w.concern, w.response, max(6.0, max(owners) + 1), w.target)
    if len(targets) >= 3:
        w = Widths(w.concern, w.response, w.owner, max(6.0, max(targets) + 1))
    return w


def interleaved_rows(lines: list[str], header: list[str]) -> list[RawRow]:
    """Rows of a table printed line by line with its cells side by side.

    ``lines`` follow the header lines ``header``.

    >>> rows = interleaved_rows(
    ...     ["1 Cells were dirty and A rota is set for cleaning Governor May 2024",
    ...      "smelled of damp. every week on each wing."],
    ...     ["No Concern Response Owner Target date"])
    >>> [(r.id_cell, r.targets) for r in rows]
    [('1', ['May 2024'])]
    """
    roles = _header_roles(header) | {"concern", "response"}
    items = _split_rows(lines, header)
    rows = [x for x in items if isinstance(x, _Row)]
    for r in rows:
        if "agreement" in roles:
            _take_decision(r)
    if not rows:
        return [RawRow(response=[x]) for x in items if isinstance(x, str)]
    w = _search_widths(rows, roles)
    order = ["id", "concern", "agreement", "response", "owner", "target"]
    widths = [2, round(w.concern), 14, round(w.response), round(w.owner), round(w.target)]
    out: list[RawRow] = []
    for item in items:
        if isinstance(item, str):
            out.append(RawRow(concern=item) if is_heading_line(item) else RawRow(response=[item]))
            continue
        _, cut = _cut_row(item, w, roles)
        cells = RowLines([[] for _ in order])
        for k, (words, a, b, c) in enumerate(cut):
            parts = [
                item.id_cell if k == 0 else "",
                " ".join(words[:a]),
                item.decision if k == 0 else "",
                " ".join(words[a:b]),
                " ".join(words[b:c]),
                " ".join(words[c:]),
            ]
            for col, part in zip(cells.cells, parts, strict=True):
                col.append(part)
        if not cut:  # a number (and decision) with no text
            first = [item.id_cell, "", item.decision, "", "", ""]
            for col, part in zip(cells.cells, first, strict=True):
                col.append(part)
        out.append(lines_row(cells, order, widths))
    return out


_GAP_RE = re.compile(r"\S {2,}(?=\S)")


def is_interleaved(lines: list[str]) -> bool:
    """Do the table's numbered lines print several cells side by side with single spaces?

    A row's first line then runs on from the concern into the response and ends with
    the first owner or target entry (a date or status word), with no wide gap.
    """
    starts = 0
    hits = 0
    last: str | None = None
    for raw in lines:
        text = raw.strip()
        start = row_start(text, last)
        if start is None:
            continue
        last = start[0]
        starts += 1
        rest = start[1]
        if "\t" in rest or "|" in rest or len(_GAP_RE.findall(rest)) > 1 or len(rest.split()) < 6:
            continue
        tail = rest.split()[-3:]
        if any(_TARGET_CORE_RE.match(x) for x in tail):
            hits += 1
    return starts >= 1 and hits >= 0.5 * starts
