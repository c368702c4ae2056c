"""The cache identity: what names a result store's folder, and what does not."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import actionnlp.cache.identity as identity
from actionnlp.cache.results import ResultCache

LIBS = {"python": "3.11.7", "numpy": "2.0.0"}


def copied(package: Path) -> list[Path]:
    """The resource folders of the identity, at the same places under ``package``."""
    return [package / folder.relative_to(identity.PACKAGE) for folder in identity.RESOURCES]


@pytest.fixture
def resources(tmp_path):
    """A copy of every resource folder: the shared one, then SMART's, then the owners'."""
    for source, target in zip(identity.RESOURCES, copied(tmp_path), strict=True):
        shutil.copytree(source, target)
    return copied(tmp_path)


def test_is_a_sha256_computed_once():
    value = identity.cache_identity()
    assert re.fullmatch(r"[0-9a-f]{64}", value)
    assert identity.cache_identity() == value == identity.compute_identity()


def test_a_docstring_edit_changes_nothing(tmp_path):
    """Source files are not part of the identity: editing one (here a copy of the
    package, docstring rewritten) leaves the folder name of every store unchanged."""
    package = tmp_path / "actionnlp"
    shutil.copytree(identity.PACKAGE, package, ignore=shutil.ignore_patterns("models", "data"))
    before = identity.compute_identity(copied(package), libraries=LIBS)
    scorer = package / "smart" / "scorer.py"
    text = scorer.read_text()
    assert '"""' in text
    scorer.write_text(text.replace('"""', '"""A rewritten docstring. ', 1))
    assert identity.compute_identity(copied(package), libraries=LIBS) == before


def test_a_resource_file_edit_changes_it(resources):
    before = identity.compute_identity(resources, libraries=LIBS)
    patterns = resources[1] / "smart_patterns.json"
    patterns.write_text(patterns.read_text() + "\n")
    assert identity.compute_identity(resources, libraries=LIBS) != before


def test_a_new_stop_word_list_changes_it_but_report_css_does_not(resources):
    before = identity.compute_identity(resources, libraries=LIBS)
    (resources[0] / "report.css").write_text("body { color: red }")
    assert identity.compute_identity(resources, libraries=LIBS) == before
    (resources[1] / "smart_stopwords.txt").write_text("the\n")
    assert identity.compute_identity(resources, libraries=LIBS) != before


def test_the_scoring_version_and_library_versions_change_it(resources):
    before = identity.compute_identity(resources, libraries=LIBS)
    bumped = identity.compute_identity(
        resources, version=identity.SCORING_VERSION + 1, libraries=LIBS
    )
    assert bumped != before
    upgraded = identity.compute_identity(resources, libraries={**LIBS, "numpy": "2.0.1"})
    assert upgraded != before


def test_library_versions_name_python_and_each_library():
    versions = identity.library_versions()
    assert set(versions) == {"python", *identity.LIBRARIES}
    assert all(isinstance(v, str) and v for v in versions.values())


def test_a_bumped_scoring_version_starts_an_empty_store(tmp_path, monkeypatch):
    from actionnlp.cache.results import cached_map

    cache = ResultCache(tmp_path)
    cached_map(cache.store("smart-v1", {"manifest": 1}), ["a"], lambda todo: [1 for _ in todo])
    same = cache.store("smart-v1", {"manifest": 1})
    assert same.get_many(["a"]) == {"a": 1}
    bumped = identity.compute_identity(version=identity.SCORING_VERSION + 1)
    monkeypatch.setattr("actionnlp.cache.results.cache_identity", lambda: bumped)
    fresh = cache.store("smart-v1", {"manifest": 1})
    assert fresh.directory != same.directory and fresh.get_many(["a"]) == {}
