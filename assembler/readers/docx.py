"""Reading a DOCX back into the document model, with the other side's edits listed.

A returned DOCX often carries the company's own tracked changes and
comments.  python-docx's ``Paragraph.text`` drops inserted and deleted runs
alike, so this reader walks the WordprocessingML itself: the document is
read in its *accepted* view (insertions and moves in, deletions and moved-away
text out, deleted paragraph marks merging paragraphs, as Word's "Accept
all" would leave it), while every tracked change and comment is listed
separately with its author, date and the clause it sits in.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field, replace

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from assembler._limits import check_zip
from assembler.errors import AssemblerError, DocumentFormatError, ManifestError
from assembler.manifest import manifest_from_json
from assembler.model import Block, Document, Manifest, Paragraph, Span
from assembler.oxml import parts
from assembler.oxml.list_labels import Numbering
from assembler.oxml.ns import qn
from assembler.readers.docx_parts import read_parts
from assembler.readers.docx_walk import (
    ChangeKind,
    ReadParagraph,
    View,
    Walker,
    merge_marks,
    numbering_of,
    open_docx,
    paragraph_elements,
    paragraph_texts,
)
from assembler.readers.lines import Line, Role, build_document, one_language, split_label, strip_spans

__all__ = ["ChangeKind", "Comment", "DocxReading", "TrackedChange", "View", "paragraph_texts",
           "read_docx", "read_docx_manifest"]

_LETTER_FORMATS = ("lowerLetter", "upperLetter", "lowerRoman", "upperRoman")
_P, _T, _TBL, _TR, _TC = qn("p"), qn("t"), qn("tbl"), qn("tr"), qn("tc")
_INS, _DEL, _MOVE_FROM, _MOVE_TO = qn("ins"), qn("del"), qn("moveFrom"), qn("moveTo")
_PPR, _RPR, _VAL = qn("pPr"), qn("rPr"), qn("val")
_CHANGE_KINDS: dict[str, ChangeKind] = {_INS: "insert", _DEL: "delete", _MOVE_FROM: "move-from",
                                        _MOVE_TO: "move-to"}
_MARK_KINDS: dict[str, ChangeKind] = {_INS: "paragraph-insert", _DEL: "paragraph-delete",
                                      _MOVE_FROM: "paragraph-delete", _MOVE_TO: "paragraph-insert"}

_STYLE_ROLES: dict[str, Role] = {
    "title": "title", "subtitle": "subtitle", "section heading": "section",
    "sub-clause": "numbered", "list letter": "letter", "list bullet": "bullet",
    "signature party": "sig-party", "signature field": "sig-field",
    "signature caption": "sig-caption",
}


@dataclass(frozen=True)
class TrackedChange:
    """A tracked change found in a DOCX: what kind, by whom, when, which text, where.

    ``where`` is the clause or sub-clause number it sits in ("2.1"), or the
    heading when there is no number.
    """

    kind: ChangeKind
    author: str
    date: str
    text: str
    where: str = ""


@dataclass(frozen=True)
class Comment:
    """A comment found in a DOCX, with the (accepted) text it is anchored to."""

    id: str
    author: str
    date: str
    text: str
    anchor: str = ""
    where: str = ""
    initials: str = ""


@dataclass(frozen=True)
class DocxReading:
    """What a DOCX holds: its documents (two for a side-by-side table), manifest, edits."""

    documents: tuple[Document, ...]
    manifest: Manifest | None = None
    changes: tuple[TrackedChange, ...] = ()
    comments: tuple[Comment, ...] = field(default=())
    skipped: tuple[str, ...] = ()  # text read but left out on purpose (our own page furniture)


def _style_names(document: docx.document.Document) -> dict[str, str]:
    return {s.style_id: s.name or s.style_id for s in document.styles}


def _role(style: str) -> Role:
    name = style.casefold()
    if name in _STYLE_ROLES:
        return _STYLE_ROLES[name]
    if name.startswith("heading"):
        return "heading"
    return "paragraph"


def _spans(runs: list[tuple[str, bool, bool]]) -> tuple[Span, ...]:
    out: list[Span] = []
    for text, bold, italic in runs:
        text = text.replace("\u00ad", "")
        if out and (out[-1].bold, out[-1].italic) == (bold, italic):
            out[-1] = Span(out[-1].text + text, bold, italic)
        elif text:
            out.append(Span(text, bold, italic))
    return tuple(out)


def _lines(paras: list[ReadParagraph]) -> list[Line]:
    out: list[Line] = []
    for para in paras:
        spans = _spans(para.runs)
        text = "".join(s.text for s in spans)
        if not text.strip():
            continue
        out.append(_numbered_line(para, spans) if para.fmt else split_label(_role(para.style), spans))
    return out


def _numbered_line(para: ReadParagraph, spans: tuple[Span, ...]) -> Line:
    """Return the line of a paragraph Word numbers itself, its label computed from numbering.xml."""
    role = _role(para.style)
    if role == "heading":
        return Line("heading", strip_spans(spans), para.label.rstrip("."))
    if role not in ("paragraph", "numbered", "letter", "bullet"):
        return split_label(role, spans)
    if para.fmt == "bullet" or not para.label:
        return Line("bullet", strip_spans(spans))
    if para.fmt in _LETTER_FORMATS:
        return Line("letter", strip_spans(spans), para.label)
    return Line("numbered", strip_spans(spans), para.label)


def _blocks(walker: Walker) -> object:
    """Return a reader of one part's paragraphs into blocks (headers, notes)."""
    def read(root: etree._Element) -> tuple[Block, ...]:
        lines = _lines(merge_marks([walker.paragraph(p) for p in paragraph_elements(root)]))
        return tuple(Paragraph(strip_spans(line.spans), line.label or None) for line in lines)
    return read


