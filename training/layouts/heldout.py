"""Render the held-out layout set: layouts no reader is tuned on.

Run from the repository root (needs what ``render.py`` needs, the fonts Carlito and
Caladea (``apt-get install fonts-crosextra-carlito fonts-crosextra-caladea``) and
``chromium``)::

    make layouts-heldout   # = .venv/bin/python training/layouts/heldout.py

The development matrix (``tests/fixtures/layouts``, ``render.py``) is what the readers
were built and tuned on, so its figures flatter them. This script renders the same four
labelled plans again under settings the development matrix never uses, drawn once with
a fixed seed (:data:`SEED`) from the spaces below, before any reader was run on them:

- page: A4 or US Letter; margins 1.0 to 2.54 cm (development: A4, 1.5 cm);
- font: Carlito (Calibri's metrics, Word's default), Caladea (Cambria's), Liberation
  Serif, Liberation Sans Narrow, DejaVu Sans or DejaVu Serif, 8 to 12 pt
  (development: Liberation Sans 9 pt);
- column widths: proportions drawn around a typical plan's, not the development's
  fixed width tables; cell padding (development: the Table Grid default);
- paragraphs: space after 0 / 3 / 8 / 12 pt and line spacing 1.0 / 1.08 / 1.15
  (development: 0 or 6 pt, single);
- rows allowed to break across pages or kept whole; header row repeated or not;
  header wording as printed or with other spacing and case;
- ids of the plans' shapes with other numbers ("2.01" for "5.01", "S3" for "S12",
  "4.1" for "1.1"); both eras; entries stacked, level or grouped.

Every document is produced twice: LibreOffice (DOCX -> PDF and HTML, as the
development matrix) and a second producer, ``web``: the same table as an HTML page
with CSS (``<thead>``, ``rowspan``, ``@page``) printed to PDF by headless Chromium
(Skia's PDF writer, a different text layer from LibreOffice's). Each PDF and HTML is
then turned into text by the development matrix's extractors; the web forms are
named ``web-<form>``.

Everything goes to ``tests/fixtures/layouts-heldout/`` in the development matrix's
format (``manifest.json``, ``truth/``), plus ``settings.json`` (the drawn settings);
``make matrix-heldout`` scores it into ``docs/reading-heldout.md``. Nobody tunes a
reader on these files: tests only check that they read without error.

The same generator with another seed gives a **development draw**, which readers may be
tuned on (``make layouts-dev2`` = ``heldout.py --seed 7 --prefix d --out
tests/fixtures/layouts-dev2``; ``make matrix-dev2`` scores it into
``docs/reading-dev2.md``). The held-out draw is only ever measured.

Rendering again gives the same settings, truth and texts, except that pdfminer.six's
text of a PDF may come out in another order from run to run (seen on one file, even
with ``PYTHONHASHSEED`` fixed), and the PDFs and DOCX carry their creation time.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import render

ROOT = render.ROOT
OUT = ROOT / "tests" / "fixtures" / "layouts-heldout"
SEED = 20261205  # drawn once; changing it changes the held-out set
PER_PLAN = 3
CM_PER_PAGE = {"A4": (21.0, 29.7), "Letter": (21.59, 27.94)}
FONTS = ("Carlito", "Caladea", "Liberation Serif", "Liberation Sans Narrow", "DejaVu Sans")
FONTS += ("DejaVu Serif",)
SIZES = (8, 10, 10.5, 11, 12)
MARGINS = (1.0, 1.27, 2.0, 2.54)
PADS = (0.05, 0.1, 0.3, 0.4)  # cm left and right of a cell's text (Table Grid: 0.19)
PAD_TB = (0.0, 0.05, 0.15)  # cm above and below
AFTER = (0, 3, 8, 12)  # pt after a paragraph
LINE = (1.0, 1.08, 1.15)
IDS = ("native", "plain", "dotted", "zero", "S", "section")
ENTRIES = ("stacked", "level", "group")
# A typical plan's column shares (id, concern, [decision,] response, owner, target);
# each template scales every share by a random factor in [0.7, 1.4].
SHARES = {5: (0.07, 0.30, 0.40, 0.13, 0.10), 6: (0.06, 0.25, 0.10, 0.34, 0.13, 0.12)}
HEADER_VARIANTS = {
    "concerns": ["No.", "Concern", "Response: Action Taken / Planned", "Responsible owner",
                 "Target date"],
    "recommendations": ["Rec. No.", "Recommendation", "Agreed / Partly Agreed / Not Agreed",
                        "Response: Action Taken / Planned", "Responsible owner", "Target date"],
}  # fmt: skip
PDF_TEXT = render.PDF_TEXT
HTML_TEXT = render.HTML_TEXT


@dataclass(frozen=True)
class Heldout:
    """The drawn settings of one held-out document."""

    name: str
    era: str
    ids: str
    id_base: int  # the number the id shape starts from ("S3", "2.01", "4.1")
    landscape: bool
    page: str  # A4 | Letter
    margin_cm: float
    font: str
    size_pt: float
    widths_cm: tuple[float, ...]
    pad_cm: float
    pad_tb_cm: float
    space_after_pt: float
    line_spacing: float
    repeat_header: bool
    rows_split: bool  # a row may break across pages
    header: str  # printed | variant
    entries: str
    concern_cell: str

    def template(self) -> render.Template:
        """The development template fields the truth and the table follow."""
        return render.Template(
            self.name, self.era, "native", self.landscape, "wide", self.repeat_header,
            self.space_after_pt, self.entries, self.concern_cell,
        )  # fmt: skip


def _balanced(rng: random.Random, options: tuple, n: int) -> list:
    """n draws in which every option appears equally often (give or take one)."""
    out = [options[i % len(options)] for i in range(n)]
    rng.shuffle(out)
    return out


def draw(
    seed: int = SEED, plans: tuple[str, ...] = render.PLANS, prefix: str = "h"
) -> list[Heldout]:
    """The held-out settings: PER_PLAN per plan, each plan in both eras; the page,
    margin, font, size, padding, spacing, id and entry settings balanced over the set.
    Another seed (and name prefix) gives a development draw of the same generator."""
    rng = random.Random(seed)
    n = PER_PLAN * len(plans)
    balanced = {
        "page": _balanced(rng, tuple(CM_PER_PAGE), n),
        "margin_cm": _balanced(rng, MARGINS, n),
        "font": _balanced(rng, FONTS, n),
        "size_pt": _balanced(rng, SIZES, n),
        "pad_cm": _balanced(rng, PADS, n),
        "pad_tb_cm": _balanced(rng, PAD_TB, n),
        "space_after_pt": _balanced(rng, AFTER, n),
        "line_spacing": _balanced(rng, LINE, n),
        "ids": _balanced(rng, IDS, n),
        "entries": _balanced(rng, ENTRIES, n),
        "repeat_header": _balanced(rng, (True, False), n),
        "header": _balanced(rng, ("printed", "variant"), n),
        "concern_cell": _balanced(rng, ("paras", "inline"), n),
    }
    out = []
    for _ in plans:
        eras = ["concerns", "recommendations", rng.choice(["concerns", "recommendations"])]
        rng.shuffle(eras)
        for era in eras[:PER_PLAN]:
            k = len(out)
            got = {key: values[k] for key, values in balanced.items()}
            landscape = rng.random() < 2 / 3  # most plans are landscape
            w, h = CM_PER_PAGE[got["page"]]
            usable = (h if landscape else w) - 2 * got["margin_cm"]
            shares = [s * rng.uniform(0.7, 1.4) for s in SHARES[5 if era == "concerns" else 6]]
            widths = tuple(round(usable * s / sum(shares), 2) for s in shares)
            base = {"dotted": rng.choice([2, 3, 4, 6]), "zero": rng.choice([2, 3, 4, 6, 7])}
            base |= {"S": rng.choice([1, 3, 20, 31])}
            out.append(
                Heldout(
                    name=f"{prefix}{k + 1}",
                    era=era,
                    id_base=base.get(got["ids"], 1),
                    landscape=landscape,
                    widths_cm=widths,
                    rows_split=rng.random() < 0.7,
                    **got,
                )
            )
    return out


# -- truth --------------------------------------------------------------------------------
def new_id(h: Heldout, i: int, section: str | None, counters: dict[str, int]) -> str:
    """The id a held-out document prints for the i-th concern (0-based)."""
    sec = section or "general"
    counters[sec] = counters.get(sec, 0) + 1
    if h.ids == "plain":
        return str(i + 1)
    if h.ids == "dotted":
        return f"{h.id_base + list(render.SECTION_LETTER).index(sec)}.{counters[sec]}"
    if h.ids == "zero":
        return f"{h.id_base}.{i + 1:02d}"
    if h.ids == "S":
        return f"S{h.id_base + i}"
    if h.ids == "section":
        return f"{render.SECTION_LETTER[sec]}{counters[sec]}"
    raise ValueError(h.ids)


def truth_for(native: dict, h: Heldout) -> dict:
    truth = render.truth_for(native, h.template())
    if h.ids != "native":
        counters: dict[str, int] = {}
        for i, c in enumerate(truth["concerns"]):
            c["id"] = new_id(h, i, c["section"], counters)
    return truth


# -- DOCX (LibreOffice producer) ----------------------------------------------------------
def write_docx(doc, path: Path, h: Heldout, mf) -> None:
    """The project's DOCX renderer, then the held-out page, font, spacing and cells."""
    import docx
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    style = mf.Style(h.landscape, h.widths_cm, h.repeat_header, h.space_after_pt)
    mf.write_docx(doc, path, style)
    d = docx.Document(str(path))
    sec = d.sections[0]
    w, ht = CM_PER_PAGE[h.page]
    sec.page_width, sec.page_height = (Cm(ht), Cm(w)) if h.landscape else (Cm(w), Cm(ht))
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(h.margin_cm))
    normal = d.styles["Normal"]
    normal.font.name = h.font
    normal.font.size = Pt(h.size_pt)
    fmt = normal.paragraph_format
    fmt.space_after = Pt(h.space_after_pt)
    fmt.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    fmt.line_spacing = h.line_spacing
    table = d.tables[0]
    tblpr = table._tbl.tblPr
    for old in tblpr.findall(qn("w:tblCellMar")):
        tblpr.remove(old)
    mar = OxmlElement("w:tblCellMar")
    for side, cm in (("top", h.pad_tb_cm), ("left", h.pad_cm), ("bottom", h.pad_tb_cm),
                     ("right", h.pad_cm)):  # fmt: skip
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(round(cm * 567)))  # twentieths of a point
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tblpr.append(mar)
    if not h.rows_split:
        for row in table.rows[1:]:
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    d.save(str(path))


