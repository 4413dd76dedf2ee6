"""Finish an agreement PDF inside ReportLab, as it is saved: no second parse of the file.

The pypdf finishing pass (:mod:`assembler.writers.pdf_finish`) read the
whole PDF back and wrote it again, a fifth of the writer's time, to add
things ReportLab can write itself: the outline (bookmarks on the pages as
they are emitted), page labels, the document information, the XMP metadata
stream, the catalog's language, page mode and viewer preference, the
manifest as an embedded file in the catalog's name tree, and a file
identifier derived from the manifest.  This path serves every agreement
without appendix files and without PDF/A; those still go through pypdf,
which merges the appendix pages and adds the output intent.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass
from typing import Any

from reportlab.pdfbase.pdfdoc import (  # type: ignore[import-untyped]
    PDFArray,
    PDFDictionary,
    PDFInfo,
    PDFName,
    PDFObject,
    PDFStream,
    PDFString,
)

from assembler._dates import date_or_none, midnight_utc
from assembler.manifest import PDF_MANIFEST_NAME, manifest_to_json
from assembler.model import Agreement
from assembler.writers.pdf_xmp import XmpFields, xmp_packet


@dataclass(frozen=True)
class Metadata:
    """What a finished agreement PDF says about itself: information entries, XMP, languages."""

    info: dict[str, str]  # "/Title" -> text, empty values left out
    xmp: bytes  # the XMP packet, UTF-8
    languages: tuple[str, ...]
    when: _dt.datetime | None  # the assembly date, midnight UTC: never the clock


def document_metadata(agreement: Agreement, manifest_json: str, producer: str, pdf_a: bool = False) -> Metadata:
    """Return the information entries and XMP metadata of an agreement PDF (the same on both finishing paths).

    With ``pdf_a`` the XMP names PDF/A-2b (``pdfaid:part`` 2, ``pdfaid:conformance`` B).
    """
    docs = agreement.documents
    props = [d.properties for d in docs if d.properties is not None]
    first = props[0] if props else None
    title = " / ".join(p.title for p in props) if props else " / ".join(d.title for d in docs)
    subject = first.subject if first else ""
    author = first.author if first else ""
    keywords = list(first.keywords) if first else []
    languages = [p.language for p in props if p.language] or [d.language for d in docs]
    # Dates come from the assembly date, never the clock: the same build gives the same bytes.
    when = midnight_utc(date_or_none((first.date if first and first.date else "") or agreement.manifest.assembled))
    creator = f"assembler {agreement.manifest.tool_version}"
    info = {"/Title": title, "/Subject": subject, "/Author": author,
            "/Keywords": ", ".join(keywords), "/Creator": creator, "/Producer": producer}
    if first and first.comments:
        info["/Comments"] = first.comments
    if when:
        info["/CreationDate"] = info["/ModDate"] = when.strftime("D:%Y%m%d%H%M%SZ")
    # One build, one identity: the same manifest names the same document.
    doc_id = f"uuid:{_uuid_text(hashlib.sha256(manifest_json.encode()).hexdigest())}"
    xmp = xmp_packet(XmpFields(
        title=title, subject=subject, author=author, keywords=tuple(keywords),
        rights=first.comments if first and first.comments else "", languages=tuple(languages),
        producer=producer, creator=creator, when=when, document_id=doc_id, pdf_a=pdf_a))
    return Metadata({k: v for k, v in info.items() if v}, xmp, tuple(languages), when)


def _uuid_text(hexdigest: str) -> str:
    h = hexdigest[:32]
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


class _Info(PDFInfo):  # type: ignore[misc]  # ReportLab ships no type hints
    """The document information dictionary with exactly our entries (ReportLab's own adds fixed ones)."""

    def __init__(self, entries: dict[str, str]) -> None:
        super().__init__()
        self.entries = entries

    def digest(self, md5object: Any) -> None:
        md5object.update(repr(sorted(self.entries.items())).encode())

    def format(self, document: Any) -> bytes:
        return bytes(PDFDictionary({k.lstrip("/"): PDFString(v) for k, v in self.entries.items()}).format(document))


class CanvasFinish:
    """Adds outline, labels, metadata and the manifest to a PagedCanvas as it saves its held pages.

    ``marks`` is called once, when saving starts (the drawing has placed every
    heading by then); it returns (title, 0-based page, top or None) per entry.
    """

    def __init__(self, agreement: Agreement, marks: Any, producer: str) -> None:
        self.agreement = agreement
        self._marks_of = marks
        self._marks: list[tuple[str, int, float | None]] | None = None
        self.producer = producer

    def page(self, canvas: Any, index: int) -> None:
        """Bookmark the headings printed on page ``index``, which the canvas is about to emit."""
        if self._marks is None:
            self._marks = list(self._marks_of())
        for n, (_title, page, top) in enumerate(self._marks):
            if page == index:
                if top is None:
                    canvas.bookmarkPage(f"o{n}")
                else:
                    canvas.bookmarkPage(f"o{n}", fit="XYZ", left=0, top=top)

    def save(self, canvas: Any) -> None:
        """Write the outline, page labels, metadata, manifest and file identifier into the document."""
        for n, (title, _page, _top) in enumerate(self._marks or ()):
            canvas.addOutlineEntry(title, f"o{n}", level=0)
        canvas.showOutline()
        canvas.addPageLabel(0, style="ARABIC", start=1)
        manifest_json = manifest_to_json(self.agreement.manifest)
        meta = document_metadata(self.agreement, manifest_json, self.producer)
        doc = canvas._doc
        doc.info = _Info(meta.info)
        catalog = doc.Catalog
        catalog.Lang = PDFString(meta.languages[0])
        catalog.Metadata = PDFStream(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
                                     meta.xmp)
        canvas.setViewerPreference("DisplayDocTitle", "true")
        catalog.Names = _Names(manifest_json, meta.when)
        # The file identifier: fixed for one build (ReportLab's invariant one is the same for every file).
        file_id = hashlib.sha256(manifest_json.encode()).hexdigest()[:32].upper()
        doc._ID = f"[<{file_id}><{file_id}>]".encode()


# ReportLab's PDFName leaves "/" unescaped, which would read as two names.
_JSON_SUBTYPE = "/application#2Fjson"


class _Names(PDFObject):  # type: ignore[misc]
    """The catalog's name dictionary; its objects are numbered as the catalog is written, near the file's end.

    A file cut short then has no manifest to read: what is damaged is said to be damaged.
    """

    def __init__(self, manifest_json: str, when: _dt.datetime | None) -> None:
        self.manifest_json, self.when = manifest_json, when

    def format(self, document: Any) -> bytes:
        tree = document.Reference(_manifest_tree(document, self.manifest_json, self.when))
        return bytes(PDFDictionary({"EmbeddedFiles": tree}).format(document))


class _EmbeddedFile(PDFObject):  # type: ignore[misc]
    """The manifest's stream, its dictionary keys in the order readers of our files have always met them."""

    def __init__(self, content: bytes, when: _dt.datetime | None) -> None:
        self.content, self.when = content, when

    def format(self, document: Any) -> bytes:
        params = b""
        if self.when:
            stamp = bytes(PDFString(self.when.strftime("D:%Y%m%d%H%M%S+00'00'")).format(document))
            params = b"/Params <<\n/CreationDate " + stamp + b"\n/ModDate " + stamp + b"\n>>\n"
        head = (b"<<\n/Type /EmbeddedFile\n/Subtype " + _JSON_SUBTYPE.encode() + b"\n" + params
                + b"/Length %d\n>>\nstream\n" % len(self.content))
        return head + self.content + b"\nendstream"


def _manifest_tree(doc: Any, manifest_json: str, when: _dt.datetime | None) -> PDFDictionary:
    """Return the embedded-files name tree holding the manifest (an attachment without an annotation)."""
    stream = _EmbeddedFile(manifest_json.encode("utf-8"), when)
    spec = PDFDictionary({"Type": PDFName("Filespec"), "F": PDFString(PDF_MANIFEST_NAME),
                          "UF": PDFString(PDF_MANIFEST_NAME), "EF": PDFDictionary({"F": doc.Reference(stream)}),
                          "Desc": PDFString("assembler manifest: how this agreement was made"),
                          "AFRelationship": PDFName("Data")})
    return PDFDictionary({"Names": PDFArray([PDFString(PDF_MANIFEST_NAME), doc.Reference(spec)])})
