"""Reading a PDF back into the document model, without its page furniture.

pypdf extracts the text of each page with good word spacing; its text
visitor reports where each piece of text sits and in which size
(:mod:`assembler.readers.pdf_page` makes lines of both), then this reader:

- keeps only the agreement's own pages when some pages carry our
  "Sida X av Y" / "Page X of Y" footer (cover pages and merged appendix PDFs
  do not), and drops running headers, footers, page numbers and the draft
  watermark;
- joins the lines of a paragraph, across pages too, undoing line-break
  hyphenation where the document itself shows the word unhyphenated and
  keeping real hyphens ("offentlig-privat", "offentlighets- och");
- normalises ligatures (ﬁ → fi), soft hyphens and whitespace.

Quote and dash styles are left as printed: the diff reports them as their
own class of difference (``typographic``), never silently.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import zlib
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass, field, replace

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from assembler._limits import LIMITS, check_pdf_pages, exceeded
from assembler.errors import AssemblerError, DocumentFormatError, ManifestError
from assembler.manifest import PDF_MANIFEST_NAME, manifest_from_json, manifest_json_from_xmp
from assembler.model import Document, Manifest
from assembler.readers.lines import (
    APPENDIX_RE,
    HEADING_RE,
    LETTER_RE,
    NUMBER_RE,
    Line,
    Role,
    build_document,
    one_language,
    plain,
    split_label,
)
from assembler.readers.pdf_page import PdfLine as _PdfLine
from assembler.readers.pdf_page import page_lines
from assembler.readers.pdf_parts import furniture_parts, page_notes

logging.getLogger("pypdf").addHandler(logging.NullHandler())

PAGE_RE = re.compile(r"^(?:\S+ \d+ \S+ \d+)(?: / \S+ \d+ \S+ \d+)*$")  # "Sida 3 av 12"
_BARE_PAGE_RE = re.compile(r"^[-–—]?\s*\d{1,4}\s*[-–—]?$")
_NUMBER_LABEL = re.compile(r"^\d+(?:\.\d+)+\.?$")
_LIST_NUMBER = re.compile(r"^\d{1,3}\.$")
_LIST_LETTER = re.compile(r"^(?:[a-z]|[ivx]{1,5})[.)]$")
_HEADING_LABEL = re.compile(r"^\d+\.?$")
_PARTY_RE = re.compile(r"^.*\(\S*\d\S*\)$")  # "Grön Våg AB (556036-0793)"
_BULLETS = {"•", "\u25aa", "\u25e6", "\u2013", "-"}
_SUSPENDED = {"och", "eller", "samt", "resp", "respektive", "till", "som", "and", "or", "nor", "to"}
_HYPHENS = ("-", "\u2010")
# The draft mark our writers print in the header (the watermark is rotated).
_DRAFT_MARKS = {"UTKAST", "DRAFT", "UTKAST / DRAFT", "DRAFT / UTKAST"}


@dataclass(frozen=True)
class PdfReading:
    """What a PDF holds: its document, the embedded manifest, and reading notes."""

    documents: tuple[Document, ...]
    manifest: Manifest | None = None
    notes: tuple[str, ...] = field(default=())
    skipped: tuple[str, ...] = ()  # page furniture read but only accounted for (repeats, page numbers)


def _furniture(pages: list[list[_PdfLine]], body: float) -> set[int]:
    """Return ids of lines that are running headers, footers or page numbers."""
    drop: set[int] = set()
    edges: Counter[str] = Counter()
    for lines in pages:
        for line in {id(x): x for x in lines[:2] + lines[-2:]}.values():
            edges[re.sub(r"\d+", "#", line.text)] += 1
    repeated = {t for t, n in edges.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)}
    for lines in pages:
        for line in lines:
            if line.rotated:
                drop.add(id(line))
        ends = lines[:2] + lines[-2:]
        for line in ends:
            if (PAGE_RE.match(line.text) or _BARE_PAGE_RE.match(line.text)
                    or re.sub(r"\d+", "#", line.text) in repeated):
                drop.add(id(line))
        # A header in small print above everything else on the page.
        for line in lines:
            if id(line) in drop:
                continue
            if line.size < body * 0.9 or line.text in _DRAFT_MARKS:
                drop.add(id(line))
                continue
            break
    return drop


def _body_size(lines: list[_PdfLine]) -> float:
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _leading(lines: list[_PdfLine], body: float) -> float:
    """Return the distance between two lines of one paragraph in body text."""
    gaps = [round(a.y - b.y, 1) for a, b in itertools.pairwise(lines)
            if a.page == b.page and abs(a.size - body) < 0.3 and abs(b.size - body) < 0.3
            and 0.8 * body <= a.y - b.y <= 1.45 * body]
    # The most common gap, not the smallest: table rows and tight lists sit
    # closer than the lines of a paragraph.
    return Counter(gaps).most_common(1)[0][0] if gaps else 1.2 * body


def _label(line: _PdfLine) -> tuple[Role, str] | None:
    """Return the role and label a line's first piece prints, if it is a label."""
    first, rest = line.first, line.text[len(line.first):].strip()
    if not rest or not line.text.startswith(first):
        return None
    if _NUMBER_LABEL.match(first):
        return "numbered", first.rstrip(".")
    if _LIST_NUMBER.match(first):
        return "numbered", first  # Word's "1." list label, printed apart from its text
    if LETTER_RE.match(first + " x") or _LIST_LETTER.match(first):
        return "letter", first
    if first in _BULLETS:
        return "bullet", ""
    return None


