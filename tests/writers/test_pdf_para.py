"""The fast paragraph paths give ReportLab's own fragments and line breaks, for every paragraph of every example."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import REPO
from reportlab.platypus import Paragraph

from assembler.assembly.pipeline import assemble
from assembler.writers.pdf import _Builder
from assembler.writers.pdf_look import look_for
from assembler.writers.pdf_para import KeptLines, break_simple, own_frags, word_widths
from assembler.writers.pdf_style import Pair, Para, markup, styles

EXAMPLES = sorted(p.name for p in (REPO / "examples").glob("*.yaml"))


@pytest.fixture(autouse=True)
def _fresh_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from paragraphs parsed and broken afresh: an earlier test's paragraphs share fragments
    that ReportLab's line breaker has since marked (``_fkind``, worked out from the fragment alone)."""
    import assembler.writers.pdf_para as pdf_para
    monkeypatch.setattr(pdf_para, "_PARSED", {})
    monkeypatch.setattr(KeptLines, "_TABLE", {})


def _paras(flowables: list[Any]) -> Iterator[Para]:
    for f in flowables:
        if isinstance(f, Pair):
            yield from _paras([f.left, f.right])
        elif isinstance(f, Para):
            yield f


def _story(example: str, language: str) -> list[Any]:
    agreement = assemble(REPO / "examples" / example, as_of="2026-12-01", language=language).agreement
    builder = _Builder(agreement, look_for(None))
    return builder.story(()) + builder._signatures()[1:2]


def _frag_state(frags: list[Any]) -> list[dict[str, Any]]:
    return [dict(vars(f)) for f in frags]


def _lines(bl: Any) -> tuple[Any, ...]:
    return (bl.kind, bl.fontName, bl.fontSize, bl.ascent, bl.descent,
            [(extra, list(words)) for extra, words in bl.lines])


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("language", ["sv", "sv+en"])
def test_fragments_and_lines_are_reportlabs(example: str, language: str) -> None:
    paras = list(_paras(_story(example, language)))
    assert len(paras) > 20
    fast_breaks = 0
    for para in paras:
        theirs = Paragraph(para.text, para.style, bulletText=para.bulletText)
        assert _frag_state(para.frags) == _frag_state(theirs.frags), para.text
        for width in (120.0, 210.0, 455.0):
            mine_widths, their_widths = [width, width - 10], [width, width - 10]
            with word_widths():
                mine = break_simple(para, mine_widths)
            if mine is None:
                continue
            fast_breaks += 1
            assert _lines(mine) == _lines(theirs.breakLines(their_widths)), para.text
            assert mine_widths == their_widths  # a bullet narrows the first line alike
            assert para._width_max == theirs._width_max
    assert fast_breaks > len(paras)  # the quick way is the common way


def test_markup_that_is_not_ours_goes_to_reportlabs_parser() -> None:
    style = styles(False).body
    assert own_frags('<font color="red">x</font>', style) is None
    assert own_frags("a &nbsp; b", style) is None
    assert own_frags("<b>unclosed", style) is None
    assert own_frags("<b>a</i>", style) is None
    cleaned, frags = own_frags("a  &amp;\n <i><b>b</b> c</i>", style) or ("", [])
    theirs = Paragraph("a  &amp;\n <i><b>b</b> c</i>", style)
    assert cleaned == theirs.text and _frag_state(frags) == _frag_state(theirs.frags)
    assert [f.text for f in frags] == ["a ", "&", " ", "b", " c"]


def test_cases_the_quick_breaker_leaves_to_reportlab() -> None:
    style = styles(False).body
    long_word = Para("x" * 400, style)
    assert break_simple(long_word, [200.0]) is None
    assert len(long_word.breakLines([200.0]).lines) > 1  # ReportLab split it
    assert break_simple(Para("soft\xadhyphen here", style), [200.0]) is None
    assert break_simple(Para("two <b>frags</b>", style), [200.0]) is None


def test_markup_escapes_what_the_fast_parser_reads_back() -> None:
    from assembler.model import Span
    spans = (Span("A & B < C > D "), Span("fet", bold=True), Span(" kursiv", italic=True))
    style = styles(False).body
    para = Para(markup(spans), style)
    assert "".join(f.text for f in para.frags) == "A & B < C > D fet kursiv"


def test_a_style_made_from_a_used_one_gets_its_own_fragments() -> None:
    from reportlab.lib.styles import ParagraphStyle
    parent = ParagraphStyle("parent-used", styles(False).body)
    Para("plain <b>bold</b>", parent)  # its fragments are made and kept
    child = ParagraphStyle("child", parent, fontName=styles(False).heading.fontName, fontSize=17)
    para = Para("plain <b>bold</b>", child)
    theirs = Paragraph("plain <b>bold</b>", child)
    assert _frag_state(para.frags) == _frag_state(theirs.frags)
    assert para.frags[0].fontSize == 17


