"""Read action plans from PDF with pdfplumber.

The tables pdfplumber finds (ruled cells) are read page by page. The plan table
is the first whose header row names the concern, response, owner and target
columns; on later pages a repeated header is skipped and a table with the same
number of columns continues the plan. A row that the page break split (its
number and concern cells empty, or text continuing mid-sentence) is stitched back
onto the row before it, cell by cell.
Each row keeps the page (1-based) where it starts, carried into
:attr:`~actionnlp.plan.Action.page` and :attr:`~actionnlp.plan.Concern.page`: a row
stitched across a page break has the page of its first part.

Cell text is rebuilt from the words inside each cell. pdfplumber's own cell text
keeps every line wrap and knows no paragraphs, so lines are grouped into
paragraphs by the vertical space between them: a gap clearly larger than the
page's ordinary line spacing (paragraph spacing) starts a new paragraph. Lines
are then joined with :func:`~actionnlp.read.cells.join_lines`, which mends words
broken at a hyphen. Owner and target cells are split into entries the same way as
in the text readers (dates and status words close target entries; one owner entry
is split to match several targets).

Text above the plan table on its first page (and on earlier pages) is the opening;
text below it on its last page (and later pages) is the tail. A PDF with text but
no ruled table is read as text; a PDF with no text at all needs OCR.
"""

from __future__ import annotations

import bisect
import io
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING

from actionnlp.errors import DocumentTooLargeError, NeedsOCRError, UnreadableDocumentError
from actionnlp.read.assemble import plan_from_table, plan_from_text
from actionnlp.read.cells import ends_sentence, heading_of, is_continuation, join_lines
from actionnlp.read.dates import split_target_entries
from actionnlp.read.files import read_bounded
from actionnlp.read.limits import Limits, current_limits
from actionnlp.read.table import Cell, continues_plan, find_header, table_rows

if TYPE_CHECKING:
    from actionnlp.plan import ActionPlan

__all__ = [
    "MAX_PAGES",
    "MAX_PDF_BYTES",
    "by_position",
    "entries_by_line",
    "read_pdf",
    "rule_ends",
]

MAX_PDF_BYTES = Limits.pdf_bytes  # defaults; override with Limits / ACTIONNLP_READ_*
MAX_PAGES = Limits.pdf_pages
_BULLETS_RE = re.compile(r"^[\u2022\u25cf\u25aa\u25e6\u2023\uf0b7\uf0a7]\s*")


@dataclass
class _Line:
    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    first_w: float = 0.0  # width of the line's first word
    words: int = 1


def _lines(words: list[dict]) -> list[_Line]:
    """Group words into lines (top to bottom, left to right)."""
    out: list[_Line] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if out and abs(w["top"] - out[-1].top) <= 2.0 and w["x0"] >= out[-1].x1 - 1:
            ln = out[-1]
            ln.text += " " + w["text"]
            ln.bottom, ln.x1 = max(ln.bottom, w["bottom"]), max(ln.x1, w["x1"])
            ln.words += 1
        else:
            first_w = w["x1"] - w["x0"]
            out.append(_Line(w["text"], w["top"], w["bottom"], w["x0"], w["x1"], first_w))
    out.sort(key=lambda ln: (ln.top, ln.x0))
    return out


def _inside(w: dict, bbox: tuple[float, float, float, float]) -> bool:
    x, y = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def _gaps(lines: list[_Line]) -> list[float]:
    return [b.top - a.bottom for a, b in itertools.pairwise(lines) if b.top - a.bottom > -1]


def _hard_break(prev: _Line, ln: _Line, edge: float) -> bool:
    """Did the line end by choice? The next line's first word would have fitted on it.

    Text wraps only when the next word does not fit, so a line that stops short of the
    cell's right edge by more than the next word (and a space) ends a paragraph (or a
    line break) however close the lines are: paragraphs printed without space between.
    """
    space = 0.3 * (ln.bottom - ln.top)
    return prev.x1 + space + ln.first_w < edge - 1.0


def _broken_word(prev: _Line, ln: _Line, edge: float) -> bool:
    """A word too long for its column, broken mid-word: a single word filling the cell
    to its edge (within a character), continued by a lower-case fragment."""
    fills = prev.x1 >= edge - 0.7 * (prev.bottom - prev.top)
    return prev.words == 1 and fills and prev.text[-1:].islower() and ln.text[:1].islower()


