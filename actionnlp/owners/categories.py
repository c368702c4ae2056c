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

__all__ = ["MIN_SIMILARITY", "category_rules", "generic_category", "nearest_category"]

MIN_SIMILARITY = 0.5
"""Cosine similarity (all-MiniLM-L6-v2) between an owner and its nearest gazetteer name
at or above which :func:`nearest_category` takes that name's category. Below it, names of
different kinds of body are about as close as names of the same kind."""


@cache
def category_rules() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """``(name, category, pattern)`` of each rule, in order."""
    path = "owner_categories.json"
    data = json.loads(resources.files("actionnlp.resources").joinpath(path).read_text("utf-8"))
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


def nearest_category(
    texts: Sequence[str], gazetteer: Gazetteer, embedder: Embedder
) -> list[tuple[str, float]]:
    """Per text, the category of the nearest gazetteer name by embedding and the cosine
    similarity; ``other`` when the similarity is below :data:`MIN_SIMILARITY`."""
    from actionnlp.embed import embed_texts

    if not texts:
        return []
    names, cats = [], []
    for entry in gazetteer.entries:
        for name in entry.names:
            names.append(name)
            cats.append(entry.category)
    vectors = embed_texts([*texts, *names], embedder)
    sims = vectors[: len(texts)] @ vectors[len(texts) :].T
    out = []
    for row in sims:
        j = int(np.argmax(row))
        best = float(row[j])
        out.append((cats[j] if best >= MIN_SIMILARITY else "other", best))
    return out
