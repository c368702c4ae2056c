"""Plans held as text, in the layouts common extractors produce.

Two families, told apart by the header row:

* **tabular**: one table row per line, cells separated by tabs (or ``|``), with
  optional HTML fragments (``<p>``, ``<ul>``) inside cells. Rows whose number and
  concern cells are empty continue the previous concern.
* **flattened**: PDF text extracted column by column, page by page. Within a
  page the concern column comes first, then the response paragraphs, then the
  owner entries, then the target entries; paragraphs are separated by blank
  lines. Pairing is by position within the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from actionnlp.plan import Problem
from actionnlp.read.blockitems import block_header, block_pages, has_row_number
from actionnlp.read.blocks import block_rows
from actionnlp.read.cells import (
    ID_RE,
    PRINTED_TITLES,
    agreement_of,
    clean_text,
    ends_sentence,
    heading_of,
    html_paragraphs,
    inline_roles,
    is_title_fragment,
    is_title_line,
)
from actionnlp.read.columns import FixedHeader, find_fixed_header, fixed_rows
from actionnlp.read.dates import split_target_entries
from actionnlp.read.interleaved import interleaved_rows, is_interleaved
from actionnlp.read.meta import read_stated_totals
from actionnlp.read.segment import RawRow, build_concerns, owner_entries
from actionnlp.read.shapes import DATE_WORD_RE as _DATE_WORD_RE
from actionnlp.read.shapes import STATUS_RE as _STATUS_RE
from actionnlp.read.shapes import is_owner_block as _is_owner_block
from actionnlp.read.shapes import is_target_block as _is_target_block
from actionnlp.read.shapes import plausible_next as _plausible_next
from actionnlp.read.stream import stream_rows
from actionnlp.read.table import fit_to_columns, header_roles

__all__ = ["Columns", "TableText", "locate_header", "split_text", "table_rows"]


@dataclass
class Columns:
    """Which cell of a row plays which role."""

    roles: list[str]
    fixed: FixedHeader | None = None  # set for fixed-width (space-padded) columns
    outer: bool = True  # pipe rows framed by outer pipes, as the header is

    def cell(self, cells: list[str], role: str) -> str:
        return cells[self.roles.index(role)] if role in self.roles else ""


@dataclass
class TableText:
    """A text document split around its table."""

    opening: str
    table: list[str]
    tail: str
    columns: Columns | None  # None for the flattened layout
    header: list[str] = field(default_factory=list)  # the header's lines
    stream: bool = False  # set by table_rows when the column-block reader won
    interleaved: bool = False  # set by table_rows for line-interleaved cells
    blocks: bool = False  # set by table_rows when the block-order reader won
    problems: list[Problem] = field(default_factory=list)  # what the winning reader reports

    @property
    def layout(self) -> str:
        """``tabular``, ``fixed-width``, ``column-blocks``, ``flattened``, ``interleaved``
        or ``block-order``."""
        if self.interleaved:
            return "interleaved"
        if self.blocks:
            return "block-order"
        if self.columns is None:
            return "column-blocks" if self.stream else "flattened"
        return "tabular" if self.columns.fixed is None else "fixed-width"


def _score(rows: list[RawRow]) -> int:
    """How well rows read: numbered concerns with responses and decisions, less the
    problems met."""
    concerns, problems = build_concerns(rows)
    good = sum(
        1 for c in concerns if c.actions and any(a.owner_raw or a.target_raw for a in c.actions)
    )
    decided = sum(1 for c in concerns if c.agreement)
    return 4 * good + len(concerns) + decided - len(problems)


_GROUPED = 0.15  # share of numbers printed together that marks block order


def table_rows(split: TableText) -> list[RawRow]:
    """The table's rows, read by the reader of its layout."""
    if is_interleaved(split.table):
        split.interleaved = True
        return interleaved_rows(split.table, split.header)
    if split.columns is None:
        decisions = any(
            agreement_of(h) or PRINTED_TITLES["agreement"].search(h) for h in split.header
        )
        flat = flattened_rows(split.table)
        stream = stream_rows(split.table, split.header, decisions=decisions)
        scores = _score(stream), _score(flat)
        split.stream = scores[0] > scores[1]
        best = stream if split.stream else flat
        lines = split.header + split.table
        pages = block_pages(lines, split.header)  # rows built only when block order shows
        if pages.grouped >= _GROUPED:
            read = block_rows(lines, split.header, pages)
            if _score(read.rows) >= max(scores):
                split.blocks, split.stream, split.problems = True, False, read.problems
                return read.rows
        return best
    if split.columns.fixed is not None:
        return fixed_rows(split.table, split.columns.fixed)
    return tabular_rows(split.table, split.columns)


