"""``actionnlp.load()``: the shipped, verified models behind one object.

Every artifact in ``actionnlp/models/<name>-v<N>/`` is verified (checksums,
library versions, embedding hash) before anything in it is deserialised. The
embedding model is shared by all models and loaded once per process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.embed import Embedder
    from actionnlp.result_cache import ResultCache, ResultStore

__all__ = ["MODELS_DIR", "Models", "load"]

MODELS_DIR = Path(__file__).parent / "models"
THEMES_ARTIFACT = "themes-v1"
OWNERS_ARTIFACT = "owners-v1"
SMART_ARTIFACT = "smart-v1"


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
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"Models({', '.join(self.manifests)} verified in {self.root})"

    def get_embedder(self) -> Embedder:
        """The embedder every model uses (the bundled model unless one was given)."""
        if self.embedder is None:
            from actionnlp.embed import default_embedder

            self.embedder = default_embedder()
        return self.embedder

    def result_store(self, artifact: str) -> ResultStore | None:
        """Where results of ``artifact``'s model are kept between runs (None without a
        :class:`~actionnlp.result_cache.ResultCache`): named by the verified manifest,
        the embedder and the installed code, so any change starts an empty store."""
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

    def _checked(self, name: str) -> Path:
        from actionnlp.artifacts import check_embedding

        directory = self.root / name
        manifest = self.manifests[name]
        if manifest.get("embedding"):
            check_embedding(manifest, self.get_embedder())
        return directory

    @property
    def theme_tagger(self):
        """The shipped :class:`~actionnlp.themes.ThemeTagger` (embedder attached)."""
        if "themes" not in self._cache:
            from actionnlp.artifacts import load_sklearn

            directory = self._checked(THEMES_ARTIFACT)
            tagger = load_sklearn(directory / "tagger.skops")
            tagger.embedder = self.get_embedder()
            self._cache["themes"] = tagger
        return self._cache["themes"]

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
        return tags_frame(self.theme_tagger, list(texts), cache=self.result_store(THEMES_ARTIFACT))

    @property
    def owner_finder(self):
        """The shipped owner pipeline wrapped in an :class:`~actionnlp.owners.OwnerFinder`."""
        if "owners" not in self._cache:
            from actionnlp.owners import OwnerFinder, load_pipeline

            directory = self._checked(OWNERS_ARTIFACT)
            self._cache["owners"] = OwnerFinder(load_pipeline(directory / "pipeline"))
        return self._cache["owners"]

    def find_owners(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Add ``owners``, ``owner_categories`` and ``owner_mentions`` to an actions frame."""
        return self.owner_finder.find_owners(frame, cache=self.result_store(OWNERS_ARTIFACT))

    @property
    def smart_scorer(self):
        """The shipped :class:`~actionnlp.smart.SmartScorer`."""
        if "smart" not in self._cache:
            from actionnlp.smart import SmartScorer

            directory = self._checked(SMART_ARTIFACT)
            self._cache["smart"] = SmartScorer.load(directory / "scorer", self.get_embedder())
        return self._cache["smart"]

    def score_smart(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Add ``smart_S``..``smart_T``, ``p_smart_*``, ``smart_score``, ``smart_evidence``."""
        return self.smart_scorer.annotate(frame, cache=self.result_store(SMART_ARTIFACT))


def load(
    root: str | Path | None = None,
    *,
    embedder: Embedder | None = None,
    results: ResultCache | None = None,
) -> Models:
    """Verify every shipped artifact and return the models (deserialised on first use).

    ``results``, a :class:`~actionnlp.result_cache.ResultCache`, keeps theme, owner and
    SMART results of each distinct text on disk, so a rerun over the same plans skips that
    work (``analyze`` uses one by default).

    Raises :class:`~actionnlp.errors.ArtifactError` when an artifact is missing,
    tampered with, or was built with other library versions.
    """
    from actionnlp.artifacts import verify_artifact
    from actionnlp.errors import ArtifactError

    base = Path(root) if root is not None else MODELS_DIR
    manifests = {}
    for name in (THEMES_ARTIFACT, OWNERS_ARTIFACT, SMART_ARTIFACT):
        directory = base / name
        if not directory.is_dir():
            raise ArtifactError(
                f"missing model artifact {name}; rebuild with `make train`", directory
            )
        manifests[name] = verify_artifact(directory, expected_name=name.rsplit("-v", 1)[0])
    return Models(root=base, embedder=embedder, manifests=manifests, results=results)
