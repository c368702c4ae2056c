"""spaCy components for owner mentions: ``owner_ruler`` and ``owner_linker``.

Importing this module registers the two factories and the extensions
``Span._.canonical``, ``Span._.category`` and ``Doc._.owner_acronyms`` (acronyms a
caller knows from the rest of the plan; the linker also reads the doc's own text).

- ``owner_ruler``: a :class:`~spacy.pipeline.SpanRuler` writing ``doc.ents`` from the
  gazetteer: one token pattern per alias (and its plural), lower-case for words and
  exact for acronyms, with an optional trailing possessive ("Duty Governor's").
  With ``overwrite_ents=False`` it keeps entities already set (by ``ner``).
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

from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.pipeline.span_ruler import (
    prioritize_existing_ents_filter,
    prioritize_new_ents_filter,
)
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from actionnlp.corpus import MENTION_LABELS
from actionnlp.owners.normalise import (
    Gazetteer,
    is_acronym,
    load_gazetteer,
    normalise_owner,
    plan_acronyms,
)

__all__ = ["OwnerLinker", "gazetteer_patterns", "make_owner_linker", "make_owner_ruler"]

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
            words = [t.text for t in nlp.make_doc(name)]
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
                    poss = [*pattern, {"ORTH": {"IN": _POSSESSIVES}}]
                    patterns.append({"label": entry.label, "id": entry.canonical, "pattern": poss})
    return patterns


@Language.factory(
    "owner_ruler",
    default_config={"overwrite_ents": False, "gazetteer_path": None, "possessives": True},
)
def make_owner_ruler(
    nlp: Language,
    name: str,
    *,
    overwrite_ents: bool,
    gazetteer_path: str | None,
    possessives: bool,
) -> SpanRuler:
    """A SpanRuler on ``doc.ents`` with the gazetteer's patterns (plus a user file)."""
    ruler = SpanRuler(
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
    return ruler


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
