"""The PDF reader: the committed fixtures against their seed text, and bad input.

The fixture PDFs are LibreOffice renderings of the fixture .docx files (see
``tests/fixtures/make_fixtures.py``); reading them needs only pdfplumber.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import actionnlp
from actionnlp.data import SAMPLES_DIR
from actionnlp.errors import (
    DocumentTooLargeError,
    NeedsOCRError,
    NotAnActionPlanError,
    UnreadableDocumentError,
)
from actionnlp.read.limits import Limits
from actionnlp.read.pdf import read_pdf
from tests.same_plan import assert_same_plan, squash

FIXTURES = Path(__file__).parents[1] / "fixtures"
SEEDS = ["peterborough-2024", "stafford-2020"]


@pytest.fixture(scope="module")
def plans() -> dict[str, tuple[actionnlp.ActionPlan, actionnlp.ActionPlan]]:
    return {
        name: (
            actionnlp.read_plan(FIXTURES / f"{name}.pdf"),
            actionnlp.read_plan(SAMPLES_DIR / f"{name}.txt"),
        )
        for name in SEEDS
    }


@pytest.mark.parametrize("name", SEEDS)
def test_fixture_matches_seed(name, plans):
    got, want = plans[name]
    assert got.layout == "pdf"
    assert_same_plan(got, want, squash, problems=False)


def test_rows_split_across_pages_are_stitched(plans):
    got, want = plans["stafford-2020"]
    # 5.1's response runs over three pages; its paragraphs still pair with its owners.
    assert [a.target_raw for a in got.concerns[0].actions] == [
        a.target_raw for a in want.concerns[0].actions
    ]
    assert not [p for p in got.problems if p.kind in ("unplaced_text", "count_mismatch")]


def test_stafford_keeps_its_gap_and_totals(plans):
    got, _ = plans["stafford-2020"]
    ids = [c.id for c in got.concerns]
    assert "5.18" not in ids and "5.19" not in ids
    assert got.stated_totals == {"agreed": 16, "partly_agreed": 7, "not_agreed": 0, "total": 23}
    assert {"numbering_gap", "stated_totals"} <= {p.kind for p in got.problems}


# -- bad input ------------------------------------------------------------------------
def _pdf(content: bytes, *, font: bool = False) -> bytes:
    """A minimal one-page PDF whose page draws ``content``."""
    res = b"/Resources << /Font << /F1 4 0 R >> >>" if font else b"/Resources << >>"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " + res + b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def test_text_less_pdf_needs_ocr(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf(b"0 0 0 RG 2 w 100 100 400 500 re S"))  # a rectangle, no text
    with pytest.raises(NeedsOCRError, match=r"scan\.pdf.*no text layer.*OCR"):
        actionnlp.read_plan(path)


def test_pdf_with_text_but_no_table_is_read_as_text(tmp_path):
    path = tmp_path / "letter.pdf"
    lines = [b"Dear Governor,", b"Thank you for your letter about the garden."]
    ops = b"".join(
        b"BT /F1 12 Tf 72 %d Td (%s) Tj ET\n" % (700 - 20 * i, t) for i, t in enumerate(lines)
    )
    path.write_bytes(_pdf(ops, font=True))
    with pytest.raises(NotAnActionPlanError, match=r"letter\.pdf"):
        read_pdf(path)


def test_truncated_pdf(tmp_path):
    path = tmp_path / "truncated.pdf"
    path.write_bytes((FIXTURES / "stafford-2020.pdf").read_bytes()[:1024])
    with pytest.raises(UnreadableDocumentError, match=r"truncated\.pdf.*not a valid PDF"):
        actionnlp.read_plan(path)


def test_not_a_pdf(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_text("<html>not a pdf</html>")
    with pytest.raises(UnreadableDocumentError, match=r"fake\.pdf"):
        actionnlp.read_plan(path)


def test_encrypted_pdf():
    with pytest.raises(UnreadableDocumentError, match=r"encrypted\.pdf.*encrypted"):
        actionnlp.read_plan(FIXTURES / "encrypted.pdf")


def test_too_many_pages():
    with pytest.raises(DocumentTooLargeError, match=r"stafford-2020\.pdf.*pages"):
        read_pdf(FIXTURES / "stafford-2020.pdf", limits=Limits(pdf_pages=3))


def test_too_many_bytes():
    with pytest.raises(DocumentTooLargeError, match=r"stafford-2020\.pdf.*bytes"):
        read_pdf(FIXTURES / "stafford-2020.pdf", limits=Limits(pdf_bytes=1000))


def test_too_many_characters_on_a_page_or_in_the_document():
    with pytest.raises(DocumentTooLargeError, match=r"page 1 holds \d+ characters.*page_chars"):
        read_pdf(FIXTURES / "stafford-2020.pdf", limits=Limits(page_chars=100))
    with pytest.raises(DocumentTooLargeError, match=r"characters read by page \d+ \(pdf_chars\)"):
        read_pdf(FIXTURES / "stafford-2020.pdf", limits=Limits(pdf_chars=3000))


def test_entries_level_with_their_paragraphs_pair_by_position():
    """Two entries beside three paragraphs: each covers the paragraphs down to the next."""
    from actionnlp.read.pdf import by_position
    from actionnlp.read.segment import build_concerns
    from actionnlp.read.table import Cell, table_rows

    roles = ["id", "concern", "response", "owner", "target"]
    row = [
        Cell(["1"], [False], [10.0]),
        Cell(["Cells were dirty."], [False], [10.0]),
        Cell(["Rota set.", "Checks made.", "Paint bought."], [False] * 3, [10.0, 40.0, 70.0]),
        Cell(["Head of Residence", "Works manager"], [False] * 2, [10.0, 70.0]),
        Cell(["May 2024", "June 2024"], [False] * 2, [10.0, 70.0]),
    ]
    concerns, _ = build_concerns(table_rows(by_position(row, roles), roles))
    got = [(a.text, a.owner_raw, a.target_raw) for a in concerns[0].actions]
    assert got == [
        ("Rota set.\n\nChecks made.", "Head of Residence", "May 2024"),
        ("Paint bought.", "Works manager", "June 2024"),
    ]


def test_entries_stacked_at_the_top_stay_paired_by_count():
    from actionnlp.read.pdf import by_position
    from actionnlp.read.table import Cell

    roles = ["id", "concern", "response", "owner", "target"]
    row = [
        Cell(["1"], [False], [10.0]),
        Cell(["Cells were dirty."], [False], [10.0]),
        Cell(["Rota set.", "Checks made.", "Paint bought."], [False] * 3, [10.0, 40.0, 70.0]),
        Cell(["Head of Residence", "Works manager"], [False] * 2, [10.0, 21.0]),
        Cell(["May 2024", "June 2024"], [False] * 2, [10.0, 21.0]),
    ]
    assert by_position(row, roles) == [row]


def _page_texts(path: Path) -> list[str]:
    """Each page's table cells as pdfplumber extracts them, squashed, ``|`` between cells
    (a page's plain text interleaves the lines of the columns)."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [
            "|".join(
                squash(cell or "")
                for table in page.extract_tables()
                for row in table
                for cell in row
            )
            for page in pdf.pages
        ]


