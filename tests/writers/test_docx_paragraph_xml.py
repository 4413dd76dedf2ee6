"""The DOCX writer's fast paths make exactly what the element builders make: paragraphs written as XML
text and parsed at once, and the package zipped in one pass."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
from conftest import REPO
from lxml import etree

from assembler.assembly.pipeline import assemble
from assembler.oxml.fields import append_ref_field, append_run, wrap_in_bookmark
from assembler.oxml.numbering import set_numbering
from assembler.oxml.package import fixed_time_zip, package_bytes
from assembler.oxml.paragraph_xml import RunSpec, paragraph_xml, parse_paragraphs
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
