"""The optional LibreOffice PDF engine: the DOCX, converted by ``soffice``.

The default engine (:mod:`assembler.pdf_writer`) draws the PDF itself and
paginates on its own.  This one converts the very DOCX that
:func:`assembler.docx_writer.write_docx` writes, so the PDF breaks pages
exactly as Word-compatible software does, then finishes it like the default
engine: cover pages and appendices, outline, metadata, manifest, and the
draft watermark laid over every page.

LibreOffice is not a dependency: it is looked up on ``PATH`` at call time.
Its output carries LibreOffice's own font subsets, so unlike the default
engine the bytes are not promised to be identical between runs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from assembler.errors import RenderError, UsageError
from assembler.model import Agreement
from assembler.writers.pdf import is_draft, render_covers, watermark_stamp
from assembler.writers.pdf_finish import OutlineMark, RenderedPdf, finish_pdf, lay_over, load_appendices

SOFFICE_NAMES = ("soffice", "libreoffice")
TIMEOUT_SECONDS = 180.0
PRODUCER = "assembler (LibreOffice, ReportLab, pypdf)"

NOT_INSTALLED = (
    "the LibreOffice engine needs LibreOffice, but neither 'soffice' nor 'libreoffice' "
    "is on PATH: install LibreOffice Writer (on Debian/Ubuntu: apt-get install "
    "libreoffice-writer-nogui), or use the built-in engine"
)


def find_soffice() -> str | None:
    """Return the path of the LibreOffice executable on PATH, or None."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pdf_libreoffice(agreement: Agreement, *, soffice: str | None = None) -> bytes:
    """Return the agreement as PDF converted from its DOCX by LibreOffice.

    Appendices are merged as by :func:`assembler.writers.pdf.write_pdf`.
    Raise :class:`UsageError` when LibreOffice is not installed, and
    ``AssemblerError`` when an appendix is faulty or the conversion fails.
    """
    exe = soffice or find_soffice()
    if exe is None:
        raise UsageError(NOT_INSTALLED, code="usage.libreoffice-missing", option="pdf_engine")
    # Check the appendices first: a faulty file should not cost a conversion.
    appendices = load_appendices(agreement)

    from assembler.writers.docx import write_docx  # the DOCX writer is needed only by this engine

    body = convert_docx(write_docx(agreement), exe)
    draft = is_draft(agreement)
    covers = [loaded.appendix for loaded in appendices]
    combined, body_pages = _combine(body, render_covers(agreement, covers) if covers else None, draft)
    clause_marks, appendix_marks = _find_marks(PdfReader(BytesIO(body)), agreement)
    rendered = RenderedPdf(
        data=combined, body_pages=body_pages, clause_marks=clause_marks,
        appendix_marks=appendix_marks, covers=tuple(range(body_pages, body_pages + len(covers))),
        stamp=watermark_stamp() if draft and covers else None, producer=PRODUCER)
    return finish_pdf(rendered, agreement, appendices)


def convert_docx(docx: bytes, soffice: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Return the PDF LibreOffice makes of ``docx``.

    The conversion runs in a temporary folder with a profile of its own, so
    it neither disturbs nor waits for a LibreOffice the user has open.
    """
    with tempfile.TemporaryDirectory(prefix="assembler-soffice-") as tmp:
        folder = Path(tmp)
        source = folder / "agreement.docx"
        source.write_bytes(docx)
        command = [soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                   "--headless", "--norestore", "--nolockcheck", "--nologo", "--nodefault",
                   "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(folder), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise RenderError(f"LibreOffice did not convert the agreement within {timeout:.0f} s",
                              code="render.libreoffice-timeout") from None
        except OSError as exc:
            raise UsageError(f"LibreOffice ({soffice}) could not be started: {exc.strerror}") from None
        result = folder / "agreement.pdf"
        if done.returncode != 0 or not result.is_file():
            said = (done.stderr or done.stdout).strip().splitlines()
            detail = f": {said[-1]}" if said else ""
            raise RenderError(f"LibreOffice could not convert the agreement to PDF "
                                 f"(exit status {done.returncode}){detail}", code="render.libreoffice-failed")
        return result.read_bytes()


def _combine(body: bytes, covers: bytes | None, draft: bool) -> tuple[bytes, int]:
    """Return one PDF of the converted pages (watermarked for a draft) and the cover pages."""
    # LibreOffice makes bookmarks of its own from the Word headings; ours replace them.
    writer = PdfWriter()
    writer.append(PdfReader(BytesIO(body)), import_outline=False)
    body_pages = len(writer.pages)
    if draft:
        stamp = PdfReader(BytesIO(watermark_stamp())).pages[0]
        for page in writer.pages:
            lay_over(page, stamp)
    if covers is not None:
        writer.append(PdfReader(BytesIO(covers)))
    out = BytesIO()
    writer.write(out)
    return out.getvalue(), body_pages


def _squash(text: str) -> str:
    return " ".join(text.split())


def _find_marks(reader: PdfReader, agreement: Agreement
                ) -> tuple[tuple[OutlineMark, ...], tuple[tuple[int, OutlineMark], ...]]:
    """Return outline marks found by searching the converted pages for each heading's text.

    Headings are looked for in order, each from the page of the one before;
    one that cannot be found points at that page.
    """
    pages = [_squash(page.extract_text()) for page in reader.pages]
    docs = agreement.documents
    page = 0

    def locate(text: str) -> int:
        nonlocal page
        pattern = re.compile(r"(?:^|\s)" + re.escape(_squash(text)) + r"(?:\s|$)")
        for index in range(page, len(pages)):
            if pattern.search(pages[index]):
                page = index
                break
        return page

    def joined(values: Sequence[str]) -> str:
        return " / ".join(dict.fromkeys(v for v in values if v))

    clauses = []
    for c, clause in enumerate(docs[0].clauses):
        at = locate(f"{clause.number} {clause.title}")
        clauses.append(OutlineMark(f"{clause.number} {joined([d.clauses[c].title for d in docs])}", at))
    appendices = []
    for a, appendix in enumerate(docs[0].appendices):
        at = locate(f"{appendix.label} – {appendix.title}")
        title = joined([d.appendices[a].title for d in docs])
        appendices.append((appendix.number, OutlineMark(f"{appendix.label} – {title}", at)))
    return tuple(clauses), tuple(appendices)
