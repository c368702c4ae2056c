"""Owner pipelines: build, train, load, and find owners in an actions frame.

A pipeline is ``spacy.blank("en")`` with an optional statistical ``ner`` (trained on
ROLE/ORG mention spans), the gazetteer ``owner_ruler``, an optional learned
``owner_filter`` (drops ruler candidates the text does not make responsible, see
:func:`train_filter`) and the ``owner_linker``. With a ``ner``, the ruler runs first
and the ``ner`` keeps its entities and adds ones the gazetteer does not know. Which
combination the shipped model uses is chosen leave one plan out in ``training.py``;
:func:`build_pipeline` adds neither ``ner`` nor ``owner_filter`` unless asked.

>>> nlp = build_pipeline()
>>> nlp.pipe_names
['owner_ruler', 'owner_linker']
>>> [(e.text, e._.canonical) for e in nlp("The HoOMD will audit OASys.").ents]
[('HoOMD', 'Head of Offender Management Delivery')]
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import filter_spans, minibatch

import actionnlp.owners.components  # noqa: F401  (registers the factories)
from actionnlp.labels import MENTION_LABELS
from actionnlp.owners.candidates import plan_names
from actionnlp.owners.categories import MIN_SIMILARITY
from actionnlp.owners.normalise import (
    Gazetteer,
    Owner,
    acronyms_by_plan,
    embedding_fallback,
    normalise_cell,
)
from actionnlp.resultmap import ResultMap, compute_all

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.embed import Embedder

__all__ = [
    "NER_ORDER",
    "OwnerFinder",
    "build_pipeline",
    "fit_filter",
    "load_pipeline",
    "make_examples",
    "train_filter",
    "train_pipeline",
]

SpanTuple = tuple[int, int, str]
MODEL_NAME = "actionnlp.owners.OwnerFinder"
"""The class name a saved finder's ``config.json`` records."""
PIPELINE_DIR = "pipeline"
"""The folder of a saved finder's spaCy pipeline."""
NER_ORDER = "ruler_first"
"""Where the trained ``ner`` goes: after the ruler ("ruler_first") or before it."""


def build_pipeline(
    *,
    gazetteer: str | Path | None = None,
    ner: bool = False,
    order: str = NER_ORDER,
    owner_filter: bool = False,
) -> Language:
    """A blank English pipeline with the owner ruler and linker (and an untrained ner).

    ``gazetteer`` is a user gazetteer file merged with the bundled one.
    ``order`` is "ruler_first" (ner keeps the ruler's entities) or "ner_first"
    (the ruler only adds entities where ner found none). ``owner_filter`` adds an
    untrained filter right after the ruler (it keeps everything until fitted).

    >>> build_pipeline(ner=True).pipe_names
    ['owner_ruler', 'ner', 'owner_linker']
    >>> build_pipeline(owner_filter=True).pipe_names
    ['owner_ruler', 'owner_filter', 'owner_linker']
    """
    if order not in ("ruler_first", "ner_first"):
        raise ValueError(f"order must be 'ruler_first' or 'ner_first', got {order!r}")
    path = None if gazetteer is None else str(gazetteer)
    nlp = spacy.blank("en")
    if ner and order == "ner_first":
        _add_ner(nlp)
    nlp.add_pipe("owner_ruler", config={"gazetteer_path": path})
    if owner_filter:
        nlp.add_pipe("owner_filter")
    if ner and order == "ruler_first":
        _add_ner(nlp)
    nlp.add_pipe("owner_linker", config={"gazetteer_path": path})
    return nlp


_NER_MODEL = {
    "@architectures": "spacy.TransitionBasedParser.v2",
    "state_type": "ner",
    "extra_state_tokens": False,
    "hidden_width": 64,
    "maxout_pieces": 2,
    "use_upper": True,
    "nO": None,
    "tok2vec": {
        "@architectures": "spacy.HashEmbedCNN.v2",
        "pretrained_vectors": None,
        "width": 64,
        "depth": 2,
        "embed_size": 2000,
        "window_size": 1,
        "maxout_pieces": 3,
        "subword_features": True,
    },
}
"""A small ner model (64 wide, 2 CNN layers): the corpus is small and training must be fast."""


def _add_ner(nlp: Language) -> None:
    ner = nlp.add_pipe("ner", config={"model": _NER_MODEL})
    for label in MENTION_LABELS:
        ner.add_label(label)


def _aligned(doc: Doc, spans: Iterable[SpanTuple]) -> list[Span]:
    """Token-aligned, non-overlapping entity spans for character offsets."""
    out = []
    for start, end, label in spans:
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            out.append(span)
    return filter_spans(out)


