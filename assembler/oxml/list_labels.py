"""Word's automatic list numbers: the labels numbering.xml gives each paragraph.

A paragraph is numbered when its properties (or its style's) carry
``w:numPr``: a ``numId`` naming a ``w:num`` that points to an
``w:abstractNum`` whose levels say where to start, which format
(decimal, lowerLetter, upperRoman …) and which text ("%1.%2.", "(%2)").
:class:`Numbering` counts as Word does, paragraph by paragraph in document
order, and returns the printed label.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from assembler.oxml.ns import qn

_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


@dataclass(frozen=True)
class Level:
    """One level of a list: first number, format and label text."""

    start: int
    fmt: str
    text: str
    legal: bool = False


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    # Word repeats the letter past z: aa, bb, …
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """Return ``n`` printed in a numFmt ("decimal", "lowerLetter", "upperRoman" …)."""
    if fmt in ("lowerLetter", "upperLetter"):
        text = _letters(n)
        return text.upper() if fmt == "upperLetter" else text
    if fmt in ("lowerRoman", "upperRoman"):
        text = _roman(n)
        return text.upper() if fmt == "upperRoman" else text
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


def _int(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(qn("val"), default))
    except ValueError:
        return default


def _levels(parent: etree._Element) -> dict[int, Level]:
    out: dict[int, Level] = {}
    for lvl in parent.findall(qn("lvl")):
        ilvl = int(lvl.get(qn("ilvl"), "0"))
        fmt_el, text_el = lvl.find(qn("numFmt")), lvl.find(qn("lvlText"))
        out[ilvl] = Level(_int(lvl.find(qn("start")), 1),
                          fmt_el.get(qn("val"), "decimal") if fmt_el is not None else "decimal",
                          text_el.get(qn("val"), "") if text_el is not None else "",
                          lvl.find(qn("isLgl")) is not None)
    return out


class Numbering:
    """The list definitions of one DOCX and the running counters while reading it."""

    def __init__(self, numbering_xml: bytes | None, style_numbers: dict[str, tuple[str, int]]) -> None:
        self.abstract: dict[str, dict[int, Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int], dict[int, Level]]] = {}
        self.style_numbers = style_numbers
        self.counters: dict[str, dict[int, int]] = {}
        if numbering_xml:
            root = etree.fromstring(numbering_xml, etree.XMLParser(resolve_entities=False, no_network=True))
            for a in root.findall(qn("abstractNum")):
                self.abstract[a.get(qn("abstractNumId"), "")] = _levels(a)
            for num in root.findall(qn("num")):
                ref = num.find(qn("abstractNumId"))
                starts: dict[int, int] = {}
                overrides: dict[int, Level] = {}
                for o in num.findall(qn("lvlOverride")):
                    ilvl = int(o.get(qn("ilvl"), "0"))
                    start = o.find(qn("startOverride"))
                    if start is not None:
                        starts[ilvl] = _int(start, 1)
                    overrides.update({k: v for k, v in _levels(o).items()})
                self.nums[num.get(qn("numId"), "")] = (
                    ref.get(qn("val"), "") if ref is not None else "", starts, overrides)

    def label(self, ppr: etree._Element | None, style_id: str) -> tuple[str, str] | None:
        """Return (label, numFmt) for the next paragraph with these properties, or None.

        Counting advances: call once per paragraph, in document order.
        """
        found = self._num_pr(ppr, style_id)
        if found is None:
            return None
        num_id, ilvl = found
        if num_id not in self.nums or num_id == "0":
            return None
        abstract_id, starts, overrides = self.nums[num_id]
        levels = {**self.abstract.get(abstract_id, {}), **overrides}
        level = levels.get(ilvl)
        if level is None:
            return None
        # Lists that override their start count on their own; the others share
        # the counters of their abstract definition, as Word does.
        key = num_id if starts else f"a{abstract_id}"
        counters = self.counters.setdefault(key, {})
        if ilvl in counters:
            counters[ilvl] += 1
        else:
            counters[ilvl] = starts.get(ilvl, level.start)
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level.fmt == "bullet":
            return "", "bullet"
        text = level.text
        for k in range(ilvl + 1):
            lv = levels.get(k)
            value = counters.get(k, lv.start if lv else 1)
            fmt = "decimal" if (level.legal and k < ilvl) or lv is None else lv.fmt
            text = text.replace(f"%{k + 1}", format_number(value, fmt))
        return text.strip(), level.fmt

    def _num_pr(self, ppr: etree._Element | None, style_id: str) -> tuple[str, int] | None:
        num_pr = ppr.find(qn("numPr")) if ppr is not None else None
        if num_pr is not None:
            num_el, lvl_el = num_pr.find(qn("numId")), num_pr.find(qn("ilvl"))
            if num_el is not None:
                return num_el.get(qn("val"), ""), _int(lvl_el, 0)
        return self.style_numbers.get(style_id)


def style_numbers(styles_xml: bytes | None) -> dict[str, tuple[str, int]]:
    """Return, per paragraph style id, the (numId, level) its properties number with."""
    if not styles_xml:
        return {}
    root = etree.fromstring(styles_xml, etree.XMLParser(resolve_entities=False, no_network=True))
    out: dict[str, tuple[str, int]] = {}
    for style in root.findall(qn("style")):
        num_pr = style.find(f"{qn('pPr')}/{qn('numPr')}")
        if num_pr is None:
            continue
        num_el = num_pr.find(qn("numId"))
        if num_el is not None:
            out[style.get(qn("styleId"), "")] = (num_el.get(qn("val"), ""), _int(num_pr.find(qn("ilvl")), 0))
    return out
