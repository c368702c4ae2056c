"""Block-ordered text: a PDF's table as poppler ``pdftotext`` (default) and pdfminer print it.

These extractors print a page as text blocks in reading order, not as rows: the
concern numbers of several rows one after another, then their concern cells,
their decisions, the page's response column as one flow, and the owner and target
entries last; sometimes a row's blocks come before its number, and the header's
titles come back as blocks of their own anywhere on the page.
:mod:`actionnlp.read.blockitems` cuts each page into items (numbers, decisions,
headings, entries, concern and response text); this module makes the rows. Nothing
is keyed to wording; the evidence is the structure:

- counts: a page's numbers and its concern blocks (one per number, or a whole
  multiple: a concern and a recommendation paragraph) are the same rows, matched
  in order; a lone decision printed after a row's concern block is that row's, a
  run of decisions is the column printed in order;
- a page's owner/target entries pair with its response paragraphs one to one when
  there are as many (paragraphs are refitted to the entries when they outnumber
  the rows), else with its rows one to one;
- text continues the row of the page before only when it runs on (a lower-case
  start, or the page before stopped mid-sentence); a concern cell running on is
  joined to its row's text.

Where the order leaves a choice it is reported, not hidden: a page's response flow
holds several rows' paragraphs with no mark of where a row ends, so they are
shared among the page's rows by a monotone split that follows word overlap with
each row's concern (a block boundary favours a row boundary); each concern so
split gets a ``block_order`` problem, and so does each row whose entries were
paired by order despite unequal counts. Text before the first number goes to the
first row; nothing is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from actionnlp.plan import Problem
from actionnlp.read.blockitems import (
    REC_LABEL_RE,
    BlockPages,
    Item,
    block_pages,
    untwined,
    whole_lines,
)
from actionnlp.read.boxes import (
    Slot,
    merged_boxes,
    para_boxes,
    pinned,
    place_paragraphs,
    share_entries,
    stacked,
)
from actionnlp.read.cells import clean_text, ends_sentence
from actionnlp.read.columns import Para, fit_count, para_texts, paragraphs
from actionnlp.read.dates import split_target_entries
from actionnlp.read.segment import RawRow, is_rationale

__all__ = ["BlockRead", "block_rows"]


_Entry = tuple[list[str], list[str]]  # an owner/target entry: (owner lines, targets)


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
    after: int | None = None  # response boxes printed before its number
    stack: list[_Entry] = field(default_factory=list)  # its last entry, stacked, split
    owed: int = 0  # paragraphs its stacked entries still wait for on the next page


@dataclass
class BlockRead:
    """The rows read from block-ordered text and what the order left uncertain."""

    rows: list[RawRow]
    problems: list[Problem]
    #: share of consecutive concern numbers with no owner/target entry between them
    #: (a row-by-row stream closes each row with its entries; block order does not)
    grouped: float = 0.0


# -- rows of a page -------------------------------------------------------------------
def _assign_concerns(items: list[Item], rows: list[_Row], cont: _Row | None) -> dict[int, _Row]:
    """Concern blocks to the page's rows, in order; text running on goes with its row.

    When the page holds a whole multiple of its numbers' count of concern blocks
    (a concern and a recommendation paragraph in each cell), each row takes that
    many in turn; a block at the top that runs on (lower case), or one block more
    than the page's numbers, goes to the row continued from the page before.
    Returns the row of each concern item (by ``id``) when the page has one block
    (or group) per number, else nothing (the order alone is the evidence).
    """
    ids = [r for r in rows if r.cid]
    groups: list[list[Item]] = []
    after_id = lead_id = False  # the text follows a number: its row's concern
    pins: list[tuple[int, int]] = []  # (group, row) of groups printed right after a number
    seen = run = 0  # numbers seen; the first of the run of numbers just printed
    for it in items:
        if it.kind != "text" or it.role != "concern":
            run = run if after_id and it.kind == "id" else seen
            after_id = it.kind == "id" or (after_id and it.kind == "heading")
            seen += it.kind == "id"
            continue
        first = it.lines[0]
        fresh = after_id and bool(groups) and ends_sentence(groups[-1][-1].lines[-1])
        if groups and not fresh and (REC_LABEL_RE.match(first) or first[:1].islower()):
            groups[-1].append(it)
        else:
            lead_id = lead_id if groups else after_id
            if after_id:  # a run of numbers, then the first one's concern
                pins.append((len(groups), run))
            groups.append([it])
        after_id = False
    runs_on = bool(groups) and groups[0][0].lines[0][:1].islower() and not lead_id
    lead = int(cont is not None and (runs_on or (bool(ids) and len(groups) == len(ids) + 1)))
    owner: dict[int, _Row] = {}
    rest = groups[lead:]
    aligned = len(rest) == len(ids)
    per = len(rest) // len(ids) if ids and rest and len(rest) % len(ids) == 0 else 1
    place = [min(k // per, len(ids) - 1) for k in range(len(rest))] if ids else []
    if ids and per == 1 and not aligned:  # uneven: the numbers printed before a block pin it
        place = pinned(len(rest), [(g - lead, r) for g, r in pins if g >= lead], len(ids))
    for k, g in enumerate(groups):
        row = place[k - lead] if ids and k >= lead else -1  # -1: the row before the page's
        target = cont if row < 0 and cont is not None else ids[max(row, 0)] if ids else rows[0]
        for it in g:
            target.concern.append(it.lines)
            owner[id(it)] = target
    return owner if aligned else {}


def _assign_decisions(items: list[Item], rows: list[_Row], owner: dict[int, _Row]) -> list[str]:
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


def _place(
    paras: list[Para],
    slots: list[_Row],
    sizes: list[int],
    *,
    forced: bool,
    merged: bool,
    keep: int,
) -> list[int]:
    """The slot of each paragraph (:func:`actionnlp.read.boxes.place_paragraphs`);
    ``sizes``: the line counts of the page's response boxes in order."""
    rows = [
        Slot(" ".join(" ".join(x) for x in s.concern), sum(map(len, s.concern)), s.after)
        for s in slots
    ]
    lines = [p.lines for p in paras]
    boxes = para_boxes([len(x) for x in lines], sizes)
    leads = [is_rationale(clean_text(" ".join(x))) for x in lines]
    return place_paragraphs(
        lines, boxes, rows, forced=forced, merged=merged, leads=leads, keep=keep
    )


