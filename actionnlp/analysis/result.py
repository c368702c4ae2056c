"""The :class:`Analysis` result: five tidy tables that share ``source`` (one plan)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["ERROR_COLUMNS", "PLAN_COLUMNS", "PROBLEM_COLUMNS", "TABLES", "Analysis"]

TABLES = ("plans", "concerns", "actions", "problems", "errors")

PLAN_COLUMNS = [
    "source",
    "prison",
    "year",
    "year_source",
    "plan_submitted",
    "report_published",
    "era",
    "n_concerns",
    "n_actions",
    "n_problems",
    "stated_total",
    "stated_agreed",
    "stated_partly_agreed",
    "stated_not_agreed",
    *("read_found_share", "read_paired_by_count", "read_paired_by_position", "read_partial"),
]
PROBLEM_COLUMNS = ["source", "prison", "year", "kind", "concern_id", "message", "text"]
ERROR_COLUMNS = ["source", "error", "message"]


# -- the result ---------------------------------------------------------------------------


@dataclass
class Analysis:
    """Scored plans as five tidy tables (see the module docstring for the columns).

    Example:
        >>> import actionnlp
        >>> result = actionnlp.analyze(actionnlp.sample_paths())  # doctest: +SKIP
        >>> result.compare("prison")[["prison", "n_concerns"]]  # doctest: +SKIP
                         prison  n_concerns
        0         HMP Littlehey           9
        ...
    """

    plans: pd.DataFrame
    concerns: pd.DataFrame
    actions: pd.DataFrame
    problems: pd.DataFrame
    errors: pd.DataFrame = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.errors is None:
            import pandas as pd

            self.errors = pd.DataFrame(columns=ERROR_COLUMNS)

    def __repr__(self) -> str:
        return (
            f"Analysis({len(self.plans)} plans, {len(self.concerns)} concerns, "
            f"{len(self.actions)} action rows, {len(self.problems)} problems, "
            f"{len(self.errors)} errors)"
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """The five tables by name, in a fixed order."""
        return {name: getattr(self, name) for name in TABLES}

    def compare(
        self, by: str | Sequence[str] = "prison", *, expected: bool = False, seed: int = 0
    ) -> pd.DataFrame:
        """One row per group (``by`` is a column of ``plans`` or a list of them).

        Columns, after the group keys:

        - ``n_plans``, ``n_concerns``, ``n_actions`` (rationale rows not counted);
        - ``theme_<t>``: share of the group's concerns tagged with theme ``t``;
        - ``smart_mean``: mean SMART score (0-5) of the actions; ``smart_S_rate`` ..
          ``smart_T_rate``: share of actions meeting each criterion (rationale rows
          and rows the scorer marks not applicable are excluded);
        - ``owner_<category>``: share of all owners named in the group's actions that
          fall in each category of :data:`actionnlp.labels.OWNER_CATEGORIES`;
        - ``agreed_rate``, ``partly_agreed_rate``, ``not_agreed_rate``: shares of the
          concerns with a recorded decision (NaN when none has one);
        - ``completed_share``: share of actions whose target status is completed;
        - ``median_months_to_target``: median months from plan submission to target
          date over actions with both (NaN when unknown).

        Shares are NaN when the group has nothing to divide by. Missing values (NA
        ``smart_score`` of not-applicable rows, say) are left out of means and counts.

        Uncertainty: beside every share or mean ``x`` come ``x_n`` (the count it is
        computed over: concerns, actions, named owners or decided concerns), ``x_lo``
        and ``x_hi``, a 95% interval: Wilson score interval for shares, percentile
        bootstrap (2000 resamples of the group's actions or concerns, generator
        seeded with ``seed``, so deterministic) for ``smart_mean`` and
        ``median_months_to_target``.

        ``expected=True`` adds ``theme_<t>_expected`` (mean of the concerns' ``p_<t>``)
        and ``smart_<k>_expected`` (mean of the actions' ``p_smart_<k>``), each with its
        count and bootstrap interval: the expected share of items with the label under
        the model's probabilities. It is the less biased estimate of a share, since
        thresholded labels turn every near-miss into a 0 or 1 in the same direction,
        while probabilities (calibration is reported in the model card) average out.

        >>> a = Analysis.read("results")  # doctest: +SKIP
        >>> a.compare(["prison", "year"]).columns[:4].tolist()  # doctest: +SKIP
        ['prison', 'year', 'n_plans', 'n_concerns']
        """
        from actionnlp.analysis.compare import compare

        return compare(self, by, expected=expected, seed=seed)

    # -- persistence -------------------------------------------------------------------

    def write(self, directory: str | os.PathLike[str], fmt: str = "parquet") -> Path:
        """Write every table, the long tables of list columns, ``codebook.csv`` and the
        ``analysis.json`` manifest into ``directory``; ``fmt`` is ``parquet`` (real
        types), ``csv`` (readable by plain pandas, R and Stata), ``xlsx`` (one sheet per
        table plus the codebook) or ``dta`` (Stata). See :mod:`actionnlp.analysis.store`.

        >>> Analysis.read("results").write("results-stata", "dta")  # doctest: +SKIP
        PosixPath('results-stata')
        """
        from actionnlp.analysis.store import save_analysis

        return save_analysis(self, Path(directory), fmt)

    def to_parquet(self, directory: str | os.PathLike[str]) -> Path:
        """:meth:`write` in parquet: lists as Arrow lists, dates as dates, ids as text."""
        return self.write(directory, "parquet")

    def to_csv(self, directory: str | os.PathLike[str]) -> Path:
        """:meth:`write` in CSV (ids as ``#5.10``, lists also as long tables)."""
        return self.write(directory, "csv")

    @classmethod
    def read(cls, directory: str | os.PathLike[str]) -> Analysis:
        """Reload an analysis written by :meth:`write` (any format).

        Nothing is recomputed; list and dict columns and dtypes are restored.

        >>> Analysis.read("results")  # doctest: +SKIP
        Analysis(4 plans, 53 concerns, 208 action rows, 14 problems, 0 errors)
        """
        from actionnlp.analysis.store import load_analysis

        return load_analysis(Path(directory))

    def report(self, path: str | os.PathLike[str], *, by: str | Sequence[str] = "prison") -> Path:
        """Write one self-contained HTML page: counts, comparison, plots, problems, errors.

        >>> Analysis.read("results").report("results/report.html")  # doctest: +SKIP
        PosixPath('results/report.html')
        """
        from actionnlp.analysis.report import write_report

        return write_report(self, Path(path), by=by)


# -- building the tables ------------------------------------------------------------------
