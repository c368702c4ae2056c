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

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from actionnlp.read.cells import agreement_of, ends_sentence, inline_roles
from actionnlp.read.columns import RowLines, lines_row
from actionnlp.read.linecut import (
    DECISION_RE,
    NARROWEST,
    SAMPLE,
    TARGET_CORE_RE,
    Widths,
    closing_cost,
    cut_line,
    text_width,
)
from actionnlp.read.segment import RawRow
from actionnlp.read.stream import is_heading_line, row_start

__all__ = ["interleaved_rows", "is_interleaved"]


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
    block = [_squeeze(h) for h in header if h.strip()]
    for raw in lines[:_HEADER_TAIL]:
        text = _squeeze(raw)
        if not text or row_start(text, None) or is_heading_line(text):
            break
        if len(text) > _FRAGMENT or ends_sentence(text):
            break
        block.append(text)
    main = {x for x in block if inline_roles(x) is not None}
    return main or {max(block, key=len)} if block else set(), set(block)


def _squeeze(line: str) -> str:
    """The line's words joined by single spaces (``layout=True`` pads the gaps between
    a header's titles, and a repeated header is padded as the first was)."""
    return " ".join(line.replace("\f", "").split())


_HEADER_TAIL = 6  # title fragment lines below a header
_FRAGMENT = 40


def _split_rows(lines: list[str], header: list[str]) -> list[_Row | str]:
    """Numbered rows (their printed lines) and section headings, repeated headers dropped."""
    main, block = _header_block(lines, header)
    out: list[_Row | str] = []
    last: str | None = None
    current: _Row | None = None
    in_header = _HEADER_TAIL  # the table starts below the header
    previous = ""
    for raw in lines:
        text = _squeeze(raw)
        if not text:
            continue
        if text in main:
            in_header = _HEADER_TAIL
            continue
        if in_header and text in block:
            in_header -= 1
            continue
        in_header = 0
        start = row_start(text, last, after_end=_ends_cell(previous))
        previous = text
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


def _ends_cell(line: str) -> bool:
    """The printed line ends a sentence or a target entry: a row may end there."""
    words = line.split()
    return bool(words) and (ends_sentence(words[-1]) or bool(TARGET_CORE_RE.match(words[-1])))


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
    closing = [closing_cost(tokens[e - 1][: act[e - 1][1]]) for e in range(1, m + 1)]
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
        prev_o: float | None = None
        prev_one = False
        prev_k = False
        for i in range(m) if downward else range(m - 1, -1, -1):
            if not downward and i + 1 < m:
                nt, nxt = tokens[i + 1], cuts[i + 1]
                fwc = text_width(nt[0]) if i + 1 < end and nxt[1] > 0 else fwc
                fwr = text_width(nt[nxt[1]]) if nxt[2] > nxt[1] else fwr
            if downward:
                fwc, fwr = _next_words(tokens, cuts, i, end)
            fwo = _owner_first(tokens, cuts, i + 1)
            below = _next_response_word(tokens, cuts, i)
            cut = cut_line(
                tokens[i],
                w,
                concern=i < end,
                fw_concern=fwc if i + 1 < end else 0,
                fw_response=fwr,
                prev_concern=prev_c if i < end else None,
                prev_response=prev_r,
                prev_entry=prev_e,
                prev_owner=prev_o,
                prev_word=prev_o if prev_one else None,
                fw_owner=fwo,
                next_lower=downward and below[:1].islower(),
                prev_known=prev_k,
                owner=owner,
                target=target,
                closing=i == end - 1,
            )
            cuts[i] = cut
            if downward:
                prev_e = cut[2] < len(tokens[i])
                prev_o = _owner_width(tokens[i], cut)
                prev_one = cut[3] - cut[2] == 1
                prev_k = cut[3] < len(tokens[i]) and " ".join(tokens[i][cut[2] : cut[3]]) in w.known
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


def _next_response_word(
    tokens: list[list[str]], cuts: list[tuple[float, int, int, int]], i: int
) -> str:
    """The first word of the response's next piece below line ``i`` ("" if none)."""
    for j in range(i + 1, len(tokens)):
        _, a, b, _ = cuts[j]
        if b > a:
            return tokens[j][a]
    return ""


