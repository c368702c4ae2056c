"""Block-ordered text: a PDF's table as poppler ``pdftotext`` (default) and pdfminer print it.

These extractors print a page as text blocks in reading order, not as rows: the
concern numbers of several rows one after another, then their concern cells,
their decisions, the page's response column as one flow, and the owner and target
entries last; sometimes a row's blocks come before its number, and the header's
titles come back as blocks of their own anywhere on the page. Nothing here is
keyed to wording; the evidence is the structure:

- pages: a form feed or two blank lines (pdftotext and pdfminer end a page so);
  blocks: runs of lines between blank lines;
- concern numbers alone on a line (or opening a block) in sequence, decision words
  alone on a line ("Partly" / "Agreed" over two lines too), section headings,
  target entries (dates, status words) and owner entries (short capitalised lines
  next to target entries);
- the header's title lines, dropped wherever a page repeats them;
- which text is the concern and which the response: the two columns' printed
  widths (the longest lines of each block fall into two groups; the group holding
  more lines is the response) or, when the widths do not tell them apart, the
  order (a page's first text blocks after its first number are its concerns, one
  per number; a labelled "Concern:" / "Recommendation:" block is a concern);
- counts: a page's numbers, concern blocks and decisions are rows of the same
  table, matched in order; a page's owner/target entries pair with its response
  paragraphs one to one when there are as many, or with its rows one to one.

Where the order leaves a choice, it is reported rather than hidden: a page's
response flow holds several rows' paragraphs with no mark of where a row ends, so
they are shared among the page's rows by a monotone split that follows word
overlap with each row's concern (text running on from the page before stays with
the row it continues); each concern so split gets a ``block_order`` problem, and
entries paired by position despite unequal counts are reported too. Text before
the first number is kept (an ``unplaced_text`` problem via the segmenter).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from itertools import pairwise

from actionnlp.plan import Problem
from actionnlp.read.cells import (
    ID_RE,
    ROLE_PATTERNS,
    ends_sentence,
    is_title_fragment,
    is_title_line,
)
from actionnlp.read.columns import JOINING_END_RE, Para, fit_count, para_texts, paragraphs
from actionnlp.read.dates import split_target_entries
from actionnlp.read.segment import RawRow
from actionnlp.read.shapes import is_date_or_status, is_owner_block, is_target_block
from actionnlp.read.stream import DECISION_RE, is_heading_line, row_start

__all__ = ["BlockRead", "block_header", "block_rows"]

_LABEL_RE = re.compile(
    r"^(?:key\s+|priority\s+)?(?:concern|recommendation)s?(?:\s*\([^)]{0,12}\))?\s*:", re.I
)
_REC_LABEL_RE = re.compile(r"^recommendation\s*:", re.I)
#: A label that opens a concern cell (a recommendation with its report paragraph opens one too)
_CELL_START_RE = re.compile(
    r"^(?:(?:key\s+|priority\s+)?concern(?:\s*\([^)]{0,12}\))?|recommendation\s*\([^)]{0,12}\))\s*:",
    re.I,
)
_QUALIFIER_RE = re.compile(r"^(?:partly|partially|not)$", re.I)
_QUALIFIER_END_RE = re.compile(r"(?:\b(?:partly|partially|not)|/)$", re.I)
_WORD_RE = re.compile(r"[a-z]{4,}")
_MAX_STACK = 40  # owner entries stacked in one block
_MAX_CELLS = 200_000  # paragraphs x rows of one page searched by the split (bounded work)


@dataclass
class _Item:
    """One piece of a page in reading order."""

    kind: str  # id | decision | heading | text | owner | target
    lines: list[str]
    value: str = ""  # the id or the decision
    block: int = 0  # the block it came from (boundaries between blocks are evidence)
    role: str = ""  # text: concern | response


@dataclass(eq=False)
class _Row:
    """A row being assembled on one page (``cid`` "" for text continuing the row before)."""

    cid: str
    concern: list[list[str]] = field(default_factory=list)
    decision: str = ""
    paras: list[Para] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)  # printed before this row


@dataclass
class BlockRead:
    """The rows read from block-ordered text and what the order left uncertain."""

    rows: list[RawRow]
    problems: list[Problem]
    #: share of consecutive concern numbers with no owner/target entry between them
    #: (a row-by-row stream closes each row with its entries; block order does not)
    grouped: float = 0.0


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


_TITLE_OF = {
    "concern": re.compile(r"\b(?:concerns?|recommendations?)\b", re.I),
    "response": re.compile(r"\bresponse\b|\baction\s+taken", re.I),
    "owner": re.compile(r"\bowner\b|\bresponsib", re.I),
    "target": re.compile(r"\btarget\b|\btimescale\b|^date$", re.I),
}
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
            start = i
            while start > 0 and (not lines[start - 1].strip() or _is_piece(lines, start - 1)):
                start -= 1
            if start > 0 and ID_RE.match(lines[start - 1].strip()):  # a number printed first
                start -= 1
                while start > 0 and (not lines[start - 1].strip() or _is_piece(lines, start - 1)):
                    start -= 1
            while not lines[start].strip():
                start += 1
            end = i + 1
            while end < len(lines) and lines[end].strip() and _is_title(lines[end].strip()):
                end += 1
            return start, end, None
    return None


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
    if _QUALIFIER_RE.match(ln) and i + 1 < len(lines):
        both = f"{ln} {lines[i + 1]}"
        m = DECISION_RE.match(both)
        if m and not m.group("rest"):
            return m.group("d"), 2
    return None


def _page_items(blocks: list[list[str]], titles: set[str], last_id: str | None):
    """The page's items in reading order, and the last concern number seen."""
    items: list[_Item] = []
    for b, block in enumerate(blocks):
        lines = list(block)
        if all(ln.lower() in titles for ln in lines) and len(lines) > 1:
            continue  # the header repeated as a block
        run: list[str] = []

        i, after = 0, ""  # the title line just dropped
        while i < len(lines):
            ln = lines[i]
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
                items.append(_Item("id", [ln], start[0], b))
                if start[1]:
                    run.append(start[1])
                i += 1
                continue
            if (dec := _decision(lines, i)) is not None:
                _flush(run, b, items)
                items.append(_Item("decision", lines[i : i + dec[1]], dec[0], b))
                i += dec[1]
                continue
            if is_heading_line(ln) and not (run and not _ends(run[-1])):
                _flush(run, b, items)
                items.append(_Item("heading", [ln], ln, b))
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