def locate_header(lines: list[str]) -> tuple[int, int, Columns | None] | None:
    """Where the table header is in a text: ``(first line, line after it, columns or None)``.

    A line whose cells (split by tabs or pipes) are a header by the one rule of a
    header row (:func:`~actionnlp.read.table.header_roles`), then space-padded
    (fixed-width) columns, then titles printed as text (on one line, or on successive
    short lines), which name no cells (None).

    >>> locate_header(["Action plan", "No\\tConcern\\tResponse\\tOwner", "1\\tDirty.\\tGov"])
    (1, 2, Columns(roles=['id', 'concern', 'response', 'owner'], fixed=None, outer=True))
    >>> locate_header(["No Concerns Response Owner Target Date", "1 Cells were dirty."])
    (0, 1, None)
    """
    for i, ln in enumerate(lines):
        if roles := header_roles(_split_cells(ln)):
            outer = ln.strip().startswith("|") or "\t" in ln
            return i, i + 1, Columns(roles, outer=outer)
    fixed = find_fixed_header(lines)
    if fixed is not None:
        return fixed.start, fixed.end, Columns(fixed.roles, fixed)
    found = [f for f in (_inline_header(lines), _stacked_header(lines)) if f is not None]
    return min(found) if found else None


def _inline_header(lines: list[str]) -> tuple[int, int, None] | None:
    """A header printed on one line (failing that, one line wrapped at the page width
    onto the next one or two), with any title words wrapped onto short lines above
    and below."""
    core = _header_line(lines)
    if core is None:
        return None
    i, end = core
    start = i
    while start > max(0, i - 4):
        if is_title_fragment(lines[start - 1]):
            start -= 1
        elif start >= 2 and _broken_title(lines[start - 2], lines[start - 1]):
            start -= 2  # "Conc" / "ern": a title word broken in a narrow column
        else:
            break
    stop = min(len(lines), end + 3)  # title words wrapped onto at most three lines below
    while end < stop and is_title_line(lines[end]):
        end += 1
    return start, end, None


_WRAPPED = 20  # characters: a line wrapped at the width holds several titles


def _header_line(lines: list[str]) -> tuple[int, int] | None:
    """``(first, end)`` of the header's titles run together on a line, or on two or three
    lines (a text browser or a PDF's raw text wraps the row of titles at the width)."""
    for i, ln in enumerate(lines):
        if inline_roles(ln.strip()) is not None:
            return i, i + 1
    for i in range(len(lines)):
        for n in (2, 3):
            run = [ln.strip() for ln in lines[i : i + n]]
            ended = any(ln.endswith((".", "!", "?")) for ln in run[:-1])  # "Response:" goes on
            wrapped = max(map(len, run)) >= _WRAPPED  # not titles stacked one per line
            if len(run) == n and all(run) and wrapped and not ended and inline_roles(" ".join(run)):
                return i, i + n
    return None


def _broken_title(a: str, b: str) -> bool:
    """Two short lines that are one title word broken mid-word ("Conc" / "ern")."""
    a, b = a.strip(), b.strip()
    short = 0 < len(a) <= _BROKEN and 0 < len(b) <= _BROKEN
    return short and (a + b).isalpha() and b[:1].islower() and is_title_fragment(a + b)


_BROKEN = 8  # characters of a title word's piece in a narrow column


def _stacked_header(lines: list[str]) -> tuple[int, int, None] | None:
    """The column titles on successive short lines."""
    window = 40
    for i, ln in enumerate(lines):
        if not PRINTED_TITLES["concern"].search(ln) or len(ln) > 60:
            continue
        seen = " ".join(x.strip() for x in lines[i : i + window] if len(x.strip()) < 60)
        if PRINTED_TITLES["response"].search(seen) and PRINTED_TITLES["owner"].search(seen):
            end = i
            for j in range(i, min(i + window, len(lines))):
                if PRINTED_TITLES["target"].search(lines[j]):
                    end = j  # with the rest of that title wrapped below ("Target" / "Date")
                    while end + 1 < len(lines) and _title_word(lines[end + 1], "target"):
                        end += 1
                    break
            if end > i:
                return i, end + 1, None
    return None


