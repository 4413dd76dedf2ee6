"""A ReportLab TrueType font whose text-to-subset mapping runs in C for characters it has met before.

ReportLab embeds a TrueType font as subsets of up to 256 glyphs and maps
every string it draws to (subset, bytes) pairs in ``TTFont.splitString``, a
pure-Python loop over the characters: a fifth of the PDF writer's time.  An
agreement uses a hundred-odd distinct characters, so after the first lines
nearly every string consists of characters already assigned a code.
:class:`SubsetFont` remembers those codes per document in a translation
table and maps such a string with ``str.translate``; any string with a
character not yet in the table (or outside the first subset) goes through
ReportLab's own loop, which assigns the codes exactly as before.  The bytes
of the PDF do not change.

Each PDF also embeds the glyphs it uses as a subset font, cut from the
TrueType file and deflated: a few milliseconds for the same hundred-odd
glyphs in agreement after agreement of a batch.  The face keeps the last
subsets it cut and their deflated bytes (:class:`_KeptSubsets`), the same
bytes ReportLab would have made.
"""

from __future__ import annotations

import functools
import threading
import zlib
from typing import Any

from reportlab.pdfbase.ttfonts import TTFont, TTFontFace  # type: ignore[import-untyped]

_NBSP = 0xA0  # ReportLab draws a no-break space as the space glyph


class _Codes(dict[int, str]):
    """Character -> one-character string of its code in subset 0; notes a character it lacks.

    ``str.translate`` keeps a character whose lookup raises LookupError, so the
    miss is recorded here and the caller falls back to ReportLab's loop.
    """

    missed = False

    def __missing__(self, key: int) -> str:
        self.missed = True
        raise LookupError(key)


class SubsetFont(TTFont):  # type: ignore[misc]  # ReportLab ships no type hints
    """A TTFont whose ``splitString`` gives ReportLab's result, without its per-character loop where it can,
    and whose subsets are cut and deflated once for the same glyphs."""

    def __init__(self, name: str, filename: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(name, filename, *args, **kwargs)
        self.face.__class__ = _KeptSubsets  # ReportLab made the face; it gains a memory, no other state

    def splitString(self, text: Any, doc: Any, encoding: str = "utf-8") -> list[tuple[int, bytes]]:
        state = self.state.get(doc)
        codes: _Codes | None = getattr(state, "_assembler_codes", None) if state is not None else None
        if codes is not None and isinstance(text, str):
            codes.missed = False
            mapped = text.translate(codes)
            if not codes.missed:
                return [(0, mapped.encode("latin-1"))] if mapped else []
        result: list[tuple[int, bytes]] = super().splitString(text, doc, encoding)
        if isinstance(text, str):
            self._learn(text, self.state[doc])
        return result

    def _learn(self, text: str, state: Any) -> None:
        """Add the codes ReportLab has now given the characters of ``text`` (those in subset 0) to the table."""
        codes = getattr(state, "_assembler_codes", None)
        if codes is None:
            codes = state._assembler_codes = _Codes()
        assignments, glyphs = state.assignments, self.face.charToGlyph
        for char in set(text):
            code = ord(char)
            looked_up = 32 if code == _NBSP else code
            if looked_up in assignments:
                n = assignments[looked_up]
            elif looked_up not in glyphs:
                n = 0  # no glyph: ReportLab draws .notdef, code 0
            else:
                continue  # not assigned (cannot happen after splitString): leave it to ReportLab
            if n < 256:
                codes[code] = chr(n)


_KEPT = 16  # subsets kept per face: a batch of one agreement shape uses one or two
_KEPT_LOCK = threading.Lock()


class _KeptSubsets(TTFontFace):  # type: ignore[misc]
    """A TrueType face that cuts a subset once for the same glyphs and deflates its bytes once."""

    def makeSubset(self, subset: list[int]) -> bytes:
        kept: dict[tuple[int, ...], bytes] = self.__dict__.setdefault("_assembler_subsets", {})
        key = tuple(subset)
        # The web app builds in threads that share the registered fonts, and ReportLab cuts a subset by
        # moving a read position in the face: one thread at a time.
        with _KEPT_LOCK:
            data = kept.get(key)
            if data is None:
                if len(kept) >= _KEPT:
                    kept.pop(next(iter(kept)))
                data = kept[key] = super().makeSubset(subset)
        return data

    def addSubsetObjects(self, doc: Any, fontname: str, subset: list[int]) -> Any:
        descriptor = super().addSubsetObjects(doc, fontname, subset)
        stream = doc.idToObject.get(f"fontFile:{self.filename}({fontname})")
        if doc.compression and stream is not None and stream.filters and len(stream.filters) == 1 \
                and stream.filters[0].pdfname == "FlateDecode":
            stream.filters = [_KEPT_FLATE]
        return descriptor


class _KeptFlate:
    """ReportLab's FlateDecode filter (``zlib.compress`` at its default level) for subset fonts, which are the
    same bytes object each time a kept subset is embedded again: deflated once for all of them."""

    pdfname = "FlateDecode"

    def encode(self, data: bytes) -> bytes:
        return _deflated(data)

    def decode(self, data: bytes) -> bytes:
        return zlib.decompress(data)


@functools.lru_cache(maxsize=_KEPT)
def _deflated(data: bytes) -> bytes:
    return zlib.compress(data)


_KEPT_FLATE = _KeptFlate()
