"""The house template and the fixed-time ZIP that makes a DOCX package deterministic."""

from __future__ import annotations

import datetime as _dt
import functools
import io
import zipfile
from typing import Any

from docx.opc.package import OpcPackage
from docx.opc.pkgwriter import PackageWriter

from assembler._files import bundled_dir

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


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


def package_bytes(package: OpcPackage, day: _dt.date | None) -> bytes:
    """Return the package's DOCX bytes, each entry dated ``day``: what ``fixed_time_zip`` makes of a
    python-docx save, in one pass.

    Saving compressed every part and ``fixed_time_zip`` decompressed and
    compressed it again; here python-docx's own package writer hands over each
    part's bytes and they are compressed once.  (The writer's steps are
    private methods: their use is kept to this one function.)
    """
    for part in package.parts:
        part.before_marshal()
    collected = _Collected()
    writer: Any = collected  # duck-types python-docx's PhysPkgWriter (its constructor opens a real zip)
    parts = list(package.parts)
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, parts)
    return _zip(collected.entries, day)


def _zip(entries: list[tuple[str, bytes]], day: _dt.date | None) -> bytes:
    """Return a ZIP of ``entries`` dated ``day``, ``[Content_Types].xml`` first, with no platform attributes."""
    stamp = (day.year, day.month, day.day, 0, 0, 0) if day and day.year >= 1980 else _ZIP_EPOCH
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, blob in sorted(entries, key=lambda e: e[0] != "[Content_Types].xml"):
            info = zipfile.ZipInfo(name, date_time=stamp)
            # Embedded fonts are stored: deflating them would cost more than the rest of the build
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".odttf") else zipfile.ZIP_DEFLATED
            info.create_system = 0  # the same bytes on every platform
            info.external_attr = 0
            dst.writestr(info, blob)
    return out.getvalue()
