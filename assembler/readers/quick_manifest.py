"""Read the manifest an agreement carries without parsing the whole file: the fast path of where-used.

A folder scan reads thousands of agreements for one small part each.  For a
DOCX that part is found from the zip's central directory alone (no
``ZipFile``, no python-docx) and is the only member inflated; for a PDF it is
followed from the trailer through the cross-reference table to the
catalog, the embedded-files name tree and the one stream (the page tree is
never touched).  Each function returns None whenever the file is not shaped
exactly as expected (an incremental update, an object stream, encryption, a
part Word renamed, a limit that would be exceeded): the caller then reads
the file with the full reader, which gives the precise message for damaged
or hostile files.  Nothing here raises on bad bytes.
"""

from __future__ import annotations

import re
import struct
import zlib

from assembler._limits import LIMITS, MB
from assembler.errors import AssemblerError
from assembler.manifest import PDF_MANIFEST_NAME, manifest_from_json
from assembler.model import Manifest
from assembler.oxml.parts import manifest_text

_EOCD = b"PK\x05\x06"
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # central directory file header, 46 bytes
_LOCAL = struct.Struct("<4s5H3L2H")  # local file header, 30 bytes


def quick_docx_manifest(data: bytes) -> Manifest | None:
    """Return the manifest of a DOCX read from its central directory and one member; None when unsure."""
    try:
        return _docx_manifest(data)
    except (struct.error, zlib.error, ValueError, IndexError, AssemblerError):
        return None


def _docx_manifest(data: bytes) -> Manifest | None:
    at = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    count, size, offset = struct.unpack_from("<HLL", data, at + 10)
    if count == 0xFFFF or offset == 0xFFFFFFFF or count > LIMITS.zip_entries or offset + size > at:
        return None  # ZIP64 or not sane: the full reader says what it is
    candidates: list[tuple[int, int, int, int, int]] = []
    seen_types = seen_word = False
    total, pos = 0, offset
    for _ in range(count):
        (sig, _v, _n, flags, method, _t, _d, crc, csize, usize, nlen, xlen, clen, _disk, _ia, _ea,
         local) = _CENTRAL.unpack_from(data, pos)
        if sig != b"PK\x01\x02":
            return None
        name = data[pos + 46:pos + 46 + nlen].decode("utf-8", "replace")
        pos += 46 + nlen + xlen + clen
        total += usize
        if usize > LIMITS.zip_entry_bytes or (usize > MB and usize > LIMITS.zip_ratio * max(csize, 1)):
            return None  # the full reader raises the limit error
        seen_types |= name == "[Content_Types].xml"
        seen_word |= name.startswith("word/")
        lower = name.lower()
        if (lower.startswith("customxml/") and lower.endswith(".xml") and "/_rels/" not in lower
                and not lower.rsplit("/", 1)[-1].startswith("itemprops") and not flags & 1 and method in (0, 8)):
            candidates.append((local, method, csize, usize, crc))
    if not (seen_types and seen_word) or total > LIMITS.zip_total_bytes:
        return None
    for local, method, csize, usize, crc in candidates:
        xml = _member(data, local, method, csize, usize, crc)
        text = manifest_text(xml) if xml is not None else None
        if text is not None:
            return manifest_from_json(text)
    return None


def _member(data: bytes, local: int, method: int, csize: int, usize: int, crc: int) -> bytes | None:
    sig, _v, _f, _m, _t, _d, _crc, _cs, _us, nlen, xlen = _LOCAL.unpack_from(data, local)
    if sig != b"PK\x03\x04":
        return None
    start = local + 30 + nlen + xlen
    raw = data[start:start + csize]
    if len(raw) != csize:
        return None
    body = raw if method == 0 else zlib.decompressobj(-15).decompress(raw, usize + 1)
    return body if len(body) == usize and zlib.crc32(body) == crc else None


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_SUBSECTION = re.compile(rb"(\d+)[ \t]+(\d+)[ \t]*\r?\n")
_OBJ = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b")
_NAMED = re.compile(rb"\(((?:[^()\\]|\\.)*)\)\s*(\d+)\s+(\d+)\s+R")
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)


