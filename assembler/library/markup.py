"""The clause markup: a small Markdown subset, read after Jinja has rendered the text.

Paragraphs are separated by blank lines; ``- `` starts a bullet item and
``a) `` a lettered item; ``**bold**``, ``*italic*`` and backslash escapes.
Helper markers (cross-references, terms, appendices, the definitions list)
arrive as private-use delimited tokens and become spans for the layout stage.
"""

from __future__ import annotations

import re

from assembler.errors import RenderError
from assembler.library.template import MARK_CLOSE, MARK_OPEN
from assembler.model import Block, ItemList, ListItem, Paragraph, Span

_BULLET = re.compile(r"^- +(.*)$")
_LETTER = re.compile(r"^[a-z]\) +(.*)$")

DEFINITIONS = "@definitions"  # target of the span standing for the definitions list


def marker(kind: str, *parts: object) -> str:
    """Return the marker text a helper prints: kind R (ref), A (appendix), T (term), D (definitions)."""
    return MARK_OPEN + ":".join([kind, *(str(p) for p in parts)]) + MARK_CLOSE


_TOKENS = re.compile("(\\\\.|\\*\\*|\\*|" + MARK_OPEN + "[^" + MARK_CLOSE + "]*" + MARK_CLOSE + ")", re.DOTALL)


def parse_inline(text: str) -> tuple[Span, ...]:
    """Return the spans of one paragraph's text."""
    spans: list[Span] = []
    buf: list[str] = []
    bold = italic = False
    for i, token in enumerate(_TOKENS.split(text)):
        if i % 2 == 0:  # plain text between tokens
            if MARK_OPEN in token:
                raise RenderError("a helper marker is not closed", code="render.markup")
            if token:
                buf.append(token)
            continue
        if token[0] == "\\":
            buf.append(token[1])
            continue
        if buf:
            spans.append(Span("".join(buf), bold=bold, italic=italic))
            buf = []
        if token == "**":
            bold = not bold
        elif token == "*":
            italic = not italic
        else:
            spans.append(_marker_span(token[1:-1], bold, italic))
    if bold or italic:
        raise RenderError("a ** or * is opened but never closed (write \\* for a literal asterisk)", code="render.markup")
    if buf:
        spans.append(Span("".join(buf), bold=bold, italic=italic))
    return _merge(spans)


def _marker_span(body: str, bold: bool, italic: bool) -> Span:
    kind, _, rest = body.partition(":")
    if kind == "R":
        return Span("", bold, italic, kind="ref", target=rest)
    if kind == "A":
        return Span("", bold, italic, kind="ref", target="appendix:" + rest)
    if kind == "T":
        return Span("", bold, italic, kind="term", target=rest)
    return Span("", kind="text", target=DEFINITIONS)


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    out: list[Span] = []
    for s in spans:
        if (out and s.kind == "text" and out[-1].kind == "text" and s.target is None
                and out[-1].target is None and (s.bold, s.italic) == (out[-1].bold, out[-1].italic)):
            out[-1] = Span(out[-1].text + s.text, s.bold, s.italic)
        else:
            out.append(s)
    return tuple(out)


def parse_blocks(text: str) -> tuple[Block, ...]:
    """Return the paragraphs and lists of rendered clause text, unnumbered."""
    blocks: list[Block] = []
    para: list[str] = []
    items: list[str] = []
    style: str | None = None

    def end_paragraph() -> None:
        if para:
            blocks.append(Paragraph(parse_inline(" ".join(para))))
            para.clear()

    def end_list() -> None:
        nonlocal style
        if items:
            letters = "abcdefghijklmnopqrstuvwxyz"
            parsed = []
            for k, raw in enumerate(items):
                label = f"({letters[k]})" if style == "letter" and k < 26 else ""
                parsed.append(ListItem(parse_inline(raw), label))
            blocks.append(ItemList(tuple(parsed), "letter" if style == "letter" else "bullet"))
            items.clear()
        style = None

    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            end_paragraph()
            end_list()
            continue
        bullet = _BULLET.match(stripped) if not line.startswith(" ") else None
        letter = _LETTER.match(stripped) if not line.startswith(" ") else None
        if bullet or letter:
            kind = "bullet" if bullet else "letter"
            end_paragraph()
            if style is not None and style != kind:
                end_list()
            style = kind
            content = (bullet or letter).group(1).strip()  # type: ignore[union-attr]
            items.append(content)
            continue
        if items and line.startswith("  "):
            items[-1] += " " + stripped
            continue
        end_list()
        para.append(stripped)
    end_paragraph()
    end_list()
    return tuple(blocks)
