"""Plan tables as cells: the one header search and the rows a table's cells make.

The DOCX, PDF and HTML readers each turn their document's tables into matrices of
:class:`Cell` (one list of cells per printed row, a cell being its paragraphs). From
there the work is the same for every format and lives here:

* :func:`header_roles` names the role of each header cell (number, concern,
  decision, response, owner, target), or says the row is not a plan header: the
  one rule for a row of cells, used by the text reader too (its cells split from a
  line by tabs or pipes);
* :func:`find_header` is the one header search: the first of a table's top rows
  whose cells name a plan's columns;
* :func:`continues_plan` says whether a later table goes on with the plan (the
  same header repeated, or no header and the same number of columns);
* :func:`cells_to_row` and :func:`table_rows` turn cells into the
  :class:`~actionnlp.read.segment.RawRow` records the segmenter pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from actionnlp.read.cells import (
    BULLET,
    ID_RE,
    MAX_COLUMNS,
    ROLE_PATTERNS,
    clean_text,
    column_roles,
)
from actionnlp.read.dates import split_target_entries
from actionnlp.read.owners_cell import owner_lines, split_owner_entries
from actionnlp.read.segment import RawRow

T = TypeVar("T")

__all__ = [
    "Cell",
    "cells_to_row",
    "continues_plan",
    "find_header",
    "fit_to_columns",
    "header_roles",
    "matrix_text",
    "table_rows",
]


@dataclass
class Cell:
    """A table cell as paragraphs; ``listed[i]`` marks a bulleted/numbered paragraph."""

    paras: list[str] = field(default_factory=list)
    listed: list[bool] = field(default_factory=list)
    tops: list[float] = field(default_factory=list)  # PDF only: where each paragraph starts
    lines: list[str] = field(default_factory=list)  # the text at its line breaks (PDF)

    @property
    def text(self) -> str:
        return " ".join(p for p in self.paras if p)

    @classmethod
    def of(cls, paras: list[str]) -> Cell:
        return cls(list(paras), [False] * len(paras))


def _names_role(title: str) -> bool:
    return any(rx.search(title) for _, rx in ROLE_PATTERNS)


def _unbroken(title: str) -> str:
    """A title broken inside its words put back: a piece that starts with a lower-case
    letter or a stop joins the piece before it ("R ec . N o." -> "Rec. No.")."""
    out: list[str] = []
    for piece in title.split():
        if out and (piece[0].islower() or piece[0] in ".:/)"):
            out[-1] += piece
        else:
            out.append(piece)
    return " ".join(out)


def header_roles(texts: list[str]) -> list[str] | None:
    """Column roles of a header row, or None when the row is not a plan header.

    A header has at least four titled cells (and no more than
    :data:`~actionnlp.read.cells.MAX_COLUMNS` cells); the titles' words give the roles
    (:func:`~actionnlp.read.cells.column_roles`). A title that names no role is read
    again with its broken words put back: a narrow cell breaks its title inside words
    ("R ec . N o.", "Respo nsible").

    >>> header_roles(["1. Concern No", "2. Concerns", "3. Response", "4. Owner", "5. Target Date"])
    ['id', 'concern', 'response', 'owner', 'target']
    >>> header_roles(["R ec . N o.", "Concern", "Respo nse", "Own er", "Target"])
    ['id', 'concern', 'response', 'owner', 'target']
    >>> header_roles(["Term", "Definition", "Additional comment"]) is None
    True
    """
    if not 4 <= len(texts) <= MAX_COLUMNS:
        return None  # too few cells to title four columns, or too many for a header
    cells = [clean_text(t) for t in texts]
    if sum(1 for c in cells if c) < 4:
        return None
    titled = [c if _names_role(c) else _unbroken(c) for c in cells]
    return column_roles(titled)


def find_header(matrix: list[list[Cell]], depth: int = 3) -> tuple[int, list[str]] | None:
    """``(row index, roles)`` of the first of the top ``depth`` rows that is a plan header.

    >>> rows = [[Cell.of(["Action plan"])], [Cell.of([t]) for t in ("No", "Concern",
    ...         "Response", "Owner")]]
    >>> find_header(rows)
    (1, ['id', 'concern', 'response', 'owner'])
    >>> find_header(rows, depth=1) is None
    True
    """
    for i, row in enumerate(matrix[:depth]):
        roles = header_roles([c.text for c in row])
        if roles:
            return i, roles
    return None


def continues_plan(
    matrix: list[list[Cell]], roles: list[str], depth: int = 3
) -> list[list[Cell]] | None:
    """The rows of a later table that go on with a plan whose header has ``roles``.

    A table that repeats the header (in its top ``depth`` rows) continues after it; a
    table with no header and exactly as many columns continues whole; any other table
    ends the plan (None).

    >>> head = [Cell.of([t]) for t in ("No", "Concern", "Response", "Owner")]
    >>> roles = find_header([head])[1]
    >>> row = [Cell.of(["2"]), Cell.of(["Dirty."]), Cell.of(["Cleaned."]), Cell.of(["Gov"])]
    >>> continues_plan([head, row], roles) == [row], continues_plan([row], roles) == [row]
    (True, True)
    >>> continues_plan([[Cell.of(["Glossary"])]], roles) is None
    True
    """
    found = find_header(matrix, depth)
    if found is not None and found[1] == roles:
        return matrix[found[0] + 1 :]
    if found is None and matrix and max(len(r) for r in matrix) == len(roles):
        return matrix
    return None


def matrix_text(rows: list[list[Cell]]) -> str:
    """A table as text: one line per row, cells separated by tabs, blank rows dropped.

    >>> matrix_text([[Cell.of(["a"]), Cell.of(["b", "c"])], [Cell(), Cell()]])
    'a\\tb c'
    """
    lines = ["\t".join(c.text for c in row) for row in rows]
    return "\n".join(ln for ln in lines if ln.strip())


def _paragraphs(cell: Cell) -> list[str]:
    """Response paragraphs: a list paragraph joins the paragraph before it."""
    out: list[str] = []
    for text, listed in zip(cell.paras, cell.listed, strict=False):
        text = text.strip()
        if text.startswith(BULLET):
            listed, text = True, text.lstrip(BULLET + " ")
        if not text:
            continue
        if listed and out:
            out[-1] = f"{out[-1]} {text}"
        elif listed:
            out.append(f"{BULLET} {text}")  # a list continuing from the row before
        else:
            out.append(text)
    return out


def _entries(cell: Cell) -> list[str]:
    return [p.strip().lstrip(BULLET + " ") for p in cell.paras if p.strip().lstrip(BULLET + " ")]


def fit_to_columns(
    cells: list[T],
    roles: list[str],
    blank: T,
    is_id: Callable[[T], bool],
    join: Callable[[list[T]], T],
) -> list[T]:
    """A row's cells fitted to the header's columns, one rule for every table form.

    A row one cell short whose first cell is no number started a column late (its
    empty number cell dropped): a blank goes first. Short rows are padded with
    blanks; extra cells (tabs or grid columns inside the last cell) join the last.

    >>> fit_to_columns(["Dirty.", "Gov"], ["id", "concern", "owner"], "", str.isdigit, " ".join)
    ['', 'Dirty.', 'Gov']
    >>> fit_to_columns(["1", "Dirty.", "Gov", "Head"], ["id", "concern", "owner"], "",
    ...                str.isdigit, " ".join)
    ['1', 'Dirty.', 'Gov Head']
    """
    n = len(roles)
    if len(cells) == n - 1 and "id" in roles and not is_id(cells[0]):
        cells = [blank, *cells]
    cells = cells + [blank] * (n - len(cells))
    if len(cells) > n:
        cells = [*cells[: n - 1], join(cells[n - 1 :])]
    return cells


def cells_to_row(cells: list[Cell], roles: list[str], page: int | None = None) -> RawRow:
    """One table row (cells as paragraphs) -> a :class:`RawRow` (printed on ``page``).

    >>> row = cells_to_row([Cell.of(["1"]), Cell.of(["Dirty."]), Cell.of(["Rota.", "Audit."]),
    ...                     Cell.of(["Governor"]), Cell.of(["May 2024 June 2024"])],
    ...                    ["id", "concern", "response", "owner", "target"])
    >>> row.response, row.owners, row.targets
    (['Rota.', 'Audit.'], ['Governor'], ['May 2024', 'June 2024'])
    """
    cells = fit_to_columns(
        cells,
        roles,
        Cell(),
        lambda c: bool(ID_RE.match(c.text.strip())),
        lambda cs: Cell([p for c in cs for p in c.paras], [x for c in cs for x in c.listed]),
    )

    def cell(role: str) -> Cell:
        return cells[roles.index(role)] if role in roles else Cell()

    targets = [e for p in _entries(cell("target")) for e in split_target_entries(p) or [p]]
    owners = owner_lines(_entries(cell("owner")), len(targets), cell("owner").lines)
    if len(owners) == 1 and len(targets) > 1:
        owners = split_owner_entries(owners[0], len(targets)) or owners
    concern = cell("concern")
    return RawRow(
        id_cell=cell("id").text,
        concern="\n\n".join(p for p in concern.paras if p.strip()),
        agreement=cell("agreement").text,
        response=_paragraphs(cell("response")),
        owners=owners,
        targets=targets,
        page=page,
    )


def table_rows(
    rows: list[list[Cell]], roles: list[str], pages: list[int | None] | None = None
) -> list[RawRow]:
    """Rows of a plan table (header excluded) -> RawRows; blank rows are dropped.

    ``pages`` (PDF only) gives the page each row starts on, carried into
    :attr:`RawRow.page`.
    """
    at: list[int | None] = pages if pages is not None else [None] * len(rows)
    out = [cells_to_row(r, roles, p) for r, p in zip(rows, at, strict=True)]
    return [r for r in out if not r.is_empty]