def _join_split_entries(items: list[_Item]) -> list[_Item]:
    """Entries a narrow column broke into two blocks joined back: a month alone and
    its year ("December" / "2023"), an owner ending in a joining word ("Head of" /
    "Psychology")."""
    out: list[_Item] = []
    for it in items:
        if out and it.kind in ("text", "target") and out[-1].kind == "text":
            last = out[-1]
            dates = all(is_date_or_status(x) for x in last.lines + it.lines)
            if dates and is_target_block(last.lines + it.lines):
                out[-1] = _Item("target", last.lines + it.lines, block=last.block)
                continue
            both = last.lines + it.lines
            if it.kind == "text" and JOINING_END_RE.search(last.lines[-1]) and is_owner_block(both):
                out[-1] = _Item("text", both, block=last.block)
                continue
        out.append(it)
    return out


def _ends(line: str) -> bool:
    """A line that ends a sentence or a bracketed note ("(Directed to: the Governor)")."""
    return ends_sentence(line) or line.endswith(")")


def _flush(run: list[str], b: int, items: list[_Item]) -> None:
    """Close a run of text lines into items."""
    if run:
        items.extend(_text_items(list(run), b))
        run.clear()


def _text_items(run: list[str], b: int) -> list[_Item]:
    """A run of text lines: target entries, an owner entry with its targets, or text."""
    if is_target_block(run):
        return [_Item("target", run, block=b)]
    cut = len(run)
    while cut > 0 and is_date_or_status(run[cut - 1]):
        cut -= 1
    if 0 < cut < len(run) and is_target_block(run[cut:]) and _is_owner_run(run[:cut]):
        return [_Item("owner", run[:cut], block=b), _Item("target", run[cut:], block=b)]
    return [_Item("text", run, block=b)]


