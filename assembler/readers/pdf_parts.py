"""What a PDF prints outside its body flow: running headers and footers, footnotes.

Our own PDFs' furniture (title, reference, "Sida X av Y") repeats what the
body says and is only accounted for.  In anyone else's PDF a running header
or footer is content like any other: its first printing is kept as a
``header`` or ``footer`` part and the copies on later pages are accounted
for as repeats.  Footnotes are the small print at the foot of a page that
opens with a note mark; they become ``footnote`` parts (``endnote`` when the
mark is a roman numeral, Word's and LibreOffice's default for endnotes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from assembler.model import DocumentPart, Paragraph, Span

_NOTE_MARK = re.compile(r"^(\d{1,3}|[ivx]{1,6})$")
_BARE_PAGE = re.compile(r"^[-–—]?\s*\d{1,4}\s*[-–—]?$")


class PrintedLine(Protocol):
    """A line as the PDF reader keeps it (see ``readers.pdf._PdfLine``)."""

    page: int
    text: str
    first: str
    y: float
    size: float
    rotated: bool


def furniture_parts(pages: Sequence[Sequence[PrintedLine]], drop: set[int], page_height: float,
                    ours: bool) -> tuple[tuple[DocumentPart, ...], tuple[str, ...]]:
    """Return the header and footer parts kept from dropped furniture, and the texts only accounted for."""
    parts: list[DocumentPart] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for lines in pages:
        for line in lines:
            if id(line) not in drop:
                continue
            key = re.sub(r"\d+", "#", line.text)
            if ours or line.rotated or _BARE_PAGE.match(line.text) or key in seen:
                skipped.append(line.text)
                continue
            seen.add(key)
            kind = "header" if line.y > page_height / 2 else "footer"
            parts.append(DocumentPart(kind, "default", (Paragraph((Span(line.text),)),)))  # type: ignore[arg-type]
    return tuple(parts), tuple(skipped)


def page_notes(pages: Sequence[Sequence[PrintedLine]], drop: set[int],
               body: float) -> tuple[tuple[DocumentPart, ...], set[int]]:
    """Return the notes printed at the foot of pages, and the ids of their lines."""
    parts: list[DocumentPart] = []
    used: set[int] = set()
    for lines in pages:
        kept = [x for x in lines if id(x) not in drop]
        # The note area: below the last wide gap on the page, opening with a mark.
        start = next((k for k in range(len(kept) - 1, 0, -1)
                      if kept[k - 1].y - kept[k].y > 1.8 * body), None)
        if start is None and kept and _NOTE_MARK.match(kept[0].first) and not kept[0].first.isdigit():
            start = 0  # a page of endnotes
        if start is None:
            continue
        tail = kept[start:]
        if len(tail) > 12 or not _NOTE_MARK.match(tail[0].first) or not tail[0].text.startswith(tail[0].first):
            continue
        notes: list[tuple[str, list[str]]] = []
        for line in tail:
            rest = line.text[len(line.first):].strip()
            if _NOTE_MARK.match(line.first) and rest and line.text.startswith(line.first):
                notes.append((line.first, [rest]))
            else:
                notes[-1][1].append(line.text)
            used.add(id(line))
        for mark, texts in notes:
            kind = "footnote" if mark.isdigit() else "endnote"
            parts.append(DocumentPart(kind, mark, (Paragraph((Span(" ".join(texts)),)),)))  # type: ignore[arg-type]
    return tuple(parts), used
