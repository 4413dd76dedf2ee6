"""Reading the library: clauses list, show and history, in text and JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINI

from assembler.cli import cli
from assembler.errors import UsageError
from assembler.library.catalogue import clause_history, list_clauses, show_clause, word_changes
from assembler.library.lifecycle import approve, new_version, retire
from assembler.library.load import load_library
from assembler.library.versions import Version


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINI, tmp_path / "lib"))


def run(runner: CliRunner, *args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, [str(a) for a in args])


def test_list_gives_the_latest_approved_version_and_who_uses_it() -> None:
    found = {c.id: c for c in list_clauses(load_library(MINI))}
    assert sorted(found) == ["definitioner", "parter", "sekretess", "uppsagning", "villkor"]
    villkor = found["villkor"]
    assert (villkor.latest, villkor.status, villkor.effective, villkor.pending_draft, villkor.versions) == \
        ("2.0.0", "approved", "2026-01-01", "2.1.0", 4)
    assert villkor.languages == ("sv", "en")
    assert [str(u) for u in villkor.used_by] == ["mini (^1)", "mini (^2)"]


def test_list_on_the_command_line(runner: CliRunner) -> None:
    result = run(runner, "clauses", "list", "--library", MINI)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "LATEST", "STATUS", "EFFECTIVE", "LANGUAGES", "USED", "BY"]
    assert lines[-1].split() == ["villkor", "2.0.0", "approved", "(draft", "2.1.0)", "2026-01-01", "sv,en",
                                 "mini", "(^1),", "mini", "(^2)"]
    data = json.loads(run(runner, "clauses", "list", "--library", MINI, "--json").output)
    assert data["clauses"][0] == {
        "id": "definitioner", "title": {"sv": "Definitioner", "en": "Definitions"}, "latest": "1.0.0",
        "status": "approved", "effective": "2026-01-01", "languages": ["sv", "en"],
        "used_by": [{"blueprint": "mini", "range": "^1"}], "pending_draft": None, "versions": 1}


def test_show_gives_text_metadata_changelog_and_the_hash_check(runner: CliRunner) -> None:
    detail = show_clause(load_library(MINI), "villkor", Version.parse("1.1.0"), "en")
    data = detail.to_dict()
    assert (data["version"], data["status"], data["effective"], data["unchanged"]) == \
        ("1.1.0", "approved", "2026-06-01", True)
    assert list(data["text"]) == ["en"] and data["text"]["en"].startswith("Variant A in version 1.1 applies.")
    assert data["changelog"] == [{"version": "1.1.0", "text": "First."}]
    result = run(runner, "clauses", "show", "sekretess", "--library", MINI)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "sekretess@1.0.0 — Sekretess / Confidentiality"
    assert "(as approved)" in result.output
    assert "\n# sv\n\nSekretess gäller enligt OSL för {{ term('projektet') }}.\n" in result.output
    assert "\n# en\n\nSecrecy applies" in result.output


def test_show_defaults_to_the_latest_approved_and_names_a_changed_file(lib: Path, runner: CliRunner) -> None:
    assert str(show_clause(load_library(lib), "villkor").clause.version) == "2.0.0"
    path = lib / "fragments/villkor/2.0.0.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Variant B", "Variant C", 1), encoding="utf-8")
    result = run(runner, "clauses", "show", "villkor@2.0.0", "--library", lib)
    assert "(CHANGED since approval)" in result.output


def test_show_and_history_refuse_unknown_clauses_and_versions(runner: CliRunner) -> None:
    with pytest.raises(UsageError, match="no clause 'vilkor' .did you mean villkor"):
        show_clause(load_library(MINI), "vilkor")
    result = run(runner, "clauses", "show", "villkor@3.0.0", "--library", MINI)
    assert result.exit_code == 2
    assert result.output == "error: the library has no villkor@3.0.0 (versions: 1.0.0, 1.1.0, 2.0.0, 2.1.0)\n"
    assert run(runner, "clauses", "show", "villkor", "--lang", "de", "--library", MINI).exit_code == 2
    assert run(runner, "clauses", "history", "nope", "--library", MINI).exit_code == 2


def test_word_changes_count_words_added_and_removed() -> None:
    change = word_changes("Variant A gäller.", "Variant A i version 1.1 gäller.")
    assert (change.added, change.removed) == (3, 0)
    change = word_changes("a b c d", "a x c")
    assert (change.added, change.removed) == (1, 2)


def test_history_lists_every_version_with_approver_and_word_counts(lib: Path, runner: CliRunner) -> None:
    draft = new_version(lib, "villkor@1.1.0", today="2026-07-01", message="Clearer duty.").files[0]
    draft.write_text(draft.read_text(encoding="utf-8").replace("informera varandra", "underrätta varandra"),
                     encoding="utf-8")
    approve(lib, "villkor@1.2.0", by="Anna Andersson", date="2026-07-02")
    retire(lib, "villkor@1.1.0", replaced_by="villkor@1.2.0", date="2026-07-03")
    history = {e.version: e for e in clause_history(load_library(lib), "villkor")}
    assert list(history) == ["1.0.0", "1.1.0", "1.2.0", "2.0.0", "2.1.0"]
    new = history["1.2.0"]
    assert (new.status, new.approved_by, new.approved_on, new.previous) == \
        ("approved", "Anna Andersson", "2026-07-02", "1.1.0")
    assert [(lang, w.added, w.removed) for lang, w in new.words.items()] == [("sv", 1, 1), ("en", 0, 0)]
    assert new.changelog == ({"version": "1.2.0", "date": "2026-07-01", "text": "Clearer duty."},)
    assert (history["1.1.0"].status, history["1.1.0"].retired_on, history["1.1.0"].replaced_by) == \
        ("retired", "2026-07-03", "villkor@1.2.0")
    assert history["2.0.0"].previous == "1.2.0" and history["1.0.0"].previous is None

    result = run(runner, "clauses", "history", "villkor", "--library", lib)
    assert result.exit_code == 0, result.output
    assert ("1.1.0     retired   effective 2026-06-01  approved by the test suite (fixture library)  "
            "retired 2026-07-03, replaced by villkor@1.2.0") in result.output
    assert "1.2.0     approved  effective 2026-07-01  approved by Anna Andersson on 2026-07-02\n" \
           "          words against 1.1.0: sv +1 -1, en +0 -0\n" \
           "          2026-07-01  Clearer duty.\n" in result.output
    data = json.loads(run(runner, "clauses", "history", "villkor", "--library", lib, "--json").output)
    assert data["versions"][2]["words"] == {"sv": {"added": 1, "removed": 1}, "en": {"added": 0, "removed": 0}}
