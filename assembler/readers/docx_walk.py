"""Walking WordprocessingML paragraphs in one view of its tracked changes.

:class:`Walker` reads a paragraph's runs as Word shows them with every
tracked change accepted (or rejected), with the label Word's automatic
numbering prints before it; :func:`paragraph_elements` says which elements
are read as paragraphs, in reading order (body paragraphs, the text boxes
anchored in them, table rows, content controls).  The DOCX reader and the
tracked-changes writer share both, so what one reads the other can find.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from assembler._limits import check_zip
from assembler.errors import DocumentFormatError
from assembler.oxml.list_labels import Numbering, style_numbers
from assembler.oxml.ns import qn

MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

View = Literal["accepted", "rejected"]
ChangeKind = Literal["insert", "delete", "move-from", "move-to", "format",
                     "paragraph-insert", "paragraph-delete", "paragraph-format"]

_P, _R, _T, _TBL, _TR, _TC = qn("p"), qn("r"), qn("t"), qn("tbl"), qn("tr"), qn("tc")
_INS, _DEL, _MOVE_FROM, _MOVE_TO = qn("ins"), qn("del"), qn("moveFrom"), qn("moveTo")
_PPR, _RPR, _VAL = qn("pPr"), qn("rPr"), qn("val")
_HIDDEN_IN = {"accepted": (_DEL, _MOVE_FROM), "rejected": (_INS, _MOVE_TO)}
_CONTAINERS = {qn(t) for t in ("hyperlink", "smartTag", "sdt", "sdtContent", "fldSimple",
                               "customXml", "ins", "del", "moveFrom", "moveTo", "dir", "bdo")}

@dataclass
class ReadParagraph:
    """One paragraph as read: style name, runs in the chosen view, its mark, and
    the label Word's automatic numbering prints before it (with its numFmt)."""

    style: str
    runs: list[tuple[str, bool, bool]]
    mark_hidden: bool
    label: str = ""
    fmt: str = ""


class Walker:
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
        # Where each character read came from, when asked (the tracked-changes
        # writer marks runs in place): (run or None for a separator the reader
        # adds, its text, the paragraph it sits in).
        self.trace: list[tuple[etree._Element | None, str, etree._Element]] | None = None
        self._p: etree._Element | None = None

    def paragraph(self, p: etree._Element) -> ReadParagraph:
        if p.tag == _TR:
            return self._row(p)
        runs: list[tuple[str, bool, bool]] = []
        self._p = p
        self._content(p, runs)
        ppr = p.find(_PPR)
        style = style_id = ""
        mark_hidden = False
        if ppr is not None:
            rpr = ppr.find(_RPR)
            if rpr is not None:
                mark_hidden = any(rpr.find(tag) is not None for tag in self.hidden)
            ppr = _properties_in_view(ppr, self.view)
            style_el = ppr.find(qn("pStyle"))
            if style_el is not None:
                style_id = style_el.get(_VAL, "")
                style = self.style_names.get(style_id, style_id)
        # A paragraph whose mark is gone in this view is not one Word numbers
        # (rejecting an inserted list item renumbers the ones after it).
        number = (self.numbering.label(ppr, style_id)
                  if self.numbering is not None and not mark_hidden else None)
        label, fmt = number if number is not None else ("", "")
        return ReadParagraph(style, runs, mark_hidden, label, fmt)

    def _row(self, tr: etree._Element) -> ReadParagraph:
        """Return a table row as one paragraph: its cells' text separated by tabs."""
        trpr = tr.find(qn("trPr"))
        if trpr is not None and any(trpr.find(tag) is not None for tag in self.hidden):
            return ReadParagraph("", [], False)
        runs: list[tuple[str, bool, bool]] = []
        for k, cell in enumerate(tr.findall(_TC)):
            inside = paragraph_elements(cell)
            if k:
                runs.append(("\t", False, False))
                self._note(None, "\t", inside[0] if inside else tr)
            for n, p in enumerate(inside):
                mark = len(self.trace) if self.trace is not None else 0
                para = self.paragraph(p)
                added = (" " if n and para.runs else "") + (para.label + " " if para.label else "")
                if added:
                    runs.append((added, False, False))
                    if self.trace is not None:
                        self.trace.insert(mark, (None, added, p))
                runs.extend(para.runs)
        return ReadParagraph("", runs, False)

    def _note(self, run: etree._Element | None, text: str, p: etree._Element) -> None:
        if self.trace is not None:
            self.trace.append((run, text, p))

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
            self._note(r, text, self._p if self._p is not None else r)
            runs.append((text, bold, italic))
            for cid in self.open_comments:
                self.anchors[cid].append(text)


