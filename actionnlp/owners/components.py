"""spaCy components for owner mentions: ``owner_ruler``, ``owner_filter``, ``owner_linker``.

Importing this module registers the three factories and the extensions
``Span._.canonical``, ``Span._.category`` and ``Doc._.owner_acronyms`` (acronyms a
caller knows from the rest of the plan; the linker also reads the doc's own text).

- ``owner_ruler``: an :class:`OwnerRuler` (a :class:`~spacy.pipeline.SpanRuler`)
  writing ``doc.ents`` from the gazetteer: one token pattern per alias (and its
  plural), lower-case for words and exact for acronyms, with an optional trailing
  possessive ("Duty Governor's"). The patterns are saved as plain SpanRuler token
  patterns, but exact token sequences are matched with one case-insensitive
  :class:`~spacy.matcher.PhraseMatcher` (acronyms checked afterwards, possessives by
  looking at the next token), which finds the same spans as the token Matcher
  much faster. With ``overwrite_ents=False`` it keeps entities already set (by ``ner``).
  With ``role_patterns=True`` it also adds the generic role patterns of
  ``resources/owner_patterns.jsonl`` ("Head of X", "X Manager", "X Lead", "X team",
  "OMU orderlies"...; :func:`role_patterns`), so posts missing from the gazetteer are
  proposed too; a name is then normalised by the linker as usual. It also proposes
  lower-case posts ("peer mentors"), titles built from comma lists ("Education, Skills
  and Work lead"), prison departments named by their function ("Healthcare", "Safer
  Custody"), bodies with an organisational ending ("Anytown Trust", "X Ltd") and
  descriptions ("the Trust", "the education provider"; the span drops "the"). A
  description followed by a name in apposition ("the education provider (Anytown
  Learning)") gives the name only (docs/annotation.md R7). A generic match never
  starts right after "HMP"/"HMYOI" (that is the prison's name). With
  ``acronym_candidates=True`` it adds the acronyms the plan defines
  (``doc._.owner_acronyms`` and the doc's own "Long Form (ACR)") where they are used
  bare, and the long form of a definition, labelled from the long form's head word
  (:func:`acronym_candidates`). The filter decides which candidates stay.
- ``owner_filter``: a learned precision filter after the ruler. It keeps or drops
  each ROLE/ORG entity with a scikit-learn logistic regression over the words around
  it (:func:`candidate_features`), so roles only consulted, informed or trained
  ("... shared with the Governor") are dropped. Untrained, it keeps everything. It is
  fitted with :meth:`OwnerFilter.fit` and saved with skops, never pickle.
- ``owner_linker``: sets ``_.canonical`` and ``_.category`` on every ROLE/ORG entity
  with :func:`~actionnlp.owners.normalise.normalise_owner`.

>>> import spacy
>>> nlp = spacy.blank("en")
>>> _ = nlp.add_pipe("owner_ruler")
>>> _ = nlp.add_pipe("owner_linker")
>>> doc = nlp("The Head of Security and NHFT will meet.")
>>> [(e.text, e.label_, e._.category) for e in doc.ents]
[('Head of Security', 'ROLE', 'prison_department'), ('NHFT', 'ORG', 'health_provider')]
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import SpanRuler
from spacy.pipeline.span_ruler import (
    prioritize_existing_ents_filter,
    prioritize_new_ents_filter,
)
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, minibatch

from actionnlp.corpus import MENTION_LABELS
from actionnlp.owners.normalise import (
    Gazetteer,
    is_acronym,
    load_gazetteer,
    normalise_owner,
    plan_acronyms,
)

__all__ = [
    "OwnerFilter",
    "OwnerLinker",
    "OwnerRuler",
    "acronym_candidates",
    "acronym_label",
    "candidate_features",
    "gazetteer_patterns",
    "make_owner_filter",
    "make_owner_linker",
    "make_owner_ruler",
    "role_patterns",
]

Span.set_extension("canonical", default=None, force=True)
Span.set_extension("category", default=None, force=True)
Doc.set_extension("owner_acronyms", default=None, force=True)

_POSSESSIVES = ["'s", "’s", "'", "’"]


def gazetteer_patterns(
    nlp: Language, gazetteer: Gazetteer, *, possessives: bool = True
) -> list[dict[str, Any]]:
    """SpanRuler token patterns for every name of every gazetteer entry.

    >>> import spacy
    >>> pats = gazetteer_patterns(spacy.blank("en"), load_gazetteer())
    >>> {"label": "ORG", "id": "Northamptonshire Healthcare NHS Foundation Trust",
    ...  "pattern": [{"ORTH": "NHFT"}]} in pats
    True
    """
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    patterns: list[dict[str, Any]] = []
    for entry in gazetteer.entries:
        for name in entry.names:
            if name.rstrip().endswith(")"):
                continue  # "Name (ACR)": the span is the name alone (docs/annotation.md R1)
            words = [t.text for t in nlp.make_doc(name)]
            if len(words) > 1 and words[0].lower() == "the":
                words = words[1:]
            if not words:
                continue
            variants = [words]
            last = words[-1]
            if entry.label == "ROLE" and not last.endswith("s"):
                variants.append([*words[:-1], last + "s"])
            for variant in variants:
                toks = tuple(
                    ("ORTH", w) if is_acronym(w) else ("LOWER", w.lower()) for w in variant
                )
                if (entry.label, toks) in seen:
                    continue
                seen.add((entry.label, toks))
                pattern: list[dict[str, Any]] = [{attr: value} for attr, value in toks]
                patterns.append({"label": entry.label, "id": entry.canonical, "pattern": pattern})
                if possessives:
                    marks = _POSSESSIVES if variant[-1].endswith("s") else _POSSESSIVES[:2]
                    poss = [*pattern, {"ORTH": {"IN": marks}}]
                    patterns.append({"label": entry.label, "id": entry.canonical, "pattern": poss})
    return patterns


def _exact_token(token: Any) -> tuple[str, str] | None:
    """``("LOWER", w)`` / ``("ORTH", w)`` for a token pattern matching one exact string."""
    if not isinstance(token, dict) or len(token) != 1:
        return None
    ((attr, value),) = token.items()
    attr = str(attr).upper()
    if not isinstance(value, str) or not value or value.isspace():
        return None
    if attr == "ORTH" or (attr == "LOWER" and value == value.lower()):
        return attr, value
    return None


def _possessive_token(token: Any) -> frozenset[str] | None:
    """The strings of a ``{"ORTH": {"IN": [...]}}`` token pattern, else None."""
    if not isinstance(token, dict) or len(token) != 1:
        return None
    ((attr, value),) = token.items()
    if str(attr).upper() != "ORTH" or not isinstance(value, dict) or len(value) != 1:
        return None
    ((op, strings),) = value.items()
    if str(op).upper() != "IN" or not isinstance(strings, list):
        return None
    if not strings or not all(isinstance(x, str) for x in strings):
        return None
    return frozenset(strings)


def _compile_exact(
    pattern: Any,
) -> tuple[tuple[tuple[str, str], ...], frozenset[str] | None] | None:
    """Split an exact token pattern into its tokens and an optional possessive set.

    Returns None for anything else (operators, other attributes...), which the
    token Matcher then handles as usual.

    >>> _compile_exact([{"LOWER": "head"}, {"ORTH": {"IN": ["'s"]}}])
    ((('LOWER', 'head'),), frozenset({"'s"}))
    >>> _compile_exact([{"LOWER": "head", "OP": "?"}]) is None
    True
    """
    if not isinstance(pattern, list) or not pattern:
        return None
    poss = _possessive_token(pattern[-1]) if len(pattern) > 1 else None
    body = pattern[:-1] if poss is not None else pattern
    toks = [_exact_token(t) for t in body]
    if not toks or any(t is None for t in toks):
        return None
    return tuple(t for t in toks if t is not None), poss


class OwnerRuler(SpanRuler):
    """A :class:`~spacy.pipeline.SpanRuler` that matches exact token patterns fast.

    Token patterns that are a sequence of exact ``LOWER``/``ORTH`` strings, optionally
    followed by one ``{"ORTH": {"IN": [...]}}`` token (a possessive), are not given
    to the token Matcher (which tries every pattern at every token). They go into one
    case-insensitive PhraseMatcher; a phrase match is then kept for every pattern
    whose ``ORTH`` tokens agree exactly, and extended by one token when the next
    token is in the pattern's possessive set. For these gazetteer patterns the spans
    found are exactly those the token Matcher finds; other patterns use the usual
    SpanRuler machinery. Patterns are stored and saved unchanged, so saved pipelines
    load either way. Spans of generic (id-less) patterns lose a leading "the" and are
    dropped right after "HMP"/"HMYOI"; gazetteer spans are left as matched. A
    description with a name in apposition is replaced by the name
    (:func:`_apposition_names`). With ``acronym_candidates`` the plan's own acronyms
    are added (:func:`acronym_candidates`).

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> ruler = OwnerRuler(nlp, "r", spans_key=None, annotate_ents=True, scorer=None)
    >>> ruler.add_patterns([{"label": "ORG", "pattern": [{"ORTH": "NHS"}, {"LOWER": "trust"}]},
    ...     {"label": "ROLE", "pattern": [{"LOWER": "governor"}, {"ORTH": {"IN": ["'s"]}}]}])
    >>> [(s.text, s.label_) for s in ruler.match(nlp("The nhs Trust, NHS TRUST, Governor's."))]
    [('NHS TRUST', 'ORG'), ("Governor's", 'ROLE')]
    """

    acronym_candidates: bool = False
    """Also propose the plan's own acronyms (:func:`acronym_candidates`)."""

    def clear(self) -> None:
        super().clear()
        self._exact_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        # phrase key -> [(match id, ((offset, orth), ...), match the bare phrase?, possessives)]
        self._exact: dict[int, list[tuple[int, tuple[tuple[int, str], ...], bool, frozenset[str]]]]
        self._exact = {}

    def add_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:  # type: ignore[override]
        patterns = list(patterns)
        start = list(self._patterns)
        rest = []
        for entry in patterns:
            compiled = _compile_exact(entry.get("pattern"))
            if compiled is None:
                rest.append(entry)
                continue
            toks, poss = compiled
            p_label = str(entry["label"])
            p_id = str(entry.get("id", ""))
            match_id = self.nlp.vocab.strings.add(repr((p_label, p_id)))
            self._match_label_id_map[match_id] = {"label": p_label, "id": p_id}
            words = [value.lower() for _, value in toks]
            phrase = "owner_ruler:" + "\x00".join(words)
            key = self.nlp.vocab.strings.add(phrase)
            if key not in self._exact:
                self._exact[key] = []
                self._exact_matcher.add(phrase, [Doc(self.nlp.vocab, words=words)])
            checks = tuple((i, value) for i, (attr, value) in enumerate(toks) if attr == "ORTH")
            rules = self._exact[key]
            for j, (m_id, c, base, p) in enumerate(rules):
                if m_id == match_id and c == checks:
                    rules[j] = (m_id, c, base or poss is None, p | (poss or frozenset()))
                    break
            else:
                rules.append((match_id, checks, poss is None, poss or frozenset()))
        if rest:
            super().add_patterns(rest)
        self._patterns = [*start, *patterns]

    def remove(self, label: str) -> None:
        super().remove(label)
        self._rebuild()

    def remove_by_id(self, pattern_id: str) -> None:
        super().remove_by_id(pattern_id)
        self._rebuild()

    def _rebuild(self) -> None:
        patterns = list(self._patterns)
        self.clear()
        self.add_patterns(patterns)

    def match(self, doc: Doc) -> list[Span]:
        self._require_patterns()
        matches: list[tuple[int, int, int]] = []
        if len(self.matcher) or len(self.phrase_matcher):
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="\\[W036")
                matches += [*self.matcher(doc), *self.phrase_matcher(doc)]
        n = len(doc)
        for key, start, end in self._exact_matcher(doc):
            for match_id, checks, base, poss in self._exact[key]:
                if any(doc[start + i].orth_ != value for i, value in checks):
                    continue
                if base:
                    matches.append((match_id, start, end))
                if poss and end < n and doc[end].orth_ in poss:
                    matches.append((match_id, start, end + 1))
        labels = self._match_label_id_map
        spans = set()
        for m, start, end in matches:
            label, span_id = labels[m]["label"], labels[m]["id"]
            if not span_id:
                # generic patterns: a leading "the" is context, not part of the name
                while start < end - 1 and doc[start].lower_ == "the":
                    start += 1
                if _after_prison_prefix(doc, start):
                    continue
            if start != end:
                spans.add(Span(doc, start, end, label=label, span_id=span_id))
        if self.acronym_candidates:
            spans.update(acronym_candidates(doc))
        return sorted(_apposition_names(doc, spans))


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