# -- HTML + Chromium (web producer) ------------------------------------------------------
def write_web_html(doc, path: Path, h: Heldout) -> None:
    """The table as a web page: CSS page and cells, <thead>, rowspan for joined rows."""
    e = html.escape
    w, ht = CM_PER_PAGE[h.page]
    pw = ht if h.landscape else w
    usable = pw - 2 * h.margin_cm
    page = f"{h.page} {'landscape' if h.landscape else 'portrait'}"
    css = [
        f"@page {{ size: {page}; margin: {h.margin_cm}cm; }}",
        f"body {{ font-family: '{h.font}'; font-size: {h.size_pt}pt; "
        f"line-height: {h.line_spacing * 1.15:.2f}; }}",
        "table { border-collapse: collapse; table-layout: fixed; width: 100%; }",
        f"td, th {{ border: 1px solid #000; vertical-align: top; text-align: left; "
        f"padding: {h.pad_tb_cm}cm {h.pad_cm}cm; }}",
        f"p {{ margin: 0 0 {h.space_after_pt}pt 0; }}",
    ]
    if not h.rows_split:
        css.append("tr { break-inside: avoid; }")
    style = "\n".join(css)
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">']
    out += ["<title>Action plan</title>", f"<style>\n{style}\n</style></head><body>"]
    out.append("<p>HM Prison &amp; Probation Service</p>")
    out += [f"<p>{e(line)}</p>" for line in doc.opening]
    out.append("<p><strong>ACTION PLAN: HMIP REPORT</strong></p>")
    out.append("<table><colgroup>")
    out += [f'<col style="width: {x / usable:.1%}">' for x in h.widths_cm]
    out.append("</colgroup>")
    head = "<tr>" + "".join(f"<th>{e(t)}</th>" for t in doc.header) + "</tr>"
    out += ["<thead>", head, "</thead><tbody>"] if h.repeat_header else ["<tbody>", head]
    n = len(doc.header)
    for k, row in enumerate(doc.rows):
        if row.heading:
            text = e(row.cells[1][0])
            out.append(f'<tr><td></td><td colspan="{n - 1}"><strong>{text}</strong></td></tr>')
            continue
        span = 1
        while k + span < len(doc.rows) and doc.rows[k + span].joined:
            span += 1
        tds = []
        for i, paras in enumerate(row.cells):
            if i < row.joined:
                continue  # under the rowspan of the row above
            rs = f' rowspan="{span}"' if span > 1 and i < len(row.cells) - 3 else ""
            inner = "".join(f"<p>{e(p)}</p>" for p in paras if p)
            tds.append(f"<td{rs}>{inner}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</tbody></table>")
    if doc.totals:
        out.append(f"<p>&nbsp;</p><p>{e(doc.totals_title or '')}</p><table>")
        out += [f"<tr><td>{e(a)}</td><td>{e(b)}</td></tr>" for a, b in doc.totals]
        out.append("</table>")
    out.append("</body></html>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def chromium_pdf(html_path: Path, pdf_path: Path) -> None:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise SystemExit("chromium is needed for the web producer: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
             f"--user-data-dir={tmp}", f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip


# -- main ---------------------------------------------------------------------------------
def _check_fonts(settings: list[Heldout]) -> None:
    have = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    families = {f.strip() for line in have.splitlines() for f in line.split(",")}
    missing = sorted({h.font for h in settings} - families)
    if missing:
        raise SystemExit(f"fonts missing (the renders would substitute them): {missing}")


def _entry(file: str, plan: str, h: Heldout, form: str, producer: str, extractor: str) -> dict:
    return {
        "file": file,
        "plan": plan,
        "template": h.name,
        "variant": asdict(h),
        "form": form,
        "producer": producer,
        "extractor": extractor,
        "truth": f"truth/{plan}--{h.name}.json",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--seed", type=int, default=SEED, help="another seed: a development draw")
    ap.add_argument("--prefix", default="h", help="the documents' name prefix (h1, h2, ...)")
    args = ap.parse_args(argv)
    out: Path = args.out
    settings = draw(args.seed, prefix=args.prefix)
    _check_fonts(settings)
    if out.exists():
        shutil.rmtree(out)
    (out / "truth").mkdir(parents=True)
    (out / "settings.json").write_text(
        json.dumps({"seed": args.seed, "templates": [asdict(h) for h in settings]}, indent=1) + "\n"
    )
    mf = render.fixtures_module()
    docs: list[tuple[str, Heldout]] = []
    for k, name in enumerate(render.PLANS):
        native = render.native_truth(name)
        for h in settings[k * PER_PLAN : (k + 1) * PER_PLAN]:
            truth = truth_for(native, h)
            stem = f"{name}--{h.name}"
            (out / "truth" / f"{stem}.json").write_text(json.dumps(truth, indent=1))
            doc = render.build(truth, h.template(), mf)
            if h.header == "variant":
                doc.header = list(HEADER_VARIANTS[h.era])
            write_docx(doc, out / f"{stem}.docx", h, mf)
            write_web_html(doc, out / f"{stem}.web.html", h)
            chromium_pdf(out / f"{stem}.web.html", out / f"{stem}.web.pdf")
            docs.append((name, h))
    render.soffice([out / f"{n}--{h.name}.docx" for n, h in docs], "pdf", out)
    render.soffice([out / f"{n}--{h.name}.docx" for n, h in docs], "html:HTML (StarWriter)", out)
    manifest: list[dict] = []
    for name, h in docs:
        stem = f"{name}--{h.name}"
        for producer, prefix, pdf, page in (
            ("LibreOffice", "", f"{stem}.pdf", f"{stem}.html"),
            ("Chromium", "web-", f"{stem}.web.pdf", f"{stem}.web.html"),
        ):
            if not prefix:
                manifest.append(_entry(f"{stem}.docx", name, h, "docx", producer, "python-docx"))
            manifest.append(_entry(pdf, name, h, f"{prefix}pdf", producer, producer))
            manifest.append(_entry(page, name, h, f"{prefix}html", producer, producer))
            texts = render.pdf_texts(out / pdf) | render.html_texts(out / page)
            for form, text in texts.items():
                file = f"{stem}.{prefix}{form}.txt"
                (out / file).write_text(render.tidy(text), encoding="utf-8")
                manifest.append(
                    _entry(file, name, h, f"{prefix}{form}", producer, render.EXTRACTORS[form])
                )
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"{len(manifest)} files, {total / 1e6:.1f} MB in {out}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
