"""Reading the files appendices attach, before any writer runs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from assembler.errors import AppendixError, Location
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
        return path.read_bytes()
    except FileNotFoundError:
        problem, code = "the appendix file does not exist", "appendix.missing"
    except IsADirectoryError:
        problem, code = "the appendix path is a folder, not a PDF file", "appendix.folder"
    except OSError as exc:
        problem, code = f"the appendix file cannot be read ({exc.strerror})", "appendix.unreadable"
    raise AppendixError(f"{name}: {problem}", Location(file=str(path)), code=code)
