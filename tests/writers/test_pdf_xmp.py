"""The XMP packet written as text: well-formed XML whose properties pypdf reads back exactly."""

from __future__ import annotations

import datetime as dt
import io

from lxml import etree
from pypdf import PdfReader
from pypdf.generic import ContentStream
from pypdf.xmp import XmpInformation
from sample import sample_agreement

from assembler.writers.pdf import write_pdf
from assembler.writers.pdf_xmp import XmpFields, xmp_packet

TRICKY = 'Avtal & "bilaga" <1> för Malmö > Lund'


def _read(packet: bytes) -> XmpInformation:
    stream = ContentStream(None, None)
    stream.set_data(packet)
    return XmpInformation(stream)


def test_every_property_reads_back_through_pypdf() -> None:
    when = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    packet = xmp_packet(XmpFields(
        title=TRICKY, languages=("sv-SE", "en-GB"), producer="P & Co", creator="assembler <test>",
        document_id="uuid:0000", subject="Ämne: <offentlig> & privat", author='Göteborgs "stad"',
        keywords=("OPI", "a&b", "c<d"), rights="© Region Skåne & co", when=when, pdf_a=True))
    etree.fromstring(packet)  # well-formed: a strict parser raises on anything unescaped
    xmp = _read(packet)
    assert xmp.dc_title == {"x-default": TRICKY}
    assert xmp.dc_description == {"x-default": "Ämne: <offentlig> & privat"}
    assert xmp.dc_creator == ['Göteborgs "stad"']
    assert xmp.dc_subject == ["OPI", "a&b", "c<d"]
    assert xmp.pdf_keywords == "OPI, a&b, c<d"
    assert xmp.dc_rights == {"x-default": "© Region Skåne & co"}
    assert xmp.dc_language == ["sv-SE", "en-GB"]
    assert xmp.dc_format == "application/pdf"
    assert xmp.pdf_producer == "P & Co" and xmp.xmp_creator_tool == "assembler <test>"
    for date in (xmp.xmp_create_date, xmp.xmp_modify_date, xmp.xmp_metadata_date):
        assert date is not None and date.replace(tzinfo=dt.UTC) == when
    assert xmp.xmpmm_document_id == xmp.xmpmm_instance_id == "uuid:0000"
    assert (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("2", "B")


def test_empty_properties_are_left_out() -> None:
    packet = xmp_packet(XmpFields(title="T", languages=("sv-SE",), producer="P", creator="C", document_id="uuid:1"))
    xmp = _read(packet)
    assert not xmp.dc_description and not xmp.dc_creator and not xmp.dc_subject and not xmp.dc_rights
    assert xmp.xmp_create_date is None and xmp.pdfaid_part is None
    for name in (b"<dc:description", b"<dc:creator", b"<dc:subject", b"<pdf:Keywords", b"<xmp:CreateDate", b"<pdfaid:"):
        assert name not in packet


def test_a_local_time_is_stated_in_utc() -> None:
    when = dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    packet = xmp_packet(XmpFields(title="T", languages=(), producer="P", creator="C", document_id="u", when=when))
    assert b"<xmp:CreateDate>2026-03-01T00:30:00.000000Z</xmp:CreateDate>" in packet


def test_the_written_pdf_carries_the_packet_in_its_catalog() -> None:
    reader = PdfReader(io.BytesIO(write_pdf(sample_agreement("sv+en"))))
    stream = reader.trailer["/Root"]["/Metadata"].get_object()
    assert stream["/Type"] == "/Metadata" and stream["/Subtype"] == "/XML"
    etree.fromstring(stream.get_data())
    xmp = reader.xmp_metadata
    assert xmp is not None and reader.metadata is not None
    assert xmp.dc_title == {"x-default": reader.metadata.title}
