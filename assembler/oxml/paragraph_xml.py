"""Paragraphs written as WordprocessingML text and parsed in one go.

Making a paragraph element by element costs python-docx a Python object per
element (its parser maps every ``w:`` tag to a class); for a whole agreement
that was most of the DOCX writer's time.  The body's paragraphs are instead
written as XML text here and parsed at once with python-docx's own parser.
The text is the same markup the element builders of :mod:`assembler.oxml`
make (``set_paragraph_style``, ``set_numbering``, ``append_run``,
``append_ref_field``, ``wrap_in_bookmark``), so the file's bytes are too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from docx.oxml.parser import parse_xml
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
    return "<w:r>" + "".join(parts) + "</w:r>"


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
    return "<w:p>" + (f"<w:pPr>{ppr}</w:pPr>" if ppr else "") + "".join(body) + "</w:p>"


def parse_paragraphs(paragraphs: list[str]) -> list[etree._Element]:
    """Return the ``w:p`` elements of ``paragraphs`` (from :func:`paragraph_xml`), parsed at once.

    Raises ``lxml.etree.XMLSyntaxError`` on text XML cannot carry.
    """
    root = parse_xml(f'<w:body xmlns:w="{W_NS}">' + "".join(paragraphs) + "</w:body>")
    return list(root)
