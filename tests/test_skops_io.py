"""actionnlp.skops_io: skops files loaded with an allowlist of exact type names, plain
and inside a verified artifact."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from actionnlp.artifacts import save_artifact, verify_artifact
from actionnlp.errors import ArtifactError
from actionnlp.skops_io import load_sklearn, load_verified_sklearn, save_sklearn


@pytest.fixture(scope="module")
def fitted() -> tuple[Any, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4))
    y = np.array(["a", "b", "c"])[(x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int)]
    return LogisticRegression(max_iter=500).fit(x, y), x


def test_untrusted_type_in_skops_file_is_refused(tmp_path: Path, fitted: Any) -> None:
    payload = {"model": fitted[0], "threshold": Fraction(1, 3)}
    directory = save_artifact(
        tmp_path / "bad-v1",
        name="bad",
        version=1,
        labels=[],
        data_hash="h",
        metrics={},
        write_files=lambda d: save_sklearn(payload, d / "model.skops"),
    )
    manifest = verify_artifact(directory)  # checksums are fine: the content is refused
    assert manifest["name"] == "bad" and set(manifest["files"]) == {"model.skops"}
    with pytest.raises(ArtifactError, match=r"untrusted type\(s\).*fractions\.Fraction"):
        load_verified_sklearn(directory, "model.skops")


def test_trusted_types_list_narrows_and_cannot_widen(tmp_path: Path, fitted: Any) -> None:
    path = save_sklearn(fitted[0], tmp_path / "m.skops")
    loaded = load_sklearn(path, trusted_types=[])  # numpy/sklearn types only: enough
    np.testing.assert_array_equal(loaded.predict(fitted[1]), fitted[0].predict(fitted[1]))
    with pytest.raises(ArtifactError, match=r"refusing to trust builtins\.eval"):
        load_sklearn(path, trusted_types=["builtins.eval"])
    with pytest.raises(ArtifactError, match=r"refusing to trust numpy\.load"):
        load_sklearn(path, trusted_types=["numpy.load"])


def _dangerous() -> list[tuple[str, Any]]:
    import builtins
    import os

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    return [
        ("numpy.load", FunctionTransformer(np.load, kw_args={"allow_pickle": True})),
        ("numpy.load", {"loader": np.load}),
        ("builtins.eval", FunctionTransformer(builtins.eval)),
        ("builtins.exec", {"f": builtins.exec}),
        ("system", make_pipeline(FunctionTransformer(os.system))),
        ("numpy.lib.npyio.NpzFile", {"f": np.lib.npyio.NpzFile}),
        ("scipy.io", {"f": __import__("scipy.io").io.loadmat}),
        ("sklearn.utils", {"f": __import__("sklearn.utils").utils.Bunch}),
    ]


@pytest.mark.parametrize("index", range(8))
def test_functions_and_types_outside_the_allowlist_are_refused(tmp_path: Path, index: int) -> None:
    """Types are trusted by exact name, never by module: numpy.load (a pickle when
    allow_pickle is on), eval, os.system, other numpy/scipy/sklearn names are refused
    before anything is built, plain and inside a verified artifact."""
    name, payload = _dangerous()[index]
    path = save_sklearn(payload, tmp_path / "evil.skops")
    with pytest.raises(ArtifactError, match=rf"untrusted type\(s\).*{name}") as info:
        load_sklearn(path)
    assert str(path) in str(info.value)
    directory = save_artifact(
        tmp_path / "evil-v1",
        name="evil",
        version=1,
        labels=[],
        data_hash="h",
        metrics={},
        write_files=lambda d: save_sklearn(payload, d / "m.skops"),
    )
    with pytest.raises(ArtifactError, match="untrusted type"):
        load_verified_sklearn(directory, "m.skops")


def test_allowlist_is_exact_names_of_classes_and_enough_for_the_shipped_models() -> None:
    import skops.io

    from actionnlp.loading import MODELS_DIR
    from actionnlp.skops_io import TRUSTED_TYPES

    for name in TRUSTED_TYPES:
        module, _, attr = name.rpartition(".")
        obj = getattr(__import__(module, fromlist=[attr]), attr)
        assert isinstance(obj, type), name
    shipped = sorted(MODELS_DIR.rglob("*.skops"))
    assert any(p.parent.name == "themes-v1" for p in shipped)
    for path in shipped:
        assert set(skops.io.get_untrusted_types(file=path)) <= TRUSTED_TYPES, path


def test_non_skops_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.skops"
    path.write_bytes(b"\x80\x04pickle, not a zip")
    with pytest.raises(ArtifactError, match="not a readable skops file"):
        load_sklearn(path)


def _fit_filter_like() -> Any:
    """A DictVectorizer + LogisticRegression pipeline (the owner filter's form), fitted."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    rows = [{"word=" + w: 1.0, "len": float(len(w))} for w in ("head", "of", "safer", "custody")]
    return make_pipeline(DictVectorizer(), LogisticRegression()).fit(rows * 3, [1, 0, 1, 0] * 3)


def test_the_same_fitted_model_saves_to_the_same_bytes(tmp_path: Path) -> None:
    import zipfile

    first, second = _fit_filter_like(), _fit_filter_like()  # two objects, equal fits
    a = save_sklearn(first, tmp_path / "a.skops").read_bytes()
    b = save_sklearn(second, tmp_path / "b.skops").read_bytes()
    again = save_sklearn(first, tmp_path / "c.skops").read_bytes()
    assert a == b == again
    # no time of saving in the file either
    with zipfile.ZipFile(tmp_path / "a.skops") as z:
        assert {m.date_time for m in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_a_reproducibly_saved_model_loads_with_its_shared_parts() -> None:
    import skops.io

    from actionnlp.skops_io import canonical_skops, load_sklearn_bytes

    model = _fit_filter_like()
    weights = np.arange(6.0)
    data = canonical_skops(skops.io.dumps({"model": model, "a": weights, "b": weights}))
    loaded = load_sklearn_bytes(data, Path("model.skops"))
    rows = [{"word=head": 1.0, "len": 4.0}, {"word=of": 1.0, "len": 2.0}]
    assert loaded["model"].predict_proba(rows).tolist() == model.predict_proba(rows).tolist()
    assert loaded["a"] is loaded["b"] and loaded["a"].tolist() == weights.tolist()


def _rezipped(data: bytes, *, system: int | None = None, drop: str = "", add: str = "") -> bytes:
    """skops bytes rewritten: members marked as made on ``system``, member ``drop``
    left out, a member ``add`` added."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename == drop:
                continue
            if system is not None:
                info.create_system = system
            dst.writestr(info, src.read(info))
        if add:
            dst.writestr(add, b"extra")
    return out.getvalue()


def _members(data: bytes) -> list[Any]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.infolist()


def test_saved_bytes_do_not_depend_on_the_system_that_saved_them() -> None:
    import skops.io

    from actionnlp.skops_io import canonical_skops

    data = skops.io.dumps(_fit_filter_like())
    windows = _rezipped(data, system=0)  # as zipfile marks members written on Windows
    assert {m.create_system for m in _members(windows)} == {0}
    assert canonical_skops(windows) == canonical_skops(data)
    assert {m.create_system for m in _members(canonical_skops(windows))} == {3}


def test_a_schema_not_naming_exactly_the_archives_files_is_refused() -> None:
    import skops.io

    from actionnlp.skops_io import canonical_skops

    data = skops.io.dumps({"a": np.arange(3.0), "b": np.ones(2)})
    stored = sorted(m.filename for m in _members(data) if m.filename != "schema.json")
    assert len(stored) == 2
    with pytest.raises(ArtifactError, match=rf"m\.skops: .*missing file\(s\) {stored[0]}"):
        canonical_skops(_rezipped(data, drop=stored[0]), "m.skops")
    with pytest.raises(ArtifactError, match=r"m\.skops: .*unnamed file\(s\) extra\.npy"):
        canonical_skops(_rezipped(data, add="extra.npy"), "m.skops")


def test_bytes_that_are_not_a_skops_zip_are_an_artifact_error() -> None:
    import io
    import zipfile

    import skops.io

    from actionnlp.skops_io import canonical_skops

    no_schema = _rezipped(skops.io.dumps(np.arange(3.0)), drop="schema.json")
    bad_json = io.BytesIO()
    with zipfile.ZipFile(bad_json, "w") as z:
        z.writestr("schema.json", b"{not json")
    for data, why in [
        (b"\x80\x04pickle, not a zip", "File is not a zip file"),
        (no_schema, "schema.json"),
        (bad_json.getvalue(), "Expecting property name"),
    ]:
        with pytest.raises(ArtifactError, match=f"m.skops: not a readable skops file .*{why}"):
            canonical_skops(data, "m.skops")
