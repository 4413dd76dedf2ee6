"""Read the manifest an agreement carries without parsing the whole file: the fast path of where-used.

A folder scan reads thousands of agreements for one small part each.  A file
is read by range, a few hundred bytes at a time, where its tables of
contents point.  For a DOCX the custom XML items are found by name in the
zip's central directory (no ``ZipFile``, no python-docx) and only they are
inflated, capped at a manifest's size; for a PDF the manifest is followed
from the trailer through the cross-reference table to the catalog, the
embedded-files name tree and the one stream (the page tree is never
touched).  The JSON is decoded by msgspec: straight into the model for
:func:`quick_docx_manifest` and :func:`quick_pdf_manifest`, into the smaller
:class:`ManifestView` for a scan.  Each reader returns None whenever the file
is not shaped exactly as expected (an incremental update, an object stream,
encryption, a part Word renamed, a limit that would be exceeded): the caller
then reads the file with the full reader, which applies every limit and
gives the precise message for damaged or hostile files.  Nothing here
raises on bad bytes.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import zlib
from collections.abc import Callable
from typing import Any, Protocol

import msgspec

from assembler._limits import LIMITS
from assembler.errors import AssemblerError, ManifestError
from assembler.manifest import MANIFEST_FORMAT, PDF_MANIFEST_NAME, manifest_from_json
from assembler.model import Manifest

_EOCD = b"PK\x05\x06"
_CENTRAL = struct.Struct("<4s4xHH4xLLLHHH8xL")  # central directory file header (46 bytes), the fields used
_LOCAL = struct.Struct("<4s22xHH")  # local file header (30 bytes): signature, name and extra lengths
_UNSURE = (struct.error, zlib.error, ValueError, IndexError, OverflowError, AssemblerError, msgspec.MsgspecError)


class _Source(Protocol):
    """Bytes read by range."""

    size: int

    def read(self, offset: int, n: int) -> bytes:
        """Return up to ``n`` bytes from ``offset`` (fewer at the end)."""


class _Memory:
    """Bytes already in memory."""

    def __init__(self, data: bytes) -> None:
        self.data, self.size = data, len(data)

    def read(self, offset: int, n: int) -> bytes:
        return self.data[offset:offset + n] if offset >= 0 and n >= 0 else b""


class _File:
    """An open regular file, read by range.

    Every range is read when asked for and no more: copying memory costs more
    here than a system call, and a scan asks for a few hundred bytes of each file.
    """

    def __init__(self, fd: int, size: int) -> None:
        self.fd, self.size = fd, size

    def read(self, offset: int, n: int) -> bytes:
        if offset < 0 or n < 0 or offset >= self.size:
            return b""
        return os.pread(self.fd, min(n, self.size - offset), offset)


class _Tail:
    """A source whose last block is read once and served from memory: where a PDF keeps its table, its trailer
    and, in ours, the attachment and the name tree that lead to it."""

    def __init__(self, src: _Source, block: int) -> None:
        self.src, self.size = src, src.size
        self.at = max(0, src.size - block)
        self.block = src.read(self.at, src.size - self.at)

    def read(self, offset: int, n: int) -> bytes:
        if offset >= self.at and n >= 0:
            return self.block[offset - self.at:offset - self.at + n]
        return self.src.read(offset, n)


def quick_docx_manifest(data: bytes) -> Manifest | None:
    """Return the manifest of a DOCX read from its central directory and one member; None when unsure."""
    try:
        return _docx_manifest(_Memory(data), decode_manifest)  # type: ignore[no-any-return]
    except _UNSURE:
        return None


def quick_pdf_manifest(data: bytes) -> Manifest | None:
    """Return the manifest a PDF embeds, followed from its trailer without the page tree; None when unsure."""
    try:
        return _pdf_manifest(_Memory(data), decode_manifest)  # type: ignore[no-any-return]
    except _UNSURE:
        return None


def quick_file_view(path: str) -> tuple[str | None, ManifestView | None]:
    """Return what a file is by its first bytes ("docx", "pdf" or None for neither) and its manifest read by range.

    The manifest comes as a :data:`ManifestView`.  It is None when the quick
    reading is unsure, and also when the file is not a regular file within
    the document size limit (the kind is then "unsure"): the caller reads
    such a file in full, which refuses it in plain words.  Opened without
    blocking, so a FIFO cannot hang the scan.  Raises OSError when the file
    cannot be opened or read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > LIMITS.document_bytes:
            return "unsure", None
        source = _File(fd, st.st_size)
        head = source.read(0, 8)
        if not head.startswith((b"PK", b"%PDF-")):
            head = source.read(0, 1024)
        # The same rule as readers.sniff: a ZIP package, or a PDF header within the first KiB.
        kind = "docx" if head.startswith(b"PK") else "pdf" if b"%PDF-" in head else None
        if kind is None:
            return None, None
        try:
            if kind == "docx":
                return kind, _docx_manifest(source, decode_view)
            return kind, _pdf_manifest(_Tail(source, _PDF_TAIL), decode_view)
        except _UNSURE:
            return kind, None
    finally:
        os.close(fd)


