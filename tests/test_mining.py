from __future__ import annotations

import pandas as pd
import pytest

import actionnlp
from actionnlp.embed import FakeEmbedder
from actionnlp.mining import OUTLIER, ThemeClusters, find_boilerplate, mine_themes, similar

FAKE = FakeEmbedder(dim=256)
PRISONS = ["HMP A", "HMP B", "HMP C", "HMP D"]
GROUPS = {
    "drug": [
        "Drug testing rates were low and drugs were easy to get.",
        "Mandatory drug testing was not carried out and drugs were widely available.",
        "Illicit drugs entered the prison and drug testing was rare.",
        "Drug finds were high and random drug testing was suspended.",
    ],
    "food": [
        "Food portions were small and the food was often cold.",
        "Prisoners complained the food was cold and portions were poor.",
        "The quality of food was poor and meal portions were small.",
        "Food was served too early and portions of food were small.",
    ],
    "education": [
        "Education classes were cancelled and too few attended education.",
        "Attendance at education and classes in English and maths was low.",
        "Education provision was poor and classes were often cancelled.",
        "Too few prisoners attended education classes or vocational training.",
    ],
}
LONER = "The chapel roof leaked during winter storms."


def themes_frame() -> pd.DataFrame:
    rows = []
    for texts in GROUPS.values():
        for prison, text in zip(PRISONS, texts, strict=True):
            rows.append({"prison": prison, "year": 2024, "concern_text": text})
    rows.append({"prison": "HMP A", "year": 2023, "concern_text": LONER})
    frame = pd.DataFrame(rows)
    frame["concern_id"] = [str(i + 1) for i in range(len(frame))]
    return frame


def sample_frames(level: str) -> pd.DataFrame:
    plans = [actionnlp.read_plan(p) for p in actionnlp.sample_paths()]
    return pd.concat([p.to_frame(level) for p in plans], ignore_index=True)


# ------------------------------------------------------------------ mine_themes


def test_mine_themes_finds_the_three_groups_and_keeps_outliers() -> None:
    frame = themes_frame()
    before = frame.copy()
    result = mine_themes(frame, embedder=FAKE)
    assert isinstance(result, ThemeClusters)
    pd.testing.assert_frame_equal(frame, before)  # input untouched
    out = result.frame
    assert list(out.columns) == [*frame.columns, "cluster", "cluster_name"]
    assert out["cluster"].dtype == "int64"
    for texts in GROUPS.values():
        ids = out.loc[out["concern_text"].isin(texts), "cluster"]
        assert ids.nunique() == 1 and ids.iloc[0] != OUTLIER
    assert out.loc[out["concern_text"] == LONER, "cluster"].tolist() == [OUTLIER]
    assert out.loc[out["concern_text"] == LONER, "cluster_name"].tolist() == ["outliers"]
    assert len(out) == len(frame)  # nothing dropped

    summary = result.summary
    assert summary["cluster"].tolist() == [0, 1, 2, OUTLIER]
    assert summary["size"].tolist() == [4, 4, 4, 1]
    assert summary["size"].sum() == len(frame)
    outliers = summary.iloc[-1]
    assert (outliers["name"], outliers["n_texts"], outliers["prisons"]) == (
        "outliers",
        1,
        ["HMP A"],
    )


def test_ctfidf_names_use_words_frequent_in_the_cluster_and_rare_elsewhere() -> None:
    result = mine_themes(themes_frame(), embedder=FAKE)
    summary = result.summary.set_index("cluster")
    for word, texts in GROUPS.items():
        cluster = result.frame.loc[result.frame["concern_text"] == texts[0], "cluster"].iloc[0]
        name = summary.loc[cluster, "name"]
        assert word in name.split(", ")
        assert len(name.split(", ")) == 3
        terms = summary.loc[cluster, "terms"]
        assert len(terms) == 5 and terms[0] == word
        # the distinctive word is not in any other cluster's name
        others = summary.drop(index=cluster)["name"]
        assert not any(word in n.split(", ") for n in others)


