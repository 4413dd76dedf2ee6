"""The agreement register on SQLite and PostgreSQL: record, list, show, mark, where-used, the schema version."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, MINI

from assembler.assembly.batch import issued_from_build
from assembler.assembly.pipeline import build
from assembler.cli import cli
from assembler.register.schema import LATEST
from assembler.register.store import open_register
from assembler.register.where_used import where_used


def _make(folder: Path, reference: str, secrecy: bool = True, as_of: str = "2026-03-01") -> Path:
    text = (FIXTURES / "mini-answers.yaml").read_text(encoding="utf-8").replace("KS 2026/0001", reference)
    answers = folder / f"{reference.replace('/', '-').replace(' ', '-')}.yaml"
    answers.write_text(text.replace("secrecy: true", f"secrecy: {str(secrecy).lower()}"), encoding="utf-8")
    return answers


def test_record_list_show_mark_round_trip(register_location: str, tmp_path: Path) -> None:
    answers = _make(tmp_path, "KS 2026/0101")
    result = build(answers, output=tmp_path / "out", formats=("docx", "pdf"), library=MINI, as_of="2026-03-01")
    with open_register(register_location) as reg:
        assert reg.schema_version == LATEST
        ident = reg.record(issued_from_build(str(answers), result))
        again = reg.record(issued_from_build(str(answers), result))  # the same agreement built twice: one record
        assert again == ident
        listed = reg.agreements()
        assert [r.reference for r in listed] == ["KS 2026/0101"]
        assert listed[0].parties == (("party", "Helsingborgs stad", "212000-1355"), ("party", "Ljus AB", "556036-0793"))
        [shown] = reg.find("KS 2026/0101")
        m = result.assembly.agreement.manifest
        assert shown.id == ident and shown.assembled == "2026-03-01" and shown.language == "sv"
        assert shown.agreement == m.agreement and shown.agreement_version == m.agreement_version
        assert shown.clauses == tuple(sorted((c.id, c.version, c.sha256) for c in m.clauses))
        on_disk = {str(p.resolve()): hashlib.sha256(p.read_bytes()).hexdigest() for p in result.files}
        assert {f[0]: f[2] for f in shown.files} == on_disk
        assert {f[1] for f in shown.files} == {"docx", "pdf"}
        assert shown.status == "issued" and shown.built_by
        marked = reg.mark("KS 2026/0101", "signed", "2026-03-20")
        assert (marked.status, marked.status_date) == ("signed", "2026-03-20")
        assert [e[:2] for e in marked.events] == [("signed", "2026-03-20")]
        assert reg.find(ident[:10])[0].reference == "KS 2026/0101"  # an id prefix names it too
        assert [r.reference for r in reg.agreements(status="signed")] == ["KS 2026/0101"]
        assert reg.agreements(status="sent") == []
    with open_register(register_location) as reg:  # reopened: nothing migrated twice, everything kept
        assert reg.schema_version == LATEST and len(reg.agreements()) == 1


def test_cli_builds_into_the_register_and_marks(register_location: str, tmp_path: Path) -> None:
    runner = CliRunner()
    answers = _make(tmp_path, "KS 2026/0102")
    env = {"ASSEMBLER_REGISTER": register_location, "ASSEMBLER_USER": "Karin Lindqvist"}
    out = runner.invoke(cli, ["build", str(answers), "--library", str(MINI), "--as-of", "2026-03-01",
                              "-o", str(tmp_path / "out"), "--format", "docx"], env=env)
    assert out.exit_code == 0, out.output
    assert out.output.strip() == str(tmp_path / "out" / (answers.stem + ".docx"))  # single build prints as before
    out = runner.invoke(cli, ["register", "mark", "KS 2026/0102", "--status", "sent", "--date", "2026-03-02"], env=env)
    assert out.exit_code == 0, out.output
    shown = json.loads(runner.invoke(cli, ["register", "show", "KS 2026/0102", "--json"], env=env).output)
    assert shown[0]["status"] == "sent" and shown[0]["status_date"] == "2026-03-02"
    assert shown[0]["built_by"] == "Karin Lindqvist"
    assert [f["format"] for f in shown[0]["files"]] == ["docx"]
    listed = json.loads(runner.invoke(cli, ["register", "list", "--json"], env=env).output)
    assert [r["reference"] for r in listed] == ["KS 2026/0102"]
    bad = runner.invoke(cli, ["register", "mark", "KS 2026/9999", "--status", "sent"], env=env)
    assert bad.exit_code == 2 and "no agreement 'KS 2026/9999'" in bad.output
    bad = runner.invoke(cli, ["register", "mark", "KS 2026/0102", "--status", "sent", "--date", "2026-13-01"], env=env)
    assert bad.exit_code == 2 and "--date" in bad.output


def test_where_used_from_the_register_matches_the_scan(register_location: str, tmp_path: Path) -> None:
    folder = tmp_path / "agreements"
    with open_register(register_location) as reg:
        for i, secrecy in enumerate((True, False, True)):
            answers = _make(tmp_path, f"KS 2026/02{i}", secrecy)
            result = build(answers, output=folder / f"a{i}", formats=("docx", "pdf"), library=MINI, as_of="2026-03-01")
            reg.record(issued_from_build(str(answers), result))
        reg.mark("KS 2026/020", "signed", "2026-04-01")
        # An agreement built without the register: only the scan finds it, and says the register lacks it.
        shutil.copy(next((folder / "a0").glob("*.docx")), folder / "copied.docx")
        scanned = where_used(folder, "sekretess", library=MINI, register=reg, rescan=True)
        registered = where_used(folder, "sekretess", library=MINI, register=reg)
    assert registered.source == "register" and scanned.source == "scan"
    assert sorted(str(u.file.resolve()) for u in registered.uses) == sorted(
        str(u.file.resolve()) for u in scanned.uses if u.file.name != "copied.docx")
    assert len(registered.uses) == 4  # two agreements with secrecy, DOCX and PDF each
    assert {u.status for u in registered.uses} == {"signed", "issued"}
    assert [p.name for p in scanned.unregistered] == ["copied.docx"]


def test_where_used_cli_uses_the_register(register_location: str, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"ASSEMBLER_REGISTER": register_location}
    answers = _make(tmp_path, "KS 2026/0301")
    out = runner.invoke(cli, ["build", str(answers), "--library", str(MINI), "--as-of", "2026-03-01",
                              "-o", str(tmp_path / "out")], env=env)
    assert out.exit_code == 0, out.output
    data = json.loads(runner.invoke(cli, ["where-used", "sekretess", "--library", str(MINI), "--json"], env=env).output)
    assert data["source"] == "register" and data["agreements"] == 1
    assert sorted(Path(u["file"]).name for u in data["uses"]) == [answers.stem + ".docx", answers.stem + ".pdf"]
    text = runner.invoke(cli, ["where-used", "sekretess", "--library", str(MINI)], env=env).output
    assert text.rstrip().endswith("2 file(s) of 1 registered agreement(s) use sekretess")
    unused = runner.invoke(cli, ["where-used", "sekretess@9.9.9", "--library", str(MINI)], env=env)
    assert unused.exit_code == 0
    assert unused.output.strip() == ("no registered agreement uses sekretess@9.9.9 "
                                     "(name it without '@' to find every version: sekretess)")
    no_register = runner.invoke(cli, ["where-used", "sekretess"], env={"ASSEMBLER_REGISTER": ""})
    assert no_register.exit_code == 2 and "--register" in no_register.output


def test_a_register_that_cannot_be_opened_is_a_plain_error(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["register", "list", "--register", "postgresql://nobody@127.0.0.1:1/none"])
    assert out.exit_code == 2 and "cannot connect to the register" in out.output and "Traceback" not in out.output
    (tmp_path / "dir").mkdir()
    out = runner.invoke(cli, ["register", "list", "--register", str(tmp_path / "dir")])
    assert out.exit_code == 2 and "is a folder" in out.output


def test_a_mistyped_register_is_named_not_made(tmp_path: Path) -> None:
    # Reading commands do not create a register: a typo in the path must not look like "no agreements".
    runner = CliRunner()
    missing = tmp_path / "nowhere" / "register.sqlite3"
    for args in (["register", "list"], ["register", "mark", "KS 1", "--status", "sent"], ["where-used", "parter"]):
        out = runner.invoke(cli, [*args, "--register", str(missing)])
        assert out.exit_code == 2, out.output
        assert f"there is no register at '{missing}'" in out.output
    assert not (tmp_path / "nowhere").exists()
    out = runner.invoke(cli, ["register", "list", "--register", f"mysql://user@host/{tmp_path.name}"])
    assert out.exit_code == 2 and "is not a register: give a SQLite file path, or a PostgreSQL URL" in out.output
    assert not Path("mysql:").exists()
    answers = _make(tmp_path, "KS 2026/0901")
    url = f"sqlite:///{tmp_path / 'reg.sqlite3'}"  # SQLAlchemy's form of an absolute path: four slashes
    built = runner.invoke(cli, ["build", str(answers), "--library", str(MINI), "--as-of", "2026-03-01", "--format",
                                "txt", "-o", str(tmp_path / "out"), "--register", url])
    assert built.exit_code == 0, built.output
    listed = runner.invoke(cli, ["register", "list", "--register", str(tmp_path / "reg.sqlite3")])
    assert "KS 2026/0901" in listed.output


def test_marking_a_future_date_is_refused_except_a_termination(register_location: str, tmp_path: Path) -> None:
    import datetime as dt
    runner = CliRunner()
    answers = _make(tmp_path, "KS 2026/0902")
    built = runner.invoke(cli, ["build", str(answers), "--library", str(MINI), "--as-of", "2026-03-01", "--format",
                                "txt", "-o", str(tmp_path / "out"), "--register", register_location])
    assert built.exit_code == 0, built.output
    later = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    signed = runner.invoke(cli, ["register", "mark", "KS 2026/0902", "--status", "signed", "--date", later,
                                 "--register", register_location])
    assert signed.exit_code == 2 and f"{later} is in the future" in signed.output
    ended = runner.invoke(cli, ["register", "mark", "KS 2026/0902", "--status", "terminated", "--date", later,
                                "--register", register_location])
    assert ended.exit_code == 0 and f"terminated {later}" in ended.output


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    location = tmp_path / "r.sqlite3"
    open_register(location).close()
    import sqlite3
    with sqlite3.connect(location) as conn:
        conn.execute("INSERT INTO schema_version VALUES (?, 'later')", (LATEST + 1,))
    with pytest.raises(Exception, match="newer than this assembler knows") as info:
        open_register(location)
    assert getattr(info.value, "code", "") == "register.schema"


def test_a_register_made_by_schema_1_is_migrated_and_keeps_its_records(tmp_path: Path) -> None:
    import sqlite3

    from assembler.register.schema import MIGRATIONS, VERSION_TABLE
    location = tmp_path / "old.sqlite3"
    with sqlite3.connect(location) as conn:  # what the first released version made
        conn.execute(VERSION_TABLE)
        for statement in MIGRATIONS[0][1]:
            conn.execute(statement.replace("{serial}", "INTEGER PRIMARY KEY AUTOINCREMENT"))
        conn.execute("INSERT INTO schema_version VALUES (1, '2026-01-01T00:00:00+00:00')")
    answers = _make(tmp_path, "KS 2026/0301")
    result = build(answers, output=tmp_path / "out", formats=("docx", "pdf"), library=MINI, as_of="2026-03-01")
    with sqlite3.connect(location) as conn:
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")} >= {"clauses_use"}
    with open_register(location) as reg:
        assert reg.schema_version == LATEST
        reg.record(issued_from_build(str(answers), result))
        report = where_used(None, "sekretess", register=reg)
    assert len(report.uses) == 2 and report.source == "register"
    with sqlite3.connect(location) as conn:
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"clauses_use_agreement", "files_agreement_path", "parties_name"} <= indexes and "clauses_use" not in indexes


def test_many_agreements_are_recorded_in_one_transaction(register_location: str, tmp_path: Path) -> None:
    issued = []
    for n in range(3):
        answers = _make(tmp_path, f"KS 2026/04{n:02d}", secrecy=n != 1)
        result = build(answers, output=tmp_path / f"out{n}", formats=("docx", "pdf"), library=MINI, as_of="2026-03-01")
        issued.append(issued_from_build(str(answers), result))
    with open_register(register_location) as reg:
        ids = reg.record_many(issued)
        assert reg.record_many(issued) == ids  # again: the same records, none added
        assert sorted(r.reference for r in reg.agreements()) == ["KS 2026/0400", "KS 2026/0401", "KS 2026/0402"]
        found = where_used(None, "sekretess", register=reg)
        assert sorted({u.reference for u in found.uses}) == ["KS 2026/0400", "KS 2026/0402"]
        assert {u.parties for u in found.uses} == {("Helsingborgs stad", "Ljus AB")}
