"""SMART by the guideline's definitions: each 1 rests on evidence found for it.

A criterion is 1 only when something the guideline names was found, and its evidence
quotes it; otherwise it is 0 and the evidence says what was missing or which words
decided against it. Absence of a negative cue is never evidence.

* **S** (specific): a concrete step (an auxiliary and an action verb, "will be fitted",
  "has been procured") and someone to do it (the owner cell or an actor in the text);
  0 for a non-answer ("Completed.", "N/A", "The Governor will review this."), for
  activity with no checkable step ("continue to work with", "staff will be reminded")
  and for an intention that commits to nothing (a hedge, a contingency, a request or
  bid).
* **M** (measurable): a quantity, a cadence, a named check or a countable deliverable
  produced by a stated step.
* **A** (achievable): a commitment (a stated step, or the action stated as done) with
  no hedge, contingency, request or refusal; these set A to 0 and are quoted.
* **R** (relevant): a link to the concern: content words shared with it (rules) or an
  embedding similarity of at least :data:`MIN_SIMILARITY` (trained scorer). No concern
  text, or a non-answer, gives 0.
* **T** (time-bound): a date or Complete(d) in the target cell, or a deadline in the
  text.

Not-applicable rows (:func:`applicability`) have no score at all: a paragraph that
explains a Partly/Not Agreed decision (``kind`` ``rationale``, or decision language in
the text), a refusal that commits to no step, and a response to a Not Agreed
recommendation with no step.

>>> from actionnlp.smart.signals import extract_signals
>>> rules(extract_signals("Completed.", "Medicines were delayed.", "Governor", "Completed"))[0]
{'S': 0, 'M': 0, 'A': 1, 'R': 0, 'T': 1}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator

from actionnlp.labels import SMART_KEYS, is_action_row
from actionnlp.smart.signals import Signals, distinct_rows, signals_for_frame

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

__all__ = [
    "MIN_CONTENT",
    "MIN_OVERLAP",
    "MIN_SIMILARITY",
    "RuleSmartScorer",
    "annotate_frame",
    "applicability",
    "rules",
]

MIN_SIMILARITY = 0.3
"""Cosine similarity of action and concern embeddings at or above which R is 1 (the
trained scorer). With all-MiniLM-L6-v2, unrelated prison sentences sit at 0.1-0.25 and
an action answering its concern at 0.35-0.7."""

MIN_OVERLAP = 1
"""Content-word stems (stop words, status words, generic verbs and actors removed) an
action must share with its concern for the rules' R to be 1."""

MIN_CONTENT = 3
"""Content words (see :attr:`~actionnlp.smart.signals.Signals.content`) a concrete step
must carry for R to rest on the plan pairing it with its concern: fewer name no object
of their own and would fit any concern ("staff will be trained")."""

DISPUTED = ("partly_agreed", "not_agreed")


def quote(items: Sequence[str], n: int = 2) -> str:
    """The first ``n`` phrases, quoted.

    >>> quote(["a", "b", "c"])
    "'a', 'b'"
    """
    return ", ".join(f"'{x}'" for x in list(items)[:n])


def rule_t(s: Signals) -> tuple[int, str]:
    """T from the target cell first, then a deadline in the text."""
    if s.target_completed:
        return 1, f"target: {s.target_raw}"
    if s.target_has_date:
        return 1, f"target date: {s.target_date}"
    if s.deadline_text:
        return 1, f"deadline in text: {quote(s.deadline_text, 1)}"
    if s.target_ongoing:
        return 0, f"target is ongoing/recurring only: '{s.target_raw}'"
    if s.target_empty:
        return 0, "no target date"
    return 0, f"target has no date: '{s.target_raw}'"


def _committed(s: Signals) -> tuple[str, ...]:
    return tuple(sorted({*s.step, *s.completed_text, *s.commitment}))


