"""Read action plans from Word documents (.docx) with python-docx.

The plan is the table whose header row names the concern, response, owner and
target columns (the roles :mod:`actionnlp.read.text` recognises). Its real cells
are read: a row that Word breaks across pages is still one row, a vertically or
horizontally merged cell is read once (python-docx hands back the same ``<w:tc>``
for every grid position it covers; the repeats are left empty), and each cell's
paragraphs become the response paragraphs and the owner and target entries.

The text before the table is the opening (prison, dates); the paragraphs and
tables after it are the tail (stated totals). Consecutive tables with the same
header are one plan split into pieces.

Before python-docx opens a file the zip is checked: its declared uncompressed
size and each entry's compression ratio are bounded (zip bombs), and any XML part
that declares a DOCTYPE or ENTITY is refused (entity expansion).

The header search and the cells-to-rows work are :mod:`actionnlp.read.table`'s,
shared with the PDF and HTML readers.
"""

from __future__ import annotations

import html
import html.entities
import re
import weakref
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from actionnlp.errors import EmptyDocumentError, UnreadableDocumentError
from actionnlp.read.assemble import plan_from_table, plan_from_text
from actionnlp.read.cells import join_lines
from actionnlp.read.files import read_bounded
from actionnlp.read.limits import Limits, current_limits
from actionnlp.read.table import Cell, continues_plan, find_header, matrix_text, table_rows
from actionnlp.read.unzip import repack, unpack

if TYPE_CHECKING:
    from actionnlp.plan import ActionPlan

__all__ = ["MAX_ENTRY_RATIO", "MAX_UNCOMPRESSED", "check_zip", "read_docx", "resolve_entities"]

#: Defaults of the zip budgets (override with Limits / ACTIONNLP_READ_*).
MAX_UNCOMPRESSED = Limits.unzipped_bytes
MAX_ENTRY_RATIO = Limits.entry_ratio
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}
_ENTITY_REF_RE = re.compile(rb"&([A-Za-z][A-Za-z0-9]{0,31});")


# -- zip safety ----------------------------------------------------------------------
def _checked_parts(path: Path, limits: Limits) -> dict[str, bytes]:
    """The parts of the .docx, inflated under the budgets, with no DTD or ENTITY."""
    parts = unpack(read_bounded(path, limits.docx_bytes), path, limits)
    for name, data in parts.items():
        if name.lower().endswith((".xml", ".rels")):
            head = data.replace(b"\x00", b"")  # UTF-16 parts too
            if any(m in head for m in _DTD_MARKERS):
                raise UnreadableDocumentError(
                    f"part {name} declares a DOCTYPE or ENTITY; refused "
                    "(Word never writes them; entity expansion attack?)",
                    path,
                )
    return parts


def check_zip(path: Path, limits: Limits | None = None) -> None:
    """Refuse a .docx that is not a zip, would expand too far, or declares entities."""
    _checked_parts(Path(path), current_limits() if limits is None else limits)


def resolve_entities(xml: bytes) -> tuple[bytes, list[str]]:
    """Named entity references (undeclared in Word XML) resolved as HTML names, or kept
    as literal text when unknown; returns the XML and the unknown names.

    >>> resolve_entities(b"<t>a&nbsp;b &amp; c &zork; d</t>")
    (b'<t>a\xc2\xa0b &amp; c &amp;zork; d</t>', ['zork'])
    """
    unknown: list[str] = []

    def fix(m: re.Match[bytes]) -> bytes:
        name = m.group(1)
        if name in _XML_ENTITIES:
            return m.group(0)
        char = html.entities.html5.get(name.decode() + ";")
        if char is None:
            unknown.append(name.decode())
            return b"&amp;" + name + b";"
        return html.escape(char, quote=False).encode("utf-8")

    if b"&" not in xml:
        return xml, unknown
    return _ENTITY_REF_RE.sub(fix, xml), unknown


# -- python-docx ---------------------------------------------------------------------
def _para_text(p) -> str:
    return join_lines(p.text.replace("\t", " "))


_LIST_STYLE_RE = re.compile(r"list\s*(bullet|number|paragraph)", re.I)


_LIST_STYLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _is_listed(p) -> bool:
    """A numbered paragraph, or one in a list style. The style's name is remembered per
    document and style id: python-docx looks a style up by searching the styles part,
    which cost a 3,000-row table most of its reading time."""
    ppr = p._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return True
    style_id = p._p.style
    known = _LIST_STYLES.setdefault(p.part, {})
    if style_id not in known:
        style = p.style
        known[style_id] = bool(_LIST_STYLE_RE.match(style.name or "" if style else ""))
    return known[style_id]


def _cell_content(cell, width: int) -> Cell:
    out = Cell()
    for item in cell.iter_inner_content():
        if hasattr(item, "rows"):  # a nested table: its text, cell by cell
            for row in _table_matrix(item, width):
                for inner in row:
                    out.paras.extend(inner.paras)
                    out.listed.extend(inner.listed)
                    out.lines.extend(inner.lines)
            continue
        out.paras.append(_para_text(item))
        out.listed.append(_is_listed(item))
        out.lines.extend(ln.strip() for ln in item.text.splitlines() if ln.strip())
    return out


