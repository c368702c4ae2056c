"""Render the labelled plans into a matrix of layouts: the development set for reading.

Run from the repository root (needs python-docx, LibreOffice, poppler-utils, w3m,
lynx and the ``layouts`` extra: pypdf, beautifulsoup4)::

    make layouts        # = .venv/bin/python training/layouts/render.py

Each labelled plan of ``training/data`` (its concern ids, texts, actions, owners and
targets; the sections, decisions and the concern / recommendation split come from the
reader, which reads the sample texts exactly, and are checked against the labels) is
written back as a Word document under a few *templates* (era, numbering style, page
geometry, paragraph spacing, where owner and target entries stand), with the one
document renderer of ``tests/fixtures/make_fixtures.py``. Each document is then
turned into every form a researcher may hold: the DOCX itself, LibreOffice's PDF and
HTML of it, the text of the PDF from poppler ``pdftotext`` (default, ``-layout``,
``-raw``), pdfplumber (``extract_text`` plain and ``layout=True``), pypdf and
pdfminer.six, and the text of the HTML from ``w3m -dump``, ``lynx -dump`` and
BeautifulSoup ``get_text``. The four sample texts are in the matrix as they are.

Everything goes to ``tests/fixtures/layouts/``: the files, one truth file per
rendered document (``truth/<plan>--<template>.json``: the structure the document
prints) and ``manifest.json`` (per file: plan, template, variant, extractor, form and
its truth file). ``training/layouts/evaluate.py`` scores the reader on it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "layouts"
PLANS = ("littlehey-2024", "peterborough-2024", "stafford-2020", "whitemoor-2023")
PDF_TEXT = ("pdftotext", "pdftotext-layout", "pdftotext-raw", "pdfplumber", "pdfplumber-layout")
PDF_TEXT += ("pypdf", "pdfminer")
HTML_TEXT = ("w3m", "lynx", "bs4")
FORMS = ("sample-text", "docx", "pdf", "html", *PDF_TEXT, *HTML_TEXT)
EXTRACTORS = {  # form -> what made its text
    "sample-text": "none", "docx": "python-docx", "pdf": "LibreOffice", "html": "LibreOffice",
    "w3m": "w3m -dump", "lynx": "lynx -dump -nolist", "bs4": "BeautifulSoup get_text",
    "pdftotext": "pdftotext", "pdftotext-layout": "pdftotext -layout",
    "pdftotext-raw": "pdftotext -raw", "pdfplumber": "pdfplumber extract_text",
    "pdfplumber-layout": "pdfplumber extract_text(layout=True)", "pypdf": "pypdf",
    "pdfminer": "pdfminer.six extract_text",
}  # fmt: skip


def fixtures_module() -> ModuleType:
    """The fixture builder ``tests/fixtures/make_fixtures.py`` (its ``Doc``, ``Style``,
    ``build_doc`` and ``write_docx``), loaded from its file (``tests`` is no installed
    package) and registered as ``make_fixtures`` so its dataclasses resolve."""
    spec = importlib.util.spec_from_file_location(
        "make_fixtures", ROOT / "tests" / "fixtures" / "make_fixtures.py"
    )
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["make_fixtures"] = mod
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


@dataclass(frozen=True)
class Template:
    """What varies between rendered documents of one plan."""

    name: str
    era: str  # "concerns" (5 columns) or "recommendations" (6, with the decision)
    ids: str  # native | plain | dotted | zero | S | section
    landscape: bool
    columns: str  # "wide" (a wide response column) or "narrow" (every column narrow)
    repeat_header: bool
    para_space: float  # points between paragraphs in a cell
    entries: str  # stacked | level | group (see _rows)
    concern_cell: str = "paras"  # paras ("Key concern: ..." / "Recommendation: ...") | inline


# Six templates; plan k gets templates k, k+2, k+4 (mod 6), so each is used twice and
# every plan is seen in both eras.
TEMPLATES = (
    Template("t1", "concerns", "native", True, "wide", True, 6, "stacked"),
    Template("t2", "recommendations", "zero", False, "narrow", False, 0, "level"),
    Template("t3", "recommendations", "section", True, "narrow", True, 0, "group", "inline"),
    Template("t4", "concerns", "S", False, "wide", True, 0, "level"),
    Template("t5", "recommendations", "dotted", True, "wide", False, 0, "stacked", "inline"),
    Template("t6", "concerns", "plain", False, "narrow", False, 6, "group"),
)
WIDTHS = {  # cm; usable width 26.7 (landscape) / 18.0 (portrait)
    (True, "wide", 6): (1.6, 6.0, 2.6, 10.5, 3.3, 2.7),
    (True, "narrow", 6): (1.5, 8.5, 2.4, 7.6, 3.8, 2.9),
    (True, "wide", 5): (1.7, 7.0, 12.0, 3.4, 2.6),
    (True, "narrow", 5): (1.7, 9.5, 8.5, 4.2, 2.8),
    (False, "wide", 6): (1.3, 4.0, 1.9, 6.6, 2.3, 1.9),
    (False, "narrow", 6): (1.3, 5.0, 1.9, 5.0, 2.7, 2.1),
    (False, "wide", 5): (1.3, 4.5, 7.7, 2.5, 2.0),
    (False, "narrow", 5): (1.3, 6.0, 5.6, 2.9, 2.2),
}
SECTION_LETTER = {"priority": "P", "key": "K", "general": "R"}


def templates_for(k: int) -> list[Template]:
    return [TEMPLATES[(k + 2 * j) % len(TEMPLATES)] for j in range(3)]


# -- truth ------------------------------------------------------------------------------
def native_truth(name: str) -> dict:
    """The plan's structure: labels of training/data, checked against the reader's."""
    from actionnlp import read_plan

    plan = read_plan(ROOT / "actionnlp" / "data" / "samples" / f"{name}.txt")
    labels = [json.loads(x) for x in (ROOT / "training" / "data" / f"{name}.jsonl").open()]
    concerns = {r["concern_id"]: r for r in labels if r["unit"] == "concern"}
    actions: dict[str, list[dict]] = {}
    for r in labels:
        if r["unit"] == "action":
            actions.setdefault(r["concern_id"], []).append(r)
    if [c.id for c in plan.concerns] != list(concerns):
        raise SystemExit(f"{name}: the reader's concern ids differ from the labels")
    out = []
    for c in plan.concerns:
        if c.full_text != concerns[c.id]["text"]:
            raise SystemExit(f"{name} {c.id}: the reader's concern text differs from the label")
        acts = sorted(actions.get(c.id, []), key=lambda r: r["action_index"])
        if [a.text for a in c.actions] != [r["text"] for r in acts]:
            raise SystemExit(f"{name} {c.id}: the reader's actions differ from the labels")
        out.append(
            {
                "id": c.id,
                "section": c.section,
                "directed_to": c.directed_to,
                "agreement": c.agreement,
                "ref": c.ref,
                "concern_text": c.concern_text,
                "recommendation_text": c.recommendation_text,
                "actions": [
                    {
                        "text": r["text"],
                        "kind": r["kind"],
                        "owner": r["owner_raw"],
                        "target": r["target_raw"],
                    }
                    for r in acts
                ],
                "paired": True,  # the labels pair every entry with its action
            }
        )
    return {
        "plan": name,
        "prison": plan.prison,
        "era": plan.era,
        "plan_submitted": str(plan.plan_submitted) if plan.plan_submitted else None,
        "report_published": str(plan.report_published) if plan.report_published else None,
        "inspection_dates": [str(d) for d in plan.inspection_dates]
        if plan.inspection_dates
        else None,
        "stated_totals": plan.stated_totals,
        "concerns": out,
    }


def _new_id(style: str, i: int, c: dict, counters: dict) -> str:
    sec = c["section"] or "general"
    counters[sec] = counters.get(sec, 0) + 1
    if style == "plain":
        return str(i + 1)
    if style == "dotted":
        return f"{list(SECTION_LETTER).index(sec) + 1}.{counters[sec]}"
    if style == "zero":
        return f"5.{i + 1:02d}"
    if style == "S":
        return f"S{i + 12}"
    if style == "section":
        return f"{SECTION_LETTER[sec]}{counters[sec]}"
    raise ValueError(style)


def _decision(i: int) -> str:
    return "not_agreed" if i % 7 == 5 else "partly_agreed" if i % 4 == 2 else "agreed"


def truth_for(native: dict, t: Template) -> dict:
    """The structure a document rendered under ``t`` prints (what a reader should get)."""
    counters: dict[str, int] = {}
    concerns = []
    for i, c in enumerate(native["concerns"]):
        c = {**c, "actions": [dict(a) for a in c["actions"]]}
        if t.ids != "native":
            c["id"] = _new_id(t.ids, i, c, counters)
        if t.era == "concerns":  # no decision, so no paragraph explains one
            c["agreement"] = None
            c["actions"] = [{**a, "kind": "action"} for a in c["actions"]]
        elif c["agreement"] is None:
            c["agreement"] = _decision(i)
        if t.entries == "group":
            c["actions"] = _grouped(c["actions"])
        steps = [a for a in c["actions"] if a["kind"] == "action"]
        paras = [p for a in steps for p in a["text"].split("\n\n")]
        owners, targets = _entries(steps, "owner"), _entries(steps, "target")
        c["paired"] = t.entries != "stacked" or (len(paras) == len(owners) == len(targets))
        concerns.append(c)
    return {
        **{k: v for k, v in native.items() if k != "concerns"},
        "template": t.name,
        "era": t.era,
        "concerns": concerns,
    }


def _grouped(actions: list[dict]) -> list[dict]:
    """One owner and target entry for all the steps of a concern."""
    steps = [a for a in actions if a["kind"] == "action"]
    if len(steps) < 2:
        return actions
    owners, targets = _entries(steps, "owner"), _entries(steps, "target")
    group = {
        "text": "\n\n".join(a["text"] for a in steps),
        "kind": "action",
        "owner": owners[0] if owners else None,
        "target": targets[-1] if targets else None,
    }
    return [a for a in actions if a["kind"] != "action"] + [group]


# -- documents --------------------------------------------------------------------------
def _concern_paras(c: dict, t: Template, mf) -> list[str]:
    rec = c["recommendation_text"]
    text = c["concern_text"]
    if t.era == "concerns":
        return [text] + ([rec] if rec and rec != text else [])
    ref = f" ({c['ref']})" if c["ref"] else ""
    tail = f" (Directed to: {mf._directed(c['directed_to'])})" if c["directed_to"] else ""
    if rec and rec == text:
        return [f"Recommendation{ref}: {rec}{tail}"]
    if t.concern_cell == "inline":
        return [f"Concern{ref}: {text}" + (f" Recommendation: {rec}" if rec else "") + tail]
    if rec:
        return [f"Key concern{ref}: {text}", f"Recommendation: {rec}{tail}"]
    return [f"Key concern{ref}: {text}{tail}"]


def build(truth: dict, t: Template, mf):
    """The document (make_fixtures ``Doc``) a template prints for a truth."""
    opening = [f"Action Plan: {truth['prison']}"]
    if truth["plan_submitted"]:
        opening.append(f"Action Plan Submitted: {_day(truth['plan_submitted'])}")
    if truth["inspection_dates"]:
        a, b = truth["inspection_dates"]
        opening.append(f"A Response to the HMIP Inspection: {_day(a)} to {_day(b)}")
    if truth["report_published"]:
        opening.append(f"Report Published: {_day(truth['report_published'])}")
    header = mf.HEADERS[t.era]
    doc = mf.Doc(opening, header)
    six = len(header) == 6
    section = directed = None
    for c in truth["concerns"]:
        if c["section"] != section and c["section"]:
            title = mf.SECTION_TITLES[(t.era, c["section"])]
            doc.rows.append(mf.Row([[""], [title]], heading=True))
            section, directed = c["section"], None
        if t.era == "recommendations" and c["directed_to"] and c["directed_to"] != directed:
            text = f"Directed to {mf._directed(c['directed_to'])}"
            doc.rows.append(mf.Row([[""], [text]], heading=True))
            directed = c["directed_to"]
        head = [[c["id"]], _concern_paras(c, t, mf)]
        if six:
            head.append([mf.AGREEMENT.get(c["agreement"] or "", "")])
        for k, cells in enumerate(_rows(c, t)):
            row = mf.Row((head if k == 0 else [[""] for _ in head]) + cells)
            row.joined = len(head) if k else 0
            doc.rows.append(row)
    if truth["stated_totals"] and t.era == "recommendations" == truth["era"]:
        labels = {"agreed": "Agreed", "partly_agreed": "Partly Agreed"}
        labels |= {"not_agreed": "Not Agreed", "total": "Total"}
        doc.totals_title = "Recommendations"
        doc.totals = [(labels[k], str(v)) for k, v in truth["stated_totals"].items()]
    return doc


def _rows(c: dict, t: Template) -> list[list[list[str]]]:
    """Response, owner and target cells of the printed row(s) of one concern."""
    if t.entries == "level":  # one printed row per action, entries level with it
        return [
            [a["text"].split("\n\n"), _entries([a], "owner"), _entries([a], "target")]
            for a in c["actions"]
        ]
    response = [p for a in c["actions"] for p in a["text"].split("\n\n")]
    steps = [a for a in c["actions"] if a["kind"] == "action"]
    return [[response, _entries(steps, "owner"), _entries(steps, "target")]]


def _entries(actions: list[dict], key: str) -> list[str]:
    """The printed entries: an action's several entries (joined "; ") one per line."""
    return [e for a in actions if a[key] for e in a[key].split("; ")]


