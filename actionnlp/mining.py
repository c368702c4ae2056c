"""Mining across plans: recurring themes, nearest neighbours and copy-pasted responses.

* :func:`mine_themes` clusters the distinct texts of a column (agglomerative,
  cosine, average linkage: deterministic, no random state) and names every
  cluster by its class-based TF-IDF terms, as BERTopic does.
* :func:`similar` ranks a corpus by cosine similarity to one text.
* :func:`find_boilerplate` finds near-identical actions that appear in the plans
  of *different* prisons (evidence of copy and paste between plans).

All three embed each distinct text once (:func:`~actionnlp.embed.embed_texts`);
``embedder=None`` means the bundled all-MiniLM-L6-v2. They never change the frame
they are given.

>>> import pandas as pd
>>> from actionnlp.embed import FakeEmbedder
>>> corpus = ["random drug testing on wings", "menu and food portions", "drug testing rates"]
>>> similar("drug testing", corpus, k=1, embedder=FakeEmbedder(dim=64))["text"].tolist()
['drug testing rates']
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

    from actionnlp.embed import Embedder

__all__ = ["OUTLIER", "OUTLIER_NAME", "ThemeClusters", "find_boilerplate", "mine_themes", "similar"]

OUTLIER = -1
"""Cluster id of the texts that fell in clusters smaller than ``min_cluster_size``."""

OUTLIER_NAME = "outliers"
"""Name of cluster :data:`OUTLIER`."""

_NAME_TERMS = 3
_BLOCK = 1024


# --------------------------------------------------------------------------- helpers


def _check_frame(frame: Any, what: str) -> None:
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")


def _check_column(frame: pd.DataFrame, column: Any, what: str) -> str:
    if not isinstance(column, str):
        raise TypeError(f"{what} must be a column name (str), got {type(column).__name__}")
    if column not in frame.columns:
        raise KeyError(f"{what}={column!r} is not a column; the frame has {list(frame.columns)}")
    return column


def _check_by(frame: pd.DataFrame, by: str | Sequence[str] | None) -> list[str] | str | None:
    """Validate ``by``: None, one column name, or a list/tuple of column names."""
    if by is None:
        return None
    if isinstance(by, str):
        return _check_column(frame, by, "by")
    if not isinstance(by, (list, tuple)) or not by:
        raise TypeError(f"by must be None, a column name or a non-empty list of them, got {by!r}")
    return [_check_column(frame, c, "by") for c in by]


def _positive_int(value: Any, what: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{what} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _missing(value: Any) -> bool:
    import pandas as pd

    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-like cell: not a missing scalar
        return False


def _by_values(frame: pd.DataFrame, by: list[str] | str | None) -> list[Hashable | None]:
    """One grouping value per row: a scalar for one column, a tuple for a list; None if missing."""
    if by is None:
        return [None] * len(frame)
    if isinstance(by, str):
        return [None if _missing(v) else v for v in frame[by].tolist()]
    columns = [frame[c].tolist() for c in by]
    return [
        None if any(_missing(v) for v in row) else tuple(row) for row in zip(*columns, strict=True)
    ]


def _sorted_values(values: Any) -> list[Any]:
    """Sorted distinct values; values that do not compare are sorted by their repr."""
    distinct = set(values)
    try:
        return sorted(distinct)
    except TypeError:
        return sorted(distinct, key=repr)


def _clean(text: Any, column: str, label: Any) -> str | None:
    """Whitespace-collapsed text, or None when the cell is missing or blank."""
    if _missing(text):
        return None
    if not isinstance(text, str):
        raise TypeError(
            f"column {column!r} must hold strings; row {label!r} holds {type(text).__name__}"
        )
    collapsed = " ".join(text.split())
    return collapsed or None


def _unit(vectors: NDArray[np.floating]) -> NDArray[np.float64]:
    out = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    return out / norms


def _embed(texts: list[str], embedder: Embedder | None) -> NDArray[np.float64]:
    from actionnlp.embed import embed_texts

    return _unit(embed_texts(texts, embedder))


# --------------------------------------------------------------------------- themes


@dataclass(frozen=True)
class ThemeClusters:
    """Result of :func:`mine_themes`.

    ``frame`` is a copy of the input with two more columns, ``cluster`` (int, -1 for
    outliers) and ``cluster_name``. ``summary`` has one row per cluster: ``cluster``,
    ``name``, ``terms`` (list of c-TF-IDF terms, best first), ``size`` (rows),
    ``n_texts`` (distinct texts), ``prisons`` (sorted distinct values of ``by``;
    tuples when ``by`` is a list; empty when ``by`` is None), ``n_prisons`` and
    ``examples`` (the most central texts). It is sorted by size, outliers last.
    """

    frame: pd.DataFrame
    summary: pd.DataFrame

    def __repr__(self) -> str:
        n = int((self.summary["cluster"] != OUTLIER).sum()) if len(self.summary) else 0
        return f"ThemeClusters(rows={len(self.frame)}, clusters={n})"


def _agglomerate(vectors: NDArray[np.float64], distance_threshold: float) -> NDArray[np.intp]:
    """Raw cluster labels of the rows of ``vectors`` (any numbering)."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=np.intp)
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(
        n_clusters=None,
        metric="cosine",
        linkage="average",
        distance_threshold=distance_threshold,
    )
    return np.asarray(model.fit_predict(vectors), dtype=np.intp)