def _apposition_names(doc: Doc, spans: Iterable[Span]) -> set[Span]:
    """Candidates with each ORG description ("education provider", a lone "Trust")
    followed by a name in apposition replaced by that name: only the name is a mention
    (docs/annotation.md R7). A name overlapping other candidates is not added: they
    cover it. After a comma, "and" ends the name, so a list is not read as one name.

    >>> import spacy
    >>> doc = spacy.blank("en")("The education provider (Anytown Learning) will act.")
    >>> [s.text for s in _apposition_names(doc, [Span(doc, 1, 3, label="ORG")])]
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
        if not any(s.start < name.end and name.start < s.end for s in out):
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
        end = i + 2 if i + 1 < n and doc[i + 1].text in _POSSESSIVES[:2] else i + 1
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


def _after_prison_prefix(doc: Doc, start: int) -> bool:
    """Token ``start`` follows "HMP"/"HMYOI": it is a prison's name, not a role's head.

    Generic (id-less) patterns starting there are dropped, so "HMP Anytown Team" gives
    no "Anytown Team"; a shorter match inside it ("Security Team") still stands.

    >>> import spacy
    >>> doc = spacy.blank("en")("At HMP Anytown Security Team")
    >>> _after_prison_prefix(doc, 2), _after_prison_prefix(doc, 3)
    (True, False)
    """
    return start > 0 and doc[start - 1].lower_ in _PRISON_PREFIXES


def role_patterns() -> list[dict[str, Any]]:
    """The generic role token patterns bundled in ``resources/owner_patterns.jsonl``.

    Each line is a SpanRuler pattern (``label``, ``pattern``, ``id`` "") with a ``name``
    saying what it is for; the name is dropped here.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> ruler = nlp.add_pipe("owner_ruler", config={"gazetteer_path": None})
    >>> [e.text for e in nlp("The Head of Chess and the Chess Club Lead will act.").ents]
    ['Head of Chess', 'Chess Club Lead']
    """
    text = resources.files("actionnlp.resources").joinpath("owner_patterns.jsonl")
    out = []
    for line in text.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append({k: row[k] for k in ("label", "pattern", "id") if k in row})
    return out


_role_patterns = role_patterns  # the factory's ``role_patterns`` setting shadows the name


@Language.factory(
    "owner_ruler",
    default_config={
        "overwrite_ents": False,
        "gazetteer_path": None,
        "possessives": True,
        "role_patterns": True,
        "acronym_candidates": True,
    },
)
def make_owner_ruler(
    nlp: Language,
    name: str,
    *,
    overwrite_ents: bool,
    gazetteer_path: str | None,
    possessives: bool,
    role_patterns: bool,
    acronym_candidates: bool,
) -> OwnerRuler:
    """An :class:`OwnerRuler` on ``doc.ents`` with the gazetteer's patterns (plus a user
    file), when ``role_patterns`` the generic patterns, and when ``acronym_candidates``
    the plan's own acronyms (:func:`acronym_candidates`)."""
    ruler = OwnerRuler(
        nlp,
        name,
        spans_key=None,
        annotate_ents=True,
        ents_filter=prioritize_new_ents_filter
        if overwrite_ents
        else prioritize_existing_ents_filter,
        overwrite=overwrite_ents,
        scorer=None,
    )
    gazetteer = load_gazetteer(gazetteer_path)
    ruler.add_patterns(gazetteer_patterns(nlp, gazetteer, possessives=possessives))
    if role_patterns:
        ruler.add_patterns(_role_patterns())
    ruler.acronym_candidates = acronym_candidates
    return ruler