def test_summary_prisons_examples_and_grouping_options() -> None:
    frame = themes_frame()
    result = mine_themes(frame, embedder=FAKE, n_examples=2, n_terms=4)
    row = result.summary.iloc[0]
    assert row["prisons"] == PRISONS and row["n_prisons"] == 4
    assert row["n_texts"] == 4 and len(row["examples"]) == 2 and len(row["terms"]) == 4
    members = result.frame.loc[result.frame["cluster"] == row["cluster"], "concern_text"]
    assert set(row["examples"]) <= set(members)

    by_two = mine_themes(frame, by=["prison", "year"], embedder=FAKE).summary
    assert by_two.iloc[-1]["prisons"] == [("HMP A", 2023)]
    assert by_two.iloc[0]["prisons"][0] == ("HMP A", 2024)

    no_by = mine_themes(frame, by=None, embedder=FAKE).summary
    assert no_by["prisons"].map(len).eq(0).all() and no_by["n_prisons"].eq(0).all()


def test_mine_themes_is_deterministic_and_ignores_row_order() -> None:
    frame = themes_frame()
    first = mine_themes(frame, embedder=FAKE)
    second = mine_themes(frame, embedder=FAKE)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    pd.testing.assert_frame_equal(first.summary, second.summary)

    shuffled = frame.sample(frac=1.0, random_state=7)
    third = mine_themes(shuffled, embedder=FAKE)
    assert third.frame.index.tolist() == shuffled.index.tolist()  # row order kept
    by_text = dict(zip(first.frame["concern_text"], first.frame["cluster"], strict=True))
    pairs = zip(third.frame["concern_text"], third.frame["cluster"], strict=True)
    assert all(by_text[t] == c for t, c in pairs)
    pd.testing.assert_frame_equal(first.summary, third.summary)


def test_min_cluster_size_turns_small_clusters_into_outliers() -> None:
    frame = themes_frame()
    result = mine_themes(frame, embedder=FAKE, min_cluster_size=5)
    assert result.frame["cluster"].eq(OUTLIER).all()
    assert result.summary["cluster"].tolist() == [OUTLIER]
    assert result.summary.iloc[0]["size"] == len(frame)


def test_repeated_and_blank_texts() -> None:
    frame = themes_frame()
    spaced = "  " + GROUPS["food"][0].replace(" ", "   ") + " "
    extra = pd.DataFrame({"prison": ["HMP E", "HMP E"], "concern_text": [spaced, None]})
    result = mine_themes(pd.concat([frame, extra], ignore_index=True), embedder=FAKE)
    food = result.frame.loc[result.frame["concern_text"] == GROUPS["food"][0], "cluster"].iloc[0]
    assert result.frame["cluster"].iloc[-2] == food  # same text after white space collapse
    assert result.frame["cluster"].iloc[-1] == OUTLIER  # blank text: kept as an outlier
    summary = result.summary.set_index("cluster")
    assert summary.loc[food, "size"] == 5 and summary.loc[food, "n_texts"] == 4


def test_mine_themes_small_and_bad_inputs() -> None:
    one = pd.DataFrame({"prison": ["HMP A"], "concern_text": ["Only one text here."]})
    assert mine_themes(one, embedder=FAKE).frame["cluster"].tolist() == [OUTLIER]
    empty = pd.DataFrame({"prison": [], "concern_text": []})
    result = mine_themes(empty, embedder=FAKE)
    assert result.frame.empty and result.summary.empty
    with pytest.raises(KeyError, match="'nope' is not a column"):
        mine_themes(one, text="nope", embedder=FAKE)
    with pytest.raises(ValueError, match="distance_threshold"):
        mine_themes(one, distance_threshold=0, embedder=FAKE)
    with pytest.raises(ValueError, match="min_cluster_size must be an int >= 1, got 0"):
        mine_themes(one, min_cluster_size=0, embedder=FAKE)
    with pytest.raises(TypeError, match="must be a pandas DataFrame, got list"):
        mine_themes(["a"], embedder=FAKE)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="holds int"):
        mine_themes(pd.DataFrame({"concern_text": [3]}), by=None, embedder=FAKE)