def _join(prev: str, nxt: str, vocabulary: Container[str]) -> str:
    """Return two lines of one paragraph joined, line-break hyphenation undone.

    "X-" + "Y" is "XY" when the document spells XY elsewhere and never X-Y;
    "X- Y" before a conjunction ("offentlighets- och"); otherwise "X-Y".
    """
    if prev.endswith(_HYPHENS) and len(prev) > 1 and prev[-2].isalpha() and nxt[:1].isalpha():
        head = re.findall(r"\w+$", prev[:-1])
        tail = re.findall(r"^\w+", nxt)
        if head and tail:
            word = tail[0].casefold()
            joined = (head[0] + tail[0]).casefold()
            hyphened = f"{head[0]}-{tail[0]}".casefold()
            if word in _SUSPENDED:
                return f"{prev} {nxt}"
            if joined in vocabulary and hyphened not in vocabulary:
                return prev[:-1] + nxt
            return prev + nxt
    return f"{prev} {nxt}"


class _Vocabulary:
    """The words of the body lines, casefolded; counted on the first question (a hyphen at a line end)."""

    def __init__(self, lines: list[_PdfLine]) -> None:
        self._lines = lines
        self._words: set[str] | None = None

    def __contains__(self, word: object) -> bool:
        if self._words is None:
            self._words = {w.casefold() for line in self._lines for w in re.findall(r"\w+(?:-\w+)*", line.text)}
        return word in self._words


def _roles(lines: list[_PdfLine], body: float, ours: bool = True) -> list[Line]:
    """Return the paragraphs of the body lines, each with the role our writers gave it."""
    leading = _leading(lines, body)
    vocabulary = _Vocabulary(lines)
    full = _full_widths(lines, body)
    out: list[tuple[Role, str, str]] = []  # role, label, text
    last: _PdfLine | None = None
    title_done = False
    mode = ""
    for line in lines:
        text, size = line.text, line.size
        label = _label(line)
        role: Role
        new_label = ""
        if not title_done and size >= body * 1.4:
            if out and out[-1][0] == "title" and last is not None and last.size >= body * 1.4:
                out[-1] = ("title", "", f"{out[-1][2]} {text}")
                last = line
                continue
            role = "title"
        elif out and out[-1][0] == "title" and re.match(r"^[^:]{1,40}: \S", text):
            role = "subtitle"
            title_done = True
        elif size > body * 1.05:
            title_done = True
            big = _larger_line(line, last, out)
            if big is None:
                out[-1] = (out[-1][0], out[-1][1], f"{out[-1][2]} {text}")
                last = line
                continue
            role, new_label, text = big
            mode = "pending" if role == "section" else ""
        elif mode == "signatures" and size < body * 0.95:
            role = "sig-caption"
        elif label is not None:
            title_done = True
            role, new_label = label
            text = text[len(line.first):].strip()
        elif mode == "pending" and APPENDIX_RE.match(text):
            role, mode = "paragraph", "appendices"
        elif mode == "signatures" or (ours and mode == "pending" and _PARTY_RE.match(text)):
            mode = "signatures"
            role = "sig-party" if _PARTY_RE.match(text) else "sig-field"
        elif out and last is not None and _continues(out[-1][0], out[-1][2], last, line, leading, full):
            out[-1] = (out[-1][0], out[-1][1], _join(out[-1][2], text, vocabulary))
            last = line
            continue
        else:
            title_done = True
            role = "paragraph"
            if mode == "pending":
                mode = ""
        out.append((role, new_label, text))
        last = line
    return [Line(role, plain(text), label) if role != "paragraph"
            else split_label("paragraph", plain(text)) for role, label, text in out]


def _larger_line(line: _PdfLine, last: _PdfLine | None,
                 out: list[tuple[Role, str, str]]) -> tuple[Role, str, str] | None:
    """Return role, label and text of a line printed larger than the body text.

    None when it is the second line of the heading or section title above it.
    """
    text, first = line.text, line.first
    heading = HEADING_RE.match(text)
    if _HEADING_LABEL.match(first) and text[len(first):].strip():
        return "heading", first.rstrip("."), text[len(first):].strip()
    if heading and len(text) < 150:
        return "heading", heading.group(1), heading.group(2).strip()
    if last is not None and out and out[-1][0] in ("heading", "section") and \
            last.page == line.page and last.y - line.y <= line.size * 1.4:
        return None
    return "section", "", text


