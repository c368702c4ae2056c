"""Canonical owner names and categories, from a gazetteer kept as data.

The gazetteer (``actionnlp/owners/resources/owners.jsonl``) has one line per canonical
owner: ``{"canonical", "category", "label": "ROLE"|"ORG", "aliases": [...]}``.
:func:`normalise_owner` maps one owner string to an :class:`Owner`, trying in turn:

1. an exact alias (compared case-, space-, punctuation- and "&"/"and"-insensitively,
   ignoring bracketed text, a leading "the" and possessives; then singular/plural);
2. an acronym: first as the plan itself defines it (:func:`plan_acronyms`), then as
   a gazetteer alias, then the same for a one-transposition variant ("NFHT");
3. a name followed by its acronym ("... Trust (NHFT)", "... Trust NHFT");
4. fuzzy matching (:mod:`difflib`, ratio >= 0.85) against the gazetteer aliases;
5. otherwise the text itself (or the plan's long form of its acronym), with the category
   its head words and shape give (:func:`~actionnlp.owners.categories.generic_category`:
   "... NHS Foundation Trust", "... College", "HMPPS ... Directorate", "Head of X");
6. with an embedder (:func:`embedding_fallback`, which :class:`~actionnlp.owners.OwnerFinder`
   applies), the category of the nearest gazetteer name by embedding when the cosine
   similarity reaches :data:`~actionnlp.owners.categories.MIN_SIMILARITY`;
   ``other`` only when nothing fits: an owner is never dropped.

Each :class:`Owner` says in ``evidence`` which step decided its category: ``gazetteer``,
``rule: <name>`` (step 5), ``embedding: ...`` (step 6) or :data:`NO_EVIDENCE`.

:func:`normalise_cell` splits a Responsible Owner cell with
:func:`~actionnlp.read.owners_cell.split_owners` and then splits entries run together
without a separator ("Governor\\nHead of\\nHealthcare") at the fewest token boundaries
where every part is an exact gazetteer owner; a part that matches as a whole is never
split, so "Head of\\nHealthcare" stays one owner.

>>> normalise_owner("Governing Governor")
Owner(text='Governing Governor', canonical='Governor', category='prison_leadership')
>>> [o.canonical for o in normalise_cell("Governor\\nHead of\\nHealthcare")]
['Governor', 'Head of Healthcare']
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from actionnlp.errors import ResourceError
from actionnlp.labels import MENTION_LABELS, OWNER_CATEGORIES
from actionnlp.owners.categories import MIN_SIMILARITY, generic_category, nearest_names
from actionnlp.read.owners_cell import split_owners

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable, Sequence

    from actionnlp.embed import Embedder

__all__ = [
    "NO_EVIDENCE",
    "Gazetteer",
    "GazetteerEntry",
    "Owner",
    "acronyms_by_plan",
    "embedding_fallback",
    "is_acronym",
    "load_gazetteer",
    "normalise_cell",
    "normalise_owner",
    "owner_key",
    "plan_acronyms",
]

FUZZY_THRESHOLD = 0.85
_BRACKETED = re.compile(r"\(([^()]*)\)")
_POSSESSIVE = re.compile(r"['’]s\b|(?<=s)['’](?=\s|$)")
_NON_WORD = re.compile(r"[^\w]+")
_DEFINITION = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9&]{1,9})\s*\)")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


NO_EVIDENCE = "none"
"""The ``evidence`` of an owner no step categorised (its category is ``other``)."""


@dataclass(frozen=True)
class Owner:
    """One owner: the text as written, its canonical name and its owner category.

    ``evidence`` says which step decided the category (see the module rules); it is not
    part of the repr or of equality.
    """

    text: str
    canonical: str
    category: str
    evidence: str = field(default=NO_EVIDENCE, repr=False, compare=False)


@dataclass(frozen=True)
class GazetteerEntry:
    """One canonical owner of the gazetteer."""

    canonical: str
    category: str
    label: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name followed by its aliases."""
        return (self.canonical, *self.aliases)