def _is_owner_run(lines: list[str]) -> bool:
    """An owner entry, or several stacked: each line short and capitalised."""
    if is_owner_block(lines):
        return True
    return len(lines) <= _MAX_STACK and all(is_owner_block([ln]) for ln in lines)


def _mark_owners(items: list[_Item]) -> None:
    """Short capitalised text beside target entries (or beside other owners) is an owner."""
    for _ in range(2):
        for k, it in enumerate(items):
            if it.kind != "text" or not _is_owner_run(it.lines):
                continue
            near = [items[j].kind for j in (k - 1, k + 1) if 0 <= j < len(items)]
            if "target" in near or (k + 1 < len(items) and items[k + 1].kind == "owner"):
                it.kind = "owner"


# -- which text is the concern --------------------------------------------------------
def _width_split(pages: list[list[_Item]]) -> tuple[float, bool] | None:
    """A width between the two columns' line widths, and whether the wide one is the response.

    None when the text blocks' longest lines do not fall into two clear groups.
    """
    texts = [it for p in pages for it in p if it.kind == "text" and len(it.lines) >= 3]
    widths = sorted(max(len(x) for x in it.lines) for it in texts)
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
                votes += 1 if max(map(len, nxt.lines)) <= mid else -1
    if votes:
        return mid, votes > 0
    wide = sum(len(it.lines) for it in texts if max(map(len, it.lines)) > mid)
    narrow = sum(len(it.lines) for it in texts if max(map(len, it.lines)) <= mid)
    return mid, wide >= narrow


def _set_roles(items: list[_Item], split: tuple[float, bool] | None, unfinished: set[str]) -> None:
    """Mark each text item concern or response.

    ``unfinished``: the roles whose last text (on the pages so far) stopped
    mid-sentence; updated. A block starting in lower case runs on from the text
    beside it in the same block, else from the unfinished role (the response when
    both are).
    """
    n_ids = sum(1 for it in items if it.kind == "id")
    seen_id, concerns, prev = False, 0, None
    for k, it in enumerate(items):
        if it.kind == "id":
            seen_id = True
        if it.kind != "text":
            continue
        first = it.lines[0]
        if _LABEL_RE.match(first):
            it.role = "concern"
        elif split is not None and (len(it.lines) >= 3 or max(map(len, it.lines)) > split[0]):
            wide = max(map(len, it.lines)) > split[0]  # a long line proves the wide column
            it.role = "response" if wide == split[1] else "concern"
        elif first[:1].islower():  # a cell's text cut by a decision, or by the page
            beside = prev is not None and (prev.block == it.block or items[k - 1] is prev)
            if beside and prev is not None:
                it.role = prev.role
            else:
                it.role = "concern" if unfinished == {"concern"} else "response"
        elif seen_id and concerns < n_ids:
            it.role = "concern"
        else:
            it.role = "response"
        if it.role == "concern" and not _REC_LABEL_RE.match(first):
            concerns += 1
        (unfinished.discard if ends_sentence(it.lines[-1]) else unfinished.add)(it.role)
        prev = it


