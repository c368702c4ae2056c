"""Generate the hostile input files of the hostile suite (issue 16).

Every file is made by code here, small on disk: ``python tests/hostile/make_hostile.py DIR``
writes them all into DIR. Each ``make_*`` function writes one file and returns its path;
:data:`CASES` maps a file name to its maker and the error a reader must give.
"""

from __future__ import annotations

import io
import os
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

PLAN_TEXT = (
    "Action Plan: HMP Example\n"
    "Report Published: 9 April 2024\n"
    "No\tConcern\tResponse\tOwner\tTarget date\n"
    "1\tCells were dirty.\tA cleaning rota was set.\tGovernor\tMay 2024\n"
    "2\tStaff were few.\tMore officers were hired.\tHead of Residence\tJune 2024\n"
)


# -- PDF ------------------------------------------------------------------------------
def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF with a correct cross-reference table for ``objects`` (numbered from 1)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % k + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, root, xref)
    )
    return out.getvalue()


def make_loop_pdf(path: Path) -> Path:
    """The 132-byte PDF whose catalog points at two objects referencing each other."""
    data = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj 3 0 R endobj\n3 0 obj 2 0 R endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    path.write_bytes(data)
    return path


def make_grid_pdf(path: Path, pages: int = 300, side: int = 40) -> Path:
    """``pages`` pages sharing one content stream: a ``side`` x ``side`` grid of words."""
    ops = [b"BT /F1 6 Tf"]
    for r in range(side):
        for c in range(side):
            ops.append(b"1 0 0 1 %d %d Tm (w%dx%d) Tj" % (20 + c * 14, 800 - r * 19, r, c))
    ops.append(b"ET")
    lines = [b"0.5 w"]
    for k in range(side + 1):  # ruled grid: pdfplumber finds a table
        lines.append(b"%d %d m %d %d l S" % (18, 808 - k * 19, 18 + side * 14, 808 - k * 19))
        lines.append(b"%d %d m %d %d l S" % (18 + k * 14, 808, 18 + k * 14, 808 - side * 19))
    stream = zlib.compress(b"\n".join(lines + ops))
    n_fixed = 4  # catalog, pages, font, content
    kids = b" ".join(b"%d 0 R" % (n_fixed + 1 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    ] * pages
    path.write_bytes(_pdf(objects))
    return path


# -- DOCX -----------------------------------------------------------------------------
_CT = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _p(text: str) -> bytes:
    return b'<w:p><w:r><w:t xml:space="preserve">' + text.encode() + b"</w:t></w:r></w:p>"


def _tc(text: str, props: bytes = b"") -> bytes:
    return b"<w:tc><w:tcPr>" + props + b"</w:tcPr>" + _p(text) + b"</w:tc>"


def _tr(cells: list[bytes], row_props: bytes = b"") -> bytes:
    return (
        b"<w:tr>"
        + (b"<w:trPr>" + row_props + b"</w:trPr>" if row_props else b"")
        + b"".join(cells)
        + b"</w:tr>"
    )


HEADER = ["No", "Concern", "Response", "Owner", "Target date"]


def document_xml(rows: list[bytes], before: str = "Action Plan: HMP Example") -> bytes:
    grid = b"<w:tblGrid>" + b'<w:gridCol w:w="1000"/>' * 5 + b"</w:tblGrid>"
    header = _tr([_tc(h) for h in HEADER])
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document '
        + _W
        + b"><w:body>"
        + _p(before)
        + b"<w:tbl>"
        + grid
        + header
        + b"".join(rows)
        + b"</w:tbl></w:body></w:document>"
    )


def write_docx(path: Path, document: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", document)
    return path


def plain_row(i: int) -> bytes:
    return _tr(
        [_tc(str(i)), _tc(f"Concern {i}."), _tc(f"Action {i}."), _tc("Governor"), _tc("May 2024")]
    )


def make_gridspan_docx(path: Path, span: int = 1_000_000, rows: int = 300) -> Path:
    """Rows whose first cell spans ``span`` grid columns and start ``span`` columns late."""
    props = b'<w:gridSpan w:val="%d"/>' % span
    body = [
        _tr(
            [_tc(str(i), props), *[_tc(f"cell {i}") for _ in range(4)]],
            b'<w:gridBefore w:val="%d"/>' % span,
        )
        for i in range(1, rows + 1)
    ]
    return write_docx(path, document_xml(body))


def make_vmerge_docx(path: Path, rows: int = 3000) -> Path:
    """One plan row, then a ``rows``-long vertical-merge chain down the owner column."""
    first = _tr(
        [
            _tc("1"),
            _tc("Cells were dirty."),
            _tc("A rota was set."),
            _tc("Governor", b'<w:vMerge w:val="restart"/>'),
            _tc("May 2024"),
        ]
    )
    cont = _tr([_tc(""), _tc(""), _tc(""), _tc("", b"<w:vMerge/>"), _tc("")])
    return write_docx(path, document_xml([first] + [cont] * rows))


def make_entity_docx(path: Path) -> Path:
    """A text run holding an (undeclared) entity reference in the middle of its text."""
    row = _tr([_tc("1"), _tc("Cells were dirty."), _tc("X"), _tc("Governor"), _tc("May 2024")])
    row = row.replace(b">X<", b">A rota was set&nbsp;and checked weekly.<")
    return write_docx(path, document_xml([row]))


def make_bomb_docx(path: Path, real: int = 1_900_000_000, declared: int = 2_000) -> Path:
    """A .docx whose document part inflates to ``real`` bytes but declares ``declared``."""
    head = document_xml([plain_row(1)])[: -len(b"</w:tbl></w:body></w:document>")]
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunks = [comp.compress(head)]
    block = b" " * 1_000_000
    for _ in range(real // len(block)):
        chunks.append(comp.compress(block))
    chunks.append(comp.compress(b"</w:tbl></w:body></w:document>"))
    chunks.append(comp.flush())
    deflated = b"".join(chunks)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("_rels/.rels", _RELS)
    entries = _raw_entries(buf.getvalue())
    entries.append(("word/document.xml", 8, 0, deflated, declared, zlib.crc32(head[:declared])))
    path.write_bytes(_zip(entries))
    return path


def _raw_entries(data: bytes) -> list[tuple[str, int, int, bytes, int, int]]:
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            raw = zf.read(info)
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            out.append(
                (info.filename, 8, 0, c.compress(raw) + c.flush(), len(raw), zlib.crc32(raw))
            )
    return out


def _zip(entries: list[tuple[str, int, int, bytes, int, int]]) -> bytes:
    """A zip of raw entries ``(name, method, flags, data, declared size, crc)``."""
    out = io.BytesIO()
    central = []
    for name, method, flags, data, size, crc in entries:
        offset = out.tell()
        n = name.encode()
        out.write(
            struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                20,
                flags,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(n),
                0,
            )
            + n
            + data
        )
        central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                flags,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(n),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + n
        )
    start = out.tell()
    cd = b"".join(central)
    out.write(cd)
    out.write(
        struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(cd), start, 0)
    )
    return out.getvalue()


