"""Explorer data: evidence highlights, filters of comparison figures, safe JSON."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from actionnlp.analysis.compare import metrics
from actionnlp.analysis.explorer import evidence_spans, explorer_data, metric_filter, script_json


def test_evidence_spans_find_each_quote():
    text = "The Head of Safety will audit cells MONTHLY and report by March 2024."
    evidence = {
        "S": "step: 'audit'; owner: Head of Safety",
        "M": "frequency: 'monthly'",
        "A": "no hedge or contingency",
        "R": "addresses concern: shares 'cell'",
        "T": "target date: March 2024",
    }
    spans = evidence_spans(text, evidence)
    got = {(text[s:e], k) for s, e, k in spans}
    assert ("audit", "S") in got and ("MONTHLY", "M") in got
    assert ("cells", "R") in got  # a stem extends to the end of its word
    assert ("Head of Safety", "S") in got  # a labelled value found in the text
    assert ("March 2024", "T") in got
    assert not any(k == "A" for _, _, k in spans)  # evidence that quotes nothing


def test_evidence_spans_edge_cases():
    assert evidence_spans(None, {"S": "'x'"}) == []
    assert evidence_spans("text", None) == []
    assert evidence_spans("text", {"S": None}) == []
    assert evidence_spans("abc", {"S": "'zzz'"}) == []


@given(st.text(max_size=200), st.dictionaries(st.sampled_from("SMART"), st.text(max_size=60)))
def test_evidence_spans_are_ordered_and_disjoint(text, evidence):
    spans = evidence_spans(text, evidence)
    end = 0
    for start, stop, key in spans:
        assert end <= start < stop <= len(text) and key in "SMART"
        end = stop


@given(st.text(max_size=100))
def test_script_json_round_trips_and_never_closes_the_script(text):
    out = script_json({"t": text, "n": [1, None]})
    assert "<" not in out and ">" not in out and "&" not in out
    assert json.loads(out) == {"t": text, "n": [1, None]}


def test_every_figure_has_a_filter():
    for m in metrics(expected=True):
        f = metric_filter(m.column)
        assert f and set(f) <= {"theme", "smart", "owner", "decision", "status", "counted"}
    assert metric_filter("owner_other") == {"owner": "other", "counted": "1"}
    assert metric_filter("not_agreed_rate") == {"decision": "not_agreed"}


def test_explorer_data_matches_compare(samples):
    data = explorer_data(samples, ["prison"])
    table = samples.compare()
    assert data["groups"] == table.prison.tolist()
    counted = [sum(a["n"] for a in data["actions"] if a["g"] == g) for g in range(len(table))]
    assert counted == table.n_actions.tolist()
    json.loads(script_json(data))  # every value is JSON (no NaN, no Timestamp)
    with_spans = [a for a in data["actions"] if a["hl"]]
    assert len(with_spans) > len(data["actions"]) / 2
    for a in with_spans:
        for s, e, k in a["hl"]:
            assert a["t"][s:e] and k in a["ev"]