def _full_widths(lines: list[_PdfLine], body: float) -> dict[float, int]:
    """Return, per left edge, how many characters a full line of body text holds.

    Taken as a high percentile of line lengths: most lines of a paragraph
    are full, its last line usually is not.
    """
    lengths: dict[float, list[int]] = {}
    for line in lines:
        if abs(line.size - body) < 0.3:
            lengths.setdefault(round(line.x), []).append(len(line.text))
    return {x: sorted(v)[int(len(v) * 0.9)] for x, v in lengths.items() if len(v) >= 5}


def _continues(role: Role, text: str, last: _PdfLine, line: _PdfLine, leading: float,
               full: dict[float, int]) -> bool:
    """Return whether ``line`` carries on the paragraph that ``last`` ended."""
    if role in ("title", "subtitle", "heading", "section", "sig-caption", "sig-party"):
        return False
    if abs(line.size - last.size) > max(0.5, 0.1 * max(line.size, last.size)):
        return False  # (a glyph of another font may measure a point apart on one line)
    width = full.get(round(last.x))
    last_full = width is not None and len(last.text) >= 0.8 * width
    if NUMBER_RE.match(line.text) or LETTER_RE.match(line.text):
        # A number at the start of a line opens a sub-clause, unless the line
        # above ran full and this one follows closely ("se punkt / 3.1 och …").
        return line.page == last.page and 0 < last.y - line.y <= leading * 1.12 and last_full
    ended = text.rstrip().endswith((".", ";", ":", "!", "?"))
    if line.page == last.page:
        # Close lines of one size are one paragraph, unless the one above was
        # short and ended a sentence: list items printed without spacing.
        return 0 < last.y - line.y <= leading * 1.12 and (last_full or not ended)
    # Across a page break: a last line that ran full (a paragraph's last line
    # rarely does), or a sentence going on in lower case.
    return last_full or (line.text[:1].islower() and not ended)