def _cell(
    lines: list[_Line], para_gap: float, bbox: tuple[float, float, float, float] | None = None
) -> Cell:
    """Lines of one cell -> paragraphs.

    A paragraph ends where the vertical gap is a paragraph gap, at a bullet, or (given
    the cell's box) where a line stops short of the right edge (:func:`_hard_break`).
    """
    cell = Cell()
    cur: list[str] = []
    edge = None
    left = min((ln.x0 for ln in lines), default=0.0)
    if bbox is not None and lines:
        # Only left-aligned text breaks short by choice (centred lines all stop short).
        flush_left = sum(ln.x0 - left <= 2.0 for ln in lines)
        if flush_left >= 0.6 * len(lines) and len(lines) > 1:
            edge = bbox[2] - max(0.0, left - bbox[0])

    top = [0.0]  # where the paragraph being built starts

    def flush() -> None:
        if cur:
            text = join_lines("\n".join(cur))
            listed = bool(_BULLETS_RE.match(text))
            text = _BULLETS_RE.sub("", text)
            if text:
                cell.paras.append(text)
                cell.listed.append(listed)
                cell.tops.append(top[0])
        cur.clear()

    printed: list[str] = []  # the lines, a broken word joined back
    prev: _Line | None = None
    for ln in lines:
        if prev is not None and edge is not None and cur and _broken_word(prev, ln, edge):
            cur[-1] += ln.text  # the rest of a word broken at the cell's edge
            printed[-1] += ln.text
            prev = ln
            continue
        indented = (  # a first-line indent, outside a bulleted paragraph
            edge is not None
            and ln.x0 - left > 6.0
            and prev is not None
            and prev.x0 - left <= 2.0
            and not (cur and _BULLETS_RE.match(cur[0]))
        )
        if prev is not None and (
            ln.top - prev.bottom > para_gap
            or _BULLETS_RE.match(ln.text)
            or indented
            or (edge is not None and _hard_break(prev, ln, edge))
        ):
            flush()
        if not cur:
            top[0] = ln.top
        cur.append(ln.text)
        printed.append(ln.text)
        prev = ln
    flush()
    cell.lines = [t.strip() for t in printed if t.strip()]
    return cell


def entries_by_line(row: list[Cell], roles: list[str]) -> list[Cell]:
    """Owner/target cells whose entries ran together: one entry per printed line.

    Entries stacked with no space between them, each filling its line, leave no
    geometric mark. When an owner (target) cell has fewer paragraphs than the target
    (owner) cell beside it has entries, but exactly as many printed lines, each line
    is an entry.

    >>> target = Cell(["May 2024", "June 2024"], [False, False])
    >>> owner = Cell(["Governing Governor Governing Governor"], [False])
    >>> owner.lines = ["Governing Governor", "Governing Governor"]
    >>> entries_by_line([owner, target], ["owner", "target"])[0].paras
    ['Governing Governor', 'Governing Governor']
    """
    cols = {r: j for j, r in enumerate(roles) if j < len(row)}
    if "owner" not in cols or "target" not in cols:
        return row
    out = list(row)
    targets = row[cols["target"]].paras
    counts = {
        "owner": sum(len(split_target_entries(t) or [t]) for t in targets),  # dates split
        "target": len(row[cols["owner"]].paras),
    }
    for role, want in counts.items():
        cell = row[cols[role]]
        if 1 < want == len(cell.lines) and len(cell.paras) < want:
            out[cols[role]] = Cell.of(cell.lines)
    return out


