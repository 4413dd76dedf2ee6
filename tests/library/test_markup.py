"""The clause markup subset."""

from __future__ import annotations

import pytest

from assembler.errors import RenderError
from assembler.library.markup import marker, parse_blocks, parse_inline
from assembler.library.template import escape_markup
from assembler.model import ItemList, Paragraph


def test_paragraphs_lists_and_emphasis() -> None:
    text = "Första **fet** och *kursiv*.\nsamma stycke\n\nParterna ska:\na) x\nb) y\n  fortsatt\n- punkt\n"
    blocks = parse_blocks(text)
    assert [type(b).__name__ for b in blocks] == ["Paragraph", "Paragraph", "ItemList", "ItemList"]
    first = blocks[0]
    assert isinstance(first, Paragraph)
    assert first.text == "Första fet och kursiv. samma stycke"
    assert [s.text for s in first.spans if s.bold] == ["fet"]
    letters = blocks[2]
    assert isinstance(letters, ItemList) and letters.style == "letter"
    assert [(i.label, i.text) for i in letters.items] == [("(a)", "x"), ("(b)", "y fortsatt")]
    assert isinstance(blocks[3], ItemList) and blocks[3].style == "bullet"


def test_escaped_answer_text_prints_literally() -> None:
    value = "{{ 7*7 }} **x** <b> - y \\ a) z"
    spans = parse_inline(escape_markup(value))
    assert "".join(s.text for s in spans) == value
    assert not any(s.bold or s.italic for s in spans)


def test_escaped_values_never_start_a_list() -> None:
    blocks = parse_blocks(escape_markup("- not a bullet") + "\n\n" + escape_markup("a) not an item"))
    assert all(isinstance(b, Paragraph) for b in blocks)


def test_markers_become_reference_spans() -> None:
    spans = parse_inline("se punkt " + marker("R", "sekretess") + " och " + marker("T", "projektet"))
    kinds = [(s.kind, s.target) for s in spans if s.kind != "text"]
    assert kinds == [("ref", "sekretess"), ("term", "projektet")]


def test_unclosed_emphasis_is_an_error() -> None:
    with pytest.raises(RenderError, match="never closed"):
        parse_inline("ett **fel")