def _ctfidf_terms(documents: list[str], n_terms: int) -> list[list[str]]:
    """Top terms of each document by class-based TF-IDF (one document per cluster).

    tf is the term count divided by the document's total count; idf is
    ``log(1 + A / f_t)`` with ``A`` the mean number of counted words per document and
    ``f_t`` the term's count over all documents. Ties go to the alphabetically first term.

    >>> _ctfidf_terms(["drug drug testing", "food menu food"], 2)
    [['drug', 'drug drug'], ['food', 'food menu']]
    """
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1)
    try:
        counts = vectorizer.fit_transform(documents)
    except ValueError:  # empty vocabulary: every word is a stop word or too short
        return [[] for _ in documents]
    terms = vectorizer.get_feature_names_out()
    counts = np.asarray(counts.toarray(), dtype=np.float64)
    per_doc = counts.sum(axis=1, keepdims=True)
    tf = np.divide(counts, per_doc, out=np.zeros_like(counts), where=per_doc > 0)
    average = counts.sum() / len(documents)
    idf = np.log(1.0 + average / counts.sum(axis=0))
    scores = tf * idf
    result = []
    for row in scores:
        order = np.lexsort((terms, -row))  # score desc, then term asc
        result.append([str(terms[i]) for i in order[:n_terms] if row[i] > 0])
    return result


