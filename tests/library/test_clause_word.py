"""Clauses drafted in Word: export with locked content controls, import as the next draft."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pypdf
import pytest
import word_edits as edit
from click.testing import CliRunner
from docx.oxml.ns import qn

from assembler.cli import cli
from assembler.errors import ValidationFailed
from assembler.library.clause_word import export_clause, split_body
from assembler.library.clause_word_import import read_word_edit
from assembler.library.load import load_library
from assembler.library.workspace import init_workspace

BUNDLED = load_library()


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "juridik"
    init_workspace(root, user="Anna Jurist")
    monkeypatch.chdir(root)
    monkeypatch.delenv("ASSEMBLER_LIBRARY", raising=False)
    return root


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("ref", [cv.ref for versions in BUNDLED.clauses.values() for cv in versions])
def test_export_then_read_back_without_edits_is_the_clause_file_byte_for_byte(ref: str) -> None:
    ident, _, version = ref.partition("@")
    cv = BUNDLED.clause(ident, version)
    result = read_word_edit(export_clause(BUNDLED, cv, ("sv", "en")), "clause.docx", BUNDLED)
    assert result.text.encode("utf-8") == cv.path.read_bytes()
    assert not result.changed


def test_every_tag_is_a_locked_control_with_a_readable_label() -> None:
    cv = BUNDLED.clause("parter", "1.0.0")
    document = docx.Document(io.BytesIO(export_clause(BUNDLED, cv, ("sv",))))
    controls = list(document.element.body.iter(qn("w:sdt")))
    tags = sum(1 for line in split_body(cv.bodies["sv"], None).lines for t in line.tokens if t.tag)  # type: ignore[arg-type]
    assert len(controls) == tags + 1  # and the language marker
    for sdt in controls:
        pr = sdt.find(qn("w:sdtPr"))
        assert pr.find(qn("w:lock")).get(qn("w:val")) == "sdtContentLocked"
        alias = pr.find(qn("w:alias")).get(qn("w:val"))
        shown = "".join(t.text for t in sdt.iter(qn("w:t")))
        assert alias and "{" not in alias and "{" not in shown
    labels = {sdt.find(qn("w:sdtPr")).find(qn("w:alias")).get(qn("w:val")) for sdt in controls}
    assert {"Om: several_public", "Annars", "Slut på villkoret", "Public parties: Name",
            "Development partners: Organisation number", "För varje: Public parties"} <= labels
    assert "de Offentliga Parterna / den Offentliga Parten" in labels  # term(pub): the terms it can stand for
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Samtliga parter benämns nedan gemensamt" in text and "{{" not in text


def test_an_unedited_round_trip_through_the_cli_writes_nothing(ws: Path) -> None:
    assert run("clauses", "new-version", "andringar").exit_code == 0
    draft = ws / "clauses/fragments/andringar/1.2.0.md"
    before = draft.read_bytes()
    assert run("clauses", "export", "andringar", "-o", "a.docx").exit_code == 0
    result = run("clauses", "import", "a.docx")
    assert result.exit_code == 0 and "holds no change to andringar@1.2.0" in result.output
    assert draft.read_bytes() == before
    assert run("clauses", "export", "avtalstid@1.0.0", "-o", "b.docx").exit_code == 0
    assert run("clauses", "import", "b.docx").exit_code == 0
    assert sorted(p.name for p in (ws / "clauses/fragments/avtalstid").iterdir()) == ["1.0.0.md", "1.0.1.md"]


def test_word_edits_become_the_draft_with_authors_and_comments_in_the_changelog(ws: Path) -> None:
    run("clauses", "new-version", "andringar", "-m", "Dated amendments.")
    run("clauses", "export", "andringar", "-o", "a.docx")
    data = Path("a.docx").read_bytes()
    data = edit.replace_word(data, "skriftliga", "skriftliga, daterade")
    data = edit.tracked_insertion(data, "Amendments and additions", " Email does not suffice.", "Bo Bolagsjurist")
    data = edit.tracked_deletion(data, "additions ", "Bo Bolagsjurist")
    data = edit.comment(data, "Amendments and", "Dating shows the order of amendments.", "Cecilia Chefsjurist")
    Path("a.docx").write_bytes(data)
    result = run("clauses", "import", "a.docx", "--no-color")
    assert result.exit_code == 0, result.output
    text = (ws / "clauses/fragments/andringar/1.2.0.md").read_text()
    assert "ska vara skriftliga, daterade och undertecknade" in text
    assert ("Amendments and to this Agreement shall be in writing and signed by all Parties in order to be valid. "
            "Email does not suffice.") in text
    lib = load_library(ws / "clauses")
    cv = lib.clause("andringar", "1.2.0")
    entry = cv.meta["changelog"][-1]
    assert entry["version"] == "1.2.0"
    assert entry["text"] == ("Cecilia Chefsjurist: Dating shows the order of amendments. Tracked changes by "
                             "Bo Bolagsjurist accepted. Imported by Anna Jurist.")
    assert "{{ ref('styrning-och-samverkan') }}" in cv.bodies["sv"]  # placeholders restored from the controls
    assert "daterade" in result.output and "Email does not suffice" in result.output  # the redline
    assert run("validate").exit_code == 0


def test_an_edited_approved_version_becomes_a_new_draft_version(ws: Path) -> None:
    run("clauses", "export", "avtalstid", "-o", "t.docx")
    Path("t.docx").write_bytes(edit.replace_word(Path("t.docx").read_bytes(), "träder i kraft", "börjar gälla"))
    result = run("clauses", "import", "t.docx", "--by", "Bo Bolagsjurist")
    assert result.exit_code == 0, result.output
    meta = load_library(ws / "clauses").clause("avtalstid", "1.1.0").meta
    assert (meta["status"], meta["replaces"], meta["drafted_by"]) == ("draft", "avtalstid@1.0.1", "Bo Bolagsjurist")


@pytest.mark.parametrize(("change", "code", "words"), [
    (lambda d: edit.remove_control(d, "«Projektet»"), "clause-docx.control-deleted",
     ["«Projektet» was deleted", "“Detta avtal med bilagor utgör Parternas fullständiga"]),
    (lambda d: edit.duplicate_control(d, "«Projektet»"), "clause-docx.control-duplicated",
     ["«Projektet» appears twice", "Detta avtal med bilagor"]),
    (lambda d: edit.alter_control(d, "«Projektet»", "«Avtalet»"), "clause-docx.control-altered",
     ["«Projektet»", "was altered", "«Avtalet»"]),
])
def test_a_broken_control_stops_the_import_naming_label_and_paragraph(ws: Path, change, code: str,
                                                                      words: list[str]) -> None:
    run("clauses", "new-version", "andringar")
    draft = ws / "clauses/fragments/andringar/1.2.0.md"
    before = draft.read_bytes()
    run("clauses", "export", "andringar", "--lang", "sv", "-o", "a.docx")
    broken = change(Path("a.docx").read_bytes())
    with pytest.raises(ValidationFailed) as err:
        read_word_edit(broken, "a.docx", load_library(ws / "clauses"))
    assert err.value.problems[0].code == code and err.value.problems[0].location.path.startswith("sv paragraph ")
    Path("a.docx").write_bytes(broken)
    result = run("clauses", "import", "a.docx")
    assert result.exit_code == 1 and result.output.startswith("error: a.docx: sv paragraph ")
    assert all(w in result.output for w in words), result.output
    assert draft.read_bytes() == before


def test_a_document_not_exported_by_us_is_refused(ws: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Ändringar ska vara skriftliga.")
    document.save("other.docx")
    result = run("clauses", "import", "other.docx")
    assert result.exit_code == 1 and "not written by `assembler clauses export`" in result.output
    Path("junk.docx").write_bytes(b"not a zip")
    assert run("clauses", "import", "junk.docx").exit_code == 1


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_export_and_shows_the_labels(tmp_path: Path) -> None:
    source = tmp_path / "andringar.docx"
    data = export_clause(BUNDLED, BUNDLED.clause("andringar", "1.0.0"), ("sv", "en"))
    source.write_bytes(edit.tracked_insertion(data, "Amendments and additions", " Email suffices.", "Bo"))
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "andringar.pdf").pages).split())
    assert "«Projektet»" in text and "«punkt Styrning och samverkan»" in text and "«clause Governance" in text
    assert "Email suffices." in text and "{{" not in text


def test_a_draft_changed_since_export_is_not_overwritten(ws: Path) -> None:
    run("clauses", "new-version", "andringar")
    run("clauses", "export", "andringar", "-o", "a.docx")
    draft = ws / "clauses/fragments/andringar/1.2.0.md"
    draft.write_text(draft.read_text().replace("giltiga", "gällande"))
    changed = draft.read_bytes()
    Path("a.docx").write_bytes(edit.replace_word(Path("a.docx").read_bytes(), "skriftliga", "skrivna"))
    result = run("clauses", "import", "a.docx")
    assert result.exit_code == 1 and "has changed since a.docx was exported" in result.output
    assert draft.read_bytes() == changed
