"""Batch builds: answer files, folders and spreadsheet rows, parallel workers, failures collected, progress."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, MINI, REPO

from assembler.assembly.answers import load_answers
from assembler.assembly.batch import BatchOptions, Failure, collect_items, run_batch
from assembler.assembly.sheets import read_sheet, row_answers
from assembler.cli import cli
from assembler.errors import UsageError

HEADINGS = "reference,parties[1].name,parties[1].orgnr,amount,parties[1].signatory.name,parties[1].signatory.title"
ROWS = ["KS 2026/0501,Alfa Ljus AB,556016-0680,0,Alma Alm,VD",
        "KS 2026/0502,Beta Belysning AB,556036-0793,25000,Bo Berg,VD",  # a payment: the guard stops this row
        "KS 2026/0503,Gamma Lampor AB,559412-7184,0,Gun Gran,VD"]


def _sheet(tmp_path: Path, rows: list[str] = ROWS, name: str = "firms.csv") -> Path:
    sheet = tmp_path / name
    sheet.write_text("\n".join([HEADINGS, *rows]) + "\n", encoding="utf-8")
    return sheet


def _base(tmp_path: Path) -> Path:
    base = tmp_path / "base.yaml"
    base.write_text((FIXTURES / "mini-answers.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return base


def _cli(*args: str, cwd: Path, stderr_tty: bool = False) -> tuple[int, str, str]:
    """Run the installed command line as a real process; stderr is a pipe, or a pseudo-terminal."""
    command = [sys.executable, "-m", "assembler", *args]
    if not stderr_tty:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
        return done.returncode, done.stdout, done.stderr
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new pty is 0 columns wide
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=follower, text=True)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read() if proc.stdout else ""
    code = proc.wait(timeout=300)
    os.close(leader)
    return code, out, b"".join(chunks).decode("utf-8", "replace")


def test_a_failing_row_is_named_and_the_others_are_written(tmp_path: Path) -> None:
    sheet, base = _sheet(tmp_path), _base(tmp_path)
    code, out, err = _cli("build", str(sheet), "--base", str(base), "--library", str(MINI), "--as-of", "2026-03-01",
                          "-o", str(tmp_path / "out"), "--format", "docx", "-j", "2", cwd=tmp_path)
    assert code == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["firms-2.docx", "firms-4.docx"]
    assert f"failed: {sheet}:3:4: amount:" in err  # row 3 of the sheet, column 4 (amount), named once
    assert "built 2 of 3 agreement(s)" in out and "1 failed" in out
    built = docx.Document(str(tmp_path / "out/firms-4.docx"))
    text = "\n".join([p.text for p in built.paragraphs] +
                     [c.text for t in built.tables for r in t.rows for c in r.cells])  # signatures are a table
    assert "Gamma Lampor AB" in text and "559412-7184" in text and "KS 2026/0503" in text
    assert "Ljus AB" not in text and "Örjan Öberg" not in text  # the base file's company was replaced, not added to
    assert "Gun Gran" in text
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_progress_is_drawn_on_a_terminal_only(tmp_path: Path) -> None:
    rows = [r for r in ROWS if "25000" not in r]
    sheet, base = _sheet(tmp_path, rows), _base(tmp_path)
    args = ("build", str(sheet), "--base", str(base), "--library", str(MINI), "--as-of", "2026-03-01",
            "--format", "txt", "-j", "1")
    code, out, err = _cli(*args, "-o", str(tmp_path / "piped"), cwd=tmp_path)
    assert code == 0 and err == "" and "built 2 of 2" in out
    code, out, err = _cli(*args, "-o", str(tmp_path / "tty"), cwd=tmp_path, stderr_tty=True)
    assert code == 0 and "0/2" in err and "agreement/s" in err  # tqdm's counter, on the terminal
    code, out, err = _cli(*args, "-o", str(tmp_path / "quiet"), "--quiet", cwd=tmp_path, stderr_tty=True)
    assert code == 0 and err == ""


def test_a_row_is_recorded_canonically_even_where_a_rebuild_would_embed_file_text(tmp_path: Path) -> None:
    """A row has no file text of its own: its manifest carries the canonical answers, never an empty text."""
    from assembler.assembly.answers import canonical_answers, canonical_text
    from assembler.assembly.pipeline import assemble
    row = read_sheet(_sheet(tmp_path))[0]
    answers = row_answers(row, load_answers(_base(tmp_path)))
    for embed_text in (False, True):
        manifest = assemble(answers, library=MINI, as_of="2026-03-01", embed_text=embed_text).agreement.manifest
        assert manifest.answers_form == "canonical"
        assert manifest.answers == canonical_text(canonical_answers(answers).data)
        assert "Alfa Ljus AB" in manifest.answers and manifest.answers_sha256


def test_a_required_field_left_empty_is_located_at_its_own_cell(tmp_path: Path) -> None:
    """The company's item is emptied by the row's first cell for it; a required field whose cell is empty is
    still reported at that cell, not at the cell that emptied the item."""
    sheet = _sheet(tmp_path, ["KS 2026/0603,Theta AB,556036-0793,0,,VD", "KS 2026/0604,Theta AB,556036-0793,0,Tor,"])
    base = _base(tmp_path)
    result = run_batch(collect_items([sheet], base=base),
                       BatchOptions(tmp_path / "out", ("txt",), MINI, "2026-03-01", base=base), jobs=1)
    found = [(p.location.line, p.location.column, p.location.path) for f in result.failures for p in f.problems]
    assert found == [(2, 5, "parties[1].signatory.name"), (3, 6, "parties[1].signatory.title")]


def test_rows_are_validated_like_files_with_row_and_column(tmp_path: Path) -> None:
    sheet = _sheet(tmp_path, ["KS 2026/0600,,556016-0680,0,Ada,VD", "KS 2026/0601,Delta AB,'0701234567,0,Dan,VD",
                              "KS 2026/0602,Eta AB,556036-0793,0,Eva,VD", "KS 2026/0603,Theta AB,556036-0793,0,,"])
    base = load_answers(_base(tmp_path))
    first, second, _, fourth = read_sheet(sheet)
    emptied = row_answers(first, base)
    assert "name" not in emptied.data["parties"][1]  # an empty cell removes what the base says there
    assert emptied.locate(("parties", 1, "name")).column == 2 and emptied.locate(("parties", 1, "name")).line == 2
    assert emptied.locate(("title",)).file == str(base.path)  # a field the sheet does not set: the base file's line
    assert row_answers(second, base).data["parties"][1]["orgnr"] == "0701234567"  # an apostrophe keeps text
    unsigned = row_answers(fourth, base)  # the base's signatory of that company is not carried into this row
    assert "signatory" not in unsigned.data["parties"][1]
    assert unsigned.data["parties"][0] == base.data["parties"][0]  # the item no column fills stays the base's
    result = run_batch(collect_items([sheet], base=base.path),
                       BatchOptions(tmp_path / "out", ("txt",), MINI, "2026-03-01", base=base.path), jobs=1)
    assert all(isinstance(f, Failure) for f in result.failures)
    assert [f.item.label for f in result.failures] == [f"{sheet} row 2", f"{sheet} row 3", f"{sheet} row 5"]
    located = [(p.location.file, p.location.line, p.location.column, p.location.path)
               for f in result.failures for p in f.problems if p.location]
    assert located == [(str(sheet), 2, 2, "parties[1].name"), (str(sheet), 3, 3, "parties[1].orgnr"),
                       (str(sheet), 5, 5, "parties[1].signatory")]  # at its first empty cell
    assert [i.label for i in result.issued] == [f"{sheet} row 4"]


def test_xlsx_rows_build_like_csv_rows(tmp_path: Path) -> None:
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(HEADINGS.split(","))
    sheet.append(["KS 2026/0701", "Epsilon AB", "556016-0680", 0, "Eva Ek", "VD"])
    book.save(tmp_path / "firms.xlsx")
    result = run_batch(collect_items([tmp_path / "firms.xlsx"], base=_base(tmp_path)),
                       BatchOptions(tmp_path / "out", ("txt",), MINI, "2026-03-01", base=tmp_path / "base.yaml"), jobs=1)
    assert not result.failures
    assert "Epsilon AB" in (tmp_path / "out" / "firms-2.txt").read_text(encoding="utf-8")


def test_a_number_cell_for_a_text_field_gets_spreadsheet_advice(tmp_path: Path) -> None:
    # Excel stores 5560160680 typed into a cell as a number; the advice is about the cell, not about YAML quotes.
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(HEADINGS.split(","))
    sheet.append(["KS 2026/0702", "Zeta AB", 5560160680, 0, "Zoe Zed", "VD"])
    book.save(tmp_path / "firms.xlsx")
    result = run_batch(collect_items([tmp_path / "firms.xlsx"], base=_base(tmp_path)),
                       BatchOptions(tmp_path / "out", ("txt",), MINI, "2026-03-01", base=tmp_path / "base.yaml"), jobs=1)
    [problem] = [p for f in result.failures for p in f.problems]
    assert (problem.location.line, problem.location.column) == (2, 3)
    assert "must be text (the cell holds 5560160680 as a number; make the cell text" in problem.message
    assert "YAML" not in problem.message


def test_files_and_folders_of_answer_files(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "in/sub").mkdir(parents=True)
    text = (FIXTURES / "mini-answers.yaml").read_text(encoding="utf-8")
    for name in ("in/a.yaml", "in/sub/b.yaml", "c.yaml"):
        (tmp_path / name).write_text(text.replace("KS 2026/0001", name), encoding="utf-8")
    out = runner.invoke(cli, ["build", str(tmp_path / "in"), str(tmp_path / "c.yaml"), "--library", str(MINI),
                              "--format", "md", "-o", str(tmp_path / "out"), "-j", "2"])
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.md", "b.md", "c.md"]
    (tmp_path / "in/sub/a.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match="would both be written as 'a"):
        collect_items([tmp_path / "in"])
    out = runner.invoke(cli, ["build", str(tmp_path / "in/a.yaml"), str(tmp_path / "missing.yaml")])
    assert out.exit_code == 2 and "missing.yaml' does not exist" in out.output


def test_single_build_output_is_unchanged(tmp_path: Path) -> None:
    """One answer file: the same files, the same bytes and the same lines printed as before batches existed."""
    code, out, err = _cli("build", str(REPO / "examples/basic.yaml"), "--as-of", "2026-03-01", "-o", "out/",
                          cwd=tmp_path)
    assert code == 0 and out.splitlines() == ["out/basic.docx", "out/basic.pdf"] and err == ""
    again = tmp_path / "again"
    again.mkdir()
    _cli("build", str(REPO / "examples/basic.yaml"), "--as-of", "2026-03-01", "-o", "out/", cwd=again)
    for name in ("basic.docx", "basic.pdf"):
        assert (tmp_path / "out" / name).read_bytes() == (again / "out" / name).read_bytes()


@pytest.mark.parametrize("encoding, delimiter, bom", [("cp1252", ";", b""), ("utf-8", ";", b"\xef\xbb\xbf"),
                                                      ("utf-16", "\t", b"")],
                         ids=["excel-csv-swedish-windows", "excel-csv-utf8", "excel-unicode-text"])
def test_csv_files_as_excel_saves_them(tmp_path: Path, encoding: str, delimiter: str, bom: bytes) -> None:
    lines = [HEADINGS, "KS 2026/0801,Åkesson Mätteknik AB,556016-0680,0,Örjan Ås,VD"]
    sheet = tmp_path / "firms.csv"
    sheet.write_bytes(bom + "\r\n".join(line.replace(",", delimiter) for line in lines).encode(encoding) + b"\r\n")
    result = run_batch(collect_items([sheet], base=_base(tmp_path)),
                       BatchOptions(tmp_path / "out", ("txt",), MINI, "2026-03-01", base=tmp_path / "base.yaml"), jobs=1)
    assert not result.failures, result.failures
    text = (tmp_path / "out" / "firms-2.txt").read_text(encoding="utf-8")
    assert "Åkesson Mätteknik AB" in text and "Örjan Ås" in text


def test_a_csv_in_an_unknown_encoding_is_a_plain_error(tmp_path: Path) -> None:
    sheet = tmp_path / "firms.csv"
    sheet.write_bytes(HEADINGS.encode() + b"\r\nKS 2026/0802,\x81\x8d\x8f AB,556016-0680,0,Ada,VD\r\n")
    code, out, err = _cli("build", str(sheet), "--base", str(_base(tmp_path)), "--library", str(MINI),
                          "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert code == 1 and "Traceback" not in err
    assert err.strip() == (f"error: {sheet}: the spreadsheet is neither UTF-8 nor Windows-1252 text: in "
                           "Excel, save it as 'CSV UTF-8' or as an Excel workbook (.xlsx)")


def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    import zipfile

    from openpyxl import Workbook
    book = Workbook()
    book.active.append(HEADINGS.split(","))
    book.save(tmp_path / "plain.xlsx")
    bomb = tmp_path / "firms.xlsx"
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            data = src.read(name)
            out.writestr(name, data + b" " * (100 << 20) if name == "xl/worksheets/sheet1.xml" else data)
    code, out, err = _cli("build", str(bomb), "--base", str(_base(tmp_path)), "--library", str(MINI),
                          "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert code == 1 and "Traceback" not in err and not (tmp_path / "out").exists()
    assert f"error: {bomb}: the part 'xl/worksheets/sheet1.xml' of the spreadsheet exceeds the limit" in err


@pytest.mark.parametrize("headings, column, message", [
    ("reference,parties[1].name,reference", 3, "the heading 'reference' names the same field as 'reference' in column 1"),
    ("reference,parties[1],parties[1].name", 3,
     "the heading 'parties[1].name' names a field that overlaps 'parties[1]' in column 2"),
], ids=["twice", "inside-another"])
def test_a_field_given_two_columns_is_refused(tmp_path: Path, headings: str, column: int, message: str) -> None:
    sheet = tmp_path / "firms.csv"
    sheet.write_text(headings + "\nKS 2026/0901,Alfa AB,Beta AB\n", encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        read_sheet(sheet)
    assert message in str(raised.value) and raised.value.location.column == column


def test_a_file_named_xlsx_that_is_not_a_workbook_gets_plain_advice(tmp_path: Path) -> None:
    sheet = tmp_path / "firms.xlsx"
    sheet.write_text("reference\nKS 1\n", encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        read_sheet(sheet)
    assert "is not an Excel workbook (.xlsx) that can be read: open it in Excel and save it as 'Excel Workbook'" in str(
        raised.value)
    assert "BadZipFile" not in str(raised.value)