def _day(iso: str) -> str:
    from datetime import date

    d = date.fromisoformat(iso)
    return f"{d.day} {d:%B %Y}"


# -- extractors ---------------------------------------------------------------------------
def _run(cmd: list[str], out: Path | None = None) -> None:
    res = subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    if out is not None:
        out.write_bytes(res.stdout)


def soffice(docs: list[Path], target: str, outdir: Path) -> None:
    """Convert ``docs`` with headless LibreOffice to ``target`` (a ``--convert-to``
    filter: ``"pdf"``, ``"html:HTML (StarWriter)"``) into ``outdir``, under a throwaway
    user profile; exits with a message when LibreOffice is not installed."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise SystemExit("LibreOffice (soffice) is needed: apt-get install libreoffice-writer")
    with tempfile.TemporaryDirectory() as tmp:
        _run([exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
              "--convert-to", target, "--outdir", str(outdir), *map(str, docs)])  # fmt: skip


def pdf_texts(pdf: Path) -> dict[str, str]:
    """The PDF's text from each PDF extractor."""
    import pdfplumber
    import pypdf
    from pdfminer.high_level import extract_text

    out = {}
    for form, flags in (("pdftotext", []), ("pdftotext-layout", ["-layout"])):
        out[form] = _stdout(["pdftotext", *flags, str(pdf), "-"])
    out["pdftotext-raw"] = _stdout(["pdftotext", "-raw", str(pdf), "-"])
    with pdfplumber.open(str(pdf)) as doc:
        out["pdfplumber"] = "\n".join(p.extract_text() or "" for p in doc.pages)
        out["pdfplumber-layout"] = "\n".join(
            (p.extract_text(layout=True) or "").rstrip() for p in doc.pages
        )
    out["pypdf"] = "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(str(pdf)).pages)
    out["pdfminer"] = extract_text(str(pdf))
    return out


