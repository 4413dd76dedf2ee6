"""Readers: bytes of a document -> the document model, and the manifest a document carries.

Each format has its module (``docx``, ``pdf``, ``markdown``, ``text``; ``html``
only for the manifest); ``lines`` is what they share.  This module decides
once what kind of file some bytes are, for every command that asks.
"""

from __future__ import annotations

from pathlib import Path

from assembler._files import read_bytes
from assembler.errors import AssemblerError, DocumentFormatError, Location
from assembler.manifest import manifest_from_json
from assembler.model import Manifest
from assembler.readers.quick_manifest import quick_docx_manifest, quick_pdf_manifest


def sniff(data: bytes) -> str | None:
    """Return "docx" or "pdf" when the bytes are a ZIP package or a PDF by their content, else None."""
    if data.startswith(b"PK"):
        return "docx"
    # A PDF may have a little junk before its header, never more than 1 KiB.
    if b"%PDF-" in data[:1024]:
        return "pdf"
    return None


def read_embedded_manifest(data: bytes, suffix: str = "") -> Manifest:
    """Return the manifest DOCX, PDF or HTML bytes carry, or that manifest JSON bytes are.

    Anything else is read as manifest JSON.  Raise :class:`ManifestError` (code
    ``manifest.missing``) when there is none, :class:`DocumentFormatError` when
    the bytes are damaged.
    """
    kind = sniff(data)
    if kind == "docx":
        # The quick readers answer for files shaped as ours are; anything else (damaged, hostile, re-saved by
        # another program) is read in full, which also says precisely what is wrong.
        quick = quick_docx_manifest(data)
        if quick is not None:
            return quick
        from assembler.readers.docx import read_docx_manifest
        return read_docx_manifest(data)
    if kind == "pdf":
        quick = quick_pdf_manifest(data)
        if quick is not None:
            return quick
        from assembler.readers.pdf import read_pdf_manifest
        return read_pdf_manifest(data)
    if suffix.lower() in (".docx", ".pdf"):
        # Named a DOCX or PDF but neither: say so, not that it is broken manifest JSON.
        what = suffix.lower().lstrip(".")
        raise DocumentFormatError("this file is empty" if not data.strip() else
                                  f"this file is not a {what.upper()} document", code=f"document.not-{what}")
    if suffix.lower() in (".html", ".htm"):
        from assembler.readers.html import read_html_manifest
        return read_html_manifest(data)
    return manifest_from_json(data)


def read_manifest_file(path: Path | str) -> Manifest:
    """Return the manifest of a built DOCX, PDF or HTML file, or of a manifest JSON file."""
    path = Path(path)
    data = read_bytes(path)
    try:
        return read_embedded_manifest(data, path.suffix)
    except AssemblerError as exc:
        raise type(exc)(exc.message, Location(str(path)), code=exc.code) from None
