"""Retrain the models on the shipped corpus plus a researcher's coding sheet.

:func:`train_on_labels` fits the theme tagger (the shipped configuration,
:func:`actionnlp.themes.training.shipped_tagger`), the SMART scorer
(:class:`actionnlp.smart.SmartScorer`) and the owner gazetteer additions, evaluates
leave-one-prison-out on the researcher's prisons beside the models it started from,
and writes a verified artifact folder that :func:`actionnlp.load` and
``actionnlp score --models DIR`` read like the shipped one.

The shipped corpus (``training/data`` in the repository) is packaged with the library
as ``actionnlp/data/corpus`` (about 300 kB), so an installed actionnlp can retrain; a
test checks the two copies are identical (``make sync-corpus`` copies it again).

What is learnt from the sheet:

- themes: every row with a theme coded. When the sheet codes the nine shipped themes,
  the tagger is trained on the corpus, its synthetic anchors and the researcher's rows
  (a researcher's label replaces the corpus label of the same text); when it codes a
  taxonomy of its own, on the researcher's rows alone (the corpus knows other names).
- SMART: action rows with all five criteria coded, added to the corpus actions.
- owners: a coded ``code_owner_name`` the gazetteer does not know becomes an entry
  with the coded category (added to the ruler's patterns and the linker's gazetteer).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from actionnlp.errors import ArtifactError, CodingSheetError
from actionnlp.labels import SMART_KEYS, THEMES, counts_as_action
from actionnlp.validation.sheets import coded_themes, read_sheet, sheet_themes

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.loading import Models

__all__ = ["SHIPPED_CORPUS", "labelled_frames", "train_on_labels"]

SHIPPED_CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
"""The labelled corpus packaged with the library (a copy of ``training/data``)."""

SEED = 0


def _prison_key(name: Any) -> str:
    from actionnlp.prisons import prison_key

    return prison_key(name)


def labelled_frames(sheet: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The researcher's coded rows as corpus-like ``(concerns, actions)`` frames.

    Columns as :func:`actionnlp.corpus.load_corpus` returns them (``plan`` is the
    row's ``source``, ``themes`` None where not coded, ``smart`` None unless all five
    criteria are coded), plus ``owner_name`` and ``owner_category``.
    """
    import pandas as pd

    themes = coded_themes(sheet)
    smart_cols = [f"code_smart_{k}" for k in SMART_KEYS]
    rows_c, rows_a = [], []
    for i, row in sheet.iterrows():
        base = {
            "plan": str(row["source"]),
            "prison": row.get("prison"),
            "concern_id": row.get("concern_id"),
            "text": row["text"] or "",
            "themes": themes[i],
        }
        if row["unit"] == "concern":
            rows_c.append({**base, "unit": "concern"})
            continue
        codes = [row.get(c) for c in smart_cols]
        smart = None
        if all(c in sheet and not pd.isna(v) for c, v in zip(smart_cols, codes, strict=True)):
            smart = {k: int(v) for k, v in zip(SMART_KEYS, codes, strict=True)}
        rows_a.append(
            {
                **base,
                "unit": "action",
                "kind": "action",
                "action_text": base["text"],
                "concern_text": row.get("context") or "",
                "owner_raw": row.get("owner_raw") or "",
                "target_raw": row.get("target_raw") or "",
                "smart": smart,
                "owner_name": row.get("code_owner_name"),
                "owner_category": row.get("code_owner_category"),
            }
        )
    cols_c = ["plan", "prison", "unit", "concern_id", "text", "themes"]
    concerns = pd.DataFrame(rows_c, columns=cols_c)
    actions = pd.DataFrame(rows_a)
    if actions.empty:
        actions = pd.DataFrame(columns=[*cols_c, "action_text", "concern_text", "smart"])
    return concerns, actions.drop(columns=["text"], errors="ignore")


# -- themes -------------------------------------------------------------------------------


