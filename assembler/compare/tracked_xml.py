"""Tracked-change paragraphs written as WordprocessingML text, to be parsed in one go.

Building a redline element by element costs lxml a call per element and a
namespace lookup per attribute; for a 200-page comparison that was most of
the tracked DOCX's time.  This module writes the same markup that
:mod:`assembler.oxml.revisions` builds (``paragraph``, ``mark_paragraph``,
``restyle_paragraph``, ``range_start``/``range_end``, ``run``, ``revision``),
with revision ids handed out in the same order, so the file's bytes are the
same; :func:`assembler.oxml.paragraph_xml.parse_paragraphs` parses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

from assembler.oxml import revisions as oc

_PIECES = re.compile(r"(\t|\n)")
_MARK_ORDER = ("ins", "del", "moveFrom", "moveTo")


def text(value: str) -> str:
    """Return ``value`` escaped as lxml writes element text (a carriage return as a reference)."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;") if "\r" in value else value


def attr(value: str) -> str:
    """Return ``value`` as a double-quoted attribute, escaped as lxml writes it."""
    value = text(value).replace('"', "&quot;")
    return '"' + value.replace("\t", "&#9;").replace("\n", "&#10;") + '"'


class RevisionMarkup:
    """Writes revision elements as text, drawing ids from one :class:`~assembler.oxml.revisions.Revisions`.

    The counter is the one the element builders use too (table rows are
    still marked as elements), so ids stay unique and in document order.
    """

    def __init__(self, revisions: oc.Revisions) -> None:
        self.revisions = revisions
        self._stamp = f" w:author={attr(revisions.author)} w:date={attr(revisions.date)}"

    def next_id(self) -> str:
        """Return the id of a new revision (advancing the shared counter)."""
        return self.revisions.attrs()["id"]

    def stamp(self) -> str:
        """Return the id, author and date attributes of a new revision, as text."""
        return f' w:id="{self.next_id()}"{self._stamp}'

    def marks(self, kinds: Iterable[oc.MarkKind]) -> str:
        """Return the ``w:rPr`` recording a paragraph mark inserted, deleted or moved ("" for none)."""
        wanted = sorted(kinds, key=_MARK_ORDER.index)
        if not wanted:
            return ""
        return "<w:rPr>" + "".join(f"<w:{kind}{self.stamp()}/>" for kind in wanted) + "</w:rPr>"

    def paragraph_properties(self, style_id: str | None, kinds: Sequence[oc.MarkKind],
                             old_style_id: str | None, restyled: bool) -> str:
        """Return the ``w:pPr`` of a tracked paragraph: style, mark revisions, and its former style."""
        inner = f"<w:pStyle w:val={attr(style_id)}/>" if style_id else ""
        inner += self.marks(kinds)
        if restyled:
            old = f"<w:pPr><w:pStyle w:val={attr(old_style_id)}/></w:pPr>" if old_style_id else "<w:pPr/>"
            inner += f"<w:pPrChange{self.stamp()}>{old}</w:pPrChange>"
        return f"<w:pPr>{inner}</w:pPr>" if inner else "<w:pPr/>"

    def range_start(self, kind: Literal["moveFrom", "moveTo"], name: str) -> tuple[str, str]:
        """Return the start of a named move range and its id."""
        rid = self.next_id()
        return f'<w:{kind}RangeStart w:id="{rid}"{self._stamp} w:name={attr(name)}/>', rid

    def run(self, value: str, *, bold: bool = False, italic: bool = False, deleted: bool = False,
            was: tuple[bool, bool] | None = None) -> str:
        """Return a ``w:r`` holding ``value``, as :func:`assembler.oxml.revisions.run` builds it."""
        inner = ""
        if bold or italic or was is not None:
            look = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
            if was is not None:
                former = ("<w:b/>" if was[0] else "") + ("<w:i/>" if was[1] else "")
                look += f"<w:rPrChange{self.stamp()}>" + (
                    f"<w:rPr>{former}</w:rPr>" if former else "<w:rPr/>") + "</w:rPrChange>"
            inner = f"<w:rPr>{look}</w:rPr>"
        tag = "w:delText" if deleted else "w:t"
        pieces = _PIECES.split(value) if "\t" in value or "\n" in value else (value,)
        for piece in pieces:
            if piece == "\t":
                inner += "<w:tab/>"
            elif piece == "\n":
                inner += "<w:br/>"
            elif piece:
                space = ' xml:space="preserve"' if piece != piece.strip() or "  " in piece else ""
                inner += f"<{tag}{space}>{text(piece)}</{tag}>"
        return f"<w:r>{inner}</w:r>" if inner else "<w:r/>"

    def revision(self, kind: oc.MarkKind, runs: Sequence[str]) -> str:
        """Return a ``w:ins``, ``w:del``, ``w:moveFrom`` or ``w:moveTo`` around runs."""
        if not runs:
            return f"<w:{kind}{self.stamp()}/>"
        return f"<w:{kind}{self.stamp()}>" + "".join(runs) + f"</w:{kind}>"
