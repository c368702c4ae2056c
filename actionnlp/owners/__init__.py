"""Owners of actions: canonical names and categories, and owner mentions in text.

Cheap to import: :mod:`actionnlp.owners.normalise` is pure standard library; the
spaCy parts (:func:`build_pipeline`, :func:`train_pipeline`, :func:`load_pipeline`,
:class:`OwnerFinder`, :func:`train_filter`, :func:`train_and_evaluate`) load spaCy
when first used. A saved pipeline needs the ``owner_ruler`` / ``owner_filter`` /
``owner_linker`` factories: load it
with :func:`load_pipeline`, or ``import actionnlp.owners.components`` before
``spacy.load``.

>>> from actionnlp.owners import normalise_cell
>>> [(o.canonical, o.category) for o in normalise_cell("RPOM/Wates")]
[('Regional Property Operations Manager', 'estates_contractor'), ('Wates', 'estates_contractor')]
"""

from __future__ import annotations

from typing import Any

from actionnlp.owners.normalise import (
    Gazetteer,
    GazetteerEntry,
    Owner,
    load_gazetteer,
    normalise_cell,
    normalise_owner,
    plan_acronyms,
)

__all__ = [
    "Gazetteer",
    "GazetteerEntry",
    "Owner",
    "OwnerFinder",
    "build_pipeline",
    "load_gazetteer",
    "load_pipeline",
    "normalise_cell",
    "normalise_owner",
    "plan_acronyms",
    "train_and_evaluate",
    "train_filter",
    "train_pipeline",
]

_LAZY = {
    "OwnerFinder": "actionnlp.owners.pipeline",
    "build_pipeline": "actionnlp.owners.pipeline",
    "load_pipeline": "actionnlp.owners.pipeline",
    "train_filter": "actionnlp.owners.pipeline",
    "train_pipeline": "actionnlp.owners.pipeline",
    "train_and_evaluate": "actionnlp.owners.training",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
