"""The manifest: how an agreement was made, as JSON that can be embedded and read back."""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields, is_dataclass
from typing import Any

import msgspec
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from assembler.errors import ManifestError
from assembler.model import ClauseStamp, HouseStamp, Manifest

MANIFEST_FORMAT = "assembler-manifest/1"
# The name of the attachment that carries the manifest in a PDF.
PDF_MANIFEST_NAME = "manifest.json"


def manifest_to_dict(manifest: Manifest) -> dict[str, Any]:
    """Return the manifest as a JSON-ready dict, keys in a fixed order."""
    data: dict[str, Any] = {"format": MANIFEST_FORMAT}
    data.update(_json_data(manifest))
    if manifest.answers_form == "text":
        # Manifests from before the field carried the raw text and no answers_form; rebuilding one
        # must give back the same bytes.
        del data["answers_form"]
    if manifest.house_style is None:
        del data["house_style"]  # manifests of builds without a house style keep their bytes
    return data


def _json_data(value: Any) -> Any:
    """Return a dataclass as dicts and lists (what ``asdict`` gives, with lists for tuples), a third of its time."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json_data(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_json_data(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_data(v) for k, v in value.items()}
    return value


_last: tuple[Manifest, str] | None = None


def manifest_to_json(manifest: Manifest) -> str:
    """Return the manifest as deterministic, indented JSON text.

    A build asks for the same manifest several times (the DOCX, the PDF, the
    register's key); a manifest never changes, so the text of the last one is
    kept, with the manifest itself, so that its identity cannot be reused.
    """
    global _last
    last = _last
    if last is not None and last[0] is manifest:
        return last[1]
    text = _indented_json(manifest_to_dict(manifest))
    _last = (manifest, text)
    return text


def _indented_json(data: dict[str, Any]) -> str:
    """Return ``json.dumps(data, ensure_ascii=False, indent=2)`` and a newline, made by msgspec (ten times faster:
    the standard library indents in pure Python).  The two agree byte for byte (escapes included); what msgspec
    will not encode (a lone surrogate, a key that is not text) goes the standard library's way."""
    try:
        return msgspec.json.format(msgspec.json.encode(data), indent=2).decode() + "\n"
    except (msgspec.MsgspecError, TypeError, UnicodeError):
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def manifest_digest(manifest: Manifest) -> str:
    """Return the SHA-256 of the manifest's JSON text: the register's key for the agreement it describes."""
    return hashlib.sha256(manifest_to_json(manifest).encode()).hexdigest()


def manifest_from_dict(data: dict[str, Any]) -> Manifest:
    """Return the manifest a dict describes; raise AssemblerError if it is not one."""
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise ManifestError("this is not an assembler manifest", code="manifest.foreign")
    try:
        return Manifest(
            agreement=data["agreement"],
            agreement_version=data["agreement_version"],
            language=data["language"],
            assembled=data["assembled"],
            clauses=tuple(ClauseStamp(c["id"], c["version"], c["sha256"]) for c in data["clauses"]),
            answers_sha256=data["answers_sha256"],
            tool_version=data["tool_version"],
            warnings=tuple(data.get("warnings", ())),
            draft=bool(data.get("draft", False)),
            reference=data.get("reference", ""),
            parties=tuple(data.get("parties", ())),
            blueprint_sha256=data.get("blueprint_sha256", ""),
            appendices=tuple(data.get("appendices", ())),
            answers=str(data.get("answers", "")),
            answers_form=str(data.get("answers_form", "text")),
            house_style=_house_stamp(data.get("house_style")),
        )
    except (KeyError, TypeError, IndexError) as exc:
        raise ManifestError(f"the manifest is incomplete: missing {exc}", code="manifest.incomplete") from None


def _house_stamp(data: Any) -> HouseStamp | None:
    """Return the house style a manifest records, or None when it records none."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ManifestError("the manifest's house_style is not an object", code="manifest.incomplete")
    return HouseStamp(reference_docx=str(data.get("reference_docx", "")),
                      reference_docx_sha256=str(data.get("reference_docx_sha256", "")),
                      fonts=tuple((str(f[0]), str(f[1])) for f in data.get("fonts", ())),
                      pdf_a=bool(data.get("pdf_a", False)))


def manifest_from_json(text: str | bytes) -> Manifest:
    """Parse manifest JSON text."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ManifestError(f"the manifest is not valid JSON: {exc}", code="manifest.not-json") from None
    return manifest_from_dict(data)


# PDF/A-2b admits no JSON attachment, so a PDF/A agreement keeps its manifest in
# its XMP metadata: one text property, described by a PDF/A extension schema.
XMP_MANIFEST_NS = "urn:assembler:manifest:xmp/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_PDFA_EXT = "http://www.aiim.org/pdfa/ns/extension/"
_PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
_PDFA_PROP = "http://www.aiim.org/pdfa/ns/property#"
_XMP_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


def _rdf(tag: str) -> str:
    return f"{{{_RDF}}}{tag}"


def _extension_schema(rdf: etree._Element) -> None:
    """Describe the ``asm:manifest`` property as PDF/A requires for a property outside the standard schemas."""
    nsmap = {"rdf": _RDF, "pdfaExtension": _PDFA_EXT, "pdfaSchema": _PDFA_SCHEMA, "pdfaProperty": _PDFA_PROP}
    desc = etree.SubElement(rdf, _rdf("Description"), {_rdf("about"): ""}, nsmap=nsmap)
    bag = etree.SubElement(etree.SubElement(desc, f"{{{_PDFA_EXT}}}schemas"), _rdf("Bag"))
    schema = etree.SubElement(bag, _rdf("li"), {_rdf("parseType"): "Resource"})
    for name, text in (("schema", "assembler manifest"), ("namespaceURI", XMP_MANIFEST_NS), ("prefix", "asm")):
        etree.SubElement(schema, f"{{{_PDFA_SCHEMA}}}{name}").text = text
    seq = etree.SubElement(etree.SubElement(schema, f"{{{_PDFA_SCHEMA}}}property"), _rdf("Seq"))
    prop = etree.SubElement(seq, _rdf("li"), {_rdf("parseType"): "Resource"})
    for name, text in (("name", "manifest"), ("valueType", "Text"), ("category", "internal"),
                       ("description", "How this agreement was made: the assembler manifest (JSON)")):
        etree.SubElement(prop, f"{{{_PDFA_PROP}}}{name}").text = text


def xmp_with_manifest(xmp: bytes, manifest_json: str) -> bytes:
    """Return the XMP packet ``xmp`` with the manifest added as ``asm:manifest`` (and its schema)."""
    root = etree.fromstring(xmp, _XMP_PARSER)
    rdf = root.find(_rdf("RDF"))
    if rdf is None:
        raise ManifestError("the XMP packet has no rdf:RDF element")
    _extension_schema(rdf)
    desc = etree.SubElement(rdf, _rdf("Description"), {_rdf("about"): ""},
                            nsmap={"rdf": _RDF, "asm": XMP_MANIFEST_NS})
    etree.SubElement(desc, f"{{{XMP_MANIFEST_NS}}}manifest").text = manifest_json
    data: bytes = etree.tostring(root.getroottree(), encoding="utf-8")
    return data


def manifest_json_from_xmp(xmp: bytes) -> str | None:
    """Return the manifest JSON an XMP packet carries as ``asm:manifest``, or None."""
    try:
        root = etree.fromstring(xmp, _XMP_PARSER)
    except etree.XMLSyntaxError:
        return None
    found = root.find(f".//{{{XMP_MANIFEST_NS}}}manifest")
    return found.text if found is not None and found.text else None