def read_docx(data: bytes, language: str = "") -> DocxReading:
    """Return the documents, manifest, tracked changes and comments of a DOCX.

    The documents are read with every tracked change accepted.  A DOCX
    written side by side (a two-column table) gives two documents, left
    column first.  Raise AssemblerError when the bytes are not a DOCX.
    """
    document = open_docx(data)
    names = _style_names(document)
    body = document.element.body
    manifest = _manifest(data)
    walker = Walker("accepted", names, numbering_of(document))
    columns = _parallel_columns(body, names, manifest)
    if columns:
        docs = tuple(one_language(build_document(_lines(merge_marks([walker.paragraph(p) for p in col]))),
                                  k, len(columns)) for k, col in enumerate(columns))
        elements = [p for col in columns for p in col]
    else:
        elements = paragraph_elements(body)
        paras = []
        for index, p in enumerate(elements):
            walker.paragraph_index = index
            paras.append(walker.paragraph(p))
        docs = (build_document(_lines(merge_marks(paras)), language),)
    wheres = _locations(elements, names, numbering_of(document))
    changes = _changes(elements, wheres)
    comments = _comments(document, walker, wheres)
    found = read_parts(document, _blocks(Walker("accepted", names)))  # type: ignore[arg-type]
    skipped: tuple[str, ...] = ()
    if manifest is not None:
        # Our own header and footer (title, reference, "Sida X av Y") repeat
        # what the body says; they are accounted for, not compared.
        skipped = tuple(b.text for part in found if part.kind in ("header", "footer")
                        for b in part.blocks if isinstance(b, Paragraph))
        found = tuple(part for part in found if part.kind not in ("header", "footer"))
    docs = tuple(replace(d, parts=found) for d in docs)
    return DocxReading(docs, manifest, changes, comments, skipped)


def _parallel_columns(body: etree._Element, names: dict[str, str],
                      manifest: Manifest | None) -> list[list[etree._Element]]:
    """Return the left and right column paragraphs of a side-by-side table, or [].

    Only on positive evidence: our manifest says two languages, or the table
    has our "Parallel Table" style.  A two-column table alone (key terms, a
    definitions table) is read as a table.
    """
    table = body.find(_TBL)
    if table is None:
        return []
    style = table.find(f"{qn('tblPr')}/{qn('tblStyle')}")
    style_name = names.get(style.get(_VAL, ""), style.get(_VAL, "")) if style is not None else ""
    ours = style_name.casefold() == "parallel table" or (manifest is not None and "+" in manifest.language)
    if not ours or any(child.tag == _P and "".join(child.itertext()).strip()
                            for child in body[:list(body).index(table)]):
        return []
    rows = table.findall(_TR)
    if not rows or any(len(row.findall(_TC)) != 2 for row in rows):
        return []
    left = [p for row in rows for p in paragraph_elements(row.findall(_TC)[0])]
    right = [p for row in rows for p in paragraph_elements(row.findall(_TC)[1])]
    # The signatures follow the table once, for both languages.
    tail = paragraph_elements(list(body)[list(body).index(table) + 1:])
    return [left + tail, right + tail]


def _locations(elements: list[etree._Element], names: dict[str, str],
               numbers: Numbering | None = None) -> list[str]:
    """Return, per paragraph, the clause or sub-clause number it belongs to."""
    walker = Walker("accepted", names, numbers)
    where = ""
    out: list[str] = []
    for p in elements:
        para = walker.paragraph(p)
        text = (para.label.rstrip(".") + "\t" if para.label else "") + "".join(t for t, _, _ in para.runs)
        line = split_label(_role(para.style), ((Span(text),) if text else ()))
        if line.role == "heading":
            where = line.label or line.text.strip()[:40]
        elif line.role == "numbered" and line.label:
            where = line.label
        elif line.role == "section":
            where = line.text.strip()[:40]
        out.append(where)
    return out