# --- the manifest JSON -----------------------------------------------------------------------------------------------

class ClauseView(msgspec.Struct, frozen=True, gc=False):
    """A clause stamp as a scan reads it (the fields of :class:`assembler.model.ClauseStamp`)."""

    id: str
    version: str
    sha256: str


class ManifestView(msgspec.Struct, frozen=True, gc=False):
    """What a scan reads of a manifest: its format, every field the model requires, and those where-used reports.

    Types and defaults are the model's (:class:`assembler.model.Manifest`; a
    test holds the two together), so a manifest the model would refuse is
    refused.  Fields a scan does not report (the answers, the house style …)
    are skipped unread.  A Struct is made at C speed, while a frozen
    dataclass costs one ``object.__setattr__`` per field: for a scan of ten
    thousand agreements that was most of the time.
    """

    format: str
    agreement: str
    agreement_version: str
    language: str
    assembled: str
    clauses: tuple[ClauseView, ...]
    answers_sha256: str
    tool_version: str
    draft: bool = False
    reference: str = ""
    parties: tuple[str, ...] = ()


_DECODER = msgspec.json.Decoder(Manifest)
_VIEW_DECODER = msgspec.json.Decoder(ManifestView)
_FORMAT_KEY = b'"format":'
_OUR_START = b'{\n  "format": "' + MANIFEST_FORMAT.encode() + b'",'


def _ours(raw: bytes) -> bool:
    """Whether manifest JSON is shaped as our writers make it: the format first and once, answers_form given."""
    return raw.startswith(_OUR_START) and raw.count(_FORMAT_KEY) == 1 and b'"answers_form":' in raw


def decode_manifest(raw: bytes) -> Manifest:
    """Return the manifest JSON bytes describe, as :func:`assembler.manifest.manifest_from_json` does.

    Manifests as our writers make them (see :func:`_ours`), every value of
    its declared type, are decoded by msgspec, several times faster than
    ``json`` plus the model's constructors; anything else goes through
    ``manifest_from_json``, which is lenient in the same ways as before and
    raises the same errors.
    """
    if _ours(raw):
        try:
            return _DECODER.decode(raw)  # type: ignore[no-any-return]
        except msgspec.MsgspecError:
            pass  # a value of another type, a duplicate key …: the lenient reader decides
    return manifest_from_json(raw)


def decode_view(raw: bytes) -> ManifestView:
    """Return manifest JSON as a :data:`ManifestView`; raise MsgspecError or AssemblerError when unsure.

    The caller then reads the file in full, through :func:`decode_manifest`,
    which words what is wrong.
    """
    view = _VIEW_DECODER.decode(raw)
    if view.format != MANIFEST_FORMAT:
        raise ManifestError("not an assembler manifest", code="manifest.foreign")
    return view


# --- DOCX ------------------------------------------------------------------------------------------------------------

_XML_START = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<manifest xmlns=\"urn:assembler:manifest\">"
_XML_END = b"</manifest>"