def _table_matrix(table, max_width: int = Limits.table_columns) -> list[list[Cell]]:
    """Each row as cells, one per grid column; the columns a merged cell covers
    (``gridSpan`` across, ``vMerge`` down) after its first are empty.

    Spans and ``gridBefore`` are clipped to the table's real width (its grid, or
    its widest row when the grid is missing), at most ``max_width``, and merges are
    followed without recursion, so hostile attributes cost nothing.
    """
    from docx.table import _Cell

    tbl = table._tbl
    grid = tbl.tblGrid
    width = len(grid.gridCol_lst) if grid is not None else 0
    width = max(width, *(len(tr.tc_lst) for tr in tbl.tr_lst), 1)
    width = min(width, max_width) if max_width else width
    matrix: list[list[Cell]] = []
    for tr in tbl.tr_lst:
        before = min(max(tr.grid_before, 0), width)
        cells = [Cell() for _ in range(before)]
        col = before
        for tc in tr.tc_lst:
            span = max(1, min(tc.grid_span, width - col))
            if tc.vMerge == "continue":
                cells.append(Cell())  # the cell above goes on down: read once
            else:
                cells.append(_cell_content(_Cell(tc, table), max_width))
            cells.extend(Cell() for _ in range(span - 1))
            col += span
        matrix.append(cells)
    return matrix


def _block_text(item) -> str:
    return matrix_text(_table_matrix(item)) if hasattr(item, "rows") else item.text


def read_docx(path: str | Path, *, limits: Limits | None = None) -> ActionPlan:
    """Read an action plan from a .docx file.

    Raises :class:`~actionnlp.errors.UnreadableDocumentError` (not a zip, corrupt,
    encrypted or unsupported compression, entity declarations),
    :class:`~actionnlp.errors.DocumentTooLargeError` (zip bomb, over the budgets of
    ``limits``), :class:`~actionnlp.errors.EmptyDocumentError` and
    :class:`~actionnlp.errors.NotAnActionPlanError`, each naming the file. An
    undeclared entity reference in a text run is resolved (HTML names) or kept as
    text and reported as an ``entity`` problem.
    """
    path = Path(path)
    limits = current_limits() if limits is None else limits
    parts = _checked_parts(path, limits)
    unknown: list[str] = []
    for name in [n for n in parts if n.lower().endswith(".xml")]:
        parts[name], missing = resolve_entities(parts[name])
        unknown.extend(missing)
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(repack(parts))
        blocks = list(document.iter_inner_content())
    except PackageNotFoundError as err:
        raise UnreadableDocumentError(f"is not a valid .docx: {err}", path) from err
    except (KeyError, ValueError, XMLSyntaxError, zipfile.BadZipFile, zlib.error) as err:
        # KeyError: a zip without the Word parts; ValueError: another Office type;
        # XMLSyntaxError (a SyntaxError, not a ValueError): malformed document XML.
        raise UnreadableDocumentError(
            f"is not a valid .docx: {type(err).__name__}: {err}", path
        ) from err

    source = str(path)
    start = end = None
    roles: list[str] | None = None
    body: list[list[Cell]] = []
    for k, item in enumerate(blocks):
        if not hasattr(item, "rows"):
            if start is not None and item.text.strip():
                break  # text after the plan table ends it
            continue
        matrix = _table_matrix(item, limits.table_columns)
        if roles is None:
            found = find_header(matrix)
            if found is None:
                continue
            start, roles = k, found[1]
            body.extend(matrix[found[0] + 1 :])
            end = k + 1
        elif (more := continues_plan(matrix, roles)) is not None:
            body.extend(more)  # the plan continues in another table
            end = k + 1
        else:
            break

    if start is None or roles is None:
        text = "\n".join(_block_text(b) for b in blocks)
        if not text.strip():
            raise EmptyDocumentError("the document is empty or holds only white space", source)
        plan = plan_from_text(text, source)  # a plan typed as tab-separated paragraphs
        plan.layout = "docx-text"
        _report_entities(plan, unknown)
        return plan

    opening = "\n".join(_block_text(b) for b in blocks[:start])
    tail = "\n".join(_block_text(b) for b in blocks[end:])
    rows = table_rows(body, roles)
    plan = plan_from_table(opening, rows, roles, tail=tail, source=source, layout="docx")
    _report_entities(plan, unknown)
    return plan


def _report_entities(plan: ActionPlan, unknown: list[str]) -> None:
    if unknown:
        from actionnlp.plan import Problem

        names = ", ".join(f"&{n};" for n in sorted(set(unknown)))
        plan.problems.append(
            Problem(
                "entity",
                None,
                f"unknown entity reference(s) {names} in the document XML, kept as text",
                names,
            )
        )
