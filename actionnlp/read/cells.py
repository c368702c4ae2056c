"""Cell-level text clean-up shared by every reader.

Extractors hand us cells with HTML fragments, line wraps, mid-word breaks and
entities. These helpers turn a cell into clean paragraphs, and recognise the
small vocabulary of table structure: concern numbers, section headings and
agreement decisions.
"""

from __future__ import annotations

import html
import re

__all__ = [
    "ID_RE",
    "PRINTED_TITLES",
    "agreement_of",
    "clean_text",
    "column_roles",
    "glued_titles",
    "heading_of",
    "html_paragraphs",
    "is_continuation",
    "join_lines",
    "rejoin_flush_words",
    "split_heading_prefix",
]

#: A concern number: "1", "1.1", "5.10", "S34", "P1", optionally "1." or "1)".
ID_RE = re.compile(r"^(?:[A-Z]{1,2}\s?)?\d{1,3}(?:\.\d{1,3}){0,2}[a-z]?[.)]?$")

_TAG_RE = re.compile(r"<[^>]*>")
_PARA_SPLIT_RE = re.compile(r"<\s*(/?p|/?ul|/?ol|li|br\s*/?)\b[^>]*>", re.I)
_WS_RE = re.compile(r"[ \t\u00a0\u2002\u2003\u2009]+")
BULLET = "\u2022"
_SENTENCE_END_RE = re.compile(r"[.!?:][\u2019\u201d\"')\]]*$")


def join_lines(text: str) -> str:
    """Join wrapped lines into one line, mending words broken at a hyphen.

    >>> join_lines("one-to-\\none sessions will\\n take place")
    'one-to-one sessions will take place'
    """
    lines = [ln.strip() for ln in text.splitlines()]
    out = ""
    for ln in lines:
        if not ln:
            continue
        if not out:
            out = ln
        elif out.endswith("-") and not out.endswith(" -"):
            out += ln
        else:
            out += " " + ln
    return _WS_RE.sub(" ", out).strip()


def clean_text(text: str) -> str:
    """Strip tags and entities, join line wraps and fold white space.

    >>> clean_text("<p>Prisoners &amp; staff\\nmeet</p>")
    'Prisoners & staff meet'
    """
    text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    return join_lines(text)


def html_paragraphs(cell: str) -> list[str]:
    """Split a cell into paragraphs on ``<p>``, ``<ul>``, ``<li>`` and blank lines.

    A list belongs to the paragraph before it ("changes, as described below: ...").
    A list that opens the cell continues a list cut by a page break, so it is
    marked with a leading bullet that :func:`is_continuation` recognises.

    >>> html_paragraphs("<p>Done.</p> <p>Changes below:</p> <ul> One. Two.")
    ['Done.', 'Changes below: One. Two.']
    >>> html_paragraphs("<ul> Three. <p>Next.</p>")
    ['• Three.', 'Next.']
    >>> html_paragraphs("First para.\\n\\nSecond para.")
    ['First para.', 'Second para.']
    """
    pieces: list[tuple[str, str]] = []  # (kind, text): kind "p" or "list"
    kind = "p"
    pos = 0
    for m in _PARA_SPLIT_RE.finditer(cell):
        pieces.append((kind, cell[pos : m.start()]))
        tag = m.group(1).lower().replace(" ", "")
        if tag in ("ul", "ol", "li"):
            kind = "list"
        elif tag in ("p", "/ul", "/ol"):
            kind = "p"
        pos = m.end()
    pieces.append((kind, cell[pos:]))
    paras: list[str] = []
    for kind, chunk in pieces:
        for block in re.split(r"\n\s*\n", chunk):
            text = clean_text(block)
            if not text:
                continue
            if kind == "list" and paras:
                paras[-1] = f"{paras[-1]} {text}"
            elif kind == "list":
                paras.append(f"{BULLET} {text}")
            else:
                paras.append(text)
    return paras


def is_continuation(text: str, previous: str | None) -> bool:
    """Does ``text`` continue ``previous`` (split by a page break)?

    True when it starts in lower case, or ``previous`` stops mid-sentence.

    >>> is_continuation("appointments to take place.", "more opportunities for one-to-one")
    True
    >>> is_continuation("The gym programme has been revised.", "shared with the Governor.")
    False
    """
    if text.startswith(BULLET):
        return True
    stripped = text.lstrip("·-–* ")
    if not stripped:
        return False
    if stripped[0].islower():
        return True
    if previous is None:
        return False
    prev = previous.rstrip()
    if not prev:
        return False
    return prev.endswith(",") or (prev[-1].isalpha() and prev.split()[-1].islower())


