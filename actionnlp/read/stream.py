"""Column-block streams: a table printed one cell after another.

``lynx -dump``, BeautifulSoup ``get_text``, ``pdftotext -raw``, pdfminer and
pypdf print each row's cells in turn: the concern number (alone, or opening the
concern's first line), the concern, the decision (alone, or opening the
response's first line), the response paragraphs, the owner entries, the target
entries. Cells are separated by blank lines in some dumps and not at all in others.

A row starts at a line holding the next concern number in sequence; a section
heading ("Key concerns", "Directed to the Governor") sits between rows. Within
a row, roles come from the shapes of the text and the order of the columns:
target entries (dates, status words) close the row, owner entries (short
title-case lines) come before them, the decision word separates the concern
from the response; without one, the concern is the first block, or the narrow
lines before the response's wider ones. A repeated header is a page break: the
row goes on in a new row part, whose cells restart in column order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import actionnlp.read.cells as cells
from actionnlp.read.cells import ID_RE, clean_text, ends_sentence, heading_of, rejoin_flush_words
from actionnlp.read.columns import JOINING_END_RE, Para, fit_count, para_texts, paragraphs
from actionnlp.read.dates import split_target_entries
from actionnlp.read.segment import RawRow, owner_entries
from actionnlp.read.shapes import (
    broken_entry,
    id_key,
    is_date_or_status,
    is_owner_block,
    is_target_block,
    plausible_next,
)

__all__ = ["DECISION_RE", "QUALIFIER_RE", "is_heading_line", "row_start", "stream_rows"]

#: A decision opening a line: "Partly Agreed", "Not Accepted", "Rejected".
DECISION_RE = re.compile(
    r"^(?P<d>(?:(?:partly|partially|not)\s+)?(?:agreed|accepted)|rejected)(?![\w/])[\s.:]*"
    r"(?P<rest>.*)$",
    re.I,
)
_ROW_START_RE = re.compile(
    r"^(?P<id>(?:[A-Z]{1,2}\s?)?\d{1,3}(?:\.\d{1,3}){0,2}[a-z]?)[.)]?(?:\s+(?P<rest>\S.*))?$"
)
#: A decision's qualifier printed on a line of its own ("Partly" / "Agreed").
QUALIFIER_RE = re.compile(r"^(?:partly|partially|not)$", re.I)
_PAGE = "\f"
_ID_TITLE_RE = re.compile(r"(?:rec(?:ommendation)?\.?\s*)?(?:no|number|ref|id)\.?|rec\.?", re.I)
_OWNER_LINE = 80  # an owner entry printed across a full-width line
_PAGE_BLANKS = 0.05  # share of blank lines in a text whose only blanks end its pages
_ENTRY_RUN = 6  # owner lines stacked above a target
_MAX_ENTRIES = 200  # owner lines joined back one by one only up to this many (bounded work)


def row_start(text: str, last_id: str | None, *, after_end: bool = False) -> tuple[str, str] | None:
    """``(id, rest of the line)`` when the line opens the next concern in sequence.

    The concern's text opens with a capital; one that opens lower-case (its first
    word clipped in the document) starts a row only when the number is the very next
    one and the line above ended a cell (``after_end``: a sentence end, a target or an
    owner entry),
    so a wrapped "9 to 12 learners" is not taken for row 9.

    >>> row_start("9 the late allocation", "8"), row_start("9 the late", "8", after_end=True)
    (None, ('9', 'the late'))
    """
    m = _ROW_START_RE.match(text)
    if not m or not ID_RE.match(m.group("id")) or not plausible_next(m.group("id"), last_id):
        return None
    rest = m.group("rest") or ""
    opens = not rest or rest[0].isupper() or rest[0] in "\"'(\u201c\u2018"
    clipped = after_end and rest[:1].islower() and _very_next(m.group("id"), last_id)
    if not (opens or clipped):
        return None
    return m.group("id"), rest


def _very_next(cid: str, last: str | None) -> bool:
    """``cid`` is ``last`` plus one in its last part ("9" after "8", "2.4" after "2.3")."""
    if last is None:
        return False
    (p1, a), (p2, b) = id_key(last), id_key(cid)
    return bool(a) and p1 == p2 and len(a) == len(b) and a[:-1] == b[:-1] and b[-1] == a[-1] + 1


def is_heading_line(text: str) -> bool:
    """A section heading printed on a line of its own ("Key concerns")."""
    return len(text) < 80 and not cells.LABEL_RE.match(text) and heading_of(text) is not None


def _items(lines: list[str], header: list[str]) -> list[str]:
    """Stripped lines; ``""`` for a blank, ``"\f"`` for a page break or repeated header.

    The header repeated line for line is dropped, with the number column's title
    just above it; so is any single header line that is not a decision word
    ("Agreed" may be a title's last line or a cell).

    >>> _items(["1 Dirty.", "Rec.", "No.", "Concern", "Owner", "Gov"], ["Concern", "Owner"])
    ['1 Dirty.', '\\x0c', 'Gov']
    """
    titles = [h.strip() for h in header if h.strip()]
    repeats = {t for t in titles if not (DECISION_RE.fullmatch(t) or QUALIFIER_RE.match(t))}
    out: list[str] = []

    def page() -> None:
        if out and out[-1] != _PAGE:
            out.append(_PAGE)

    i = 0
    while i < len(lines):
        ln = lines[i]
        text = ln.replace(_PAGE, "").strip()
        if _PAGE in ln:
            page()
        n = len(titles)
        if (
            titles
            and text == titles[0]
            and [x.replace(_PAGE, "").strip() for x in lines[i : i + n]] == titles
        ):
            while out and _ID_TITLE_RE.fullmatch(out[-1]):
                out.pop()  # the number column's title ("Rec." / "No.") printed above it
            page()
            i += n
            continue
        if text in repeats:
            page()
        else:
            out.append(text)
        i += 1
    return out


def stream_rows(lines: list[str], header: list[str], *, decisions: bool) -> list[RawRow]:
    """Rows of a table printed cell after cell (``lines`` follow the header lines).

    ``decisions``: the header names a decision (Agreed / Partly Agreed) column.

    >>> rows = stream_rows(["1", "", "Cells were dirty.", "", "A rota is set.", "",
    ...                     "Governor", "", "May 2024"], ["No Concern Response Owner Target"],
    ...                    decisions=False)
    >>> [(r.id_cell, r.concern, r.response, r.owners, r.targets) for r in rows]
    [('1', 'Cells were dirty.', ['A rota is set.'], ['Governor'], ['May 2024'])]
    """
    items = _items(rejoin_flush_words(lines), header)
    text_items = [x for x in items if x and x != _PAGE]
    blanks = sum(1 for x in items if x == "")
    blocks = blanks >= 0.2 * max(1, len(text_items))
    if blanks <= _PAGE_BLANKS * len(text_items):  # blank lines this rare end pages
        items = [_PAGE if x == "" else x for x in items]
    rows: list[RawRow] = []
    last_id: str | None = None
    current: list[str] | None = None
    before = previous = ""  # the last two text lines (a heading or a wrapped line?)
    heading_open = False
    for text in items:
        if text in ("", _PAGE):
            if current is not None:
                current.append(text)
            continue
        if heading_open and current is None:
            rows[-1].concern = f"{rows[-1].concern} {text}"
            heading_open = bool(JOINING_END_RE.search(text))
            before, previous = previous, text
            continue
        ended = ends_sentence(previous) or is_target_block([previous])
        closed = ends_sentence(before) or is_target_block([before]) or is_owner_block([before])
        ended = ended or (current is not None and closed and is_owner_block([previous]))
        start = row_start(text, last_id, after_end=ended)
        after_row = current is None or is_target_block([previous]) or is_owner_block([previous])
        if start is None and is_heading_line(text) and after_row:
            if current is not None:
                rows.extend(_row(current, blocks=blocks, decisions=decisions))
                current = None
            rows.append(RawRow(concern=text))
            heading_open = bool(JOINING_END_RE.search(text))
            before, previous = previous, text
            continue
        if start is not None:
            if current is not None:
                rows.extend(_row(current, blocks=blocks, decisions=decisions))
            last_id = start[0]
            current = [text]
        elif current is None:
            rows.append(RawRow(response=[text]))  # text before the first concern: kept
        else:
            current.append(text)
        before, previous = previous, text
    if current is not None:
        rows.extend(_row(current, blocks=blocks, decisions=decisions))
    return rows


def _units(part: list[str], *, blocks: bool) -> list[list[str]]:
    if not blocks:
        return [[x] for x in part if x]
    out: list[list[str]] = []
    cur: list[str] = []
    for x in part:
        if x:
            cur.append(x)
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


@dataclass
class _Cells:
    id_cell: str = ""
    concern: str = ""
    agreement: str = ""
    response: list[list[str]] = field(default_factory=list)
    owners: list[list[str]] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)


def _row(lines: list[str], *, blocks: bool, decisions: bool) -> list[RawRow]:
    """The rows of one numbered row: one per physical row, page parts joined.

    A page break (or repeated header) restarts the columns: the part after it
    continues the same physical row, so its response, owner and target entries
    are appended to the row's.
    """
    pages: list[list[str]] = [[]]
    for x in lines if blocks else _unmarked_pages(lines):
        if x == _PAGE:
            pages.append([])
        else:
            pages[-1].append(x)
    rows: list[_Cells] = []
    for p, page in enumerate(pg for pg in pages if any(pg)):
        for k, sub in enumerate(_sub_parts(page, blocks=blocks)):
            first = p == 0 and k == 0
            units = _units(sub, blocks=blocks)
            keep = 1 if first else 0
            tail, beside, lines = (0, "", []) if blocks else _target_lines(units, keep)
            targets_units = [lines] if tail else []
            units = units[: len(units) - tail]
            while len(units) > keep and is_target_block(units[-1]):
                targets_units.insert(0, units.pop())
            owner_units: list[list[str]] = []
            while len(units) > keep and (both := _owner_target(units[-1])):
                units.pop()
                owner_units.insert(0, [both[0]])
                targets_units.insert(0, [both[1]])
            while len(units) > keep and _is_owner(units[-1]):
                owner_units.insert(0, units.pop())
            while owner_units and len(units) > keep and _owner_head(units[-1]):
                owner_units[0] = [*units.pop(), *owner_units[0]]  # "Head of" / "Healthcare"
            if owner_units and len(units) > keep + 1 and (word := _broken_word(*units[-2:])):
                units[-2:] = []  # "Northamptonshi" / "re Healthcare": a word broken
                owner_units[0] = [word, *owner_units[0]]
            if beside:
                owner_units.append([beside])
            cells = _Cells(owners=owner_units)
            cells.targets = [e for u in targets_units for e in split_target_entries(" ".join(u))]
            if first:
                m = _ROW_START_RE.match(units[0][0])
                cells.id_cell = m.group("id") if m else ""
                units[0][0] = (m.group("rest") or "") if m else units[0][0]
                units = [u for u in ([x for x in u if x] for u in units) if u]
                cells.concern, units, cells.agreement = _split_concern(
                    units, blocks=blocks, decisions=decisions
                )
            cells.response = units
            if p > 0 and k == 0 and rows:  # the same physical row, over the page
                last = rows[-1]
                if not blocks and last.concern and not ends_sentence(last.concern) and units:
                    cut, found = _narrow_end([u[0] for u in units])
                    if found and units[0][0][:1].islower():  # the concern runs on first
                        more = " ".join(u[0] for u in units[:cut])
                        last.concern = clean_text(f"{last.concern}\n{more}")
                        cells.response = units[cut:]
                last.response += cells.response
                last.owners += cells.owners
                last.targets += cells.targets
            else:
                rows.append(cells)
    out: list[RawRow] = []
    for c in rows:
        owners = _owners(c.owners, len(c.targets), blocks=blocks)
        n = max(len(owners), len(c.targets))
        out.append(
            RawRow(
                id_cell=c.id_cell,
                concern=c.concern,
                agreement=c.agreement,
                response=_response(c.response, n, blocks=blocks),
                owners=owners,
                targets=c.targets,
            )
        )
    return out


def _unmarked_pages(lines: list[str]) -> list[str]:
    r"""Mark a page end the text does not mark (pypdf): after a target entry, a line
    opening lower-case runs on a cell from the page before, not a new paragraph.

    >>> _unmarked_pages(["Cells were dirty and", "Governor May 2024", "cold."])
    ['Cells were dirty and', 'Governor May 2024', '\x0c', 'cold.']
    >>> _unmarked_pages(["Cells were dirty and", "Governor", "May", "2024", "cold."])[-2:]
    ['\x0c', 'cold.']
    """
    out: list[str] = []
    for x in lines:
        prev = out[-1] if out else ""
        two = out[-2:] if len(out) > 1 and _PAGE not in out[-2:] else []  # "July" / "2024"
        after = is_target_block([prev]) or _owner_target([prev]) or (two and is_target_block(two))
        if x[:1].islower() and prev and after:
            out.append(_PAGE)
        out.append(x)
    return out


def _target_lines(units: list[list[str]], keep: int) -> tuple[int, str, list[str]]:
    """The trailing one-line units that together are target entries.

    Without blank lines a target printed over two lines ("December" / "2020") comes as
    two units, neither a target on its own: the date and status words are taken
    together, with the start of one printed beside the last owner ("Governor
    September"). Returns ``(units taken, that owner or "", the target lines)``.
    """
    j = len(units)
    rest: list[str] = []
    while j > keep and len(units[j - 1]) == 1:
        last = units[j - 1][0].strip()
        if is_date_or_status(last):
            j, rest = j - 1, [last, *rest]
        elif (
            j - 1 > keep
            and len(units[j - 2]) == 1
            and (word := broken_entry(units[j - 2][0], last))
        ):
            j, rest = j - 2, [word, *rest]  # "Compl" / "eted" in a narrow column
        else:
            break
    if j == len(units):
        return 0, "", []
    if j > keep and len(units[j - 1]) == 1:
        *owner, first = units[j - 1][0].split() or [""]
        if (
            owner
            and is_date_or_status(first)
            and is_owner_block([" ".join(owner)], max_line=_OWNER_LINE)
            and is_target_block([" ".join([first, *rest])])
        ):
            return len(units) - j + 1, " ".join(owner), [first, *rest]
    if is_target_block(rest):
        return len(units) - j, "", rest
    return 0, "", []


_OWNER_TARGET_RE = re.compile(
    r"^(?P<o>\S.{0,60}?)\s+(?P<t>(?:complete[d]?|ongoing|on-going|achieved|"
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?[A-Z][a-z]{2,8}\.?\s+\d{4}|\d{1,2}/\d{1,2}/\d{2,4}|"
    r"Q[1-4]\s*\d{4}(?:/\d{2})?))$",
    re.I,
)


def _owner_target(unit: list[str]) -> tuple[str, str] | None:
    """An owner entry and a target entry printed on one line ("Governor May 2024")."""
    if len(unit) != 1 or len(unit[0]) > 90:
        return None
    m = _OWNER_TARGET_RE.match(unit[0])
    if not m or not is_owner_block([m.group("o")], max_line=_OWNER_LINE):
        return None
    return (m.group("o"), m.group("t")) if is_target_block([m.group("t")]) else None


def _is_owner(unit: list[str]) -> bool:
    """An owner block: one entry, or entries stacked one per line."""
    if _ROW_START_RE.match(unit[0]) and len(unit[0]) < 8:
        return False
    if is_owner_block(unit, max_line=_OWNER_LINE):
        return True
    return len(unit) <= 30 and all(is_owner_block([x], max_line=_OWNER_LINE) for x in unit)


def _owner_head(unit: list[str]) -> bool:
    """A short capitalised line that an owner entry wraps after ("Governor / Head of")."""
    line = unit[-1]
    return (
        len(unit) == 1
        and len(line) <= _OWNER_HEAD
        and bool(JOINING_END_RE.search(line))
        and line[:1].isupper()
        and not ends_sentence(line)
        and is_owner_block([JOINING_END_RE.sub("", line).strip() or line])
    )


_OWNER_HEAD = 30
_SMALL_WORDS = frozenset({"and", "of", "the", "for", "to", "in", "with", "at", "or", "on"})


def _broken_word(a: list[str], b: list[str]) -> str | None:
    """An owner's long word broken across two lines of a narrow column, put together.

    ``a`` is one short capitalised line with no sentence end, ``b`` one line opening
    lower-case with a word's tail (not a small word such as "and").

    >>> _broken_word(["Northamptonshi"], ["re Healthcare"])
    'Northamptonshire Healthcare'
    >>> _broken_word(["Governor"], ["and Head of Safety"]) is None
    True
    """
    if len(a) != 1 or len(b) != 1 or len(a[0]) > _OWNER_HEAD or len(b[0]) > _OWNER_HEAD:
        return None
    head, tail = a[0].strip(), b[0].strip()
    first = tail.split()[0] if tail else ""
    if not (head[:1].isupper() and head[-1:].isalpha() and first.isalpha() and first.islower()):
        return None
    if first in _SMALL_WORDS or ends_sentence(head):
        return None
    joined = head + tail
    return joined if is_owner_block([joined]) else None


def _sub_parts(part: list[str], *, blocks: bool) -> list[list[str]]:
    """Split a page part where text follows target entries: a new physical row."""
    units = _units(part, blocks=blocks)
    target = [is_target_block(u) or _owner_target(u) is not None for u in units]
    for i in range(1, len(units)):  # "Director August" / "2024": one entry over two lines
        if not target[i] and len(units[i]) == len(units[i - 1]) == 1:
            joined = [f"{units[i - 1][0]} {units[i][0]}"]
            target[i] = is_date_or_status(units[i][0]) and _owner_target(joined) is not None
    out: list[list[str]] = [[]]
    for i, u in enumerate(units):
        after_entry = i and target[i - 1] and not target[i]
        if after_entry and not _entries_ahead(units, target, i) and out[-1]:
            out.append([])
        out[-1].extend([*u, ""] if blocks else u)
    return out


def _entries_ahead(units: list[list[str]], target: list[bool], i: int) -> bool:
    """Do the units from ``i`` hold owner entries up to a target (or the part's end)?

    After a target, an owner-like unit opens the next entry only when entries follow
    it; one followed by running text opens the next paragraph ("A new Occupational
    Health" / "provider has been ...").
    """
    for j in range(i, min(len(units), i + _ENTRY_RUN)):
        if target[j]:
            return True
        if not _is_owner(units[j]):
            return False
    return len(units) - i <= _ENTRY_RUN


def _split_concern(
    units: list[list[str]], *, blocks: bool, decisions: bool
) -> tuple[str, list[list[str]], str]:
    """``(concern text, the units after it, decision)``.

    With a decision column, the concern runs up to the unit (block or line) that
    opens with the decision; "Partly" alone on a line joins the "Agreed" below it.
    """
    if decisions:
        for i, u in enumerate(units):
            line = u[0]
            qualifier = ""
            if QUALIFIER_RE.match(line) and (len(u) > 1 or i + 1 < len(units)):
                qualifier, line = line, (u[1] if len(u) > 1 else units[i + 1][0])
            m = DECISION_RE.match(line)
            if not m or (qualifier and not re.match(r"(?:agreed|accepted)", m.group("d"), re.I)):
                continue
            skip = 1 if not qualifier else 2
            tail = [*u, *(units[i + 1] if len(u) == 1 and qualifier else [])][skip:]
            after = units[i + 1 + (1 if len(u) == 1 and qualifier else 0) :]
            rest_line = m.group("rest").strip()
            rest = [v for v in [[rest_line, *tail] if rest_line else tail, *after] if v]
            concern = [x for v in units[:i] for x in v]
            decision = f"{qualifier} {m.group('d')}".strip()
            return clean_text("\n".join(concern)), rest, decision
        if not blocks and (inline := _inline_decision([u[0] for u in units[:4]])):
            i, start, end, decision = inline
            lines = [u[0] for u in units]
            concern = [*lines[:i], lines[i][:start]]
            rest = [x for x in [lines[i][end:].strip(), *lines[i + 1 :]] if x]
            if decision.lower() in ("partly", "partially", "not") and len(rest) > 0:
                rest[0] = re.sub(r"(?:^|\s)(?:Agreed|Accepted)(?=\s|$)", "", rest[0], count=1)
                decision = f"{decision} Agreed"
            return clean_text("\n".join(concern)), [[x] for x in rest if x.strip()], decision
    if not units:
        return "", [], ""
    if blocks:
        return clean_text("\n".join(units[0])), units[1:], ""
    lines = [u[0] for u in units]
    cut, _found = _narrow_end(lines)
    return clean_text("\n".join(lines[:cut])), units[cut:], ""


_INLINE_DECISION_RE = re.compile(
    r"(?<=\s)(?:(?:Partly|Partially|Not)\s+)?(?:Agreed|Accepted)(?=\s|$)|(?<=\s)Rejected(?=\s|$)"
)
_INLINE_QUALIFIER_RE = re.compile(r"(?<=\s)(?:Partly|Partially|Not)(?=\s|$)")


def _inline_decision(lines: list[str]) -> tuple[int, int, int, str] | None:
    """A capitalised decision inside one of a row's first lines (cells printed side by side).

    Returns ``(line, start, end, decision)``; a qualifier ("Partly") whose
    "Agreed" went to the next line is returned alone.
    """
    for i, line in enumerate(lines):
        if m := _INLINE_DECISION_RE.search(line):
            return i, m.start(), m.end(), m.group()
        q = _INLINE_QUALIFIER_RE.search(line)
        if (
            q
            and i + 1 < len(lines)
            and re.search(r"(?:^|\s)(?:Agreed|Accepted)(?=\s|$)", lines[i + 1])
        ):
            return i, q.start(), q.end(), q.group()
    return None


def _narrow_end(lines: list[str]) -> tuple[int, bool]:
    """Where the concern's narrow lines give way to the response's wider ones.

    Of the sentence ends, the one after which the next lines are widest compared
    with the lines before it; else a line much wider than all before it that
    starts a sentence (a concern cut by a page). Returns ``(index, found)``;
    failing a clear change of width, the first sentence end, not found.
    """
    best, gain, first_end = None, 5.0, None
    jump, jump_gain = None, 15.0
    for i in range(1, len(lines)):
        after = [len(x) for x in lines[i : i + 3]]
        g = sum(after) / len(after) - max(len(x) for x in lines[:i])
        if not ends_sentence(lines[i - 1]):
            if jump is None and g > jump_gain and lines[i][:1].isupper():
                jump = i
            continue
        first_end = first_end or i
        if g > gain:
            best, gain = i, g
    if best or jump:
        return min(x for x in (best, jump) if x), True
    return first_end or len(lines), False


def _response(units: list[list[str]], n: int, *, blocks: bool) -> list[str]:
    if blocks:
        paras: list[Para] = []
        for u in units:
            if paras and (u[0][:1].islower() or not ends_sentence(paras[-1].lines[-1])):
                paras[-1].lines.extend(u)  # a block cut mid-sentence runs on
            else:
                paras.append(Para(list(u)))
    else:
        lines = [u[0] for u in units]
        width = max((len(x) for x in lines), default=0)
        paras = paragraphs(lines, width, sentences=True)
    width = max((len(x) for p in paras for x in p.lines), default=0)
    return para_texts(fit_count(paras, n, width) if n >= 2 else paras)


def _owners(units: list[list[str]], n_targets: int, *, blocks: bool) -> list[str]:
    """Owner entries: one per block (or line), wrapped lines joined to match the targets."""
    lines = [x for u in units for x in u]
    if blocks and (all(len(u) == 1 for u in units) or 1 < len(lines) == n_targets):
        return owner_entries(lines, n_targets)  # one entry a line, as many as the targets
    if blocks:  # a block's lines: wrapped entries joined where the next word would not fit
        units = [para_texts(paragraphs(u, max(len(x) for x in u), sentences=False)) for u in units]
    entries = [x for u in units for x in u]
    firsts = {sum(len(v) for v in units[:i]) for i in range(len(units))} if blocks else set()
    while n_targets and n_targets < len(entries) <= _MAX_ENTRIES:
        joinable = [i for i in range(len(entries) - 1) if i + 1 not in firsts]
        if not joinable:
            break
        k = max(joinable, key=lambda i: _joins(entries[i], entries[i + 1]))
        if _joins(entries[k], entries[k + 1]) <= 0:
            break
        entries[k : k + 2] = [f"{entries[k]} {entries[k + 1]}"]
        firsts = {i - 1 if i > k else i for i in firsts}
    if blocks and not n_targets:
        entries = [clean_text("\n".join(u)) for u in units]
    return owner_entries(entries, n_targets)


def _joins(a: str, b: str) -> int:
    """How much ``b`` looks like the wrapped end of owner entry ``a``."""
    if a == b:
        return 0
    if JOINING_END_RE.search(a):
        return 3
    if b[:1].islower() or b.startswith("("):
        return 2
    return 1
