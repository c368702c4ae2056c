"""Text forms of the sample plans, and how well the text readers read them back.

A development check for the text-layout readers (``actionnlp/read/text.py``). Each
tabular sample plan is re-rendered as the text other tools give: pipes, a markdown
table, fixed-width columns (with and without blank lines between paragraphs), column
blocks (one cell after another) and line-interleaved rows. The committed DOCX / PDF /
HTML fixtures (``tests/fixtures``) are put through the extractors found on this
machine (``pdftotext`` default / ``-layout`` / ``-raw``, pdfplumber, ``w3m -dump``,
``lynx -dump``, BeautifulSoup ``get_text``). The truth is the plan read from the
sample text (the fixtures were rendered from it).

Printed per form and plan: concerns with the right id and decision, word-sequence
similarity of the concern and of the response text, owner/target pairs, words lost::

    .venv/bin/python training/text_forms.py            # every form
    .venv/bin/python training/text_forms.py --save DIR # also write the texts to DIR

Synthetic re-renderings test behaviour; they are not a quality figure for unseen plans.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import actionnlp  # noqa: E402
from actionnlp.data import SAMPLES_DIR  # noqa: E402
from actionnlp.read.cells import html_paragraphs  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
TABULAR = ("peterborough-2024", "littlehey-2024", "stafford-2020")
FIXTURE_SEEDS = ("peterborough-2024", "stafford-2020")


# -- rendering the sample tables -------------------------------------------------
def _split_sample(stem: str) -> tuple[list[str], list[str], list[list[str]], list[str]]:
    """Opening lines, header cells, table rows (cells) and tail lines of a tab sample."""
    lines = (SAMPLES_DIR / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.count("\t") >= 3 and "Concern" in ln)
    if "Rec No" not in lines[head] and "Concern No" not in lines[head]:
        head = next(
            i for i, ln in enumerate(lines) if ln.count("\t") >= 3 and re.search(r"\bNo\b", ln)
        )
    rows: list[list[str]] = []
    end = len(lines)
    for j in range(head + 1, len(lines)):
        ln = lines[j]
        if "\t" not in ln:
            if ln.strip() and not rows:
                continue
            if ln.strip() and re.match(r"^(Total|Agreed|Partly|Not)\b", ln):
                end = j
                break
            continue
        rows.append(ln.split("\t"))  # as the extractor gave it (a row may lack a cell)
    return lines[:head], lines[head].split("\t"), rows, lines[end:]


def _paras(cell: str) -> list[str]:
    return html_paragraphs(cell) if cell.strip() else []


def _plain(cell: str) -> str:
    return " ".join(_paras(cell))


def render_pipes(stem: str, *, markdown: bool) -> str:
    opening, header, rows, tail = _split_sample(stem)

    def line(cells: list[str]) -> str:
        body = " | ".join(c.strip() for c in cells)
        return f"| {body} |" if markdown else body

    out = [*opening, line(header)]
    if markdown:
        out.append("|" + "|".join("---" for _ in header) + "|")
    out += [line(r) for r in rows]
    return "\n".join([*out, "", *tail]) + "\n"


def _widths(n: int) -> list[int]:
    return [8, 40, 60, 22, 14] if n == 5 else [8, 40, 14, 56, 22, 14]


def _cell_lines(paras: list[str], width: int, *, gap: bool) -> tuple[list[str], list[int]]:
    """Wrapped lines of a cell and the line where each paragraph starts."""
    out: list[str] = []
    starts: list[int] = []
    for i, p in enumerate(paras):
        if i and gap:
            out.append("")
        starts.append(len(out))
        out += textwrap.wrap(p, width) or [""]
    return out, starts


def render_fixed(stem: str, *, gap: bool, level: bool) -> str:
    """Fixed-width columns (``pdftotext -layout`` style)."""
    opening, header, rows, tail = _split_sample(stem)
    widths = _widths(len(header))
    roles = ["id", "concern", "response", "owner", "target"]
    if len(header) == 6:
        roles.insert(2, "agreement")
    ri = roles.index("response")
    out = list(opening)
    head_cells = [textwrap.wrap(h, w) for h, w in zip(header, widths, strict=True)]
    for k in range(max(len(c) for c in head_cells)):
        out.append(_join([c[k] if k < len(c) else "" for c in head_cells], widths))
    for row in rows:
        cols: list[list[str]] = []
        starts: list[int] = []
        if len(row) == len(widths) - 1 and not re.match(r"^\S{1,6}$", row[0].strip()):
            row = ["", *row]  # the empty number cell the extractor dropped
        row = (row + [""] * len(widths))[: len(widths)]
        for j, (cell, w) in enumerate(zip(row, widths, strict=True)):
            lines, st = _cell_lines(_paras(cell), w, gap=gap)
            cols.append(lines)
            if j == ri:
                starts = st
        for j, role in enumerate(roles):
            entries = _paras(row[j])
            if role in ("owner", "target") and level and len(entries) == len(starts) > 1:
                placed: list[str] = []
                for e, s in zip(entries, starts, strict=True):
                    wrapped = textwrap.wrap(e, widths[j])
                    placed += [""] * (s - len(placed))
                    placed += wrapped
                cols[j] = placed
            elif role in ("owner", "target"):
                cols[j] = _cell_lines(entries, widths[j], gap=gap)[0]
        for k in range(max(len(c) for c in cols)):
            out.append(_join([c[k] if k < len(c) else "" for c in cols], widths))
    return "\n".join([*out, "", *tail]) + "\n"


def _join(cells: list[str], widths: list[int]) -> str:
    return "".join(c.ljust(w + 3) for c, w in zip(cells, widths, strict=True)).rstrip()


def render_blocks(stem: str) -> str:
    """Column blocks: each cell of a row printed after the other (``lynx -dump`` style)."""
    opening, header, rows, tail = _split_sample(stem)
    out = [*opening, " ".join(header), ""]
    for row in rows:
        for cell in row:
            for p in _paras(cell):
                out += [*textwrap.wrap(p, 90), ""]
    return "\n".join([*out, *tail]) + "\n"


def render_interleaved(stem: str) -> str:
    """Each printed line carries the pieces of every cell side by side, one space apart."""
    text = render_fixed(stem, gap=True, level=True)
    return "\n".join(re.sub(r" {2,}", " ", ln).strip() for ln in text.splitlines()) + "\n"


SAMPLE_FORMS: dict[str, Callable[[str], str]] = {
    "tabs": lambda s: (SAMPLES_DIR / f"{s}.txt").read_text(encoding="utf-8"),
    "pipes": lambda s: render_pipes(s, markdown=False),
    "markdown": lambda s: render_pipes(s, markdown=True),
    "fixed": lambda s: render_fixed(s, gap=True, level=True),
    "fixed-tight": lambda s: render_fixed(s, gap=False, level=True),
    "fixed-stacked": lambda s: render_fixed(s, gap=True, level=False),
    "blocks": render_blocks,
    "interleaved": render_interleaved,
}


# -- extractor forms of the fixtures ------------------------------------------------
def _run(cmd: list[str]) -> str | None:
    if shutil.which(cmd[0]) is None:
        return None
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def _pdfplumber(path: Path, *, layout: bool) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(p.extract_text(layout=layout) or "" for p in pdf.pages)


def _pdfminer(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(str(path))


def _soup(path: Path) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text()


EXTRACTOR_FORMS: dict[str, Callable[[Path], str | None]] = {
    "pdftotext": lambda p: _run(["pdftotext", str(p.with_suffix(".pdf")), "-"]),
    "pdftotext-layout": lambda p: _run(["pdftotext", "-layout", str(p.with_suffix(".pdf")), "-"]),
    "pdftotext-raw": lambda p: _run(["pdftotext", "-raw", str(p.with_suffix(".pdf")), "-"]),
    "pdfplumber": lambda p: _pdfplumber(p.with_suffix(".pdf"), layout=False),
    "pdfplumber-layout": lambda p: _pdfplumber(p.with_suffix(".pdf"), layout=True),
    "pdfminer": lambda p: _pdfminer(p.with_suffix(".pdf")),
    "w3m": lambda p: _run(["w3m", "-dump", "-cols", "160", str(p.with_suffix(".html"))]),
    "lynx": lambda p: _run(["lynx", "-dump", "-width", "160", str(p.with_suffix(".html"))]),
    "soup": lambda p: _soup(p.with_suffix(".html")),
}


# -- measuring ----------------------------------------------------------------------
def _words(text: str | None) -> list[str]:
    return re.findall(r"[A-Za-z0-9']+", (text or "").lower())


def _sim(a: list[str], b: list[str]) -> float:
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _ws(text: str | None) -> str:
    return " ".join((text or "").split())


def measure(got: actionnlp.ActionPlan | None, want: actionnlp.ActionPlan) -> dict[str, float]:
    """Id+decision recall, concern/response similarity, owner/target pairs, words lost."""
    if got is None:
        return {"ids": 0.0, "concern": 0.0, "response": 0.0, "pairs": 0.0, "lost": 1.0}
    by_id = {c.id: c for c in got.concerns}
    right = sum(1 for c in want.concerns if c.id in by_id and by_id[c.id].agreement == c.agreement)
    concern = [_words(f"{c.concern_text} {c.recommendation_text or ''}") for c in want.concerns]
    concern_got = [
        _words(f"{by_id[c.id].concern_text} {by_id[c.id].recommendation_text or ''}")
        if c.id in by_id
        else []
        for c in want.concerns
    ]
    response = [_words(" ".join(a.text for a in c.actions)) for c in want.concerns]
    response_got = [
        _words(" ".join(a.text for a in by_id[c.id].actions)) if c.id in by_id else []
        for c in want.concerns
    ]
    flat = [w for x in concern for w in x], [w for x in concern_got for w in x]
    flat_r = [w for x in response for w in x], [w for x in response_got for w in x]
    want_pairs = Counter(
        (c.id, _ws(a.text)[:40], _ws(a.owner_raw), _ws(a.target_raw))
        for c in want.concerns
        for a in c.actions
        if a.kind == "action" and (a.owner_raw or a.target_raw)
    )
    got_pairs = Counter(
        (c.id, _ws(a.text)[:40], _ws(a.owner_raw), _ws(a.target_raw))
        for c in got.concerns
        for a in c.actions
        if a.kind == "action"
    )
    pairs = sum((want_pairs & got_pairs).values()) / max(1, sum(want_pairs.values()))
    have = set(
        _words(
            " ".join(
                [f"{c.concern_text} {c.recommendation_text or ''}" for c in got.concerns]
                + [f"{a.text} {a.owner_raw or ''} {a.target_raw or ''}" for a in got.actions]
                + [p.text or "" for p in got.problems]
                + [f"{c.ref or ''} {c.directed_to or ''}" for c in got.concerns]
            )
        )
    )
    table = set(
        _words(
            " ".join(
                [f"{c.concern_text} {c.recommendation_text or ''}" for c in want.concerns]
                + [f"{a.text} {a.owner_raw or ''} {a.target_raw or ''}" for a in want.actions]
            )
        )
    )
    return {
        "ids": right / max(1, len(want.concerns)),
        "concern": _sim(*flat),
        "response": _sim(*flat_r),
        "pairs": pairs,
        "lost": len(table - have) / max(1, len(table)),
    }


def forms() -> list[tuple[str, str, str | None]]:
    """``(form, plan, text)`` for every form this machine can make."""
    out: list[tuple[str, str, str | None]] = []
    for name, render in SAMPLE_FORMS.items():
        for stem in TABULAR:
            out.append((name, stem, render(stem)))
    for name, extract in EXTRACTOR_FORMS.items():
        for stem in FIXTURE_SEEDS:
            try:
                text = extract(FIXTURES / stem)
            except ImportError:
                text = None
            out.append((name, stem, text))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--save", type=Path, help="write each form's text to this folder")
    parser.add_argument("--form", action="append", help="only these forms")
    args = parser.parse_args()
    truth = {s: actionnlp.read_plan(SAMPLES_DIR / f"{s}.txt") for s in TABULAR}
    print(
        f"{'form':18} {'plan':18} {'ids':>6} {'concern':>8} {'response':>8} {'pairs':>6} "
        f"{'lost':>6}  note"
    )
    for form, stem, text in forms():
        if args.form and form not in args.form:
            continue
        if text is None:
            print(f"{form:18} {stem:18} {'(extractor not available)':>40}")
            continue
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{stem}.{form}.txt").write_text(text, encoding="utf-8")
        note = ""
        try:
            got = actionnlp.read_plan(text=text)
            note = got.layout or ""
        except actionnlp.ActionPlanError as err:
            got, note = None, type(err).__name__
        m = measure(got, truth[stem])
        print(
            f"{form:18} {stem:18} {m['ids']:6.3f} {m['concern']:8.3f} {m['response']:8.3f} "
            f"{m['pairs']:6.3f} {m['lost']:6.3f}  {note}"
        )


if __name__ == "__main__":
    main()
