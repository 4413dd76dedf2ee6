"""A clause version as a Word document a lawyer edits, and the pieces its import shares.

The clause's text is split into lines; every Jinja tag (a placeholder
``{{ … }}``, a condition or loop ``{% … %}``, a comment ``{# … #}``) becomes a
locked content control that shows a readable label such as «Project title»
or «Om: Test in public space», so the prose around it can be edited freely
and the template logic cannot be broken by accident.  Each language is one
section, opened by a heading holding a locked language control and the
clause's title.  The clause file as it was is embedded in the document (a
custom XML part), so that the import can tell exactly what changed and give
back the very same bytes when nothing did.

Line structure: each non-blank source line is one Word paragraph; a line that
follows a blank line (a new Markdown paragraph) has the style ``Normal``, a
line that follows another directly (list items, loop lines) the style
``Clause Line``.  Pressing Enter in Word continues the style, which is what
the lawyer means in both cases.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt
from jinja2 import TemplateSyntaxError, nodes

from assembler.errors import LibraryError, Location, UsageError
from assembler.library.load import ClauseVersion, Library
from assembler.library.template import ENV
from assembler.oxml.controls import add_custom_xml_part, locked_control, text_run

SOURCE_NS = "urn:assembler:clause-source"
SOURCE_TAG = "clauseSource"
LINE_STYLE = "Clause Line"
LINE_STYLE_ID = "ClauseLine"
KEY_PREFIX = "assembler:"
_CLOSERS = {"{": "}}", "%": "%}", "#": "#}"}
WORDS = {
    "sv": {"if": "Om", "elif": "Annars om", "else": "Annars", "endif": "Slut på villkoret", "for": "För varje",
           "endfor": "Slut på upprepningen", "clause": "punkt", "paragraph": "stycke", "appendix": "Bilaga",
           "definitions": "Definitionerna", "set": "Värde", "comment": "Kommentar", "term": "begrepp",
           "language": "Svenska", "instructions": (
               "Redigera texten fritt. De blå fälten «…» är mallens fält, villkor och hänvisningar: de är låsta "
               "och kan flyttas men inte ändras. Spåra gärna ändringar och kommentera. Läs sedan in filen med "
               "`assembler clauses import`.")},
    "en": {"if": "If", "elif": "Else if", "else": "Otherwise", "endif": "End of condition", "for": "For each",
           "endfor": "End of repetition", "clause": "clause", "paragraph": "paragraph", "appendix": "Appendix",
           "definitions": "The definitions", "set": "Value", "comment": "Comment", "term": "term",
           "language": "English", "instructions": (
               "Edit the text freely. The blue fields «…» are the template's fields, conditions and references: "
               "they are locked and may be moved but not changed. Track changes and comments are welcome. Then "
               "read the file back with `assembler clauses import`.")},
}


@dataclass(frozen=True)
class Token:
    """A piece of clause source: plain text (with Markdown), or one whole Jinja tag."""

    text: str
    tag: bool = False


@dataclass(frozen=True)
class Line:
    """One non-blank source line, the blank lines before it, and its tokens."""

    gap: tuple[str, ...]  # the blank lines before it, as written
    tokens: tuple[Token, ...]

    @property
    def source(self) -> str:
        return "".join(t.text for t in self.tokens)


@dataclass(frozen=True)
class Body:
    """A language section's text as lines, and the blank lines after the last one."""

    lines: tuple[Line, ...]
    tail: tuple[str, ...]

    def text(self) -> str:
        parts: list[str] = []
        for line in self.lines:
            parts += [*line.gap, line.source]
        return "\n".join([*parts, *self.tail])


def scan(text: str, where: Location) -> list[Token]:
    """Return ``text`` as tokens: text between tags, and each tag whole (quoted strings inside kept)."""
    out: list[Token] = []
    i = start = 0
    while i < len(text) - 1:
        if text[i] == "{" and text[i + 1] in _CLOSERS:
            closer = _CLOSERS[text[i + 1]]
            j, quote = i + 2, ""
            while j < len(text) - 1 and (quote or text[j:j + 2] != closer):
                if quote and text[j] == "\\":
                    j += 1
                elif text[j] in "'\"" and text[i + 1] != "#":
                    quote = "" if quote == text[j] else (quote or text[j])
                j += 1
            if j >= len(text) - 1:
                raise LibraryError(f"a Jinja tag opened with '{text[i:i + 2]}' is never closed", where,
                                   code="clause-docx.tag-unclosed")
            if i > start:
                out.append(Token(text[start:i]))
            out.append(Token(text[i:j + 2], tag=True))
            i = start = j + 2
        else:
            i += 1
    if start < len(text):
        out.append(Token(text[start:]))
    return out


