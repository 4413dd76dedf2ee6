"""Finish a rendered agreement PDF with pypdf, and read its manifest back.

:mod:`assembler.pdf_writer` draws the pages; this module adds what a PDF
that is signed and archived must carry: appendix PDFs merged after the
agreement (each behind its cover page), page labels, an outline with one
entry per clause and per appendix, document information and XMP metadata,
the manifest as an embedded file, and a fixed file identifier so that the
same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.constants import PageLabelStyle
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    Fit,
    NameObject,
    TextStringObject,
)

from assembler._dates import date_or_none, midnight_utc
from assembler.errors import AppendixError, Location
from assembler.manifest import PDF_MANIFEST_NAME, manifest_to_json, xmp_with_manifest
from assembler.model import Agreement, Appendix, AppendixFile
from assembler.writers.pdf_active import strip_active
from assembler.writers.pdf_archive import add_output_intent, is_pdf_a, mark_metadata_stream
from assembler.writers.pdf_meta import document_metadata
from assembler.writers.pdf_tags import StructElem, add_structure

# pypdf logs what it repairs in a damaged file.  With no handler anywhere,
# Python would print those lines to stderr; the error we raise says it
# better, and an application that configures logging still receives them.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

PRODUCER = "assembler (ReportLab, pypdf)"


@dataclass(frozen=True)
class LoadedAppendix:
    """An appendix PDF that was read and checked, ready to merge."""

    appendix: Appendix
    path: Path
    reader: PdfReader
    sha256: str


@dataclass(frozen=True)
class OutlineMark:
    """Where a heading is printed: a 0-based page index and the top of the heading."""

    title: str
    page: int
    top: float | None = None


@dataclass(frozen=True)
class RenderedPdf:
    """The pages :mod:`assembler.pdf_writer` drew, and where things are on them.

    ``data`` holds the agreement pages first (``body_pages`` of them), then
    one cover page per loaded appendix, in the order of ``covers``.
    ``appendix_marks`` has one mark per appendix of the agreement (where the
    appendix list names it); the mark of an appendix with a file is moved to
    its cover page.  ``stamp`` is a one-page PDF with the draft watermark,
    laid over merged appendix pages, or None.
    """

    data: bytes
    body_pages: int
    clause_marks: tuple[OutlineMark, ...]
    appendix_marks: tuple[tuple[int, OutlineMark], ...]
    covers: tuple[int, ...] = ()
    stamp: bytes | None = None
    producer: str = PRODUCER
    tags: StructElem | None = None  # the structure tree of a tagged PDF (pdf_tags)


def load_appendices(agreement: Agreement) -> list[LoadedAppendix]:
    """Return every appendix file of the agreement parsed and checked, in order.

    Raise :class:`AppendixError` naming the file and the problem for the first
    file that is not a PDF, encrypted or corrupt.
    """
    by_number = {a.number: a for a in agreement.documents[0].appendices} if agreement.documents else {}
    return [_load_appendix(by_number[f.number], f) for f in agreement.appendix_files if f.number in by_number]


def _load_appendix(appendix: Appendix, file: AppendixFile) -> LoadedAppendix:
    name = f"{appendix.label} ({appendix.title})"

    def fail(problem: str, code: str) -> AppendixError:
        return AppendixError(f"{name}: {problem}", Location(file=file.source), code=code)

    data = file.data
    # A PDF may have a little junk before its header, never more than 1 KiB.
    if b"%PDF-" not in data[:1024]:
        raise fail("the appendix file is not a PDF", "appendix.not-pdf")
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted:
            raise fail("the appendix PDF is encrypted; attach an unencrypted copy", "appendix.encrypted")
        if len(reader.pages) == 0:
            raise fail("the appendix PDF has no pages", "appendix.empty")
        # Parse every page now, so a broken file stops the build before anything is drawn.
        for page in reader.pages:
            page.get_contents()
            if page.mediabox.width <= 0 or page.mediabox.height <= 0:
                raise fail("the appendix PDF has a page without a size", "appendix.damaged")
    except AppendixError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file can fail in any part of the parser
        raise fail(f"the appendix PDF is damaged and cannot be read ({_reason(exc)})", "appendix.damaged") from None
    return LoadedAppendix(appendix, Path(file.source), reader, hashlib.sha256(data).hexdigest())


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def finish_pdf(rendered: RenderedPdf, agreement: Agreement,
               appendices: Sequence[LoadedAppendix] = ()) -> bytes:
    """Return the final PDF: ``rendered`` with appendices, outline, metadata and manifest."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(rendered.data)))
    drawn = list(writer.pages)  # before appendix pages join them
    marks = dict(rendered.appendix_marks)
    label_ranges: list[tuple[int, int, str]] = []
    inserted = 0
    stamp = PdfReader(BytesIO(rendered.stamp)).pages[0] if rendered.stamp else None
    archive = is_pdf_a(agreement)
    for loaded, cover in zip(appendices, rendered.covers, strict=True):
        at = cover + inserted
        try:
            for offset, page in enumerate(loaded.reader.pages, start=1):
                strip_active(page)  # before the copy, so nothing of it reaches the written file
                added = writer.insert_page(page, at + offset)
                if stamp is not None:
                    lay_over(added, stamp, under=archive)
        except Exception as exc:  # noqa: BLE001 - see _load_appendix
            raise AppendixError(f"{loaded.appendix.label} ({loaded.appendix.title}): the appendix PDF "
                                f"is damaged and cannot be merged ({_reason(exc)})",
                                Location(file=str(loaded.path))) from None
        count = len(loaded.reader.pages)
        inserted += count
        label_ranges.append((at, count, loaded.appendix.label))
        old = marks[loaded.appendix.number]
        marks[loaded.appendix.number] = OutlineMark(old.title, at, None)

    _label_pages(writer, rendered.body_pages, label_ranges)
    if rendered.tags is not None:
        add_structure(writer, rendered.tags, drawn)
    for mark in rendered.clause_marks:
        _add_outline(writer, mark)
    for number in sorted(marks):
        _add_outline(writer, marks[number])
    manifest_json = manifest_to_json(agreement.manifest)
    _add_metadata(writer, agreement, manifest_json, rendered.producer)
    if archive:
        # PDF/A-2b embeds only PDF/A files: the manifest goes into the XMP metadata instead.
        add_output_intent(writer)
    else:
        _attach_manifest(writer, manifest_json, midnight_utc(date_or_none(agreement.manifest.assembled)))

    # pypdf has no public setter for the trailer /ID and otherwise keeps
    # ReportLab's, which in invariant mode is one constant for every file;
    # a digest of the inputs is fixed for one build and differs between builds.
    digest = hashlib.sha256(rendered.data)
    digest.update(manifest_json.encode())
    for loaded in appendices:
        digest.update(loaded.sha256.encode())
    file_id = ByteStringObject(digest.digest()[:16])
    writer._ID = ArrayObject([file_id, file_id])

    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def lay_over(page: PageObject, stamp: PageObject, under: bool = False) -> None:
    """Draw the one-page ``stamp`` (the draft watermark) over ``page``, centred on it, or ``under`` it."""
    box, sbox = page.mediabox, stamp.mediabox
    dx = float(box.left) + (float(box.width) - float(sbox.width)) / 2
    dy = float(box.bottom) + (float(box.height) - float(sbox.height)) / 2
    page.merge_transformed_page(stamp, Transformation().translate(dx, dy), over=not under)


