"""The common head and tail of two runs of spans, cut where the word diff's tokens are cut.

Two versions of a paragraph usually differ in a few words; the word diff
need only tokenise and align the stretch between the first and the last
difference.  A cut falls where whitespace meets non-whitespace in the text
of a span (or at a span's end): no token crosses such a place, so the
tokens of the stretch are exactly the tokens the whole paragraph has there.
:func:`assembler.compare.align.word_segments` checks the one condition under
which aligning the stretch alone could differ from aligning the whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assembler.model import Span

# How far back from the first difference a cut is looked for; a longer
# token (a URL) simply leaves the head uncut there.
_CUT_SEARCH = 200


@dataclass(frozen=True)
class Trim:
    """Where two runs of spans differ: the spans between (sliced), and the common head and tail in characters."""

    old: tuple[Span, ...]
    new: tuple[Span, ...]
    head: int
    tail: int


def _look(span: Span) -> tuple[str, bool, bool]:
    return span.text, span.bold, span.italic


def _common_prefix(x: str, y: str, limit: int) -> int:
    """Return how many leading characters ``x`` and ``y`` share, at most ``limit`` (slices compared in C)."""
    good, bad = 0, limit + 1
    while bad - good > 1:
        mid = (good + bad) // 2
        if x[:mid] == y[:mid]:
            good = mid
        else:
            bad = mid
    return good


def _common_suffix(x: str, y: str, limit: int) -> int:
    """Return how many trailing characters ``x`` and ``y`` share, at most ``limit``."""
    good, bad = 0, limit + 1
    while bad - good > 1:
        mid = (good + bad) // 2
        if x[len(x) - mid:] == y[len(y) - mid:]:
            good = mid
        else:
            bad = mid
    return good


def _boundary(text: str, at: int) -> bool:
    """Return whether no token of ``text`` crosses position ``at``."""
    return at == 0 or at == len(text) or text[at - 1].isspace() != text[at].isspace()


def _head_cut(x: str, y: str) -> int:
    """Return the longest common head of two span texts that ends at a token boundary in both."""
    k = _common_prefix(x, y, min(len(x), len(y)))
    stop = max(0, k - _CUT_SEARCH)
    while k > stop:
        if _boundary(x, k) and _boundary(y, k):
            return k
        k -= 1
    return 0


def _tail_cut(x: str, y: str, limit: int) -> int:
    """Return the longest common tail (at most ``limit`` characters) that starts at a token boundary in both."""
    t = _common_suffix(x, y, limit)
    stop = max(0, t - _CUT_SEARCH)
    while t > stop:
        if _boundary(x, len(x) - t) and _boundary(y, len(y) - t):
            return t
        t -= 1
    return 0


def trim(old: Sequence[Span], new: Sequence[Span], *, tail: bool = True) -> Trim | None:
    """Return the differing middle of two runs of spans, or None when there is no useful cut.

    The head and tail are identical on both sides in text and look; with a
    tail, the middle keeps at least one character of each side.  Without
    (``tail=False``) the middle runs to the end of both.
    """
    i = 0
    while i < len(old) and i < len(new) and _look(old[i]) == _look(new[i]):
        i += 1
    if i == len(old) or i == len(new):
        return None
    k = _head_cut(old[i].text, new[i].text) if _look(old[i])[1:] == _look(new[i])[1:] else 0
    # Whole spans at the end, never reaching back to span i.
    j = 0
    while (tail and len(old) - 1 - j > i and len(new) - 1 - j > i
           and _look(old[len(old) - 1 - j]) == _look(new[len(new) - 1 - j])):
        j += 1
    ea, eb = len(old) - 1 - j, len(new) - 1 - j
    x, y = old[ea].text, new[eb].text
    start_a = k if ea == i else 0
    start_b = k if eb == i else 0
    t = 0
    if tail and old[ea].bold == new[eb].bold and old[ea].italic == new[eb].italic:
        # The middle keeps a character of each side's last differing span.
        limit = min(len(x) - start_a, len(y) - start_b) - 1
        if limit > 0:
            t = _tail_cut(x[start_a:], y[start_b:], limit)
    if k == 0 and i == 0 and t == 0 and j == 0:
        return None
    return Trim(_middle(old, i, k, ea, t), _middle(new, i, k, eb, t),
                sum(len(s.text) for s in old[:i]) + k,
                sum(len(s.text) for s in old[ea + 1:]) + t)


def _middle(spans: Sequence[Span], first: int, k: int, last: int, t: int) -> tuple[Span, ...]:
    """Return spans ``first..last`` with ``k`` characters cut from the first and ``t`` from the last."""
    out: list[Span] = []
    for n in range(first, last + 1):
        span = spans[n]
        text = span.text
        lo = k if n == first else 0
        hi = len(text) - t if n == last else len(text)
        out.append(span if (lo, hi) == (0, len(text)) else Span(text[lo:hi], span.bold, span.italic))
    return tuple(out)


def char_spans(spans: Sequence[Span], start: int, end: int) -> tuple[Span, ...]:
    """Return characters ``start:end`` of a run of spans as the word diff shows them.

    One span per stretch of one look (neighbours of the same look joined, empty
    pieces dropped), carrying only text, bold and italic.
    """
    pieces: list[tuple[str, bool, bool]] = []
    at = 0
    for span in spans:
        lo, hi = max(start, at) - at, min(end, at + len(span.text)) - at
        at += len(span.text)
        if lo >= hi:
            continue
        piece = span.text[lo:hi]
        if pieces and pieces[-1][1:] == (span.bold, span.italic):
            piece = pieces.pop()[0] + piece
        pieces.append((piece, span.bold, span.italic))
    return tuple(Span(text, bold, italic) for text, bold, italic in pieces)
