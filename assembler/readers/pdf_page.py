"""The printed lines of one PDF page: pypdf's text with the geometry of the text it came from.

One pass of pypdf's ``extract_text`` with a text visitor gives both: the
visitor sees every piece of text with its position and size, and the pieces
(pypdf's added spaces and line breaks included, as pieces without a font)
make up the extracted text exactly.  Lines are cut from the pieces, so no
character is looked at in Python; a pypdf whose output differs from its
pieces is aligned with them character by character instead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                            "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st", "\u00ad": None})
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

# One piece of text: (text, x, y, size, rotated), or (text, None...) for pypdf's own spacing.
_Piece = tuple[str, float, float, float, bool]


@dataclass
class PdfLine:
    """One printed line: text (pypdf's spacing), first chunk, position and size."""

    page: int
    text: str
    first: str
    x: float
    y: float
    size: float
    rotated: bool = False


_ODD = re.compile("[" + "".join(chr(c) for c in _LIGATURES) + r"\t\u00a0\u2000-\u200a\u202f\u205f\u3000]|  ")


def normalize_text(text: str) -> str:
    """Return text with ligatures split, soft hyphens removed and spaces collapsed."""
    # Most lines hold none of these; one search in C tells, before any per-character work.
    return _SPACES.sub(" ", text.translate(_LIGATURES)) if _ODD.search(text) else text


def _position(cm: list[float], tm: list[float]) -> tuple[float, float, float, bool]:
    """Return x, y, the vertical scale and whether the text is rotated, from tm × cm."""
    a = tm[0] * cm[0] + tm[1] * cm[2]
    b = tm[0] * cm[1] + tm[1] * cm[3]
    c = tm[2] * cm[0] + tm[3] * cm[2]
    d = tm[2] * cm[1] + tm[3] * cm[3]
    x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
    y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
    return x, y, math.hypot(c, d), abs(b) > 1e-3 or abs(c) > 1e-3 or a < 0


def page_lines(page: Any, index: int) -> list[PdfLine]:
    """Return the lines of one page with the geometry of their first piece of text."""
    pieces: list[tuple[str, int]] = []  # text, index into chunks (-1: pypdf's spacing)
    chunks: list[_Piece] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if not text:
            return
        if font is None:
            pieces.append((text, -1))
            return
        x, y, scale, rotated = _position(list(cm), list(tm))
        pieces.append((text, len(chunks)))
        chunks.append((text, x, y, float(size or 0) * scale, rotated))

    output = page.extract_text(visitor_text=visit)
    if "".join(text for text, _ in pieces) != output:
        return _aligned_lines(output, chunks, index)
    out: list[PdfLine] = []
    line: list[tuple[str, int]] = []
    for text, k in pieces:
        parts = text.split("\n")
        for n, part in enumerate(parts):
            if part:
                line.append((part, k))
            if n < len(parts) - 1:
                _finish(line, chunks, index, out)
                line = []
    _finish(line, chunks, index, out)
    return out


def _finish(line: list[tuple[str, int]], chunks: list[_Piece], index: int, out: list[PdfLine]) -> None:
    """Append one line made of (text, chunk) parts to ``out`` unless it prints nothing."""
    ks = [k for part, k in line if k >= 0 and not part.isspace()]
    text = normalize_text("".join(part for part, _ in line)).strip()
    if not text or not ks:
        return
    first = chunks[ks[0]]
    if all(k == ks[0] for _, k in line):
        first_text = text  # one piece of text makes the whole line
    else:
        first_text = normalize_text("".join(part for part, k in line if k == ks[0])).strip()
    out.append(PdfLine(index, text, first_text, first[1], first[2], max(chunks[k][3] for k in ks),
                       all(chunks[k][4] for k in ks)))


def _aligned_lines(output: str, chunks: list[_Piece], index: int) -> list[PdfLine]:
    """Return the lines of ``output`` with each character's chunk found by walking both."""
    owner = [-1] * len(output)
    pos = 0
    for k, (text, *_rest) in enumerate(chunks):
        for ch in text:
            if ch.isspace():
                if pos < len(output) and output[pos].isspace():
                    owner[pos] = k
                    pos += 1
                continue
            while pos < len(output) and output[pos] != ch and output[pos].isspace():
                pos += 1
            if pos < len(output) and output[pos] == ch:
                owner[pos] = k
                pos += 1
    out: list[PdfLine] = []
    start = 0
    for raw in output.split("\n"):
        end = start + len(raw)
        # Runs of one owner, as the fast path sees them.
        line = [(output[i], owner[i]) for i in range(start, end)]
        start = end + 1
        _finish(line, chunks, index, out)
    return out
