"""Clause lifecycle: drafting, approving and retiring versions, and the immutability checks of validate."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, MINI

from assembler.assembly.pipeline import build
from assembler.assembly.rebuild import rebuild
from assembler.cli import cli
from assembler.errors import AssemblerError, UsageError, ValidationFailed
from assembler.library.lifecycle import approve, new_version, retire, yaml_scalar
from assembler.library.lint import validate_library
from assembler.library.load import clause_sha256, load_library
from assembler.library.sources import parse_yaml

TODAY = "2026-11-27"


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    """A copy of the mini library, free to change."""
    return Path(shutil.copytree(MINI, tmp_path / "lib"))


def front(path: Path) -> dict:  # type: ignore[type-arg]
    lines = path.read_text(encoding="utf-8").split("\n")
    end = lines.index("---", 1)
    return parse_yaml("\n".join(lines[1:end]), str(path)).data


def body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index("\n---\n", 4):]


def errors(root: Path) -> list[str]:
    return [str(p) for p in validate_library(root).problems if p.level == "error"]


def with_comments(path: Path) -> None:
    """Give a clause file comments and an aligned status line, as a lawyer's file may have."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("status: approved\n", "status: approved        # draft | approved | retired\n")
    text = text.replace("title:", "# headings in both languages\ntitle:")
    path.write_text(text, encoding="utf-8")


def test_new_version_is_a_draft_copy_of_the_latest(lib: Path) -> None:
    source = lib / "fragments/sekretess/1.0.0.md"
    before = source.read_bytes()
    change = new_version(lib, "sekretess", today=TODAY, message="Tighter wording.")
    target = lib / "fragments/sekretess/1.1.0.md"
    assert change.files == (target,) and change.ref == "sekretess@1.1.0"
    assert source.read_bytes() == before
    meta, old = front(target), front(source)
    assert (meta["version"], meta["status"], meta["effective"], meta["replaces"]) == \
        ("1.1.0", "draft", TODAY, "sekretess@1.0.0")
    assert meta["changelog"] == old["changelog"] + [{"version": "1.1.0", "date": TODAY, "text": "Tighter wording."}]
    assert {k: v for k, v in meta.items() if k not in ("version", "status", "effective", "replaces", "changelog")} \
        == {k: v for k, v in old.items() if k not in ("version", "status", "effective", "changelog")}
    assert body(target) == body(source)


def test_new_version_keeps_comments_and_bumps_as_asked(lib: Path) -> None:
    with_comments(lib / "fragments/sekretess/1.0.0.md")
    new_version(lib, "sekretess", bump="major", today=TODAY)
    text = (lib / "fragments/sekretess/2.0.0.md").read_text(encoding="utf-8")
    assert "status: draft        # draft | approved | retired\n" in text
    assert "# headings in both languages\ntitle:" in text


def test_new_version_never_overwrites_and_never_copies_a_draft(lib: Path) -> None:
    existing = lib / "fragments/villkor/1.1.0.md"
    before = existing.read_bytes()
    with pytest.raises(AssemblerError, match="already exists; it is never overwritten"):
        new_version(lib, "villkor@1.0.0", today=TODAY)
    assert existing.read_bytes() == before
    with pytest.raises(AssemblerError, match="villkor@2.1.0 is still a draft"):
        new_version(lib, "villkor", today=TODAY)
    assert new_version(lib, "villkor@1.1.0", today=TODAY).ref == "villkor@1.2.0"


def test_new_version_effective_dates_never_go_backwards(lib: Path) -> None:
    with pytest.raises(UsageError, match="effective dates never go backwards"):
        new_version(lib, "villkor@1.1.0", effective="2026-05-01", today=TODAY)
    change = new_version(lib, "villkor@1.1.0", today="2026-03-01")  # before 1.1.0 takes effect
    assert front(change.files[0])["effective"] == "2026-06-01"


