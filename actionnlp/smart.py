"""SMART scoring of response actions: signals, a rules baseline and a trained scorer.

Each action is judged with its concern text, its Responsible Owner cell and its
Target Date cell against the five criteria of the annotation guidelines (section 3):
Specific, Measurable, Achievable, Relevant, Time-bound, each 0 or 1.

* :func:`extract_signals` finds the evidence: phrases from
  ``resources/smart_patterns.json`` (spaCy Matcher / PhraseMatcher patterns kept as
  data), the target cell read by :func:`~actionnlp.read.dates.parse_target`, dates
  and deadlines in the text, and a named actor.
* :class:`RuleSmartScorer` applies the guideline definitions to the signals.
* :class:`SmartScorer` learns one logistic-regression head per criterion S, M, A, R
  from the signal counts, the rule decisions, a relevance similarity (cosine of
  action and concern embeddings) and a few text statistics.

**T is decided by rules in both scorers** (target cell first: a date or
Complete(d) is 1; Ongoing, empty or a frequency alone is 0; a deadline in the text
such as "by December 2020" also counts). The learned heads only decide S, M, A and
R, so giving an action a concrete target date can never lower T and removing it
can never raise T.

Every score comes with evidence: a short string per criterion, for 0s as well as 1s.

>>> sig = extract_signals("Spot check audits monthly.", "", "Governor", "March 2025")
>>> sig.frequency, sig.audit, sig.target_has_date
(('monthly',), ('audits', 'spot check'), True)
>>> RuleSmartScorer().score_one(sig)[0]
{'S': 1, 'M': 1, 'A': 1, 'R': 1, 'T': 1}
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from actionnlp.corpus import SMART_KEYS
from actionnlp.read.dates import find_dates, parse_target

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

    from actionnlp.embed import Embedder
    from actionnlp.result_cache import ResultStore

__all__ = [
    "FRAME_COLUMNS",
    "SIGNAL_GROUPS",
    "RuleSmartScorer",
    "Signals",
    "SmartScorer",
    "extract_signals",
    "signals_for_frame",
]

FRAME_COLUMNS = ("action_text", "concern_text", "owner_raw", "target_raw")
"""Columns a frame to score must have (``kind`` is optional)."""

SIGNAL_GROUPS = (
    "hedge",
    "contingent",
    "cannot",
    "frequency",
    "quantity",
    "audit",
    "deliverable",
    "vague",
    "completed_text",
    "deadline_text",
    "actor",
    "unquantified",
)
"""Pattern groups of ``resources/smart_patterns.json``, one tuple field each in Signals."""

_STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "during",
        "each",
        "either",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "may",
        "me",
        "more",
        "most",
        "must",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "shall",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "prison",
        "prisons",
        "prisoner",
        "prisoners",
        "hmp",
        "staff",
        "ensure",
        "recommendation",
        "should",
        "there",
        "be",
        "concern",
        "directed",
        "governor",
        "new",
    ]
)
_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_YEAR = re.compile(r"^(19|20)[0-9]{2}$")
_NOT_QUANTITY_BEFORE = frozenset(
    {"level", "levels", "phase", "stage", "section", "paragraph", "psi", "pso", "pi", "tier"}
)
_RATIONALE = re.compile(r"\b(?:partly|partially|not)\s+agreed\b", re.IGNORECASE)


# -- signals -------------------------------------------------------------------------
@dataclass(frozen=True)
class Signals:
    """What :func:`extract_signals` found for one action.

    Each pattern group holds the matched phrases (lower-cased, sorted, distinct).
    ``target_*`` describe the target cell; ``text_dates`` are dates written in the
    action text; ``owner_named`` is True when the owner cell is non-empty.

    >>> Signals().target_empty, Signals().hedge
    (True, ())
    """

    hedge: tuple[str, ...] = ()
    contingent: tuple[str, ...] = ()
    cannot: tuple[str, ...] = ()
    frequency: tuple[str, ...] = ()
    quantity: tuple[str, ...] = ()
    audit: tuple[str, ...] = ()
    deliverable: tuple[str, ...] = ()
    vague: tuple[str, ...] = ()
    completed_text: tuple[str, ...] = ()
    deadline_text: tuple[str, ...] = ()
    actor: tuple[str, ...] = ()
    unquantified: tuple[str, ...] = ()
    target_raw: str = ""
    target_date: str | None = None
    target_has_date: bool = False
    target_completed: bool = False
    target_ongoing: bool = False
    target_empty: bool = True
    text_dates: tuple[str, ...] = ()
    owner_raw: str = ""
    owner_named: bool = False
    overlap: tuple[str, ...] = ()
    n_tokens: int = 0
    n_sentences: int = 0
    rationale_text: bool = False
    has_concern: bool = False

    @property
    def named_actor(self) -> bool:
        """True when the owner cell names someone or the text names an actor."""
        return self.owner_named or bool(self.actor)


@cache
def _patterns() -> dict[str, dict[str, list[Any]]]:
    text = resources.files("actionnlp.resources").joinpath("smart_patterns.json").read_text("utf-8")
    data = json.loads(text)
    return {g: data[g] for g in SIGNAL_GROUPS}


@cache
def _matchers() -> tuple[Any, Any, Any]:
    """``(nlp, phrase_matcher, matcher)`` built once from the pattern file."""
    import spacy
    from spacy.matcher import Matcher, PhraseMatcher

    nlp = spacy.blank("en")
    phrase = PhraseMatcher(nlp.vocab, attr="LOWER")
    tokens = Matcher(nlp.vocab)
    for group, spec in _patterns().items():
        phrases = spec.get("phrases", [])
        if phrases:
            phrase.add(group, list(nlp.tokenizer.pipe(phrases)))
        pats = spec.get("patterns", [])
        if pats:
            tokens.add(group, pats)
    return nlp, phrase, tokens


def _clean(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(str(value).split())


def _content_words(text: str) -> set[str]:
    words = set()
    for w in _WORD.findall(text.lower()):
        w = w.strip("'-")
        if w in _STOP or len(w) < 3:
            continue
        words.add(w[:6])  # a crude stem: "medication"/"medicines" -> "medica"/"medici"
    return words


def _keep_quantity(doc: Any, start: int, end: int, date_chars: list[tuple[int, int]]) -> bool:
    span = doc[start:end]
    first = span[0]
    if any(s <= first.idx < e for s, e in date_chars):
        return False
    if end - start == 1 and first.like_num:
        if _YEAR.match(first.text) or first.lower_ in ("one", "zero"):
            return False
        if start > 0 and doc[start - 1].lower_ in _NOT_QUANTITY_BEFORE:
            return False
        nxt = doc[end].lower_ if end < len(doc) else ""
        if nxt in ("to", "-") and first.lower_ in ("one",):
            return False
    return True


def extract_signals(
    action_text: str | None,
    concern_text: str | None = "",
    owner_raw: str | None = "",
    target_raw: str | None = "",
) -> Signals:
    """Find the SMART signals of one action.

    Missing values (None, NaN) read as empty strings.

    >>> s = extract_signals("Funding to be sought for two technicians.", "", None, "Ongoing")
    >>> s.contingent, s.quantity, s.target_ongoing, s.named_actor
    (('funding to be sought',), ('two',), True, True)
    >>> extract_signals("HMP Stafford will look to improve.", "", "", "").hedge
    ('look to', 'will look to')
    """
    text, concern = _clean(action_text), _clean(concern_text)
    owner, target_cell = _clean(owner_raw), _clean(target_raw)
    nlp = _matchers()[0]
    return _signals(nlp(text), text, concern, owner, target_cell)


def _signals(doc: Any, text: str, concern: str, owner: str, target_cell: str) -> Signals:
    """:func:`extract_signals` on cleaned values, with ``doc`` already parsed from ``text``."""
    nlp, phrase, tokens = _matchers()
    dates = find_dates(text)
    date_chars: list[tuple[int, int]] = []
    at = 0
    for raw, _ in dates:
        i = text.find(raw, at)
        if i >= 0:
            date_chars.append((i, i + len(raw)))
            at = i + len(raw)
    found: dict[str, set[str]] = {g: set() for g in SIGNAL_GROUPS}
    matches = [*phrase(doc), *tokens(doc)]
    for match_id, start, end in matches:
        group = nlp.vocab.strings[match_id]
        if group == "quantity" and not _keep_quantity(doc, start, end, date_chars):
            continue
        found[group].add(doc[start:end].text.lower())
    target = parse_target(target_cell or None)
    target_date = None
    if target.date is not None:
        target_date = next((e for e in target.entries if find_dates(e)), target.entries[-1])
    overlap = sorted(_content_words(text) & _content_words(concern)) if concern else []
    return Signals(
        **{g: tuple(sorted(v)) for g, v in found.items()},
        target_raw=target_cell,
        target_date=target_date,
        target_has_date=target.date is not None,
        target_completed=target.status == "completed",
        target_ongoing=target.status == "ongoing",
        target_empty=not target_cell,
        text_dates=tuple(raw for raw, _ in dates),
        owner_raw=owner,
        owner_named=bool(owner),
        overlap=tuple(overlap),
        n_tokens=len(doc),
        n_sentences=max(1, sum(1 for t in doc if t.text in (".", "!", "?"))),
        rationale_text=bool(_RATIONALE.search(text[:120])),
        has_concern=bool(concern),
    )


def signals_for_frame(frame: pd.DataFrame) -> list[Signals]:
    """:func:`extract_signals` for every row of a frame with :data:`FRAME_COLUMNS`.

    Rows with the same (cleaned) action, concern, owner and target share one result
    (:class:`Signals` is frozen), and the distinct action texts are tokenised in one
    ``nlp.pipe`` pass.

    >>> import pandas as pd
    >>> f = pd.DataFrame({"action_text": ["Audit monthly.", "Audit monthly."],
    ...     "concern_text": ["", ""], "owner_raw": ["Governor", None], "target_raw": ["", ""]})
    >>> [(s.frequency, s.owner_named) for s in signals_for_frame(f)]
    [(('monthly',), True), (('monthly',), False)]
    """
    _check_frame(frame)
    rows = [
        tuple(_clean(v) for v in row)
        for row in zip(
            frame["action_text"].tolist(),
            frame["concern_text"].tolist(),
            frame["owner_raw"].tolist(),
            frame["target_raw"].tolist(),
            strict=True,
        )
    ]
    distinct = list(dict.fromkeys(rows))
    texts = list(dict.fromkeys(text for text, *_ in distinct))
    nlp = _matchers()[0]
    docs = dict(zip(texts, nlp.pipe(texts, batch_size=256), strict=True))
    found = {row: _signals(docs[row[0]], *row) for row in distinct}
    return [found[row] for row in rows]


def _distinct_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, NDArray[np.intp]]:
    """The first row of each distinct (cleaned) :data:`FRAME_COLUMNS` tuple (those
    columns only), and for every row of ``frame`` the position of its tuple among them:
    scorers work on the distinct rows and ``result[inverse]`` spreads the results back.

    >>> import pandas as pd
    >>> f = pd.DataFrame({"action_text": ["Audit.", "Audit. ", "Train."],
    ...     "concern_text": ["", "", ""], "owner_raw": ["", None, ""], "target_raw": ["", "", ""]})
    >>> rows, inverse = _distinct_rows(f)
    >>> len(rows), inverse.tolist()
    (2, [0, 0, 1])
    """
    _check_frame(frame)
    cleaned: dict[tuple[Any, ...], int] = {}  # raw row -> distinct cleaned row
    index: dict[tuple[str, ...], int] = {}
    first: list[int] = []
    inverse: list[int] = []
    for i, row in enumerate(zip(*(frame[c].tolist() for c in FRAME_COLUMNS), strict=True)):
        j = cleaned.get(row)
        if j is None:  # each distinct raw row is cleaned once
            j = cleaned[row] = index.setdefault(tuple(_clean(v) for v in row), len(index))
            if j == len(first):
                first.append(i)
        inverse.append(j)
    return frame[list(FRAME_COLUMNS)].iloc[first], np.asarray(inverse, dtype=np.intp)


def _check_frame(frame: Any) -> None:
    cols = getattr(frame, "columns", None)
    if cols is None:
        raise TypeError("expected a pandas DataFrame with columns " + ", ".join(FRAME_COLUMNS))
    missing = [c for c in FRAME_COLUMNS if c not in cols]
    if missing:
        raise ValueError(f"frame lacks column(s) {', '.join(missing)}")


def _quote(items: Sequence[str], n: int = 2) -> str:
    return ", ".join(f"'{x}'" for x in list(items)[:n])


# -- rules ---------------------------------------------------------------------------
_MIN_SIMILARITY = 0.3


def _rule_t(s: Signals) -> tuple[int, str]:
    if s.target_completed:
        return 1, f"target: {s.target_raw}"
    if s.target_has_date:
        return 1, f"target date: {s.target_date}"
    if s.deadline_text:
        return 1, f"deadline in text: {_quote(s.deadline_text, 1)}"
    if s.target_ongoing:
        return 0, f"target is ongoing/recurring only: '{s.target_raw}'"
    if s.target_empty:
        return 0, "no target date"
    return 0, f"target has no date: '{s.target_raw}'"


def _rule_a(s: Signals) -> tuple[int, str]:
    if s.contingent:
        return 0, f"contingent: {_quote(s.contingent)}"
    if s.cannot:
        return 0, f"cannot/will not: {_quote(s.cannot)}"
    if s.hedge:
        return 0, f"hedge: {_quote(s.hedge)}"
    return 1, "no hedge or contingency"


def _rule_m(s: Signals) -> tuple[int, str]:
    if s.frequency:
        return 1, f"frequency: {_quote(s.frequency)}"
    if s.quantity:
        return 1, f"quantity: {_quote(s.quantity)}"
    if s.audit:
        return 1, f"check: {_quote(s.audit)}"
    if s.unquantified:
        return 0, f"no figure: {_quote(s.unquantified)}"
    if s.deliverable and len(s.deliverable) > len(s.vague):
        return 1, f"deliverable: {_quote(s.deliverable)}"
    if s.vague:
        return 0, f"vague: {_quote(s.vague)}"
    return 0, "no quantity, cadence, check or countable deliverable"


def _rule_s(s: Signals) -> tuple[int, str]:
    concrete = sorted({*s.deliverable, *s.quantity, *s.audit, *s.frequency})
    if s.cannot and not concrete:
        return 0, f"no step: {_quote(s.cannot)}"
    if s.vague and len(concrete) <= len(s.vague):
        return 0, f"vague: {_quote(s.vague)}"
    who = f"owner: {s.owner_raw}" if s.owner_named else f"actor: {_quote(s.actor, 1)}"
    if not s.named_actor:
        who = "no named actor"
    what = f"step: {_quote(concrete)}" if concrete else "no vague wording"
    return 1, f"{what}; {who}"


def _rule_r(s: Signals, similarity: float | None = None) -> tuple[int, str]:
    if not s.has_concern:
        return 1, "no concern text to judge against (assumed relevant)"
    if similarity is not None:
        if similarity >= _MIN_SIMILARITY:
            return 1, f"addresses concern: similarity {similarity:.2f}"
        return 0, f"weak link to concern: similarity {similarity:.2f}"
    if s.overlap:
        return 1, f"addresses concern: shares {_quote(s.overlap, 3)}"
    if s.vague:
        return 0, f"generic step, no words shared with the concern: {_quote(s.vague)}"
    return 1, "specific step (no generic wording), though no words shared with the concern"


def _rules(s: Signals, similarity: float | None = None) -> tuple[dict[str, int], dict[str, str]]:
    out = {
        "S": _rule_s(s),
        "M": _rule_m(s),
        "A": _rule_a(s),
        "R": _rule_r(s, similarity),
        "T": _rule_t(s),
    }
    return {k: v[0] for k, v in out.items()}, {k: v[1] for k, v in out.items()}


def _applicable(frame: pd.DataFrame) -> NDArray[np.bool_]:
    if "kind" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    return (frame["kind"].astype(str) != "rationale").to_numpy()


def _score_frame(
    frame: pd.DataFrame, labels: NDArray[Any], proba: NDArray[Any], evidence: list[dict[str, str]]
) -> pd.DataFrame:
    out = frame.copy()
    for j, k in enumerate(SMART_KEYS):
        out[f"smart_{k}"] = labels[:, j].astype(int)
    for j, k in enumerate(SMART_KEYS):
        out[f"p_smart_{k}"] = proba[:, j].astype(float)
    out["smart_score"] = labels.sum(axis=1).astype(int)
    out["smart_evidence"] = evidence
    out["smart_applicable"] = _applicable(frame)
    return out


class RuleSmartScorer:
    """SMART by the guideline definitions applied to :class:`Signals`; nothing is learned.

    R uses words shared with the concern (no embeddings); an action scored without
    a concern text is assumed relevant and says so in its evidence.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"action_text": ["Two medication trolleys have been procured."],
    ...                       "concern_text": ["Medication trolleys were unsafe."],
    ...                       "owner_raw": ["Head of Healthcare"], "target_raw": ["Completed"]})
    >>> out = RuleSmartScorer().fit(frame).score(frame)
    >>> int(out.loc[0, "smart_score"]), out.loc[0, "smart_evidence"]["T"]
    (5, 'target: Completed')
    """

    def fit(self, frame: pd.DataFrame | None = None, labels: Any = None) -> RuleSmartScorer:
        """No-op (the rules learn nothing); returns self."""
        return self

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """No parameters (scikit-learn contract)."""
        return {}

    def set_params(self, **params: Any) -> RuleSmartScorer:
        """Accepts no parameters (scikit-learn contract)."""
        if params:
            raise ValueError(f"RuleSmartScorer has no parameters: {sorted(params)}")
        return self

    def score_one(self, signals: Signals) -> tuple[dict[str, int], dict[str, str]]:
        """``(scores, evidence)`` for one action's signals."""
        return _rules(signals)

    def _run(self, frame: pd.DataFrame) -> tuple[NDArray[np.int_], list[dict[str, str]]]:
        rows, inverse = _distinct_rows(frame)
        labels, evidence = [], []
        for s in signals_for_frame(rows):
            sc, ev = _rules(s)
            labels.append([sc[k] for k in SMART_KEYS])
            evidence.append(ev)
        scores = np.asarray(labels, dtype=int).reshape(-1, 5)
        return scores[inverse], [dict(evidence[i]) for i in inverse]

    def predict(self, frame: pd.DataFrame) -> NDArray[np.int_]:
        """0/1 array of shape ``(n, 5)`` in S, M, A, R, T order."""
        return self._run(frame)[0]

    def predict_proba(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """The rule decisions as probabilities 0.0/1.0, shape ``(n, 5)``."""
        return self.predict(frame).astype(float)

    def score(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``frame`` with ``smart_*``, ``p_smart_*``, ``smart_score``,
        ``smart_evidence`` and ``smart_applicable`` (False for rationale rows)."""
        labels, evidence = self._run(frame)
        return _score_frame(frame, labels, labels.astype(float), evidence)


# -- trained scorer ------------------------------------------------------------------
_LEARNED = ("S", "M", "A", "R")
_FEATURE_NAMES = (
    *(f"n_{g}" for g in SIGNAL_GROUPS),
    "target_has_date",
    "target_completed",
    "target_ongoing",
    "target_empty",
    "n_text_dates",
    "owner_named",
    "named_actor",
    "similarity",
    "n_overlap",
    "log_tokens",
    "log_sentences",
    "rationale_text",
    "rule_S",
    "rule_M",
    "rule_A",
    "rule_R",
)


_RULE_WEIGHT = 4.0
"""Rule decisions enter unscaled at this size, so the L2 penalty on following them is small:
the heads start from the rules and learn departures from the other features."""


class _ConstantHead:
    """Predicts one class for every row (a criterion with one class in training)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def predict_proba(self, x: NDArray[Any]) -> NDArray[np.float64]:
        p = np.full(len(x), float(self.value))
        return np.column_stack([1.0 - p, p])


class _RuleHead:
    """Stands for a criterion whose nested validation preferred the rule to a head."""

    def __init__(self, criterion: str) -> None:
        self.criterion = criterion


#: Regularisation strengths tried for each head inside the training data.
C_GRID = (0.01, 0.1, 1.0)
#: How much better (in kappa, cross-validated inside the training data) a head must be
#: than the rule to replace it: with a handful of negative labels, smaller differences
#: are noise.
SELECTION_MARGIN = 0.05
#: Fewest training labels of a criterion's rarer class before a head may replace the rule.
#: Below this a head learns from a handful of examples and its nested validation is noise
#: (R has 3 negatives in 201 labelled actions), so the rule stays.
MIN_MINORITY = 10


def _select(
    x: NDArray[np.float64],
    target: NDArray[np.int_],
    rule: NDArray[np.int_],
    groups: NDArray[Any] | None,
    make_head: Any,
    c_default: float,
    seed: int,
) -> float | None:
    """Nested choice for one criterion: a head (and its C) or the rule.

    Cross-validation inside the training data only (grouped by plan when a
    ``plan`` column with three or more plans was given, else stratified folds)
    compares the rule's kappa with each head's; the head is kept only when it beats
    the rule by more than :data:`SELECTION_MARGIN`. Returns the chosen C, or None for
    the rule. The rule also stays, untested, when the rarer class has fewer than
    :data:`MIN_MINORITY` labels or when some validation fold would train on one class
    only: a head that cannot be validated never replaces the rule.

    >>> x = np.zeros((6, 1)); y = np.array([1, 1, 1, 1, 1, 0])
    >>> _select(x, y, y, None, None, 1.0, 0) is None
    True
    """
    from sklearn.metrics import cohen_kappa_score
    from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_val_predict

    counts = np.bincount(target, minlength=2)
    if int(counts.min()) < MIN_MINORITY:
        return None
    if groups is not None and len(set(groups)) >= 3:
        cv = GroupKFold(n_splits=min(len(set(groups)), 4))
        splits = list(cv.split(x, target, groups))
    else:
        n = int(min(3, counts.min()))
        splits = list(StratifiedKFold(n, shuffle=True, random_state=seed).split(x, target))
    if any(len(np.unique(target[tr])) < 2 for tr, _ in splits):
        return None

    def kappa(pred: NDArray[np.int_]) -> float:
        return -1.0 if len(np.unique(pred)) < 2 else float(cohen_kappa_score(target, pred))

    best_c, best = None, kappa(rule)
    for c in sorted({*C_GRID, c_default}):
        pred = cross_val_predict(make_head(c), x, target, cv=splits)
        score = kappa(pred)
        if score > best + SELECTION_MARGIN:
            best_c, best = c, score
    return best_c


class SmartScorer:
    """Trained SMART scorer: a logistic-regression head per criterion S, M, A and R.

    Features (:attr:`feature_names_`) are the signal counts and flags of
    :func:`extract_signals`, the rule decisions, the cosine similarity between the
    action and concern embeddings, and text statistics. T is decided by the rules
    (see the module docstring), which keeps T monotone in the target cell.

    Each criterion keeps its rule unless a head beats it in validation inside the
    training data (:func:`_select`); :attr:`selection_` records the choice. With fewer
    than :data:`MIN_MINORITY` labels of the rarer class the rule stays untested.

    ``embedder`` is any :class:`~actionnlp.embed.Embedder` (None: the bundled
    model, loaded lazily). It is referenced by name in saved models, never pickled.

    >>> import pandas as pd
    >>> from actionnlp.embed import FakeEmbedder
    >>> frame = pd.DataFrame({
    ...     "action_text": ["Two trolleys have been procured.", "We will look to improve.",
    ...                     "Monthly audits of medicines.", "Funding to be sought for a gym."],
    ...     "concern_text": ["Medicines trolleys.", "Regime.", "Medicines.", "Gym access."],
    ...     "owner_raw": ["Governor", "", "NHFT", "Governor"],
    ...     "target_raw": ["Completed", "Ongoing", "March 2025", "April 2024"]})
    >>> labels = [[1, 1, 1, 1, 1], [0, 0, 0, 1, 0], [1, 1, 1, 1, 1], [1, 0, 0, 1, 1]]
    >>> model = SmartScorer(embedder=FakeEmbedder()).fit(frame, labels)
    >>> model.predict(frame)[:, 4].tolist()
    [1, 0, 1, 1]
    """

    def __init__(self, embedder: Embedder | None = None, C: float = 1.0, random_state: int = 0):
        self.embedder = embedder
        self.C = C
        self.random_state = random_state

    # scikit-learn contract without inheriting BaseEstimator's pickling assumptions
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters (scikit-learn contract)."""
        return {"embedder": self.embedder, "C": self.C, "random_state": self.random_state}

    def set_params(self, **params: Any) -> SmartScorer:
        """Set constructor parameters (scikit-learn contract)."""
        for key, value in params.items():
            if key not in ("embedder", "C", "random_state"):
                raise ValueError(f"invalid parameter {key!r} for SmartScorer")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        return f"SmartScorer(embedder={self.embedder!r}, C={self.C!r})"

    def _embedder(self) -> Embedder:
        if self.embedder is None:
            from actionnlp.embed import default_embedder

            return default_embedder()
        return self.embedder

    def texts_to_embed(self, frame: pd.DataFrame) -> list[str]:
        """The texts :meth:`score` will embed for ``frame`` (its distinct rows' action
        and concern texts, cleaned), so a caller can embed them in one batch first.

        >>> import pandas as pd
        >>> f = pd.DataFrame({"action_text": ["Audit.", "Audit."], "concern_text": ["Dirty.",
        ...     "Dirty."], "owner_raw": ["", ""], "target_raw": ["", ""]})
        >>> SmartScorer().texts_to_embed(f)
        ['Audit.', 'Dirty.']
        """
        rows, _ = _distinct_rows(frame)
        return self._texts(rows)

    @staticmethod
    def _texts(frame: pd.DataFrame) -> list[str]:
        actions = [_clean(t) for t in frame["action_text"].tolist()]
        return actions + [_clean(t) for t in frame["concern_text"].tolist()]

    def _similarity(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        from actionnlp.embed import embed_texts

        texts = self._texts(frame)
        n = len(texts) // 2
        concerns = texts[n:]
        if n == 0:
            return np.zeros(0)
        vectors = embed_texts(texts, self._embedder())
        sim = np.einsum("ij,ij->i", vectors[:n], vectors[n:]).astype(float)
        sim[[not c for c in concerns]] = np.nan
        return sim

    def _features(self, frame: pd.DataFrame) -> tuple[NDArray[np.float64], list[Any]]:
        sigs = signals_for_frame(frame)
        sims = self._similarity(frame)
        rows, info = [], []
        for s, sim in zip(sigs, sims, strict=True):
            simv = None if np.isnan(sim) else float(sim)
            rule, evidence = _rules(s, None)
            rows.append(
                [
                    *(math.log1p(len(getattr(s, g))) for g in SIGNAL_GROUPS),
                    s.target_has_date,
                    s.target_completed,
                    s.target_ongoing,
                    s.target_empty,
                    len(s.text_dates),
                    s.owner_named,
                    s.named_actor,
                    0.5 if simv is None else simv,
                    math.log1p(len(s.overlap)),
                    math.log1p(s.n_tokens),
                    math.log1p(s.n_sentences),
                    s.rationale_text,
                    *(_RULE_WEIGHT * rule[k] for k in _LEARNED),
                ]
            )
            info.append((s, simv, rule, evidence))
        return np.asarray(rows, dtype=float).reshape(-1, len(_FEATURE_NAMES)), info

    def fit(self, frame: pd.DataFrame, labels: Any) -> SmartScorer:
        """Fit the S, M, A, R heads; ``labels`` has columns (or a second axis) S M A R T."""
        from sklearn.compose import ColumnTransformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        y = _label_array(labels)
        if len(y) != len(frame):
            raise ValueError(f"{len(frame)} rows but {len(y)} label rows")
        x, info = self._features(frame)
        groups = frame["plan"].to_numpy() if "plan" in frame.columns else None
        n_plain = len(_FEATURE_NAMES) - len(_LEARNED)

        def make_head(c: float):
            return make_pipeline(
                ColumnTransformer(
                    [("scale", StandardScaler(), list(range(n_plain)))], remainder="passthrough"
                ),
                LogisticRegression(
                    C=c, class_weight="balanced", max_iter=2000, random_state=self.random_state
                ),
            )

        heads: dict[str, Any] = {}
        self.selection_: dict[str, str] = {}
        for k in _LEARNED:
            target = y[:, SMART_KEYS.index(k)]
            classes = np.unique(target)
            if len(classes) < 2:
                heads[k] = _ConstantHead(int(classes[0]) if len(classes) else 1)
                self.selection_[k] = "constant"
                continue
            rule = np.array([r[k] for _, _, r, _ in info])
            choice = _select(x, target, rule, groups, make_head, self.C, self.random_state)
            self.selection_[k] = "rule" if choice is None else f"head C={choice:g}"
            heads[k] = _RuleHead(k) if choice is None else make_head(choice).fit(x, target)
        self.heads_ = heads
        self.feature_names_ = list(_FEATURE_NAMES)
        self.n_features_in_ = len(_FEATURE_NAMES)
        self.embedder_name_ = self._embedder().name
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "heads_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("SmartScorer is not fitted: call fit() or SmartScorer.load()")

    def _run(
        self, frame: pd.DataFrame, cache: ResultStore | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.int_], list[dict[str, str]]]:
        """Probabilities, labels and evidence of every row: each distinct row is scored
        once, or read from ``cache`` when an earlier run scored it."""
        from actionnlp.result_cache import cached_map, content_key

        self._check_fitted()
        rows, inverse = _distinct_rows(frame)
        values = list(zip(*(rows[c].tolist() for c in FRAME_COLUMNS), strict=True))

        def compute(todo: list[int]) -> list[dict[str, Any]]:
            proba, evidence = self._score_rows(rows.iloc[todo])
            return [{"p": p.tolist(), "evidence": e} for p, e in zip(proba, evidence, strict=True)]

        def key(i: int) -> str:  # the hash of the row's cleaned FRAME_COLUMNS
            return content_key(*(_clean(v) for v in values[i]))

        results = cached_map(cache, range(len(rows)), compute, _is_result, key=key)
        proba = np.array([r["p"] for r in results], dtype=float).reshape(-1, len(SMART_KEYS))
        labels = (proba >= 0.5).astype(int)
        evidence = [r["evidence"] for r in results]
        return proba[inverse], labels[inverse], [dict(evidence[i]) for i in inverse]

    def _score_rows(self, rows: pd.DataFrame) -> tuple[NDArray[np.float64], list[dict[str, str]]]:
        """Probabilities and evidence of each of ``rows`` (distinct rows)."""
        x, info = self._features(rows)
        proba = np.zeros((len(rows), 5))
        for j, k in enumerate(SMART_KEYS):
            if k == "T":
                proba[:, j] = [float(_rule_t(s)[0]) for s, *_ in info]
            elif isinstance(self.heads_[k], _RuleHead):
                proba[:, j] = [float(rule[k]) for _, _, rule, _ in info]
            elif len(x):
                proba[:, j] = self.heads_[k].predict_proba(x)[:, 1]
        labels = (proba >= 0.5).astype(int)
        rule_r = isinstance(self.heads_["R"], _RuleHead)
        evidence = [
            _learned_evidence(s, sim, rule, ev, labels[i], proba[i], rule_r=rule_r)
            for i, (s, sim, rule, ev) in enumerate(info)
        ]
        return proba, evidence

    def predict_proba(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """Probability of 1 per criterion, shape ``(n, 5)`` (T is 0.0/1.0 from the rules)."""
        return self._run(frame)[0]

    def predict(self, frame: pd.DataFrame) -> NDArray[np.int_]:
        """0/1 array of shape ``(n, 5)`` in S, M, A, R, T order."""
        return self._run(frame)[1]

    def score(self, frame: pd.DataFrame, *, cache: ResultStore | None = None) -> pd.DataFrame:
        """A copy of ``frame`` with ``smart_*``, ``p_smart_*``, ``smart_score``,
        ``smart_evidence`` and ``smart_applicable`` (False for rationale rows).

        ``cache``, a :class:`~actionnlp.result_cache.ResultStore` for this scorer,
        keeps each distinct row's result for later runs."""
        proba, labels, evidence = self._run(frame, cache)
        return _score_frame(frame, labels, proba, evidence)

    # -- persistence -------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Write the heads (skops, no pickle) and ``smart.json`` into ``directory``."""
        from actionnlp.artifacts import save_sklearn

        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        constants, rule_heads = {}, []
        for k, head in self.heads_.items():
            if isinstance(head, _ConstantHead):
                constants[k] = head.value
            elif isinstance(head, _RuleHead):
                rule_heads.append(k)
            else:
                save_sklearn(head, directory / f"head_{k}.skops")
        emb = self._embedder()
        meta = {
            "kind": "actionnlp.smart.SmartScorer",
            "params": {"C": self.C, "random_state": self.random_state},
            "feature_names": self.feature_names_,
            "constant_heads": constants,
            "rule_heads": rule_heads,
            "selection": getattr(self, "selection_", {}),
            "embedder": {"name": emb.name, "weights_sha256": emb.weights_hash},
            "t_rule": "T decided by rules from the target cell and text deadlines",
        }
        (directory / "smart.json").write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
        return directory

    @classmethod
    def load(cls, directory: str | Path, embedder: Embedder | None = None) -> SmartScorer:
        """Load a scorer saved by :meth:`save`; ``embedder`` must match the saved one."""
        from actionnlp.artifacts import load_sklearn
        from actionnlp.errors import ArtifactError

        directory = Path(directory)
        path = directory / "smart.json"
        if not path.is_file():
            raise ArtifactError("no smart.json: not a saved SmartScorer", directory)
        meta = json.loads(path.read_text("utf-8"))
        if meta.get("feature_names") != list(_FEATURE_NAMES):
            raise ArtifactError("saved features differ from this actionnlp's", path)
        model = cls(embedder=embedder, **meta["params"])
        emb = model._embedder()
        want = meta["embedder"]
        if (emb.name, emb.weights_hash) != (want["name"], want["weights_sha256"]):
            raise ArtifactError(
                f"built with embedding {want['name']} ({want['weights_sha256']}), "
                f"not {emb.name} ({emb.weights_hash})",
                path,
            )
        heads: dict[str, Any] = {}
        for k in _LEARNED:
            if k in meta["constant_heads"]:
                heads[k] = _ConstantHead(int(meta["constant_heads"][k]))
            elif k in meta.get("rule_heads", []):
                heads[k] = _RuleHead(k)
            else:
                heads[k] = load_sklearn(directory / f"head_{k}.skops")
        model.heads_ = heads
        model.selection_ = dict(meta.get("selection", {}))
        model.feature_names_ = list(meta["feature_names"])
        model.n_features_in_ = len(model.feature_names_)
        model.embedder_name_ = emb.name
        _matchers()  # compile the signal patterns now, as part of loading
        return model


def _label_array(labels: Any) -> NDArray[np.int_]:
    cols = getattr(labels, "columns", None)
    if cols is not None:
        missing = [k for k in SMART_KEYS if k not in cols]
        if missing:
            raise ValueError(f"labels lack column(s) {', '.join(missing)}")
        arr = np.asarray(labels[list(SMART_KEYS)], dtype=int)
    else:
        arr = np.asarray(labels, dtype=int)
    if arr.ndim != 2 or arr.shape[1] != 5:
        raise ValueError(f"labels must have 5 columns S M A R T, got shape {arr.shape}")
    if not np.isin(arr, (0, 1)).all():
        raise ValueError("labels must be 0 or 1")
    return arr


def _is_result(value: Any) -> bool:
    """Whether a cached value is one row's ``{"p": [5 numbers], "evidence": {...}}``."""
    if not isinstance(value, dict) or not isinstance(value.get("evidence"), dict):
        return False
    from actionnlp.result_cache import is_probabilities

    return is_probabilities(value.get("p"), len(SMART_KEYS)) and all(
        isinstance(k, str) for k in value["evidence"]
    )


def _learned_evidence(
    s: Signals,
    sim: float | None,
    rule: dict[str, int],
    rule_ev: dict[str, str],
    labels: NDArray[np.int_],
    proba: NDArray[np.float64],
    *,
    rule_r: bool = False,
) -> dict[str, str]:
    """Evidence per criterion; ``rule_r`` when R was decided by its rule (the rule's
    own words then, not the similarity the rule did not use)."""
    out: dict[str, str] = {}
    for j, k in enumerate(SMART_KEYS):
        value, p = int(labels[j]), float(proba[j])
        if k == "T" or (k == "R" and rule_r):
            out[k] = rule_ev[k]
        elif k == "R":
            if sim is None:
                out[k] = rule_ev[k]
            elif value:
                out[k] = f"addresses concern: similarity {sim:.2f}"
            else:
                out[k] = f"weak link to concern: similarity {sim:.2f} (p={p:.2f})"
        elif rule[k] == value:
            out[k] = rule_ev[k]
        else:
            out[k] = f"model p={p:.2f} overrides rule ({rule_ev[k]})"
    return out
