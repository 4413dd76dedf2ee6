"""Reading a Markdown file our Markdown writer made back into the document model."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assembler.model import Document, Span
from assembler.readers.lines import (
    DRAFT_WORDS,
    REFERENCE_RE,
    Line,
    back_matter,
    build_document,
    split_label,
)

_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|=])")
_MD_STRONG = re.compile(r"(\*\*\*|\*\*|\*)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)


def markdown_spans(text: str) -> tuple[Span, ...]:
    """Return the spans of a line of our Markdown: ``**bold**``, ``*italic*``, escapes."""
    # Escaped characters are hidden behind private-use code points so that
    # they never open or close emphasis, then restored.
    hidden = _MD_ESCAPE.sub(lambda m: chr(0xE000 + ord(m.group(1))), text)
    out: list[Span] = []
    pos = 0
    for m in _MD_STRONG.finditer(hidden):
        if m.start() > pos:
            out.append(Span(hidden[pos:m.start()]))
        marks = m.group(1)
        out.append(Span(m.group(2), bold=len(marks) >= 2, italic=len(marks) != 2))
        pos = m.end()
    if pos < len(hidden):
        out.append(Span(hidden[pos:]))
    restore = re.compile("[\ue000-\ue0ff]")
    return tuple(replace(s, text=restore.sub(lambda m: chr(ord(m.group()) - 0xE000), s.text))
                 for s in out)


def _markdown_lines(text: str) -> list[Line]:
    out: list[Line] = []
    chunks = [c.strip("\n") for c in re.split(r"\n\s*\n", text)]
    for chunk in chunks:
        for raw in chunk.split("\n") if chunk.lstrip().startswith(("- ", "**")) else [chunk]:
            line = raw.strip()
            if not line or line == "---":
                continue
            if line.startswith("# "):
                out.append(Line("title", markdown_spans(line[2:])))
            elif line.startswith("## "):
                head = markdown_spans(line[3:])
                split = split_label("heading", head)
                out.append(split if split.label else Line("section", head))
            elif line.startswith("- "):
                split = split_label("letter", markdown_spans(line[2:]))
                out.append(split if split.label else Line("bullet", split.spans))
            else:
                out.append(_markdown_paragraph(line, out))
    return out


def _markdown_paragraph(line: str, previous: Sequence[Line]) -> Line:
    number = re.match(r"^\*\*(\d+(?:\.\d+)+)\*\* (.*)$", line, re.DOTALL)
    if number:
        return Line("numbered", markdown_spans(number.group(2)), number.group(1))
    spans = markdown_spans(" ".join(line.split("\n")))
    text = "".join(s.text for s in spans)
    if previous and previous[-1].role in ("title", "draft") and text in DRAFT_WORDS:
        return Line("draft", spans)
    if previous and previous[-1].role in ("title", "draft") and REFERENCE_RE.match(text):
        return Line("subtitle", spans)
    return Line("paragraph", spans)


def read_markdown(text: str, language: str = "") -> Document:
    """Return the document a Markdown file written by our Markdown writer holds.

    Only the first language of a side-by-side file is read (they are
    separated by a ``---`` line).
    """
    first = re.split(r"\n---\n", text.replace("\r\n", "\n"), maxsplit=1)[0]
    return build_document(back_matter(_markdown_lines(first)), language)
