"""Reading DOCX back: our own files into the model, a returned file with its edits listed."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from conftest import FIXTURES
from sample import sample_agreement

from assembler.compare.diff import diff_sides
from assembler.compare.result import Side
from assembler.compare.sides import load_side, side_from_agreement
from assembler.errors import AssemblerError
from assembler.model import Document, ItemList, Manifest
from assembler.readers.docx import paragraph_texts, read_docx
from assembler.writers import docx as docx_writer

FIXTURES = FIXTURES / "diff"
RETURNED = FIXTURES / "returned.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@pytest.mark.parametrize("language", ["sv", "en", "sv+en"])
def test_our_docx_reads_back_as_the_model(language: str) -> None:
    agreement = sample_agreement(language)
    reading = read_docx(docx_writer.write_docx(agreement))
    assert reading.manifest == agreement.manifest
    assert len(reading.documents) == len(agreement.documents)
    for k, document in enumerate(reading.documents):
        result = diff_sides(side_from_agreement(agreement, "model", language=agreement.documents[k].language),
                            load_side_from(document, reading.manifest))
        assert result.aligned_by == "clause"
        assert not result.differs, result.clauses


def load_side_from(document: Document, manifest: Manifest | None) -> Side:
    return Side("read.docx", "docx", document, manifest)


def test_the_reader_rebuilds_clauses_lists_appendices_and_signatures() -> None:
    document = read_docx(docx_writer.write_docx(sample_agreement("sv"))).documents[0]
    model = sample_agreement("sv").documents[0]
    assert document.title == model.title and document.reference == model.reference
    assert [(c.number, c.title) for c in document.clauses] == [(c.number, c.title) for c in model.clauses]
    assert _outline(document) == _outline(model)
    assert [(a.label, a.title) for a in document.appendices] == [(a.label, a.title) for a in model.appendices]
    assert [(s.party, s.orgnr, s.signatory, s.place) for s in document.signatures] == [
        (s.party, s.orgnr, s.signatory, s.place) for s in model.signatures]


def _outline(document: Document) -> list[tuple[str, str, str, bool]]:
    """Each paragraph and item: kind, number or label, text, and whether any of it is bold."""
    out = []
    for clause in document.clauses:
        for block in clause.blocks:
            if isinstance(block, ItemList):
                out += [(block.style, i.label, i.text, any(s.bold for s in i.spans)) for i in block.items]
            else:
                out.append(("paragraph", block.number or "", block.text, any(s.bold for s in block.spans)))
    return out


def test_a_returned_docx_lists_the_company_changes_and_comment() -> None:
    side = load_side(str(RETURNED))
    assert [(c.kind, c.where, c.text) for c in side.changes] == [
        ("insert", "2.1", "inte "), ("delete", "2.2", "särskilt "),
        ("insert", "3.2", "3.2 Uppsägning ska ske skriftligen.")]
    assert {c.author for c in side.changes} == {"Örjan Ek (Grön Våg AB)"}
    assert [(c.author, c.where, c.anchor, c.text) for c in side.comments] == [
        ("Örjan Ek (Grön Våg AB)", "2.2", "affärshemligheter", "Vi vill ha absolut sekretess här.")]


def test_a_returned_docx_is_compared_as_accepted() -> None:
    result = diff_sides(side_from_agreement(sample_agreement("sv"), "sent"), load_side(str(RETURNED)))
    found = [(u.new.label if u.new else "", s.op, s.old_text, s.new_text)
             for c in result.clauses for u in c.units for s in u.changes]
    assert found == [("2.1", "insert", "", "inte "), ("2.2", "delete", "särskilt ", ""),
                     ("3.2", "insert", "", "Uppsägning ska ske skriftligen.")]


def test_accepted_and_rejected_views() -> None:
    data = RETURNED.read_bytes()
    accepted, rejected = paragraph_texts(data, "accepted"), paragraph_texts(data, "rejected")
    assert "3.2\tUppsägning ska ske skriftligen." in accepted
    assert not any(p.startswith("3.2") for p in rejected)
    assert any(p.startswith("2.2\tBolaget ska märka") for p in accepted)
    assert any(p.startswith("2.2\tBolaget ska särskilt märka") for p in rejected)
    assert rejected == paragraph_texts(docx_writer.write_docx(sample_agreement("sv")))


def _document(body_xml: str) -> bytes:
    document = docx.Document()
    body = document.element.body
    from lxml import etree
    for child in etree.fromstring(f'<w:body xmlns:w="{W}">{body_xml}</w:body>'):
        body.insert(len(body) - 1, child)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_deleted_paragraph_mark_joins_the_paragraph_to_the_next() -> None:
    data = _document(
        '<w:p><w:pPr><w:rPr><w:del w:id="1" w:author="x"/></w:rPr></w:pPr>'
        '<w:r><w:t xml:space="preserve">Ett </w:t></w:r></w:p>'
        '<w:p><w:r><w:t>två</w:t></w:r><w:del w:id="2" w:author="x"><w:r><w:delText> tre</w:delText></w:r>'
        '</w:del><w:moveTo w:id="3" w:author="x"><w:r><w:t> fyra</w:t></w:r></w:moveTo></w:p>')
    assert paragraph_texts(data, "accepted") == ["Ett två fyra"]
    assert paragraph_texts(data, "rejected") == ["Ett ", "två tre"]


def test_field_codes_are_not_text_but_their_results_are() -> None:
    data = _document(
        '<w:p><w:r><w:t xml:space="preserve">se punkt </w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> REF _Ref1 \\h </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    assert paragraph_texts(data) == ["se punkt 3"]


def test_a_docx_without_manifest_is_aligned_by_headings() -> None:
    document = docx.Document(io.BytesIO(docx_writer.write_docx(sample_agreement("sv"))))
    for rel in list(document.part.rels.values()):
        if rel.reltype.endswith("/customXml"):
            document.part.drop_rel(rel.rId)
    out = io.BytesIO()
    document.save(out)
    reading = read_docx(out.getvalue())
    assert reading.manifest is None
    result = diff_sides(side_from_agreement(sample_agreement("sv"), "sent"),
                        load_side_from(reading.documents[0], None))
    assert result.aligned_by == "heading"
    assert not result.differs


def test_not_a_docx_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AssemblerError, match="not a readable DOCX"):
        read_docx(b"PK\x03\x04 not really")
