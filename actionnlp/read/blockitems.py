"""Block-ordered text, page by page: the pieces a page prints and the role of each.

The first half of the block-order reader (:mod:`actionnlp.read.blocks` assembles the
rows). A page (form feed, two blank lines, or the header's first title printed again
in a block of titles) is cut into items in reading order: concern numbers in
sequence, decisions, section headings, owner and target entries, and text, which is
marked concern or response by the columns' printed widths or, failing that, by
order. The header's titles are dropped wherever they come back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from actionnlp.read.cells import (
    ID_RE,
    PRINTED_TITLES,
    ROLE_PATTERNS,
    ends_sentence,
    is_title_fragment,
    is_title_line,
)
from actionnlp.read.columns import JOINING_END_RE
from actionnlp.read.interleave_lines import Budget, column_width, split_block
from actionnlp.read.shapes import is_date_or_status, is_owner_block, is_target_block
from actionnlp.read.stream import DECISION_RE, QUALIFIER_RE, is_heading_line, row_start

__all__ = [
    "REC_LABEL_RE",
    "BlockPages",
    "Item",
    "block_header",
    "block_pages",
    "has_row_number",
    "untwined",
    "whole_lines",
]

_LABEL_RE = re.compile(
    r"^(?:key\s+|priority\s+)?(?:concern|recommendation)s?(?:\s*\([^)]{0,12}\))?\s*:", re.I
)
REC_LABEL_RE = re.compile(r"^recommendation\s*:", re.I)
#: A label that opens a concern cell (a recommendation with its report paragraph opens one too)
_CELL_START_RE = re.compile(
    r"^(?:(?:key\s+|priority\s+)?concern(?:\s*\([^)]{0,12}\))?|recommendation\s*\([^)]{0,12}\))\s*:",
    re.I,
)
_QUALIFIER_END_RE = re.compile(r"(?:\b(?:partly|partially|not)|/)$", re.I)
_MAX_STACK = 40  # owner entries stacked in one block


@dataclass
class Item:
    """One piece of a page in reading order."""

    kind: str  # id | decision | heading | text | owner | target
    lines: list[str]
    value: str = ""  # the id or the decision
    block: int = 0  # the block it came from (boundaries between blocks are evidence)
    role: str = ""  # text: concern | response


@dataclass
class BlockPages:
    """A text's pages as items, and how strongly it shows block order."""

    pages: list[list[Item]]
    #: share of consecutive concern numbers with no owner/target entry between them
    #: (a row-by-row stream closes each row with its entries; block order does not),
    #: or of pages whose titles come back among the cells, whichever is larger
    grouped: float
    #: two columns printed in turn were taken apart
    untwined: bool = False
    #: the pages' blocks of lines the items were read from, and the title lines
    blocks: list[list[list[str]]] = field(default_factory=list)
    titles: set[str] = field(default_factory=set)


def block_pages(lines: list[str], header: list[str], *, untwine: bool = False) -> BlockPages:
    """The pages of block-ordered text (``lines`` start at the header), as items.

    ``untwine``: take apart two columns printed line by line in turn (see
    :func:`untwined`); the rows are built so, while whether a text shows block order
    at all is judged without it (cheaper).

    >>> read = block_pages(["No", "Concern", "", "1", "", "Cells were dirty.", "",
    ...     "Response", "", "The cells were cleaned daily by the wing staff.", "",
    ...     "Owner", "", "Governor", "", "May 2024"], ["No", "Concern"])
    >>> [(it.kind, it.role) for it in read.pages[0]]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('id', ''), ('text', 'concern'), ('text', 'response'), ('owner', ''), ('target', '')]
    """
    titles = _titles(header) | _page_titles(lines)
    first = next((h.strip().lower() for h in header if h.strip()), "")
    paged, scattered = _by_header(_pages(lines), titles, first)
    read = _read_blocks(paged, titles, scattered)
    return untwined(read) if untwine else read


