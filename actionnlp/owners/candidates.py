"""Candidate owner spans beyond the gazetteer: a plan's own acronyms, the names its
owner cells give, names in apposition after a description, and the prison-name rule.

:func:`acronym_candidates` proposes the acronyms a plan defines where they are used bare
(and the long form of a definition), labelled ROLE or ORG from the long form's head word
(:func:`acronym_label`). :func:`apposition_names` replaces a description ("the education
provider") followed by a name in apposition by the name (docs/annotation.md R7).
:func:`after_prison_prefix` tells a prison's name ("HMP Anytown ...") from a role's head.
:func:`cell_name_candidates` proposes the bodies and posts the plan's own owner cells name
(:func:`plan_owner_names`) where an action text uses them, so a body no gazetteer knows
("Anytown Learning" in an owner cell, then "Anytown Learning will ...") is still found.
Importing this module registers ``Doc._.owner_acronyms`` (acronyms a caller knows from the
rest of the plan) and ``Doc._.owner_names`` (the names its owner cells give).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from functools import lru_cache

from spacy.tokens import Doc, Span

from actionnlp.owners.normalise import Owner, is_acronym, plan_acronyms

__all__ = [
    "POSSESSIVES",
    "acronym_candidates",
    "acronym_label",
    "after_prison_prefix",
    "apposition_names",
    "cell_name_candidates",
    "overlaps_any",
    "plan_names",
    "plan_owner_names",
]

Doc.set_extension("owner_acronyms", default=None, force=True)
Doc.set_extension("owner_names", default=None, force=True)

POSSESSIVES = ["'s", "’s", "'", "’"]
"""Possessive endings a mention may carry ("Governor's"); the first two follow any word."""


_DESCRIPTION_HEADS = frozenset({"provider", "providers", "contractor", "contractors", "trust"})
_NAME_LINKS = frozenset({"and", "&", "of", "for"})


def _apposition_name(doc: Doc, desc: Span) -> Span | None:
    """The name in apposition after a description ("the education provider (People Plus)").

    The name is a run of capitalised words (joined by "and", "of"...) right after "(" or
    "," that ends at ")" (after "(") or at ",", "(" or ")" (after ",").

    >>> import spacy
    >>> doc = spacy.blank("en")("The education provider, Anytown Learning, will act.")
    >>> _apposition_name(doc, doc[1:3]).text
    'Anytown Learning'
    """
    n, i = len(doc), desc.end
    if i >= n or doc[i].text not in {"(", ","}:
        return None
    # after a comma "and" ends the name: "the Trust, NHS England and HMPPS" is a list
    links = _NAME_LINKS if doc[i].text == "(" else _NAME_LINKS - {"and", "&"}
    j = k = i + 1
    while k < n and (
        doc[k].is_title or (doc[k].is_upper and doc[k].is_alpha) or doc[k].lower_ in links
    ):
        k += 1
    while k > j and doc[k - 1].lower_ in _NAME_LINKS:
        k -= 1
    closers = {")"} if doc[i].text == "(" else {",", "(", ")"}
    if k == j or k >= n or doc[k].text not in closers or (k == j + 1 and doc[j].is_upper):
        return None  # nothing, not closed, or an acronym ("the Trust (NHFT)": R1)
    return Span(doc, j, k, label="ORG")


def overlaps_any(span: Span, spans: Iterable[Span]) -> bool:
    """Whether ``span`` shares a token with any of ``spans``.

    >>> import spacy
    >>> doc = spacy.blank("en")("The education provider will act.")
    >>> overlaps_any(doc[1:3], [doc[2:4]]), overlaps_any(doc[1:3], [doc[3:5]])
    (True, False)
    """
    return any(s.start < span.end and span.start < s.end for s in spans)


def apposition_names(doc: Doc, spans: Iterable[Span]) -> set[Span]:
    """Candidates with each ORG description ("education provider", a lone "Trust")
    followed by a name in apposition replaced by that name: only the name is a mention
    (docs/annotation.md R7). A name overlapping other candidates is not added: they
    cover it. After a comma, "and" ends the name, so a list is not read as one name.

    >>> import spacy
    >>> doc = spacy.blank("en")("The education provider (Anytown Learning) will act.")
    >>> [s.text for s in apposition_names(doc, [Span(doc, 1, 3, label="ORG")])]
    ['Anytown Learning']
    """
    out = set(spans)
    for span in list(out):
        # "education provider", "Trust" describe a body; "Anytown Trust" names one
        described = span[0].is_lower or len(span) == 1
        if not described or span.label_ != "ORG" or span[-1].lower_ not in _DESCRIPTION_HEADS:
            continue
        name = _apposition_name(doc, span)
        if name is None:
            continue
        out.discard(span)
        if not overlaps_any(name, out):
            out.add(name)  # a name the candidates already cover is not added again
    return out


_ORG_ENDINGS = frozenset(
    {"trust", "ltd", "limited", "plc", "agency", "council", "foundation", "charity",
     "partnership", "network", "constabulary", "police", "england", "estate", "nhs"}
)  # fmt: skip
_ROLE_ENDINGS = frozenset(
    {"manager", "managers", "lead", "leads", "team", "teams", "unit", "officer", "officers",
     "coordinator", "coordinators", "governor", "governors", "director", "nurse", "nurses",
     "pharmacist", "psychologist", "tutor", "tutors", "mentor", "mentors", "department",
     "worker", "workers", "practitioner", "supervisor", "supervisors", "advisor", "adviser"}
)  # fmt: skip


def acronym_label(long_form: str) -> str | None:
    """ROLE or ORG for an acronym from its long form's head word, or None when unclear.

    >>> acronym_label("Area Property Operations Manager"), acronym_label("Anytown Trust")
    ('ROLE', 'ORG')
    >>> acronym_label("Head of Offender Management Delivery"), acronym_label("Use of Force")
    ('ROLE', None)
    """
    words = long_form.replace("’", "'").lower().split()
    if not words:
        return None
    if words[0] == "head" or words[-1].removesuffix("'s") in _ROLE_ENDINGS:
        return "ROLE"
    if words[-1] in _ORG_ENDINGS:
        return "ORG"
    return None


def acronym_candidates(doc: Doc) -> list[Span]:
    """Bare uses of acronyms the plan defines ("... Manager (APOM)" then "the APOM").

    The acronyms are those defined in the doc's own text and ``doc._.owner_acronyms``;
    the label comes from the long form (:func:`acronym_label`). The bracketed
    acronym of a definition is not a candidate, the long form before it is
    (docs/annotation.md R1). Acronyms whose long form says neither post nor body
    ("Use of Force (UoF)") give no candidate.

    >>> import spacy
    >>> doc = spacy.blank("en")("The Anytown Trust (AT) agreed. AT will audit (QA).")
    >>> [(s.text, s.label_, s.start) for s in acronym_candidates(doc)]
    [('Anytown Trust', 'ORG', 1), ('AT', 'ORG', 8)]
    """
    text = doc.text
    acronyms = plan_acronyms(text) if "(" in text else {}
    acronyms.update(doc._.owner_acronyms or {})
    if not acronyms:
        return []
    # "POMs" defined also covers "POM", "POM's"; "CMs" covers "CM’s"
    labels: dict[str, str] = {}
    for short, long in acronyms.items():
        label = acronym_label(long)
        if label is not None:
            labels.setdefault(_acronym_stem(short), label)
    if not any(stem in text for stem in labels):  # cheap test before walking the tokens
        return []
    out = []
    n = len(doc)
    for token in doc:
        label = labels.get(_acronym_stem(token.text))
        if label is None or not is_acronym(token.text):
            continue
        i = token.i
        if 0 < i < n - 1 and doc[i - 1].text == "(" and doc[i + 1].text == ")":
            # the definition itself is no candidate; the long form before it is
            long = acronyms.get(token.text) or ""
            named = _long_form_span(doc, i - 1, long)
            if named is not None:
                out.append(Span(doc, named[0], named[1], label=label))
            continue
        end = i + 2 if i + 1 < n and doc[i + 1].text in POSSESSIVES[:2] else i + 1
        out.append(Span(doc, i, end, label=label))
    return out


def _long_form_span(doc: Doc, bracket: int, long_form: str) -> tuple[int, int] | None:
    """Token range of ``long_form`` ending right before token ``bracket`` (a "("), if there.

    Words are compared lower-case; "&" stands for "and"; commas and hyphens are skipped.

    >>> import spacy
    >>> doc = spacy.blank("en")("The Clean, Safe & Decent (CSD) team")
    >>> _long_form_span(doc, 6, "Clean Safe and Decent")
    (1, 6)
    """
    words = long_form.replace("-", " ").lower().split()
    i = bracket - 1
    while i >= 0 and words:
        text = doc[i].lower_
        if text in {",", "-", "–"}:
            i -= 1
            continue
        if (text == "&" and words[-1] == "and") or text.replace("’", "'") == words[-1].replace(
            "’", "'"
        ):
            words.pop()
            i -= 1
            continue
        return None
    return None if words else (i + 1, bracket)


def _acronym_stem(text: str) -> str:
    """An acronym without a plural or possessive ending ("SOs", "SO’s" -> "SO").

    >>> _acronym_stem("POMs"), _acronym_stem("CM’s"), _acronym_stem("NHS")
    ('POM', 'CM', 'NHS')
    """
    for end in ("'s", "’s", "s"):
        stem = text.removesuffix(end)
        if stem != text and len(stem) >= 2 and stem.isupper():
            return stem
    return text


_PRISON_PREFIXES = frozenset({"hmp", "hmyoi", "hmp/yoi", "hmp&yoi", "yoi", "hmps"})


def after_prison_prefix(doc: Doc, start: int) -> bool:
    """Token ``start`` follows "HMP"/"HMYOI": it is a prison's name, not a role's head.

    Generic (id-less) patterns starting there are dropped, so "HMP Anytown Team" gives
    no "Anytown Team"; a shorter match inside it ("Security Team") still stands.

    >>> import spacy
    >>> doc = spacy.blank("en")("At HMP Anytown Security Team")
    >>> after_prison_prefix(doc, 2), after_prison_prefix(doc, 3)
    (True, False)
    """
    return start > 0 and doc[start - 1].lower_ in _PRISON_PREFIXES


#: Owner categories whose names the generic role patterns already find (the prison's own
#: posts): their owner-cell names are not looked for again.
_PRISON_OWN = frozenset({"prison_leadership", "prison_department"})
_NAME_TOKEN = re.compile(r"\w+|[^\w\s]")


def plan_owner_names(owners: Iterable[Owner]) -> tuple[str, ...]:
    """The names a plan's owner cells give that are looked for in its action texts: not
    the prison's own posts (the generic patterns find those), not a bare acronym
    (:func:`acronym_candidates` handles those), and without a bracketed acronym.

    >>> from actionnlp.owners.normalise import Owner
    >>> plan_owner_names([Owner("Anytown Learning", "Anytown Learning", "other"),
    ...     Owner("Governor", "Governor", "prison_leadership"), Owner("AL", "AL", "other"),
    ...     Owner("Anytown Trust (AT)", "Anytown Trust", "health_provider")])
    ('Anytown Learning', 'Anytown Trust')
    """
    names: dict[str, None] = {}
    for owner in owners:
        name = re.sub(r"\s*\([^)]*\)\s*", " ", owner.text).strip(" ,;/")
        if owner.category in _PRISON_OWN or not name or is_acronym(name):
            continue
        names.setdefault(" ".join(name.split()), None)
    return tuple(names)


def plan_names(
    keys: Iterable[Hashable], row_owners: Iterable[Sequence[Owner]]
) -> dict[Hashable, tuple[str, ...]]:
    """The names each plan's owner cells give (:func:`plan_owner_names`): a plan is the
    rows sharing a key, and its names are those of its rows' owners in row order, each
    once; rows with equal owners are read once.

    >>> from actionnlp.owners.normalise import Owner
    >>> trust, learning = Owner("Anytown Trust", "Anytown Trust", "other"), Owner(
    ...     "Anytown Learning", "Anytown Learning", "other")
    >>> plan_names(["a", "a", "b"], [[trust], [learning, trust], []])
    {'a': ('Anytown Trust', 'Anytown Learning'), 'b': ()}
    """
    names_of: dict[tuple[Owner, ...], tuple[str, ...]] = {}
    out: dict[Hashable, dict[str, None]] = {}
    for key, owners in zip(keys, row_owners, strict=True):
        row = tuple(owners)
        if row not in names_of:
            names_of[row] = plan_owner_names(row)
        out.setdefault(key, {}).update(dict.fromkeys(names_of[row]))
    return {key: tuple(names) for key, names in out.items()}


@lru_cache(maxsize=256)
def _name_tokens(names: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], str], ...]:
    """Each name's lower-cased tokens and its label (:func:`acronym_label`, ORG when
    unclear), empty names left out: read once per plan's names, not once per text (the
    cache holds the names of the last 256 plans)."""
    out = []
    for name in names:
        toks = tuple(w.lower() for w in _NAME_TOKEN.findall(name))
        if toks:
            out.append((toks, acronym_label(name) or "ORG"))
    return tuple(out)


def cell_name_candidates(doc: Doc) -> list[Span]:
    """Uses of the names in ``doc._.owner_names`` (:func:`plan_owner_names`), matched
    case-insensitively on whole tokens where the text capitalises the first word; the
    label comes from the name's head word (:func:`acronym_label`), ORG when unclear.

    >>> import spacy
    >>> doc = spacy.blank("en")("Anytown Learning has recruited a tutor.")
    >>> doc._.owner_names = ("Anytown Learning",)
    >>> [(s.text, s.label_) for s in cell_name_candidates(doc)]
    [('Anytown Learning', 'ORG')]
    """
    names = doc._.owner_names
    if not names:
        return []
    words = tuple(t.lower_ for t in doc)
    out = []
    for toks, label in _name_tokens(tuple(names)):
        n = len(toks)
        for i in range(len(words) - n + 1):
            if words[i : i + n] == toks and doc[i].text[:1].isupper():
                out.append(Span(doc, i, i + n, label=label))
    return out
