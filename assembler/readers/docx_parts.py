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
from assembler.readers.docx_walk import View, Walker, merge_marks, open_docx, paragraph_elements

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


def part_roots(document: Any) -> list[tuple[PartKind, str, etree._Element, Any]]:
    """Return the headers, footers, footnotes and endnotes of a document, in reading order.

    Each as (kind, label, root element, package part): headers and footers
    labelled by their type ("default", "first", "even"), a part used by
    several sections once; notes labelled as Word numbers them by default,
    in the order of their part (separators left out).  A note's root is its
    ``w:footnote`` element inside the part's tree.
    """
    out: list[tuple[PartKind, str, etree._Element, Any]] = []
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
            out.append((kind, ref.get(qn("type"), "default"), _root(related[rid]), related[rid]))
    for rel in document.part.rels.values():
        if rel.is_external or rel.reltype not in (RT.FOOTNOTES, RT.ENDNOTES):
            continue
        kind = "footnote" if rel.reltype == RT.FOOTNOTES else "endnote"
        root = _root(rel.target_part)
        n = 0
        for note in root.findall(qn(kind)):
            if note.get(qn("type"), "normal") != "normal":
                continue  # separators
            n += 1
            out.append((kind, _note_label(kind, n), note, rel.target_part))
    return out


def read_parts(document: Any, read_blocks: ReadBlocks) -> tuple[DocumentPart, ...]:
    """Return the headers, footers, footnotes and endnotes that hold any text (see :func:`part_roots`)."""
    out: list[DocumentPart] = []
    for kind, label, root, _ in part_roots(document):
        blocks = read_blocks(root)
        if blocks:
            out.append(DocumentPart(kind, label, blocks))
    return tuple(out)


def part_texts(data: bytes, view: View = "accepted") -> dict[tuple[str, str], list[str]]:
    """Return the paragraphs of every header, footer and note of a DOCX in one view of its
    tracked changes, by (kind, label), as :func:`~assembler.readers.docx_walk.paragraph_texts`
    reads the body."""
    document = open_docx(data)
    out: dict[tuple[str, str], list[str]] = {}
    for kind, label, root, _ in part_roots(document):
        walker = Walker(view, {})
        paras = merge_marks([walker.paragraph(p) for p in paragraph_elements(root)])
        out[(kind, label)] = ["".join(t for t, _, _ in para.runs) for para in paras]
    return out
