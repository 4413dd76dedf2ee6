"""End to end, as a new user: install the package into a fresh virtual environment and maintain a library of one's own.

init, new-version, export, edit the DOCX as Word would (a changed word, a
tracked insertion by another author, a comment), import, approval by a second
person, validate, and a build that uses the new version; the installed
package folder is hashed before and after and must not have changed.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import docx
import pytest
import word_edits as edit

REPO = Path(__file__).resolve().parents[2]


def _tree_hash(folder: Path) -> dict[str, str]:
    """Return the sha256 of every file under ``folder`` (bytecode caches aside: Python writes those on import)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the package installed (not editable) from a copy of this checkout."""
    base = tmp_path_factory.mktemp("install")
    source = base / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "tests",
                                                               "__pycache__", "bench"))
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # The dependencies come from this test's own environment (no network needed); a plain path in a .pth file
    # does not run that environment's own .pth hooks, so its editable install of assembler stays out of sight.
    purelib = Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                           text=True).strip())
    (purelib / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps",
                    str(source)], check=True, capture_output=True, timeout=300)
    return env_dir


def _assembler(env_dir: Path, cwd: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "ASSEMBLER_LIBRARY"}
    environ["ASSEMBLER_CACHE_DIR"] = str(cwd.parent / "cache")
    done = subprocess.run([str(env_dir / "bin" / "assembler"), *args], cwd=cwd, env=environ, text=True,
                          capture_output=True, timeout=300)
    if ok:
        assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
    return done


def test_a_legal_unit_maintains_its_own_library_and_the_installed_package_never_changes(installed: Path,
                                                                                       tmp_path: Path) -> None:
    python = installed / "bin" / "python"
    where = "import assembler, os; print(os.path.dirname(assembler.__file__))"
    package = Path(subprocess.check_output([str(python), "-c", where], text=True, cwd=tmp_path).strip())
    assert str(package).startswith(str(installed)) and (package / "clauses/library.yaml").is_file()
    before = _tree_hash(package)

    refused = _assembler(installed, tmp_path, "clauses", "new-version", "andringar", ok=False)
    assert refused.returncode == 2 and "assembler init" in refused.stderr

    _assembler(installed, tmp_path, "init", "juridik", "--user", "Anna Jurist")
    ws = tmp_path / "juridik"
    assert f"library: {ws / 'clauses'} (workspace {ws})" in _assembler(installed, ws, "--version").stdout
    _assembler(installed, ws, "clauses", "new-version", "andringar", "-m", "Amendments are dated.")
    _assembler(installed, ws, "clauses", "export", "andringar", "-o", "andringar.docx")

    data = (ws / "andringar.docx").read_bytes()
    data = edit.replace_word(data, "skriftliga", "skriftliga, daterade")
    data = edit.tracked_insertion(data, "Amendments and additions", " An exchange of e-mails is not enough.",
                                  "Bo Bolagsjurist")
    data = edit.comment(data, "Amendments and additions", "A date shows which amendment came last.",
                        "Bo Bolagsjurist")
    (ws / "andringar.docx").write_bytes(data)
    imported = _assembler(installed, ws, "clauses", "import", "andringar.docx", "--no-color")
    assert "daterade" in imported.stdout and "e-mails is not enough" in imported.stdout  # the redline

    own = _assembler(installed, ws, "clauses", "approve", "andringar@1.2.0", ok=False)
    assert own.returncode == 1 and "four eyes" in own.stderr
    today = _dt.date.today().isoformat()
    _assembler(installed, ws, "clauses", "approve", "andringar@1.2.0", "--by", "Bertil Granskare", "--date", today)
    assert "ok" in _assembler(installed, ws, "validate").stdout

    _assembler(installed, ws, "build", "examples/basic.yaml", "--format", "docx", "-o", "avtal.docx", "--as-of", today)
    built = docx.Document(str(ws / "avtal.docx"))
    text = "\n".join(p.text for p in built.paragraphs)
    assert "ska vara skriftliga, daterade och undertecknade" in text
    inspected = _assembler(installed, ws, "inspect", "avtal.docx").stdout
    assert "andringar" in inspected and "1.2.0" in inspected

    history = _assembler(installed, ws, "clauses", "history", "andringar").stdout
    assert "approved by Bertil Granskare" in history and "Tracked changes by Bo Bolagsjurist accepted." in history
    assert _tree_hash(package) == before
    assert sys.prefix != str(installed)
