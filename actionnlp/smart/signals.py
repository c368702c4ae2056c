"""The evidence SMART is scored from: phrases, the target cell, dates, actors, overlap.

:func:`extract_signals` finds, for one action, the phrases of each group of
``resources/smart_patterns.json`` (spaCy Matcher / PhraseMatcher patterns kept as data,
written from the guideline's SMART definitions), reads the target cell with
:func:`~actionnlp.read.dates.parse_target`, finds dates and deadlines in the text, the
words the action shares with its concern, and whether the text is a non-answer (no
content word once status words, generic verbs and actors are set aside).

>>> sig = extract_signals("Spot check audits monthly.", "", "Governor", "March 2025")
>>> sig.frequency, sig.check, sig.target_has_date
(('monthly',), ('audits', 'spot check'), True)
>>> [extract_signals(t).non_answer for t in ("Completed.", "The Governor will review this.")]
[True, True]
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from actionnlp.read.dates import find_dates, parse_target

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

__all__ = [
    "FRAME_COLUMNS",
    "SIGNAL_GROUPS",
    "Signals",
    "clean",
    "content_words",
    "distinct_rows",
    "extract_signals",
    "signals_for_frame",
]

FRAME_COLUMNS = ("action_text", "concern_text", "owner_raw", "target_raw")
"""Columns a frame to score must have (``kind`` and ``agreement`` are read when present)."""

SIGNAL_GROUPS = (
    "step",
    "deliverable",
    "frequency",
    "quantity",
    "check",
    "completed_text",
    "deadline_text",
    "actor",
    "commitment",
    "hedge",
    "exploratory",
    "contingent",
    "request",
    "refusal",
    "decision",
    "vague",
)
"""Pattern groups of ``resources/smart_patterns.json``, one tuple field each in Signals."""

WORD_LISTS = ("non_answer_words", "generic_verbs")
"""Word lists of the same file: words that alone make no answer, verbs that name no step."""

_WORD = re.compile(r"[a-z][a-z'/.-]*[a-z]|n/a")
_YEAR = re.compile(r"^(19|20)[0-9]{2}$")
_ORDINALS = frozenset(
    {"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"}
)
_NOT_QUANTITY_BEFORE = frozenset(
    {"level", "levels", "phase", "stage", "section", "paragraph", "psi", "pso", "pi", "tier"}
)
DELIVERABLE_WINDOW = 6
"""Tokens between a deliverable noun and a step of its sentence for the deliverable to
count as produced by that step (one clause: "two posts have been recruited", "the
Governor will publish a revised policy"); a noun further away is not the step's object."""
STEM = 6
"""Words are compared by their first ``STEM`` letters (a crude stem: "medication" and
"medicines" share "medica"/"medici" only when they agree that far)."""


@dataclass(frozen=True)
class Signals:
    """What :func:`extract_signals` found for one action.

    Each pattern group holds the matched phrases (lower-cased, sorted, distinct).
    ``target_*`` describe the target cell; ``text_dates`` are dates written in the
    action text; ``overlap`` the content-word stems shared with the concern;
    ``committed`` are the steps of sentences with no hedge, contingency, request, refusal
    or vague wording (the steps the action commits to); ``hedged`` the steps of sentences
    whose only such wording is a hedge, contingency or request; ``produced`` the
    deliverables a step of their clause produces (in a sentence free of vague wording,
    refusals and decisions; a hedge leaves a deliverable countable); ``non_answer`` is True when the
    text has no content word at all once status words
    ("Completed", "N/A", "Noted"), generic verbs ("review", "remind") and actors are
    set aside.

    >>> Signals().target_empty, Signals().hedge
    (True, ())
    """

    step: tuple[str, ...] = ()
    committed: tuple[str, ...] = ()
    hedged: tuple[str, ...] = ()
    produced: tuple[str, ...] = ()
    deliverable: tuple[str, ...] = ()
    frequency: tuple[str, ...] = ()
    quantity: tuple[str, ...] = ()
    check: tuple[str, ...] = ()
    completed_text: tuple[str, ...] = ()
    deadline_text: tuple[str, ...] = ()
    actor: tuple[str, ...] = ()
    commitment: tuple[str, ...] = ()
    hedge: tuple[str, ...] = ()
    exploratory: tuple[str, ...] = ()
    contingent: tuple[str, ...] = ()
    request: tuple[str, ...] = ()
    refusal: tuple[str, ...] = ()
    decision: tuple[str, ...] = ()
    vague: tuple[str, ...] = ()
    target_raw: str = ""
    target_date: str | None = None
    target_has_date: bool = False
    target_completed: bool = False
    target_ongoing: bool = False
    target_empty: bool = True
    text_dates: tuple[str, ...] = ()
    owner_raw: str = ""
    overlap: tuple[str, ...] = ()
    content: tuple[str, ...] = ()
    non_answer: bool = True
    n_tokens: int = 0
    has_concern: bool = False

    @property
    def owner_named(self) -> bool:
        """True when the owner cell is non-empty."""
        return bool(self.owner_raw)

    @property
    def named_actor(self) -> bool:
        """True when the owner cell names someone or the text names an actor."""
        return self.owner_named or bool(self.actor)

    @property
    def uncommitted(self) -> tuple[str, ...]:
        """Words that make the action commit to nothing (hedge, contingency, request)."""
        return tuple(sorted({*self.hedge, *self.contingent, *self.request}))


@cache
def _resource() -> dict[str, Any]:
    text = (
        resources.files("actionnlp.smart")
        .joinpath("resources", "smart_patterns.json")
        .read_text("utf-8")
    )
    return json.loads(text)


@cache
def word_list(name: str) -> frozenset[str]:
    """A word list of ``smart_patterns.json`` (:data:`WORD_LISTS`) as a set of words.

    >>> "noted" in word_list("non_answer_words")
    True
    """
    return frozenset(w.lower() for w in _resource()[name]["phrases"])


@cache
def stop_words() -> frozenset[str]:
    """Words left out of the relevance overlap (``resources/smart_stopwords.txt``).

    >>> "the" in stop_words()
    True
    """
    text = (
        resources.files("actionnlp.smart")
        .joinpath("resources", "smart_stopwords.txt")
        .read_text("utf-8")
    )
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


@cache
def _matchers() -> tuple[Any, Any, Any]:
    """``(nlp, phrase_matcher, matcher)`` built once from the pattern file."""
    import spacy
    from spacy.matcher import Matcher, PhraseMatcher

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    phrase = PhraseMatcher(nlp.vocab, attr="LOWER")
    tokens = Matcher(nlp.vocab)
    data = _resource()
    for group in SIGNAL_GROUPS:
        phrases = data[group].get("phrases", [])
        if phrases:
            phrase.add(group, list(nlp.tokenizer.pipe(phrases)))
        pats = data[group].get("patterns", [])
        if pats:
            tokens.add(group, pats)
    return nlp, phrase, tokens


def compile_patterns() -> None:
    """Build the matchers now (a loaded scorer does this, so scoring starts at once)."""
    _matchers()


def clean(value: object) -> str:
    """A cell as a string with runs of white space folded; None and NaN give "".

    >>> clean(None), clean(float("nan")), clean(" a\\n b ")
    ('', '', 'a b')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(str(value).split())


def content_words(text: str) -> set[str]:
    """Stems of the words of ``text`` that are not stop words (see :data:`STEM`).

    >>> sorted(content_words("The prisoners' medication was delayed."))
    ['delaye', 'medica']
    """
    words = set()
    stop = stop_words()
    for w in _WORD.findall(text.lower()):
        w = w.strip("'-./")
        if w in stop or len(w) < 3:
            continue
        words.add(w[:STEM])
    return words


_PRISON_NAME = re.compile(r"\bHM(?:P|YOI|PYOI|P/YOI|P & YOI)\s+(?:[A-Z][\w'-]*\s?){1,3}")


def _answer_words(text: str, actors: tuple[str, ...]) -> tuple[str, ...]:
    """Content words of ``text`` that are not status words, generic verbs, actors or a
    prison's name ("HMP Anytown")."""
    text = _PRISON_NAME.sub(" ", text)
    drop = word_list("non_answer_words") | word_list("generic_verbs") | stop_words()
    actor_words = {w for a in actors for w in a.lower().split()}
    out = []
    for w in _WORD.findall(text.lower()):
        w = w.strip("'-./")
        if len(w) < 3 or w in drop or w in actor_words:
            continue
        out.append(w)
    return tuple(dict.fromkeys(out))


_HEDGING = frozenset({"hedge", "contingent", "request"})
_UNCOMMITTED = frozenset({*_HEDGING, "refusal", "decision", "vague"})
"""Groups whose phrase makes the steps of its sentence uncommitted (``exploratory`` does
not: "a review will be held to see if ..." commits to the review, its outcome is open)."""


def _in_purpose_clause(doc: Any, start: int, group: str) -> bool:
    """Whether a vague phrase opens a purpose clause ("... to improve communication"):
    it says why a step is taken, not that no step is (the guideline judges what will be
    done)."""
    return group == "vague" and start > 0 and doc[start - 1].lower_ == "to"


def _sentence_ids(doc: Any) -> list[int]:
    """The sentence number of each token (sentences end at ".", "!", "?" or ";")."""
    ids, n = [], 0
    for token in doc:
        ids.append(n)
        if token.text in (".", "!", "?", ";"):
            n += 1
    return ids


def _keep_quantity(doc: Any, start: int, end: int, date_chars: list[tuple[int, int]]) -> bool:
    span = doc[start:end]
    first = span[0]
    if any(s <= first.idx < e for s, e in date_chars):
        return False
    if end - start == 1 and first.like_num:
        if _YEAR.match(first.text) or first.lower_ in ("one", "zero", *_ORDINALS):
            return False
        if start > 0 and doc[start - 1].lower_ in _NOT_QUANTITY_BEFORE:
            return False
    return True


def extract_signals(
    action_text: str | None,
    concern_text: str | None = "",
    owner_raw: str | None = "",
    target_raw: str | None = "",
) -> Signals:
    """Find the SMART signals of one action (None and NaN read as empty strings).

    >>> s = extract_signals("Funding to be sought for two technicians.", "", None, "Ongoing")
    >>> s.request, s.quantity, s.target_ongoing, s.named_actor
    (('funding to be sought',), ('two',), True, True)
    >>> extract_signals("HMP Stafford will look to improve.", "", "", "").hedge
    ('look to', 'will look to')
    """
    text, concern = clean(action_text), clean(concern_text)
    owner, target_cell = clean(owner_raw), clean(target_raw)
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
    sentence = _sentence_ids(doc)
    steps: list[tuple[int, int, int, str]] = []
    nouns: list[tuple[int, int, int, str]] = []
    uncommitted: set[int] = set()
    hedging: set[int] = set()
    matches = [(True, *m) for m in phrase(doc)] + [(False, *m) for m in tokens(doc)]
    for is_phrase, match_id, start, end in matches:
        group = nlp.vocab.strings[match_id]
        if group == "quantity" and not _keep_quantity(doc, start, end, date_chars):
            continue
        phrase_text = doc[start:end].text.lower()
        found[group].add(phrase_text)
        if group == "step":
            steps.append((sentence[start], start, end, phrase_text))
        elif group == "deliverable":
            nouns.append((sentence[start] if is_phrase else -1, start, end, phrase_text))
        elif group in _UNCOMMITTED and not _in_purpose_clause(doc, start, group):
            (hedging if group in _HEDGING else uncommitted).add(sentence[start])
    committed = sorted({t for sid, _, _, t in steps if sid not in uncommitted | hedging})
    hedged = sorted({t for sid, _, _, t in steps if sid in hedging - uncommitted})
    produced = sorted(
        {
            noun
            for sid, start, end, noun in nouns
            for step_sid, s_start, s_end, _ in steps
            if sid == -1
            or (
                sid == step_sid
                and sid not in uncommitted
                and min(abs(start - s_end), abs(s_start - end)) <= DELIVERABLE_WINDOW
            )
        }
    )
    target = parse_target(target_cell or None)
    target_date = None
    if target.date is not None:
        target_date = next((e for e in target.entries if find_dates(e)), target.entries[-1])
    actors = tuple(sorted(found["actor"]))
    content = _answer_words(text, actors)
    overlap = sorted(content_words(" ".join(content)) & content_words(concern)) if concern else []
    return Signals(
        **{g: tuple(sorted(v)) for g, v in found.items()},
        committed=tuple(committed),
        hedged=tuple(hedged),
        produced=tuple(produced),
        target_raw=target_cell,
        target_date=target_date,
        target_has_date=target.date is not None,
        target_completed=target.status == "completed",
        target_ongoing=target.status == "ongoing",
        target_empty=not target_cell,
        text_dates=tuple(raw for raw, _ in dates),
        owner_raw=owner,
        overlap=tuple(overlap),
        content=content,
        non_answer=not content,
        n_tokens=len(doc),
        has_concern=bool(concern),
    )


def check_frame(frame: Any) -> None:
    """Raise when ``frame`` is not a DataFrame with :data:`FRAME_COLUMNS`."""
    cols = getattr(frame, "columns", None)
    if cols is None:
        raise TypeError("expected a pandas DataFrame with columns " + ", ".join(FRAME_COLUMNS))
    missing = [c for c in FRAME_COLUMNS if c not in cols]
    if missing:
        raise ValueError(f"frame lacks column(s) {', '.join(missing)}")


def signals_for_frame(frame: pd.DataFrame) -> list[Signals]:
    """:func:`extract_signals` for every row of a frame with :data:`FRAME_COLUMNS`.

    Rows with the same cleaned values share one result, and the distinct action texts
    are tokenised in one ``nlp.pipe`` pass.

    >>> import pandas as pd
    >>> f = pd.DataFrame({"action_text": ["Audit monthly.", "Audit monthly."],
    ...     "concern_text": ["", ""], "owner_raw": ["Governor", None], "target_raw": ["", ""]})
    >>> [(s.frequency, s.owner_named) for s in signals_for_frame(f)]
    [(('monthly',), True), (('monthly',), False)]
    """
    check_frame(frame)
    rows = [
        tuple(clean(v) for v in row)
        for row in zip(*(frame[c].tolist() for c in FRAME_COLUMNS), strict=True)
    ]
    distinct = list(dict.fromkeys(rows))
    texts = list(dict.fromkeys(text for text, *_ in distinct))
    nlp = _matchers()[0]
    docs = dict(zip(texts, nlp.pipe(texts, batch_size=256), strict=True))
    found = {row: _signals(docs[row[0]], *row) for row in distinct}
    return [found[row] for row in rows]


def distinct_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, NDArray[np.intp]]:
    """The first row of each distinct (cleaned) :data:`FRAME_COLUMNS` tuple (those
    columns only), and for every row of ``frame`` the position of its tuple among them:
    scorers work on the distinct rows and ``result[inverse]`` spreads the results back.

    >>> import pandas as pd
    >>> f = pd.DataFrame({"action_text": ["Audit.", "Audit. ", "Train."],
    ...     "concern_text": ["", "", ""], "owner_raw": ["", None, ""], "target_raw": ["", "", ""]})
    >>> rows, inverse = distinct_rows(f)
    >>> len(rows), inverse.tolist()
    (2, [0, 0, 1])
    """
    check_frame(frame)
    cleaned: dict[tuple[Any, ...], int] = {}
    index: dict[tuple[str, ...], int] = {}
    first: list[int] = []
    inverse: list[int] = []
    for i, row in enumerate(zip(*(frame[c].tolist() for c in FRAME_COLUMNS), strict=True)):
        j = cleaned.get(row)
        if j is None:
            j = cleaned[row] = index.setdefault(tuple(clean(v) for v in row), len(index))
            if j == len(first):
                first.append(i)
        inverse.append(j)
    return frame[list(FRAME_COLUMNS)].iloc[first], np.asarray(inverse, dtype=np.intp)