def _theme_pool(
    sheet_c: pd.DataFrame, sheet_a: pd.DataFrame, themes: list[str], corpus: Path
) -> tuple[pd.DataFrame, tuple[list[str], list[list[str]]]]:
    """Training items (``plan``, ``prison``, ``text``, ``context``, ``themes``,
    ``researcher``) and anchors for the taxonomy ``themes``."""
    import pandas as pd

    from actionnlp.corpus import load_anchors, load_corpus
    from actionnlp.themes.training import theme_items

    mine = theme_items(sheet_c, sheet_a).assign(researcher=True)
    mine = mine[mine["themes"].notna()]
    if sorted(themes) != sorted(THEMES):
        return mine.reset_index(drop=True), ([], [])
    shipped = theme_items(*load_corpus(corpus)).assign(researcher=False)
    relabelled = set(zip(mine["unit"], mine["text"], strict=True))
    keep = [k not in relabelled for k in zip(shipped["unit"], shipped["text"], strict=True)]
    return pd.concat([shipped[keep], mine], ignore_index=True), load_anchors(corpus)


def _tagger(embedder: Any, themes: list[str], seed: int, template: Any = None):
    from actionnlp.themes.training import shipped_tagger

    if template is None:
        tagger = shipped_tagger(embedder, seed)
    else:  # a fresh copy of the template's parameters, sharing the embedder (no deep copy)
        tagger = type(template)(**{**template.get_params(deep=False), "embedder": embedder})
    if sorted(themes) != sorted(THEMES):  # the shipped descriptions name other themes
        tagger.set_params(descriptions=None)
    return tagger


def _fit_tagger(
    items: pd.DataFrame, anchors, embedder: Any, themes: list[str], seed: int, template: Any
):
    pairs = list(zip(items["text"], items["context"], strict=True)) + list(anchors[0])
    labels = [list(t) for t in items["themes"]] + [list(t) for t in anchors[1]]
    missing = [t for t in themes if not any(t in row for row in labels)]
    if missing:
        raise CodingSheetError(f"no coded item has theme(s) {', '.join(missing)}: cannot learn")
    return _tagger(embedder, themes, seed, template).fit(pairs, labels)


def _indicator(rows: list[list[str]], themes: list[str]) -> np.ndarray:
    return np.array([[int(t in r) for t in themes] for r in rows], dtype=int).reshape(
        -1, len(themes)
    )


def _theme_scores(Y: np.ndarray, P: np.ndarray, themes: list[str]) -> dict[str, Any]:
    from actionnlp.validation.agreement import kappa_f1

    per = {}
    for j, t in enumerate(themes):
        _, k, f = kappa_f1(Y[:, j], P[:, j])
        per[t] = {"f1": _num(f), "kappa": _num(k), "n_pos": int(Y[:, j].sum())}
    f1s = [v["f1"] for v in per.values() if v["f1"] is not None]
    return {"per_label": per, "macro_f1": _num(np.mean(f1s)) if f1s else None, "n": len(Y)}


def _num(x: Any) -> float | None:
    x = float(x)
    return None if x != x else round(x, 4)


def _predict_with(tagger: Any, items: pd.DataFrame, themes: list[str]) -> np.ndarray:
    pred = tagger.predict(list(zip(items["text"], items["context"], strict=True)))
    classes = [str(c) for c in tagger.classes_]
    return np.column_stack(
        [pred[:, classes.index(t)] if t in classes else np.zeros(len(items), int) for t in themes]
    ).astype(int)


# -- SMART --------------------------------------------------------------------------------


def _smart_pool(sheet_a: pd.DataFrame, corpus: Path) -> pd.DataFrame:
    import pandas as pd

    from actionnlp.corpus import load_corpus

    _, shipped = load_corpus(corpus)
    shipped = shipped[counts_as_action(shipped)].assign(researcher=False)
    mine = sheet_a[sheet_a["smart"].notna()].assign(researcher=True) if len(sheet_a) else sheet_a
    if len(mine):
        relabelled = set(mine["action_text"])
        shipped = shipped[~shipped["action_text"].isin(relabelled)]
    cols = ["plan", "prison", "action_text", "concern_text", "owner_raw", "target_raw", "smart"]
    parts = [shipped[[*cols, "researcher"]]]
    if len(mine):
        parts.append(mine[[*cols, "researcher"]])
    out = pd.concat(parts, ignore_index=True)
    out["owner_raw"] = out["owner_raw"].fillna("")
    out["target_raw"] = out["target_raw"].fillna("")
    return out


def _smart_y(frame: pd.DataFrame) -> np.ndarray:
    return np.array([[int(s[k]) for k in SMART_KEYS] for s in frame["smart"]], dtype=int).reshape(
        -1, len(SMART_KEYS)
    )


