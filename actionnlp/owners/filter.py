"""The ``owner_filter`` spaCy component: a learned precision filter after the ruler.

:class:`OwnerFilter` keeps or drops each ROLE/ORG entity with a scikit-learn logistic
regression over the words around it (:func:`candidate_features`), so roles only consulted,
informed or trained ("... shared with the Governor") are dropped. Untrained, it keeps
everything. It is fitted with :meth:`OwnerFilter.fit` and saved with skops, never pickle.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, minibatch

from actionnlp.labels import MENTION_LABELS

__all__ = ["OwnerFilter", "candidate_features", "make_owner_filter"]


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
        from actionnlp.skops_io import save_sklearn

        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        cfg = {"threshold": self.threshold, "trained": self.model is not None}
        (path / "cfg.json").write_text(json.dumps(cfg), encoding="utf-8")
        if self.model is not None:
            save_sklearn(self.model, path / "model.skops")

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> OwnerFilter:
        """Read what :meth:`to_disk` wrote (only sklearn/numpy/scipy types are trusted)."""
        from actionnlp.skops_io import load_sklearn

        path = ensure_path(path)
        cfg = json.loads((path / "cfg.json").read_text(encoding="utf-8"))
        self.threshold = float(cfg["threshold"])
        self.model = load_sklearn(path / "model.skops") if cfg["trained"] else None
        return self


@Language.factory("owner_filter", default_config={"threshold": 0.5})
def make_owner_filter(nlp: Language, name: str, *, threshold: float) -> OwnerFilter:
    """An untrained owner filter (keeps every entity until :meth:`OwnerFilter.fit`)."""
    return OwnerFilter(nlp, name, threshold=threshold)
