"""The DOCX writer's fast paths make exactly what the element builders make: paragraphs written as XML
text and parsed at once, and the package zipped in one pass."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import replace

import docx
import pytest
from conftest import REPO
from lxml import etree
from sample import sample_agreement

from assembler.assembly.pipeline import assemble
from assembler.oxml.fields import append_ref_field, append_run, wrap_in_bookmark
from assembler.oxml.numbering import set_numbering
from assembler.oxml.package import fixed_time_zip, package_bytes
from assembler.oxml.paragraph_xml import RunSpec, Splices, paragraph_xml, parse_paragraphs, written_as_is
from assembler.oxml.parts import set_paragraph_style
from assembler.writers.docx import write_docx


def _by_elements(style: str, runs: list[RunSpec], num: tuple[int, int | None] | None, keep: bool,
                 bookmark: tuple[int, str, bool] | None) -> bytes:
    """Return the paragraph as the element builders (and python-docx) make it."""
    paragraph = docx.Document().add_paragraph()
    p = paragraph.paragraph_format.element
    if style:
        set_paragraph_style(p, style)
    if num is not None:
        set_numbering(p, *num)
    for run in runs:
        if run.field:
            append_ref_field(p, run.field, run.text, run.switches, bold=run.bold, italic=run.italic)
        else:
            append_run(p, run.text, run.bold, run.italic)
    if keep:
        paragraph.paragraph_format.keep_with_next = True
    if bookmark is not None:
        wrap_in_bookmark(p, bookmark[0], bookmark[1], 0, 0 if bookmark[2] else None)
    return etree.tostring(p)


CASES = [
    ("", [RunSpec("plain text")], None, False, None),
    ("Heading1", [RunSpec(" lead & <trail> ", bold=True)], (3, 0), False, (1, "_Ref_a", False)),
    ("SubClause", [RunSpec("1.2\t"), RunSpec("see ", italic=True), RunSpec("4", field="_Ref_x"),
                   RunSpec("line\none\r\ntwo\rthree", bold=True, italic=True)], (3, 1), False, (7, "_Ref_b", False)),
    ("SubClauseBody", [RunSpec("Bilaga 1"), RunSpec(" \u2013 \"Budget\"")], None, True, (9, "_Ref_c", True)),
    ("SectionHeading", [], (0, None), True, (2, "_Ref_empty", False)),
    ("", [RunSpec("Bilaga 2", field="_Ref_app", switches="\\h")], None, False, None),
]


def test_paragraph_text_parses_to_what_the_element_builders_make() -> None:
    parsed = parse_paragraphs([paragraph_xml(style, runs, num_id=num[0] if num else None,
                                             level=num[1] if num else None, keep_next=keep, bookmark=mark)
                               for style, runs, num, keep, mark in CASES])
    assert len(parsed) == len(CASES)
    for element, case in zip(parsed, CASES):
        # Serialised inside a document (as the body holds them), the namespace is declared once, on the root.
        holder = docx.Document().element.body
        holder.append(element)
        assert etree.tostring(element) == _by_elements(*case), case


def test_the_one_pass_package_is_what_saving_and_refixing_the_zip_gives() -> None:
    agreement = assemble(REPO / "examples" / "basic.yaml", as_of="2026-12-01", language="sv").agreement
    built = write_docx(agreement)
    document = docx.Document(io.BytesIO(built))
    saved = io.BytesIO()
    document.save(saved)
    day = dt.date(2026, 12, 1)
    assert package_bytes(docx.Document(io.BytesIO(built)).part.package, day) == fixed_time_zip(saved.getvalue(), day)
    with zipfile.ZipFile(io.BytesIO(built)) as z:
        assert z.namelist()[0] == "[Content_Types].xml"
        assert {i.date_time for i in z.infolist()} == {(2026, 12, 1, 0, 0, 0)}


# Text an answer file or a clause may hold, and style ids and bookmark names a reference DOCX may bring.
HOSTILE = [
    "quotes \" and ' and &amp; & < > ]]> --> <!-- <?pi?>", "\u00a0no-break\u00a0spaces\u00a0", "zero\u200dwidth",
    "emoji \U0001f680 and \U00010348", "rtl \u202eevil\u202c mark", "line\u2028separator", "  lead and trail  ",
    "tab\there", "new\nline", "cr\rhere", "vertical\x0btab", "nul\x00", "not a char \ufffe", "lone \ud800 surrogate",
    "", "plain",
]


def _spliced_and_parsed(xml: str) -> tuple[bytes, bytes]:
    """Return a document part with ``xml`` spliced in as text, and with it parsed and written by lxml."""
    spliced, parsed = docx.Document().element, docx.Document().element
    splices = Splices()
    splices.hold(spliced.body[-1], xml)
    parsed.body[-1].addprevious(parse_paragraphs([xml])[0])
    return splices.apply(etree.tostring(spliced, encoding="UTF-8")), etree.tostring(parsed, encoding="UTF-8")


def test_paragraph_text_judged_as_is_is_exactly_what_lxml_writes() -> None:
    verdicts = []
    for text in HOSTILE:
        for style, mark in (("Heading1", "_Ref_a"), ('Odd"Style', "_Ref_b"), ("Plain", 'x"&<y'), ("A\tB", "_Ref_\n")):
            xml = paragraph_xml(style, [RunSpec(text, italic=True), RunSpec(text, field=mark)], num_id=3, level=1,
                                keep_next=True, bookmark=(5, mark, True))
            verdicts.append(written_as_is(xml))
            if written_as_is(xml):
                spliced, parsed = _spliced_and_parsed(xml)
                assert spliced == parsed, (text, style, mark)
    assert True in verdicts and False in verdicts


@pytest.mark.parametrize("text", HOSTILE)
def test_a_docx_with_spliced_paragraphs_is_the_one_made_by_parsing_them(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The document part put together from paragraph text has the bytes of the one parsed and written by lxml,
    and embeds the italic faces when only spliced text is italic."""
    import assembler.writers.docx_memory as memory
    from assembler.model import Span
    agreement = sample_agreement("sv")
    doc = agreement.documents[0]
    clauses = list(doc.clauses)
    block = clauses[1].blocks[0]
    clauses[1] = replace(clauses[1], blocks=(replace(block, spans=(Span(text, italic=True), *block.spans)),
                                             *clauses[1].blocks[1:]))
    agreement = replace(agreement, documents=(replace(doc, clauses=tuple(clauses)),))
    monkeypatch.setattr(memory, "_PARAGRAPHS", {})
    try:
        spliced = write_docx(agreement)
    except Exception as exc:  # noqa: BLE001 - the same refusal both ways is checked below
        spliced = repr(exc).encode()
    monkeypatch.setattr(memory, "_PARAGRAPHS", {})
    monkeypatch.setattr("assembler.writers.docx.written_as_is", lambda xml: False)
    try:
        parsed = write_docx(agreement)
    except Exception as exc:  # noqa: BLE001
        parsed = repr(exc).encode()
    assert spliced == parsed
    if spliced.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(spliced)) as z:
            assert any("font" in n and n.endswith(".odttf") for n in z.namelist())
            fonts = z.read("word/fontTable.xml").decode()
        assert "Italic" in fonts or 'w:embedItalic' in fonts