def untwined(read: BlockPages) -> BlockPages:
    """``read`` with two columns printed line by line in turn taken apart
    (:func:`actionnlp.read.interleave_lines.split_block`); its items are read again
    only when a block was.
    """
    if read.untwined:
        return read
    budget = Budget()
    paged = [_untwined(blocks, read.titles, budget) for blocks in read.blocks]
    if paged == read.blocks:
        return BlockPages(read.pages, read.grouped, True, read.blocks, read.titles)
    again = _read_blocks(paged, read.titles, 0.0)
    return BlockPages(again.pages, read.grouped, True, paged, read.titles)


def _read_blocks(paged: list[list[list[str]]], titles: set[str], scattered: float) -> BlockPages:
    """The items of pages of blocks, and how strongly they show block order."""
    pages: list[list[Item]] = []
    last_id: str | None = None
    for blocks in paged:
        items, last_id = _page_items(blocks, titles, last_id)
        pages.append(items)
    split = _width_split(pages)
    unfinished: set[str] = set()
    for items in pages:
        _set_roles(items, split, unfinished)
    kinds = [it.kind for p in pages for it in p if it.kind in ("id", "owner", "target")]
    ids = [k for k, x in enumerate(kinds) if x == "id"]
    together = sum(1 for a, b in pairwise(ids) if b == a + 1)
    grouped = max(together / (len(ids) - 1) if len(ids) > 1 else 0.0, scattered)
    return BlockPages(pages, grouped, False, paged, titles)


def _untwined(blocks: list[list[str]], titles: set[str], budget: Budget) -> list[list[str]]:
    """A page's blocks with two columns printed line by line in turn taken apart
    (:func:`actionnlp.read.interleave_lines.split_block`)."""

    def stop(ln: str) -> bool:
        return bool(ID_RE.match(ln)) or ln.lower() in titles or is_heading_line(ln)

    def decision(lines: list[str], i: int) -> int:
        found = _decision(lines, i)
        return found[1] if found else 0

    split = [split_block(b, stop=stop, decision=decision, budget=budget) for b in blocks]
    return [b for blocks in split for b in blocks]


def _pages(lines: list[str]) -> list[list[list[str]]]:
    """Pages (form feed or two blank lines) of blocks (runs of non-blank lines)."""
    pages: list[list[list[str]]] = [[]]
    block: list[str] = []
    blanks = 0
    for raw in lines:
        parts = raw.split("\f")
        for k, part in enumerate(parts):
            if k:  # a form feed
                blanks = 2
            ln = part.strip()
            if not ln:
                blanks += 1 if k == len(parts) - 1 or part else 0
                if block:
                    pages[-1].append(block)
                    block = []
                continue
            if blanks >= 2 and pages[-1]:
                pages.append([])
            blanks = 0
            block.append(ln)
    if block:
        pages[-1].append(block)
    return [p for p in pages if p]


def _by_header(
    pages: list[list[list[str]]], titles: set[str], first: str
) -> tuple[list[list[list[str]]], float]:
    """Pages split again where the header's first title comes back in a block of titles.

    Also the share of pages where a block of other titles follows text: the
    header's titles scattered among the cells, as block order prints them.
    """
    out: list[list[list[str]]] = []
    scattered = 0
    for page in pages:
        out.append([])
        seen = content = False
        for block in page:
            repeat = all(ln.lower() in titles for ln in block)
            if repeat and len(block) > 1 and content and first in (ln.lower() for ln in block):
                out.append([])
                content = False
            elif repeat and len(block) > 1 and content and not seen:
                scattered, seen = scattered + 1, True
            out[-1].append(block)
            content = content or not repeat
    return out, scattered / max(1, len(pages))


def _titles(header: list[str]) -> set[str]:
    """The header's title lines, as a page may repeat them: its leading run of
    title lines or title words broken over two lines ("Conc" / "ern")."""
    lines = [h.strip() for h in header if h.strip()]
    out = set()
    for k, t in enumerate(lines):  # the header found may run on into the first row
        if _is_piece(lines, k):
            out.add(t.lower())
        elif not ID_RE.match(t):
            break
    return out