# -- owners -------------------------------------------------------------------------------


def _owner_additions(sheet_a: pd.DataFrame, gazetteer: Any) -> list[Any]:
    """Gazetteer entries for coded owner names the gazetteer does not know."""
    from actionnlp.owners import GazetteerEntry

    if sheet_a.empty or "owner_name" not in sheet_a:
        return []
    new: dict[str, Any] = {}
    for name, category in zip(sheet_a["owner_name"], sheet_a["owner_category"], strict=True):
        if not isinstance(name, str) or not name.strip() or not isinstance(category, str):
            continue
        name = " ".join(name.split())
        known = gazetteer.exact(name) or gazetteer.acronym(name)
        if known is None and name not in new:
            label = "ORG" if any(w.isupper() and len(w) > 1 for w in name.split()) else "ROLE"
            new[name] = GazetteerEntry(name, category, label, ())
    return list(new.values())


def _write_owners(base: Models, additions: list[Any], out_dir: Path) -> None:
    """The base owner finder with ``additions`` in its ruler and linker, saved to
    ``out_dir``; read afresh from the base artifact's verified bytes, so ``base``'s
    own finder is left as it is."""
    from actionnlp.loading import OWNERS_ARTIFACT
    from actionnlp.owners import Gazetteer, OwnerFinder
    from actionnlp.owners.components import gazetteer_patterns

    artifact = base.artifacts.get(OWNERS_ARTIFACT)
    if artifact is None:
        raise ArtifactError("artifact was not verified: use actionnlp.load()", base.root)
    with artifact.materialised() as folder:
        finder = OwnerFinder.from_pretrained(folder)
    nlp = finder.nlp
    if additions:
        linker = nlp.get_pipe("owner_linker")
        linker.gazetteer = Gazetteer([*additions, *linker.gazetteer.entries])
        nlp.get_pipe("owner_ruler").add_patterns(gazetteer_patterns(nlp, Gazetteer(additions)))
    finder.save_pretrained(out_dir)


# -- the whole run ------------------------------------------------------------------------


def _check_out(out: Path) -> None:
    from actionnlp.loading import MODELS_DIR

    package = MODELS_DIR.resolve().parent
    target = out.resolve()
    if target == package or package in target.parents:
        raise ArtifactError("refusing to write inside the installed actionnlp package", out)
    if target.exists() and any(target.iterdir()):
        raise ArtifactError("the output folder exists and is not empty: choose a new one", out)


def _data_hash(corpus: Path, sheet: pd.DataFrame) -> str:
    from actionnlp.corpus import corpus_hash

    h = hashlib.sha256(corpus_hash(corpus).encode())
    h.update(sheet.to_csv(index=False).encode("utf-8"))
    return h.hexdigest()


