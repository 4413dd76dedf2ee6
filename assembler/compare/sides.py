"""The two inputs of ``assembler diff``: loading each side, and comparing them.

A side may be a clause reference (``id@version``), an answer file (assembled
first), a built DOCX, PDF, Markdown or text file, or a bare manifest.  The
parts that need the clause library or the assembly pipeline come in as
callables, so this module depends on neither.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assembler._files import decode_text, read_bytes
from assembler._limits import LIMITS
from assembler.compare.result import Side
from assembler.errors import AssemblerError, UsageError
from assembler.model import Agreement, Document, Manifest

Assemble = Callable[[Path], Agreement]
ClauseSide = Callable[[str], Document]

_DOCX, _PDF = (".docx", ".docm"), (".pdf",)
_MARKDOWN, _TEXT = (".md", ".markdown"), (".txt", ".text")
_ANSWERS = (".yaml", ".yml", ".json")


def load_side(path_or_ref: str, *, assemble: Assemble | None = None,
              clause_side: ClauseSide | None = None, language: str | None = None) -> Side:
    """Return one side of a comparison, read into the document model.

    ``assemble`` turns an answer file into an agreement (the CLI passes one
    that honours ``--as-of`` and ``--library``); ``clause_side`` turns
    ``id@version`` into a document.  ``language`` picks one language of a
    side-by-side agreement (default: the first).  Raise UsageError for a
    missing file or a side nothing here can read.
    """
    path = Path(path_or_ref)
    if not path.exists():
        if "@" in path_or_ref and "/" not in path_or_ref:
            if clause_side is None:
                raise UsageError(f"{path_or_ref}: comparing clause versions needs the clause library")
            return Side(path_or_ref, "clause", clause_side(path_or_ref))
        raise UsageError(f"{path_or_ref}: no such file")
    suffix = path.suffix.lower()
    label = str(path_or_ref)
    try:
        if suffix in _DOCX + _PDF + _MARKDOWN + _TEXT:
            return _file_side(path, label, suffix, language)
    except AssemblerError as exc:
        raise type(exc)(f"{label}: {exc.message}", code=exc.code) from None
    if suffix == ".json":
        manifest = _manifest_file(path)
        if manifest is not None:
            return Side(label, "manifest", None, manifest)
    if suffix in _ANSWERS:
        if assemble is None:
            raise UsageError(f"{label}: comparing answer files needs the assembly pipeline")
        return side_from_agreement(assemble(path), label, language=language)
    kind = "a folder" if path.is_dir() else f"a {suffix} file" if suffix else "a file without an extension"
    raise UsageError(f"{label}: cannot compare {kind}; "
                     "give a DOCX, PDF, Markdown, text, answer or manifest file, or id@version")


def _file_side(path: Path, label: str, suffix: str, language: str | None) -> Side:
    """Return a DOCX, PDF, Markdown or text side, with how much of the file it read."""
    from assembler.compare.coverage import file_coverage

    data = read_bytes(path, "file to compare")
    if suffix in _DOCX:
        from assembler.readers.docx import read_docx

        docx = read_docx(data)
        shown = [c.text for c in docx.comments]
        coverage = file_coverage("docx", data, docx.documents, skipped=docx.skipped, also_read=shown)
        return Side(label, "docx", _pick(docx.documents, docx.manifest, language), docx.manifest,
                    docx.changes, docx.comments, coverage=coverage, package=data)
    if suffix in _PDF:
        from assembler.readers.pdf import read_pdf

        pdf = read_pdf(data)
        coverage = file_coverage("pdf", data, pdf.documents, skipped=pdf.skipped)
        return Side(label, "pdf", _pick(pdf.documents, pdf.manifest, language), pdf.manifest,
                    formatting=False, notes=pdf.notes, coverage=coverage)
    text = decode_text(data, path, "file to compare")
    if suffix in _MARKDOWN:
        from assembler.readers.markdown import markdown_languages, read_markdown

        documents = [read_markdown(part) for part in markdown_languages(text)]
        return Side(label, "markdown", documents[0], coverage=file_coverage("markdown", data, documents))
    from assembler.readers.text import read_text, text_languages

    documents = [read_text(part) for part in text_languages(text)]
    return Side(label, "text", documents[0], formatting=False, coverage=file_coverage("text", data, documents))


def _manifest_file(path: Path) -> Manifest | None:
    from assembler.manifest import manifest_from_json

    try:
        return manifest_from_json(read_bytes(path, "manifest", LIMITS.manifest_bytes, "manifest-bytes"))
    except AssemblerError:
        return None


def _pick(documents: tuple[Document, ...], manifest: Manifest | None, language: str | None) -> Document:
    """Return the document of ``language`` among a file's documents (the first by default)."""
    if language and len(documents) > 1:
        langs = (manifest.language.split("+") if manifest else []) or ["sv", "en"]
        if language in langs and langs.index(language) < len(documents):
            return documents[langs.index(language)]
    return documents[0]


def side_from_agreement(agreement: Agreement, label: str, *, kind: str = "answers",
                        language: str | None = None) -> Side:
    """Return an assembled agreement as a side, in ``language`` (default: its first)."""
    docs = agreement.documents
    doc = next((d for d in docs if d.language == language), docs[0]) if language else docs[0]
    return Side(label, kind, doc, agreement.manifest)
