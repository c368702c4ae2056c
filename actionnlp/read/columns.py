"""Fixed-width tables: columns found from white-space alignment.

``pdftotext -layout``, ``pdfplumber`` with ``layout=True`` and browser dumps
(``w3m -dump``) print a table's cells side by side, padded with spaces, each
cell wrapped over as many printed lines as it needs. This reader finds:

* the **header**: a line whose runs of text (separated by two or more spaces)
  name a plan's columns, with the title words wrapped onto the lines below it
  ("Concern" / "No") folded in;
* the **column boundaries**: the header's title positions, moved to where the
  lines below it actually start their text (a gutter is a position where many
  lines start a word and hardly any line has a word running across it); a
  repeated header re-anchors them (a new page may shift the columns);
* the **rows**: a row starts on a line whose number column holds a concern
  number, or is a section heading;
* the **paragraphs** of a cell: a blank line in that column, or a line that ends
  a sentence and is clearly shorter than the column (the next word would have
  fitted: it was not wrapped, it was ended). Owner entries are split the same
  way; target entries by their date and status shapes.

Nothing here depends on a plan's wording, only on the header vocabulary the
text readers share and on the geometry of the printed lines.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from actionnlp.read.cells import (
    BULLET,
    ID_RE,
    clean_text,
    column_roles,
    ends_sentence,
    heading_of,
    inline_roles,
)
from actionnlp.read.dates import split_target_entries
from actionnlp.read.segment import RawRow, is_rationale, owner_entries

__all__ = [
    "JOINING_END_RE",
    "FixedHeader",
    "Para",
    "RowLines",
    "find_fixed_header",
    "fit_count",
    "fixed_rows",
    "lines_row",
    "para_texts",
    "paragraphs",
]

#: A run of text in a padded line: words joined by single spaces.
_RUN_RE = re.compile(r"\S+(?: \S+)*")
#: Lines longer than this are not looked at as a header (bounded work).
_MAX_HEADER_LINE = 400
#: How many lines below a header line may hold its wrapped title words.
_TITLE_LINES = 3


@dataclass
class FixedHeader:
    """Where a fixed-width header sits and what its columns are."""

    start: int  # first header line
    end: int  # line after the header
    roles: list[str]
    starts: list[int]  # character offset where each column starts
    first_words: list[str]  # the words of the first header line (to spot repeats)


def _runs(line: str) -> list[tuple[int, str]]:
    """``(offset, text)`` of each run of text separated by two or more spaces."""
    return [(m.start(), m.group()) for m in _RUN_RE.finditer(line)]


def _fold(lines: list[str], i: int, runs: list[tuple[int, str]]) -> tuple[list[str], int]:
    """Titles of the header runs, with title words wrapped onto the lines below."""
    starts = [s for s, _ in runs]
    titles = [t for _, t in runs]
    end = i + 1
    for j in range(i + 1, min(i + 1 + _TITLE_LINES, len(lines))):
        below = _runs(lines[j]) if len(lines[j]) <= _MAX_HEADER_LINE else []
        if not below or any(len(t.split()) > 3 for _, t in below):
            break
        if any(ID_RE.match(t) for _, t in below):
            break
        for off, text in below:
            k = max((n for n, s in enumerate(starts) if s <= off + 2), default=0)
            titles[k] = f"{titles[k]} {text}"
        end = j + 1
    return titles, end


def _split_runs(runs: list[tuple[int, str]], body: list[str]) -> list[list[tuple[int, str]]]:
    """Header runs split once where the lines below start a column inside a run.

    Two titles printed one space apart ("Rec No Recommendation") read as one
    run; the column start that the body lines share shows where they part.
    One candidate per possible cut, nearest the start of the line first.
    """
    lines = [ln for ln in body if ln.strip() and len(ln) <= _MAX_HEADER_LINE]
    if len(lines) < 5:
        return []
    begins: dict[int, int] = {}
    for ln in lines:
        for m in _STRONG_START_RE.finditer(ln):
            begins[m.start()] = begins.get(m.start(), 0) + 1
    need = max(3, len(lines) // 7)
    columns = [p for p, n in begins.items() if n >= need]
    out: list[list[tuple[int, str]]] = []
    for k, (start, text) in enumerate(runs):
        words = [start + m.start() for m in re.finditer(r"\S+", text)][1:]
        cuts = set()
        for p in (p for p in columns if start + 2 < p < start + len(text)):
            w = min(words, key=lambda w, p=p: abs(w - p), default=-99)
            if abs(w - p) <= 4:
                cuts.add(w)
        for w in sorted(cuts):
            a, b = text[: w - start].strip(), text[w - start :].strip()
            out.append([*runs[:k], (start, a), (w, b), *runs[k + 1 :]])
    return out


_BARE_NUMBER_RE = re.compile(r"^[A-Z]{0,2}\d{1,3}(?:\.\d{1,3}){0,2}\.?$")


def _known(roles: list[str] | None) -> set[str]:
    return set(roles or []) - {"?"}


def _read_header(lines: list[str], i: int) -> FixedHeader | None:
    line = lines[i]
    if len(line) > _MAX_HEADER_LINE or "\t" in line:
        return None
    runs = _runs(line)
    if not 3 <= len(runs) <= 12 or _BARE_NUMBER_RE.match(runs[0][1]):
        return None  # a row opening with its number is not a header
    titles, end = _fold(lines, i, runs)
    if column_roles(titles) is None and inline_roles(line.strip()) is None:
        return None  # no titles read, and the line names no columns either
    known = _known(column_roles(titles))
    for split in _split_runs(runs, lines[end : end + 80]):
        titles2, end2 = _fold(lines, i, split)
        if len(_known(column_roles(titles2))) > len(known):  # a split must name a column
            runs, titles, end = split, titles2, end2
            known = _known(column_roles(titles))
    roles = column_roles(titles)
    if roles is None:
        return None
    return FixedHeader(i, end, roles, [s for s, _ in runs], line.split())


def find_fixed_header(lines: list[str]) -> FixedHeader | None:
    """The first fixed-width header in ``lines``, or None.

    >>> lines = ["No   Concern        Response        Owner     Target",
    ...          "1    Cells dirty.   Clean them.     Governor  May 2024"]
    >>> h = find_fixed_header(lines)
    >>> h.roles, h.starts
    (['id', 'concern', 'response', 'owner', 'target'], [0, 5, 20, 36, 46])
    """
    for i in range(len(lines)):
        if (h := _read_header(lines, i)) is not None:
            return h
    return None


def _is_repeat(lines: list[str], i: int, header: FixedHeader) -> FixedHeader | None:
    if len(lines[i]) > _MAX_HEADER_LINE or lines[i].split() != header.first_words:
        return None
    rep = _read_header(lines, i)
    if rep is None or rep.roles != header.roles:  # same titles: same columns
        end = i + header.end - header.start
        return FixedHeader(i, end, header.roles, header.starts, header.first_words)
    return rep


_STRONG_START_RE = re.compile(r"(?:^|(?<=\s\s))\S")
_SHIFT = 12  # how far a page may move the columns (characters)


def _refine(starts: list[int], lines: list[str], price: float = 0.1) -> list[int]:
    """Place the header's columns where these lines start their cells.

    Candidates are positions where lines start text after two spaces; each
    column takes at most one, in order, scored by how many lines start there,
    less the lines whose words run across it and a small price per character
    away from the header's title. A column no line starts keeps its title's
    offset, moved as much as its nearest placed neighbour.
    """
    begins: dict[int, int] = {}
    crossed: dict[int, int] = {}
    for ln in lines:
        for m in _STRONG_START_RE.finditer(ln):
            begins[m.start()] = begins.get(m.start(), 0) + 1
        for m in re.finditer(r"\S+", ln):
            for p in range(m.start() + 1, min(m.end(), m.start() + 40)):
                crossed[p] = crossed.get(p, 0) + 1
    cands = sorted(sorted((p for p in begins if p > 0), key=lambda p: -begins[p])[:60])
    n = len(starts)

    def score(k: int, p: int) -> float:
        return begins[p] - 2 * crossed.get(p, 0) - price * abs(p - starts[k])

    # best[j]: (total, placements) with the last placed column at candidate j (-1: none).
    best: dict[int, tuple[float, dict[int, int]]] = {-1: (0.0, {})}
    for k in range(1, n):
        nxt = dict(best)  # column k placed nowhere
        for last, (total, placed) in best.items():
            low = cands[last] + 2 if last >= 0 else 1
            for j in range(last + 1, len(cands)):
                p = cands[j]
                if p < low or abs(p - starts[k]) > 30:
                    continue
                sc = score(k, p)
                if sc > 0 and total + sc > nxt.get(j, (-1.0, {}))[0]:
                    nxt[j] = (total + sc, {**placed, k: p})
        best = nxt
    placed = max(best.values(), key=lambda v: v[0])[1]
    out = [0]
    for k in range(1, n):
        if k in placed:
            out.append(placed[k])
            continue
        near = min(placed, key=lambda q: abs(q - k), default=None)
        shift = placed[near] - starts[near] if near is not None else 0
        out.append(max(out[-1] + 2, starts[k] + shift))
    return out


_NEAR = 12  # how far a line's own cell start may sit from the column's start


def _cut(line: str, bounds: list[int]) -> list[str]:
    """The line's text in each column.

    A cell's text that starts (after two spaces) near a column's start marks the
    boundary on this line, so a line shifted with its page is still cut right.
    Elsewhere the column's start is used, and a word running over it stays whole.
    """
    own: dict[int, int] = {}
    for m in _STRONG_START_RE.finditer(line):
        p = m.start()
        if p == 0:
            continue
        k = min(range(1, len(bounds)), key=lambda k: abs(bounds[k] - p), default=0)
        if (
            k
            and abs(bounds[k] - p) <= _NEAR
            and (k not in own or abs(bounds[k] - p) < abs(bounds[k] - own[k]))
        ):
            own[k] = p
    cuts = [own.get(k, b) for k, b in enumerate(bounds)] + [len(line)]
    for k in range(len(cuts) - 2, 0, -1):  # keep the cuts in order
        cuts[k] = min(cuts[k], cuts[k + 1])
    cells: list[str] = []
    pos = 0
    for k in range(len(bounds)):
        end = max(cuts[k + 1], pos)
        # Do not split a word that runs over the boundary: cut after it.
        while (
            k + 1 not in own and 0 < end < len(line) and line[end - 1] != " " and line[end] != " "
        ):
            end += 1
        cells.append(line[pos:end].strip())
        pos = end
    return cells


@dataclass
class RowLines:
    cells: list[list[str]]  # per column, the text of each printed line ("" if none)


@dataclass
class Para:
    lines: list[str]
    soft: bool = False  # started by the fit test, not by a blank line


def paragraphs(
    lines: list[str], width: int, *, sentences: bool, level: list[bool] | None = None
) -> list[Para]:
    """Split a column's printed lines into paragraphs.

    A blank line ends a paragraph (unless the sentence runs on). So does a line
    the next word would have fitted on (it was ended, not wrapped): when
    ``sentences`` it must also end a sentence and the next line start a new one,
    which is enough when an owner or target entry starts level with that next
    line (``level``).
    """
    paras: list[Para] = []
    cur: list[str] = []
    soft = False
    for i, ln in enumerate(lines):
        if not ln:
            nxt = next((x for x in lines[i + 1 :] if x), "")
            if cur and not _runs_on(cur[-1], nxt, sentences=sentences):
                paras.append(Para(cur, soft))
                cur, soft = [], False
            continue
        if cur and width and len(cur[-1].split()[-1]) >= width - 1 and ln[:1].islower():
            cur[-1] += ln  # a word too long for the column, broken without a hyphen
        else:
            cur.append(ln)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        beside = bool(level and i + 1 < len(level) and level[i + 1])
        if nxt and _ended(cur[-1], nxt, width, sentences=sentences, beside=beside):
            paras.append(Para(cur, soft))
            cur, soft = [], True
    if cur:
        paras.append(Para(cur, soft))
    return paras


def fit_count(paras: list[Para], n: int, width: int) -> list[Para]:
    """Make as many paragraphs as there are owner/target entries, if the text allows.

    A paragraph explaining a decision (:func:`is_rationale`) has no entry.
    Too few: split at the shortest lines that end a sentence before a new one.
    Too many: join paragraphs the fit test split after a long line (at least
    three quarters of the column), longest first.
    """
    n += sum(1 for p in paras[:2] if is_rationale(clean_text(" ".join(p.lines))))
    if 2 <= n < len(paras):  # join the weakest soft breaks, all at once
        soft = [
            i
            for i in range(1, len(paras))
            if paras[i].soft and len(paras[i - 1].lines[-1]) >= 0.75 * width
        ]
        soft.sort(key=lambda i: -len(paras[i - 1].lines[-1]))
        joined = set(soft[: len(paras) - n])
        out: list[Para] = []
        for i, p in enumerate(paras):
            if i in joined:
                out[-1] = Para(out[-1].lines + p.lines, out[-1].soft)
            else:
                out.append(Para(list(p.lines), p.soft))
        return out
    if len(paras) < n:  # split at the shortest sentence-ending lines, all at once
        cands = [
            (len(p.lines[j]), i, j)
            for i, p in enumerate(paras)
            for j in range(len(p.lines) - 1)
            if ends_sentence(p.lines[j]) and p.lines[j + 1][:1].isupper()
        ]
        cuts = {(i, j) for _, i, j in sorted(cands)[: n - len(paras)]}
        out = []
        for i, p in enumerate(paras):
            cur: list[str] = []
            for j, line in enumerate(p.lines):
                cur.append(line)
                if (i, j) in cuts:
                    out.append(Para(cur, p.soft if len(cur) == j + 1 else True))
                    cur = []
            out.append(Para(cur, p.soft if len(cur) == len(p.lines) else True))
        return out
    return [Para(list(p.lines), p.soft) for p in paras]


def para_texts(paras: list[Para]) -> list[str]:
    return [clean_text("\n".join(p.lines)) for p in paras]


JOINING_END_RE = re.compile(r"(?:[,&/\-]|\b(?:and|or|of|the|for|to|with|in))$", re.I)


def _runs_on(line: str, nxt: str, *, sentences: bool) -> bool:
    """Does ``nxt`` continue ``line`` (across a blank line or a page)?"""
    if not nxt:
        return False
    if not sentences:
        return bool(JOINING_END_RE.search(line))
    return nxt[:1].islower() or not ends_sentence(line)


def _ended(line: str, nxt: str, width: int, *, sentences: bool, beside: bool = False) -> bool:
    first = nxt.split()[0]
    if JOINING_END_RE.search(line) or first[:1].islower():
        return False
    fits = len(line) + 1 + len(first) <= width - max(1, width // 20)
    if not sentences:
        return fits or beside
    starts_new = first[:1].isupper() or first[:1].isdigit() or first.startswith((BULLET, "-", "*"))
    return (fits or beside) and ends_sentence(line) and starts_new


#: A target line that is an entry of its own (a year, a month, a status word).
_COMPLETE_TARGET_RE = re.compile(
    r"\b(?:\d{4}|\d{1,2}/\d{1,2}/\d{2,4}|complete[d]?|ongoing|on-going|achieved|done)\b", re.I
)


def _entry_starts(col: list[str]) -> list[bool]:
    """Lines where an owner or target entry starts (after a blank or a complete entry)."""
    out: list[bool] = []
    for i, ln in enumerate(col):
        prev = col[i - 1] if i else ""
        out.append(bool(ln) and (not prev or bool(_COMPLETE_TARGET_RE.search(prev))))
    return out


def lines_row(lines: RowLines, roles: list[str], widths: list[int]) -> RawRow:
    """One table row from its columns' printed lines and the columns' widths (characters)."""
    col = {r: lines.cells[k] for k, r in enumerate(roles)}
    wid = {r: widths[k] for k, r in enumerate(roles)}

    def joined(role: str) -> str:
        return clean_text("\n".join(x for x in col.get(role, []) if x))

    targets = split_target_entries(joined("target"))
    owner_lines, owner_width = col.get("owner", []), wid.get("owner", 0)
    owners = para_texts(paragraphs(owner_lines, owner_width, sentences=False))
    level = _entry_starts(col["target"]) if "target" in col else None
    if len(owners) < len(targets):  # entries stacked tight: a target beside starts one
        owners = para_texts(paragraphs(owner_lines, owner_width, sentences=False, level=level))
    owners = owner_entries(owners, len(targets))
    paras = paragraphs(col.get("response", []), wid.get("response", 0), sentences=True, level=level)
    n = max(len(owners), len(targets))
    return RawRow(
        id_cell=joined("id"),
        concern=joined("concern"),
        agreement=joined("agreement"),
        response=para_texts(fit_count(paras, n, wid.get("response", 0)) if n >= 2 else paras),
        owners=owners,
        targets=targets,
    )


def _widths(cut: list[list[str]], starts: list[int]) -> list[int]:
    """Each column's width: its longest text, or the room up to the next column.

    A cell text with a gap of two or more spaces inside runs on into the next column
    (a line cut where the columns moved): only its first run counts.
    """
    n = len(starts)
    room = [b - a - 2 for a, b in itertools.pairwise(starts)] + [0]
    first = [[len(m.group()) if (m := _RUN_RE.match(c[k])) else 0 for c in cut] for k in range(n)]
    return [max(max(first[k], default=0), room[k]) for k in range(n)]


_LABEL_RE = re.compile(r"^\w+(?:\s\w+)?\s?(?:\([^)]{0,20}\))?\s?:")


def _is_heading(text: str, line: str, bounds: list[int], concern_col: int) -> bool:
    """A section heading row: heading words starting in the number or concern column."""
    if len(text) > 80 or _LABEL_RE.match(text) or not heading_of(text):
        return False
    limit = bounds[concern_col + 1] if concern_col + 1 < len(bounds) else len(line)
    return len(line) - len(line.lstrip()) < limit


_ROW_LINE_RE = re.compile(r"^\s{0,3}(?:[A-Z]{1,2}\s?)?\d{1,3}(?:\.\d{1,3}){0,2}[a-z]?[.)]?\s{2,}\S")
_MIN_CONTEXT = 8  # lines of evidence for a chunk's columns


def _chunks(seg: list[str]) -> list[tuple[list[str], list[str]]]:
    """The segment's rows (cut at numbered lines) with the lines that place their columns.

    A page may move the columns without a page mark, so each row finds its own;
    a short row borrows the lines before it as evidence.
    """
    chunks: list[list[str]] = [[]]
    for ln in seg:
        if _ROW_LINE_RE.match(ln) and chunks[-1]:
            chunks.append([])
        chunks[-1].append(ln)
    out: list[tuple[list[str], list[str]]] = []
    for i, chunk in enumerate(chunks):
        context = list(chunk)
        j = i
        while sum(1 for x in context if x.strip()) < _MIN_CONTEXT and j > 0:
            j -= 1
            context = chunks[j] + context
        out.append((chunk, context))
    return out


_DECISION_WORDS_RE = re.compile(
    r"(?:(?:partly|partially|not|agreed|accepted|rejected|part)[/,.]?\s*)+", re.I
)


def _decision_only(cells: list[str], k: int) -> list[str]:
    """The decision column holds decision words only: other text cut into it (a page
    whose columns moved, its lines starting left of the response column) opens the
    response cell beside it."""
    if not cells[k] or _DECISION_WORDS_RE.fullmatch(cells[k]):
        return cells
    out = list(cells)
    out[k + 1] = f"{cells[k]} {cells[k + 1]}".strip()
    out[k] = ""
    return out


_EDGE_DECISION_RE = re.compile(
    r"(?<= )(?:(?:Partly|Partially|Not) )?(?:Agreed|Accepted)$|(?<= )Rejected$"
)


def _decision_at_edge(line: str, cells: list[str], bounds: list[int], k: int) -> list[str]:
    """A decision printed one space after the text before it, where the decision column
    starts ("... equality and Agreed"), was cut with that text: it is the decision.
    Only when the decision column is empty on that line and the word starts within a
    character or two of the column's start."""
    if cells[k] or k == 0:
        return cells
    m = _EDGE_DECISION_RE.search(cells[k - 1])
    if m is None:
        return cells
    at = line.rfind(m.group(0), 0, bounds[k] + len(m.group(0)) + 2)
    if at < 0 or abs(at - bounds[k]) > 2:
        return cells
    out = list(cells)
    out[k - 1] = cells[k - 1][: m.start()].rstrip()
    out[k] = m.group(0)
    return out