def _title_word(line: str, role: str) -> bool:
    """A short line holding only a piece of ``role``'s printed title ("Date")."""
    text = line.strip()
    return 0 < len(text) <= 25 and bool(PRINTED_TITLES[role].search(text))


def _split_cells(line: str, *, outer: bool = True) -> list[str]:
    """Cells of a tab or pipe row; ``outer``: rows are framed ``| a | b |`` (markdown)."""
    if "\t" in line:
        return line.split("\t")
    if line.count("|") >= 3:
        body = line.strip()
        if outer and body.startswith("|"):
            body = body[1:-1] if body.endswith("|") else body[1:]
        return body.split("|")
    return [line]


_TABLE_END_RE = re.compile(r"^[\s\-=_]{6,}$")
#: A markdown header separator: ``|---|:---:|``, with or without the outer pipes.
RULE_RE = re.compile(r"^\s{0,8}\|?(?:\s{0,8}:?-{3,}:?\s{0,8}\|)+(?:\s{0,8}:?-{3,}:?\s{0,8})?$")


def split_text(text: str) -> TableText | None:
    """Split a document into opening, table lines and the text after the table."""
    lines = text.splitlines()
    found = locate_header(lines)
    blocks = block_header(lines) if found is None or found[2] is None else None
    if blocks is not None and (
        found is None or (blocks[0] < found[0] and has_row_number(lines, blocks[0], found[1]))
    ):
        found = blocks  # titles printed as blocks, with concern numbers before the header found
    if found is None:
        return None
    start, body, columns = found
    if body < len(lines) and RULE_RE.match(lines[body]):
        body += 1  # the markdown separator under the header
    end = len(lines)
    for j in range(body, len(lines)):
        if _TABLE_END_RE.match(lines[j]) and "-" in lines[j]:
            end = j
            break
    # Totals written after the table ("Agreed 16") belong to the tail.
    while end > body and (not lines[end - 1].strip() or read_stated_totals(lines[end - 1])):
        end -= 1
    opening = "\n".join(lines[:start])
    return TableText(opening, lines[body:end], "\n".join(lines[end:]), columns, lines[start:body])


# -- tabular -------------------------------------------------------------------
def _entries(cell: str) -> list[str]:
    if "<" in cell:
        return html_paragraphs(cell)
    text = clean_text(cell)
    return [text] if text else []


def tabular_rows(lines: list[str], columns: Columns) -> list[RawRow]:
    """Rows of a tab-separated table, cells may hold HTML fragments."""
    rows: list[RawRow] = []
    for ln in lines:
        if not ln.strip() or RULE_RE.match(ln):
            continue
        cells = _split_cells(ln, outer=columns.outer)
        if len(cells) == 1:
            rows.append(RawRow(response=_entries(cells[0])))  # a stray line: keep it as text
            continue
        cells = fit_to_columns(
            cells, columns.roles, "", lambda c: bool(ID_RE.match(c.strip())), " ".join
        )
        targets_cell = columns.cell(cells, "target")
        owners_cell = columns.cell(cells, "owner")
        targets = _target_entries(targets_cell)
        owners = _owner_entries(owners_cell, len(targets))
        rows.append(
            RawRow(
                id_cell=columns.cell(cells, "id"),
                concern=columns.cell(cells, "concern"),
                agreement=columns.cell(cells, "agreement"),
                response=html_paragraphs(columns.cell(cells, "response")),
                owners=owners,
                targets=targets,
            )
        )
    return rows


def _target_entries(cell: str) -> list[str]:
    if "<" in cell:
        return [e for p in html_paragraphs(cell) for e in split_target_entries(p) or [p]]
    text = clean_text(cell)
    return split_target_entries(text) or ([text] if text else [])


def _owner_entries(cell: str, n_targets: int) -> list[str]:
    return owner_entries(_entries(cell), n_targets)


