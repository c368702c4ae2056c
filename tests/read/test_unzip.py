"""A .docx is unpacked counting the bytes that come out, not trusting its headers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "hostile"))
import make_hostile as hostile

from actionnlp.errors import DocumentTooLargeError, UnreadableDocumentError
from actionnlp.read import read_plan
from actionnlp.read.limits import Limits
from actionnlp.read.unzip import unpack


def test_understated_sizes_are_caught_while_inflating(tmp_path):
    bomb = hostile.make_bomb_docx(tmp_path / "bomb.docx", real=20_000_000, declared=2_000)
    with pytest.raises(
        DocumentTooLargeError,
        match=r"bomb\.docx: part word/document\.xml inflates beyond the 2000 bytes",
    ):
        read_plan(bomb)


def test_the_unzipped_budget_counts_every_part(tmp_path):
    path = hostile.write_docx(tmp_path / "plan.docx", hostile.document_xml([hostile.plain_row(1)]))
    assert read_plan(path).concerns[0].id == "1"
    with pytest.raises(
        DocumentTooLargeError,
        match=r"expand to \d+ bytes, more than the 500 allowed \(unzipped_bytes",
    ):
        read_plan(path, limits=Limits(unzipped_bytes=500))


def test_deflate64_and_encrypted_parts_get_their_own_messages(tmp_path):
    d64 = hostile.make_deflate64_docx(tmp_path / "d64.docx")
    with pytest.raises(UnreadableDocumentError, match=r"unsupported zip compression \(deflate64\)"):
        read_plan(d64)
    enc = hostile.make_encrypted_docx(tmp_path / "enc.docx")
    with pytest.raises(
        UnreadableDocumentError, match=r"enc\.docx: part word/document\.xml is encrypted"
    ):
        read_plan(enc)


def test_a_corrupt_part_fails_its_crc(tmp_path):
    path = hostile.write_docx(tmp_path / "plan.docx", hostile.document_xml([hostile.plain_row(1)]))
    data = bytearray(path.read_bytes())
    at = data.index(b"word/document.xml") + len(b"word/document.xml") + 40  # inside its data
    data[at] ^= 0xFF
    with pytest.raises(UnreadableDocumentError, match=r"plan\.docx: (corrupt zip|part)"):
        unpack(bytes(data), path, Limits())


def test_not_a_zip(tmp_path):
    with pytest.raises(UnreadableDocumentError, match="not a zip file"):
        unpack(b"hello", tmp_path / "x.docx", Limits())