def _page_titles(lines: list[str]) -> set[str]:
    """Title lines anywhere (block order scatters the titles over the page).

    A line of title words; and every line of a block whose lines all name a column
    role when one of them is a line of title words ("Rec No" / "Recommendation").
    """
    lines = [x.strip() for x in lines]
    out = set()
    start = 0
    for k in range(len(lines) + 1):
        if k < len(lines) and lines[k]:
            continue
        block = range(start, k)
        strict = [j for j in block if _is_piece(lines, j, loose=False)]
        out |= {lines[j].lower() for j in strict}
        if strict and all(_is_piece(lines, j) for j in block):
            out |= {lines[j].lower() for j in block}
        start = k + 1
    return out


_TITLE_OF = {r: PRINTED_TITLES[r] for r in ("concern", "response", "owner", "target")}
_HEADER_WINDOW = 400  # lines after the first title searched for the others (bounded work)
_MAX_TRIES = 20  # concern titles tried as the header's start (bounded work)


def block_header(lines: list[str]) -> tuple[int, int, None] | None:
    """The header of block-ordered text: ``(first line, line after it, None)``.

    The titles come back as short lines of their own, scattered among the first
    row's blocks: the first title line naming the concern column opens it, the run
    of title lines there closes it, and the response, owner and target titles must
    each be printed as a title line further down.

    >>> block_header(["Plan", "No", "Concern", "", "1", "", "Response", "Owner", "Target date"])
    (1, 3, None)
    """
    tried = 0
    for i, ln in enumerate(lines):
        t = ln.strip()
        if len(t) > 60 or not _TITLE_OF["concern"].search(t) or not _is_title(t):
            continue
        tried += 1
        if tried > _MAX_TRIES:
            return None
        window = [x.strip() for x in lines[i : i + _HEADER_WINDOW]]
        titles = [x for x in window if x and _is_title(x)]
        if all(any(rx.search(x) for x in titles) for rx in _TITLE_OF.values()):
            start = _back_over_titles(lines, i)
            if start > 0 and ID_RE.match(lines[start - 1].strip()):  # a number printed first
                start = _back_over_titles(lines, start - 1)
            while not lines[start].strip():
                start += 1
            end = i + 1
            while end < len(lines) and lines[end].strip() and _is_title(lines[end].strip()):
                end += 1
            return start, end, None
    return None


def _back_over_titles(lines: list[str], start: int) -> int:
    """``start`` moved back over the blank and title lines just above it."""
    while start > 0 and (not lines[start - 1].strip() or _is_piece(lines, start - 1)):
        start -= 1
    return start


def has_row_number(lines: list[str], start: int, end: int) -> bool:
    """Is a concern number printed alone in ``lines[start:end]``? Numbers that each
    come before a title ("1." / "No" / "2." / "Concerns") number the titles.

    >>> has_row_number(["1.", "", "No", "", "2.", "", "Concerns"], 0, 7)
    False
    >>> has_row_number(["No", "", "1", "", "Concerns"], 0, 5)
    True
    """
    titled = 0
    for k in range(start, min(end, len(lines))):
        if not ID_RE.match(lines[k].strip()):
            continue
        nxt = next((j for j in range(k + 1, len(lines)) if lines[j].strip()), None)
        if nxt is None or not _is_piece(lines, nxt):
            return True
        titled += 1
    return titled == 1


def _is_piece(lines: list[str], k: int, *, loose: bool = True) -> bool:
    """A title line, or a title word broken over two lines ("Conc" / "ern").

    ``loose``: a short line naming a column role counts too (in the header itself).
    """
    t = lines[k].strip()
    if not t or ID_RE.match(t) or ends_sentence(t) or (is_heading_line(t) and not is_title_line(t)):
        return False
    if is_date_or_status(t) or DECISION_RE.fullmatch(t):
        return False
    pairs = [(lines[k - 1].strip(), t)] if k else []
    pairs += [(t, lines[k + 1].strip())] if k + 1 < len(lines) else []
    return is_title_line(t) or any(map(_broken_title, pairs)) or (loose and is_title_fragment(t))