def _change_text(el: etree._Element) -> str:
    return "".join(" " if t.tag == qn("tab") else (t.text or "")
                   for t in el.iter(_T, qn("delText"), qn("tab")))


def _changes(elements: list[etree._Element], wheres: list[str]) -> tuple[TrackedChange, ...]:
    """Return the tracked changes in reading order, neighbours of one kind and author joined."""
    out: list[TrackedChange] = []
    last_para = -1
    for index, p in enumerate(elements):
        found: list[TrackedChange] = []
        for el in p.iter(_INS, _DEL, _MOVE_FROM, _MOVE_TO, qn("rPrChange"), qn("pPrChange")):
            parent = el.getparent()
            author, date = el.get(qn("author"), ""), el.get(qn("date"), "")
            if el.tag in _CHANGE_KINDS and parent is not None and parent.tag == _RPR:
                grand = parent.getparent()
                if grand is not None and grand.tag == _PPR:
                    found.append(TrackedChange(_MARK_KINDS[el.tag], author, date, "", wheres[index]))
                continue
            if el.tag == qn("rPrChange"):
                run = parent.getparent() if parent is not None else None
                text = _change_text(run) if run is not None else ""
                found.append(TrackedChange("format", author, date, text, wheres[index]))
            elif el.tag == qn("pPrChange"):
                found.append(TrackedChange("paragraph-format", author, date, "", wheres[index]))
            elif not any(a.tag in _CHANGE_KINDS for a in el.iterancestors()):
                found.append(TrackedChange(_CHANGE_KINDS[el.tag], author, date, _change_text(el),
                                           wheres[index]))
        # A paragraph inserted (or deleted) whole is one change, not its mark and its text.
        content = {c.kind for c in found}
        found = [c for c in found if not (c.kind == "paragraph-insert" and "insert" in content
                                          or c.kind == "paragraph-delete" and "delete" in content)]
        for change in found:
            prev = out[-1] if out else None
            if (prev and last_para == index and prev.kind == change.kind and prev.author == change.author
                    and prev.date == change.date and change.kind not in ("paragraph-insert", "paragraph-delete")):
                out[-1] = TrackedChange(prev.kind, prev.author, prev.date, prev.text + change.text, prev.where)
            else:
                out.append(change)
            last_para = index
    return tuple(out)


def _comments(document: docx.document.Document, walker: Walker,
              wheres: list[str]) -> tuple[Comment, ...]:
    """Return the comments of the comments part, with their anchored text."""
    part = None
    for rel in document.part.rels.values():
        if rel.reltype == RT.COMMENTS and not rel.is_external:
            part = rel.target_part
    if part is None:
        return ()
    root = etree.fromstring(part.blob, etree.XMLParser(resolve_entities=False, no_network=True))
    out: list[Comment] = []
    for c in root.findall(qn("comment")):
        cid = c.get(qn("id"), "")
        text = "\n".join("".join(t.text or "" for t in p.iter(_T)) for p in c.iter(_P)).strip()
        para = walker.comment_para.get(cid)
        where = wheres[para] if para is not None and para < len(wheres) else ""
        out.append(Comment(cid, c.get(qn("author"), ""), c.get(qn("date"), ""), text,
                           "".join(walker.anchors.get(cid, [])), where, c.get(qn("initials"), "")))
    return tuple(out)


def _manifest(data: bytes) -> Manifest | None:
    """Return the embedded manifest, or None when there is none."""
    try:
        return read_docx_manifest(data)
    except AssemblerError:
        return None


def read_docx_manifest(data: bytes) -> Manifest:
    """Return the manifest embedded in a DOCX written by :func:`write_docx`.

    The manifest part is found by its content (its root element's namespace),
    not by its name, so a file that Word saved again still yields it.  Raise
    DocumentFormatError when the bytes are not a DOCX and ManifestError when they carry no manifest.
    """
    check_zip(data, "this DOCX")
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, TypeError):
        raise DocumentFormatError("this file is not a DOCX document", code="document.not-docx") from None
    with package:
        names = package.namelist()
        if "[Content_Types].xml" not in names or not any(n.startswith("word/") for n in names):
            raise DocumentFormatError("this file is not a DOCX document", code="document.not-docx")
        # Custom XML items live under customXml/ by convention; look there first,
        # then anywhere else, since the name is not what identifies our part.
        candidates = sorted((n for n in names if n.lower().endswith(".xml")),
                            key=lambda n: not n.lower().startswith("customxml/"))
        for name in candidates:
            try:
                with package.open(name) as stream:
                    if not parts.is_manifest_item(stream):
                        continue
                text = parts.manifest_text(package.read(name))
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError):
                raise DocumentFormatError("this file is not a DOCX document", code="document.not-docx") from None
            if text is not None:
                return manifest_from_json(text)
    raise ManifestError("this DOCX carries no assembler manifest", code="manifest.missing")