def _label_pages(writer: PdfWriter, body_pages: int,
                 appendices: list[tuple[int, int, str]]) -> None:
    """Label agreement pages 1, 2 …, each cover "Bilaga 2" and its pages "Bilaga 2:1" …."""
    writer.set_page_label(0, body_pages - 1, style=PageLabelStyle.DECIMAL, start=1)
    for cover, count, label in appendices:
        writer.set_page_label(cover, cover, prefix=label)
        writer.set_page_label(cover + 1, cover + count, style=PageLabelStyle.DECIMAL,
                              prefix=f"{label}:", start=1)


def _add_outline(writer: PdfWriter, mark: OutlineMark) -> None:
    fit = Fit.xyz(left=0, top=mark.top) if mark.top is not None else Fit.fit()
    writer.add_outline_item(title=mark.title, page_number=mark.page, fit=fit)


def _add_metadata(writer: PdfWriter, agreement: Agreement, manifest_json: str, producer: str) -> None:
    """Write the document information dictionary, the XMP stream and the catalog language."""
    archive = is_pdf_a(agreement)
    meta = document_metadata(agreement, manifest_json, producer, pdf_a=archive)
    writer.metadata = dict(meta.info)
    if archive:
        writer.xmp_metadata = xmp_with_manifest(meta.xmp, manifest_json)
        mark_metadata_stream(writer)
    else:
        writer.xmp_metadata = meta.xmp

    root = writer.root_object
    root[NameObject("/Lang")] = TextStringObject(meta.languages[0])
    root[NameObject("/PageMode")] = NameObject("/UseOutlines")
    # Viewers show the title rather than the file name.
    writer.create_viewer_preferences()[NameObject("/DisplayDocTitle")] = BooleanObject(True)


def _attach_manifest(writer: PdfWriter, manifest_json: str, when: _dt.datetime | None) -> None:
    embedded = writer.add_attachment(PDF_MANIFEST_NAME, manifest_json.encode("utf-8"))
    embedded.subtype = NameObject("/application/json")
    embedded.description = TextStringObject("assembler manifest: how this agreement was made")
    embedded.associated_file_relationship = NameObject("/Data")
    if when:
        embedded.creation_date = embedded.modification_date = when
