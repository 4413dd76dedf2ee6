"""The diff core: word differences, alignment by clause, heading or sentence, moves."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import load_bench
from sample import sample_agreement

from assembler.compare.align import match_pairs, pair_sequences, word_segments
from assembler.compare.diff import diff_documents, diff_sides
from assembler.compare.result import Side
from assembler.errors import UsageError
from assembler.model import Clause, ClauseStamp, Document, Manifest, Paragraph, Span


def changes(old: str, new: str, **kw: bool) -> list[tuple[str, str, str]]:
    return [(s.op, s.old_text, s.new_text) for s in word_segments((Span(old),), (Span(new),), **kw)
            if s.op != "equal"]


def doc(*clauses: tuple[str, list[str]], ids: bool = True) -> Document:
    """A document of numbered clauses: (title, [paragraph texts]); ids from the titles."""
    out = []
    for k, (title, paras) in enumerate(clauses, 1):
        blocks = tuple(Paragraph((Span(t),), f"{k}.{p}") for p, t in enumerate(paras, 1))
        out.append(Clause(str(k), title, blocks, id=title.lower().replace(" ", "-") if ids else "",
                          version="1.0.0" if ids else ""))
    return Document("sv", "Avtal", tuple(out))


def twelve_clauses(ids: bool = True) -> Document:
    return doc(*[(f"Rubrik {k}", [f"Klausul {k} första stycket med några ord om {k}.",
                                  f"Klausul {k} andra stycket, också det om ämne {k}."]) for k in range(1, 13)],
               ids=ids)


def renumbered(d: Document) -> Document:
    clauses = []
    for k, c in enumerate(d.clauses, 1):
        blocks = tuple(replace(b, number=f"{k}.{p}") for p, b in enumerate(c.blocks, 1))
        clauses.append(replace(c, number=str(k), blocks=blocks))
    return replace(d, clauses=tuple(clauses))


def moved(d: Document, src: int, dst: int) -> Document:
    clauses = list(d.clauses)
    clauses.insert(dst, clauses.pop(src))
    return renumbered(replace(d, clauses=tuple(clauses)))


# --- words -------------------------------------------------------------------

def test_one_changed_word_is_one_replacement() -> None:
    assert changes("Parterna är medvetna om att", "Parterna är inte medvetna om att") == [
        ("insert", "", "inte ")]
    assert changes("ska skriftligen underrätta", "ska muntligen underrätta") == [
        ("replace", "skriftligen", "muntligen")]


def test_neighbouring_word_changes_read_as_one() -> None:
    assert changes("the quick brown fox", "the slow red fox") == [("replace", "quick brown", "slow red")]


def test_quote_and_dash_styles_are_their_own_class() -> None:
    assert changes("”känslig” – OSL", '"känslig" - OSL') == [
        ("typographic", "”", '"'), ("typographic", "”", '"'), ("typographic", "–", "-")]


def test_space_styles_are_no_difference() -> None:
    assert changes("100\u00a0000 kronor", "100 000 kronor") == []


def test_bold_and_italic_changes_are_format_changes() -> None:
    old = (Span("märka "), Span("affärshemligheter"))
    new = (Span("märka "), Span("affärshemligheter", bold=True))
    assert [(s.op, s.new_text) for s in word_segments(old, new) if s.op != "equal"] == [
        ("format", "affärshemligheter")]
    assert [s.op for s in word_segments(old, new, formatting=False)] == ["equal"]


def test_long_repetitive_text_finds_every_scattered_edit() -> None:
    # Its speed (no quadratic blow-up) is measured in bench/bench_diff.py, not timed here.
    rng = random.Random(3)
    words = [rng.choice(["part", "parterna", "ska", "avtalet", "och", "staden", "bolaget", "om"]) for _ in range(40_000)]
    edited = list(words)
    for k in range(0, len(edited), 400):
        edited[k] = "ÄNDRAT"
    found = changes(" ".join(words), " ".join(edited))
    assert len(found) == 100
    assert all(new == "ÄNDRAT" for _, _, new in found)


def test_match_pairs_keeps_order_and_equality() -> None:
    a = [1, 2, 3, 4, 5, 2, 3]
    b = [9, 2, 3, 5, 4, 2, 3, 8]
    pairs = match_pairs(a, b)
    assert all(a[i] == b[j] for i, j in pairs)
    assert [i for i, _ in pairs] == sorted(i for i, _ in pairs)
    assert [j for _, j in pairs] == sorted(j for _, j in pairs)
    assert len(pairs) == 5



@pytest.mark.parametrize("seed", range(20))
def test_match_pairs_on_runs_is_a_valid_alignment_as_long_as_common_prefix_and_suffix(seed: int) -> None:
    # Long equal runs are found by slice compares; every pair must still hold
    # equal items in strictly increasing order, and shared ends are never lost.
    rng = random.Random(seed)
    a = [rng.randrange(6) for _ in range(rng.randrange(0, 300))]
    b = [x for x in a if rng.random() > 0.05]
    for _ in range(rng.randrange(0, 10)):
        b.insert(rng.randrange(len(b) + 1), rng.randrange(9))
    pairs = match_pairs(a, b)
    assert all(a[i] == b[j] for i, j in pairs)
    assert all(i1 < i2 and j1 < j2 for (i1, j1), (i2, j2) in zip(pairs, pairs[1:]))
    head = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    assert pairs[:head] == [(k, k) for k in range(head)]

def test_pair_sequences_reports_a_move_once_at_each_end() -> None:
    steps = pair_sequences(list("abcdefghijkl"), list("abcdfghijkle")).steps
    assert [(i, j, t) for i, j, t in steps if t != "equal"] == [(4, 11, "from"), (4, 11, "to")]


# --- clauses -----------------------------------------------------------------

@pytest.mark.parametrize("ids", [True, False], ids=["by-clause-id", "by-heading"])
def test_a_clause_moved_from_5_to_12_is_one_move(ids: bool) -> None:
    old = twelve_clauses(ids)
    result = diff_documents(old, moved(old, 4, 11))
    assert result.aligned_by == ("clause" if ids else "heading")
    assert result.summary() == {"unchanged": 11, "changed": 0, "added": 0, "removed": 0, "moved": 1}
    ends = [(c.move, c.old.number if c.old else "", c.new.number if c.new else "")
            for c in result.clauses if c.move]
    assert ends == [("from", "5", "12"), ("to", "5", "12")]
    assert not any(c.text_changed for c in result.clauses)


def test_a_moved_and_edited_clause_is_a_move_with_text_changes() -> None:
    old = twelve_clauses()
    new = moved(old, 4, 11)
    c = new.clauses[11]
    new = replace(new, clauses=new.clauses[:11] + (replace(c, blocks=(
        replace(c.blocks[0], spans=(Span("Klausul 5 första stycket med många ord om 5."),)),) + c.blocks[1:]),))
    result = diff_documents(old, new)
    to = next(c for c in result.clauses if c.move == "to")
    assert to.status == "moved" and to.text_changed
    assert [(s.old_text, s.new_text) for u in to.units for s in u.changes] == [("några", "många")]


def test_added_and_removed_clauses() -> None:
    old = doc(("Parter", ["A och B."]), ("Sekretess", ["Inget är hemligt här."]))
    new = doc(("Parter", ["A och B."]), ("Uppsägning", ["Var och en får säga upp avtalet."]))
    result = diff_documents(old, new)
    assert result.summary() == {"unchanged": 1, "changed": 0, "added": 1, "removed": 1, "moved": 0}


def test_clause_version_changes_are_shown_with_their_versions() -> None:
    old = doc(("Parter", ["A och B."]), ("Sekretess", ["Sekretess gäller enligt OSL."]))
    c = old.clauses[1]
    new = replace(old, clauses=(old.clauses[0], replace(c, version="1.1.0", blocks=(
        Paragraph((Span("Sekretess gäller enligt OSL och TF."),), "2.1"),))))
    result = diff_documents(old, new)
    changed = [c for c in result.clauses if c.status == "changed"]
    assert [(c.old.version, c.new.version) for c in changed if c.old and c.new] == [("1.0.0", "1.1.0")]


def test_a_paragraph_moved_to_another_clause_is_one_move() -> None:
    old = doc(("Parter", ["A och B är parter.", "Avtalet gäller i två år från undertecknandet."]),
              ("Avtalstid", ["Avtalet börjar gälla när båda parter har skrivit under."]))
    new = doc(("Parter", ["A och B är parter."]),
              ("Avtalstid", ["Avtalet börjar gälla när båda parter har skrivit under.",
                             "Avtalet gäller i två år från undertecknandet."]))
    result = diff_documents(old, new)
    moves = [(u.move, u.move_id) for c in result.clauses for u in c.units if u.status == "moved"]
    assert moves == [("from", 1), ("to", 1)]
    assert result.change_counts()["move"] == 1
    assert result.change_counts()["insert"] == result.change_counts()["delete"] == 0


def test_without_headings_paragraphs_are_paired_by_their_sentences() -> None:
    old = Document("sv", "", (Clause("", "", (
        Paragraph((Span("Första meningen. Andra meningen står här. Tredje meningen."),)),
        Paragraph((Span("Ett annat stycke."),)))),))
    new = Document("sv", "", (Clause("", "", (
        Paragraph((Span("Helt ny inledning som inte fanns. Andra meningen står här. Tredje meningen."),)),
        Paragraph((Span("Ett annat stycke."),)))),))
    result = diff_documents(old, new)
    assert result.aligned_by == "sentence"
    units = [u for c in result.clauses for u in c.units if u.status != "unchanged"]
    assert [u.status for u in units] == ["changed"]


def _marked(result: object) -> list[tuple[str, str, str]]:
    """Return every unit's status with its edited words (old, new), in merged order."""
    out = []
    for clause in result.clauses:  # type: ignore[attr-defined]
        for u in clause.units:
            if u.status in ("added", "removed"):
                out.append((u.status, (u.old or u.new).text, ""))
            elif u.status == "changed":
                out += [(s.op, s.old_text, s.new_text) for s in u.segments if s.op != "equal"]
    return out


