"""The DOCX laid out by LibreOffice and our PDF have the same number of pages (±1), every example and language.

The DOCX names Liberation Serif (with Times New Roman, metric-compatible, as
its alternative) and embeds its faces, and the PDF embeds the same font; side
by side both use the same column sizes.  LibreOffice runs as a reader that
lacks Liberation Serif and Times New Roman (fontconfig is told to reject
them), so the pages agree because of the embedded fonts, not because of what
this machine has installed.  The PDF's agreement pages are those labelled
1, 2 … (appendix covers and merged appendix pages carry "Bilaga n" labels).
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest
from conftest import REPO
from pypdf import PdfReader

from assembler.assembly.pipeline import assemble
from assembler.writers.docx import write_docx
from assembler.writers.pdf import write_pdf
from assembler.writers.pdf_libreoffice import find_soffice

SOFFICE = find_soffice()
EXAMPLES = sorted(p.stem for p in (REPO / "examples").glob("*.yaml"))
LANGUAGES = ("sv", "en", "sv+en")


def _without_the_fonts(folder: Path) -> dict[str, str]:
    """Return an environment whose fontconfig rejects every installed Liberation and Times font."""
    conf = folder / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <cachedir>{folder / 'font-cache'}</cachedir>
  <selectfont><rejectfont><glob>/usr/*Liberation*</glob><glob>/usr/*Times*</glob></rejectfont></selectfont>
</fontconfig>
""", encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


@pytest.fixture(scope="module")
def libreoffice_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Return the PDF LibreOffice makes of every example's DOCX, converted in one soffice run."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("parity")
    names: dict[tuple[str, str], Path] = {}
    for example in EXAMPLES:
        for language in LANGUAGES:
            agreement = assemble(REPO / "examples" / f"{example}.yaml", as_of="2026-12-01", language=language).agreement
            path = folder / f"{example}-{language.replace('+', '_')}.docx"
            path.write_bytes(write_docx(agreement))
            names[(example, language)] = path
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(folder), *map(str, names.values())],
                   check=True, capture_output=True, timeout=900, env=_without_the_fonts(folder))
    return {key: path.with_suffix(".pdf") for key, path in names.items()}


def _our_pdf(example: str, language: str) -> PdfReader:
    agreement = assemble(REPO / "examples" / f"{example}.yaml", as_of="2026-12-01", language=language).agreement
    return PdfReader(io.BytesIO(write_pdf(agreement)))


def _appendix_list_pages(reader: PdfReader, labels: tuple[str, ...]) -> set[int]:
    """Return the pages on which the appendix list's heading and entries ("Bilaga 1 – …") are printed."""
    pages: set[int] = set()
    body = [label.isdigit() for label in reader.page_labels]  # covers and merged appendices are not
    for index, page in enumerate(reader.pages):
        if not body[index]:
            continue
        text = page.extract_text() or ""
        lines = [line.strip() for line in text.splitlines()]
        if any(line.startswith(labels[0]) and line.rstrip(" /").endswith(labels[0]) for line in lines) or \
                any(line.startswith(f"{labels[1]} ") and "–" in line for line in lines):
            pages.add(index)
    return pages


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("example", EXAMPLES)
def test_page_counts_agree_and_the_appendix_list_stays_whole(
        libreoffice_pdfs: dict[tuple[str, str], Path], example: str, language: str) -> None:
    ours = _our_pdf(example, language)
    theirs = PdfReader(libreoffice_pdfs[(example, language)])
    body = sum(1 for label in ours.page_labels if label.isdigit())
    assert abs(body - len(theirs.pages)) <= 1, f"{example} {language}: LibreOffice {len(theirs.pages)}, ours {body}"
    labels = ("Bilagor", "Bilaga") if language != "en" else ("Appendices", "Appendix")
    for reader in (theirs, ours):
        pages = _appendix_list_pages(reader, labels)
        assert len(pages) == 1, f"{example} {language}: the appendix list is on pages {sorted(pages)}"
