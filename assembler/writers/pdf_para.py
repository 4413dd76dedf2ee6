"""Fast paths for ReportLab paragraphs made from our own markup, giving ReportLab's exact results.

Two steps of ``reportlab.platypus.Paragraph`` take half the PDF writer's time
and do general work our paragraphs do not need:

- parsing the markup: ReportLab feeds every paragraph through
  ``html.parser``.  Our markup (:func:`assembler.writers.pdf_style.markup`)
  only ever holds escaped text, ``<b>`` and ``<i>``, so :func:`own_frags`
  tokenises it with one regular expression and copies, per run of text, a
  fragment that ReportLab's parser made once for that nesting of tags in that
  style.  Markup of any other shape is left to ReportLab's parser.
- breaking a one-fragment paragraph into lines: :func:`break_simple` is
  ReportLab's greedy loop for the case without hyphenation, soft hyphens,
  bidirectional text, shaping or words too long for a line;
  any other case goes to ReportLab's own ``breakLines``.
- breaking the same paragraph again: the agreements of a batch share most
  of their paragraphs, so the lines a paragraph of our markup was broken
  into are kept across builds (:class:`KeptLines`), by style, markup, bullet
  and width.

Both produce the same objects ReportLab does (tests/writers/test_pdf_para.py
compares them for every paragraph of the bundled examples), so the PDF's
bytes do not change.
"""

from __future__ import annotations

import copy
import re
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import getAscentDescent, getFont  # type: ignore[import-untyped]
from reportlab.platypus.paragraph import (  # type: ignore[import-untyped]
    _handleBulletWidth,
    cleanBlockQuotedText,
    split,
    strip,
    textTransformFrags,
)
from reportlab.platypus.paraparser import ParaParser  # type: ignore[import-untyped]

_TOKEN = re.compile(r"(<b>|</b>|<i>|</i>|&amp;|&lt;|&gt;)")
_ENTITY = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
_SOFT_HYPHEN = "\xad"
_PROTOTYPES: weakref.WeakKeyDictionary[ParagraphStyle, dict[tuple[str, ...], Any]] = weakref.WeakKeyDictionary()
_PLAIN: weakref.WeakKeyDictionary[ParagraphStyle, bool] = weakref.WeakKeyDictionary()

# Word widths measured during one build, per (font, size, encoding): an agreement repeats its words
# ("och", "att", "Parterna") thousands of times.  Scoped to one build, never kept across builds.
_WIDTHS: ContextVar[dict[tuple[str, float, str], dict[str, float]] | None] = ContextVar("word_widths", default=None)


@contextmanager
def word_widths() -> Iterator[None]:
    """Remember word widths for the paragraphs broken inside the ``with`` block (one build), then forget them."""
    token = _WIDTHS.set({})
    try:
        yield
    finally:
        _WIDTHS.reset(token)


def _measure(words: list[str], font_name: str, size: float, encoding: str) -> list[float]:
    """Return the width of each word: ReportLab's stringWidth, looked up when this build has measured it before."""
    measure = getFont(font_name).stringWidth
    cache = _WIDTHS.get()
    if cache is None:
        return [measure(word, size, encoding) for word in words]
    known = cache.get((font_name, size, encoding))
    if known is None:
        known = cache[font_name, size, encoding] = {}
    for word in set(words).difference(known):
        known[word] = measure(word, size, encoding)
    return [known[word] for word in words]


def _prototype(style: ParagraphStyle, tags: tuple[str, ...]) -> Any:
    """Return the fragment ReportLab's parser makes for text inside ``tags`` (outermost first) in ``style``.

    Made once per style and nesting: the fragment depends on nothing else.  Kept beside the style, not
    on it: a ParagraphStyle made from a parent copies the parent's attributes.
    """
    protos = _PROTOTYPES.get(style)
    if protos is None:
        protos = _PROTOTYPES[style] = {}
    proto = protos.get(tags)
    if proto is None:
        markup = "".join(f"<{t}>" for t in tags) + "x" + "".join(f"</{t}>" for t in reversed(tags))
        _, frags, _ = ParaParser().parse(markup, style)
        proto = protos[tags] = frags[0]
    return proto


_PARSED: dict[tuple[ParagraphStyle, str], tuple[str, list[Any]] | None] = {}
_PARSED_MAX = 2048
# Markup longer than this is parsed and broken afresh each time, never kept: a paragraph's kept lines and
# fragments cost some ten times its text, and a long-running web app keeps them for every build it serves.
KEPT_TEXT_MAX = 2000


def own_frags(text: str, style: ParagraphStyle) -> tuple[str, list[Any]] | None:
    """Return (cleaned text, fragments) as ReportLab's parser gives them for our markup, or None for other markup.

    Kept across builds by style and markup, like the lines (:class:`KeptLines`): fragments are only read
    once made, so paragraphs of the same markup share them.
    """
    if len(text) > KEPT_TEXT_MAX:
        return _parse_own(text, style)
    key = (style, text)
    try:
        return _PARSED[key]
    except KeyError:
        pass
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    parsed = _PARSED[key] = _parse_own(text, style)
    return parsed


def _parse_own(text: str, style: ParagraphStyle) -> tuple[str, list[Any]] | None:
    cleaned = cleanBlockQuotedText(text)
    frags: list[Any] = []
    tags: list[str] = []
    for n, token in enumerate(_TOKEN.split(cleaned)):
        if n % 2 == 0:  # text between tokens
            if not token:
                continue
            if "<" in token or "&" in token:
                return None  # a tag or entity that is not ours: ReportLab parses it
            data = token
        elif token[0] == "&":
            data = _ENTITY[token]
        elif token[1] == "/":
            if not tags or tags.pop() != token[2]:
                return None
            continue
        else:
            tags.append(token[1])
            continue
        frag = copy.copy(_prototype(style, tuple(tags)))
        frag.text = data
        frags.append(frag)
    if tags:
        return None
    textTransformFrags(frags, style)
    return cleaned, frags