def test_a_paragraph_split_in_three_marks_only_the_edited_word() -> None:
    old = doc(("Definitioner", [("Inledning om avtalet. a) Part avser staden eller bolaget. "
                                "b) Resultat avser det som tas fram i projektet. "
                                "c) Information avser uppgifter som lämnas mellan parterna.")]), ids=False)
    new = doc(("Definitioner", ["Inledning om avtalet.", "a) Part avser staden eller bolaget.",
                                "b) Resultat avser allt som tas fram i projektet.",
                                "c) Information avser uppgifter som lämnas mellan parterna."]), ids=False)
    assert _marked(diff_documents(old, new)) == [("replace", "det", "allt")]


def _merged_pair() -> tuple[Document, Document]:
    """Return OLD with three paragraphs and NEW where the first two became one (with an edit) and the third is new."""
    old = doc(("Sekretess", ["Parterna ska hålla informationen hemlig under avtalstiden.",
                             "Skyldigheten gäller även fem år efter avtalets slut.",
                             "Denna mening utgår ur texten."]), ids=False)
    new = doc(("Sekretess", [("Parterna ska hålla informationen hemlig under avtalstiden. "
                             "Skyldigheten gäller även tio år efter avtalets slut."),
                             "Bolaget betalar sina egna kostnader."]), ids=False)
    return old, new


