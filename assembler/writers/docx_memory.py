"""The XML of the paragraphs the DOCX writer has made, remembered per process.

The agreements of a batch share most of their paragraphs.  A paragraph's XML
is a function of exactly its row, style, bookmark and the bookmark names of
its document's cross-reference targets; those names are keyed by a number
(:func:`refs_key`) so that a paragraph's key is cheap to hash.  The web app
writes in several threads at once: a number is never given to two sets of
names, so no thread can take another document's paragraph for its own.
"""

from __future__ import annotations

import itertools

_PARAGRAPHS: dict[tuple[object, ...], tuple[str, bool]] = {}
_PARAGRAPHS_MAX = 4096
_XML_MAX = 4000  # a longer paragraph is not remembered: the memory stays small whatever the builds (web app)
# The bookmark names of a document's targets, each given a number never given before: not to other names after
# the tables are emptied, nor to two documents' names numbered at once by two threads.
_REFS: dict[tuple[tuple[str, str], ...], int] = {}
_REFS_MAX = 1024
_NUMBERS = itertools.count()
# The last mapping numbered, to number it once per document: one item, read and replaced whole, so that a
# thread never pairs one document's mapping with another's number.
_REFS_SEEN: list[tuple[dict[str, str] | None, int]] = [(None, -1)]


def refs_key(refs: dict[str, str] | None) -> int:
    """Return a number that stands for the contents of ``refs`` (-1 for None)."""
    if refs is None:
        return -1
    seen, number = _REFS_SEEN[0]
    if seen is refs:
        return number
    if len(_REFS) >= _REFS_MAX:
        _REFS.clear()
        _PARAGRAPHS.clear()
    names = tuple(refs.items())
    number = _REFS.get(names, -1)
    if number < 0:
        number = _REFS.setdefault(names, next(_NUMBERS))
    _REFS_SEEN[0] = (refs, number)
    return number


def written_paragraph(key: tuple[object, ...]) -> tuple[str, bool] | None:
    """Return the XML remembered for a paragraph key and whether it is written as is, or None."""
    return _PARAGRAPHS.get(key)


def remember_paragraph(key: tuple[object, ...], xml: str, as_is: bool) -> None:
    """Remember a paragraph's XML and whether it is written as is (the memory is emptied when full)."""
    if len(xml) > _XML_MAX:
        return
    if len(_PARAGRAPHS) >= _PARAGRAPHS_MAX:
        _PARAGRAPHS.clear()
    _PARAGRAPHS[key] = (xml, as_is)