def split_body(body: str, where: Location) -> Body:
    """Return a language section's text as lines (a line break inside a tag does not split)."""
    rows: list[list[Token]] = [[]]
    for token in scan(body, where):
        if token.tag:
            rows[-1].append(token)
            continue
        for k, piece in enumerate(token.text.split("\n")):
            if k:
                rows.append([])
            if piece:
                rows[-1].append(Token(piece))
    lines: list[Line] = []
    gap: list[str] = []
    for row in rows:
        if not any(t.tag for t in row) and not "".join(t.text for t in row).strip():
            gap.append("".join(t.text for t in row))
        else:
            lines.append(Line(tuple(gap), tuple(row)))
            gap = []
    return Body(tuple(lines), tuple(gap))


@dataclass(frozen=True)
class Shown:
    """What a line shows in Word: text with its look, or a control (``key`` set)."""

    text: str
    bold: bool = False
    italic: bool = False
    key: str | None = None
    label: str = ""


def shown_line(line: Line, lang: str, first_tag: int, labeler: Labeler) -> list[Shown]:
    """Return a line as Word shows it: Markdown emphasis as bold/italic, tags as labelled controls.

    Tags are numbered per language from ``first_tag``: the control of the
    n-th tag has the key ``assembler:<lang>:<n>``.
    """
    out: list[Shown] = []
    bold = italic = False
    n = first_tag
    for token in line.tokens:
        if token.tag:
            label = labeler.label(token.text)
            out.append(Shown(f"«{label}»", bold, italic, key=f"{KEY_PREFIX}{lang}:{n}", label=label))
            n += 1
            continue
        buf: list[str] = []
        i, text = 0, token.text
        while i < len(text):
            if text[i] == "\\" and i + 1 < len(text):
                buf.append(text[i + 1])
                i += 2
                continue
            if text[i] == "*":
                if buf:
                    out.append(Shown("".join(buf), bold, italic))
                    buf = []
                if text.startswith("**", i):
                    bold, i = not bold, i + 2
                else:
                    italic, i = not italic, i + 1
                continue
            buf.append(text[i])
            i += 1
        if buf:
            out.append(Shown("".join(buf), bold, italic))
    return out


def markdown_of(pieces: list[Shown], sources: dict[str, str]) -> str:
    """Return the clause source of shown pieces: emphasis as ** and *, controls as their tags' source."""
    out: list[str] = []
    bold = italic = False
    for piece in pieces:
        want_b, want_i = piece.bold, piece.italic
        if italic and not want_i:
            out.append("*")
            italic = False
        if bold != want_b:
            if italic:
                out.append("*")
                italic = False
            out.append("**")
            bold = want_b
        if want_i and not italic:
            out.append("*")
            italic = True
        if piece.key is not None:
            out.append(sources[piece.key])
        else:
            out.append(piece.text.replace("\\", "\\\\").replace("*", "\\*"))
    if italic:
        out.append("*")
    if bold:
        out.append("**")
    return "".join(out)


