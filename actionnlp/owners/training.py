"""Train and evaluate the owner models on the labelled corpus.

:func:`train_and_evaluate` measures (a) owner-cell normalisation (canonical name and
category both right, rule-based), (b) owner-mention spans leave-one-plan-out (exact
span and label; ruler only, ruler + learned ``owner_filter``, ner only, and ruler
and ner in each order) and (c) trains the final pipeline on every plan, saving it
as an :class:`~actionnlp.owners.OwnerFinder` folder (``save_pretrained``) when asked.

Everything learned (ner, filter) is fitted on the training plans of each fold only.
The gazetteer behind the ruler, however, was written from all the labelled plans, so
the ruler's recall leave-one-plan-out is optimistic for an unseen prison. The
``unseen_gazetteer`` figures are the honest ones: in each fold the ruler drops the
gazetteer entries found (by the ruler, in action texts or owner cells) only in the
held-out plan (:func:`held_out_only_entries`); entries found in no plan stay.

Run ``python -m actionnlp.owners.training training/data/parts`` to print the metrics.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actionnlp.labels import MENTION_LABELS
from actionnlp.owners.normalise import acronyms_by_plan, normalise_cell

if TYPE_CHECKING:
    import pandas as pd
    from spacy.language import Language
    from spacy.tokens import Doc

    from actionnlp.embed import Embedder

__all__ = [
    "THRESHOLDS",
    "held_out_only_entries",
    "mention_examples",
    "owner_categories_unseen",
    "owner_cell_accuracy",
    "plan_context_columns",
    "prf",
    "restrict_ruler",
    "train_and_evaluate",
]

N_ITER = 10
SpanTuple = tuple[int, int, str]


def _plan_column(actions: pd.DataFrame) -> str:
    for col in ("plan", "source", "prison"):
        if col in actions.columns:
            return col
    raise KeyError("actions need a 'plan', 'source' or 'prison' column")


def _acronyms_by_plan(actions: pd.DataFrame, plan_col: str) -> dict[Any, dict[str, str]]:
    """Acronyms per plan, read as :meth:`OwnerFinder.find_owners` reads them
    (:func:`~actionnlp.owners.normalise.acronyms_by_plan`): row by row, action text, owner
    cell, then the concern columns (the first definition wins)."""
    order = ("action_text", "owner_raw", "concern_text", "concern", "recommendation_text")
    cols = [c for c in order if c in actions.columns]
    rows = zip(*(actions[c].tolist() for c in cols), strict=True)
    return acronyms_by_plan(actions[plan_col].tolist(), rows)


def plan_context_columns(
    actions: pd.DataFrame,
) -> tuple[list[dict[str, str]], list[tuple[str, ...]]]:
    """For every action, what :class:`OwnerFinder` tells the ruler of its plan: the acronyms
    the plan defines, and the names its owner cells give
    (:func:`~actionnlp.owners.candidates.plan_names`)."""
    from actionnlp.owners.candidates import plan_names

    plan_col = _plan_column(actions)
    keys = actions[plan_col].tolist()
    acronyms = _acronyms_by_plan(actions, plan_col)
    owners = [
        normalise_cell(cell if isinstance(cell, str) else None, acronyms=acronyms[plan])
        for plan, cell in zip(keys, actions["owner_raw"], strict=True)
    ]
    names = plan_names(keys, owners)
    return [acronyms[plan] for plan in keys], [names[plan] for plan in keys]


def owner_cell_accuracy(actions: pd.DataFrame) -> dict[str, Any]:
    """Share of labelled owners whose canonical name and category are both predicted.

    Owners are matched as multisets per cell; ``precision`` counts predicted owners
    that match a label. ``errors`` lists the cells that differ.
    """
    plan_col = _plan_column(actions)
    acronyms = _acronyms_by_plan(actions, plan_col)
    gold_n = pred_n = correct = 0
    errors: list[dict[str, Any]] = []
    per_plan: dict[str, dict[str, int]] = {}
    for row in actions.itertuples(index=False):
        plan = getattr(row, plan_col)
        pred = [
            (o.canonical, o.category)
            for o in normalise_cell(row.owner_raw, acronyms=acronyms[plan])
        ]
        gold = [(o["canonical"], o["category"]) for o in row.owners]
        hit = sum((Counter(pred) & Counter(gold)).values())
        gold_n, pred_n, correct = gold_n + len(gold), pred_n + len(pred), correct + hit
        stats = per_plan.setdefault(str(plan), {"owners": 0, "correct": 0})
        stats["owners"] += len(gold)
        stats["correct"] += hit
        if hit != len(gold) or len(pred) != len(gold):
            errors.append({"plan": str(plan), "cell": row.owner_raw, "pred": pred, "gold": gold})
    return {
        "owners": gold_n,
        "correct": correct,
        "accuracy": correct / gold_n if gold_n else None,
        "precision": correct / pred_n if pred_n else None,
        "per_plan": per_plan,
        "errors": errors,
    }


THRESHOLDS = tuple(round(0.3 + 0.05 * i, 2) for i in range(13))
"""Cosine thresholds tried for the embedding fallback (0.30 to 0.90)."""


def owner_categories_unseen(
    actions: pd.DataFrame,
    embedder: Embedder | None = None,
    *,
    thresholds: Sequence[float] = THRESHOLDS,
) -> dict[str, Any]:
    """Owner-cell categories with each plan's own gazetteer entries removed (the honest
    figure for an unseen prison): per action, whether the multiset of predicted
    categories equals the labelled one (``exact_per_action``), and per owner the share
    whose category is right (``owner_accuracy``); per plan and pooled. With the full
    gazetteer the same figures are given as ``full_gazetteer`` for comparison.

    With an ``embedder`` the owners no gazetteer entry or rule categorises go through the
    embedding fallback (:func:`~actionnlp.owners.normalise.embedding_fallback`) and
    ``embedding_fallback`` reports, in the honest setting, the pooled score at each of
    ``thresholds`` (``by_threshold``; ``wrong_categories`` counts predicted categories other
    than ``other`` that the labels do not have), the threshold chosen leave one prison out
    (for each held-out plan, the threshold of the other three plans, each scored with its own
    entries removed, with the most exact actions, then the fewest wrong categories, then the
    lowest value) with the held-out scores it gives (``nested``), and the threshold the four
    plans choose together (``chosen``).
    """
    from actionnlp.owners.categories import nearest_names
    from actionnlp.owners.normalise import NO_EVIDENCE, Gazetteer, load_gazetteer

    plan_col = _plan_column(actions)
    acronyms = _acronyms_by_plan(actions, plan_col)
    seen = _attested_entries(actions)
    full = load_gazetteer()
    out: dict[str, Any] = {}
    # honest setting, per plan: per action (gold categories, decided categories,
    # similarity and category of the nearest name for each undecided owner)
    rows_by_plan: dict[str, list[tuple[Counter[str], list[str], list[tuple[float, str]]]]] = {}
    for setting in ("unseen_gazetteer", "full_gazetteer"):
        totals: Counter[str] = Counter()
        per_plan: dict[str, dict[str, Any]] = {}
        errors: list[dict[str, Any]] = []
        for plan, group in actions.groupby(plan_col, sort=True):
            drop = _only_in(seen, str(plan)) if setting == "unseen_gazetteer" else set()
            gaz = Gazetteer([e for e in full.entries if e.canonical not in drop])
            c: Counter[str] = Counter()
            cells = []
            for row in group.itertuples(index=False):
                cell = normalise_cell(row.owner_raw, acronyms=acronyms[plan], gazetteer=gaz)
                cells.append(cell)
                pred = Counter(o.category for o in cell)
                gold = Counter(o["category"] for o in row.owners)
                c["actions"] += 1
                c["exact"] += int(pred == gold)
                c["owners"] += sum(gold.values())
                c["correct"] += sum((pred & gold).values())
                if pred != gold and setting == "unseen_gazetteer":
                    errors.append({"plan": str(plan), "cell": row.owner_raw, "pred": dict(pred)})
            totals += c
            per_plan[str(plan)] = _category_scores(c)
            if setting == "unseen_gazetteer" and embedder is not None:
                todo = [o.canonical for cell in cells for o in cell if o.evidence == NO_EVIDENCE]
                near = dict(zip(todo, nearest_names(todo, gaz, embedder), strict=True))
                rows_by_plan[str(plan)] = [
                    (
                        Counter(o["category"] for o in row.owners),
                        [o.category for o in cell if o.evidence != NO_EVIDENCE],
                        [
                            (near[o.canonical][2], near[o.canonical][1])
                            for o in cell
                            if o.evidence == NO_EVIDENCE
                        ],
                    )
                    for row, cell in zip(group.itertuples(index=False), cells, strict=True)
                ]
        out[setting] = {**_category_scores(totals), "per_plan": per_plan}
        if setting == "unseen_gazetteer":
            out[setting]["errors"] = errors
    if embedder is not None:
        out["embedding_fallback"] = _fallback_thresholds(rows_by_plan, thresholds)
    return out


def _fallback_thresholds(
    rows_by_plan: dict[str, list[tuple[Counter[str], list[str], list[tuple[float, str]]]]],
    thresholds: Sequence[float],
) -> dict[str, Any]:
    """Scores of the embedding fallback per threshold, and the threshold chosen leave one
    prison out (see :func:`owner_categories_unseen`)."""

    def counts(plan: str, t: float) -> Counter[str]:
        c: Counter[str] = Counter()
        for gold, decided, undecided in rows_by_plan[plan]:
            pred = Counter([*decided, *(cat if sim >= t else "other" for sim, cat in undecided)])
            c["actions"] += 1
            c["exact"] += int(pred == gold)
            c["owners"] += sum(gold.values())
            c["correct"] += sum((pred & gold).values())
            c["wrong"] += sum(v for k, v in (pred - gold).items() if k != "other")
        return c

    plans = sorted(rows_by_plan)
    table = {t: {p: counts(p, t) for p in plans} for t in thresholds}

    def best(among: Sequence[str]) -> float:
        def key(t: float) -> tuple[int, int, float]:
            exact = sum(table[t][p]["exact"] for p in among)
            return exact, -sum(table[t][p]["wrong"] for p in among), -t

        return max(thresholds, key=key)

    nested_total: Counter[str] = Counter()
    nested: dict[str, Any] = {}
    for plan in plans:
        t = best([p for p in plans if p != plan])
        nested_total += table[t][plan]
        nested[plan] = {
            "threshold": t,
            "wrong_categories": table[t][plan]["wrong"],
            **_category_scores(table[t][plan]),
        }
    by_threshold = {}
    for t in thresholds:
        total: Counter[str] = Counter()
        for p in plans:
            total += table[t][p]
        by_threshold[f"{t:.2f}"] = {**_category_scores(total), "wrong_categories": total["wrong"]}
    undecided = sum(len(u) for p in plans for _, _, u in rows_by_plan[p])
    return {
        "undecided_owners": undecided,
        "by_threshold": by_threshold,
        "nested": {**_category_scores(nested_total), "per_plan": nested},
        "chosen": best(plans),
    }


def _category_scores(c: Counter[str]) -> dict[str, Any]:
    return {
        "actions": c["actions"],
        "exact_per_action": round(c["exact"] / c["actions"], 4) if c["actions"] else None,
        "owners": c["owners"],
        "owner_accuracy": round(c["correct"] / c["owners"], 4) if c["owners"] else None,
    }


def held_out_only_entries(actions: pd.DataFrame, plan: str) -> set[str]:
    """Canonical names of gazetteer entries attested in ``plan`` and in no other plan.

    An entry is attested in a plan when the ruler finds one of its names in the plan's
    action texts, or an owner cell of the plan normalises to it.
    """
    return _only_in(_attested_entries(actions), plan)


def _attested_entries(actions: pd.DataFrame) -> dict[str, set[str]]:
    """Per plan, the canonical names of the gazetteer entries it attests (see
    :func:`held_out_only_entries`)."""
    from actionnlp.owners.pipeline import build_pipeline

    plan_col = _plan_column(actions)
    acronyms = _acronyms_by_plan(actions, plan_col)
    nlp = build_pipeline()
    ruler = nlp.get_pipe("owner_ruler")
    seen: dict[str, set[str]] = {}
    for row in actions.itertuples(index=False):
        key = str(getattr(row, plan_col))
        found = seen.setdefault(key, set())
        for text in (row.action_text, row.owner_raw):
            if isinstance(text, str):
                found.update(s.id_ for s in ruler.match(nlp.make_doc(text)) if s.id_)
        cell = normalise_cell(row.owner_raw, acronyms=acronyms[getattr(row, plan_col)])
        found.update(o.canonical for o in cell)
    return seen


def _only_in(seen: dict[str, set[str]], plan: str) -> set[str]:
    """The entries of ``seen[plan]`` that no other plan attests."""
    others = set().union(*(v for k, v in seen.items() if k != str(plan)))
    return seen.get(str(plan), set()) - others


def restrict_ruler(nlp: Language, exclude: set[str]) -> Language:
    """Drop the ``owner_ruler`` patterns whose id (canonical name) is in ``exclude``."""
    ruler = nlp.get_pipe("owner_ruler")
    patterns = [p for p in ruler.patterns if p.get("id") not in exclude]
    ruler.clear()
    ruler.add_patterns(patterns)
    return nlp


def mention_examples(actions: pd.DataFrame) -> list[tuple[str, list[SpanTuple]]]:
    """``(action_text, [(start, end, label)])`` for every action."""
    return [
        (text, [(m["start"], m["end"], m["label"]) for m in mentions])
        for text, mentions in zip(actions["action_text"], actions["mentions"], strict=True)
    ]


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float | int]:
    """Precision, recall and F1 from counts.

    >>> prf(8, 10, 16)
    {'p': 0.8, 'r': 0.5, 'f1': 0.6154, 'tp': 8, 'pred': 10, 'gold': 16}
    """
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "p": round(p, 4),
        "r": round(r, 4),
        "f1": round(f, 4),
        "tp": tp,
        "pred": n_pred,
        "gold": n_gold,
    }


def _counts(
    pred: Iterable[Sequence[SpanTuple]], gold: Iterable[Sequence[SpanTuple]]
) -> Counter[str]:
    c: Counter[str] = Counter()
    for p_spans, g_spans in zip(pred, gold, strict=True):
        p, g = set(p_spans), set(g_spans)
        for label in MENTION_LABELS:
            c[f"tp_{label}"] += len({s for s in p & g if s[2] == label})
            c[f"pred_{label}"] += len({s for s in p if s[2] == label})
            c[f"gold_{label}"] += len({s for s in g if s[2] == label})
    return c


def _scores(c: Counter[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        label: prf(c[f"tp_{label}"], c[f"pred_{label}"], c[f"gold_{label}"])
        for label in MENTION_LABELS
    }
    out["micro"] = prf(
        *(sum(c[f"{k}_{label}"] for label in MENTION_LABELS) for k in ("tp", "pred", "gold"))
    )
    return out


def _run(
    nlp: Language,
    steps: Sequence[str],
    text: str,
    acronyms: dict[str, str] | None = None,
    names: Sequence[str] | None = None,
) -> list[SpanTuple]:
    doc: Doc = nlp.make_doc(text)
    doc._.owner_acronyms = acronyms
    doc._.owner_names = None if names is None else tuple(names)
    for name in steps:
        doc = nlp.get_pipe(name)(doc)
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in MENTION_LABELS]


VARIANTS: dict[str, tuple[str, ...]] = {
    "ruler": ("owner_ruler",),
    "ruler+filter": ("owner_ruler", "owner_filter"),
    "ner": ("ner",),
    "ruler_first": ("owner_ruler", "ner"),
    "ner_first": ("ner", "owner_ruler"),
}


def _fold_counts(
    nlp: Language, variants: Mapping[str, Sequence[str]], test: pd.DataFrame
) -> dict[str, Counter[str]]:
    """Mention counts (:func:`_counts`) of each variant's pipes on the held-out actions,
    each action read with its plan's context (:func:`plan_context_columns`)."""
    gold = [list(spans) for _, spans in mention_examples(test)]
    context = list(zip(*plan_context_columns(test), strict=True))
    texts = test["action_text"].tolist()
    return {
        variant: _counts(
            [_run(nlp, steps, t, *c) for t, c in zip(texts, context, strict=True)], gold
        )
        for variant, steps in variants.items()
    }


