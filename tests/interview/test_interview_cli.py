"""`assembler interview` with piped input, as a real subprocess and through click's runner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
BASIC_INPUT = (FIXTURES / "basic.answers.txt").read_text(encoding="utf-8")


def interview(args: list[str], text: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assembler", "interview", *args], input=text, cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def build_md(answers: Path, out: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "assembler", "build", "--strict", "--as-of", "2026-03-01",
                           "--format", "md", "-o", str(out), str(answers)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8")


def test_piped_interview_builds_the_basic_agreement(tmp_path: Path) -> None:
    done = interview(["out.yaml"], BASIC_INPUT, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    written = tmp_path / "out.yaml"
    first = written.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=file://")
    assert Path(first.split("file://", 1)[1]).name == "opi-innovation.schema.json"
    assert Path(first.split("file://", 1)[1]).is_file()
    # build --strict accepts the file unchanged, and it makes the same agreement as the example.
    ours = build_md(written, tmp_path / "ours.md")
    theirs = build_md(REPO / "examples" / "basic.yaml", tmp_path / "theirs.md")
    assert ours == theirs
    assert yaml.safe_load(written.read_text(encoding="utf-8"))["private_parties"][0]["orgnr"] == "559412-7184"


def test_questions_are_swedish_with_enum_titles_and_comments(tmp_path: Path) -> None:
    done = interview(["out.yaml"], BASIC_INPUT, tmp_path)
    assert "Projektet › Projektets namn: " in done.stdout
    assert "Offentlig part 1 › Organisationsnummer: " in done.stdout
    assert "  1) creator-owns – Varje part äger det den skapar" in done.stdout
    text = (tmp_path / "out.yaml").read_text(encoding="utf-8")
    assert "# Organisationsnummer: Organets svenska organisationsnummer, NNNNNN-NNNN." in text
    # No personal data processed: no questions about the role or a data processing agreement.
    assert "Utvecklingspartens roll" not in done.stdout
    assert "Biträdesavtal" not in done.stdout


def test_english_questions(tmp_path: Path) -> None:
    done = interview(["--lang", "en", "out.yaml"], "sv\n\nA title\n", tmp_path)
    assert "Project › Project title: " in done.stdout
    assert "[empty = skip]" in done.stdout
    assert done.returncode == 1  # the input ended before the answers were complete


def test_wrong_orgnr_is_refused_at_once_and_asked_again(tmp_path: Path) -> None:
    lines = BASIC_INPUT.splitlines()
    at = lines.index("212000-1355")
    lines[at:at + 1] = ["212000-1356", "212000-1355"]
    done = interview(["out.yaml"], "\n".join(lines) + "\n", tmp_path)
    assert done.returncode == 0, done.stdout
    assert "Kontrollsiffran stämmer inte – kontrollera organisationsnumret." in done.stdout
    assert done.stdout.count("Offentlig part 1 › Organisationsnummer: ") == 2


def test_a_guard_that_can_be_decided_stops_the_answer(tmp_path: Path) -> None:
    lines = BASIC_INPUT.splitlines()
    at = lines.index("0")  # remuneration.amount_sek
    lines[at:at + 1] = ["5000", "0"]
    done = interview(["out.yaml"], "\n".join(lines) + "\n", tmp_path)
    assert done.returncode == 0, done.stdout
    assert "Stopp: Den offentliga parten ska inte betala något till utvecklingsparten" in done.stdout
    assert yaml.safe_load((tmp_path / "out.yaml").read_text(encoding="utf-8"))["remuneration"] == {"amount_sek": 0}


def test_go_back_changes_the_previous_answer(tmp_path: Path) -> None:
    lines = BASIC_INPUT.splitlines()
    at = lines.index("Smart sortering av matavfall i flerbostadshus")
    lines[at:at + 1] = ["Fel titel", "<", "<", "KS 2026/0412", lines[at]]
    done = interview(["out.yaml"], "\n".join(lines) + "\n", tmp_path)
    assert done.returncode == 0, done.stdout
    data = yaml.safe_load((tmp_path / "out.yaml").read_text(encoding="utf-8"))
    assert data["project"]["title"] == "Smart sortering av matavfall i flerbostadshus"
    assert data["reference"] == "KS 2026/0412"


def test_resume_from_a_partial_file(tmp_path: Path) -> None:
    lines = BASIC_INPUT.splitlines()
    cut = lines.index("Stadsdirektör") + 1
    first = interview(["out.yaml"], "\n".join(lines[:cut]) + "\nq\n", tmp_path)
    assert first.returncode == 1
    assert "saved unfinished" in first.stderr
    partial = yaml.safe_load((tmp_path / "out.yaml").read_text(encoding="utf-8"))
    assert partial["public_parties"][0]["signatory"]["title"] == "Stadsdirektör"
    assert "private_parties" not in partial
    # Continuing asks only what is missing: the optional questions left empty before come again.
    rest = ["", ""] + lines[cut:]  # the end-user groups and the public party's country, left empty the first time
    second = interview(["out.yaml"], "\n".join(rest) + "\n", tmp_path)
    assert second.returncode == 0, second.stdout[-2000:]
    assert "Fortsätter med" in second.stdout
    assert build_md(tmp_path / "out.yaml", tmp_path / "ours.md") == build_md(REPO / "examples" / "basic.yaml",
                                                                             tmp_path / "theirs.md")


def test_runner_takes_piped_input(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from assembler.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, ["interview", str(tmp_path / "a.yaml")], input="sv\n\n")
    assert result.exit_code == 1
    assert "Projektet › Projektets namn" in result.output