_HEADINGS = [
    (re.compile(r"^priority\s+concerns?\b", re.I), "priority"),
    (re.compile(r"^key\s+concerns?\b", re.I), "key"),
    (re.compile(r"^(main|key)\s+recommendations?\b", re.I), "key"),
    (re.compile(r"^general\s+recommendations?\b", re.I), "general"),
    (re.compile(r"^(other\s+)?recommendations?\b(?!\s*\()", re.I), "general"),
    (re.compile(r"^areas?\s+of\s+concern\b", re.I), "key"),
]
_DIRECTED_RE = re.compile(r"directed\s+to(?::|\s+the)?\s*(?:the\s+)?(.+?)\s*\)?$", re.I)


def heading_of(text: str) -> tuple[str | None, str | None] | None:
    """Recognise a section heading row; return ``(section, directed_to)`` or None.

    >>> heading_of("Key Concerns and Recommendations")
    ('key', None)
    >>> heading_of("General Recommendations Directed to the Governor")
    ('general', 'Governor')
    >>> heading_of("Directed to HMPPS")
    (None, 'HMPPS')
    """
    t = clean_text(text)
    if not t or len(t.split()) > 9 or t.endswith("."):
        return None
    section = next((s for rx, s in _HEADINGS if rx.search(t)), None)
    directed = None
    m = _DIRECTED_RE.search(t)
    if m:
        directed = m.group(1).strip()
    if section is None and directed is None:
        return None
    if section is None and not t.lower().startswith("directed"):
        return None
    return section, directed


_PREFIX_RE = re.compile(r"^(priority|key)\s+concerns?\s+(?=[A-Z])", re.I)


def split_heading_prefix(text: str) -> tuple[str | None, str]:
    """Split a section heading that an extractor glued onto a concern.

    >>> split_heading_prefix("Key concerns The promotion of equality was limited.")
    ('key', 'The promotion of equality was limited.')
    """
    m = _PREFIX_RE.match(text)
    if not m:
        return None, text
    return m.group(1).lower(), text[m.end() :]


_AGREEMENT = [
    (re.compile(r"\b(partly|partially|part)\s+(agreed|accepted)\b", re.I), "partly_agreed"),
    (re.compile(r"\b(not\s+agreed|not\s+accepted|rejected|disagreed)\b", re.I), "not_agreed"),
    (re.compile(r"\b(agreed|accepted)\b", re.I), "agreed"),
]


def agreement_of(text: str | None) -> str | None:
    """Normalise a decision cell.

    >>> agreement_of("Partly Agreed"), agreement_of("Rejected"), agreement_of("Accepted")
    ('partly_agreed', 'not_agreed', 'agreed')
    """
    if not text:
        return None
    t = clean_text(text)
    return next((a for rx, a in _AGREEMENT if rx.search(t)), None)


