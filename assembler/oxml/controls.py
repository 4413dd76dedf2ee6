"""Locked content controls and the reading of paragraphs as Word saves them, built with lxml.

python-docx has no API for structured document tags (content controls), so
this module builds them as its ``oxml`` layer would, mirroring ECMA-376 part 1
§17.5.2: ``w:sdt`` holds ``w:sdtPr`` (``w:alias`` the label Word shows on the
control, ``w:tag`` our key, ``w:id``, ``w:lock``) and ``w:sdtContent`` with
the runs shown.  ``sdtContentLocked``
forbids both deleting the control and editing its content, so a lawyer edits
the prose around it without breaking the template logic.

:func:`paragraph_pieces` reads a paragraph back the way the text stands with
every tracked change accepted: inserted and moved-to runs count, deleted and
moved-from runs do not.  Nothing here parses or patches serialized XML.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part, XmlPart
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from assembler.oxml.ns import W_NS, XML_SPACE, qn

LOCK = "sdtContentLocked"
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
# Elements whose runs are not part of the text once every change is accepted.
_REJECTED = {qn("del"), qn("moveFrom")}
# Elements that hold runs of the accepted text (revisions, links, smart tags, fields).
_CONTAINERS = {qn("ins"), qn("moveTo"), qn("hyperlink"), qn("smartTag"), qn("fldSimple"), qn("customXml")}


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, qn(tag), {qn(k): v for k, v in attrs.items()})


def run_properties(*, bold: bool = False, italic: bool = False, color: str | None = None,
                   shading: str | None = None) -> etree._Element:
    """Return a ``w:rPr`` in the schema's child order (b, i, color, shd)."""
    rpr = etree.Element(qn("rPr"), nsmap={"w": W_NS})
    if bold:
        _sub(rpr, "b")
    if italic:
        _sub(rpr, "i")
    if color:
        _sub(rpr, "color", val=color)
    if shading:
        _sub(rpr, "shd", val="clear", color="auto", fill=shading)
    return rpr


def text_run(text: str, *, bold: bool = False, italic: bool = False) -> etree._Element:
    """Return a ``w:r`` holding ``text`` (spaces kept)."""
    r = etree.Element(qn("r"), nsmap={"w": W_NS})
    if bold or italic:
        r.append(run_properties(bold=bold, italic=italic))
    t = _sub(r, "t")
    t.text = text
    if text != text.strip() or "  " in text:
        t.set(XML_SPACE, "preserve")
    return r


def locked_control(key: str, label: str, shown: str, control_id: int, *, bold: bool = False,
                   italic: bool = False) -> etree._Element:
    """Return a locked content control (``w:sdt``) showing ``shown``, shaded so it stands out.

    ``label`` is the control's title in Word (``w:alias``), ``key`` our own
    name for it (``w:tag``); ``control_id`` must be unique in the document.
    """
    sdt = etree.Element(qn("sdt"), nsmap={"w": W_NS})
    pr = _sub(sdt, "sdtPr")
    pr.append(run_properties(bold=bold, italic=italic, color="1F4E79", shading="DEEAF6"))
    _sub(pr, "alias", val=label)
    _sub(pr, "tag", val=key)
    _sub(pr, "id", val=str(control_id))
    _sub(pr, "lock", val=LOCK)
    # No w:text: as a plain-text control LibreOffice drops the run's colour and shading; the
    # default (rich text) keeps them, and the lock forbids editing in either kind.
    content = _sub(sdt, "sdtContent")
    r = _sub(content, "r")
    r.append(run_properties(bold=bold, italic=italic, color="1F4E79", shading="DEEAF6"))
    _sub(r, "t").text = shown
    return sdt


@dataclass(frozen=True)
class Piece:
    """One piece of a paragraph's accepted text: plain text, or a content control."""

    text: str  # the text, or what the control shows
    bold: bool = False
    italic: bool = False
    key: str | None = None  # the control's w:tag; None for plain text
    label: str = ""  # the control's w:alias
    lock: str = ""  # the control's w:lock value