def _pages_with(words: list[str], texts: list[str]) -> list[int]:
    phrase = squash(" ".join(words))
    return [k for k, text in enumerate(texts, start=1) if phrase in text]


@pytest.mark.parametrize(
    "path", [FIXTURES / "stafford-2020.pdf", FIXTURES / "layouts" / "littlehey-2024--t1.pdf"]
)
def test_each_row_carries_the_page_it_starts_on(path):
    """Pages run from the first page of the table to the last page of the PDF, in order;
    each concern's first words are printed on its page, and an action never has a page
    after the one where its own text starts."""
    plan = read_pdf(path)
    texts = _page_texts(path)
    pages = [a.page for a in plan.actions]
    assert all(isinstance(p, int) for p in pages)
    assert pages == sorted(pages)
    assert pages[0] in (1, 2)
    assert pages[-1] == len(texts)  # the plan table runs to the last page of these PDFs
    assert [c.page for c in plan.concerns] == sorted(c.page for c in plan.concerns)
    for c in plan.concerns:
        assert c.page in _pages_with(c.concern_text.split()[:5], texts), c.id
        assert all(c.page <= a.page for a in c.actions), c.id
        assert c.actions[0].page == c.page, c.id  # the first action is on the concern's row
    checked = 0
    for a in plan.actions:
        starts = _pages_with(a.text.split()[:6], texts)
        if len(starts) == 1:  # words printed once: the page where the action's text starts
            assert a.page <= starts[0], a.text[:40]
            checked += 1
    assert checked >= 0.8 * len(plan.actions)


def test_a_row_broken_across_pages_has_its_first_page():
    """A paragraph that starts at the foot of page p and ends on page p + 1 (its row
    stitched back together across the break) is on page p."""
    path = FIXTURES / "stafford-2020.pdf"
    plan = read_pdf(path)
    texts = _page_texts(path)
    broken = []
    for a in plan.actions:
        words = a.text.split()
        head, tail = _pages_with(words[:5], texts), _pages_with(words[-5:], texts)
        if len(head) == 1 and head[0] not in tail and head[0] + 1 in tail:
            broken.append((a, head[0]))
    assert broken, "the fixture has paragraphs broken across a page"
    for a, first in broken:
        assert a.page <= first, a.text[:40]
    stitched = [a for a, first in broken if a.page == first]
    assert stitched  # and the paragraphs that open their row are on the page they start


def test_pages_are_none_outside_pdf_tables():
    for path in (FIXTURES / "stafford-2020.docx", FIXTURES / "stafford-2020.html"):
        plan = actionnlp.read_plan(path)
        assert {a.page for a in plan.actions} == {None}
        assert {c.page for c in plan.concerns} == {None}
    frame = actionnlp.read_plan(FIXTURES / "stafford-2020.pdf").to_frame("actions")
    assert str(frame["page"].dtype) == "Int64" and frame["page"].notna().all()


