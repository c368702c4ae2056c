"""Read action plans from HTML (GOV.UK pages, "save as web page" exports).

Parsed with the standard library's :mod:`html.parser`. The plan is the top-level
``<table>`` whose header row (one of its first three rows) names the concern,
response, owner and target columns. Each ``<tr>`` is a row and each ``<td>`` /
``<th>`` a cell; ``colspan`` and ``rowspan`` are honoured with empty cells so the
columns stay aligned. Inside a cell ``<p>``, ``<div>`` and ``<br>`` break
paragraphs and ``<li>`` items are list paragraphs (joined to the paragraph before
them in the response column, separate entries in the owner and target columns).

The visible text before the table is the opening, after it the tail. A page with
no plan table is read as text. Documents declaring entities are refused.

Raw-text and hidden elements (``script``, ``style``, ``svg``, ``template``,
``noscript``) are skipped, but one that is never closed would swallow the rest of
the page: it is closed at the end of its cell (or, outside a table, at the next
block) and the text it swallowed is reported as an ``unclosed_element``
problem, so nothing is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from actionnlp.errors import EmptyDocumentError, UnreadableDocumentError
from actionnlp.plan import ActionPlan, Problem
from actionnlp.read.assemble import plan_from_table, plan_from_text
from actionnlp.read.cells import join_lines
from actionnlp.read.table import Cell, continues_plan, find_header, matrix_text, table_rows

__all__ = ["mark_unclosed", "read_html"]

_BREAK_TAGS = {
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header",
    "footer", "blockquote", "pre", "hr", "dl", "dt", "dd", "address", "caption", "ul", "ol",
    "main", "nav", "aside", "figure", "figcaption", "title", "body", "html",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "template", "noscript", "svg", "head"}
_ENTITY_RE = re.compile(r"<!ENTITY", re.I)
_RAW_TAG_RE = re.compile(r"<(/?)(script|style|template|noscript|svg)\b", re.I)
_UNCLOSED = "x-unclosed-"
_CELL_EDGES = ("td", "th", "tr", "table")


def mark_unclosed(text: str) -> str:
    """Rename each raw-text element that is never closed, so the parser can end it at
    its cell instead of swallowing the rest of the page (one linear pass).

    >>> mark_unclosed("<td>a<svg>b</td><td><style>p{}</style>c</td>")
    '<td>a<x-unclosed-svg>b</td><td><style>p{}</style>c</td>'
    """
    open_at: dict[str, list[int]] = {}
    for m in _RAW_TAG_RE.finditer(text):
        stack = open_at.setdefault(m.group(2).lower(), [])
        if not m.group(1):
            stack.append(m.start())
        elif stack:
            stack.pop()
    starts = sorted(p for stack in open_at.values() for p in stack)
    if not starts:
        return text
    pieces: list[str] = []
    prev = 0
    for p in starts:
        pieces += [text[prev : p + 1], _UNCLOSED]
        prev = p + 1
    pieces.append(text[prev:])
    return "".join(pieces)


@dataclass
class _Table:
    rows: list[list[Cell]] = field(default_factory=list)
    spans: dict[int, tuple[int, Cell]] = field(default_factory=dict)  # col -> (rows left, filler)


class _Parser(HTMLParser):
    """Top-level tables as cell matrices, the other visible text as lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str | _Table] = []
        self.line: list[str] = []
        self.skip = 0
        self.depth = 0  # table nesting
        self.table: _Table | None = None
        self.row: list[Cell] | None = None
        self.cell: Cell | None = None
        self.buf: list[str] = []
        self.listed = False
        self.in_li = 0
        self.pre = 0  # inside <pre>: line breaks and tabs are kept (a plan pasted as text)
        self.unclosed: str | None = None  # an unclosed raw-text element being skipped
        self.swallowed: list[str] = []
        self.notes: list[tuple[str, str]] = []  # (message, text an unclosed element held)

    def _ends_unclosed(self, tag: str) -> bool:
        """An unclosed element ends at its cell's edge, or outside tables at a block."""
        return tag in _CELL_EDGES or (self.depth == 0 and tag in _BREAK_TAGS)

    def _end_unclosed(self, where: str) -> None:
        text = join_lines("".join(self.swallowed))
        if text.strip():
            self.notes.append(
                (
                    f"an unclosed <{self.unclosed}> element was closed {where}; the text it "
                    "held is kept here",
                    text,
                )
            )
        self.unclosed = None
        self.swallowed = []

    # -- text outside the plan table ------------------------------------------------
    def _flush_line(self) -> None:
        raw = "".join(self.line)
        text = raw.rstrip() if self.pre else join_lines(raw)
        if text.strip():
            self.blocks.append(text)
        self.line = []

    # -- cells ------------------------------------------------------------------------
    def _flush_para(self) -> None:
        if self.cell is None:
            return
        text = join_lines("".join(self.buf))
        if text:
            self.cell.paras.append(text)
            self.cell.listed.append(self.listed)
        self.buf = []
        self.listed = self.in_li > 0

    def _close_cell(self) -> None:
        if self.cell is None:
            return
        self._flush_para()
        self.cell = None

    def _close_row(self) -> None:
        self._close_cell()
        if self.row is not None and self.table is not None:
            self._fill_spans(len(self.row) + 10_000)
            self.table.rows.append(self.row)
        self.row = None

    def _fill_spans(self, upto: int) -> None:
        """Insert the cells that rows above reach into with ``rowspan``."""
        assert self.table is not None and self.row is not None
        while (col := len(self.row)) in self.table.spans and col < upto:
            left, _ = self.table.spans[col]
            self.row.append(Cell())
            if left <= 1:
                del self.table.spans[col]
            else:
                self.table.spans[col] = (left - 1, Cell())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.unclosed is not None:
            if not self._ends_unclosed(tag):
                return
            self._end_unclosed("at the end of its cell or block")
        if tag.startswith(_UNCLOSED) and not self.skip:
            self.unclosed, self.swallowed = tag[len(_UNCLOSED) :], []
            return
        if tag in _SKIP_TAGS:
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self._flush_line()
                self.table = _Table()
            else:
                self._flush_para()
            return
        if self.depth > 1:  # a table inside a cell: its cells are paragraphs
            if tag in ("tr", "td", "th") or tag in _BREAK_TAGS or tag == "li":
                self._flush_para()
            return
        if self.depth == 1:
            if tag == "tr":
                self._close_row()
                self.row = []
            elif tag in ("td", "th"):
                if self.row is None:
                    self.row = []
                self._close_cell()
                self._fill_spans(len(self.row) + 10_000)  # every spanned column before it
                a = dict(attrs)
                self.cell = Cell()
                self.row.append(self.cell)
                colspan = _span(a.get("colspan"))
                rowspan = _span(a.get("rowspan"))
                start = len(self.row) - 1
                self.row.extend(Cell() for _ in range(colspan - 1))
                if rowspan > 1:
                    for col in range(start, start + colspan):
                        self.table.spans[col] = (rowspan - 1, Cell())  # type: ignore[union-attr]
                self.listed = False
                self.in_li = 0
            elif tag == "li":
                self._flush_para()
                self.in_li += 1
                self.listed = True
            elif tag in _BREAK_TAGS:
                self._flush_para()
            return
        if tag in _BREAK_TAGS or tag in ("li", "tr"):
            self._flush_line()
        if tag == "pre":
            self.pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img", "input", "meta", "link"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.unclosed is not None:
            if tag == _UNCLOSED + self.unclosed:  # written self-closing: <svg/>
                self.unclosed, self.swallowed = None, []
                return
            if not self._ends_unclosed(tag):
                return
            self._end_unclosed("at the end of its cell or block")
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "table":
            if self.depth == 1:
                self._close_row()
                if self.table is not None:
                    self.blocks.append(self.table)
                self.table = None
            else:
                self._flush_para()
            self.depth = max(0, self.depth - 1)
            return
        if self.depth > 1:
            if tag in ("tr", "td", "th") or tag in _BREAK_TAGS or tag == "li":
                self._flush_para()
            return
        if self.depth == 1:
            if tag in ("td", "th"):
                self._close_cell()
            elif tag == "tr":
                self._close_row()
            elif tag == "li":
                self._flush_para()
                self.in_li = max(0, self.in_li - 1)
                self.listed = self.in_li > 0
            elif tag in _BREAK_TAGS:
                self._flush_para()
            return
        if tag in _BREAK_TAGS or tag in ("li", "tr"):
            self._flush_line()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag in ("td", "th"):
            self.line.append("\t")

    def handle_data(self, data: str) -> None:
        if self.unclosed is not None:
            self.swallowed.append(data)
            return
        if self.skip:
            return
        if self.depth >= 1:
            if self.cell is not None:
                self.buf.append(data)
            return
        if self.pre:
            first, *rest = data.split("\n")
            self.line.append(first)
            for part in rest:
                self._flush_line()
                self.line.append(part)
            return
        self.line.append(data)

    def close(self) -> None:
        super().close()
        if self.unclosed is not None:
            self._end_unclosed("at the end of the document")
        if self.table is not None:  # an unclosed table
            self._close_row()
            self.blocks.append(self.table)
            self.table = None
        self._flush_line()


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 50))
    except ValueError:
        return 1


