"""Did the comparison see the whole document?  Words read against words present.

Each reader turns a file into the document model and may leave things out on
purpose (running headers repeated on every page, page numbers).  This module
extracts the words of the same file a second, independent way that knows
nothing of structure (every ``w:t`` of every DOCX part; pypdf's plain text;
the raw Markdown or text) and subtracts, as multisets, the words the model
holds and the words the reader said it skipped.  What is left was not
compared, and the diff must say so.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from assembler.model import Document, ItemList, Paragraph

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_WORD = re.compile(r"[^\W_]+")  # letters and digits: "_" and markup are no words
_HTML_TAG = re.compile(r"<[^>\n]+>")
_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|^\[(?!\^)[^\]]+\]:\s*\S+", re.M)
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\](?!:)")  # a reference mark, not the note itself
_HYPHENATED = re.compile(r"(\w+)[-\u2010\u00ad]\s*\n\s*(\w+)")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class Coverage:
    """How much of a file the comparison saw.

    ``present`` counts the words of the independent extraction, ``read``
    those the model holds, ``skipped`` those the reader left out on purpose;
    ``uncovered`` maps each part (DOCX part name, PDF page, "text") to the
    number of its words nobody accounted for, and ``sample`` shows a few.
    """

    present: int
    read: int
    skipped: int
    uncovered: dict[str, int]
    sample: tuple[str, ...] = ()

    @property
    def missing(self) -> int:
        """Return how many words of the file were not compared."""
        return sum(self.uncovered.values())

    @property
    def complete(self) -> bool:
        return self.missing == 0


def words(text: str) -> list[str]:
    """Return the words of a text, case-folded, as coverage counts them."""
    return [w.casefold() for w in _WORD.findall(text)]


def docx_part_words(data: bytes) -> list[tuple[str, list[str]]]:
    """Return (part name, words) for every XML part of a DOCX that holds w:t text.

    Text that accepting all tracked changes removes (inside ``w:del`` or
    ``w:moveFrom``) and the VML fallback copy of a drawing
    (``mc:Fallback``) are left out: Word shows neither.
    """
    out: list[tuple[str, list[str]]] = []
    w = f"{{{W_NS}}}"
    hidden = (f"{w}del", f"{w}moveFrom", f"{{{MC_NS}}}Fallback")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            if not (name.startswith("word/") and name.endswith(".xml")):
                continue
            root = etree.fromstring(archive.read(name), _PARSER)
            paragraphs: dict[etree._Element, list[str]] = {}
            for el in root.iter(f"{w}t", f"{w}tab", f"{w}br", f"{w}cr"):
                ancestors = list(el.iterancestors())
                if any(a.tag in hidden for a in ancestors):
                    continue
                # Pieces of one paragraph join as Word shows them ("Confiden"
                # + "tial"); paragraphs, tabs and breaks separate words.
                para = next((a for a in ancestors if a.tag == f"{w}p"), root)
                paragraphs.setdefault(para, []).append(el.text or "" if el.tag == f"{w}t" else " ")
            found = words(" ".join("".join(p) for p in paragraphs.values()))
            if found:
                out.append((name, found))
    return out


def pdf_page_words(data: bytes, read: Counter[str]) -> list[tuple[str, list[str]]]:
    """Return (page label, words) for every page, from pypdf's plain extraction.

    A word hyphenated at a line end counts whole when the reader kept it
    whole ("Confi-" + "dential"), and as its two halves otherwise.
    """
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    out = []
    for k, page in enumerate(reader.pages, 1):
        text = page.extract_text() or ""
        text = _HYPHENATED.sub(lambda m: m.group(1) + m.group(2) if (m.group(1) + m.group(2)).casefold() in read
                               else m.group(0), text)
        out.append((f"page {k}", words(text)))
    return out


def markdown_words(text: str) -> list[tuple[str, list[str]]]:
    """Return the words of a Markdown or text file: its raw text less tags and link targets."""
    text = _FOOTNOTE_REF.sub(" ", _LINK_TARGET.sub("]", _HTML_TAG.sub(" ", text)))
    return [("text", words(text))]


def document_words(doc: Document | None) -> Counter[str]:
    """Return the words the document model holds, labels and notes included."""
    if doc is None:
        return Counter()
    texts = [doc.title, doc.reference]
    blocks = list(doc.preamble)
    for clause in doc.clauses:
        texts += [clause.number, clause.title]
        blocks += clause.blocks
    for part in getattr(doc, "parts", ()):
        texts.append(part.label)
        blocks += part.blocks
    for block in blocks:
        if isinstance(block, Paragraph):
            texts += [block.number or "", block.text]
        elif isinstance(block, ItemList):
            texts += [t for item in block.items for t in (item.label, item.text)]
    for a in doc.appendices:
        texts += [a.label, a.title]
    labels = doc.labels
    if doc.signatures:
        texts += [labels.signatures, labels.place_date, labels.signature, labels.name_clarification,
                  labels.title] * len(doc.signatures)
    if doc.appendices:
        texts.append(labels.appendices)
    if doc.draft:
        texts.append(labels.draft)
    for s in doc.signatures:
        texts += [s.party, s.orgnr, s.signatory, s.signatory_title, s.place, s.date]
    return Counter(words(" ".join(texts)))


def measure(parts: list[tuple[str, list[str]]], read: Counter[str], skipped: Counter[str]) -> Coverage:
    """Return the coverage of a file's parts by the words read and skipped."""
    budget = read + skipped
    uncovered: dict[str, int] = {}
    sample: list[str] = []
    present = 0
    for name, part_words in parts:
        present += len(part_words)
        missing = 0
        for w in part_words:
            if budget[w] > 0:
                budget[w] -= 1
            else:
                missing += 1
                if len(sample) < 12 and w not in sample:
                    sample.append(w)
        if missing:
            uncovered[name] = missing
    return Coverage(present, sum(read.values()), sum(skipped.values()), uncovered, tuple(sample))


def file_coverage(kind: str, data: bytes, documents: Iterable[Document], *, skipped: Iterable[str] = (),
                  also_read: Iterable[str] = ()) -> Coverage:
    """Return how much of a DOCX, PDF, Markdown or text file the documents read from it hold.

    ``documents`` are all the reader produced (both languages of a
    side-by-side file); ``skipped`` the texts it left out on purpose;
    ``also_read`` what the comparison shows besides the text (comments).
    """
    read: Counter[str] = Counter()
    for doc in documents:
        read += document_words(doc)
    read += Counter(words(" ".join(also_read)))
    skip = Counter(words(" ".join(skipped)))
    if kind == "docx":
        parts = docx_part_words(data)
    elif kind == "pdf":
        parts = pdf_page_words(data, read + skip)
    else:
        parts = markdown_words(data.decode("utf-8-sig", errors="replace"))
    return measure(parts, read, skip)