def _unseen_gazetteer(
    actions: pd.DataFrame, plans: Sequence[str], plan_col: str, *, seed: int
) -> dict[str, Any]:
    """Ruler and ruler+filter leave one plan out, without the held-out plan's entries."""
    from actionnlp.owners.pipeline import build_pipeline, fit_filter

    steps = {k: VARIANTS[k] for k in ("ruler", "ruler+filter")}
    pooled: dict[str, Counter[str]] = {v: Counter() for v in steps}
    folds: dict[str, dict[str, Any]] = {v: {} for v in steps}
    excluded: dict[str, list[str]] = {}
    seen = _attested_entries(actions)  # the same for every fold
    for plan in plans:
        test = actions[actions[plan_col].astype(str) == plan]
        train = actions[actions[plan_col].astype(str) != plan]
        drop = _only_in(seen, plan)
        excluded[plan] = sorted(drop)
        nlp = restrict_ruler(build_pipeline(owner_filter=True), drop)
        acronyms, names = plan_context_columns(train)
        fit_filter(nlp, mention_examples(train), seed=seed, acronyms=acronyms, names=names)
        for variant, c in _fold_counts(nlp, steps, test).items():
            pooled[variant] += c
            folds[variant][plan] = _scores(c)
    out: dict[str, Any] = {v: {"pooled": _scores(pooled[v]), "folds": folds[v]} for v in steps}
    out["excluded_entries"] = excluded
    return out


