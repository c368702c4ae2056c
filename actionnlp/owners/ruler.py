"""The ``owner_ruler`` spaCy component: gazetteer and generic role patterns.

An :class:`OwnerRuler` (a :class:`~spacy.pipeline.SpanRuler`) writes ``doc.ents`` from the
gazetteer: one token pattern per alias (and its plural), lower-case for words and exact for
acronyms, with an optional trailing possessive ("Duty Governor's"), plus the generic role
patterns of ``resources/owner_patterns.jsonl`` (:func:`role_patterns`) and the candidates of
:mod:`actionnlp.owners.candidates`. See :mod:`actionnlp.owners.components` for the pipeline.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from importlib import resources
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import SpanRuler
from spacy.pipeline.span_ruler import (
    prioritize_existing_ents_filter,
    prioritize_new_ents_filter,
)
from spacy.tokens import Doc, Span

from actionnlp.owners.candidates import (
    POSSESSIVES,
    acronym_candidates,
    after_prison_prefix,
    apposition_names,
    cell_name_candidates,
    overlaps_any,
)
from actionnlp.owners.normalise import Gazetteer, is_acronym, load_gazetteer

__all__ = ["OwnerRuler", "gazetteer_patterns", "make_owner_ruler", "role_patterns"]


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
                    marks = POSSESSIVES if variant[-1].endswith("s") else POSSESSIVES[:2]
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
    (:func:`apposition_names`). With ``acronym_candidates`` the plan's own acronyms
    are added (:func:`acronym_candidates`), and the names its owner cells give where no
    other candidate covers them (:func:`cell_name_candidates`).

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> ruler = OwnerRuler(nlp, "r", spans_key=None, annotate_ents=True, scorer=None)
    >>> ruler.add_patterns([{"label": "ORG", "pattern": [{"ORTH": "NHS"}, {"LOWER": "trust"}]},
    ...     {"label": "ROLE", "pattern": [{"LOWER": "governor"}, {"ORTH": {"IN": ["'s"]}}]}])
    >>> [(s.text, s.label_) for s in ruler.match(nlp("The nhs Trust, NHS TRUST, Governor's."))]
    [('NHS TRUST', 'ORG'), ("Governor's", 'ROLE')]
    """

    acronym_candidates: bool = False
    """Also propose the plan's own acronyms (:func:`acronym_candidates`) and owner-cell
    names (:func:`cell_name_candidates`)."""

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
                if after_prison_prefix(doc, start):
                    continue
            if start != end:
                spans.add(Span(doc, start, end, label=label, span_id=span_id))
        if self.acronym_candidates:
            spans.update(acronym_candidates(doc))
            covered = list(spans)
            spans.update(s for s in cell_name_candidates(doc) if not overlaps_any(s, covered))
        return sorted(apposition_names(doc, spans))


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
    text = resources.files("actionnlp.owners").joinpath("resources", "owner_patterns.jsonl")
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