def _broken_title(pair: tuple[str, str]) -> bool:
    """Two lines that are one title word broken between them ("Conc" / "ern")."""
    a, b = pair
    word = a + b
    if not word.isalpha() or len(word) > 16:
        return False
    return any((m := rx.search(word)) and m.start() < len(a) < m.end() for _, rx in ROLE_PATTERNS)


def _is_title(t: str) -> bool:
    return len(t) <= 60 and (is_title_line(t) or is_title_fragment(t))


def _decision(lines: list[str], i: int) -> tuple[str, int] | None:
    """A decision printed alone at ``lines[i]`` (maybe split over two lines): (word, lines)."""
    ln = lines[i]
    m = DECISION_RE.match(ln)
    if m and not m.group("rest"):
        return m.group("d"), 1
    if QUALIFIER_RE.match(ln) and i + 1 < len(lines):
        both = f"{ln} {lines[i + 1]}"
        m = DECISION_RE.match(both)
        if m and not m.group("rest"):
            return m.group("d"), 2
    return None


def _split_decision(lines: list[str], i: int, titles: set[str]) -> str | None:
    """A decision whose two words sit on alternate lines, a concern line between them
    ("Not" / "passive in their contact with" / "Agreed"): the decision column printed
    beside the concern column line by line."""
    if not QUALIFIER_RE.match(lines[i]) or i + 2 >= len(lines) or lines[i + 1].lower() in titles:
        return None
    if _decision(lines, i) or _decision(lines, i + 1) or not _decision(lines, i + 2):
        return None
    m = DECISION_RE.match(f"{lines[i]} {lines[i + 2]}")
    return m.group("d") if m and not m.group("rest") else None


def _page_items(blocks: list[list[str]], titles: set[str], last_id: str | None):
    """The page's items in reading order, and the last concern number seen."""
    items: list[Item] = []
    for b, block in enumerate(blocks):
        lines = list(block)
        if all(ln.lower() in titles for ln in lines) and len(lines) > 1:
            continue  # the header repeated as a block
        run: list[str] = []

        i, after = 0, ""  # the title line just dropped
        skip: set[int] = set()
        while i < len(lines):
            ln = lines[i]
            if i in skip:
                i += 1
                continue
            if (split := _split_decision(lines, i, titles)) is not None:
                _flush(run, b, items)  # "Not" / a concern line / "Agreed": printed side by side
                items.append(Item("decision", [ln, lines[i + 2]], split, b))
                skip.add(i + 2)
                i += 1
                continue
            dec = _decision(lines, i)
            # a header title; a decision word only as the end of a title ("Agreed/ Not" / "Agreed")
            if (ln.lower() in titles and not dec) or (dec and _QUALIFIER_END_RE.search(after)):
                after = ln
                i += 1
                continue
            after = ""
            start = row_start(ln, last_id)
            if start is not None and (not start[1] or (i == 0 and not run)):
                _flush(run, b, items)
                last_id = start[0]
                items.append(Item("id", [ln], start[0], b))
                if start[1]:
                    run.append(start[1])
                i += 1
                continue
            if dec is not None:  # the decision found above
                _flush(run, b, items)
                items.append(Item("decision", lines[i : i + dec[1]], dec[0], b))
                i += dec[1]
                continue
            if is_heading_line(ln) and not (run and not _ends(run[-1])):
                _flush(run, b, items)
                items.append(Item("heading", [ln], ln, b))
                i += 1
                continue
            if run and _CELL_START_RE.match(ln) and _ends(run[-1]):
                _flush(run, b, items)  # a labelled concern cell starts: "Concern (S46): ..."
            run.append(ln)
            i += 1
        _flush(run, b, items)
    items = _join_split_entries(items)
    _mark_owners(items)
    return items, last_id


