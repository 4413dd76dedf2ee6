"""Reading back a clause edited in Word: the accepted text, its controls checked, as the next draft.

Tracked changes count as accepted (their authors are recorded), comments
become the changelog text, and every content control must still be there
exactly once, unchanged, in its language: otherwise the import stops and
names the control's label and its paragraph.  Lines the lawyer left alone
keep their exact source bytes, so an import without edits gives back the
clause file as it was.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
from jinja2 import TemplateSyntaxError

from assembler._files import read_bytes, write_files_atomically
from assembler.errors import DocumentFormatError, LibraryError, Location, Problem, UsageError, ValidationFailed
from assembler.library.clause_word import (
    KEY_PREFIX,
    SOURCE_NS,
    SOURCE_TAG,
    Body,
    Labeler,
    Line,
    Shown,
    markdown_of,
    shown_line,
    split_body,
    style_is_line,
    tag_sources,
)
from assembler.library.lifecycle import FrontMatter, checked_text, iso_date, library_root, new_version
from assembler.library.load import ClauseVersion, clause_sha256, load_library
from assembler.library.template import ENV
from assembler.library.versions import Version
from assembler.library.workspace import acting_person
from assembler.oxml.controls import custom_xml_text, paragraph_pieces, paragraph_style_id, revision_authors
from assembler.oxml.ns import qn

MAX_DOCX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class WordEdit:
    """What a lawyer's DOCX holds: the clause text it now stands for, and who changed it."""

    ref: str  # the version exported
    original: str  # that version's file text at export
    original_sha256: str
    text: str  # the clause file text with the edits
    titles: dict[str, str]  # language -> title as edited
    authors: tuple[str, ...]  # of tracked changes
    comments: tuple[str, ...]  # "Author: text"

    @property
    def changed(self) -> bool:
        return self.text != self.original


@dataclass(frozen=True)
class Imported:
    """The result of an import: the draft written (or none when nothing changed) and its parent."""

    edit: WordEdit
    ref: str | None  # the draft written, None when the document held no change
    parent: str | None  # the version the draft's redline is read against
    files: tuple[Path, ...] = field(default=())


@dataclass
class _Section:
    lang: str
    title: str
    paragraphs: list[tuple[bool, list[Shown], str]]  # (continuation line, pieces, readable text)


def _open(data: bytes, where: str) -> Any:
    if len(data) > MAX_DOCX_BYTES:
        raise DocumentFormatError(f"the document is larger than {MAX_DOCX_BYTES // (1024 * 1024)} MB",
                                  Location(where), code="clause-docx.too-large")
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentFormatError(f"not a Word document (.docx): {exc}", Location(where)) from None


def _origin(document: Any, where: str) -> dict[str, Any]:
    for part in document.part.package.iter_parts():
        if not str(part.partname).startswith("/customXml/item"):
            continue
        text = custom_xml_text(part.blob, SOURCE_NS, SOURCE_TAG)
        if text is not None:
            data = json.loads(text)
            if isinstance(data, dict) and {"ref", "sha256", "text", "languages"} <= set(data):
                return data
    raise DocumentFormatError("this document was not written by `assembler clauses export` (it carries no clause "
                         "source); export the clause first and edit that file", Location(where),
                         code="clause-docx.not-exported")


def _readable(pieces: list[Shown]) -> str:
    text = "".join(p.text for p in pieces).strip()
    return text if len(text) <= 70 else text[:67] + "…"


def _sections(document: Any) -> list[_Section]:
    """Return the language sections: each opened by a heading holding a language control."""
    sections: list[_Section] = []
    for p in document.element.body.iter(qn("p")):
        pieces = paragraph_pieces(p)
        shown = [Shown(x.text, x.bold, x.italic, x.key, x.label) for x in pieces]
        lang_key = next((x.key for x in pieces if x.key and x.key.startswith(f"{KEY_PREFIX}lang:")), None)
        if lang_key is not None:
            title = "".join(x.text for x in pieces if x.key is None).strip()
            sections.append(_Section(lang_key.rpartition(":")[2], title, []))
        elif sections and "".join(x.text for x in pieces).strip():
            sections[-1].paragraphs.append((style_is_line(paragraph_style_id(p)), shown, _readable(shown)))
    return sections