def make_examples(nlp: Language, data: Sequence[tuple[str, Sequence[SpanTuple]]]) -> list[Example]:
    """spaCy examples from ``(text, [(start, end, label)])`` pairs."""
    examples = []
    for text, spans in data:
        pred = nlp.make_doc(text)
        ref = nlp.make_doc(text)
        ref.ents = _aligned(ref, spans)
        examples.append(Example(pred, ref))
    return examples


def train_pipeline(
    examples: Sequence[tuple[str, Sequence[SpanTuple]]],
    *,
    seed: int = 0,
    n_iter: int = 30,
    gazetteer: str | Path | None = None,
    order: str = NER_ORDER,
    dropout: float = 0.2,
) -> Language:
    """Train ``ner`` on ``(text, [(start, end, label)])`` examples; return the full pipeline.

    Deterministic for a fixed ``seed`` on one machine.

    >>> nlp = train_pipeline([("The Head of Chess will act.", [(4, 17, "ROLE")])], n_iter=2)
    >>> nlp.pipe_names
    ['owner_ruler', 'ner', 'owner_linker']
    """
    spacy.util.fix_random_seed(seed)
    rng = random.Random(seed)
    nlp = build_pipeline(gazetteer=gazetteer, ner=True, order=order)
    train = make_examples(nlp, examples)
    others = [name for name in nlp.pipe_names if name != "ner"]
    with nlp.select_pipes(disable=others):
        optimizer = nlp.initialize(lambda: train)
        for _ in range(n_iter):
            rng.shuffle(train)
            for batch in minibatch(train, size=8):
                nlp.update(batch, drop=dropout, sgd=optimizer)
    return nlp


def fit_filter(
    nlp: Language,
    examples: Sequence[tuple[str, Sequence[SpanTuple]]],
    *,
    seed: int = 0,
    acronyms: Sequence[Mapping[str, str] | None] | None = None,
    names: Sequence[Sequence[str] | None] | None = None,
) -> Language:
    """Fit ``nlp``'s ``owner_filter`` on ``(text, [(start, end, label)])`` examples.

    The pipes before the filter (the ruler) propose candidates on each text; a
    candidate is a positive example when it is exactly a gold span with its label.
    ``acronyms`` (one mapping per example, the acronyms its plan defines) is set as
    ``doc._.owner_acronyms`` and ``names`` (per example, the names its plan's owner
    cells give) as ``doc._.owner_names``, as :class:`OwnerFinder` does. Returns ``nlp``.
    """
    pipes = nlp.pipe_names
    if "owner_filter" not in pipes:
        raise ValueError("the pipeline has no 'owner_filter'")
    before = [nlp.get_pipe(name) for name in pipes[: pipes.index("owner_filter")]]
    if acronyms is None:
        acronyms = [None] * len(examples)
    if names is None:
        names = [None] * len(examples)
    docs = []
    for (text, _), acr, given in zip(examples, acronyms, names, strict=True):
        doc = nlp.make_doc(text)
        doc._.owner_acronyms = None if acr is None else dict(acr)
        doc._.owner_names = None if given is None else tuple(given)
        for pipe in before:
            doc = pipe(doc)
        docs.append(doc)
    nlp.get_pipe("owner_filter").fit(docs, [spans for _, spans in examples], seed=seed)
    return nlp


def train_filter(
    examples: Sequence[tuple[str, Sequence[SpanTuple]]],
    *,
    seed: int = 0,
    gazetteer: str | Path | None = None,
    acronyms: Sequence[Mapping[str, str] | None] | None = None,
    names: Sequence[Sequence[str] | None] | None = None,
) -> Language:
    """The ruler + fitted filter + linker pipeline, trained on ``examples``.

    ``acronyms`` and ``names`` are passed to :func:`fit_filter`.

    >>> nlp = train_filter([("It was shared with the Governor.", []),
    ...                     ("The Governor will chair it.", [(4, 12, "ROLE")])])
    >>> nlp.pipe_names
    ['owner_ruler', 'owner_filter', 'owner_linker']
    """
    nlp = build_pipeline(gazetteer=gazetteer, owner_filter=True)
    return fit_filter(nlp, examples, seed=seed, acronyms=acronyms, names=names)


def load_pipeline(path: str | Path) -> Language:
    """Load a pipeline saved with ``nlp.to_disk`` (registers the owner factories first).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     build_pipeline().to_disk(d)
    ...     load_pipeline(d).pipe_names
    ['owner_ruler', 'owner_linker']
    """
    return spacy.load(path)


_MENTION_KEYS = frozenset({"start", "end", "text", "label", "canonical", "category"})