def by_position(row: list[Cell], roles: list[str], tol: float = 3.0) -> list[list[Cell]]:
    """Split a row whose owner/target entries stand level with their paragraphs.

    When every entry of the owner (or target) cell starts level with a response
    paragraph, but there are fewer entries than paragraphs, each entry covers the
    paragraphs from its own down to the next entry's: the row becomes one row per
    entry (paragraphs above the first entry first, on their own), so the segmenter
    pairs by position on the page, not by count. Other rows are returned as they are.

    >>> resp = Cell(["A.", "B.", "C."], [False] * 3, [10.0, 30.0, 50.0])
    >>> owner = Cell(["Governor", "Head of Safety"], [False] * 2, [10.0, 50.0])
    >>> rows = by_position([Cell(["1"]), resp, owner], ["id", "response", "owner"])
    >>> [(r[1].paras, r[2].paras) for r in rows]
    [(['A.', 'B.'], ['Governor']), (['C.'], ['Head of Safety'])]
    """
    if "response" not in roles:
        return [row]
    ri = roles.index("response")
    resp = row[ri] if ri < len(row) else Cell()
    entries = [roles.index(r) for r in ("owner", "target") if r in roles]
    entries = [j for j in entries if j < len(row) and len(row[j].tops) == len(row[j].paras)]
    if len(resp.paras) < 2 or len(resp.tops) != len(resp.paras) or not entries:
        return [row]
    anchor = max(entries, key=lambda j: len(row[j].paras))
    anchors = row[anchor].tops
    if not 2 <= len(anchors) < len(resp.paras):
        return [row]
    if not all(any(abs(a - t) <= tol for t in resp.tops) for a in anchors):
        return [row]  # entries stacked at the top, or elsewhere: pairing stays by count

    def group(t: float) -> int:
        return sum(a - tol <= t for a in anchors) - 1  # -1: above the first entry

    n = len(anchors) + 1
    out = [[Cell() for _ in row] for _ in range(n)]
    for j, cell in enumerate(row):
        if j != ri and j not in entries:
            out[0][j] = cell  # number, concern, decision: on the first printed row
            continue
        for text, listed, t in zip(cell.paras, cell.listed, cell.tops, strict=False):
            g = out[group(t) + 1][j]
            g.paras.append(text)
            g.listed.append(listed)
            g.tops.append(t)
    if not any(c.paras for c in out[0]):
        out = out[1:]
    elif not any(out[0][j].paras for j in (ri, *entries)):  # the first row has only id cells
        out = [[a if a.paras else b for a, b in zip(out[0], out[1], strict=True)], *out[2:]]
    return out


def _join_cells(a: Cell, b: Cell, *, role: str) -> Cell:
    """The part of a cell on the next page appended to the part before the break."""
    if not b.paras:
        return a
    if not a.paras:
        return b
    first, prev = b.paras[0], a.paras[-1]
    if role == "concern" or role in ("id", "agreement"):
        joined = True
    elif role == "response":
        joined = not b.listed[0] and (is_continuation(first, prev) or not ends_sentence(prev))
    else:
        joined = is_continuation(first, prev)
    if joined:
        paras = [*a.paras[:-1], join_lines(f"{prev}\n{first}"), *b.paras[1:]]
        listed = [*a.listed, *b.listed[1:]]
    else:
        paras, listed = [*a.paras, *b.paras], [*a.listed, *b.listed]
    return Cell(paras, listed)


def _is_split_row(row: list[Cell], roles: list[str]) -> bool:
    """Is the first row on a page the rest of a row the page break split?"""
    by_role = dict(zip(roles, row, strict=False))
    if by_role.get("id", Cell()).text.strip():
        return False
    concern = by_role.get("concern", Cell()).text.strip()
    others = any(c.text.strip() for r, c in by_role.items() if r not in ("id", "concern"))
    if others:
        return True
    return bool(concern) and heading_of(concern) is None


def _open(data: bytes, path: Path):
    import pdfplumber
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    try:
        return pdfplumber.open(io.BytesIO(data))
    except (PdfminerException, MalformedPDFException, PSException) as err:
        raise UnreadableDocumentError(_why(err), path) from err


def _why(err: Exception) -> str:
    text = str(err) or type(err).__name__
    inner = err.args[0] if err.args and isinstance(err.args[0], Exception) else err
    name = type(inner).__name__
    if "Password" in name or "Encrypt" in name or "password" in text.lower():
        return f"is not a readable PDF: it is encrypted ({name})"
    return f"is not a valid PDF (corrupt or truncated): {text}"


