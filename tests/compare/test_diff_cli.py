"""`assembler diff` on the command line: every kind of side, every presenter, --exit-code, libraries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
from click.testing import CliRunner
from conftest import MINI
from jsonschema import Draft202012Validator

from assembler.cli import cli
from assembler.library.schemas import bundled_schema_dir

AS_OF = ["--as-of", "2026-03-01"]


def run(*args: str | Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_two_clause_versions(tmp_path: Path) -> None:
    result = run("diff", "villkor@1.0.0", "villkor@1.1.0", "--library", MINI, "--exit-code", "--no-color")
    assert result.exit_code == 1, result.output
    assert "[villkor 1.0.0 → 1.1.0]" in result.output
    assert "~ 1.1 Variant A {+i version 1.1 +}gäller. Parterna ska:" in result.output
    same = run("diff", "villkor@1.0.0", "villkor@1.0.0", "--library", MINI, "--exit-code")
    assert same.exit_code == 0


def test_unknown_clause_version_is_a_usage_error() -> None:
    result = run("diff", "villkor@9.9.9", "villkor@1.0.0", "--library", MINI)
    assert result.exit_code == 2
    assert "no clause version villkor@9.9.9" in result.output


def test_answer_files_and_built_files_compare_with_each_other(mini_answers: Path, tmp_path: Path) -> None:
    changed = tmp_path / "changed.yaml"
    changed.write_text(mini_answers.read_text(encoding="utf-8").replace("Smart belysning", "Smart gatubelysning"),
                       encoding="utf-8")
    assert run("build", mini_answers, "--library", MINI, "-o", tmp_path / "a", "--format", "docx,pdf,md",
               *AS_OF).exit_code == 0
    for old in (mini_answers, tmp_path / "a" / "answers.docx", tmp_path / "a" / "answers.pdf",
                tmp_path / "a" / "answers.md"):
        result = run("diff", old, changed, "--library", MINI, *AS_OF, "--exit-code", "--no-color")
        assert result.exit_code == 1, (old, result.output)
        assert "projektet Smart [-belysning-]{+gatubelysning+}, se Bilaga 1" in result.output
        assert "1 changed" in result.output


def test_docx_redline_needs_a_file_and_round_trips(mini_answers: Path, tmp_path: Path) -> None:
    changed = tmp_path / "changed.yaml"
    changed.write_text(mini_answers.read_text(encoding="utf-8").replace("Smart belysning", "Smart gatubelysning"),
                       encoding="utf-8")
    assert run("diff", mini_answers, changed, "--library", MINI, "--format", "docx").exit_code == 2
    out = tmp_path / "redline.docx"
    result = run("diff", mini_answers, changed, "--library", MINI, *AS_OF, "--format", "docx", "-o", out,
                 "--author", "Stadsjuristen")
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    xml = document.element.xml
    assert "w:ins" in xml and "w:del" in xml and 'w:author="Stadsjuristen"' in xml
    assert 'w:date="2026-03-01T00:00:00Z"' in xml


def test_json_follows_its_schema(mini_answers: Path, tmp_path: Path) -> None:
    changed = tmp_path / "changed.yaml"
    changed.write_text(mini_answers.read_text(encoding="utf-8").replace("secrecy: true", "secrecy: false"),
                       encoding="utf-8")
    result = run("diff", mini_answers, changed, "--library", MINI, *AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    schema = json.loads((bundled_schema_dir() / "diff.schema.json").read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(data)) == []


def test_html_redline_to_a_file(mini_answers: Path, tmp_path: Path) -> None:
    out = tmp_path / "redline.html"
    result = run("diff", mini_answers, mini_answers, "--library", MINI, *AS_OF, "--format", "html", "-o", out)
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_two_libraries_and_one_library_at_two_dates(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    shutil.copytree(MINI, lib)
    (lib / "fragments" / "uppsagning" / "1.0.0.md").rename(tmp_path / "gone.md")
    text = (lib / "approved.yaml").read_text(encoding="utf-8")
    (lib / "approved.yaml").write_text("\n".join(line for line in text.splitlines()
                                                 if not line.startswith("uppsagning@")) + "\n", encoding="utf-8")
    result = run("diff", "--library", MINI, lib, *AS_OF, "--exit-code", "--no-color")
    assert result.exit_code == 1, result.output
    assert "clause uppsagning: 1.0.0 → – (removed)" in result.output
    dates = run("diff", "--library", MINI, "--old-as-of", "2026-03-01", "--as-of", "2026-07-01", "--no-color")
    assert dates.exit_code == 0
    assert "clause villkor@^1: 1.0.0 → 1.1.0 (changed)" in dates.output
    assert "Variant A {+i version 1.1 +}gäller." in dates.output
