"""In a workspace, build, batch, where-used and the register commands use its register; a flag or $ASSEMBLER_REGISTER wins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assembler.cli import cli
from assembler.register.store import open_register

CLAUSE = "sekretess-offentlighet"


@pytest.fixture()
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace made by `assembler init`, the current folder, no register in the environment."""
    monkeypatch.delenv("ASSEMBLER_REGISTER", raising=False)
    monkeypatch.delenv("ASSEMBLER_LIBRARY", raising=False)
    root = tmp_path / "juridik"
    done = CliRunner().invoke(cli, ["init", str(root), "--user", "Anna Jurist"])
    assert done.exit_code == 0, done.output
    monkeypatch.chdir(root)
    return root


def _run(*args: str) -> str:
    done = CliRunner().invoke(cli, list(args))
    assert done.exit_code == 0, done.output
    return done.output


def test_a_workspace_keeps_its_register_beside_its_library(workspace: Path) -> None:
    # Before the first build there is no register: where-used reads the files.
    assert not (workspace / "register.sqlite3").exists()
    (workspace / "avtal").mkdir()
    assert json.loads(_run("where-used", CLAUSE, "avtal", "--json"))["source"] == "scan"
    _run("build", "examples/basic.yaml", "-o", "avtal/", "--as-of", "2026-03-01", "--format", "docx,pdf")
    assert (workspace / "register.sqlite3").is_file()
    with open_register(workspace / "register.sqlite3") as reg:
        (recorded,) = reg.agreements()
    listed = json.loads(_run("register", "list", "--json"))
    assert [r["id"] for r in listed] == [recorded.id]
    report = json.loads(_run("where-used", CLAUSE, "avtal", "--json"))
    assert report["source"] == "register" and len(report["uses"]) == 2
    _run("register", "mark", recorded.reference, "--status", "signed", "--date", "2026-03-20")
    assert json.loads(_run("register", "show", recorded.id[:12], "--json"))[0]["status"] == "signed"


def test_the_setting_names_the_register_and_a_flag_or_the_environment_wins(workspace: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    settings = workspace / "assembler.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('register = ""', 'register = "data/avtal.db"'),
                        encoding="utf-8")
    rows = workspace / "rows.csv"
    rows.write_text("reference\nKS 2026/0101\nKS 2026/0102\n", encoding="utf-8")
    _run("build", str(rows), "--base", "examples/basic.yaml", "-o", "batch/", "-j", "1", "--as-of", "2026-03-01",
         "--format", "docx", "--quiet")
    with open_register(workspace / "data" / "avtal.db") as reg:
        assert sorted(r.reference for r in reg.agreements()) == ["KS 2026/0101", "KS 2026/0102"]
    assert not (workspace / "register.sqlite3").exists()
    _run("build", "examples/basic.yaml", "-o", "own/", "--as-of", "2026-03-01", "--format", "docx",
         "--register", str(workspace / "flag.sqlite3"))
    monkeypatch.setenv("ASSEMBLER_REGISTER", str(workspace / "env.sqlite3"))
    _run("build", "examples/basic.yaml", "-o", "env/", "--as-of", "2026-03-02", "--format", "docx")
    for name, count in (("flag.sqlite3", 1), ("env.sqlite3", 1), ("data/avtal.db", 2)):
        with open_register(workspace / name) as reg:
            assert len(reg.agreements()) == count, name


def test_a_real_process_in_a_subfolder_finds_the_workspace_register(workspace: Path) -> None:
    (workspace / "case").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("ASSEMBLER_REGISTER", "ASSEMBLER_LIBRARY")}
    command = [sys.executable, "-m", "assembler"]
    subprocess.run([*command, "build", "../examples/basic.yaml", "-o", "out/", "--as-of", "2026-03-01", "--format",
                    "docx"], cwd=workspace / "case", env=env, check=True, capture_output=True)
    done = subprocess.run([*command, "register", "list", "--json"], cwd=workspace / "case", env=env, check=True,
                          capture_output=True, text=True)
    assert len(json.loads(done.stdout)) == 1 and (workspace / "register.sqlite3").is_file()
