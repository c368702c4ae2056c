"""Plans linked over time: concerns a later inspection of the same prison raises again.

Plans of one establishment are linked by :func:`actionnlp.prisons.prison_key` of the
prison name, which the tables already carry in the prison register's canonical form
(designations such as HMP / HMYOI and bracketed notes dropped, case and punctuation
ignored), so "HMP Peterborough (Men)" and "HMP/YOI Peterborough" are one establishment.
A later plan's concern is linked to a concern of an earlier plan of the same prison when

- HMIP marks it as repeated ("repeated recommendation" / "repeated concern", with the
  earlier paragraph number where printed: :func:`repeated_marks`) and that number is
  a concern of the earlier plan, or
- the two texts (concern with its recommendation) have an embedding cosine similarity
  of at least :data:`RECURRING_THRESHOLD`.

:func:`find_recurring` returns the pairs; :func:`timeline_section` is the report's
per-prison timeline: each concern raised again, beside what the earlier plan promised
for it (actions, owners, targets, status).

The four bundled samples are four different prisons: they hold no real pair of
successive plans. The tests build later plans from them (concerns repeated word for
word, reworded, or new).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from actionnlp.labels import counts_as_action
from actionnlp.prisons import prison_key

if TYPE_CHECKING:
    import pandas as pd

    from actionnlp.analysis.result import Analysis
    from actionnlp.embed import Embedder

__all__ = [
    "RECURRING_COLUMNS",
    "RECURRING_THRESHOLD",
    "find_recurring",
    "repeated_marks",
    "timeline_section",
]

RECURRING_THRESHOLD = 0.85
"""Cosine similarity (all-MiniLM-L6-v2) from which two concerns of the same prison's
successive plans are linked. Chosen on the samples (``docs/analysis.md``, "Plans over
time"; ``training/recurring_threshold.py``): above every best match between concerns of
different prisons (at most 0.83), below the reworded concerns built from them (0.87 to
0.91)."""

RECURRING_COLUMNS = [
    "prison_key",
    "prison",
    "earlier_source",
    "earlier_year",
    "earlier_concern_id",
    "earlier_text",
    "later_source",
    "later_year",
    "later_concern_id",
    "later_text",
    "marked",
    "score",
]

_MARK = re.compile(
    r"\brepeated\s+(?:(?:key|priority|main)\s+)?(?:recommendation|concern)s?\b", re.IGNORECASE
)
_NUMBER = re.compile(
    r"[\s(,:;.\-–]{0,6}(?:(?:from|see)\s+)?(?:(?:paragraph|para\.?|recommendation|concern)\s+)?"
    r"(\d{1,2}(?:\.\d{1,3})?)\b",
    re.IGNORECASE,
)


def repeated_marks(text: Any) -> tuple[bool, str | None]:
    """Whether HMIP marks a concern as repeated, and the earlier paragraph number.

    >>> repeated_marks("Cells were dirty. (Repeated recommendation 4.12)")
    (True, '4.12')
    >>> repeated_marks("This is a repeated concern from the last inspection.")
    (True, None)
    >>> repeated_marks("Audits will be repeated monthly.")
    (False, None)
    """
    if not isinstance(text, str):
        return False, None
    m = _MARK.search(text)
    if m is None:
        return False, None
    number = _NUMBER.match(text, m.end(), min(len(text), m.end() + 60))
    return True, number.group(1) if number else None


def mark_repeated(concerns: pd.DataFrame) -> pd.DataFrame:
    """``concerns`` with ``repeated`` (bool) and ``repeated_from`` (the earlier
    paragraph number HMIP printed, else None) from the concern and recommendation text."""
    from actionnlp.analysis.tables import concern_text

    out = concerns.copy()
    marks = [repeated_marks(t) for t in concern_text(out)] if len(out) else []
    out["repeated"] = [m[0] for m in marks]
    out["repeated_from"] = [m[1] for m in marks]
    return out


def _plan_order(plans: pd.DataFrame) -> pd.DataFrame:
    """Plans with a ``prison_key``, sorted by prison then date (submission, publication,
    year), then source."""
    import pandas as pd

    p = plans.copy()
    p["prison_key"] = [
        prison_key(x) or prison_key(s) for x, s in zip(p["prison"], p["source"], strict=True)
    ]
    dates = [p[c] for c in ("plan_submitted", "report_published") if c in p]
    when = pd.Series(pd.NaT, index=p.index, dtype="datetime64[ns]")
    for d in dates:
        when = when.fillna(pd.to_datetime(d))
    if "year" in p:
        years = pd.to_datetime(p["year"].astype("Int64").astype(str), format="%Y", errors="coerce")
        when = when.fillna(years)
    p["_when"] = when
    return p.sort_values(["prison_key", "_when", "source"], na_position="first", kind="stable")


def _linked_prisons(analysis: Analysis) -> dict[str, list[str]]:
    """Prison key -> its plans' sources in time order, for prisons with two plans or more."""
    if analysis.plans.empty:
        return {}
    order = _plan_order(analysis.plans)
    out = {}
    for key, group in order.groupby("prison_key", sort=True):
        if key and len(group) > 1:
            out[key] = group["source"].tolist()
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norm == 0, 1, norm)


