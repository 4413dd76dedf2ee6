"""Exact regeneration: an issued agreement rebuilt from its manifest is byte-identical, or says why not."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, MINI

from assembler.assembly.pipeline import build
from assembler.assembly.rebuild import rebuild
from assembler.cli import cli
from assembler.errors import UsageError
from assembler.library.lifecycle import approve, new_version, retire
from assembler.manifest import manifest_to_json
from assembler.readers import read_manifest_file

FORMATS = ("docx", "pdf", "html", "md", "txt")


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINI, tmp_path / "lib"))


@pytest.fixture
def issued(lib: Path, tmp_path: Path) -> dict[str, Path]:
    """One agreement in every format (and its manifest), made on 2026-03-01; the answer file is gone since."""
    answers = tmp_path / "agreement.yaml"
    shutil.copy(FIXTURES / "mini-answers.yaml", answers)
    result = build(answers, output=tmp_path / "issued/", formats=FORMATS, library=lib, as_of="2026-03-01",
                   manifest=True)
    answers.unlink()
    return {p.name.split(".", 1)[1]: p for p in result.files}


def test_rebuild_of_every_format_is_byte_identical(lib: Path, issued: dict[str, Path]) -> None:
    for kind, path in issued.items():
        result = rebuild(path, library=lib)
        assert result.identical and result.differences == (), (kind, result.differences)
        if kind != "manifest.json":
            assert result.data[kind] == path.read_bytes()


def test_the_as_of_date_picks_the_version_and_the_manifest_says_so(lib: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    shutil.copy(FIXTURES / "mini-answers.yaml", answers)
    made = {}
    for as_of in ("2026-03-01", "2026-07-01"):
        result = build(answers, output=tmp_path / as_of / "a.docx", formats=("docx", "pdf"), library=lib, as_of=as_of)
        made[as_of] = result.files
    for as_of, version in (("2026-03-01", "1.0.0"), ("2026-07-01", "1.1.0")):
        for path in made[as_of]:
            m = read_manifest_file(path)
            assert m.assembled == as_of
            assert [f"{c.id}@{c.version}" for c in m.clauses if c.id == "villkor"] == [f"villkor@{version}"]
            assert rebuild(path, library=lib).identical


def test_agreements_rebuild_after_their_clause_is_superseded_and_retired(lib: Path, issued: dict[str, Path]) -> None:
    draft = new_version(lib, "villkor@1.1.0", today="2026-11-01").files[0]
    draft.write_text(draft.read_text(encoding="utf-8").replace("samarbeta", "samverka"), encoding="utf-8")
    approve(lib, "villkor@1.2.0", by="Anna Andersson", date="2026-11-02")
    retire(lib, "villkor@1.0.0", replaced_by="villkor@1.2.0", date="2026-11-03")
    retire(lib, "villkor@1.1.0", replaced_by="villkor@1.2.0", date="2026-11-03")
    for kind in ("docx", "pdf"):
        assert rebuild(issued[kind], library=lib).identical


def test_a_changed_clause_file_is_named(lib: Path, issued: dict[str, Path], runner: CliRunner) -> None:
    path = lib / "fragments/uppsagning/1.0.0.md"
    path.write_text(path.read_text(encoding="utf-8").replace("utan skäl", "utan särskilda skäl"), encoding="utf-8")
    result = runner.invoke(cli, ["rebuild", str(issued["docx"]), "--library", str(lib)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"{issued['docx']}: the rebuild differs (mini@1.0.0, sv, assembled 2026-03-01, 5 clauses):"
    assert lines[1].startswith(f"  clause: {path}: the clause file changed since the agreement was made "
                               "(uppsagning@1.0.0: sha256 recorded 4a601376ecad…, now ")
    # Approved means approved at build time: the edited approved file is refused, not built from.
    assert "  build: the agreement cannot be rebuilt: " in result.output
    assert "the approved clause uppsagning@1.0.0 has changed since it was approved: approved.yaml records sha256 " \
           "4a601376ecad" in result.output


def test_different_answers_are_named(lib: Path, issued: dict[str, Path], tmp_path: Path) -> None:
    answers = tmp_path / "other.yaml"
    answers.write_text((FIXTURES / "mini-answers.yaml").read_text(encoding="utf-8")
                       .replace("Smart belysning", "Smartare belysning"), encoding="utf-8")
    result = rebuild(issued["pdf"], library=lib, answers=answers)
    assert not result.identical
    kinds = [d.kind for d in result.differences]
    assert kinds[0] == "answers" and "bytes" in kinds
    assert result.differences[0].message.startswith(f"{answers}: the answers differ from the recorded hash")
    same = tmp_path / "same.yaml"
    shutil.copy(FIXTURES / "mini-answers.yaml", same)
    assert rebuild(issued["pdf"], library=lib, answers=same).identical


def test_a_different_tool_version_or_blueprint_is_named(lib: Path, issued: dict[str, Path], tmp_path: Path) -> None:
    m = read_manifest_file(issued["manifest.json"])
    old = tmp_path / "old.manifest.json"
    old.write_text(manifest_to_json(replace(m, tool_version="0.0.9")), encoding="utf-8")
    result = rebuild(old, library=lib)
    assert not result.identical
    assert [d.message for d in result.differences] == [
        "the agreement was made with assembler 0.0.9; this is assembler 0.1.0",
        "tool_version: recorded '0.0.9', rebuilt '0.1.0'"]
    blueprint = lib / "agreements/mini.yaml"
    blueprint.write_text(blueprint.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.1.0"),
                         encoding="utf-8")
    messages = [d.message for d in rebuild(issued["docx"], library=lib).differences]
    assert messages[0] == f"{blueprint}: the blueprint is at version 1.1.0; the agreement was made with version 1.0.0"
    assert "agreement_version: recorded '1.0.0', rebuilt '1.1.0'" in messages


def test_a_missing_clause_version_is_named(lib: Path, issued: dict[str, Path]) -> None:
    gone = lib / "fragments/villkor/1.0.0.md"
    gone.unlink()
    result = rebuild(issued["docx"], library=lib)
    assert [d.kind for d in result.differences] == ["clause", "build"]
    assert result.differences[0].message == f"{gone}: villkor@1.0.0 is not in the library"


def test_without_recorded_answers_the_answer_file_is_needed(lib: Path, issued: dict[str, Path], tmp_path: Path) -> None:
    bare = tmp_path / "bare.manifest.json"
    bare.write_text(manifest_to_json(replace(read_manifest_file(issued["manifest.json"]), answers="")),
                    encoding="utf-8")
    with pytest.raises(UsageError, match="does not carry its answer file: give the answer file") as caught:
        rebuild(bare, library=lib)
    assert (caught.value.code, caught.value.option) == ("rebuild.no-answers", "answers")
    answers = tmp_path / "answers.yaml"
    shutil.copy(FIXTURES / "mini-answers.yaml", answers)
    result = rebuild(bare, library=lib, answers=answers)
    assert [d.message for d in result.differences] == ["the answer text differs"]  # the bare manifest lacks it


def test_rebuild_writes_the_rebuilt_file_but_never_over_the_original(
        lib: Path, issued: dict[str, Path], tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "again"
    result = runner.invoke(cli, ["rebuild", str(issued["manifest.json"]), "-o", f"{out}/", "--library", str(lib),
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["identical"] and data["written"] == [str(out / "agreement.docx"), str(out / "agreement.pdf")]
    assert (out / "agreement.pdf").read_bytes() == issued["pdf"].read_bytes()
    result = runner.invoke(cli, ["rebuild", str(issued["docx"]), "-o", str(issued["docx"]), "--library", str(lib)])
    assert result.exit_code == 2 and "would overwrite" in result.output
    result = runner.invoke(cli, ["rebuild", str(tmp_path / "nope.docx"), "--library", str(lib)])
    assert result.exit_code == 2 and result.output == f"error: the file '{tmp_path / 'nope.docx'}' does not exist\n"


def test_a_markdown_file_needs_its_manifest_beside_it(lib: Path, issued: dict[str, Path]) -> None:
    issued["manifest.json"].unlink()
    with pytest.raises(UsageError, match="carries no manifest and 'agreement.manifest.json' is not beside it"):
        rebuild(issued["md"], library=lib)


def test_appendix_files_are_found_beside_the_agreements_folder(lib: Path, tmp_path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas
    source = tmp_path / "cases"
    (source / "bilagor").mkdir(parents=True)
    canvas = Canvas(str(source / "bilagor/plan.pdf"), invariant=1)
    canvas.drawString(100, 700, "Projektplan")
    canvas.save()
    answers = source / "answers.yaml"
    answers.write_text((FIXTURES / "mini-answers.yaml").read_text(encoding="utf-8")
                       + "appendices:\n  - {id: plan, title: Projektplan, file: bilagor/plan.pdf}\n", encoding="utf-8")
    pdf = build(answers, output=tmp_path / "out/a.pdf", formats=("pdf",), library=lib, as_of="2026-03-01").files[0]
    result = rebuild(pdf, library=lib)
    assert result.identical, result.differences
    assert result.notes == ((f"the appendix files were taken from {source} (the manifest does not say where the "
                             "answer file was; give the answer file to be sure)"),)
    (source / "bilagor/plan.pdf").unlink()
    result = rebuild(pdf, library=lib)
    assert [d.kind for d in result.differences] == ["build"]
    assert "pass the answer file at its original place" in result.differences[0].message
