"""Word list numbering for clause headings and sub-clauses, built with lxml.

A clause heading prints "3", its numbered paragraphs "3.1", "3.2" …: one
multilevel list (``w:abstractNum``) whose level 0 is bound to the heading
style and level 1 to the sub-clause style (ECMA-376 part 1 §17.9).  Word
and LibreOffice then count the paragraphs themselves, so a clause inserted
or deleted in Word renumbers everything after it.

The elements mirror the schema's child order: in ``w:numbering`` every
``w:abstractNum`` precedes every ``w:num``; in ``w:pPr`` the ``w:numPr``
sits between ``w:widowControl`` and ``w:suppressLineNumbers``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from assembler.oxml.ns import W_NS, qn

# CT_PPrBase child order (ECMA-376 part 1 §17.3.1.26), then CT_PPr's own tail.
_PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
    "sectPr", "pPrChange",
)
_RANK = {qn(tag): i for i, tag in enumerate(_PPR_ORDER)}


@dataclass(frozen=True)
class ClauseLevels:
    """How clause numbers look: the indent (twips) where the text after the number starts."""

    indent: int = 709
    heading_style: str = "Heading1"
    subclause_style: str = "Subclause"


def _w(tag: str, **attrs: str) -> etree._Element:
    return etree.Element(qn(tag), {qn(k): v for k, v in attrs.items()}, nsmap={"w": W_NS})


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, qn(tag), {qn(k): v for k, v in attrs.items()})


def ppr_child(ppr: etree._Element, tag: str) -> etree._Element:
    """Return the ``tag`` child of a ``w:pPr``, created at its place in the schema order."""
    found = ppr.find(qn(tag))
    if found is not None:
        return found
    new = etree.Element(qn(tag))
    rank = _RANK[qn(tag)]
    for index, child in enumerate(ppr):
        if _RANK.get(child.tag, len(_RANK)) > rank:
            ppr.insert(index, new)
            return new
    ppr.append(new)
    return new


def _ppr_of(owner: etree._Element) -> etree._Element:
    """Return the ``w:pPr`` of a paragraph or paragraph style, created where the schema wants it."""
    ppr = owner.find(qn("pPr"))
    if ppr is not None:
        return ppr
    ppr = etree.Element(qn("pPr"))
    if owner.tag == qn("p"):
        owner.insert(0, ppr)
        return ppr
    # In a w:style, pPr follows name … qFormat, rsid, and precedes rPr, tblPr, trPr, tcPr, tblStylePr.
    for index, child in enumerate(owner):
        if child.tag in (qn("rPr"), qn("tblPr"), qn("trPr"), qn("tcPr"), qn("tblStylePr")):
            owner.insert(index, ppr)
            return ppr
    owner.append(ppr)
    return ppr


def set_numbering(owner: etree._Element, num_id: int, level: int | None) -> None:
    """Give a paragraph or paragraph style (``w:p`` / ``w:style``) list ``num_id`` at ``level``.

    ``num_id`` 0 with ``level`` None switches inherited numbering off.
    """
    numpr = ppr_child(_ppr_of(owner), "numPr")
    for child in list(numpr):
        numpr.remove(child)
    if level is not None:
        _sub(numpr, "ilvl", val=str(level))
    _sub(numpr, "numId", val=str(num_id))


def _level(level: int, text: str, levels: ClauseLevels, style: str | None) -> etree._Element:
    lvl = _w("lvl", ilvl=str(level))
    _sub(lvl, "start", val="1")
    _sub(lvl, "numFmt", val="decimal")
    if style:
        _sub(lvl, "pStyle", val=style)
    _sub(lvl, "lvlText", val=text)
    _sub(lvl, "lvlJc", val="left")
    ppr = _sub(lvl, "pPr")
    tabs = _sub(ppr, "tabs")
    _sub(tabs, "tab", val="num", pos=str(levels.indent))
    _sub(ppr, "ind", left=str(levels.indent), hanging=str(levels.indent))
    return lvl


def _free_id(root: etree._Element, tag: str, attr: str) -> int:
    used = [int(el.get(qn(attr), "0")) for el in root.findall(qn(tag)) if el.get(qn(attr), "").isdigit()]
    return max(used, default=0) + 1


def _register(numbering_root: etree._Element, abstract: etree._Element) -> int:
    """Add an ``w:abstractNum`` (before every ``w:num``) and one ``w:num`` using it; return the numId."""
    num_id = _free_id(numbering_root, "num", "numId")
    nums = numbering_root.findall(qn("num"))
    if nums:
        nums[0].addprevious(abstract)
    else:
        numbering_root.append(abstract)
    num = _sub(numbering_root, "num", numId=str(num_id))
    _sub(num, "abstractNumId", val=abstract.get(qn("abstractNumId")))
    return num_id


def add_clause_list(numbering_root: etree._Element, levels: ClauseLevels, *, bind_styles: bool) -> int:
    """Add a two-level clause list ("%1", "%1.%2") to ``w:numbering`` and return its ``numId``.

    With ``bind_styles`` the levels name the heading and sub-clause styles
    (``w:lvl/w:pStyle``); the list of a second language column is left
    unbound, since a style can belong to one list only.
    """
    abstract = _w("abstractNum", abstractNumId=str(_free_id(numbering_root, "abstractNum", "abstractNumId")))
    _sub(abstract, "multiLevelType", val="multilevel")
    abstract.append(_level(0, "%1", levels, levels.heading_style if bind_styles else None))
    abstract.append(_level(1, "%1.%2", levels, levels.subclause_style if bind_styles else None))
    return _register(numbering_root, abstract)


def has_numbering(style: etree._Element) -> bool:
    """Return whether a style element carries its own ``w:numPr``."""
    return style.find(f"{qn('pPr')}/{qn('numPr')}") is not None


def add_bullet_list(numbering_root: etree._Element, indent: int = 1276, hanging: int = 567) -> int:
    """Add a one-level bullet list ("•") to ``w:numbering`` and return its ``numId``."""
    abstract = _w("abstractNum", abstractNumId=str(_free_id(numbering_root, "abstractNum", "abstractNumId")))
    _sub(abstract, "multiLevelType", val="singleLevel")
    lvl = _sub(abstract, "lvl", ilvl="0")
    _sub(lvl, "start", val="1")
    _sub(lvl, "numFmt", val="bullet")
    _sub(lvl, "lvlText", val="\u2022")
    _sub(lvl, "lvlJc", val="left")
    ppr = _sub(lvl, "pPr")
    _sub(_sub(ppr, "tabs"), "tab", val="num", pos=str(indent))
    _sub(ppr, "ind", left=str(indent), hanging=str(hanging))
    return _register(numbering_root, abstract)