def _block_text(block: str | _Table) -> str:
    return block if isinstance(block, str) else matrix_text(block.rows)


def read_html(text: str, source: str | None = None) -> ActionPlan:
    """Read an action plan from HTML text; ``source`` names the file in errors.

    >>> page = ("<p>Action Plan: HMP Example</p><table><tr><th>No</th><th>Concern</th>"
    ...         "<th>Response</th><th>Owner</th><th>Target date</th></tr>"
    ...         "<tr><td>1</td><td>Cells were dirty.</td><td><p>Rota set.</p><p>Audit.</p></td>"
    ...         "<td><p>Governor</p><p>Head of Residence</p></td>"
    ...         "<td>Completed<br>May 2024</td></tr>"
    ...         "</table>")
    >>> plan = read_html(page)
    >>> plan.prison
    'HMP Example'
    >>> [(a.text, a.owner_raw, a.target_raw) for a in plan.concerns[0].actions]
    [('Rota set.', 'Governor', 'Completed'), ('Audit.', 'Head of Residence', 'May 2024')]
    """
    if _ENTITY_RE.search(text):
        raise UnreadableDocumentError(
            "the document declares an ENTITY; refused (entity expansion attack?)", source
        )
    parser = _Parser()
    parser.feed(mark_unclosed(text))
    parser.close()
    blocks = parser.blocks

    start = end = None
    roles: list[str] | None = None
    body: list[list[Cell]] = []
    for k, block in enumerate(blocks):
        if isinstance(block, str):
            if start is not None:
                break
            continue
        if roles is None:
            found = find_header(block.rows)
            if found is None:
                continue
            start, roles = k, found[1]
            body.extend(block.rows[found[0] + 1 :])
        elif (more := continues_plan(block.rows, roles)) is not None:
            body.extend(more)
        else:
            break
        end = k + 1

    if start is None or roles is None:
        full = "\n".join(_block_text(b) for b in blocks)
        if not full.strip():
            raise EmptyDocumentError("the document is empty or holds only white space", source)
        plan = plan_from_text(full, source)
        plan.layout = "html-text"
        _report(plan, parser.notes)
        return plan
    opening = "\n".join(_block_text(b) for b in blocks[:start])
    tail = "\n".join(_block_text(b) for b in blocks[end:])
    rows = table_rows(body, roles)
    plan = plan_from_table(opening, rows, roles, tail=tail, source=source, layout="html")
    _report(plan, parser.notes)
    return plan


def _report(plan: ActionPlan, notes: list[tuple[str, str]]) -> None:
    plan.problems.extend(Problem("unclosed_element", None, msg, text) for msg, text in notes)