def is_acronym(token: str) -> bool:
    """Whether ``token`` reads as an acronym ("NHFT", "HoOMD", "POMs", "OMiC").

    >>> [is_acronym(t) for t in ("NHFT", "HoOMD", "POMs", "Governor", "UK", "A")]
    [True, True, True, False, True, False]
    """
    t = _POSSESSIVE.sub("", token)
    if not (2 <= len(t) <= 9) or not t.isalnum() or not t[0].isupper():
        return False
    upper = sum(c.isupper() for c in t)
    return upper >= 2 and upper * 2 >= len(t)


def _acronym_key(token: str) -> str:
    """Upper-case acronym without plural or possessive: "POMs" -> "POM"."""
    t = _POSSESSIVE.sub("", token.strip("()[] .,;:"))
    if len(t) > 2 and t.endswith("s") and t[:-1].upper() == t[:-1].upper() and t[-2].isupper():
        t = t[:-1]
    return t.upper()


def owner_key(text: str) -> str:
    """The comparison key of an owner name.

    >>> owner_key("The Head of Education, Skills & Work’s")
    'head of education skills and work'
    >>> owner_key("Offender Management Unit (OMU) Managers")
    'offender management unit managers'
    """
    t = _BRACKETED.sub(" ", text) if _BRACKETED.sub(" ", text).strip() else text
    t = _POSSESSIVE.sub("", t.replace("&", " and "))
    words = _NON_WORD.sub(" ", t).casefold().split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _number_variants(key: str) -> list[str]:
    """The key with its last word in the other grammatical number."""
    if not key:
        return []
    head, _, last = key.rpartition(" ")
    pre = f"{head} " if head else ""
    if last.endswith("s") and len(last) > 3:
        return [pre + last[:-1]]
    return [pre + last + "s"]


@dataclass
class Gazetteer:
    """Canonical owners with lookup by alias, acronym and fuzzy match."""

    entries: list[GazetteerEntry]
    _by_key: dict[str, GazetteerEntry] = field(init=False, repr=False)
    _by_acronym: dict[str, GazetteerEntry] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_key = {}
        self._by_acronym = {}
        for entry in self.entries:
            for name in entry.names:
                if is_acronym(name):
                    self._by_acronym.setdefault(_acronym_key(name), entry)
                else:
                    self._by_key.setdefault(owner_key(name), entry)

    def __len__(self) -> int:
        return len(self.entries)

    def exact(self, text: str) -> GazetteerEntry | None:
        """The entry with an alias equal to ``text`` (see :func:`owner_key`), else None."""
        key = owner_key(text)
        for k in (key, *_number_variants(key)):
            if k in self._by_key:
                return self._by_key[k]
        return None

    def acronym(self, token: str) -> GazetteerEntry | None:
        """The entry with this acronym as an alias ("POMs" finds "POM"), else None."""
        return self._by_acronym.get(_acronym_key(token))

    @property
    def acronyms(self) -> list[str]:
        """Every acronym alias, upper-cased."""
        return list(self._by_acronym)

    def fuzzy(self, text: str, threshold: float = FUZZY_THRESHOLD) -> GazetteerEntry | None:
        """The entry whose alias is most similar to ``text`` (ratio >= threshold)."""
        key = owner_key(text)
        if len(key) < 6:
            return None
        best, score = None, threshold
        for k, entry in self._by_key.items():
            matcher = difflib.SequenceMatcher(None, key, k, autojunk=False)
            if matcher.real_quick_ratio() < score or matcher.quick_ratio() < score:
                continue
            ratio = matcher.ratio()
            if ratio >= score:
                best, score = entry, ratio
        return best

    def to_jsonl(self) -> str:
        """The entries as JSON lines (the gazetteer file format)."""
        return "".join(
            json.dumps(
                {
                    "canonical": e.canonical,
                    "category": e.category,
                    "label": e.label,
                    "aliases": list(e.aliases),
                },
                ensure_ascii=False,
            )
            + "\n"
            for e in self.entries
        )

    @classmethod
    def from_jsonl(cls, text: str, *, where: str = "gazetteer") -> Gazetteer:
        """Parse gazetteer JSON lines, checking categories and labels."""
        return cls(_parse_entries(text, where))


