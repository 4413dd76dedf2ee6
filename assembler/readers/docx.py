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
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from assembler._limits import check_zip
from assembler.errors import AssemblerError, DocumentFormatError, ManifestError
from assembler.manifest import manifest_from_json
from assembler.model import Block, Document, Manifest, Paragraph, Span
from assembler.oxml import parts
from assembler.oxml.list_labels import Numbering, style_numbers
from assembler.oxml.ns import qn
from assembler.readers.docx_parts import read_parts
from assembler.readers.lines import Line, Role, build_document, one_language, split_label, strip_spans

MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_LETTER_FORMATS = ("lowerLetter", "upperLetter", "lowerRoman", "upperRoman")

View = Literal["accepted", "rejected"]
ChangeKind = Literal["insert", "delete", "move-from", "move-to", "format",
                     "paragraph-insert", "paragraph-delete", "paragraph-format"]



_P, _R, _T, _TBL, _TR, _TC = qn("p"), qn("r"), qn("t"), qn("tbl"), qn("tr"), qn("tc")
_INS, _DEL, _MOVE_FROM, _MOVE_TO = qn("ins"), qn("del"), qn("moveFrom"), qn("moveTo")
_PPR, _RPR, _VAL = qn("pPr"), qn("rPr"), qn("val")
_HIDDEN_IN = {"accepted": (_DEL, _MOVE_FROM), "rejected": (_INS, _MOVE_TO)}
_CONTAINERS = {qn(t) for t in ("hyperlink", "smartTag", "sdt", "sdtContent", "fldSimple",
                               "customXml", "ins", "del", "moveFrom", "moveTo", "dir", "bdo")}
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


@dataclass
class _Para:
    """One paragraph as read: style name, runs in the chosen view, its mark, and
    the label Word's automatic numbering prints before it (with its numFmt)."""

    style: str
    runs: list[tuple[str, bool, bool]]
    mark_hidden: bool
    label: str = ""
    fmt: str = ""


class _Walker:
    """Reads paragraphs in one view and, on the way, the comment anchors."""

    def __init__(self, view: View, style_names: dict[str, str], numbering: Numbering | None = None) -> None:
        self.numbering = numbering
        self.hidden = _HIDDEN_IN[view]
        self.view = view
        self.style_names = style_names
        self.open_comments: list[str] = []
        self.anchors: dict[str, list[str]] = {}
        self.comment_para: dict[str, int] = {}
        self.in_instruction = False
        self.paragraph_index = 0

    def paragraph(self, p: etree._Element) -> _Para:
        if p.tag == _TR:
            return self._row(p)
        runs: list[tuple[str, bool, bool]] = []
        self._content(p, runs)
        ppr = p.find(_PPR)
        style = style_id = ""
        mark_hidden = False
        if ppr is not None:
            style_el = ppr.find(qn("pStyle"))
            if style_el is not None:
                style_id = style_el.get(_VAL, "")
                style = self.style_names.get(style_id, style_id)
            rpr = ppr.find(_RPR)
            if rpr is not None:
                mark_hidden = any(rpr.find(tag) is not None for tag in self.hidden)
        number = self.numbering.label(ppr, style_id) if self.numbering is not None else None
        label, fmt = number if number is not None else ("", "")
        return _Para(style, runs, mark_hidden, label, fmt)

    def _row(self, tr: etree._Element) -> _Para:
        """Return a table row as one paragraph: its cells' text separated by tabs."""
        trpr = tr.find(qn("trPr"))
        if trpr is not None and any(trpr.find(tag) is not None for tag in self.hidden):
            return _Para("", [], False)
        runs: list[tuple[str, bool, bool]] = []
        for k, cell in enumerate(tr.findall(_TC)):
            if k:
                runs.append(("\t", False, False))
            for n, p in enumerate(_paragraph_elements(cell)):
                para = self.paragraph(p)
                if n and para.runs:
                    runs.append((" ", False, False))
                if para.label:
                    runs.append((para.label + " ", False, False))
                runs.extend(para.runs)
        return _Para("", runs, False)

    def _content(self, el: etree._Element, runs: list[tuple[str, bool, bool]]) -> None:
        for child in el:
            tag = child.tag
            if tag in self.hidden:
                continue
            if tag == _R:
                self._run(child, runs)
            elif tag in _CONTAINERS:
                self._content(child, runs)
            elif tag == qn("commentRangeStart"):
                cid = child.get(qn("id"), "")
                self.open_comments.append(cid)
                self.anchors.setdefault(cid, [])
                self.comment_para.setdefault(cid, self.paragraph_index)
            elif tag == qn("commentRangeEnd"):
                cid = child.get(qn("id"), "")
                if cid in self.open_comments:
                    self.open_comments.remove(cid)

    def _run(self, r: etree._Element, runs: list[tuple[str, bool, bool]]) -> None:
        rpr = r.find(_RPR)
        bold = _on(rpr, "b")
        italic = _on(rpr, "i")
        parts: list[str] = []
        for child in r:
            tag = child.tag
            if tag == qn("fldChar"):
                kind = child.get(qn("fldCharType"))
                self.in_instruction = kind == "begin"
            elif self.in_instruction:
                continue  # a field's code, not its shown result
            elif tag == _T or (tag == qn("delText") and self.view == "rejected"):
                parts.append(child.text or "")
            elif tag == qn("tab"):
                parts.append("\t")
            elif tag in (qn("br"), qn("cr")):
                parts.append("\n")
            elif tag == qn("noBreakHyphen"):
                parts.append("\u2011")
            elif tag == qn("commentReference"):
                self.comment_para.setdefault(child.get(qn("id"), ""), self.paragraph_index)
        text = "".join(parts)
        if text:
            runs.append((text, bold, italic))
            for cid in self.open_comments:
                self.anchors[cid].append(text)


