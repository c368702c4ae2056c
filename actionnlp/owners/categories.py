"""The category of an owner the gazetteer does not know, from generic evidence.

:func:`generic_category` reads an owner's head words and shape with the ordered rules of
``resources/owner_categories.json`` (patterns kept as data, written from the guideline's
owner-category table: "NHS", "Foundation Trust", "Integrated Care Board" give
``health_provider``; "College", "Education ... Ltd" ``education_provider``; "HMPPS",
a directorate, a national team or programme, a Prison Group Director ``hmpps_national``;
"Council", "Police" ``other``; "Head of X", "X Manager" ``prison_department``).
:func:`nearest_category` is the fallback for what no rule decides: the category whose
gazetteer names are nearest by embedding, when the cosine similarity reaches
:data:`MIN_SIMILARITY`; below it the owner stays ``other``.

>>> generic_category("Anyshire Partnership NHS Foundation Trust")
('health_provider', 'health_body')
>>> generic_category("Westshire College")
('education_provider', 'education_body')
>>> generic_category("HMPPS Security Directorate")
('hmpps_national', 'hmpps_body')
>>> generic_category("Chess Society") , generic_category("Fred")
(('other', 'voluntary_body'), None)
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from actionnlp.errors import ResourceError
from actionnlp.labels import OWNER_CATEGORIES

if TYPE_CHECKING:
    from collections.abc import Sequence

    from actionnlp.embed import Embedder
    from actionnlp.owners.normalise import Gazetteer

__all__ = [
    "MIN_SIMILARITY",
    "category_rules",
    "generic_category",
    "nearest_category",
    "nearest_names",
]

MIN_SIMILARITY = 0.45
"""Cosine similarity (all-MiniLM-L6-v2) between an owner and its nearest gazetteer name
at or above which :func:`nearest_category` takes that name's category; below it the owner
stays ``other``. Chosen leave one prison out with each plan's own gazetteer entries removed
(``actionnlp.owners.training.owner_categories_unseen``, reported in the model card): among
0.30-0.90, every threshold gives the same exact owner categories on the four plans, and
0.45 is the lowest at which the fallback gives no category the labels contradict (at 0.40
and below it gives wrong ones)."""


@cache
def category_rules() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """``(name, category, pattern)`` of each rule, in order."""
    path = "owner_categories.json"
    data = json.loads(
        resources.files("actionnlp.owners").joinpath("resources", path).read_text("utf-8")
    )
    out = []
    for i, rule in enumerate(data["rules"]):
        if rule.get("category") not in OWNER_CATEGORIES:
            raise ResourceError(f"rule {i}: category must be one of {OWNER_CATEGORIES}", path)
        flags = re.IGNORECASE if rule.get("ignore_case") else 0
        out.append((rule["name"], rule["category"], re.compile(rule["pattern"], flags)))
    return tuple(out)


def generic_category(text: str) -> tuple[str, str] | None:
    """``(category, rule name)`` from the first rule that matches ``text``, else None."""
    clean = " ".join(str(text).split())[:300]
    for name, category, pattern in category_rules():
        if pattern.search(clean):
            return category, name
    return None


def nearest_names(
    texts: Sequence[str], gazetteer: Gazetteer, embedder: Embedder
) -> list[tuple[str, str, float]]:
    """Per text, the nearest gazetteer name by embedding: ``(name, its category, cosine)``.

    >>> from actionnlp.embed import FakeEmbedder
    >>> from actionnlp.owners.normalise import Gazetteer, GazetteerEntry
    >>> gaz = Gazetteer([GazetteerEntry("Anytown Trust", "health_provider", "ORG")])
    >>> name, category, sim = nearest_names(["Anytown Trust"], gaz, FakeEmbedder())[0]
    >>> name, category, round(sim, 3)
    ('Anytown Trust', 'health_provider', 1.0)
    """
    from actionnlp.embed import embed_texts

    names, cats = [], []
    for entry in gazetteer.entries:
        for name in entry.names:
            names.append(name)
            cats.append(entry.category)
    if not texts or not names:
        return [("", "other", 0.0) for _ in texts]
    vectors = embed_texts([*texts, *names], embedder)
    sims = vectors[: len(texts)] @ vectors[len(texts) :].T
    out = []
    for row in sims:
        j = int(np.argmax(row))
        out.append((names[j], cats[j], float(row[j])))
    return out


def nearest_category(
    texts: Sequence[str],
    gazetteer: Gazetteer,
    embedder: Embedder,
    *,
    threshold: float = MIN_SIMILARITY,
) -> list[tuple[str, float]]:
    """Per text, the category of the nearest gazetteer name by embedding and the cosine
    similarity; ``other`` when the similarity is below ``threshold``
    (:data:`MIN_SIMILARITY` by default)."""
    return [
        (cat if sim >= threshold else "other", sim)
        for _, cat, sim in nearest_names(texts, gazetteer, embedder)
    ]