def test_a_placeholder_missing_from_the_bytes_is_an_error() -> None:
    body = docx.Document().element.body
    splices = Splices()
    splices.hold(body[-1], "<w:p/>")
    blob = etree.tostring(body)
    assert b"<w:p/>" in splices.apply(blob)
    with pytest.raises(ValueError, match="placeholder 0"):
        splices.apply(blob.replace(b"<?assembler", b"<?other"))


@pytest.mark.parametrize("parties", [1, 2, 3, 4, 5])
def test_a_spliced_signature_table_is_the_one_python_docx_makes(parties: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each count of signing parties (an odd one leaves a cell empty) gives the bytes python-docx's table gives."""
    import assembler.writers.docx_memory as memory
    agreement = sample_agreement("sv")
    doc = agreement.documents[0]
    signatures = tuple(replace(doc.signatures[n % len(doc.signatures)], party=f"Part {n} & <Söner>")
                       for n in range(parties))
    agreement = replace(agreement, documents=(replace(doc, signatures=signatures),))
    monkeypatch.setattr(memory, "_PARAGRAPHS", {})
    spliced = write_docx(agreement)
    monkeypatch.setattr(memory, "_PARAGRAPHS", {})
    monkeypatch.setattr("assembler.writers.docx.written_as_is", lambda xml: False)
    assert write_docx(agreement) == spliced
    table = docx.Document(io.BytesIO(spliced)).tables[-1]
    assert [c.paragraphs[0].text for row in table.rows for c in row.cells][:parties] == \
        [f"Part {n} & <Söner> ({signatures[n].orgnr})" if signatures[n].orgnr else f"Part {n} & <Söner>"
         for n in range(parties)]
    assert len(table.rows) == (parties + 1) // 2


@pytest.mark.parametrize("italic", [True, False])
def test_italic_faces_are_embedded_when_only_spliced_text_is_italic(italic: bool) -> None:
    """The italic faces follow italic text that is still only text (spliced), not yet in the tree."""
    from assembler.model import ItemList, ListItem, Paragraph, Span
    agreement = sample_agreement("sv")
    doc = agreement.documents[0]

    def plain(block: object) -> object:  # every span upright, but the first paragraph's first one as asked
        if isinstance(block, Paragraph):
            return replace(block, spans=tuple(replace(s, italic=False) for s in block.spans))
        if isinstance(block, ItemList):
            return replace(block, items=tuple(ListItem(tuple(replace(s, italic=False) for s in i.spans), i.label)
                                              for i in block.items))
        return block

    clauses = [replace(c, blocks=tuple(plain(b) for b in c.blocks)) for c in doc.clauses]
    first = clauses[0].blocks[0]
    assert isinstance(first, Paragraph)
    clauses[0] = replace(clauses[0], blocks=(replace(first, spans=(Span("kursivt", italic=italic), *first.spans)),
                                             *clauses[0].blocks[1:]))
    data = write_docx(replace(agreement, documents=(replace(doc, clauses=tuple(clauses), preamble=tuple(
        plain(b) for b in doc.preamble)),)))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        fonts = z.read("word/fontTable.xml").decode()
        document = z.read("word/document.xml").decode()
    assert ("<w:i/>" in document) is italic
    assert ("w:embedItalic" in fonts) is italic
