"""The OOXML helpers: one namespace helper, the house template, the fixed-time package, row and cell elements."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx

from assembler.oxml.ns import W_NS, qn
from assembler.oxml.package import fixed_time_zip, house_template
from assembler.oxml.parts import cell_element, row_element


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
