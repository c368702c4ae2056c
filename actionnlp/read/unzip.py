"""Unpack a .docx (a zip) from bytes already read, counting every inflated byte.

The sizes a zip's headers declare are not trusted: each part is inflated in
chunks and the bytes that come out are counted against the part's declared size
and against :attr:`~actionnlp.read.limits.Limits.unzipped_bytes` for the whole
file, so a zip whose headers understate its sizes is refused after reading at
most one chunk past the budget. Encrypted parts and compression methods other
than stored and deflate (Word writes no others) get their own clear errors.
The parts come back as a new, uncompressed zip in memory for python-docx, so
nothing inflates the original again.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from actionnlp.errors import DocumentTooLargeError, UnreadableDocumentError
from actionnlp.read.limits import Limits

__all__ = ["repack", "unpack"]

_CHUNK = 1 << 16
_RATIO_FLOOR = 1_000_000
_METHODS = {
    1: "shrink",
    6: "implode",
    9: "deflate64",
    12: "bzip2",
    14: "lzma",
    93: "zstandard",
    95: "xz",
    98: "ppmd",
}


def _raw(zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes, path: Path) -> bytes:
    """The compressed bytes of one part, located through its local header."""
    start = info.header_offset
    header = data[start : start + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise UnreadableDocumentError(f"corrupt zip: bad local header for {info.filename}", path)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    begin = start + 30 + name_len + extra_len
    raw = data[begin : begin + info.compress_size]
    if len(raw) < info.compress_size:
        raise UnreadableDocumentError(f"corrupt zip: part {info.filename} is truncated", path)
    return raw


def _inflate(raw: bytes, name: str, declared: int, budget: int, path: Path) -> bytes:
    out: list[bytes] = []
    total = 0
    d = zlib.decompressobj(-15)
    pending = raw
    try:
        while pending and not d.eof:
            piece = d.decompress(pending, _CHUNK)
            pending = d.unconsumed_tail
            total += len(piece)
            if total > declared:
                raise DocumentTooLargeError(
                    f"part {name} inflates beyond the {declared} bytes its header declares "
                    "(a zip bomb with understated sizes?)",
                    path,
                )
            if total > budget:
                raise DocumentTooLargeError(
                    f"its parts inflate to more than the {budget} bytes allowed "
                    "(unzipped_bytes budget; a zip bomb?)",
                    path,
                )
            out.append(piece)
        if not d.eof:
            raise UnreadableDocumentError(f"corrupt zip: part {name} is cut short", path)
    except zlib.error as err:
        raise UnreadableDocumentError(f"corrupt zip data in part {name}: {err}", path) from None
    return b"".join(out)


def unpack(data: bytes, path: Path, limits: Limits) -> dict[str, bytes]:
    """Every part of the zip ``data`` (read from ``path``), checked and inflated."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        why = f"is not a valid .docx (not a zip file): {err}"
        raise UnreadableDocumentError(why, path) from None
    parts: dict[str, bytes] = {}
    used = 0
    with zf:
        infos = zf.infolist()
        declared = sum(i.file_size for i in infos)
        if limits.unzipped_bytes and declared > limits.unzipped_bytes:
            raise DocumentTooLargeError(
                f"its parts expand to {declared} bytes, more than the {limits.unzipped_bytes} "
                "allowed (unzipped_bytes; a zip bomb?)",
                path,
            )
        for info in infos:
            name = info.filename
            if info.flag_bits & 0x1:
                raise UnreadableDocumentError(
                    f"part {name} is encrypted (a password-protected zip); save the document "
                    "without a password",
                    path,
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _RATIO_FLOOR and limits.entry_ratio and ratio > limits.entry_ratio:
                raise DocumentTooLargeError(
                    f"part {name} is compressed {ratio:.0f}:1, more than the "
                    f"{limits.entry_ratio}:1 allowed (a zip bomb?)",
                    path,
                )
            raw = _raw(zf, info, data, path)
            budget = (limits.unzipped_bytes or 1 << 62) - used
            if info.compress_type == zipfile.ZIP_STORED:
                if len(raw) > budget:
                    raise DocumentTooLargeError(
                        f"its parts are more than the {limits.unzipped_bytes} bytes allowed", path
                    )
                body = raw
            elif info.compress_type == zipfile.ZIP_DEFLATED:
                body = _inflate(raw, name, info.file_size, budget, path)
            else:
                method = _METHODS.get(info.compress_type, f"method {info.compress_type}")
                raise UnreadableDocumentError(
                    f"part {name} uses an unsupported zip compression ({method}); Word writes "
                    "only stored or deflated parts: re-save the document from Word",
                    path,
                )
            if zlib.crc32(body) != info.CRC or len(body) != info.file_size:
                raise UnreadableDocumentError(
                    f"corrupt zip: part {name} fails its size or CRC check", path
                )
            used += len(body)
            parts[name] = body
    return parts


def repack(parts: dict[str, bytes]) -> io.BytesIO:
    """The checked parts as an uncompressed zip in memory (for python-docx)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    buf.seek(0)
    return buf