class Labeler:
    """Readable labels for Jinja tags, from the answers schema titles, term and clause titles."""

    def __init__(self, library: Library, lang: str) -> None:
        self.lang = lang
        self.words = WORDS.get(lang, WORDS["en"])
        self.terms: dict[str, str] = {}
        self.titles: dict[str, str] = {}
        for clause_id, versions in library.clauses.items():
            latest = versions[-1]
            self.titles[clause_id] = latest.title.get(lang) or clause_id
            for d in latest.defines:
                entry = d.get(lang)
                if isinstance(entry, dict) and entry.get("term"):
                    self.terms[str(d.get("id"))] = str(entry["term"])
        self.computed: dict[str, str] = {}
        self.appendices: dict[str, str] = {}
        self.schema: dict[str, Any] = {"properties": {}, "$defs": {}}
        for bp in library.blueprints.values():
            self.computed.update({name: expr for name, expr, _ in bp.computed})
            self.appendices.update({a.id: a.title.get(lang, a.id) for a in bp.appendices})
            try:
                schema = json.loads(bp.answers_schema.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            self.schema["properties"].update(schema.get("properties", {}))
            self.schema["$defs"].update(schema.get("$defs", {}))
        self.loops: dict[str, dict[str, Any] | None] = {}  # loop variable -> schema of one item
        self.loop_titles: dict[str, str] = {}  # loop variable -> title of what it runs over

    def label(self, tag: str) -> str:
        """Return the label of one tag's source, e.g. «Project title» for ``{{ project.title }}``."""
        inner = tag[2:-2].strip("-+ \t\n")
        if tag.startswith("{#"):
            return self.words["comment"]
        if tag.startswith("{{"):
            return self.expression(inner)
        keyword, _, rest = inner.partition(" ")
        rest = rest.strip()
        if keyword in ("if", "elif"):
            return f"{self.words[keyword]}: {self.expression(rest)}"
        if keyword == "for":
            target, _, iterable = rest.partition(" in ")
            node = self._parse(iterable)
            schema = self._schema_of(node) if node is not None else None
            items = self._resolve(schema.get("items")) if isinstance(schema, dict) else None
            title = schema.get("title") if isinstance(schema, dict) else None
            for name in target.split(","):
                self.loops[name.strip()] = items
                if title:
                    self.loop_titles[name.strip()] = str(title)
            return f"{self.words['for']}: {self.expression(iterable)}"
        if keyword in ("else", "endif", "endfor"):
            return self.words[keyword]
        if keyword == "set":
            return f"{self.words['set']}: {rest.partition('=')[0].strip()}"
        return inner

    def expression(self, source: str) -> str:
        node = self._parse(source)
        if node is None:
            return source
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name):
            return self._helper(node.node.name, node.args, source)
        schema = self._schema_of(node)
        title = schema.get("title") if isinstance(schema, dict) else None
        within = self.loop_titles.get(_root_name(node) or "")
        if within:  # a field of one item of a loop: «Public parties: Name»
            return f"{within}: {title}" if title else within
        return str(title) if title else source

    def _helper(self, name: str, args: list[nodes.Expr], source: str) -> str:
        first = args[0].value if args and isinstance(args[0], nodes.Const) else None
        if name == "term":
            if isinstance(first, str):
                return self.terms.get(first, first)
            if args and isinstance(args[0], nodes.Name):
                return self._computed_terms(args[0].name)
        if name == "ref" and isinstance(first, str):
            extra = args[1].value if len(args) > 1 and isinstance(args[1], nodes.Const) else None
            text = f"{self.words['clause']} {self.titles.get(first, first)}"
            return text + (f", {self.words['paragraph']} {extra}" if extra is not None else "")
        if name == "appendix" and isinstance(first, str):
            return f"{self.words['appendix']}: {self.appendices.get(first, first)}"
        if name == "definitions":
            return self.words["definitions"]
        return source

    def _computed_terms(self, name: str) -> str:
        """Return the terms a computed term id can stand for (``pub``: «Kommunen / Kommunerna»)."""
        node = self._parse(self.computed.get(name, ""))
        found = [str(c.value) for c in node.find_all(nodes.Const)] if node is not None else []
        words = [self.terms[t] for t in found if t in self.terms]
        return " / ".join(dict.fromkeys(words)) or f"{self.words['term']}: {name}"

    def _parse(self, source: str) -> nodes.Expr | None:
        try:
            template = ENV.parse("{{ " + source + " }}")
        except TemplateSyntaxError:
            return None
        body = template.body
        if len(body) == 1 and isinstance(body[0], nodes.Output) and len(body[0].nodes) == 1:
            return body[0].nodes[0]
        return None

    def _resolve(self, schema: Any) -> dict[str, Any] | None:
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            return self.schema["$defs"].get(schema["$ref"].rpartition("/")[2])
        return schema if isinstance(schema, dict) else None

    def _schema_of(self, node: nodes.Node) -> dict[str, Any] | None:
        """Return the schema of the first answers path in an expression (filters and tests looked through)."""
        while isinstance(node, (nodes.Filter, nodes.Test, nodes.Not)):
            inner = node.node
            if inner is None:
                return None
            node = inner
        if isinstance(node, nodes.Name):
            if node.name in self.loops:
                return self.loops[node.name]
            return self._resolve(self.schema["properties"].get(node.name))
        if isinstance(node, nodes.Getattr):
            parent = self._schema_of(node.node)
            props = parent.get("properties") if parent else None
            return self._resolve(props.get(node.attr)) if isinstance(props, dict) else None
        if isinstance(node, nodes.Getitem):
            parent = self._schema_of(node.node)
            return self._resolve(parent.get("items")) if parent else None
        if isinstance(node, (nodes.Compare, nodes.BinExpr)):
            return self._schema_of(node.expr if isinstance(node, nodes.Compare) else node.left)
        return None