def _entries(items: list[Item]) -> tuple[list[_Entry], list[list[str]]]:
    """The page's owner/target entries in order: (owner lines, target entries), and
    each entry's owner lines as printed (a box may stack several entries).

    A run of owner boxes followed by a run of as many target boxes (each column
    printed box after box) pairs them in order; otherwise a run of owners is one
    entry with the first target box after it.
    """
    slots: list[_Entry] = []
    lines: list[list[str]] = []  # each slot's owner lines
    owners: list[Item] = []
    targets: list[list[str]] = []

    def close() -> None:
        if len(owners) > 1 and len(owners) == len(targets):
            for o, t in zip(owners, targets, strict=True):
                slots.append(([_join_entry(o.lines)], t))
                lines.append(whole_lines(o.lines))
        elif owners or targets:
            slots.append(([_join_entry(o.lines) for o in owners], targets[0] if targets else []))
            lines.append([x for o in owners for x in whole_lines(o.lines)])
            for t in targets[1:]:
                slots.append(([], t))
                lines.append([])
        owners.clear()
        targets.clear()

    for it in items:
        if it.kind == "owner":
            if targets:
                close()
            owners.append(it)
        elif it.kind == "target":
            targets.append(split_target_entries(" ".join(it.lines)) or [" ".join(it.lines)])
    close()
    return slots, lines


def _join_entry(lines: list[str]) -> str:
    """An owner entry's lines as one; a word broken over a narrow column joined back.

    >>> _join_entry(["Northamptons", "hire", "Healthcare"])
    'Northamptonshire Healthcare'
    """
    return " ".join(whole_lines(lines))


def _page_rows(
    items: list[Item], prev: _Row | None, carry: bool, problems: list[Problem], merged: bool
) -> list[_Row]:
    """Assemble one page: the row continued from the page before, then its numbered rows."""
    cont = _Row("")
    rows: list[_Row] = []
    pending: list[str] = []
    boxes_before = 0  # response boxes printed before each number
    for k, it in enumerate(items):
        boxes_before += it.kind == "text" and it.role == "response"
        if it.kind == "id":
            rows.append(_Row(it.value, headings=pending, after=boxes_before))
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
    for it in items:
        if it.kind == "text" and it.role == "response":
            lines.extend(["", *it.lines] if lines else it.lines)
    width = max((len(x) for x in lines), default=0)
    paras = paragraphs(lines, width, sentences=True) if lines else []
    entries, stacks = _entries(items)
    if len(entries) > len(rows) and len(paras) != len(entries):
        paras = fit_count(paras, len(entries), width)
    forced = bool(paras) and prev is not None and (carry or paras[0].lines[0][:1].islower())
    sizes = [len(it.lines) for it in items if it.kind == "text" and it.role == "response"]
    owed = prev.owed if prev is not None else 0
    where = _place(paras, slots, sizes, forced=forced, merged=merged, keep=owed)
    for p, j in zip(paras, where, strict=True):
        slots[j].paras.append(p)
    filled = [s for s in slots if s.paras]
    if len(filled) > 1:
        for s in filled:
            why = (
                "block-ordered text: the page printed its rows' responses as one flow; "
                "this row's paragraphs were told from its neighbours' by word overlap"
            )
            problems.append(Problem("block_order", s.cid or None, why))
    _pair_entries((entries, stacks), slots, paras, problems)
    for d in extra:  # more decisions than numbers: kept as text
        (rows[-1] if rows else cont).paras.append(Para([d]))
    if prev is not None and cont.concern is prev.concern:
        cont.concern = []
    return slots


