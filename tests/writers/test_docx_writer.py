"""The DOCX writer: what a lawyer opening the file in Word would find."""

from __future__ import annotations

import io
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import docx
import pytest
from conftest import threads_switching_often
from docx.document import Document as WordDocument
from sample import sample_agreement

from assembler.errors import AssemblerError
from assembler.readers.docx import paragraph_texts, read_docx_manifest
from assembler.writers.docx import write_docx
from assembler.writers.docx_memory import refs_key

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEMPLATE_TEXT = "{{ 7*7 }} <b>x</b> & {% raw %}"


def open_docx(data: bytes) -> WordDocument:
    return docx.Document(io.BytesIO(data))


def texts(document: WordDocument, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style is not None and p.style.name == style]


@pytest.fixture(scope="module")
def sv() -> WordDocument:
    return open_docx(write_docx(sample_agreement("sv")))


@pytest.fixture(scope="module")
def parallel() -> WordDocument:
    return open_docx(write_docx(sample_agreement("sv+en")))


def test_title_and_reference_line(sv: WordDocument) -> None:
    assert texts(sv, "Title") == ["Avtal om offentlig-privat innovation"]
    assert "Diarienummer: KS 2026/0412" in [p.text for p in sv.paragraphs]


def _level_text(document: WordDocument, style: str) -> str:
    """Return the lvlText of the list level a style is bound to ("%1", "%1.%2")."""
    num_pr = document.styles[style].element.find(f"{W}pPr/{W}numPr")
    num_id = num_pr.find(f"{W}numId").get(f"{W}val")
    level = num_pr.find(f"{W}ilvl").get(f"{W}val")
    numbering = document.part.numbering_part.element
    num = next(n for n in numbering.findall(f"{W}num") if n.get(f"{W}numId") == num_id)
    abstract_id = num.find(f"{W}abstractNumId").get(f"{W}val")
    abstract = next(a for a in numbering.findall(f"{W}abstractNum") if a.get(f"{W}abstractNumId") == abstract_id)
    lvl = next(x for x in abstract.findall(f"{W}lvl") if x.get(f"{W}ilvl") == level)
    return str(lvl.find(f"{W}lvlText").get(f"{W}val"))


def test_clause_headings_are_heading_1_numbered_by_word(sv: WordDocument) -> None:
    assert texts(sv, "Heading 1") == ["Parter", "Sekretess och offentlighet", "Uppsägning"]
    assert _level_text(sv, "Heading 1") == "%1"
    shown = paragraph_texts(write_docx(sample_agreement("sv")))
    assert [t for t in shown if t.split("\t")[0] in ("1", "2", "3")] == [
        "1\tParter", "2\tSekretess och offentlighet", "3\tUppsägning"]


def test_numbered_paragraphs_are_the_second_level_of_the_clause_list(sv: WordDocument) -> None:
    assert _level_text(sv, "Sub-clause") == "%1.%2"
    assert texts(sv, "Sub-clause")[3] == "Bolaget ska särskilt märka affärshemligheter och ”känslig” information; se punkt 3."
    shown = paragraph_texts(write_docx(sample_agreement("sv")))
    assert [t.split("\t")[0] for t in shown if t[:1].isdigit() and "." in t.split("\t")[0]] == [
        "1.1", "1.2", "2.1", "2.2", "3.1"]
    assert "2.2\tBolaget ska särskilt märka affärshemligheter och ”känslig” information; se punkt 3." in shown


def test_cross_references_are_ref_fields_to_heading_bookmarks(sv: WordDocument) -> None:
    body = sv.element.body
    codes = [t.text for t in body.iter(f"{W}instrText")]
    assert codes and all(c.strip().startswith("REF _Ref_") for c in codes)
    bookmark = codes[0].split()[1]
    starts = {b.get(f"{W}name"): b for b in body.iter(f"{W}bookmarkStart")}
    assert bookmark in starts
    heading = starts[bookmark].getparent()
    assert heading.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "Heading1"
    assert "".join(t.text for t in heading.iter(f"{W}t")) == "Uppsägning"  # clause 3, which "se punkt 3" names


