"""Command line: ``actionnlp parse|score|compare|sample|agreement|train``.

``parse PATH... --out DIR`` reads every plan it is given (files or folders) and writes
the plans, concerns, actions, problems and errors tables; ``score PATH... --out DIR``
also runs the three models and writes ``report.html``. Both write through one writer
(:meth:`~actionnlp.analysis.Analysis.write`: ``--format parquet|csv|xlsx|dta``, plus
``codebook.csv`` and ``analysis.json``), so ``compare DIR`` works on the output of either.
``score`` also takes a researcher's table (``.csv``, ``.xlsx``, ``.parquet``; ``--columns``
maps its column names). One bad file becomes a row of ``errors``; the exit code is
non-zero when nothing could be read, with a message saying why.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

__all__ = ["build_parser", "main"]

TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")
#: Problems also printed in full: they say the plan itself is incomplete.
HEADLINE_PROBLEMS = ("numbering_gap", "stated_totals", "truncated", "missing_metadata")
FORMATS = ("parquet", "csv", "xlsx", "dta")


def _print_summary(result) -> None:
    """Per plan: prison, file, concerns, its problems counted by kind and the headline
    ones in full; then failures."""
    problems = result.problems
    for plan in result.plans.itertuples(index=False):
        name = Path(str(plan.source or "")).name
        print(f"  {plan.prison or '?'} ({name}): {plan.n_concerns} concerns")
        mine = problems[problems["source"] == plan.source] if len(problems) else problems
        if len(mine):
            counts = mine["kind"].value_counts(sort=True)
            kinds = ", ".join(f"{k} {n}" for k, n in counts.items())
            print(f"    {len(mine)} problem(s): {kinds}")
            for kind, message in zip(mine["kind"], mine["message"], strict=True):
                if kind in HEADLINE_PROBLEMS:
                    print(f"    - {kind}: {message}")
    for message in result.errors["message"] if len(result.errors) else []:
        print(f"  FAILED {message}", file=sys.stderr)


def _nothing_read(result, notes: list[str], what: str) -> int:
    why = "; ".join(notes) or "every file failed (see above)"
    print(f"actionnlp {what}: nothing could be read: {why}", file=sys.stderr)
    return 1


def _columns(spec: str | None) -> dict[str, str] | None:
    """``"Their name=our_name,Other=agreement"`` as a mapping."""
    if not spec:
        return None
    out = {}
    for pair in spec.split(","):
        theirs, sep, ours = pair.partition("=")
        if not sep or not theirs.strip() or not ours.strip():
            raise SystemExit(f"actionnlp: --columns wants THEIRS=OURS pairs, got {pair!r}")
        out[theirs.strip()] = ours.strip()
    return out


def _source(args: argparse.Namespace):
    """The plans to read, or a researcher's table (all paths tables) as one frame."""
    tables = [p for p in args.paths if Path(p).suffix.lower() in TABLE_SUFFIXES]
    if not tables:
        return args.paths, None
    if len(tables) != len(args.paths):
        raise SystemExit(
            "actionnlp: give either plan files/folders or researcher's tables "
            f"({', '.join(TABLE_SUFFIXES)}), not both"
        )
    import pandas as pd

    from actionnlp.analysis.tables import read_table

    return pd.concat([read_table(p) for p in tables], ignore_index=True), _columns(args.columns)


def _run(args: argparse.Namespace, what: str, build) -> int:
    """Build the analysis, write it, print the summary; 1 when nothing was read."""
    from actionnlp.errors import ActionPlanError

    try:
        source, columns = _source(args)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            result = build(source, columns)
    except ActionPlanError as err:
        print(f"actionnlp {what}: {err}", file=sys.stderr)
        return 2
    notes = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    n_actions = int(result.plans["n_actions"].sum()) if len(result.plans) else 0
    print(
        f"{'read' if what == 'parse' else 'scored'} {len(result.plans)} plan(s): "
        f"{len(result.concerns)} concerns, {n_actions} actions, "
        f"{len(result.problems)} problem(s); {len(result.errors)} file(s) failed"
    )
    _print_summary(result)
    if len(result.plans) == 0:
        return _nothing_read(result, notes, what)
    out = Path(args.out)
    result.write(out, args.format)
    wrote = f"{args.format} tables, codebook.csv and analysis.json"
    if what == "score":
        wrote += f", {result.report(out / 'report.html').name}"
    print(f"wrote {wrote} into {out}")
    return 0