def _root_name(node: nodes.Node) -> str | None:
    """Return the variable an expression starts from (``p`` in ``p.contact.name | upper``)."""
    while isinstance(node, (nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Test)) and node.node is not None:
        node = node.node
    return node.name if isinstance(node, nodes.Name) else None


def _styles(document: Any) -> None:
    if LINE_STYLE not in [s.name for s in document.styles]:
        style = document.styles.add_style(LINE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.paragraph_format.space_before = 0
        style.paragraph_format.space_after = 0
        style.next_paragraph_style = style


def export_clause(library: Library, cv: ClauseVersion, languages: tuple[str, ...]) -> bytes:
    """Return the DOCX of one clause version in ``languages``, every tag a locked, labelled control."""
    where = Location(str(cv.path))
    document = docx.Document()
    _styles(document)
    document.core_properties.title = f"{cv.ref}: {' / '.join(cv.title.get(lang, cv.id) for lang in languages)}"
    document.core_properties.subject = f"{cv.ref} ({cv.status})"
    document.core_properties.author = "assembler"
    document.add_heading(f"{cv.ref} ({cv.status})", level=0)
    note = document.add_paragraph()
    note.add_run(WORDS.get(languages[0], WORDS["en"])["instructions"]).italic = True
    control_id = 1
    for lang in languages:
        labeler = Labeler(library, lang)
        heading = document.add_heading(level=1)
        heading._p.append(locked_control(f"{KEY_PREFIX}lang:{lang}", WORDS.get(lang, WORDS["en"])["language"],
                                         f"[{lang}]", control_id))
        control_id += 1
        heading._p.append(text_run(" " + cv.title.get(lang, "")))
        n = 0
        for line in split_body(cv.bodies[lang], where).lines:
            p = document.add_paragraph(style=None if line.gap else LINE_STYLE)
            if line.gap:  # a new Markdown paragraph: set off from the lines before it
                p.paragraph_format.space_before = Pt(8)
            for piece in shown_line(line, lang, n, labeler):
                if piece.key is None:
                    p._p.append(text_run(piece.text, bold=piece.bold, italic=piece.italic))
                    continue
                p._p.append(locked_control(piece.key, piece.label, piece.text, control_id,
                                           bold=piece.bold, italic=piece.italic))
                control_id += 1
                n += 1
    source = json.dumps({"ref": cv.ref, "sha256": cv.sha256, "languages": list(languages),
                         "text": cv.path.read_bytes().decode("utf-8")}, ensure_ascii=False)
    add_custom_xml_part(document.part, SOURCE_NS, SOURCE_TAG, source)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def languages_for(library: Library, cv: ClauseVersion, lang: str | None) -> tuple[str, ...]:
    """Return the languages to export: ``lang``, or every language the clause has."""
    if lang is None:
        return tuple(x for x in library.languages if x in cv.bodies)
    if lang not in cv.bodies:
        raise UsageError(f"{cv.ref} has no '{lang}' text (it has {', '.join(cv.bodies)})", option="lang")
    return (lang,)


def tag_sources(body: Body, lang: str) -> dict[str, str]:
    """Return each control key of a language section with its tag's source."""
    out: dict[str, str] = {}
    for line in body.lines:
        for token in line.tokens:
            if token.tag:
                out[f"{KEY_PREFIX}{lang}:{len(out)}"] = token.text
    return out


def style_is_line(style_id: str | None) -> bool:
    """Whether a paragraph style id is the continuation style (no blank line before it)."""
    return style_id == LINE_STYLE_ID