def test_approve_sets_status_approver_date_and_records_the_hash(lib: Path) -> None:
    with_comments(lib / "fragments/sekretess/1.0.0.md")
    # the comment changed the approved file: record it again for this test
    record = lib / "approved.yaml"
    record.write_text("\n".join(line for line in record.read_text(encoding="utf-8").split("\n")
                                if not line.startswith("sekretess@")), encoding="utf-8")
    approve(lib, "sekretess@1.0.0", by="Test", date="2026-01-01")
    draft = new_version(lib, "sekretess", today=TODAY).files[0]
    change = approve(lib, "sekretess@1.1.0", by="Örjan Öberg: jurist", date="2026-12-01")
    meta = front(draft)
    assert (meta["status"], meta["approved_by"], meta["approved_on"]) == ("approved", "Örjan Öberg: jurist", "2026-12-01")
    text = draft.read_text(encoding="utf-8")
    assert "status: approved        # draft | approved | retired\napproved_by: " in text
    recorded = record.read_text(encoding="utf-8")
    assert recorded.startswith("# sha256 of each approved clause version\n")
    lines = recorded.split("\n")
    old_sha = clause_sha256((lib / "fragments/sekretess/1.0.0.md").read_text(encoding="utf-8"))
    assert lines.index(f"sekretess@1.1.0: {change.sha256}") == lines.index(f"sekretess@1.0.0: {old_sha}") + 1
    assert change.sha256 == clause_sha256(text)
    assert load_library(lib).approved["sekretess@1.1.0"] == change.sha256
    assert errors(lib) == []


def test_approve_creates_the_record_when_there_is_none(lib: Path) -> None:
    (lib / "approved.yaml").unlink()
    assert any("has no recorded hash" in e for e in errors(lib))
    for ref in ("definitioner@1.0.0", "parter@1.0.0", "sekretess@1.0.0", "uppsagning@1.0.0",
                "villkor@1.0.0", "villkor@1.1.0", "villkor@2.0.0"):
        approve(lib, ref, by="Lead", date="2026-01-01")
    assert errors(lib) == []
    assert (lib / "approved.yaml").read_text(encoding="utf-8").startswith("# The sha256 of every approved")


def test_approve_refuses_what_must_not_be_approved(lib: Path) -> None:
    with pytest.raises(AssemblerError, match="already approved"):
        approve(lib, "villkor@1.0.0", by="X")
    changed = lib / "fragments/villkor/1.0.0.md"
    changed.write_text(changed.read_text(encoding="utf-8").replace("samarbeta", "samarbete"), encoding="utf-8")
    with pytest.raises(AssemblerError, match="approved before with other content"):
        approve(lib, "villkor@1.0.0", by="X")
    draft = lib / "fragments/villkor/2.1.0.md"
    draft.write_text(draft.read_text(encoding="utf-8").replace("# en\n\nVariant B in draft applies.\n", ""),
                     encoding="utf-8")
    with pytest.raises(ValidationFailed, match="has no '# en' section"):
        approve(lib, "villkor@2.1.0", by="X")
    with pytest.raises(UsageError, match="names no version"):
        approve(lib, "villkor", by="X")
    with pytest.raises(UsageError, match="the library has no villkor@9.0.0"):
        approve(lib, "villkor@9.0.0", by="X")
    with pytest.raises(UsageError, match="'tomorrow' is not a date") as caught:
        approve(lib, "villkor@2.1.0", by="X", date="tomorrow")
    assert (caught.value.code, caught.value.option) == ("usage.date", "date")


def test_approve_refuses_an_effective_date_before_an_earlier_version(lib: Path) -> None:
    draft = new_version(lib, "villkor@1.1.0", today=TODAY).files[0]
    draft.write_text(draft.read_text(encoding="utf-8").replace(f"effective: {TODAY}", "effective: 2026-02-01"),
                     encoding="utf-8")
    with pytest.raises(AssemblerError, match="before villkor@1.1.0 .2026-06-01.; effective dates never go backwards"):
        approve(lib, "villkor@1.2.0", by="X")


def test_retire_keeps_the_content_hash_and_marks_the_date(lib: Path) -> None:
    path = lib / "fragments/villkor/1.0.0.md"
    with_comments(path)
    record = lib / "approved.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace(
        "villkor@1.0.0: 81e953764105c0fec458237df95df6806f3fe3fd9683d558741ba55b1eb2c363",
        f"villkor@1.0.0: {clause_sha256(path.read_text(encoding='utf-8'))}"), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    change = retire(lib, "villkor@1.0.0", replaced_by="villkor@1.1.0", date="2026-06-01")
    after = path.read_text(encoding="utf-8")
    assert "status: retired        # draft | approved | retired\nretired_on: 2026-06-01\n" \
           "replaced_by: villkor@1.1.0\n" in after
    assert clause_sha256(after) == clause_sha256(before) == change.sha256
    assert after.replace("retired ", "approved", 1).replace("retired_on: 2026-06-01\n", "") \
        .replace("replaced_by: villkor@1.1.0\n", "") == before.replace("approved ", "approved", 1)
    assert errors(lib) == []
    with pytest.raises(AssemblerError, match="already retired"):
        retire(lib, "villkor@1.0.0")


