"""How a model hands its per-input work to whoever applies the result cache.

A model that can reuse stored results takes a *result map*: a function called as
``results(items, compute, valid, key)`` that returns one result per item, where
``compute(todo)`` computes the results of a list of items in one batch, ``valid(value)``
says whether a stored value has the shape the model writes, and ``key(item)`` gives the
JSON-serialisable parts that identify an item's input. :class:`~actionnlp.loading.Models`
passes one that reads and writes the result cache (:mod:`actionnlp.cache.results`), so
the models never import the cache; without one, :func:`compute_all` computes everything.

>>> compute_all(["a", "bb"], lambda todo: [len(t) for t in todo], bool, lambda t: (t,))
[1, 2]
>>> is_probabilities([0.25, 1.0], 2)
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["ResultMap", "compute_all", "is_probabilities"]

Item = TypeVar("Item")
T = TypeVar("T")

ResultMap = Callable[
    [
        Sequence[Any],
        Callable[[list[Any]], list[Any]],
        Callable[[Any], bool],
        Callable[[Any], tuple],
    ],
    list[Any],
]
"""``results(items, compute, valid, key) -> one result per item`` (see the module docstring)."""


def compute_all(
    items: Sequence[Item],
    compute: Callable[[list[Item]], list[T]],
    valid: Callable[[Any], bool],
    key: Callable[[Item], tuple],
) -> list[T]:
    """The result map without a cache: every item computed, in one batch."""
    return compute(list(items))


def is_probabilities(value: Any, n: int) -> bool:
    """Whether ``value`` is a list of ``n`` probabilities as a model writes them: real
    numbers (not strings, not booleans), finite, in [0, 1].

    >>> is_probabilities([0.2, 1], 2), is_probabilities(["0.2", 1], 2)
    (True, False)
    >>> is_probabilities([float("nan"), 1e308], 2), is_probabilities([0.5], 2)
    (False, False)
    """
    return (
        isinstance(value, list)
        and len(value) == n
        and all(type(x) in (int, float) and math.isfinite(x) and 0.0 <= x <= 1.0 for x in value)
    )