def test_two_paragraphs_merged_into_one_mark_only_the_edit_and_new_text_stays_added() -> None:
    old, new = _merged_pair()
    marked = _marked(diff_documents(old, new))
    assert ("replace", "fem", "tio") in marked
    assert ("removed", "Denna mening utgår ur texten.", "") in marked
    assert ("added", "Bolaget betalar sina egna kostnader.", "") in marked
    assert len(marked) == 3


def test_a_re_cut_clause_keeps_its_paragraphs_whole_paired_one_to_one() -> None:
    old, new = _merged_pair()
    result = diff_documents(old, new)
    recut = [c for c in result.clauses if c.one_to_one]
    assert len(recut) == 1
    clause = recut[0]
    # The re-cut units pair NEW's first paragraph with OLD text from two paragraphs ...
    assert [u.old.text for u in clause.units if u.old is not None] != [
        u.old.text for u in clause.one_to_one if u.old is not None]
    # ... the one-to-one units hold each paragraph of either side whole, once, in order (after the heading).
    assert [(u.old.label, u.old.text) for u in clause.whole_units if u.old is not None][1:] == [
        (p.number, p.text) for p in old.clauses[0].blocks]  # type: ignore[union-attr]
    assert [(u.new.label, u.new.text) for u in clause.whole_units if u.new is not None][1:] == [
        (p.number, p.text) for p in new.clauses[0].blocks]  # type: ignore[union-attr]
    assert all(not c.one_to_one and c.whole_units == c.units for c in result.clauses if c is not clause)