def _is_mentions(value: Any) -> bool:
    """Whether a cached value is a list of mentions as :func:`_mention` makes them."""
    return isinstance(value, list) and all(
        isinstance(m, dict)
        and m.keys() == _MENTION_KEYS
        and type(m["start"]) is int
        and type(m["end"]) is int
        and 0 <= m["start"] <= m["end"]
        and isinstance(m["text"], str)
        and m["label"] in MENTION_LABELS
        and all(m[k] is None or isinstance(m[k], str) for k in ("canonical", "category"))
        for m in value
    )


def _mention(ent: Span) -> dict[str, Any]:
    return {
        "start": ent.start_char,
        "end": ent.end_char,
        "text": ent.text,
        "label": ent.label_,
        "canonical": ent._.canonical,
        "category": ent._.category,
    }


class OwnerFinder:
    """Owners of the actions in a frame: from the owner cell and from the action text.

    With an ``embedder``, an owner-cell entry that neither the gazetteer nor the head-word
    and shape rules categorise takes the category of the nearest gazetteer name by
    embedding when the cosine similarity reaches ``min_similarity``
    (:func:`~actionnlp.owners.normalise.embedding_fallback`); without one it stays
    ``other``. ``owner_category_evidence`` says, per owner, which path decided.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"source": ["p", "p"], "owner_raw": ["NHFT", "Governor"],
    ...     "action_text": ["Northamptonshire Healthcare Foundation Trust (NHFT) will audit.",
    ...                     "The Head of Security will review."]})
    >>> out = OwnerFinder(build_pipeline()).find_owners(frame)
    >>> out["owners"].tolist()
    [['Northamptonshire Healthcare NHS Foundation Trust'], ['Governor']]
    >>> [m["text"] for m in out["owner_mentions"][1]]
    ['Head of Security']
    """

    def __init__(
        self,
        nlp: Language,
        *,
        batch_size: int = 64,
        embedder: Embedder | None = None,
        min_similarity: float = MIN_SIMILARITY,
    ) -> None:
        self.nlp = nlp
        self.batch_size = batch_size
        self.embedder = embedder
        self.min_similarity = min_similarity
        linker = dict(nlp.pipeline).get("owner_linker")
        self.gazetteer: Gazetteer | None = getattr(linker, "gazetteer", None)

    # -- persistence: a folder with config.json and pipeline/ (actionnlp.pretrained) ----
    def save_pretrained(self, directory: str | Path) -> Path:
        """Write ``config.json`` (the finder's parameters, pipe names and the embedding of
        its category fallback, if any) and the spaCy pipeline (``pipeline/``,
        ``nlp.to_disk``) into ``directory``.

        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     _ = OwnerFinder(build_pipeline(), batch_size=8).save_pretrained(d)
        ...     again = OwnerFinder.from_pretrained(d)
        >>> again.nlp.pipe_names, again.batch_size
        (['owner_ruler', 'owner_linker'], 8)
        """
        from actionnlp.pretrained import write_config

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.nlp.to_disk(directory / PIPELINE_DIR)
        params = {"batch_size": self.batch_size, "min_similarity": self.min_similarity}
        write_config(
            directory,
            MODEL_NAME,
            params,
            embedding=self.embedder,
            pipe_names=self.nlp.pipe_names,
        )
        return directory

    @classmethod
    def from_pretrained(cls, directory: str | Path, *, embedder: Any = None) -> OwnerFinder:
        """The finder :meth:`save_pretrained` wrote into ``directory``. ``embedder`` is
        given to the finder when its config records an embedding (and must be that one);
        a finder saved without one reads no embeddings and ignores it."""
        from actionnlp.errors import ArtifactError
        from actionnlp.pretrained import CONFIG, read_config

        directory = Path(directory)
        config = read_config(directory, MODEL_NAME, embedder=embedder)
        nlp = load_pipeline(directory / PIPELINE_DIR)
        if config.get("pipe_names") != nlp.pipe_names:
            raise ArtifactError(
                f"pipeline has pipes {nlp.pipe_names}, config says {config.get('pipe_names')}",
                directory / CONFIG,
            )
        params = dict(config["params"])
        if config["embedding"] is not None:
            params["embedder"] = embedder
        try:
            return cls(nlp, **params)
        except TypeError as exc:
            raise ArtifactError(
                f"params this OwnerFinder does not take ({exc})", directory / CONFIG
            ) from exc

    @staticmethod
    def _plan_key(frame: pd.DataFrame) -> list[Any]:
        for col in ("source", "plan", "prison"):
            if col in frame.columns:
                return frame[col].fillna("").tolist()
        return [None] * len(frame)

    def find_owners(
        self,
        frame: pd.DataFrame,
        *,
        text_column: str = "action_text",
        plan_text_columns: Sequence[str] = ("concern_text", "concern", "recommendation_text"),
        results: ResultMap | None = None,
    ) -> pd.DataFrame:
        """A copy of ``frame`` with ``owners``, ``owner_categories``,
        ``owner_category_evidence`` (parallel to ``owner_categories``) and ``owner_mentions``.

        Acronyms are collected per plan (rows sharing ``source``, else ``plan``, else
        ``prison``) from the action texts, owner cells and ``plan_text_columns``.
        The names the plan's owner cells give (:func:`plan_names`) are candidate mentions in
        its action texts, so a body no gazetteer knows is still found.
        Each distinct (text, plan acronyms and names) pair is parsed once, with ``nlp.pipe``;
        each distinct (owner cell, plan acronyms) pair is normalised once. ``results``
        is a result map (:mod:`actionnlp.resultmap`; ``Models`` passes one that reads
        pairs parsed in an earlier run from the result cache).
        """
        if text_column not in frame.columns:
            raise KeyError(f"frame has no {text_column!r} column")
        out = frame.copy()
        n = len(frame)
        keys = self._plan_key(frame)
        texts = ["" if not isinstance(t, str) else t for t in frame[text_column].tolist()]
        cells = frame["owner_raw"].tolist() if "owner_raw" in frame.columns else [None] * n
        columns = [text_column, "owner_raw", *[c for c in plan_text_columns if c in frame.columns]]
        values = [frame[c].tolist() if c in frame.columns else [None] * n for c in columns]
        acronyms = acronyms_by_plan(keys, zip(*values, strict=True))
        # plans with the same acronyms (same items, same order) give the same results
        acr_ids: dict[tuple[tuple[str, str], ...], int] = {}
        plan_acr = {
            k: acr_ids.setdefault(tuple(a.items()), len(acr_ids)) for k, a in acronyms.items()
        }
        acr_of = {plan_acr[k]: a for k, a in acronyms.items()}
        row_acr = [plan_acr[key] for key in keys]
        cell_owners: dict[tuple[Any, int], list[Owner]] = {}
        for cell, aid in zip(cells, row_acr, strict=True):
            ck = (cell if isinstance(cell, str) else None, aid)
            if ck not in cell_owners:
                cell_owners[ck] = normalise_cell(
                    ck[0], acronyms=acr_of[aid], gazetteer=self.gazetteer
                )
        if self.embedder is not None:
            flat = [(k, j, o) for k, row in cell_owners.items() for j, o in enumerate(row)]
            decided = embedding_fallback(
                [o for _, _, o in flat],
                self.embedder,
                gazetteer=self.gazetteer,
                threshold=self.min_similarity,
            )
            for (k, j, _), owner in zip(flat, decided, strict=True):
                cell_owners[k][j] = owner
        owners = [
            cell_owners[(c if isinstance(c, str) else None, aid)]
            for c, aid in zip(cells, row_acr, strict=True)
        ]
        # what a plan tells the ruler: its acronyms and the names its owner cells give
        cell_names = plan_names(keys, owners)
        ctx_ids: dict[tuple[int, tuple[str, ...]], int] = {}
        row_ctx = [
            ctx_ids.setdefault((aid, cell_names[key]), len(ctx_ids))
            for key, aid in zip(keys, row_acr, strict=True)
        ]
        ctx_of = {cid: (acr_of[aid], names) for (aid, names), cid in ctx_ids.items()}
        distinct: dict[tuple[str, int], int] = {}
        row_doc = [
            distinct.setdefault((t, cid), len(distinct))
            for t, cid in zip(texts, row_ctx, strict=True)
        ]
        ctx_key = {cid: (list(a.items()), list(n)) for cid, (a, n) in ctx_of.items()}
        found = (results or compute_all)(
            list(distinct),
            lambda todo: self._parse(todo, ctx_of),
            _is_mentions,
            lambda pair: (pair[0], *ctx_key[pair[1]]),
        )
        mentions = [[dict(m) for m in found[i]] for i in row_doc]
        out["owners"] = [[o.canonical for o in row] for row in owners]
        out["owner_categories"] = [[o.category for o in row] for row in owners]
        out["owner_category_evidence"] = [[o.evidence for o in row] for row in owners]
        out["owner_mentions"] = mentions
        return out

    def _parse(
        self,
        pairs: Sequence[tuple[str, int]],
        ctx_of: Mapping[int, tuple[dict[str, str], tuple[str, ...]]],
    ) -> list[list[dict[str, Any]]]:
        """Mentions of each ``(text, plan context id)`` pair, parsed in one ``nlp.pipe``;
        a plan's context is its acronyms and its owner-cell names."""
        docs = []
        for text, cid in pairs:
            doc = self.nlp.make_doc(text)
            doc._.owner_acronyms, doc._.owner_names = ctx_of[cid]
            docs.append(doc)
        return [
            [_mention(e) for e in doc.ents if e.label_ in MENTION_LABELS]
            for doc in self.nlp.pipe(docs, batch_size=self.batch_size)
        ]
