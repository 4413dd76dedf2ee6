"""Word's embedded fonts: TrueType files carried inside the DOCX, obfuscated as ECMA-376 prescribes.

A reader that lacks the font the document names would otherwise set the
text in a fallback of other widths, and lines and pages move (LibreOffice
without Liberation Serif took 12 pages for what is 10).  Word and
LibreOffice both use the fonts a document embeds (ECMA-376 part 1,
17.8.1): each face is a part ``word/fonts/fontN.odttf`` related from the
font table, whose ``w:font`` entry names it in ``w:embedRegular`` (``Bold``,
``Italic``, ``BoldItalic``) with the GUID key that obfuscates the file's
first 32 bytes; ``w:embedTrueTypeFonts`` in the settings asks Word to keep
them when it saves.

The key is derived from the font's bytes, so the same fonts give the same
package every time.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Mapping

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from assembler._files import bundled_dir
from assembler.oxml.ns import W_NS, qn

FONT_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FACES = ("Regular", "Bold", "Italic", "BoldItalic")  # the order of w:embedRegular … in w:font

# The children of w:font, in schema order; the embed elements come last.
_FONT_CHILDREN = ("altName", "panose1", "charset", "family", "notTrueType", "pitch", "sig",
                  *(f"embed{face}" for face in FACES))
# The children of w:settings that precede w:embedTrueTypeFonts.
_SETTINGS_BEFORE = ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
                    "printFractionalCharacterWidth", "printFormsData")
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def font_key(data: bytes) -> str:
    """Return the GUID (``{XXXXXXXX-…}``) that keys one font file, derived from its bytes."""
    return "{" + str(uuid.UUID(bytes=hashlib.sha256(data).digest()[:16])).upper() + "}"


@functools.cache
def obfuscated(data: bytes) -> tuple[str, bytes]:
    """Return the key of ``data`` and the font obfuscated with it (its first 32 bytes XORed with the key).

    The key's 16 bytes are taken from the GUID's hex digits last pair first
    and applied twice over.  The same operation undoes it.  (Cached per
    process: the house fonts are the same for every build.)
    """
    key = font_key(data)
    mask = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(byte ^ mask[i % 16] for i, byte in enumerate(data[:32]))
    return key, head + data[32:]


def _font_entry(table: etree._Element, family: str) -> etree._Element:
    """Return the font table's ``w:font`` for ``family``, a new one if the table has none."""
    for entry in table.findall(qn("font")):
        if entry.get(qn("name")) == family:
            return entry
    return etree.SubElement(table, qn("font"), {qn("name"): family})


def _place(entry: etree._Element, child: etree._Element, order: tuple[str, ...]) -> None:
    """Put ``child`` into ``entry`` where the schema ``order`` of its local names wants it (replacing a twin)."""
    name = etree.QName(child).localname
    rank = order.index(name)
    for existing in list(entry):
        local = etree.QName(existing).localname
        if local == name:
            entry.replace(existing, child)
            return
        if local in order and order.index(local) > rank:
            existing.addprevious(child)
            return
    entry.append(child)


def _ask_to_keep(settings_root: etree._Element) -> None:
    """Add ``w:embedTrueTypeFonts`` to the settings, so Word keeps the fonts when it saves."""
    if settings_root.find(qn("embedTrueTypeFonts")) is not None:
        return
    flag = etree.Element(qn("embedTrueTypeFonts"))
    before = [child for child in settings_root if etree.QName(child).localname in _SETTINGS_BEFORE]
    if before:
        before[-1].addnext(flag)
    else:
        settings_root.insert(0, flag)


def embed_fonts(document_part: XmlPart, settings_root: etree._Element, family: str,
                faces: Mapping[str, bytes]) -> None:
    """Embed ``faces`` (``"Regular"``, ``"Bold"`` … → TrueType bytes) of ``family`` in the package.

    The font table is a plain binary part to python-docx; it is parsed,
    given the embed elements and written back.
    """
    table_part = document_part.part_related_by(RT.FONT_TABLE)
    table = etree.fromstring(table_part.blob, _SAFE_PARSER)
    entry = _font_entry(table, family)
    package = document_part.package
    for face in FACES:
        if face not in faces:
            continue
        key, blob = obfuscated(faces[face])
        partname = package.next_partname("/word/fonts/font%d.odttf")
        font_part = Part(PackURI(partname), FONT_CONTENT_TYPE, blob, package)
        rid = table_part.relate_to(font_part, RT.FONT)
        embed = etree.Element(qn(f"embed{face}"), {f"{{{R_NS}}}id": rid, qn("fontKey"): key},
                              nsmap={"w": W_NS, "r": R_NS})
        _place(entry, embed, _FONT_CHILDREN)
    etree.cleanup_namespaces(table, top_nsmap={"r": R_NS})
    table_part._blob = serialize_part_xml(table)  # a plain Part keeps its bytes here; it has no setter
    _ask_to_keep(settings_root)


BUNDLED_FAMILY = "Liberation Serif"  # the family the house template names and the PDF sets


@functools.cache
def bundled_faces() -> dict[str, bytes]:
    """Return the bundled Liberation Serif faces (``resources/fonts``), read once per process."""
    folder = bundled_dir("resources") / "fonts"
    return {face: (folder / f"LiberationSerif-{face}.ttf").read_bytes() for face in FACES}