def find_recurring(
    analysis: Analysis,
    *,
    embedder: Embedder | None = None,
    threshold: float = RECURRING_THRESHOLD,
) -> pd.DataFrame:
    """Pairs of concerns raised again in a later plan of the same prison.

    One row per (later concern, earlier plan) linked: HMIP marks the later concern as
    repeated from a paragraph number that is a concern of the earlier plan (``marked``),
    or its best match among that plan's concerns has a cosine similarity of at least
    ``threshold`` (``score`` is that similarity; for a marked pair, the similarity with
    the marked concern). Columns: :data:`RECURRING_COLUMNS`. ``embedder`` defaults to the
    bundled model, loaded only when some prison has two plans or more.

    >>> import actionnlp
    >>> find_recurring(actionnlp.Analysis.read("results"))  # doctest: +SKIP
    """
    import pandas as pd

    from actionnlp.analysis.tables import concern_text

    linked = _linked_prisons(analysis)
    if not linked:
        return pd.DataFrame(columns=RECURRING_COLUMNS)
    concerns = analysis.concerns.reset_index(drop=True)
    if "repeated_from" not in concerns:
        concerns = mark_repeated(concerns)
    concerns = concerns.assign(_text=concern_text(concerns))
    wanted = concerns["source"].isin({s for v in linked.values() for s in v}).to_numpy()
    texts = sorted(set(concerns.loc[wanted, "_text"]))
    if embedder is None:
        from actionnlp.embed import default_embedder

        embedder = default_embedder()
    from actionnlp.embed import embed_texts

    vectors = _unit(np.asarray(embed_texts(texts, embedder), dtype=float))
    index = {t: i for i, t in enumerate(texts)}
    rows = []
    for key, sources in linked.items():
        for i, later in enumerate(sources[1:], 1):
            new = concerns[concerns["source"] == later]
            for earlier in sources[:i]:
                old = concerns[concerns["source"] == earlier]
                if old.empty or new.empty:
                    continue
                A = vectors[[index[t] for t in new["_text"]]]
                B = vectors[[index[t] for t in old["_text"]]]
                S = A @ B.T
                for r, (_, c) in enumerate(new.iterrows()):
                    target = None
                    if c["repeated_from"]:
                        ids = old["concern_id"].astype(str) == c["repeated_from"]
                        if "ref" in old:
                            ids = ids | (old["ref"].astype(str) == c["repeated_from"])
                        ids = ids.to_numpy()
                        if ids.any():
                            target = int(np.flatnonzero(ids)[0])
                    best = int(S[r].argmax())
                    if target is None and S[r, best] < threshold:
                        continue
                    j = best if target is None else target
                    e = old.iloc[j]
                    rows.append(
                        {
                            "prison_key": key,
                            "prison": c.get("prison"),
                            "earlier_source": earlier,
                            "earlier_year": e.get("year"),
                            "earlier_concern_id": e["concern_id"],
                            "earlier_text": e["_text"],
                            "later_source": later,
                            "later_year": c.get("year"),
                            "later_concern_id": c["concern_id"],
                            "later_text": c["_text"],
                            "marked": target is not None,
                            "score": float(S[r, j]),
                        }
                    )
    return pd.DataFrame(rows, columns=RECURRING_COLUMNS)