def rule_a(s: Signals) -> tuple[int, str]:
    """A: a commitment with no hedge, contingency, request or refusal."""
    if s.refusal:
        return 0, f"will not or cannot be done: {quote(s.refusal)}"
    if s.contingent:
        return 0, f"depends on others: {quote(s.contingent)}"
    if s.request:
        return 0, f"a request or bid, not a commitment: {quote(s.request)}"
    if s.hedge:
        return 0, f"no commitment: {quote(s.hedge)}"
    if s.exploratory:
        return 0, f"exploratory, the outcome is left open: {quote(s.exploratory)}"
    committed = _committed(s)
    if committed:
        return 1, f"commitment: {quote(committed)}"
    return 0, "no commitment stated"


def rule_s(s: Signals, hedged_specific: bool = False) -> tuple[int, str]:
    """S: a step the action commits to (in a sentence free of hedges, contingencies,
    requests, refusals and vague wording) and someone to do it.

    Issue 17 has hedges, contingencies and requests lower S as well as A; with
    ``hedged_specific`` a hedged step counts for S (they lower A only), the reading both
    human codings of the sample plans follow: the model card reports the kappa both ways.
    """
    if s.non_answer:
        return 0, "non-answer: no step named"
    steps = (*s.committed, *s.hedged) if hedged_specific else s.committed
    if not steps:
        if s.uncommitted:
            hedged = f" (step {quote(s.hedged, 1)})" if s.hedged else ""
            return 0, f"commits to nothing: {quote(s.uncommitted)}{hedged}"
        if s.vague:
            return 0, f"activity with no checkable step: {quote(s.vague)}"
        if s.refusal:
            return 0, f"no step: {quote(s.refusal)}"
        return 0, "no concrete step found"
    if not s.named_actor:
        return 0, f"step {quote(steps, 1)} but no one named to do it"
    who = f"owner: {s.owner_raw}" if s.owner_named else f"actor: {quote(s.actor, 1)}"
    return 1, f"step: {quote(steps)}; {who}"


def rule_m(s: Signals) -> tuple[int, str]:
    """M: a quantity, a cadence, or a countable deliverable produced by a step of its
    clause (:data:`~actionnlp.smart.signals.DELIVERABLE_WINDOW`), or a production
    participle (a post recruited, a review carried out: rule K1 of docs/annotation.md). A
    named audit or check counts with a cadence or a number only, and a participle does not
    make one countable ("a new audit system has been introduced": rule J1)."""
    if s.non_answer:
        return 0, "non-answer: nothing to count or check"
    checked = f"; check: {quote(s.check, 1)}" if s.check else ""
    if s.frequency:
        return 1, f"frequency: {quote(s.frequency)}{checked}"
    if s.quantity:
        return 1, f"quantity: {quote(s.quantity)}{checked}"
    # a produced noun ("policy") is no step phrase; a production participle alone is
    produced_nouns = [p for p in s.produced if p not in s.step]
    if s.check and not produced_nouns:
        return 0, f"check with no cadence or number (J1): {quote(s.check)}"
    if s.produced:
        return 1, f"deliverable: {quote(s.produced)}"
    if s.vague:
        return 0, f"vague: {quote(s.vague)}"
    return 0, "no quantity, cadence or countable deliverable"


def rule_r(s: Signals, similarity: float | None = None) -> tuple[int, str]:
    """R: a link to the concern: shared content words, (when given) an embedding
    similarity of at least :data:`MIN_SIMILARITY`, or a committed step with content of
    its own (a step, deliverable or completion, and :data:`MIN_CONTENT` content words) that
    the plan pairs with this concern. 0 needs evidence against the link: a non-answer, no
    concern text, or generic activity (no concrete step) sharing nothing
    with the concern: the guideline's "generic step that would fit any concern"."""
    if s.non_answer:
        return 0, "non-answer: nothing to link to the concern"
    if not s.has_concern:
        return 0, "no concern text to link the action to"
    if len(s.overlap) >= MIN_OVERLAP:
        return 1, f"addresses concern: shares {quote(s.overlap, 3)}"
    if similarity is not None and similarity >= MIN_SIMILARITY:
        return 1, f"addresses concern: similarity {similarity:.2f}"
    concrete = (*s.step, *s.deliverable, *s.completed_text)
    if concrete and len(s.content) >= MIN_CONTENT:
        return 1, f"a specific step paired with the concern: {quote(concrete, 1)}"
    unlinked = "no words shared with the concern"
    if similarity is not None:
        unlinked += f"; similarity {similarity:.2f}"
    return 0, f"generic: no concrete step and {unlinked}"


