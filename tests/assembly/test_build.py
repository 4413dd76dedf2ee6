"""Building the bundled OPI library's examples end to end, as a user does."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import REPO

from assembler.assembly.pipeline import assemble, build
from assembler.cli import cli
from assembler.readers.docx import read_docx, read_docx_manifest

EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
AS_OF = "2026-12-01"  # the second edition of the OPI blueprint


def _parties(answers: Path) -> list[tuple[str, str]]:
    agreement = assemble(answers, as_of=AS_OF).agreement
    return [(s.party, s.orgnr) for s in agreement.documents[0].signatures]


@pytest.mark.parametrize("answers", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_builds_a_docx_word_can_open(answers: Path, tmp_path: Path) -> None:
    result = build(answers, output=tmp_path, formats=("docx",), as_of=AS_OF)
    assert result.assembly.warnings == ()
    document = docx.Document(str(tmp_path / f"{answers.stem}.docx"))
    # Word numbers the clauses (list numbering bound to Heading 1); read them as Word shows them.
    numbers = [int(c.number) for c in read_docx((tmp_path / f"{answers.stem}.docx").read_bytes()).documents[0].clauses]
    assert numbers
    assert numbers == list(range(1, len(numbers) + 1)), "clause numbers must run 1, 2, 3 … without gaps"
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    for name, orgnr in _parties(answers):
        assert name in text and orgnr in text
    signature_table = document.tables[-1]
    blocks = [c.text for row in signature_table.rows for c in row.cells if c.text.strip()]
    for name, _ in _parties(answers):
        assert sum(name in b for b in blocks) >= 1, f"no signature block for {name}"


def test_one_signature_block_per_party(tmp_path: Path) -> None:
    answers = REPO / "examples" / "basic.yaml"
    agreement = assemble(answers, as_of=AS_OF).agreement
    sigs = agreement.documents[0].signatures
    assert len(sigs) == len(set(s.party for s in sigs)) >= 2


@pytest.mark.parametrize("answers", EXAMPLES, ids=lambda p: p.stem)
def test_two_builds_are_byte_identical(answers: Path, tmp_path: Path) -> None:
    formats = ("docx", "md", "html", "txt")
    build(answers, output=tmp_path / "a", formats=formats, as_of=AS_OF)
    build(answers, output=tmp_path / "b", formats=formats, as_of=AS_OF)
    for f in sorted((tmp_path / "a").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name


def test_template_syntax_in_answers_appears_literally_everywhere(tmp_path: Path) -> None:
    literal = "{{ 7*7 }} {% if true %}ja{% endif %} <b>fet</b>"
    source = (REPO / "examples" / "basic.yaml").read_text(encoding="utf-8")
    title = re.search(r"^  title: (.*)$", source, re.MULTILINE)
    assert title is not None
    answers = tmp_path / "answers.yaml"
    answers.write_text(source.replace(title.group(0), f"  title: '{literal}'"), encoding="utf-8")
    build(answers, output=tmp_path / "out", formats=("docx", "md", "html", "txt"), as_of=AS_OF)
    out = tmp_path / "out"
    document = docx.Document(str(out / "answers.docx"))
    assert any(literal in p.text for p in document.paragraphs)
    assert literal in (out / "answers.txt").read_text(encoding="utf-8")
    assert literal.replace("<b>", "\\<b>").replace("</b>", "\\</b>") in (out / "answers.md").read_text(encoding="utf-8")
    html = (out / "answers.html").read_text(encoding="utf-8")
    assert "{{ 7*7 }} {% if true %}ja{% endif %} &lt;b&gt;fet&lt;/b&gt;" in html
    assert "<b>fet</b>" not in html


def test_inspect_prints_the_manifest_of_a_docx(tmp_path: Path) -> None:
    answers = REPO / "examples" / "basic.yaml"
    build(answers, output=tmp_path, formats=("docx",), as_of=AS_OF)
    result = CliRunner().invoke(cli, ["inspect", str(tmp_path / "basic.docx")])
    assert result.exit_code == 0, result.output
    manifest = read_docx_manifest((tmp_path / "basic.docx").read_bytes())
    assert f"agreement: opi-innovation@{manifest.agreement_version}" in result.output
    for stamp in manifest.clauses:
        assert f"  {stamp.id}@{stamp.version}  sha256 {stamp.sha256}" in result.output
    assert manifest.assembled == AS_OF


def test_a_failed_build_leaves_no_file(tmp_path: Path) -> None:
    source = (REPO / "examples" / "basic.yaml").read_text(encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text(source.replace("amount_sek: 0", "amount_sek: 250000"), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(answers), "-o", str(out), "--as-of", AS_OF])
    assert result.exit_code == 1
    assert "LOU" in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_quick_start_from_an_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples = tmp_path / "clone" / "examples"
    shutil.copytree(REPO / "examples", examples)
    work = tmp_path / "empty"
    work.mkdir()
    monkeypatch.chdir(work)
    result = CliRunner().invoke(cli, ["build", str(examples / "basic.yaml"), "-o", "out/", "--format", "docx"])
    assert result.exit_code == 0, result.output
    assert (work / "out" / "basic.docx").is_file()


def test_builds_write_no_cache_and_agree(tmp_path: Path) -> None:
    """Nothing is cached on disk (a cache file is something another program could write), and two
    fresh processes build the same bytes."""
    import os
    import subprocess
    import sys
    answers = REPO / "examples" / "basic.yaml"
    outputs = {}
    cache = tmp_path / "cache"
    for name in ("first", "second"):
        proc = subprocess.run([sys.executable, "-m", "assembler", "build", str(answers), "-o", str(tmp_path / name),
                               "--format", "docx,md", "--as-of", AS_OF], capture_output=True, text=True,
                              env={**os.environ, "ASSEMBLER_CACHE_DIR": str(cache), "XDG_CACHE_HOME": str(cache)})
        assert proc.returncode == 0, proc.stderr
        outputs[name] = [(tmp_path / name / f"basic.{ext}").read_bytes() for ext in ("docx", "md")]
    assert not cache.exists() or not any(cache.rglob("*"))
    assert outputs["first"] == outputs["second"]