def _on(rpr: etree._Element | None, name: str) -> bool:
    """Return whether a run property toggle (w:b, w:i) is on."""
    if rpr is None:
        return False
    el = rpr.find(qn(name))
    return el is not None and el.get(_VAL, "true").lower() not in ("0", "false", "off")


def _paragraph_elements(children: Iterable[etree._Element]) -> list[etree._Element]:
    """Return what is read as paragraphs among body or cell children, in reading order.

    Paragraphs, each followed by the paragraphs of the text boxes anchored in
    it; a table as its rows (read as one paragraph each, cells kept apart by
    tabs), except our own signature table, read cell by cell; block-level
    content controls by their content.
    """
    out: list[etree._Element] = []
    for child in children:
        if child.tag == _P:
            out.append(child)
            out.extend(_text_box_paragraphs(child))
        elif child.tag == _TBL:
            if _signature_table(child):
                for row in child.findall(_TR):
                    for cell in row.findall(_TC):
                        out.extend(_paragraph_elements(cell))
            else:
                out.extend(child.findall(_TR))
        elif child.tag in (qn("sdt"), qn("sdtContent"), qn("customXml")):
            out.extend(_paragraph_elements(child))
    return out


def _text_box_paragraphs(p: etree._Element) -> list[etree._Element]:
    """Return the paragraphs of the text boxes anchored in ``p`` (Word's VML
    fallback copy of a DrawingML box left out, as Word shows only one)."""
    out: list[etree._Element] = []
    for box in p.iter(qn("txbxContent")):
        ancestors = list(box.iterancestors())
        if any(a.tag == MC_FALLBACK for a in ancestors):
            continue
        if any(a.tag == qn("txbxContent") for a in ancestors[:ancestors.index(p)]):
            continue  # a box inside a box is read with its outer box
        out.extend(_paragraph_elements(box))
    return out


def _signature_table(table: etree._Element) -> bool:
    """Return whether a table is one of our layout tables (signatures, two languages side by side),
    read cell by cell rather than row by row."""
    style = table.find(f"{qn('tblPr')}/{qn('tblStyle')}")
    return style is not None and style.get(_VAL, "").replace(" ", "").casefold() in ("signaturetable", "paralleltable")


def _merge(paras: list[_Para]) -> list[_Para]:
    """Return paragraphs as the view shows them: a hidden mark joins its paragraph to the next."""
    out: list[_Para] = []
    pending: list[tuple[str, bool, bool]] = []
    for para in paras:
        runs = pending + para.runs
        if para.mark_hidden:
            pending = runs
            continue
        out.append(_Para(para.style, runs, False, para.label, para.fmt))
        pending = []
    if pending:
        out.append(_Para(paras[-1].style if paras else "", pending, False))
    return out


def _open(data: bytes) -> docx.document.Document:
    check_zip(data, "this DOCX")
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise DocumentFormatError(f"this file is not a readable DOCX document ({exc})", code="document.not-docx") from None


