"""The house template and the fixed-time ZIP that makes a DOCX package deterministic."""

from __future__ import annotations

import datetime as _dt
import functools
import io
import zipfile

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
    stamp = (day.year, day.month, day.day, 0, 0, 0) if day and day.year >= 1980 else _ZIP_EPOCH
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist(), key=lambda n: n != "[Content_Types].xml"):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # the same bytes on every platform
            info.external_attr = 0
            dst.writestr(info, src.read(name))
    return out.getvalue()