def rules(
    s: Signals, similarity: float | None = None, *, hedged_specific: bool = False
) -> tuple[dict[str, int], dict[str, str]]:
    """``(scores, evidence)`` of one action by the rules (``hedged_specific``: see
    :func:`rule_s`)."""
    out = {"S": rule_s(s, hedged_specific), "M": rule_m(s), "A": rule_a(s)}
    out["R"] = rule_r(s, similarity)
    out["T"] = rule_t(s)
    return {k: out[k][0] for k in SMART_KEYS}, {k: out[k][1] for k in SMART_KEYS}


def _column(frame: pd.DataFrame, name: str) -> list[str]:
    if name not in frame.columns:
        return [""] * len(frame)
    return ["" if v is None or v != v else str(v) for v in frame[name].tolist()]


def applicability(
    frame: pd.DataFrame, signals: list[Signals] | None = None
) -> tuple[NDArray[np.bool_], list[str]]:
    """Whether each row is an action SMART applies to, and why not when it is not.

    Reads the plan's structure when the frame has it (``kind``: ``rationale`` rows;
    ``agreement``: a Not Agreed recommendation's response that names no step), and the
    text itself otherwise: decision language ("this recommendation is partly agreed
    as"), or a refusal ("we cannot", "not possible") with no step.

    >>> import pandas as pd
    >>> f = pd.DataFrame({"action_text": ["Not agreed. We cannot fund this.",
    ...     "A lock will be fitted."], "concern_text": "", "owner_raw": "", "target_raw": ""})
    >>> ok, why = applicability(f)
    >>> ok.tolist(), why[0]
    ([False, True], "explains a Partly/Not Agreed decision: 'not agreed'")
    """
    sigs = signals if signals is not None else signals_for_frame(frame)
    kinds, agreements = _column(frame, "kind"), _column(frame, "agreement")
    ok = np.ones(len(frame), dtype=bool)
    why = [""] * len(frame)
    for i, (s, kind, agreement) in enumerate(zip(sigs, kinds, agreements, strict=True)):
        if not is_action_row(kind):
            ok[i], why[i] = False, "rationale paragraph of a Partly/Not Agreed decision"
        elif s.decision:
            ok[i], why[i] = False, f"explains a Partly/Not Agreed decision: {quote(s.decision)}"
        elif s.refusal and not s.step:
            ok[i], why[i] = False, f"a refusal, not an action: {quote(s.refusal)}"
        elif agreement == "not_agreed" and not s.step:
            ok[i], why[i] = False, "response to a Not Agreed recommendation with no step"
    return ok, why


def annotate_frame(
    frame: pd.DataFrame,
    proba: NDArray[Any],
    evidence: list[dict[str, str]],
    applicable: NDArray[np.bool_],
    reasons: list[str],
) -> pd.DataFrame:
    """A copy of ``frame`` with the SMART columns; not-applicable rows get NA scores."""
    import pandas as pd

    out = frame.copy()
    labels = (np.asarray(proba) >= 0.5).astype(int).reshape(-1, len(SMART_KEYS))
    zeroed = _zero_not_applicable(labels, applicable)
    for j, k in enumerate(SMART_KEYS):
        out[f"smart_{k}"] = pd.array(zeroed[:, j], dtype="Int64")
        out.loc[~applicable, f"smart_{k}"] = pd.NA
    for j, k in enumerate(SMART_KEYS):
        out[f"p_smart_{k}"] = np.where(applicable, np.asarray(proba)[:, j], np.nan).astype(float)
    score = pd.array(labels.sum(axis=1), dtype="Int64")
    score[~applicable] = pd.NA
    out["smart_score"] = score
    out["smart_evidence"] = [
        ev if ok else {k: f"not applicable: {why}" for k in SMART_KEYS}
        for ev, ok, why in zip(evidence, applicable, reasons, strict=True)
    ]
    out["smart_applicable"] = np.asarray(applicable, dtype=bool)
    return out