# -- flattened -----------------------------------------------------------------
def _undouble(lines: list[str]) -> list[str]:
    """Undo extractor double spacing; mark page breaks with a form feed."""
    nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
    followed = sum(1 for i in nonblank if i + 1 < len(lines) and lines[i + 1] == "")
    if not nonblank or followed < 0.8 * len(nonblank):
        return [("\f" if "\f" in ln else ln) for ln in lines]
    out: list[str] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln == "":
            # An expected blank follows every line; two in a row are a page break.
            if i + 1 < len(lines) and lines[i + 1] == "":
                out.append("\f")
                while i < len(lines) and lines[i] == "":
                    i += 1
                continue
            i += 1
            continue
        out.append(ln)
        i += 1
    return out


def _blocks(lines: list[str]) -> list[list[str] | str]:
    """Group lines into blocks (lists of lines); page breaks stay as ``"\\f"``."""
    out: list[list[str] | str] = []
    cur: list[str] = []
    for ln in lines:
        if ln == "\f" or not ln.strip():
            if cur:
                out.append(cur)
                cur = []
            if ln == "\f" and out and out[-1] != "\f":
                out.append("\f")
            continue
        cur.append(ln.strip())
    if cur:
        out.append(cur)
    return out


_ID_START_RE = re.compile(
    r"^(?P<id>(?:[A-Z]{1,2}\s?)?\d{1,3}(?:\.\d{1,3}){0,2})[.)]?\s+(?P<rest>\S.*)$"
)
_OWNER_TARGET_RE = re.compile(r"^(?P<o>.+?)\s+(?P<t>(?:complete[d]?|ongoing|[A-Z][a-z]+\s+\d{4}))$")


@dataclass
class _Chunk:
    id_cell: str = ""
    concern: list[str] | None = None
    prose: list[str] | None = None
    owners: list[str] | None = None
    targets: list[str] | None = None

    @property
    def empty(self) -> bool:
        return not (self.id_cell or self.concern or self.prose or self.owners or self.targets)


def _line_kind(line: str) -> str:
    text = line.strip()
    if _STATUS_RE.match(text) or (_DATE_WORD_RE.match(text) and text):
        return "T"
    return "P"


def _sub_blocks(block: list[str], last_id: str | None) -> list[tuple[str, list[str]]]:
    """Split an extractor block where the columns ran together without a blank line.

    Kinds: ``ID`` (a concern number and its text), ``H`` (section heading),
    ``T`` (target dates), ``OT`` (owner and target on one line), ``P`` (anything else).
    """
    out: list[tuple[str, list[str]]] = []
    for line in block:
        m = _ID_START_RE.match(line)
        if m and ID_RE.match(m.group("id")) and _plausible_next(m.group("id"), last_id):
            out.append(("ID", [line]))
            last_id = m.group("id")
            continue
        if heading_of(line) and len(line.split()) <= 5:
            out.append(("H", [line]))
            continue
        ot = _OWNER_TARGET_RE.match(line.strip())
        if ot and _is_owner_block([ot.group("o")]) and _is_target_block([ot.group("t")]):
            out.append(("OT", [ot.group("o"), ot.group("t")]))
            continue
        kind = _line_kind(line)
        prev = out[-1][1][-1] if out else ""
        if kind == "P" and line.strip()[:1].islower() and ends_sentence(prev):
            out.append(("P", [line]))  # a finished sentence, then another column's text
        elif out and out[-1][0] in (kind, "ID" if kind == "P" else ""):
            out[-1][1].append(line)
        else:
            out.append((kind, [line]))
    return out


def _split_concern(lines: list[str]) -> tuple[list[str], list[str]]:
    """Split an ID block into concern lines and response lines glued after them.

    The concern column is narrower than the response column. The concern ends at
    the last sentence end before the first line wider than the concern's first
    line (its widest, being the start of a full-width paragraph).
    """
    limit = len(lines[0].strip()) + 3
    best = None
    for i in range(1, len(lines)):
        if ends_sentence(lines[i - 1]) and lines[i].strip()[:1].isupper():
            best = i
        if len(lines[i].strip()) > limit:
            break
    else:
        return lines, []
    return (lines[:best], lines[best:]) if best else (lines, [])