def _style_names(document: docx.document.Document) -> dict[str, str]:
    return {s.style_id: s.name or s.style_id for s in document.styles}


def paragraph_texts(data: bytes, view: View = "accepted") -> list[str]:
    """Return the text of every body paragraph as Word would show it with all
    tracked changes accepted (``accepted``) or all rejected (``rejected``)."""
    document = _open(data)
    walker = _Walker(view, {}, _numbering(document))
    paras = [walker.paragraph(p) for p in _paragraph_elements(document.element.body)]
    # Word's list numbers are part of what a reader sees ("3.1<TAB>text").
    return [(para.label + "\t" if para.label else "") + "".join(t for t, _, _ in para.runs)
            for para in _merge(paras)]


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


def _lines(paras: list[_Para]) -> list[Line]:
    out: list[Line] = []
    for para in paras:
        spans = _spans(para.runs)
        text = "".join(s.text for s in spans)
        if not text.strip():
            continue
        out.append(_numbered_line(para, spans) if para.fmt else split_label(_role(para.style), spans))
    return out


def _numbered_line(para: _Para, spans: tuple[Span, ...]) -> Line:
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


def _blocks(walker: _Walker) -> object:
    """Return a reader of one part's paragraphs into blocks (headers, notes)."""
    def read(root: etree._Element) -> tuple[Block, ...]:
        lines = _lines(_merge([walker.paragraph(p) for p in _paragraph_elements(root)]))
        return tuple(Paragraph(strip_spans(line.spans), line.label or None) for line in lines)
    return read


def read_docx(data: bytes, language: str = "") -> DocxReading:
    """Return the documents, manifest, tracked changes and comments of a DOCX.

    The documents are read with every tracked change accepted.  A DOCX
    written side by side (a two-column table) gives two documents, left
    column first.  Raise AssemblerError when the bytes are not a DOCX.
    """
    document = _open(data)
    names = _style_names(document)
    body = document.element.body
    manifest = _manifest(data)
    walker = _Walker("accepted", names, _numbering(document))
    columns = _parallel_columns(body, names, manifest)
    if columns:
        docs = tuple(one_language(build_document(_lines(_merge([walker.paragraph(p) for p in col]))),
                                  k, len(columns)) for k, col in enumerate(columns))
        elements = [p for col in columns for p in col]
    else:
        elements = _paragraph_elements(body)
        paras = []
        for index, p in enumerate(elements):
            walker.paragraph_index = index
            paras.append(walker.paragraph(p))
        docs = (build_document(_lines(_merge(paras)), language),)
    wheres = _locations(elements, names, _numbering(document))
    changes = _changes(elements, wheres)
    comments = _comments(document, walker, wheres)
    found = read_parts(document, _blocks(_Walker("accepted", names)))  # type: ignore[arg-type]
    skipped: tuple[str, ...] = ()
    if manifest is not None:
        # Our own header and footer (title, reference, "Sida X av Y") repeat
        # what the body says; they are accounted for, not compared.
        skipped = tuple(b.text for part in found if part.kind in ("header", "footer")
                        for b in part.blocks if isinstance(b, Paragraph))
        found = tuple(part for part in found if part.kind not in ("header", "footer"))
    docs = tuple(replace(d, parts=found) for d in docs)
    return DocxReading(docs, manifest, changes, comments, skipped)


def _numbering(document: docx.document.Document) -> Numbering:
    """Return the automatic numbering of the document (numbering.xml and numbered styles)."""
    numbering_xml = styles_xml = None
    for rel in document.part.rels.values():
        if rel.is_external:
            continue
        if rel.reltype == RT.NUMBERING:
            numbering_xml = rel.target_part.blob
        elif rel.reltype == RT.STYLES:
            styles_xml = rel.target_part.blob
    return Numbering(numbering_xml, style_numbers(styles_xml))


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
    left = [p for row in rows for p in _paragraph_elements(row.findall(_TC)[0])]
    right = [p for row in rows for p in _paragraph_elements(row.findall(_TC)[1])]
    # The signatures follow the table once, for both languages.
    tail = _paragraph_elements(list(body)[list(body).index(table) + 1:])
    return [left + tail, right + tail]


def _locations(elements: list[etree._Element], names: dict[str, str],
               numbers: Numbering | None = None) -> list[str]:
    """Return, per paragraph, the clause or sub-clause number it belongs to."""
    walker = _Walker("accepted", names, numbers)
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


def _comments(document: docx.document.Document, walker: _Walker,
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