def fold_ws(text: str) -> str:
    """Fold runs of white space into single spaces."""
    return _WS_RE.sub(" ", text).strip()


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends like a finished sentence."""
    return bool(_SENTENCE_END_RE.search(text.rstrip()))


# -- header vocabulary ---------------------------------------------------------------
ROLE_PATTERNS = [
    ("id", re.compile(r"(\b(no|number|ref|id)\b\.?|#|^\W*\d*\W*)$", re.I)),
    ("agreement", re.compile(r"agreed|accepted|rejected|decision", re.I)),
    ("owner", re.compile(r"owner|responsib|lead\b|by\s+whom", re.I)),
    ("target", re.compile(r"target|date|timescale|deadline|when", re.I)),
    ("response", re.compile(r"response|action|planned|taken", re.I)),
    ("concern", re.compile(r"concern|recommendation|finding|issue", re.I)),
]
#: Header titles are short; longer cells (or rows of more cells) are not a header.
MAX_TITLE = 80
MAX_COLUMNS = 12
_NUMBERED_TITLE_RE = re.compile(r"^\s{0,8}\d{1,2}\.\s{0,8}")


def column_roles(cells: list[str]) -> list[str] | None:
    """The role of each header cell, or None when the cells are not a plan's header.

    Each role is taken once, in the order of :data:`ROLE_PATTERNS`; a header names
    the concern and the response and at least one of number, decision, owner, target.
    Bounded work: more than :data:`MAX_COLUMNS` cells or a cell longer than
    :data:`MAX_TITLE` characters is not a header.

    >>> column_roles(["No", "Concern", "Response", "Owner", "Target date"])
    ['id', 'concern', 'response', 'owner', 'target']
    >>> column_roles(["a", "b"]) is None
    True
    """
    if not 3 <= len(cells) <= MAX_COLUMNS or any(len(c) > MAX_TITLE for c in cells):
        return None
    roles: list[str] = []
    taken: set[str] = set()
    for c in cells:
        text = _NUMBERED_TITLE_RE.sub("", c).strip()
        role = next((r for r, rx in ROLE_PATTERNS if r not in taken and rx.search(text)), "?")
        taken.add(role)
        roles.append(role)
    if not {"concern", "response"} <= taken or not taken & {"owner", "target", "id", "agreement"}:
        return None
    return roles


#: The column titles when a header is printed as text (on one line, stacked on short
#: lines, or scattered as blocks) rather than as cells: one table for every text reader.
PRINTED_TITLES = {
    "concern": re.compile(r"\b(?:concerns?|recommendations?|findings?)\b", re.I),
    "response": re.compile(r"\b(?:response|actions?)\b", re.I),
    "owner": re.compile(r"\b(?:owners?|responsib\w*|lead)\b", re.I),
    "target": re.compile(r"\b(?:target|timescales?|deadline|date)\b", re.I),
    "agreement": re.compile(r"\b(?:agreed|accepted|rejected|decision)\b", re.I),
}
MAX_INLINE_HEADER = 300
_TITLE_WORDS = {"no", "no.", "ref", "partly", "partially", "not", "agreed/", "agreed", "date"}


def is_title_line(line: str) -> bool:
    """A line of column-title words wrapped below a one-line header ("No Partly Owner Date").

    >>> is_title_line("No Partly Taken/Planned Owner Date"), is_title_line("Cells were dirty")
    (True, False)
    """
    words = line.split()
    if not words or len(line) > 80 or ends_sentence(line):
        return False
    return all(
        w.lower() in _TITLE_WORDS or any(rx.search(w) for _, rx in ROLE_PATTERNS[1:]) for w in words
    )


def is_title_fragment(line: str) -> bool:
    """A short line of a column title ("Concern", "No", "3.") wrapped above the rest.

    >>> is_title_fragment("No"), is_title_fragment("Cells were dirty.")
    (True, False)
    """
    text = line.strip()
    if not text or len(text) > 25 or (ends_sentence(text) and not text[:-1].isdigit()):
        return False
    return any(rx.search(_NUMBERED_TITLE_RE.sub("", text) or text) for _, rx in ROLE_PATTERNS)


def inline_roles(line: str) -> set[str] | None:
    """Roles named by a header printed on one line without cell separators.

    A browser dump or a PDF's raw text prints the column titles as one line
    ("Concern No Concerns Response Action Taken/Planned Responsible Owner Target
    Date"). It is a header when it names the concern, the response and an owner
    or target column, in that order, in a short line.

    >>> sorted(inline_roles("No Concerns Response Owner Target Date"))
    ['concern', 'owner', 'response', 'target']
    >>> inline_roles("The response to the concerns is owned by the Governor.") is None
    True
    """
    if len(line) > MAX_INLINE_HEADER or len(line.split()) > 30:
        return None
    where = {r: m.start() for r, rx in PRINTED_TITLES.items() if (m := rx.search(line))}
    if not {"concern", "response"} <= where.keys() or where["concern"] > where["response"]:
        return None
    ends = [where[r] for r in ("owner", "target") if r in where]
    if not ends or min(ends) < where["response"] or ends_sentence(line):
        return None
    return set(where)


_GLUED_RE = re.compile(r"(?<=[a-z.:)])(?=[A-Z])")


def glued_titles(line: str) -> bool:
    """A header whose column titles are printed with no white space between them.

    A web page's text taken without a separator (BeautifulSoup ``get_text()``) glues
    every cell to the next ("No.ConcernResponseResponsible ownerTarget date"): no cell
    boundary survives, in the header or in the rows below it.

    >>> glued_titles("No.ConcernResponse: Action TakenResponsible ownerTarget date")
    True
    >>> glued_titles("Concern NoConcernsResponse Action TakenResponsible OwnerTarget Date")
    True
    >>> glued_titles("No Concern Response Owner Target date"), glued_titles("McDonald")
    (False, False)
    """
    if len(line) > MAX_INLINE_HEADER:
        return False
    apart, glued = _GLUED_RE.subn(" ", line.strip())
    return glued >= 2 and inline_roles(apart) is not None


def rejoin_flush_words(lines: list[str]) -> list[str]:
    r"""Join a paragraph's first word, printed flush left, to its tab-indented line.

    A text dump of an HTML table (BeautifulSoup ``get_text``) keeps the source's line
    breaks: each paragraph of a cell after the first opens with its first word flush
    left, the rest of it indented by tabs ("People" / "<tab>Plus"). Where most lines
    are tab-indented, such a word opens a paragraph, so it is put back on its line;
    an entry's words ("February" / "<tab>2024") then stay together.

    >>> rejoin_flush_words(["\tGovernor", "People", "\tPlus", "June", "\t2024"])
    ['\tGovernor', '\tPeople Plus', '\tJune 2024']
    """
    texts = [x for x in lines if x.strip()]
    tabbed = sum(1 for x in texts if x.startswith("\t"))
    if tabbed < _TABBED * max(1, len(texts)):
        return lines
    out: list[str] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if ln.strip() and not ln[:1].isspace() and nxt.startswith("\t") and nxt.strip():
            out.append(f"\t{ln.strip()} {nxt.strip()}")
            i += 2
            continue
        out.append(ln)
        i += 1
    return out


_TABBED = 0.6  # share of tab-indented lines in a dump of an HTML table