def _parse_entries(text: str, where: str) -> list[GazetteerEntry]:
    entries: list[GazetteerEntry] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as err:
            raise ResourceError(f"not a JSON line ({err})", f"{where}:{n}") from err
        if not isinstance(row, dict) or not isinstance(row.get("canonical"), str):
            raise ResourceError("each line needs a 'canonical' string", f"{where}:{n}")
        category = row.get("category", "other")
        label = row.get("label", "ROLE")
        aliases = row.get("aliases", [])
        if category not in OWNER_CATEGORIES:
            raise ResourceError(f"category must be one of {OWNER_CATEGORIES}", f"{where}:{n}")
        if label not in MENTION_LABELS:
            raise ResourceError(f"label must be one of {MENTION_LABELS}", f"{where}:{n}")
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ResourceError("aliases must be a list of strings", f"{where}:{n}")
        entries.append(GazetteerEntry(row["canonical"], category, label, tuple(aliases)))
    return entries


def _merge(base: list[GazetteerEntry], extra: list[GazetteerEntry]) -> list[GazetteerEntry]:
    """User entries first (their aliases win), extending bundled ones of the same name."""
    user: dict[str, GazetteerEntry] = {}
    for e in extra:
        old = user.get(e.canonical)
        aliases = e.aliases if old is None else (*old.aliases, *e.aliases)
        user[e.canonical] = GazetteerEntry(e.canonical, e.category, e.label, aliases)
    for b in base:
        u = user.get(b.canonical)
        if u is not None:
            aliases = tuple(dict.fromkeys((*u.aliases, *b.aliases)))
            user[b.canonical] = GazetteerEntry(u.canonical, u.category, u.label, aliases)
    return [*user.values(), *(b for b in base if b.canonical not in user)]


@cache
def _bundled() -> tuple[GazetteerEntry, ...]:
    text = (
        resources.files("actionnlp.owners").joinpath("resources", "owners.jsonl").read_text("utf-8")
    )
    return tuple(_parse_entries(text, "owners.jsonl"))


def load_gazetteer(extra_path: str | Path | None = None) -> Gazetteer:
    """The bundled gazetteer, merged with a user file of the same format when given.

    A user entry with an existing canonical name adds its aliases and sets its
    category and label; its aliases take precedence over bundled ones.

    >>> g = load_gazetteer()
    >>> g.exact("Head of Health Care").canonical
    'Head of Healthcare'
    """
    entries = list(_bundled())
    if extra_path is not None:
        path = Path(extra_path)
        extra = _parse_entries(path.read_text(encoding="utf-8"), path.name)
        entries = _merge(entries, extra)
    return Gazetteer(entries)


@cache
def _default_gazetteer() -> Gazetteer:
    return load_gazetteer()


def _initials_form(words: list[str], letters: list[str]) -> str | None:
    """The shortest tail of ``words`` whose initials contain ``letters`` in order."""
    for k in range(1, min(len(words), 2 * len(letters) + 2) + 1):
        tail = words[-k:]
        if tail[0][0].lower() != letters[0]:
            continue
        i = 0
        for w in tail:
            if i < len(letters) and w[0].lower() == letters[i]:
                i += 1
        if i == len(letters):
            return " ".join(tail)
    return None


