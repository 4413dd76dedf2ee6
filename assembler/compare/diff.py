"""Diffing what was loaded: two sides (documents with their manifests) into a DiffResult, and two version maps."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from assembler.compare.align import pair_sequences
from assembler.compare.compare import compare_documents
from assembler.compare.result import ClauseDiff, ClauseRef, DiffResult, Side
from assembler.errors import UsageError
from assembler.model import Document, Manifest


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
    doc_a, doc_b, notes = _shared_parts(doc_a, doc_b)
    by, clauses = compare_documents(doc_a, doc_b, formatting=old.formatting and new.formatting)
    return DiffResult(old, new, by, clauses, date, notes)


def _shared_parts(a: Document, b: Document) -> tuple[Document, Document, tuple[str, ...]]:
    """Return the documents with only the kinds of parts both have, and a note for each kind left out.

    A Markdown file has no running header; a DOCX's header is then read and
    accounted for, but not reported as added text.
    """
    kinds_a = {p.kind for p in a.parts}
    kinds_b = {p.kind for p in b.parts}
    shared = kinds_a & kinds_b
    notes = tuple(f"{side} has {kind}s and the other side has none: they were read, not compared"
                  for side, kinds in (("OLD", kinds_a), ("NEW", kinds_b)) for kind in sorted(kinds - shared))
    if not notes:
        return a, b, ()
    return (replace(a, parts=tuple(p for p in a.parts if p.kind in shared)),
            replace(b, parts=tuple(p for p in b.parts if p.kind in shared)), notes)


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