def _properties_in_view(ppr: etree._Element, view: View) -> etree._Element:
    """Return the paragraph properties a view shows: rejecting restores those a
    ``w:pPrChange`` recorded (style, list numbering)."""
    if view == "rejected":
        change = ppr.find(qn("pPrChange"))
        if change is not None:
            before = change.find(_PPR)
            return before if before is not None else etree.Element(_PPR)
    return ppr


def _on(rpr: etree._Element | None, name: str) -> bool:
    """Return whether a run property toggle (w:b, w:i) is on."""
    if rpr is None:
        return False
    el = rpr.find(qn(name))
    return el is not None and el.get(_VAL, "true").lower() not in ("0", "false", "off")


def paragraph_elements(children: Iterable[etree._Element]) -> list[etree._Element]:
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
                        out.extend(paragraph_elements(cell))
            else:
                out.extend(child.findall(_TR))
        elif child.tag in (qn("sdt"), qn("sdtContent"), qn("customXml")):
            out.extend(paragraph_elements(child))
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
        out.extend(paragraph_elements(box))
    return out


def _signature_table(table: etree._Element) -> bool:
    """Return whether a table is one of our layout tables (signatures, two languages side by side),
    read cell by cell rather than row by row."""
    style = table.find(f"{qn('tblPr')}/{qn('tblStyle')}")
    return style is not None and style.get(_VAL, "").replace(" ", "").casefold() in ("signaturetable", "paralleltable")


def merge_marks(paras: list[ReadParagraph]) -> list[ReadParagraph]:
    """Return paragraphs as the view shows them: a hidden mark joins its paragraph to the next."""
    out: list[ReadParagraph] = []
    pending: list[tuple[str, bool, bool]] = []
    for para in paras:
        runs = pending + para.runs
        if para.mark_hidden:
            pending = runs
            continue
        out.append(ReadParagraph(para.style, runs, False, para.label, para.fmt))
        pending = []
    if pending:
        out.append(ReadParagraph(paras[-1].style if paras else "", pending, False))
    return out


def open_docx(data: bytes) -> docx.document.Document:
    check_zip(data, "this DOCX")
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise DocumentFormatError(f"this file is not a readable DOCX document ({exc})", code="document.not-docx") from None


def numbering_of(document: docx.document.Document) -> Numbering:
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


def paragraph_texts(data: bytes, view: View = "accepted") -> list[str]:
    """Return the text of every body paragraph as Word would show it with all
    tracked changes accepted (``accepted``) or all rejected (``rejected``)."""
    document = open_docx(data)
    walker = Walker(view, {}, numbering_of(document))
    paras = [walker.paragraph(p) for p in paragraph_elements(document.element.body)]
    # Word's list numbers are part of what a reader sees ("3.1<TAB>text").
    return [(para.label + "\t" if para.label else "") + "".join(t for t, _, _ in para.runs)
            for para in merge_marks(paras)]




@dataclass(frozen=True)
class Slot:
    """What the reader reads as one paragraph, and where it came from.

    ``element`` is the ``w:p`` (or, for a table row read as one paragraph,
    the ``w:tr``); ``label`` the number Word's list numbering prints before
    it; ``text`` its text in the accepted view; ``trace`` where each piece of
    that text sits (see :attr:`Walker.trace`).
    """

    element: etree._Element
    label: str
    text: str
    trace: tuple[tuple[etree._Element | None, str, etree._Element], ...]


def reading_slots(root: etree._Element, numbering: Numbering | None) -> list[Slot]:
    """Return the paragraphs under ``root`` in reading order, as :func:`paragraph_texts` reads them."""
    walker = Walker("accepted", {}, numbering)
    out: list[Slot] = []
    for element in paragraph_elements(root):
        walker.trace = []
        para = walker.paragraph(element)
        text = "".join(t for t, _, _ in para.runs)
        out.append(Slot(element, para.label, text, tuple(walker.trace)))
    return out
