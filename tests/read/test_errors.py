"""Bad files give an ActionPlanError subclass naming the file; a batch goes on past them."""

from __future__ import annotations

import random
import shutil
import zipfile
from pathlib import Path

import pytest

from actionnlp.data import sample_paths
from actionnlp.errors import (
    ActionPlanError,
    MissingFileError,
    ResourceError,
    UnreadableDocumentError,
    UnsupportedFormatError,
)
from actionnlp.read import read_plan, read_plans
from actionnlp.read.limits import Limits

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _broken_docx(path: Path) -> Path:
    """A valid zip whose document XML is cut in half."""
    with (
        zipfile.ZipFile(FIXTURES / "peterborough-2024.docx") as src,
        zipfile.ZipFile(path, "w") as out,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data[: len(data) // 2]
            out.writestr(info, data)
    return path


def _malformed_pdf(path: Path) -> Path:
    """The Stafford fixture with random bytes changed (seed found by fuzzing): its page
    box holds a non-number, which pdfplumber only notices when the file is closed."""
    rng = random.Random(1)
    base = (FIXTURES / "stafford-2020.pdf").read_bytes()
    for _ in range(28):
        data = bytearray(base)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    path.write_bytes(bytes(data))
    return path


def test_broken_docx_xml_is_unreadable_and_named(tmp_path):
    bad = _broken_docx(tmp_path / "broken.docx")
    with pytest.raises(UnreadableDocumentError, match=r"broken\.docx: is not a valid \.docx"):
        read_plan(bad)


def test_malformed_pdf_is_unreadable_and_named(tmp_path):
    bad = _malformed_pdf(tmp_path / "mutated.pdf")
    with pytest.raises(UnreadableDocumentError, match=r"mutated\.pdf: is not a valid PDF"):
        read_plan(bad)


def test_missing_paths_are_named(tmp_path):
    with pytest.raises(MissingFileError, match=r"nothing\.txt: no such file or folder"):
        read_plan(tmp_path / "nothing.txt")
    with pytest.raises(MissingFileError, match="no such file or folder"):
        read_plan(tmp_path / "no-folder")
    with pytest.raises(MissingFileError, match="is a folder"):
        read_plan(tmp_path)
    (tmp_path / "plan.xlsx").write_bytes(b"PK")
    with pytest.raises(UnsupportedFormatError, match=r"plan\.xlsx: unsupported file type '\.xlsx'"):
        read_plan(tmp_path / "plan.xlsx")


def test_batch_goes_on_past_every_bad_file(tmp_path):
    shutil.copy(sample_paths()[0], tmp_path)
    _broken_docx(tmp_path / "broken.docx")
    _malformed_pdf(tmp_path / "mutated.pdf")
    plans, errors = read_plans([tmp_path, tmp_path / "gone.txt"], n_jobs=2, progress=False)
    assert [p.prison for p in plans] == ["HMP Littlehey"]
    by_file = {Path(s).name: e for s, e in zip(errors["source"], errors["error"], strict=True)}
    assert by_file == {
        "broken.docx": "UnreadableDocumentError",
        "mutated.pdf": "UnreadableDocumentError",
        "gone.txt": "MissingFileError",
    }
    assert all(m.startswith(s) for s, m in zip(errors["source"], errors["message"], strict=True))


def test_a_reader_bug_becomes_an_error_row(tmp_path, monkeypatch):
    shutil.copy(sample_paths()[0], tmp_path / "a.txt")
    shutil.copy(sample_paths()[1], tmp_path / "b.txt")

    def flaky(text, source):
        if source.endswith("b.txt"):
            raise ZeroDivisionError("a bug")
        return real(text, source)

    import actionnlp.read.api as api

    real = api.plan_from_text
    monkeypatch.setattr(api, "plan_from_text", flaky)
    # in this process (seconds=0), so the monkeypatched reader is the one that runs
    plans, errors = read_plans(tmp_path, progress=False, limits=Limits(seconds=0))
    assert len(plans) == 1
    assert errors["error"].tolist() == ["UnreadableDocumentError"]
    assert "b.txt: unexpected ZeroDivisionError while reading: a bug" in errors["message"].iloc[0]


def test_bad_gazetteer_lines_name_the_file_and_line():
    from actionnlp.owners.normalise import Gazetteer

    good = '{"canonical": "Governor", "category": "prison_leadership"}\n'
    with pytest.raises(ResourceError, match=r"mine.jsonl:2: not a JSON line"):
        Gazetteer.from_jsonl(good + "{oops\n", where="mine.jsonl")
    with pytest.raises(ResourceError, match=r"mine.jsonl:1: category must be one of"):
        Gazetteer.from_jsonl('{"canonical": "X", "category": "aliens"}', where="mine.jsonl")
    assert issubclass(ResourceError, ActionPlanError) and issubclass(ResourceError, ValueError)