_SENTENCE_END = {".", "!", "?", ";", ":", "\n", "•", "-", "–", "—"}
_AUXILIARIES = {
    "will", "would", "shall", "should", "has", "have", "had", "is", "are", "was", "were",
    "can", "must", "to", "and", "/", "continue", "continues",
}  # fmt: skip
_PREPOSITIONS = {"with", "to", "from", "of", "for", "by", "about", "on", "at", "between", "via"}
_CUE_WORDS = {
    "inform", "informed", "consult", "consultation", "consulted", "shared", "share", "aware",
    "training", "trained", "feedback", "supervision", "met", "meet", "meeting", "meetings",
    "presented", "submitted", "report", "reported", "recruit", "recruited", "recruitment",
    "with", "to", "by", "for", "of", "new", "all", "their", "support", "supported",
}  # fmt: skip
_WINDOW = 6


def _word(doc: Doc, i: int) -> str:
    """Lower-case token ``i`` of ``doc``; "<s>" / "</s>" outside the doc, "\n" for breaks."""
    if i < 0:
        return "<s>"
    if i >= len(doc):
        return "</s>"
    token = doc[i]
    return "\n" if token.is_space and "\n" in token.text else token.lower_


def candidate_features(doc: Doc, ent: Span) -> dict[str, Any]:
    """Context features of a candidate entity for :class:`OwnerFilter`.

    The one or two words before it and the two after it, whether it starts a
    sentence or follows "the"/"by", whether an auxiliary ("will", "has"...) or a noun
    follows, whether it is bracketed or next to another candidate, cue words to its
    left, its label and length.

    >>> import spacy
    >>> doc = spacy.blank("en")("It was shared with the Governor.")
    >>> f = candidate_features(doc, doc.char_span(23, 31, label="ROLE"))
    >>> f["prev1=the"], f["prev2=with the"], f["next1=."], f["after_prep"]
    (1, 1, 1, 1)
    """
    s, e = ent.start, ent.end
    prev = [_word(doc, s - k) for k in (1, 2)]
    nxt = [_word(doc, e + k) for k in (0, 1)]
    # skip a determiner/possessive before the entity to find the governing word
    j = s - 1
    while j >= 0 and _word(doc, j) in {"the", "a", "an", "their", "its", "all", "new"}:
        j -= 1
    head_prev = _word(doc, j)
    start = head_prev in _SENTENCE_END or head_prev == "<s>" or doc[j].is_space
    feats: dict[str, Any] = {
        "bias": 1,
        f"label={ent.label_}": 1,
        f"len={min(len(ent), 4)}": 1,
        f"prev1={prev[0]}": 1,
        f"prev2={prev[1]} {prev[0]}": 1,
        f"head_prev={head_prev}": 1,
        f"next1={nxt[0]}": 1,
        f"next_second={nxt[1]}": 1,
        "sent_start": int(start),
        "after_the_or_by": int(prev[0] == "the" or head_prev == "by"),
        "after_prep": int(head_prev in _PREPOSITIONS),
        "next_aux": int(
            nxt[0] in _AUXILIARIES or (nxt[0] in {")", "’", "'s"} and nxt[1] in _AUXILIARIES)
        ),
        "bracketed": int(prev[0] == "(" and nxt[0] == ")"),
        "acronym": int(len(ent) == 1 and ent.text[:1].isupper() and ent.text.upper() == ent.text),
        "plural": int(ent[-1].lower_.rstrip("’'").endswith("s")),
    }
    nxt_tok = doc[e] if e < len(doc) else None
    feats["next_word"] = int(
        nxt_tok is not None
        and nxt_tok.is_alpha
        and nxt_tok.lower_ not in _AUXILIARIES
        and nxt_tok.lower_ not in _PREPOSITIONS
        and nxt_tok.lower_ not in {"and", "or", "who", "which", "that"}
    )
    feats["next_title"] = int(nxt_tok is not None and nxt_tok.is_alpha and nxt_tok.is_title)
    others = [o for o in doc.ents if o.label_ in MENTION_LABELS and o != ent]
    feats["ent_before"] = int(any(0 <= s - o.end <= 2 for o in others))
    feats["ent_after"] = int(any(0 <= o.start - e <= 2 for o in others))
    if feats["bracketed"]:
        feats[f"bracketed_after_ent={feats['ent_before']}"] = 1
    for k in range(max(0, s - _WINDOW), s):
        word = _word(doc, k)
        if word in _CUE_WORDS:
            feats[f"left_cue={word}"] = 1
    return feats


