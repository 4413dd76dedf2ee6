"""The command line: exit codes, exact error lines, atomic output, literal answer text."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES, MINI, REPO

from assembler import __version__
from assembler.cli import cli

AS_OF = ["--as-of", "2026-03-01"]


def run(runner: CliRunner, *args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, [str(a) for a in args])


def test_version_and_help(runner: CliRunner) -> None:
    assert run(runner, "--version").output.splitlines()[0] == f"assembler {__version__}"
    for command in ("validate", "check", "build", "inspect"):
        result = run(runner, command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_build_writes_every_text_format(runner: CliRunner, mini_answers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(runner, "build", mini_answers, "--library", MINI, "-o", f"{out}/", "--format", "md,html,txt", *AS_OF)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["answers.html", "answers.md", "answers.txt"]
    assert "## 5. Uppsägning" in (out / "answers.md").read_text(encoding="utf-8")


def test_wrong_check_digit_gives_one_line_and_no_file(runner: CliRunner, tmp_path: Path) -> None:
    answers = FIXTURES / "broken" / "wrong-check-digit.yaml"
    result = run(runner, "build", answers, "--library", MINI, "-o", tmp_path / "out", "--format", "md", *AS_OF)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"error: {answers}:13:12: parties[1].orgnr: the check digit is wrong (organisationsnummer)"]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_missing_required_field_names_the_path(runner: CliRunner) -> None:
    result = run(runner, "check", FIXTURES / "broken" / "missing-title.yaml", "--library", MINI, *AS_OF)
    assert result.exit_code == 1
    assert "title: this required field is missing" in result.output


def test_missing_file_and_not_yaml(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "check", tmp_path / "nope.yaml", "--library", MINI)
    assert result.exit_code == 2
    assert result.output.strip() == f"error: the answer file '{tmp_path / 'nope.yaml'}' does not exist"
    result = run(runner, "check", FIXTURES / "broken" / "not-yaml.yaml", "--library", MINI)
    assert result.exit_code == 1
    assert "not-yaml.yaml:3:1: this is not valid YAML" in result.output


def test_payment_is_refused_as_a_purchase(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "build", FIXTURES / "broken" / "payment.yaml", "--library", MINI, "-o", tmp_path, *AS_OF)
    assert result.exit_code == 1
    assert "payment.yaml:4:9: amount: Ersättning gör detta till ett köp enligt LOU, inte OPI." in result.output
    assert list(tmp_path.iterdir()) == []


def test_template_syntax_in_answers_prints_literally(runner: CliRunner, mini_answers: Path, tmp_path: Path) -> None:
    literal = "{{ 7*7 }} {% if x %}y{% endif %} <b>fet</b> *a* **b**"
    text = mini_answers.read_text(encoding="utf-8").replace("title: Smart belysning", f"title: '{literal}'")
    mini_answers.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run(runner, "build", mini_answers, "--library", MINI, "-o", out, "--format", "txt,html", *AS_OF)
    assert result.exit_code == 0, result.output
    assert f"Avtalet gäller projektet {literal}, se Bilaga 1" in (out / "answers.txt").read_text(encoding="utf-8")
    from html.parser import HTMLParser

    class Text(HTMLParser):
        chunks: list[str] = []

        def handle_data(self, data: str) -> None:
            self.chunks.append(data)

    parser = Text()
    parser.chunks = []
    parser.feed((out / "answers.html").read_text(encoding="utf-8"))
    assert literal in "".join(parser.chunks)
    assert " 49 " not in "".join(parser.chunks)


def test_same_inputs_same_bytes(runner: CliRunner, mini_answers: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        result = run(runner, "build", mini_answers, "--library", MINI, "-o", tmp_path / name,
                     "--format", "md,html,txt", "--manifest", *AS_OF)
        assert result.exit_code == 0, result.output
    for f in (tmp_path / "a").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name


def test_manifest_beside_the_output_and_inspect(runner: CliRunner, mini_answers: Path, tmp_path: Path) -> None:
    result = run(runner, "build", mini_answers, "--library", MINI, "-o", tmp_path, "--format", "md", "--manifest", *AS_OF)
    assert result.exit_code == 0, result.output
    manifest = tmp_path / "answers.manifest.json"
    shown = run(runner, "inspect", manifest)
    assert shown.exit_code == 0
    assert "agreement: mini@1.0.0" in shown.output
    assert "  uppsagning@1.0.0  sha256 " in shown.output


def test_inspect_of_a_file_without_manifest(runner: CliRunner, tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_text("hello", encoding="utf-8")
    result = run(runner, "inspect", f)
    assert result.exit_code == 1 and "not valid JSON" in result.output


def test_validate_lists_every_problem_with_its_line(runner: CliRunner, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    shutil.copytree(MINI, lib)
    good = (lib / "fragments" / "uppsagning" / "1.0.0.md").read_text(encoding="utf-8")
    draft = good.replace("version: 1.0.0", "version: 1.1.0").replace("status: approved", "status: draft")
    broken = {
        "1.1.0": draft.replace("status: draft", "status: final"),
        "1.2.0": draft.replace("version: 1.1.0", "version: 1.2.0").replace(
            "utan skäl.", "utan skäl, {{ no_such_field }}."),
        "1.3.0": draft.replace("version: 1.1.0", "version: 1.3.0").replace("utan skäl.", "utan skäl {{ oops ."),
        "1.4.0": draft.replace("version: 1.1.0", "version: 1.4.0").replace("ref('parter')", "ref('finns-inte')"),
    }
    for version, text in broken.items():
        (lib / "fragments" / "uppsagning" / f"{version}.md").write_text(text, encoding="utf-8")
    result = run(runner, "validate", "--library", lib)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    frag = lib / "fragments" / "uppsagning"
    assert len(lines) == 5, result.output  # the bad reference is in both languages
    assert lines[0] == f"error: {frag / '1.1.0.md'}:4:9: status: must be one of: draft, approved, retired"
    assert lines[1] == (f"error: {frag / '1.2.0.md'}:13: the variable 'no_such_field' "
                        "is not declared in the answers schema")
    assert lines[2].startswith(f"error: {frag / '1.3.0.md'}:15: template syntax error")
    assert lines[3] == (f"error: {frag / '1.4.0.md'}:15: cross-reference to the clause 'finns-inte', "
                        "which the library does not have")
    assert lines[4].startswith(f"error: {frag / '1.4.0.md'}:21: cross-reference")


def test_validate_a_clean_library(runner: CliRunner) -> None:
    result = run(runner, "validate", "--library", MINI)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(": ok")


def test_validate_catches_a_changed_approved_version(runner: CliRunner, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    shutil.copytree(MINI, lib)
    f = lib / "fragments" / "sekretess" / "1.0.0.md"
    f.write_text(f.read_text(encoding="utf-8").replace("OSL", "OSL,"), encoding="utf-8")
    result = run(runner, "validate", "--library", lib)
    assert result.exit_code == 1
    assert f"error: {f}:1:1: approved version sekretess@1.0.0 has changed since it was approved" in result.output


def test_bad_option_values_are_usage_errors(runner: CliRunner, mini_answers: Path) -> None:
    result = run(runner, "build", mini_answers, "--library", MINI, "--format", "doc")
    assert result.exit_code == 2 and "unknown format 'doc'" in result.output
    result = run(runner, "check", mini_answers, "--library", MINI, "--as-of", "1 mars")
    assert result.exit_code == 2 and "--as-of '1 mars' is not a date" in result.output


def test_real_subprocess(mini_answers: Path, tmp_path: Path) -> None:
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.run([sys.executable, "-m", "assembler", "build", str(mini_answers), "--library", str(MINI),
                           "-o", str(tmp_path), "--format", "txt", *AS_OF],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "answers.txt").is_file()
    proc = subprocess.run([sys.executable, "-m", "assembler", "check", str(FIXTURES / "broken" / "payment.yaml"),
                           "--library", str(MINI), *AS_OF], capture_output=True, text=True, env=env)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "köp enligt LOU" in proc.stderr


def test_clause_files_with_windows_line_endings_load_and_hash_the_same(runner: CliRunner, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    shutil.copytree(MINI, lib)
    for f in (lib / "fragments").glob("*/*.md"):
        f.write_bytes(f.read_bytes().replace(b"\n", b"\r\n"))
    result = run(runner, "validate", "--library", lib)
    assert result.exit_code == 0, result.output


def test_schema_problems_are_listed_top_down(runner: CliRunner, mini_answers: Path) -> None:
    text = mini_answers.read_text(encoding="utf-8")
    text = text.replace("model: a", "model: z").replace("title: Smart belysning", "title: Smart belysning\nstart: 2026-13-01")
    mini_answers.write_text(text, encoding="utf-8")
    result = run(runner, "check", mini_answers, "--library", MINI)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "start: 2026-13-01 is not a day in the calendar" in lines[0] and "model: must be one of: a, b" in lines[1]


def test_json_answers_keep_their_positions_even_with_tabs(runner: CliRunner) -> None:
    answers = FIXTURES / "broken" / "wrong-check-digit-tabs.json"
    result = run(runner, "check", answers, "--library", MINI, *AS_OF)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"error: {answers}:21:13: parties[1].orgnr: the check digit is wrong (organisationsnummer)"]


def test_broken_json_names_line_and_column(runner: CliRunner) -> None:
    answers = FIXTURES / "broken" / "not-json.json"
    result = run(runner, "check", answers, "--library", MINI)
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {answers}:4:3: this is not valid JSON: Expecting ',' delimiter"


def test_yaml_reading_a_value_as_true_gets_a_hint(runner: CliRunner, mini_answers: Path) -> None:
    mini_answers.write_text(mini_answers.read_text(encoding="utf-8").replace("title: Smart belysning", "title: yes"),
                            encoding="utf-8")
    result = run(runner, "check", mini_answers, "--library", MINI)
    assert 'title: must be text (YAML reads yes as true/false; put the value in quotes: "yes")' in result.output


def test_a_phone_number_yaml_reads_as_an_octal_number_is_shown_as_written(runner: CliRunner,
                                                                          mini_answers: Path) -> None:
    # YAML 1.1 reads 0701234567 (digits 0-7 after a leading zero) as the octal number 117782903.
    text = mini_answers.read_text(encoding="utf-8")
    assert "title: Smart belysning" in text
    mini_answers.write_text(text.replace("title: Smart belysning", "title: 0701234567"), encoding="utf-8")
    result = run(runner, "check", mini_answers, "--library", MINI)
    assert 'title: must be text (YAML reads 0701234567 as a number; put the value in quotes: "0701234567")' in (
        result.output)
    assert "117782903" not in result.output


def test_json_giving_a_number_for_text_gets_a_json_hint(runner: CliRunner, mini_answers: Path, tmp_path: Path) -> None:
    import yaml
    data = yaml.safe_load(mini_answers.read_text(encoding="utf-8"))
    data["title"] = 2026
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(data, default=str), encoding="utf-8")
    result = run(runner, "check", answers, "--library", MINI)
    assert result.exit_code == 1
    assert "title: must be text (the file gives 2026 without quotes; put the value in quotes)" in result.output


def test_a_file_named_docx_or_pdf_that_is_neither_is_named_so(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty.docx").write_bytes(b"")
    (tmp_path / "note.pdf").write_text("meeting notes", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    for command in ("inspect", "rebuild"):
        result = run(runner, command, tmp_path / "empty.docx")
        assert result.exit_code == 1 and result.output.strip() == f"error: {tmp_path / 'empty.docx'}: this file is empty"
    result = run(runner, "inspect", tmp_path / "note.pdf")
    assert result.output.strip() == f"error: {tmp_path / 'note.pdf'}: this file is not a PDF document"
    result = run(runner, "diff", tmp_path / "folder", tmp_path / "note.pdf")
    assert result.exit_code == 2 and "cannot compare a folder; give a DOCX, PDF" in result.output


def test_a_date_written_right_that_does_not_exist_is_called_so(runner: CliRunner, tmp_path: Path) -> None:
    text = (REPO / "examples" / "basic.yaml").read_text(encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text(text.replace("end: 2027-03-31", "end: 2027-02-30"), encoding="utf-8")
    result = run(runner, "check", answers)
    assert result.exit_code == 1 and "project.end: 2027-02-30 is not a day in the calendar" in result.output
    answers.write_text(text.replace("end: 2027-03-31", "end: 31 mars 2027"), encoding="utf-8")
    result = run(runner, "check", answers)
    assert "project.end: is not a date: write it as YYYY-MM-DD, e.g. 2026-03-01" in result.output
