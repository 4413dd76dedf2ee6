"""What `assembler diff` needs from the clause library: clause versions and blueprints as documents.

A clause version is compared as its wording: the clause text as written in
the library, helpers and variables included, since it has no answers to be
rendered with.  Two libraries (or one library at two dates) are compared by
the version of each clause and blueprint that would be used on the date.
"""

from __future__ import annotations

from collections.abc import Callable

from assembler.assembly.rules import select_version
from assembler.compare.diff import VersionChange, diff_sides, diff_versions
from assembler.compare.result import Side
from assembler.errors import AssemblerError, Location, RenderError, UsageError
from assembler.library.load import Blueprint, ClauseVersion, Library
from assembler.library.markup import parse_blocks
from assembler.library.versions import Version, VersionRange
from assembler.model import Block, Clause, Document, Paragraph, Span


def _blocks(text: str) -> tuple[Block, ...]:
    try:
        return parse_blocks(text)
    except RenderError:
        # Wording with unbalanced asterisks still compares, as plain paragraphs.
        return tuple(Paragraph((Span(" ".join(p.split())),)) for p in text.split("\n\n") if p.strip())


def clause_document(library: Library, ref: str, language: str = "sv") -> Document:
    """Return one clause version's wording as a one-clause document."""
    ident, _, version = ref.partition("@")
    if not version:
        raise UsageError(f"'{ref}': give a clause version as id@version, e.g. sekretess-offentlighet@1.0.0")
    try:
        cv = library.clause(ident, Version.parse(version))
    except ValueError as exc:
        raise UsageError(f"'{ref}': {exc}") from None
    if cv is None:
        known = ", ".join(str(c.version) for c in library.clauses.get(ident, ())) or "none"
        raise UsageError(f"the library has no clause version {ref} (versions of '{ident}': {known})")
    return _clause_as_document(cv, language)


def _clause_as_document(cv: ClauseVersion, language: str) -> Document:
    lang = language if language in cv.bodies else next(iter(cv.bodies))
    blocks = []
    k = 0
    for block in _blocks(cv.bodies[lang]):
        if isinstance(block, Paragraph):
            k += 1
            block = Paragraph(block.spans, f"1.{k}")
        blocks.append(block)
    clause = Clause("1", cv.title.get(lang, cv.id), tuple(blocks), cv.id, str(cv.version), cv.sha256)
    return Document(language=lang, title=cv.id, clauses=(clause,))


def _blueprint_as_document(bp: Blueprint) -> Document:
    """Return a blueprint as a document: one clause per section, guard and appendix."""
    clauses = []
    for i, section in enumerate(bp.sections, 1):
        lines = [f"{v.clause_id}@{v.range}" + (f" when {v.when}" if v.when else "") for v in section.variants]
        if section.when:
            lines.insert(0, f"when {section.when}")
        clauses.append(Clause(str(i), ("one of: " if section.one_of else "") + section.variants[0].clause_id,
                              tuple(Paragraph((Span(t),)) for t in lines), id=f"section-{i}"))
    for guard in bp.guards:
        clauses.append(Clause(str(len(clauses) + 1), f"guard {guard.id} ({guard.level})",
                              (Paragraph((Span(f"when {guard.when}"),)), Paragraph((Span(guard.message.get("sv", "")),)),
                               Paragraph((Span(guard.message.get("en", "")),))), id=f"guard-{guard.id}"))
    for appendix in bp.appendices:
        clauses.append(Clause(str(len(clauses) + 1), f"appendix {appendix.id}",
                              (Paragraph((Span(appendix.title.get("sv", "") + (f" when {appendix.when}" if appendix.when
                                                                                 else "")),)),),
                              id=f"appendix-{appendix.id}"))
    return Document(language="sv", title=bp.id, clauses=tuple(clauses))


def versions_in_force(library: Library, as_of: str) -> dict[str, str]:
    """Return {clause id: version} for the version each clause would use on ``as_of``.

    Clauses are resolved through the ranges the blueprints give them; a clause
    used with several ranges (two major lines as variants) is listed once per
    range, as ``id@range``; a clause no blueprint uses, by its highest version.
    """
    ranges: dict[str, list[VersionRange]] = {}
    for bp in library.blueprints.values():
        for section in bp.sections:
            for v in section.variants:
                if str(v.range) not in {str(r) for r in ranges.setdefault(v.clause_id, [])}:
                    ranges[v.clause_id].append(v.range)
    out: dict[str, str] = {}
    where = Location(str(library.root))
    for ident in library.clauses:
        for rng in ranges.get(ident) or [VersionRange.parse("*")]:
            key = ident if len(ranges.get(ident, ())) <= 1 else f"{ident}@{rng}"
            try:
                out[key] = str(select_version(library, ident, rng, as_of, False, where).version)
            except AssemblerError:
                continue  # nothing in force on that date
    return out


def diff_libraries(old: Library, new: Library, *, old_as_of: str, new_as_of: str,
                   language: str = "sv") -> tuple[VersionChange, ...]:
    """Return the clauses and blueprints whose versions differ, each with the redline of its text."""
    def clause_side(lib: Library) -> Callable[[str, str], Side]:
        def load(key: str, version: str) -> Side:
            ident = key.partition("@")[0]
            cv = lib.clause(ident, version)
            assert cv is not None
            return Side(f"{ident}@{version}", "clause", _clause_as_document(cv, language))
        return load

    def blueprint_side(lib: Library) -> Callable[[str, str], Side]:
        def load(ident: str, version: str) -> Side:
            return Side(f"{ident}@{version}", "blueprint", _blueprint_as_document(lib.blueprints[ident]))
        return load

    clauses = diff_versions("clause", versions_in_force(old, old_as_of), versions_in_force(new, new_as_of),
                            old_side=clause_side(old), new_side=clause_side(new))
    old_bp = {i: str(b.version) for i, b in old.blueprints.items()}
    new_bp = {i: str(b.version) for i, b in new.blueprints.items()}
    blueprints = diff_versions("blueprint", old_bp, new_bp, old_side=blueprint_side(old),
                               new_side=blueprint_side(new))
    # A blueprint edited without a version bump still differs: report it with its redline.
    for ident in sorted(set(old.blueprints) & set(new.blueprints)):
        a, b = old.blueprints[ident], new.blueprints[ident]
        if a.version == b.version and a.sha256 != b.sha256:
            result = diff_sides(Side(f"{ident}@{a.version}", "blueprint", _blueprint_as_document(a)),
                                Side(f"{ident}@{b.version}", "blueprint", _blueprint_as_document(b)))
            blueprints += (VersionChange("blueprint", ident, str(a.version), str(b.version) + " (edited)", result),)
    return clauses + blueprints