def read_pdf(path: str | Path, *, limits: Limits | None = None) -> ActionPlan:
    """Read an action plan from a PDF file.

    Raises :class:`~actionnlp.errors.UnreadableDocumentError` (not a PDF, truncated,
    encrypted), :class:`~actionnlp.errors.NeedsOCRError` (no text layer),
    :class:`~actionnlp.errors.DocumentTooLargeError` (too many bytes, pages or
    characters for ``limits``) and :class:`~actionnlp.errors.NotAnActionPlanError`,
    each naming the file.
    """
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    path = Path(path)
    limits = current_limits() if limits is None else limits
    data = read_bounded(path, limits.pdf_bytes)
    try:  # closing a malformed PDF can raise too, so the with block is inside
        with _open(data, path) as pdf:
            n = len(pdf.pages)
            if limits.pdf_pages and n > limits.pdf_pages:
                raise DocumentTooLargeError(
                    f"{n} pages is more than the {limits.pdf_pages} read (pdf_pages)", path
                )
            pages = _read_pages(pdf.pages, limits, path)
    except (PdfminerException, MalformedPDFException, PSException) as err:
        raise UnreadableDocumentError(_why(err), path) from err
    return _plan(pages, path)


@dataclass
class _Page:
    lines: list[_Line]  # every line on the page
    tables: list[tuple[tuple[float, float, float, float], list[list[Cell]]]]
    n_chars: int


def _read_pages(pages, limits: Limits, path: Path) -> list[_Page]:
    """Each page read in turn, its characters counted against the page and document
    budgets before its words are grouped, and its cached layout freed afterwards."""
    out: list[_Page] = []
    total = 0
    for k, page in enumerate(pages, start=1):
        n = len(page.chars)
        total += n
        if limits.page_chars and n > limits.page_chars:
            raise DocumentTooLargeError(
                f"page {k} holds {n} characters, more than the {limits.page_chars} read "
                "(page_chars)",
                path,
            )
        if limits.pdf_chars and total > limits.pdf_chars:
            raise DocumentTooLargeError(
                f"more than the {limits.pdf_chars} characters read by page {k} (pdf_chars)", path
            )
        out.append(_read_page(page))
        page.close()
    return out


def _words_in(words: list[dict], tops: list[float], bbox) -> list[dict]:
    """Words whose centre is inside ``bbox``; ``words`` sorted by centre, ``tops`` their
    centres (a bisect on the rows, then a test on the few words of that band)."""
    lo = bisect.bisect_left(tops, bbox[1])
    hi = bisect.bisect_right(tops, bbox[3])
    return [w for w in words[lo:hi] if _inside(w, bbox)]


def rule_ends(edges: list[dict], min_len: float = 6.0) -> list[dict]:
    """Closing lines at both ends of each run of the page's vertical rules.

    A row cut by a page break can leave its column rules open at the cut (a browser's
    PDF draws no border there), so the cells there have no closing line and the table
    search drops them. A horizontal line at each end of a run of overlapping vertical
    rules, as wide as the run's rules reach, closes them; where the table is closed
    already it repeats a border. Rules elsewhere on the page are not crossed.

    >>> v = [{"orientation": "v", "top": t, "bottom": b, "x0": x, "x1": x}
    ...      for t, b, x in ((72, 770, 40), (72, 770, 500), (800, 820, 40), (300, 303, 9))]
    >>> [(e["top"], e["x0"], e["x1"]) for e in rule_ends(v)]
    [(72, 40, 500), (770, 40, 500), (800, 40, 40), (820, 40, 40)]
    """
    spans = sorted(
        (e["top"], e["bottom"], e["x0"], e["x1"])
        for e in edges
        if e["orientation"] == "v" and e["bottom"] - e["top"] >= min_len
    )
    runs: list[list[float]] = []  # top, bottom, left, right
    for top, bottom, x0, x1 in spans:
        if runs and top <= runs[-1][1] + 1.0:
            run = runs[-1]
            run[1], run[2], run[3] = max(run[1], bottom), min(run[2], x0), max(run[3], x1)
        else:
            runs.append([top, bottom, x0, x1])
    return [
        {"object_type": "rule_edge", "orientation": "h", "top": y, "bottom": y, "height": 0,
         "x0": x0, "x1": x1, "width": x1 - x0}
        for top, bottom, x0, x1 in runs
        for y in (top, bottom)
    ]  # fmt: skip


