"""Reading Markdown into the document model through a CommonMark parser.

markdown-it-py parses the file (CommonMark, plus pipe tables and footnotes,
the two extensions agreements use); this module turns its block tokens into
:class:`Line`\\ s for :func:`build_document`.  Headings, ordered and bullet
lists, block quotes, tables (one line per row, cells separated by a tab),
HTML blocks and code blocks are all read; footnotes become ``footnote``
parts of the document.  Our own writer's conventions are still recognised:
``# Title``, ``## 3. Heading``, ``**3.1** text``, ``- (a) item`` and the
signature block after its heading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from assembler.model import Document, DocumentPart, Paragraph, Span
from assembler.readers.lines import REFERENCE_RE, Line, back_matter, build_document, split_label, strip_spans

_DRAFT_WORDS = {"UTKAST", "DRAFT", "UTKAST / DRAFT"}
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)+)$")
_TAGS = re.compile(r"<[^>]+>")


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table").use(footnote_plugin)


def inline_spans(token: Token) -> tuple[Span, ...]:
    """Return the spans of an inline token: bold and italic kept, markup dropped."""
    out: list[Span] = []
    bold = italic = 0
    for child in token.children or ():
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind in ("text", "code_inline"):
            out.append(Span(child.content, bold > 0, italic > 0))
        elif kind == "softbreak":
            out.append(Span(" ", bold > 0, italic > 0))
        elif kind == "hardbreak":
            out.append(Span("\n", bold > 0, italic > 0))
        elif kind == "image":
            out.append(Span(child.content, bold > 0, italic > 0))
    return _joined(out)


def markdown_spans(text: str) -> tuple[Span, ...]:
    """Return the spans of one line of Markdown: ``**bold**``, ``*italic*``, escapes resolved."""
    tokens = _parser().parseInline(text)
    return inline_spans(tokens[0]) if tokens else ()


def _joined(spans: Sequence[Span]) -> tuple[Span, ...]:
    out: list[Span] = []
    for span in spans:
        if out and (out[-1].bold, out[-1].italic) == (span.bold, span.italic):
            out[-1] = Span(out[-1].text + span.text, span.bold, span.italic)
        elif span.text:
            out.append(span)
    return tuple(out)


class _Reader:
    """Walks the block tokens once, keeping the list nesting it is in."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.lists: list[dict[str, Any]] = []  # one per open list: ordered, next number
        self.item_first = False  # the next paragraph opens a list item
        self.row: list[tuple[Span, ...]] = []
        self.notes: list[tuple[str, list[Line]]] = []

    def walk(self, tokens: list[Token]) -> None:
        target = self.lines
        for token in tokens:
            kind = token.type
            if kind == "footnote_block_open" or kind == "footnote_open":
                if kind == "footnote_open":
                    label = str(token.meta.get("label", len(self.notes) + 1))
                    self.notes.append((label, []))
                    self.lines = self.notes[-1][1]
                continue
            if kind == "footnote_block_close":
                self.lines = target
                continue
            self._block(token)

    def _block(self, token: Token) -> None:
        kind = token.type
        if kind in ("ordered_list_open", "bullet_list_open"):
            start = int(token.attrGet("start") or 1) if kind == "ordered_list_open" else 0
            self.lists.append({"ordered": kind == "ordered_list_open", "next": start})
        elif kind in ("ordered_list_close", "bullet_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            self.item_first = True
        elif kind == "inline":
            self._inline(token)
        elif kind == "tr_open":
            self.row = []
        elif kind == "tr_close":
            cells: list[Span] = []
            for k, cell in enumerate(self.row):
                cells.extend(((Span("\t"),) if k else ()) + cell)
            if any(s.text.strip() for s in cells):
                self.lines.append(Line("paragraph", _joined(cells)))
        elif kind in ("html_block", "code_block", "fence"):
            text = _TAGS.sub(" ", token.content) if kind == "html_block" else token.content
            if text.strip():
                self.lines.append(Line("paragraph", (Span(" ".join(text.split())),)))

    def _inline(self, token: Token) -> None:
        spans = inline_spans(token)
        tag = self._open_tag(token)
        if tag in ("th", "td"):
            self.row.append(spans)
            return
        if not "".join(s.text for s in spans).strip():
            return
        if tag and tag.startswith("h"):
            if self.item_first and self.lists and self.lists[-1]["ordered"]:
                # "8. ## Insurance": a numbered heading written as a list item.
                self.item_first = False
                self.lines.append(Line("heading", strip_spans(spans), str(self.lists[-1]["next"])))
                self.lists[-1]["next"] += 1
                return
            self.lines.append(self._heading(spans, int(tag[1])))
        elif self.item_first and self.lists:
            self.item_first = False
            self.lines.append(self._item(spans))
        else:
            self.lines.append(self._paragraph(spans))

    def _open_tag(self, token: Token) -> str:
        return token.meta.get("_tag", "") if token.meta else ""

    def _heading(self, spans: tuple[Span, ...], level: int) -> Line:
        if level == 1 and not any(line.role == "title" for line in self.lines):
            return Line("title", spans)
        split = split_label("heading", spans)
        return split if split.label else Line("section", spans)

    def _item(self, spans: tuple[Span, ...]) -> Line:
        current = self.lists[-1]
        if current["ordered"]:
            label = f"{current['next']}."
            current["next"] += 1
            return Line("numbered", strip_spans(spans), label)
        split = split_label("letter", spans)
        return split if split.label else Line("bullet", spans)

    def _paragraph(self, spans: tuple[Span, ...]) -> Line:
        text = "".join(s.text for s in spans)
        first = spans[0] if spans else Span("")
        if first.bold and _NUMBERED.match(first.text.strip()):
            return Line("numbered", strip_spans(spans[1:]), first.text.strip())
        previous = self.lines[-1] if self.lines else None
        if previous is not None and previous.role in ("title", "draft"):
            if text.strip() in _DRAFT_WORDS:
                return Line("draft", spans)
            if REFERENCE_RE.match(text.strip()):
                return Line("subtitle", spans)
        return split_label("paragraph", spans)


def _tag_inlines(tokens: list[Token]) -> None:
    """Mark each inline token with the tag of the block that holds it."""
    stack: list[str] = []
    for token in tokens:
        if token.nesting == 1:
            stack.append(token.tag)
        elif token.nesting == -1 and stack:
            stack.pop()
        elif token.type == "inline":
            token.meta = {**(token.meta or {}), "_tag": stack[-1] if stack else ""}


def read_markdown(text: str, language: str = "") -> Document:
    """Return the document a Markdown file holds.

    Only the first language of our side-by-side Markdown is read (its
    languages are separated by a ``---`` line).  Footnotes become
    ``footnote`` parts labelled by their Markdown label.
    """
    text = text.replace("\r\n", "\n")
    first = re.split(r"\n---\n", text, maxsplit=1)[0] if _ours(text) else text
    tokens = _parser().parse(first)
    _tag_inlines(tokens)
    reader = _Reader()
    reader.walk(tokens)
    doc = build_document(back_matter(reader.lines), language)
    parts = tuple(DocumentPart("footnote", label, tuple(Paragraph(strip_spans(line.spans)) for line in lines))
                  for label, lines in reader.notes if lines)
    return Document(**{**doc.__dict__, "parts": parts}) if parts else doc


def markdown_languages(text: str) -> list[str]:
    """Return the text of each language of our side-by-side Markdown, or the whole text."""
    text = text.replace("\r\n", "\n")
    return re.split(r"\n---\n", text) if _ours(text) else [text]


def _ours(text: str) -> bool:
    """Whether the text looks written by our Markdown writer side by side (two ``# `` titles)."""
    return len(re.findall(r"^# ", text, re.M)) >= 2 and "\n---\n" in text
