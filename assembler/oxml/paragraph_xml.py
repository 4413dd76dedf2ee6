"""Paragraphs written as WordprocessingML text and parsed in one go.

Making a paragraph element by element costs python-docx a Python object per
element (its parser maps every ``w:`` tag to a class); for a whole agreement
that was most of the DOCX writer's time.  The body's paragraphs are instead
written as XML text here and parsed at once with python-docx's own parser.
The text is the same markup the element builders of :mod:`assembler.oxml`
make (``set_paragraph_style``, ``set_numbering``, ``append_run``,
``append_ref_field``, ``wrap_in_bookmark``), so the file's bytes are too.

Most paragraphs need not be parsed at all: their text is already what lxml
would write for them (:func:`written_as_is`), so :class:`Splices` puts it
into the part's bytes as it is, where a processing instruction held its
place in the tree.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from docx.oxml.parser import parse_xml
from docx.oxml.table import CT_Tbl
from docx.shared import Emu
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from assembler.oxml.ns import W_NS

_BREAKS = re.compile(r"(\t|\r\n|\r|\n)")


@dataclass(frozen=True)
class RunSpec:
    """One run: text in a look, or (``field`` set) a REF field to that bookmark showing ``text``."""

    text: str
    bold: bool = False
    italic: bool = False
    field: str = ""
    switches: str = "\\r \\h"


def _rpr(bold: bool, italic: bool) -> str:
    if not (bold or italic):
        return ""
    return "<w:rPr>" + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + "</w:rPr>"


def _t(text: str, tag: str = "w:t") -> str:
    if not text:
        return f"<{tag}/>"  # as lxml writes an empty element
    space = ' xml:space="preserve"' if len(text.strip()) < len(text) else ""
    return f"<{tag}{space}>{escape(text)}</{tag}>"


def _text_run(run: RunSpec) -> str:
    parts = [_rpr(run.bold, run.italic)]
    pieces = _BREAKS.split(run.text) if "\t" in run.text or "\n" in run.text or "\r" in run.text else [run.text]
    for piece in pieces:
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece in ("\r\n", "\r", "\n"):
            parts.append("<w:br/>")
        elif piece:
            parts.append(_t(piece))
    inner = "".join(parts)
    return f"<w:r>{inner}</w:r>" if inner else "<w:r/>"


def _field_runs(run: RunSpec) -> list[str]:
    """Return the five runs of a complex REF field, as ``append_ref_field`` makes them."""
    rpr = _rpr(run.bold, run.italic)
    code = f' REF {run.field} {run.switches} '
    return [f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>',
            f'<w:r>{rpr}<w:instrText xml:space="preserve">{escape(code)}</w:instrText></w:r>',
            f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>',
            f"<w:r>{rpr}{_t(run.text)}</w:r>",
            f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>']


def paragraph_xml(style_id: str, runs: list[RunSpec], *, num_id: int | None = None, level: int | None = None,
                  keep_next: bool = False, bookmark: tuple[int, str, bool] | None = None) -> str:
    """Return one ``w:p`` as text: style (none for Normal), keep-with-next, numbering, runs and a bookmark.

    ``bookmark`` is (id, name, around the first run only).
    """
    ppr = f"<w:pStyle w:val={quoteattr(style_id)}/>" if style_id else ""
    if keep_next:
        ppr += "<w:keepNext/>"
    if num_id is not None:
        ilvl = f'<w:ilvl w:val="{level}"/>' if level is not None else ""
        ppr += f'<w:numPr>{ilvl}<w:numId w:val="{num_id}"/></w:numPr>'
    body: list[str] = []
    for run in runs:
        if run.field:
            body += _field_runs(run)
        else:
            body.append(_text_run(run))
    if bookmark is not None:
        ident, name, first_only = bookmark
        start = f'<w:bookmarkStart w:id="{ident}" w:name={quoteattr(name)}/>'
        end = f'<w:bookmarkEnd w:id="{ident}"/>'
        if not body:
            body = [start, end]
        else:
            last = 0 if first_only else len(body) - 1
            body[last] += end
            body[0] = start + body[0]
    inner = (f"<w:pPr>{ppr}</w:pPr>" if ppr else "") + "".join(body)
    return f"<w:p>{inner}</w:p>" if inner else "<w:p/>"


# What lxml writes differently from this module's text, or refuses: characters XML 1.0 cannot carry (and
# carriage returns, which it writes as a reference), character references, and single-quoted attributes
# (``quoteattr`` quotes a value that holds a double quote with single quotes; lxml with double ones).
_NOT_AS_IS = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|&#|='")


def written_as_is(xml: str) -> bool:
    """Whether ``xml`` (from :func:`paragraph_xml`) is exactly the text lxml writes for the element it parses into."""
    return _NOT_AS_IS.search(xml) is None


class Splices:
    """Paragraphs put into a part's bytes as their text, each run of them where a placeholder held its place.

    The placeholders are processing instructions named for this object: text
    in the part cannot spell one (``<`` in text is written ``&lt;``).
    """

    def __init__(self) -> None:
        self._texts: list[str] = []
        self._name = f"assembler-splice-{id(self):x}"

    def hold(self, before: etree._Element, xml: str) -> None:
        """Put a placeholder for ``xml`` (paragraphs written as is) just before ``before``."""
        before.addprevious(etree.ProcessingInstruction(self._name, str(len(self._texts))))
        self._texts.append(xml)

    def contain(self, fragment: str) -> bool:
        """Whether any spliced text contains ``fragment``."""
        return any(fragment in text for text in self._texts)

    def apply(self, blob: bytes) -> bytes:
        """Return the part's bytes with each placeholder replaced by its text."""
        for n, text in enumerate(self._texts):
            mark = f"<?{self._name} {n}?>".encode()
            if blob.count(mark) != 1:
                raise ValueError(f"placeholder {n} of the spliced paragraphs is not in the part once")
            blob = blob.replace(mark, text.encode("utf-8"))
        return blob