def _wrapped_state(para: Para) -> tuple[Any, ...]:
    bl = para.blPara
    lines = [(extra, list(words)) for extra, words in bl.lines] if bl.kind == 0 else \
        [(line.extraSpace, [(w.text, w.fontName) for w in line.words]) for line in bl.lines]
    return (para.width, para.height, bl.kind, lines, list(para._wrapWidths), para._width_max)


@pytest.mark.parametrize("language", ["sv", "sv+en"])
def test_kept_lines_are_the_lines_a_paragraph_breaks_into(language: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A paragraph given the lines kept from an earlier build has exactly what breaking it would give it,
    at each width; a paragraph of other markup, style or width is never given them."""
    monkeypatch.setattr(KeptLines, "_TABLE", {})
    widths = (455.0, 210.0)
    first = [p for p in _paras(_story("consortium.yaml", language)) if p._source is not None]
    assert len(first) > 20
    broken = [[_wrapped_state(p) for p in first if p.wrap(w, 800)] for w in widths]
    assert len(KeptLines._TABLE) >= len({(p._source, w) for p in first for w in widths}) > 20
    hits = 0
    get = KeptLines.get

    def counted(key: tuple[Any, ...]) -> KeptLines | None:
        nonlocal hits
        found = get(key)
        hits += found is not None
        return found

    monkeypatch.setattr(KeptLines, "get", counted)
    again = [p for p in _paras(_story("consortium.yaml", language)) if p._source is not None]
    kept = [[_wrapped_state(p) for p in again if p.wrap(w, 800)] for w in widths]
    assert hits == len(again) * len(widths)  # every paragraph took kept lines
    assert kept == broken
    monkeypatch.setattr(KeptLines, "_TABLE", {})
    assert [[_wrapped_state(p) for p in _paras(_story("consortium.yaml", language)) if p._source is not None
             and p.wrap(w, 800)] for w in widths] == broken  # the same as breaking afresh


def test_lines_are_kept_only_for_the_same_markup_style_and_bullet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(KeptLines, "_TABLE", {})
    st = styles(False)
    text = "Parterna ska samarbeta i god anda och informera varandra om allt som rör Projektet. " * 3
    Para(text, st.body).wrap(300.0, 800)
    for other in (Para(text, st.heading), Para(text + "x", st.body), Para(text, st.body, bulletText="1.1")):
        assert KeptLines.get((*other._source, 300.0)) is None
        other.wrap(300.0, 800)
        fresh = Paragraph(other.text, other.style, bulletText=other.bulletText)
        fresh.wrap(300.0, 800)
        assert other.height == fresh.height and other.blPara.lines == fresh.blPara.lines
    assert Para(text, st.body, caseSensitive=0)._source is None  # a keyword ReportLab reads: broken afresh


def test_the_table_of_kept_lines_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(KeptLines, "_TABLE", {})
    monkeypatch.setattr(KeptLines, "_MAX", 5)
    for n in range(12):
        Para(f"stycke {n}", styles(False).body).wrap(300.0, 800)
        assert len(KeptLines._TABLE) <= 5


def test_parsed_markup_is_kept_per_style_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import assembler.writers.pdf_para as pdf_para
    monkeypatch.setattr(pdf_para, "_PARSED", {})
    monkeypatch.setattr(pdf_para, "_PARSED_MAX", 3)
    st = styles(False)
    body, heading = own_frags("a <b>b</b>", st.body), own_frags("a <b>b</b>", st.heading)
    assert body is not None and heading is not None
    assert [f.fontName for f in body[1]] != [f.fontName for f in heading[1]]  # each style its own fragments
    for n in range(8):
        own_frags(f"stycke {n}", st.body)
        assert len(pdf_para._PARSED) <= 3
    assert own_frags("<u>x</u>", st.body) is None and own_frags("<u>x</u>", st.body) is None


def test_long_paragraphs_are_broken_afresh_and_never_kept() -> None:
    import assembler.writers.pdf_para as pdf_para
    from assembler.writers.pdf_para import KEPT_TEXT_MAX
    text = "ord " * (KEPT_TEXT_MAX // 4 + 1)
    para = Para(text, styles(False).body)
    assert para._source is None
    para.wrap(300.0, 10_000)
    fresh = Paragraph(text, styles(False).body)
    fresh.wrap(300.0, 10_000)
    assert para.height == fresh.height and len(para.blPara.lines) == len(fresh.blPara.lines) > 10
    assert not KeptLines._TABLE and not pdf_para._PARSED  # neither its lines nor its fragments stay behind