def mine_themes(
    frame: pd.DataFrame,
    text: str = "concern_text",
    by: str | Sequence[str] | None = "prison",
    *,
    embedder: Embedder | None = None,
    distance_threshold: float = 0.6,
    min_cluster_size: int = 2,
    n_terms: int = 5,
    n_examples: int = 3,
) -> ThemeClusters:
    """Cluster the distinct texts of ``frame[text]`` into named themes.

    The distinct texts (white space collapsed, sorted) are embedded and clustered
    by scikit-learn's ``AgglomerativeClustering`` (cosine distance, average linkage,
    stop merging at ``distance_threshold``; cosine distance is 1 - cosine). Nothing is
    random and row order does not matter: the same texts give the same clusters.

    Clusters with fewer than ``min_cluster_size`` distinct texts are outliers: their
    rows are kept, all in cluster -1 named ``"outliers"``. Rows whose text is missing
    or blank are outliers too (and are not embedded). The other clusters are numbered
    0, 1, ... by size (rows) descending, then distinct texts descending, then their
    alphabetically first text. Each is named by its top three c-TF-IDF terms joined
    by ", " (one document per cluster made of its distinct texts; outliers form a
    document too), and ``n_examples`` texts closest to its centroid are its examples.

    Returns a :class:`ThemeClusters` (``.frame`` with ``cluster``/``cluster_name``
    added, ``.summary`` with one row per cluster).

    >>> import pandas as pd
    >>> from actionnlp.embed import FakeEmbedder
    >>> df = pd.DataFrame({
    ...     "prison": ["HMP A", "HMP B", "HMP A", "HMP B", "HMP C"],
    ...     "concern_text": ["Drug testing was not done.", "Drug testing was rare.",
    ...                      "Food portions were small.", "Food portions were cold.",
    ...                      "Library closed."]})
    >>> themes = mine_themes(df, embedder=FakeEmbedder(dim=256), distance_threshold=0.5)
    >>> themes.frame["cluster"].tolist()
    [0, 0, 1, 1, -1]
    >>> themes.summary[["cluster", "name", "size", "prisons"]].values.tolist()[0]
    [0, 'drug, drug testing, testing', 2, ['HMP A', 'HMP B']]
    >>> themes.summary["name"].tolist()[-1]
    'outliers'
    """
    import pandas as pd

    _check_frame(frame, "frame")
    text = _check_column(frame, text, "text")
    by_cols = _check_by(frame, by)
    if (
        isinstance(distance_threshold, bool)
        or not isinstance(distance_threshold, (int, float))
        or not 0.0 < distance_threshold <= 2.0
    ):
        raise ValueError(
            f"distance_threshold must be a cosine distance in (0, 2], got {distance_threshold!r}"
        )
    min_cluster_size = _positive_int(min_cluster_size, "min_cluster_size")
    n_terms = _positive_int(n_terms, "n_terms")
    n_examples = _positive_int(n_examples, "n_examples")

    cleaned = [_clean(t, text, label) for t, label in zip(frame[text], frame.index, strict=True)]
    distinct = sorted({t for t in cleaned if t is not None})
    position = {t: i for i, t in enumerate(distinct)}
    row_text = np.array([position[t] if t is not None else -1 for t in cleaned], dtype=np.intp)
    vectors = _embed(distinct, embedder) if distinct else np.zeros((0, 1))
    raw = _agglomerate(vectors, float(distance_threshold))

    # Renumber: size in rows desc, distinct texts desc, first (sorted) text asc.
    rows_per_text = np.bincount(row_text[row_text >= 0], minlength=len(distinct))
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(raw.tolist()):
        groups.setdefault(label, []).append(i)
    kept = [m for m in groups.values() if len(m) >= min_cluster_size]
    kept.sort(key=lambda m: (-int(rows_per_text[m].sum()), -len(m), m[0]))
    text_cluster = np.full(len(distinct), OUTLIER, dtype=np.intp)
    for cluster_id, members in enumerate(kept):
        text_cluster[members] = cluster_id
    outlier_texts = [i for i in range(len(distinct)) if text_cluster[i] == OUTLIER]
    row_cluster = np.where(row_text >= 0, text_cluster[np.maximum(row_text, 0)], OUTLIER)

    clusters = [*kept, outlier_texts] if outlier_texts else list(kept)
    terms = _ctfidf_terms([" ".join(distinct[i] for i in m) for m in clusters], n_terms)
    names = [", ".join(t[:_NAME_TERMS]) or f"cluster {i}" for i, t in enumerate(terms[: len(kept)])]
    has_outlier_rows = bool((row_cluster == OUTLIER).any())
    if has_outlier_rows and not outlier_texts:  # only blank texts are outliers
        terms.append([])
    name_of = dict(enumerate(names)) | {OUTLIER: OUTLIER_NAME}

    out = frame.copy()
    out["cluster"] = row_cluster.astype(np.int64)
    out["cluster_name"] = [name_of[c] for c in row_cluster.tolist()]

    by_values = _by_values(frame, by_cols)
    summary_rows = []
    ids = list(range(len(kept))) + ([OUTLIER] if has_outlier_rows else [])
    for cluster_id, cluster_terms in zip(ids, terms, strict=True):
        members = kept[cluster_id] if cluster_id != OUTLIER else outlier_texts
        in_cluster = row_cluster == cluster_id
        values = [v for v, hit in zip(by_values, in_cluster, strict=True) if hit and v is not None]
        prisons = _sorted_values(values)
        examples: list[str] = []
        if members:
            centroid = vectors[members].mean(axis=0)
            closeness = vectors[members] @ centroid
            order = np.argsort(-closeness, kind="stable")[:n_examples]
            examples = [distinct[members[i]] for i in order]
        summary_rows.append(
            {
                "cluster": cluster_id,
                "name": name_of[cluster_id],
                "terms": list(cluster_terms),
                "size": int(in_cluster.sum()),
                "n_texts": len(members),
                "prisons": prisons,
                "n_prisons": len(prisons),
                "examples": examples,
            }
        )
    columns = ["cluster", "name", "terms", "size", "n_texts", "prisons", "n_prisons", "examples"]
    summary = pd.DataFrame(summary_rows, columns=columns)
    summary = summary.astype({"cluster": "int64", "size": "int64", "n_texts": "int64"})
    summary = summary.astype({"n_prisons": "int64"})
    return ThemeClusters(frame=out, summary=summary)


# --------------------------------------------------------------------------- similar