def parse_paragraphs(paragraphs: list[str]) -> list[etree._Element]:
    """Return the ``w:p`` elements of ``paragraphs`` (from :func:`paragraph_xml`), parsed at once.

    Raises ``lxml.etree.XMLSyntaxError`` on text XML cannot carry.
    """
    root = parse_xml(f'<w:body xmlns:w="{W_NS}">' + "".join(paragraphs) + "</w:body>")
    return list(root)


def table_xml(rows: int, cols: int, width: int, style_id: str, cells: Sequence[str]) -> str:
    """Return the table python-docx's ``Document.add_table`` makes (``width`` in EMU shared by the columns) in
    the table style ``style_id``, each cell's paragraphs the text in ``cells`` in reading order (none: the
    empty paragraph a new cell has)."""
    pieces = _table_pieces(rows, cols, width, style_id)
    out = [pieces[0]]
    for n, piece in enumerate(pieces[1:]):
        out.append(cells[n] if n < len(cells) and cells[n] else "<w:p/>")
        out.append(piece)
    return "".join(out)


@functools.lru_cache(maxsize=32)
def _table_pieces(rows: int, cols: int, width: int, style_id: str) -> tuple[str, ...]:
    """Return the text of a new table, cut at each cell's empty paragraph (made once per shape)."""
    tbl = CT_Tbl.new_tbl(rows, cols, Emu(width))
    tbl.tblStyle_val = style_id
    body = parse_xml(f'<w:body xmlns:w="{W_NS}"/>')
    body.append(tbl)  # written inside a body, as in the document: the namespace is declared above it
    text = etree.tostring(body, encoding="unicode")
    pieces = tuple(text[text.index(">") + 1:text.rindex("</w:body>")].split("<w:p/>"))
    if len(pieces) != rows * cols + 1:
        raise ValueError(f"a new {rows}x{cols} table does not have one empty paragraph per cell")
    return pieces