def _read_page(page) -> _Page:
    words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
    lines = _lines(words)
    settings = {"explicit_horizontal_lines": rule_ends(page.edges)}
    found = sorted(page.find_tables(settings), key=lambda t: (t.bbox[1], t.bbox[0]))
    by_y = sorted(words, key=lambda w: (w["top"] + w["bottom"]) / 2)
    tops = [(w["top"] + w["bottom"]) / 2 for w in by_y]
    cell_lines: list[list[list[list[_Line]]]] = []
    boxes: list[list[list]] = []
    for t in found:
        rows, row_boxes = [], []
        for row in t.rows:
            cells = []
            for bbox in row.cells:
                cells.append([] if bbox is None else _lines(_words_in(by_y, tops, bbox)))
            rows.append(cells)
            row_boxes.append(list(row.cells))
        cell_lines.append(rows)
        boxes.append(row_boxes)
    # Paragraph gap: clearly more than the page's ordinary space between lines.
    heights = [ln.bottom - ln.top for ln in lines] or [10.0]
    gaps = [g for rows in cell_lines for cells in rows for c in cells for g in _gaps(c)]
    base = sorted(gaps)[len(gaps) // 4] if gaps else 0.0
    para_gap = base + max(1.5, 0.35 * median(heights))
    tables = [
        (
            t.bbox,
            [
                [_cell(c, para_gap, b) for c, b in zip(row, row_b, strict=True)]
                for row, row_b in zip(rows, tb, strict=True)
            ],
        )
        for t, rows, tb in zip(found, cell_lines, boxes, strict=True)
    ]
    return _Page(lines, tables, len(page.chars))


def _text(lines: list[_Line]) -> str:
    return "\n".join(ln.text for ln in lines)


def _plan(pages: list[_Page], path: Path) -> ActionPlan:
    source = str(path)
    if not any(p.n_chars for p in pages):
        raise NeedsOCRError("has no text layer: it must be OCR'd first", path)
    roles: list[str] | None = None
    body: list[list[Cell]] = []
    starts: list[int] = []  # the page (1-based) each row of body starts on
    opening: list[str] = []
    tail: list[str] = []  # text after the plan table so far; dropped if the plan goes on
    done = False
    for number, page in enumerate(pages, start=1):
        if done:
            tail.append(_text(page.lines))
            continue
        bottom: float | None = None  # where the plan table ends on this page
        first_on_page = True
        for bbox, table in page.tables:
            # rows with no text above the first (a rule run from beyond the page's edge)
            matrix = list(itertools.dropwhile(lambda r: not any(c.paras for c in r), table))
            if roles is None:
                found = find_header(matrix)
                if found is None:
                    continue
                roles = found[1]
                opening.append(_text([ln for ln in page.lines if ln.bottom <= bbox[1] + 1]))
                rows = matrix[found[0] + 1 :]
            elif (more := continues_plan(matrix, roles, depth=1)) is not None:
                rows = more  # a header repeated at the top of the page is skipped
            else:
                done = True
                break
            tail = []  # the plan goes on: what came between was page furniture
            if first_on_page and body and rows and _is_split_row(rows[0], roles):
                last = body[-1]
                body[-1] = [
                    _join_cells(a, b, role=r) for a, b, r in zip(last, rows[0], roles, strict=False)
                ]
                rows = rows[1:]  # the stitched row keeps the page it started on
            body.extend(rows)
            starts.extend([number] * len(rows))
            bottom = bbox[3]
            first_on_page = False
        if roles is None:
            opening.append(_text(page.lines))
        elif bottom is None:
            tail.append(_text(page.lines))
        else:
            tail.append(_text([ln for ln in page.lines if ln.top >= bottom - 1]))
    if roles is None:
        text = "\n".join(_text(p.lines) for p in pages)
        plan = plan_from_text(text, source)  # no ruled table: read the text layout
        plan.layout = "pdf-text"
        return plan
    split = [
        (sub, start)
        for row, start in zip(body, starts, strict=True)
        for sub in by_position(entries_by_line(row, roles), roles)
    ]
    return plan_from_table(
        "\n".join(opening),
        table_rows([row for row, _ in split], roles, [start for _, start in split]),
        roles,
        tail="\n".join(tail),
        source=source,
        layout="pdf",
    )