class KeptLines:
    """What ReportLab's ``wrap`` leaves on a paragraph of our markup, kept to be put on the same paragraph again.

    A paragraph's lines are a function of its style, its markup, its bullet
    and the width (fonts are registered once per name, and a house font's
    name is the digest of its files).  Drawing and splitting only read the
    lines and fragments, so one kept set serves every later paragraph of the
    same key, in any build and any thread.  The table is emptied when full.
    """

    _TABLE: dict[tuple[Any, ...], KeptLines] = {}
    _MAX = 2048  # paragraphs of at most KEPT_TEXT_MAX characters each
    _ATTRIBUTES = ("blPara", "height", "frags", "_width_max", "_splitLongWordCount", "_hyphenations")

    def __init__(self, para: Any) -> None:
        self.values = tuple(getattr(para, name, None) for name in self._ATTRIBUTES)
        self.wrap_widths = list(para._wrapWidths)

    @classmethod
    def get(cls, key: tuple[Any, ...]) -> KeptLines | None:
        """Return the lines kept under ``key``, or None."""
        return cls._TABLE.get(key)

    @classmethod
    def keep(cls, key: tuple[Any, ...], para: Any) -> None:
        """Keep what ``wrap`` left on ``para`` under ``key``."""
        table = cls._TABLE
        if len(table) >= cls._MAX:
            table.clear()
        table[key] = KeptLines(para)

    def put_on(self, para: Any, width: float) -> float:
        """Put the kept lines on ``para`` as ``wrap`` at ``width`` would have; return the height."""
        for name, value in zip(self._ATTRIBUTES, self.values):
            if value is not None:
                setattr(para, name, value)
        para.width = width
        para._wrapWidths = list(self.wrap_widths)  # a list ReportLab may narrow in place: the paragraph's own
        return para.height  # type: ignore[no-any-return]


def _plain_style(style: ParagraphStyle) -> bool:
    """Whether a style asks for none of what only ReportLab's loop does (decided once per style)."""
    known = _PLAIN.get(style)
    if known is None:
        known = _PLAIN[style] = not (style.wordWrap or style.endDots or style.shaping or style.hyphenationLang
                                     or style.uriWasteReduce or style.embeddedHyphenation
                                     or getattr(style, "autoLeading", "") not in ("", "off"))
    return known


def _simple_case(para: Any) -> Any:
    """Return the single text fragment of ``para`` if the fast line breaker applies to it, else None."""
    frags = para.frags
    if len(frags) != 1 or not _plain_style(para.style):
        return None
    if getattr(para, "autoLeading", "") not in ("", "off"):
        return None
    f = frags[0]
    if not hasattr(f, "text") or hasattr(f, "cbDefn") or hasattr(f, "backColor") or _SOFT_HYPHEN in f.text:
        return None
    return f


def break_simple(para: Any, width: Any) -> Any:
    """Return ``para.breakLines(width)`` computed the quick way, or None where only ReportLab's loop gives it.

    Like ReportLab's, it narrows the first width of a ``width`` list in place when a bullet overruns the indent.
    """
    f = _simple_case(para)
    if f is None:
        return None
    if isinstance(width, tuple):
        return None  # ReportLab's loop would fail on it if a bullet overran: let it
    max_widths: list[float] = width if isinstance(width, list) else [width]
    narrowed = list(max_widths)
    _handleBulletWidth(para.bulletText, para.style, narrowed)
    text = strip(f.text)
    words = split(text) if text else []
    font_size, encoding = f.fontSize, para.encoding
    widths = _measure(words, f.fontName, font_size, encoding)
    if not all(words) or (widths and max(widths) > min(narrowed)):
        return None  # empty or over-long words: ReportLab's loop splits them
    max_widths[0] = narrowed[0]  # the bullet's narrowing, on the caller's list as ReportLab does
    para.height = para._width_max = 0
    para._splitLongWordCount = para._hyphenations = 0
    ascent, descent = getAscentDescent(f.fontName, font_size)
    space = getFont(f.fontName).stringWidth(" ", font_size, encoding)
    lines = _greedy(para, words, widths, max_widths, space, para.style.spaceShrinkage * space) if words else []
    return f.clone(kind=0, lines=lines, ascent=ascent, descent=descent, fontSize=font_size)


def _greedy(para: Any, words: list[str], widths: list[float], max_widths: list[float],
            space: float, shrink: float) -> list[tuple[float, list[str]]]:
    """Fill lines word by word, in ReportLab's order of float operations (so the same widths result).

    A line may run over its width by ``shrink`` per space in it (ReportLab's space shrinkage).
    """
    last = len(max_widths) - 1
    lineno = 0
    max_width = max_widths[0]
    width_max = 0.0
    lines: list[tuple[float, list[str]]] = []
    line: list[str] = []
    current = -space  # ReportLab's start: the first word adds no space
    for word, word_width in zip(words, widths):
        new = current + space + word_width
        if new <= max_width + shrink * len(line) or not line:
            line.append(word)
            current = new
        else:
            if current > width_max:
                width_max = current
            lines.append((max_width - current, line))
            line = [word]
            current = word_width
            lineno += 1
            max_width = max_widths[min(last, lineno)]
    if line:
        if current > width_max:
            width_max = current
        lines.append((max_width - current, line))
    para._width_max = width_max
    return lines