def train_on_labels(
    sheet: pd.DataFrame | str | Path,
    out: str | Path,
    *,
    base: Models | None = None,
    corpus: str | Path | None = None,
    seed: int = SEED,
    tagger: Any = None,
) -> dict[str, Any]:
    """Retrain on the shipped corpus plus a coded sheet; write verified artifacts to ``out``.

    ``sheet`` is a filled coding sheet (a frame or a path, see
    :func:`~actionnlp.validation.read_sheet`); ``base`` the models to start from and to
    compare with (default: the shipped ones, :func:`actionnlp.load`), whose embedder
    is used; ``corpus`` a folder in the corpus format (default: the packaged corpus).
    ``out`` must not exist or be empty, and must not be inside the package. ``tagger``,
    an unfitted :class:`~actionnlp.themes.ThemeTagger`, is cloned for every fit instead
    of the shipped configuration (e.g. with ``cv_repeats=1``, five times quicker).

    Leave-one-prison-out on the researcher's prisons: for each prison with coded items,
    the models are refitted without that prison's items (the researcher's and the
    corpus's) and scored on its coded items, beside ``base`` scored on the same items.
    Returns the evaluation (also in ``out/evaluation.json`` and ``out/model-card.md``).
    """
    from actionnlp.artifacts import save_artifact
    from actionnlp.loading import OWNERS_ARTIFACT, load
    from actionnlp.model_card import render_model_card
    from actionnlp.smart import SmartScorer
    from actionnlp.smart.training import evaluate_predictions

    out = Path(out)
    _check_out(out)
    if isinstance(sheet, (str, Path)):
        sheet = read_sheet(sheet)
    base = base if base is not None else load()
    corpus = Path(corpus) if corpus is not None else SHIPPED_CORPUS
    from actionnlp.cache.vectors import PrefetchedEmbedder

    embedder = PrefetchedEmbedder(base.get_embedder(), keep=True)  # folds share texts
    themes = sheet_themes(sheet)
    sheet_c, sheet_a = labelled_frames(sheet)
    items, anchors = _theme_pool(sheet_c, sheet_a, themes, corpus)
    smart_pool = _smart_pool(sheet_a, corpus)
    if not items["researcher"].any() and not smart_pool["researcher"].any():
        raise CodingSheetError("the sheet has no coded row (no theme or full SMART coding)")
    item_keys = items["prison"].map(_prison_key).to_numpy()
    smart_keys = smart_pool["prison"].map(_prison_key).to_numpy()
    prisons = sorted(
        set(item_keys[items["researcher"].to_numpy()])
        | set(smart_keys[smart_pool["researcher"].to_numpy()])
    )
    folds = []
    pooled: dict[str, list[np.ndarray]] = {
        k: [] for k in ("Y", "new", "base", "y", "snew", "sbase")
    }
    for prison in prisons:
        fold: dict[str, Any] = {"prison": prison}
        test = (item_keys == prison) & items["researcher"].to_numpy()
        if test.any() and (item_keys != prison).any():
            train = items[item_keys != prison]
            fitted = _fit_tagger(train, anchors, embedder, themes, seed, tagger)
            Y = _indicator(items.loc[test, "themes"].tolist(), themes)
            new = _predict_with(fitted, items[test], themes)
            shipped = _predict_with(base.theme_tagger, items[test], themes)
            fold["themes"] = {
                "retrained": _theme_scores(Y, new, themes),
                "base": _theme_scores(Y, shipped, themes),
            }
            for k, v in (("Y", Y), ("new", new), ("base", shipped)):
                pooled[k].append(v)
        test = (smart_keys == prison) & smart_pool["researcher"].to_numpy()
        if test.any() and (smart_keys != prison).any():
            train = smart_pool[smart_keys != prison]
            scorer = SmartScorer(embedder=embedder, random_state=seed).fit(train, _smart_y(train))
            y = _smart_y(smart_pool[test])
            new = scorer.predict(smart_pool[test])
            shipped = base.smart_scorer.predict(smart_pool[test])
            fold["smart"] = {
                "retrained": evaluate_predictions(y, new),
                "base": evaluate_predictions(y, shipped),
            }
            for k, v in (("y", y), ("snew", new), ("sbase", shipped)):
                pooled[k].append(v)
        folds.append(fold)
    evaluation: dict[str, Any] = {
        "prisons": prisons,
        "themes": themes,
        "n_theme_items": {
            "corpus": int((~items["researcher"]).sum()),
            "researcher": int(items["researcher"].sum()),
        },
        "n_smart_actions": {
            "corpus": int((~smart_pool["researcher"]).sum()),
            "researcher": int(smart_pool["researcher"].sum()),
        },
        "n_anchors": len(anchors[0]),
        "seed": seed,
        "folds": folds,
    }
    if pooled["Y"]:
        Y = np.vstack(pooled["Y"])
        evaluation["themes_pooled"] = {
            "retrained": _theme_scores(Y, np.vstack(pooled["new"]), themes),
            "base": _theme_scores(Y, np.vstack(pooled["base"]), themes),
        }
    if pooled["y"]:
        y = np.vstack(pooled["y"])
        evaluation["smart_pooled"] = {
            "retrained": evaluate_predictions(y, np.vstack(pooled["snew"])),
            "base": evaluate_predictions(y, np.vstack(pooled["sbase"])),
        }

    # Final models on everything, written as verified artifacts.
    data_hash = _data_hash(corpus, sheet)
    final = _fit_tagger(items, anchors, embedder, themes, seed, tagger)
    manifests = {}
    theme_metrics = {
        "themes_pooled": evaluation.get("themes_pooled"),
        "n": evaluation["n_theme_items"],
    }
    manifests["themes"] = save_artifact(
        out / "themes-v1", name="themes", version=1, labels=themes, data_hash=data_hash,
        metrics=theme_metrics, embedding=embedder,
        write_files=final.save_pretrained,
    )  # fmt: skip
    scorer = SmartScorer(embedder=embedder, random_state=seed).fit(smart_pool, _smart_y(smart_pool))
    manifests["smart"] = save_artifact(
        out / "smart-v1", name="smart", version=1, labels=list(SMART_KEYS), data_hash=data_hash,
        metrics={"smart_pooled": evaluation.get("smart_pooled"),
                 "n": evaluation["n_smart_actions"],
                 "final_selection": dict(scorer.selection_)},
        embedding=embedder, write_files=scorer.save_pretrained,
    )  # fmt: skip
    additions = _owner_additions(sheet_a, base.owner_finder.gazetteer)
    evaluation["owner_additions"] = [
        {"canonical": e.canonical, "category": e.category, "label": e.label} for e in additions
    ]
    manifests["owners"] = save_artifact(
        out / "owners-v1", name="owners", version=1,
        labels=list(base.manifests[OWNERS_ARTIFACT].get("labels", [])), data_hash=data_hash,
        metrics={"gazetteer_additions": evaluation["owner_additions"]},
        write_files=lambda d: _write_owners(base, additions, d),
    )  # fmt: skip
    from actionnlp.artifacts import pins_of, write_pin_file
    from actionnlp.loading import ARTIFACTS, PIN_FILE

    write_pin_file(out / PIN_FILE, pins_of(out, ARTIFACTS))  # load(out) checks the manifests
    (out / "evaluation.json").write_text(json.dumps(evaluation, indent=2) + "\n", "utf-8")
    results = {
        f"{name} (retrained)": json.loads((path / "manifest.json").read_text("utf-8"))
        for name, path in manifests.items()
    }
    sections = render_model_card(results).split("\n## ", 1)[1]  # without the shipped intro
    for name in manifests:
        sections = sections.replace(f"{name} (retrained) (`{name} (retrained)-v1`)", f"{name}-v1")
    card = _card_intro(evaluation) + "\n## " + sections
    (out / "model-card.md").write_text(card, encoding="utf-8")
    verified = load(out, embedder=embedder)  # refuses anything the manifests do not vouch for
    evaluation["verified"] = sorted(verified.manifests)
    return evaluation


