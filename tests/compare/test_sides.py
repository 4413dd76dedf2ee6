"""Loading the sides of a comparison: each kind of input read into a document (or a manifest), or refused plainly."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample import sample_agreement

from assembler.compare.sides import load_side, side_from_agreement
from assembler.errors import AssemblerError, UsageError
from assembler.manifest import manifest_to_json
from assembler.writers import writer_for

KINDS = {"docx": "docx", "pdf": "pdf", "md": "markdown", "txt": "text"}


@pytest.fixture
def written(tmp_path: Path) -> dict[str, Path]:
    agreement = sample_agreement("sv")
    out = {}
    for fmt in KINDS:
        path = tmp_path / f"avtal.{fmt}"
        path.write_bytes(writer_for(fmt)(agreement))
        out[fmt] = path
    manifest = tmp_path / "avtal.manifest.json"
    manifest.write_text(manifest_to_json(agreement.manifest), encoding="utf-8")
    out["json"] = manifest
    return out


@pytest.mark.parametrize("fmt", sorted(KINDS))
def test_each_written_format_loads_as_its_kind_with_the_clauses(fmt: str, written: dict[str, Path]) -> None:
    side = load_side(str(written[fmt]))
    expected = side_from_agreement(sample_agreement("sv"), "model")
    assert side.kind == KINDS[fmt] and side.document is not None
    assert [c.number for c in side.document.clauses] == [c.number for c in expected.document.clauses]


def test_a_manifest_file_loads_as_a_side_without_text(written: dict[str, Path]) -> None:
    side = load_side(str(written["json"]))
    assert side.kind == "manifest" and side.document is None and side.manifest is not None


def test_answer_files_and_clause_versions_need_their_loaders(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("agreement: mini\n", encoding="utf-8")
    with pytest.raises(UsageError, match="needs the assembly pipeline"):
        load_side(str(answers))
    with pytest.raises(UsageError, match="needs the clause library"):
        load_side("sekretess@1.0.0")
    side = load_side(str(answers), assemble=lambda path: sample_agreement("sv"))
    assert side.kind == "answers"


def test_what_cannot_be_compared_is_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        load_side(str(tmp_path / "missing.docx"))
    odd = tmp_path / "bild.png"
    odd.write_bytes(b"\x89PNG")
    with pytest.raises(UsageError, match="cannot compare a .png file"):
        load_side(str(odd))
    fake = tmp_path / "fake.docx"
    fake.write_bytes(b"not a zip")
    with pytest.raises(AssemblerError) as caught:
        load_side(str(fake))
    assert str(fake) in caught.value.message and caught.value.code == "document.not-docx"
