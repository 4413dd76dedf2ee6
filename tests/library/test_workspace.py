"""Workspaces: init, finding the library, settings, the read-only bundled library and four-eyes approval."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assembler.cli import cli
from assembler.errors import AssemblerError, UsageError
from assembler.library.lifecycle import approve, new_version
from assembler.library.lint import validate_library
from assembler.library.load import bundled_library_dir, load_library
from assembler.library.workspace import (
    SETTINGS_FILE,
    Settings,
    find_workspace,
    init_workspace,
    load_settings,
    resolve_library,
    writable_library,
)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    init_workspace(tmp_path / "juridik", user="Anna Jurist")
    return tmp_path / "juridik"


def test_init_copies_the_bundled_library_examples_and_writes_settings(ws: Path) -> None:
    bundled = bundled_library_dir()
    for f in bundled.rglob("*.md"):
        assert (ws / "clauses" / f.relative_to(bundled)).read_bytes() == f.read_bytes()
    assert (ws / "examples/basic.yaml").is_file() and (ws / "examples/appendices").is_dir()
    assert (ws / "schemas/answers/opi-innovation.schema.json").is_file()
    assert "assembler init" not in (ws / "README.md").read_text() and "not legal advice" in (ws / "README.md").read_text()
    assert "*.docx" in (ws / ".gitignore").read_text()
    settings = load_settings(ws)
    assert settings == Settings(root=ws.resolve(), library="clauses", user="Anna Jurist")
    assert validate_library(settings.library_dir).ok


def test_init_never_overwrites_a_workspace(ws: Path) -> None:
    with pytest.raises(UsageError) as err:
        init_workspace(ws)
    assert err.value.code == "workspace.exists"


def test_the_workspace_is_found_from_any_folder_below_it(ws: Path) -> None:
    deep = ws / "avtal" / "2026"
    deep.mkdir(parents=True)
    assert find_workspace(deep) == ws.resolve()
    choice = resolve_library(None, cwd=deep)
    assert (choice.source, choice.path, choice.settings.user) == ("workspace", (ws / "clauses").resolve(), "Anna Jurist")
    assert resolve_library(None, cwd=ws.parent).source == "bundled"
    explicit = resolve_library(ws / "clauses", "option", cwd=ws.parent)
    assert explicit.source == "option" and explicit.settings.user == "Anna Jurist"
    named = resolve_library(ws, "environment", cwd=ws.parent)  # the workspace itself, not its clauses/
    assert (named.path, named.source) == ((ws / "clauses").resolve(), "environment")


@pytest.mark.parametrize(("text", "code"), [
    ('user = "A"\ncolour = "blue"\n', "settings.unknown"),
    ("pdf_a = 1\n", "settings.type"),
    ('user = "A\n', "settings.syntax"),
    ("approval = 3\n", "settings.type"),
])
def test_bad_settings_are_named_with_their_file(tmp_path: Path, text: str, code: str) -> None:
    (tmp_path / SETTINGS_FILE).write_text(text)
    with pytest.raises(AssemblerError) as err:
        load_settings(tmp_path)
    assert err.value.code == code and err.value.location.file == str(tmp_path / SETTINGS_FILE)


def test_the_installed_library_is_read_only() -> None:
    with pytest.raises(UsageError) as err:
        writable_library(None)
    assert err.value.code == "library.read-only" and "assembler init" in err.value.message
    with pytest.raises(UsageError):
        new_version(None, "andringar")


def test_a_command_that_would_write_the_bundled_library_says_to_run_init(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSEMBLER_LIBRARY", raising=False)
    before = sorted(p.name for p in (bundled_library_dir() / "fragments/andringar").iterdir())
    result = CliRunner().invoke(cli, ["clauses", "new-version", "andringar"])
    assert result.exit_code == 2
    assert "read-only" in result.output and "`assembler init DIR`" in result.output
    assert sorted(p.name for p in (bundled_library_dir() / "fragments/andringar").iterdir()) == before


def test_version_and_validate_say_which_library(ws: Path, monkeypatch) -> None:
    monkeypatch.chdir(ws)
    monkeypatch.delenv("ASSEMBLER_LIBRARY", raising=False)
    runner = CliRunner()
    version = runner.invoke(cli, ["--version"])
    assert version.exit_code == 0
    assert version.output.splitlines()[1] == f"library: {(ws / 'clauses').resolve()} (workspace {ws.resolve()})"
    checked = runner.invoke(cli, ["validate"])
    assert checked.exit_code == 0, checked.output
    assert checked.output.splitlines()[0] == f"library: {(ws / 'clauses').resolve()} (workspace {ws.resolve()})"
    monkeypatch.chdir(ws.parent)
    assert "(bundled with the package, read-only)" in runner.invoke(cli, ["--version"]).output
    monkeypatch.setenv("ASSEMBLER_LIBRARY", str(ws / "clauses"))
    assert "from $ASSEMBLER_LIBRARY" in runner.invoke(cli, ["--version"]).output


def test_drafts_record_their_author_and_need_a_second_person(ws: Path) -> None:
    lib = ws / "clauses"
    change = new_version(lib, "andringar", today="2026-12-01")
    assert "drafted_by: Anna Jurist" in change.files[0].read_text()
    with pytest.raises(AssemblerError) as err:
        approve(lib, "andringar@1.2.0", date="2026-12-02")  # the workspace user is the author
    assert err.value.code == "lifecycle.own-draft" and err.value.location.line == 7
    with pytest.raises(AssemblerError):
        approve(lib, "andringar@1.2.0", by="anna jurist")
    done = approve(lib, "andringar@1.2.0", by="Bertil Granskare", date="2026-12-02")
    assert done.ref == "andringar@1.2.0"
    cv = load_library(lib).clause("andringar", "1.2.0")
    assert cv.meta["approved_by"] == "Bertil Granskare" and cv.meta["drafted_by"] == "Anna Jurist"


def test_a_workspace_may_allow_self_approval(ws: Path) -> None:
    settings = ws / SETTINGS_FILE
    settings.write_text(settings.read_text().replace("allow_self_approval = false", "allow_self_approval = true"))
    new_version(ws / "clauses", "andringar", by="Anna Jurist")
    assert approve(ws / "clauses", "andringar@1.2.0").ref == "andringar@1.2.0"


def test_every_approved_version_names_its_approver() -> None:
    lib = load_library()
    assert all(lib.approver(cv) for versions in lib.clauses.values() for cv in versions if cv.status != "draft")
    assert "not legal advice" in lib.default_approver


def test_validate_fails_on_an_approved_version_without_approver(ws: Path) -> None:
    yaml = ws / "clauses/library.yaml"
    yaml.write_text("\n".join(line for line in yaml.read_text().split("\n") if not line.startswith("approved_by:")))
    problems = [p for p in validate_library(ws / "clauses").problems if p.code == "library.approved-by-missing"]
    unnamed = [f for f in (ws / "clauses/fragments").glob("*/*.md") if "\napproved_by:" not in f.read_text()]
    assert unnamed and len(problems) == len(unnamed)
    assert problems[0].location.line is not None


def test_review_lists_drafts_with_their_redline(ws: Path, monkeypatch) -> None:
    monkeypatch.chdir(ws)
    monkeypatch.delenv("ASSEMBLER_LIBRARY", raising=False)
    new_version(ws / "clauses", "avtalstid", message="Shorter.")
    path = ws / "clauses/fragments/avtalstid/1.1.0.md"
    path.write_text(path.read_text().replace("Avtalet träder i kraft", "Avtalet börjar gälla", 1))
    result = CliRunner().invoke(cli, ["clauses", "review", "--lang", "sv", "--no-color"])
    assert result.exit_code == 0, result.output
    assert "1 draft(s) waiting for approval" in result.output
    assert "avtalstid@1.1.0  drafted by Anna Jurist" in result.output and "replaces avtalstid@1.0.1" in result.output
    redline_part = result.output.split("drafted by Anna Jurist", 1)[1]
    assert "börjar gälla" in redline_part and "träder i kraft" in redline_part


def test_clause_ids_and_versions_complete(ws: Path) -> None:
    from click.shell_completion import ShellComplete
    complete = ShellComplete(cli, {}, "assembler", "_ASSEMBLER_COMPLETE")
    ids = [c.value for c in complete.get_completions(["clauses", "show", "--library", str(ws / "clauses")], "and")]
    assert ids == ["andringar"]
    versions = [c.value for c in complete.get_completions(["clauses", "show", "--library", str(ws / "clauses")],
                                                          "andringar@")]
    assert versions == ["andringar@1.0.0", "andringar@1.1.0"]
    commands = [c.value for c in complete.get_completions(["clauses"], "im")]
    assert commands == ["import"]