def _parse(args: argparse.Namespace) -> int:
    from actionnlp.analysis.run import parse_tables

    return _run(
        args,
        "parse",
        lambda src, cols: parse_tables(
            src, columns=cols, n_jobs=args.jobs, progress=not args.quiet
        ),
    )


def _score(args: argparse.Namespace) -> int:
    from actionnlp.analysis import analyze

    models = None
    if args.no_cache:
        from actionnlp.loading import load

        models = load(args.models)  # no embedding or result cache: nothing read or written
    elif args.models:
        from actionnlp.validation.cli import load_models

        models = load_models(args.models)
    return _run(
        args,
        "score",
        lambda src, cols: analyze(
            src, models=models, columns=cols, n_jobs=args.jobs, progress=not args.quiet
        ),
    )


def format_table(table, by: Sequence[str], transpose: bool) -> str:
    """The comparison as text: counts as integers, shares with two decimals.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"prison": ["A"], "n_plans": [9], "smart_mean": [2.5]})
    >>> print(format_table(t, ["prison"], transpose=True))
    prison         A
    n_plans        9
    smart_mean  2.50
    """
    import pandas as pd

    shown = table.copy()
    for col in shown.columns:
        if col in by:
            continue
        if pd.api.types.is_integer_dtype(shown[col]):
            shown[col] = [str(v) for v in shown[col]]
        elif pd.api.types.is_float_dtype(shown[col]):
            shown[col] = ["" if pd.isna(v) else f"{v:.2f}" for v in shown[col]]
    if transpose:
        return shown.set_index(list(by)).T.to_string()
    return shown.to_string(index=False)


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
    with pd.option_context("display.max_columns", None, "display.width", 200):
        print(format_table(table, by, args.transpose))
    return 0


def _batch_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments ``parse`` and ``score`` share."""
    p.add_argument("paths", nargs="+", help="plan files or folders")
    p.add_argument("--out", default="out", help="output folder")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="parquet",
        help="parquet (real types), csv (plain tools), xlsx (one workbook), dta (Stata)",
    )
    p.add_argument(
        "--jobs", type=int, default=1, help="joblib workers: read files and score plans in parallel"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument(
        "--columns",
        default=None,
        help="for a researcher's table: THEIRS=OURS pairs, comma-separated, e.g. "
        "'Rec no=concern_id,Decision=agreement'",
    )


def _add(sub, name: str, **kwargs) -> argparse.ArgumentParser:
    """A subcommand whose --help shows every default."""
    return sub.add_parser(name, formatter_class=argparse.ArgumentDefaultsHelpFormatter, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    from actionnlp import __version__

    parser = argparse.ArgumentParser(
        prog="actionnlp",
        description="Read UK prison action plans into tidy tables.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"actionnlp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = _add(
        sub,
        "parse",
        help="read plans and write plans/concerns/actions/problems/errors tables",
        description=(
            "Read plans (files or folders of .pdf .docx .html .htm .txt .md .text .tsv) "
            "into tables, or a researcher's table (.csv .xlsx .parquet)."
        ),
    )
    _batch_arguments(p)
    p.set_defaults(func=_parse)

    s = _add(
        sub,
        "score",
        help="read plans, tag themes, find owners, score SMART; write tables and report.html",
        description=(
            "Read plans (files or folders) or a researcher's table (.csv .xlsx .parquet), "
            "run the theme, owner and SMART models, and write the tables plus report.html."
        ),
    )
    _batch_arguments(s)
    s.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the on-disk embedding and result caches",
    )
    s.add_argument("--models", help="a folder of models (`actionnlp train`); default: shipped")
    s.set_defaults(func=_score)

    c = _add(
        sub,
        "compare",
        help="print the comparison table of a saved analysis",
        description="Print theme, SMART, owner, agreement and target comparisons per group.",
    )
    c.add_argument("dir", help="folder written by `actionnlp parse` or `actionnlp score`")
    c.add_argument(
        "--by", default="prison", help="comma-separated plan columns, e.g. operator,year"
    )
    c.add_argument("--transpose", action="store_true", help="one column per group (easier to read)")
    c.set_defaults(func=_compare)
    from actionnlp.validation.cli import add_commands

    add_commands(sub)  # sample, agreement, train
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``actionnlp`` command."""
    args = build_parser().parse_args(argv)
    try:
        code = int(args.func(args))
        sys.stdout.flush()
    except BrokenPipeError:  # `actionnlp compare out | head`: the reader left, say nothing
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":
    raise SystemExit(main())
