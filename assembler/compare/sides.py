"""The two inputs of ``assembler diff``: loading each side, and comparing them.

A side may be a clause reference (``id@version``), an answer file (assembled
first), a built DOCX, PDF, Markdown or text file, or a bare manifest.  The
parts that need the clause library or the assembly pipeline come in as
callables, so this module depends on neither.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from assembler.compare.align import pair_sequences
from assembler.compare.compare import compare_documents
from assembler.compare.result import ClauseDiff, ClauseRef, DiffResult, Side
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
        if suffix in _DOCX:
            from assembler.readers.docx import read_docx

            docx = read_docx(path.read_bytes())
            return Side(label, "docx", _pick(docx.documents, docx.manifest, language), docx.manifest,
                        docx.changes, docx.comments)
        if suffix in _PDF:
            from assembler.readers.pdf import read_pdf

            pdf = read_pdf(path.read_bytes())
            return Side(label, "pdf", _pick(pdf.documents, pdf.manifest, language), pdf.manifest,
                        formatting=False, notes=pdf.notes)
        if suffix in _MARKDOWN + _TEXT:
            from assembler.readers.markdown import read_markdown
            from assembler.readers.text import read_text

            text = path.read_text(encoding="utf-8-sig")
            if suffix in _MARKDOWN:
                return Side(label, "markdown", read_markdown(text))
            return Side(label, "text", read_text(text), formatting=False)
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
    raise UsageError(f"{label}: cannot compare a {suffix or 'extensionless'} file; "
                     "give a DOCX, PDF, Markdown, text, answer or manifest file, or id@version")


def _manifest_file(path: Path) -> Manifest | None:
    from assembler.manifest import manifest_from_json

    try:
        return manifest_from_json(path.read_bytes())
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


def diff_documents(old: Document, new: Document, *, formatting: bool = True,
                   old_label: str = "OLD", new_label: str = "NEW") -> DiffResult:
    """Return the difference between two documents of the model."""
    return diff_sides(Side(old_label, "model", old, formatting=formatting),
                      Side(new_label, "model", new, formatting=formatting))


def diff_sides(old: Side, new: Side) -> DiffResult:
    """Return the difference between two loaded sides.

    Sides without text (bare manifests) are compared clause by clause on
    their versions and content hashes.
    """
    date = _side_date(new) or _side_date(old)
    if old.document is None or new.document is None:
        return _diff_manifests(old, new, date)
    doc_a = attach_manifest(old.document, old.manifest)
    doc_b = attach_manifest(new.document, new.manifest)
    doc_a, doc_b = _same_title_case(doc_a, doc_b)
    by, clauses = compare_documents(doc_a, doc_b, formatting=old.formatting and new.formatting)
    return DiffResult(old, new, by, clauses, date)


def _same_title_case(a: Document, b: Document) -> tuple[Document, Document]:
    """Return the documents with a capitalised title (plain text prints it so) made alike."""
    if a.title != b.title and a.title.upper() == b.title.upper():
        if a.title.isupper():
            return replace(a, title=b.title), b
        if b.title.isupper():
            return a, replace(b, title=a.title)
    return a, b


def _side_date(side: Side) -> str:
    if side.manifest is not None and side.manifest.assembled:
        return side.manifest.assembled
    doc = side.document
    if doc is not None and doc.properties is not None and doc.properties.date:
        return doc.properties.date
    return ""


def attach_manifest(doc: Document, manifest: Manifest | None) -> Document:
    """Return the document with clause ids and versions from its manifest.

    A manifest lists clauses in agreement order; they are attached only when
    the counts agree, since a guess would align the wrong clauses.
    """
    if manifest is None or all(c.id for c in doc.clauses) or len(manifest.clauses) != len(doc.clauses):
        return doc
    clauses = tuple(replace(c, id=s.id, version=s.version, sha256=s.sha256)
                    for c, s in zip(doc.clauses, manifest.clauses))
    return replace(doc, clauses=clauses)


def _diff_manifests(old: Side, new: Side, date: str) -> DiffResult:
    """Return a clause-level comparison of two manifests (versions and hashes only)."""
    if old.manifest is None or new.manifest is None:
        bare = old if old.manifest is None else new
        raise UsageError(f"{bare.label}: has no manifest to compare with a bare manifest")
    ca, cb = old.manifest.clauses, new.manifest.clauses
    pairing = pair_sequences([c.id for c in ca], [c.id for c in cb])
    out: list[ClauseDiff] = []
    ids: dict[tuple[int | None, int | None], int] = {}
    for i, j, tag in pairing.steps:
        a = ClauseRef("", ca[i].id, ca[i].id, ca[i].version) if i is not None else None
        b = ClauseRef("", cb[j].id, cb[j].id, cb[j].version) if j is not None else None
        same = i is not None and j is not None and ca[i].sha256 == cb[j].sha256
        if tag in ("from", "to"):
            move_id = ids.setdefault((i, j), len(ids) + 1)
            out.append(ClauseDiff("moved", a, b, (), "clause", tag, move_id, not same))  # type: ignore[arg-type]
        elif tag in ("removed", "added"):
            out.append(ClauseDiff(tag, a, b, ()))  # type: ignore[arg-type]
        else:
            out.append(ClauseDiff("unchanged" if same else "changed", a, b, (), text_changed=not same))
    notes = ("text not compared: one side is a bare manifest; clauses compared by version and hash",)
    return DiffResult(old, new, "manifest", tuple(out), date, notes)


@dataclass(frozen=True)
class VersionChange:
    """A clause or blueprint whose version differs between two libraries (or two dates).

    ``old_version`` is empty when it was added, ``new_version`` when removed;
    ``result`` is the redline of the two texts when both exist.
    """

    kind: str  # "clause" | "blueprint"
    id: str
    old_version: str
    new_version: str
    result: DiffResult | None = None


def diff_versions(kind: str, old: Mapping[str, str], new: Mapping[str, str], *,
                  old_side: Callable[[str, str], Side] | None = None,
                  new_side: Callable[[str, str], Side] | None = None) -> tuple[VersionChange, ...]:
    """Return the ids whose version differs between two ``{id: version}`` maps, sorted by id.

    ``old_side(id, version)`` and ``new_side(id, version)`` load the text of
    each side (for one library at two dates they are the same function);
    without them only the versions are listed.
    """
    out: list[VersionChange] = []
    for ident in sorted(set(old) | set(new)):
        a, b = old.get(ident, ""), new.get(ident, "")
        if a == b:
            continue
        result = None
        if a and b and old_side is not None and new_side is not None:
            result = diff_sides(old_side(ident, a), new_side(ident, b))
        out.append(VersionChange(kind, ident, a, b, result))
    return tuple(out)
