"""Split a Responsible-owner cell into one string per owner.

Pure standard library. Owners are only split and white-space normalised here; naming
them canonically ("Governing Governor" -> "Governor") is another module's job.

Split rules of :func:`split_owners`, applied in this order, never inside brackets:

1. **Always** split on ``/`` (and ``and/or``), ``;``, ``|`` and bullets (``•``).
2. **Comma**: split when both sides look like complete owners (see below) and the
   right side is not a *unit qualifier* of the left. A qualifier is a right side
   that ends in a unit word (Directorate, Group, Team, Unit, Division, Department,
   Branch, Function, Office, Section, Hub), does not start with a post word
   (Governor, Director, Head, Deputy, Chief, CEO, Manager, Lead, ...) or a known
   provider, following a left side that ends in a post word:
   "Executive Director, Prison Supply Directorate" stays one owner.
3. **"and", "or", "&", "+"**: split only when both sides look like complete owners,
   so "Head of Safety and Equalities" and "Learning and Skills Manager" stay whole.

A side *looks like a complete owner* when its first word is an owner head word
(Governor, Governing, Director, Deputy, Head, Chief, CEO, NHS, HMPPS, HMP, Regional,
Executive, Assistant, Senior, Prison, Area, Managing, Ministry), an acronym ("SMG",
"RPOM", "G4S"), or the start of a known provider name (Novus, Wates, Serco, Care
UK, ...); or when it contains an organisation word (NHS, Trust, Ltd, plc, Council,
Foundation, College, University, UK, HMPPS); or when its last word is a post
(Governor, Director, Manager, Lead, Officer, Coordinator, Chaplain, ...). With
several "and"s the parts are grouped left to right: a part joins the owner before it
unless both look complete.

Line breaks inside a cell are white space ("Head of\\nPsychology" is one owner), except
where a reader pairs owners with targets: :func:`owner_lines` splits a cell at its line
breaks when it has exactly one line per target, as the target cell is split.

An OCR echo is collapsed before splitting (:func:`collapse_echo`): a word repeated
back to back ("Governing Governing Governing") or a whole cell repeated
("Governor Governor") is one owner, not several.
"""

from __future__ import annotations

import re

__all__ = [
    "collapse_echo",
    "owner_lines",
    "repeated_unit",
    "split_owner_entries",
    "split_owners",
]

_HARD_RE = re.compile(r"\s*(?:\band\s*/\s*or\b|/|;|\||•|▪|◦)\s*", re.IGNORECASE)
_COMMA_RE = re.compile(r"\s*,\s*")
_SOFT_RE = re.compile(r"\s+(?:and|or)\s+|\s*[&+]\s*", re.IGNORECASE)
_EDGE_STRIP = " \t\r\n\f\v,;/&+|•▪◦-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_ACRONYM_RE = re.compile(r"[A-Z][A-Z0-9]{1,7}s?")


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _names(names: str) -> list[str]:
    return names.split("|")


_HEAD_WORDS = _set(
    "governor governors governing director directors deputy head chief ceo nhs hmpps hmp "
    "regional executive assistant senior prison area managing ministry"
)
_PERSON_HEADS = _set(
    "governor governors governing director deputy head chief ceo assistant manager lead officer"
)
_POST_WORDS = _set(
    "governor governors director directors manager managers lead leads officer officers "
    "coordinator coordinators co-ordinator co-ordinators chaplain psychologist head chief "
    "ceo supervisor administrator adviser advisor specialist practitioner chair matron "
    "pharmacist commissioner commissioners controller secretary"
)
_ORG_WORDS = _set(
    "nhs trust ltd limited plc council foundation college university uk hmpps llp cic"
)
_UNIT_WORDS = _set(
    "directorate group team unit division department branch function office section hub"
)
# Known providers and bodies, as their first words ("Care UK", "Practice Plus Group").
_PROVIDERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(name.split())
    for name in _names(
        "novus|wates|serco|sodexo|mitie|amey|geoamey|interserve|kier|spectrum|oxleas|nacro|"
        "catch22|peopleplus|practice plus|care uk|change grow live|gov facility services|"
        "ministry of justice|moj"
    )
)