def test_retire_refuses_drafts_changed_files_and_bad_replacements(lib: Path) -> None:
    with pytest.raises(AssemblerError, match="is a draft and was never in use"):
        retire(lib, "villkor@2.1.0")
    with pytest.raises(UsageError, match="villkor@2.1.0 is draft") as caught:
        retire(lib, "villkor@1.0.0", replaced_by="villkor@2.1.0")
    assert caught.value.option == "replaced_by"
    with pytest.raises(UsageError, match="no such version"):
        retire(lib, "villkor@1.0.0", replaced_by="villkor@7.0.0")
    path = lib / "fragments/villkor/1.0.0.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(AssemblerError, match="has changed since it was approved"):
        retire(lib, "villkor@1.0.0")


def test_retire_warns_about_blueprints_that_pin_the_version(lib: Path) -> None:
    blueprint = lib / "agreements/mini.yaml"
    blueprint.write_text(blueprint.read_text(encoding="utf-8").replace("sekretess@^1", "sekretess@1.0.0"),
                         encoding="utf-8")
    change = retire(lib, "sekretess@1.0.0", date="2026-06-01")
    assert any("pins sekretess@1.0.0 exactly" in w for w in change.warnings)
    assert [e for e in errors(lib) if "pins" in e] == [
        f"{blueprint}:11:13: sections[2].clause: the blueprint pins sekretess@1.0.0, which is retired"]


def test_yaml_scalars_read_back_as_written() -> None:
    for value in ("Anna Andersson", "Örjan: jurist", "# not a comment", "yes", "2026-01-01", "'quoted'", "a #b"):
        assert parse_yaml(f"k: {yaml_scalar(value)}", "x").data == {"k": value}
    with pytest.raises(UsageError):
        yaml_scalar("two\nlines")


# The first promise: an approved version never changes; new wording is a new version.

def test_a_changed_approved_version_fails_validate_and_a_new_version_restores_it(
        lib: Path, tmp_path: Path, runner: CliRunner) -> None:
    answers = tmp_path / "answers.yaml"
    shutil.copy(FIXTURES / "mini-answers.yaml", answers)
    issued = build(answers, output=tmp_path / "issued/", formats=("docx", "pdf"), library=lib, as_of="2026-03-01").files
    path = lib / "fragments/sekretess/1.0.0.md"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("Sekretess gäller", "Sekretess gälller"), encoding="utf-8")
    result = runner.invoke(cli, ["validate", "--library", str(lib)])
    assert result.exit_code == 1
    assert f"error: {path}:1:1: approved version sekretess@1.0.0 has changed since it was approved" in result.output

    # The edit belongs in a new version: draft it (it carries the edit), restore the approved file, approve.
    result = runner.invoke(cli, ["clauses", "new-version", "sekretess", "--library", str(lib)])
    assert result.exit_code == 0, result.output
    assert "has changed since it was approved, and the draft carries that change" in result.output
    draft = lib / "fragments/sekretess/1.1.0.md"
    assert "Sekretess gälller" in draft.read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    result = runner.invoke(cli, ["clauses", "approve", "sekretess@1.1.0", "--by", "Anna Andersson",
                                 "--library", str(lib)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["validate", "--library", str(lib)]).exit_code == 0
    result = runner.invoke(cli, ["clauses", "retire", "sekretess@1.0.0", "--replaced-by", "sekretess@1.1.0",
                                 "--library", str(lib)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["validate", "--library", str(lib)]).exit_code == 0
    for file in issued:
        assert rebuild(file, library=lib).identical, file


def test_cli_usage_errors_exit_2(lib: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["clauses", "approve", "villkor@2.1.0", "--library", str(lib)])
    assert result.exit_code == 2
    assert result.output == ("error: --by is needed: the name of the person approving (or 'user' in the "
                             "workspace's assembler.toml)\n")
    result = runner.invoke(cli, ["clauses", "retire", "villkor", "--library", str(lib)])
    assert result.exit_code == 2
    assert result.output == "error: 'villkor' names no version: write it as villkor@1.2.3\n"
    result = runner.invoke(cli, ["clauses", "new-version", "okand", "--library", str(lib)])
    assert result.exit_code == 2 and "the library has no clause 'okand'" in result.output


# Immutability checks of validate

def test_validate_finds_a_reused_version_number(lib: Path) -> None:
    copy = lib / "fragments/villkor/1.0.1.md"
    shutil.copy(lib / "fragments/villkor/1.0.0.md", copy)
    found = errors(lib)
    assert any(e.startswith(f"{copy}:3:10: version: villkor@1.0.0 is also claimed by") for e in found)


def test_validate_finds_a_draft_that_reuses_an_approved_number(lib: Path) -> None:
    path = lib / "fragments/villkor/2.0.0.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: approved", "status: draft"), encoding="utf-8")
    assert f"{path}:4:9: status: villkor@2.0.0 was approved before (approved.yaml) and is now a draft; a version " \
           "number is never reused: restore the approved file and draft the new wording as a new version" in errors(lib)


