"""Reading the files appendices attach, before any writer runs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from assembler._files import read_bytes
from assembler._limits import LIMITS
from assembler.errors import AppendixError, AssemblerError, Location, Problem
from assembler.model import Agreement, Appendix, AppendixFile


def read_appendix_files(agreement: Agreement) -> Agreement:
    """Return the agreement carrying the bytes of every appendix file it names.

    Raise :class:`AppendixError` naming the appendix and the file when one is
    missing, a folder or unreadable.  Whether the bytes are a usable PDF is
    the PDF writer's to judge.
    """
    if not agreement.documents:
        return agreement
    files = tuple(AppendixFile(a.number, a.file, _read(a, Path(a.file)))
                  for a in agreement.documents[0].appendices if a.file)
    return replace(agreement, appendix_files=files)


def _read(appendix: Appendix, path: Path) -> bytes:
    name = f"{appendix.label} ({appendix.title})"
    try:
        data = read_bytes(path, "appendix file", LIMITS.appendix_bytes, "appendix-bytes")
    except AssemblerError as exc:
        code = {"input.missing": "appendix.missing", "input.folder": "appendix.folder"}.get(exc.code, exc.code)
        problem = {"appendix.missing": "the appendix file does not exist",
                   "appendix.folder": "the appendix path is a folder, not a PDF file"}.get(code, exc.message)
        raise AppendixError(f"{name}: {problem}", Location(file=str(path)), code=code) from None
    if path.suffix.lower() == ".pdf" and b"%PDF-" not in data[:1024]:
        # Judged by content, not by name: a file called .pdf that is not one is refused here.
        raise AppendixError(f"{name}: the appendix file is not a PDF", Location(file=str(path)),
                            code="appendix.not-pdf")
    return data


def active_content_notes(agreement: Agreement) -> tuple[Problem, ...]:
    """Return a warning for every appendix PDF carrying active content (the PDF writers strip it)."""
    by_number = {a.number: a for a in agreement.documents[0].appendices} if agreement.documents else {}
    if not agreement.appendix_files:
        return ()
    from assembler.writers.pdf_active import describe_active  # imports pypdf: only when there is a PDF to look at

    notes = []
    for f in agreement.appendix_files:
        found = describe_active(f.data) if f.data[:1024].find(b"%PDF-") >= 0 else []
        if found:
            a = by_number.get(f.number)
            name = f"{a.label} ({a.title})" if a else "an appendix"
            notes.append(Problem(f"{name}: the appendix PDF carries {', '.join(found)}; none of it is carried into "
                                 "the agreement", Location(file=f.source), "warning",
                                 code="appendix.active-content-removed"))
    return tuple(notes)
