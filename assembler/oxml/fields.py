"""Bookmarks and cross-reference fields, built with lxml.

A cross-reference in Word is a ``REF`` field (ECMA-376 part 1 §17.16.5.58)
pointing at a bookmark: ``REF _Ref_x \\r \\h`` prints the paragraph number
of the bookmarked paragraph (``\\r``) and links to it (``\\h``).  The field
is written in its complex form (``w:fldChar`` begin, ``w:instrText``,
``w:fldChar`` separate, the cached result, ``w:fldChar`` end), so the file
reads right before any field update and stays right after one.
"""

from __future__ import annotations

import functools
import hashlib
import re

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from assembler.oxml.ns import W_NS, XML_SPACE, qn

_MAX_NAME = 40  # Word's limit on a bookmark name
_NOT_NAME = re.compile(r"[^A-Za-z0-9_]")


@functools.lru_cache(maxsize=4096)  # pure, and asked for the same targets in every agreement of a batch
def bookmark_name(*parts: str) -> str:
    """Return a hidden Word bookmark name ("_Ref…") for a target, at most 40 characters.

    Names starting with an underscore are hidden in Word's bookmark list, as
    the bookmarks Word makes for its own cross-references are.
    """
    name = "_Ref_" + "_".join(_NOT_NAME.sub("_", p) for p in parts if p)
    if len(name) <= _MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return name[:_MAX_NAME - 9] + "_" + digest


def _w(tag: str, **attrs: str) -> etree._Element:
    return etree.Element(qn(tag), {qn(k): v for k, v in attrs.items()}, nsmap={"w": W_NS})


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, qn(tag), {qn(k): v for k, v in attrs.items()})


def wrap_in_bookmark(p: etree._Element, bookmark_id: int, name: str, first: int = 0,
                     last: int | None = None) -> None:
    """Put a bookmark around the runs ``first``…``last`` (default: all) of the paragraph ``p``.

    Indices count the paragraph's ``w:r`` children.
    """
    runs = p.findall(qn("r"))
    start = _w("bookmarkStart", id=str(bookmark_id), name=name)
    end = _w("bookmarkEnd", id=str(bookmark_id))
    if not runs:
        p.append(start)
        p.append(end)
        return
    runs[first].addprevious(start)
    runs[last if last is not None else -1].addnext(end)


def _run(bold: bool, italic: bool) -> etree._Element:
    r = _w("r")
    if bold or italic:
        rpr = _sub(r, "rPr")
        if bold:
            _sub(rpr, "b")
        if italic:
            _sub(rpr, "i")
    return r


_R, _RPR, _B, _I, _T, _TAB, _BR = (qn(t) for t in ("r", "rPr", "b", "i", "t", "tab", "br"))
_BREAKS = re.compile(r"(\t|\r\n|\r|\n)")


def append_run(p: etree._Element, text: str, bold: bool = False, italic: bool = False) -> None:
    """Append a ``w:r`` holding ``text`` to the paragraph element ``p``; tabs and line breaks become
    ``w:tab`` and ``w:br``.

    The elements are exactly those python-docx's ``add_run``, ``add_text``,
    ``add_tab``, ``add_break`` and ``bold``/``italic`` write, made with lxml
    directly: python-docx builds each element by parsing a snippet of XML,
    which was most of the DOCX writer's time.
    """
    r = etree.SubElement(p, _R)
    if bold or italic:
        rpr = etree.SubElement(r, _RPR)
        if bold:
            etree.SubElement(rpr, _B)
        if italic:
            etree.SubElement(rpr, _I)
    pieces = _BREAKS.split(text) if "\t" in text or "\n" in text or "\r" in text else (text,)
    for piece in pieces:
        if piece == "\t":
            etree.SubElement(r, _TAB)
        elif piece in ("\r\n", "\r", "\n"):
            etree.SubElement(r, _BR)
        elif piece:
            t = etree.SubElement(r, _T)
            t.text = piece
            if len(piece.strip()) < len(piece):
                t.set(XML_SPACE, "preserve")


def append_ref_field(p: etree._Element, bookmark: str, cached: str, switches: str = "\\r \\h",
                     bold: bool = False, italic: bool = False) -> None:
    """Append ``REF bookmark switches`` to the paragraph ``p``, showing ``cached`` until updated."""
    begin = _run(bold, italic)
    _sub(begin, "fldChar", fldCharType="begin")
    instruction = _run(bold, italic)
    code = _sub(instruction, "instrText")
    code.text = f" REF {bookmark} {switches} "
    code.set(XML_SPACE, "preserve")
    separate = _run(bold, italic)
    _sub(separate, "fldChar", fldCharType="separate")
    result = _run(bold, italic)
    text = _sub(result, "t")
    text.text = cached
    if cached != cached.strip():
        text.set(XML_SPACE, "preserve")
    end = _run(bold, italic)
    _sub(end, "fldChar", fldCharType="end")
    for r in (begin, instruction, separate, result, end):
        p.append(r)