def _pair_entries(
    found: tuple[list[_Entry], list[list[str]]],
    slots: list[_Row],
    paras: list[Para],
    problems: list[Problem],
) -> None:
    """Give the page's owner/target entries to its rows: per paragraph, per row, or
    by order. Boxes stacking one entry a line (:func:`~actionnlp.read.boxes.stacked`)
    are split when that makes one entry per paragraph, on the page or in a row."""
    entries, stacks = found
    if not entries:
        return
    split = [e for slot, own in zip(entries, stacks, strict=True) for e in stacked(slot, own)]
    filled = [s for s in slots if s.paras] or [slots[-1]]
    numbered = [s for s in filled if s.cid]
    rows: list[_Row] | None = None
    if len(entries) != len(paras) and len(split) == len(paras):
        entries = split
    if len(entries) == len(paras):
        groups = [len(s.paras) for s in filled]
        order = [s for s, g in zip(filled, groups, strict=True) for _ in range(g)]
    elif len(entries) == len(filled):
        order = rows = filled
    elif len(entries) == len(numbered):
        order = rows = numbered
    else:
        entries = split
        place = {id(s): k for k, s in enumerate(slots)}
        order = (filled * (len(entries) // len(filled) + 1))[: len(entries)]
        order.sort(key=lambda s: place[id(s)])
        counts = [len(s.paras) for s in filled]
        sizes = share_entries(len(entries), counts, [not s.cid for s in filled])
        if sizes is not None:  # each row as many as its paragraphs, or one, where it can
            order = [s for s, c in zip(filled, sizes, strict=True) for _ in range(c)]
        for s in dict.fromkeys(order):
            if sizes is not None and order.count(s) in (1, len(s.paras)):
                continue
            why = (
                f"block-ordered text: {len(entries)} owner/target entries beside "
                f"{len(paras)} paragraphs in {len(filled)} rows on the page; paired by order"
            )
            problems.append(Problem("block_order", s.cid or None, why))
    aligned = entries is found[0]  # each entry beside its printed owner lines
    for k, (s, entry) in enumerate(zip(order, entries, strict=True)):
        parts = stacked(entry, stacks[k]) if rows is not None else [entry]
        for owners, targets in parts if len(parts) == len(s.paras) else [entry]:
            s.owners.append(" ".join(owners))
            s.targets.append("; ".join(targets))
    if aligned and order and order[-1].cid:  # the page's last entry, stacked beyond
        full = stacked(entries[-1], stacks[-1])  # its paragraphs: owed some on the next
        covers = len(order[-1].paras) if rows is not None else 1
        if len(full) > covers:
            order[-1].stack, order[-1].owed = full, len(full) - covers


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


def block_rows(lines: list[str], header: list[str], pages: BlockPages | None = None) -> BlockRead:
    """Rows of a table printed as blocks in reading order (``lines`` follow the header);
    ``pages``: :func:`block_pages` of the same lines, when the caller has them already.

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
    read = block_pages(lines, header, untwine=True) if pages is None else untwined(pages)
    problems: list[Problem] = []
    rows: list[RawRow] = []
    prev: _Row | None = None
    last: RawRow | None = None
    merged = merged_boxes([it.lines for p in read.pages for it in p if it.role == "response"])
    for items in read.pages:
        carry = bool(prev and prev.paras and not ends_sentence(prev.paras[-1].lines[-1]))
        page = _page_rows(items, prev, carry, problems, merged)
        if prev is not None and last is not None and page and not page[0].cid:
            _unstack(prev, page[0], last)
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
    return BlockRead(rows, _dedupe(problems), read.grouped)


def _unstack(prev: _Row, cont: _Row, raw: RawRow) -> None:
    """A row's stacked entries (one a line, at the top of its cells) that outnumber its
    paragraphs on its page, its response running on over the next: split them after
    all when its paragraphs on both pages make one a paragraph (``raw``: the row as
    read from its page, its last entry the stack joined)."""
    if not prev.owed or len(cont.paras) != prev.owed or cont.owners or not raw.owners:
        return
    raw.owners[-1:] = [" ".join(o) for o, _ in prev.stack]
    raw.targets[-1:] = ["; ".join(t) for _, t in prev.stack]
    prev.stack, prev.owed = [], 0


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