def html_texts(html_path: Path) -> dict[str, str]:
    """The HTML's text as a browser dump (w3m, lynx) and from BeautifulSoup."""
    from bs4 import BeautifulSoup

    raw = html_path.read_bytes()
    return {
        "w3m": _stdout(["w3m", "-dump", "-T", "text/html", str(html_path)]),
        "lynx": _stdout(["lynx", "-dump", "-nolist", str(html_path)]),
        "bs4": BeautifulSoup(raw, "html.parser").get_text(),
    }


def _stdout(cmd: list[str]) -> str:
    res = subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    return res.stdout.decode("utf-8", errors="replace")


def tidy(text: str) -> str:
    """Trailing spaces off each line (pdfplumber's layout pads every line to the page)."""
    return "\n".join(ln.rstrip() for ln in text.splitlines()) + "\n"


# -- main ---------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    (out / "truth").mkdir(parents=True)
    mf = fixtures_module()
    manifest: list[dict] = []
    docs: list[tuple[Path, str, Template]] = []
    for k, name in enumerate(PLANS):
        native = native_truth(name)
        (out / "truth" / f"{name}--original.json").write_text(json.dumps(native, indent=1))
        shutil.copy(ROOT / "actionnlp" / "data" / "samples" / f"{name}.txt", out / f"{name}.txt")
        manifest.append(_entry(f"{name}.txt", name, "original", None, "sample-text"))
        for t in templates_for(k):
            truth = truth_for(native, t)
            stem = f"{name}--{t.name}"
            (out / "truth" / f"{stem}.json").write_text(json.dumps(truth, indent=1))
            doc = build(truth, t, mf)
            style = mf.Style(
                landscape=t.landscape,
                widths=WIDTHS[(t.landscape, t.columns, len(doc.header))],
                repeat_header=t.repeat_header,
                para_space=t.para_space,
            )
            mf.write_docx(doc, out / f"{stem}.docx", style)
            docs.append((out / f"{stem}.docx", name, t))
    paths = [d for d, _, _ in docs]
    soffice(paths, "pdf", out)
    soffice(paths, "html:HTML (StarWriter)", out)
    for path, name, t in docs:
        stem = path.stem
        manifest.append(_entry(f"{stem}.docx", name, t.name, t, "docx"))
        manifest.append(_entry(f"{stem}.pdf", name, t.name, t, "pdf"))
        manifest.append(_entry(f"{stem}.html", name, t.name, t, "html"))
        for form, text in pdf_texts(out / f"{stem}.pdf").items():
            (out / f"{stem}.{form}.txt").write_text(tidy(text), encoding="utf-8")
            manifest.append(_entry(f"{stem}.{form}.txt", name, t.name, t, form))
        for form, text in html_texts(out / f"{stem}.html").items():
            (out / f"{stem}.{form}.txt").write_text(tidy(text), encoding="utf-8")
            manifest.append(_entry(f"{stem}.{form}.txt", name, t.name, t, form))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"{len(manifest)} files, {total / 1e6:.1f} MB in {out.relative_to(ROOT)}")
    return 0


def _entry(file: str, plan: str, template: str, t: Template | None, form: str) -> dict:
    return {
        "file": file,
        "plan": plan,
        "template": template,
        "variant": asdict(t) if t else None,
        "form": form,
        "extractor": EXTRACTORS[form],
        "truth": f"truth/{plan}--{template}.json",
    }


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
