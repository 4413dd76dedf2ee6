"""Appendix PDFs uploaded with the new-agreement form, held for one request only.

The web app never reads a path a request names.  An appendix whose content
must be a file (the data-processing agreement when a processor handles
personal data, a project plan) comes as an upload beside its appendix block
instead.  The bytes live in memory for the request, and in the request's own
temporary folder while the pipeline reads them, under a name the app makes
(the upload's base name, letters, digits, dots and dashes only).  Nothing is
kept: a page reloaded without JavaScript asks for the file again.

The checks are the command line's: :func:`assembler.assembly.appendices`
refuses a file that is not a PDF, and :func:`load_appendices`, which the PDF
writer runs, refuses an encrypted, empty or damaged one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from assembler.errors import AppendixError
from assembler.interview.values import Finding

MAX_APPENDIX = 8 * 1024 * 1024  # bytes of one uploaded appendix; the whole request is limited too
PREFIX = "upload."  # form name of an upload: upload.appendices.0.file
_FIELD = re.compile(r"^appendices\.(\d{1,2})\.file$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Upload:
    """One appendix file as uploaded: the form field it belongs to, the file name it gets, its bytes."""

    field: str  # appendices.0.file
    name: str  # the safe file name the answers give as ``file``
    data: bytes


def safe_name(filename: str, index: int, taken: set[str]) -> str:
    """Return a file name for an upload: its base name made safe, ending in .pdf, unique among ``taken``."""
    stem = _UNSAFE.sub("-", PurePath(filename.replace("\\", "/")).stem).strip(".-")[:80] or f"appendix-{index + 1}"
    name = f"{stem}.pdf"
    if name in taken:
        name = f"{stem}-{index + 1}.pdf"
    return name


def read_uploads(files: Any, lang: str) -> tuple[list[Upload], dict[str, Finding]]:
    """Return the appendix PDFs of a request and a finding for each one refused before the pipeline sees it."""
    uploads: list[Upload] = []
    findings: dict[str, Finding] = {}
    taken: set[str] = set()
    for key in sorted(files.keys()):
        field = key[len(PREFIX):] if key.startswith(PREFIX) else ""
        m = _FIELD.match(field)
        storage = files.get(key)
        if not m or storage is None or not storage.filename:
            continue
        data = storage.read(MAX_APPENDIX + 1)
        path = tuple(int(p) if p.isdigit() else p for p in field.split("."))
        if len(data) > MAX_APPENDIX:
            findings[field] = Finding("appendix.too-large", "error", _TOO_LARGE[lang if lang in _TOO_LARGE else "en"]
                                      .format(mb=MAX_APPENDIX // (1024 * 1024)), path)
            continue
        if not data:
            continue
        if b"%PDF-" not in data[:1024] or not storage.filename.lower().endswith(".pdf"):
            findings[field] = Finding("appendix.not-pdf", "error", _NOT_PDF.get(lang, _NOT_PDF["en"]), path)
            continue
        name = safe_name(storage.filename, int(m.group(1)), taken)
        taken.add(name)
        uploads.append(Upload(field, name, data))
    return uploads, findings


def attached(uploads: list[Upload]) -> dict[str, str]:
    """Return the ``file`` answer of each appendix that has an upload: field name -> file name."""
    return {u.field: u.name for u in uploads}


def finding_of(exc: AppendixError, uploads: list[Upload]) -> tuple[str, Finding] | None:
    """Return the upload field a refused appendix file belongs to, with the refusal as a finding."""
    source = PurePath(exc.location.file).name if exc.location is not None and exc.location.file else ""
    for u in uploads:
        if u.name == source:
            path = tuple(int(p) if p.isdigit() else p for p in u.field.split("."))
            return u.field, Finding(exc.code, "error", exc.message, path)
    return None


def files_of(uploads: list[Upload]) -> Mapping[str, bytes]:
    """Return the uploads as file name -> bytes, to put beside the answer file the pipeline reads."""
    return {u.name: u.data for u in uploads}


_NOT_PDF = {"sv": "Filen är inte en PDF. Bifoga bilagan som PDF.", "en": "The file is not a PDF. Attach the appendix as a PDF."}
_TOO_LARGE = {"sv": "Filen är större än {mb} MB.", "en": "The file is larger than {mb} MB."}