# ------------------------------------------------------------------ similar


def test_similar_returns_the_obvious_neighbour_first() -> None:
    frame = themes_frame()
    out = similar("random drug testing was suspended", frame, k=3, embedder=FAKE)
    assert out.iloc[0]["concern_text"] == GROUPS["drug"][3]
    assert list(out.columns) == [*frame.columns, "similarity"]
    assert out["similarity"].is_monotonic_decreasing and len(out) == 3

    listed = similar("cold food", [LONER, *GROUPS["food"]], k=2, embedder=FAKE)
    assert list(listed.columns) == ["text", "similarity"]
    assert listed["text"].iloc[0] in GROUPS["food"] and LONER not in listed["text"].tolist()


def test_similar_ties_keep_corpus_order_and_k_caps() -> None:
    texts = ["Food was cold.", "Drug tests late.", "Food was cold.", "Food was cold."]
    out = similar("Food was cold.", texts, k=10, embedder=FAKE)
    assert out.index.tolist()[:3] == [0, 2, 3] and len(out) == 4
    assert out["similarity"].iloc[0] == pytest.approx(1.0)


def test_similar_picks_the_text_column_and_checks_inputs() -> None:
    actions = pd.DataFrame({"action_text": ["Fix the heating.", "Test for drugs."]})
    assert similar("drug tests", actions, k=1, embedder=FAKE).index.tolist() == [1]
    with pytest.raises(KeyError, match="neither 'concern_text' nor 'action_text'"):
        similar("x", pd.DataFrame({"t": ["a"]}), embedder=FAKE)
    with pytest.raises(TypeError, match="got str"):
        similar("x", "a corpus", embedder=FAKE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="k must be an int >= 1, got 0"):
        similar("x", ["a"], k=0, embedder=FAKE)


# ------------------------------------------------------------------ find_boilerplate

COPIED = (
    "All staff will complete refresher training on the use of force and "
    "de-escalation techniques by the end of June 2024."
)


def boilerplate_frame() -> pd.DataFrame:
    rows = [
        ("HMP A", "2024-03-01", "1.1", COPIED),
        (
            "HMP A",
            "2024-03-01",
            "1.2",
            "A new kitchen manager has been appointed to oversee the menu.",
        ),
        ("HMP B", "2023-11-15", "4", COPIED.replace("June 2024", "July 2024")),
        (
            "HMP C",
            "2024-01-10",
            "2",
            "Prisoners will be consulted on the menu every quarter via forums.",
        ),
        (
            "HMP C",
            "2024-01-10",
            "7",
            "Prisoners will be consulted on the menu every quarter via forums.",
        ),
        ("HMP D", "2024-02-02", "3", "Too short to count."),
        ("HMP E", "2024-02-02", "3", "Too short to count."),
    ]
    frame = pd.DataFrame(rows, columns=["prison", "plan_submitted", "concern_id", "action_text"])
    frame["plan_submitted"] = pd.to_datetime(frame["plan_submitted"])
    frame["year"] = frame["plan_submitted"].dt.year
    return frame


BOILERPLATE_COLUMNS = [
    "group",
    "prison",
    "plan_submitted",
    "year",
    "concern_id",
    "action_text",
    "similarity",
    "n_prisons",
]


def test_find_boilerplate_finds_a_lightly_edited_copy_across_prisons() -> None:
    frame = boilerplate_frame()
    before = frame.copy()
    out = find_boilerplate(frame, 0.9, embedder=FAKE)
    pd.testing.assert_frame_equal(frame, before)
    assert list(out.columns) == BOILERPLATE_COLUMNS
    # only the copy between A and B: C repeats itself, D/E texts are too short
    assert out["prison"].tolist() == ["HMP A", "HMP B"]
    assert out.index.tolist() == [0, 2]
    assert out["group"].tolist() == [0, 0] and out["n_prisons"].tolist() == [2, 2]
    assert out["similarity"].iloc[0] == 1.0 and 0.9 <= out["similarity"].iloc[1] < 1.0

    short = find_boilerplate(frame, 0.9, embedder=FAKE, min_chars=5)
    assert set(short["prison"]) == {"HMP A", "HMP B", "HMP D", "HMP E"}
    assert short["group"].tolist() == [0, 0, 1, 1]