def similar(
    text: str,
    corpus: Sequence[str] | pd.DataFrame,
    k: int = 5,
    *,
    text_column: str | None = None,
    embedder: Embedder | None = None,
) -> pd.DataFrame:
    """The ``k`` items of ``corpus`` most similar to ``text`` (cosine), best first.

    ``corpus`` is a list of strings, or a frame whose ``text_column`` holds the texts
    (default ``"concern_text"`` if the frame has it, else ``"action_text"``). For a
    frame the result is a copy of its top rows (original index kept) plus a
    ``similarity`` column; for a list it has ``text`` and ``similarity`` columns and
    the list positions as index. Rows with a missing or blank text are skipped. Ties
    keep corpus order. ``text`` itself, if in the corpus, comes first with 1.0.

    >>> import pandas as pd
    >>> from actionnlp.embed import FakeEmbedder
    >>> texts = ["Food was cold.", "Few drug tests.", "Drug tests late."]
    >>> df = pd.DataFrame({"concern_text": texts})
    >>> similar("drug tests", df, k=2, embedder=FakeEmbedder(dim=64)).index.tolist()
    [1, 2]
    """
    import pandas as pd

    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not text.strip():
        raise ValueError("text is blank; expected a sentence to compare the corpus with")
    k = _positive_int(k, "k")
    if isinstance(corpus, pd.DataFrame):
        if text_column is None:
            candidates = [c for c in ("concern_text", "action_text") if c in corpus.columns]
            if not candidates:
                raise KeyError(
                    "text_column not given and the frame has neither 'concern_text' nor "
                    f"'action_text'; it has {list(corpus.columns)}"
                )
            text_column = candidates[0]
        column = _check_column(corpus, text_column, "text_column")
        cleaned = [
            _clean(t, column, label) for t, label in zip(corpus[column], corpus.index, strict=True)
        ]
        base = corpus
    elif isinstance(corpus, (str, bytes)) or not isinstance(corpus, Sequence):
        raise TypeError(
            f"corpus must be a list of strings or a DataFrame, got {type(corpus).__name__}"
        )
    else:
        items = list(corpus)
        cleaned = [_clean(t, "corpus", i) for i, t in enumerate(items)]
        base = pd.DataFrame({"text": items})
    keep = [i for i, t in enumerate(cleaned) if t is not None]
    if not keep:
        out = base.iloc[[]].copy()
        out["similarity"] = pd.Series(dtype="float64")
        return out
    vectors = _embed([" ".join(text.split())] + [cleaned[i] for i in keep], embedder)
    scores = vectors[1:] @ vectors[0]
    order = np.argsort(-scores, kind="stable")[:k]
    out = base.iloc[[keep[i] for i in order]].copy()
    out["similarity"] = np.clip(scores[order], -1.0, 1.0).astype(np.float64)
    return out


# --------------------------------------------------------------------------- boilerplate


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _similar_pairs(vectors: NDArray[np.float64], threshold: float) -> list[tuple[int, int]]:
    """Pairs ``i < j`` of rows whose cosine is at least ``threshold``, computed in blocks."""
    pairs: list[tuple[int, int]] = []
    for start in range(0, len(vectors), _BLOCK):
        block = vectors[start : start + _BLOCK] @ vectors.T
        rows, cols = np.nonzero(block >= threshold)
        for r, c in zip((rows + start).tolist(), cols.tolist(), strict=True):
            if r < c:
                pairs.append((r, c))
    return pairs


