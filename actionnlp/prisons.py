"""One canonical name per prison, with its establishment code and characteristics.

The register (``data/prison-register.tsv``) and the 2016-17 estate list
(``data/prison-estate-2016.tsv``) come from the ``symroe/prison-estate-data`` register
prototype (Open Government Licence v3.0, last updated May 2017; see ``data/README.md``).
A printed name is matched on its *key*: lower case, without designations (HMP, HMP/YOI,
HMYOI, HMIRC, "HM Prison", "Young Offender Institution"...), bracketed qualifiers
("(Men)"), punctuation and the words "the" and "and". So "HMP Peterborough (Men)",
"HMP & YOI Peterborough" and "Peterborough" are one establishment. A shared site
("HMP Usk and HMP/YOI Prescoed") also answers to each of its parts when no other
establishment has that name. Names the register does not know keep their printed form.

>>> r = PrisonRegister.default()
>>> info = r.lookup("HMP Peterborough (Men)")
>>> info.name, info.code, info.operator, info.operator_name
('HMP/YOI Peterborough', 'PB', 'contracted', 'Sodexo')
>>> r.lookup("HMP Nowhere") is None
True
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["ESTABLISHMENT_COLUMNS", "Establishment", "PrisonRegister", "prison_key"]

_DATA = Path(__file__).parent / "data"

#: Columns :meth:`PrisonRegister.annotate` adds to a plans table.
ESTABLISHMENT_COLUMNS = (
    "prison_printed",
    "prison_known",
    "establishment_code",
    "region",
    "operator",
    "operator_name",
    "prison_function",
)

_DESIGNATION_RE = re.compile(
    r"\b(?:h\.?\s?m\.?\s?p(?:rison)?|hm\s+prison|hmyoi|hmirc|yoi|irc|stc|"
    r"young\s+offenders?\s+institution|immigration\s+removal\s+centre|"
    r"secure\s+training\s+centre|prison)\b",
    re.IGNORECASE,
)
_BRACKETS_RE = re.compile(r"\([^)]*\)")
_STOP = frozenset({"the", "and", "of"})


def prison_key(name: str | None) -> str:
    """The matching key of a printed prison name ('' when nothing is left).

    >>> prison_key("HMP/YOI Peterborough (Men)"), prison_key("Mount, The")
    ('peterborough', 'mount')
    """
    if not isinstance(name, str):
        return ""
    text = _BRACKETS_RE.sub(" ", name.casefold())
    text = _DESIGNATION_RE.sub(" ", text)
    words = re.findall(r"[^\W_]+", text)
    return " ".join(w for w in words if w not in _STOP)


@dataclass(frozen=True)
class Establishment:
    """What the register knows about one establishment."""

    code: str
    name: str
    region: str | None = None
    operator: str | None = None  # "public" or "contracted"
    operator_name: str | None = None  # "PSP" (public sector) or the contractor
    function: str | None = None


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            {k: (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(fh, delimiter="\t")
        ]


class PrisonRegister:
    """Printed prison names to :class:`Establishment` records."""

    def __init__(self, establishments: list[Establishment]) -> None:
        self.establishments = establishments
        self._by_key: dict[str, Establishment] = {}
        parts: dict[str, set[str]] = {}
        for e in establishments:
            self._by_key.setdefault(prison_key(e.name), e)
            for part in re.split(r"/|\band\b", e.name):
                key = prison_key(part)
                if key:
                    parts.setdefault(key, set()).add(e.code)
        by_code = {e.code: e for e in establishments}
        for key, codes in parts.items():
            if len(codes) == 1:
                self._by_key.setdefault(key, by_code[next(iter(codes))])

    @classmethod
    def from_files(cls, register: str | Path, estate: str | Path | None = None) -> PrisonRegister:
        """A register from a ``prison-register.tsv`` and optional estate list of the same
        columns as the shipped files (open establishments only: no ``end-date``)."""
        details = {}
        if estate is not None:
            for row in _rows(Path(estate)):
                details[prison_key(_unflip(row.get("name", "")))] = row
        out: list[Establishment] = []
        for row in _rows(Path(register)):
            if row.get("end-date") or not row.get("prison-estate"):
                continue
            name = row["name"]
            extra = details.get(prison_key(name), {})
            op = extra.get("operator") or None
            out.append(
                Establishment(
                    code=row["prison-estate"],
                    name=name,
                    region=extra.get("noms_region") or None,
                    operator=None if op is None else ("public" if op == "PSP" else "contracted"),
                    operator_name=op,
                    function=extra.get("predominant_function") or None,
                )
            )
        return cls(out)

    @classmethod
    def default(cls) -> PrisonRegister:
        """The shipped 2016-17 register (read once per process)."""
        return _default()

    def lookup(self, name: str | None) -> Establishment | None:
        """The establishment a printed name refers to, or None."""
        key = prison_key(name)
        return self._by_key.get(key) if key else None

    def annotate(self, plans):  # -> pd.DataFrame
        """``plans`` with canonical ``prison`` and :data:`ESTABLISHMENT_COLUMNS`.

        ``prison_printed`` keeps the name as printed; unknown prisons keep it as
        ``prison`` too, with ``prison_known`` False.

        >>> import pandas as pd
        >>> t = PrisonRegister.default().annotate(pd.DataFrame({"prison": ["Stafford", "X"]}))
        >>> t[["prison", "establishment_code", "prison_known"]].values.tolist()
        [['HMP Stafford', 'SF', True], ['X', None, False]]
        """
        import pandas as pd

        out = plans.copy()
        printed = list(out["prison"]) if "prison" in out.columns else [None] * len(out)
        printed = [p if isinstance(p, str) else None for p in printed]
        found = [self.lookup(p) for p in printed]

        def column(values: list[object]) -> pd.Series:
            return pd.Series(values, index=out.index, dtype=object)

        out["prison_printed"] = column(printed)
        out["prison"] = column([e.name if e else p for e, p in zip(found, printed, strict=True)])
        out["prison_known"] = [e is not None for e in found]
        for col, attr in (
            ("establishment_code", "code"),
            ("region", "region"),
            ("operator", "operator"),
            ("operator_name", "operator_name"),
            ("prison_function", "function"),
        ):
            out[col] = column([getattr(e, attr) if e else None for e in found])
        return out


def _unflip(name: str) -> str:
    """'Mount, The' -> 'The Mount'."""
    head, sep, tail = name.partition(", ")
    return f"{tail} {head}" if sep and tail.casefold() == "the" else name


@cache
def _default() -> PrisonRegister:
    return PrisonRegister.from_files(
        _DATA / "prison-register.tsv", _DATA / "prison-estate-2016.tsv"
    )
