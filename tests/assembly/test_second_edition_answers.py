"""Issue 11's answer-file traps: appendices, identifiers, signing place and date, unknown keys, plain
messages, what an issued document carries, and exact rebuilds across blueprint versions."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO

from assembler.assembly.pipeline import assemble, build, plan_answers
from assembler.assembly.rebuild import rebuild
from assembler.cli import cli
from assembler.errors import AnswersError, GuardError
from assembler.readers import read_manifest_file

AS_OF = "2026-12-01"
BASIC_TEXT = (REPO / "examples" / "basic.yaml").read_text(encoding="utf-8")
BASIC = yaml.safe_load(BASIC_TEXT)
DPA_PDF = REPO / "examples" / "appendices" / "personuppgiftsbitradesavtal-trygg-natt.pdf"


def write(tmp_path: Path, data: dict[str, Any], name: str = "answers.yaml") -> Path:
    """Write answers into ``tmp_path`` beside a copy of the data-processing PDF (appendices resolve inside it)."""
    shutil.copy(DPA_PDF, tmp_path / DPA_PDF.name)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def processor(appendices: list[dict[str, Any]]) -> dict[str, Any]:
    return dict(BASIC, personal_data={"processed": True, "role": "processor"}, appendices=appendices)


@pytest.mark.parametrize("title", ["Personuppgiftsbiträdesavtal", "data processing agreement"])
def test_an_appendix_without_id_is_matched_by_its_title_in_either_language(tmp_path: Path, title: str) -> None:
    answers = write(tmp_path, processor([{"title": title, "file": DPA_PDF.name}]))
    doc = assemble(answers, as_of=AS_OF).agreement.documents[0]
    ids = [a.id for a in doc.appendices]
    assert ids.count("personuppgiftsbitradesavtal") == 1 and len(ids) == 4
    assert next(a for a in doc.appendices if a.id == "personuppgiftsbitradesavtal").file == str(tmp_path / DPA_PDF.name)


def test_an_unknown_appendix_title_is_rejected_naming_the_blueprint_ids(tmp_path: Path) -> None:
    answers = write(tmp_path, dict(BASIC, appendices=[{"title": "Bilaga om sensorer", "file": DPA_PDF.name}]))
    with pytest.raises(AnswersError) as info:
        plan_answers(answers, as_of=AS_OF)
    assert info.value.code == "answers.appendix.unknown-title"
    for ident in ("projektplan", "utlysning", "informationslogg", "personuppgiftsbitradesavtal", "de-minimis-intyg"):
        assert ident in info.value.message
    assert info.value.location is not None and info.value.location.path == "appendices[0].title"
    extra = write(tmp_path, dict(BASIC, appendices=[{"title": "Bilaga om sensorer", "extra": True}]), "extra.yaml")
    assert [a.id for a in plan_answers(extra, as_of=AS_OF).appendices][-1] == "appendix-1"


def test_the_same_appendix_twice_is_an_error(tmp_path: Path) -> None:
    answers = write(tmp_path, processor([{"id": "personuppgiftsbitradesavtal", "title": "PUB", "file": DPA_PDF.name},
                                         {"title": "Personuppgiftsbiträdesavtal", "file": DPA_PDF.name}]))
    with pytest.raises(AnswersError) as info:
        plan_answers(answers, as_of=AS_OF)
    assert info.value.code == "answers.appendix.duplicate"


def test_a_blueprint_appendix_that_requires_a_file_is_an_error_without_one(tmp_path: Path) -> None:
    answers = write(tmp_path, dict(processor([{"id": "personuppgiftsbitradesavtal", "title": "PUB"}]),
                                   personal_data={"processed": True, "role": "processor", "dpa_appendix": True}))
    with pytest.raises(AnswersError) as info:
        plan_answers(answers, as_of=AS_OF)
    assert info.value.code == "answers.appendix.file-missing"
    assert info.value.location is not None and info.value.location.path == "appendices[0]"
    with pytest.raises(AnswersError) as none_given:
        plan_answers(write(tmp_path, processor([]), "none.yaml"), as_of=AS_OF)
    assert none_given.value.code == "answers.appendix.file-missing"
    assert "personuppgiftsbitradesavtal" in none_given.value.message
    refused = write(tmp_path, dict(processor([]), personal_data={"processed": True, "role": "processor",
                                                                 "dpa_appendix": False}), "refused.yaml")
    with pytest.raises(GuardError) as guard:
        plan_answers(refused, as_of=AS_OF)
    assert guard.value.code == "guard.dpa-required"


def test_identifiers_print_canonically_with_the_right_label(tmp_path: Path) -> None:
    data = dict(BASIC, public_parties=[dict(BASIC["public_parties"][0], orgnr="16212000-1355")],
                private_parties=[dict(BASIC["private_parties"][0], orgnr="5594127184")])
    agreement = assemble(write(tmp_path, data), as_of=AS_OF, language="sv").agreement
    doc = agreement.documents[0]
    parties = next(c for c in doc.clauses if c.id == "parter")
    text = " ".join("".join(s.text for s in i.spans) for b in parties.blocks if hasattr(b, "items") for i in b.items)
    assert "Göteborgs stad, organisationsnummer 212000-1355" in text
    assert "Grönvåg Sensorteknik AB, organisationsnummer 559412-7184" in text
    assert [s.orgnr for s in doc.signatures] == ["212000-1355", "559412-7184"]
    sole = dict(data, private_parties=[dict(BASIC["private_parties"][0], name="Sara Holm Design", orgnr="196408233234")],
                contributions=[BASIC["contributions"][0], dict(BASIC["contributions"][1], party="Sara Holm Design")])
    doc = assemble(write(tmp_path, sole, "sole.yaml"), as_of=AS_OF, language="en").agreement.documents[0]
    parties = next(c for c in doc.clauses if c.id == "parter")
    text = " ".join("".join(s.text for s in i.spans) for b in parties.blocks if hasattr(b, "items") for i in b.items)
    assert "Sara Holm Design, personal identity number 640823-3234" in text


def test_on_paper_the_public_partys_block_prints_place_and_date(tmp_path: Path) -> None:
    out = build(REPO / "examples" / "basic.yaml", output=tmp_path, formats=("docx",), as_of=AS_OF).files[0]
    cells = [c.text for t in docx.Document(str(out)).tables for r in t.rows for c in r.cells]
    city = next(c for c in cells if c.startswith("Göteborgs stad"))
    company = next(c for c in cells if c.startswith("Grönvåg"))
    assert "Göteborg, 2 mars 2026" in city and "2 mars 2026" not in company
    esign = write(tmp_path, dict(BASIC, signing=dict(BASIC["signing"], method="e-signature")), "e.yaml")
    doc = assemble(esign, as_of=AS_OF).agreement.documents[0]
    assert {(s.place, s.date) for s in doc.signatures} == {("", "Undertecknas elektroniskt")}


def test_an_unknown_key_is_reported_at_the_key_in_plain_words(tmp_path: Path) -> None:
    text = BASIC_TEXT.replace("  test_site:", "  test_sight: fel stavat\n  test_site:")
    answers = tmp_path / "typo.yaml"
    answers.write_text(text, encoding="utf-8")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "test_sight" in s)
    result = CliRunner().invoke(cli, ["check", str(answers), "--as-of", AS_OF])
    assert result.exit_code == 1
    assert f"typo.yaml:{line}:" in result.output and "project.test_sight: unknown field 'test_sight'" in result.output
    with pytest.raises(AnswersError) as info:
        plan_answers(answers, as_of=AS_OF)
    assert [p.code for p in info.value.problems] == ["answers.schema.additionalProperties"]


def test_no_message_shows_a_regular_expression(tmp_path: Path) -> None:
    data = dict(BASIC, project=dict(BASIC["project"], challenge="Utan punkt"),
                public_parties=[dict(BASIC["public_parties"][0], country="sweden")],
                appendices=[{"id": "Projektplan", "title": "Projektplan"}])
    with pytest.raises(AnswersError) as info:
        plan_answers(write(tmp_path, data), as_of=AS_OF)
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 3
    for message in messages:
        assert not any(mark in message for mark in ("^", "$", "[", "(?", "\\d", "+)*")), message
    assert any("two-letter ISO code" in m for m in messages)
    assert any("ending with a full stop" in m for m in messages)


def test_an_issued_document_carries_the_answers_as_data_without_comments(tmp_path: Path) -> None:
    text = BASIC_TEXT.replace("reference: KS 2026/0412", "reference: KS 2026/0412  # INTERNT: företaget är dyrt")
    answers = tmp_path / "internt.yaml"
    answers.write_text(text, encoding="utf-8")
    files = build(answers, output=tmp_path / "out", formats=("docx", "pdf", "html"), as_of=AS_OF).files
    for path in files:
        manifest = read_manifest_file(path)
        assert manifest.answers_form == "canonical"
        assert "INTERNT" not in manifest.answers and b"INTERNT" not in path.read_bytes()
        assert json.loads(manifest.answers)["reference"] == "KS 2026/0412"
        assert manifest.answers_sha256 == hashlib.sha256(manifest.answers.encode()).hexdigest()
        assert rebuild(path).identical
    assert rebuild(files[0], answers=answers).differences == ()


def test_an_agreement_made_with_the_first_edition_rebuilds_byte_identical(tmp_path: Path) -> None:
    """Made before issue 11 with blueprint 1.0.0 (raw answer text in the manifest), rebuilt with today's library."""
    old = Path(shutil.copytree(REPO / "clauses", tmp_path / "first-edition"))
    shutil.copy(old / "agreements" / "opi-innovation" / "1.0.0.yaml", old / "agreements" / "opi-innovation.yaml")
    shutil.rmtree(old / "agreements" / "opi-innovation")
    answers = tmp_path / "basic.yaml"
    answers.write_text(BASIC_TEXT, encoding="utf-8")
    for fmt in ("docx", "pdf", "html"):
        from assembler.writers import writer_for
        assembly = assemble(answers, library=old, as_of="2026-03-01", embed_text=True)
        issued = tmp_path / f"issued.{fmt}"
        issued.write_bytes(writer_for(fmt)(assembly.agreement))
        manifest = read_manifest_file(issued)
        assert manifest.agreement_version == "1.0.0" and manifest.answers == BASIC_TEXT
        assert manifest.answers_form == "text"
        outcome = rebuild(issued)
        assert outcome.identical, outcome.differences
        assert outcome.differences == ()