def test_bold_and_italic_spans_become_bold_and_italic_runs(sv: WordDocument) -> None:
    runs = [r for p in sv.paragraphs for r in p.runs]
    assert any(r.bold and r.text == "affärshemligheter" for r in runs)
    assert any(r.italic and r.text == "ritningar" for r in runs)
    assert not any(r.bold for r in runs if "Bolaget ska" in r.text)


def test_lettered_items_have_literal_labels_and_a_hanging_indent(sv: WordDocument) -> None:
    assert texts(sv, "List Letter") == ["(a)\tuppgifter om åäö ÅÄÖ", "(b)\tritningar"]
    style = sv.styles["List Letter"]
    assert style.paragraph_format.first_line_indent < 0


def test_bullets_use_list_bullet_with_word_numbering(sv: WordDocument) -> None:
    assert texts(sv, "List Bullet") == ["en punkt", TEMPLATE_TEXT]
    num_pr = sv.styles["List Bullet"].element.find(f"{W}pPr/{W}numPr")
    assert num_pr is not None
    num_id = num_pr.find(f"{W}numId").get(f"{W}val")
    numbering = sv.part.numbering_part.element
    assert any(n.get(f"{W}numId") == num_id for n in numbering.findall(f"{W}num"))


def test_template_syntax_in_text_is_written_literally(sv: WordDocument) -> None:
    assert TEMPLATE_TEXT in [p.text for p in sv.paragraphs]


def test_appendix_list_uses_an_en_dash(sv: WordDocument) -> None:
    body = [p.text for p in sv.paragraphs]
    start = body.index("Bilagor")
    assert body[start + 1:start + 3] == ["Bilaga 1 – Projektplan", "Bilaga 2 – Personuppgiftsbiträdesavtal"]


def test_signature_table_has_one_block_per_party(sv: WordDocument) -> None:
    assert "Underskrifter" in [p.text for p in sv.paragraphs]
    assert len(sv.tables) == 1
    blocks = [cell.text for row in sv.tables[0].rows for cell in row.cells]
    assert len(blocks) == 2
    city, company = blocks
    for label in ("Ort och datum", "Namnteckning", "Namnförtydligande", "Titel"):
        assert label in city and label in company
    assert "Helsingborgs stad (212000-1355)" in city and "Anna Åberg" in city
    assert "Helsingborg" in city and "Stadsdirektör" in city
    assert "Grön Våg AB (556036-0793)" in company and "Örjan Ek" in company and "VD" in company


def test_three_parties_take_two_table_rows() -> None:
    from dataclasses import replace

    from assembler.model import Signature

    agreement = sample_agreement("sv")
    doc = agreement.documents[0]
    third = Signature("Lunds universitet", "202100-3211", "Per Persson", "Rektor")
    agreement = replace(agreement, documents=(replace(doc, signatures=doc.signatures + (third,)),))
    table = open_docx(write_docx(agreement)).tables[0]
    blocks = [cell.text for row in table.rows for cell in row.cells]
    assert len(table.rows) == 2
    assert "Per Persson" in blocks[2] and blocks[3] == ""


def test_footer_counts_pages_with_word_fields(sv: WordDocument) -> None:
    footer = sv.sections[0].footer
    paragraph = footer.paragraphs[0]
    fields = [f.get(f"{W}instr").split()[0] for f in paragraph.paragraph_format.element.iter(f"{W}fldSimple")]
    assert fields == ["PAGE", "NUMPAGES"]
    assert paragraph.text.startswith("Sida ") and " av " in paragraph.text


def test_header_carries_title_and_reference(sv: WordDocument) -> None:
    header = [p.text for p in sv.sections[0].header.paragraphs]
    assert header == ["Avtal om offentlig-privat innovation\tKS 2026/0412"]