def _join_split_entries(items: list[Item]) -> list[Item]:
    """Entries a narrow column broke into two blocks joined back: a month alone and
    its year ("December" / "2023"), an owner ending in a joining word ("Head of" /
    "Psychology")."""
    out: list[Item] = []
    for it in items:
        if out and it.kind in ("text", "target") and out[-1].kind == "text":
            last = out[-1]
            dates = all(is_date_or_status(x) for x in last.lines + it.lines)
            if dates and is_target_block(last.lines + it.lines):
                out[-1] = Item("target", last.lines + it.lines, block=last.block)
                continue
            both = last.lines + it.lines
            if it.kind == "text" and JOINING_END_RE.search(last.lines[-1]) and is_owner_block(both):
                out[-1] = Item("text", both, block=last.block)
                continue
        out.append(it)
    return out


def _ends(line: str) -> bool:
    """A line that ends a sentence or a bracketed note ("(Directed to: the Governor)")."""
    return ends_sentence(line) or line.endswith(")")


def _flush(run: list[str], b: int, items: list[Item]) -> None:
    """Close a run of text lines into items."""
    if run:
        items.extend(_text_items(list(run), b))
        run.clear()


def _text_items(run: list[str], b: int) -> list[Item]:
    """A run of text lines: target entries, an owner entry with its targets, or text."""
    if is_target_block(run):
        return [Item("target", run, block=b)]
    cut = len(run)
    while cut > 0 and is_date_or_status(run[cut - 1]):
        cut -= 1
    if 0 < cut < len(run) and is_target_block(run[cut:]) and _is_owner_run(run[:cut]):
        return [Item("owner", run[:cut], block=b), Item("target", run[cut:], block=b)]
    return [Item("text", run, block=b)]


def whole_lines(lines: list[str]) -> list[str]:
    """Lines with a word broken over a narrow column joined back: a line opening
    lower-case after one ending in a letter continues its word.

    >>> whole_lines(["Northamptons", "hire", "Healthcare"])
    ['Northamptonshire', 'Healthcare']
    """
    whole: list[str] = []
    for ln in lines:
        if whole and whole[-1][-1:].isalpha() and ln[:1].islower():
            whole[-1] += ln
        else:
            whole.append(ln)
    return whole


def _is_owner_run(lines: list[str]) -> bool:
    """An owner entry, or several stacked: each line short and capitalised (a word
    broken over a narrow column, "Northamptons" / "hire", taken as one, and so is an
    entry wrapped after a comma, "Executive Director," / "Prison Supply")."""
    if is_owner_block(lines):
        return True
    whole = whole_lines(lines[: _MAX_STACK + 1])
    if len(whole) > _MAX_STACK:
        return False
    if all(is_owner_block([ln]) for ln in whole):
        return True
    wrapped: list[str] = []
    for ln in whole:
        if wrapped and wrapped[-1].endswith(","):
            wrapped[-1] += " " + ln
        else:
            wrapped.append(ln)
    return len(wrapped) < len(whole) and all(is_owner_block([ln]) for ln in wrapped)


def _mark_owners(items: list[Item]) -> None:
    """Short capitalised text beside target entries (or before other owners, however
    many in a row) is an owner."""
    for k in range(len(items) - 1, -1, -1):  # backwards: a run of owners ends at its targets
        it = items[k]
        if it.kind != "text" or not _is_owner_run(it.lines):
            continue
        near = [items[j].kind for j in (k - 1, k + 1) if 0 <= j < len(items)]
        if "target" in near or (k + 1 < len(items) and items[k + 1].kind == "owner"):
            it.kind = "owner"


