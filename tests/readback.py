"""A check shared by the writer tests: a written PDF reads back through the commands a user runs on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from assembler.cli import cli


def assert_pdf_reads_back(pdf: bytes, tmp_path: Path, name: str = "agreement.pdf") -> None:
    """Assert ``inspect`` names the agreement, ``diff`` against itself finds nothing, ``rebuild`` is byte-identical."""
    path = tmp_path / name
    path.write_bytes(pdf)
    runner = CliRunner()
    shown = runner.invoke(cli, ["inspect", str(path)])
    assert shown.exit_code == 0 and "opi-innovation" in shown.output
    same = runner.invoke(cli, ["diff", str(path), str(path)])
    assert same.exit_code == 0 and "0 changed" in same.output
    rebuilt = subprocess.run([sys.executable, "-m", "assembler", "rebuild", str(path)],
                             capture_output=True, text=True, cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "byte-identical" in rebuilt.stdout