def _norm_ws(s: str) -> str:
    return " ".join(s.split())


def _words(s: str) -> list[str]:
    return _WORD_RE.findall(s)


def _is_provider(words: list[str]) -> bool:
    low = [w.casefold() for w in words]
    return any(tuple(low[: len(p)]) == p for p in _PROVIDERS)


class _Traits:
    """What the split rules need to know about a growing owner: built in linear time."""

    __slots__ = ("first", "last", "org")

    def __init__(self) -> None:
        self.first: list[str] = []  # its first three words
        self.last: str | None = None  # its last word
        self.org = False  # holds an organisation word

    def add(self, text: str) -> _Traits:
        words = _words(text)
        if len(self.first) < 3:
            self.first += words[: 3 - len(self.first)]
        if words:
            self.last = words[-1]
            self.org = self.org or any(w.casefold() in _ORG_WORDS for w in words)
        return self

    def owner_like(self) -> bool:
        """Whether the text reads as a whole owner rather than the tail of a role name."""
        if not self.first:
            return False
        first = self.first[0]
        return (
            first.casefold() in _HEAD_WORDS
            or bool(_ACRONYM_RE.fullmatch(first))
            or _is_provider(self.first)
            or self.org
            or (self.last is not None and self.last.casefold() in _POST_WORDS)
        )


def _is_qualifier(left: _Traits, right: _Traits) -> bool:
    """``right`` names the unit of the post in ``left`` ("Director, X Directorate")."""
    if left.last is None or right.last is None:
        return False
    return (
        right.last.casefold() in _UNIT_WORDS
        and right.first[0].casefold() not in _PERSON_HEADS
        and not _is_provider(right.first)
        and left.last.casefold() in _POST_WORDS
    )


def _split_top(text: str, rx: re.Pattern[str]) -> tuple[list[str], list[str]]:
    """Split ``text`` at matches of ``rx`` outside brackets: (parts, separators)."""
    depth = [0] * (len(text) + 1)
    d = 0
    for i, ch in enumerate(text):
        depth[i] = d
        if ch in "([{":
            d += 1
        elif ch in ")]}":
            d = max(0, d - 1)
    depth[len(text)] = d
    parts: list[str] = []
    seps: list[str] = []
    last = 0
    for m in rx.finditer(text):
        if depth[m.start()] > 0 or m.start() == m.end():
            continue
        parts.append(text[last : m.start()])
        seps.append(m.group())
        last = m.end()
    parts.append(text[last:])
    return parts, seps


def _group(text: str, rx: re.Pattern[str], comma: bool) -> list[str]:
    """Split at ``rx`` where the rule allows, rejoining the rest with its separator."""
    parts, seps = _split_top(text, rx)
    out: list[str] = []
    current, traits = [parts[0]], _Traits().add(parts[0])
    for sep, part in zip(seps, parts[1:], strict=True):
        right = _Traits().add(part)
        split = traits.owner_like() and right.owner_like()
        if comma and split:
            split = not _is_qualifier(traits, right)
        if split:
            out.append("".join(current))
            current, traits = [part], right
        else:
            current += [sep, part]
            traits.add(sep).add(part)
    out.append("".join(current))
    return out


def split_owners(cell: str | None) -> list[str]:
    """One string per owner of a joint owner cell, in order (see the module rules).

    >>> split_owners("Governor / Head of Healthcare")
    ['Governor', 'Head of Healthcare']
    >>> split_owners("CEO Care UK and Governor")
    ['CEO Care UK', 'Governor']
    >>> split_owners("Head of Safety and Equalities")
    ['Head of Safety and Equalities']
    >>> split_owners("Executive Director, Prison Supply Directorate")
    ['Executive Director, Prison Supply Directorate']
    >>> split_owners("Governing Governing Governing")
    ['Governing']
    >>> split_owners(None)
    []
    """
    if not isinstance(cell, str):
        return []
    text = collapse_echo(_norm_ws(cell))
    if not text:
        return []
    owners: list[str] = []
    for hard in _split_top(text, _HARD_RE)[0]:
        for piece in _group(hard, _COMMA_RE, comma=True):
            for owner in _group(piece, _SOFT_RE, comma=False):
                owner = owner.strip(_EDGE_STRIP)
                if owner:
                    owners.append(owner)
    return owners


