"""The numbers Word prints before list paragraphs, counted the simple way.

A paragraph is numbered when it, or its style (through ``w:basedOn``),
carries ``w:numPr``; its label is the level's ``w:lvlText`` with each
``%n`` replaced by the counter of level n-1 of that list, counted in reading
order, deeper levels restarting after a shallower one.  Decimal and letter
formats are printed; bullets and other formats give no label (the reader
knows bullets by their style).  Overrides, ``w:start`` values other than
counting from ``start`` and legal-style switches are beyond this counter.
"""

from __future__ import annotations

from collections.abc import Callable

from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from assembler.oxml.ns import qn

_VAL = qn("val")


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _upper_letters(n: int) -> str:
    return _letters(n).upper()


_FORMATS: dict[str, Callable[[int], str]] = {"decimal": str, "lowerLetter": _letters, "upperLetter": _upper_letters}


def _numpr(ppr: etree._Element | None) -> tuple[str, int] | None:
    numpr = ppr.find(qn("numPr")) if ppr is not None else None
    if numpr is None:
        return None
    num = numpr.find(qn("numId"))
    lvl = numpr.find(qn("ilvl"))
    if num is None:
        return None
    return num.get(_VAL, "0"), int(lvl.get(_VAL, "0")) if lvl is not None else 0


class AutoNumbers:
    """Counts list paragraphs in reading order and returns the label Word prints for each."""

    def __init__(self, document: WordDocument) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, list[int]] = {}
        self.style_numpr: dict[str, tuple[str, int] | None] = {}
        part = document.part
        root = part.numbering_part.element if _has_numbering(document) else None
        if root is not None:
            abstract = {a.get(qn("abstractNumId")): a for a in root.findall(qn("abstractNum"))}
            for num in root.findall(qn("num")):
                ref = num.find(qn("abstractNumId"))
                definition = abstract.get(ref.get(_VAL) if ref is not None else None)
                if definition is not None:
                    self.levels[num.get(qn("numId"), "")] = _level_formats(definition)
        styles = {s.get(qn("styleId"), ""): s for s in document.styles.element.findall(qn("style"))}
        for style_id in styles:
            self.style_numpr[style_id] = _style_numpr(styles, style_id)

    def label(self, p: etree._Element, style_id: str) -> str:
        """Return the number Word prints before the paragraph ``p`` ("3", "3.1"), or ""."""
        found = _numpr(p.find(qn("pPr"))) or self.style_numpr.get(style_id)
        if found is None or found[0] == "0" or found[0] not in self.levels:
            return ""
        num_id, level = found
        formats = self.levels[num_id]
        counts = self.counters.setdefault(num_id, [0] * 9)
        if level > 8:
            return ""
        counts[level] += 1
        for deeper in range(level + 1, 9):
            counts[deeper] = 0
        fmt, text, _start = formats.get(level, ("decimal", f"%{level + 1}", 1))
        if fmt not in _FORMATS:
            return ""
        for k in range(level + 1):
            kfmt, _t, start = formats.get(k, ("decimal", "", 1))
            value = _FORMATS.get(kfmt, str)(max(counts[k], 1) + start - 1)
            text = text.replace(f"%{k + 1}", value)
        return text


def _has_numbering(document: WordDocument) -> bool:
    return any(rel.reltype == RT.NUMBERING for rel in document.part.rels.values())


def _level_formats(abstract: etree._Element) -> dict[int, tuple[str, str, int]]:
    out: dict[int, tuple[str, str, int]] = {}
    for lvl in abstract.findall(qn("lvl")):
        fmt = lvl.find(qn("numFmt"))
        text = lvl.find(qn("lvlText"))
        start = lvl.find(qn("start"))
        out[int(lvl.get(qn("ilvl"), "0"))] = (
            fmt.get(_VAL, "decimal") if fmt is not None else "decimal",
            text.get(_VAL, "") if text is not None else "",
            int(start.get(_VAL, "1")) if start is not None else 1,
        )
    return out


def _style_numpr(styles: dict[str, etree._Element], style_id: str) -> tuple[str, int] | None:
    seen: set[str] = set()
    while style_id in styles and style_id not in seen:
        seen.add(style_id)
        style = styles[style_id]
        found = _numpr(style.find(qn("pPr")))
        if found is not None:
            return found
        based = style.find(qn("basedOn"))
        style_id = based.get(_VAL, "") if based is not None else ""
    return None
