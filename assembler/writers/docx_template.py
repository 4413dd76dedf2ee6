"""The Word document a DOCX build starts from: the house template, or the unit's reference DOCX.

A reference DOCX is used the way pandoc uses one: its body is dropped, its
styles, page setup (the last ``w:sectPr``), headers and footers are kept.
Styles the writer needs and the reference lacks are copied from the house
template (``validate`` reports them).  Either way the clause list is added to
the numbering part and bound to the heading and sub-clause styles, so Word
numbers the clauses itself.
"""

from __future__ import annotations

import copy
import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import docx
from docx.document import Document as WordDocument
from docx.section import _Footer, _Header
from docx.shared import Pt, Twips
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from assembler.model import HouseStyle
from assembler.oxml import fonts, numbering, parts
from assembler.oxml.ns import qn
from assembler.oxml.package import house_template
from assembler.oxml.reference import missing_styles

CLAUSE_INDENT = 709  # twips: where clause text starts after its number, as in the house template
PAIRED_INDENT = 482  # the same in a column of a side-by-side table, as the PDF sets it (24 pt)


@dataclass(frozen=True)
class Prepared:
    """A document ready to be filled.

    ``num_ids`` are the clause lists: the first bound to the styles, the
    second (0 when not needed) for the right column of a side-by-side table.
    ``own_header``/``own_footer`` say whether the writer fills the header and
    footer, or the reference DOCX brought its own.
    """

    document: WordDocument
    num_ids: tuple[int, int]
    own_header: bool
    own_footer: bool
    style_ids: Mapping[str, str] = field(default_factory=dict, compare=False)  # style name -> id


def _with_style_ids(prepared: Prepared) -> Prepared:
    """Return ``prepared`` with its style ids looked up (once: every copy has the same styles)."""
    ids = {style.name: style.style_id for style in prepared.document.styles}
    return Prepared(prepared.document, prepared.num_ids, prepared.own_header, prepared.own_footer,
                    MappingProxyType(ids))


@functools.cache
def _house_styles() -> dict[str, etree._Element]:
    """Return the house template's style elements by name (parsed once; callers copy)."""
    document = docx.Document(io.BytesIO(house_template()))
    return {s.name: s.element for s in document.styles if s.name}


def _is_empty(part: _Header | _Footer) -> bool:
    """Return whether a header or footer is absent or holds no text, drawing or field."""
    if part.is_linked_to_previous:
        return True
    root = part.part.element
    if "".join(root.itertext()).strip():
        return False
    return next(root.iter(qn("drawing"), qn("pict"), qn("fldSimple"), qn("fldChar")), None) is None


def _clear_body(document: WordDocument) -> None:
    """Remove the reference's content, keeping the final section properties (page setup)."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("sectPr"):
            body.remove(child)


def _add_missing_styles(document: WordDocument, numbering_root: etree._Element) -> None:
    """Copy the styles the reference lacks from the house template."""
    styles_root = document.styles.element
    house = _house_styles()
    for name in missing_styles(document):
        element = copy.deepcopy(house[name])
        if name == "List Bullet":
            # The house style points at the house bullet list, which the reference lacks.
            numbering.set_numbering(element, numbering.add_bullet_list(numbering_root), None)
        styles_root.append(element)


def _bind_clause_list(document: WordDocument, num_id: int) -> None:
    """Bind the heading and sub-clause styles to the clause list; the section heading stays unnumbered."""
    styles = document.styles
    numbering.set_numbering(styles["Heading 1"].element, num_id, 0)
    numbering.set_numbering(styles["Sub-clause"].element, num_id, 1)
    numbering.set_numbering(styles["Section Heading"].element, 0, None)


def _prepare(document: WordDocument, paired: bool, reference: bool) -> tuple[int, int]:
    """Add the clause lists to a freshly opened template and bind them; return their numIds."""
    numbering_root = document.part.numbering_part.element
    if reference:
        _clear_body(document)
        _add_missing_styles(document, numbering_root)
    styles = document.styles
    indent = PAIRED_INDENT if paired and not reference else CLAUSE_INDENT
    levels = numbering.ClauseLevels(indent, styles["Heading 1"].style_id, styles["Sub-clause"].style_id)
    left = numbering.add_clause_list(numbering_root, levels, bind_styles=True)
    right = numbering.add_clause_list(numbering_root, levels, bind_styles=False) if paired else 0
    _bind_clause_list(document, left)
    if paired and not reference:
        _narrow_columns(document)
    return left, right


@functools.lru_cache(maxsize=8)
def _prepared(reference: bytes | None, paired: bool) -> Prepared:
    """Return the house template or a reference DOCX prepared for the writer, once per process.

    Parsing a package is a third of a build's time; callers get a deep copy
    (:func:`open_template`), so the cached document is never filled.
    """
    if reference is None:
        document = docx.Document(io.BytesIO(house_template()))
        return _with_style_ids(Prepared(document, _prepare(document, paired, reference=False), True, True))
    document = docx.Document(io.BytesIO(reference))
    num_ids = _prepare(document, paired, reference=True)
    section = document.sections[0]
    return _with_style_ids(Prepared(document, num_ids, _is_empty(section.header), _is_empty(section.footer)))


def open_template(house: HouseStyle | None, paired: bool) -> Prepared:
    """Return the house template or the reference DOCX of ``house``, prepared for the writer (a fresh copy)."""
    reference = house.reference_docx if house is not None else None
    prepared = _prepared(reference or None, paired)
    return Prepared(copy.deepcopy(prepared.document), prepared.num_ids, prepared.own_header, prepared.own_footer,
                    prepared.style_ids)


def _narrow_columns(document: WordDocument) -> None:
    """Set the house styles for two columns of text, in the sizes and indents the PDF uses there.

    The PDF sets side-by-side text in 9.5 pt with a 24 pt number indent; the
    same sizes keep the two formats' lines and pages alike.
    """
    styles = document.styles
    parts.set_default_size(styles.element, 19)
    styles["Heading 1"].font.size = Pt(11)
    styles["Title"].font.size = Pt(17)
    for name in ("Heading 1", "Sub-clause"):
        fmt = styles[name].paragraph_format
        fmt.left_indent, fmt.first_line_indent = Twips(PAIRED_INDENT), Twips(-PAIRED_INDENT)
        fmt.tab_stops.clear_all()
        fmt.tab_stops.add_tab_stop(Twips(PAIRED_INDENT))
    styles["Sub-clause Body"].paragraph_format.left_indent = Twips(PAIRED_INDENT)


def embed_house_fonts(document: WordDocument, house: HouseStyle | None, italic_text: bool = False) -> None:
    """Embed the fonts the document is set in, so that a reader without them keeps its lines and pages.

    The house template's Liberation Serif comes with the package; a house
    style's own fonts are embedded when the workspace gives their files.  A
    reference DOCX without font files keeps its fonts by name only.  The
    italic faces are embedded only when some text is italic (in the tree, or
    ``italic_text`` not yet in it).
    """
    if house is not None and house.fonts is not None:
        given = (house.fonts.regular, house.fonts.bold, house.fonts.italic, house.fonts.bold_italic)
        family, faces = house.fonts.family, {face: data for face, data in zip(fonts.FACES, given) if data}
    elif house is not None and house.reference_docx:
        return
    else:
        family, faces = fonts.BUNDLED_FAMILY, fonts.bundled_faces()
    if not (italic_text or document.element.xpath(".//w:i") or document.styles.element.xpath(".//w:i")):
        faces = {face: data for face, data in faces.items() if "Italic" not in face}
    fonts.embed_fonts(document.part, document.settings.element, family, faces)