# -- rows cut by a page break whose column rules are left open (a browser's PDF) -------
def _pdf_pages(pages: list[bytes]) -> bytes:
    """A minimal PDF (US Letter, Helvetica) whose pages draw ``pages``."""
    n = len(pages)
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(n))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, content in enumerate(pages):
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


COLS = (40, 80, 230, 430, 510, 580)  # No | Concern | Response | Owner | Target date


def _grid(top: float, bottom: float, rows: list[float]) -> bytes:
    """Column rules from ``top`` down to ``bottom`` (PDF y) and a line at each of ``rows``."""
    ops = b"0.5 w\n"
    ops += b"".join(b"%d %.1f m %d %.1f l S\n" % (x, top, x, bottom) for x in COLS)
    ops += b"".join(b"%d %.1f m %d %.1f l S\n" % (COLS[0], y, COLS[-1], y) for y in rows)
    return ops


def _texts(cells: list[tuple[int, float, str]]) -> bytes:
    """Text in column ``j`` at PDF height ``y``."""
    return b"".join(
        b"BT /F1 9 Tf %d %.1f Td (%s) Tj ET\n" % (COLS[j] + 4, y, t.encode()) for j, y, t in cells
    )


@pytest.mark.parametrize("topic", ["showers", "library", "kitchen"])
def test_rows_whose_rules_stay_open_at_page_breaks_are_kept(tmp_path, topic):
    """A row that runs over three pages, printed with its column rules open at each cut
    (no line at the page foot, none at the next page's head, as Chromium prints): the
    pages holding only the middle of the row are read into it, and the row after it
    on the last page is found."""
    head = [(0, 760, "No"), (1, 760, "Concern"), (2, 760, "Response"), (3, 760, "Owner")]
    head.append((4, 760, "Target date"))
    first = [(0, 735, "1"), (1, 735, f"The {topic} were dirty."), (2, 735, "A rota is set.")]
    first += [(3, 735, "Governor"), (4, 735, "May 2025")]
    second = [(0, 700, "2"), (1, 700, f"The {topic} were closed."), (3, 700, "Head of Estates")]
    second += [(4, 700, "June 2025")]
    second += [(2, 700 - 12 * k, f"Line {k} of the plan for the {topic}") for k in range(50)]
    middle = [(2, 760 - 12 * k, f"Middle {k} of the plan for the {topic}") for k in range(55)]
    last = [(2, 760, f"The {topic} reopen in the spring."), (0, 730, "3")]
    last += [(1, 730, f"Staff did not check the {topic}."), (2, 730, "Checks are daily.")]
    last += [(3, 730, "Custodial Manager"), (4, 730, "July 2025")]
    pages = [
        _grid(775, 40, [775, 750, 715]) + _texts(head + first + second),  # open at the foot
        _grid(770, 40, []) + _texts(middle),  # open at both ends
        _grid(770, 700, [745, 700]) + _texts(last),  # open at the head
    ]
    path = tmp_path / "plan.pdf"
    path.write_bytes(_pdf_pages(pages))
    plan = read_pdf(path)
    assert [c.id for c in plan.concerns] == ["1", "2", "3"]
    response = " ".join(a.text for a in plan.concerns[1].actions)
    for k in (0, 49):
        assert f"Line {k} of the plan" in response
    for k in (0, 30, 54):
        assert f"Middle {k} of the plan" in response
    assert f"The {topic} reopen in the spring." in response
    assert plan.concerns[2].actions[0].text == "Checks are daily."
    assert plan.concerns[2].actions[0].owner_raw == "Custodial Manager"


@pytest.mark.parametrize("topic", ["showers", "library"])
def test_a_repeated_header_below_an_empty_row_is_skipped(tmp_path, topic):
    """A page whose table opens with an empty row (rules running in from beyond the page
    top) and then repeats the header: the header is skipped, not read as a concern."""
    head = ["No", "Concern", "Response", "Owner", "Target date"]
    first = [(0, 735, "1"), (1, 735, f"The {topic} were dirty."), (2, 735, "A rota is set.")]
    first += [(3, 735, "Governor"), (4, 735, "May 2025")]
    second = [(0, 715, "2"), (1, 715, f"The {topic} were closed."), (2, 715, "They reopen.")]
    second += [(3, 715, "Head of Estates"), (4, 715, "June 2025")]
    pages = [
        _grid(775, 700, [775, 750, 700])
        + _texts([(j, 760, t) for j, t in enumerate(head)] + first),
        _grid(775, 690, [775, 750, 725, 690])
        + _texts([(j, 735, t) for j, t in enumerate(head)] + second),
    ]
    path = tmp_path / "plan.pdf"
    path.write_bytes(_pdf_pages(pages))
    plan = read_pdf(path)
    assert [c.id for c in plan.concerns] == ["1", "2"]
    assert [a.text for a in plan.concerns[1].actions] == ["They reopen."]
    assert not {"clipped_id", "duplicate_id"} & {p.kind for p in plan.problems}