def read_pdf(data: bytes, language: str = "") -> PdfReading:
    """Return the document and manifest of a PDF, page furniture removed.

    Raise AssemblerError when the bytes are not a readable PDF.
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentFormatError("this PDF is encrypted; decrypt it before comparing", code="document.encrypted")
        check_pdf_pages(len(reader.pages), "this PDF")
        pages = [page_lines(page, k) for k, page in enumerate(reader.pages)]
        middle = float(reader.pages[0].mediabox.width) / 2 if reader.pages else 0.0
        height = float(reader.pages[0].mediabox.height) if reader.pages else 0.0
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DocumentFormatError(f"this file is not a readable PDF ({exc})", code="document.damaged") from None
    except RecursionError:
        raise exceeded("pdf-depth", "the nesting of this PDF's objects", LIMITS.pdf_depth, unit=" levels") from None
    notes: list[str] = []
    left_out: list[str] = []
    if pages and not any(pages):
        notes.append("no text found in this PDF (a scan?); it compares as empty")
    numbered = [k for k, lines in enumerate(pages) if any(PAGE_RE.match(x.text) for x in lines[-2:])]
    if numbered and len(numbered) < len(pages):
        notes.append(f"read {len(numbered)} of {len(pages)} pages: those with page numbers "
                     "(cover pages and appendices left out)")
        left_out = [x.text for k, lines in enumerate(pages) if k not in numbered for x in lines]
        pages = [pages[k] for k in numbered]
    manifest = _manifest(data)
    ours = manifest is not None
    if not ours:
        # Reading order is top to bottom: a text box drawn last sits where it
        # is printed.  (Our own layouts print in order, signature columns too.)
        pages = [sorted(lines, key=lambda x: -round(x.y)) for lines in pages]
    body = _body_size([x for lines in pages for x in lines if not x.rotated])
    drop = _furniture(pages, body)
    kept, skipped = furniture_parts(pages, drop, height, ours)
    note_parts, note_lines = page_notes(pages, drop, body) if not ours else ((), set())
    lines = [x for page_lines in pages for x in page_lines if id(x) not in drop and id(x) not in note_lines]
    columns = _columns(lines, middle, body) if ours else []
    if columns:
        documents = tuple(one_language(build_document(_roles(column, body)), k, len(columns))
                          for k, column in enumerate(columns))
    else:
        documents = (build_document(_roles(lines, body, ours), language),)
    if kept or note_parts:
        documents = tuple(replace(d, parts=kept + note_parts) for d in documents)
    return PdfReading(documents, manifest, tuple(notes), skipped + tuple(left_out))


def _columns(lines: list[_PdfLine], middle: float, body: float) -> list[list[_PdfLine]]:
    """Return the left and right columns of a side-by-side layout, or [] for one column.

    Both languages share what follows the full-width signatures heading
    ("Underskrifter / Signatures"): the signature table is printed once.
    """
    right = [x for x in lines if x.x >= middle]
    if not lines or len(right) < 0.25 * len(lines):
        return []
    beside = {(x.page, round(x.y)) for x in right}
    shared = next((k for k, x in enumerate(lines) if x.x < middle and x.size > body * 1.05
                   and " / " in x.text and (x.page, round(x.y)) not in beside), len(lines))
    head, tail = lines[:shared], lines[shared:]
    return [[x for x in head if x.x < middle] + tail, [x for x in head if x.x >= middle] + tail]


def _manifest(data: bytes) -> Manifest | None:
    """Return the embedded manifest, or None when there is none."""
    try:
        return read_pdf_manifest(data)
    except AssemblerError:
        return None


def read_pdf_manifest(data: bytes) -> Manifest:
    """Return the manifest embedded in an assembler PDF.

    Raise :class:`DocumentFormatError` if ``data`` is not a readable PDF and
    :class:`ManifestError` if it carries no manifest.
    """
    if b"%PDF-" not in data[:1024]:
        raise DocumentFormatError("this is not a PDF file", code="document.not-pdf")
    quick = _quick_manifest(data)
    if quick is not None:
        return quick
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentFormatError("the PDF is encrypted; its manifest cannot be read", code="document.encrypted")
        found = reader.attachments.get(PDF_MANIFEST_NAME)
        if not found:
            # A PDF/A agreement keeps its manifest in the XMP metadata, not as an attachment.
            xmp = reader.xmp_metadata
            text = manifest_json_from_xmp(xmp.stream.get_data()) if xmp is not None else None
            found = [text.encode("utf-8")] if text else []
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DocumentFormatError(f"the PDF cannot be read ({exc})", code="document.damaged") from None
    except RecursionError:
        raise exceeded("pdf-depth", "the nesting of this PDF's objects", LIMITS.pdf_depth, unit=" levels") from None
    if not found:
        raise ManifestError("this PDF carries no assembler manifest", code="manifest.missing")
    return manifest_from_json(found[0])


def pdf_a_part(data: bytes) -> str:
    """Return the PDF/A part a PDF declares in its XMP metadata ("2"), or "" when it declares none."""
    try:
        xmp = PdfReader(io.BytesIO(data)).xmp_metadata
        return (xmp.pdfaid_part or "") if xmp is not None else ""
    except (PyPdfError, ValueError, KeyError, TypeError):
        return ""


_EMBEDDED_FILE = b"/Type /EmbeddedFile\n"  # as pypdf writes it; any other spelling goes to the full reader
_OBJ_HEADER = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)(\s+\d+\s+R)?")
_STREAM = re.compile(rb">>\s*stream(\r\n|\n)")


def _quick_manifest(data: bytes) -> Manifest | None:
    """Return the manifest of a PDF as our writers make it, found without parsing the document; None otherwise.

    pypdf reads every object header of the cross-reference table before it
    can answer anything: most of a where-used scan.  A PDF with exactly one
    embedded file, unencrypted, whose file specification names it
    manifest.json and whose stream is plain or Flate-compressed with a
    direct length, is read from that stream alone.  Anything else (two
    embedded files after an incremental update, object streams, other
    filters) returns None and is read by pypdf in full.
    """
    if b"/Encrypt" in data:
        return None
    # bytes.count and bytes.find run in C over the whole file; a regular expression costs ten times more here.
    if data.count(_EMBEDDED_FILE) != 1 or (b"(manifest\\056json)" not in data and b"(manifest.json)" not in data):
        return None
    found = [data.find(_EMBEDDED_FILE)]
    headers = list(_OBJ_HEADER.finditer(data, max(0, found[0] - 200), found[0]))
    stream = _STREAM.search(data, found[0])
    if not headers or stream is None:
        return None
    header = headers[-1]
    ref = rb"/EF\s*<<\s*/(?:F|UF)\s+%s\s+%s\s+R" % (header.group(1), header.group(2))
    head = data[header.end():stream.start()]
    length = _LENGTH.search(head)
    if length is None or length.group(2) or re.compile(ref).search(data, stream.end()) is None:
        return None
    end = stream.end() + int(length.group(1))
    body = data[stream.end():end]
    if not data[end:end + 12].lstrip(b"\r\n ").startswith(b"endstream"):
        return None  # the length is wrong: let pypdf deal with it
    try:
        if b"/FlateDecode" in head:
            body = zlib.decompress(body)
        elif b"/Filter" in head:
            return None
        return manifest_from_json(body)
    except (zlib.error, AssemblerError):
        return None  # the full reader says what is wrong

