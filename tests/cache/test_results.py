"""The on-disk result cache: reuse across instances, isolation, bad files, and the models."""

from __future__ import annotations

import multiprocessing as mp
import pickle

import pandas as pd
import pytest

from actionnlp.cache.results import (
    ResultCache,
    ResultStore,
    cached_map,
    content_key,
    result_map,
)


class Recorder:
    """``compute`` for :func:`cached_map` that records the keys it was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, todo: list[str]) -> list[dict[str, object]]:
        self.asked.extend(todo)
        return [{"key": k, "n": len(k), "tags": ("a", k)} for k in todo]


def test_second_store_reads_what_the_first_wrote(tmp_path):
    first = Recorder()
    store = ResultCache(tmp_path).store("stage", {"model": 1})
    out1 = cached_map(store, ["x", "yy", "x"], first)
    assert first.asked == ["x", "yy"]  # each distinct key computed once
    again = Recorder()
    out2 = cached_map(ResultCache(tmp_path).store("stage", {"model": 1}), ["yy", "x"], again)
    assert again.asked == []
    assert out2 == [out1[1], out1[0]]
    assert out1[0] == {"key": "x", "n": 1, "tags": ["a", "x"]}  # as JSON gives it back


def test_only_missing_keys_are_computed(tmp_path):
    store = ResultCache(tmp_path).store("stage", {})
    cached_map(store, ["a"], Recorder())
    rec = Recorder()
    out = cached_map(ResultCache(tmp_path).store("stage", {}), ["a", "b"], rec)
    assert rec.asked == ["b"]
    assert [r["key"] for r in out] == ["a", "b"]


def test_stage_and_identity_name_separate_stores(tmp_path):
    cache = ResultCache(tmp_path)
    dirs = {
        cache.store("owners", {"m": 1}).directory,
        cache.store("owners", {"m": 2}).directory,
        cache.store("smart", {"m": 1}).directory,
    }
    assert len(dirs) == 3
    cached_map(cache.store("owners", {"m": 1}), ["k"], Recorder())
    rec = Recorder()
    cached_map(cache.store("owners", {"m": 2}), ["k"], rec)
    assert rec.asked == ["k"]  # another model never sees these results


def test_unreadable_and_partial_files_are_ignored(tmp_path):
    store = ResultCache(tmp_path).store("stage", {})
    cached_map(store, ["a"], Recorder())
    (store.directory / "broken.json").write_text("{not json", encoding="utf-8")
    (store.directory / "list.json").write_text("[1, 2]", encoding="utf-8")
    (store.directory / ".batch-x.tmp").write_text('{"b": 1}', encoding="utf-8")
    rec = Recorder()
    out = cached_map(ResultStore(store.directory), ["a", "b"], rec)
    assert rec.asked == ["b"]
    assert out[0]["key"] == "a"


def test_unwritable_folder_warns_and_still_returns(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    store = ResultStore(blocker / "results")
    with pytest.warns(RuntimeWarning, match="result cache not written"):
        out = cached_map(store, ["a"], Recorder())
    assert out == [{"key": "a", "n": 1, "tags": ["a", "a"]}]


def test_without_a_store_everything_is_computed():
    rec = Recorder()
    assert len(cached_map(None, ["a", "b"], rec)) == 2
    assert rec.asked == ["a", "b"]


def test_compute_must_answer_every_key(tmp_path):
    store = ResultCache(tmp_path).store("stage", {})
    with pytest.raises(ValueError, match="1 results for 2 keys"):
        cached_map(store, ["a", "b"], lambda todo: [0])


def test_pickled_store_reads_the_same_folder(tmp_path):
    store = ResultCache(tmp_path).store("stage", {})
    cached_map(store, ["a"], Recorder())
    copy = pickle.loads(pickle.dumps(store))
    assert copy.directory == store.directory
    assert copy.get_many(["a"]) == {"a": {"key": "a", "n": 1, "tags": ["a", "a"]}}
    assert (copy.hits, copy.misses) == (1, 0)  # read from the folder, not carried over


def _write(directory: str, keys: list[str]) -> None:
    store = ResultStore(directory)
    for k in keys:
        cached_map(store, [k], Recorder())


def test_processes_share_a_store(tmp_path):
    directory = str(ResultCache(tmp_path).store("stage", {}).directory)
    ctx = mp.get_context("spawn")
    workers = [
        ctx.Process(target=_write, args=(directory, [f"{p}-{j}" for j in range(20)]))
        for p in ("a", "b")
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    keys = [f"{p}-{j}" for p in ("a", "b") for j in range(20)]
    rec = Recorder()
    cached_map(ResultStore(directory), keys, rec)
    assert rec.asked == []


def test_content_key_tells_parts_apart():
    assert content_key("ab", "c") != content_key("a", "bc")
    assert content_key("a", None) != content_key("a", "")


# -- with the models ----------------------------------------------------------------------


def _fast_models_with_cache(fast_training, cache_dir):
    from actionnlp.embed import FakeEmbedder
    from actionnlp.loading import load

    return load(fast_training[0], embedder=FakeEmbedder(dim=64), results=ResultCache(cache_dir))


def test_models_reuse_theme_owner_and_smart_results(fast_training, fast_models, samples, tmp_path):
    actions = samples.actions.drop(
        columns=[c for c in samples.actions.columns if c.startswith(("owner", "smart", "p_smart"))]
    ).assign(owner_raw=samples.actions["owner_raw"])
    plain_owners = fast_models.find_owners(actions)
    plain_smart = fast_models.score_smart(actions)

    first = _fast_models_with_cache(fast_training, tmp_path)
    assert first.find_owners(actions).equals(plain_owners)
    assert first.score_smart(actions).equals(plain_smart)

    texts = actions["action_text"].fillna("").tolist()
    plain_tags = fast_models.tag_themes(texts)
    first_tags = first.tag_themes(texts)
    # the cache tags each distinct text once, so its batches differ from the plain call's:
    # the float32 similarity features may then round differently per batch shape (seen
    # under load: 1.4e-7 relative); labels must match exactly and probabilities to float32
    # precision. A cached rerun must return exactly what was stored.
    assert first_tags["themes"].equals(plain_tags["themes"])
    pd.testing.assert_frame_equal(first_tags, plain_tags, check_exact=False, rtol=1e-6)

    second = _fast_models_with_cache(fast_training, tmp_path)
    second.owner_finder.nlp = None  # a rerun must not parse anything again
    second.smart_scorer.heads_ = None  # ... nor score anything again
    second.theme_tagger.estimators_ = None  # ... nor tag anything again
    assert second.find_owners(actions).equals(plain_owners)
    assert second.score_smart(actions).equals(plain_smart)
    assert second.tag_themes(texts).equals(first_tags)
    for artifact in ("owners-v1", "smart-v1", "themes-v1"):
        store = second.result_store(artifact)
        assert store.hits > 0 and store.misses == 0


def test_new_rows_are_scored_and_cached_rows_reused(fast_training, fast_models, tmp_path):
    import pandas as pd

    frame = pd.DataFrame(
        {
            "action_text": ["The Governor will audit cells monthly.", "Staff will be trained."],
            "concern_text": ["Cells were dirty.", "Staff lacked training."],
            "owner_raw": ["Governor", "Head of Residence"],
            "target_raw": ["March 2024", "Ongoing"],
        }
    )
    models = _fast_models_with_cache(fast_training, tmp_path)
    models.score_smart(frame.iloc[:1])
    store = models.result_store("smart-v1")
    store.hits = store.misses = 0
    out = models.score_smart(frame)
    assert (store.hits, store.misses) == (1, 1)
    assert out.reset_index(drop=True).equals(fast_models.score_smart(frame))


def test_stored_values_that_are_not_valid_are_computed_again(tmp_path):
    store = ResultCache(tmp_path).store("stage", {})
    store.put_many({"a": "not a result"})
    rec = Recorder()
    out = cached_map(ResultStore(store.directory), ["a"], rec, lambda v: isinstance(v, dict))
    assert rec.asked == ["a"] and out[0]["key"] == "a"


def test_clear_deletes_every_store(tmp_path):
    cache = ResultCache(tmp_path)
    cached_map(cache.store("stage", {}), ["a"], Recorder())
    cache.clear()
    rec = Recorder()
    cached_map(cache.store("stage", {}), ["a"], rec)
    assert rec.asked == ["a"]


def test_owner_results_depend_on_the_plans_acronyms(tmp_path):
    import pandas as pd

    from actionnlp.owners.pipeline import OwnerFinder, build_pipeline

    action = "ALT will add classes."
    frame = pd.DataFrame(
        {
            "source": ["defines", "does not"],
            "concern_text": ["The Anytown Learning Trust (ALT) runs classes.", "Classes."],
            "action_text": [action, action],
            "owner_raw": [None, None],
        }
    )
    finder = OwnerFinder(build_pipeline())
    plain = finder.find_owners(frame)["owner_mentions"].tolist()
    assert [[m["text"] for m in ms] for ms in plain] == [["ALT"], []]
    store = ResultCache(tmp_path).store("owners", {})
    # the plan without the definition first: its empty result must not serve the other
    finder.find_owners(frame.iloc[[1]], results=result_map(store))
    again = finder.find_owners(frame, results=result_map(ResultStore(store.directory)))
    assert again["owner_mentions"].tolist() == plain


def test_parallel_analysis_shares_the_result_cache(fast_training, fast_models, tmp_path):
    import joblib
    import pandas as pd

    from actionnlp.analysis import analyze

    frame = pd.DataFrame(
        {
            "prison": ["HMP A", "HMP B", "HMP C"],
            "concern_id": ["1", "1", "1"],
            "concern_text": ["Cells were dirty.", "Drugs.", "Long waits."],
            "action_text": ["The Governor will audit weekly.", "Test 10%.", "Hire two."],
            "owner_raw": ["Governor", "Head of Security", "NHFT"],
            "target_raw": ["March 2024", "June 2024", "Completed"],
        }
    )
    plain = analyze(frame, models=fast_models, progress=False)
    for _ in range(2):  # cold, then warm
        models = _fast_models_with_cache(fast_training, tmp_path)
        with joblib.parallel_config(backend="loky"):
            out = analyze(frame, models=models, n_jobs=2, progress=False)
        pd.testing.assert_frame_equal(out.actions, plain.actions)
    stores = list((tmp_path / "results").iterdir())
    assert len(stores) == 3 and all(any(d.glob("*.json")) for d in stores)
