"""Pairing two sequences of keyed items: equal keys in order, moves, and similar items in each gap."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assembler.compare.sequence import match_pairs


@dataclass(frozen=True)
class Pairing:
    """How two sequences of items were paired.

    ``steps`` is the merged order: ``(old_index, new_index, tag)`` with tag
    ``equal`` or ``changed`` (both present), ``removed``, ``added``,
    ``from`` (old position of a moved item) or ``to`` (its new position).
    """

    steps: tuple[tuple[int | None, int | None, str], ...]


def pair_sequences(old_keys: Sequence[str], new_keys: Sequence[str], *,
                   similar: Callable[[int, int], float] | None = None,
                   threshold: float = 0.5,
                   movable: Callable[[int], bool] | None = None) -> Pairing:
    """Return the pairing of two keyed sequences.

    Items with equal keys are aligned in order; equal keys left over on both
    sides become moves when ``movable`` allows; the rest are paired inside
    each gap when ``similar`` scores them at least ``threshold``.
    """
    ids: dict[str, int] = {}
    ka = [ids.setdefault(k, len(ids)) for k in old_keys]
    kb = [ids.setdefault(k, len(ids)) for k in new_keys]
    pairs = match_pairs(ka, kb)
    paired_old = {i for i, _ in pairs}
    paired_new = {j for _, j in pairs}
    moves: dict[int, int] = {}
    waiting: dict[int, list[int]] = {}
    for j, key in enumerate(kb):
        if j not in paired_new and (movable is None or movable(j)):
            waiting.setdefault(key, []).append(j)
    gap_of_old = {i: bisect_left(pairs, (i, -1)) for i in range(len(ka)) if i not in paired_old}
    gap_of_new = {j: bisect_left([q for _, q in pairs], j) for j in range(len(kb)) if j not in paired_new}
    for i, key in enumerate(ka):
        if i not in paired_old and waiting.get(key):
            j = waiting[key][0]
            if gap_of_old[i] == gap_of_new[j]:
                continue  # same place between the same neighbours: no move, paired below
            moves[i] = waiting[key].pop(0)
    moved_new = {j: i for i, j in moves.items()}

    steps: list[tuple[int | None, int | None, str]] = []
    prev_i = prev_j = 0
    for i, j in [*pairs, (len(ka), len(kb))]:
        gap_old = [x for x in range(prev_i, i)]
        gap_new = [y for y in range(prev_j, j)]
        steps.extend(_pair_gap(gap_old, gap_new, moves, moved_new, similar, threshold))
        if i < len(ka):
            steps.append((i, j, "equal"))
        prev_i, prev_j = i + 1, j + 1
    return Pairing(tuple(steps))


def _pair_gap(gap_old: list[int], gap_new: list[int], moves: dict[int, int],
              moved_new: dict[int, int], similar: Callable[[int, int], float] | None,
              threshold: float) -> list[tuple[int | None, int | None, str]]:
    """Return the merged steps of one gap between aligned items."""
    free_old = [i for i in gap_old if i not in moves]
    free_new = [j for j in gap_new if j not in moved_new]
    matched: dict[int, int] = {}
    if similar is not None and free_old and free_new:
        matched = _global_pairs(free_old, free_new, similar, threshold)
    matched_new = {j: i for i, j in matched.items()}
    out: list[tuple[int | None, int | None, str]] = []
    oi = 0
    # Old-only items go before the new item they were paired with or, when
    # unpaired, as early as possible: deletions read before insertions.
    for j in gap_new:
        partner = matched_new.get(j)
        if partner is not None:
            while oi < len(gap_old) and gap_old[oi] <= partner:
                i = gap_old[oi]
                if i == partner:
                    out.append((i, j, "changed"))
                elif i in moves:
                    out.append((i, moves[i], "from"))
                else:
                    out.append((i, None, "removed"))
                oi += 1
            continue
        while oi < len(gap_old) and gap_old[oi] not in matched:
            i = gap_old[oi]
            out.append((i, moves[i], "from") if i in moves else (i, None, "removed"))
            oi += 1
        out.append((moved_new[j], j, "to") if j in moved_new else (None, j, "added"))
    for i in gap_old[oi:]:
        out.append((i, moves[i], "from") if i in moves else (i, None, "removed"))
    return out


# Above this many cells a gap is paired by the bounded look-ahead instead
# of the full alignment, so a pathological gap never costs quadratic time.
_DP_CELLS = 250_000


def _global_pairs(old: list[int], new: list[int], similar: Callable[[int, int], float],
                  threshold: float) -> dict[int, int]:
    """Return the in-order pairing of similar items that maximises total similarity.

    A Needleman-Wunsch alignment without gap penalties: every pair scoring
    at least ``threshold`` may be taken, and the set of pairs with the
    highest sum wins, so a lightly edited paragraph is never left unpaired
    because a worse pair came first.  Only cells whose items share a word
    are scored (``similar`` sees the rest as 0).
    """
    n, m = len(old), len(new)
    if n * m > _DP_CELLS:
        return _greedy_pairs(old, new, similar, threshold)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    take = [[False] * (m + 1) for _ in range(n + 1)]
    for x in range(n - 1, -1, -1):
        row, below = score[x], score[x + 1]
        trow = take[x]
        for y in range(m - 1, -1, -1):
            best = below[y] if below[y] >= row[y + 1] else row[y + 1]
            s = similar(old[x], new[y])
            if s >= threshold and below[y + 1] + s > best:
                best = below[y + 1] + s
                trow[y] = True
            row[y] = best
    out: dict[int, int] = {}
    x = y = 0
    while x < n and y < m:
        if take[x][y]:
            out[old[x]] = new[y]
            x += 1
            y += 1
        elif score[x + 1][y] >= score[x][y + 1]:
            x += 1
        else:
            y += 1
    return out


def _greedy_pairs(old: list[int], new: list[int], similar: Callable[[int, int], float],
                  threshold: float, window: int = 6) -> dict[int, int]:
    """Return an in-order pairing of similar items, looking a few items ahead.

    The look-ahead window bounds the work to linear in the gap length.
    """
    out: dict[int, int] = {}
    x = y = 0
    while x < len(old) and y < len(new):
        best = (threshold, -1, -1)
        for dx in range(min(window, len(old) - x)):
            for dy in range(min(window, len(new) - y)):
                score = similar(old[x + dx], new[y + dy]) - 0.02 * (dx + dy)
                if score >= best[0] and (score > best[0] or best[1] < 0):
                    best = (score, dx, dy)
        if best[1] < 0:
            x += 1
            continue
        out[old[x + best[1]]] = new[y + best[2]]
        x += best[1] + 1
        y += best[2] + 1
    return out