def _long_form(words: list[str], short: str) -> str | None:
    """The long form of ``short`` ending ``words``: by word initials, else Schwartz-Hearst."""
    letters = [c.lower() for c in short if c.isalnum()]
    if len(letters) > 2 and short.endswith("s") and short[-2].isupper():
        letters = letters[:-1]
    if not letters or not words:
        return None
    by_initials = _initials_form(words, letters)
    if by_initials is not None:
        return by_initials
    text = " ".join(words)
    s, i = len(letters) - 1, len(text) - 1
    while s >= 0:
        c = letters[s]
        while i >= 0 and (text[i].lower() != c or (s == 0 and i > 0 and text[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = text.rfind(" ", 0, i + 1) + 1
    long = text[start:].strip(" ,;:-")
    if len(long.split()) > min(len(letters) + 5, 2 * len(letters)) or long.lower() == short.lower():
        return None
    return long


def plan_acronyms(text: str) -> dict[str, str]:
    """Acronyms a plan defines in its own text, as ``{acronym: long form}``.

    Reads "Long Form (ACR)"; the first definition of an acronym wins.

    >>> plan_acronyms("Northamptonshire Healthcare Foundation Trust (NHFT) and the "
    ...               "Regional Property Operation Manager (RPOM) will ...")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'NHFT': 'Northamptonshire Healthcare Foundation Trust',
     'RPOM': 'Regional Property Operation Manager'}
    """
    found: dict[str, str] = {}
    if not isinstance(text, str):
        return found
    for m in _DEFINITION.finditer(text):
        short = m.group(1)
        if not is_acronym(short) or short in found:
            continue
        window = text[max(0, m.start() - 200) : m.start()].replace("&", " and ")
        before = _WORD.findall(window.replace("-", " "))
        long = _long_form(before[-(2 * len(short) + 2) :], short)
        if long:
            found[short] = long
    return found


def acronyms_by_plan(
    keys: Iterable[Hashable], rows: Iterable[Sequence[object]]
) -> dict[Hashable, dict[str, str]]:
    """The acronyms each plan defines (:func:`plan_acronyms`): a plan is the rows sharing
    a key, its text the string cells of its rows in order (row by row, each distinct text
    once, so the first definition wins); plans with the same text are read once.

    >>> acronyms_by_plan(["a", "a", "b"], [("Anytown Trust (AT) will act.", None),
    ...     ("AT", "Anytown Trust (AT)"), ("The Governor.", "")])
    {'a': {'AT': 'Anytown Trust'}, 'b': {}}
    """
    texts: dict[Hashable, list[str]] = {}
    for key, row in zip(keys, rows, strict=True):
        texts.setdefault(key, []).extend(v for v in row if isinstance(v, str))
    read: dict[str, dict[str, str]] = {}
    out = {}
    for key, values in texts.items():
        text = "\n".join(dict.fromkeys(values))
        if text not in read:
            read[text] = plan_acronyms(text)
        out[key] = read[text]
    return out


def _transposed(a: str, b: str) -> bool:
    """``b`` is ``a`` with two adjacent letters swapped."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and (a[diff[1]] == b[diff[0]])
    )


def _resolve_acronym(
    token: str, acronyms: Mapping[str, str], gaz: Gazetteer
) -> tuple[GazetteerEntry | None, str | None]:
    """(gazetteer entry, plan long form) for an acronym; both None when unknown."""
    key = _acronym_key(token)
    plan = {_acronym_key(k): v for k, v in acronyms.items()}
    for candidate in (key, *[k for k in (*plan, *gaz.acronyms) if _transposed(key, k)]):
        long = plan.get(candidate)
        if long is not None:
            entry = gaz.exact(long) or gaz.fuzzy(long)
            if entry is not None:
                return entry, long
            if gaz.acronym(candidate) is None:
                return None, long
        entry = gaz.acronym(candidate)
        if entry is not None:
            return entry, None
    return None, None


def _match(
    text: str, acronyms: Mapping[str, str], gaz: Gazetteer, *, fuzzy: bool
) -> tuple[GazetteerEntry | None, str | None]:
    """Steps 1-4 of the module rules: (entry, plan long form) or (None, None)."""
    entry = gaz.exact(text)
    if entry is not None:
        return entry, None
    words = text.split()
    if len(words) == 1 and is_acronym(words[0].strip("()")):
        return _resolve_acronym(words[0], acronyms, gaz)
    # "Name (ACR)" or "Name ACR": the acronym decides when it is known
    tail = _BRACKETED.findall(text)
    last = words[-1] if words else ""
    if text.rstrip().endswith(")") and len(tail) == 1 and is_acronym(tail[0].strip()):
        acr = tail[0].strip()
    elif len(words) > 1 and is_acronym(last) and "(" not in text:
        acr = last
    else:
        acr = None
    if acr is not None:
        entry, long = _resolve_acronym(acr, acronyms, gaz)
        if entry is not None:
            return entry, long
    if fuzzy:
        name = text if acr is None else text[: text.rfind(acr)].rstrip(" (")
        entry = gaz.fuzzy(name)
        if entry is not None:
            return entry, None
    return None, None


def normalise_owner(
    text: str, *, acronyms: Mapping[str, str] | None = None, gazetteer: Gazetteer | None = None
) -> Owner:
    """The canonical name and category of one owner (see the module rules).

    ``acronyms`` are the plan's own definitions (:func:`plan_acronyms`).

    >>> owner = normalise_owner("NFHT", acronyms={"NHFT": "Northamptonshire Healthcare Trust"})
    >>> owner.canonical, owner.category
    ('Northamptonshire Healthcare NHS Foundation Trust', 'health_provider')
    >>> normalise_owner("Head of Chess")
    Owner(text='Head of Chess', canonical='Head of Chess', category='prison_department')
    >>> normalise_owner("Westshire Community Health NHS Trust").category
    'health_provider'
    >>> normalise_owner("Fred Bloggs").category
    'other'
    """
    gaz = gazetteer if gazetteer is not None else _default_gazetteer()
    clean = " ".join(str(text).split())
    entry, long = _match(clean, acronyms or {}, gaz, fuzzy=True)
    if entry is not None:
        return Owner(clean, entry.canonical, entry.category, "gazetteer")
    found = generic_category(long or clean) or (generic_category(clean) if long else None)
    if found is None:
        return Owner(clean, long or clean, "other", NO_EVIDENCE)
    return Owner(clean, long or clean, found[0], f"rule: {found[1]}")


def embedding_fallback(
    owners: Sequence[Owner],
    embedder: Embedder,
    *,
    gazetteer: Gazetteer | None = None,
    threshold: float = MIN_SIMILARITY,
) -> list[Owner]:
    """Step 6 of the module rules: each owner no earlier step categorised (evidence
    :data:`NO_EVIDENCE`) takes the category of the nearest gazetteer name by embedding
    when the cosine similarity reaches ``threshold``, else stays ``other``; its evidence
    gives the similarity and the name. Other owners are returned unchanged.

    >>> from actionnlp.embed import FakeEmbedder
    >>> owner = normalise_owner("Fred Bloggs")
    >>> owner.category, owner.evidence
    ('other', 'none')
    >>> [o.evidence.split(":")[0] for o in embedding_fallback([owner], FakeEmbedder())]
    ['embedding']
    """
    todo = [i for i, o in enumerate(owners) if o.evidence == NO_EVIDENCE]
    out = list(owners)
    if not todo:
        return out
    gaz = gazetteer if gazetteer is not None else _default_gazetteer()
    texts = list(dict.fromkeys(owners[i].canonical for i in todo))
    near = dict(zip(texts, nearest_names(texts, gaz, embedder), strict=True))
    for i in todo:
        o = owners[i]
        name, category, sim = near[o.canonical]
        if name and sim >= threshold:
            evidence = f"embedding: {sim:.2f} to {name!r}"
        else:
            category, evidence = "other", f"embedding: {sim:.2f} < {threshold:.2f}, nothing fits"
        out[i] = Owner(o.text, o.canonical, category, evidence)
    return out


def _segment(piece: str, acronyms: Mapping[str, str], gaz: Gazetteer) -> list[str]:
    """Split entries run together without separators (see the module rules)."""
    if _match(piece, acronyms, gaz, fuzzy=False)[0] is not None:
        return [piece]
    tokens = piece.split()
    n = len(tokens)
    if n < 2 or n > 30:
        return [piece]
    # best[i]: fewest exact parts covering tokens[:i]
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(1, n + 1):
        for j in range(max(0, i - 10), i):
            prev = best[j]
            if prev is None:
                continue
            part = " ".join(tokens[j:i])
            if _match(part, acronyms, gaz, fuzzy=False)[0] is None:
                continue
            cand = [*prev, part]
            current = best[i]
            if current is None or len(cand) < len(current):
                best[i] = cand
    parts = best[n]
    return parts if parts is not None and len(parts) > 1 else [piece]


def normalise_cell(
    cell: str | None,
    *,
    acronyms: Mapping[str, str] | None = None,
    gazetteer: Gazetteer | None = None,
) -> list[Owner]:
    """The owners of a Responsible Owner cell, in order, one per entry.

    >>> [o.canonical for o in normalise_cell("CEO Care UK and Governor")]
    ['Care UK', 'Governor']
    >>> [o.canonical for o in normalise_cell("Northampton Healthcare Foundation Trust NHFT")]
    ['Northamptonshire Healthcare NHS Foundation Trust']
    >>> normalise_cell(None)
    []
    """
    gaz = gazetteer if gazetteer is not None else _default_gazetteer()
    acr = acronyms or {}
    owners: list[Owner] = []
    for piece in split_owners(cell):
        for part in _segment(piece, acr, gaz):
            owners.append(normalise_owner(part, acronyms=acr, gazetteer=gaz))
    return owners
