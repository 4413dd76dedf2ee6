"""Small WordprocessingML element builders for what python-docx has no API for.

python-docx covers paragraphs, runs, tables, styles and core properties; it
has no API for fields (page numbers), custom XML data parts (our embedded
manifest), the document's default language or table conditional formatting,
and its paragraph-style setter is too slow to call per paragraph.  This module
builds those few elements with lxml, mirroring the OOXML schema (ECMA-376
part 1) the way python-docx's own ``oxml`` layer does, and touches only
elements that python-docx hands out publicly (``paragraph_format.element``,
``styles.element``, ``settings.element``, ``document.element``).
"""

from __future__ import annotations

import uuid
from typing import IO, Any

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from assembler.oxml.ns import W_NS, qn

DS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
MANIFEST_NS = "urn:assembler:manifest"
MANIFEST_TAG = f"{{{MANIFEST_NS}}}manifest"

# Word identifies a custom XML part by a GUID in its properties part.  It is
# derived from our namespace, not drawn at random, so every build is the same.
MANIFEST_ITEM_ID = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, MANIFEST_NS)).upper() + "}"

_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    """Return a new ``w:`` child of ``parent`` with ``w:``-qualified attributes."""
    return etree.SubElement(parent, qn(tag), {qn(k): v for k, v in attrs.items()})


def _text_run(text: str) -> etree._Element:
    """Return a ``w:r`` holding ``text``."""
    r = etree.Element(qn("r"), nsmap={"w": W_NS})
    _sub(r, "t").text = text
    return r


def set_paragraph_style(p: etree._Element, style_id: str) -> None:
    """Give the paragraph element ``p`` the paragraph style ``style_id``.

    python-docx's ``Paragraph.style`` setter scans every style of the
    document to find the default one on each call (about 0.1 ms); with a
    style id known to exist this is all it would write.
    """
    ppr = p.find(qn("pPr"))
    if ppr is None:
        ppr = etree.SubElement(p, qn("pPr"))
        p.insert(0, ppr)  # w:pPr is always a paragraph's first child
    pstyle = ppr.find(qn("pStyle"))
    if pstyle is None:
        pstyle = etree.SubElement(ppr, qn("pStyle"))
        ppr.insert(0, pstyle)  # and w:pStyle the first child of w:pPr
    pstyle.set(qn("val"), style_id)


def append_field(p: etree._Element, instruction: str, placeholder: str = "1") -> None:
    """Append a simple field such as ``PAGE`` or ``NUMPAGES`` to the paragraph element ``p``.

    The placeholder is the text shown until the reader updates fields (Word
    and LibreOffice do so for page fields whenever they lay out pages).
    """
    fld = etree.SubElement(p, qn("fldSimple"), {qn("instr"): f" {instruction} \\* MERGEFORMAT "})
    fld.append(_text_run(placeholder))


def set_default_language(styles_root: etree._Element, lang: str) -> None:
    """Set ``lang`` as the language of the document defaults (``w:docDefaults``).

    Runs without their own language inherit it, so Word checks spelling
    in the document's language.
    """
    defaults = styles_root.find(qn("docDefaults"))
    if defaults is None:
        defaults = etree.Element(qn("docDefaults"))
        styles_root.insert(0, defaults)
    rpr_default = defaults.find(qn("rPrDefault"))
    if rpr_default is None:
        rpr_default = etree.Element(qn("rPrDefault"))
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("rPr"))
    if rpr is None:
        rpr = _sub(rpr_default, "rPr")
    lang_el = rpr.find(qn("lang"))
    if lang_el is None:
        lang_el = _sub(rpr, "lang")  # w:lang is the last child of a run's properties
    lang_el.set(qn("val"), lang)