class OwnerFilter:
    """Keeps or drops ROLE/ORG entities with a logistic regression over their context.

    ``model`` is a scikit-learn pipeline (DictVectorizer + LogisticRegression) or None
    (untrained: every entity is kept). Entities with another label are never touched.
    """

    def __init__(self, nlp: Language, name: str, *, threshold: float = 0.5) -> None:
        self.name = name
        self.threshold = threshold
        self.model: Any = None

    def keep_probabilities(self, doc: Doc) -> list[float]:
        """P(keep) for every ROLE/ORG entity of ``doc``, in order (1.0 when untrained)."""
        cands = [e for e in doc.ents if e.label_ in MENTION_LABELS]
        if self.model is None:
            return [1.0] * len(cands)
        return self._keep([candidate_features(doc, e) for e in cands])

    def _apply(self, doc: Doc, probs: Iterator[float]) -> None:
        """Keep the ROLE/ORG entities of ``doc`` whose next P(keep) reaches the threshold."""
        doc.ents = [
            e for e in doc.ents if e.label_ not in MENTION_LABELS or next(probs) >= self.threshold
        ]

    def __call__(self, doc: Doc) -> Doc:
        if self.model is None:
            return doc
        self._apply(doc, iter(self.keep_probabilities(doc)))
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        """Filter a stream of docs, with one ``predict_proba`` call per batch of docs.

        Same results as calling the filter on each doc (``nlp.pipe`` uses this).

        >>> import spacy
        >>> nlp = spacy.blank("en")
        >>> f = OwnerFilter(nlp, "f")
        >>> [d.text for d in f.pipe([nlp("a"), nlp("b")], batch_size=1)]
        ['a', 'b']
        """
        if self.model is None:
            yield from stream
            return
        for batch in minibatch(stream, size=batch_size):
            feats: list[dict[str, Any]] = []
            for doc in batch:
                feats.extend(
                    candidate_features(doc, e) for e in doc.ents if e.label_ in MENTION_LABELS
                )
            probs = iter(self._keep(feats))
            for doc in batch:
                self._apply(doc, probs)
                yield doc

    def _keep(self, feats: list[dict[str, Any]]) -> list[float]:
        """P(keep) for candidate feature dicts (the model must be fitted)."""
        if not feats:
            return []
        classes = list(self.model.classes_)
        if 1 not in classes:
            return [0.0] * len(feats)
        probs = self.model.predict_proba(feats)
        return [float(p) for p in probs[:, classes.index(1)]]

    def fit(
        self,
        docs: Sequence[Doc],
        gold: Sequence[Iterable[tuple[int, int, str]]],
        *,
        c: float = 1.0,
        seed: int = 0,
    ) -> OwnerFilter:
        """Fit on candidate entities already set on ``docs`` (by the ruler).

        A candidate is positive when ``(start_char, end_char, label)`` is in the doc's
        ``gold`` spans. With a single class, the filter always predicts that class.
        """
        from sklearn.dummy import DummyClassifier
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        x: list[dict[str, Any]] = []
        y: list[int] = []
        for doc, spans in zip(docs, gold, strict=True):
            wanted = set(spans)
            for ent in doc.ents:
                if ent.label_ in MENTION_LABELS:
                    x.append(candidate_features(doc, ent))
                    y.append(int((ent.start_char, ent.end_char, ent.label_) in wanted))
        if not x:
            raise ValueError("no candidate entities to fit the owner filter on")
        clf: Any
        if len(set(y)) < 2:
            clf = DummyClassifier(strategy="most_frequent")
        else:
            clf = LogisticRegression(C=c, max_iter=1000, random_state=seed)
        self.model = make_pipeline(DictVectorizer(), clf).fit(x, y)
        return self

    def to_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> None:
        """Write ``cfg.json`` and, when trained, ``model.skops`` (skops, never pickle)."""
        from actionnlp.artifacts import save_sklearn

        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        cfg = {"threshold": self.threshold, "trained": self.model is not None}
        (path / "cfg.json").write_text(json.dumps(cfg), encoding="utf-8")
        if self.model is not None:
            save_sklearn(self.model, path / "model.skops")

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> OwnerFilter:
        """Read what :meth:`to_disk` wrote (only sklearn/numpy/scipy types are trusted)."""
        from actionnlp.artifacts import load_sklearn

        path = ensure_path(path)
        cfg = json.loads((path / "cfg.json").read_text(encoding="utf-8"))
        self.threshold = float(cfg["threshold"])
        self.model = load_sklearn(path / "model.skops") if cfg["trained"] else None
        return self


