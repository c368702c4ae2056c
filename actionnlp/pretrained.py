"""One way to save a model: a folder with its ``config.json`` and its fitted parts.

Every model actionnlp ships (:class:`~actionnlp.themes.ThemeTagger`,
:class:`~actionnlp.owners.OwnerFinder`, :class:`~actionnlp.smart.SmartScorer`) has
SetFit's shape: ``model.save_pretrained(directory)`` writes the folder and
``Model.from_pretrained(directory, embedder=...)`` reads it back. The folder holds

- ``config.json``: which class reads it (``model``), the hyperparameters it was built
  with (``params``, the class's constructor arguments), and the embedding model it
  reads, referenced by name and weights SHA-256 (``embedding``, null for none), never
  pickled; plus what the model needs to know about its fitted parts;
- the fitted parts: scikit-learn objects in skops files (never pickle), a spaCy
  pipeline folder.

A shipped or retrained artifact (``actionnlp/models/<name>-v<N>/``) is this folder plus
its checksummed ``manifest.json``; :func:`actionnlp.load` verifies it before
``from_pretrained`` reads a private copy of the verified bytes.

>>> import tempfile
>>> from actionnlp.embed import FakeEmbedder
>>> with tempfile.TemporaryDirectory() as d:
...     _ = write_config(d, "demo.Model", {"C": 1.0}, embedding=FakeEmbedder(8))
...     read_config(d, "demo.Model", embedder=FakeEmbedder(8))["params"]
{'C': 1.0}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from actionnlp.artifacts import embedding_entry, read_file_bytes
from actionnlp.errors import ArtifactError

if TYPE_CHECKING:
    from actionnlp.embed import Embedder

__all__ = ["CONFIG", "CONFIG_FORMAT", "Pretrained", "read_config", "write_config"]

CONFIG = "config.json"
"""The name of a saved model's configuration file."""
CONFIG_FORMAT = 1
"""The version of the ``config.json`` layout this actionnlp writes and reads."""
MAX_CONFIG_BYTES = 8 << 20
"""Largest ``config.json`` read."""


class Pretrained(Protocol):
    """A model saved and loaded as a folder (see the module docstring)."""

    def save_pretrained(self, directory: str | Path) -> Path:
        """Write ``config.json`` and the fitted parts into ``directory``; return it."""
        ...

    @classmethod
    def from_pretrained(
        cls, directory: str | Path, *, embedder: Embedder | None = None
    ) -> Pretrained:
        """The model saved in ``directory`` (``embedder`` must be the one it records)."""
        ...


def write_config(
    directory: str | Path,
    model: str,
    params: Mapping[str, Any],
    *,
    embedding: Embedder | Mapping[str, str] | None,
    **extra: Any,
) -> Path:
    """Write ``directory/config.json`` for a ``model`` (its class's full name) built with
    ``params``, reading ``embedding`` (None: no embeddings); ``extra`` keys are added.
    ``directory`` is created if needed. Returns the file's path."""
    clash = {"format", "model", "params", "embedding"} & set(extra)
    if clash:
        raise ValueError(f"config keys {sorted(clash)} are set by write_config")
    config = {
        "format": CONFIG_FORMAT,
        "model": model,
        "params": dict(params),
        "embedding": embedding_entry(embedding),
        **extra,
    }
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CONFIG
    text = json.dumps(config, indent=2, allow_nan=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def read_config(
    directory: str | Path, model: str, *, embedder: Embedder | None = None
) -> dict[str, Any]:
    """The ``config.json`` of a ``model`` saved in ``directory``, checked.

    Raises :class:`~actionnlp.errors.ArtifactError` naming the file when it is missing,
    not a regular file, not JSON, of another layout version, written for another class,
    without a ``params`` object, or when it records an embedding other than
    ``embedder`` (checked when ``embedder`` is given).

    >>> read_config("/nonexistent", "demo.Model")
    Traceback (most recent call last):
    ...
    actionnlp.errors.ArtifactError: /nonexistent/config.json: no config.json: not a saved demo.Model
    """
    path = Path(directory) / CONFIG
    if not path.exists() and not path.is_symlink():
        raise ArtifactError(f"no {CONFIG}: not a saved {model}", path)
    raw = read_file_bytes(path, MAX_CONFIG_BYTES, CONFIG)
    try:
        config = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ArtifactError(f"{CONFIG} is not valid JSON ({exc})", path) from exc
    if not isinstance(config, dict):
        raise ArtifactError(f"{CONFIG} is not a JSON object", path)
    if config.get("format") != CONFIG_FORMAT:
        raise ArtifactError(
            f"format is {config.get('format')!r}, this actionnlp reads {CONFIG_FORMAT}", path
        )
    if config.get("model") != model:
        raise ArtifactError(f"saved by {config.get('model')!r}, not {model}", path)
    if not isinstance(config.get("params"), dict):
        raise ArtifactError(f"{CONFIG} has no 'params' object", path)
    wanted = config.get("embedding")
    if wanted is not None and not (
        isinstance(wanted, dict)
        and all(isinstance(wanted.get(k), str) for k in ("name", "weights_sha256"))
    ):
        raise ArtifactError("'embedding' must be null or have a name and a weights_sha256", path)
    if wanted is not None and embedder is not None:
        have = (embedder.name, embedder.weights_hash)
        if have != (wanted["name"], wanted["weights_sha256"]):
            raise ArtifactError(
                f"built with embedding {wanted['name']} ({wanted['weights_sha256']}), "
                f"not {have[0]} ({have[1]})",
                path,
            )
    return config