def repeated_unit(cell: str) -> list[str]:
    """The parts of a cell that is one token sequence repeated k >= 2 times, else [cell].

    Tokens are white-space separated and compared case-insensitively; the shortest
    repeating unit wins, and each part keeps its own tokens joined by single spaces.

    >>> repeated_unit("Governing Governor Governing Governor")
    ['Governing Governor', 'Governing Governor']
    >>> repeated_unit("Governor Head of Healthcare")
    ['Governor Head of Healthcare']
    """
    tokens = cell.split() if isinstance(cell, str) else []
    n = len(tokens)
    folded = [t.casefold() for t in tokens]
    for size in range(1, n // 2 + 1):
        if n % size == 0 and folded == folded[:size] * (n // size):
            return [" ".join(tokens[i : i + size]) for i in range(0, n, size)]
    return [cell]


def split_owner_entries(cell: str | None, n: int) -> list[str] | None:
    """Split a cell holding ``n`` owner entries run together without separators.

    Only when the cell is exactly one token sequence repeated ``n`` times (compared
    case-insensitively); otherwise ``None``. ``n == 1`` gives the cell itself.

    >>> split_owner_entries("Governor Governor", 2)
    ['Governor', 'Governor']
    >>> split_owner_entries("Governing Governor Governing Governor", 2)
    ['Governing Governor', 'Governing Governor']
    >>> split_owner_entries("Governor Head of Healthcare", 2) is None
    True
    """
    if not isinstance(cell, str) or n < 1:
        return None
    tokens = cell.split()
    if not tokens or len(tokens) % n:
        return None
    size = len(tokens) // n
    folded = [t.casefold() for t in tokens]
    if folded != folded[:size] * n:
        return None
    return [" ".join(tokens[i : i + size]) for i in range(0, len(tokens), size)]


def collapse_echo(text: str) -> str:
    """``text`` without OCR echoes: a word repeated back to back, or the whole text
    repeated, is kept once (compared case-insensitively; white space folded).

    >>> collapse_echo("Governing Governing Governing"), collapse_echo("Governor Governor")
    ('Governing', 'Governor')
    >>> collapse_echo("Governing Governor Governing Governor")
    'Governing Governor'
    >>> collapse_echo("Head of Safety and Equalities")
    'Head of Safety and Equalities'
    """
    if not isinstance(text, str):
        return text
    parts = repeated_unit(_norm_ws(text))
    if any(ch.isalpha() for ch in parts[0]):
        text = parts[0]
    out: list[str] = []
    for token in text.split():
        if out and token.isalpha() and len(token) > 1 and token.casefold() == out[-1].casefold():
            continue
        out.append(token)
    return " ".join(out)


def owner_lines(entries: list[str], n_targets: int, lines: list[str] | None = None) -> list[str]:
    """Owner entries split at line breaks when that gives one line per target.

    A reader splits a target cell at its line breaks; an owner cell with as many lines
    pairs line by line, so it is split the same way. Otherwise the entries are kept.
    ``lines`` are the cell's lines when the reader keeps them apart from ``entries``
    (a DOCX run break); else ``entries`` are split at ``\\n``.

    >>> owner_lines(["Head of Healthcare\\nGovernor"], 2)
    ['Head of Healthcare', 'Governor']
    >>> owner_lines(["Head of\\nHealthcare\\nGovernor"], 2)
    ['Head of\\nHealthcare\\nGovernor']
    >>> owner_lines(["Head of\\nHealthcare"], 2)
    ['Head of\\nHealthcare']
    """
    if n_targets < 2 or len(entries) >= n_targets:
        return entries
    if not lines:
        lines = [ln.strip() for e in entries for ln in e.splitlines() if ln.strip()]
    if len(lines) != n_targets:
        return entries
    # a wrapped title ("Head of" / "Healthcare") is not two owners
    return lines if all(_Traits().add(ln).owner_like() for ln in lines) else entries
