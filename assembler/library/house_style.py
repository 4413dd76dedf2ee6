"""The house style of a build: a reference DOCX and PDF fonts, read from disk before anything is written.

Writers are pure functions of the agreement, so the files are read here, into
a :class:`assembler.model.HouseStyle` the agreement carries.  A workspace names
them in ``assembler.toml`` (``house_style``, ``pdf_a``); ``build`` takes
``--reference-docx``, ``--pdf-font`` and ``--pdf-a``.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from pathlib import Path

from assembler._files import read_bytes
from assembler.errors import AssemblerError, InputError, Location, UsageError
from assembler.library.workspace import SETTINGS_FILE, Settings
from assembler.model import FontFiles, HouseStamp, HouseStyle
from assembler.oxml.reference import NotADocx, as_document, reference_facts

MAX_FILE = 20 * 1024 * 1024  # a reference DOCX or font larger than this is refused


def _read(path: Path, what: str) -> bytes:
    data = read_bytes(path)
    if len(data) > MAX_FILE:
        raise InputError(f"the {what} is larger than {MAX_FILE // (1024 * 1024)} MB", Location(str(path)),
                             code="house-style.too-large")
    return data


def _fonts(paths: Sequence[Path], family: str) -> FontFiles | None:
    """Return the TrueType files given in the order regular, bold, italic, bold italic."""
    if not paths:
        return None
    faces: list[bytes] = []
    for path in paths:
        data = _read(path, "font file")
        if data[:4] not in (b"\x00\x01\x00\x00", b"true"):
            raise InputError("the font file is not a TrueType font (.ttf)", Location(str(path)),
                                 code="house-style.font-not-ttf")
        _check_font(data, Location(str(path)))
        faces.append(data)
    faces += [b""] * (4 - len(faces))
    return FontFiles(family or Path(paths[0]).stem, faces[0], faces[1] or None, faces[2] or None, faces[3] or None)


def _check_font(data: bytes, where: Location) -> None:
    """Raise InputError unless the PDF writer can read the font and take the glyphs of Swedish text from it.

    The same parser the PDF writer embeds fonts with reads it here, before
    anything is written, so a truncated or damaged file is named at once.
    """
    from reportlab.pdfbase.ttfonts import TTFontFile  # type: ignore[import-untyped]

    try:
        TTFontFile(io.BytesIO(data)).makeSubset([ord(c) for c in "AZaz09§åäöÅÄÖé.,"])
    except Exception:  # noqa: BLE001 - a damaged font fails in many ways inside the parser; each means the same
        raise InputError("the font file is damaged or not a TrueType font the PDF can embed", where,
                         code="house-style.font-unreadable") from None


def load_house_style(reference_docx: Path | str | None = None, pdf_fonts: Sequence[Path | str] = (),
                     pdf_a: bool = False) -> HouseStyle | None:
    """Return the house style made of a reference DOCX and PDF font files, or None when none is given.

    The PDF takes the reference's margins, header logo and heading colour;
    the fonts are named by the reference's body font.  Raise AssemblerError
    (code ``house-style.*``) when a file is not what it should be.
    """
    if reference_docx is None and not pdf_fonts and not pdf_a:
        return None
    if len(pdf_fonts) > 4:
        raise UsageError("at most four PDF fonts: regular, bold, italic, bold italic", option="pdf_fonts",
                         code="house-style.too-many-fonts")
    data: bytes | None = None
    margins: tuple[float, float, float, float] | None = None
    logo, height, family, colour = None, 0.0, "", ""
    notes: tuple[str, ...] = ()
    first_page = False
    document: bytes | None = None
    source = ""
    if reference_docx is not None:
        path = Path(reference_docx)
        data = _read(path, "reference DOCX")
        try:
            # A Word template (.dotx) is used as the document it makes; the stamp keeps the hash of the file itself.
            document = as_document(data, Location(str(path)))
            facts = reference_facts(document, Location(str(path)))
        except NotADocx as exc:
            raise InputError(f"the reference DOCX cannot be used: {exc}", Location(str(path)),
                                 code="house-style.not-docx") from None
        notes = (facts.logo_note,) if facts.logo_note else ()
        margins, logo, height, family, colour = (facts.margins_mm, facts.logo, facts.logo_height_mm,
                                                 facts.font, facts.heading_colour)
        first_page = facts.logo_first_page
        source = str(path)
    fonts = _fonts([Path(p) for p in pdf_fonts], family)
    stamp = HouseStamp(reference_docx=Path(source).name if source else "",
                       reference_docx_sha256=_sha(data) if data is not None else "",
                       fonts=tuple((Path(p).name, _sha(face)) for p, face in zip(pdf_fonts, _faces(fonts))),
                       pdf_a=pdf_a)
    return HouseStyle(reference_docx=document, source=source, fonts=fonts, logo=logo, logo_height_mm=height,
                      logo_first_page=first_page,
                      margins_mm=margins, heading_colour=colour, pdf_a=pdf_a, stamp=stamp, notes=notes)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _faces(fonts: FontFiles | None) -> list[bytes]:
    if fonts is None:
        return []
    return [f for f in (fonts.regular, fonts.bold, fonts.italic, fonts.bold_italic) if f]


def workspace_reference_docx(settings: Settings) -> Path | None:
    """Return the reference DOCX a workspace's ``house_style`` names, or None; refuse one that is not there."""
    if not settings.house_style or settings.root is None:
        return None
    path = (settings.root / settings.house_style).resolve()
    if not path.is_file():
        raise UsageError(f"the workspace's house style '{path}' does not exist",
                         Location(str(settings.root / SETTINGS_FILE), path="house_style"),
                         code="settings.house-style-missing")
    return path


def house_style_for(settings: Settings, reference_docx: Path | str | None = None,
                    pdf_fonts: Sequence[Path | str] = (), pdf_a: bool | None = None) -> HouseStyle | None:
    """Return the house style of a build: what is given explicitly, else the workspace's settings.

    ``pdf_a`` None means "not said": the workspace's ``pdf_a`` decides.
    """
    reference = reference_docx if reference_docx is not None else workspace_reference_docx(settings)
    return load_house_style(reference, pdf_fonts, settings.pdf_a if pdf_a is None else pdf_a)


# What a build warns of and goes on (the house template's style is used; the PDF has no logo); the rest stops it.
HOUSE_STYLE_WARNINGS = ("house-style.missing-style", "house-style.logo-not-drawn")


def check_reference_docx(path: Path | str) -> list[tuple[str, str]]:
    """Return (code, message) for every problem of a reference DOCX: unreadable, or lacking a needed style."""
    try:
        facts = reference_facts(as_document(read_bytes(Path(path)), Location(str(path))))
    except NotADocx as exc:
        return [("house-style.not-docx", f"the reference DOCX cannot be used: {exc}")]
    except AssemblerError as exc:  # a hostile zip, a broken or huge logo
        return [(exc.code, exc.message)]
    notes = [("house-style.logo-not-drawn", facts.logo_note)] if facts.logo_note else []
    return notes + [("house-style.missing-style",
             f"the reference DOCX has no style '{name}'; the house template's is used") for name in facts.missing_styles]