def _split_trailing_owner(lines: list[str], *, owner_next: bool) -> tuple[list[str], list[str]]:
    """Owner lines glued to the end of a page's last paragraph (the owner column follows)."""
    k = len(lines)
    while k > 1 and _is_owner_block([lines[k - 1]]) and len(lines) - k < 4:
        k -= 1
    if k == len(lines):
        return lines, []
    if ends_sentence(lines[k - 1]) or owner_next:
        return lines[:k], lines[k:]
    return lines, []


def _pieces(lines: list[str]) -> list[tuple[str, list[str]]]:
    """Classified blocks of a flattened table, column boundaries restored."""
    pieces: list[tuple[str, list[str]]] = []
    last_id: str | None = None
    for block in _blocks(_undouble(lines)):
        if block == "\f":
            pieces.append(("F", []))
            continue
        for kind, sub in _sub_blocks(list(block), last_id):
            if kind == "ID":
                last_id = _ID_START_RE.match(sub[0]).group("id")  # type: ignore[union-attr]
            pieces.append((kind, sub))
    split: list[tuple[str, list[str]]] = []
    for kind, sub in pieces:
        if kind == "ID":
            concern, rest = _split_concern(sub)
            split.append(("ID", concern))
            if rest:
                split.append(("P", rest))
        else:
            split.append((kind, sub))
    out: list[tuple[str, list[str]]] = []
    for i, (kind, sub) in enumerate(split):
        if kind != "P":
            out.append((kind, sub))
            continue
        nxt, nxt_sub = next(((k, s) for k, s in split[i + 1 :] if k != "F"), (None, []))
        owner_next = nxt in ("T", "OT", None) or (nxt == "P" and _is_owner_block(nxt_sub))
        if _is_owner_block(sub) and out and out[-1][0] in ("P", "O", "T"):
            out.append(("O", sub))
            continue
        body, tail = _split_trailing_owner(sub, owner_next=owner_next)
        out.append(("P", body))
        if tail:
            out.append(("O", tail))
    return out


def flattened_rows(lines: list[str]) -> list[RawRow]:
    """Rows of a PDF table flattened column by column (one chunk per page and concern)."""
    rows: list[RawRow] = []
    chunk = _Chunk()

    def flush() -> None:
        nonlocal chunk
        if not chunk.empty:
            rows.append(_resolve_chunk(chunk, continued=not chunk.id_cell))
        chunk = _Chunk()

    for kind, sub in _pieces(lines):
        if kind in ("F", "H", "ID"):
            flush()
        if kind == "H":
            rows.append(RawRow(concern=" ".join(sub)))
        elif kind == "ID":
            m = _ID_START_RE.match(sub[0])
            chunk.id_cell = m.group("id")  # type: ignore[union-attr]
            chunk.concern = [clean_text("\n".join([m.group("rest"), *sub[1:]]))]  # type: ignore[union-attr]
        elif kind == "T":
            chunk.targets = [*(chunk.targets or []), *_target_entries(" ".join(sub))]
        elif kind == "OT":
            chunk.owners = [*(chunk.owners or []), sub[0]]
            chunk.targets = [*(chunk.targets or []), sub[1]]
        elif kind == "O":
            chunk.owners = [*(chunk.owners or []), "\n".join(sub)]
        elif kind == "P":
            if chunk.owners or chunk.targets:  # a new row on the same page
                flush()
            chunk.prose = [*(chunk.prose or []), clean_text("\n".join(sub))]
    flush()
    return rows


def _resolve_chunk(chunk: _Chunk, *, continued: bool) -> RawRow:
    """Split a continued page's prose between the concern and response columns."""
    prose = list(chunk.prose or [])
    n_entries = max(len(chunk.owners or []), len(chunk.targets or []))
    concern: list[str] = list(chunk.concern or [])
    if continued and prose:
        lower = next((i for i, p in enumerate(prose) if p[:1].islower()), None)
        if lower is not None and lower > 0:
            concern, prose = prose[:lower], prose[lower:]
        elif lower is None and n_entries and len(prose) == n_entries + 1:
            concern, prose = prose[:1], prose[1:]
    return RawRow(
        id_cell=chunk.id_cell,
        concern=" ".join(concern),
        response=prose,
        owners=list(chunk.owners or []),
        targets=list(chunk.targets or []),
    )
