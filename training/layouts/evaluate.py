"""Score the reader on the layout matrix (``tests/fixtures/layouts``).

Run from the repository root::

    make matrix         # = .venv/bin/python training/layouts/evaluate.py

Every file of the matrix is read with :func:`actionnlp.read_plan` and compared with
the structure its document prints (the truth file named in ``manifest.json``):

- ``concerns``: share of the truth's concerns found with the right id and decision;
- ``concern_sim`` / ``response_sim``: word-sequence similarity (difflib ratio on
  word lists) of each concern's text (concern + recommendation) and of its response
  (all action texts), 0 for a concern not found; the mean over concerns;
- ``pairs``: share of the truth's actions with an owner or target whose read action
  (the one of that concern whose text is most like it) carries the same owner and
  target entries; counted only where the document pairs them unambiguously (one
  printed row per action, one entry for the whole response, or as many entries as
  paragraphs);
- ``pairs_sure``: the same, over the concerns the reader itself paired one to one
  (no ``count_mismatch`` problem: it found as many entries as paragraphs, or one
  entry for them all); ``flagged`` is the share of those actions the reader set
  aside as ambiguous (paired by position or kept on one action, and said so). The
  pairs bar applies to ``pairs_sure``, with at most ``MAX_FLAGGED`` flagged, so a
  reader cannot pass by flagging everything;
- ``lost``: words of the table (concern, recommendation, action texts, owner and
  target entries) that appear nowhere in what was read (concerns, actions, owners,
  targets, problems), counted with multiplicity.

It prints a table form x plan, writes it to ``docs/reading-matrix.md`` and the
per-form summary between the ``matrix`` markers of ``docs/reading.md``.

``make matrix-heldout`` (``--heldout``) scores the held-out set instead
(``tests/fixtures/layouts-heldout``, rendered by ``training/layouts/heldout.py``) and
writes its tables, and the held-out figures next to the development matrix's, into
``docs/reading-heldout.md``; the development pages are left alone. ``--root DIR --out
PAGE`` scores any folder of that format (e.g. the development draw, ``make matrix-dev2``)
and writes its tables to PAGE only, between its ``tables`` markers (a new page is made
with them).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "tests" / "fixtures" / "layouts"
THRESHOLDS = {"concerns": 0.98, "concern_sim": 0.97, "response_sim": 0.97, "pairs": 0.95}
MAX_FLAGGED = 0.2  # share of paired actions a reader may set aside as ambiguous
FORMS = (
    "sample-text", "docx", "pdf", "html", "pdftotext", "pdftotext-layout", "pdftotext-raw",
    "pdfplumber", "pdfplumber-layout", "pypdf", "pdfminer", "w3m", "lynx", "bs4",
)  # fmt: skip
_WORD_RE = re.compile(r"\w+")


def words(text: str | None) -> list[str]:
    """Lower-case word tokens (hyphens, punctuation and bullets ignored).

    >>> words("Non- in possession (IP) medication.")
    ['non', 'in', 'possession', 'ip', 'medication']
    """
    return _WORD_RE.findall((text or "").lower().replace("_", " "))


def similarity(a: str | None, b: str | None) -> float:
    """difflib ratio of two texts' word sequences (1.0 for two empty texts).

    >>> similarity("Cells were dirty.", "cells were  dirty")
    1.0
    """
    wa, wb = words(a), words(b)
    if not wa and not wb:
        return 1.0
    return difflib.SequenceMatcher(None, wa, wb, autojunk=False).ratio()


def _norm(entry: str | None) -> str:
    return " ".join(words(entry))


@dataclass
class Score:
    """The scores of one file."""

    file: str
    plan: str
    form: str
    n: int = 0  # concerns in the truth
    right: int = 0  # found with the right id and decision
    concern_sim: list[float] = field(default_factory=list)
    response_sim: list[float] = field(default_factory=list)
    pairs: int = 0  # truth actions (in unambiguous concerns) with an owner or target
    pairs_right: int = 0
    sure: int = 0  # of those, in concerns the reader paired one to one
    sure_right: int = 0
    words: int = 0
    lost: int = 0
    error: str | None = None
    seconds: float = 0.0


def _truth_words(truth: dict) -> Counter:
    out: Counter = Counter()
    for c in truth["concerns"]:
        out.update(words(c["concern_text"]))
        if c["recommendation_text"] and c["recommendation_text"] != c["concern_text"]:
            out.update(words(c["recommendation_text"]))
        for a in c["actions"]:
            out.update(words(a["text"]) + words(a["owner"]) + words(a["target"]))
    return out


_COMPOUND_RE = re.compile(r"\w+(?:-\w+)+")


def _hyphen_joins(truth: dict) -> Counter:
    """Each pair of parts a hyphen joins in the table's text ("bi-monthly": ("bi",
    "monthly")), counted: an extractor that removes a line-end hyphen prints them as
    one word ("bimonthly"), which :func:`lost_words` counts as both parts present.
    """
    texts = [c["concern_text"] for c in truth["concerns"]]
    texts += [c["recommendation_text"] or "" for c in truth["concerns"]]
    texts += [
        a[k] or "" for c in truth["concerns"] for a in c["actions"] for k in ("text", "owner")
    ]
    out: Counter = Counter()
    for t in texts:
        for m in _COMPOUND_RE.finditer(t.lower().replace("_", " ")):
            parts = m.group().split("-")
            out.update(pairwise(parts))
    return out


def lost_words(want: Counter, got: Counter, joins: Counter | None = None) -> int:
    """Words of the table (``want``) missing from what was read (``got``), with
    multiplicity. A hyphenated compound whose hyphen the extractor removed at a line
    end ("bi-" / "monthly" printed "bimonthly") is not lost: the read word equal to
    two parts joined stands for both (each joined word used once).

    >>> lost_words(Counter(["bi", "monthly", "review"]), Counter(["bimonthly", "review"]),
    ...     Counter([("bi", "monthly")]))
    0
    >>> lost_words(Counter(["bi", "monthly"]), Counter(["review"]), Counter([("bi", "monthly")]))
    2
    """
    missing = want - got
    spare = got - want
    for (a, b), n in sorted((joins or Counter()).items()):
        k = min(n, max(missing[a], missing[b]), spare[a + b])
        if k > 0:
            missing[a] -= min(k, missing[a])
            missing[b] -= min(k, missing[b])
            spare[a + b] -= k
    return sum(v for v in missing.values() if v > 0)


def _read_words(plan) -> Counter:
    out: Counter = Counter()
    for c in plan.concerns:
        out.update(words(c.concern_text) + words(c.recommendation_text))
        for a in c.actions:
            out.update(words(a.text) + words(a.owner_raw) + words(a.target_raw))
    for p in plan.problems:
        out.update(words(p.text))
    return out


def score_plan(plan, truth: dict, *, file: str = "", form: str = "") -> Score:
    """Compare a read plan with the truth of its document."""
    s = Score(file, truth["plan"], form, n=len(truth["concerns"]))
    by_id: dict[str, object] = {}
    for c in plan.concerns if plan is not None else []:
        by_id.setdefault(c.id, c)
    flagged = {p.concern_id for p in plan.problems if p.kind == "count_mismatch"} if plan else set()
    for t in truth["concerns"]:
        c = by_id.get(t["id"])
        steps = [a for a in t["actions"] if a["owner"] or a["target"]]
        if t["paired"]:
            s.pairs += len(steps)
            s.sure += 0 if t["id"] in flagged else len(steps)
        if c is None:
            s.concern_sim.append(0.0)
            s.response_sim.append(0.0)
            continue
        s.right += c.agreement == t["agreement"]
        rec = t["recommendation_text"]
        full = " ".join(
            [t["concern_text"], rec] if rec and rec != t["concern_text"] else [t["concern_text"]]
        )
        s.concern_sim.append(similarity(full, c.full_text))
        truth_resp = " ".join(a["text"] for a in t["actions"])
        s.response_sim.append(similarity(truth_resp, " ".join(a.text for a in c.actions)))
        if t["paired"] and c.actions:
            for a in steps:
                best = max(c.actions, key=lambda r, a=a: similarity(a["text"], r.text))
                ok = _norm(best.owner_raw) == _norm(a["owner"]) and _norm(best.target_raw) == _norm(
                    a["target"]
                )
                s.pairs_right += ok
                s.sure_right += ok and t["id"] not in flagged
    want = _truth_words(truth)
    s.words = sum(want.values())
    got = _read_words(plan) if plan is not None else Counter()
    s.lost = lost_words(want, got, _hyphen_joins(truth))
    return s


def score_file(entry: dict, root: Path = MATRIX) -> Score:
    """Read one matrix file and score it against its truth."""
    from actionnlp import read_plan
    from actionnlp.errors import ActionPlanError

    truth = json.loads((root / entry["truth"]).read_text())
    start = time.perf_counter()
    try:
        plan = read_plan(root / entry["file"])
        error = None
    except ActionPlanError as err:
        plan, error = None, type(err).__name__
    s = score_plan(plan, truth, file=entry["file"], form=entry["form"])
    s.error, s.seconds = error, time.perf_counter() - start
    return s


def load_manifest(root: Path = MATRIX) -> list[dict]:
    return json.loads((root / "manifest.json").read_text())


@dataclass
class Summary:
    """Scores of several files pooled (a form, or a form x plan cell)."""

    files: int
    errors: int
    concerns: float
    concern_sim: float
    response_sim: float
    pairs: float | None
    pairs_sure: float | None
    flagged: float | None
    lost: int
    words: int
    seconds: float

    @property
    def passes(self) -> dict[str, bool]:
        out = {k: getattr(self, k) >= v for k, v in THRESHOLDS.items() if k != "pairs"}
        out["pairs"] = self.pairs_sure is None or (
            self.pairs_sure >= THRESHOLDS["pairs"] and (self.flagged or 0.0) <= MAX_FLAGGED
        )
        out["lost"] = self.lost == 0
        return out


def pool(scores: list[Score]) -> Summary:
    n = sum(s.n for s in scores)
    csim = [x for s in scores for x in s.concern_sim]
    rsim = [x for s in scores for x in s.response_sim]
    pairs = sum(s.pairs for s in scores)
    sure = sum(s.sure for s in scores)
    return Summary(
        files=len(scores),
        errors=sum(s.error is not None for s in scores),
        concerns=sum(s.right for s in scores) / n if n else 0.0,
        concern_sim=sum(csim) / len(csim) if csim else 0.0,
        response_sim=sum(rsim) / len(rsim) if rsim else 0.0,
        pairs=sum(s.pairs_right for s in scores) / pairs if pairs else None,
        pairs_sure=sum(s.sure_right for s in scores) / sure if sure else None,
        flagged=1 - sure / pairs if pairs else None,
        lost=sum(s.lost for s in scores),
        words=sum(s.words for s in scores),
        seconds=sum(s.seconds for s in scores),
    )


def by_form(scores: list[Score]) -> dict[str, Summary]:
    forms = [f for f in FORMS if any(s.form == f for s in scores)]
    forms += [f for f in dict.fromkeys(s.form for s in scores) if f not in forms]  # web-*
    return {f: pool([s for s in scores if s.form == f]) for f in forms}


def _cell(x: Summary) -> str:
    pairs = "-" if x.pairs is None else f"{x.pairs:.2f}"
    err = f" ({x.errors} err)" if x.errors else ""
    return f"{x.concerns:.0%} {min(x.concern_sim, x.response_sim):.2f} {pairs}{err}"


def tables(scores: list[Score]) -> str:
    """Markdown: the per-form summary, then form x plan."""
    forms = by_form(scores)
    plans = sorted({s.plan for s in scores})
    out = [
        "| form | files | errors | concerns right | concern text | response text | pairs | "
        "pairs (reader-sure) | flagged | words lost | meets all |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f, x in forms.items():
        pairs = "-" if x.pairs is None else f"{x.pairs:.3f}"
        sure = "-" if x.pairs_sure is None else f"{x.pairs_sure:.3f}"
        flagged = "-" if x.flagged is None else f"{x.flagged:.0%}"
        ok = "yes" if all(x.passes.values()) else "no"
        out.append(
            f"| {f} | {x.files} | {x.errors} | {x.concerns:.1%} | {x.concern_sim:.3f} | "
            f"{x.response_sim:.3f} | {pairs} | {sure} | {flagged} | {x.lost} of {x.words} | {ok} |"
        )
    out += ["", "Form x plan (concerns right, lower of the two text similarities, pairs):", ""]
    out.append("| form | " + " | ".join(plans) + " |")
    out.append("|---|" + "---|" * len(plans))
    for f in forms:
        cells = []
        for p in plans:
            sub = [s for s in scores if s.form == f and s.plan == p]
            cells.append(_cell(pool(sub)) if sub else "")
        out.append(f"| {f} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


START, END = "<!-- matrix:start -->", "<!-- matrix:end -->"


def write_docs(text: str, docs: Path = ROOT / "docs") -> None:
    head = (
        "# Reading: the layout matrix\n\n"
        "Generated by `make matrix` (`training/layouts/evaluate.py`) from the files of\n"
        "`tests/fixtures/layouts` (rendered by `make layouts`). See\n"
        "[Reading plans](reading.md#the-layout-matrix) for what the columns mean.\n\n"
    )
    (docs / "reading-matrix.md").write_text(head + text)
    reading = docs / "reading.md"
    body = reading.read_text()
    if START in body and END in body:
        a, b = body.index(START) + len(START), body.index(END)
        summary = text.split("\n\nForm x plan")[0]
        reading.write_text(body[:a] + "\n" + summary.rstrip() + "\n" + body[b:])


# -- the held-out set (tests/fixtures/layouts-heldout, docs/reading-heldout.md) ----------
HELDOUT = ROOT / "tests" / "fixtures" / "layouts-heldout"


def _brief(x: Summary) -> str:
    sure = "-" if x.pairs_sure is None else f"{x.pairs_sure:.2f}"
    err = f", {x.errors} err" if x.errors else ""
    return f"{x.concerns:.1%} {min(x.concern_sim, x.response_sim):.3f} {sure} {x.lost}{err}"


def compare(dev: list[Score], held: list[Score]) -> str:
    """Markdown: the held-out figures next to the development matrix's, per form and
    per plan (a ``web-<form>`` is set next to the development ``<form>``)."""
    base = {f: f.removeprefix("web-") for f in by_form(held)}
    dev_forms, held_forms = by_form(dev), by_form(held)
    out = [
        "Each cell: concerns right, the lower of the two text similarities, reader-sure "
        "pairs, words lost.",
        "",
        "| form | development | held-out | gap (concerns, text) |",
        "|---|---|---|---|",
    ]
    for f, x in held_forms.items():
        d = dev_forms.get(base[f])
        gap = "" if d is None else (
            f"{x.concerns - d.concerns:+.1%}, "
            f"{min(x.concern_sim, x.response_sim) - min(d.concern_sim, d.response_sim):+.3f}"
        )  # fmt: skip
        out.append(f"| {f} | {_brief(d) if d else ''} | {_brief(x)} | {gap} |")
    out += ["", "| plan | development (rendered forms) | held-out LibreOffice | held-out web |"]
    out.append("|---|---|---|---|")
    for p in sorted({s.plan for s in held}):
        d = pool([s for s in dev if s.plan == p and s.form != "sample-text"])
        lo = pool([s for s in held if s.plan == p and not s.form.startswith("web-")])
        web = pool([s for s in held if s.plan == p and s.form.startswith("web-")])
        out.append(f"| {p} | {_brief(d)} | {_brief(lo)} | {_brief(web)} |")
    return "\n".join(out) + "\n"


def write_between(page: Path, marker: str, text: str) -> None:
    """Replace what stands between ``<!-- marker:start -->`` and ``<!-- marker:end -->``."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    body = page.read_text()
    a, b = body.index(start) + len(start), body.index(end)
    page.write_text(body[:a] + "\n" + text.rstrip() + "\n" + body[b:])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=MATRIX)
    ap.add_argument(
        "--heldout",
        action="store_true",
        help="score the held-out set and write docs/reading-heldout.md (with the matrix's)",
    )
    ap.add_argument("--no-docs", action="store_true", help="print only")
    ap.add_argument("--out", type=Path, help="write the tables of --root to this page only")
    ap.add_argument("--files", action="store_true", help="print every file's scores too")
    args = ap.parse_args(argv)
    if args.heldout:
        args.root = HELDOUT
    scores = [score_file(e, args.root) for e in load_manifest(args.root)]
    if args.files:
        for s in scores:
            cs = sum(s.concern_sim) / max(len(s.concern_sim), 1)
            rs = sum(s.response_sim) / max(len(s.response_sim), 1)
            print(
                f"{s.file:55s} {s.right}/{s.n} {cs:.3f} {rs:.3f} "
                f"{s.pairs_right}/{s.pairs} lost {s.lost} {s.error or ''}"
            )
    text = tables(scores)
    print(text)
    if args.heldout:
        versus = compare([score_file(e) for e in load_manifest()], scores)
        print(versus)
        if not args.no_docs:
            write_between(ROOT / "docs" / "reading-heldout.md", "heldout", text)
            write_between(ROOT / "docs" / "reading-heldout.md", "heldout-vs-dev", versus)
    elif args.out and not args.no_docs:
        if not args.out.exists():
            args.out.write_text(
                f"# Reading: {args.root.name}\n\n<!-- tables:start -->\n<!-- tables:end -->\n"
            )
        write_between(args.out, "tables", text)
    elif not args.no_docs:
        write_docs(text)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