def test_validate_finds_effective_dates_going_backwards(lib: Path) -> None:
    path = lib / "fragments/villkor/1.1.0.md"
    path.write_text(path.read_text(encoding="utf-8").replace("effective: 2026-06-01", "effective: 2025-06-01"),
                    encoding="utf-8")
    record = lib / "approved.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace(
        "737454971f421c8abd00907a3cacb561cb174a53723f8b36623c0c0e5544ccf2",
        clause_sha256(path.read_text(encoding="utf-8"))), encoding="utf-8")
    assert errors(lib) == [(f"{path}:5:12: effective: villkor@1.1.0 takes effect 2025-06-01, before the earlier "
                            "version villkor@1.0.0 (2026-01-01); effective dates never go backwards")]


def test_validate_finds_a_changelog_from_a_later_version(lib: Path) -> None:
    path = lib / "fragments/villkor/2.1.0.md"  # a draft, so no hash to keep
    path.write_text(path.read_text(encoding="utf-8").replace("{version: 2.1.0, text: First.}",
                                                             "{version: 2.2.0, text: First.}"), encoding="utf-8")
    assert any("the changelog mentions 2.2.0, a later version than this file's 2.1.0" in e for e in errors(lib))


def test_validate_finds_a_deleted_approved_version(lib: Path) -> None:
    (lib / "fragments/villkor/1.1.0.md").unlink()
    assert f"{lib}/approved.yaml:7:1: approved.yaml records villkor@1.1.0, but " \
           "fragments/villkor/1.1.0.md is gone; approved versions are never deleted: agreements issued with it " \
           "could not be rebuilt" in errors(lib)


def test_validate_finds_a_retired_version_that_changed(lib: Path) -> None:
    retire(lib, "villkor@1.0.0", date="2026-06-01")
    path = lib / "fragments/villkor/1.0.0.md"
    path.write_text(path.read_text(encoding="utf-8").replace("samarbeta", "samverka"), encoding="utf-8")
    assert f"{path}:1:1: retired version villkor@1.0.0 has changed since it was approved; approved versions never " \
           "change: restore the file" in errors(lib)


def test_the_changelog_entry_follows_the_style_of_the_list(lib: Path) -> None:
    path = lib / "fragments/uppsagning/1.0.0.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  - {version: 1.0.0, text: First.}\n",
        "  - version: 1.0.0\n    date: 2026-01-01\n    text: First.\n# the sources follow\n"), encoding="utf-8")
    target = new_version(lib, "uppsagning", today=TODAY, message="Notice: three months, not one.").files[0]
    assert "    text: First.\n  - version: 1.1.0\n    date: 2026-11-27\n" \
           "    text: \"Notice: three months, not one.\"\n# the sources follow\n---\n" \
           in target.read_text(encoding="utf-8")


def test_windows_line_ends_are_kept_by_the_edits(lib: Path) -> None:
    path = lib / "fragments/villkor/1.0.0.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    record = lib / "approved.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace(
        "villkor@1.0.0: 81e953764105c0fec458237df95df6806f3fe3fd9683d558741ba55b1eb2c363",
        f"villkor@1.0.0: {clause_sha256(path.read_bytes().decode('utf-8'))}"), encoding="utf-8")
    sha = clause_sha256(path.read_bytes().decode("utf-8"))
    retire(lib, "villkor@1.0.0", date="2026-06-01")
    data = path.read_bytes()
    assert b"status: retired\r\nretired_on: 2026-06-01\r\neffective" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert clause_sha256(data.decode("utf-8")) == sha