def find_boilerplate(
    actions: pd.DataFrame,
    threshold: float = 0.9,
    *,
    text: str = "action_text",
    by: str | Sequence[str] = "prison",
    embedder: Embedder | None = None,
    min_chars: int = 40,
) -> pd.DataFrame:
    """Near-identical actions reused between the plans of different prisons.

    Texts are compared after collapsing white space and case folding. Two rows are
    linked when their ``by`` values differ and their texts are identical or have a
    cosine of at least ``threshold``; groups are the connected components of those
    links (a text repeated within one prison only is not boilerplate). Texts shorter
    than ``min_chars`` characters and rows with a missing ``by`` value are ignored.

    Returns one row per group member (the input's index is kept): ``group`` (0 is the
    largest), the ``by`` column(s), ``plan_submitted`` and ``year`` (when the frame has
    them), ``concern_id`` (when present), the text column, ``similarity`` (cosine to the
    group's first member; members are ordered by ``by`` value, then input order) and
    ``n_prisons`` (distinct ``by`` values in the group).

    >>> import pandas as pd
    >>> from actionnlp.embed import FakeEmbedder
    >>> text = "All staff will complete refresher training on the use of force by June."
    >>> other = "A new kitchen manager has been appointed to the site."
    >>> df = pd.DataFrame({"prison": ["HMP A", "HMP A", "HMP B"],
    ...                    "action_text": [text, other, text.replace("June", "July")]})
    >>> out = find_boilerplate(df, 0.8, embedder=FakeEmbedder(dim=256))
    >>> out[["group", "prison", "n_prisons"]].values.tolist()
    [[0, 'HMP A', 2], [0, 'HMP B', 2]]
    """
    import pandas as pd

    _check_frame(actions, "actions")
    text = _check_column(actions, text, "text")
    by_cols = _check_by(actions, by)
    if by_cols is None:
        raise ValueError("by must name the column(s) that tell plans apart, got None")
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, (int, float))
        or not 0.0 < threshold <= 1.0
    ):
        raise ValueError(f"threshold must be a cosine in (0, 1], got {threshold!r}")
    min_chars = _positive_int(min_chars, "min_chars", minimum=0)

    by_names = [by_cols] if isinstance(by_cols, str) else list(by_cols)
    extra = [c for c in ("plan_submitted", "year", "concern_id") if c in actions.columns]
    columns = ["group", *by_names, *[c for c in extra if c not in by_names]]
    columns += [text, "similarity", "n_prisons"]
    columns = list(dict.fromkeys(columns))

    by_values = _by_values(actions, by_cols)
    keys: list[str | None] = []
    for value, raw, label in zip(by_values, actions[text], actions.index, strict=True):
        cleaned = _clean(raw, text, label)
        ok = value is not None and cleaned is not None and len(cleaned) >= min_chars
        keys.append(cleaned.casefold() if ok and cleaned is not None else None)

    distinct = sorted({k for k in keys if k is not None})
    key_index = {k: i for i, k in enumerate(distinct)}
    # Nodes are (text key, by value): rows sharing both are linked or not together.
    node_index: dict[tuple[int, Any], int] = {}
    row_node: list[int] = []
    for key, value in zip(keys, by_values, strict=True):
        if key is None:
            row_node.append(-1)
            continue
        row_node.append(node_index.setdefault((key_index[key], value), len(node_index)))
    nodes_of_key: list[list[tuple[int, Any]]] = [[] for _ in distinct]
    for (ki, value), node in node_index.items():
        nodes_of_key[ki].append((node, value))

    vectors = _embed(distinct, embedder) if distinct else np.zeros((0, 1))
    pairs = [(i, i) for i in range(len(distinct))] + _similar_pairs(vectors, float(threshold))
    forest = _UnionFind(len(node_index))
    linked = [False] * len(node_index)
    for ki, kj in pairs:
        for node_a, value_a in nodes_of_key[ki]:
            for node_b, value_b in nodes_of_key[kj]:
                if value_a != value_b:
                    forest.union(node_a, node_b)
                    linked[node_a] = linked[node_b] = True

    members: dict[int, list[int]] = {}
    for row, node in enumerate(row_node):
        if node >= 0 and linked[node]:
            members.setdefault(forest.find(node), []).append(row)
    if not members:
        return pd.DataFrame(columns=columns)

    groups = []
    for rows in members.values():
        values = _sorted_values(by_values[r] for r in rows)
        rank = {v: i for i, v in enumerate(values)}
        rows = sorted(rows, key=lambda r: (rank[by_values[r]], r))
        groups.append((rows, len(values)))
    groups.sort(key=lambda g: (-len(g[0]), -g[1], min(g[0])))

    positions: list[int] = []
    group_ids: list[int] = []
    sims: list[float] = []
    spans: list[int] = []
    for group_id, (rows, n_prisons) in enumerate(groups):
        first = key_index[keys[rows[0]]]  # type: ignore[index]
        for r in rows:
            other = key_index[keys[r]]  # type: ignore[index]
            sim = 1.0 if other == first else float(np.clip(vectors[other] @ vectors[first], -1, 1))
            positions.append(r)
            group_ids.append(group_id)
            sims.append(sim)
            spans.append(n_prisons)
    out = actions.iloc[positions][[c for c in columns if c in actions.columns]].copy()
    out.insert(0, "group", np.asarray(group_ids, dtype=np.int64))
    out["similarity"] = np.asarray(sims, dtype=np.float64)
    out["n_prisons"] = np.asarray(spans, dtype=np.int64)
    return out[columns]
