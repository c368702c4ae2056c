"""``analyze``: read plans (or take a researcher's table), run the three models, compare.

One :class:`Analysis` holds five tidy tables that share ``source`` (one plan):

``plans``
    One row per plan: ``source``, ``prison`` (canonical register name), ``year``,
    ``year_source``, ``plan_submitted``, ``report_published``, ``era``, ``n_concerns``,
    ``n_actions`` (rationale rows not counted), ``n_problems``, ``stated_total``,
    ``stated_agreed``, ``stated_partly_agreed``, ``stated_not_agreed`` (totals the plan
    itself states), ``read_found_share``, ``read_paired_by_count``,
    ``read_paired_by_position``, ``read_partial`` (how sure the reader is:
    :meth:`ActionPlan.read_quality`), then ``prison_printed``, ``prison_known``,
    ``establishment_code``, ``region``, ``operator``, ``operator_name``,
    ``prison_function`` (the prison register, :mod:`actionnlp.prisons`).
``concerns``
    :meth:`ActionPlan.to_frame` ``("concerns")`` plus ``themes`` (list of theme
    names) and ``p_<theme>`` for each theme in :data:`actionnlp.labels.THEMES`,
    tagged from the concern text followed by its recommendation.
``actions``
    :meth:`ActionPlan.to_frame` ``("actions")`` plus ``action_themes`` and
    ``p_action_<theme>`` (themes of the action's own text), ``owners``,
    ``owner_categories``, ``owner_mentions`` (owner model), ``smart_S`` ..
    ``smart_T``, ``p_smart_S`` .. ``p_smart_T``, ``smart_score``,
    ``smart_evidence``, ``smart_applicable`` (SMART scorer) and
    ``months_to_target`` (months from ``plan_submitted`` to ``target_date``).
``problems``
    What reconciliation found in each plan (``kind``, ``concern_id``, ``message``, ``text``).
``errors``
    Files that could not be read: ``source``, ``error``, ``message``.

Every column is described in :mod:`actionnlp.analysis.codebook` (``codebook.csv``).
"""

from actionnlp.analysis.result import Analysis
from actionnlp.analysis.run import analyze, parse_tables
from actionnlp.analysis.tables import REQUIRED_COLUMNS, frames_from_plans, frames_from_table

__all__ = [
    "REQUIRED_COLUMNS",
    "Analysis",
    "analyze",
    "frames_from_plans",
    "frames_from_table",
    "parse_tables",
]
