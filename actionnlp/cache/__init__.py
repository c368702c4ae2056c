"""The on-disk caches: one publish/index store, vectors and results.

* :mod:`actionnlp.cache.store`: batch files written once and published atomically, an
  index of one folder, the cache folder (``$ACTIONNLP_CACHE_DIR``).
* :mod:`actionnlp.cache.vectors`: :class:`CachedEmbedder`, every vector computed once
  per embedding model, and :class:`PrefetchedEmbedder`, the vectors of one analysis
  held in memory (no global state).
* :mod:`actionnlp.cache.results`: :class:`ResultCache`, per-text model results, and
  :func:`cached_map`, how :class:`~actionnlp.loading.Models` applies it.
* :mod:`actionnlp.cache.identity`: what a stored result depends on, and the
  ``SCORING_VERSION`` rule.

>>> from actionnlp.cache import CachedEmbedder, ResultCache
>>> ResultCache("/tmp/x").directory.name
'results'
"""

from actionnlp.cache.identity import SCORING_VERSION, cache_identity
from actionnlp.cache.results import ResultCache, ResultStore, cached_map, content_key
from actionnlp.cache.store import default_cache_dir
from actionnlp.cache.vectors import CachedEmbedder, PrefetchedEmbedder

__all__ = [
    "SCORING_VERSION",
    "CachedEmbedder",
    "PrefetchedEmbedder",
    "ResultCache",
    "ResultStore",
    "cache_identity",
    "cached_map",
    "content_key",
    "default_cache_dir",
]
