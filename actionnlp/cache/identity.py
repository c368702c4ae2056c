"""What a stored result depends on: the identity that names a result store's folder.

A result of the theme tagger, the owner pipeline or the SMART scorer changes only when
one of these changes, so these, and nothing else, name the folder it is kept in:

* the verified artifact's manifest (checksums of its fitted parts, its versions) and
  the embedding model's name and weights hash, which :class:`~actionnlp.loading.Models`
  gives per store;
* the exact versions of the libraries that tokenise, match and compute
  (:data:`LIBRARIES`) and of Python;
* the resource files the models read (``*.json``, ``*.jsonl``, ``*.txt`` in each model
  package's ``resources/`` and in ``actionnlp/resources``: patterns, gazetteer,
  categories, stop words, theme descriptions);
* :data:`SCORING_VERSION`.

**The rule.** Bump :data:`SCORING_VERSION` in the same commit as any change to code
that can change a stored result: how a model turns text into themes, mentions or
SMART scores (features, signals, rules, thresholds, the shape of a stored value), or
how a stage's input key is built. A change that cannot change a result (docstrings,
comments, formatting, a refactor with identical outputs, checked with
``benchmarks/output_identity.py``, reading, tables, reports) leaves it alone, so users
keep their cached results. When in doubt, bump: an unneeded bump costs one cold run, a
missed one serves stale results.

>>> len(cache_identity()), cache_identity() == cache_identity()
(64, True)
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

__all__ = ["LIBRARIES", "RESOURCE_SUFFIXES", "SCORING_VERSION", "cache_identity"]

SCORING_VERSION = 1
"""Bumped whenever scoring code changes what a model stores (see the module docstring)."""

LIBRARIES = ("numpy", "scikit-learn", "scipy", "spacy", "torch", "sentence-transformers")
"""Libraries whose exact versions a cached result depends on (tokenisation, matching,
numerics); the artifact manifests only pin major.minor."""

RESOURCE_SUFFIXES = (".json", ".jsonl", ".txt")
"""Resource files the models read (the report's CSS and JS are not)."""

PACKAGE = Path(__file__).resolve().parent.parent
RESOURCES = (
    PACKAGE / "resources",
    PACKAGE / "smart" / "resources",
    PACKAGE / "owners" / "resources",
)
"""The folders of resource files: the shared one and each model package's own."""


def library_versions() -> dict[str, str]:
    """Python's version and the installed version of each of :data:`LIBRARIES` ("-"
    when absent).

    >>> sorted(library_versions())[:2]
    ['numpy', 'python']
    """
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "-"
    return out


def resources_digest(folders: Path | Sequence[Path] = RESOURCES) -> str:
    """SHA-256 of the names and bytes of the resource files in ``folders`` (those ending
    in :data:`RESOURCE_SUFFIXES`, folder by folder, in name order; a missing folder
    counts as empty)."""
    digest = hashlib.sha256()
    for folder in [folders] if isinstance(folders, Path) else folders:
        digest.update(f"\0folder={folder.name}/{folder.parent.name}\0".encode())
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file() and path.suffix in RESOURCE_SUFFIXES:
                name = path.relative_to(folder).as_posix()
                digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def compute_identity(
    resources: Path | Sequence[Path] = RESOURCES,
    version: int = SCORING_VERSION,
    libraries: dict[str, str] | None = None,
) -> str:
    """SHA-256 of the scoring version, library versions and resource files (uncached;
    :func:`cache_identity` is what the result cache uses)."""
    libs = library_versions() if libraries is None else libraries
    digest = hashlib.sha256(f"scoring-version={int(version)}".encode())
    for name in sorted(libs):
        digest.update(f"\0{name}={libs[name]}".encode())
    digest.update(b"\0resources=" + resources_digest(resources).encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def cache_identity() -> str:
    """:func:`compute_identity` of the installed package, computed once per process.
    Manifests and the embedder are added per store by
    :meth:`~actionnlp.cache.results.ResultCache.store`'s caller."""
    return compute_identity()
