"""Layout: numbering without gaps, cross-references, definitions, appendices, signatures."""

from __future__ import annotations

from pathlib import Path

from assembler.assembly.pipeline import assemble
from assembler.model import ItemList, Paragraph


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_numbers_have_no_gaps_when_a_clause_is_left_out(mini_library: Path, mini_answers: Path) -> None:
    _edit(mini_answers, "secrecy: true", "secrecy: false")
    doc = assemble(mini_answers, library=mini_library, as_of="2026-03-01").agreement.documents[0]
    assert [c.number for c in doc.clauses] == ["1", "2", "3", "4"]
    assert [c.id for c in doc.clauses] == ["parter", "definitioner", "villkor", "uppsagning"]
    # parter says "se Bilaga 1 och punkt <uppsagning>": uppsagning moved from 5 to 4.
    assert doc.clauses[0].blocks[-1].text.endswith("se Bilaga 1 och punkt 4.")  # type: ignore[union-attr]


def test_cross_references_show_final_numbers(mini_library: Path, mini_answers: Path) -> None:
    doc = assemble(mini_answers, library=mini_library, as_of="2026-03-01").agreement.documents[0]
    last = doc.clauses[-1]
    assert last.number == "5"
    assert [b.number for b in last.blocks if isinstance(b, Paragraph)] == ["5.1", "5.2"]
    assert last.blocks[1].text == "Punkt 1 gäller även efter uppsägning."  # type: ignore[union-attr]
    refs = [s for s in last.blocks[1].spans if s.kind == "ref"]  # type: ignore[union-attr]
    assert refs and refs[0].target == "parter"


def test_definitions_list_only_used_terms_sorted(mini_library: Path, mini_answers: Path) -> None:
    agreement = assemble(mini_answers, library=mini_library, as_of="2026-03-01", language="sv+en").agreement
    sv, en = agreement.documents
    defs_sv = next(b for b in sv.clauses[1].blocks if isinstance(b, ItemList))
    assert [i.spans[0].text for i in defs_sv.items] == ["”Avtalet”", "”Projektet”"]
    assert "Oanvänd" not in " ".join(i.text for i in defs_sv.items)
    defs_en = next(b for b in en.clauses[1].blocks if isinstance(b, ItemList))
    assert [i.spans[0].text for i in defs_en.items] == ["“the Agreement”", "“the Project”"]


def test_a_term_used_only_in_a_left_out_clause_is_not_defined(mini_library: Path, mini_answers: Path) -> None:
    _edit(mini_answers, "secrecy: true", "secrecy: false")
    doc = assemble(mini_answers, library=mini_library, as_of="2026-03-01").agreement.documents[0]
    defs = next(b for b in doc.clauses[1].blocks if isinstance(b, ItemList))
    assert [i.spans[0].text for i in defs.items] == ["”Avtalet”"]


def test_appendices_numbered_in_order(mini_library: Path, mini_answers: Path) -> None:
    doc = assemble(mini_answers, library=mini_library, as_of="2026-03-01").agreement.documents[0]
    assert [(a.label, a.title) for a in doc.appendices] == [("Bilaga 1", "Projektplan"), ("Bilaga 2", "Informationslogg")]


def test_one_signature_block_per_party_and_manifest(mini_library: Path, mini_answers: Path) -> None:
    agreement = assemble(mini_answers, library=mini_library, as_of="2026-03-01").agreement
    doc = agreement.documents[0]
    assert [(s.party, s.orgnr, s.signatory) for s in doc.signatures] == [
        ("Helsingborgs stad", "212000-1355", "Anna Andersson"), ("Ljus AB", "556036-0793", "Örjan Öberg")]
    m = agreement.manifest
    assert (m.agreement, m.agreement_version, m.assembled, m.language) == ("mini", "1.0.0", "2026-03-01", "sv")
    assert [c.id for c in m.clauses] == [c.id for c in doc.clauses]
    assert all(len(c.sha256) == 64 for c in m.clauses)


def test_bilingual_documents_share_their_structure(mini_library: Path, mini_answers: Path) -> None:
    sv, en = assemble(mini_answers, library=mini_library, as_of="2026-03-01", language="sv+en").agreement.documents
    assert [c.number for c in sv.clauses] == [c.number for c in en.clauses]
    for a, b in zip(sv.clauses, en.clauses):
        assert [type(x) for x in a.blocks] == [type(y) for y in b.blocks]


def test_a_reference_shows_its_number_in_each_build_that_shares_the_parsed_clause(mini_library: Path,
                                                                                   mini_answers: Path) -> None:
    """Resolved spans are kept by the parsed span and its text: builds of one process whose numbering differs
    (a clause left out in one) each show their own number, however they alternate."""
    text = mini_answers.read_text(encoding="utf-8")
    without = mini_answers.with_name("without.yaml")
    without.write_text(text.replace("secrecy: true", "secrecy: false"), encoding="utf-8")
    for _ in range(2):
        for answers, number in ((mini_answers, "5"), (without, "4"), (mini_answers, "5")):
            doc = assemble(answers, library=mini_library, as_of="2026-03-01").agreement.documents[0]
            assert doc.clauses[0].blocks[-1].text.endswith(f"se Bilaga 1 och punkt {number}.")  # type: ignore[union-attr]


def test_kept_resolved_spans_are_bounded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from assembler.assembly import layout
    from assembler.model import Span
    monkeypatch.setattr(layout, "_RESOLVED", {})
    monkeypatch.setattr(layout, "_RESOLVED_MAX", 4)
    span = Span("?", kind="ref", target="x")
    shown = [layout._with_text(span, str(n)) for n in range(10)]
    assert [s.text for s in shown] == [str(n) for n in range(10)] and len(layout._RESOLVED) <= 4
    assert layout._with_text(span, "9") is shown[9] and layout._with_text(span, "9").target == "x"


def test_long_resolved_texts_are_not_kept(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from assembler.assembly import layout
    from assembler.model import Span
    monkeypatch.setattr(layout, "_RESOLVED", {})
    span = Span("?", kind="term", target="x")
    long_text = "a" * (layout._RESOLVED_TEXT_MAX + 1)
    assert layout._with_text(span, long_text).text == long_text and not layout._RESOLVED
