"""SubsetFont maps text to subset codes exactly as ReportLab's TTFont does, in any order of strings, and embeds
the subsets ReportLab would embed."""

from __future__ import annotations

import functools
import io
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import threads_switching_often
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDocument
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from assembler.writers import pdf_style
from assembler.writers.pdf_font import SubsetFont, _deflated
from assembler.writers.pdf_style import FONT_DIR

REGULAR = str(FONT_DIR / "LiberationSerif-Regular.ttf")


def _strings() -> list[str]:
    rng = random.Random(15)
    latin = [chr(c) for c in range(0x20, 0x17F) if c != 0x7F]
    greek_cyrillic = [chr(c) for c in range(0x391, 0x3C9)] + [chr(c) for c in range(0x410, 0x44F)]
    odd = ["\xa0", "\u4e2d", "\U0001F600", "\u2013", "”", "\xad"]  # nbsp, no glyph (CJK, emoji), dashes, quotes
    pool = latin + greek_cyrillic + odd
    out = ["Avtal om offentlig-privat innovation", "", "Göteborgs stad\xa0AB", "åäö ÅÄÖ"]
    for _ in range(400):  # enough distinct characters to open a second subset
        out.append("".join(rng.choice(pool) for _ in range(rng.randint(0, 40))))
    return out + out[:50]  # and strings met before, now mapped the quick way


def test_split_string_is_reportlabs_across_subsets() -> None:
    ours, theirs = SubsetFont("TestSubsetOurs", REGULAR), TTFont("TestSubsetTheirs", REGULAR)
    doc_ours, doc_theirs = PDFDocument(), PDFDocument()
    subsets = set()
    for text in _strings():
        mine = ours.splitString(text, doc_ours)
        assert mine == theirs.splitString(text, doc_theirs), text
        subsets.update(n for n, _ in mine)
    assert subsets >= {0, 1}
    assert ours.state[doc_ours].assignments == theirs.state[doc_theirs].assignments


def test_each_document_has_its_own_codes() -> None:
    font = SubsetFont("TestSubsetDocs", REGULAR)
    first, second = PDFDocument(), PDFDocument()
    # ASCII keeps its own codes; other characters are numbered from 1 in the order a document meets them.
    assert font.splitString("åäö", first) == [(0, b"\x01\x02\x03")]
    assert font.splitString("öäå", second) == [(0, b"\x01\x02\x03")]
    assert font.splitString("öäå a", first) == [(0, b"\x03\x02\x01 a")]


def test_bytes_are_decoded_as_reportlab_does() -> None:
    ours, theirs = SubsetFont("TestSubsetBytes", REGULAR), TTFont("TestSubsetBytes2", REGULAR)
    doc_ours, doc_theirs = PDFDocument(), PDFDocument()
    for text in ("Malmö", "Malmö".encode(), "Malmö"):
        assert ours.splitString(text, doc_ours) == theirs.splitString(text, doc_theirs)


def _pdfs(font: TTFont, texts: list[str]) -> list[bytes]:
    """One small PDF per text, each drawn in ``font`` (registered under one name for both fonts compared)."""
    pdfmetrics.registerFont(font)
    out = []
    for text in texts:
        buffer = io.BytesIO()
        page = canvas.Canvas(buffer, invariant=1)
        page.setFont(font.fontName, 11)
        page.drawString(72, 720, text)
        page.showPage()
        page.save()
        out.append(buffer.getvalue())
    return out


def test_kept_subsets_embed_the_bytes_reportlab_embeds() -> None:
    # The second and fourth documents use the glyphs of the first: their subset is cut and deflated once.
    texts = ["Avtal om innovation", "Avtal om innovation", "Ånge kommun – Åre", "Avtal om innovation"]
    _deflated.cache_clear()
    ours = _pdfs(SubsetFont("TestKeptSubsets", REGULAR), texts)
    assert _deflated.cache_info().hits >= 2
    theirs = _pdfs(TTFont("TestKeptSubsets", REGULAR), texts)
    assert ours == theirs
    assert ours[0] == ours[1] == ours[3] != ours[2]
    fonts = PdfReader(io.BytesIO(ours[2])).pages[0]["/Resources"]["/Font"]
    subset = next(fonts[name] for name in fonts if name.endswith("+0"))
    font_file = subset["/FontDescriptor"]["/FontFile2"]
    assert font_file.get_data()[:4] == b"\x00\x01\x00\x00"  # a TrueType font, inflated as any reader does
    assert "Ånge kommun – Åre" in PdfReader(io.BytesIO(ours[2])).pages[0].extract_text()


def test_threads_drawing_in_one_font_at_once_get_the_pdfs_drawn_one_by_one() -> None:
    # The web app builds in threads that share the registered fonts; every text here needs a subset of its own.
    rng = random.Random(16)
    latin = [chr(c) for c in range(0x21, 0x17F) if c != 0x7F]
    texts = ["".join(rng.sample(latin, 60)) for _ in range(200)]
    font = SubsetFont("TestKeptThreads", REGULAR)
    alone = [_pdfs(font, [text])[0] for text in texts]
    # Threads switched every microsecond: ReportLab's own TTFont, which cuts subsets by moving a read position
    # in the shared face, fails here with a KeyError inside makeSubset.
    with threads_switching_often(), ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda text: _pdfs(font, [text])[0], texts))
    assert together == alone


def test_fonts_are_registered_once_when_the_first_pdfs_start_together(monkeypatch: pytest.MonkeyPatch) -> None:
    # A font registered again while a build draws with the first object would split its glyph codes over two.
    made: list[str] = []

    class Counted(SubsetFont):
        def __init__(self, name: str, filename: object) -> None:
            made.append(name)
            super().__init__(name, filename)

    monkeypatch.setattr(pdf_style, "SubsetFont", Counted)
    monkeypatch.setattr(pdf_style, "_register_bundled_fonts", functools.cache(pdf_style._register_bundled_fonts.__wrapped__))
    with threads_switching_often(), ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: pdf_style.register_fonts(), range(8)))
    assert sorted(made) == sorted({*made}) and len(made) == 4
