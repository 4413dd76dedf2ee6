"""The XMP metadata packet of an agreement PDF, written as text.

pypdf's ``XmpInformation`` builds the packet as a DOM and serialises the
whole document again after every property set: a tenth of the PDF writer's
time for a packet of a dozen properties.  The packet is written here
directly, in the same layout and order pypdf gives it (readers of our files,
pypdf's ``xmp_metadata`` among them, read it the same), with every value
escaped as XML character data.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass

_HEAD = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
         '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="pypdf">\n'
         '    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
         '        <rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"'
         ' xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'
         ' xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
         ' xmlns:pdfx="http://ns.adobe.com/pdfx/1.3/" rdf:about="">\n        ')
_TAIL = ('</rdf:Description>\n'
         '    </rdf:RDF>\n'
         '</x:xmpmeta><?xpacket end="r"?>')


@dataclass(frozen=True)
class XmpFields:
    """The properties an agreement's XMP packet states; empty ones are left out."""

    title: str
    languages: tuple[str, ...]
    producer: str
    creator: str
    document_id: str
    subject: str = ""
    author: str = ""
    keywords: tuple[str, ...] = ()
    rights: str = ""
    when: _dt.datetime | None = None  # creation, modification and metadata date
    pdf_a: bool = False  # identify the file as PDF/A-2b


def escape_xml(text: str) -> str:
    """Return ``text`` as XML character data (quotes escaped too, so it also serves attribute values)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;").replace(">", "&gt;")


def _simple(name: str, value: str) -> str:
    return f"<{name}>{escape_xml(value)}</{name}>"


def _array(name: str, kind: str, values: Iterable[str]) -> str:
    items = "".join(f"<rdf:li>{escape_xml(v)}</rdf:li>" for v in values)
    return f"<{name}><rdf:{kind}>{items}</rdf:{kind}></{name}>"


def _default_lang(name: str, value: str) -> str:
    return f'<{name}><rdf:Alt><rdf:li xml:lang="x-default">{escape_xml(value)}</rdf:li></rdf:Alt></{name}>'


def _date(value: _dt.datetime) -> str:
    """Return an XMP date in UTC with microseconds and a "Z", as pypdf writes and reads it."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = value.astimezone(_dt.UTC)
    return value.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def xmp_packet(fields: XmpFields) -> bytes:
    """Return the XMP packet (UTF-8) stating ``fields``: Dublin Core, PDF, XMP basic and media-management properties."""
    parts = [_default_lang("dc:title", fields.title)]
    if fields.subject:
        parts.append(_default_lang("dc:description", fields.subject))
    if fields.author:
        parts.append(_array("dc:creator", "Seq", [fields.author]))
    if fields.keywords:
        parts.append(_array("dc:subject", "Bag", fields.keywords))
        parts.append(_simple("pdf:Keywords", ", ".join(fields.keywords)))
    if fields.rights:
        parts.append(_default_lang("dc:rights", fields.rights))
    if fields.languages:
        parts.append(_array("dc:language", "Bag", fields.languages))
    parts += [_simple("dc:format", "application/pdf"), _simple("pdf:Producer", fields.producer),
              _simple("xmp:CreatorTool", fields.creator)]
    if fields.when is not None:
        stamp = _date(fields.when)
        parts += [_simple(name, stamp) for name in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate")]
    parts += [_simple("xmpMM:DocumentID", fields.document_id), _simple("xmpMM:InstanceID", fields.document_id)]
    if fields.pdf_a:
        parts += [_simple("pdfaid:part", "2"), _simple("pdfaid:conformance", "B")]
    return (_HEAD + "".join(parts) + _TAIL).encode("utf-8")
