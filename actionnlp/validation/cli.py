"""The ``sample``, ``agreement`` and ``train`` commands (added to ``actionnlp``'s parser).

``sample OUT [PATH...] [--analysis DIR]`` writes a coding sheet ``OUT.xlsx`` and
``OUT.csv``; ``agreement CODED`` prints and writes the agreement table;
``train --labels CODED --out DIR`` retrains and writes verified artifacts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from actionnlp.errors import ActionPlanError

__all__ = ["add_commands", "load_models"]


def load_models(root: str | None):
    """The models in ``root`` (the shipped ones when None), with the on-disk caches."""
    from actionnlp.embed import default_embedder
    from actionnlp.embed_cache import CachedEmbedder
    from actionnlp.loading import load
    from actionnlp.result_cache import ResultCache

    return load(root, embedder=CachedEmbedder(default_embedder()), results=ResultCache())


def _sample(args: argparse.Namespace) -> int:
    from actionnlp.analysis import Analysis, analyze
    from actionnlp.validation.sheets import coding_sheet, write_sheet

    if bool(args.paths) == bool(args.analysis):
        print("actionnlp sample: give plan PATHs or --analysis DIR (one of them)", file=sys.stderr)
        return 2
    models = None
    if args.analysis:
        result = Analysis.read(args.analysis)
    else:
        models = load_models(args.models)
        result = analyze(args.paths, models=models, progress=not args.quiet)
    thresholds = None
    if args.strategy == "uncertain":
        models = models or load_models(args.models)
        tagger = models.theme_tagger
        thresholds = {
            str(c): float(t) for c, t in zip(tagger.classes_, tagger.thresholds_, strict=True)
        }
    by = [b.strip() for b in args.by.split(",") if b.strip()] if args.by else None
    try:
        sheet = coding_sheet(result, n=args.n, by=by, strategy=args.strategy, seed=args.seed,
                             thresholds=thresholds)  # fmt: skip
    except ActionPlanError as err:
        print(f"actionnlp sample: {err}", file=sys.stderr)
        return 2
    about = {"n": args.n, "by": args.by or "", "strategy": args.strategy, "seed": args.seed,
             "plans": len(result.plans)}  # fmt: skip
    xlsx, csv = write_sheet(sheet, args.out, show_models=args.show_models, about=about)
    units = sheet["unit"].value_counts().to_dict()
    print(
        f"sampled {len(sheet)} items ({units.get('concern', 0)} concerns, "
        f"{units.get('action', 0)} actions) from {len(result.plans)} plan(s); "
        f"wrote {xlsx} and {csv}"
    )
    return 0


def _agreement(args: argparse.Namespace) -> int:
    import pandas as pd

    from actionnlp.validation.agreement import agreement, write_agreement
    from actionnlp.validation.sheets import read_sheet

    try:
        sheet = read_sheet(args.sheet)
        table = agreement(sheet, n_boot=args.boot, seed=args.seed, by=args.by)
    except (ActionPlanError, KeyError) as err:
        print(f"actionnlp agreement: {err}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path(args.sheet).parent
    about = {"sheet": Path(args.sheet).name, "bootstrap resamples": args.boot, "seed": args.seed}
    csv, html = write_agreement(table, out, about=about)
    with pd.option_context("display.width", 200, "display.max_columns", None,
                           "display.float_format", "{:.2f}".format):  # fmt: skip
        print(table.to_string(index=False))
    print(f"wrote {csv} and {html}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from actionnlp.validation.retrain import train_on_labels

    try:
        base = load_models(args.models)
        evaluation = train_on_labels(args.labels, args.out, base=base, seed=args.seed)
    except ActionPlanError as err:
        print(f"actionnlp train: {err}", file=sys.stderr)
        return 2
    pooled = evaluation.get("themes_pooled")
    if pooled:
        print(
            "themes macro-F1 on your prisons (leave-one-prison-out): retrained "
            f"{pooled['retrained']['macro_f1']}, shipped {pooled['base']['macro_f1']}"
        )
    smart = evaluation.get("smart_pooled")
    if smart:
        for k in ("S", "M", "A", "R", "T"):
            print(f"SMART {k} kappa: retrained {smart['retrained'][k]['kappa']}, "
                  f"shipped {smart['base'][k]['kappa']}")  # fmt: skip
    print(f"wrote verified models to {args.out} (use: actionnlp score --models {args.out} ...)")
    return 0


def add_commands(sub) -> None:
    """Add ``sample``, ``agreement`` and ``train`` to the ``actionnlp`` sub-parsers."""
    s = sub.add_parser(
        "sample",
        help="write a coding sheet (XLSX with drop-downs, and CSV) of sampled items",
        description="Sample concerns and actions to hand code: OUT.xlsx and OUT.csv.",
    )
    s.add_argument("out", help="sheet path without suffix (OUT.xlsx and OUT.csv are written)")
    s.add_argument("paths", nargs="*", help="plan files or folders to read and score")
    s.add_argument("--analysis", help="a folder written by `actionnlp score` instead of PATHs")
    s.add_argument("--n", type=int, default=60, help="items to sample (default 60)")
    s.add_argument("--by", default="prison", help="strata: comma-separated columns ('' for none)")
    s.add_argument("--strategy", choices=["random", "uncertain"], default="random")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--show-models", action="store_true", help="do not hide the model columns")
    s.add_argument("--models", help="a models folder (default: the shipped models)")
    s.add_argument("--quiet", action="store_true", help="no progress bars")
    s.set_defaults(func=_sample)

    a = sub.add_parser(
        "agreement",
        help="agreement (kappa, F1, bootstrap intervals) between a coded sheet and the models",
        description="Read a filled coding sheet; write agreement.csv and agreement.html.",
    )
    a.add_argument("sheet", help="the filled sheet (.xlsx or .csv)")
    a.add_argument("--out", help="folder for agreement.csv/html (default: the sheet's folder)")
    a.add_argument("--boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--by", help="a sheet column to split on (e.g. unit, prison)")
    a.set_defaults(func=_agreement)

    t = sub.add_parser(
        "train",
        help="retrain on the shipped corpus plus your coded sheet; write verified models",
        description="Fit themes, SMART and owner gazetteer additions on the corpus plus "
        "your labels, evaluate leave-one-prison-out on your prisons, write DIR.",
    )
    t.add_argument("--labels", required=True, help="the filled coding sheet (.xlsx or .csv)")
    t.add_argument("--out", default="models-retrained", help="new folder for the models")
    t.add_argument("--models", help="models to start from (default: the shipped models)")
    t.add_argument("--seed", type=int, default=0)
    t.set_defaults(func=_train)