def set_theme_language(settings_root: etree._Element, lang: str) -> None:
    """Set the ``w:themeFontLang`` of the document settings to ``lang``, if present."""
    theme_lang = settings_root.find(qn("themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("val"), lang)


def set_last_column_language(table_style: etree._Element, lang: str) -> None:
    """Set the language of a table style's last-column conditional formatting."""
    for cond in table_style.findall(qn("tblStylePr")):
        if cond.get(qn("type")) == "lastCol":
            lang_el = cond.find(f"{qn('rPr')}/{qn('lang')}")
            if lang_el is not None:
                lang_el.set(qn("val"), lang)


def use_last_column_format(body: etree._Element) -> None:
    """Turn on last-column conditional formatting for the last table in ``body``.

    python-docx creates tables with ``w:lastColumn="0"``, which would make
    Word ignore the table style's last-column formatting.
    """
    tables = body.findall(qn("tbl"))
    if not tables:
        return
    look = tables[-1].find(f"{qn('tblPr')}/{qn('tblLook')}")
    if look is not None:
        look.set(qn("lastColumn"), "1")
        look.set(qn("val"), "04E0")  # the legacy bit mask agrees with the attributes


def manifest_item_xml(manifest_json: str) -> bytes:
    """Return the custom XML item: the manifest JSON in an ``urn:assembler:manifest`` element."""
    root = etree.Element(MANIFEST_TAG, nsmap={None: MANIFEST_NS})
    root.text = manifest_json
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return data


def manifest_props_xml() -> bytes:
    """Return the custom XML properties part that names the manifest item for Word."""
    ds = f"{{{DS_NS}}}"
    root = etree.Element(f"{ds}datastoreItem", {f"{ds}itemID": MANIFEST_ITEM_ID}, nsmap={"ds": DS_NS})
    refs = etree.SubElement(root, f"{ds}schemaRefs")
    etree.SubElement(refs, f"{ds}schemaRef", {f"{ds}uri": MANIFEST_NS})
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return data


def add_manifest_part(document_part: XmlPart, manifest_json: str) -> None:
    """Embed the manifest as a custom XML data part related from the main document part.

    Word keeps custom XML parts (with their properties part) when it saves
    the file again, which plain unknown parts would not survive.
    """
    package = document_part.package
    item_name = package.next_partname("/customXml/item%d.xml")
    number = item_name[len("/customXml/item"):-len(".xml")]
    item = Part(item_name, CT.XML, manifest_item_xml(manifest_json), package)
    props = Part(PackURI(f"/customXml/itemProps{number}.xml"), CT.OFC_CUSTOM_XML_PROPERTIES,
                 manifest_props_xml(), package)
    item.relate_to(props, RT.CUSTOM_XML_PROPS)
    document_part.relate_to(item, RT.CUSTOM_XML)


def is_manifest_item(stream: IO[bytes]) -> bool:
    """Return whether an XML stream's root element is an assembler manifest.

    Only the start of the stream is parsed, so large parts cost little.
    """
    try:
        for _event, element in etree.iterparse(stream, events=("start",), resolve_entities=False,
                                               no_network=True):
            return bool(element.tag == MANIFEST_TAG)
    except etree.XMLSyntaxError:
        return False
    return False


def manifest_text(xml: bytes) -> str | None:
    """Return the manifest JSON held by a custom XML item, or None if it holds none."""
    try:
        root = etree.fromstring(xml, _SAFE_PARSER)
    except etree.XMLSyntaxError:
        return None
    if root.tag != MANIFEST_TAG:
        return None
    return root.text or ""


def row_element(row: Any) -> etree._Element:
    """Return the ``w:tr`` element of a python-docx table row.

    python-docx offers no public accessor for a row's or a cell's element;
    ``_tr`` and ``_tc`` are stable across its 1.x releases.  This and
    :func:`cell_element` are the only places the package reaches for them.
    """
    return row._tr


def cell_element(cell: Any) -> etree._Element:
    """Return the ``w:tc`` element of a python-docx table cell (see :func:`row_element`)."""
    return cell._tc


def set_default_size(styles_root: etree._Element, half_points: int) -> None:
    """Set the document default font size (``w:docDefaults/w:rPrDefault/w:rPr/w:sz``, half-points)."""
    rpr = styles_root.find(f"{qn('docDefaults')}/{qn('rPrDefault')}/{qn('rPr')}")
    if rpr is None:
        return
    for tag in ("sz", "szCs"):
        el = rpr.find(qn(tag))
        if el is not None:
            el.set(qn("val"), str(half_points))
