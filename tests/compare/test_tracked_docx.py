"""The tracked-changes DOCX: accepting all gives NEW, rejecting all gives OLD."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from conftest import FIXTURES, load_bench
from libreoffice import uno_python
from lxml import etree
from sample import sample_agreement

from assembler.compare.diff import diff_documents
from assembler.compare.tracked_docx import write_tracked_docx
from assembler.model import Agreement, Document, Paragraph, Signature, Span
from assembler.readers.docx import paragraph_texts
from assembler.writers import docx as docx_writer

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def agreement(doc: Document) -> Agreement:
    base = sample_agreement("sv")
    return replace(base, documents=(doc,))


def sample() -> Document:
    return sample_agreement("sv").documents[0]


def edited() -> Document:
    """Title changed, clause 3 moved first, a word inserted, a sub-clause added, a place filled in."""
    old = sample()
    c1, c2, c3 = old.clauses
    p21 = c2.blocks[0]
    assert isinstance(p21, Paragraph)
    p21 = replace(p21, spans=(Span("Parterna är inte medvetna om att "),) + p21.spans[1:])
    new_para = Paragraph((Span("Ny punkt om "), Span("märkning", bold=True), Span(".")), "3.3")
    signatures = (replace(old.signatures[0], date="2026-03-05"),) + old.signatures[1:]
    return replace(old, title="Avtal om OPI", signatures=signatures, clauses=(
        replace(c3, number="1"), replace(c1, number="2"),
        replace(c2, number="3", blocks=(p21,) + c2.blocks[1:] + (new_para,))))


def cases() -> dict[str, tuple[Document, Document]]:
    old = sample()
    c1, c2, c3 = old.clauses
    last_gone = replace(old, clauses=(c1, c2), appendices=(), signatures=())
    no_back = replace(old, appendices=(), signatures=())
    restyled = c2.blocks[1]
    assert isinstance(restyled, Paragraph)
    bold_term = replace(c2, blocks=(c2.blocks[0], replace(restyled, spans=tuple(
        replace(s, bold=not s.bold) for s in restyled.spans))) + c2.blocks[2:])
    other = replace(old, title="Något helt annat", reference="", clauses=(
        replace(c3, number="1", title="Annat"),), appendices=(), signatures=(
        Signature("Ett AB", "556036-0793", "Eva", "VD"),))
    return {
        "edited": (old, edited()),
        "edited-reversed": (edited(), old),
        "last-clause-removed": (no_back, last_gone),
        "last-clause-added": (last_gone, no_back),
        "formatting": (old, replace(old, clauses=(c1, bold_term, c3))),
        "nothing-shared": (old, other),
        "unchanged": (old, old),
    }


@pytest.mark.parametrize("name", list(cases()))
def test_accept_all_gives_new_and_reject_all_gives_old(name: str) -> None:
    old, new = cases()[name]
    data = write_tracked_docx(diff_documents(old, new), author="Stadsjuristen", date="2026-03-01")
    assert paragraph_texts(data, "accepted") == paragraph_texts(docx_writer.write_docx(agreement(new)))
    assert paragraph_texts(data, "rejected") == paragraph_texts(docx_writer.write_docx(agreement(old)))


def body(data: bytes) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def test_the_markup_is_well_formed_revision_markup() -> None:
    data = write_tracked_docx(diff_documents(sample(), edited()), author="Stadsjuristen", date="2026-03-01")
    root = body(data)
    ids = Counter(el.get(w("id")) for el in root.iter() if el.get(w("id")) is not None
                  and not el.tag.endswith("RangeEnd"))
    assert ids and max(ids.values()) == 1, "every revision id is unique"
    starts = {el.get(w("id")) for el in root.iter(w("moveFromRangeStart"), w("moveToRangeStart"))}
    ends = [el.get(w("id")) for el in root.iter(w("moveFromRangeEnd"), w("moveToRangeEnd"))]
    assert sorted(ends) == sorted(starts), "each move range end closes its start"
    names_from = {el.get(w("name")) for el in root.iter(w("moveFromRangeStart"))}
    names_to = {el.get(w("name")) for el in root.iter(w("moveToRangeStart"))}
    assert names_from == names_to == {"move1"}
    for deleted in root.iter(w("del")):
        if deleted.getparent().tag != w("rPr"):
            assert not list(deleted.iter(w("t"))), "deleted text is only in w:delText"
    for text in root.iter(w("delText")):
        assert any(a.tag == w("del") for a in text.iterancestors())
    dates = {el.get(w("date")) for el in root.iter() if el.get(w("date"))}
    authors = {el.get(w("author")) for el in root.iter() if el.get(w("author"))}
    assert dates == {"2026-03-01T00:00:00Z"} and authors == {"Stadsjuristen"}
    assert list(root.iter(w("rPrChange"))) == []
    assert len(list(root.iter(w("moveFrom")))) >= 2 and len(list(root.iter(w("moveTo")))) >= 2


def test_formatting_changes_are_tracked_as_formatting() -> None:
    old, new = cases()["formatting"]
    root = body(write_tracked_docx(diff_documents(old, new), date="2026-03-01"))
    assert len(list(root.iter(w("rPrChange")))) >= 2
    assert list(root.iter(w("ins"))) == [] and list(root.iter(w("del"))) == []


def test_python_docx_reopens_it() -> None:
    data = write_tracked_docx(diff_documents(sample(), edited()), date="2026-03-01")
    reopened = docx.Document(io.BytesIO(data))
    assert reopened.core_properties.title == "Avtal om OPI"
    assert reopened.paragraphs[0].style.name == "Title"
    assert len(reopened.tables) == 1


def test_the_same_comparison_gives_the_same_bytes() -> None:
    result = diff_documents(sample(), edited())
    first = write_tracked_docx(result, author="Stadsjuristen", date="2026-03-01")
    assert first == write_tracked_docx(diff_documents(sample(), edited()), author="Stadsjuristen",
                                       date="2026-03-01")
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {(2026, 3, 1, 0, 0, 0)}


def test_the_date_defaults_to_the_assembly_date() -> None:
    old, new = sample(), edited()
    root = body(write_tracked_docx(diff_documents(old, new)))
    assert {el.get(w("date")) for el in root.iter(w("ins"))} == {"2026-03-01T00:00:00Z"}


def test_a_long_agreement_round_trips() -> None:
    bench = load_bench("bench_diff")
    old = bench.long_document(15_000, clauses=12)
    new, _ = bench.edited_document(old, moves=((1, 6), (3, 9), (10, 0)))
    data = write_tracked_docx(bench_result(old, new))
    assert paragraph_texts(data, "accepted") == paragraph_texts(docx_writer.write_docx(bench.agreement_of(new)))
    assert paragraph_texts(data, "rejected") == paragraph_texts(docx_writer.write_docx(bench.agreement_of(old)))


@pytest.mark.parametrize("name", list(cases()))
def test_the_text_markup_is_the_markup_built_element_by_element(name: str) -> None:
    """The fast path writes paragraphs as XML text; the bytes are those of the lxml element builders."""
    from assembler.compare.tracked_docx import _write

    old, new = cases()[name]
    result = diff_documents(old, new)
    author = 'Stads & <jur> "x"\tq'  # every character an attribute escapes
    assert _write(result, author, "2026-03-01", as_text=True) == _write(result, author, "2026-03-01", as_text=False)


def test_the_text_markup_matches_on_a_long_agreement_with_moves() -> None:
    from assembler.compare.tracked_docx import _write

    bench = load_bench("bench_diff")
    old = bench.long_document(6_000, clauses=8)
    new, _ = bench.edited_document(old, rate=0.05, moves=((1, 6), (3, 5), (7, 0)))
    result = diff_documents(old, new)
    assert _write(result, "a", "2026-03-01", as_text=True) == _write(result, "a", "2026-03-01", as_text=False)


def test_the_text_markup_escapes_as_lxml_does() -> None:
    from assembler.compare.tracked_docx import _write

    old = sample()
    c1 = old.clauses[0]
    first = c1.blocks[0]
    assert isinstance(first, Paragraph)
    odd = replace(first, spans=(Span("a\r b & <c> ]]> \t tab\nline  two "), Span("fet", bold=True, italic=True)))
    new = replace(old, clauses=(replace(c1, blocks=(odd,) + c1.blocks[1:]),) + old.clauses[1:])
    for result in (diff_documents(old, new), diff_documents(new, old)):
        text = _write(result, "a", "2026-03-01", as_text=True)
        assert text == _write(result, "a", "2026-03-01", as_text=False)
        assert b"&#13;" in zipfile.ZipFile(io.BytesIO(text)).read("word/document.xml")


def test_text_xml_cannot_carry_is_named_as_before() -> None:
    """A control character makes the text markup unparsable; the element builders name it."""
    old = sample()
    c1 = old.clauses[0]
    first = c1.blocks[0]
    assert isinstance(first, Paragraph)
    bad = replace(first, spans=(Span("carriage\r return and a \x01 control"),))
    new = replace(old, clauses=(replace(c1, blocks=(bad,) + c1.blocks[1:]),) + old.clauses[1:])
    with pytest.raises(ValueError, match="XML compatible"):
        write_tracked_docx(diff_documents(old, new), date="2026-03-01")


def bench_result(old: Document, new: Document):  # type: ignore[no-untyped-def]
    return diff_documents(old, new)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="soffice (LibreOffice) is not installed")
def test_libreoffice_converts_it_to_pdf(tmp_path: Path) -> None:
    source = tmp_path / "redline.docx"
    source.write_bytes(write_tracked_docx(diff_documents(sample(), edited()), date="2026-03-01"))
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "redline.pdf").read_bytes().startswith(b"%PDF")


def test_bare_manifests_have_no_text_to_track() -> None:
    from assembler.compare.diff import diff_sides
    from assembler.compare.result import Side
    from assembler.errors import UsageError

    manifest = sample_agreement("sv").manifest
    result = diff_sides(Side("a.json", "manifest", None, manifest), Side("b.json", "manifest", None, manifest))
    with pytest.raises(UsageError, match="bare manifest"):
        write_tracked_docx(result)


@pytest.mark.skipif(uno_python() is None, reason="LibreOffice with its Python (uno) is not installed")
def test_libreoffice_accepting_and_rejecting_all_gives_new_and_old(tmp_path: Path) -> None:
    bench = load_bench("bench_diff")
    long_old = bench.long_document(12_000, clauses=10)
    long_new, _ = bench.edited_document(long_old, moves=((1, 6), (3, 8), (9, 0)))
    pairs = {**{k: cases()[k] for k in ("edited", "nothing-shared", "last-clause-removed")},
             "long": (long_old, long_new)}
    for name, (old, new) in pairs.items():
        (tmp_path / f"{name}.docx").write_bytes(write_tracked_docx(diff_documents(old, new), date="2026-03-01"))
    script = FIXTURES / "diff" / "lo_accept.py"
    done = subprocess.run([uno_python() or "", str(script), str(tmp_path / "profile"),
                           *(str(tmp_path / f"{name}.docx") for name in pairs)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    for name, (old, new) in pairs.items():
        wrap = bench.agreement_of if name == "long" else agreement
        assert seen[f"{name}.docx:accept"] == paragraph_texts(docx_writer.write_docx(wrap(new))), name
        assert seen[f"{name}.docx:reject"] == paragraph_texts(docx_writer.write_docx(wrap(old))), name
