"""The house template and the fixed-time ZIP that makes a DOCX package deterministic."""

from __future__ import annotations

import datetime as _dt
import functools
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from typing import Any

from docx.opc.oxml import CT_Relationships
from docx.opc.package import OpcPackage
from docx.opc.packuri import PACKAGE_URI
from docx.opc.pkgwriter import PackageWriter
from docx.opc.rel import Relationships

from assembler._digest import remember_prefix
from assembler._files import bundled_dir

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# zlib's fastest level: a third of the time of its default for a few percent more bytes (42 KB of
# document.xml deflates to 11 KB instead of 9 KB); the fonts are deflated once per process at it too.
_LEVEL = 1


@functools.cache
def house_template() -> bytes:
    """Return the bytes of the bundled house template (``resources/house.docx``), read once per process."""
    return (bundled_dir("resources") / "house.docx").read_bytes()


def fixed_time_zip(data: bytes, day: _dt.date | None) -> bytes:
    """Return the package rewritten with every entry dated ``day`` (or 1980-01-01) and no platform attributes.

    python-docx stamps entries with the current time; everything else it
    writes (part order, XML) is already deterministic.  ``[Content_Types].xml``
    comes first, as Office expects.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return _zip([(name, src.read(name)) for name in src.namelist()], day)


class _Collected:
    """Stands in for python-docx's zip writer: keeps each (member name, bytes) in the order written."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, bytes]] = []

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self.entries.append((pack_uri.membername, blob))


def package_bytes(package: OpcPackage, day: _dt.date | None,
                  spliced: dict[str, Callable[[bytes], bytes]] | None = None) -> bytes:
    """Return the package's DOCX bytes, each entry dated ``day``: what ``fixed_time_zip`` makes of a
    python-docx save, in one pass.  ``spliced`` maps a part's name to what completes its bytes (text
    put in where the tree held its place: see ``paragraph_xml.Splices``).

    Saving compressed every part and ``fixed_time_zip`` decompressed and
    compressed it again; here python-docx's own package writer hands over each
    part's bytes and they are compressed once.  (The writer's steps are
    private methods: their use is kept to this one function.)
    """
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    collected = _Collected()
    writer: Any = collected  # duck-types python-docx's PhysPkgWriter (its constructor opens a real zip)
    PackageWriter._write_content_types_stream(writer, parts)
    collected.write(PACKAGE_URI.rels_uri, _rels_xml(package.rels))
    for part in parts:  # as PackageWriter._write_parts, with each relationships part made once per process
        complete = spliced.get(part.partname) if spliced else None
        collected.write(part.partname, complete(part.blob) if complete else part.blob)
        if len(part.rels):
            collected.write(part.partname.rels_uri, _rels_xml(part.rels))
    return _zip(collected.entries, day)


def _rels_xml(rels: Relationships) -> bytes:
    """Return the XML of a part's relationships, as python-docx writes it (``Relationships.xml``)."""
    return _rels_xml_of(tuple((r.rId, r.reltype, r.target_ref, r.is_external) for r in rels.values()))


@functools.lru_cache(maxsize=64)
def _rels_xml_of(rels: tuple[tuple[str, str, str, bool], ...]) -> bytes:
    element = CT_Relationships.new()
    for rel in rels:
        element.add_rel(*rel)
    return element.xml  # type: ignore[no-any-return]  # python-docx's oxml is untyped


# The parts that differ between the agreements of a batch: the text, the header with its reference, the
# manifest and the core properties.  The other parts (styles, numbering, settings, relationships …) are the same
# for agreements of one language and house style.
_OWN_PARTS = re.compile(r"word/document\.xml|word/header\d*\.xml|customXml/item\d+\.xml|docProps/core\.xml")


def _rank(entry: tuple[str, bytes]) -> int:
    name = entry[0]
    if name == "[Content_Types].xml":
        return 0
    if name.endswith(".odttf"):
        return 1
    return 3 if _OWN_PARTS.fullmatch(name) else 2


def _zip(entries: list[tuple[str, bytes]], day: _dt.date | None) -> bytes:
    """Return a ZIP of ``entries`` dated ``day``, with no platform attributes: ``[Content_Types].xml`` first,
    then the embedded fonts, then the parts agreements share, then each agreement's own (:data:`_OWN_PARTS`),
    each group in the order given.

    Fonts are most of a package's bytes and, like the shared parts, the same
    in every agreement of a batch, so the entries before the agreement's own
    are zipped once per process (:func:`_head`) and each package is that ZIP
    with its own parts appended: a font is deflated once, not once per
    agreement, and the bytes are the same as a ZIP written in one pass.
    """
    stamp = (day.year, day.month, day.day, 0, 0, 0) if day and day.year >= 1980 else _ZIP_EPOCH
    ordered = sorted(entries, key=_rank)
    cut = sum(1 for entry in ordered if _rank(entry) < 3)
    out = io.BytesIO(_head(tuple(ordered[:cut]), stamp))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as dst:
        _write(dst, ordered[cut:], stamp)
    return out.getvalue()


@functools.lru_cache(maxsize=8)
def _head(entries: tuple[tuple[str, bytes], ...], stamp: tuple[int, ...]) -> bytes:
    """Return a ZIP of the leading ``entries`` (content types, fonts, shared parts), kept for the packages that
    share them."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        _write(dst, entries, stamp)
    head = out.getvalue()
    # Packages appended to it begin with its entries, up to where its central directory began (the offset
    # the end record gives): their SHA-256 resumes from there.
    remember_prefix(head[:int.from_bytes(head[-6:-2], "little")])
    return head


def _write(dst: zipfile.ZipFile, entries: Iterable[tuple[str, bytes]], stamp: tuple[int, ...]) -> None:
    for name, blob in entries:
        info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]  # six fields, as zipfile wants
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 0  # the same bytes on every platform
        info.external_attr = 0
        dst.writestr(info, blob, compresslevel=_LEVEL)