def test_find_boilerplate_exact_copies_regardless_of_threshold() -> None:
    text = "The Head of Safety will review every use of force incident weekly."
    frame = pd.DataFrame(
        {
            "prison": ["HMP A", "HMP B", "HMP B", "HMP C"],
            "action_text": [
                text,
                "  " + text.upper(),
                text,
                "Unrelated text about the gym and sports hall.",
            ],
        }
    )
    out = find_boilerplate(frame, 1.0, embedder=FAKE)
    assert out.index.tolist() == [0, 1, 2]
    assert out["similarity"].tolist() == [1.0, 1.0, 1.0]
    assert out["n_prisons"].tolist() == [2, 2, 2]


def test_find_boilerplate_within_one_prison_is_not_boilerplate() -> None:
    frame = boilerplate_frame()
    one = frame[frame["prison"] == "HMP C"]
    assert find_boilerplate(one, 0.5, embedder=FAKE).empty
    with pytest.raises(ValueError, match=r"threshold must be a cosine in \(0, 1\], got 1.5"):
        find_boilerplate(frame, 1.5, embedder=FAKE)
    with pytest.raises(ValueError, match="by must name"):
        find_boilerplate(frame, by=None, embedder=FAKE)  # type: ignore[arg-type]


def test_find_boilerplate_two_prisons_sharing_an_edited_action() -> None:
    shared = "All wing staff will complete refresher training on the use of force by June."
    frame = pd.DataFrame(
        {
            "prison": ["HMP North", "HMP North", "HMP South", "HMP South"],
            "action_text": [
                shared,
                "A new kitchen manager has been appointed to oversee the menu.",
                "Gym opening hours will be extended to evenings and weekends.",
                shared.replace("June", "July"),
            ],
        },
        index=[10, 11, 20, 21],
    )
    out = find_boilerplate(frame, 0.8, embedder=FAKE)
    assert out.index.tolist() == [10, 21]
    assert out["prison"].tolist() == ["HMP North", "HMP South"]
    assert out["group"].tolist() == [0, 0] and out["n_prisons"].tolist() == [2, 2]
    assert out["action_text"].tolist() == [shared, shared.replace("June", "July")]
    assert out["similarity"].iloc[0] == 1.0 and 0.8 <= out["similarity"].iloc[1] < 1.0


def test_find_boilerplate_on_the_real_samples_with_the_fake_embedder() -> None:
    actions = sample_frames("actions")
    out = find_boilerplate(actions, 0.95, embedder=FAKE)
    # the four sample plans share no action text: nothing is boilerplate
    assert out.empty
    assert list(out.columns) == BOILERPLATE_COLUMNS

    # plant a lightly edited copy of one plan's action in another plan: it must be found
    source = actions[actions["action_text"].str.len() > 120].iloc[0]
    target = actions[actions["prison"] != source["prison"]].iloc[[0]].copy()
    target["action_text"] = source["action_text"].replace(".", ";", 1) + " "
    planted = pd.concat([actions, target], ignore_index=True)
    found = find_boilerplate(planted, 0.95, embedder=FAKE)
    assert found["group"].tolist() == [0, 0]  # the planted pair and nothing else
    assert sorted(found.index) == sorted([source.name, len(actions)])
    assert set(found["prison"]) == {source["prison"], target["prison"].iloc[0]}
    assert found["n_prisons"].tolist() == [2, 2]


# ------------------------------------------------------------------ real model


@pytest.mark.slow
def test_mine_themes_real_model_on_the_samples() -> None:
    concerns = sample_frames("concerns")
    first = mine_themes(concerns)
    assert (first.summary.query("cluster != -1")["n_prisons"] >= 2).any()
    second = mine_themes(concerns)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    pd.testing.assert_frame_equal(first.summary, second.summary)