class _Pdf:
    """The objects of a PDF with one classic cross-reference table, fetched by number."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        found = _STARTXREF.search(data, max(0, len(data) - 1024))
        if found is None:
            raise ValueError("no startxref")
        pos = int(found.group(1))
        if data[pos:pos + 4] != b"xref":
            raise ValueError("a cross-reference stream")
        pos += 4
        while data[pos:pos + 1] in (b"\r", b"\n", b" "):
            pos += 1
        self.sections: list[tuple[int, int, int]] = []  # (first object, count, where its entries start)
        while (sub := _SUBSECTION.match(data, pos)) is not None:
            first, n = int(sub.group(1)), int(sub.group(2))
            self.sections.append((first, n, sub.end()))
            pos = sub.end() + 20 * n
        trailer_end = data.find(b"startxref", pos)
        self.trailer = data[pos:trailer_end]
        if not self.trailer.lstrip().startswith(b"trailer") or b"/Prev" in self.trailer or b"/Encrypt" in self.trailer:
            raise ValueError("an updated or encrypted PDF")

    def offset(self, number: int) -> int:
        for first, n, at in self.sections:
            if first <= number < first + n:
                entry = self.data[at + 20 * (number - first):at + 20 * (number - first) + 20]
                if entry[17:18] != b"n":
                    raise ValueError("a free object")
                return int(entry[:10])
        raise ValueError("an object not in the table")

    def body(self, ref: tuple[int, int]) -> tuple[bytes, int]:
        """Return an object's text up to ``stream`` or ``endobj``, and where that keyword starts."""
        at = self.offset(ref[0])
        head = _OBJ.match(self.data, at)
        if head is None or (int(head.group(1)), int(head.group(2))) != ref:
            raise ValueError("the table points elsewhere")
        end = self.data.find(b"endobj", head.end(), head.end() + 1_000_000)
        stream = self.data.find(b"stream", head.end(), end)
        stop = stream if stream >= 0 else end
        if stop < 0:
            raise ValueError("an unterminated object")
        return self.data[head.end():stop], stop


def _ref(text: bytes, key: bytes) -> tuple[int, int] | None:
    found = re.search(rb"/%s\s+(\d+)\s+(\d+)\s+R" % key, text)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _literal(raw: bytes) -> bytes:
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1), 8) & 0xFF]) if m.group(1)[:1].isdigit() else m.group(1), raw)


def quick_pdf_manifest(data: bytes) -> Manifest | None:
    """Return the manifest a PDF embeds, followed from its trailer without the page tree; None when unsure."""
    try:
        return _pdf_manifest(data)
    except (ValueError, IndexError, zlib.error, AssemblerError):
        return None


def _pdf_manifest(data: bytes) -> Manifest | None:
    pdf = _Pdf(data)
    root = _ref(pdf.trailer, b"Root")
    catalog = pdf.body(root)[0] if root else b""
    names = _ref(catalog, b"Names")
    tree = _ref(pdf.body(names)[0] if names else catalog, b"EmbeddedFiles")
    if tree is None:
        return None
    node = pdf.body(tree)[0]
    if b"/Kids" in node:
        return None
    wanted = PDF_MANIFEST_NAME.encode()
    specs = [(int(m.group(2)), int(m.group(3))) for m in _NAMED.finditer(node) if _literal(m.group(1)) == wanted]
    if len(specs) != 1:
        return None
    spec = pdf.body(specs[0])[0]
    if b"/EF" not in spec:
        return None
    ef = spec[spec.find(b"/EF"):]
    stream = _ref(ef, b"F") or _ref(ef, b"UF")
    if stream is None:
        return None
    head, at = pdf.body(stream)
    length = re.search(rb"/Length\s+(\d+)(\s+\d+\s+R)?", head)
    if length is None or length.group(2) or int(length.group(1)) > LIMITS.manifest_bytes:
        return None
    start = at + len(b"stream")
    start += 2 if data[start:start + 2] == b"\r\n" else 1
    end = start + int(length.group(1))
    if not data[end:end + 12].lstrip(b"\r\n ").startswith(b"endstream"):
        return None
    raw = data[start:end]
    if b"/Filter" in head:
        if re.search(rb"/Filter\s*(/FlateDecode|\[\s*/FlateDecode\s*\])", head) is None:
            return None
        inflater = zlib.decompressobj()
        raw = inflater.decompress(raw, LIMITS.manifest_bytes + 1)
        if len(raw) > LIMITS.manifest_bytes:
            return None
    return manifest_from_json(raw)
