"""The OOXML helpers: one namespace helper, the house template, the fixed-time package, row and cell elements."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx

from assembler import assemble
from assembler.oxml.ns import W_NS, qn
from assembler.oxml.package import _LEVEL, _head, _zip, fixed_time_zip, house_template
from assembler.oxml.parts import cell_element, row_element
from assembler.writers.docx import write_docx

REPO = Path(__file__).resolve().parents[2]


def test_qn_names_a_wordprocessingml_element() -> None:
    assert qn("p") == f"{{{W_NS}}}p" and W_NS.endswith("/wordprocessingml/2006/main")


def test_the_house_template_is_a_word_document_with_our_styles() -> None:
    document = docx.Document(io.BytesIO(house_template()))
    names = {s.name for s in document.styles}
    assert {"Title", "Heading 1"} <= names


def test_the_package_is_rewritten_with_one_date_and_content_types_first() -> None:
    buffer = io.BytesIO()
    docx.Document(io.BytesIO(house_template())).save(buffer)
    fixed = fixed_time_zip(buffer.getvalue(), dt.date(2026, 3, 1))
    with zipfile.ZipFile(io.BytesIO(fixed)) as package:
        infos = package.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(2026, 3, 1, 0, 0, 0)}
    assert fixed_time_zip(buffer.getvalue(), dt.date(2026, 3, 1)) == fixed


def test_no_date_or_one_before_zip_time_begins_gives_1980() -> None:
    buffer = io.BytesIO()
    docx.Document(io.BytesIO(house_template())).save(buffer)
    for day in (None, dt.date(1970, 1, 1)):
        with zipfile.ZipFile(io.BytesIO(fixed_time_zip(buffer.getvalue(), day))) as package:
            assert {i.date_time for i in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_row_and_cell_elements_are_tr_and_tc() -> None:
    table = docx.Document().add_table(rows=1, cols=2)
    assert row_element(table.rows[0]).tag == qn("tr")
    assert cell_element(table.rows[0].cells[1]).tag == qn("tc")


def _one_pass(entries: list[tuple[str, bytes]], stamp: tuple[int, int, int, int, int, int]) -> bytes:
    """A ZIP of ``entries`` in this order, written by zipfile in one go: what a package must equal."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, blob in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type, info.create_system, info.external_attr = zipfile.ZIP_DEFLATED, 0, 0
            dst.writestr(info, blob, compresslevel=_LEVEL)
    return out.getvalue()


def test_a_package_built_on_the_kept_fonts_is_the_zip_written_in_one_pass() -> None:
    agreement = assemble(REPO / "examples" / "basic.yaml", as_of="2026-12-01", language="sv").agreement
    with zipfile.ZipFile(io.BytesIO(write_docx(agreement))) as built:
        names = built.namelist()
        entries = [(name, built.read(name)) for name in names]
        assert names[0] == "[Content_Types].xml"
        fonts = [n for n in names if n.endswith(".odttf")]
        assert fonts and names[1:1 + len(fonts)] == fonts  # the fonts come next, deflated
        assert all(built.getinfo(n).compress_size < built.getinfo(n).file_size * 0.7 for n in fonts)
    expected = _one_pass(entries, (2026, 12, 1, 0, 0, 0))
    shuffled = entries[3:] + entries[:3]  # the order given does not matter: content types, fonts, the rest
    _head.cache_clear()
    assert _zip(shuffled, dt.date(2026, 12, 1)) == expected  # the fonts zipped afresh
    assert _head.cache_info().misses == 1
    assert _zip(shuffled, dt.date(2026, 12, 1)) == expected  # and kept from the first
    assert _head.cache_info().hits == 1
    changed = [(n, b + b"\0") if n == fonts[0] else (n, b) for n, b in entries]
    assert _zip(changed, dt.date(2026, 12, 1)) == _one_pass(changed, (2026, 12, 1, 0, 0, 0))  # other fonts



def test_agreements_differing_in_their_own_parts_share_the_rest_and_still_equal_one_pass() -> None:
    """Two agreements of one language that differ in reference: every part but the text, the header, the manifest
    and the core properties is zipped once, and each package is still the ZIP written in one pass."""
    from dataclasses import replace

    from assembler.assembly.answers import load_answers
    first = load_answers(REPO / "examples" / "basic.yaml")
    second = replace(first, data={**first.data, "reference": "KS 2026/0999"})
    _head.cache_clear()
    for answers in (first, second):
        data = write_docx(assemble(answers, as_of="2026-12-01", language="sv").agreement)
        with zipfile.ZipFile(io.BytesIO(data)) as built:
            names = built.namelist()
            entries = [(name, built.read(name)) for name in names]
        assert data == _one_pass(entries, (2026, 12, 1, 0, 0, 0))
        assert names[-4:] == ["word/document.xml", "word/header1.xml", "customXml/item1.xml", "docProps/core.xml"]
    assert b"KS 2026/0999" in dict(entries)["word/header1.xml"]
    assert _head.cache_info().misses == 1 and _head.cache_info().hits == 1  # the second reused the first's head