def _docx_manifest(src: _Source, decode: Callable[[bytes], Any]) -> Any:
    window_at = max(0, src.size - 22)  # the end record of a package without a comment, as Word and we write it
    window = src.read(window_at, 22)
    if not window.startswith(_EOCD):
        window_at = max(0, src.size - 65_557)  # … or with a comment of at most 65,535 bytes
        window = src.read(window_at, src.size - window_at)
    at = window.rfind(_EOCD)
    if at < 0 or at + 22 > len(window):
        return None
    count, size, offset = struct.unpack_from("<HLL", window, at + 10)
    if count == 0xFFFF or offset == 0xFFFFFFFF or count > LIMITS.zip_entries or offset + size > window_at + at:
        return None  # ZIP64 or not sane: the full reader says what it is
    directory = src.read(offset, size)
    if len(directory) != size:
        return None
    # A package: its content types and a word/ part (names compared in the directory at C speed).
    if b"[Content_Types].xml" not in directory or b"word/" not in directory:
        return None
    candidates: list[tuple[int, int, int, int, int]] = []
    # Names are compared without case; a lower-case copy is made only for a package that spells them otherwise than
    # Word and we do (any item the fast path misses is found by the full reader).
    lower, needle = (directory, b"customXml/") if b"customXml/" in directory else (directory.lower(), b"customxml/")
    hit = lower.find(needle)
    while hit >= 0 and len(candidates) < 16:
        # Only the custom XML items are looked at, found by name at C speed; no other member is ever inflated, so
        # their sizes do not matter here (the full reader checks them when it reads the whole package).
        entry = _candidate(directory, hit - 46)
        if entry is not None:
            candidates.append(entry)
        hit = lower.find(needle, hit + 10)
    for local, method, csize, usize, crc in candidates:
        xml = _member(src, local, method, csize, usize, crc)
        text = _manifest_xml_text(xml) if xml is not None else None
        if text is not None:
            return decode(text)
    return None


def _candidate(directory: bytes, pos: int) -> tuple[int, int, int, int, int] | None:
    """Return (local header offset, method, sizes, CRC) of the central directory entry at ``pos`` if it is a custom
    XML item that may hold the manifest, else None."""
    if pos < 0 or directory[pos:pos + 4] != b"PK\x01\x02":
        return None  # the name was found elsewhere than at the start of an entry's name
    _sig, flags, method, crc, csize, usize, nlen, _x, _c, local = _CENTRAL.unpack_from(directory, pos)
    name = directory[pos + 46:pos + 46 + nlen].lower()
    if (not name.endswith(b".xml") or b"/_rels/" in name or name.rsplit(b"/", 1)[-1].startswith(b"itemprops")
            or flags & 1 or method not in (0, 8)):
        return None
    return local, method, csize, usize, crc


def _member(src: _Source, local: int, method: int, csize: int, usize: int, crc: int) -> bytes | None:
    if usize > LIMITS.manifest_bytes + 4096:
        return None  # larger than any manifest: not one, or a bomb; the full reader decides
    sig, nlen, xlen = _LOCAL.unpack(src.read(local, 30))
    if sig != b"PK\x03\x04":
        return None
    raw = src.read(local + 30 + nlen + xlen, csize)
    if len(raw) != csize:
        return None
    body = raw if method == 0 else zlib.decompressobj(-15).decompress(raw, usize + 1)
    return body if len(body) == usize and zlib.crc32(body) == crc else None


def _manifest_xml_text(xml: bytes) -> bytes | None:
    """Return the manifest JSON a custom XML item holds (UTF-8), or None when it holds none."""
    whole = xml.rstrip(b" \t\r\n")
    if xml.startswith(_XML_START) and whole.endswith(_XML_END):
        inner = whole[len(_XML_START):len(whole) - len(_XML_END)]
        # Markup, an entity or a line end the parser would normalise: bytes.find runs in C at memchr speed, a
        # regular expression character class ten times slower.
        if b"<" not in inner and b"&" not in inner and b"\r" not in inner:
            return inner  # our writer's item, with nothing an XML parser would change
    from assembler.oxml.parts import manifest_text  # python-docx: imported only for items shaped otherwise
    text = manifest_text(xml)
    return text.encode("utf-8") if text is not None else None


# --- PDF -------------------------------------------------------------------------------------------------------------

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF = re.compile(rb"xref[\r\n ]*")
_SUBSECTION = re.compile(rb"(\d+)[ \t]+(\d+)[ \t]*\r?\n")
_OBJ = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b")
_NAMED = re.compile(rb"\(((?:[^()\\]|\\.)*)\)\s*(\d+)\s+(\d+)\s+R")
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
_OBJECT_BYTES = 1_000_000  # an object of ours up to its stream is a few hundred bytes
_PDF_TAIL = 16 * 1024  # read at once from a PDF's end: in ours all but the catalog is there
_TABLE_BYTES = 4 * 1024 * 1024  # a cross-reference table of 200,000 objects; a larger one goes to the full reader


