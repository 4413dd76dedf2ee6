"""Writers: the document model -> bytes, one module per format, each a pure function of the agreement.

``writer_for`` imports a writer only when it is asked for, so that a command
that writes Markdown never loads ReportLab.
"""

from __future__ import annotations

import functools
from typing import Protocol

from assembler._gc import quiet_collector
from assembler.errors import UsageError
from assembler.model import Agreement

FORMATS = ("docx", "pdf", "md", "html", "txt")
EXTENSIONS = {"docx": ".docx", "pdf": ".pdf", "md": ".md", "html": ".html", "txt": ".txt"}


class Writer(Protocol):
    """A writer: the agreement in, the file's bytes out, nothing read or written on disk."""

    def __call__(self, agreement: Agreement) -> bytes: ...


def writer_for(fmt: str, pdf_engine: str = "reportlab") -> Writer:
    """Return the writer of a format, run with the collector tuned (see :mod:`assembler._gc`); imported when used."""
    return _tuned(_writer(fmt, pdf_engine))


def _tuned(write: Writer) -> Writer:
    @functools.wraps(write)
    def run(agreement: Agreement) -> bytes:
        with quiet_collector():
            return write(agreement)
    return run


def _writer(fmt: str, pdf_engine: str) -> Writer:
    if fmt == "pdf" and pdf_engine == "libreoffice":
        from assembler.writers.pdf_libreoffice import write_pdf_libreoffice
        return write_pdf_libreoffice
    if fmt == "docx":
        from assembler.writers.docx import write_docx
        return write_docx
    if fmt == "pdf":
        from assembler.writers.pdf import write_pdf
        return write_pdf
    if fmt == "md":
        from assembler.writers.markdown import write_markdown
        return write_markdown
    if fmt == "html":
        from assembler.writers.html import write_html
        return write_html
    if fmt == "txt":
        from assembler.writers.text import write_text
        return write_text
    raise UsageError(f"unknown format '{fmt}': choose from {', '.join(FORMATS)}")


def parse_formats(text: str) -> tuple[str, ...]:
    """Return the formats of a comma-separated list, checked and without repeats."""
    out: list[str] = []
    for part in text.split(","):
        fmt = part.strip().lower().lstrip(".")
        if fmt == "markdown":
            fmt = "md"
        if fmt == "text":
            fmt = "txt"
        if not fmt:
            continue
        if fmt not in FORMATS:
            raise UsageError(f"unknown format '{fmt}': choose from {', '.join(FORMATS)}")
        if fmt not in out:
            out.append(fmt)
    if not out:
        raise UsageError("no output format given")
    return tuple(out)