# -- rows of a page -------------------------------------------------------------------
def _assign_concerns(items: list[_Item], rows: list[_Row], cont: _Row | None) -> dict[int, _Row]:
    """Concern blocks to the page's rows, in order; text running on goes with its row.

    When the page holds a whole multiple of its numbers' count of concern blocks
    (a concern and a recommendation paragraph in each cell), each row takes that
    many in turn; a block at the top that runs on (lower case), or one block more
    than the page's numbers, goes to the row continued from the page before.
    Returns the row of each concern item (by ``id``) when the page has one block
    (or group) per number, else nothing (the order alone is the evidence).
    """
    ids = [r for r in rows if r.cid]
    groups: list[list[_Item]] = []
    for it in items:
        if it.kind != "text" or it.role != "concern":
            continue
        first = it.lines[0]
        if groups and (_REC_LABEL_RE.match(first) or first[:1].islower()):
            groups[-1].append(it)
        else:
            groups.append([it])
    runs_on = bool(groups) and groups[0][0].lines[0][:1].islower()
    lead = int(cont is not None and (runs_on or (bool(ids) and len(groups) == len(ids) + 1)))
    owner: dict[int, _Row] = {}
    rest = groups[lead:]
    aligned = len(rest) == len(ids)
    per = len(rest) // len(ids) if ids and rest and len(rest) % len(ids) == 0 else 1
    for k, g in enumerate(groups):
        if k < lead and cont is not None:
            target = cont
        else:
            target = ids[min((k - lead) // per, len(ids) - 1)] if ids else rows[0]
        for it in g:
            target.concern.append(it.lines)
            owner[id(it)] = target
    return owner if aligned else {}


def _assign_decisions(items: list[_Item], rows: list[_Row], owner: dict[int, _Row]) -> list[str]:
    """Decisions to rows; returns any left over.

    When the page's concern blocks are one per number, a decision printed alone
    after a row's concern text is that row's; the others (a run of decisions is
    the column printed in order) go in order to the rows still without one.
    """
    free: list[str] = []
    last: _Row | None = None
    for k, it in enumerate(items):
        if it.kind == "id":
            last = None
        elif it.kind == "text":
            last = owner.get(id(it))
        elif it.kind == "decision":
            near = [items[j].kind for j in (k - 1, k + 1) if 0 <= j < len(items)]
            if "decision" not in near and last is not None and last.cid and not last.decision:
                last.decision = it.value
            else:
                free.append(it.value)
            last = None
    waiting = iter(free)
    for r in rows:
        if r.cid and not r.decision and (d := next(waiting, None)) is not None:
            r.decision = d
    return list(waiting)


def _words(text: str) -> set[str]:
    return set(_WORD_RE.findall(text.lower()))


def _split_paras(paras: list[Para], slots: list[_Row], starts: set[int], forced: bool) -> list[int]:
    """The slot of each paragraph: a monotone split that follows word overlap.

    ``slots[0]`` is the row continued from the page before: it takes paragraphs
    only when ``forced`` (the page's first paragraph runs on: it starts in lower
    case or the page before ended mid-sentence); the others take at least one each
    while there are paragraphs enough. ``starts``: paragraphs that open a new block
    (a row boundary there is likelier).
    """
    n, m = len(paras), len(slots)
    if m == 1 or n == 0:
        return [0] * n
    if n * m > _MAX_CELLS:
        return [min(i, m - 1) for i in range(n)]
    texts = [" ".join(" ".join(x) for x in s.concern) for s in slots]
    sets = [_words(t) for t in texts]
    df: dict[str, int] = {}
    for s in sets:
        for w in s:
            df[w] = df.get(w, 0) + 1
    pw = [_words(" ".join(p.lines)) for p in paras]

    def sim(i: int, j: int) -> float:
        shared = pw[i] & sets[j]
        return sum(math.log((m + 1) / df[w]) for w in shared) / math.sqrt(len(pw[i]) + 1)

    neg = -1e18
    # best[i][j]: paragraphs 0..i placed, paragraph i in slot j
    best = [[neg] * m for _ in range(n)]
    back = [[0] * m for _ in range(n)]
    if forced:
        best[0][0] = sim(0, 0)
    else:
        best[0][1] = sim(0, 1)
    for i in range(1, n):
        for j in range(m):
            stay = best[i - 1][j]
            move = best[i - 1][j - 1] + (0.5 if i in starts else 0.0) if j else neg
            if stay >= move:
                best[i][j], back[i][j] = stay + sim(i, j), j
            else:
                best[i][j], back[i][j] = move + sim(i, j), j - 1
    end = m - 1 if best[n - 1][m - 1] > neg else max(range(m), key=lambda j: best[n - 1][j])
    out = [0] * n
    for i in range(n - 1, -1, -1):
        out[i] = end
        end = back[i][end]
    return out


def _entries(items: list[_Item]) -> list[tuple[list[str], list[str]]]:
    """The page's owner/target entries in order: (owner lines, target entries)."""
    slots: list[tuple[list[str], list[str]]] = []
    for it in items:
        if it.kind == "owner":
            owner = _join_entry(it.lines)
            if slots and not slots[-1][1] and slots[-1][0]:
                slots[-1][0].append(owner)
            else:
                slots.append(([owner], []))
        elif it.kind == "target":
            targets = split_target_entries(" ".join(it.lines)) or [" ".join(it.lines)]
            if slots and not slots[-1][1]:
                slots[-1][1].extend(targets)
            else:
                slots.append(([], targets))
    return slots


def _join_entry(lines: list[str]) -> str:
    """An owner entry's lines as one; a word broken over a narrow column joined back.

    >>> _join_entry(["Northamptons", "hire", "Healthcare"])
    'Northamptonshire Healthcare'
    """
    out = lines[0]
    for ln in lines[1:]:
        broken = out[-1:].isalpha() and ln[:1].islower()
        out += ln if broken else f" {ln}"
    return out


def _page_rows(
    items: list[_Item], prev: _Row | None, carry: bool, problems: list[Problem]
) -> list[_Row]:
    """Assemble one page: the row continued from the page before, then its numbered rows."""
    cont = _Row("")
    rows: list[_Row] = []
    pending: list[str] = []
    for k, it in enumerate(items):
        if it.kind == "id":
            rows.append(_Row(it.value, headings=pending))
            pending = []
        elif it.kind == "heading":
            after_id = k and items[k - 1].kind == "id" and rows and not rows[-1].headings
            if after_id:
                rows[-1].headings.append(it.value)
            else:
                pending.append(it.value)
    if pending:
        (rows[-1].headings if rows else cont.headings).extend(pending)
    slots = [cont, *rows]
    owner = _assign_concerns(items, slots, cont if prev is not None else None)
    if prev is not None and not cont.concern:
        cont.concern = prev.concern  # for word overlap only
    extra = _assign_decisions(items, rows, owner)
    # the response flow, split into paragraphs, shared among the rows
    lines: list[str] = []
    starts: list[int] = []
    for it in items:
        if it.kind == "text" and it.role == "response":
            if lines:
                lines.append("")
            starts.append(len(lines))
            lines.extend(it.lines)
    width = max((len(x) for x in lines), default=0)
    paras = paragraphs(lines, width, sentences=True) if lines else []
    entries = _entries(items)
    if len(entries) > len(rows) and len(paras) != len(entries):
        paras = fit_count(paras, len(entries), width)
    first = _para_starts(paras, lines, starts)
    forced = bool(paras) and prev is not None and (carry or paras[0].lines[0][:1].islower())
    where = _split_paras(paras, slots, first, forced)
    for p, j in zip(paras, where, strict=True):
        slots[j].paras.append(p)
    filled = [s for s in slots if s.paras]
    if sum(1 for s in slots if s.paras) > 1:
        for s in filled:
            why = (
                "block-ordered text: the page printed its rows' responses as one flow; "
                "this row's paragraphs were told from its neighbours' by word overlap"
            )
            problems.append(Problem("block_order", s.cid or None, why))
    _pair_entries(entries, slots, paras, problems)
    for d in extra:  # more decisions than numbers: kept as text
        (rows[-1] if rows else cont).paras.append(Para([d]))
    if prev is not None and cont.concern is prev.concern:
        cont.concern = []
    return slots


def _para_starts(paras: list[Para], lines: list[str], starts: list[int]) -> set[int]:
    """The paragraphs that begin at (or first after) the flow lines ``starts``."""
    firsts: list[int] = []  # the count of text lines before each paragraph
    seen = 0
    for p in paras:
        firsts.append(seen)
        seen += len(p.lines)
    out, i, before = {0}, 0, 0
    marks = iter(sorted(starts))
    mark = next(marks, None)
    for k, x in enumerate(lines):
        while mark is not None and mark == k:
            while i < len(firsts) and firsts[i] < before:
                i += 1
            out.add(i)
            mark = next(marks, None)
        before += 1 if x else 0
    return out


def _pair_entries(
    entries: list[tuple[list[str], list[str]]],
    slots: list[_Row],
    paras: list[Para],
    problems: list[Problem],
) -> None:
    """Give the page's owner/target entries to its rows: per paragraph, per row, or by order."""
    if not entries:
        return
    filled = [s for s in slots if s.paras] or [slots[-1]]
    numbered = [s for s in filled if s.cid]
    if len(entries) == len(paras):
        groups = [len(s.paras) for s in filled]
        order = [s for s, g in zip(filled, groups, strict=True) for _ in range(g)]
    elif len(entries) == len(filled):
        order = filled
    elif len(entries) == len(numbered):
        order = numbered
    else:
        place = {id(s): k for k, s in enumerate(slots)}
        order = (filled * (len(entries) // len(filled) + 1))[: len(entries)]
        order.sort(key=lambda s: place[id(s)])
        for s in dict.fromkeys(order):
            why = (
                f"block-ordered text: {len(entries)} owner/target entries beside "
                f"{len(paras)} paragraphs in {len(filled)} rows on the page; paired by order"
            )
            problems.append(Problem("block_order", s.cid or None, why))
    for s, (owners, targets) in zip(order, entries, strict=True):
        s.owners.append(" ".join(owners))
        s.targets.append("; ".join(targets))


def _raw(row: _Row) -> list[RawRow]:
    out = [RawRow(concern=h) for h in row.headings]
    if not (row.cid or row.concern or row.paras or row.owners or row.decision):
        return out
    concern = "\n\n".join("\n".join(c) for c in row.concern)
    response = para_texts(row.paras)
    out.append(
        RawRow(row.cid, concern, row.decision, response, list(row.owners), list(row.targets))
    )
    return out


def block_rows(lines: list[str], header: list[str]) -> BlockRead:
    """Rows of a table printed as blocks in reading order (``lines`` follow the header).

    >>> read = block_rows(["1", "", "2", "", "Cells were dirty.", "", "Food was cold.", "",
    ...     "The cells were cleaned.", "", "The kitchen was refitted and food is hot.", "",
    ...     "Governor", "", "May 2024", "", "Catering", "", "June 2024"],
    ...     ["No", "Concern", "Response", "Owner", "Target date"])
    >>> [(r.id_cell, r.concern, r.response, r.owners, r.targets) for r in read.rows]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('1', 'Cells were dirty.', ['The cells were cleaned.'], ['Governor'], ['May 2024']),
     ('2', 'Food was cold.', ['The kitchen was refitted and food is hot.'], ['Catering'],
      ['June 2024'])]
    """
    titles = _titles(header) | _page_titles(lines)
    pages: list[list[_Item]] = []
    last_id: str | None = None
    first = next((h.strip().lower() for h in header if h.strip()), "")
    paged, scattered = _by_header(_pages(lines), titles, first)
    for blocks in paged:
        items, last_id = _page_items(blocks, titles, last_id)
        pages.append(items)
    split = _width_split(pages)
    kinds = [it.kind for p in pages for it in p if it.kind in ("id", "owner", "target")]
    ids = [k for k, x in enumerate(kinds) if x == "id"]
    together = sum(1 for a, b in pairwise(ids) if b == a + 1)
    grouped = max(together / (len(ids) - 1) if len(ids) > 1 else 0.0, scattered)
    problems: list[Problem] = []
    rows: list[RawRow] = []
    prev: _Row | None = None
    unfinished: set[str] = set()
    last: RawRow | None = None
    for items in pages:
        _set_roles(items, split, unfinished)
        carry = bool(prev and prev.paras and not ends_sentence(prev.paras[-1].lines[-1]))
        page = _page_rows(items, prev, carry, problems)
        if prev is None and len(page) > 1:  # text before the first number: its row's
            _merge(page[1], page[0])
            page = page[1:]
        for r in page:
            if not r.cid and r.concern and last is not None:  # the cell runs on: one text
                last.concern += "\n" + "\n\n".join("\n".join(c) for c in r.concern)
                r.concern = []
            rows.extend(_raw(r))
            last = next((x for x in reversed(rows[-2:]) if x.id_cell), last)
        numbered = [r for r in page if r.cid]
        prev = numbered[-1] if numbered else prev
    for p in problems:
        p.text = None
    return BlockRead(rows, _dedupe(problems), grouped)


def _merge(into: _Row, extra: _Row) -> None:
    into.concern = extra.concern + into.concern
    into.paras = extra.paras + into.paras
    into.owners = extra.owners + into.owners
    into.targets = extra.targets + into.targets
    into.headings = extra.headings + into.headings


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str | None]] = set()
    out = []
    for p in problems:
        if (p.kind, p.concern_id) not in seen:
            seen.add((p.kind, p.concern_id))
            out.append(p)
    return out