def _check_controls(sections: list[_Section], expected: dict[str, tuple[str, str, str, int]], where: str) -> None:
    """Refuse controls that were deleted, duplicated or altered, naming label and paragraph."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for sec in sections:
        for k, (_, pieces, readable) in enumerate(sec.paragraphs, 1):
            loc = Location(where, path=f"{sec.lang} paragraph {k}")
            for piece in pieces:
                if piece.key is None:
                    if any(mark in piece.text for mark in ("{{", "{%", "{#")):
                        problems.append(Problem(f"“{readable}” contains template markup typed as text; template "
                                                "fields are added in the clause file, not in Word", loc,
                                                code="clause-docx.markup-in-text"))
                    continue
                want = expected.get(piece.key)
                if want is None or not piece.key.startswith(f"{KEY_PREFIX}{sec.lang}:"):
                    problems.append(Problem(f"the field «{piece.label}» in “{readable}” is not one of this clause's "
                                            f"{sec.lang} fields (altered or copied from elsewhere)", loc,
                                            code="clause-docx.control-altered"))
                elif piece.key in seen:
                    problems.append(Problem(f"the field {want[1]} appears twice: in “{seen[piece.key]}” and in "
                                            f"“{readable}”; keep one", loc, code="clause-docx.control-duplicated"))
                elif piece.text != want[1]:
                    problems.append(Problem(f"the field {want[1]} in “{readable}” was altered (it shows "
                                            f"“{piece.text}”); undo the change", loc,
                                            code="clause-docx.control-altered"))
                seen.setdefault(piece.key, readable)
    for key, (lang, shown, paragraph, k) in expected.items():
        if key not in seen and any(s.lang == lang for s in sections):
            problems.append(Problem(f"the field {shown} was deleted from the paragraph “{paragraph}”; restore it "
                                    "(undo, or export again)", Location(where, path=f"{lang} paragraph {k}"),
                                    code="clause-docx.control-deleted"))
    if problems:
        raise ValidationFailed(f"{len(problems)} field(s) of the template were changed", problems[0].location,
                               tuple(problems), code=problems[0].code)


def _new_body(original: Body, paragraphs: list[tuple[bool, list[Shown], str]], sources: dict[str, str],
              canon: list[tuple[bool, str]]) -> Body:
    """Return the edited body: unchanged lines keep their exact source, new ones get canonical spacing."""
    new = [(cont, markdown_of(pieces, sources)) for cont, pieces, _ in paragraphs]
    lines: list[Line] = []
    matcher = difflib.SequenceMatcher(a=canon, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            lines += original.lines[i1:i2]
            continue
        for cont, text in new[j1:j2]:
            gap = original.lines[0].gap if not lines and original.lines else (() if cont else ("",))
            for k, line in enumerate(split_body(text, Location()).lines):  # a line break typed in Word splits
                lines.append(Line(gap if k == 0 else (), line.tokens))
    return Body(tuple(lines), original.tail)


def read_word_edit(data: bytes, where: str, library: Any) -> WordEdit:
    """Return what an exported, edited clause DOCX stands for; raise when its controls were broken."""
    document = _open(data, where)
    origin = _origin(document, where)
    original = str(origin["text"])
    newline = "\r\n" if "\r\n" in original else "\n"
    lines = original.replace("\r\n", "\n").split("\n")
    sections = _sections(document)
    headings = {line[2:].strip(): i for i, line in enumerate(lines) if line.startswith("# ") and len(line.strip()) == 4}
    expected: dict[str, tuple[str, str, str, int]] = {}
    bodies: dict[str, tuple[Body, dict[str, str], list[tuple[bool, str]]]] = {}
    for lang in origin["languages"]:
        body = split_body(_section_text(lines, headings, lang), Location(where))
        labeler = Labeler(library, lang)
        sources = tag_sources(body, lang)
        canon, n = [], 0
        for k, line in enumerate(body.lines, 1):
            shown = shown_line(line, lang, n, labeler)
            n += sum(1 for t in line.tokens if t.tag)
            canon.append((not line.gap, markdown_of(shown, sources)))
            expected.update({s.key: (lang, s.text, _readable(shown), k) for s in shown if s.key})
        bodies[lang] = (body, sources, canon)
    _check_controls(sections, expected, where)
    for sec in sections:
        if sec.lang in bodies:
            body, sources, canon = bodies[sec.lang]
            edited = _new_body(body, sec.paragraphs, sources, canon)
            start, end = _section_span(lines, headings, sec.lang)
            lines[start:end] = edited.text().split("\n")
            headings = {line[2:].strip(): i for i, line in enumerate(lines)
                        if line.startswith("# ") and len(line.strip()) == 4}
    comments = tuple(f"{c.author}: {c.text.strip()}" if c.author else c.text.strip()
                     for c in document.comments if c.text.strip())
    return WordEdit(str(origin["ref"]), original, str(origin["sha256"]), newline.join(lines),
                    {s.lang: s.title for s in sections}, tuple(revision_authors(document.element.body)), comments)


def _section_span(lines: list[str], headings: dict[str, int], lang: str) -> tuple[int, int]:
    start = headings[lang] + 1
    later = sorted(i for i in headings.values() if i > headings[lang])
    return start, later[0] if later else len(lines)


def _section_text(lines: list[str], headings: dict[str, int], lang: str) -> str:
    start, end = _section_span(lines, headings, lang)
    return "\n".join(lines[start:end])


def _check_template(text: str, where: str) -> None:
    try:
        ENV.parse(text)
    except TemplateSyntaxError as exc:
        raise LibraryError(f"the edited text no longer forms a valid template ({exc.message}); did a condition's "
                             "end move before its start?", Location(where, exc.lineno),
                             code="clause-docx.template") from None


def _titled(fm: FrontMatter, titles: dict[str, str], expected: dict[str, Any]) -> None:
    """Set the edited titles (``title:`` block lines ``  sv: …``) in the front matter."""
    from assembler.library.lifecycle import yaml_scalar
    start = fm.find("title")
    if start is None:
        return
    for lang, title in titles.items():
        if not title or expected["title"].get(lang) == title:
            continue
        for i in range(start + 1, fm.end):
            if fm.lines[i][:1] not in (" ", "\t"):
                break
            if fm.lines[i].strip().startswith(f"{lang}:"):
                indent = fm.lines[i][: len(fm.lines[i]) - len(fm.lines[i].lstrip())]
                fm.lines[i] = f"{indent}{lang}: {yaml_scalar(title)}"
                expected["title"] = {**expected["title"], lang: title}


def changelog_text(edit: WordEdit, who: str) -> str:
    """Return the changelog entry of an import: the comments, and who edited and whose changes were accepted."""
    parts = list(edit.comments) or ["Edited in Word."]
    if edit.authors:
        parts.append(f"Tracked changes by {', '.join(edit.authors)} accepted.")
    if who:
        parts.append(f"Imported by {who}.")
    return " ".join(parts)


def import_clause(library: Path | str | None, docx_path: Path, *, by: str | None = None,
                  bump: str = "minor", today: str | _dt.date | None = None) -> Imported:
    """Make the next draft from an edited clause DOCX; return what was written.

    An exported draft is updated in place (it is the draft being edited);
    an exported approved or retired version gets a new draft version after
    it.  Nothing is written when the document holds no change.
    """
    root = library_root(library)
    lib = load_library(root, collect=True)
    edit = read_word_edit(read_bytes(docx_path, "Word document"), str(docx_path), lib)
    clause_id, _, version = edit.ref.partition("@")
    cv = lib.clause(clause_id, Version.parse(version))
    if cv is None:
        raise UsageError(f"{docx_path} holds {edit.ref}, which this library does not have", code="clause-docx.unknown")
    if not edit.changed:
        return Imported(edit, None, cv.ref)
    _check_template(edit.text, str(docx_path))
    who = acting_person(root, by, "importing")
    fm = FrontMatter(edit.text, str(cv.path))
    expected = fm.data()
    _titled(fm, edit.titles, expected)
    entry = {"version": str(cv.version), "date": iso_date(today, "today"), "text": changelog_text(edit, who)}
    if cv.status != "draft":
        text = checked_text(fm, expected)
        change = new_version(root, edit.ref, bump=bump, today=today, by=by, message=entry["text"], wording=text)
        return Imported(edit, change.ref, cv.ref, change.files)
    if cv.sha256 != clause_sha256(edit.original):
        raise LibraryError(f"{cv.ref} has changed since {docx_path} was exported; export it again and redo the "
                             "edits there, or import into a copy", Location(str(cv.path)),
                             code="clause-docx.stale")
    fm.append_to_list("changelog", entry)
    expected["changelog"] = list(expected.get("changelog") or []) + [entry]
    written = write_files_atomically({cv.path: checked_text(fm, expected).encode("utf-8")})
    return Imported(edit, cv.ref, str(cv.meta.get("replaces") or "") or None, tuple(written))


def parent_of(cv: ClauseVersion) -> str | None:
    """Return the version a draft is read against: the one it replaces."""
    return str(cv.meta.get("replaces") or "") or None