# -- which text is the concern --------------------------------------------------------
def _width_split(pages: list[list[Item]]) -> tuple[float, bool] | None:
    """A width between the two columns' line widths, and whether the wide one is the response.

    None when the text blocks' longest lines do not fall into two clear groups.
    """
    texts = [it for p in pages for it in p if it.kind == "text" and len(it.lines) >= 3]
    sized = [(column_width(it.lines), len(it.lines)) for it in texts]  # once a block
    widths = sorted(w for w, _ in sized)
    if len(widths) < 4:
        return None
    best, cut, below, total = -1.0, 0, 0, sum(widths)
    for k in range(1, len(widths)):  # Otsu: the split with the most variance between groups
        below += widths[k - 1]
        m1, m2 = below / k, (total - below) / (len(widths) - k)
        score = k * (len(widths) - k) * (m2 - m1) ** 2
        if score > best:
            best, cut = score, k
    lo, hi = widths[:cut], widths[cut:]
    m1, m2 = sum(lo) / len(lo), sum(hi) / len(hi)
    spread = max(hi) - min(hi) + max(lo) - min(lo)
    if min(len(lo), len(hi)) < 3 or m2 < 1.3 * m1 or widths[cut] - widths[cut - 1] < 0.25 * spread:
        return None
    mid = (widths[cut - 1] + widths[cut]) / 2
    # the concern column is the one whose text follows a concern number
    votes = 0
    for page in pages:
        for k, it in enumerate(page):
            if it.kind != "id":
                continue
            nxt = next((x for x in page[k + 1 :] if x.kind in ("text", "id")), None)
            if nxt is not None and nxt.kind == "text":
                votes += 1 if column_width(nxt.lines) <= mid else -1
    if votes:
        return mid, votes > 0
    wide = sum(n for w, n in sized if w > mid)
    narrow = sum(n for w, n in sized if w <= mid)
    return mid, wide >= narrow


def _width_side(lines: list[str], cut: float) -> bool | None:
    """Is a block in the wide column, by its width (3+ lines, or a line wider than
    ``cut``)? None when the width does not tell, as when one wide line stands among
    narrow ones: the wide column's only full line or two narrow lines joined at a
    removed hyphen; the page's order decides then."""
    wide = column_width(lines) > cut
    if wide != (max(len(x) for x in lines) > cut) or not (len(lines) >= 3 or wide):
        return None
    return wide


def _after_number(items: list[Item], k: int) -> bool:
    """Is ``items[k]`` printed right after a concern number (a heading between)?"""
    j = k - 1
    while j >= 0 and items[j].kind == "heading":
        j -= 1
    return j >= 0 and items[j].kind == "id"


def _set_roles(items: list[Item], split: tuple[float, bool] | None, unfinished: set[str]) -> None:
    """Mark each text item concern or response.

    ``unfinished``: the roles whose last text (on the pages so far) stopped
    mid-sentence; updated. A block starting in lower case runs on from the text
    beside it in the same block, else from the unfinished role (the response when
    both are). Without the columns' widths, the order tells: the text printed right
    after a number is its concern, and so are the texts after a run of numbers, one
    for each number printed so far.
    """
    seen, concerns, prev = 0, 0, None  # numbers seen, concern texts placed
    for k, it in enumerate(items):
        seen += it.kind == "id"
        if it.kind != "text":
            continue
        first = it.lines[0]
        if _LABEL_RE.match(first):
            it.role = "concern"
        elif split is not None and (wide := _width_side(it.lines, split[0])) is not None:
            it.role = "response" if wide == split[1] else "concern"
        elif first[:1].islower():  # a cell's text cut by a decision, or by the page
            beside = prev is not None and (prev.block == it.block or items[k - 1] is prev)
            if beside and prev is not None and not ends_sentence(prev.lines[-1]):
                it.role = prev.role
            elif k and items[k - 1].kind == "id":  # a clipped first word after its number
                it.role = "concern"
            else:
                it.role = "concern" if unfinished == {"concern"} else "response"
        elif _after_number(items, k) or concerns < seen:  # a number's own text, in order
            it.role = "concern"
        else:
            it.role = "response"
        if it.role == "concern" and not REC_LABEL_RE.match(first):
            concerns += 1
        (unfinished.discard if ends_sentence(it.lines[-1]) else unfinished.add)(it.role)
        prev = it