def test_draft_mark_only_on_drafts(sv: WordDocument) -> None:
    draft = open_docx(write_docx(sample_agreement("sv", draft=True)))
    assert "UTKAST" in [p.text for p in draft.sections[0].header.paragraphs]
    assert not any("UTKAST" in p.text for p in sv.sections[0].header.paragraphs)
    both = open_docx(write_docx(sample_agreement("sv+en", draft=True)))
    assert "UTKAST / DRAFT" in [p.text for p in both.sections[0].header.paragraphs]


def test_page_is_a4(sv: WordDocument) -> None:
    section = sv.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_core_properties_come_from_the_document(sv: WordDocument) -> None:
    core = sv.core_properties
    assert core.title == "Avtal om offentlig-privat innovation"
    assert core.subject == "Smart avfallshantering"
    assert core.keywords == "OPI, innovation"
    assert core.author == "Helsingborgs stad"
    assert core.last_modified_by == "Helsingborgs stad"
    assert core.comments == "Mall – inte juridisk rådgivning."
    assert core.language == "sv-SE"
    assert core.revision == 1
    midnight = datetime(2026, 3, 1, tzinfo=UTC)
    assert core.created == midnight and core.modified == midnight


def test_default_language_is_the_document_language() -> None:
    for language, tag in (("sv", "sv-SE"), ("en", "en-GB")):
        document = open_docx(write_docx(sample_agreement(language)))
        lang = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
        assert lang.get(f"{W}val") == tag


def test_english_document() -> None:
    document = open_docx(write_docx(sample_agreement("en")))
    assert texts(document, "Heading 1")[1] == "Confidentiality and public access"
    assert "Reference: KS 2026/0412" in [p.text for p in document.paragraphs]
    footer = document.sections[0].footer.paragraphs[0].text
    assert footer.startswith("Page ") and " of " in footer


@pytest.mark.parametrize("language", ["sv", "en", "sv+en"])
def test_manifest_round_trip(language: str) -> None:
    agreement = sample_agreement(language)
    assert read_docx_manifest(write_docx(agreement)) == agreement.manifest


def test_manifest_is_a_custom_xml_part_related_from_the_document() -> None:
    data = write_docx(sample_agreement("sv"))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.namelist()[0] == "[Content_Types].xml"
        assert "customXml/item1.xml" in package.namelist()
        assert b"urn:assembler:manifest" in package.read("customXml/item1.xml")
        assert "customXml/itemProps1.xml" in package.namelist()
        rels = package.read("word/_rels/document.xml.rels").decode()
    assert "relationships/customXml" in rels and "../customXml/item1.xml" in rels


def test_manifest_is_found_under_another_part_name() -> None:
    """Word may renumber custom XML parts when it saves; the reader looks at content."""
    data = write_docx(sample_agreement("sv"))
    renamed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(renamed, "w") as dst:
        for name in src.namelist():
            dst.writestr(name.replace("item1.xml", "item7.xml"), src.read(name))
    assert read_docx_manifest(renamed.getvalue()).agreement == "opi-innovation"


def test_same_agreement_gives_identical_bytes() -> None:
    for language in ("sv", "sv+en"):
        agreement = sample_agreement(language)
        assert write_docx(agreement) == write_docx(agreement)


def test_zip_entries_are_stamped_with_the_assembly_date() -> None:
    with zipfile.ZipFile(io.BytesIO(write_docx(sample_agreement("sv")))) as package:
        assert {info.date_time for info in package.infolist()} == {(2026, 3, 1, 0, 0, 0)}


def test_side_by_side_is_one_two_column_table_aligned_row_by_row(parallel: WordDocument) -> None:
    table = parallel.tables[0]
    assert len(table.columns) == 2
    rows = [tuple(cell.text for cell in row.cells) for row in table.rows]
    assert rows[0] == ("Avtal om offentlig-privat innovation", "Agreement on public-private innovation")
    assert ("Sekretess och offentlighet", "Confidentiality and public access") in rows
    assert ("(b)\tritningar", "(b)\tdrawings") in rows
    assert (TEMPLATE_TEXT, TEMPLATE_TEXT) in rows
    assert ("Bilaga 1 – Projektplan", "Appendix 1 – Project plan") in rows
    # Each column is numbered by a list of its own, counting alike.
    shown = paragraph_texts(write_docx(sample_agreement("sv+en")))
    left, right = shown[0::2], shown[1::2]
    assert ("2\tSekretess och offentlighet", "2\tConfidentiality and public access") in zip(left, right)
    numbered = [(a.split("\t")[0], b.split("\t")[0]) for a, b in zip(left, right) if "\t" in a]
    assert numbered and all(a == b for a, b in numbered)
    styles = [row.cells[0].paragraphs[0].style.name for row in table.rows]
    assert styles.count("Heading 1") == 3