def _promised(actions: pd.DataFrame, source: str, concern_id: Any) -> list[dict[str, Any]]:
    if actions.empty or "source" not in actions:
        return []
    rows = actions[(actions["source"] == source) & (actions["concern_id"] == concern_id)]
    rows = rows[counts_as_action(rows)]
    out = []
    for _, a in rows.iterrows():
        owners = a.get("owners")
        named = ", ".join(owners) if isinstance(owners, (list, tuple)) and owners else None
        out.append(
            {
                "text": a.get("action_text"),
                "owners": named or a.get("owner_raw"),
                "target": a.get("target_raw"),
                "status": a.get("status"),
            }
        )
    return out


def _s(v: Any) -> str:
    from html import escape

    if v is None or (isinstance(v, float) and v != v):
        return "–"
    return escape(str(v))


def timeline_section(
    analysis: Analysis,
    *,
    embedder: Embedder | None = None,
    threshold: float = RECURRING_THRESHOLD,
    heading: bool = True,
) -> str:
    """The report's "Plans over time" section (HTML, all text escaped; without its
    ``<h2>`` when ``heading`` is False).

    >>> import pandas as pd
    >>> from actionnlp.analysis.result import Analysis
    >>> empty = Analysis(pd.DataFrame(columns=["source", "prison"]), pd.DataFrame(),
    ...                  pd.DataFrame(), pd.DataFrame())
    >>> "no prison has two plans" in timeline_section(empty)
    True
    """
    linked = _linked_prisons(analysis)
    parts = ["<h2>Plans over time</h2>"] if heading else []
    if not linked:
        parts.append(
            '<p class="none">None: no prison has two plans in this analysis. Concerns raised '
            "again are linked when successive plans of the same prison are read together.</p>"
        )
        return "\n".join(parts)
    pairs = find_recurring(analysis, embedder=embedder, threshold=threshold)
    parts.append(
        "<p>Concerns of a later plan raised again from an earlier plan of the same prison: "
        "marked as repeated by HMIP, or with a cosine similarity of at least "
        f"{threshold:.2f} (the score). Beside each, what the earlier plan promised.</p>"
    )
    plans = analysis.plans.set_index("source")
    for key, sources in linked.items():
        name = plans.loc[sources[-1], "prison"] if "prison" in plans else key
        steps = " → ".join(
            f"{_s(plans.loc[s, 'year'] if 'year' in plans else None)} ({_s(s)})" for s in sources
        )
        found = pairs[pairs["prison_key"] == key]
        parts.append(
            f"<h3>{_s(name)}</h3><p>Plans: {steps}. {len(found)} concern(s) raised again.</p>"
        )
        if found.empty:
            continue
        parts.append(
            '<div class="scroll"><table><tr><th>later concern</th><th>link</th>'
            "<th>earlier concern</th><th>what the earlier plan promised</th></tr>"
        )
        for p in found.itertuples(index=False):
            link = "marked repeated" if p.marked else "similar"
            promised = _promised(analysis.actions, p.earlier_source, p.earlier_concern_id)
            items = "".join(
                f"<li>{_s(a['text'])} <small>owner: {_s(a['owners'])}; target: "
                f"{_s(a['target'])}; status: {_s(a['status'])}</small></li>"
                for a in promised
            )
            parts.append(
                f'<tr><td class="text"><b>{_s(p.later_year)} {_s(p.later_concern_id)}</b> '
                f"{_s(p.later_text)}</td><td>{link}<br>{p.score:.2f}</td>"
                f'<td class="text"><b>{_s(p.earlier_year)} {_s(p.earlier_concern_id)}</b> '
                f'{_s(p.earlier_text)}</td><td class="text"><ul>{items or "<li>no action</li>"}'
                "</ul></td></tr>"
            )
        parts.append("</table></div>")
    return "\n".join(parts)
