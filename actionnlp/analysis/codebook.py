"""The codebook: every column of every table an analysis writes, in one place.

``codebook.csv`` (written beside the tables), the codebook sheet of the workbook, the
Stata variable labels and ``docs/data-dictionary.md`` are all generated from
:data:`ENTRIES`, so they cannot drift apart (a test checks the docs page).

>>> frame = codebook()
>>> frame.columns.tolist()
['table', 'column', 'type', 'meaning', 'values', 'derived']
>>> frame.query("table == 'plans' and column == 'year_source'")["values"].item()
'stated | report | inspection | target-date estimate'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from actionnlp.labels import OWNER_CATEGORIES, SMART_KEYS, THEMES

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ENTRIES", "SIDE_TABLES", "Entry", "codebook", "codebook_markdown", "describe"]


class Entry(NamedTuple):
    """One column of one table."""

    table: str
    column: str
    type: str  # text | id | integer | number | boolean | date | list of text | ...
    meaning: str
    values: str = ""
    derived: str = ""


_READ = "read from the plan"
_PAGE_NOTE = "PDF plans read from their ruled table; empty for other formats"
_ID_NOTE = "CSV: written with a leading `#` so every tool reads it as text"
_PLAN_KEYS = [
    ("source", "text", "the plan's file (or the table's source / prison and year)", "", ""),
    (
        "prison",
        "text",
        "canonical prison name from the register; as printed when unknown",
        "",
        "actionnlp.prisons",
    ),
]


def _plan_meta(table: str) -> list[Entry]:
    rows = [Entry(table, *r) for r in _PLAN_KEYS]
    rows += [
        Entry(table, "plan_submitted", "date", "date the plan was submitted", "", _READ),
        Entry(
            table, "report_published", "date", "date the inspection report was published", "", _READ
        ),
        Entry(table, "year", "integer", "year of the plan", "", "see plans.year_source"),
        Entry(
            table,
            "era",
            "text",
            "plan layout era",
            "concerns | recommendations",
            "recommendations when the plan records decisions",
        ),
    ]
    return rows


def _concern_cols(table: str) -> list[Entry]:
    return [
        Entry(
            table,
            "concern_index",
            "integer",
            "position of the concern in its plan (0-based; "
            "-1 for a researcher's row without an id)",
        ),
        Entry(
            table, "concern_id", "id", "the concern's number as printed (e.g. 5.10)", "", _ID_NOTE
        ),
        Entry(table, "section", "text", "section of the plan", "priority | key | general", _READ),
        Entry(table, "directed_to", "text", "body the recommendation is directed to", "", _READ),
        Entry(
            table,
            "agreement",
            "text",
            "HMPPS decision on the recommendation",
            "agreed | partly_agreed | not_agreed",
            "standardised from Agreed / Accepted / Partly agreed / Partially accepted / "
            "Not agreed / Rejected",
        ),
        Entry(table, "ref", "id", "reference the plan gives the concern", "", _ID_NOTE),
        Entry(table, "concern_text", "text", "the inspectorate's concern", "", _READ),
        Entry(table, "recommendation_text", "text", "the recommendation, when separate", "", _READ),
    ]


def _entries() -> list[Entry]:
    themes = " | ".join(THEMES)
    cats = " | ".join(OWNER_CATEGORIES)
    e: list[Entry] = []
    e += _plan_meta("plans")[:2]
    e += [
        Entry("plans", "year", "integer", "year of the plan", "", "see year_source"),
        Entry(
            "plans",
            "year_source",
            "text",
            "where year comes from",
            "stated | report | inspection | target-date estimate",
            "stated: submission date (or the table's year); report: publication date; "
            "inspection: inspection dates; target-date estimate: earliest target date",
        ),
        *_plan_meta("plans")[2:4],
        _plan_meta("plans")[5],
        Entry("plans", "n_concerns", "integer", "concerns read"),
        Entry("plans", "n_actions", "integer", "actions read (rationale rows not counted)"),
        Entry("plans", "n_problems", "integer", "rows of problems for this plan"),
        Entry(
            "plans", "stated_total", "integer", "total recommendations the plan states", "", _READ
        ),
        Entry("plans", "stated_agreed", "integer", "agreed count the plan states", "", _READ),
        Entry(
            "plans",
            "stated_partly_agreed",
            "integer",
            "partly agreed count the plan states",
            "",
            _READ,
        ),
        Entry(
            "plans", "stated_not_agreed", "integer", "not agreed count the plan states", "", _READ
        ),
        Entry(
            "plans",
            "read_found_share",
            "number",
            "concerns found / concerns the plan states (empty when it states no total)",
            "0-1+",
            "ActionPlan.read_quality",
        ),
        Entry(
            "plans",
            "read_paired_by_count",
            "number",
            "share of actions whose paragraphs and owner/target entries paired one to one",
            "0-1",
            "ActionPlan.read_quality",
        ),
        Entry(
            "plans",
            "read_paired_by_position",
            "number",
            "share of actions paired by position despite unequal counts",
            "0-1",
            "ActionPlan.read_quality",
        ),
        Entry(
            "plans",
            "read_partial",
            "boolean",
            "the table is missing or cut off",
            "",
            "ActionPlan.read_quality",
        ),
        Entry("plans", "prison_printed", "text", "prison name as printed in the plan"),
        Entry(
            "plans",
            "prison_known",
            "boolean",
            "whether the register knows the prison",
            "",
            "actionnlp.prisons",
        ),
        Entry(
            "plans",
            "establishment_code",
            "text",
            "two-letter establishment code",
            "",
            "prison register (2016-17)",
        ),
        Entry("plans", "region", "text", "NOMS region (2016-17)", "", "prison register"),
        Entry(
            "plans",
            "operator",
            "text",
            "who runs the prison (2016-17)",
            "public | contracted",
            "prison register: PSP is public",
        ),
        Entry(
            "plans",
            "operator_name",
            "text",
            "PSP (public sector) or the contractor",
            "",
            "prison register",
        ),
        Entry(
            "plans",
            "prison_function",
            "text",
            "predominant function (2016-17), e.g. Local, Cat C Trainer",
            "",
            "prison register",
        ),
    ]
    e += _plan_meta("concerns") + _concern_cols("concerns")
    e += [
        Entry("concerns", "n_actions", "integer", "action rows of the concern"),
        Entry(
            "concerns",
            "page",
            "integer",
            "page of the PDF where the concern's first table row starts (1-based)",
            "",
            _PAGE_NOTE,
        ),
        Entry(
            "concerns",
            "repeated",
            "boolean",
            "the concern or recommendation text says HMIP is repeating it",
            "true, false",
            "'repeated recommendation' / 'repeated concern' wording (analysis.recurring)",
        ),
        Entry(
            "concerns",
            "repeated_from",
            "text",
            "the earlier paragraph number HMIP printed with the repeat mark",
            "",
            "number after the repeat mark; empty when none is printed",
        ),
        Entry(
            "concerns",
            "themes",
            "list of text",
            "themes of the concern (with its recommendation)",
            themes,
            "theme model; CSV: ` | `-separated, long form in concern_themes",
        ),
        *(
            Entry("concerns", f"p_{t}", "number", f"probability of theme {t}", "0-1", "theme model")
            for t in THEMES
        ),
    ]
    e += _plan_meta("actions") + _concern_cols("actions")
    e += [
        Entry(
            "actions", "action_index", "integer", "position of the action in its concern (0-based)"
        ),
        Entry(
            "actions",
            "kind",
            "text",
            "row kind",
            "action | rationale",
            "rationale: a reason given for not acting",
        ),
        Entry("actions", "action_text", "text", "the action HMPPS states", "", _READ),
        Entry("actions", "owner_raw", "text", "the owner cell as printed", "", _READ),
        Entry(
            "actions",
            "owner_parts",
            "list of text",
            "the owner cell split into its owners as printed (actionnlp parse only)",
            "",
            "reader; score puts owners in its place; CSV: ` | `-separated",
        ),
        Entry(
            "actions",
            "owners",
            "list of text",
            "owners named in the owner cell, canonical",
            "",
            "owner model; CSV: ` | `-separated, long form in action_owners",
        ),
        Entry("actions", "target_raw", "text", "the target cell as printed", "", _READ),
        Entry(
            "actions",
            "target_date",
            "date",
            "target date (a month is its last day)",
            "",
            "read day first from target_raw",
        ),
        Entry(
            "actions",
            "status",
            "text",
            "target status",
            "completed | ongoing | planned",
            "from target_raw",
        ),
        Entry(
            "actions",
            "page",
            "integer",
            "page of the PDF where the action's table row starts (1-based)",
            "",
            _PAGE_NOTE + "; a row broken across pages has its first page",
        ),
        Entry(
            "actions",
            "months_to_target",
            "number",
            "months from plan_submitted to target_date",
            "",
            "(days) / 30.44",
        ),
        Entry(
            "actions",
            "action_themes",
            "list of text",
            "themes of the action (its concern as context)",
            themes,
            "theme model; CSV: ` | `-separated, long form in action_themes",
        ),
        *(
            Entry(
                "actions",
                f"p_action_{t}",
                "number",
                f"probability of theme {t} for the action",
                "0-1",
                "theme model",
            )
            for t in THEMES
        ),
        Entry(
            "actions",
            "owner_categories",
            "list of text",
            "category of each owner, parallel to owners",
            cats,
            "owner model; long form in action_owners",
        ),
        Entry(
            "actions",
            "owner_category_evidence",
            "list of text",
            "what decided each owner's category, parallel to owners",
            "gazetteer; rule: <name>; embedding: <cosine> to <name>; none",
            "owner model; long form in action_owners",
        ),
        Entry(
            "actions",
            "owner_mentions",
            "list of records",
            "owners named in the action text",
            "",
            "owner model; not in CSV/XLSX/DTA main tables: see owner_mentions",
        ),
        *(
            Entry(
                "actions",
                f"smart_{k}",
                "integer",
                f"SMART criterion {k} met",
                "0 | 1",
                "SMART scorer",
            )
            for k in SMART_KEYS
        ),
        *(
            Entry(
                "actions",
                f"p_smart_{k}",
                "number",
                f"probability criterion {k} is met",
                "0-1",
                "SMART scorer",
            )
            for k in SMART_KEYS
        ),
        Entry("actions", "smart_score", "integer", "criteria met", "0-5", "sum of smart_S..T"),
        Entry(
            "actions",
            "smart_evidence",
            "record",
            "why each criterion was scored",
            "",
            "SMART scorer; not in CSV/XLSX/DTA main tables: see smart_evidence",
        ),
        Entry(
            "actions", "smart_applicable", "boolean", "whether SMART applies (not a rationale row)"
        ),
    ]
    e += [Entry("problems", *r) for r in _PLAN_KEYS] + [
        Entry("problems", "year", "integer", "year of the plan"),
        Entry(
            "problems",
            "kind",
            "text",
            "what was found",
            "numbering_gap | stated_totals | count_mismatch | unplaced_text | clipped_id | "
            "duplicate_text | truncated | no_response | missing_metadata | ...",
            "reconciliation; missing_metadata: no submission date",
        ),
        Entry("problems", "concern_id", "id", "the concern concerned, if any", "", _ID_NOTE),
        Entry("problems", "message", "text", "what is wrong, in words"),
        Entry("problems", "text", "text", "text that could not be placed (nothing is lost)"),
        Entry("errors", "source", "text", "the file that could not be read"),
        Entry("errors", "error", "text", "error class (see actionnlp.errors)"),
        Entry("errors", "message", "text", "what is wrong with the file"),
    ]
    key = [
        Entry("", "source", "text", "the plan (joins plans.source)"),
        Entry("", "concern_index", "integer", "the concern's position (joins the main table)"),
        Entry("", "concern_id", "id", "the concern's number", "", _ID_NOTE),
    ]
    act = Entry("", "action_index", "integer", "the action's position (joins actions)")
    for name, keys, extra in (
        ("concern_themes", key, [Entry("", "theme", "text", "one theme", themes)]),
        ("action_themes", [*key, act], [Entry("", "theme", "text", "one theme", themes)]),
        (
            "action_owners",
            [*key, act],
            [
                Entry("", "position", "integer", "order of the owner in the cell (0-based)"),
                Entry("", "owner", "text", "one owner, canonical"),
                Entry("", "owner_category", "text", "its category", cats),
                Entry(
                    "",
                    "owner_category_evidence",
                    "text",
                    "what decided its category",
                    "gazetteer; rule: <name>; embedding: <cosine> to <name>; none",
                ),
            ],
        ),
        (
            "owner_mentions",
            [*key, act],
            [
                Entry("", "position", "integer", "order of the mention (0-based)"),
                Entry("", "start_char", "integer", "first character in action_text"),
                Entry("", "end_char", "integer", "character after the mention"),
                Entry("", "text", "text", "the mention as written"),
                Entry("", "label", "text", "mention kind", "ROLE | ORG"),
                Entry("", "canonical", "text", "canonical owner"),
                Entry("", "category", "text", "owner category", cats),
            ],
        ),
        (
            "smart_evidence",
            [*key, act],
            [
                Entry("", "criterion", "text", "SMART criterion", " | ".join(SMART_KEYS)),
                Entry("", "evidence", "text", "why it was scored so"),
            ],
        ),
    ):
        e += [x._replace(table=name) for x in (*keys, *extra)]
    return e


ENTRIES: list[Entry] = _entries()

#: Long tables of list and record columns: name -> (main table, its nested columns).
SIDE_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "concern_themes": ("concerns", ("themes",)),
    "action_themes": ("actions", ("action_themes",)),
    "action_owners": ("actions", ("owners", "owner_categories", "owner_category_evidence")),
    "owner_mentions": ("actions", ("owner_mentions",)),
    "smart_evidence": ("actions", ("smart_evidence",)),
}


def describe(table: str, column: str) -> Entry:
    """The entry of ``table.column``; a column a researcher's table brought is
    described as such.

    >>> describe("actions", "smart_score").values
    '0-5'
    """
    for entry in ENTRIES:
        if entry.table == table and entry.column == column:
            return entry
    return Entry(
        table, column, "as given", "a column of the researcher's own table", "", "kept as given"
    )


def codebook(tables: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """The codebook as a table; with ``tables`` (name -> columns written), exactly those
    columns in that order, else every documented column."""
    import pandas as pd

    if tables is None:
        rows = list(ENTRIES)
    else:
        rows = [describe(t, c) for t, cols in tables.items() for c in cols]
    return pd.DataFrame(rows, columns=list(Entry._fields))


def codebook_markdown() -> str:
    """``docs/data-dictionary.md``: the codebook as one markdown table per table."""
    out = [
        "# Data dictionary",
        "",
        "<!-- generated by actionnlp.analysis.codebook.codebook_markdown(); do not edit -->",
        "",
        "Every column of every table `actionnlp parse` and `actionnlp score` write (and "
        "`codebook.csv` beside them, from the same source). Types: *id* is text that looks "
        "like a number (keep it as text); *list* columns are Arrow lists in parquet, "
        "` | `-separated in the CSV/XLSX main tables and one row per item in the long "
        "tables; *record* columns are only in parquet and the long tables. Cells of "
        "CSV/XLSX text that start with `=`, `+`, `-`, `@`, tab or carriage return are "
        "prefixed with `'` (see [Using the outputs](outputs.md)).",
        "",
    ]
    frame = codebook()
    for table, rows in frame.groupby("table", sort=False):
        out += [
            f"## {table}",
            "",
            "| column | type | meaning | values | derived |",
            "|---|---|---|---|---|",
        ]
        for r in rows.itertuples(index=False):
            cells = [f"`{r.column}`", r.type, r.meaning, r.values, r.derived]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # python -m actionnlp.analysis.codebook > docs/data-dictionary.md
    print(codebook_markdown())