def fixed_rows(lines: list[str], header: FixedHeader) -> list[RawRow]:
    """Rows of a fixed-width table (``lines`` start after the header)."""
    roles = header.roles
    n = len(roles)
    id_col = roles.index("id") if "id" in roles else None
    concern_col = roles.index("concern")
    # Split into segments at repeated headers; each gets its own boundaries.
    segments: list[tuple[list[int], list[str]]] = []
    starts, cur = header.starts, []
    i = 0
    while i < len(lines):
        rep = _is_repeat(lines, i, header)
        if rep is not None:
            segments.append((starts, cur))
            starts, cur = rep.starts, []
            i += rep.end - rep.start
            continue
        if "\f" in lines[i] and cur:  # a new page: same columns, maybe shifted
            segments.append((starts, cur))
            cur = []
        cur.append(lines[i].replace("\f", ""))
        i += 1
    segments.append((starts, cur))
    # Each segment is cut with its own boundaries; rows run on across segments.
    cut: list[tuple[str, list[str], list[int]]] = []
    for starts, seg in segments:
        for chunk, context in _chunks(seg):
            # A row's first line with a text run in every column shows where they are.
            runs = _runs(chunk[0]) if len(chunk[0]) <= _MAX_HEADER_LINE else []
            if len(runs) == len(starts) and runs[0][0] < 4:
                anchor = [0, *(r[0] for r in runs[1:])]
                bounds = _refine(anchor, [ln for ln in context if ln.strip()], price=0.5)
            else:
                bounds = _refine(starts, [ln for ln in context if ln.strip()])
            cut += [(ln, _cut(ln, bounds), bounds) for ln in chunk]
    if "agreement" in roles and roles.index("agreement") + 1 < n:
        k = roles.index("agreement")
        cut = [(ln, _decision_only(cells, k), b) for ln, cells, b in cut]
        cut = [(ln, _decision_at_edge(ln, cells, b, k), b) for ln, cells, b in cut]
    widths = _widths([c for _, c, _ in cut], header.starts)
    rows: list[RawRow] = []
    current: RowLines | None = None
    prev_first = ""
    heading_open = False
    for ln, cells, bounds in cut:
        text = ln.strip()
        if not text:
            if current is not None:
                for c in current.cells:
                    c.append("")
            continue
        first = cells[id_col] if id_col is not None else ""
        if heading_open and not first and not any(cells[concern_col + 1 :]):
            rows[-1].concern = f"{rows[-1].concern} {text}"
            heading_open = bool(JOINING_END_RE.search(text))
            continue
        heading_open = False
        if not first and _is_heading(text, ln, bounds, concern_col):
            if current is not None:
                rows.append(lines_row(current, roles, widths))
                current = None
            rows.append(RawRow(concern=text))
            heading_open = bool(JOINING_END_RE.search(text))  # wrapped onto the next line
            continue
        if current is None or (first and (ID_RE.match(first) or not prev_first)):
            if current is not None:
                rows.append(lines_row(current, roles, widths))
            current = RowLines([[] for _ in range(n)])
        for k in range(n):
            current.cells[k].append(cells[k])
        prev_first = first
    if current is not None:
        rows.append(lines_row(current, roles, widths))
    return rows