def _fmt(x: Any) -> str:
    return "–" if x is None else f"{x:.2f}"


def _card_intro(ev: dict[str, Any]) -> str:
    """The head of the retrained models' card: what they learnt and the comparison."""
    lines = [
        "# Model card: models retrained on a researcher's labels",
        "",
        f"Written by `actionnlp train --labels`. Theme items: {ev['n_theme_items']['corpus']} "
        f"from the shipped corpus, {ev['n_theme_items']['researcher']} coded by the researcher "
        f"({ev['n_anchors']} synthetic anchors in training only). SMART actions: "
        f"{ev['n_smart_actions']['corpus']} from the corpus, "
        f"{ev['n_smart_actions']['researcher']} coded. Themes: {', '.join(ev['themes'])}.",
        "",
        "Leave-one-prison-out on the researcher's prisons "
        f"({', '.join(ev['prisons'])}): each prison's coded items are predicted by models "
        "refitted without that prison, beside the models retraining started from. Few coded "
        "items make these figures noisy.",
        "",
        "| | retrained | started from |",
        "|---|---|---|",
    ]
    t = ev.get("themes_pooled")
    if t:
        lines.append(
            f"| themes macro-F1 | {_fmt(t['retrained']['macro_f1'])} "
            f"| {_fmt(t['base']['macro_f1'])} |"
        )
    s = ev.get("smart_pooled")
    if s:
        for k in SMART_KEYS:
            lines.append(
                f"| SMART {k} kappa | {_fmt(s['retrained'][k]['kappa'])} | "
                f"{_fmt(s['base'][k]['kappa'])} |"
            )
    added = ", ".join(f"{a['canonical']} ({a['category']})" for a in ev["owner_additions"])
    lines += ["", f"Owner gazetteer additions: {added or 'none'}.", ""]
    return "\n".join(lines) + "\n"