def _docx_with_method(path: Path, method: int, flags: int) -> Path:
    doc = document_xml([plain_row(1)])
    entries = [
        e for e in _raw_entries(write_docx(path, doc).read_bytes()) if e[0] != "word/document.xml"
    ]
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    entries.append(
        ("word/document.xml", method, flags, c.compress(doc) + c.flush(), len(doc), zlib.crc32(doc))
    )
    path.write_bytes(_zip(entries))
    return path


def make_deflate64_docx(path: Path) -> Path:
    """The document part is marked as compressed with deflate64 (method 9)."""
    return _docx_with_method(path, 9, 0)


def make_encrypted_docx(path: Path) -> Path:
    """The document part is marked as encrypted (general-purpose flag bit 0)."""
    return _docx_with_method(path, 8, 1)


# -- text and HTML ---------------------------------------------------------------------
def make_tabs_txt(path: Path, n: int = 40_000) -> Path:
    path.write_text("\t" * n + "\n" + PLAN_TEXT, encoding="utf-8")
    return path


def make_spaces_txt(path: Path, n: int = 200_000) -> Path:
    path.write_text(" " * n + "HMIP Inspection dates x\n" + PLAN_TEXT, encoding="utf-8")
    return path


RAW_TEXT_TAGS = ("script", "style", "svg", "template", "noscript")


def html_plan(tag: str, rows: int = 11) -> str:
    """An HTML plan whose first response cell opens ``tag`` and never closes it."""
    body = []
    for i in range(1, rows + 1):
        response = f"Action {i} was taken." + (f"<{tag}>x" if i == 1 else "")
        body.append(
            f"<tr><td>{i}</td><td>Concern {i}.</td><td>{response}</td><td>Governor</td><td>May 2024</td></tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in HEADER)
    return f"<p>Action Plan: HMP Example</p><table><tr>{head}</tr>{''.join(body)}</table><p>Agreed 11</p>"


def make_unclosed_html(path: Path, tag: str = "svg") -> Path:
    path.write_text(html_plan(tag), encoding="utf-8")
    return path


# -- special files -------------------------------------------------------------------
def make_fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def make_zero_link(path: Path) -> Path:
    path.symlink_to("/dev/zero")
    return path


def make_symlink_loop(path: Path) -> Path:
    other = path.with_name("loop-b" + path.suffix)
    path.symlink_to(other.name)
    other.symlink_to(path.name)
    return path


def _html_maker(tag: str) -> Callable[[Path], Path]:
    return lambda path: make_unclosed_html(path, tag)


#: file name -> (maker, the error type a reader must give, or None: it must be read)
CASES: dict[str, tuple[Callable[[Path], Path], str | None]] = {
    "loop.pdf": (make_loop_pdf, "BudgetExceededError"),
    "grid.pdf": (make_grid_pdf, "DocumentTooLargeError"),
    "gridspan.docx": (make_gridspan_docx, "NotAnActionPlanError"),
    "bomb.docx": (make_bomb_docx, "DocumentTooLargeError"),
    "deflate64.docx": (make_deflate64_docx, "UnreadableDocumentError"),
    "encrypted.docx": (make_encrypted_docx, "UnreadableDocumentError"),
    "fifo.txt": (make_fifo, "NotARegularFileError"),
    "zero.txt": (make_zero_link, "NotARegularFileError"),
    "loop-a.txt": (make_symlink_loop, "NotARegularFileError"),  # makes loop-b.txt too
    "vmerge.docx": (make_vmerge_docx, None),
    "entity.docx": (make_entity_docx, None),
    "tabs.txt": (make_tabs_txt, None),
    "spaces.txt": (make_spaces_txt, None),
    **{f"unclosed-{t}.html": (_html_maker(t), None) for t in RAW_TEXT_TAGS},
}


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "hostile")
    out.mkdir(parents=True, exist_ok=True)
    for name, (make, _) in CASES.items():
        make(out / name)
    print(f"wrote {len(CASES)} hostile files into {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