def test_side_by_side_signs_once_with_both_labels(parallel: WordDocument) -> None:
    assert len(parallel.tables) == 2
    blocks = [cell.text for row in parallel.tables[1].rows for cell in row.cells]
    assert len(blocks) == 2
    assert "Ort och datum / Place and date" in blocks[0]
    assert "Stadsdirektör / City manager" in blocks[0]
    assert "Underskrifter / Signatures" in [p.text for p in parallel.paragraphs]


def test_side_by_side_footer_has_both_languages(parallel: WordDocument) -> None:
    paragraph = parallel.sections[0].footer.paragraphs[0]
    # python-docx leaves field results out of the text: "Sida  av  / Page  of "
    assert paragraph.text.split() == ["Sida", "av", "/", "Page", "of"]
    instructions = [f.get(f"{W}instr").split()[0] for f in paragraph.paragraph_format.element.iter(f"{W}fldSimple")]
    assert instructions == ["PAGE", "NUMPAGES", "PAGE", "NUMPAGES"]


@pytest.mark.parametrize("data", [b"", b"not a docx at all", b"PK\x03\x04broken"])
def test_reading_a_manifest_from_something_else_fails_plainly(data: bytes) -> None:
    with pytest.raises(AssemblerError):
        read_docx_manifest(data)


def test_a_docx_without_manifest_says_so() -> None:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with pytest.raises(AssemblerError, match="carries no assembler manifest"):
        read_docx_manifest(buffer.getvalue())


def test_the_number_of_a_documents_targets_is_never_given_to_other_targets() -> None:
    # Paragraph XML is remembered by that number: a number given again to another document's bookmark names,
    # after the tables are emptied or by two threads at once, would give it the other's cross-references.
    first = {"clause:a": "_RefA1", "clause:b": "_RefB1"}
    number = refs_key(first)
    assert refs_key(dict(first)) == number  # the same names, the same number
    others = [refs_key({"clause:a": f"_RefX{n}"}) for n in range(1100)]  # the tables fill and empty
    assert number not in others and len(set(others)) == len(others)
    again = refs_key(dict(first))
    assert again not in others


def test_threads_numbering_targets_at_once_never_share_a_number() -> None:
    mappings = [{"clause:a": f"_RefT{n}"} for n in range(2000)]
    with threads_switching_often(), ThreadPoolExecutor(max_workers=4) as pool:
        numbers = list(pool.map(refs_key, mappings))
    assert len(set(numbers)) == len(mappings)


def test_long_paragraphs_are_written_but_not_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    """A paragraph's XML is remembered only up to a size: a web app serving many builds stays small."""
    import dataclasses

    import assembler.writers.docx_memory as memory
    from assembler.model import Paragraph, Span
    monkeypatch.setattr(memory, "_PARAGRAPHS", {})
    agreement = sample_agreement("sv")
    doc = agreement.documents[0]
    long_text = "Parterna ska samarbeta. " * (memory._XML_MAX // 20)
    clause = dataclasses.replace(doc.clauses[0], blocks=(Paragraph((Span(long_text),), "1.1"),))
    agreement = dataclasses.replace(agreement, documents=(dataclasses.replace(doc, clauses=(clause,)),))
    data = write_docx(agreement)
    assert long_text.strip() in [p.text.split("\t")[-1].strip() for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert memory._PARAGRAPHS and all(len(xml) <= memory._XML_MAX for xml, _ in memory._PARAGRAPHS.values())