def _owner_first(tokens: list[list[str]], cuts: list[tuple[float, int, int, int]], j: int) -> float:
    """Width of the first word of line ``j``'s owner piece (0: none or no line ``j``)."""
    if j >= len(tokens):
        return 0.0
    _, _, b, c = cuts[j]
    return text_width(tokens[j][b]) if c > b else 0.0


def _owner_width(words: list[str], cut: tuple[float, int, int, int]) -> float | None:
    """Width of the line's owner piece (None: the line has none)."""
    _, _, b, c = cut
    return text_width(" ".join(words[b:c])) if c > b else None


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
    m = DECISION_RE.search(lines[0])
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
        if count >= SAMPLE:
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
        Widths(concern=max(NARROWEST, side - response - 1), response=max(NARROWEST, response))
    ]
    starts += [
        Widths(concern=max(NARROWEST, longest * c), response=max(NARROWEST, longest * r))
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
                if value < NARROWEST:
                    continue
                trial = Widths(**{**best.__dict__, field_name: value})
                c = cost(trial)
                if c < best_cost:
                    best, best_cost = trial, c
    best = _entry_widths(sample, best, roles)  # the entries' widths decide some cuts
    best_cost = cost(best)
    for field_name in ("response", "concern"):
        best, best_cost = _middle(best, best_cost, field_name, longest / 240, cost)
    return best


_PLATEAU = 0.1  # costs this close cut the sample alike
_PLATEAU_STEPS = 12


def _middle(
    best: Widths, best_cost: float, field_name: str, step: float, cost: Callable[[Widths], float]
) -> tuple[Widths, float]:
    """The middle of the range of widths that cut the sample as well as the best.

    A column is at least as wide as its widest piece and narrower than any piece with
    the next word that was wrapped below it; every width in between cuts the lines
    alike, so the middle of that range is the estimate least likely to misjudge
    whether a word would have fitted.
    """
    centre = getattr(best, field_name)
    ends = []
    for sign in (-1, 1):
        k = 0
        while k < _PLATEAU_STEPS:
            value = centre + sign * (k + 1) * step
            trial = Widths(**{**best.__dict__, field_name: value})
            if value < NARROWEST or cost(trial) > best_cost + _PLATEAU:
                break
            k += 1
        ends.append(centre + sign * k * step)
    middle = Widths(**{**best.__dict__, field_name: (ends[0] + ends[1]) / 2})
    c = cost(middle)
    return (middle, c) if c <= best_cost + _PLATEAU else (best, best_cost)


def _entry_widths(sample: list[_Row], w: Widths, roles: set[str]) -> Widths:
    """The owner and target columns' widths: their pieces on the rows' first lines."""
    owners: list[float] = []
    targets: list[float] = []
    for r in sample:
        _, cut = _cut_row(r, w, roles)
        for k, (words, _, b, c) in enumerate(cut):
            if c > b and k == 0:
                owners.append(text_width(" ".join(words[b:c])))
            if len(words) > c and k == 0:
                targets.append(text_width(" ".join(words[c:])))
    if len(owners) >= 3:
        w = Widths(w.concern, w.response, max(6.0, max(owners) + 1), w.target)
    if len(targets) >= 3:
        w = Widths(w.concern, w.response, w.owner, max(6.0, max(targets) + 1))
    return replace(w, known=_known_entries(sample, w, roles))


_KNOWN = 3  # a one-line entry printed this often is one of the document's owners


def _known_entries(sample: list[_Row], w: Widths, roles: set[str]) -> frozenset[str]:
    """Owner entries printed whole on one line beside a target (the line below has no
    owner piece), at least ``_KNOWN`` times in the sample."""
    if not {"owner", "target"} <= roles:
        return frozenset()
    seen: Counter[str] = Counter()
    for r in sample:
        _, cut = _cut_row(r, w, roles)
        for k, (words, _, b, c) in enumerate(cut):
            alone = k + 1 == len(cut) or cut[k + 1][2] == cut[k + 1][3]
            if b < c < len(words) and alone:
                seen[" ".join(words[b:c])] += 1
    return frozenset(p for p, n in seen.items() if n >= _KNOWN)


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
        if any(TARGET_CORE_RE.match(x) for x in tail):
            hits += 1
    return starts >= 1 and hits >= 0.5 * starts
