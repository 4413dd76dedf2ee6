"""A house style in a workspace and on the command line: build defaults from assembler.toml (options win),
validate checks the workspace's reference DOCX, and rebuild of a house-style build finds the same files by
their recorded SHA-256 and is byte-identical (or says plainly which file is missing or different)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import REPO
from docx.shared import Mm
from PIL import Image
from pypdf import PdfReader

from assembler.cli import cli

SANS = Path("/usr/share/fonts/truetype/liberation")  # installed with LibreOffice (fonts-liberation)


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assembler", *args], capture_output=True, text=True, cwd=cwd)


def _house_docx(path: Path, font: str = "Liberation Sans", top_mm: int = 40) -> Path:
    """Write a reference DOCX as a unit would save from Word: its own body font, a logo, a wider top margin."""
    document = docx.Document()
    document.styles["Normal"].font.name = font
    document.sections[0].top_margin = Mm(top_mm)
    logo = io.BytesIO()
    Image.new("RGB", (240, 80), (160, 30, 30)).save(logo, format="PNG")
    document.sections[0].header.paragraphs[0].add_run().add_picture(logo, height=Mm(10))
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace made by `assembler init` whose settings name a house style and ask for PDF/A."""
    top = tmp_path_factory.mktemp("ws")
    made = _run("init", "juridik", "--user", "Anna Jurist", cwd=top)
    assert made.returncode == 0, made.stderr
    ws = top / "juridik"
    _house_docx(ws / "house.docx")
    settings = (ws / "assembler.toml").read_text()
    settings = settings.replace('house_style = ""', 'house_style = "house.docx"').replace("pdf_a = false", "pdf_a = true")
    (ws / "assembler.toml").write_text(settings)
    return ws


def test_a_workspace_build_uses_its_house_style_and_pdf_a(workspace: Path) -> None:
    built = _run("build", "examples/basic.yaml", "--as-of", "2026-12-01", "-o", "out/", cwd=workspace)
    assert built.returncode == 0, built.stderr
    document = docx.Document(str(workspace / "out" / "basic.docx"))
    assert document.styles["Normal"].font.name == "Liberation Sans"
    assert round(document.sections[0].top_margin.mm) == 40
    xmp = PdfReader(workspace / "out" / "basic.pdf").xmp_metadata
    assert xmp is not None and xmp.pdfaid_part == "2"
    manifest = json.loads(_run("inspect", "--json", "out/basic.docx", cwd=workspace).stdout)
    assert manifest["house_style"]["reference_docx"] == "house.docx" and manifest["house_style"]["pdf_a"] is True


def test_a_batch_in_the_workspace_uses_its_house_style_and_pdf_a(workspace: Path) -> None:
    batch = workspace / "batch"
    batch.mkdir()
    for name in ("basic.yaml", "english.yaml"):
        (batch / name).write_bytes((workspace / "examples" / name).read_bytes())
    built = _run("build", "batch", "--as-of", "2026-12-01", "-o", "out-batch/", "-q", "-j", "1", cwd=workspace)
    assert built.returncode == 0, built.stderr
    for stem in ("basic", "english"):
        assert docx.Document(str(workspace / "out-batch" / f"{stem}.docx")).styles["Normal"].font.name == "Liberation Sans"
        xmp = PdfReader(workspace / "out-batch" / f"{stem}.pdf").xmp_metadata
        assert xmp is not None and xmp.pdfaid_part == "2"


def test_options_win_over_the_workspace(workspace: Path, tmp_path: Path) -> None:
    other = _house_docx(tmp_path / "other.docx", font="Liberation Mono", top_mm=25)
    built = _run("build", "examples/basic.yaml", "--as-of", "2026-12-01", "--no-pdf-a", "--reference-docx", str(other),
                 "-o", str(tmp_path / "x/"), cwd=workspace)
    assert built.returncode == 0, built.stderr
    assert docx.Document(str(tmp_path / "x" / "basic.docx")).styles["Normal"].font.name == "Liberation Mono"
    xmp = PdfReader(tmp_path / "x" / "basic.pdf").xmp_metadata
    assert xmp is None or not xmp.pdfaid_part


def test_validate_in_a_workspace_checks_its_reference_docx(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace)
    monkeypatch.delenv("ASSEMBLER_LIBRARY", raising=False)
    result = CliRunner().invoke(cli, ["validate", "--json"])
    assert result.exit_code == 0, result.output
    problems = json.loads(result.output)["problems"]
    missing = [p for p in problems if p["code"] == "house-style.missing-style"]
    assert any("'Sub-clause'" in p["message"] for p in missing)
    assert all(p["level"] == "warning" and p["file"].endswith("house.docx") for p in missing)


def test_a_house_style_the_workspace_names_but_lacks_is_reported(tmp_path: Path) -> None:
    assert _run("init", "ws", cwd=tmp_path).returncode == 0
    ws = tmp_path / "ws"
    settings = (ws / "assembler.toml").read_text().replace('house_style = ""', 'house_style = "brev/mall.docx"')
    (ws / "assembler.toml").write_text(settings)
    checked = _run("validate", cwd=ws)
    assert checked.returncode == 1 and "mall.docx" in checked.stderr and "assembler.toml" in checked.stderr
    built = _run("build", "examples/basic.yaml", "--format", "docx", cwd=ws)
    assert built.returncode == 2 and "mall.docx" in built.stderr and "Traceback" not in built.stderr
    assert not (ws / "basic.docx").exists()


def test_rebuild_in_the_workspace_finds_its_house_style(workspace: Path) -> None:
    for name in ("basic.docx", "basic.pdf"):
        rebuilt = _run("rebuild", f"out/{name}", cwd=workspace)
        assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
        assert "byte-identical" in rebuilt.stdout


@pytest.mark.skipif(not (SANS / "LiberationSans-Regular.ttf").exists(), reason="fonts-liberation is not installed")
def test_rebuild_of_a_house_style_build_is_byte_identical_and_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "house").mkdir()
    house = _house_docx(tmp_path / "house" / "brevmall.docx")
    fonts = [str(SANS / f"LiberationSans-{face}.ttf") for face in ("Regular", "Bold")]
    out = tmp_path / "out"
    built = _run("build", str(REPO / "examples" / "basic.yaml"), "--as-of", "2026-12-01", "--reference-docx", str(house),
                 "--pdf-font", fonts[0], "--pdf-font", fonts[1], "--pdf-a", "-o", f"{out}/", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for name in ("basic.docx", "basic.pdf"):
        lacking = _run("rebuild", str(out / name), cwd=elsewhere)
        assert lacking.returncode == 1
        assert "house-style" in lacking.stdout and "'brevmall.docx'" in lacking.stdout and "not at hand" in lacking.stdout
        assert "'LiberationSans-Bold.ttf'" in lacking.stdout
        given = _run("rebuild", str(out / name), "--reference-docx", str(house), "--pdf-font", fonts[0],
                     "--pdf-font", fonts[1], "-o", str(elsewhere / name), cwd=elsewhere)
        assert given.returncode == 0, given.stdout + given.stderr
        assert "byte-identical" in given.stdout
        assert (elsewhere / name).read_bytes() == (out / name).read_bytes()
    changed = _house_docx(tmp_path / "brevmall.docx", top_mm=30)  # same name, other content
    wrong = _run("rebuild", str(out / "basic.docx"), "--reference-docx", str(changed), "--pdf-font", fonts[0],
                 "--pdf-font", fonts[1], cwd=elsewhere)
    assert wrong.returncode == 1 and "is a different file" in wrong.stdout and str(changed) in wrong.stdout
