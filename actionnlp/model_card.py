"""Render the model card (markdown) from the artifacts' manifests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from actionnlp.owners.categories import MIN_SIMILARITY

__all__ = ["render_model_card"]


def _f(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def _versions(manifest: Mapping[str, Any]) -> str:
    v = manifest.get("created_by", {})
    return ", ".join(f"{k} {val}" for k, val in v.items() if val)


def _header(name: str, manifest: Mapping[str, Any]) -> list[str]:
    emb = manifest.get("embedding") or {}
    lines = [
        f"## {name} (`{name}-v{manifest.get('version')}`)",
        "",
        f"- data hash: `{manifest.get('data_hash')}`",
        f"- built with: {_versions(manifest)}",
    ]
    if emb:
        lines.append(
            f"- embedding: `{emb.get('name')}`, weights SHA-256 `{emb.get('weights_sha256')}`"
        )
    lines.append("")
    return lines


def _themes(m: Mapping[str, Any]) -> list[str]:
    models = m["models"]
    names = list(models)
    lines = [
        f"{m['n_items']} labelled items ({m['n_concerns']} concerns, {m['n_actions']} actions) "
        f"from {len(m['plans'])} plans; {m.get('n_anchors', 0)} synthetic anchors built from the "
        "guideline's label definitions (templated phrases of its 'covers' column and example "
        "sentences hand-written from its definitions, `training/data/*.synthetic.jsonl`) are "
        "added to training folds only (never evaluated on). "
        "Leave-one-prison-out: each plan is tagged by a model trained on the other three.",
        "",
        "| model | macro-F1, 5 named themes (pooled) | mean per-fold macro-F1 | macro-F1, all 9 |",
        "|---|---|---|---|",
    ]
    rows = [(n, models[n]) for n in names]
    if "without_context" in m:
        rows.insert(1, ("shipped model, actions given without their concern", m["without_context"]))
    for n, x in rows:
        lines.append(
            f"| {n} | {_f(x['macro_f1_required'])} | {_f(x['fold_mean_macro_f1_required'])} "
            f"| {_f(x['macro_f1_all'])} |"
        )
    feats = m.get("features")
    if feats:
        lines += [
            "",
            f"The shipped tagger (`embedding+logreg` above) reads features `{feats['features']}`"
            + (" with the concern an action answers as context" if feats.get("context") else "")
            + (
                " and the cosine similarity of the text (and its concern) to each of the "
                "guideline's theme descriptions"
                if feats.get("descriptions")
                else ""
            )
            + f", one logistic regression per label (C={m.get('C')}), each label's threshold "
            f"tuned on {feats.get('cv_repeats', 1)} repeat(s) of 3-fold cross-validation inside "
            "the training plans. `analyze` gives it (action, concern) pairs; an action given "
            "alone scores as the second row. The features, C, the context and the hand-written "
            "examples were chosen by this leave-one-prison-out score among the logged variants "
            "(the examples by a rule stated before their figures; all listed in "
            "`docs/experiments.md`), so the figure is somewhat optimistic; the nested choices "
            "made inside each fold's training plans are reported there. The mean per-fold "
            "macro-F1 is lower than the pooled one because `drugs` has positives in one plan "
            "only: the other folds score it 0.",
        ]
    seeds = m.get("seeds")
    if seeds:
        lines += [
            "",
            "The same evaluation with other seeds for the threshold splits (pooled five-theme "
            "macro-F1; seed 0 is the figure above): "
            + ", ".join(f"seed {k}: {_f(v)}" for k, v in seeds.items())
            + ".",
        ]
    shipped = models[names[0]]["per_label"]
    weak = [t for t in ("drugs", "regime", "safety", "staffing") if t in shipped]
    if weak:
        lines += [
            "",
            "Recall on held-out plans of the weakest themes (shipped tagger, pooled): "
            + ", ".join(f"{t} {shipped[t]['recall']:.2f}" for t in weak)
            + ".",
        ]
    lines += ["", "Per label (pooled out-of-fold predictions), F1 per model:", ""]
    lines.append("| theme | support | " + " | ".join(f"{n} P / R / F1" for n in names) + " |")
    lines.append("|---|---|" + "---|" * len(names))
    for theme, support in m["label_counts"].items():
        cells = []
        for n in names:
            s = models[n]["per_label"][theme]
            cells.append(f"{s['precision']:.2f} / {s['recall']:.2f} / {s['f1']:.2f}")
        lines.append(f"| {theme} | {support} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Per fold (held-out plan: macro-F1 over the 5 named themes; stafford-2020 is the "
        "recommendations-era plan, with Agreed / Partly Agreed decisions):",
        "",
    ]
    for n in names:
        folds = ", ".join(
            f"{f['held_out']} {f['macro_f1_required']:.2f}" for f in models[n]["folds"]
        )
        lines.append(f"- {n}: {folds}")
    lines += _calibration(m.get("calibration"))
    lines += ["", f"Decision thresholds of the shipped tagger: {m.get('thresholds')}", ""]
    return lines


def _calibration(c: Mapping[str, Any] | None) -> list[str]:
    """The shipped tagger's pooled out-of-fold probabilities with and without calibration.

    >>> row = {"macro_f1_required": 0.8, "macro_f1_all": 0.7, "mean_brier": 0.05,
    ...        "mean_ece": 0.02}
    >>> _calibration({"shipped": True, "calibrated": row, "uncalibrated": row})[-1]
    '| without calibration | 0.800 | 0.700 | 0.050 | 0.020 |'
    """
    if not c:
        return []
    shipped = "with" if c["shipped"] else "without"
    lines = [
        "",
        "Calibration of the shipped tagger's pooled out-of-fold probabilities (the `p_<theme>` "
        "columns): Brier score and expected calibration error (10 equal-width bins), averaged "
        "over the nine themes, with per-label Platt scaling fitted on cross-validated "
        f"probabilities inside the training plans and without it. Shipped: **{shipped} "
        "calibration** (calibration is shipped only if it lowers the five-theme macro-F1 by "
        "at most 0.005).",
        "",
        "| setting | macro-F1 (5) | macro-F1 (9) | mean Brier | mean ECE |",
        "|---|---|---|---|---|",
    ]
    for key, name in (("calibrated", "with calibration"), ("uncalibrated", "without calibration")):
        x = c[key]
        lines.append(
            f"| {name} | {_f(x['macro_f1_required'])} | {_f(x['macro_f1_all'])} "
            f"| {_f(x['mean_brier'])} | {_f(x['mean_ece'])} |"
        )
    return lines


def _owners(m: Mapping[str, Any]) -> list[str]:
    cells = m["owner_cells"]
    mentions = m["mentions"]
    variants = [k for k in mentions if k != "chosen"]
    lines = []
    cats = m.get("owner_categories")
    if cats:
        u, f = cats["unseen_gazetteer"], cats["full_gazetteer"]
        lines += [
            "**Headline (honest): owner categories with each plan scored without its own "
            f"gazetteer entries: exact per action {_f(u['exact_per_action'])} "
            f"({u['actions']} actions), per owner {_f(u['owner_accuracy'])} "
            f"({u['owners']} owners).** Bodies the gazetteer does not know get their category "
            "from their head words and shape (`owners/resources/owner_categories.json`). Per plan "
            "(exact per action): "
            + ", ".join(f"{p} {_f(v['exact_per_action'])}" for p, v in u["per_plan"].items())
            + f". With the full gazetteer: {_f(f['exact_per_action'])} per action.",
            "",
        ]
        lines += _fallback(cats.get("embedding_fallback"))
    lines += [
        f"Owner cells: canonical name and category right for {cells['correct']} of "
        f"{cells['owners']} labelled owners (accuracy {_f(cells['accuracy'])}; rule-based, "
        "measured on the cells the gazetteer was written from: not an independent test).",
        "",
        f"Owner mentions in action text ({m['n_mentions']} labelled spans in {m['n_actions']} "
        "actions), leave-one-prison-out, exact span and label, pooled over the four folds. "
        f"Shipped variant: **{mentions['chosen']}**. The gazetteer was written from all four "
        "plans, so these rows are optimistic for an unseen prison: the *unseen gazetteer* rows "
        "below remove, in each fold, the gazetteer entries attested only in the held-out plan "
        "(stricter than a new prison, since some of those names are generic or in the "
        "guideline); the truth for a new prison lies between the two.",
        "",
        "| variant | ROLE P / R / F1 | ORG P / R / F1 | micro P / R / F1 |",
        "|---|---|---|---|",
    ]
    unseen = m.get("mentions_unseen_gazetteer") or {}
    rows = [(v, mentions[v]) for v in variants]
    rows += [(f"{v}, unseen gazetteer", x) for v, x in unseen.items() if v != "excluded_entries"]
    for v, x in rows:
        pooled = x["pooled"]
        cells_ = [
            f"{pooled[k]['p']:.2f} / {pooled[k]['r']:.2f} / {pooled[k]['f1']:.2f}"
            for k in ("ROLE", "ORG", "micro")
        ]
        lines.append(f"| {v} | " + " | ".join(cells_) + " |")
    chosen = mentions["chosen"]
    per_fold = [(chosen, mentions[chosen])]
    if chosen in unseen:
        per_fold.append((f"{chosen}, unseen gazetteer", unseen[chosen]))
    lines += ["", "Per fold (held-out plan: micro F1):", ""]
    for v, x in per_fold:
        folds = ", ".join(f"{p} {f['micro']['f1']:.2f}" for p, f in x["folds"].items())
        lines.append(f"- {v}: {folds}")
    return [*lines, ""]


def _fallback(fb: Mapping[str, Any] | None) -> list[str]:
    """The embedding fallback of owner categories: scores per threshold, nested choice.

    >>> row = {"exact_per_action": 0.95, "owner_accuracy": 0.94, "wrong_categories": 1}
    >>> fb = {"undecided_owners": 7, "by_threshold": {"0.45": row}, "chosen": 0.45,
    ...       "nested": {**row, "per_plan": {"a": {"threshold": 0.45}}}}
    >>> _fallback(fb)[-2]
    '| 0.45 | 0.950 | 0.940 | 1 |'
    """
    if not fb:
        return []
    nested = fb["nested"]
    lines = [
        "Owners that neither the gazetteer nor the head-word and shape rules categorise take "
        "the category of the nearest gazetteer name by embedding when the cosine similarity "
        "reaches a threshold, else `other` (`owner_category_evidence` says which path "
        f"decided). In the honest setting {fb['undecided_owners']} owners reach this step. "
        "The threshold chosen leave one prison out (for each held-out plan, on the other "
        "three: most exact actions, then fewest categories the labels contradict, then the "
        "lowest threshold): "
        + ", ".join(f"{p} {v['threshold']}" for p, v in nested["per_plan"].items())
        + f"; held-out exact per action with those thresholds {_f(nested['exact_per_action'])}"
        + f", per owner {_f(nested['owner_accuracy'])}. The four plans together choose "
        f"{fb['chosen']}; the shipped threshold (`MIN_SIMILARITY`) is {MIN_SIMILARITY}. "
        "Pooled, per threshold:",
        "",
        "| threshold | exact per action | per owner | categories the labels contradict |",
        "|---|---|---|---|",
    ]
    for t, x in fb["by_threshold"].items():
        lines.append(
            f"| {t} | {_f(x['exact_per_action'])} | {_f(x['owner_accuracy'])} "
            f"| {x['wrong_categories']} |"
        )
    return [*lines, ""]


PREVIOUS_SMART = {
    "pooled": {"S": 0.556, "M": 0.672, "A": 0.932, "R": 0.236, "T": 1.0, "mean": 0.679},
    "stafford-2020": {"S": 0.786, "M": 0.723, "A": 0.917, "R": -0.028, "T": None, "mean": 0.600},
}
"""Kappa of the scorer shipped before issue 17 (rules that scored 1 unless a negative cue
was found, written with the labelled plans in view), from its own model card: shown beside
the current figures. On an unseen recommendations-era plan it reached a mean of 0.29."""


def _kappa_row(name: str, pooled: Mapping[str, Any], mean: Any) -> str:
    """One row of a kappa table; an undefined kappa (None) is ``-``.

    >>> _kappa_row("x", {"S": {"kappa": 0.5}, "M": 1.0, "A": None, "R": 0.0, "T": None}, 0.5)
    '| x | 0.500 | 1.000 | - | 0.000 | - | 0.500 |'
    """
    values = [
        pooled[k]["kappa"] if isinstance(pooled[k], Mapping) else pooled[k]
        for k in ("S", "M", "A", "R", "T")
    ]
    cells = ["-" if v is None else _f(v) for v in values]
    return f"| {name} | " + " | ".join(cells) + f" | {'-' if mean is None else _f(mean)} |"


def _smart(m: Mapping[str, Any]) -> list[str]:
    lines = [
        f"{m['n_actions']} labelled actions (rationale rows excluded, as the guideline leaves "
        f"them out of SMART) from {len(m['plans'])} plans, leave-one-prison-out, pooled over "
        f"the folds; an action the scorer judges not applicable counts as 0. "
        f"{m.get('t_rule', '')}. Share of 1s in the labels: "
        + ", ".join(f"{k} {v:.2f}" for k, v in m["label_rate"].items())
        + ".",
        "",
        "Cohen's kappa per criterion:",
        "",
        "| scorer | S | M | A | R | T | mean |",
        "|---|---|---|---|---|---|---|",
    ]
    names = {
        "trained": "shipped scorer",
        "rules": "rules alone",
        "rules_hedged_specific": "rules, a hedged step counting for S",
        "majority": "majority class",
    }
    original = (m.get("other_labels") or {}).get("original")
    human = m.get("human_agreement")
    for key, name in names.items():
        if key in m:
            lines.append(_kappa_row(name, m[key]["pooled"], m[key]["mean_kappa"]))
    if original:
        for key, name in names.items():
            if key in original:
                x = original[key]
                lines.append(_kappa_row(f"{name}, original labels", x["pooled"], x["mean_kappa"]))
    prev = PREVIOUS_SMART["pooled"]
    lines.append(
        _kappa_row("previous scorer (negative cues only), original labels", prev, prev["mean"])
    )
    if human:
        h = human["actions"]
        lines.append(_kappa_row("second human coder vs original labels", h, h["mean_kappa"]))
    era = m.get("recommendations_era")
    if era and era.get("plans"):
        lines += [
            "",
            f"The recommendations-era plan(s) held out ({', '.join(era['plans'])}, "
            f"{era['n']} actions; the era of most plans published before 2022):",
            "",
            "| scorer | S | M | A | R | T | mean |",
            "|---|---|---|---|---|---|---|",
        ]
        for key, name in names.items():
            if key in era:
                lines.append(_kappa_row(name, era[key]["pooled"], era[key]["mean_kappa"]))
        if original:
            for key, name in names.items():
                if key in original:
                    x = original[key]["recommendations_era"]
                    lines.append(
                        _kappa_row(f"{name}, original labels", x["pooled"], x["mean_kappa"])
                    )
        for plan in era["plans"]:
            if plan in PREVIOUS_SMART:
                prev = PREVIOUS_SMART[plan]
                lines.append(_kappa_row("previous scorer, original labels", prev, prev["mean"]))
            h = (human or {}).get("per_plan", {}).get(plan)
            if h:
                row = f"second human coder vs original labels ({plan})"
                lines.append(_kappa_row(row, h, h["mean_kappa"]))
    app = m.get("applicability")
    if app:
        lines += [
            "",
            f"Rows SMART does not apply to get NA: of the {app['n_rationale']} labelled "
            f"rationale paragraphs, {app['with_kind']['rationale_not_applicable']} are "
            f"recognised with the reader's `kind` column and "
            f"{app['text_only']['rationale_not_applicable']} from their text alone (no `kind` "
            f"or `agreement`); {app['text_only']['actions_not_applicable']} of the "
            f"{app['n_actions']} labelled actions are wrongly set aside from the text alone.",
        ]
    lines += _human(human)
    lines += [
        "",
        "Each criterion scored 1 rests on evidence the guideline names (a committed step and "
        "who does it; a quantity, a cadence, or a deliverable a step produces, a check "
        "counting only with a cadence or number; a commitment free of hedges, contingencies, "
        "requests and refusals; words or an embedding similarity shared with the concern, or "
        "a concrete step the plan pairs with it; a date). "
        "The rules were written from the guideline's definitions and "
        "issue 17 (requests, bids and hedged steps score 0 on S as well as A); both human "
        "codings of the four plans score most such steps specific, one main source of the "
        "gap on S between the scorer and the humans (the other: actions in which the rules "
        "find no concrete step). The row *rules, a hedged step counting for S* shows the "
        "kappa of the reading issue 17 rejects (hedges, contingencies and requests lower A "
        "only), so the cost of the issue's reading on these labels is visible; the shipped "
        "scorer keeps the issue's. R has 1.5% negative labels, all a step on a neighbouring "
        "problem that shares the concern's words, so R is 0 only on evidence against a link "
        "(a non-answer, no concern, or generic activity with no concrete step sharing "
        "nothing with the concern) and its kappa is noise. "
        "The shipped scorer keeps a criterion's rule unless a learned head beat it in "
        "cross-validation inside the training plans (grouped by plan). The majority-class "
        "baseline predicts one value for every action, so its kappa is 0 by construction "
        "(undefined, `-`, where a fold's labels are all one value).",
        "",
        "Per fold (held-out plan, kappa per criterion; `-` where the fold's labels are all "
        "one value, so kappa is undefined; the mean is over the defined kappas):",
        "",
        "| scorer | held-out plan | n | S | M | A | R | T | mean |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, name in names.items():
        for fold in m.get(key, {}).get("folds", []):
            cells = [
                "-" if fold["metrics"][k]["kappa"] is None else _f(fold["metrics"][k]["kappa"])
                for k in ("S", "M", "A", "R", "T")
            ]
            lines.append(
                f"| {name} | {fold['plan']} | {fold['n']} | "
                + " | ".join(cells)
                + f" | {_f(fold['mean_kappa'])} |"
            )
    return [*lines, ""]


def _human(h: Mapping[str, Any] | None) -> list[str]:
    """The inter-annotator agreement paragraph (the human ceiling).

    >>> row = {k: {"kappa": 0.5} for k in "SMART"}
    >>> h = {"n_coded": 2, "n_items": 2, "actions": {**row, "n": 2, "mean_kappa": 0.5},
    ...      "all_rows": {**row, "n": 2, "mean_kappa": 0.5}, "changes": 1,
    ...      "changes_by_rule": {"J1": 1}}
    >>> _human(h)[1].startswith("Human ceiling")
    True
    """
    if not h:
        return []
    a, r = h["actions"], h["all_rows"]
    return [
        "",
        "Human ceiling: a second annotator coded all "
        f"{h['n_coded']} of {h['n_items']} action rows blind to the corpus labels and to any "
        "model output (`training/agreement/`). Cohen's kappa against the corpus labels as "
        f"they were, on the {a['n']} actions: "
        + ", ".join(f"{k} {_f(a[k]['kappa'])}" for k in ("S", "M", "A", "R", "T"))
        + f", mean {_f(a['mean_kappa'])} (on all {r['n']} rows, rationale included: mean "
        f"{_f(r['mean_kappa'])}). The disagreements were adjudicated by the guideline's "
        f"definitions and {h['changes']} label(s) changed "
        f"({', '.join(f'{k}: {v}' for k, v in h['changes_by_rule'].items())}; rules in "
        "`docs/annotation.md`); the scorer rows above are against the adjudicated labels "
        "unless they say *original labels*.",
    ]


def _generic(m: Any, depth: int = 0) -> list[str]:
    """A readable dump of a nested metrics dict (owners and SMART cards)."""
    lines: list[str] = []
    pad = "  " * depth
    if isinstance(m, Mapping):
        for k, v in m.items():
            if isinstance(v, (Mapping, list)) and v and not _flat_list(v):
                lines.append(f"{pad}- **{k}**:")
                lines += _generic(v, depth + 1)
            else:
                lines.append(f"{pad}- {k}: {_f(v) if not isinstance(v, list) else v}")
    elif isinstance(m, list):
        for i, v in enumerate(m):
            lines.append(f"{pad}- [{i}]")
            lines += _generic(v, depth + 1)
    return lines


def _flat_list(v: Any) -> bool:
    return isinstance(v, list) and all(not isinstance(x, (Mapping, list)) for x in v)


def render_model_card(results: Mapping[str, Mapping[str, Any]]) -> str:
    """Markdown model card for every artifact in ``results`` (name -> manifest)."""
    out = [
        "# Model card",
        "",
        "Generated by `make train` (`training/train.py`) from `training/data`; do not edit by "
        "hand. All figures are leave-one-prison-out on the four labelled sample plans "
        "(Whitemoor 2023, Peterborough 2024, Littlehey 2024, Stafford 2020): train on three "
        "plans, test on the fourth, all four ways. With four plans and a few hundred items "
        "the figures are noisy: a label seen in one plan only cannot be learnt when that plan "
        "is held out.",
        "",
    ]
    for name, manifest in results.items():
        out += _header(name, manifest)
        metrics = manifest.get("metrics", {})
        render = {"themes": _themes, "owners": _owners, "smart": _smart}.get(name, _generic)
        out += render(metrics)
        if render is _generic:
            out.append("")
        else:
            out += [
                f"Every figure behind this section (per fold, per label, errors) is in "
                f"`docs/model-cards/{name}.json`.",
                "",
            ]
    return "\n".join(out) + "\n"