@Language.factory("owner_filter", default_config={"threshold": 0.5})
def make_owner_filter(nlp: Language, name: str, *, threshold: float) -> OwnerFilter:
    """An untrained owner filter (keeps every entity until :meth:`OwnerFilter.fit`)."""
    return OwnerFilter(nlp, name, threshold=threshold)


class OwnerLinker:
    """Sets ``Span._.canonical`` and ``Span._.category`` on ROLE/ORG entities."""

    def __init__(self, nlp: Language, name: str, gazetteer: Gazetteer) -> None:
        self.name = name
        self.gazetteer = gazetteer

    def __call__(self, doc: Doc) -> Doc:
        acronyms = plan_acronyms(doc.text)
        acronyms.update(doc._.owner_acronyms or {})
        for ent in doc.ents:
            if ent.label_ not in MENTION_LABELS:
                continue
            owner = normalise_owner(ent.text, acronyms=acronyms, gazetteer=self.gazetteer)
            ent._.canonical = owner.canonical
            ent._.category = owner.category
        return doc

    def to_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> None:
        """Write the gazetteer the linker uses, so a saved pipeline is self-contained."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "gazetteer.jsonl").write_text(self.gazetteer.to_jsonl(), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> OwnerLinker:
        """Read the gazetteer written by :meth:`to_disk`."""
        file = ensure_path(path) / "gazetteer.jsonl"
        self.gazetteer = Gazetteer.from_jsonl(file.read_text(encoding="utf-8"), where=str(file))
        return self


@Language.factory("owner_linker", default_config={"gazetteer_path": None})
def make_owner_linker(nlp: Language, name: str, *, gazetteer_path: str | None) -> OwnerLinker:
    """The linker, with the bundled gazetteer merged with a user file when given."""
    return OwnerLinker(nlp, name, load_gazetteer(gazetteer_path))
