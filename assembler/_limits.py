"""Limits on everything that comes in, as settings with sane defaults.

Every input is bounded: a file's size, a YAML or JSON document's nesting and
aliases, a zip's entries and inflated size, a PDF's size and pages, an
answer's strings, the work an expression may do.  A limit exceeded raises
:class:`LimitError` with a stable code ``limit.<name>`` naming the file and
the limit.  Each default can be changed with an environment variable
``ASSEMBLER_LIMIT_<NAME>`` (``ASSEMBLER_LIMIT_ANSWERS_BYTES=4000000``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from assembler.errors import LimitError, Location

__all__ = ["LIMITS", "LimitError", "Limits", "check_pdf_pages", "check_zip", "exceeded"]

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """The bounds on input; the defaults are far above any real agreement and far below harm."""

    answers_bytes: int = 2 * MB            # an answer file (real ones are a few kB)
    library_file_bytes: int = 2 * MB       # library.yaml, approved.yaml, a blueprint, a fragment, a schema
    manifest_bytes: int = 8 * MB           # a manifest JSON file (it carries the answer text)
    document_bytes: int = 64 * MB          # a DOCX, PDF, Markdown or text file given to read
    appendix_bytes: int = 64 * MB          # one appendix file
    nesting_depth: int = 64                # lists and groups inside each other in YAML/JSON
    yaml_nodes: int = 100_000              # values in one YAML file, aliases (*name) expanded
    zip_entries: int = 2_000               # parts in a DOCX
    zip_entry_bytes: int = 64 * MB         # one part, inflated
    zip_total_bytes: int = 256 * MB        # all parts, inflated
    zip_ratio: int = 200                   # inflated / compressed, for parts over 1 MB
    pdf_pages: int = 2_000                 # pages of a PDF read or attached
    pdf_depth: int = 200                   # nesting of arrays and dictionaries in a PDF (Python stack)
    answer_string_chars: int = 20_000      # one text value in an answer file
    expression_steps: int = 1_000_000      # loop iterations and range items per build
    expression_sequence: int = 100_000     # items in a string or list an expression builds by * or range
    expression_power_bits: int = 4_096     # size of a number ** may produce
    schema_pattern_chars: int = 1_000      # one regular expression in an answers schema
    schema_pattern_ms: int = 100           # time one regular expression may take to match one answer

    @classmethod
    def from_environment(cls) -> Limits:
        """Return the defaults, each overridden by ``ASSEMBLER_LIMIT_<NAME>`` when set to a whole number."""
        values: dict[str, int] = {}
        for f in fields(cls):
            raw = os.environ.get(f"ASSEMBLER_LIMIT_{f.name.upper()}")
            if raw is not None and raw.strip().isdigit():
                values[f.name] = int(raw)
        return cls(**values)


LIMITS = Limits.from_environment()


def exceeded(name: str, what: str, limit: int | str, location: Location | None = None,
             unit: str = "") -> LimitError:
    """Return the error for ``what`` exceeding the limit ``name`` (``limit.<name>`` as its code)."""
    shown = f"{limit:,}".replace(",", " ") if isinstance(limit, int) else limit
    setting = f"ASSEMBLER_LIMIT_{name.replace('-', '_').upper()}"
    return LimitError(f"{what} exceeds the limit of {shown}{unit} ({setting})", location, code=f"limit.{name}")


def check_zip(data: bytes, what: str, location: Location | None = None) -> None:
    """Raise LimitError unless the zip in ``data`` is of a sane shape (DOCX files are zips).

    Counts entries and adds up the inflated sizes its directory declares;
    Python's zip reader never inflates an entry past its declared size, so
    the declared sizes bound what reading it can cost.
    """
    import io
    import zipfile

    declared = _declared_entries(data)
    if declared > LIMITS.zip_entries:  # told by the end record alone, before the directory is parsed
        raise exceeded("zip-entries", f"{what} with {declared:,} parts".replace(",", " "), LIMITS.zip_entries,
                       location, " parts")
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return  # not a zip: the reader says so in its own words
    if len(infos) > LIMITS.zip_entries:
        raise exceeded("zip-entries", f"{what} with {len(infos):,} parts".replace(",", " "), LIMITS.zip_entries,
                       location, " parts")
    total = 0
    for info in infos:
        if info.file_size > LIMITS.zip_entry_bytes:
            raise exceeded("zip-entry-bytes", f"the part {info.filename!r} of {what}", LIMITS.zip_entry_bytes,
                           location, " bytes inflated")
        if info.file_size > MB and info.file_size > LIMITS.zip_ratio * max(info.compress_size, 1):
            raise exceeded("zip-ratio", f"the compression of the part {info.filename!r} of {what}",
                           f"{LIMITS.zip_ratio}:1", location)
        total += info.file_size
    if total > LIMITS.zip_total_bytes:
        raise exceeded("zip-total-bytes", f"{what}, inflated,", LIMITS.zip_total_bytes, location, " bytes")


def check_pdf_pages(pages: int, what: str, location: Location | None = None) -> None:
    """Raise LimitError when a PDF has more pages than anything we read or attach may have."""
    if pages > LIMITS.pdf_pages:
        raise exceeded("pdf-pages", f"{what} with {pages:,} pages".replace(",", " "), LIMITS.pdf_pages, location,
                       " pages")


def _declared_entries(data: bytes) -> int:
    """Return the entry count a zip's end record declares (ZIP64 too), or 0 when there is none to read."""
    import struct

    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return 0
    count = struct.unpack_from("<H", data, at + 10)[0]
    locator = at - 20
    if count == 0xFFFF and locator >= 0 and data[locator:locator + 4] == b"PK\x06\x07":
        record = struct.unpack_from("<Q", data, locator + 8)[0]
        if data[record:record + 4] == b"PK\x06\x06":
            count = struct.unpack_from("<Q", data, record + 32)[0]
    return int(count)