def _zero_not_applicable(labels: NDArray[np.int_], applicable: Any) -> NDArray[np.int_]:
    """``labels`` (a row per action) with 0 on every criterion of the rows not applicable."""
    return np.where(np.asarray(applicable, dtype=bool)[:, None], labels, 0)


class RuleSmartScorer(BaseEstimator):
    """SMART by the guideline definitions applied to :class:`Signals`; nothing is learned.

    R uses words shared with the concern (no embeddings). ``hedged_specific`` (default
    False, as issue 17 asks) lets a hedged step count for S (:func:`rule_s`); it exists so
    the model card can report the kappa of that reading.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"action_text": ["Two medication trolleys have been procured."],
    ...                       "concern_text": ["Medication trolleys were unsafe."],
    ...                       "owner_raw": ["Head of Healthcare"], "target_raw": ["Completed"]})
    >>> out = RuleSmartScorer().fit(frame).annotate(frame)
    >>> int(out.loc[0, "smart_score"]), out.loc[0, "smart_evidence"]["T"]
    (5, 'target: Completed')
    """

    def __init__(self, hedged_specific: bool = False) -> None:
        self.hedged_specific = hedged_specific

    def fit(self, frame: pd.DataFrame | None = None, labels: Any = None, **_: Any) -> Any:
        """No-op (the rules learn nothing); returns self."""
        self.fitted_ = True
        return self

    def score_one(self, signals: Signals) -> tuple[dict[str, int], dict[str, str]]:
        """``(scores, evidence)`` for one action's signals."""
        return rules(signals, hedged_specific=self.hedged_specific)

    def _run(self, frame: pd.DataFrame) -> tuple[NDArray[np.int_], list[dict[str, str]]]:
        rows, inverse = distinct_rows(frame)
        labels, evidence = [], []
        for s in signals_for_frame(rows):
            sc, ev = rules(s, hedged_specific=self.hedged_specific)
            labels.append([sc[k] for k in SMART_KEYS])
            evidence.append(ev)
        scores = np.asarray(labels, dtype=int).reshape(-1, len(SMART_KEYS))
        return scores[inverse], [dict(evidence[i]) for i in inverse]

    def predict_signals(self, signals: Sequence[Signals], applicable: Any) -> NDArray[np.int_]:
        """0/1 array of shape ``(n, 5)`` (S, M, A, R, T) from signals already computed
        (one parse shared by several scorers); rows not ``applicable`` (see
        :func:`applicability`) score 0 on every criterion, as :meth:`annotate`'s
        ``smart_*`` with NA read as 0.

        >>> import pandas as pd
        >>> frame = pd.DataFrame({"action_text": ["Not agreed. We cannot fund this.",
        ...     "A lock will be fitted by May 2024."], "concern_text": "", "owner_raw": "",
        ...     "target_raw": ""})
        >>> signals = signals_for_frame(frame)
        >>> ok = applicability(frame, signals)[0]
        >>> RuleSmartScorer().fit().predict_signals(signals, ok)[0].tolist()
        [0, 0, 0, 0, 0]
        """
        scores = [self.score_one(s)[0] for s in signals]
        labels = np.array([[sc[k] for k in SMART_KEYS] for sc in scores], dtype=int)
        return _zero_not_applicable(labels.reshape(-1, len(SMART_KEYS)), applicable)

    def predict(self, frame: pd.DataFrame) -> NDArray[np.int_]:
        """0/1 array of shape ``(n, 5)`` in S, M, A, R, T order (every row, applicable
        or not: see :func:`applicability`)."""
        return self._run(frame)[0]

    def predict_proba(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """The rule decisions as probabilities 0.0/1.0, shape ``(n, 5)``."""
        return self.predict(frame).astype(float)

    def annotate(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``frame`` with ``smart_S``..``smart_T`` (nullable integers, NA when
        not applicable), ``p_smart_*``, ``smart_score``, ``smart_evidence`` and
        ``smart_applicable``."""
        labels, evidence = self._run(frame)
        ok, why = applicability(frame)
        return annotate_frame(frame, labels.astype(float), evidence, ok, why)
