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

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from actionnlp.labels import MENTION_LABELS
from actionnlp.owners.candidates import acronym_candidates, acronym_label
from actionnlp.owners.filter import OwnerFilter, candidate_features, make_owner_filter
from actionnlp.owners.normalise import Gazetteer, load_gazetteer, normalise_owner, plan_acronyms
from actionnlp.owners.ruler import OwnerRuler, gazetteer_patterns, make_owner_ruler, role_patterns

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
