"""The word diff aligns only the stretch between the first and last difference: the same segments as aligning all."""

from __future__ import annotations

import random

import pytest

from assembler.compare.align import full_word_segments, word_segments
from assembler.compare.trim import char_spans, trim
from assembler.model import Span

# Words, punctuation, typographic twins, odd whitespace and hyphenated or elided words.
_TOKENS = ["part", "parterna", "ska", "inte", "och", "avtalet", "3.1", "1 000", "kr", ",", ".", "...", "\u2026",
           "(a)", "\u201cord\u201d", '"ord"', "don't", "don\u2019t", "offentlig-privat", "offentlig\u2013privat",
           "§", "\u2013", "-", "_x_", "\u00e5r", "\u00c5R"]
_SPACES = [" "] * 12 + ["  ", "\u00a0", "\t", "\n", " \n"]


def _text(rng: random.Random, words: int) -> str:
    out = []
    for _ in range(words):
        out.append(rng.choice(_TOKENS))
        out.append(rng.choice(_SPACES))
    text = "".join(out)
    return text if rng.random() < 0.7 else text.strip()


def _spans(rng: random.Random) -> list[Span]:
    return [Span(_text(rng, rng.randint(0, 12)), rng.random() < 0.2, rng.random() < 0.1,
                 "ref" if rng.random() < 0.1 else "text") for _ in range(rng.randint(1, 4))]


def _edit(rng: random.Random, spans: list[Span]) -> list[Span]:
    out = list(spans)
    for _ in range(rng.randint(1, 4)):
        k = rng.randrange(len(out))
        span = out[k]
        roll = rng.random()
        if roll < 0.5 and span.text:
            at = rng.randrange(len(span.text) + 1)
            cut = rng.randint(0, 8)
            out[k] = Span(span.text[:at] + rng.choice(["", rng.choice(_TOKENS), rng.choice(_SPACES)])
                          + span.text[at + cut:], span.bold, span.italic)
        elif roll < 0.65:
            out[k] = Span(span.text, not span.bold, span.italic)
        elif roll < 0.8 and len(span.text) > 1:
            at = rng.randrange(1, len(span.text))
            out[k:k + 1] = [Span(span.text[:at], span.bold, span.italic), Span(span.text[at:], span.bold, span.italic)]
        elif roll < 0.9:
            out.insert(k + rng.randint(0, 1), Span(_text(rng, rng.randint(0, 3)), rng.random() < 0.5))
        elif len(out) > 1:
            del out[k]
    return out


@pytest.mark.parametrize("seed", range(40))
def test_trimmed_word_diff_is_the_whole_word_diff(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(150):
        old = _spans(rng)
        new = _edit(rng, old)
        for formatting in (True, False):
            assert word_segments(old, new, formatting=formatting) == full_word_segments(
                old, new, formatting=formatting), (old, new, formatting)
            assert word_segments(new, old, formatting=formatting) == full_word_segments(
                new, old, formatting=formatting), (new, old, formatting)


@pytest.mark.parametrize(("old", "new"), [
    ("a b c", "a b X c"), ("a b c", "a c"), ("a b.", "a b. New."), ("a b. New.", "a b."),
    ("x c", "x c c"), ("x c c", "x c"), ("a a a", "a a a a"), ("part part", "part  part"),
    ("one two three", "one two three"), ("", "a"), ("a", ""), ("ab", "a b"), ("a\u00a0b c", "a b c"),
])
def test_edge_cases_match_the_whole_word_diff(old: str, new: str) -> None:
    for a, b in (((Span(old),), (Span(new),)), ((Span(old), Span(" z.")), (Span(new), Span(" z."))),
                 ((Span("q "), Span(old, bold=True)), (Span("q "), Span(new, bold=True)))):
        assert word_segments(a, b) == full_word_segments(a, b)


def test_a_one_word_change_aligns_only_that_word() -> None:
    old = (Span("Parterna ska samarbeta i projektet enligt bilaga 1. "), Span("5", kind="ref"), Span("."))
    new = (Span("Parterna ska samverka i projektet enligt bilaga 1. "), Span("5", kind="ref"), Span("."))
    cut = trim(old, new)
    assert cut is not None
    assert "".join(s.text for s in cut.old) == "samarbeta" and "".join(s.text for s in cut.new) == "samverka"
    assert [(s.op, s.old_text, s.new_text) for s in word_segments(old, new)] == [
        ("equal", "Parterna ska ", "Parterna ska "), ("replace", "samarbeta", "samverka"),
        ("equal", " i projektet enligt bilaga 1. 5.", " i projektet enligt bilaga 1. 5.")]


def test_char_spans_join_one_look_and_drop_the_rest() -> None:
    spans = (Span("ab", bold=True), Span(""), Span("cd", bold=True, kind="ref", target="k1"), Span("ef"))
    assert char_spans(spans, 1, 5) == (Span("bcd", bold=True), Span("e"))
    assert char_spans(spans, 2, 2) == ()


@pytest.mark.parametrize("seed", range(10))
def test_tokens_and_words_are_the_patterns_matches(seed: int) -> None:
    """The split-based tokeniser and word finder give exactly the regular expressions' matches."""
    from assembler.compare.align import _TOKEN_RE, _WORD_RE, _tokens, normal_key, typographic_key, word_keys

    rng = random.Random(seed)
    odd = ["_", "\u00ad", "\u200b", "\x85", "\u2028", "\u3000", "\u0301", "\u00b2", "\u0663", "a\u0301b", "\ufb01"]
    for _ in range(400):
        text = _text(rng, rng.randint(0, 10))
        if rng.random() < 0.4:
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(odd + _TOKENS) + text[at:]
        assert _tokens(text) == _TOKEN_RE.findall(text), text
        assert word_keys(text) == _WORD_RE.findall(text), text
        assert normal_key(text) == " ".join(typographic_key(text).split()), text