def train_and_evaluate(
    actions: pd.DataFrame,
    *,
    seed: int = 0,
    out_dir: str | Path | None = None,
    n_iter: int = N_ITER,
    progress: Callable[[str], None] | None = None,
    unseen_gazetteer: bool = True,
    embedder: Embedder | None = None,
) -> dict[str, Any]:
    """Evaluate owner cells and mentions (leave one plan out); train the final pipeline.

    ``actions`` is ``load_corpus(path)[1]``. Returns a JSON-serialisable dict with
    ``owner_cells`` (accuracy of canonical+category), ``mentions`` (per variant:
    per-fold and pooled P/R/F1 per label and micro; ``chosen`` is the variant with
    the best pooled micro F1, which the final pipeline uses), ``mentions_unseen_gazetteer``
    (ruler and ruler+filter with the held-out plan's own gazetteer entries removed, see
    :func:`held_out_only_entries`; None when ``unseen_gazetteer`` is False),
    ``owner_categories`` (:func:`owner_categories_unseen`, with the embedding fallback's
    threshold chosen leave one prison out when an ``embedder`` is given) and ``final``.
    The final
    pipeline (trained on every plan with ``seed`` when ``chosen`` uses ner or the
    filter; the gazetteer ruler and linker otherwise) is written to ``out_dir`` when
    given.
    """
    from actionnlp.owners.pipeline import (
        NER_ORDER,
        OwnerFinder,
        build_pipeline,
        fit_filter,
        train_filter,
        train_pipeline,
    )

    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    plan_col = _plan_column(actions)
    cells = owner_cell_accuracy(actions)
    say(f"owner cells: {cells['correct']}/{cells['owners']}")
    plans = sorted(actions[plan_col].astype(str).unique())
    pooled: dict[str, Counter[str]] = {v: Counter() for v in VARIANTS}
    folds: dict[str, dict[str, Any]] = {v: {} for v in VARIANTS}
    for plan in plans:
        test = actions[actions[plan_col].astype(str) == plan]
        train = actions[actions[plan_col].astype(str) != plan]
        train_examples = mention_examples(train)
        nlp = train_pipeline(train_examples, seed=seed, n_iter=n_iter)
        nlp.add_pipe("owner_filter", after="owner_ruler")
        acronyms, names = plan_context_columns(train)
        fit_filter(nlp, train_examples, seed=seed, acronyms=acronyms, names=names)
        for variant, c in _fold_counts(nlp, VARIANTS, test).items():
            pooled[variant] += c
            folds[variant][plan] = _scores(c)
        say(f"fold {plan}: ruler+filter {folds['ruler+filter'][plan]['micro']}")
        say(f"fold {plan}: {NER_ORDER} {folds[NER_ORDER][plan]['micro']}")
    mentions = {v: {"pooled": _scores(pooled[v]), "folds": folds[v]} for v in VARIANTS}
    unseen = _unseen_gazetteer(actions, plans, plan_col, seed=seed) if unseen_gazetteer else None
    chosen = max(VARIANTS, key=lambda v: (mentions[v]["pooled"]["micro"]["f1"], v == "ruler"))
    t0 = time.perf_counter()
    if chosen == "ruler":
        final = build_pipeline()
    elif chosen == "ruler+filter":
        acronyms, names = plan_context_columns(actions)
        final = train_filter(mention_examples(actions), seed=seed, acronyms=acronyms, names=names)
    else:
        order = "ner_first" if chosen == "ner_first" else "ruler_first"
        final = train_pipeline(mention_examples(actions), seed=seed, n_iter=n_iter, order=order)
        if chosen == "ner":
            final.remove_pipe("owner_ruler")
    if out_dir is not None:
        OwnerFinder(final, embedder=embedder).save_pretrained(out_dir)
    return {
        "plans": plans,
        "n_actions": len(actions),
        "n_mentions": int(sum(len(m) for m in actions["mentions"])),
        "seed": seed,
        "n_iter": n_iter,
        "owner_cells": cells,
        "owner_categories": owner_categories_unseen(actions, embedder),
        "mentions": {"chosen": chosen, **mentions},
        "mentions_unseen_gazetteer": unseen,
        "final": {
            "pipe_names": final.pipe_names,
            "train_seconds": round(time.perf_counter() - t0, 2),
            "saved_to": None if out_dir is None else str(out_dir),
        },
        "seconds": round(time.perf_counter() - started, 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m actionnlp.owners.training CORPUS_DIR [OUT_DIR]``: print the metrics."""
    from actionnlp.corpus import load_corpus

    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m actionnlp.owners.training CORPUS_DIR [OUT_DIR]", file=sys.stderr)
        return 2
    _, actions = load_corpus(args[0])
    out = args[1] if len(args) > 1 else None
    metrics = train_and_evaluate(actions, out_dir=out, progress=lambda m: print(m, file=sys.stderr))
    print(json.dumps(metrics, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
