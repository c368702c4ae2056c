"""The zero-shot theme tagger: themes without training, from label descriptions.

:class:`ZeroShotTagger` needs no labels: the cosine similarity between a text and each
label's one-line description, with a documented threshold. It is the baseline the
trained :class:`~actionnlp.themes.tagger.ThemeTagger` is measured against
(:mod:`actionnlp.themes.training`) and the tagger of a taxonomy with no labelled data;
:func:`~actionnlp.themes.tagger.tags_frame` tags a frame with either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from actionnlp.themes.tagger import embed_inputs, label_lists

if TYPE_CHECKING:
    from actionnlp.embed import Embedder

__all__ = ["ZERO_SHOT_THRESHOLD", "ZeroShotTagger"]

#: Default cosine threshold of the zero-shot tagger (all-MiniLM-L6-v2 similarities
#: between a plan sentence and a one-line theme description rarely pass 0.35 unless
#: the sentence is on topic). A label is also given when it is the best match and
#: above ``threshold - margin``.
ZERO_SHOT_THRESHOLD = 0.30


class ZeroShotTagger:
    """Tag without training: cosine similarity of a text to each label's description.

    A label is given when its similarity is at least ``threshold``; the best label is
    also given when it is within ``margin`` below the threshold, so on-topic texts
    with modest similarities still get one tag.

    Example:
        >>> from actionnlp.embed import FakeEmbedder
        >>> zs = ZeroShotTagger({"drugs": "illicit drugs testing", "food": "food portions"},
        ...                     embedder=FakeEmbedder(), threshold=0.2)
        >>> zs.predict_labels(["drugs testing on the wing"])
        [['drugs']]
    """

    def __init__(
        self,
        descriptions: Mapping[str, str] | None = None,
        *,
        embedder: Embedder | None = None,
        threshold: float = ZERO_SHOT_THRESHOLD,
        margin: float = 0.05,
    ) -> None:
        if descriptions is None:
            from actionnlp.labels import theme_descriptions

            descriptions = theme_descriptions()
        if not descriptions:
            raise ValueError("ZeroShotTagger needs at least one label description")
        self.descriptions = dict(descriptions)
        self.embedder = embedder
        self.threshold = threshold
        self.margin = margin
        self.classes_ = np.asarray(list(self.descriptions))
        self._label_vectors: np.ndarray | None = None

    def predict_proba(self, X: Any) -> np.ndarray:
        """Cosine similarity to each label description (not a calibrated probability)."""
        if self._label_vectors is None:
            self._label_vectors = embed_inputs(list(self.descriptions.values()), self.embedder)
        E = embed_inputs(X, self.embedder)
        return E @ self._label_vectors.T

    def predict(self, X: Any) -> np.ndarray:
        return self.decide(self.predict_proba(X))

    def decide(self, S: np.ndarray) -> np.ndarray:
        """Labels from similarities already computed (threshold, and margin for the best)."""
        out = (self.threshold <= S).astype(int)
        best = S.argmax(axis=1)
        rows = np.arange(len(S))
        out[rows, best] |= (S[rows, best] >= self.threshold - self.margin).astype(int)
        return out

    def predict_labels(self, X: Any) -> list[list[str]]:
        return label_lists(self.classes_, self.predict(X))
