"""The parts of a DOCX outside its body: headers, footers, footnotes and endnotes.

:func:`read_parts` finds them through the document's relationships (the
headers and footers each section refers to; the footnotes and endnotes
parts) and reads each with the body's own paragraph reader, so that runs,
fields, content controls and text boxes read the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from assembler.model import Block, DocumentPart, PartKind
from assembler.oxml.ns import qn

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x")
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

ReadBlocks = Callable[[etree._Element], tuple[Block, ...]]


def _root(part: Any) -> etree._Element:
    element = getattr(part, "element", None)
    if element is not None:
        return element
    return etree.fromstring(part.blob, _PARSER)


def _note_label(kind: PartKind, n: int) -> str:
    # Word's defaults: footnotes 1, 2, 3 …; endnotes i, ii, iii …
    if kind == "endnote":
        return _ROMAN[n - 1] if n <= len(_ROMAN) else str(n)
    return str(n)


def read_parts(document: Any, read_blocks: ReadBlocks) -> tuple[DocumentPart, ...]:
    """Return the headers, footers, footnotes and endnotes that hold any text.

    Headers and footers are labelled by their type ("default", "first",
    "even"); a part used by several sections is read once.  Notes are
    labelled as Word numbers them by default, in the order of their part.
    """
    out: list[DocumentPart] = []
    seen: set[str] = set()
    related = document.part.related_parts
    for sect in document.element.body.iter(qn("sectPr")):
        for ref in sect:
            if ref.tag not in (qn("headerReference"), qn("footerReference")):
                continue
            rid = ref.get(f"{{{R_NS}}}id", "")
            if rid in seen or rid not in related:
                continue
            seen.add(rid)
            kind: PartKind = "header" if ref.tag == qn("headerReference") else "footer"
            blocks = read_blocks(_root(related[rid]))
            if blocks:
                out.append(DocumentPart(kind, ref.get(qn("type"), "default"), blocks))
    for rel in document.part.rels.values():
        if rel.is_external or rel.reltype not in (RT.FOOTNOTES, RT.ENDNOTES):
            continue
        kind = "footnote" if rel.reltype == RT.FOOTNOTES else "endnote"
        n = 0
        for note in _root(rel.target_part).findall(qn(kind)):
            if note.get(qn("type"), "normal") != "normal":
                continue  # separators
            n += 1
            blocks = read_blocks(note)
            if blocks:
                out.append(DocumentPart(kind, _note_label(kind, n), blocks))
    return tuple(out)
