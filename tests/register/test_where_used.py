"""Where-used: agreements found by the manifests embedded in DOCX and PDF files, corrupt files named."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, MINI

from assembler.assembly.pipeline import build
from assembler.cli import cli
from assembler.library.lifecycle import approve, new_version, retire
from assembler.register.where_used import where_used

# (sub-folder, reference, as-of date, secrecy) of each agreement made; villkor 1.1.0 takes effect 2026-06-01.
MADE = [("2026/q1", "KS 2026/0001", "2026-03-01", True), ("2026/q1", "KS 2026/0002", "2026-03-15", False),
        ("2026/q3", "KS 2026/0003", "2026-07-01", True), ("2026/q3", "KS 2026/0004", "2026-08-01", False)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four agreements as DOCX and PDF in nested folders, with corrupt and foreign files among them."""
    root = tmp_path_factory.mktemp("agreements")
    answers_text = (FIXTURES / "mini-answers.yaml").read_text(encoding="utf-8")
    for sub, reference, as_of, secrecy in MADE:
        answers = root / f"{reference.replace('/', '-').replace(' ', '-')}.yaml"
        answers.write_text(answers_text.replace("KS 2026/0001", reference)
                           .replace("secrecy: true", f"secrecy: {'true' if secrecy else 'false'}"), encoding="utf-8")
        build(answers, output=root / sub / f"{answers.stem}.docx", formats=("docx", "pdf"), library=MINI, as_of=as_of)
        answers.unlink()
    good_docx = next(root.rglob("*.docx")).read_bytes()
    good_pdf = next(root.rglob("*.pdf")).read_bytes()
    (root / "broken").mkdir()
    (root / "broken/truncated.docx").write_bytes(good_docx[: len(good_docx) // 2])
    (root / "broken/truncated.pdf").write_bytes(good_pdf[: len(good_pdf) // 2])
    (root / "broken/not-really.PDF").write_bytes(b"just some text, not a PDF")
    word = io.BytesIO()
    docx.Document().save(word)
    (root / "broken/letter.docx").write_bytes(word.getvalue())
    (root / "notes.txt").write_text("not an agreement and not a DOCX or PDF: ignored", encoding="utf-8")
    return root


def test_every_agreement_using_the_clause_is_found(folder: Path) -> None:
    report = where_used(folder, "sekretess", library=MINI)
    assert (report.scanned, report.agreements) == (12, 8)
    assert sorted((u.file.relative_to(folder).as_posix(), u.reference, u.version) for u in report.uses) == [
        ("2026/q1/KS-2026-0001.docx", "KS 2026/0001", "1.0.0"), ("2026/q1/KS-2026-0001.pdf", "KS 2026/0001", "1.0.0"),
        ("2026/q3/KS-2026-0003.docx", "KS 2026/0003", "1.0.0"), ("2026/q3/KS-2026-0003.pdf", "KS 2026/0003", "1.0.0")]
    use = report.uses[0]
    assert (use.agreement, use.parties, use.assembled, use.language) == \
        ("mini", ("Helsingborgs stad", "Ljus AB"), "2026-03-01", "sv")


def test_corrupt_and_foreign_files_are_named_never_fatal(folder: Path) -> None:
    report = where_used(folder, "villkor", library=MINI)
    assert len(report.uses) == 8
    assert {u.file.relative_to(folder).as_posix(): u.reason for u in report.unreadable} == {
        "broken/letter.docx": "this DOCX carries no assembler manifest",
        "broken/not-really.PDF": "neither a DOCX nor a PDF file",
        "broken/truncated.docx": "this file is not a DOCX document",
        "broken/truncated.pdf": "the PDF cannot be read (Stream has ended unexpectedly)",
    }


def test_a_version_or_only_superseded_versions(folder: Path, tmp_path: Path) -> None:
    assert {u.reference for u in where_used(folder, "villkor@1.1.0", library=MINI).uses} == \
        {"KS 2026/0003", "KS 2026/0004"}
    superseded = where_used(folder, "villkor", library=MINI, superseded_only=True)
    assert {(u.reference, u.version, u.superseded_by) for u in superseded.uses} == \
        {("KS 2026/0001", "1.0.0", "villkor@1.1.0"), ("KS 2026/0002", "1.0.0", "villkor@1.1.0")}
    assert where_used(folder, "sekretess", library=MINI, superseded_only=True).uses == ()
    lib = Path(shutil.copytree(MINI, tmp_path / "lib"))
    new_version(lib, "sekretess", today="2026-11-01")
    approve(lib, "sekretess@1.1.0", by="Anna Andersson", date="2026-11-02")
    retire(lib, "sekretess@1.0.0", replaced_by="sekretess@1.1.0", date="2026-11-03")
    assert len(where_used(folder, "sekretess", library=lib, superseded_only=True).uses) == 4


def test_where_used_on_the_command_line(folder: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["where-used", "villkor@1.0.0", str(folder), "--superseded", "--library", str(MINI)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["FILE", "REFERENCE", "PARTIES", "ASSEMBLED", "VERSION"]
    assert lines[1].split() == ["2026/q1/KS-2026-0001.docx", "KS", "2026/0001", "Helsingborgs", "stad;", "Ljus", "AB",
                                "2026-03-01", "1.0.0", "(superseded", "by", "villkor@1.1.0)"]
    assert "4 agreement(s) use villkor@1.0.0 on a superseded version; 12 file(s) read, 4 unreadable or not ours" \
        in result.output
    assert f"skipped: {folder / 'broken/truncated.pdf'}: the PDF cannot be read" in result.output
    data = json.loads(runner.invoke(cli, ["where-used", "sekretess", str(folder), "--json",
                                          "--library", str(MINI)]).output)
    assert (data["scanned"], data["agreements"], len(data["uses"]), len(data["unreadable"])) == (12, 8, 4, 4)
    assert data["uses"][0] == {
        "file": "2026/q1/KS-2026-0001.docx", "agreement": "mini", "agreement_version": "1.0.0",
        "reference": "KS 2026/0001", "parties": ["Helsingborgs stad", "Ljus AB"], "assembled": "2026-03-01",
        "language": "sv", "version": "1.0.0", "draft": False, "superseded_by": None}


def test_a_missing_folder_is_a_usage_error(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["where-used", "villkor", str(tmp_path / "nope"), "--library", str(MINI)])
    assert result.exit_code == 2
    assert result.output == f"error: the folder '{tmp_path / 'nope'}' does not exist\n"


def test_a_large_folder_read_by_two_processes_gives_what_one_gives(folder: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    big = tmp_path / "big"
    sources = sorted(p for p in folder.rglob("*") if p.is_file())
    for n in range(430):  # enough for two workers, each with several chunks; foreign and broken files among them
        source = sources[n % len(sources)]
        target = big / f"{n // 100:02d}" / f"{n:04d}-{source.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    one = where_used(big, "villkor", library=MINI, jobs=1)
    two = where_used(big, "villkor", library=MINI, jobs=2)
    assert one.to_dict() == two.to_dict()
    assert one.scanned == 430 - sum(1 for n in range(430) if sources[n % len(sources)].suffix == ".txt")
    assert len(one.uses) == one.agreements > 250 and len(one.unreadable) > 100
    assert [u.path for u in two.uses] == sorted((u.path for u in two.uses), key=lambda p: Path(p).parts)
    command = [sys.executable, "-m", "assembler", "where-used", "villkor", str(big), "--json", "--library", str(MINI)]
    out = subprocess.run(command + ["-j", "2"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == one.to_dict()
    text = subprocess.run(command[:-3] + ["--library", str(MINI)], capture_output=True, text=True, check=True)
    assert f"{len(one.uses)} agreement(s) use villkor; {one.scanned} file(s) read, {len(one.unreadable)} unreadable" \
        in text.stdout
    assert len(text.stdout.splitlines()) == len(one.uses) + 2  # the heading, a row per use, the summary
    assert "truncated.pdf: the PDF cannot be read" in text.stderr


def test_a_worker_killed_midway_leaves_the_scan_to_the_parent(folder: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from assembler.register import where_used as module

    big = tmp_path / "big"
    big.mkdir()
    source = (folder / "2026/q1/KS-2026-0001.pdf").read_bytes()
    for n in range(420):
        (big / f"{n:04d}.pdf").write_bytes(source)
    parent, original = os.getpid(), module.read_agreement

    def dies_in_a_worker(path: str):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os._exit(3)  # as if the kernel killed the worker for its memory
        return original(path)

    monkeypatch.setattr(module, "read_agreement", dies_in_a_worker)
    report = where_used(big, "villkor", library=MINI, jobs=2)
    assert (report.scanned, report.agreements, len(report.uses), report.unreadable) == (420, 420, 420, ())
