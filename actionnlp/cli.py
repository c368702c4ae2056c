"""Command line: ``actionnlp parse|score|compare``.

``parse PATH... --out DIR`` reads every plan it is given (files or folders), writes
the concerns, actions, problems and errors tables, and prints a summary.
``score PATH... --out DIR`` also runs the three models and writes the
:class:`~actionnlp.analysis.Analysis` tables and ``report.html``; ``compare DIR``
prints the comparison table of a saved analysis. One bad file becomes a row of
``errors``; the exit code is non-zero only when nothing could be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def _write(frame, out: Path, name: str, fmt: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.{fmt}"
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


#: Problems worth a line in the summary: they say the plan itself is incomplete.
_HEADLINE_PROBLEMS = ("numbering_gap", "stated_totals", "truncated")


def _print_plans(plans, problems, errors) -> None:
    """Per plan: prison, file and concerns, then its headline problems; then failures."""
    for prison, source, n_concerns in plans:
        print(f"  {prison or '?'} ({Path(str(source or '')).name}): {n_concerns} concerns")
        for src, kind, message in problems:
            if src == source and kind in _HEADLINE_PROBLEMS:
                print(f"    - {kind}: {message}")
    for message in errors["message"] if len(errors) else []:
        print(f"  FAILED {message}", file=sys.stderr)


def _parse(args: argparse.Namespace) -> int:
    import pandas as pd

    from actionnlp.read.api import read_plans

    plans, errors = read_plans(args.paths, n_jobs=args.jobs, progress=not args.quiet)
    frames = {
        "concerns": [p.to_frame("concerns") for p in plans],
        "actions": [p.to_frame("actions") for p in plans],
        "problems": [p.to_frame("problems") for p in plans],
    }
    out = Path(args.out)
    written = []
    for name, parts in frames.items():
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        if name == "actions" and "owners" in frame and args.format == "csv":
            frame["owners"] = frame["owners"].map(lambda xs: " | ".join(xs))
        written.append(_write(frame, out, name, args.format))
    written.append(_write(errors, out, "errors", args.format))
    n_concerns = sum(len(p.concerns) for p in plans)
    n_actions = sum(x.kind == "action" for p in plans for x in p.actions)  # as `score` counts
    n_problems = sum(len(p.problems) for p in plans)
    print(
        f"read {len(plans)} plan(s): {n_concerns} concerns, {n_actions} actions, "
        f"{n_problems} reconciliation problem(s); {len(errors)} file(s) failed"
    )
    _print_plans(
        [(p.prison, p.source, len(p.concerns)) for p in plans],
        [(p.source, x.kind, x.message) for p in plans for x in p.problems],
        errors,
    )
    print("wrote " + ", ".join(str(w) for w in written))
    return 0 if plans else 1


def _score(args: argparse.Namespace) -> int:
    from actionnlp.analysis import analyze

    models = None
    if args.no_cache:
        from actionnlp.registry import load

        models = load()  # no embedding or result cache: nothing read or written
    result = analyze(args.paths, models=models, n_jobs=args.jobs, progress=not args.quiet)
    out = Path(args.out)
    if args.format == "parquet":
        result.to_parquet(out)
    else:
        result.to_csv(out)
    n_actions = int(result.plans["n_actions"].sum()) if len(result.plans) else 0
    print(
        f"scored {len(result.plans)} plan(s): {len(result.concerns)} concerns, "
        f"{n_actions} actions; {len(result.errors)} file(s) failed"
    )
    _print_plans(
        list(result.plans[["prison", "source", "n_concerns"]].itertuples(index=False)),
        list(result.problems[["source", "kind", "message"]].itertuples(index=False)),
        result.errors,
    )
    if len(result.plans) == 0:
        print("nothing could be read; no report written", file=sys.stderr)
        return 1
    report = result.report(out / "report.html")
    print(f"wrote {args.format} tables and {report} into {out}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    import pandas as pd

    from actionnlp.analysis import Analysis
    from actionnlp.errors import ActionPlanError

    by = [b.strip() for b in args.by.split(",") if b.strip()]
    try:
        table = Analysis.read(args.dir).compare(by)
    except (FileNotFoundError, ValueError, ActionPlanError) as err:
        print(f"actionnlp compare: {err}", file=sys.stderr)
        return 2
    with pd.option_context(
        "display.max_columns", None, "display.width", 200, "display.float_format", "{:.2f}".format
    ):
        print(table.set_index(by).T.to_string() if args.transpose else table.to_string(index=False))
    return 0


def _batch_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments ``parse`` and ``score`` share."""
    p.add_argument("paths", nargs="+", help="plan files or folders")
    p.add_argument("--out", default="out", help="output folder (default: out)")
    p.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    p.add_argument(
        "--jobs", type=int, default=1, help="joblib workers: read files and score plans in parallel"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="actionnlp", description="Read UK prison action plans into tidy tables."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "parse",
        help="read plans and write concerns/actions/problems/errors tables",
        description=(
            "Read plans (files or folders of .pdf .docx .html .htm .txt .md .text .tsv) "
            "into tables."
        ),
    )
    _batch_arguments(p)
    p.set_defaults(func=_parse)

    s = sub.add_parser(
        "score",
        help="read plans, tag themes, find owners, score SMART; write tables and report.html",
        description=(
            "Read plans (files or folders), run the theme, owner and SMART models, and "
            "write the plans/concerns/actions/problems/errors tables plus report.html."
        ),
    )
    _batch_arguments(s)
    s.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the on-disk embedding and result caches",
    )
    s.set_defaults(func=_score)

    c = sub.add_parser(
        "compare",
        help="print the comparison table of a saved analysis",
        description="Print theme, SMART, owner, agreement and target comparisons per group.",
    )
    c.add_argument("dir", help="folder written by `actionnlp score`")
    c.add_argument("--by", default="prison", help="comma-separated plan columns (default: prison)")
    c.add_argument("--transpose", action="store_true", help="one column per group (easier to read)")
    c.set_defaults(func=_compare)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``actionnlp`` command."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
