"""``actionnlp.load()``: the shipped, verified models behind one object.

:class:`Models` loads each model from a table (:data:`MODEL_CLASSES`, artifact folder
name to the class that reads it): the class's ``from_pretrained`` reads a private copy
of the artifact's verified bytes with the shared embedder (:mod:`actionnlp.pretrained`).

Every artifact in ``actionnlp/models/<name>-v<N>/`` is verified before anything in
it is deserialised: its ``manifest.json`` must have the SHA-256 pinned in the package
code (:data:`actionnlp.models.pins.PINS`, written by ``make train`` / ``make pin``),
every file the SHA-256 its manifest lists, the library versions and the embedding
must match. The verified bytes are what is deserialised. The embedding model is
shared by all models and loaded once per process.

A folder of models you trained yourself (``load(DIR)``) is verified the same way
against the pins recorded when it was written (``DIR/pins.json``, or a pin file you
keep elsewhere: ``load(DIR, pins=PATH)``); ``trust=True`` loads it unpinned (manifest
checksums still checked). :attr:`Models.shipped` says whether the models are the
shipped ones.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.artifacts import VerifiedArtifact
    from actionnlp.cache.results import ResultCache, ResultStore
    from actionnlp.cache.vectors import PrefetchedEmbedder
    from actionnlp.embed import Embedder
    from actionnlp.pretrained import Pretrained
    from actionnlp.resultmap import ResultMap

__all__ = [
    "ARTIFACTS",
    "MODELS_DIR",
    "MODEL_CLASSES",
    "PIN_FILE",
    "Models",
    "load",
    "model_class",
    "shipped_pins",
]

MODELS_DIR = Path(__file__).parent / "models"
THEMES_ARTIFACT = "themes-v1"
OWNERS_ARTIFACT = "owners-v1"
SMART_ARTIFACT = "smart-v1"
MODEL_CLASSES: dict[str, str] = {
    THEMES_ARTIFACT: "actionnlp.themes.ThemeTagger",
    OWNERS_ARTIFACT: "actionnlp.owners.OwnerFinder",
    SMART_ARTIFACT: "actionnlp.smart.SmartScorer",
}
"""Each artifact folder and the class whose ``from_pretrained`` reads it (imported on
first use, so ``import actionnlp`` stays cheap)."""
ARTIFACTS = tuple(MODEL_CLASSES)
"""The artifact folders :func:`load` verifies."""
_USES_EMBEDDING = frozenset({THEMES_ARTIFACT, SMART_ARTIFACT})
PIN_FILE = "pins.json"
"""The pin file training writes beside the artifacts of a folder it trains into."""


def model_class(artifact: str) -> type[Pretrained]:
    """The class that reads ``artifact`` (:data:`MODEL_CLASSES`).

    >>> model_class("smart-v1").__name__
    'SmartScorer'
    """
    import importlib

    module, _, name = MODEL_CLASSES[artifact].rpartition(".")
    return getattr(importlib.import_module(module), name)


def shipped_pins() -> dict[str, str]:
    """The manifest SHA-256 of each shipped artifact, as pinned in the package code.

    >>> sorted(shipped_pins())
    ['owners-v1', 'smart-v1', 'themes-v1']
    """
    from actionnlp.errors import ArtifactError

    try:
        from actionnlp.models.pins import PINS
    except ImportError as exc:
        raise ArtifactError(
            "the shipped models are not pinned (no actionnlp/models/pins.py): run `make pin`"
        ) from exc
    return dict(PINS)


@dataclass
class Models:
    """The trained models, loaded lazily after verification.

    Example:
        >>> import actionnlp
        >>> models = actionnlp.load()  # doctest: +SKIP
        >>> models.tag_themes(["Illicit drugs were easy to get."]).themes[0]  # doctest: +SKIP
        ['drugs']
    """

    root: Path = MODELS_DIR
    embedder: Embedder | None = None
    manifests: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: ResultCache | None = None
    artifacts: dict[str, VerifiedArtifact] = field(default_factory=dict, repr=False)
    shipped: bool = False
    """True when every manifest has the SHA-256 pinned in the package code."""
    pinned: bool = False
    """True when the manifests were checked against pins (shipped or a pin file)."""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        kind = "shipped" if self.shipped else "pinned" if self.pinned else "unpinned"
        return f"Models({', '.join(self.manifests)} {kind}, verified in {self.root})"

    def get_embedder(self) -> PrefetchedEmbedder:
        """The embedder every model uses (the bundled model unless one was given),
        wrapped so the vectors of :meth:`prefetch` are held by these models."""
        if "embedder" not in self._cache:
            from actionnlp.cache.vectors import PrefetchedEmbedder

            if self.embedder is None:
                from actionnlp.embed import default_embedder

                self.embedder = default_embedder()
            self._cache["embedder"] = PrefetchedEmbedder(self.embedder)
        return self._cache["embedder"]

    # -- scoring: the result cache and the vectors of one analysis ----------------------

    def texts_to_embed(
        self, items: Sequence[str | tuple[str, str]], actions: pd.DataFrame | None = None
    ) -> list[str]:
        """Every distinct text the models will embed to tag ``items`` (texts or
        ``(text, context)`` pairs) and score the SMART of ``actions``, shortest first
        ([] for models that do not say which texts they embed, or when there are more
        than :data:`~actionnlp.cache.vectors.MAX_HELD`: the stages then embed on demand)."""
        from actionnlp.cache.vectors import MAX_HELD

        tagger, scorer = self.theme_tagger, self.smart_scorer
        texts: list[str] = []
        if hasattr(tagger, "texts_to_embed") and len(items):
            texts += tagger.texts_to_embed(list(items))
        if hasattr(scorer, "texts_to_embed") and actions is not None and len(actions):
            texts += scorer.texts_to_embed(actions)
        distinct = set(texts)
        return sorted(distinct, key=lambda t: (len(t), t)) if len(distinct) <= MAX_HELD else []

    def prefetch(
        self, texts: Sequence[str], *, progress: Callable[[int], object] | None = None
    ) -> int:
        """Embed the distinct ``texts`` now, in length-sorted chunks, and hold their vectors
        for the models until the next prefetch (see
        :class:`~actionnlp.cache.vectors.PrefetchedEmbedder`); returns how many were
        embedded. ``progress`` is called with the size of each chunk."""
        return self.get_embedder().prefetch(texts, progress=progress)

    def result_map(self, artifact: str) -> ResultMap:
        """The result map (:mod:`actionnlp.resultmap`) ``artifact``'s model computes
        through: each distinct input once, stored results read from and new ones written
        to :meth:`result_store` (computed in one batch without a result cache)."""
        from actionnlp.cache.results import result_map

        return result_map(self.result_store(artifact))

    def result_store(self, artifact: str) -> ResultStore | None:
        """Where results of ``artifact``'s model are kept between runs (None without a
        :class:`~actionnlp.cache.results.ResultCache`): named by the verified manifest,
        the embedder and :func:`~actionnlp.cache.identity.cache_identity`, so any change
        to what a result depends on starts an empty store."""
        if self.results is None:
            return None
        key = f"store:{artifact}"
        if key not in self._cache:
            emb = self.get_embedder() if self.manifests[artifact].get("embedding") else None
            identity = {
                "manifest": self.manifests[artifact],
                "embedder": None if emb is None else [emb.name, emb.weights_hash],
            }
            self._cache[key] = self.results.store(artifact, identity)
        return self._cache[key]

    def _reads_embeddings(self, name: str) -> bool:
        """Whether artifact ``name`` reads embeddings (its kind does, or its manifest
        records an embedding model), so it is built with, and checked against, the
        shared embedder."""
        return name in _USES_EMBEDDING or self.manifests[name].get("embedding") is not None

    def _build(self, name: str, build: Callable[[Path], Any]) -> Any:
        """``build(folder)`` on a private copy of the verified bytes of artifact ``name``
        (after the embedding check); any failure is an ArtifactError naming the artifact."""
        from actionnlp.artifacts import check_embedding
        from actionnlp.errors import ArtifactError

        directory = self.root / name
        artifact = self.artifacts.get(name)
        if artifact is None:
            raise ArtifactError("artifact was not verified: use actionnlp.load()", directory)
        if self._reads_embeddings(name):
            check_embedding(artifact.manifest, self.get_embedder())
        with artifact.materialised() as folder:
            try:
                return build(folder)
            except ArtifactError as exc:
                source = exc.source or ""
                if source.startswith(str(folder)):
                    source = str(directory) + source[len(str(folder)) :]
                raise ArtifactError(exc.reason, source or directory) from exc
            except Exception as exc:  # spaCy, skops, JSON: any failure to build the model
                raise ArtifactError(
                    f"could not load the model ({type(exc).__name__}: {exc})", directory
                ) from exc

    def model(self, artifact: str) -> Any:
        """The model of ``artifact`` (a key of :data:`MODEL_CLASSES`), loaded once: its
        class's ``from_pretrained`` on the verified bytes, with the shared embedder when
        the artifact reads embeddings."""
        if artifact not in self._cache:
            cls = model_class(artifact)
            emb = self.get_embedder() if self._reads_embeddings(artifact) else None
            self._cache[artifact] = self._build(
                artifact, lambda d: cls.from_pretrained(d, embedder=emb)
            )
        return self._cache[artifact]

    @property
    def theme_tagger(self):
        """The shipped :class:`~actionnlp.themes.ThemeTagger`."""
        return self.model(THEMES_ARTIFACT)

    def tag_themes(self, texts: Sequence[str | tuple[str, str]]) -> pd.DataFrame:
        """Themes of each text: columns ``themes`` (list) and ``p_<theme>``.

        Concern texts should include their recommendation (``Concern.full_text``).
        An action is best given as an ``(action_text, concern_text)`` pair: the
        shipped tagger reads the concern as context (``analyze`` does this); a plain
        text is taken as its own context.
        """
        from actionnlp.themes import tags_frame

        if isinstance(texts, str):
            raise TypeError("tag_themes expects a list of texts, got a single string")
        if len(texts) == 0:  # nothing to tag: the columns, no rows
            import pandas as pd

            labels = self.theme_tagger.classes_
            return pd.DataFrame(columns=["themes", *(f"p_{t}" for t in labels)])
        return tags_frame(self.theme_tagger, list(texts), results=self.result_map(THEMES_ARTIFACT))

    @property
    def owner_finder(self):
        """The shipped :class:`~actionnlp.owners.OwnerFinder` (its spaCy owner pipeline)."""
        return self.model(OWNERS_ARTIFACT)

    def find_owners(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Add ``owners``, ``owner_categories``, ``owner_category_evidence`` and
        ``owner_mentions`` to an actions frame."""
        return self.owner_finder.find_owners(frame, results=self.result_map(OWNERS_ARTIFACT))

    @property
    def smart_scorer(self):
        """The shipped :class:`~actionnlp.smart.SmartScorer`."""
        return self.model(SMART_ARTIFACT)

    def score_smart(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Add ``smart_S``..``smart_T``, ``p_smart_*``, ``smart_score``, ``smart_evidence``."""
        return self.smart_scorer.annotate(frame, results=self.result_map(SMART_ARTIFACT))


def load(
    root: str | Path | None = None,
    *,
    embedder: Embedder | None = None,
    results: ResultCache | None = None,
    pins: str | os.PathLike[str] | Mapping[str, str] | None = None,
    trust: bool = False,
) -> Models:
    """Verify every artifact and return the models (deserialised on first use).

    ``root=None`` is the shipped models, checked against the pins in the package code.
    Another folder (models you retrained) is checked against ``pins`` (a pin file or a
    mapping of artifact folder name to manifest SHA-256) or, by default, the
    ``pins.json`` training wrote into it; without either it is refused unless
    ``trust=True``, which loads it unpinned (every file still checked against its
    manifest). ``results``, a :class:`~actionnlp.cache.results.ResultCache`, keeps theme,
    owner and SMART results of each distinct text on disk, so a rerun over the same
    plans skips that work (``analyze`` uses one by default).

    Raises :class:`~actionnlp.errors.ArtifactError` when an artifact is missing, not
    pinned, tampered with, or was built with other library versions.
    """
    from actionnlp.artifacts import read_artifact, read_pin_file
    from actionnlp.errors import ArtifactError

    base = Path(root) if root is not None else MODELS_DIR
    is_shipped_dir = os.path.realpath(base) == os.path.realpath(MODELS_DIR)
    chosen: dict[str, str] | None
    if trust:
        chosen = None
    elif pins is not None:
        chosen = dict(pins) if isinstance(pins, Mapping) else read_pin_file(pins)
    elif is_shipped_dir:
        chosen = shipped_pins()
    elif os.path.lexists(base / PIN_FILE):
        chosen = read_pin_file(base / PIN_FILE)
    else:
        raise ArtifactError(
            f"no {PIN_FILE}: these models are not the shipped ones and were not pinned when "
            "written (training/train.py writes it); pass pins=PIN_FILE, or trust=True to "
            "load them unpinned",
            base,
        )
    artifacts = {}
    for name in ARTIFACTS:
        directory = base / name
        if not directory.is_dir():
            raise ArtifactError(
                f"missing model artifact {name}; rebuild with `make train`", directory
            )
        pin = None if chosen is None else chosen.get(name)
        if chosen is not None and pin is None:
            raise ArtifactError(f"artifact {name} is not pinned", directory)
        expected = name.rsplit("-v", 1)[0]
        artifacts[name] = read_artifact(directory, expected_name=expected, pin=pin)
    try:
        code_pins = shipped_pins()
    except ArtifactError:
        code_pins = {}
    shipped = all(code_pins.get(n) == a.manifest_sha256 for n, a in artifacts.items())
    return Models(
        root=base,
        embedder=embedder,
        manifests={name: a.manifest for name, a in artifacts.items()},
        results=results,
        artifacts=artifacts,
        shipped=shipped,
        pinned=chosen is not None,
    )
