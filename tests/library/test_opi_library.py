"""The bundled OPI library: variants, conditional clauses, cross-references, guards, leftovers."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURES, REPO

from assembler.assembly.pipeline import assemble, build, plan_answers
from assembler.cli import cli
from assembler.errors import GuardError
from assembler.library.identifiers import luhn_ok
from assembler.library.load import load_library
from assembler.model import Agreement, ItemList, Paragraph, Span

AS_OF = "2026-12-01"  # the second edition of the OPI blueprint
FIRST_EDITION = "2026-03-01"  # assembly dates before 2026-12-01 give the first edition
BASIC = yaml.safe_load((REPO / "examples" / "basic.yaml").read_text(encoding="utf-8"))
BLUEPRINT = load_library().blueprint("opi-innovation")

IP = {"creator-owns": "ip-skaparen-ager", "company-owns-with-licence": "ip-foretaget-ager-med-licens",
      "open": "ip-oppna-resultat"}
PD = {None: "personuppgifter-ingen-behandling", "processor": "personuppgifter-bitrade",
      "joint-controllers": "personuppgifter-gemensamt-ansvar"}


def orgnr(prefix: str) -> str:
    """Return a valid organisationsnummer starting with nine given digits."""
    check = next(d for d in range(10) if luhn_ok(prefix + str(d)))
    return f"{prefix[:6]}-{prefix[6:]}{check}"


def company(i: int) -> dict[str, Any]:
    party = dict(BASIC["private_parties"][0])
    party["name"] = f"Testbolag {i} AB"
    party["orgnr"] = orgnr(f"55901234{i}")
    return party


def city(i: int) -> dict[str, Any]:
    party = dict(BASIC["public_parties"][0])
    if i:
        party.update(name="Stockholms stad", orgnr="212000-0142")
    return party


def write_answers(tmp_path: Path, data: dict[str, Any], name: str = "answers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def all_spans(agreement: Agreement) -> list[Span]:
    spans: list[Span] = []
    for doc in agreement.documents:
        for clause in doc.clauses:
            for block in clause.blocks:
                if isinstance(block, Paragraph):
                    spans += block.spans
                elif isinstance(block, ItemList):
                    for item in block.items:
                        spans += item.spans
    return spans


SCENARIOS = list(itertools.product(IP, PD, (1, 3), (1, 2), ("sv", "en", "sv+en")))


@pytest.mark.parametrize("ip, role, companies, cities, language", SCENARIOS,
                         ids=["-".join(map(str, s)) for s in SCENARIOS])
def test_scenario(tmp_path: Path, ip: str, role: str | None, companies: int, cities: int, language: str) -> None:
    data = dict(BASIC)
    data.update(language=language, ip={"model": ip},
                personal_data={"processed": True, "role": role} if role else {"processed": False},
                private_parties=[company(i) for i in range(companies)],
                public_parties=[city(i) for i in range(cities)],
                contributions=[{"party": p["name"], "items": ["personal och lokaler"]}
                               for p in [city(i) for i in range(cities)] + [company(i) for i in range(companies)]])
    agreement = assemble(write_answers(tmp_path, data), as_of=FIRST_EDITION).agreement
    doc = agreement.documents[0]
    ids = [c.id for c in doc.clauses]
    assert IP[ip] in ids and not (set(IP.values()) - {IP[ip]}) & set(ids)
    assert PD[role] in ids and not (set(PD.values()) - {PD[role]}) & set(ids)
    assert ("konsortium" in ids) is (companies > 1)
    assert ("flera-offentliga-parter" in ids) is (cities > 1)
    assert "forskningsorganisation" not in ids
    appendix_ids = [a.id for a in doc.appendices]
    assert ("personuppgiftsbitradesavtal" in appendix_ids) is (role == "processor")
    for d in agreement.documents:
        assert [c.number for c in d.clauses] == [str(i) for i in range(1, len(d.clauses) + 1)]
        for clause in d.clauses:
            numbers = [b.number for b in clause.blocks if isinstance(b, Paragraph) and b.number]
            assert numbers == [f"{clause.number}.{k}" for k in range(1, len(numbers) + 1)]
    number_of = {c.id: c.number for c in doc.clauses}
    for span in all_spans(agreement):
        if span.kind == "ref":
            assert span.text, f"unresolved reference to {span.target}"
            if span.target and not span.target.startswith("appendix:"):
                ident, _, sub = span.target.partition(":")
                assert span.text == (f"{number_of[ident]}.{sub}" if sub else number_of[ident])
    assert len(doc.signatures) == companies + cities


def test_termination_names_the_clauses_that_survive_it() -> None:
    agreement = assemble(REPO / "examples" / "basic.yaml", as_of=AS_OF).agreement
    doc = agreement.documents[0]
    termination = next(c for c in doc.clauses if c.id == "uppsagning-utan-skal")
    targets = {s.target.split(":")[0] for b in termination.blocks if isinstance(b, Paragraph)
               for s in b.spans if s.kind == "ref" and s.target}
    assert {"sekretess-offentlighet", "publicering-av-resultat", "ip-skaparen-ager"} <= targets


def test_research_organisation_external_funding_and_de_minimis() -> None:
    doc = assemble(REPO / "examples" / "research.yaml", as_of=AS_OF).agreement.documents[0]
    ids = [c.id for c in doc.clauses]
    assert {"forskningsorganisation", "kostnader-extern-finansiering", "statsstod-de-minimis"} <= set(ids)
    assert "kostnader-ingen-ersattning" not in ids and "statsstod-ingen-fordel" not in ids
    assert "de-minimis-intyg" in [a.id for a in doc.appendices]


def test_definitions_list_only_used_terms_in_alphabetical_order() -> None:
    agreement = assemble(REPO / "examples" / "basic.yaml", as_of=AS_OF, language="sv").agreement
    doc = agreement.documents[0]
    definitions = next(c for c in doc.clauses if c.id == "definitioner")
    items = next(b for b in definitions.blocks if isinstance(b, ItemList)).items
    terms = [i.spans[0].text.strip("”") for i in items]
    used = {s.target for s in all_spans(agreement) if s.kind == "term"}
    assert len(terms) == len(used)
    key = [re.sub(r"^(den|det|de) ", "", t.lower()) for t in terms]
    assert key == sorted(key, key=lambda t: [("abcdefghijklmnopqrstuvwxyzåäö".find(c), c) for c in t])


@pytest.mark.parametrize("guard", BLUEPRINT.guards, ids=lambda g: g.id)
def test_every_guard_fires_on_a_file_breaking_exactly_its_rule(guard, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = FIXTURES / "guards" / f"{guard.id}.yaml"
    assert answers.is_file(), f"no minimal answer file for guard {guard.id}"
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(answers), "--as-of", AS_OF])
    first_words = " ".join(guard.message["sv"].split()[:6])
    if guard.level == "error":
        assert result.exit_code == 1, result.output
        with pytest.raises(GuardError) as info:
            plan_answers(answers, as_of=AS_OF)
        assert [p.message for p in info.value.problems] == [" ".join(guard.message["sv"].split())]
        assert info.value.code == f"guard.{guard.id}" and [p.code for p in info.value.problems] == [info.value.code]
        assert first_words in " ".join(result.output.split())
    else:
        assert result.exit_code == 0, result.output
        plan = plan_answers(answers, as_of=AS_OF)
        assert [" ".join(w.message.split()) for w in plan.warnings] == [" ".join(guard.message["sv"].split())]
        assert [w.code for w in plan.warnings] == [f"guard.{guard.id}"]
        assert "warning:" in result.output
        strict = runner.invoke(cli, ["check", str(answers), "--as-of", AS_OF, "--strict"])
        assert strict.exit_code == 1


@pytest.mark.parametrize("answers", sorted((REPO / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_start_with_a_comment_and_trigger_no_guard(answers: Path) -> None:
    assert answers.read_text(encoding="utf-8").startswith("# ")
    assert plan_answers(answers, as_of=AS_OF, strict=True).warnings == ()


LEFTOVERS = re.compile(r"\{\{|\{%|\bNone\b|\[\[|(?<=\S)  (?=\S)|^\s*[-•]\s*$|^\s*\(\w\)\s*$", re.MULTILINE)


@pytest.mark.parametrize("answers", sorted((REPO / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_no_template_leftovers_in_any_format(answers: Path, tmp_path: Path) -> None:
    result = build(answers, output=tmp_path, formats=("md", "txt", "html", "docx", "pdf"), as_of=AS_OF)
    import docx
    from pypdf import PdfReader
    texts = {}
    for path in result.files:
        if path.suffix == ".docx":
            d = docx.Document(str(path))
            texts[path.name] = "\n".join([p.text for p in d.paragraphs] +
                                         [c.text for t in d.tables for r in t.rows for c in r.cells])
        elif path.suffix == ".pdf":
            texts[path.name] = "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
        elif path.suffix == ".html":
            body = path.read_text(encoding="utf-8")
            texts[path.name] = re.sub(r"<script.*?</script>|<style.*?</style>", "", body, flags=re.DOTALL)
        else:
            texts[path.name] = path.read_text(encoding="utf-8")
    for name, text in texts.items():
        found = [m.group(0) for m in LEFTOVERS.finditer(text)]
        if name.endswith(".pdf"):  # extraction pads with spaces at line joins; only template artefacts count
            found = [f for f in found if f.strip()]
        assert found == [], f"{name}: {found[:5]}"


def test_the_catalogue_in_docs_is_up_to_date() -> None:
    from assembler.library.catalogue import catalogue_markdown
    expected = catalogue_markdown(load_library())
    actual = (REPO / "docs" / "clauses.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/clauses.md is stale: run `assembler clauses catalogue -o docs/clauses.md`"
    for clause_id in load_library().clauses:
        assert f"`{clause_id}`" in actual


# --- The second edition (blueprint 2.0.0, clause versions effective 2026-12-01) ----------------------

NEW_CLAUSES = {"avtalshandlingar", "jav-och-antikorruption", "offentlig-parts-data", "force-majeure",
               "uppsagning-i-fortid"}
SHORT = {None: "den Offentliga Parten", "Staden": "Staden", "Kommunen": "Kommunen", "Regionen": "Regionen"}
SCENARIOS_2E = [s for s in itertools.product(IP, PD, (1, 2), (1, 2), ("sv", "sv+en"), (None, "Kommunen"))
                if not (s[3] > 1 and s[5])]


def text_of(agreement: Agreement, lang_index: int = 0) -> str:
    doc = agreement.documents[lang_index]
    parts = []
    for clause in doc.clauses:
        for block in clause.blocks:
            if isinstance(block, Paragraph):
                parts.append("".join(s.text for s in block.spans))
            elif isinstance(block, ItemList):
                parts += ["".join(s.text for s in item.spans) for item in block.items]
    return "\n".join(parts)


@pytest.mark.parametrize("ip, role, companies, cities, language, short", SCENARIOS_2E,
                         ids=["-".join(map(str, s)) for s in SCENARIOS_2E])
def test_second_edition_scenario(tmp_path: Path, ip: str, role: str | None, companies: int, cities: int,
                                 language: str, short: str | None) -> None:
    publics = [city(i) for i in range(cities)]
    if short:
        publics[0] = dict(publics[0], short_name=short)
    data = dict(BASIC)
    data.update(language=language, ip={"model": ip},
                personal_data={"processed": True, "role": role} if role else {"processed": False},
                private_parties=[company(i) for i in range(companies)], public_parties=publics,
                contributions=[{"party": p["name"], "items": ["personal och lokaler"], "value_sek": 100000}
                               for p in publics + [company(i) for i in range(companies)]])
    if role == "processor":
        dpa = REPO / "examples" / "appendices" / "personuppgiftsbitradesavtal-trygg-natt.pdf"
        shutil.copy(dpa, tmp_path / dpa.name)  # appendices resolve inside the answer file's folder
        data["appendices"] = [{"id": "personuppgiftsbitradesavtal", "title": "Personuppgiftsbiträdesavtal",
                               "file": dpa.name}]
    if ip == "company-owns-with-licence":
        data["state_aid"] = {"assessment": "KS 2026/0412, bilaga 3"}
    plan = plan_answers(write_answers(tmp_path, data), as_of=AS_OF, strict=True)
    assert plan.warnings == ()
    agreement = assemble(write_answers(tmp_path, data), as_of=AS_OF).agreement
    doc = agreement.documents[0]
    ids = [c.id for c in doc.clauses]
    assert NEW_CLAUSES <= set(ids)
    assert ids.index("uppsagning-i-fortid") == ids.index("uppsagning-utan-skal") + 1
    versions = {c.id: c.version for c in agreement.manifest.clauses}
    assert versions["parter"] == "1.1.0" and versions[IP[ip]] == "1.1.0"
    text = text_of(agreement)
    # The public party's right of use stays within the project: no perpetual, irrevocable operational licence.
    assert "oåterkallelig" not in text and "i sin egen verksamhet" not in text
    if ip != "open":
        assert "för att genomföra, utvärdera och redovisa" in text
    expected_short = SHORT[short] if cities == 1 else "de Offentliga Parterna"
    assert f"(nedan {'gemensamt kallade' if cities > 1 else 'kallad'} ”{expected_short}”)" in text
    termination = next(c for c in doc.clauses if c.id == "uppsagning-utan-skal")
    survivors = {s.target.split(":")[0] for b in termination.blocks if isinstance(b, Paragraph)
                 for s in b.spans if s.kind == "ref" and s.target}
    assert {"konkurrensneutralitet", "ansvar-och-forsakring", "tillamplig-lag-tvister", "parternas-insatser",
            "offentlig-parts-data", IP[ip]} <= survivors
    assert (PD[role] in survivors) is bool(role)
    precedence = next(c for c in doc.clauses if c.id == "avtalshandlingar")
    assert any(s.target == "appendix:personuppgiftsbitradesavtal" for b in precedence.blocks
               if isinstance(b, ItemList) for i in b.items for s in i.spans) is (role == "processor")
    for d in agreement.documents:
        assert [c.number for c in d.clauses] == [str(i) for i in range(1, len(d.clauses) + 1)]
    assert len(doc.signatures) == companies + cities


def test_first_edition_dates_still_give_the_first_edition() -> None:
    """Agreements made before 2026-12-01 keep their clauses: 1.0.0 versions and none of the new sections."""
    plan = plan_answers(REPO / "examples" / "basic.yaml", as_of=FIRST_EDITION)
    assert {str(c.version) for c in plan.clauses} == {"1.0.0"}
    assert not NEW_CLAUSES & {c.id for c in plan.clauses}
    guard_fixture = FIXTURES / "guards" / "notice-period-long.yaml"
    assert plan_answers(guard_fixture, as_of=FIRST_EDITION).warnings == ()


def test_de_minimis_second_edition_rests_on_the_decision_per_recipient() -> None:
    agreement = assemble(REPO / "examples" / "research.yaml", as_of=AS_OF, language="sv").agreement
    clause = next(c for c in agreement.documents[0].clauses if c.id == "statsstod-de-minimis")
    words = " ".join("".join(s.text for s in b.spans) if isinstance(b, Paragraph)
                     else " ".join("".join(s.text for s in i.spans) for i in b.items) for b in clause.blocks)
    assert "Regionstyrelsen i Region Skåne den 20 maj 2026 (diarienummer RS 2026/0231)" in words
    assert "Kretsloppsvärme Syd AB: 450 000 kronor" in words
    assert "1 januari 2026" in words and "synnerliga skäl" not in words


def test_identifiers_are_printed_under_the_right_label(tmp_path: Path) -> None:
    data = dict(BASIC)
    sole = dict(BASIC["private_parties"][0], name="Anna Berg Design", orgnr="640823-3234")
    foreign = dict(BASIC["private_parties"][0], name="Nordsense GmbH", country="DE",
                   registration_number="HRB 12345 (Amtsgericht München)",
                   branch={"name": "Nordsense GmbH, filial i Sverige", "orgnr": "516412-8836"})
    foreign.pop("orgnr")
    data.update(private_parties=[sole, foreign],
                contributions=BASIC["contributions"][:1] + [{"party": "Anna Berg Design", "items": ["design"]},
                                                            {"party": "Nordsense GmbH", "items": ["sensorer"]}])
    agreement = assemble(write_answers(tmp_path, data), as_of=AS_OF, language="sv").agreement
    text = text_of(agreement)
    assert "Anna Berg Design, personnummer 640823-3234" in text
    assert ("Nordsense GmbH, registreringsnummer HRB 12345 (Amtsgericht München), genom sin svenska filial "
            "Nordsense GmbH, filial i Sverige, organisationsnummer 516412-8836") in text
    assert "Göteborgs stad, organisationsnummer 212000-1355" in text
    assert [s.orgnr for s in agreement.documents[0].signatures][-1] == "HRB 12345 (Amtsgericht München)"


@pytest.mark.parametrize("answers", sorted((REPO / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_build_with_strict_in_the_second_edition(answers: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(answers), "--as-of", AS_OF, "--strict"])
    assert result.exit_code == 0, result.output
    assert plan_answers(answers, as_of=AS_OF).blueprint.version.major == 2