def test_identical_documents_do_not_differ() -> None:
    d = sample_agreement().documents[0]
    result = diff_documents(d, d)
    assert not result.differs
    assert result.change_counts() == dict.fromkeys(
        ("insert", "delete", "replace", "typographic", "format", "move"), 0)


def test_typographic_only_differences_still_differ() -> None:
    d = doc(("Parter", ["Bolaget (”Bolaget”) – part."]))
    e = doc(("Parter", ['Bolaget ("Bolaget") - part.']))
    result = diff_documents(d, e)
    assert result.differs
    assert result.change_counts()["typographic"] == 3


# --- manifests ---------------------------------------------------------------

def manifest(*stamps: tuple[str, str, str]) -> Manifest:
    return Manifest("opi-innovation", "1.0.0", "sv", "2026-03-01",
                    tuple(ClauseStamp(*s) for s in stamps), "0" * 64, "0.1.0")


def test_bare_manifests_compare_versions_and_hashes() -> None:
    old = Side("a.json", "manifest", None, manifest(("parter", "1.0.0", "a"), ("sekretess", "1.0.0", "b")))
    new = Side("b.json", "manifest", None, manifest(("parter", "1.0.0", "a"), ("sekretess", "1.1.0", "c"),
                                                    ("avtalstid", "1.0.0", "d")))
    result = diff_sides(old, new)
    assert result.aligned_by == "manifest"
    assert [(c.status, c.ref.id) for c in result.clauses] == [
        ("unchanged", "parter"), ("changed", "sekretess"), ("added", "avtalstid")]


def test_a_bare_manifest_needs_a_manifest_on_the_other_side() -> None:
    old = Side("a.json", "manifest", None, manifest(("parter", "1.0.0", "a")))
    with pytest.raises(UsageError, match="b.txt"):
        diff_sides(old, Side("b.txt", "text", doc(("Parter", ["A."]))))


# --- the long pair of the benchmark ------------------------------------------

def test_the_benchmark_pair_finds_its_three_moves_and_its_edits() -> None:
    bench = load_bench("bench_diff")
    old = bench.long_document(12_000, clauses=12)
    new, edits = bench.edited_document(old, moves=((1, 6), (3, 9), (10, 0)))
    result = diff_documents(old, new)
    assert result.summary()["moved"] == 3
    assert result.summary()["added"] == result.summary()["removed"] == 0
    found = sum(n for k, n in result.change_counts().items() if k in ("insert", "delete", "replace"))
    # Neighbouring edits merge into one change; renumbered cross-references add a few.
    assert 0.8 * edits <= found <= 1.3 * edits


# --- loading sides -----------------------------------------------------------

def test_load_side_reads_each_kind_or_says_why_not(tmp_path: Path) -> None:
    from assembler.compare.sides import load_side
    from assembler.manifest import manifest_to_json

    with pytest.raises(UsageError, match="no such file"):
        load_side(str(tmp_path / "missing.docx"))
    with pytest.raises(UsageError, match="needs the clause library"):
        load_side("sekretess@1.0.0")
    clause = doc(("Sekretess", ["Sekretess gäller."]))
    side = load_side("sekretess@1.0.0", clause_side=lambda ref: clause)
    assert (side.kind, side.document) == ("clause", clause)
    answers = tmp_path / "answers.yaml"
    answers.write_text("agreement: opi-innovation\n", encoding="utf-8")
    with pytest.raises(UsageError, match="needs the assembly pipeline"):
        load_side(str(answers))
    agreement = sample_agreement("sv")
    side = load_side(str(answers), assemble=lambda path: agreement)
    assert (side.kind, side.manifest) == ("answers", agreement.manifest)
    manifest = tmp_path / "built.manifest.json"
    manifest.write_text(manifest_to_json(agreement.manifest), encoding="utf-8")
    side = load_side(str(manifest))
    assert (side.kind, side.document, side.manifest) == ("manifest", None, agreement.manifest)
    odd = tmp_path / "notes.odt"
    odd.write_bytes(b"x")
    with pytest.raises(UsageError, match="cannot compare a .odt file"):
        load_side(str(odd))