def _flag(rpr: etree._Element | None, tag: str) -> bool:
    """Return whether a toggle property (w:b, w:i) is on in ``rpr``."""
    el = rpr.find(qn(tag)) if rpr is not None else None
    return el is not None and el.get(qn("val"), "true") not in ("0", "false", "off")


def _run_text(r: etree._Element) -> str:
    out = []
    for child in r:
        if child.tag == qn("t"):
            out.append(child.text or "")
        elif child.tag == qn("tab"):
            out.append("\t")
        elif child.tag in (qn("br"), qn("cr")):
            out.append("\n")
        elif child.tag == qn("noBreakHyphen"):
            out.append("\u2011")
    return "".join(out)


def _control_piece(sdt: etree._Element) -> Piece:
    pr = sdt.find(qn("sdtPr"))
    tag = pr.find(qn("tag")) if pr is not None else None
    alias = pr.find(qn("alias")) if pr is not None else None
    lock = pr.find(qn("lock")) if pr is not None else None
    content = sdt.find(qn("sdtContent"))
    runs = list(_runs(content)) if content is not None else []
    text = "".join(_run_text(r) for r in runs)
    first = runs[0].find(qn("rPr")) if runs else None
    return Piece(text, _flag(first, "b"), _flag(first, "i"), key=tag.get(qn("val"), "") if tag is not None else "",
                 label=alias.get(qn("val"), "") if alias is not None else "",
                 lock=lock.get(qn("val"), "") if lock is not None else "")


def _runs(parent: etree._Element) -> Iterator[etree._Element]:
    """Yield the runs of the accepted text under ``parent``, in order (not entering controls)."""
    for child in parent:
        if child.tag == qn("r"):
            yield child
        elif child.tag in _CONTAINERS:
            yield from _runs(child)


def paragraph_pieces(p: etree._Element) -> list[Piece]:
    """Return the accepted text of a ``w:p`` as pieces: text runs and content controls, in order."""
    out: list[Piece] = []

    def walk(parent: etree._Element) -> None:
        for child in parent:
            if child.tag in _REJECTED:
                continue
            if child.tag == qn("sdt"):
                out.append(_control_piece(child))
            elif child.tag == qn("r"):
                rpr = child.find(qn("rPr"))
                text = _run_text(child)
                if text:
                    out.append(Piece(text, _flag(rpr, "b"), _flag(rpr, "i")))
            elif child.tag in _CONTAINERS:
                walk(child)

    walk(p)
    return out


def revision_authors(root: etree._Element) -> list[str]:
    """Return the authors of the tracked changes under ``root`` (insertions, deletions, moves, formatting)."""
    seen: list[str] = []
    tags = [qn(t) for t in ("ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange")]
    for el in root.iter(*tags):
        author = el.get(qn("author"))
        if author and author not in seen:
            seen.append(author)
    return seen


def paragraph_style_id(p: etree._Element) -> str | None:
    """Return the paragraph style id of a ``w:p``, or None."""
    style = p.find(f"{qn('pPr')}/{qn('pStyle')}")
    return style.get(qn("val")) if style is not None else None


def custom_xml_item(namespace: str, tag: str, text: str) -> bytes:
    """Return a custom XML item: ``text`` in one element ``{namespace}tag``."""
    root = etree.Element(f"{{{namespace}}}{tag}", nsmap={None: namespace})
    root.text = text
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return data


def add_custom_xml_part(document_part: XmlPart, namespace: str, tag: str, text: str) -> None:
    """Embed ``text`` as a custom XML data part of the document (Word keeps these when it saves)."""
    package = document_part.package
    name = package.next_partname("/customXml/item%d.xml")
    item = Part(name, CT.XML, custom_xml_item(namespace, tag, text), package)
    document_part.relate_to(item, RT.CUSTOM_XML)


def custom_xml_text(blob: bytes, namespace: str, tag: str) -> str | None:
    """Return the text of a custom XML item whose root is ``{namespace}tag``, or None."""
    try:
        root = etree.fromstring(blob, _SAFE_PARSER)
    except etree.XMLSyntaxError:
        return None
    return (root.text or "") if root.tag == f"{{{namespace}}}{tag}" else None