class _Pdf:
    """The objects of a PDF with one classic cross-reference table, fetched by number."""

    def __init__(self, src: _Source) -> None:
        self.src = src
        found = _STARTXREF.search(src.read(max(0, src.size - 128), 128))
        if found is None:  # a longer tail (trailing junk or white space)
            found = _STARTXREF.search(src.read(max(0, src.size - 1024), 1024))
        if found is None:
            raise ValueError("no startxref")
        self.table_at = int(found.group(1))
        if not 0 <= src.size - self.table_at <= _TABLE_BYTES:
            raise ValueError("a table larger than a scan reads")
        # Without an update the table and the trailer run from startxref's offset to the end: one read.
        self.table = src.read(self.table_at, src.size - self.table_at)
        head = _XREF.match(self.table)
        if head is None:
            raise ValueError("a cross-reference stream")
        pos = head.end()
        self.sections: list[tuple[int, int, int]] = []  # (first object, count, where its entries start in the table)
        while (sub := _SUBSECTION.match(self.table, pos)) is not None:
            first, n = int(sub.group(1)), int(sub.group(2))
            self.sections.append((first, n, sub.end()))
            pos = sub.end() + 20 * n
        end = self.table.find(b"startxref", pos)
        if end < 0:
            raise ValueError("no trailer")
        self.trailer = self.table[pos:end]
        if not self.trailer.lstrip().startswith(b"trailer") or b"/Prev" in self.trailer or b"/Encrypt" in self.trailer:
            raise ValueError("an updated or encrypted PDF")

    def offset(self, number: int) -> int:
        for first, n, at in self.sections:
            if first <= number < first + n:
                entry = self.table[at + 20 * (number - first):at + 20 * (number - first) + 20]
                if entry[17:18] != b"n":
                    raise ValueError("a free object")
                return int(entry[:10])
        raise ValueError("an object not in the table")

    def body(self, ref: tuple[int, int]) -> tuple[bytes, int]:
        """Return an object's text up to ``stream`` or ``endobj``, and where that keyword starts in the file."""
        at = self.offset(ref[0])
        chunk = 512
        while True:  # read in growing chunks: our objects up to their stream are a few hundred bytes
            text = self.src.read(at, chunk)
            stream, end = text.find(b"stream"), text.find(b"endobj")
            stop = stream if 0 <= stream < end or end < 0 else end
            if stop >= 0:
                break
            if len(text) < chunk or chunk >= _OBJECT_BYTES:
                raise ValueError("an unterminated object")
            chunk = min(chunk * 8, _OBJECT_BYTES)
        head = _OBJ.match(text)
        if head is None or (int(head.group(1)), int(head.group(2))) != ref:
            raise ValueError("the table points elsewhere")
        return text[head.end():stop], at + stop


_REFS = {key: re.compile(rb"/%s\s+(\d+)\s+(\d+)\s+R" % key) for key in (b"Root", b"Names", b"EmbeddedFiles", b"F", b"UF")}


def _ref(text: bytes, key: bytes) -> tuple[int, int] | None:
    found = _REFS[key].search(text)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _literal(raw: bytes) -> bytes:
    if b"\\" not in raw:
        return raw  # no escape to undo (a regular expression substitution costs microseconds even when none)
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1), 8) & 0xFF]) if m.group(1)[:1].isdigit() else m.group(1), raw)


def _pdf_manifest(src: _Source, decode: Callable[[bytes], Any]) -> Any:
    pdf = _Pdf(src)
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
    start += 2 if src.read(start, 2) == b"\r\n" else 1
    raw = src.read(start, int(length.group(1)) + 12)
    if len(raw) < int(length.group(1)) or not raw[int(length.group(1)):].lstrip(b"\r\n ").startswith(b"endstream"):
        return None
    raw = raw[:int(length.group(1))]
    if b"/Filter" in head:
        if re.search(rb"/Filter\s*(/FlateDecode|\[\s*/FlateDecode\s*\])", head) is None:
            return None
        raw = zlib.decompressobj().decompress(raw, LIMITS.manifest_bytes + 1)
        if len(raw) > LIMITS.manifest_bytes:
            return None
    return decode(raw)
